"""The drawing plumbing of sim.charts.style: the heap frozen while charts are drawn and thawed after; the PNG writer."""
from __future__ import annotations

import gc

import numpy as np
import pytest

import sim.charts.run as run_module
from sim.charts.style import heap_frozen


class Node:
    pass


def test_the_heap_is_frozen_while_drawing_and_thawed_after_even_on_error():
    before = gc.get_freeze_count()
    if before:
        pytest.skip("something in this process froze the heap already")
    with heap_frozen():
        assert gc.get_freeze_count() > 0  # what existed is out of the full passes
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), heap_frozen():
        raise RuntimeError("a chart failed")
    assert gc.get_freeze_count() == 0


def test_a_freeze_made_elsewhere_is_left_as_it_was(monkeypatch):
    """Neither frozen again nor thawed. (Counting the frozen objects would not tell: objects frozen
    elsewhere may be freed meanwhile, which lowers the count.)"""
    gc.freeze()
    try:
        calls = []
        monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
        monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
        with heap_frozen():
            _ = [Node() for _ in range(10)]
        assert calls == []
    finally:
        monkeypatch.undo()
        gc.unfreeze()


def test_run_charts_draws_with_the_heap_frozen(tmp_path, monkeypatch):
    if gc.get_freeze_count():
        pytest.skip("something in this process froze the heap already")
    seen = []
    monkeypatch.setattr(run_module, "RUN_CHARTS", {"probe": lambda result, path: seen.append(gc.get_freeze_count())})
    assert run_module.run_charts(None, tmp_path) == []
    assert seen and seen[0] > 0


@pytest.mark.parametrize("channels", [3, 4])
def test_png_bytes_decode_to_the_same_pixels_and_resolution(channels, tmp_path):
    """Every byte value in every row, and rows that differ from the one above in both directions
    (the "up" filter wraps modulo 256)."""
    from PIL import Image

    from sim.charts.style import png_bytes

    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(37, 53, channels), dtype=np.uint8)
    pixels[5] = 255
    pixels[6] = 0
    path = tmp_path / "p.png"
    path.write_bytes(png_bytes(pixels, 110))
    with Image.open(path) as image:
        assert image.mode == ("RGB" if channels == 3 else "RGBA")
        assert image.info["dpi"] == pytest.approx((110, 110), abs=0.01)
        assert np.array_equal(np.asarray(image), pixels)
