"""Page 1's chart of a run over several seeds (sim.charts.seeds): each seed's effect a dot coloured
by the side of zero it falls on (which side is better is the panel's), the mean a line over its 95%
interval's band, "unclear" exactly when the band holds zero, and every value inside the axes."""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex

import sim.charts.seeds as seeds_module
from sim.charts.seeds import BAND, INK, EffectPanel, effects_by_seed
from sim.charts.style import BETTER, WORSE


@pytest.fixture()
def drawn(monkeypatch, tmp_path):
    """Draw the panels; the figure as it was saved, and the PNG."""
    kept = {}
    save = seeds_module.save

    def keep(fig, path):
        kept["fig"] = fig
        return save(fig, path)

    monkeypatch.setattr(seeds_module, "save", keep)

    def draw(panels):
        path = effects_by_seed(panels, tmp_path / "seeds.png")
        return kept["fig"], path

    return draw


TURNOVER = EffectPanel("Turnover, change in points (lower is better)", (-0.4, -0.1, 0.2, float("nan")),
                       -0.1, -0.35, 0.15, lower_is_better=True)
VALUE = EffectPanel("Net value, thousands (higher is better)", (120.0, 40.0, 300.0), 153.3, 10.0, 296.7,
                    lower_is_better=False, fmt="{:+,.0f}k")


def test_each_seed_is_a_dot_coloured_by_whether_the_program_did_better(drawn):
    fig, path = drawn([TURNOVER, VALUE])
    assert path.is_file() and path.read_bytes()[:4] == b"\x89PNG"
    panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in panels] == [TURNOVER.title, VALUE.title]
    for ax, p in zip(panels, (TURNOVER, VALUE)):
        (dots,) = ax.collections
        x = dots.get_offsets()[:, 0]
        finite = [v for v in p.values if v == v]
        assert list(x) == finite  # a NaN seed is left out, never drawn at zero
        better = [(v < 0) if p.lower_is_better else (v > 0) for v in finite]
        assert [to_hex(c) for c in dots.get_facecolors()] == [BETTER if b else WORSE for b in better]
        low, high = ax.get_xlim()
        assert low < min(finite + [0, p.low]) and high > max(finite + [0, p.high])


def test_the_mean_is_a_line_over_its_interval_and_unclear_only_when_it_holds_zero(drawn):
    fig, _ = drawn([TURNOVER, VALUE])
    panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
    for ax, p in zip(panels, (TURNOVER, VALUE)):
        band = [patch for patch in ax.patches if to_hex(patch.get_facecolor()) == BAND]
        assert len(band) == 1
        x0, width = band[0].get_x(), band[0].get_width()  # data across, the axes' full height
        assert x0 == pytest.approx(p.low) and x0 + width == pytest.approx(p.high)
        mean_lines = [line for line in ax.lines if to_hex(line.get_color()) == INK]
        assert len(mean_lines) == 1 and set(mean_lines[0].get_xdata()) == {p.mean}
        (label,) = [t.get_text() for t in ax.texts]
        assert label.startswith("mean " + p.fmt.format(p.mean))
        assert ("unclear" in label) == (p.low <= 0 <= p.high)  # TURNOVER's spans zero, VALUE's does not
    legend = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert "a seed where the program did better" in legend and "a seed where it did worse" in legend


def test_an_undefined_interval_draws_the_seeds_alone(drawn):
    nan = float("nan")
    fig, _ = drawn([EffectPanel("One seed defined", (0.3, nan), nan, nan, nan, lower_is_better=True)])
    (ax,) = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert not ax.texts and not [p for p in ax.patches if to_hex(p.get_facecolor()) == BAND]
    assert np.isfinite(ax.get_xlim()).all()


def test_dots_that_would_touch_take_lanes_and_no_change_is_neither_colour(drawn):
    from sim.charts.seeds import SAME, lanes

    heights = lanes(np.array([0.0, 0.001, 0.002, 5.0, 0.0015]), gap=0.01)
    assert heights[0] == 0 and heights[3] == 0  # far apart: on the row
    assert len({heights[0], heights[1], heights[4], heights[2]}) == 4  # four within the gap: four lanes
    fig, _ = drawn([EffectPanel("No change in one seed", (0.0, -0.2, 0.3), 0.03, -0.4, 0.5, lower_is_better=True)])
    (ax,) = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert [to_hex(c) for c in ax.collections[0].get_facecolors()] == [SAME, BETTER, WORSE]
    legend = [t.get_text() for a in fig.axes if a.get_legend() for t in a.get_legend().get_texts()]
    assert "no change" in legend


def test_the_panels_titles_and_key_stay_inside_the_figure_and_apart(drawn):
    fig, _ = drawn([TURNOVER, VALUE])
    renderer = fig.canvas.get_renderer()
    titles = [ax._left_title.get_window_extent(renderer) for ax in fig.axes if ax.get_title(loc="left")]
    (key,) = [ax.get_legend().get_window_extent(renderer) for ax in fig.axes if ax.get_legend()]
    assert len(titles) == 2 and not titles[0].overlaps(titles[1])
    for box in (*titles, key):
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1


def test_png_bytes_refuses_what_is_not_8_bit_rgb_or_rgba():
    from sim.charts.style import png_bytes

    assert png_bytes(np.zeros((1, 1, 3), np.uint8), 110)[:4] == b"\x89PNG"
    for bad in (np.zeros((2, 2, 3), np.float32), np.zeros((2, 2, 3), np.uint16), np.zeros((2, 2), np.uint8)):
        with pytest.raises(ValueError, match="8-bit RGB or RGBA"):
            png_bytes(bad, 110)
