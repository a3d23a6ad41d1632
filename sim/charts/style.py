"""One style for every chart."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

STYLE = {
    "figure.figsize": (8, 4.5),
    "figure.dpi": 110,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "font.size": 10,
    "legend.frameon": False,
}
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency (the grey is a warm one, so no anti-aliased black edge passes for it). One language
# across the run charts: the program's world is blue, its twin (the same organization without
# it) grey; where a bar is a gain or a loss against the twin, a gain
# (better) is blue and a loss (worse) vermillion, and the legend says which is which.
PALETTE = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#f0e442", "#9d9790"]
PROGRAM, TWIN = PALETTE[0], PALETTE[7]
BETTER, WORSE = PALETTE[0], PALETTE[3]


# PNG's fastest zlib level: about twice as fast to encode as the default (6), the file under a tenth
# bigger; decoding costs the same.
PNG_COMPRESS_LEVEL = 1


@contextmanager
def heap_frozen():
    """While charts are drawn, leave the objects that already exist out of the garbage collector's full
    passes. A chart makes tens of thousands of short-lived objects in reference cycles, enough to set
    off a full collection, which would walk the whole program's heap (in the default command's process,
    a tenth of the run charts' CPU); frozen, it walks what the drawing made. The heap is thawed after,
    as it was. If something else froze it (before forking workers, say), that choice stands."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def figure(ncols: int = 1, width: float = 8.0, height: float = 4.5):
    """A figure on its own Agg canvas, outside pyplot's registry (nothing to close; closing a pyplot
    figure runs a garbage collection)."""
    with plt.rc_context(STYLE):
        fig = Figure(figsize=(width, height))
        FigureCanvasAgg(fig)
        return fig, fig.subplots(1, ncols, squeeze=False)


def save(fig, path: Path) -> Path:
    """Lay out, draw once and write as PNG, atomically (temporary name, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with plt.rc_context(STYLE):
        fig.tight_layout()
        # tight_layout leaves a placeholder layout engine behind, and savefig runs a whole extra
        # (unrendered) draw for any engine; the layout is done, so drop it and draw once
        fig.set_layout_engine(None)
        canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    # An opaque figure (every chart here) is written without its alpha channel: the same pixels,
    # a quarter less to filter and compress.
    image = Image.fromarray(rgba)
    if rgba[..., 3].min() == 255:
        image = image.convert("RGB")
    tmp = path.with_name(f".{path.name}.tmp.png")
    image.save(tmp, format="png", compress_level=PNG_COMPRESS_LEVEL, dpi=(fig.dpi, fig.dpi))
    plt.close(fig)
    tmp.replace(path)
    return path


def pinned_title(ax, text: str, **kwargs):
    """A title at the top of the axes, where matplotlib's automatic placement would leave it, without
    that placement: it measures the y axis again in each pass (a tenth of a run chart's drawing) only
    to lift a title clear of ticks on top or an offset text such as "1e6" beside it. For axes whose y
    values are shares, rates or counts from zero below a million, or categories: they have neither."""
    return ax.set_title(text, y=1.0, **kwargs)


def level_colours(n: int) -> list[str]:
    """n colours of the cividis map (colour-blind safe, dark to light), one per level, junior first."""
    from matplotlib.colors import to_hex

    return [to_hex(plt.get_cmap("cividis")(x)) for x in ([0.5] if n == 1 else
                                                         [0.05 + 0.85 * i / (n - 1) for i in range(n)])]


def by_sign(values) -> list[str]:
    """BETTER for a gain (>= 0), WORSE for a loss: the colour follows the sign, never the label."""
    return [BETTER if v >= 0 else WORSE for v in values]


def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or value != value else f"{100 * value:.{digits}f}%"
