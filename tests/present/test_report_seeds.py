"""The report of a run over several paired seeds: page 1 quotes the means over seeds with their 95%
intervals from metrics.json (`seeds.*`), says how many seeds, and marks an interval spanning zero
"unclear"; the text is read from the PDF as a reader gets it, and page 1 is rendered to PNG."""
from __future__ import annotations

import json
import re

import pytest

from sim import load_config
from sim.present.report import write_report
from sim.present.mechanism import what_drove
from sim.runs.jobs import run_job
from sim.studies.paired import RunSeeds, seeds_of_run
from tests.present.test_report_pages import KEY, NUMBER, body_pages, flat, page_one_png, pages

SEEDS = 3


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    cfg = load_config(["org=small", "sim.horizon_years=1", "output.report=false", f"evaluation.seeds={SEEDS}"])
    seeds = RunSeeds(cfg, seeds_of_run(cfg, sweeping=False), jobs=0)
    folder = tmp_path_factory.mktemp("seeds") / "run"
    status, _ = run_job(cfg, folder, announce=lambda *_: None, more_metrics=seeds.finish)
    assert status == "complete"
    write_report(folder)
    return folder


def _pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


def seeds_numbers(m: dict) -> set[str]:
    """Every number page 1 of a run over seeds may print, from metrics.json with the brief's formats."""
    mean = lambda k: m[f"seeds.{k}.mean"]  # noqa: E731
    ends = lambda k: (m[f"seeds.{k}.low"], m[f"seeds.{k}.high"])  # noqa: E731
    out = {str(SEEDS), "0", str(SEEDS - 1), f"{m['years']:g}", f"{m['headcount_start']:,}", "95%", "20", "1"}
    for key, fmt, scale in (("effect.turnover_annual", "{:+.2f}", 100), ("effect.exits_total", "{:+,.0f}", -1),
                            ("value.extra_internal_leadership_fills", "{:+.1f}", 1), ("cost.total", "{:,.0f}", 1),
                            ("value.net", "{:+,.0f}", 1)):
        out |= {fmt.format(scale * v) for v in (mean(key), *ends(key))}
    out |= {f"{abs(100 * mean('effect.turnover_annual')):.2f}", f"{mean('roi'):+.2f}"}
    out |= {_pct(mean(k)) for k in ("turnover_annual", "twin.turnover_annual", "internal_fill_rate_leadership",
                                     "twin.internal_fill_rate_leadership", "mentee.promotion_incidence_1y",
                                     "twin.mentee.promotion_incidence_1y")}
    out |= {f"{100 * mean('effect.mentee.turnover_annual'):+.2f}",
            f"{100 * mean('naive.turnover_annual.mentee_minus_none'):+.2f}",
            f"{abs(mean('value.replacement_savings')):,.0f}", f"{mean('value.internal_fill_savings'):+,.0f}",
            _pct((mean("cost.mentor_time") + mean("cost.mentee_time")) / mean("cost.total")),
            f"{mean('cost.mentor_time'):,.0f}", f"{mean('cost.mentee_time'):,.0f}"}
    # page 1's drivers (on the page when it has room) quote these means too; the split by mechanism is
    # the first seed's own (said on the page), its numbers checked in tests/present/test_mechanism.py
    split = what_drove(m, seed=0)
    if split:
        out |= {t.rstrip(",").lstrip("+") for t in NUMBER.findall(split)} | set(NUMBER.findall(split))
    return out


def test_every_number_on_page_one_is_a_mean_or_an_interval_over_the_seeds(seeds_run):
    m = json.loads((seeds_run / "metrics.json").read_text())
    assert m["seeds.n"] == SEEDS
    page = flat(pages(seeds_run)[0])
    allowed = seeds_numbers(m)
    printed = NUMBER.findall(page)
    assert len(printed) >= 15, printed
    for token in printed:
        token = token.rstrip(",")  # "+41,284, unclear": the comma ends the number
        assert token in allowed or token.lstrip("+") in allowed, (token, page)
    low, high = m["seeds.effect.turnover_annual.low"], m["seeds.effect.turnover_annual.high"]
    interval = f"95% interval {100 * low:+.2f} to {100 * high:+.2f} points"
    assert interval in page
    assert (("unclear" in page.split(interval)[1][:60]) == (low <= 0 <= high))
    assert f"Over {SEEDS} paired seeds (0 to {SEEDS - 1})" in page
    # the chart and its note follow the brief, on page 1 when it has room, else at the top of page 2
    assert "Each dot is one seed" in flat(" ".join(pages(seeds_run)[:2]))
    assert "Why, by mechanism" not in page or "seed 0 only, one draw" in page


def test_no_metric_key_in_the_body_of_a_run_over_seeds(seeds_run):
    for i, text in enumerate(body_pages(seeds_run)):
        assert not KEY.findall(text), (i, KEY.findall(text)[:5])
        assert not re.search(r"seeds\.\w", text.replace("seeds.csv", "")), i
    assert "seeds.effect.turnover_annual.mean" in " ".join(pages(seeds_run))  # the glossary names the keys


def test_page_one_of_a_run_over_seeds_rendered_to_png(seeds_run, tmp_path_factory):
    """Kept under pytest's tmp path to be looked at; checked to be a drawn page on one sheet."""
    page_one_png(seeds_run, tmp_path_factory.mktemp("artifacts") / "run-over-seeds-page1")
    assert re.search(r"Key figure", pages(seeds_run)[0])


def test_an_organization_run_over_seeds_is_briefed_with_its_intervals():
    import pandas as pd

    from sim.present.brief_seeds import run_brief
    from sim.studies.paired import seed_summary

    table = pd.DataFrame({"seed": [0, 1, 2], "turnover_annual": [0.14, 0.15, 0.16], "exits_total": [140, 150, 160],
                          "promotions_total": [70, 80, 90], "internal_fill_rate_leadership": [0.7, 0.72, 0.74],
                          "bench_strength_end": [0.4, 0.5, 0.6], "bench_strength_start": [0.5, 0.5, 0.5]})
    m = {"years": 10.0, "headcount_start": 1000, **seed_summary(table)}
    b = run_brief(load_config(["program=none"]), m)
    assert b.answer.startswith("Over 3 seeds (0 to 2), 15.0% of people leave each year")
    turnover = b.figures[0]
    low, high = m["seeds.turnover_annual.low"], m["seeds.turnover_annual.high"]
    assert turnover.value == "15.0%" and f"95% interval {100 * low:,.1f} to {100 * high:,.1f}%" in turnover.detail
    assert "unclear" not in " ".join(f.detail for f in b.figures)  # levels, not differences: no sign to settle


def test_page_ones_chart_shows_every_seeds_effect_and_the_figures_of_the_page(seeds_run, tmp_path, monkeypatch):
    """charts/seeds.png is drawn with the report; its panels hold seeds.csv's effects and metrics.json's
    means and intervals, in the units page 1 quotes them in."""
    import pandas as pd

    import sim.charts.seeds as chart_module
    from sim.present.brief_seeds import SEEDS_CHART, SEEDS_PANELS, seeds_chart

    assert (seeds_run / "charts" / f"{SEEDS_CHART}.png").is_file()
    m = json.loads((seeds_run / "metrics.json").read_text())
    seen = []
    monkeypatch.setattr(chart_module, "save", lambda fig, path: seen.append(fig) or path)
    drawn = {}
    draw = chart_module.effects_by_seed
    monkeypatch.setattr(chart_module, "effects_by_seed", lambda panels, path: drawn.setdefault("p", panels) and
                        draw(panels, path))
    assert seeds_chart(seeds_run, m, tmp_path) == tmp_path / f"{SEEDS_CHART}.png"
    table = pd.read_csv(seeds_run / "seeds.csv")
    assert len(drawn["p"]) == len(SEEDS_PANELS) and len(seen) == 1
    for panel, (key, _, scale, _, lower, _) in zip(drawn["p"], SEEDS_PANELS):
        assert list(panel.values) == pytest.approx(list(scale * table[key]))
        assert (panel.mean, panel.low, panel.high) == pytest.approx(
            tuple(scale * m[f"seeds.{key}.{end}"] for end in ("mean", "low", "high")))
        assert panel.lower_is_better == lower
    assert seeds_chart(seeds_run, {**m, "seeds.n": 1}, tmp_path / "one") is None  # one seed: its own charts


def test_a_report_written_again_draws_its_charts_of_this_run_only(seeds_run, tmp_path, monkeypatch):
    """Page 1's chart is drawn from the run as it is each time the report is written (an earlier run into
    the same folder may have left one), and a chart the run did not write is left out of its report."""
    import shutil

    import sim.charts.seeds as chart_module
    from sim.present.brief_seeds import seeds_chart
    from sim.present.report import _charts_of_run

    folder = tmp_path / "run"
    shutil.copytree(seeds_run, folder)
    (folder / "charts" / "left_by_an_earlier_run.png").write_bytes((folder / "charts" / "seeds.png").read_bytes())
    charts = _charts_of_run(folder)
    assert charts and all(c.is_file() for c in charts)
    assert "left_by_an_earlier_run" not in {c.stem for c in charts}
    m = json.loads((folder / "metrics.json").read_text())
    drawn = []
    draw = chart_module.effects_by_seed
    monkeypatch.setattr(chart_module, "effects_by_seed", lambda panels, path: drawn.append(panels) or draw(panels, path))
    halved = {**m, "seeds.effect.turnover_annual.mean": m["seeds.effect.turnover_annual.mean"] / 2}
    for metrics in (m, halved):
        seeds_chart(folder, metrics, folder / "charts")
    assert [panels[0].mean for panels in drawn] == pytest.approx(
        [100 * m["seeds.effect.turnover_annual.mean"], 50 * m["seeds.effect.turnover_annual.mean"]])
