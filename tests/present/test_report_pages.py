"""The run report as a reader gets it: the text of every PDF page and the HTML body.

Real small runs (with a twin, and the organization alone). The text of each PDF page is
extracted with pypdf; page 1 is the executive brief, and every number on it is recomputed
here from the folder's metrics.json with the format the brief promises; no metric key
appears before the glossary; everything the HTML has is in the PDF too. Page 1 is rendered
to PNG with pdftoppm (poppler-utils; skipped where it is not installed) and kept under
pytest's tmp path to be looked at.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sim.present.document import GLOSSARY
from sim.present.report import REPORT_HTML, REPORT_PDF, write_report
from tests.present.test_report import job

pypdf = pytest.importorskip("pypdf")

NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")
# metric keys as metrics.json spells them: a known prefix and a dot, or a snake_case metric suffix
KEY = re.compile(r"\b(?:effect|naive|twin|cost|value|assumption|mentees?|programs?|representation_\w+)\.\w"
                 r"|\w_(?:annual|total|leadership|mean|share|end|start|rate)\b")


@pytest.fixture(scope="module")
def twin_run(tmp_path_factory):
    folder = job(tmp_path_factory.mktemp("pages") / "run")
    write_report(folder)
    return folder


@pytest.fixture(scope="module")
def bare_run(tmp_path_factory):
    folder = job(tmp_path_factory.mktemp("pages-bare") / "run", "program=none")
    write_report(folder)
    return folder


def pages(folder: Path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(folder / REPORT_PDF).pages]


def body_pages(folder: Path) -> list[str]:
    """The pages before the glossary (the glossary and the config appendix name keys on purpose)."""
    texts = pages(folder)
    first = next(i for i, t in enumerate(texts) if GLOSSARY in t)
    assert first >= 2, "the glossary comes after the brief and the sections"
    return texts[:first]


def html_body(folder: Path) -> str:
    text = (folder / REPORT_HTML).read_text()
    text = text.split(f"<h2>{GLOSSARY}</h2>")[0]
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S)
    text = re.sub(r'<img [^>]*>', "", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("which", ["twin_run", "bare_run"])
def test_no_metric_key_in_the_body(which, request):
    folder = request.getfixturevalue(which)
    metrics = json.loads((folder / "metrics.json").read_text())
    for where, text in [*((f"PDF page {i + 1}", t) for i, t in enumerate(body_pages(folder))),
                        ("HTML body", html_body(folder))]:
        found = KEY.findall(text)
        assert not found, (where, found[:5])
        for key in metrics:
            if "." in key or "_" in key:
                assert key not in text, (where, key)
    # and the glossary names them, for analysts: every key the brief quotes
    tail = " ".join(pages(folder)[len(body_pages(folder)):])
    assert "metrics.json" in tail and "turnover_annual" in tail


def pct(x):
    return f"{100 * x:.1f}%"


def brief_numbers(m: dict, seed: int = 0) -> set[str]:
    """Every number page 1 may print, recomputed from metrics.json with the brief's formats."""
    years = f"{m['years']:g}"
    out = {f"{m['headcount_start']:,}", years, str(seed), "20", "1"}  # 20: range(20) in the hint; 1: page
    if "effect.turnover_annual" not in m:
        return out | {pct(m["turnover_annual"]), f"{m['exits_total']:,}", f"{m['promotions_total']:,}",
                      pct(m["internal_fill_rate_leadership"]), f"{m['bench_strength_end']:.2f}",
                      f"{m['bench_strength_start']:.2f}"}
    eff, exits = m["effect.turnover_annual"], -m["effect.exits_total"]
    out |= {f"{100 * eff:+.2f}", f"{abs(100 * eff):.2f}", f"{round(exits):+,}", f"{abs(round(exits)):,}",
            pct(m["turnover_annual"]), pct(m["twin.turnover_annual"]), f"{m['exits_total']:,}",
            f"{m['twin.exits_total']:,}", f"{m['value.extra_internal_leadership_fills']:+.1f}",
            pct(m["internal_fill_rate_leadership"]), pct(m["twin.internal_fill_rate_leadership"]),
            f"{m['cost.total']:,.0f}", f"{m['value.net']:+,.0f}", f"{m['value.total']:+,.0f}", f"{m['roi']:+.2f}",
            pct(m["mentee.promotion_incidence_1y"]), pct(m["twin.mentee.promotion_incidence_1y"]),
            f"{100 * m['effect.mentee.turnover_annual']:+.2f}",
            f"{100 * m['naive.turnover_annual.mentee_minus_none']:+.2f}",
            f"{abs(m['value.replacement_savings']):,.0f}", f"{m['value.internal_fill_savings']:+,.0f}",
            pct((m["cost.mentor_time"] + m["cost.mentee_time"]) / m["cost.total"]),
            f"{m['cost.mentor_time']:,.0f}", f"{m['cost.mentee_time']:,.0f}"}
    # What drove the result, by mechanism: parts in points of turnover, people and currency, and the
    # promotions total (sim.present.mechanism).
    out.add(f"{abs(m['effect.promotions_total']):,.0f}")
    for key, v in m.items():
        if key.startswith("decomposition.") and v == v:
            out |= {f"{100 * v:+.2f}", f"{v:+,.0f}", f"{v:+,.1f}"}
    return out


@pytest.mark.parametrize("which", ["twin_run", "bare_run"])
def test_every_number_on_page_one_is_a_metric(which, request):
    folder = request.getfixturevalue(which)
    m = json.loads((folder / "metrics.json").read_text())
    page = flat(pages(folder)[0])
    allowed = brief_numbers(m)
    printed = NUMBER.findall(page)
    assert len(printed) >= 10, printed
    for token in printed:  # a sign is part of the number: "-39" is not "39"
        assert token in allowed or token.lstrip("+") in allowed, (token, page)
    if "effect.turnover_annual" in m:
        # the headline figures, exactly as the brief formats them
        for fragment in (f"{100 * m['effect.turnover_annual']:+.2f} points", f"{m['cost.total']:,.0f}",
                         f"{m['value.net']:+,.0f}", f"{-m['effect.exits_total']:+,}",
                         f"{m['value.extra_internal_leadership_fills']:+.1f} seats",
                         f"{pct(m['turnover_annual'])} with the program, {pct(m['twin.turnover_annual'])} without"):
            assert fragment in page, fragment


def test_page_one_is_a_brief_with_units_and_the_one_seed_caveat(twin_run, bare_run):
    page = flat(pages(twin_run)[0])
    for words in ("The question", "The answer", "Key figure", "points", "seats", "People retained",
                  "currency of the salaries", "Net value", "What drove the result", "one draw",
                  "no interval", "--baseline twin", "sim.seed=range(20)"):
        assert words in page, words
    assert not re.search(r"95%|±|\d\s+to\s+[-+]?\d|interval of", page), "page 1 prints an interval from one seed"
    bare = flat(pages(bare_run)[0])
    assert "no program ran" in bare and "one draw" in bare and "Net value" not in bare


def test_the_pdf_carries_what_the_html_has(twin_run):
    text = (twin_run / REPORT_HTML).read_text()
    pdf = flat(" ".join(pages(twin_run)))
    for heading in re.findall(r"<h2>(.*?)</h2>", text):
        assert flat(html.unescape(heading)) in pdf, heading
    for row in re.findall(r"<tr>(.*?)</tr>", text):
        first = html.unescape(re.findall(r"<t[dh]>(.*?)</t[dh]>", row)[0])
        assert flat(first)[:30] in pdf, first  # every table row, by its first cell
    for line in (twin_run / "config.yaml").read_text().splitlines()[:40]:
        assert flat(line)[:50] in pdf, line
    assert len(re.findall(r"<img\b", text)) == len(list((twin_run / "charts").glob("*.png"))) + 1  # + page 1


def page_one_png(run_folder, stem):
    """Page 1 of the run's PDF rendered to `stem`.png (kept under pytest's tmp path to be looked at), as
    an RGB(A) array; checked to be a drawn portrait page, neither blank nor solid."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(run_folder / REPORT_PDF), str(stem)], check=True)
    import matplotlib.image as mpimg

    img = mpimg.imread(f"{stem}.png")
    assert img.shape[0] > img.shape[1] > 500  # portrait A4
    ink = (img[..., :3].min(axis=2) < 0.9).mean()
    assert 0.03 < ink < 0.6, ink
    return img


def test_page_one_rendered_to_png(twin_run, tmp_path_factory):
    """Kept as an artefact to look at (under pytest's tmp path); checked to be a drawn page, not a blank one."""
    import numpy as np

    img = page_one_png(twin_run, tmp_path_factory.mktemp("artifacts") / "run-report-page1")
    blue = np.all(np.abs(img[..., :3] - np.array([0x00, 0x72, 0xB2]) / 255) < 0.03, axis=2).mean()
    vermillion = np.all(np.abs(img[..., :3] - np.array([0xD5, 0x5E, 0x00]) / 255) < 0.03, axis=2).mean()
    assert vermillion > 0.001  # the chart on page 1 is drawn (this small run's costs are losses)
    assert blue + vermillion > 0.002


# ----------------------------------------------------------------------------------- sweeps
@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory):
    from tests.conftest import write_sweep

    folder = write_sweep(tmp_path_factory.mktemp("pages-sweep") / "sw")
    write_report(folder)
    return folder


def test_sweep_report_speaks_in_points_and_currency(sweep_report):
    from sim.studies.collect import collect

    from sim.present.sweep_text import scenario_labels

    runs = collect(sweep_report, write=False)
    labels = scenario_labels(runs)
    body = html_body(sweep_report)
    pdf = flat(" ".join(body_pages(sweep_report)))
    for where, text in (("HTML body", body), ("PDF body", pdf)):
        assert not KEY.findall(text), (where, KEY.findall(text)[:5])
        # designs are named by what the sweep varied, in plain words; no raw override in a sentence
        assert "=" not in text and "program.cadence_weeks" not in text and "meeting cadence (weeks) 2" in text, where
        assert " points against its twin (95% interval " in text and "in the currency of the salaries" in text, where
    # the turnover difference of each scenario, in points, is its seeds' mean paired difference
    for scenario, group in runs[runs["status"] == "complete"].groupby("scenario"):
        d = (group["turnover_annual"] - group["twin.turnover_annual"]).mean()
        name = labels[scenario][0].upper() + labels[scenario][1:]
        assert f"{name}: annual turnover changed by {100 * d:+.2f} points against its twin" in flat(
            html_body(sweep_report)), scenario
        net = group["value.net"].mean()
        assert f"Net value {net:+,.0f} (95% interval" in flat(html_body(sweep_report)), scenario
    assert "<title>mentorsim sweep report: sw</title>" in (sweep_report / REPORT_HTML).read_text()


def test_a_sensitivity_report_is_titled_as_such(tmp_path):
    folder = tmp_path / "sens"
    folder.mkdir()
    (folder / "sensitivity.csv").write_text("outcome,parameter,importance,mu_star,mu_star_conf\n"
                                             "turnover_annual,a,0.3,0.3,0.05\nturnover_annual,b,0.1,0.1,0.04\n")
    write_report(folder)
    assert "<title>mentorsim sensitivity report: sens</title>" in (folder / REPORT_HTML).read_text()
    assert "mentorsim sensitivity report: sens" in pages(folder)[0]
    # plain words and points in the body (the keys only in the glossary); no "most" without separation
    body = flat(html_body(folder))
    assert "turnover_annual" not in body and "Annual turnover" in body and "30.00 points (±5.00 points)" in body
    assert "It depends most on a; the intervals separate." in body  # 0.3 ± 0.05 against 0.1 ± 0.04
    assert "no noise floor" in body
    assert "turnover_annual" in " ".join(pages(folder))  # the glossary


def test_a_program_without_its_twin_is_not_called_no_program(bare_run):
    from sim import load_config
    from sim.present.brief import brief

    m = json.loads((bare_run / "metrics.json").read_text())
    with_program = brief(load_config(["org=small", "evaluation.twin=false"]), m)
    assert "without its twin" in with_program.answer and "with the default mentoring program" in with_program.question
    assert "no program ran" not in with_program.answer
    without = brief(load_config(["org=small", "program=none"]), m)
    assert "no program ran" in without.answer and "without a mentoring program" in without.question
