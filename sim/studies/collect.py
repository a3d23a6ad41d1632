"""Collect a sweep folder into one tidy table: one row per run.

Columns: `run` (folder, relative to the sweep), `status`, `error` (why a run has
no result), `wall_seconds`, `config_hash`, `scenario` (the overrides except the
seed, as one string), `seed`, one `ov.<key>` column per override, then every
metrics.json key. Statuses:

    complete     every file a run writes is there and readable
    failed       the job recorded an error (status.json says failed)
    incomplete   killed or still running, or damaged: a missing, truncated or corrupt file,
                 an unreadable or unknown status (re-running the sweep redoes it)
    not_started  asked for by the sweep (its multirun.yaml) but no job folder was written

Damaged, failed and unstarted runs are listed with the reason, never a crash.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from ..runs.folder import _atomic_write, damage, read_metrics, read_yaml
from ..runs.jobs import read_status
from .progress import planned_jobs

RUNS_FILE = "runs.parquet"
SEED_KEY = "sim.seed"
STATUSES = ("complete", "failed", "incomplete", "not_started")
OVERRIDES = Path(".hydra") / "overrides.yaml"


def run_folders(sweep_dir: Path) -> list[Path]:
    """Every job folder of a sweep: those Hydra made (.hydra/) or that hold a status.json, one or
    two levels down (Hydra's job folders are its children; looking no deeper keeps a mistaken
    `collect ~` quick, and never reads a run's own twin/ as a job)."""
    sweep_dir = Path(sweep_dir)
    found = [p for pattern in ("*", "*/*") for p in sweep_dir.glob(pattern)
             if p.name != "twin" and p.is_dir()
             and ((p / "status.json").is_file() or (p / OVERRIDES).is_file())]
    return sorted(found, key=lambda p: _order(str(p.relative_to(sweep_dir))))


def _order(run: str) -> list:
    """Job folders in number order (2 before 10), named ones after them."""
    return [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in Path(run).parts]


def _as_dict(items) -> dict[str, str]:
    """{key: value} of a Hydra override list, without hydra.* keys and +/~ prefixes."""
    out = {}
    for item in items:
        key, _, value = str(item).partition("=")
        key = key.lstrip("+~")
        if not key.startswith("hydra"):
            out[key] = value
    return out


def _override_list(folder: Path) -> list[str] | None:
    """The job's recorded overrides; [] for a run written by name (no .hydra); None if unreadable."""
    path = folder / OVERRIDES
    if not path.exists():
        return []
    try:
        items = read_yaml(path)
    except (OSError, ValueError, yaml.YAMLError):
        return None
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, (str, int, float, bool)) for i in items):
        return None
    return [str(i) for i in items]


def _row(run: str, status: str, error: str | None, overrides: dict[str, str]) -> dict:
    row = {"run": run, "status": status, "error": error, "wall_seconds": None, "config_hash": None,
           "scenario": " ".join(f"{k}={v}" for k, v in sorted(overrides.items()) if k != SEED_KEY) or "default",
           "seed": None}
    row.update({f"ov.{k}": v for k, v in overrides.items()})
    try:
        row["seed"] = int(overrides[SEED_KEY])
    except (KeyError, ValueError):
        pass
    return row


def _folder_row(sweep_dir: Path, folder: Path, items: list[str] | None) -> dict:
    """One job folder: its status, and its metrics when it is whole."""
    run = str(folder.relative_to(sweep_dir))
    if items is None:
        return _row(run, "incomplete", f"{OVERRIDES} is unreadable", {})
    overrides = _as_dict(items)
    status = read_status(folder)
    state = status.get("status")
    if not (folder / "status.json").exists():
        row = _row(run, "incomplete", "no status.json: killed before it started, or not a run", overrides)
    elif not status:
        row = _row(run, "incomplete", "status.json is unreadable", overrides)
    elif state == "failed":
        row = _row(run, "failed", str(status.get("error") or "failed, no error recorded").splitlines()[0], overrides)
    elif state == "running":
        row = _row(run, "incomplete", "status running: killed, or still running", overrides)
    elif state != "complete":
        row = _row(run, "incomplete", f"status = {state!r}: not one a run writes", overrides)
    else:
        why = damage(folder)
        row = _row(run, "incomplete" if why else "complete", why, overrides)
        if not why:
            metrics = read_metrics(folder / "metrics.json")
            row.update({k: v for k, v in metrics.items() if k not in row and not k.startswith("ov.")})
            seed = status.get("seed")
            if isinstance(seed, int) and not isinstance(seed, bool):
                row["seed"] = seed
    wall, digest = status.get("wall_seconds"), status.get("config_hash")
    row["wall_seconds"] = float(wall) if isinstance(wall, (int, float)) and not isinstance(wall, bool) else None
    row["config_hash"] = digest if isinstance(digest, str) else None
    return row


def collect(sweep_dir: str | Path, write: bool = True) -> pd.DataFrame:
    """The runs table of a sweep folder (written to runs.parquet unless write=False).

    `table.attrs["notes"]` holds what could not be known (e.g. an unreadable multirun.yaml).
    """
    sweep_dir = Path(sweep_dir)
    rows, recorded = [], set()
    for folder in run_folders(sweep_dir):
        items = _override_list(folder)
        if items:
            recorded.add(tuple(items))
        rows.append(_folder_row(sweep_dir, folder, items))
    plan = planned_jobs(sweep_dir)
    notes = []
    if plan is None and (sweep_dir / "multirun.yaml").exists():
        notes.append("multirun.yaml is unreadable: jobs that never started cannot be listed")
    names = {row["run"] for row in rows}
    for name, items in plan or []:
        if tuple(items) not in recorded:
            run = name if name not in names else f"{name} (planned)"
            rows.append(_row(run, "not_started", "no job folder: the sweep stopped before this job",
                             _as_dict(items)))
    table = pd.DataFrame(sorted(rows, key=lambda r: _order(r["run"])))
    table.attrs["notes"] = notes
    if write and not table.empty:
        _atomic_write(sweep_dir / RUNS_FILE, lambda p: table.to_parquet(p, index=False))
    return table


def describe(table: pd.DataFrame) -> list[str]:
    """Lines for the terminal: counts, and every run that is not complete, with the reason."""
    if table.empty:
        return ["no runs found"]
    counts = table["status"].value_counts().to_dict()
    lines = [f"{len(table)} runs: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES if s in counts)]
    for _, row in table[table["status"] != "complete"].iterrows():
        detail = f" ({row['error']})" if isinstance(row.get("error"), str) else ""
        lines.append(f"  {row['status']}: {row['run']} [{row['scenario']}]{detail}")
    lines += [f"  note: {note}" for note in table.attrs.get("notes", [])]
    return lines
