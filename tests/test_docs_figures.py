"""The documentation quotes the code: every generated block in docs/MODEL.md and README.md is the
rendering of docs/figures.json, and a fresh run reproduces the stored figures exactly.

When a change to the model moves a documented figure, these tests fail until
`python experiments/docs_figures.py` is run again (and the new text is read before committing).
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def docs_figures():
    spec = importlib.util.spec_from_file_location("docs_figures", ROOT / "experiments" / "docs_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stored():
    return json.loads((ROOT / "docs" / "figures.json").read_text())


@pytest.mark.parametrize("block", ["example_run", "pairing", "mechanism"])
def test_docs_quote_the_stored_figures(docs_figures, stored, block):
    quoted = docs_figures.quoted_block(block)
    assert quoted is not None, f"the generated block {block!r} is missing"
    assert quoted == docs_figures.RENDERERS[block](stored), (
        "the docs differ from the rendering of docs/figures.json: run `python experiments/docs_figures.py --render`")


@pytest.mark.parametrize("study, overrides", [("default", ["sim.seed=0"]), ("none", ["program=none", "sim.seed=0"])])
def test_the_code_still_gives_the_stored_figures(docs_figures, stored, study, overrides):
    fresh = json.loads(json.dumps(docs_figures.figures_of(overrides)))  # the same JSON round trip as the file
    assert fresh == stored[study][0], (
        "the model no longer reproduces the documented figures: run `python experiments/docs_figures.py` "
        "and read the regenerated text")


def test_a_changed_figure_is_caught(docs_figures, stored):
    """The check can fail: one stored figure changed gives a different rendering."""
    changed = json.loads(json.dumps(stored))
    changed["default"][0]["roi"] += 1.0
    assert docs_figures.RENDERERS["example_run"](changed) != docs_figures.RENDERERS["example_run"](stored)
