"""A report as data (a brief, sections, a glossary, an appendix) and its self-contained HTML.

The PDF (`sim.present.pdf`) draws the same Document, so both files carry the same content.
Metric keys appear only in the glossary and in the appendix (the config file as written).
"""
from __future__ import annotations

import base64
import html
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..version import __version__
from .brief import Brief


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: list[tuple] = field(default_factory=list)  # the first row is the header
    charts: list[Path] = field(default_factory=list)


@dataclass
class Document:
    title: str
    brief: Brief | None = None
    sections: list[Section] = field(default_factory=list)
    glossary: list[tuple[str, str]] = field(default_factory=list)  # (figure as printed, metrics.json key)
    appendix: tuple[str, str] | None = None  # (heading, text shown as written)
    figures: dict = field(default_factory=dict)  # embedded as JSON for checks, never printed
    captions: dict = field(default_factory=dict)  # chart file stem -> caption


GLOSSARY = "Glossary: where each figure comes from"

CSS = """body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;max-width:1000px;margin:2em auto;
color:#222;line-height:1.45}h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
img{max-width:100%}table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:2px 8px;
text-align:left}th{background:#f0f0f0}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:.8em}
.note{color:#666;font-size:.9em}.answer{font-size:1.15em;font-weight:600}
.kf td:nth-child(2){font-size:1.3em;font-weight:700;white-space:nowrap}.caveat{background:#fff6e0;padding:.6em 1em}"""


def _img(path: Path, caption: str = "") -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode()
    cap = f"<figcaption class='note'>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img alt="{html.escape(Path(path).stem)}" src="data:image/png;base64,{data}">{cap}</figure>'


def table_html(rows: list[tuple], cls: str = "") -> str:
    if not rows:
        return ""
    head = "<tr>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in rows[0]) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows[1:])
    return f"<table{f' class={cls!r}' if cls else ''}>{head}{body}</table>"


def brief_html(b: Brief, charts: dict[str, Path]) -> list[str]:
    parts = [f"<h2>{html.escape(b.title)}</h2>", f"<p><b>The question.</b> {html.escape(b.question)}</p>",
             f"<p class='answer'>{html.escape(b.answer)}</p>",
             table_html([("Key figure", "Value", "In context"), *[(f.label, f.value, f.detail) for f in b.figures]],
                        "kf")]
    parts.append(f"<p class='caveat'>{html.escape(b.caveat)}</p>")
    if b.drivers:
        parts += ["<h3>What drove the result</h3>", "<ul>", *[f"<li>{html.escape(d)}</li>" for d in b.drivers],
                  "</ul>"]
    if b.chart in charts:
        parts.append(_img(charts[b.chart], b.chart_note))
    return parts


def to_html(doc: Document, charts: dict[str, Path], captions: dict[str, str]) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(doc.title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{html.escape(doc.title)}</h1>",
             f"<p class='note'>mentorsim {__version__}, written {datetime.now():%Y-%m-%d %H:%M}.</p>"]
    if doc.brief is not None:
        parts += brief_html(doc.brief, charts)
    for s in doc.sections:
        parts.append(f"<h2>{html.escape(s.heading)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in s.paragraphs]
        parts.append(table_html(s.table))
        parts += [_img(c, captions.get(Path(c).stem, "")) for c in s.charts]
    if doc.glossary:
        parts += [f"<h2>{GLOSSARY}</h2>", "<p class='note'>For analysts: the key in metrics.json behind each "
                  "figure of this report.</p>", table_html([("Figure", "metrics.json key"), *doc.glossary])]
    if doc.appendix:
        parts.append(f"<h2>{html.escape(doc.appendix[0])}</h2><pre>{html.escape(doc.appendix[1])}</pre>")
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in doc.figures.items()}
    parts += [f"<script type='application/json' id='mentorsim-figures'>{json.dumps(clean)}</script>",
              "</body></html>"]
    return "\n".join(parts)
