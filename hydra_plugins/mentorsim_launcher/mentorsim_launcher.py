"""mentorsim's Hydra launcher and sweeper. Hydra finds plugins only in the `hydra_plugins`
namespace and imports every module there at start-up, so this file stays light: the work is in
`sim.studies.launch`, imported when a sweep starts.

    hydra/launcher=mentorsim   warm worker processes on this machine (the default for -m)
    hydra/launcher=ray         the same jobs as Ray tasks on a cluster
    hydra/sweeper=mentorsim    Hydra's basic grid sweeper, without its per-job composition check
"""
from __future__ import annotations

from typing import Optional, Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


class MentorsimLauncher(Launcher):
    def __init__(self, n_jobs: int = -1, batch_size: Optional[int] = None, backend: str = "local",
                 ray: Optional[dict] = None, share_twins: bool = True) -> None:
        if backend not in ("local", "ray"):
            raise ValueError(f"hydra.launcher.backend = {backend!r}: local or ray")
        self.n_jobs = n_jobs
        self.batch_size = batch_size
        self.backend = backend
        self.ray = dict(ray or {})
        self.share_twins = bool(share_twins)
        self.config: Optional[DictConfig] = None
        self.task_function: Optional[TaskFunction] = None
        self.hydra_context: Optional[HydraContext] = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.config = config
        self.hydra_context = hydra_context
        self.task_function = task_function

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        from sim.studies.launch import launch

        return launch(self, job_overrides, initial_job_idx)


class MentorsimSweeper(BasicSweeper):
    """Hydra's grid sweeper (same jobs, same numbering). The basic sweeper composes every job's
    config in this process before launching, only to check it; mentorsim's command checked every
    value of every swept key before Hydra started, and the launcher composes each job anyway."""

    def __init__(self, max_batch_size: Optional[int] = None, params: Optional[dict] = None) -> None:
        super().__init__(max_batch_size=max_batch_size, params=params)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        return None
