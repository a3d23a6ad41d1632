"""A sweep worker tunes the garbage collector once, after its first job (sim/studies/workers.py)."""
from __future__ import annotations

import gc

from hydra.core.utils import JobReturn
from omegaconf import OmegaConf

import sim.studies.hydra_job as hydra_job
import sim.studies.workers as workers


class _Composer:
    def compose(self, overrides):
        return OmegaConf.create({"hydra": {"job": {"name": "task"}}})


def test_the_first_job_freezes_the_heap_and_sets_the_thresholds_and_later_jobs_do_not(monkeypatch):
    thresholds = gc.get_threshold()
    monkeypatch.setattr(workers, "_HEAP_FROZEN", False)
    monkeypatch.setattr(workers, "_WORKER", {"composer": _Composer(), "hydra_context": None, "task_function": None})
    monkeypatch.setattr(hydra_job, "run_job", lambda **kwargs: JobReturn())
    try:
        kept = [[i] for i in range(1000)]  # alive when the first job ends: frozen with the rest
        workers._run_one(0, ["sim.seed=0"])
        assert workers._HEAP_FROZEN and gc.get_threshold() == workers.GC_THRESHOLDS
        frozen = gc.get_freeze_count()
        assert frozen >= len(kept)
        gc.unfreeze()
        workers._run_one(1, ["sim.seed=1"])
        assert gc.get_freeze_count() == 0  # once a process: later jobs' objects stay collectable
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
