"""A page's lines of text as one matplotlib artist (imported only when pages are drawn)."""
from __future__ import annotations

from matplotlib.artist import Artist
from matplotlib.font_manager import FontProperties

__all__ = ["FontProperties", "Lines"]


class Lines(Artist):
    """Lines of text, each handed straight to the renderer at its baseline. `items`: (x and baseline in
    inches from the page's lower left corner, text, FontProperties, colour). The page layout has placed
    every line already; a matplotlib Text artist for each would lay it out and align it again, which was
    most of the cost of drawing the text."""

    def __init__(self):
        super().__init__()
        self.set_zorder(3)  # over the page's shading and charts, as matplotlib's text is
        self.items: list[tuple[float, float, str, FontProperties, str]] = []

    def draw(self, renderer):
        dpi = self.figure.dpi  # inches to the renderer's units (points in a PDF)
        height = renderer.get_canvas_width_height()[1]
        gc = renderer.new_gc()
        for x, y, text, font, colour in self.items:
            gc.set_foreground(colour)
            renderer.draw_text(gc, x * dpi, height - y * dpi if renderer.flipy() else y * dpi, text, font, 0)
        gc.restore()
