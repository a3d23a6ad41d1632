"""Worker processes for a run's other seeds (`evaluation.seeds`) and its decomposition, and their early
start: the command line (`sim.cli`) forks them as soon as its pre-check has the config, so they work
while Hydra composes the config again; the job takes them over when its config is the same.
"""
from __future__ import annotations

import os


def workers_for(config, sweeping: bool):
    """Worker processes for a run's seeds after sim.seed (`evaluation.seeds`) and the first seed's
    decomposition by mechanism, beside this process (`sim.runs.tasks`); None in a sweep job, whose
    sibling jobs already share the cores, and when there is nothing to hand over."""
    from .mentoring.channels import SIMULATED
    from .runs.tasks import Workers, default_jobs
    from .studies.paired import seeds_of_run

    if sweeping:
        return None
    others = len(seeds_of_run(config, sweeping)) - 1
    decomposing = config.evaluation.decomposition and config.evaluation.twin and bool(config.programs())
    worlds = 2 * len(SIMULATED) - 1  # the most the decomposition runs (sim.runs.decomposition)
    jobs = default_jobs(others + (worlds if decomposing else 0))
    if not jobs:
        return None
    from .runs import result  # noqa: F401  (the simulation's modules, so that forked workers start with them)

    return Workers(jobs)


def other_seeds(config, sweeping: bool, workers=None):
    """The run's seeds after sim.seed (`evaluation.seeds`), handed to `workers` now so they run beside the
    first; None for a one-seed run. A sweep job that asks for several runs them in its own process: its
    sibling jobs already share the cores."""
    from .studies.paired import RunSeeds, seeds_of_run

    seeds = seeds_of_run(config, sweeping)
    if len(seeds) < 2:
        return None
    return RunSeeds(config, seeds, jobs=0 if sweeping else None, workers=workers).start()


_EARLY: list = []  # (process id, config, workers, seeds) of `start_early`, until `take_early` takes them over


def start(config, sweeping: bool):
    """(workers, seeds): the worker processes forked now and the run's other seeds handed to them."""
    workers = workers_for(config, sweeping)
    return workers, other_seeds(config, sweeping, workers)


def start_early(config) -> None:
    """`start` for `config` now, kept until `take_early`; nothing when there are no workers to start
    (the job then runs the other seeds as it would have)."""
    workers = workers_for(config, sweeping=False)
    if workers is not None:
        _EARLY.append((os.getpid(), config, workers, other_seeds(config, False, workers)))


def take_early(config, sweeping: bool):
    """The (workers, seeds) `start_early` started, when they were started for this very config; else None
    (and those, if any, are closed)."""
    if not _EARLY:
        return None
    pid, early_config, workers, seeds = _EARLY[-1]
    if pid != os.getpid():  # a process forked from the one that started them (a sweep's job): not its own
        _EARLY.clear()
        return None
    same = not sweeping and _same_config(early_config, config)
    _EARLY.pop()
    if same:
        return workers, seeds
    _close(workers, seeds)
    return None


def _same_config(a, b) -> bool:
    import json

    from .config.load import plain_data

    text = lambda cfg: json.dumps(plain_data(cfg), sort_keys=True, default=str)  # noqa: E731
    return text(a) == text(b)


def _close(workers, seeds) -> None:
    if seeds is not None:
        seeds.close()
    workers.close()


def close_early() -> None:
    """Close workers `take_early` never handed over (Hydra stopped before the job, or a different config)."""
    while _EARLY:
        _close(*_EARLY.pop()[2:])
