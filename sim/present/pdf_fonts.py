"""The fonts a report's PDF pages are drawn with, and what the page layout needs to know of them.

The standard PDF fonts (Helvetica, Helvetica-Bold, Courier) are in every PDF reader: matplotlib writes
each line as one string, with no glyph-by-glyph layout and no font to embed, which halves the CPU of
drawing a report's pages. They show the WinAnsi (cp1252) characters only; `pdf_text` spells the few
others a report's text may hold (the HTML keeps them).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Typeface:
    """What the layout needs to know of the fonts the pages are drawn with, in ems of the font size:
    a character's average width in the report's text, with a margin so a wrapped line does not overflow
    its column (regular, bold; monospace: every character), and the ascender, the height of a line's top
    above its baseline (lines are placed on their baselines, so spacing does not depend on the glyphs)."""
    regular: float
    bold: float
    mono: float
    ascent: float
    mono_ascent: float
    rc: dict = field(default_factory=dict)  # matplotlib's settings while the pages are drawn
    regular_weight: str = "normal"  # the regular fonts' weight as they declare it (matplotlib warns otherwise)
    cp1252: bool = False  # whether text must be spelt in WinAnsi characters (`pdf_text`)


# Helvetica's average character width over a default run report's text is 0.444 em (0.475 in bold, 0.45
# and 0.485 in table cells), from matplotlib's AFM metrics; the margin is that of the DejaVu figures below
# (about 8%). Ascenders from the AFM files: Helvetica 718, Courier 629 (per 1000 em).
STANDARD_FONTS = Typeface(regular=0.48, bold=0.50, mono=0.6, ascent=0.718, mono_ascent=0.629, cp1252=True,
                          rc={"pdf.use14corefonts": True, "font.family": "sans-serif",
                              "font.sans-serif": ["Helvetica"], "font.monospace": ["Courier"]},
                          regular_weight="medium")
# matplotlib's default DejaVu Sans (0.51 em on average, 0.575 in bold; height of "l" 0.76 em) and
# DejaVu Sans Mono (0.602 em): for a page drawn to PNG as well (the design comparison's)
DEJAVU = Typeface(regular=0.55, bold=0.62, mono=0.602, ascent=0.76, mono_ascent=0.76)

# Characters a report's text may hold that WinAnsi lacks (the minus sign, comparisons, arrows, Greek letters
# in parameter names), spelt for the standard fonts; WinAnsi has the others in use (± • – — é × µ ²)
PDF_SPELLING = str.maketrans({
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2015": "-",  # minus and hyphens
    "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u200a": " ",  # thin and narrow spaces
    "\u2265": ">=", "\u2264": "<=", "\u2260": "!=", "\u2248": "~", "\u223c": "~",
    "\u2192": "->", "\u2190": "<-", "\u2194": "<->", "\u21d2": "=>", "\u221e": "inf", "\u221a": "sqrt",
    "\u2211": "sum", "\u0394": "Delta", "\u03b4": "delta", "\u03b1": "alpha", "\u03b2": "beta",
    "\u03b3": "gamma", "\u03bb": "lambda", "\u03bc": "\u00b5", "\u03c1": "rho", "\u03c3": "sigma",
    "\u03c4": "tau", "\u03c7": "chi", "\u03b5": "epsilon", "\u03b8": "theta", "\u03c0": "pi",
    "\u2032": "'", "\u2033": '"', "\u2074": "^4", "\u2075": "^5",
    "\u2076": "^6", "\u2077": "^7", "\u2078": "^8", "\u2079": "^9", "\u2070": "^0", "\u207b": "^-",
})


def pdf_text(s: str) -> str:
    """`s` in the characters the standard PDF fonts show (WinAnsi): the table above, then a letter's
    accents dropped where WinAnsi lacks the accented letter ("ő" -> "o"); what is left becomes "?"."""
    s = s.translate(PDF_SPELLING)
    try:
        s.encode("cp1252")
        return s
    except UnicodeEncodeError:
        return "".join(c if _in_cp1252(c) else "".join(
            d for d in unicodedata.normalize("NFKD", c) if _in_cp1252(d) and not unicodedata.combining(d)) or "?"
            for c in s)


def shown_whole(texts) -> bool:
    """Whether the standard fonts show every one of `texts` without a "?" of `pdf_text`'s (a name in
    Cyrillic, Greek or Chinese, from a config or HR data, would lose every letter)."""
    return all(pdf_text(t).count("?") == t.count("?") for t in texts)


def face_for(texts) -> Typeface:
    """The standard fonts when they show all of `texts`, else DejaVu (embedded: slower to draw, every
    script DejaVu has)."""
    return STANDARD_FONTS if shown_whole(texts) else DEJAVU


def _in_cp1252(c: str) -> bool:
    try:
        c.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


def chars(width_in: float, size: float, face: Typeface, bold: bool = False, mono: bool = False) -> int:
    """How many characters of `size` points fit in `width_in` inches."""
    em = face.mono if mono else face.bold if bold else face.regular
    return max(8, int(width_in * 72 / (em * size)))
