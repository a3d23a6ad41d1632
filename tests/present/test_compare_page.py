"""`mentorsim report SWEEP --compare KEY=A,B`: one page whose numbers are `compare`'s, its mistakes one
line and exit 2, its chart coloured by the sign of intervals clear of zero."""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from sim.charts.style import BETTER, PALETTE, WORSE
from sim.charts.sweep import interval_colour
from sim.config.checks import ConfigError
from sim.present.compare_page import page_content, report_compare
from sim.studies.collect import collect
from sim.studies.compare import compare
from sim.studies.designs import compare_designs, parse_designs
from tests.conftest import mentorsim, write_sweep

pypdf = pytest.importorskip("pypdf")
KEY = "program.cadence_weeks"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return write_sweep(tmp_path_factory.mktemp("compare-page") / "sw")


@pytest.fixture(scope="module")
def runs(sweep):
    return collect(sweep, write=False)


def test_differences_are_compares_on_a_sweep_of_one_key_and_seeds(runs):
    one_key = runs[runs["ov.matching"] == "random"].drop(columns="ov.matching")
    result = compare_designs(one_key, KEY, ["2", "4"])
    metrics = [f[0] for f in result["figures"]]
    direct = compare(one_key, {KEY: "2"}, metrics)
    for metric in metrics:
        page = result["differences"].set_index("metric").loc[metric]
        want = direct.set_index("metric").loc[metric]
        for column in ("mean_difference", "ci_low", "ci_high", "n_pairs"):
            assert page[column] == pytest.approx(want[column], nan_ok=True), (metric, column)


def test_each_designs_figure_is_its_mean_over_the_paired_seeds_with_a_t_interval(runs):
    from scipy import stats

    result = compare_designs(runs, KEY, ["2", "4"])
    assert result["units"] == 4  # 2 seeds x 2 matching policies, each run by both cadences
    mine = runs[(runs["ov.program.cadence_weeks"].astype(str) == "4")]["effect.turnover_annual"].to_numpy(float)
    row = result["designs"].set_index(["design", "metric"]).loc[("4", "effect.turnover_annual")]
    half = stats.t.ppf(0.975, len(mine) - 1) * mine.std(ddof=1) / math.sqrt(len(mine))
    assert row["mean"] == pytest.approx(mine.mean()) and row["high"] == pytest.approx(mine.mean() + half)


def test_the_page_quotes_the_comparison_and_fits_one_page(sweep, runs):
    html_path, pdf_path, png_path = report_compare(sweep, f"{KEY}=2,4")
    result = compare_designs(runs, KEY, ["2", "4"])
    pdf = pypdf.PdfReader(pdf_path)
    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())
    html = html_path.read_text()
    quoted = json.loads(re.search(r"id='mentorsim-figures'>(.*?)</script>", html).group(1))
    d = result["differences"].set_index("metric").loc["effect.turnover_annual"]
    assert quoted["4 - 2 | effect.turnover_annual"] == pytest.approx(d["mean_difference"])
    fragment = f"{100 * d['mean_difference']:+.2f} points ({100 * d['ci_low']:+.2f} to {100 * d['ci_high']:+.2f}"
    assert fragment in text and fragment in html
    unclear = d["ci_low"] <= 0 <= d["ci_high"]
    assert (f"{fragment}, unclear)" in text) == unclear
    cost = result["designs"].set_index(["design", "metric"]).loc[("2", "cost.total")]
    assert f"{cost['mean']:,.0f} ({cost['low']:,.0f} to {cost['high']:,.0f})" in text
    # plain words: no override or metric key in the body, units on every figure
    assert "program.cadence_weeks" not in text and "effect." not in text and "meeting cadence (weeks)" in text
    assert "points" in text and "people" in text and "currency" in text
    assert png_path.stat().st_size > 20_000 and png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_direction_is_claimed_only_when_the_interval_is_clear_of_zero(runs):
    content = page_content(compare_designs(runs, KEY, ["2", "4"]))
    d = compare_designs(runs, KEY, ["2", "4"])["differences"].set_index("metric").loc["effect.turnover_annual"]
    clear = not (d["ci_low"] <= 0 <= d["ci_high"])
    assert ("no clear difference in annual turnover" in content["answer"]) != clear
    assert not re.search(r"\b(best|most|least|worst)\b", content["answer"])


def test_chart_colours_follow_the_sign_of_an_interval_clear_of_zero():
    grey = PALETTE[7]
    assert interval_colour(-1.0, -2.0, -0.5, lower_is_better=True) == BETTER  # turnover down: better
    assert interval_colour(1.0, 0.5, 2.0, lower_is_better=True) == WORSE
    assert interval_colour(1.0, 0.5, 2.0, lower_is_better=False) == BETTER  # net value up: better
    assert interval_colour(0.3, -0.1, 0.7, lower_is_better=True) == grey  # spans zero
    assert interval_colour(0.3, np.nan, np.nan, lower_is_better=True) == grey


@pytest.mark.parametrize("spec, fragment", [
    ("cadence", "expected KEY=A,B"),
    (f"{KEY}=2", "name 2 to 4 different values"),
    (f"{KEY}=1,2,3,4,5", "name 2 to 4 different values"),
    (f"{KEY}=2,2", "name 2 to 4 different values"),
])
def test_a_malformed_spec_is_one_line(spec, fragment):
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        parse_designs(spec)


def test_unknown_key_missing_value_and_unpaired_designs_are_one_line(runs):
    with pytest.raises(ConfigError, match=r"program.length_weeks is not a swept key.*swept keys: matching, "
                                          r"program.cadence_weeks"):
        compare_designs(runs, "program.length_weeks", ["2", "4"])
    with pytest.raises(ConfigError, match=r"no complete run has program.cadence_weeks=8; values in the sweep: 2, 4"):
        compare_designs(runs, KEY, ["2", "8"])
    unpaired = runs[~((runs["ov.program.cadence_weeks"].astype(str) == "4") & (runs["seed"] == 1))]
    unpaired = unpaired[unpaired["ov.matching"] == "random"]
    with pytest.raises(ConfigError, match=r"1 seed\(s\) ran every one of these designs"):
        compare_designs(unpaired, KEY, ["2", "4"])


def test_command_line_mistakes_are_one_line_exit_2(sweep, tmp_path):
    for args, fragment in ((["--compare", f"{KEY}=2,9"], "no complete run has program.cadence_weeks=9"),
                           (["--compare", "x=1,2"], "x is not a swept key")):
        proc = mentorsim("report", str(sweep), *args, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("mentorsim: error: --compare = ") and fragment in lines[0]
    run = mentorsim("report", str(sweep / "0"), "--compare", f"{KEY}=2,4", cwd=tmp_path)
    assert run.returncode == 2 and "compares designs of a sweep" in run.stderr
