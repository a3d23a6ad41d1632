"""One style for every chart."""
from __future__ import annotations

import functools
import gc
import struct
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.layout_engine import TightLayoutEngine  # noqa: E402

STYLE = {  # each value as rcParams stores it, so a nested chart_style() finds nothing to set
    "figure.figsize": [8.0, 4.5],
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
# What a chart reads of matplotlib's settings: its defaults with STYLE over them, so a chart comes out the
# same whatever the process's own settings are. Left out, as matplotlib's style.use leaves them: the
# settings of the process rather than of a picture (backend, interactivity, dialogs, the web server).
PROCESS_SETTINGS = frozenset({"backend", "backend_fallback", "date.epoch", "docstring.hardcopy",
                              "figure.max_open_warning", "figure.raise_window", "interactive", "savefig.directory",
                              "timezone", "tk.window_focus", "toolbar"})
CHART_RC = {**{key: matplotlib.rcParamsDefault[key] for key in matplotlib.rcParamsDefault
               if key not in PROCESS_SETTINGS and not key.startswith("webagg.")}, **STYLE}

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
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_FILTER_UP = 2  # each byte stored as its difference from the byte above it (PNG spec, section 9.2)


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


_SETTINGS = threading.RLock()  # matplotlib's settings are the process's: one scope at a time (nested: one thread)


@contextmanager
def rc_scope(rc: dict):
    """matplotlib's settings `rc` while the block runs, put back after, each through rcParams' own item
    access. Not matplotlib's rc_context: that puts them back by writing into the dict beneath rcParams,
    and where rcParams reads another dict (Solara's server, the explorer's, gives each browser session
    its own) the settings it set stay for the rest of the process. Only the settings that differ are
    set, so a scope nested in one that set them costs a look-up each. One thread at a time: two
    scopes that overlap in time but do not nest would put back each other's settings half-way."""
    with _SETTINGS:
        params = matplotlib.rcParams
        saved = {key: params[key] for key, value in rc.items() if params[key] != value}
        try:
            params.update({key: rc[key] for key in saved})
            yield
        finally:
            params.update(saved)


def chart_style():
    """Every setting a chart reads at CHART_RC, from its figure's creation to its file (titles, labels,
    legends and ticks read them when they are made, text sizes again when drawn)."""
    return rc_scope(CHART_RC)


def drawn_in_style(draw):
    """Decorator of a chart function: the whole chart drawn inside chart_style()."""
    @functools.wraps(draw)
    def styled(*args, **kwargs):
        with chart_style():
            return draw(*args, **kwargs)
    return styled


def figure(ncols: int = 1, width: float = 8.0, height: float = 4.5, nrows: int = 1, **share):
    """A figure on its own Agg canvas, outside pyplot's registry (nothing to close; closing a pyplot
    figure runs a garbage collection); `share`: subplots' sharex/sharey. Called by a chart function
    decorated with @drawn_in_style (tests/charts/test_chart_style.py checks that each one is): called
    outside chart_style(), only the figure's creation is in the style, as its saving is."""
    with chart_style():
        fig = Figure(figsize=(width, height))
        FigureCanvasAgg(fig)
        return fig, fig.subplots(nrows, ncols, squeeze=False, **share)


def figure_with_key(ncols: int = 1, width: float = 8.0, height: float = 4.5, key_height: float = 0.5):
    """A row of `ncols` axes over a row for a key (legends) across them, whose axes are hidden: the layout
    makes room for what the key holds, as it would not for a figure legend. Heights in inches, the key's
    within `height`. (figure, list of axes, key axes)"""
    with chart_style():
        fig = Figure(figsize=(width, height))
        FigureCanvasAgg(fig)
        grid = fig.add_gridspec(2, ncols, height_ratios=(height - key_height, key_height))
        axes = [fig.add_subplot(grid[0, j]) for j in range(ncols)]
        key = fig.add_subplot(grid[1, :])
        key.axis("off")
        return fig, axes, key


def save(fig, path: Path) -> Path:
    """Lay out, draw once and write as PNG, atomically (temporary name, then rename); in the charts'
    style (inside a chart function's chart_style(), that costs a look-up)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with chart_style():
        engine = fig.get_layout_engine()
        if isinstance(engine, TightLayoutEngine):  # a chart that set its own padding
            engine.execute(fig)
        else:
            fig.tight_layout()
        # tight_layout leaves a placeholder layout engine behind, and savefig runs a whole extra
        # (unrendered) draw for any engine; the layout is done, so drop it and draw once
        fig.set_layout_engine(None)
        canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    # An opaque figure (every chart here) is written without its alpha channel: the same pixels,
    # a quarter less to filter and compress.
    pixels = rgba[..., :3] if rgba[..., 3].min() == 255 else rgba
    tmp = path.with_name(f".{path.name}.tmp.png")
    tmp.write_bytes(png_bytes(pixels, fig.dpi))
    tmp.replace(path)
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(pixels: np.ndarray, dpi: float) -> bytes:
    """8-bit RGB or RGBA pixels (rows, columns, channels) as a PNG file, every row filtered "up", then
    deflated at PNG_COMPRESS_LEVEL. Pillow, which has no setting for it, tries four filters on every row
    and keeps the one that looks smallest: for a chart's flat colours that search costs more than the
    compression and saves about 3% of the file (the run charts: 80 ms against 30 for the pack)."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"png_bytes takes 8-bit RGB or RGBA pixels, not {pixels.dtype} of shape {pixels.shape}")
    height, width, channels = pixels.shape
    rows = np.ascontiguousarray(pixels).reshape(height, width * channels)  # row by row: a fast subtraction
    filtered = np.empty((height, 1 + width * channels), np.uint8)
    filtered[:, 0] = PNG_FILTER_UP
    filtered[0, 1:] = rows[0]  # the row above the first is zeros
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # modulo 256, as the filter is defined
    colour_type = {3: 2, 4: 6}[channels]  # truecolour, truecolour with alpha
    per_metre = round(dpi / 0.0254)
    return b"".join([PNG_SIGNATURE,
                     _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)),
                     _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
                     _chunk(b"IDAT", zlib.compress(filtered.tobytes(), PNG_COMPRESS_LEVEL)),
                     _chunk(b"IEND", b"")])


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
