"""Charts of sweeps (sim.charts.sweep): heatmap, cost against value, sensitivity tornado.

The heatmap and the scatter are drawn from the table `collect` builds over a
real tiny sweep: a 2 x 2 grid (matching x cadence) over two seeds, each job run
by `sim.runs.jobs.run_job` into its own folder with the `.hydra/overrides.yaml`
record a Hydra multirun writes. What the charts print (cell means, 95%
intervals over seeds, titles) is checked against the table by hand.
"""
from __future__ import annotations

import logging
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim.charts.sweep as sweep_module
from sim.charts.style import PALETTE
from sim.charts.sweep import cost_value_scatter, heatmap, tornado
from sim.studies.collect import collect
from sim.studies.sensitivity import Param, Spec, analyze, sample
from tests.conftest import SWEEP_GRID as GRID
from tests.conftest import write_sweep

logging.getLogger("MESA").setLevel(logging.WARNING)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_png(path: Path) -> set[str]:
    """A real, non-blank PNG; returns its distinct colours (#rrggbb)."""
    path = Path(path)
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, path
    assert len(data) > 10_000, (path, len(data))
    img = mpimg.imread(path)
    rgb = np.round(img[..., :3] * 255).astype(np.int64).reshape(-1, 3)
    colours = np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2])
    assert len(colours) > 1, f"{path.name} is blank"
    assert (rgb.min(axis=1) < 250).mean() > 0.02, f"{path.name} is almost all white"
    return {f"#{int(c):06x}" for c in colours}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    table = collect(write_sweep(tmp_path_factory.mktemp("sweep") / "sw"), write=False)
    assert len(table) == len(GRID) and (table["status"] == "complete").all()
    assert table[["effect.turnover_annual", "cost.total", "value.total"]].notna().all().all()
    return table


@pytest.fixture()
def drawn(monkeypatch):
    """The last figure each sweep chart saved: {file stem: figure} (figures stay open until the test ends)."""
    figs = {}
    save = sweep_module.save

    def keep(fig, path):
        figs[Path(path).stem] = fig
        out = save(fig, path)
        return out

    monkeypatch.setattr(sweep_module, "save", keep)
    return figs


def t_half(values: pd.Series) -> float:
    """95% half-width of a mean over seeds (Student t, n - 1 degrees of freedom)."""
    n = values.count()
    return float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))


# ------------------------------------------------------------------------------------------ heatmap
def test_heatmap_renders(runs, tmp_path):
    path = heatmap(runs, "matching", "program.cadence_weeks", "effect.turnover_annual", tmp_path / "h" / "map.png",
                   scale=100, unit=" (points)")
    assert path == tmp_path / "h" / "map.png"
    check_png(path)


def test_heatmap_cells_are_means_over_seeds(runs, tmp_path, drawn):
    metric = "effect.turnover_annual"
    heatmap(runs, "matching", "program.cadence_weeks", metric, tmp_path / "map.png", scale=100)
    ax = drawn["map"].axes[0]
    shown = np.asarray(ax.images[0].get_array())
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert rows == ["optimal", "random"] and cols == ["2", "4"]
    texts = iter(t.get_text() for t in ax.texts)
    for i, matching in enumerate(rows):
        for j, cadence in enumerate(cols):
            cell = runs[(runs["ov.matching"] == matching) & (runs["ov.program.cadence_weeks"] == cadence)][metric]
            assert cell.count() == 2
            mean = 100 * cell.mean()
            assert shown[i, j] == pytest.approx(mean)
            value, half = next(texts).split("\n")
            assert value == f"{mean:.2f}"
    # no superlative: a cell is "lowest" only where intervals separate, which one title cannot say
    assert ax.get_title() == f"{metric}: mean over seeds, ±95% half-width"


def test_heatmap_interval_is_a_95_percent_interval_over_seeds(tmp_path, drawn):
    """With n seeds a 95% interval of the mean is t(0.975, n - 1) x sd / sqrt(n), as `compare` uses."""
    runs = pd.DataFrame({
        "status": "complete", "ov.a": ["x"] * 3 + ["y"] * 3, "ov.b": "1",
        "m": [1.0, 2.0, 4.0, 0.0, 0.5, 0.7],
    })
    heatmap(runs, "a", "b", "m", tmp_path / "map.png")
    texts = [t.get_text() for t in drawn["map"].axes[0].texts]
    for text, (_, values) in zip(texts, runs.groupby("ov.a")["m"]):
        assert text == f"{values.mean():.2f}\n±{t_half(values):.2f}", (text, t_half(values))


def test_heatmap_orders_numbers_as_numbers_and_skips_unfinished_runs(tmp_path, drawn):
    rng = np.random.default_rng(0)
    rows = [{"status": "complete", "ov.cadence": str(c), "ov.capacity": str(k), "m": c + 10 * k + rng.normal(0, .1)}
            for c in (12, 2, 4, 1) for k in (3, 1) for _ in range(3)]
    rows.append({"status": "failed", "ov.cadence": "2", "ov.capacity": "1", "m": -1e9})
    rows.append({"status": "incomplete", "ov.cadence": "24", "ov.capacity": "1", "m": np.nan})
    heatmap(pd.DataFrame(rows), "cadence", "capacity", "m", tmp_path / "map.png")
    ax = drawn["map"].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "4", "12"]  # not "1", "12", "2", "4"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "3"]
    assert shown_min(ax) == pytest.approx(1 + 10 * 1, abs=0.5)  # the failed run's -1e9 is not a result


def shown_min(ax) -> float:
    return float(np.nanmin(ax.images[0].get_array()))


def test_heatmap_without_what_it_needs_returns_none(runs, tmp_path):
    assert heatmap(runs, "matching", "program.mentor_capacity", "effect.turnover_annual", tmp_path / "a.png") is None
    assert heatmap(runs, "matching", "program.cadence_weeks", "no.such.metric", tmp_path / "b.png") is None
    failed = runs.assign(status="failed")
    assert heatmap(failed, "matching", "program.cadence_weeks", "effect.turnover_annual", tmp_path / "c.png") is None
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------ cost vs value
def test_cost_value_scatter_renders_one_point_per_scenario(runs, tmp_path, drawn):
    path = cost_value_scatter(runs, tmp_path / "cv.png")
    assert path == tmp_path / "cv.png"
    check_png(path)
    ax = drawn["cv"].axes[0]
    means = runs.groupby("scenario")[["cost.total", "value.total"]].mean() / 1000
    assert means.shape[0] == 4
    points = np.vstack([c.lines[0].get_xydata() for c in ax.containers])
    np.testing.assert_allclose(sorted(map(tuple, points)), sorted(map(tuple, means.to_numpy())))
    # each point numbered, the numbers named in the key under the chart (names at the points overlapped)
    assert [t.get_text() for t in ax.texts] == [str(k) for k in range(1, len(means) + 1)]
    (key,) = [a for a in drawn["cv"].axes if a is not ax]
    named = [t.get_text() for t in key.get_legend().get_texts()]
    assert named == [f"{k}  {name}" for k, name in enumerate(sorted(means.index), 1)]
    meaning = [t.get_text() for a in key.artists for t in a.get_texts()]
    assert "break-even (value = cost)" in meaning
    assert "return more" not in ax.get_title()  # no count of winners from means alone
    # each point coloured by the sign of its net value's interval: blue clear gain, vermillion clear loss
    from matplotlib.colors import to_hex

    from sim.charts.sweep import interval_colour

    for container, (scenario, group) in zip(ax.containers, sorted(runs.groupby("scenario"), key=lambda g: g[0])):
        net = (group["value.total"] - group["cost.total"]) / 1000
        want = interval_colour(net.mean(), net.mean() - t_half(net), net.mean() + t_half(net), lower_is_better=False)
        assert to_hex(container.lines[0].get_color()) == want, scenario


def test_cost_value_intervals_are_95_percent_intervals_over_seeds(runs, tmp_path, drawn):
    cost_value_scatter(runs, tmp_path / "cv.png")
    groups = runs.groupby("scenario")
    want = sorted((t_half(g["cost.total"] / 1000), t_half(g["value.total"] / 1000)) for _, g in groups)
    got = []
    for container in drawn["cv"].axes[0].containers:
        xerr, yerr = container.lines[2]
        got += [((s[1][0] - s[0][0]) / 2, (t[1][1] - t[0][1]) / 2)
                for s, t in zip(xerr.get_segments(), yerr.get_segments())]
    got = sorted(got)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_cost_value_without_programs_returns_none(runs, tmp_path):
    assert cost_value_scatter(runs.drop(columns=["cost.total", "value.total"]), tmp_path / "a.png") is None
    assert cost_value_scatter(runs.assign(status="failed"), tmp_path / "b.png") is None
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------ tornado
@pytest.fixture(scope="module")
def morris_table():
    """Real Morris indices (SALib) of a known function: y = 5 a + 1 b + 0 c (no dummy)."""
    spec = Spec(params=[Param("a", 0, 1), Param("b", 0, 1), Param("c", 0, 1)], outcomes=["y"], trajectories=10,
                dummy=False)
    x = sample(spec)
    y = (5 * x[:, 0] + 1 * x[:, 1])[:, None]
    return analyze(spec, x, y)


def test_tornado_ranks_parameters(morris_table, tmp_path, drawn):
    path = tornado(morris_table, "y", tmp_path / "t.png")
    assert path == tmp_path / "t.png"
    check_png(path)
    ax = drawn["t"].axes[0]
    assert ax.get_title() == "y depends most on a"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["c", "b", "a"]  # largest at the top
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths, [0, 1, 5], atol=1e-9)
    assert "Morris" in ax.get_xlabel()
    assert ax.get_legend() is None  # no dummy, no noise floor


def test_tornado_draws_the_dummy_as_the_noise_floor(morris_table, tmp_path, drawn):
    """The dummy is a line at its index (not a bar); the title counts the parameters above it."""
    dummy = pd.DataFrame([{"outcome": "y", "parameter": sweep_module.NOISE_FLOOR_PARAMETER, "importance": 1.5,
                           "mu_star": 1.5, "mu_star_conf": 0.25, "mu": 0.0, "sigma": 2.0}])
    tornado(pd.concat([morris_table, dummy]), "y", tmp_path / "d.png")
    ax = drawn["d"].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "b", "a"]
    from matplotlib.container import BarContainer

    bars = next(c for c in ax.containers if isinstance(c, BarContainer))
    np.testing.assert_allclose([b.get_width() for b in bars], [0, 1, 5], atol=1e-9)
    floor = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(floor) == 1 and list(floor[0].get_xdata()) == [1.5, 1.5]
    assert "indistinguishable from noise" in ax.get_legend().get_texts()[0].get_text()
    assert ax.get_title() == "y depends most on a\n1 of 3 parameters above the noise floor"
    tornado(pd.concat([morris_table, dummy.assign(importance=9.0, mu_star=9.0)]), "y", tmp_path / "n.png")
    assert drawn["n"].axes[0].get_title().endswith("no parameter stands out from the noise floor")


def test_tornado_of_sobol_indices(tmp_path, drawn):
    table = pd.DataFrame({"outcome": ["cost", "cost", "turnover"], "parameter": ["p", "q", "p"],
                          "importance": [0.2, 0.7, 0.5], "S1": [0.1, 0.6, 0.4], "S1_conf": 0.05,
                          "ST": [0.2, 0.7, 0.5], "ST_conf": [0.02, 0.03, 0.04]})
    tornado(table, "cost", tmp_path / "s.png")
    check_png(tmp_path / "s.png")
    ax = drawn["s"].axes[0]
    assert ax.get_title() == "cost depends most on q"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["p", "q"]
    assert "Sobol" in ax.get_xlabel()


# ------------------------------------------------------------------------------- designs compared
def test_design_intervals_draw_each_design_against_zero_coloured_by_a_clear_sign(tmp_path, drawn):
    from matplotlib.colors import to_hex

    from sim.charts.style import BETTER, WORSE
    from sim.charts.sweep import design_intervals

    turnover = pd.DataFrame({"design": ["2", "4", "8"], "mean": [0.5, -0.4, 0.1], "low": [0.2, -0.7, -0.2],
                             "high": [0.8, -0.1, 0.4]})
    net = pd.DataFrame({"design": ["2", "4", "8"], "mean": [-50.0, 20.0, 5.0], "low": [-80.0, 5.0, np.nan],
                        "high": [-20.0, 35.0, np.nan]})
    design_intervals([("turnover", turnover, True), ("net value", net, False)], tmp_path / "d.png", "cadence")
    left, right = drawn["d"].axes
    # zero (the twin) is on both axes, so a difference is read from zero
    for ax in (left, right):
        low, high = ax.get_xlim()
        assert low <= 0 <= high
    dots = lambda ax: [to_hex(line.get_color()) for line in ax.get_lines() if line.get_marker() == "o"]  # noqa: E731
    assert dots(left) == [WORSE, BETTER, PALETTE[7]]  # turnover up: worse; down: better; spans zero: grey
    assert dots(right) == [WORSE, BETTER, PALETTE[7]]  # net value down: worse; up: better; no interval: grey
    by_height = sorted((t.get_position()[1], t.get_text()) for t in left.get_yticklabels())
    assert [text for _, text in by_height] == ["8", "4", "2"]  # the first design at the top
