"""One run as a job: the unit a single run and every sweep job execute.

A job writes `status.json` = running first and complete (or failed, with the
error) last. A job whose folder already holds a complete run of the same
configuration (same `config_hash`) and no damaged file is skipped, so re-running
a sweep into the same folder completes only what is missing or damaged. An
unexpected error fails this job only: it is recorded, and the other jobs of a
sweep go on.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import time
import traceback
from pathlib import Path

from ..config.load import as_dict
from .folder import STATUS_FILE, damage, is_complete, write_json
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


def objective(cfg: Config, metrics: dict) -> float:
    """The value an optimizing sweeper minimizes or maximizes, with the budget penalty."""
    value = metrics.get(cfg.evaluation.objective)
    value = float("nan") if value is None else float(value)
    budget, cost = cfg.evaluation.objective_budget, metrics.get("cost.total")
    if budget is not None and cost is not None and cost > budget:
        value += cost / budget - 1.0
    return value


def run_job(cfg: Config, folder: Path, progress=None, announce=print) -> tuple[str, dict]:
    """Run (or skip) one configuration into `folder`; returns (status, metrics)."""
    from .result import run

    folder = Path(folder)
    digest = config_hash(cfg)
    if is_complete(folder) and read_status(folder).get("config_hash") == digest and damage(folder) is None:
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
