"""The waterfall of a program's effect by mechanism (sim.charts.decomposition): table in, PNG out."""
from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np

from sim.charts.decomposition import PANELS, PART_WORDS, _label, mechanism_table, waterfall
from sim.charts.style import BETTER, WORSE


def metrics() -> dict:
    parts = {"mentee_retention": (-0.002, 3.0, 50_000.0), "skill_market": (0.0018, 0.0, -40_000.0),
             "passed_over": (0.0009, 2.0, -10_000.0), "costs": (0.0, 0.0, -80_000.0),
             "alumni": (0.0, 0.0, 0.0), "other": (0.0, 0.0, 0.0)}
    m = {}
    for part, values in parts.items():
        for (metric, *_), value in zip(PANELS, values):
            m[f"decomposition.{part}.{metric}"] = value
    return m


def test_table_scales_to_hr_units_and_leaves_out_parts_that_are_zero_everywhere():
    table = mechanism_table(metrics())
    assert set(table["part"]) == {"mentee_retention", "skill_market", "passed_over", "costs"}
    turnover = table[table["panel"] == PANELS[0][1]].set_index("part")["value"]
    assert turnover["mentee_retention"] == -0.2  # points
    value = table[table["panel"] == PANELS[2][1]].set_index("part")["value"]
    assert value["costs"] == -80.0  # thousands
    assert mechanism_table({}).empty


def hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255


def test_waterfall_draws_better_and_worse_in_their_colours(tmp_path):
    path = waterfall(mechanism_table(metrics()), tmp_path / "mechanism.png", "title")
    pixels = mpimg.imread(path)[..., :3]
    for colour in (BETTER, WORSE):
        assert (np.abs(pixels - hex_rgb(colour)).max(axis=-1) < 0.02).sum() > 200, colour
    assert waterfall(mechanism_table({}), tmp_path / "none.png") is None


def test_labels_are_signed_and_a_part_that_rounds_to_zero_reads_zero():
    assert _label(0.4, "") == "+0.4" and _label(-0.17, "") == "-0.17" and _label(-0.001, "") == "0"
    assert _label(36.0, "") == "+36" and _label(-958.6, "k") == "-959k" and _label(2.5, "") == "+2.5"
    assert _label(12.5, "") == "+12.5" and _label(10.0, "") == "+10" and _label(100.4, "") == "+100"
    assert _label(95.14, "k") == "+95k"
    assert list(PART_WORDS)[-1] == "other"
