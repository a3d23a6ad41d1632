"""The PDF of a report: A4 pages laid out with matplotlib (headings, wrapped text, tables, charts).

A `Pages` object keeps a cursor down the current page and starts a new page when the next
block does not fit. Page 1 is the executive brief; then every section of the Document; then
the glossary and the appendix, each starting on a new page.

Laying the pages out is cheap (a tenth of the time); drawing them (matplotlib's text and images)
is the rest. With a worker process at hand (`sim.runs.tasks.Workers`, at the end of a run whose
pool is idle by then), both processes lay out every page the same way and each draws every other
page into a file of its own; pypdf then joins the two in page order. The pages are the same
either way.
The pages are drawn with the standard PDF fonts (`sim.present.pdf_fonts`), set only while they are.
"""
from __future__ import annotations

import contextlib
import textwrap
from pathlib import Path

from .brief import Brief
from .document import GLOSSARY, Document
from .pdf_fonts import STANDARD_FONTS, Typeface, chars, face_for, pdf_text

A4 = (8.27, 11.69)
LEFT, RIGHT, TOP, BOTTOM = 0.7, 0.7, 0.7, 0.7  # margins, inches
WIDTH = A4[0] - LEFT - RIGHT
INK, MUTED, RULE, HEAD_BG, NOTE_BG = "#222222", "#555555", "#bbbbbb", "#eeeeee", "#fff6e0"


class Pages:
    """`keep(number)`: whether page `number` is drawn into `pdf` (all by default); the others are laid
    out only (the cursor moves as if they were drawn, so the pages after them are where they would be):
    no figure, no text, no image is made for them (`fig` is None on such a page). `face`: the fonts the
    pages are drawn with (their settings are the caller's: `draw_pages` sets them)."""

    def __init__(self, pdf, plt, keep=None, face: Typeface = STANDARD_FONTS):
        self.pdf, self.plt, self.fig, self.y, self.number = pdf, plt, None, 0.0, 0
        self.keep = keep or (lambda number: True)
        self.face = face
        self.lines = None  # the page's lines of text (a `Lines` artist)
        self._fonts = {}  # (size, mono, weight) -> FontProperties

    # -------------------------------------------------------------------- pages
    def new_page(self):
        self.close_page()
        self.number += 1
        self.y = A4[1] - TOP
        if self.keep(self.number):
            from .pdf_lines import Lines

            self.fig = self.plt.figure(figsize=A4)
            self.lines = self.fig.add_artist(Lines())
            self.fig.text(1 - RIGHT / A4[0], BOTTOM / 2 / A4[1], str(self.number), ha="right", fontsize=8,
                          color=MUTED, weight=self.face.regular_weight)

    def _picture_axes(self):
        """One invisible axes over the whole page, in inches from its lower left corner, for the page's
        charts (an axes costs 20 ms to make: one a page, not one a chart)."""
        if not self.fig.axes:
            ax = self.fig.add_axes((0, 0, 1, 1))
            ax.set_xlim(0, A4[0])
            ax.set_ylim(0, A4[1])
            ax.set_autoscale_on(False)
            ax.axis("off")
        return self.fig.axes[0]

    def close_page(self):
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.plt.close(self.fig)
            self.fig = None

    def room(self, height: float):
        if self.number == 0 or self.y - height < BOTTOM:
            self.new_page()

    def wrap(self, s: str, width_in: float, size: float, bold: bool = False, mono: bool = False,
             indent: str = "") -> list[str]:
        """`s` wrapped into lines that fit `width_in` inches (in the characters the fonts show)."""
        s = pdf_text(s) if self.face.cp1252 else s
        return textwrap.wrap(s, chars(width_in, size, self.face, bold, mono), subsequent_indent=indent)

    def _text(self, x_in: float, y_in: float, s: str, size: float, mono: bool = False, weight: str = "regular",
              color: str = INK):
        """One line whose top is `y_in`: placed on its baseline, the font's ascender lower, so the lines'
        spacing does not depend on their glyphs."""
        if self.fig is not None:
            baseline = y_in - (self.face.mono_ascent if mono else self.face.ascent) * size / 72
            weight = "bold" if weight == "bold" else self.face.regular_weight
            font = self._fonts.get((size, mono, weight))
            if font is None:
                from .pdf_lines import FontProperties

                font = self._fonts[size, mono, weight] = FontProperties(
                    family="monospace" if mono else None, size=size, weight=weight)
            self.lines.items.append((x_in, baseline, pdf_text(s) if self.face.cp1252 else s, font, color))

    # -------------------------------------------------------------------- blocks
    def heading(self, s: str, size: float = 14):
        lines = self.wrap(s, WIDTH, size, bold=True)
        self.room(size / 72 * 1.4 * len(lines) + 0.6)  # a heading never ends a page
        self.y -= 0.1
        for line in lines:
            self._text(LEFT, self.y, line, size, weight="bold")
            self.y -= size / 72 * 1.4
        self.y -= size / 72 * 0.3

    def paragraph(self, s: str, size: float = 10, weight: str = "normal", color: str = INK, indent: float = 0.0,
                  bullet: bool = False, background: str | None = None):
        lines = self.wrap(s, WIDTH - indent - (0.2 if bullet else 0), size, bold=weight == "bold")
        line_h = size / 72 * 1.4
        height = line_h * len(lines)
        self.room(height + 0.1)
        x = LEFT + indent + (0.2 if bullet else 0)
        if background and self.fig is not None:
            self.fig.patches.append(self.plt.Rectangle(
                ((LEFT - 0.08) / A4[0], (self.y - height - 0.08) / A4[1]), (WIDTH + 0.16) / A4[0],
                (height + 0.12) / A4[1], transform=self.fig.transFigure, color=background, zorder=-1))
        if bullet:
            self._text(LEFT + indent, self.y, "•", size)
        for line in lines:
            self._text(x, self.y, line, size, weight=weight, color=color)
            self.y -= line_h
        self.y -= 0.12

    def table(self, rows: list[tuple], widths: list[float] | None = None, size: float = 8.5,
              bold_col: int | None = None, value_size: float | None = None):
        """Rows drawn as a table: a shaded header, rules between rows, each cell wrapped to its column;
        a table longer than the page goes on over the next pages, its header repeated."""
        if not rows:
            return
        n = len(rows[0])
        widths = widths or [1 / n] * n
        cols = [w * WIDTH for w in widths]

        def cells(row, header=False):
            out = []
            for j, c in enumerate(row):
                sz = value_size if (value_size and j == bold_col and not header) else size
                bold = header or j == bold_col
                out.append((self.wrap(str(c), cols[j] - 0.1, sz, bold) or [""], sz))
            return out

        def draw(row, header=False):
            wrapped = cells(row, header)
            height = max(len(ls) * sz / 72 * 1.35 for ls, sz in wrapped) + 0.08
            self.room(height)
            if header and self.fig is not None:
                self.fig.patches.append(self.plt.Rectangle(
                    (LEFT / A4[0], (self.y - height) / A4[1]), WIDTH / A4[0], height / A4[1],
                    transform=self.fig.transFigure, color=HEAD_BG, zorder=-1))
            x = LEFT
            for j, (ls, sz) in enumerate(wrapped):
                weight = "bold" if header or j == bold_col else "normal"
                for k, line in enumerate(ls):
                    self._text(x + 0.05, self.y - 0.04 - k * sz / 72 * 1.35, line, sz, weight=weight)
                x += cols[j]
            self.y -= height
            if self.fig is not None:
                self.fig.add_artist(self.plt.Line2D([LEFT / A4[0], (LEFT + WIDTH) / A4[0]], [self.y / A4[1]] * 2,
                                                    color=RULE, lw=0.6))

        self.room(0.6)
        draw(rows[0], header=True)
        for row in rows[1:]:
            if self.y - 0.3 < BOTTOM:
                self.new_page()
                draw(rows[0], header=True)
            draw(row)
        self.y -= 0.2

    def image(self, path: Path, height: float, caption: str = ""):
        from PIL import Image

        aspect = image_aspect(path)
        w = min(WIDTH, height * aspect)
        h = w / aspect
        self.room(h + (0.35 if caption else 0.1))
        if self.fig is not None:
            import numpy as np

            x = LEFT + (WIDTH - w) / 2
            # a PDF keeps the chart's own pixels (no conversion to floats, no resampling: the reader scales
            # them); a page drawn to PNG (no `pdf`) resamples them smoothly
            with Image.open(path) as png:  # a palette, grey or 16-bit PNG (not a run chart's) as RGBA
                pixels = np.asarray(png if png.mode in ("RGB", "RGBA") else png.convert("RGBA"))
            self._picture_axes().imshow(pixels, extent=(x, x + w, self.y - h, self.y), aspect="auto",
                                        interpolation="none" if self.pdf is not None else None)
        self.y -= h + 0.05
        if caption:
            self.paragraph(caption, size=8.5, color=MUTED)

    def monospace(self, text: str, size: float = 6.5):
        """Text as written (the config file), in two columns a page."""
        column = WIDTH / 2 - 0.15  # a gutter between the two
        lines = [w for line in text.splitlines() for w in (self.wrap(line, column, size, mono=True, indent="    ")
                                                              or [""])]
        line_h = size / 72 * 1.3
        per_col = int((A4[1] - TOP - BOTTOM - 0.6) / line_h)
        for start in range(0, len(lines), 2 * per_col):
            if start:
                self.new_page()
            for c in range(2):
                for k, line in enumerate(lines[start + c * per_col: start + (c + 1) * per_col]):
                    if line:  # each on its own baseline: one block of lines would space them by their glyphs
                        self._text(LEFT + c * WIDTH / 2, self.y - k * line_h, line, size, mono=True)
        self.y = BOTTOM


def image_aspect(path: Path) -> float:
    """Width over height of a PNG, from its header (the pixels are read only for a page that is drawn)."""
    from PIL import Image

    with Image.open(path) as png:
        width_px, height_px = png.size
    return width_px / height_px


BRIEF_CHART = 2.1  # inches: page 1's chart, when the page has room for it
# Below this a chart's labels print at about 4 points: unreadable, so it opens page 2 instead.
BRIEF_CHART_MIN = 1.8


def brief_page(p: Pages, title: str, b: Brief, chart: Path | None):
    p.new_page()
    p.paragraph(title, size=9, color=MUTED)
    p.heading(b.title, size=16)
    p.paragraph("The question", size=9, weight="bold", color=MUTED)
    p.paragraph(b.question, size=10.5)
    p.paragraph("The answer", size=9, weight="bold", color=MUTED)
    p.paragraph(b.answer, size=11, weight="bold")
    p.table([("Key figure", "Value", "In context"), *[(f.label, f.value, f.detail) for f in b.figures]],
            widths=[0.3, 0.2, 0.5], size=8, bold_col=1, value_size=11)
    p.paragraph(b.caveat, size=8, background=NOTE_BG)
    if b.drivers:
        p.paragraph("What drove the result", size=10, weight="bold")
        for d in b.drivers:
            p.paragraph(d, size=8, bullet=True)
    if chart is not None:  # last, in the room page 1 has left (or it starts page 2)
        room = p.y - BOTTOM - (0.4 if b.chart_note else 0.1)
        # its height at the page's width (a squat chart needs less than BRIEF_CHART to be read)
        need = min(BRIEF_CHART, WIDTH / image_aspect(chart))
        p.image(chart, height=min(need, room) if room >= min(need, BRIEF_CHART_MIN) else need, caption=b.chart_note)


def prepare_drawing() -> None:
    """Import what drawing the pages needs (matplotlib and its PDF backend, about 0.4 CPU-seconds): a
    worker does it while it waits, before it is given half the report's pages."""
    from matplotlib.backends.backend_pdf import PdfPages  # noqa: F401

    from ..charts.style import plt  # noqa: F401


def write_pdf(path: Path, doc: Document, charts: dict[str, Path], captions: dict[str, str], workers=None) -> None:
    """The report's PDF; with `workers` that have a process (`sim.runs.tasks.Workers`), one of them draws
    the odd pages meanwhile."""
    if workers is None or not workers.jobs:
        draw_pages(path, doc, charts, captions)
        return
    path = Path(path)
    parts = [path.with_name(f".{path.name}.part{i}") for i in (1, 2)]
    from concurrent.futures.process import BrokenProcessPool

    # the worker takes the odd pages, the larger share: this process also checked the folder, wrote the
    # HTML and joins the halves
    odd = workers.submit(draw_pages, parts[0], doc, charts, captions, 2, 1)
    try:
        even_count = draw_pages(parts[1], doc, charts, captions, 2, 2)
        import pypdf  # noqa: F401  (for the join: imported while the worker may still be drawing)

        try:
            odd_count = odd.result()
        except BrokenProcessPool:  # the worker process is gone (killed, out of memory): every page here
            draw_pages(path, doc, charts, captions)
            return
        _join(parts, path, doc.title, odd_count, even_count)
    finally:
        if not workers.withdraw(odd) and odd.future is not None:  # a worker has it: let it end before the files go
            with contextlib.suppress(BaseException):
                odd.future.result()
        for part in parts:
            part.unlink(missing_ok=True)


def _join(parts: list[Path], path: Path, title: str, odd_count: int, even_count: int) -> None:
    """The odd pages (parts[0]) and the even pages (parts[1]) interleaved into one PDF at `path`."""
    from pypdf import PdfReader, PdfWriter

    if odd_count - even_count not in (0, 1):
        raise RuntimeError(f"the report's page halves do not fit together ({odd_count} and {even_count} pages)")
    odd = PdfReader(parts[0])
    even = PdfReader(parts[1]) if even_count else None  # a PDF of no pages is not written
    writer = PdfWriter()
    for i in range(odd_count + even_count):
        writer.add_page((odd if i % 2 == 0 else even).pages[i // 2])
    writer.add_metadata({"/Title": title, "/Creator": "mentorsim"})
    with open(path, "wb") as out:
        writer.write(out)


def document_text(doc: Document, captions: dict[str, str]):
    """Every text the pages of `doc` print (names from a config or HR data among them)."""
    yield doc.title
    b = doc.brief
    if b is not None:
        yield from (b.title, b.question, b.answer, b.caveat, b.chart_note, *b.drivers)
        for f in b.figures:
            yield from (f.label, f.value, f.detail)
    for section in doc.sections:
        yield section.heading
        yield from section.paragraphs
        yield from (str(cell) for row in section.table for cell in row)
    yield from (str(cell) for row in doc.glossary for cell in row)
    yield from doc.appendix or ()
    yield from captions.values()


def draw_pages(path: Path, doc: Document, charts: dict[str, Path], captions: dict[str, str], every: int = 1,
               start: int = 1) -> int:
    """Lay out the whole report and draw pages start, start + every, ... into the PDF at `path`; returns
    how many it drew. A task of its own: a worker process may draw a share of the pages."""
    from matplotlib.backends.backend_pdf import PdfPages

    from ..charts.style import plt, rc_scope

    drawn = []

    def keep(number: int) -> bool:
        if number % every == start % every:
            drawn.append(number)
            return True
        return False

    face = face_for(document_text(doc, captions))  # the same in every process drawing a share of the pages
    with rc_scope(face.rc), PdfPages(path, metadata={"Title": doc.title, "Creator": "mentorsim"}) as pdf:
        p = Pages(pdf, plt, keep, face)
        if doc.brief is not None:
            brief_page(p, doc.title, doc.brief, charts.get(doc.brief.chart))
            if p.number == 1:  # the details start a page of their own, unless the brief's chart already did
                p.new_page()
        else:
            p.new_page()
            p.heading(doc.title, size=17)
        for s in doc.sections:
            if s.charts and not s.table:  # a heading, its words and its first chart stay on one page
                p.room(0.6 + 0.45 * len(s.paragraphs) + 3.6 + 0.5)
            p.heading(s.heading)
            for para in s.paragraphs:
                p.paragraph(para)
            if s.table:
                n = len(s.table[0])
                first = 0.46 if n < 4 else 0.3  # wide tables give the other columns room
                p.table(s.table, widths=[first] + [(1 - first) / (n - 1)] * (n - 1) if n > 1 else None)
            for c in s.charts:
                p.image(c, height=3.6, caption=captions.get(Path(c).stem, ""))
        if doc.glossary:
            p.new_page()
            p.heading(GLOSSARY)
            p.paragraph("For analysts: the key in metrics.json behind each figure of this report.", size=9,
                        color=MUTED)
            p.table([("Figure", "metrics.json key"), *doc.glossary], widths=[0.5, 0.5], size=8)
        if doc.appendix:
            p.new_page()
            p.heading(doc.appendix[0])
            p.monospace(doc.appendix[1])
        p.close_page()
    return len(drawn)
