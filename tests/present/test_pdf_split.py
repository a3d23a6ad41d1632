"""A report's PDF drawn in two halves (this process and a worker) is the same PDF as drawn in one pass."""
from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

import pytest

from sim.present.brief import Brief, KeyFigure
from sim.present.document import Document, Section
from sim.present.pdf import draw_pages, write_pdf
from sim.runs.tasks import Task, Workers

pypdf = pytest.importorskip("pypdf")


def _document(tmp_path, sections: int) -> tuple[Document, dict]:
    from sim.charts.style import figure, save

    fig, axes = figure()
    axes[0, 0].plot([0, 1], [0, 1])
    chart = save(fig, tmp_path / "cost_value.png")
    brief = Brief(title="A brief", question="What?", answer="This.",
                  figures=[KeyFigure("Figure", "1", "context", ("k",))], drivers=["A driver."],
                  caveat="One draw.", chart="cost_value", chart_note="The chart note.")
    body = [Section(f"Section {i}", paragraphs=[f"Paragraph {i}.{j} " + "words " * 60 for j in range(6)])
            for i in range(sections)]
    doc = Document(title="Report", brief=brief, sections=[*body, Section("Charts", charts=[chart])],
                   glossary=[("Figure", "k")], appendix=("Appendix", "a: 1\nb: 2\n"))
    return doc, {"cost_value": chart}


def _texts(path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(path).pages]


@pytest.mark.parametrize("sections", [0, 3, 8])  # an odd and an even number of pages among them
def test_two_halves_make_the_same_pages_as_one_pass(tmp_path, sections):
    doc, charts = _document(tmp_path, sections)
    write_pdf(tmp_path / "one.pdf", doc, charts, {})
    workers = Workers(1)
    try:
        write_pdf(tmp_path / "two.pdf", doc, charts, {}, workers=workers)
    finally:
        workers.close()
    one, two = _texts(tmp_path / "one.pdf"), _texts(tmp_path / "two.pdf")
    assert len(one) >= 3 + (sections > 0)
    assert two == one  # every page, in order (each page carries its number)
    assert pypdf.PdfReader(tmp_path / "two.pdf").metadata["/Title"] == "Report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cost_value.png", "one.pdf", "two.pdf"]  # no halves left


def test_drawing_every_other_page_counts_the_pages_it_drew(tmp_path):
    doc, charts = _document(tmp_path, 3)
    total = draw_pages(tmp_path / "all.pdf", doc, charts, {})
    odd = draw_pages(tmp_path / "odd.pdf", doc, charts, {}, 2, 1)
    even = draw_pages(tmp_path / "even.pdf", doc, charts, {}, 2, 2)
    assert (odd, even) == ((total + 1) // 2, total // 2)
    assert _texts(tmp_path / "odd.pdf") == _texts(tmp_path / "all.pdf")[::2]


class _LostWorker:
    """Workers whose process died: the task's result raises."""
    jobs = 1

    def submit(self, fn, *args):
        def gone(*_):
            raise BrokenProcessPool("worker process gone")
        return Task(gone, args, None)

    def withdraw(self, task):
        return False  # the worker had it


def test_a_lost_worker_leaves_every_page_to_this_process(tmp_path):
    doc, charts = _document(tmp_path, 3)
    write_pdf(tmp_path / "one.pdf", doc, charts, {})
    write_pdf(tmp_path / "two.pdf", doc, charts, {}, workers=_LostWorker())
    assert _texts(tmp_path / "two.pdf") == _texts(tmp_path / "one.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cost_value.png", "one.pdf", "two.pdf"]


def test_a_page_this_process_does_not_draw_makes_no_figure(tmp_path, monkeypatch):
    """The pages left to the other process are laid out only: no matplotlib figure (nor text, nor image)
    is made for them, and the pages drawn are those of one pass."""
    from sim.charts.style import plt

    doc, charts = _document(tmp_path, 3)
    total = draw_pages(tmp_path / "all.pdf", doc, charts, {})
    made = []
    real = plt.figure
    monkeypatch.setattr(plt, "figure", lambda *a, **k: made.append(1) or real(*a, **k))
    even = draw_pages(tmp_path / "even.pdf", doc, charts, {}, 2, 2)
    assert len(made) == even == total // 2
    assert _texts(tmp_path / "even.pdf") == _texts(tmp_path / "all.pdf")[1::2]
