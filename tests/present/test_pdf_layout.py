"""The PDF's page flow: when page 1 is full, its chart opens page 2 and the report goes on below it."""
from __future__ import annotations

import pytest

from sim.present.brief import Brief, KeyFigure
from sim.present.document import Document, Section
from sim.present.pdf import write_pdf

pypdf = pytest.importorskip("pypdf")


def _chart(path):
    from sim.charts.style import figure, save

    fig, axes = figure()
    axes[0, 0].plot([0, 1], [0, 1])
    return save(fig, path)


@pytest.mark.parametrize("drivers", [1, 40])
def test_the_details_follow_the_brief_chart_on_its_page(tmp_path, drivers):
    chart = _chart(tmp_path / "cost_value.png")
    brief = Brief(title="A brief", question="What?", answer="This.",
                  figures=[KeyFigure("Figure", "1", "context", ("k",))],
                  drivers=[f"Driver number {i} of the result." for i in range(drivers)],
                  caveat="One draw.", chart="cost_value", chart_note="The chart note.")
    doc = Document(title="Report", brief=brief, sections=[Section("The run in detail", paragraphs=["Details."])])
    write_pdf(tmp_path / "r.pdf", doc, {"cost_value": chart}, {})
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(tmp_path / "r.pdf").pages]
    on_first = "The chart note." in pages[0]
    assert on_first == (drivers == 1)  # a full page 1 sends the chart on
    assert "The run in detail" not in pages[0]
    assert "The run in detail" in pages[1]  # never a page holding the chart alone
    assert len(pages) == 2


def test_page_ones_chart_is_never_drawn_too_small_to_read(tmp_path, monkeypatch):
    """However much of page 1 the brief fills, its chart is drawn at BRIEF_CHART_MIN or taller (on page 2
    when page 1 has less room), never squeezed into what is left."""
    from sim.present import pdf

    chart = _chart(tmp_path / "cost_value.png")
    drawn = []  # the height of each chart drawn
    image = pdf.Pages.image

    def record(self, path, height, caption=""):
        drawn.append(height)
        return image(self, path, height, caption)

    monkeypatch.setattr(pdf.Pages, "image", record)
    for drivers in range(1, 30):  # page 1 from nearly empty to overfull: every room left in between
        brief = Brief(title="A brief", question="What?", answer="This.",
                      figures=[KeyFigure("Figure", "1", "context", ("k",))],
                      drivers=[f"Driver number {i} of the result, long enough to wrap onto a second line of the "
                               f"page so that each one takes a different share of it." for i in range(drivers)],
                      caveat="One draw.", chart="cost_value", chart_note="The chart note.")
        doc = Document(title="Report", brief=brief, sections=[])
        write_pdf(tmp_path / "r.pdf", doc, {"cost_value": chart}, {})
    assert len(drawn) == 29 and min(drawn) >= pdf.BRIEF_CHART_MIN
    assert any(h < pdf.BRIEF_CHART for h in drawn)  # some page 1s had less than the full height, and kept it
