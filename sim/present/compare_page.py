"""One page comparing two to four designs of a sweep: `mentorsim report SWEEP --compare KEY=A,B[,C,D]`.

Each headline figure in HR units for each design with its 95% interval over the sweep's paired seeds,
the difference of each design from the first with its interval (`sim.studies.designs`, which uses
`compare`), "unclear" where an interval spans zero, and one chart. Written as HTML, a one-page A4 PDF
and a PNG of that page (`compare_<key>-<values>.*` in the sweep folder), all three or none.
"""
from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..runs.folder import _atomic_write
from .document import CSS, _img, table_html
from .tables import plain_key

UNCLEAR = "unclear"


def _fmt(x: float, scale: float, digits: int, signed: bool) -> str:
    if not math.isfinite(x):
        return "n/a"
    return format(scale * x, f"{'+' if signed else ''},.{digits}f")


def _interval(row, scale: float, digits: int, signed: bool = True) -> str:
    if not (math.isfinite(row.low) and math.isfinite(row.high)):
        return "no interval"
    lo, hi = sorted((scale * row.low, scale * row.high))
    return f"{_fmt(lo, 1, digits, signed)} to {_fmt(hi, 1, digits, signed)}"


def _unit(unit: str) -> str:
    return {"currency": "", "points": " points"}.get(unit, f" {unit}")


def page_content(result: dict) -> dict:
    """The page as data: title, question, answer, the two tables, the notes and the figures quoted."""
    from ..studies.designs import spans_zero

    key, values, figures = result["key"], result["values"], result["figures"]
    name = plain_key(key)
    designs, diffs = result["designs"], result["differences"]
    first = values[0]
    by_design = {(r.design, r.metric): r for r in designs.itertuples()}
    by_diff = {(r.design, r.metric): r for r in diffs.itertuples()}
    quoted: dict = {}
    table = [("Figure (mean over seeds, 95% interval)", *[f"{name} = {v}" for v in values])]
    for metric, words, scale, unit, digits, _ in figures:
        signed = metric.startswith(("effect.", "value."))
        cells = []
        for v in values:
            r = by_design[(v, metric)]
            quoted[f"{v} | {metric}"] = r.mean
            flag = f", {UNCLEAR}" if signed and spans_zero(r.low, r.high) else ""
            cells.append(f"{_fmt(r.mean, scale, digits, signed)}{_unit(unit)} ({_interval(r, scale, digits, signed)}"
                         f"{flag})")
        table.append((words + (" (currency)" if unit == "currency" else ""), *cells))
    difference = [("Difference from " + f"{name} = {first}", *[f"{name} = {v}" for v in values[1:]])]
    sentences = []
    for metric, words, scale, unit, digits, lower_is_better in figures:
        cells = []
        for v in values[1:]:
            r = by_diff[(v, metric)]
            quoted[f"{v} - {first} | {metric}"] = r.mean_difference
            unclear = spans_zero(r.ci_low, r.ci_high)
            cells.append(f"{_fmt(r.mean_difference, scale, digits, True)}{_unit(unit)} "
                         f"({_fmt(r.ci_low, scale, digits, True)} to {_fmt(r.ci_high, scale, digits, True)}"
                         f"{', ' + UNCLEAR if unclear else ''})")
            if metric in ("effect.turnover_annual", "value.net"):
                sentences.append(_verdict(name, first, v, r, unclear, scale, digits, unit, lower_is_better))
        difference.append((words.replace(", against the twin", "").replace(" against the twin", "")
                           + (" (currency)" if unit == "currency" else ""), *cells))
    n = result["units"]
    return {
        "title": f"Designs compared: {name} {', '.join(values[:-1])} or {values[-1]}",
        "question": f"Which {name} should the program use: {', '.join(values[:-1])} or {values[-1]}? What does "
                    f"each do to turnover, promotions, leadership succession, cost and net value, and is the "
                    f"difference clear?",
        "answer": " ".join(sentences),
        "designs": table, "differences": difference,
        "note": f"Every design ran on the same {n} paired seeds (common random numbers: the same people and "
                f"events), each against its own twin without the program; figures are means over those seeds "
                f"with 95% t-intervals, and each difference is taken seed by seed. '{UNCLEAR}' marks an interval "
                f"that spans zero: the sign of that figure is not established. Money is in present value, in "
                f"the currency of the salaries. In the chart each dot is a design's mean against its twin with "
                f"its 95% interval: blue where the design is clearly better than the twin, vermillion where it "
                f"is clearly worse, grey where the interval spans zero.",
        "figures": quoted,
    }


def _verdict(name, first, v, r, unclear, scale, digits, unit, lower_is_better) -> str:
    """One sentence on one figure of design v against the first: a direction only when the interval is
    clear of zero."""
    what = "annual turnover" if unit == "points" else "net value"
    amount = f"{_fmt(abs(r.mean_difference), scale, digits, False)}{_unit(unit)}"
    interval = (f"95% interval {_fmt(r.ci_low, scale, digits, True)} to {_fmt(r.ci_high, scale, digits, True)}"
                f"{_unit(unit)}")
    design = f"{name[0].upper()}{name[1:]} {v}"
    if unclear:
        return f"{design} against {first}: no clear difference in {what} ({interval})."
    lower = r.mean_difference < 0
    better = "better" if lower == lower_is_better else "worse"
    return (f"{design} gives {what} {amount} {'lower' if lower else 'higher'} than {first} ({interval}): "
            f"{better}.")


def chart(result: dict, path: Path) -> Path:
    from ..charts.sweep import design_intervals

    designs, name = result["designs"], plain_key(result["key"])
    panels = []
    for metric, label, scale, unit in (("effect.turnover_annual", "Annual turnover against the twin (points)", 100,
                                        "points"),
                                       ("value.net", "Net value (thousands, currency)", 1e-3, "")):
        rows = designs[designs["metric"] == metric]
        if rows.empty:
            continue
        rows = rows.assign(design=[str(d) for d in rows["design"]], mean=rows["mean"] * scale, low=rows["low"] * scale, high=rows["high"] * scale)
        panels.append((label, rows, metric != "value.net"))
    return design_intervals(panels, path, name)


def stem(key: str, values: list[str]) -> str:
    return "compare_" + re.sub(r"[^A-Za-z0-9._-]+", "-", f"{key}-{'-'.join(values)}")[:120]


def write_compare_page(folder: Path, result: dict) -> tuple[Path, Path, Path]:
    """HTML, one-page PDF and PNG of the comparison in `folder`; all three or none."""
    import tempfile

    base = folder / stem(result["key"], result["values"])
    content = page_content(result)
    paths = tuple(base.with_name(base.name + ext) for ext in (".html", ".pdf", ".png"))
    with tempfile.TemporaryDirectory() as tmp:
        picture = chart(result, Path(tmp) / "designs.png")
        text = _html(content, picture)
        try:
            _atomic_write(paths[0], lambda p: p.write_text(text))
            _atomic_write(paths[1], lambda p: _pdf(p, content, picture, None))
            _atomic_write(paths[2], lambda p: _pdf(None, content, picture, p))
        except BaseException:
            for p in paths:
                p.unlink(missing_ok=True)
            raise
    return paths


def _html(c: dict, picture: Path) -> str:
    clean = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in c["figures"].items()}
    return "\n".join([
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(c['title'])}</title>"
        f"<style>{CSS}</style></head><body><h1>{html.escape(c['title'])}</h1>",
        f"<p><b>The question.</b> {html.escape(c['question'])}</p>",
        f"<p class='answer'>{html.escape(c['answer'])}</p>",
        table_html(c["designs"]), "<h2>Differences between the designs</h2>", table_html(c["differences"]),
        f"<p class='caveat'>{html.escape(c['note'])}</p>", _img(picture),
        f"<script type='application/json' id='mentorsim-figures'>{json.dumps(clean)}</script></body></html>"])


def _pdf(pdf_path: Path | None, c: dict, picture: Path, png_path: Path | None) -> None:
    """The page drawn once with the report's A4 layout; saved as PDF (in the standard PDF fonts), or as
    PNG (the same page in matplotlib's own font)."""
    from matplotlib.backends.backend_pdf import PdfPages

    from ..charts.style import plt, rc_scope
    from .pdf import BOTTOM, MUTED, NOTE_BG, Pages
    from .pdf_fonts import DEJAVU, face_for

    class OnePage(Pages):
        def new_page(self):
            if self.fig is not None:
                raise ValueError("the comparison does not fit on one page")
            super().new_page()

        def close_page(self):
            if self.fig is not None and png_path is not None:
                self.fig.savefig(png_path, format="png", dpi=110)
                self.plt.close(self.fig)
                self.fig = None
            else:
                super().close_page()

    texts = [c["title"], c["question"], c["answer"], c["note"],
             *(str(cell) for table in ("designs", "differences") for row in c[table] for cell in row)]
    face = face_for(texts)  # the PDF's: the standard fonts unless a name needs DejaVu's letters
    n = len(c["designs"][0])
    widths = [0.28] + [0.72 / (n - 1)] * (n - 1)
    dwidths = [0.28] + [0.72 / (n - 2)] * (n - 2)

    def draw(pdf):
        p = OnePage(pdf, plt, face=face if pdf is not None else DEJAVU)
        p.new_page()
        p.heading(c["title"], size=14)
        p.paragraph(c["question"], size=9.5)
        p.paragraph(c["answer"], size=9.5, weight="bold")
        p.table(c["designs"], widths=widths, size=7.5)
        p.paragraph("Differences between the designs", size=9.5, weight="bold")
        p.table(c["differences"], widths=dwidths, size=7.5)
        p.paragraph(c["note"], size=7.5, background=NOTE_BG, color=MUTED)
        p.image(picture, height=min(3.0, p.y - BOTTOM - 0.15))  # the chart takes the room that is left
        p.close_page()

    if pdf_path is not None:
        metadata = {"Title": c["title"], "Creator": "mentorsim"}
        with rc_scope(face.rc), PdfPages(pdf_path, metadata=metadata) as pdf:
            draw(pdf)
    else:
        draw(None)


def report_compare(folder: str | Path, spec: str, confidence: float = 0.95) -> tuple[Path, Path, Path]:
    """`mentorsim report SWEEP --compare KEY=A,B`: parse, pair, compare, write; ConfigError for mistakes."""
    from ..studies.collect import collect
    from ..studies.designs import compare_designs, parse_designs

    from ..config.checks import ConfigError

    key, values = parse_designs(spec)
    runs: pd.DataFrame = collect(Path(folder), write=False)
    result = compare_designs(runs, key, values, confidence)
    try:
        return write_compare_page(Path(folder), result)
    except OSError as err:
        raise ConfigError(f"FOLDER = {str(folder)!r}: cannot write the comparison there ({err.strerror or err})") \
            from None
