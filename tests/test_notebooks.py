"""The notebooks in notebooks/ run top to bottom without an error (small settings).

Each is executed in a fresh python3 kernel with MENTORSIM_NOTEBOOK_SMALL=1, its
working directory and its output folder in tmp_path, and must leave the files
its last cells say they wrote. The stored notebooks carry no outputs.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
ENV = "MENTORSIM_NOTEBOOK_SMALL"


def execute(name: str, tmp_path: Path, monkeypatch) -> nbformat.NotebookNode:
    out = tmp_path / "out"
    monkeypatch.setenv(ENV, "1")
    monkeypatch.setenv("MENTORSIM_NOTEBOOK_OUT", str(out))
    monkeypatch.delenv("MENTORSIM_CONFIG_DIR", raising=False)
    monkeypatch.delenv("HYDRA_FULL_ERROR", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))  # this checkout
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first cell that fails
    for cell in nb.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            assert not errors, errors
    return nb


def text_of(nb) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if "text" in o:
                parts.append(o["text"])
            parts.append(o.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def images_of(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("name", ["tutorial", "researcher", "hr_data"])
def test_stored_notebook_is_clean(name):
    path = NOTEBOOKS / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code), "clear the outputs"
    assert any(c.cell_type == "markdown" for c in nb.cells)
    assert ENV in "\n".join(c.source for c in code)  # the small/realistic switch
    assert nb.metadata["kernelspec"]["name"] == "python3"
    json.loads(path.read_text())


@pytest.mark.slow
def test_tutorial_runs(tmp_path, monkeypatch):
    nb = execute("tutorial", tmp_path, monkeypatch)
    out = tmp_path / "out"
    text = text_of(nb)
    assert "settings: org=small, 2 years" in text
    assert "retention chart of the run without a program: None" in text
    assert images_of(nb) == 6  # every chart of the pack, displayed
    folder = out / "run-default-program"
    assert (folder / "report.html").stat().st_size > 0 and (folder / "report.pdf").stat().st_size > 0
    assert (folder / "twin" / "metrics.json").is_file()
    assert sorted(p.name for p in (out / "charts").glob("*.png")) == sorted(
        ["retention.png", "turnover_by_level.png", "pipeline.png", "succession.png", "representation.png",
         "cost_value.png"])
    assert not (tmp_path / "outputs").exists()  # nothing written beside the notebook's working directory


@pytest.mark.slow
def test_researcher_runs(tmp_path, monkeypatch):
    nb = execute("researcher", tmp_path, monkeypatch)
    out = tmp_path / "out"
    text = text_of(nb)
    assert "settings: org=small, 1 years, 2 seeds" in text
    sweep = out / "sweep"
    jobs = [p for p in sweep.iterdir() if (p / "status.json").is_file()]
    assert len(jobs) == 8  # 2 x 2 grid x 2 seeds
    assert (sweep / "runs.parquet").is_file()
    assert (sweep / "report.html").is_file() and (sweep / "report.pdf").is_file()
    assert {p.name for p in (sweep / "charts").glob("*.png")} == {"heatmap.png", "cost_value.png"}
    sens = out / "sensitivity"
    assert (sens / "sensitivity.csv").is_file() and (sens / "report.html").is_file()
    assert len(list(sens.glob("sensitivity_*.png"))) == 2
    assert images_of(nb) >= 4  # heatmap, cost/value, two tornados
    assert not (tmp_path / "outputs").exists()


@pytest.mark.slow
def test_hr_data_runs(tmp_path, monkeypatch):
    nb = execute("hr_data", tmp_path, monkeypatch)
    out = tmp_path / "out"
    text = text_of(nb)
    assert "settings: org=small, 6 years of history, cut 2023-01-01, 5 backtest seeds" in text
    assert "coverage by measure:" in text and "starts from: acme.parquet" in text
    configs = out / "my-configs"
    for path in ("org/acme.yaml", "experiment/acme.yaml", "snapshots/acme.parquet", "reports/acme/report.html",
                 "reports/acme/report.pdf", "reports/acme/backtest.csv"):
        assert (configs / path).is_file(), path
    assert not (tmp_path / "outputs").exists()
