"""The design search's winner, scored again on fresh seeds (against the winner's curse).

An optimizing sweep keeps the design whose score was best, and a best score is
partly luck: scored again on other seeds it is usually worse. After the Optuna
sweep has written `optimization_results.yaml`, `DesignCheck` (a Hydra callback,
switched on by `configs/experiment/design_search.yaml`) runs the winning design
on `seeds` seeds the search never used (those after its `evaluation.objective_seeds`
search seeds), each paired with its twin, and writes `design_check.yaml` beside
the results: the search's score, the fresh score with a 95% t-interval, and the
per-seed values.
"""
from __future__ import annotations

import logging
import math
import sys
from pathlib import Path

import numpy as np
import yaml
from scipy import stats

from ..config.checks import ConfigError
from ..runs.folder import _atomic_write
from ..runs.jobs import score, search_seeds

RESULTS_FILE = "optimization_results.yaml"
CHECK_FILE = "design_check.yaml"


def fresh_seeds(cfg, count: int) -> list[int]:
    """`count` seeds right after the search seeds, so none was used in the search."""
    start = max(search_seeds(cfg)) + 1
    return list(range(start, start + count))


def winner_overrides(task_overrides: list[str], best_params: dict) -> list[str]:
    """The sweep's own overrides with the searched keys set to the winner's values."""
    keep = [o for o in task_overrides if o.split("=", 1)[0].lstrip("+~") not in best_params]
    return [*keep, *(f"{k}={v}" for k, v in best_params.items())]


def _half_width(values: list[float], confidence: float = 0.95) -> float | None:
    """t half-width of the mean over seeds (None below two seeds)."""
    if len(values) < 2:
        return None
    return float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * np.std(values, ddof=1) / math.sqrt(len(values)))


def check_design(sweep_dir: Path, task_overrides: list[str], seeds: int, compose=None) -> dict:
    """Score the sweep's winner on fresh seeds; writes design_check.yaml and returns its contents.

    `compose(overrides) -> Config` builds the winner's config (default `load_config`;
    inside a running Hydra application, its own config loader).
    """
    from ..config.load import load_config

    sweep_dir = Path(sweep_dir)
    results = yaml.safe_load((sweep_dir / RESULTS_FILE).read_text())
    best = dict(results["best_params"])
    cfg = (compose or load_config)(winner_overrides(task_overrides, best))
    logging.getLogger("MESA").setLevel(logging.WARNING)
    fresh = score(cfg, fresh_seeds(cfg, seeds))
    finite = [v for v in fresh["values"] if math.isfinite(v)]
    report = {
        "best_params": best,
        "objective": cfg.evaluation.objective,
        "search": {"seeds": search_seeds(cfg), "value": float(results["best_value"])},
        "check": {**{k: fresh[k] for k in ("seeds", "values", "mean", "cost_mean", "penalty", "value")},
                  "half_width_95": _half_width(finite) if len(finite) == len(fresh["values"]) else None},
    }
    text = yaml.safe_dump(report, sort_keys=False)
    _atomic_write(sweep_dir / CHECK_FILE, lambda p: p.write_text(text))
    return report


def describe(report: dict) -> str:
    check, search = report["check"], report["search"]
    seeds = check["seeds"]
    half = check["half_width_95"]
    interval = "" if half is None else f" ± {half:.4g} (95%)"
    return (f"design check: the best design on {len(seeds)} fresh seeds ({seeds[0]}-{seeds[-1]}): "
            f"{report['objective']} {check['mean']:+.4g}{interval}, objective {check['value']:+.4g}; "
            f"the search scored it {search['value']:+.4g} on seeds {search['seeds'][0]}-{search['seeds'][-1]}")


try:
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover - hydra is a dependency; this keeps the module importable alone
    Callback = object


class DesignCheck(Callback):
    """Hydra callback: after an optimizing sweep, check its winner on `seeds` fresh seeds."""

    def __init__(self, seeds: int = 20) -> None:
        self.seeds = int(seeds)

    def on_multirun_end(self, config, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        if not (sweep_dir / RESULTS_FILE).exists() or self.seeds < 1:
            return
        from hydra.core.global_hydra import GlobalHydra

        from ..config.load import build, to_container
        from ..config.snapshot import resolve_in_config

        def compose(overrides: list[str]):
            # Hydra is running: compose as its launcher composes each trial, with its own loader
            from omegaconf import open_dict

            composed = GlobalHydra.instance().config_loader().load_sweep_config(config, overrides)
            with open_dict(composed):
                del composed["hydra"]  # job-only fields (hydra.job.num) are unset outside a job
            built = build(to_container(composed))
            # a calibrated org's snapshot (org.start_from) is looked up in the config folders, as for a run
            resolve_in_config(built, [Path(s.path) for s in config.hydra.runtime.config_sources if s.schema == "file"])
            return built

        try:
            report = check_design(sweep_dir, list(config.hydra.overrides.task), self.seeds, compose)
        except (ConfigError, OSError, KeyError, TypeError, ValueError) as err:
            print(f"mentorsim: error: design check: {err}".splitlines()[0], file=sys.stderr)
            return
        print(f"mentorsim: {describe(report)}")
        print(f"mentorsim: wrote {sweep_dir / CHECK_FILE}")
