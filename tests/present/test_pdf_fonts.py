"""The report's PDF in the standard PDF fonts: nothing embedded, matplotlib's settings left as they
were, every wrapped line inside its column (measured with the fonts' AFM metrics), lines evenly spaced
on their baselines, and no character lost to a "?"."""
from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from sim.present.document import Document, Section
from sim.present.pdf import Pages, write_pdf
from sim.present.pdf_fonts import PDF_SPELLING, pdf_text
from sim.present.report import write_report
from tests.present.test_report import job

pypdf = pytest.importorskip("pypdf")
afmLib = pytest.importorskip("fontTools.afmLib")  # fontTools comes with matplotlib
from fontTools.agl import UV2AGL  # noqa: E402

AFM_DIR = Path(matplotlib.get_data_path()) / "fonts" / "pdfcorefonts"
STANDARD = {"/Helvetica", "/Helvetica-Bold", "/Courier"}


def _fonts(path: Path) -> dict:
    """Every font the PDF's pages use, by its PostScript name."""
    out = {}
    for page in pypdf.PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            out[font["/BaseFont"]] = font
    return out


def _baselines(page) -> list[tuple[float, float, str]]:
    """(font size, baseline height in points, text) of every text run on a page, top first."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((round(size, 2), tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text))

    page.extract_text(visitor_text=visit)
    return runs


def _document(paragraph: str, rows: list[tuple], appendix: str) -> Document:
    return Document(title="Fonts", sections=[Section("A heading", paragraphs=[paragraph], table=rows)],
                    glossary=[("A figure", "a.key")], appendix=("Appendix", appendix))


# lines of one paragraph that differ in their glyphs: tall (parentheses, accents), with descenders, without
UNEVEN = " ".join(["(ÉÅ) [Ü] {Ö}", "gypsy jog jquery", "mom was on a rise", "ACE NEW MOM"] * 12)
CONFIG = "org:\n  name: default\n  levels: [1, 2, 3]\n  groups: {a: 0.5}\nmoney: 100\n" * 8


def test_the_pages_use_the_standard_fonts_and_leave_matplotlib_as_it_was(tmp_path):
    import sim.charts.style  # noqa: F401  (which chooses matplotlib's backend when imported)

    before = dict(matplotlib.rcParams)
    write_pdf(tmp_path / "r.pdf", _document("Words.", [("a", "b"), ("1", "2")], CONFIG), {}, {})
    assert dict(matplotlib.rcParams) == before  # the fonts are set only while the pages are drawn
    fonts = _fonts(tmp_path / "r.pdf")
    assert set(fonts) == STANDARD
    assert all("/FontDescriptor" not in f for f in fonts.values())  # nothing embedded


@pytest.mark.parametrize("size", [10, 8])  # the body's and the appendix' lines (Helvetica and Courier)
def test_lines_are_evenly_spaced_whatever_their_glyphs(tmp_path, size):
    write_pdf(tmp_path / "r.pdf", _document(UNEVEN, [], CONFIG), {}, {})
    pages = pypdf.PdfReader(tmp_path / "r.pdf").pages
    if size == 10:
        ys = [y for s, y, _ in _baselines(pages[0]) if s == 10]  # the paragraph's lines
    else:
        ys = [y for s, y, _ in _baselines(pages[-1]) if s == 6.5]  # the appendix' lines (one column)
    assert len(ys) >= 6
    steps = [a - b for a, b in zip(ys, ys[1:])]
    assert max(steps) - min(steps) < 0.01, steps  # points; the glyphs' own heights differ by 1 to 3


def _width(afm, line: str, size: float) -> float:
    """A line's width in inches, from the font's AFM metrics (as the PDF reader sets it)."""
    return sum(afm[UV2AGL[ord(c)]][1] for c in line) / 1000 * size / 72


@pytest.fixture(scope="module")
def wrapped(tmp_path_factory):
    """Every line the layout wrapped while writing a real run's report and a sensitivity report: (line,
    width it was wrapped to, size, font, whether another line of its text follows it)."""
    run = job(tmp_path_factory.mktemp("fonts") / "run")
    sens = tmp_path_factory.mktemp("fonts-sens") / "sens"
    sens.mkdir()
    (sens / "sensitivity.csv").write_text(
        "outcome,parameter,importance,mu_star,mu_star_conf\n"
        "turnover_annual,attrition.engagement_effect,0.3,0.3,0.05\n"
        "internal_fill_rate_leadership,program.cadence_weeks,0.012,0.012,0.004\n")
    lines = []
    real = Pages.wrap

    def wrap(self, s, width_in, size, bold=False, mono=False, indent=""):
        out = real(self, s, width_in, size, bold, mono, indent)
        font = "Courier" if mono else "Helvetica-Bold" if bold else "Helvetica"
        lines.extend((line, width_in, size, font, k < len(out) - 1) for k, line in enumerate(out))
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Pages, "wrap", wrap)
        write_report(run)
        write_report(sens)
    return lines


def test_every_wrapped_line_fits_its_column(wrapped):
    afm = {name: afmLib.AFM(str(AFM_DIR / f"{name}.afm")) for name in ("Helvetica", "Helvetica-Bold", "Courier")}
    assert {font for _, _, _, font, _ in wrapped} == set(afm) and len(wrapped) > 300
    fill = [(_width(afm[font], line, size) / width, line, more) for line, width, size, font, more in wrapped]
    assert max(fill)[0] <= 1, max(fill)
    # and the text's lines fill most of its width (or the characters assumed were too wide): a line of a
    # paragraph that another follows (a narrow cell's wrap is coarser, a word's length from its width)
    full = sorted(f for (f, _, more), (_, width, *_) in zip(fill, wrapped) if more and width > 6)
    assert len(full) > 25 and full[0] > 0.8 and full[len(full) // 2] > 0.85, full


def test_characters_outside_winansi_are_spelt_not_lost(tmp_path):
    odd = "".join(chr(k) for k in PDF_SPELLING)
    text = f"Effect {odd} and ő (Kőrösi) −0.25 ≥ 1% → ×2 ± 5; μ* of δ"
    doc = _document(text, [("Key " + odd, "−1.5 ≤ x"), ("ρ", "σ → ∞")], f"name: {odd}\nrate: −0.1\n")
    doc.title = "Report on −0.3 ≥ 0"
    write_pdf(tmp_path / "r.pdf", doc, {}, {})
    pages = " ".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "r.pdf").pages)
    assert "?" not in pages  # the source has none, and every character came through as itself or spelt
    flat = " ".join(pages.split())
    for spelt in ("-0.25 >= 1% -> ×2 ± 5; µ* of delta", "Korösi", "-1.5 <= x", "sigma -> inf", "rate: -0.1"):
        assert spelt in flat, spelt
    for c in PDF_SPELLING:  # a table entry WinAnsi already has would be a needless change
        with pytest.raises(UnicodeEncodeError):
            chr(c).encode("cp1252")


def test_what_no_spelling_covers_becomes_one_question_mark():
    assert pdf_text("中 ok ő") == "? ok o"
    assert pdf_text("±5 • µ é – —") == "±5 • µ é – —"  # WinAnsi has them: unchanged


@pytest.mark.parametrize("name", ["Отдел продаж", "研发部", "Ωmega team"])
def test_a_name_the_standard_fonts_cannot_show_draws_the_pdf_in_dejavu(tmp_path, name):
    """A level, group or department name in another script (from a config or HR data) keeps its letters:
    the whole PDF is then drawn in DejaVu, embedded, instead of losing them to "?"."""
    path = tmp_path / "r.pdf"
    write_pdf(path, _document(f"The {name} department.", [("Group", "Share"), (name, "12%")], CONFIG), {}, {})
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    assert name.split()[0] in text and "?" not in text
    assert not set(_fonts(path)) & STANDARD  # DejaVu throughout, not a mixture


def test_a_latin_document_keeps_the_standard_fonts(tmp_path):
    path = tmp_path / "r.pdf"
    write_pdf(path, _document("Überblick: the café's team, 5 × 2 ± 1.", [("Group", "Share"), ("Équipe", "1%")],
                              CONFIG), {}, {})
    assert set(_fonts(path)) <= STANDARD
