"""`write_report` and `mentorsim report`: self-contained HTML and a PDF, from run and sweep folders.

Run folders are real small runs written by `sim.runs.jobs.run_job` (the path the CLI
takes); the sweep folder is a real tiny grid (matching x cadence over two seeds)
run job by job, each with the `.hydra/overrides.yaml` record a multirun writes.
Every figure the report quotes is checked against the folder's own files.
"""
from __future__ import annotations

import base64
import html
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import load_config
from sim.runs.jobs import run_job
from sim.present.report import (REPORT_HTML, REPORT_PDF, load_run, roi_lines, run_summary, sweep_summary,
                                write_report)
from sim.studies.collect import collect
from sim.commands import dispatch
from sim.studies.compare import compare
from tests.conftest import SWEEP_GRID as GRID
from tests.conftest import mentorsim, write_sweep

REPO = Path(__file__).resolve().parents[2]
SMALL = ["org=small", "sim.horizon_years=2"]
SWEEP_METRICS = ("turnover_annual", "promotions_total", "internal_fill_rate_leadership")


# ----------------------------------------------------------------------------------- helpers
def job(folder: Path, *overrides: str) -> Path:
    status, _ = run_job(load_config([*SMALL, "output.report=false", *overrides]), folder, announce=lambda *_: None)
    assert status == "complete"
    assert not (folder / REPORT_HTML).exists()
    return folder


def images(text: str) -> list[bytes]:
    """The PNG bytes of every <img> in the page; each must be a data: URI (the page is self-contained)."""
    tags = re.findall(r"<img\b[^>]*>", text)
    out = []
    for tag in tags:
        src = re.search(r'src="([^"]*)"', tag).group(1)
        assert src.startswith("data:image/png;base64,"), src[:60]
        out.append(base64.b64decode(src.split(",", 1)[1], validate=True))
    return out


def figures(text: str) -> dict:
    found = re.findall(r"<script type='application/json' id='mentorsim-figures'>(.*?)</script>", text, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def paragraphs(text: str) -> list[str]:
    return [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", text, re.S)]


def pdf_pages(path: Path) -> int:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), data[:10]
    assert data.rstrip().endswith(b"%%EOF")
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def pngs(folder: Path) -> list[Path]:
    return sorted((folder / "charts").glob("*.png"))


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"



# ----------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def twin_folder(tmp_path_factory):
    """A run of the default program with its twin, charts drawn by the run; report written here."""
    folder = job(tmp_path_factory.mktemp("twin") / "run")
    assert (folder / "twin").is_dir() and len(pngs(folder)) > 0
    paths = write_report(folder)
    assert paths == (folder / REPORT_HTML, folder / REPORT_PDF)
    return folder


@pytest.fixture(scope="module")
def bare_folder(tmp_path_factory):
    """The organization alone (no program, no twin), saved without charts: the report draws them."""
    folder = job(tmp_path_factory.mktemp("bare") / "run", "program=none", "output.charts=false")
    assert not (folder / "charts").exists()
    write_report(folder)
    return folder


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return write_sweep(tmp_path_factory.mktemp("sweep") / "sw")


# ----------------------------------------------------------------------------------- run folders
@pytest.mark.parametrize("which", ["twin_folder", "bare_folder"])
def test_run_report_embeds_every_chart_as_a_data_uri(which, request):
    folder = request.getfixturevalue(which)
    text = (folder / REPORT_HTML).read_text()
    charts = pngs(folder)
    embedded = images(text)
    assert len(embedded) == len(charts) + 1 and len(charts) > 0  # each chart, and one of them again on page 1
    assert sorted(set(embedded)) == sorted(p.read_bytes() for p in charts)  # the very files, not re-drawn copies
    assert "src=\"http" not in text and "src='http" not in text and "<link" not in text


def test_a_twin_run_report_has_every_chart_the_pack_draws(twin_folder, bare_folder):
    from sim.charts import RUN_CHARTS

    assert {p.stem for p in pngs(twin_folder)} == set(RUN_CHARTS)
    assert {p.stem for p in pngs(bare_folder)} == set(RUN_CHARTS) - {"retention", "cost_value", "mechanism"}


@pytest.mark.parametrize("which", ["twin_folder", "bare_folder"])
def test_embedded_figures_are_the_metrics_json_values(which, request):
    folder = request.getfixturevalue(which)
    metrics = json.loads((folder / "metrics.json").read_text())
    figs = figures((folder / REPORT_HTML).read_text())
    assert {"turnover_annual", "promotions_total", "internal_fill_rate_leadership", "bench_strength_end"} <= set(figs)
    for key, value in figs.items():
        assert key in metrics, f"the report quotes {key!r}, which is not in metrics.json"
        assert value == metrics[key] and type(value) is type(metrics[key]), (key, value, metrics[key])
    if which == "twin_folder":
        assert {"effect.turnover_annual", "twin.turnover_annual", "naive.turnover_annual.mentee_minus_none",
                "cost.total", "value.total", "value.net", "roi"} <= set(figs)
    else:
        assert not any(k.startswith(("effect.", "twin.", "naive.", "cost.", "value.")) for k in figs)


@pytest.mark.parametrize("which", ["twin_folder", "bare_folder"])
def test_every_summary_sentence_is_in_the_page(which, request):
    folder = request.getfixturevalue(which)
    lines, used = run_summary(load_run(folder))
    assert len(lines) >= (6 if which == "twin_folder" else 2)
    shown = paragraphs((folder / REPORT_HTML).read_text())
    for line in lines:
        assert line in shown, line
    assert figures((folder / REPORT_HTML).read_text()) == json.loads(json.dumps(used))


def test_summary_numbers_match_metrics_json(twin_folder):
    m = json.loads((twin_folder / "metrics.json").read_text())
    text = " ".join(paragraphs((twin_folder / REPORT_HTML).read_text()))
    eff = m["effect.turnover_annual"]
    assert eff != 0  # the check below of the direction bites
    expected = [
        f"({m['headcount_start']:,} people)",
        f"simulated for {m['years']:g} years (seed 0)",
        f"annual turnover {pct(m['turnover_annual'])}",
        f"{m['promotions_total']:,} promotions",
        f"{pct(m['internal_fill_rate_leadership'])} of leadership seats filled from inside",
        f"{m['bench_strength_end']:.2f} ready-now successors per leadership seat",
        f"{'lowered' if eff < 0 else 'raised'} annual turnover by {abs(100 * eff):.2f} points",
        f"({pct(m['turnover_annual'])} vs {pct(m['twin.turnover_annual'])})",
        f"turnover gap of {100 * m['naive.turnover_annual.mentee_minus_none']:+.2f} points",
        f"The program's effect on the mentees themselves (the same people without the program, followed from "
        f"their enrolment) was {100 * m['effect.mentee.turnover_annual']:+.2f} points: the other "
        f"{100 * (m['naive.turnover_annual.mentee_minus_none'] - m['effect.mentee.turnover_annual']):+.2f} points",
        f"Promotions changed by {m['effect.promotions_total']:+,.0f}",
        f"bench strength at the end by {m['effect.bench_strength_end']:+.2f}",
        f"Within a year of enrolling, {pct(m['mentee.promotion_incidence_1y'])} of the mentees were promoted, "
        f"against {pct(m['twin.mentee.promotion_incidence_1y'])} of the same people",
        f"discounted at {100 * m['assumption.discount_rate']:g}% a year",
        f"cost {m['cost.total']:,.0f} (staff time",
        f"created {m['value.total']:,.0f} of value",
        f"net {m['value.net']:,.0f}, ROI {m['roi']:+.2f} in this one draw",
    ]
    for fragment in expected:
        assert fragment in text, fragment
    # the program's effect, read from the twin's own folder: the summary's turnover pair is the two runs'
    twin = json.loads((twin_folder / "twin" / "metrics.json").read_text())
    assert m["twin.turnover_annual"] == pytest.approx(twin["turnover_annual"])
    assert eff == pytest.approx(m["turnover_annual"] - twin["turnover_annual"])


def test_a_run_report_gives_no_interval_and_says_it_is_one_draw(twin_folder):
    """One seed's yearly differences are not independent draws of the effect: no interval from them."""
    text = " ".join(paragraphs((twin_folder / REPORT_HTML).read_text()))
    assert "95% interval" not in text and "across the run's" not in text and "yearly differences" not in text
    assert "This is one seed, one draw" in text and "run several paired seeds" in text


def test_report_tables_list_effects_and_assumptions(twin_folder):
    text = (twin_folder / REPORT_HTML).read_text()
    m = json.loads((twin_folder / "metrics.json").read_text())
    assert "<h2>Program against its twin</h2>" in text
    assert "<h2>Assumptions behind the money figures</h2>" in text
    for key in m:
        if key.startswith("assumption."):
            assert f"<td>{html.escape(key)}</td>" in text, key
    assert html.escape((twin_folder / "config.yaml").read_text()) in text


def test_no_program_report_says_there_is_no_effect(bare_folder):
    text = " ".join(paragraphs((bare_folder / REPORT_HTML).read_text()))
    assert "No program ran against a twin in this run" in text
    assert "<h2>Program against its twin</h2>" not in (bare_folder / REPORT_HTML).read_text()


@pytest.mark.parametrize("which", ["twin_folder", "bare_folder"])
def test_pdf_has_a_brief_page_and_every_chart(which, request):
    folder = request.getfixturevalue(which)
    assert pdf_pages(folder / REPORT_PDF) >= 1 + len(pngs(folder)) // 2  # two charts a page at most
    assert (folder / REPORT_PDF).stat().st_size > 20_000


def test_report_leaves_no_temporary_files(twin_folder, bare_folder):
    for folder in (twin_folder, bare_folder):
        assert [p.name for p in folder.rglob("*") if ".tmp" in p.name] == []


def test_reporting_twice_gives_the_same_report(twin_folder, tmp_path):
    copy = shutil.copytree(twin_folder, tmp_path / "copy")
    first = (copy / REPORT_HTML).read_text()
    write_report(copy)
    second = (copy / REPORT_HTML).read_text()
    strip = lambda t: re.sub(r"written \d{4}-\d\d-\d\d \d\d:\d\d", "", t)  # noqa: E731
    assert strip(first) == strip(second)
    assert pdf_pages(copy / REPORT_PDF) == pdf_pages(twin_folder / REPORT_PDF)


# ----------------------------------------------------------------------------------- sweep folders
def test_sweep_report_with_two_swept_keys(sweep):
    html_path, pdf_path = write_report(sweep)
    assert (html_path, pdf_path) == (sweep / REPORT_HTML, sweep / REPORT_PDF)
    text = html_path.read_text()
    charts = pngs(sweep)
    assert {p.name for p in charts} == {"heatmap.png", "cost_value.png"}
    assert sorted(images(text)) == sorted(p.read_bytes() for p in charts)
    assert pdf_pages(pdf_path) >= 1
    # the figures are each scenario's mean difference from its twin, read here from the job folders
    per = {}
    for folder in sorted(p for p in sweep.iterdir() if (p / "metrics.json").exists()):
        over = dict(str(o).split("=", 1) for o in yaml.safe_load((folder / ".hydra" / "overrides.yaml").read_text()))
        scenario = " ".join(f"{k}={v}" for k, v in sorted(over.items()) if k != "sim.seed")
        m = json.loads((folder / "metrics.json").read_text())
        for metric in SWEEP_METRICS:
            per.setdefault(f"{scenario} | {metric}", []).append(m[metric] - m[f"twin.{metric}"])
        per.setdefault(f"{scenario} | roi", []).append(m["roi"])
    figs = figures(text)
    assert set(figs) == set(per) and len(figs) == 4 * (len(SWEEP_METRICS) + 1)
    for key, values in per.items():
        assert len(values) == 2
        if key.endswith("| roi"):
            assert figs[key] == pytest.approx(np.mean(values), rel=1e-12), key
        else:
            assert figs[key] == pytest.approx(np.mean(values), abs=1e-12), key


def test_sweep_report_sentences(sweep):
    write_report(sweep)
    runs = collect(sweep, write=False)
    from sim.present.sweep_text import scenario_labels

    lines = sweep_summary(runs, compare(runs, "twin", list(SWEEP_METRICS)))
    rois, _ = roi_lines(runs)
    labels = scenario_labels(runs)
    shown = paragraphs((sweep / REPORT_HTML).read_text())
    assert lines[0] == (f"{len(GRID)} runs in this sweep, {len(GRID)} complete. It varied matching policy optimal, "
                        f"random; meeting cadence (weeks) 2, 4, over 2 seeds; every run is compared with its own "
                        f"twin (the same organization and seed without the program).")
    assert len(lines) == 1 + 4 * len(SWEEP_METRICS) and len(rois) == 4
    for line in lines + rois:
        assert line in shown, line
    # each scenario's ROI: mean over its two seeds with the t-interval (t_0.975 with 1 df = 12.706)
    for scenario, group in runs.groupby("scenario"):
        roi = group["roi"].to_numpy(float)
        half = 12.706204736 * roi.std(ddof=1) / np.sqrt(2)
        want = (f"{labels[scenario][0].upper() + labels[scenario][1:]}: ROI {roi.mean():+.2f} (95% interval {roi.mean() - half:+.2f} to "
                f"{roi.mean() + half:+.2f} over 2 seeds, SD {roi.std(ddof=1):.2f} between seeds)")
        assert any(line.startswith(want) for line in rois), want


@pytest.mark.parametrize("keep, charts", [
    (lambda o: o["matching"] == "random" and o["program.cadence_weeks"] == "2", {"cost_value.png"}),  # seeds only
    (lambda o: o["matching"] == "random", {"cost_value.png"}),  # one key swept: no heatmap
])
def test_sweep_report_without_two_swept_keys_has_no_heatmap(sweep, tmp_path, keep, charts):
    part = tmp_path / "part"
    for folder in sweep.iterdir():
        if (folder / ".hydra").is_dir():
            over = dict(str(o).split("=", 1) for o in yaml.safe_load((folder / ".hydra" / "overrides.yaml")
                                                                       .read_text()))
            if keep(over):
                shutil.copytree(folder, part / folder.name, ignore=shutil.ignore_patterns("report.*"))
    write_report(part)
    assert {p.name for p in pngs(part)} == charts
    assert len(images((part / REPORT_HTML).read_text())) == len(charts)
    assert pdf_pages(part / REPORT_PDF) >= 1


# ----------------------------------------------------------------------------------- command line
def test_report_of_a_missing_folder_is_one_line_and_exit_2(tmp_path):
    proc = mentorsim("report", "/nonexistent", cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mentorsim: error: ") and "/nonexistent" in lines[0], lines[0]
    assert proc.stdout == ""


def test_report_of_an_incomplete_run_folder_is_one_line_and_exit_2(twin_folder, tmp_path, capsys):
    copy = shutil.copytree(twin_folder, tmp_path / "copy", ignore=shutil.ignore_patterns("report.*"))
    (copy / "status.json").write_text(json.dumps({"status": "running"}))
    assert dispatch(["report", str(copy)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("mentorsim: error: ") and "not a complete run" in err[0], err
    assert not (copy / REPORT_HTML).exists()


def test_the_default_cli_run_writes_its_report(tmp_path):
    folder = tmp_path / "run"
    proc = mentorsim("org=small", "sim.horizon_years=1", f"hydra.run.dir={folder}", "evaluation.decomposition=true",
                     cwd=tmp_path)  # the default run: its split by mechanism too
    assert proc.returncode == 0, proc.stderr
    assert f"mentorsim: wrote {folder}" in proc.stdout
    assert (folder / REPORT_HTML).is_file() and (folder / REPORT_PDF).is_file()
    text = (folder / REPORT_HTML).read_text()
    assert len(images(text)) == len(pngs(folder)) + 1 > 1  # the brief shows one chart again
    metrics = json.loads((folder / "metrics.json").read_text())
    for key, value in figures(text).items():
        assert metrics[key] == value, key
    assert pdf_pages(folder / REPORT_PDF) >= 1 + len(pngs(folder)) // 2
