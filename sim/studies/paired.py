"""A design's answer over several paired seeds, run in background worker processes.

Each seed runs the program and its no-program twin on common random numbers, so each seed's
`effect.<metric>` is already a paired difference; the answer for a headline figure is the mean of
those differences over the seeds with a t-interval, and the word "unclear" when the interval
spans zero. Workers use one numba thread each (they share the cores) and are kept between calls,
so a second design is answered without starting Python again; any number of workers gives the
same numbers (every seed is a self-contained run).
"""
from __future__ import annotations

import copy
import math
import os
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from ..runs.tasks import Task, Workers, default_jobs, gather, worker_init
from .compare import half_width

# (metrics key, label, scale to display units, unit, digits): the figures a strategist asks for.
HEADLINE = [
    ("effect.turnover_annual", "Turnover", 100, "points a year", 2),
    ("effect.exits_total", "Exits over the run", 1, "people", 0),
    ("effect.internal_fill_rate_leadership", "Leadership seats filled from inside", 100, "points", 1),
    ("effect.promotions_total", "Promotions over the run", 1, "people", 0),
    ("cost.total", "Program cost", 1, "currency", 0),
    ("value.net", "Net value (value minus cost)", 1, "currency", 0),
]
# Many seeds: the decomposition by mechanism (15 more runs each) only when asked for.
BASE_OVERRIDES = ("sim.agent_views=off", "output.charts=false", "output.report=false",
                  "evaluation.decomposition=false")


def run_one_seed(overrides: tuple[str, ...], seed: int) -> dict:
    """One seed: the program and its twin; returns the flat metrics (in a worker process)."""
    from ..config.load import load_config
    from ..runs.result import run

    return run(load_config([*BASE_OVERRIDES, *overrides, f"sim.seed={seed}"])).metrics


@dataclass
class PairedRuns:
    """The metrics of one design over seeds (one row per seed, seed order)."""

    overrides: tuple[str, ...]
    seeds: list[int]
    metrics: pd.DataFrame
    cancelled: bool = False

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """One row per headline figure: mean over seeds, interval, unclear, in display units."""
        rows = []
        for key, label, scale, unit, digits in HEADLINE:
            values = pd.to_numeric(self.metrics.get(key, pd.Series(dtype=float)), errors="coerce").dropna()
            n = int(values.size)
            mean = float(values.mean()) * scale if n else float("nan")
            half = half_width(float(values.std(ddof=1)), n, confidence) * scale if n > 1 else float("nan")
            paired = key.startswith(("effect.", "value.net"))
            rows.append({"key": key, "figure": label, "unit": unit, "digits": digits, "seeds": n, "mean": mean,
                         "low": mean - half, "high": mean + half,
                         "unclear": bool(paired and (not math.isfinite(half) or (mean - half) <= 0 <= (mean + half)))})
        return pd.DataFrame(rows)


@dataclass
class PairedRunner:
    """Keeps worker processes warm across designs; one call at a time per runner."""

    jobs: int = field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    _pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            # spawn: workers must not inherit a server's threads or numba's thread pool
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=worker_init)
        return self._pool

    def run(self, overrides: list[str] | tuple[str, ...], seeds: list[int] | range,
            progress: Callable[[int, int], None] | None = None,
            cancel: threading.Event | None = None) -> PairedRuns:
        """Run every seed of a design; `progress(done, total)` after each; `cancel` stops early
        (seeds not started are dropped, running ones finish; the result says it was cancelled)."""
        overrides, seeds = tuple(overrides), list(seeds)
        futures: dict[Future, int] = {self.pool().submit(run_one_seed, overrides, s): s for s in seeds}
        results: dict[int, dict] = {}
        pending = set(futures)
        cancelled = False
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in done:
                if not fut.cancelled():
                    results[futures[fut]] = fut.result()  # a worker's exception is raised here
            if progress is not None and done:
                progress(len(results), len(seeds))
            if cancel is not None and cancel.is_set() and not cancelled:
                cancelled = True
                for fut in pending:
                    fut.cancel()
        ordered = [s for s in seeds if s in results]
        frame = pd.DataFrame([{"seed": s, **results[s]} for s in ordered])
        return PairedRuns(overrides, ordered, frame, cancelled=cancelled)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def run_paired(overrides: list[str], seeds: int | list[int] = 10, jobs: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> PairedRuns:
    """Run a design over `seeds` (a count from 0, or a list) in fresh workers, then close them."""
    runner = PairedRunner(jobs=jobs or PairedRunner().jobs)
    try:
        return runner.run(overrides, range(seeds) if isinstance(seeds, int) else seeds, progress)
    finally:
        runner.close()



# ---------------------------------------------------------------------------- a run's own seeds
DEFAULT_SEEDS = 10  # `evaluation.seeds: null` in a single run; each sweep job runs one seed
SEEDS_FILE = "seeds.csv"
# what a run's brief and headline quote, summarized over its seeds (those a run has; effects are paired)
SEED_KEYS = [
    "turnover_annual", "twin.turnover_annual", "effect.turnover_annual", "exits_total", "twin.exits_total",
    "effect.exits_total", "promotions_total", "effect.promotions_total", "internal_fill_rate_leadership",
    "twin.internal_fill_rate_leadership", "effect.internal_fill_rate_leadership",
    "value.extra_internal_leadership_fills", "bench_strength_end", "naive.turnover_annual.mentee_minus_none",
    "effect.mentee.turnover_annual", "cost.total", "value.total", "value.net", "roi", "bench_strength_start",
    "value.replacement_savings", "value.internal_fill_savings", "cost.mentor_time", "cost.mentee_time",
    "mentee.promotion_incidence_1y", "twin.mentee.promotion_incidence_1y",
]


SHARES = {"turnover_annual", "twin.turnover_annual", "internal_fill_rate_leadership",
          "twin.internal_fill_rate_leadership", "mentee.promotion_incidence_1y", "twin.mentee.promotion_incidence_1y"}
NON_NEGATIVE = {"exits_total", "twin.exits_total", "promotions_total", "bench_strength_end", "bench_strength_start",
                "cost.total", "cost.mentor_time", "cost.mentee_time"}


def _clipped(key: str, low: float, high: float) -> tuple[float, float]:
    """A t-interval cut to the range the figure can take (a share in [0, 1], a count or cost >= 0): with
    few seeds a bounded figure's interval can otherwise cross its bound."""
    if key in SHARES:
        return max(low, 0.0), min(high, 1.0)
    if key in NON_NEGATIVE:
        return max(low, 0.0), high
    return low, high


def seeds_of_run(cfg, sweeping: bool) -> list[int]:
    """The seeds a run answers over: `evaluation.seeds` from `sim.seed` (null: 10 alone, 1 in a sweep,
    whose seeds are an axis of its own)."""
    n = cfg.evaluation.seeds or (1 if sweeping else DEFAULT_SEEDS)
    return [cfg.sim.seed + k for k in range(n)]


def run_config_seed(cfg, seed: int) -> dict:
    """One seed of a composed config (program and twin), nothing written; returns the flat metrics."""
    from ..runs.result import run

    seeded = copy.deepcopy(cfg)
    seeded.sim.seed = int(seed)
    seeded.sim.agent_views = "off"
    seeded.output.charts = seeded.output.report = False
    seeded.evaluation.decomposition = False  # the split by mechanism is the first seed's only (15 more runs)
    return run(seeded).metrics


def seed_summary(table: pd.DataFrame, confidence: float = 0.95) -> dict:
    """`seeds.n` and, for each SEED_KEYS column, `seeds.<key>.mean/.low/.high`: the mean over seeds with a
    t-interval (each seed's `effect.*` is a paired difference, so its interval is a paired one), cut to
    the range a share, count or cost can take."""
    out: dict = {"seeds.n": int(len(table)), "seeds.first": int(table["seed"].min()),
                 "seeds.confidence": confidence}
    for key in SEED_KEYS:
        if key not in table:
            continue
        values = pd.to_numeric(table[key], errors="coerce").dropna()
        n = int(values.size)
        mean = float(values.mean()) if n else float("nan")
        half = half_width(float(values.std(ddof=1)), n, confidence) if n > 1 else float("nan")
        low, high = _clipped(key, mean - half, mean + half)
        out.update({f"seeds.{key}.mean": mean, f"seeds.{key}.low": low, f"seeds.{key}.high": high})
    return out


class RunSeeds:
    """The seeds after a run's first, handed to worker processes (one numba thread each) before the first
    seed runs in this process, gathered when it is done; this process runs the seeds no worker has begun
    by then. `workers` (`sim.runs.tasks.Workers`) shares a pool with the first seed's decomposition;
    without, the seeds get a pool of their own of `jobs` workers (None: one fewer than the cores; 0 runs
    them here, one after the other: a sweep job, whose siblings already share the cores). Every seed is a
    self-contained run, so the numbers are the same for any number of workers."""

    def __init__(self, cfg, seeds: list[int], jobs: int | None = None, workers: Workers | None = None):
        self.cfg, self.seeds = cfg, list(seeds)
        self._own = workers is None
        self.workers = workers if workers is not None else Workers(
            default_jobs(len(self.seeds) - 1) if jobs is None else jobs)
        self.jobs = self.workers.jobs
        self._tasks: list[Task] = []

    def start(self) -> "RunSeeds":
        self._tasks = [self.workers.submit(run_config_seed, self.cfg, s) for s in self.seeds[1:]]
        return self

    def gather(self, first: dict) -> pd.DataFrame:
        """One row per seed (seed order): `first` is the first seed's metrics, run by the caller."""
        if not self._tasks:  # never started: they run now
            self.start()
        rest = gather(self._tasks)
        self.close()
        rows = [{"seed": s, **{k: m.get(k) for k in SEED_KEYS if k in first}}
                for s, m in zip(self.seeds, [first, *rest])]
        return pd.DataFrame(rows)

    def finish(self, folder, first: dict) -> dict:
        """Gather the seeds, write `seeds.csv` into the run folder; returns the `seeds.*` metrics."""
        from ..runs.folder import _atomic_write

        table = self.gather(first)
        _atomic_write(Path(folder) / SEEDS_FILE, lambda p: table.to_csv(p, index=False))
        return seed_summary(table)

    def close(self) -> None:
        if self._own:
            self.workers.close()
