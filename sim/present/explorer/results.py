"""What the explorer shows for a design: headline figures over paired seeds (formatted once, here,
so the page and its tests read the same text), the chart pack and the report of one seed, and the
side-by-side of pinned designs."""
from __future__ import annotations

import math
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...charts import run_charts
from ...charts.style import drawn_in_style, figure, save
from ...config.load import load_config
from ...runs.result import run
from ...studies.paired import BASE_OVERRIDES, PairedRuns
from ..report import write_report

# matplotlib's settings (rcParams) are the process's: the charts and the PDF set theirs while they draw
# (charts.style.rc_scope) and put back what they found, so two of the server's threads drawing at once could
# leave one's settings behind for good (fonts, sizes). One drawing at a time.
DRAWING = threading.Lock()


def number(value: float, digits: int, unit: str) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+,.{digits}f}"


def headline_rows(runs: PairedRuns) -> list[dict]:
    """One row per headline figure, as text: the figure, the mean, the interval, the verdict."""
    rows = []
    for r in runs.summary().itertuples():
        unit = "" if r.unit == "currency" else f" {r.unit}"
        if not math.isfinite(r.mean):
            verdict = "not defined"
        elif r.unclear:
            verdict = "unclear (the interval spans zero)"
        elif r.key.startswith(("effect.", "value.")):
            verdict = "higher" if r.mean > 0 else "lower"
        else:
            verdict = ""
        rows.append({"figure": r.figure, "mean": number(r.mean, r.digits, r.unit) + unit,
                     "interval": f"{number(r.low, r.digits, r.unit)} to {number(r.high, r.digits, r.unit)}",
                     "verdict": verdict})
    return rows


def headline_markdown(runs: PairedRuns) -> str:
    lines = [f"Program minus its twin, mean over {len(runs.seeds)} paired seeds, with the 95% interval.", "",
             "| figure | mean | 95% interval | verdict |", "|---|---|---|---|"]
    lines += [f"| {r['figure']} | {r['mean']} | {r['interval']} | {r['verdict']} |" for r in headline_rows(runs)]
    if runs.cancelled:
        lines += ["", f"Cancelled: only {len(runs.seeds)} seeds finished."]
    return "\n".join(lines)


@dataclass
class SeedRun:
    """Seed 0 of a design, kept in the server for its charts and report."""

    overrides: list[str]
    result: object = field(repr=False)
    charts: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, overrides: list[str], seed: int = 0) -> "SeedRun":
        result = run(load_config([*BASE_OVERRIDES, *overrides, f"sim.seed={seed}"]))
        with DRAWING, tempfile.TemporaryDirectory() as tmp:
            paths = run_charts(result, Path(tmp))
            charts = {p.stem: p.read_bytes() for p in paths}
        return cls(overrides, result, charts)

    def report(self, kind: str = "pdf") -> bytes:
        """The run's report (PDF or HTML) as the CLI writes it."""
        with DRAWING, tempfile.TemporaryDirectory() as tmp:
            folder = self.result.save(Path(tmp) / "run", charts=False)
            html, pdf = write_report(folder)
            return (pdf if kind == "pdf" else html).read_bytes()


def comparison_frame(pinned: list[tuple[str, PairedRuns]]) -> pd.DataFrame:
    """Pinned designs side by side: one row per figure, one column per design (mean and interval)."""
    table: dict[str, dict] = {}
    for i, (label, runs) in enumerate(pinned):
        for row in headline_rows(runs):
            table.setdefault(row["figure"], {})[f"{i + 1}. {label}"] = f"{row['mean']} ({row['interval']})"
    return pd.DataFrame(table).T.rename_axis("figure").reset_index()


def comparison_chart(pinned: list[tuple[str, PairedRuns]]) -> bytes:
    """The turnover effect of each pinned design with its interval (one chart)."""
    with DRAWING:
        return _comparison_png(pinned)


@drawn_in_style
def _comparison_png(pinned: list[tuple[str, PairedRuns]]) -> bytes:
    fig, axes = figure(width=8, height=1.5 + 0.6 * len(pinned))
    ax = axes[0, 0]
    for i, (label, runs) in enumerate(pinned):
        s = runs.summary().set_index("key").loc["effect.turnover_annual"]
        ax.errorbar(s["mean"], i, xerr=[[s["mean"] - s["low"]], [s["high"] - s["mean"]]], fmt="o",
                    color="#555555" if s["unclear"] else ("#0072B2" if s["mean"] < 0 else "#D55E00"), capsize=4)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(pinned)), [f"design {i + 1}" for i in range(len(pinned))])
    ax.invert_yaxis()
    ax.set_xlabel("turnover, program minus twin, points a year (left: fewer exits)")
    # two lines: on one the legend in the title ran past the figure's right edge
    ax.set_title("Turnover effect of each pinned design, 95% interval\n(blue: fewer exits, vermillion: more, "
                 "grey: unclear)", loc="left", fontsize=10)
    with tempfile.TemporaryDirectory() as tmp:
        return save(fig, Path(tmp) / "compare.png").read_bytes()


def markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])
