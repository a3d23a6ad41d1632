"""A design's answer over several paired seeds, run in background worker processes.

Each seed runs the program and its no-program twin on common random numbers, so each seed's
`effect.<metric>` is already a paired difference; the answer for a headline figure is the mean of
those differences over the seeds with a t-interval, and the word "unclear" when the interval
spans zero. Workers use one numba thread each (they share the cores) and are kept between calls,
so a second design is answered without starting Python again; any number of workers gives the
same numbers (every seed is a self-contained run).
"""
from __future__ import annotations

import math
import os
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

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


def _worker_init() -> None:
    import numba

    numba.set_num_threads(1)


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
                                             initializer=_worker_init)
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

