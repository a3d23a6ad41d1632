"""One run as a job: the unit a single run and every sweep job execute.

A job writes `status.json` = running first and complete (or failed, with the
error) last. A job whose folder already holds a complete run of the same
configuration (same `config_hash`) is skipped, so re-running a sweep into the
same folder completes only what is missing. An unexpected error fails this job
only: it is recorded, and the other jobs of a sweep go on.
"""
from __future__ import annotations

import copy
import hashlib
import json
import logging
import math
import time
import traceback
from pathlib import Path

import numpy as np

from ..config.load import as_dict
from .folder import STATUS_FILE, is_complete, write_json
from ..config.schema import Config

log = logging.getLogger(__name__)


def config_hash(cfg: Config) -> str:
    """A stable hash of everything that determines a run's results (not where it is written)."""
    data = as_dict(cfg)
    data.pop("output", None)
    data["sim"].pop("numba_threads", None)  # results are identical for any thread count
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_status(folder: Path) -> dict:
    try:
        status = json.loads((Path(folder) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return status if isinstance(status, dict) else {}


OBJECTIVE_FILE = "objective.json"


def search_seeds(cfg: Config) -> list[int]:
    """The seeds a design is scored on: sim.seed and the next `evaluation.objective_seeds - 1`."""
    return [cfg.sim.seed + k for k in range(cfg.evaluation.objective_seeds)]


def budget_penalty(cfg: Config, cost: float | None) -> float:
    """lambda x relative overspend: `objective_penalty * (cost / budget - 1)` above the budget, else 0.

    lambda (`evaluation.objective_penalty`) is in the objective's own units: what
    spending twice the budget must buy to break even.
    """
    ev = cfg.evaluation
    if ev.objective_budget is None or cost is None or not cost > ev.objective_budget:
        return 0.0
    return float(ev.objective_penalty) * (cost / ev.objective_budget - 1.0)


def _number(value) -> float:
    return float("nan") if value is None else float(value)


def score(cfg: Config, seeds: list[int], first_metrics: dict | None = None) -> dict:
    """A design's objective over paired seeds: the mean over seeds, then the budget penalty.

    Each seed is one run with its own twin (so an `effect.*` objective is a paired
    difference); the runs are in this process, reusing its compiled kernels.
    `first_metrics`, when given, are the metrics of the run on `seeds[0]`.
    """
    from .result import run

    key = cfg.evaluation.objective
    values, costs = [], []
    for i, seed in enumerate(seeds):
        if i == 0 and first_metrics is not None:
            metrics = first_metrics
        else:
            seeded = copy.deepcopy(cfg)
            seeded.sim.seed = int(seed)
            metrics = run(seeded).metrics
        values.append(_number(metrics.get(key)))
        costs.append(metrics.get("cost.total"))
    mean = float(np.mean(values))
    cost = None if any(c is None for c in costs) else float(np.mean(costs))
    penalty = budget_penalty(cfg, cost)
    return {"objective": key, "seeds": [int(s) for s in seeds], "values": values, "mean": mean,
            "cost_mean": cost, "budget": cfg.evaluation.objective_budget,
            "penalty_per_overspend": cfg.evaluation.objective_penalty, "penalty": penalty, "value": mean + penalty}


def objective(cfg: Config, metrics: dict, folder: Path | None = None) -> float:
    """The value an optimizing sweeper minimizes or maximizes.

    The mean of `evaluation.objective` over the search seeds (`search_seeds`; the
    job's own run is the first, `metrics`), plus the budget penalty on the mean
    cost. With a `folder` the details go to its objective.json, and a later call
    on the same configuration reuses them instead of running the seeds again.
    """
    digest = config_hash(cfg)
    path = Path(folder) / OBJECTIVE_FILE if folder is not None else None
    if path is not None:
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError):
            saved = {}
        if isinstance(saved, dict) and saved.get("config_hash") == digest and saved.get("value") is not None:
            return float(saved["value"])
    result = score(cfg, search_seeds(cfg), metrics)
    if path is not None:
        finite = [v if math.isfinite(v) else None for v in result["values"]]
        write_json(path, {**result, "values": finite, "config_hash": digest})
    return result["value"]


def run_job(cfg: Config, folder: Path, progress=None, announce=print) -> tuple[str, dict]:
    """Run (or skip) one configuration into `folder`; returns (status, metrics)."""
    from .result import run

    folder = Path(folder)
    digest = config_hash(cfg)
    if is_complete(folder) and read_status(folder).get("config_hash") == digest:
        announce(f"mentorsim: skipped, already complete: {folder}")
        return "skipped", json.loads((folder / "metrics.json").read_text())
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / STATUS_FILE, {"status": "running", "config_hash": digest, "started": time.time()})
    try:
        result = run(cfg, progress=progress)
        result.save(folder, extra_status={"config_hash": digest})
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as err:  # a bug or a resource error: this job fails, the sweep goes on
        write_json(folder / STATUS_FILE, {"status": "failed", "config_hash": digest,
                                          "error": f"{type(err).__name__}: {err}",
                                          "traceback": traceback.format_exc()})
        log.error("run failed: %s: %s (details in %s)", type(err).__name__, err, folder / STATUS_FILE)
        return "failed", {}
    return "complete", result.metrics


def headline(cfg: Config, metrics: dict, wall_seconds: float | None = None) -> list[str]:
    """The lines printed after a run."""
    m = metrics
    fill = m.get("internal_fill_rate_leadership")
    fill_text = "n/a" if fill is None or (isinstance(fill, float) and math.isnan(fill)) else f"{fill:.0%}"
    wall = f" ({wall_seconds:.2f} s)" if wall_seconds is not None else ""
    lines = [f"mentorsim: {cfg.org.name} org, {m['years']:g} years, seed {cfg.sim.seed}: "
             f"turnover {m['turnover_annual']:.1%}/yr, internal leadership fill {fill_text}, "
             f"bench {m['bench_strength_end']:.2f}{wall}"]
    if "effect.turnover_annual" in m:
        names = ", ".join(p.name for p in cfg.programs())
        naive = m.get("naive.turnover_annual.mentee_minus_none")
        naive_text = "n/a" if naive is None else f"{100 * naive:+.2f} pts"
        lines.append(
            f"mentorsim: program {names} vs its twin (same seed, no program): turnover "
            f"{100 * m['effect.turnover_annual']:+.2f} pts/yr, promotions {m['effect.promotions_total']:+.0f}, "
            f"internal leadership fill {100 * (m['effect.internal_fill_rate_leadership'] or 0):+.1f} pts; "
            f"naive mentees-vs-others turnover gap {naive_text}; cost {m['cost.total']:,.0f}, "
            f"ROI {m['roi'] if m['roi'] is not None else float('nan'):+.2f}")
    return lines
