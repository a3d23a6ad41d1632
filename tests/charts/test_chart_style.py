"""Every chart is drawn wholly in the charts' STYLE, whatever the process's own matplotlib settings are,
and drawing leaves those settings as it found them (also under Solara's per-session rcParams, the
explorer's server, where matplotlib's rc_context does not put them back).

Each chart of sim.charts (and the explorer's comparison chart) is drawn from a small hand-made table
twice: under matplotlib's defaults and under deliberately different global settings. The two PNGs must
be the same pixels, and the titles and tick labels must carry STYLE's weight and sizes.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from PIL import Image

import sim.charts.decomposition as decomposition_module
import sim.charts.fit as fit_module
import sim.charts.sweep as sweep_module
import sim.present.explorer.results as explorer_module
from sim.charts.style import STYLE, chart_style, figure, rc_scope, save

# Global settings a user (or another library) might have: each one would show in a chart that read them.
ODD = {"axes.titleweight": "normal", "axes.titlesize": 20, "font.size": 7, "xtick.labelsize": 5,
       "ytick.labelsize": 5, "axes.grid": False, "lines.linewidth": 4, "axes.spines.top": True,
       "legend.frameon": True, "figure.dpi": 50, "axes.facecolor": "#eeeeee"}


def _waterfall(path):
    table = pd.DataFrame({"panel": ["Turnover, points"] * 2 + ["Promotions, people"] * 2,
                          "label": ["Mentees", "Mentors"] * 2, "value": [-0.4, 0.1, 3.0, -1.0], "unit": "",
                          "lower_is_better": [True, True, False, False]})
    return decomposition_module.waterfall(table, path, "Why the outcome moved")


def _sweep_runs():
    rng = np.random.default_rng(0)
    rows = [{"status": "complete", "ov.a": a, "ov.b": b, "scenario": f"a={a},b={b}", "metric": rng.normal(),
             "cost.total": 1000 + 100 * a + rng.normal(), "value.total": 900 + 200 * b + 50 * rng.normal()}
            for a in (1, 2) for b in (1, 2) for _ in range(3)]
    return pd.DataFrame(rows)


def _heatmap(path):
    return sweep_module.heatmap(_sweep_runs(), "a", "b", "metric", path)


def _scatter(path):
    return sweep_module.cost_value_scatter(_sweep_runs(), path)


def _tornado(path):
    table = pd.DataFrame({"outcome": "y", "parameter": ["p", "q", "dummy"], "importance": [0.5, 0.2, 0.05],
                          "mu_star": [0.5, 0.2, 0.05], "mu_star_conf": [0.05, 0.05, 0.02]})
    return sweep_module.tornado(table, "y", path)


def _designs(path):
    rows = pd.DataFrame({"design": ["one", "two"], "mean": [-0.5, 0.2], "low": [-0.9, -0.1], "high": [-0.1, 0.5]})
    return sweep_module.design_intervals([("Turnover", rows, True), ("Promotions", rows, False)], path, "Design")


def _hazards(path):
    table = pd.DataFrame({"level": ["L1", "L1", "L2", "L2"], "tenure": ["<2y", "2y+"] * 2,
                          "observed": [0.2, 0.1, 0.15, 0.08], "low": [0.15, 0.07, 0.1, 0.05],
                          "high": [0.25, 0.13, 0.2, 0.11], "fitted": [0.19, 0.11, 0.14, 0.09]})
    return fit_module.hazards(table, path)


def _tenure(path):
    t = np.array([0.0, 1.0, 2.0, 3.0])
    curve = (t, np.array([1.0, 0.9, 0.8, 0.7]), np.array([1.0, 0.85, 0.75, 0.6]), np.array([1.0, 0.95, 0.85, 0.8]), 120)
    panels = [{"title": "All hires", "observed": curve, "simulated": curve},
              {"title": "L2", "observed": None, "simulated": None, "note": "suppressed"}]
    return fit_module.tenure_survival(panels, path, horizon=3.0)


def _promotions(path):
    table = pd.DataFrame({"level": ["L1", "L2"], "observed": [0.2, 0.1], "low": [0.15, 0.05], "high": [0.25, 0.15],
                          "simulated": [0.19, 0.12], "sim_low": [0.16, 0.09], "sim_high": [0.22, 0.15],
                          "years_in_level": [3.0, 4.0], "sim_years_in_level": [3.2, 3.8]})
    return fit_module.promotions(table, path)


class _Paired:
    """What the explorer's comparison chart reads of a design's paired runs."""

    def __init__(self, mean, low, high):
        self.row = {"key": "effect.turnover_annual", "mean": mean, "low": low, "high": high, "unclear": low < 0 < high}

    def summary(self):
        return pd.DataFrame([self.row])


def _comparison(path):
    png = explorer_module.comparison_chart([("a", _Paired(-0.5, -0.9, -0.1)), ("b", _Paired(0.1, -0.2, 0.4))])
    Path(path).write_bytes(png)
    return path


CHARTS = {"waterfall": (decomposition_module, _waterfall), "heatmap": (sweep_module, _heatmap),
          "cost_value_scatter": (sweep_module, _scatter), "tornado": (sweep_module, _tornado),
          "design_intervals": (sweep_module, _designs), "hazards": (fit_module, _hazards),
          "tenure_survival": (fit_module, _tenure), "promotions": (fit_module, _promotions),
          "comparison": (explorer_module, _comparison)}


@pytest.mark.parametrize("name", list(CHARTS))
def test_a_chart_comes_out_the_same_whatever_the_global_settings(name, tmp_path, monkeypatch):
    module, draw = CHARTS[name]
    figures = []
    real_save = module.save

    def keep(fig, path):
        figures.append(fig)
        return real_save(fig, path)

    monkeypatch.setattr(module, "save", keep)
    with matplotlib.rc_context():  # the test's own changes to the globals are undone after
        matplotlib.rcdefaults()
        plain = draw(tmp_path / "plain.png")
        matplotlib.rcParams.update(ODD)
        before = dict(matplotlib.rcParams)
        odd = draw(tmp_path / "odd.png")
        assert dict(matplotlib.rcParams) == before, "drawing changed the process's settings"
    fig = figures[-1]
    # centred, left and right titles (the comparison chart's is on the left)
    titles = [t for ax in fig.axes if ax.get_visible() for t in (ax.title, ax._left_title, ax._right_title)
              if t.get_text()]
    assert titles or fig.get_suptitle(), name
    for title in titles:  # sizes may be set per chart; the weight always comes from STYLE
        assert title.get_fontweight() == STYLE["axes.titleweight"], (name, title.get_text())
        assert title.get_fontsize() <= STYLE["axes.titlesize"], (name, title.get_text())
    ticks = [t for ax in fig.axes if ax.get_visible() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and {t.get_fontsize() for t in ticks} <= {STYLE["font.size"]}, name
    a, b = np.asarray(Image.open(plain)), np.asarray(Image.open(odd))
    assert a.shape == b.shape and np.array_equal(a, b), f"{name}: the global settings show in the chart"


def test_a_title_made_between_figure_and_save_takes_the_style(tmp_path):
    with matplotlib.rc_context({"axes.titleweight": "normal", "axes.titlesize": 7}), chart_style():
        fig, axes = figure()
        title = axes[0, 0].set_title("made after the figure")
        save(fig, tmp_path / "t.png")
    assert title.get_fontweight() == "bold" and title.get_fontsize() == STYLE["axes.titlesize"]


def test_every_chart_function_is_drawn_in_style():
    """A function that makes a figure is decorated with @drawn_in_style: figure() and save() alone would
    leave what is drawn between them to the process's settings."""
    import ast

    root = Path(__file__).resolve().parents[2] / "sim"
    files = sorted((root / "charts").glob("*.py")) + [root / "present" / "explorer" / "results.py"]
    drawing = []
    for file in files:
        if file.name == "style.py":
            continue
        for node in ast.walk(ast.parse(file.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            calls = {c.func.id for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
            if calls & {"figure", "figure_with_key"}:
                decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
                drawing.append(f"{file.name}:{node.name}")
                assert "drawn_in_style" in decorators, f"{file.name}: {node.name} is not @drawn_in_style"
    assert len(drawing) >= 15, drawing  # the run, mechanism, sweep, fit and comparison charts


def test_rc_scope_puts_back_what_it_found_even_on_error():
    before = dict(matplotlib.rcParams)
    with pytest.raises(ValueError), rc_scope({"font.size": 3.0, "axes.titleweight": "light"}):
        assert matplotlib.rcParams["font.size"] == 3.0
        with rc_scope({"font.size": 4.0}):
            assert matplotlib.rcParams["font.size"] == 4.0
        assert matplotlib.rcParams["font.size"] == 3.0
        raise ValueError("a chart failed")
    assert dict(matplotlib.rcParams) == before


# Solara (the explorer's server) makes rcParams read a dict of each browser session's, while matplotlib's
# rc_context puts settings back into the dict beneath: there, an rc_context's settings stayed for good.
SOLARA_PROCESS = """
import sys
import matplotlib
from solara.server import app  # noqa: F401  (loads the server's patches)
from solara.server import patch
patch.patch_matplotlib()
assert type(matplotlib.rcParams).__name__ == "RcParamsScoped"
import pandas as pd
from sim.charts.decomposition import waterfall
from sim.charts.style import rc_scope
before = dict(matplotlib.rcParams)
table = pd.DataFrame({"panel": "P", "label": ["a", "b"], "value": [1.0, -0.5], "unit": "", "lower_is_better": False})
waterfall(table, sys.argv[1], "t")
with rc_scope({"pdf.use14corefonts": True, "font.sans-serif": ["Helvetica"]}):  # the PDF's fonts
    pass
assert dict(matplotlib.rcParams) == before, {k: v for k, v in matplotlib.rcParams.items() if before[k] != v}
print("unchanged")
"""


def test_drawing_in_solaras_server_leaves_its_settings_as_they_were(tmp_path):
    pytest.importorskip("solara")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-c", SOLARA_PROCESS, str(tmp_path / "w.png")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "unchanged" in done.stdout, done.stderr[-2000:]


def test_the_tenure_panels_tick_labels_stay_apart(tmp_path, monkeypatch):
    """Side by side with shared axes, the last x tick label of one panel and the first of the next met."""
    figures = []
    real_save = fit_module.save
    monkeypatch.setattr(fit_module, "save", lambda fig, path: (figures.append(fig), real_save(fig, path))[1])
    _tenure(tmp_path / "t.png")
    left, right = figures[0].axes[:2]
    renderer = figures[0].canvas.get_renderer()
    last = [t for t in left.get_xticklabels() if t.get_text()][-1].get_window_extent(renderer)
    first = [t for t in right.get_xticklabels() if t.get_text()][0].get_window_extent(renderer)
    assert first.x0 - last.x1 > 5, (last, first)  # pixels: read as two numbers, not one
