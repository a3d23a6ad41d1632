"""`mentorsim report RUN_OR_SWEEP_DIR`: a self-contained HTML report and a PDF with the same content.

A run folder gives page 1 as an executive brief in HR units (`sim.present.brief`), then the run
in detail (one seed: one draw, so no interval; the text says so and points to sweeps), the
program against its twin, the assumptions, a configuration summary (`sim.present.tables`),
every chart, a glossary from each figure to its metrics.json key and the config as written.
A sweep folder gives each scenario against its twins in points and counts with 95% intervals
from paired differences over seeds, each scenario's ROI and net value with its interval over
seeds, a heatmap of the first two swept keys and cost against value; a sensitivity folder its
tornado charts. The Document (`sim.present.document`) is written as HTML there and as A4 PDF
pages by `sim.present.pdf`. Figures quoted are the metrics.json values; they are embedded as
JSON (id "mentorsim-figures") so they can be checked.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from ..config.checks import ConfigError
from ..config.load import build
from ..runs.folder import STATUS_FILE, _atomic_write, damage, has_tables, is_complete, read_yaml
from ..runs.result import RunResult
from .document import Document, Section, to_html
from .sweep_text import comparison_rows, paired_interval, roi_lines, scenario_labels, sweep_summary  # noqa: F401
from .tables import CAPTIONS, plain_key, words

REPORT_HTML, REPORT_PDF = "report.html", "report.pdf"


# ---------------------------------------------------------------------------- loading
def load_run(folder: str | Path, tables: bool = True) -> RunResult:
    """A RunResult read back from a run folder (its twin too, when there is one). `tables` false reads
    the config, metrics and status only (the tables are None): what the report's text needs, without
    reading the parquet files."""
    folder = Path(folder)
    if not is_complete(folder):
        raise FileNotFoundError(f"{folder} is not a complete run folder (no status.json with status complete)")
    cfg = build(read_yaml(folder / "config.yaml"))
    twin = load_run(folder / "twin", tables) if (folder / "twin").is_dir() else None
    read = (lambda name: pd.read_parquet(folder / f"{name}.parquet")) if tables else (lambda name: None)  # noqa: E731
    status = json.loads((folder / "status.json").read_text())
    return RunResult(config=cfg, metrics=json.loads((folder / "metrics.json").read_text()),
                     timeseries=read("timeseries"), level_timeseries=read("level_timeseries"),
                     model_timeseries=read("model_timeseries"), events=read("events"),
                     people=read("people") if (folder / "people.parquet").is_file() else None,
                     wall_seconds=float(status.get("wall_seconds", float("nan"))), twin=twin)


# ---------------------------------------------------------------------------- numbers
def _pts(x) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:+.2f} points"


def _pct(x) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:.1f}%"


def _money(x) -> str:
    return "n/a" if x is None or x != x else f"{x:,.0f}"


def run_summary(result: RunResult) -> tuple[list[str], dict]:
    """Plain-language findings of one run, and the metrics they quote."""
    m = result.metrics
    used = {k: m.get(k) for k in ("turnover_annual", "promotions_total", "internal_fill_rate_leadership",
                                  "bench_strength_end", "years", "headcount_start")}
    lines = [f"The {result.config.org.name} organization ({m['headcount_start']:,} people) was simulated for "
             f"{m['years']:g} years (seed {result.config.sim.seed}): annual turnover {_pct(m['turnover_annual'])}, "
             f"{m['promotions_total']:,} promotions, {_pct(m['internal_fill_rate_leadership'])} of leadership seats "
             f"filled from inside, {m['bench_strength_end']:.2f} ready-now successors per leadership seat at the end."]
    if result.twin is None or "effect.turnover_annual" not in m:
        lines.append("No program ran against a twin in this run, so there is no causal effect to report.")
        return lines, used
    names = ", ".join(p.name for p in result.config.programs())
    keys = ["effect.turnover_annual", "twin.turnover_annual", "naive.turnover_annual.mentee_minus_none",
            "effect.mentee.turnover_annual", "effect.promotions_total", "effect.internal_fill_rate_leadership",
            "effect.bench_strength_end", "cost.total", "value.total", "value.net", "roi",
            "assumption.discount_rate", "mentee.promotion_incidence_1y", "twin.mentee.promotion_incidence_1y"]
    used.update({k: m.get(k) for k in keys if k in m})
    eff = m["effect.turnover_annual"]
    direction = "lowered" if eff < 0 else "raised" if eff > 0 else "did not change"
    amount = f" by {abs(100 * eff):.2f} points" if eff != 0 else ""
    lines.append(
        f"Against the same organization without it (its twin: same seed, same people, common random numbers), "
        f"the {names} program {direction} annual turnover{amount} "
        f"({_pct(m['turnover_annual'])} vs {_pct(m['twin.turnover_annual'])}). " + _one_draw(result))
    naive, on_mentees = m.get("naive.turnover_annual.mentee_minus_none"), m.get("effect.mentee.turnover_annual")
    if _number(naive) and _number(on_mentees):
        lines.append(
            f"A naive evaluation comparing mentees with non-participants inside the program world would report "
            f"a turnover gap of {_pts(naive)}. The program's effect on the mentees themselves (the same people "
            f"without the program, followed from their enrolment) was {_pts(on_mentees)}: the other "
            f"{_pts(naive - on_mentees)} of the gap is who took part (selection), not what the program did. The "
            f"organization-wide effect above is diluted further: it is spread over everyone, most of whom never "
            f"took part.")
    lines.append(
        f"Promotions changed by {m['effect.promotions_total']:+,.0f}, the internal fill rate of leadership seats by "
        f"{_pts(m['effect.internal_fill_rate_leadership'])}, and bench strength at the end by "
        f"{m['effect.bench_strength_end']:+.2f} successors per seat.")
    if _number(m.get("mentee.promotion_incidence_1y")):
        lines.append(
            f"Within a year of enrolling, {_pct(m['mentee.promotion_incidence_1y'])} of the mentees were promoted, "
            f"against {_pct(m['twin.mentee.promotion_incidence_1y'])} of the same people without the program "
            f"(cumulative incidence, leaving counted as a competing risk).")
    roi = m.get("roi")
    lines.append(
        f"In present value at the start of the run (discounted at {100 * m['assumption.discount_rate']:g}% a "
        f"year), the program cost {_money(m['cost.total'])} (staff time at loaded cost, coordination, training) "
        f"and created {_money(m['value.total'])} of value against the twin (avoided replacement of voluntary "
        f"leavers, a higher share of leadership seats filled from inside): net {_money(m['value.net'])}, ROI "
        f"{'n/a' if not _number(roi) else f'{roi:+.2f}'} in this one draw. The assumptions behind these amounts "
        f"are listed below.")
    return lines, used


def _one_draw(result: RunResult) -> str:
    """What one seed's figures can say: nothing on their own when the run has no other seeds."""
    n = result.metrics.get("seeds.n") or 1
    if n > 1:
        return (f"These details are seed {result.config.sim.seed}'s, one draw of the {n} paired seeds that page 1 "
                f"summarizes with 95% intervals (every seed's figures are in seeds.csv).")
    return ("This is one seed, one draw: the figures in this report have no interval; run several paired seeds "
            "(the default run does, 10) or sweep over seeds and report the sweep folder before deciding.")


def _number(x) -> bool:
    return x is not None and x == x


# ---------------------------------------------------------------------------- writing


def report_run(folder: Path, keep_charts: bool = True, workers=None) -> tuple[Path, Path]:
    """Reuse the run's charts/; without them, draw them into charts/ (or, with keep_charts=False,
    into a temporary folder for the report only: a run configured with output.charts=false).
    `workers` (`sim.runs.tasks.Workers`): a worker process draws half the PDF's pages."""
    import tempfile

    from ..charts import run_charts

    drawn = _charts_of_run(folder)
    if drawn:
        return _report_run(folder, drawn, workers)
    result = load_run(folder)  # the charts need the tables
    if keep_charts:
        return _report_run(folder, run_charts(result, folder / "charts"), workers, result)
    with tempfile.TemporaryDirectory() as tmp:
        return _report_run(folder, run_charts(result, Path(tmp)), workers, result)


def _charts_of_run(folder: Path) -> list[Path]:
    """The charts the run wrote, as its status.json lists them (not whatever an earlier run into the same
    folder left in charts/); every PNG there for a folder whose status does not list them."""
    listed = json.loads((folder / STATUS_FILE).read_text()).get("charts")
    if listed is None:
        return sorted((folder / "charts").glob("*.png")) if (folder / "charts").is_dir() else []
    return [folder / name for name in listed if (folder / name).is_file()]


def run_document(folder: Path, result: RunResult, charts: list[Path]) -> Document:
    """The report of one run: the brief, the details, the tables, the charts, the glossary."""
    from .brief_seeds import run_brief
    from .tables import assumptions_table, config_table, effects_table

    m, cfg = result.metrics, result.config
    summary, figures = run_summary(result)
    b = run_brief(cfg, m)
    effects, effect_words = effects_table(m)
    assumptions, assumption_words = assumptions_table(m)
    sections = [Section("The run in detail", paragraphs=summary)]
    if effects:
        sections.append(Section("Program against its twin", table=effects))
    if assumptions:
        sections.append(Section("Assumptions behind the money figures", table=assumptions))
    sections.append(Section("Configuration summary", table=config_table(cfg)))
    seeds = int(m.get("seeds.n") or 1)
    sections.append(Section("Charts", charts=charts, paragraphs=[] if seeds <= 1 else [
        f"The first chart is every seed's; the others are seed {cfg.sim.seed}'s, one draw of the {seeds}."]))
    glossary = [(f"{f.label} (page 1)", f.keys and ", ".join(f.keys)) for f in b.figures]
    glossary += effect_words + assumption_words
    title = f"mentorsim report: {cfg.org.name} organization" + (
        f", program {', '.join(p.name for p in cfg.programs())}" if cfg.programs() else "")
    return Document(title=title, brief=b, sections=sections, glossary=glossary,
                    appendix=("Appendix: the full configuration, as written", (folder / "config.yaml").read_text()),
                    figures=figures, captions=CAPTIONS)


def _report_run(folder: Path, charts: list[Path], workers=None, result: RunResult | None = None) -> tuple[Path, Path]:
    from .brief_seeds import seeds_chart

    if result is None:  # the text reads the config and metrics only; the charts are drawn
        result = load_run(folder, tables=False)
    # a run over several seeds: page 1's chart of every seed's effect, drawn now beside the first seed's charts
    first = seeds_chart(folder, result.metrics, Path(charts[0]).parent) if charts else None
    if first is not None:
        charts = [first, *charts]
    return _write_both(folder, run_document(folder, result, charts), workers)


SWEEP_CAPTIONS = {
    "heatmap": "Each cell: the mean over seeds for one pair of the first two swept settings, with its 95% "
               "half-width; a cell is better than another only where their intervals do not overlap.",
    "cost_value": "Each design's mean cost (across) and value against its twin (up), with 95% intervals over "
                  "seeds; above the dashed line value exceeds cost. Blue: net value clearly above zero; "
                  "vermillion: clearly below; grey: its interval spans zero.",
}


def report_sweep(folder: Path) -> tuple[Path, Path]:
    from ..charts.sweep import cost_value_scatter, heatmap, tornado
    from ..studies.collect import collect
    from ..studies.compare import compare

    charts, sections, glossary = [], [], []
    title = f"mentorsim sweep report: {folder.name}"
    summary: list[str] = []
    figures: dict = {}
    if (folder / "sensitivity.csv").exists():
        from .sensitivity_text import (outcome_words, parameter_words, sensitivity_glossary, sensitivity_lines,
                                       sensitivity_rows)

        table = pd.read_csv(folder / "sensitivity.csv")
        names = {p: parameter_words(p) for p in table["parameter"].unique()}
        for outcome in table["outcome"].unique():
            label, scale, unit = outcome_words(outcome)
            charts.append(tornado(table, outcome, folder / "charts" / f"tornado_{len(charts)}.png", label, names,
                                  scale, unit))
        summary = sensitivity_lines(table)
        sections.append(("Influence of each parameter", sensitivity_rows(table)))
        glossary = sensitivity_glossary(table)
        title = f"mentorsim sensitivity report: {folder.name}"
    else:
        runs = collect(folder)
        metrics = [m for m in ("turnover_annual", "promotions_total", "internal_fill_rate_leadership")
                   if f"twin.{m}" in runs]
        comparison = compare(runs, "twin", metrics) if metrics else pd.DataFrame()
        summary = sweep_summary(runs, comparison)
        figures = {f"{r.scenario} | {r.metric}": r.mean_difference for r in comparison.itertuples()}
        roi_summary, roi_figures = roi_lines(runs)
        summary += roi_summary
        figures.update(roi_figures)
        swept = [c[3:] for c in runs.columns if c.startswith("ov.") and c != "ov.sim.seed"
                 and runs[c].nunique() > 1]
        target = "effect.turnover_annual" if "effect.turnover_annual" in runs else "turnover_annual"
        labels = scenario_labels(runs)
        if len(swept) >= 2:
            what = "Annual turnover against the twin" if target.startswith("effect.") else "Annual turnover"
            path = heatmap(runs, swept[0], swept[1], target, folder / "charts" / "heatmap.png", scale=100,
                           unit=" (points)", labels=(plain_key(swept[0]), plain_key(swept[1]), what))
            charts += [path] if path else []
        path = cost_value_scatter(runs, folder / "charts" / "cost_value.png", names=labels)
        charts += [path] if path else []
        if not comparison.empty:
            sections.append(("Designs against their twins (paired over seeds)", comparison_rows(comparison, labels)))
            glossary = [(words(m)[0], f"{m} / twin.{m}") for m in metrics]
            glossary += [("ROI", "roi"), ("Net value", "value.net")]
        title = f"mentorsim sweep report: {folder.name}"
    doc = Document(title=title, sections=[Section("What we found", paragraphs=summary), *[
        Section(h, paragraphs=[], table=t) for h, t in sections], Section("Charts", charts=charts)],
        glossary=glossary, figures=figures, captions=SWEEP_CAPTIONS)
    return _write_both(folder, doc)


def _write_both(folder: Path, doc: Document, workers=None) -> tuple[Path, Path]:
    """Both files or neither: a PDF that cannot be written takes the new HTML with it."""
    from .pdf import write_pdf

    html_path, pdf_path = folder / REPORT_HTML, folder / REPORT_PDF
    charts = {Path(c).stem: Path(c) for s in doc.sections for c in s.charts}
    text = to_html(doc, charts, doc.captions)
    _atomic_write(html_path, lambda p: p.write_text(text))
    try:
        _atomic_write(pdf_path, lambda p: write_pdf(p, doc, charts, doc.captions, workers))
    except BaseException:
        html_path.unlink(missing_ok=True)
        raise
    return html_path, pdf_path


# ---------------------------------------------------------------------------- which folder
RUN_FILES = (STATUS_FILE, "metrics.json", "config.yaml")
SENSITIVITY_FILE = "sensitivity.csv"


def _read_status(folder: Path):
    try:
        return json.loads((folder / STATUS_FILE).read_text())
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError):
        return "unreadable"


def check_folder(target: str | Path) -> str:
    """What `target` is ("run", "sweep" or "sensitivity"), or a one-line ConfigError saying why it
    cannot be reported on: not a folder, none of the three, a killed or damaged run, a sweep
    without a complete run, an unreadable sensitivity table."""
    from ..studies.collect import collect, describe

    folder = Path(target)

    def refuse(why: str):
        return ConfigError(f"FOLDER = {str(target)!r}: {why}")

    if not folder.is_dir():
        raise refuse("not a folder")
    status = _read_status(folder)
    if (folder / SENSITIVITY_FILE).exists() or (isinstance(status, dict) and "method" in status):
        try:
            table = pd.read_csv(folder / SENSITIVITY_FILE)
        except (OSError, ValueError) as err:  # pandas' parser errors are ValueErrors
            raise refuse(f"{SENSITIVITY_FILE} is missing or unreadable ({str(err).splitlines()[0][:120]}); "
                         f"run the sensitivity analysis again") from None
        if not {"outcome", "parameter", "importance"} <= set(table.columns) or table.empty:
            raise refuse(f"{SENSITIVITY_FILE} is not a sensitivity table (outcome, parameter, importance)")
        return "sensitivity"
    if any((folder / name).exists() for name in RUN_FILES):
        state = status.get("status", "missing") if isinstance(status, dict) else status
        if state != "complete":
            raise refuse(f"status = {state!r}: not a complete run (killed, failed or still running); run it "
                         f"again to complete it")
        why = damage(folder)
        if why:
            raise refuse(f"not a complete run: {why}; run it again")
        if not has_tables(folder):
            raise refuse("a sweep job written with its metrics only; run it again with output.sweep_tables=true "
                         "to report on it, or report on the sweep folder")
        return "run"
    runs = collect(folder, write=False)
    if runs.empty:
        raise refuse("not a run, sweep or sensitivity folder (no status.json, job folders or "
                     f"{SENSITIVITY_FILE})")
    if not (runs["status"] == "complete").any():
        raise refuse(f"no complete run in this sweep to report on ({describe(runs)[0]})")
    return "sweep"


def write_report(target: str | Path, keep_charts: bool = True, workers=None) -> tuple[Path, Path]:
    """Report on a run folder or a sweep (or sensitivity) folder; returns (html, pdf). `workers`
    (`sim.runs.tasks.Workers`, a run's idle pool): a worker process draws half a run report's PDF pages.

    A folder it cannot use, or a report it cannot write (a full disk, a read-only folder), is a
    one-line ConfigError; the report files are then left as they were (none written half)."""
    kind = check_folder(target)
    folder = Path(target)
    try:
        return report_run(folder, keep_charts, workers) if kind == "run" else report_sweep(folder)
    except OSError as err:
        raise ConfigError(f"FOLDER = {str(target)!r}: cannot write the report there "
                          f"({err.strerror or err})") from None


def write_report_logged(folder: str | Path, keep_charts: bool = True, workers=None) -> None:
    """Write a finished run's report; a failure is logged, not raised: the run is complete either
    way, and the report is derived from it (`mentorsim report FOLDER` writes it again)."""
    try:
        write_report(folder, keep_charts=keep_charts, workers=workers)
    except Exception as err:
        logging.getLogger(__name__).error("report failed: %s: %s", type(err).__name__, err)
