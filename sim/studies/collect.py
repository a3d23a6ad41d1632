"""Collect a sweep folder into one tidy table: one row per run.

Columns: `run` (folder, relative to the sweep), `status` (complete, failed,
running/incomplete), `error`, `wall_seconds`, `config_hash`, `scenario` (the
overrides except the seed, as one string), `seed`, one `ov.<key>` column per
override, then every metrics.json key. Failed and incomplete runs are listed,
never a crash.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from ..runs.jobs import read_status
from ..runs.folder import _atomic_write

RUNS_FILE = "runs.parquet"
SEED_KEY = "sim.seed"


def run_folders(sweep_dir: Path) -> list[Path]:
    """Every job folder under a sweep: those Hydra made (.hydra/) or that hold a status.json."""
    sweep_dir = Path(sweep_dir)
    found = {p.parent.parent for p in sweep_dir.rglob(".hydra/overrides.yaml")}
    found |= {p.parent for p in sweep_dir.rglob("status.json")}
    found = {p for p in found if p.name != "twin" and p != sweep_dir}
    return sorted(found, key=lambda p: [(0, int(x), "") if x.isdigit() else (1, 0, x)
                                        for x in p.relative_to(sweep_dir).parts])


def _overrides(folder: Path) -> dict[str, str]:
    path = folder / ".hydra" / "overrides.yaml"
    if not path.exists():
        return {}
    out = {}
    for item in yaml.safe_load(path.read_text()) or []:
        key, _, value = str(item).partition("=")
        key = key.lstrip("+~")
        if not key.startswith("hydra"):
            out[key] = value
    return out


def collect(sweep_dir: str | Path, write: bool = True) -> pd.DataFrame:
    sweep_dir = Path(sweep_dir)
    rows = []
    for folder in run_folders(sweep_dir):
        status = read_status(folder)
        overrides = _overrides(folder)
        row = {
            "run": str(folder.relative_to(sweep_dir)),
            "status": status.get("status", "incomplete"),
            "error": status.get("error"),
            "wall_seconds": status.get("wall_seconds"),
            "config_hash": status.get("config_hash"),
            "scenario": " ".join(f"{k}={v}" for k, v in sorted(overrides.items()) if k != SEED_KEY) or "default",
            "seed": None,
        }
        for key, value in overrides.items():
            row[f"ov.{key}"] = value
        metrics_path = folder / "metrics.json"
        if row["status"] == "complete" and metrics_path.exists():
            metrics = json.loads(metrics_path.read_text())
            row.update(metrics)
            config = yaml.safe_load((folder / "config.yaml").read_text()) if (folder / "config.yaml").exists() else {}
            row["seed"] = (config.get("sim") or {}).get("seed")
        elif row["status"] == "running":
            row["status"] = "incomplete"  # killed or still going: no result
        if row["seed"] is None and SEED_KEY in overrides:
            row["seed"] = int(overrides[SEED_KEY])
        rows.append(row)
    table = pd.DataFrame(rows)
    if write and not table.empty:
        _atomic_write(sweep_dir / RUNS_FILE, lambda p: table.to_parquet(p, index=False))
    return table


def describe(table: pd.DataFrame) -> list[str]:
    """Lines for the terminal: counts, and every run that is not complete."""
    if table.empty:
        return ["no runs found"]
    counts = table["status"].value_counts().to_dict()
    lines = [f"{len(table)} runs: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))]
    for _, row in table[table["status"] != "complete"].iterrows():
        detail = f" ({row['error']})" if isinstance(row.get("error"), str) else ""
        lines.append(f"  {row['status']}: {row['run']} [{row['scenario']}]{detail}")
    return lines
