"""The run folder. Every file is written under a temporary name and renamed into
place; `status.json` is written last, so a folder without it (or with a status
other than "complete") is an interrupted run, never a result that looks whole.

    config.yaml              the resolved configuration
    metrics.json             flat summary (keys documented in README)
    timeseries.parquet       (period, level, group, participation) flows and state means
    level_timeseries.parquet (period, level) vacancies, fills, time to fill
    model_timeseries.parquet organization-level series (Mesa DataCollector)
    events.parquet           typed event log
    people.parquet           everyone who joined, as they joined (the starting workforce at week 0)
    effects.csv              with programs and a twin: metric, program, twin, effect
    twin/                    the counterfactual twin's own run folder (no charts)
    charts/*.png             the run's charts (sim.charts.run)
    status.json              {"status": "complete", ...}, written last
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import yaml

from ..version import __version__
from ..config.load import as_dict

STATUS_FILE = "status.json"


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def clean_json(value):
    """NaN and infinities become null: metrics.json stays standard JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean_json(v) for k, v in value.items()}
    return value


def write_json(path: Path, data) -> None:
    _atomic_write(path, lambda p: p.write_text(json.dumps(clean_json(data), indent=1, sort_keys=False) + "\n"))


def write_run(result, folder: Path, charts: bool = True, extra_status: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    status = folder / STATUS_FILE
    if is_complete(folder):
        status.unlink()  # rewriting: the folder is incomplete until the end
    config_text = yaml.safe_dump(as_dict(result.config), sort_keys=False)
    _atomic_write(folder / "config.yaml", lambda p: p.write_text(config_text))
    tables = {
        "timeseries": result.timeseries,
        "level_timeseries": result.level_timeseries,
        "model_timeseries": result.model_timeseries,
        "events": result.events,
    }
    if result.people is not None:
        tables["people"] = result.people
    for name, frame in tables.items():
        _atomic_write(folder / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
    write_json(folder / "metrics.json", result.metrics)
    if result.twin is not None:
        from ..mentoring.evaluation import effects_table

        _atomic_write(folder / "effects.csv", lambda p: effects_table(result.metrics).to_csv(p, index=False))
        write_run(result.twin, folder / "twin", charts=False)
    chart_files = []
    if charts:
        from ..charts import run_charts

        chart_files = run_charts(result, folder / "charts")
    write_json(status, {
        **(extra_status or {}),
        "status": "complete",
        "version": __version__,
        "seed": result.config.sim.seed,
        "wall_seconds": result.wall_seconds,
        "charts": [str(p.relative_to(folder)) for p in chart_files],
    })
    return folder


def is_complete(folder: Path) -> bool:
    try:
        status = json.loads((Path(folder) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(status, dict) and status.get("status") == "complete"
