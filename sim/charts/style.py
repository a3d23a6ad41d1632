"""One style for every chart."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

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
PALETTE = ["#1b6ca8", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#9c755f", "#bab0ac"]
PROGRAM, TWIN = PALETTE[0], PALETTE[7]


def figure(ncols: int = 1, width: float = 8.0, height: float = 4.5):
    with plt.rc_context(STYLE):
        return plt.subplots(1, ncols, figsize=(width, height), squeeze=False)


def save(fig, path: Path) -> Path:
    """Write atomically (temporary name, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(STYLE):
        fig.tight_layout()
        tmp = path.with_name(f".{path.name}.tmp.png")
        fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)
    return path


def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or value != value else f"{100 * value:.{digits}f}%"
