"""The charts of one run (sim.charts.run), drawn from real runs.

Three small runs: the default program with its twin, the same program without a
twin, and the organization with no program. Every chart the run supports is a
real, non-blank PNG in the house colours; the charts a run cannot support
(retention and cost/value need a twin) return None; titles quote the run's own
metrics; a run folder read back with `load_run` draws the same charts.
"""
from __future__ import annotations

import logging
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

import sim.charts.decomposition as decomposition_module
import sim.charts.run as run_module
from sim import load_config, run
from sim.charts import RUN_CHARTS, run_charts
from sim.charts.run import cost_value_rows
from sim.charts.style import BETTER, PALETTE, PROGRAM, TWIN, WORSE, pct
from sim.charts.survival import mentee_starts
from sim.present.report import load_run

logging.getLogger("MESA").setLevel(logging.WARNING)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ALL = set(RUN_CHARTS)
NEED_TWIN = {"retention", "cost_value", "mechanism"}
BASE = ["org=small", "sim.horizon_years=2", "sim.seed=0"]


def hexes(path: Path) -> set[str]:
    """The distinct colours of a PNG (as #rrggbb), after checking it is a real, non-blank image."""
    path = Path(path)
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, path
    assert len(data) > 10_000, (path, len(data))  # a drawn chart, not an empty canvas
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300, img.shape
    rgb = np.round(img[..., :3] * 255).astype(np.int64).reshape(-1, 3)
    colours = np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2])
    assert len(colours) > 1, f"{path.name} is blank"
    ink = (rgb.min(axis=1) < 250).mean()
    assert ink > 0.02, f"{path.name}: only {ink:.1%} of the pixels are not white"
    return {f"#{int(c):06x}" for c in colours}


@pytest.fixture()
def titles(monkeypatch):
    """Titles of every axes of every chart drawn while the test runs: {file stem: [titles]}."""
    seen: dict[str, list[str]] = {}
    save = run_module.save

    def recording_save(fig, path):
        seen[Path(path).stem] = [ax.get_title() for ax in fig.axes if ax.get_title()]
        return save(fig, path)

    monkeypatch.setattr(run_module, "save", recording_save)
    monkeypatch.setattr(decomposition_module, "save", recording_save)
    return seen


@pytest.fixture(scope="module")
def with_twin():
    result = run(load_config(BASE))
    assert result.twin is not None and "effect.turnover_annual" in result.metrics
    assert not mentee_starts(result.events).empty  # the program enrolled people: retention has data
    return result


@pytest.fixture(scope="module")
def no_twin():
    result = run(load_config([*BASE, "evaluation.twin=false"]))
    assert result.twin is None and "cost.total" not in result.metrics
    return result


@pytest.fixture(scope="module")
def no_program():
    result = run(load_config([*BASE, "program=none"]))
    assert result.twin is None and not result.config.programs()
    return result


def test_every_chart_with_a_twin(with_twin, tmp_path, titles):
    folder = tmp_path / "deep" / "er"  # made on demand
    files = []
    for name, draw in RUN_CHARTS.items():
        target = folder / f"{name}.png"
        assert draw(with_twin, target) == target, name
        files.append(target)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.png" for n in ALL)  # no temp files left
    for path in files:
        colours = hexes(path)
        if path.stem == "cost_value":  # coloured by sign, not by world
            assert WORSE.lower() in colours, path.name
            continue
        if path.stem == "pipeline":  # levels, not worlds: neither the program's blue nor the twin's grey
            assert PROGRAM not in colours and TWIN not in colours, path.name
            continue
        assert PROGRAM.lower() in colours, path.name  # the program's own series is drawn
        if path.stem in ("retention", "turnover_by_level", "succession", "representation"):
            assert TWIN.lower() in colours, f"{path.stem}: the twin's series is missing"
    assert set(titles) == ALL


@pytest.mark.parametrize("which", ["no_twin", "no_program"])
def test_runs_without_a_twin_skip_the_twin_charts(which, request, tmp_path, titles):
    result = request.getfixturevalue(which)
    for name in NEED_TWIN:
        assert RUN_CHARTS[name](result, tmp_path / f"{name}.png") is None, name
        assert not (tmp_path / f"{name}.png").exists(), name
    files = run_charts(result, tmp_path / "charts")
    assert {p.stem for p in files} == ALL - NEED_TWIN
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == sorted(p.name for p in files)
    for path in files:
        colours = hexes(path)
        assert PROGRAM.lower() in colours or path.stem == "pipeline", path.name
        assert TWIN.lower() not in colours, f"{path.stem} draws a twin series the run does not have"


def test_titles_quote_the_run(with_twin, tmp_path, titles):
    run_charts(with_twin, tmp_path)
    m = with_twin.metrics
    levels = [lv.name for lv in with_twin.config.org.levels]
    rates = {lv: m[f"turnover_annual.level.{lv}"] or 0.0 for lv in levels}
    top = max(rates, key=rates.get)
    assert titles["turnover_by_level"] == [f"Turnover is highest at {top} ({100 * rates[top]:.0f} per 100 a year)"]
    head, fill = titles["succession"]
    assert f"{m['bench_strength_end']:.2f} ready-now" in head
    assert f"{pct(m['internal_fill_rate_leadership'], 0)} overall" in fill
    assert titles["pipeline"][0].startswith("Headcount ")
    assert f"-> {m['headcount_end']:,}" in titles["pipeline"][0]
    focus, top_level = with_twin.config.org.groups[-1].name, levels[-1]
    end = 100 * m[f"representation_end.{focus}.level.{top_level}"]
    start = 100 * m[f"representation_start.{focus}.level.{top_level}"]
    twin_end = 100 * with_twin.twin.metrics[f"representation_end.{focus}.level.{top_level}"]
    assert titles["representation"] == [
        f"Group {focus} holds {end:.0f}% of {top_level} seats at the end with the program,\n"
        f"{twin_end:.0f}% without it (twin); {start:.0f}% at the start"]
    assert titles["cost_value"] == [
        f"Net value {m['value.net'] / 1000:,.0f}k on a cost of {m['cost.total'] / 1000:,.0f}k (ROI {m['roi']:+.2f})"]
    caused, naive = titles["retention"]
    assert caused.startswith("Caused: 1-year retention ")
    assert naive.startswith("Naive: ")
    n = int(caused.rsplit("(", 1)[1].split()[0])
    starts = mentee_starts(with_twin.events)
    initial = int((starts.index < m["headcount_start"]).sum())  # always the same people in both worlds
    assert initial <= n <= len(starts), (initial, n, len(starts))


def test_a_loaded_run_folder_draws_the_same_charts(with_twin, tmp_path, titles):
    folder = with_twin.save(tmp_path / "run", charts=False)
    assert not (folder / "charts").exists()
    loaded = load_run(folder)
    assert loaded.twin is not None
    run_charts(with_twin, tmp_path / "live")
    live = dict(titles)
    titles.clear()
    files = run_charts(loaded, tmp_path / "loaded")
    assert [p.stem for p in files] == list(RUN_CHARTS)  # every chart, in the pack's order
    assert titles == live  # the same numbers, from the folder as from memory


def test_palette_is_distinct_for_program_and_twin():
    assert PROGRAM != TWIN and PROGRAM in PALETTE and TWIN in PALETTE
    assert BETTER != WORSE and {BETTER, WORSE} <= set(PALETTE)


@pytest.fixture()
def axes(monkeypatch):
    """The axes of every chart drawn while the test runs: {file stem: [axes]}."""
    seen: dict[str, list] = {}
    save = run_module.save

    def recording_save(fig, path):
        seen[Path(path).stem] = list(fig.axes)
        return save(fig, path)

    monkeypatch.setattr(run_module, "save", recording_save)
    monkeypatch.setattr(decomposition_module, "save", recording_save)
    return seen


def _hex(rgba) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(255 * c) for c in rgba[:3]))


def test_cost_value_bars_are_coloured_by_sign_and_empty_parts_left_out(with_twin, tmp_path, axes):
    m = with_twin.metrics
    run_module.cost_value(with_twin, tmp_path / "cv.png")
    (ax,) = axes["cv"]
    bars = ax.patches[: len(cost_value_rows(m))]
    drawn = {t.get_text(): b for t, b in zip(ax.get_yticklabels(), bars)}
    rows = dict(cost_value_rows(m))
    assert set(drawn) == set(rows)
    for label, bar in drawn.items():
        assert bar.get_width() == pytest.approx(rows[label] / 1000), label
        assert _hex(bar.get_facecolor()) == (BETTER if rows[label] >= 0 else WORSE), label
    assert rows["Net value"] == pytest.approx(m["value.net"])
    replacement = [k for k in rows if "leavers" in k]
    assert replacement and rows[replacement[0]] == pytest.approx(m["value.replacement_savings"])
    assert (m["cost.training"] == 0) == ("Mentor training" not in rows)  # no empty row
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("better" in t for t in legend) and any("worse" in t for t in legend)


def test_count_axes_start_at_zero_and_the_twin_is_shown(with_twin, tmp_path, axes):
    run_charts(with_twin, tmp_path)
    bench, fill = axes["succession"]
    assert bench.get_ylim()[0] == 0 and fill.get_ylim()[0] == 0
    assert {line.get_label() for line in bench.get_lines()} >= {"With the program", "Twin, no program"}
    head, ready = axes["pipeline"]
    assert head.get_ylim()[0] == 0 and ready.get_ylim()[0] == 0
    legend = ready.get_legend()
    # the legend sits outside the plotting area: it covers no line
    box = legend.get_window_extent().transformed(ready.transAxes.inverted())
    assert box.x0 >= 1.0, box
    (turnover,) = axes["turnover_by_level"]
    assert turnover.get_ylim()[0] == 0
    assert any(_hex(p.get_facecolor()) == TWIN for p in turnover.patches)
    (rep,) = axes["representation"]
    assert rep.get_ylim()[0] == 0
    assert any(_hex(p.get_facecolor()) == TWIN for p in rep.patches)


def test_the_charts_are_the_pixels_matplotlib_itself_would_save(with_twin, tmp_path, monkeypatch):
    """The cheap drawing (one draw on the figure's own canvas, RGB at a fast zlib level, titles pinned
    at the top) changes no pixel against matplotlib's own way: tight_layout, savefig (RGBA, its
    default compression) and every title placed automatically."""
    from PIL import Image

    from sim.charts.style import STYLE, plt

    fast = run_charts(with_twin, tmp_path / "fast")

    def reference_save(fig, path):
        with plt.rc_context(STYLE):
            fig.tight_layout()
            fig.savefig(path)
        return path

    def automatic_title(ax, text, **kwargs):
        return ax.set_title(text, **kwargs)

    for module in (run_module, decomposition_module):
        monkeypatch.setattr(module, "save", reference_save)
        monkeypatch.setattr(module, "pinned_title", automatic_title)
    (tmp_path / "reference").mkdir()
    reference = run_charts(with_twin, tmp_path / "reference")
    assert [p.name for p in fast] == [p.name for p in reference] and len(fast) == len(RUN_CHARTS)
    for mine, theirs in zip(fast, reference):
        rgb, rgba = np.asarray(Image.open(mine)), np.asarray(Image.open(theirs))
        assert rgba.shape[-1] == 4 and (rgba[..., 3] == 255).all(), theirs.name  # opaque: the alpha says nothing
        assert rgb.shape == rgba[..., :3].shape, mine.name
        assert np.array_equal(rgb, rgba[..., :3]), f"{mine.name}: {(rgb != rgba[..., :3]).any(axis=-1).sum()} pixels"


def test_the_run_charts_come_out_the_same_whatever_the_global_settings(with_twin, tmp_path):
    """Every run chart in STYLE from its figure to its file: the command's process (matplotlib's defaults)
    and one whose settings differ (the explorer's server used to carry STYLE's bold titles) draw the
    same pixels, and drawing leaves the settings as it found them."""
    import matplotlib
    from PIL import Image

    odd = {"axes.titleweight": "normal", "axes.titlesize": 20, "font.size": 7, "xtick.labelsize": 5,
           "legend.frameon": True, "axes.grid": False, "lines.linewidth": 4}
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        plain = run_charts(with_twin, tmp_path / "plain")
        matplotlib.rcParams.update(odd)
        before = dict(matplotlib.rcParams)
        other = run_charts(with_twin, tmp_path / "odd")
        assert dict(matplotlib.rcParams) == before
    assert [p.name for p in plain] == [p.name for p in other] and len(plain) == len(RUN_CHARTS)
    for a, b in zip(plain, other):
        assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b))), a.name


def test_titles_stay_inside_the_figure_clear_of_each_other_and_of_the_legends(with_twin, tmp_path, axes):
    """Bold titles are wide: none may run past the figure's edge, into its neighbour's or into a legend."""
    run_charts(with_twin, tmp_path)
    assert set(axes) == ALL
    for name, drawn in axes.items():
        fig = drawn[0].figure
        renderer = fig.canvas.get_renderer()
        texts = [t for ax in drawn for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
        texts += [fig._suptitle] if fig.get_suptitle() else []
        boxes = [t.get_window_extent(renderer) for t in texts]
        legends = [ax.get_legend().get_window_extent(renderer) for ax in drawn if ax.get_legend()]
        for i, (text, box) in enumerate(zip(texts, boxes)):
            where = (name, text.get_text())
            assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1, where
            assert not any(box.overlaps(other) for other in boxes[i + 1:]), where
            assert not any(box.overlaps(legend) for legend in legends), where
        for legend in legends:  # a legend set outside its axes is still inside the figure
            assert fig.bbox.x0 <= legend.x0 and legend.x1 <= fig.bbox.x1, name
            assert fig.bbox.y0 <= legend.y0 and legend.y1 <= fig.bbox.y1, name
