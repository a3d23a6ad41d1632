"""One run: a config simulated to its horizon (with its programs, and their no-program twin on
common random numbers), collected as plain data in a `RunResult`. `sim.run` is `run` here.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config.load import load_config
from ..config.schema import Config
from ..engine.model import OrgModel
# Loading the programs module registers the matching policies that configs are checked against.
from ..mentoring.evaluation import compare, program_metrics, twin_config
from ..mentoring.program import Program
from .decomposition import Decomposition
from .summary import summarize


@dataclass
class RunResult:
    """Everything one run produced, as plain data."""

    config: Config
    metrics: dict
    timeseries: pd.DataFrame
    level_timeseries: pd.DataFrame
    model_timeseries: pd.DataFrame
    events: pd.DataFrame
    wall_seconds: float
    people: pd.DataFrame | None = None  # everyone who joined (the starting workforce at week 0), as they joined
    model: OrgModel | None = field(default=None, repr=False)
    twin: "RunResult | None" = field(default=None, repr=False)  # same org, same seed, no program
    # metrics still being computed (by worker processes): each call waits for its keys; see `settle`
    pending: list = field(default_factory=list, repr=False)

    def settle(self) -> None:
        """Wait for the metrics still being computed (helping the workers) and add them."""
        while self.pending:
            self.metrics.update(self.pending.pop(0)())

    def save(self, folder: str | Path, charts: bool | None = None, extra_status: dict | None = None,
             tables: bool = True) -> Path:
        """Write the run folder (see README, Outputs; `tables` false: metrics only); returns its path."""
        from .folder import write_run

        return write_run(self, Path(folder), charts=self.config.output.charts if charts is None else charts,
                         extra_status=extra_status, tables=tables)


def set_threads(cfg: Config) -> None:
    if cfg.sim.numba_threads:
        import numba

        numba.set_num_threads(min(cfg.sim.numba_threads, numba.config.NUMBA_NUM_THREADS))


def result_of(model: OrgModel) -> RunResult:
    """Collect a finished model's outputs."""
    metrics = model.metrics
    model_ts = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return RunResult(
        config=model.cfg,
        metrics=summarize(metrics),
        timeseries=metrics.timeseries(),
        level_timeseries=metrics.level_timeseries(),
        model_timeseries=model_ts,
        events=model.events.frame(model.org.level_names, model.org.group_names),
        wall_seconds=model.wall_seconds,
        people=model.roster.frame(model.org.level_names, model.org.group_names, model.org.department_names),
        model=model,
    )


def without_views(cfg: Config) -> Config:
    """The same configuration with Mesa's agent views off: the same results (views only mirror the
    arrays), without an Employee object made for each hire and removed for each leaver."""
    if cfg.sim.agent_views == "off":
        return cfg
    return dataclasses.replace(cfg, sim=dataclasses.replace(cfg.sim, agent_views="off"))


def simulate(cfg: Config, interventions, progress=None, views: bool = True) -> RunResult:
    """One model run to the horizon, nothing else. `views` false: no agent views, whatever
    `sim.agent_views` says (for a caller that keeps nothing of the model); the result's config is `cfg`."""
    model = OrgModel(cfg if views else without_views(cfg), interventions=interventions)
    model.run(progress=progress)
    result = result_of(model)
    result.config = cfg
    return result


def run(cfg: Config | list[str] | None = None, interventions=None, progress=None,
        twin: bool | None = None, workers=None, twin_of=None, views: bool = True) -> RunResult:
    """Simulate a configuration (a Config, or a list of Hydra overrides) to its horizon.

    The programs in the config run as interventions (unless `interventions` is
    given). When programs run and `twin` (default: `evaluation.twin`) is on, the
    same organization is also run with the same seed and no program, and the
    metrics gain the causal effect (`effect.*`), the naive comparison
    (`naive.*`), costs, value and ROI. `twin_of(cfg)`, when given, supplies the twin's
    result instead of simulating it (a sweep's twins shared between designs, `sim.runs.jobs`).
    `views` false runs both worlds without Mesa agent views (`simulate`), for a caller that keeps
    nothing of their models.

    With `workers` (`sim.runs.tasks.Workers`) the decomposition by mechanism is handed to them and
    its keys join the metrics at `result.settle()` (the run folder's writer settles after drawing
    the charts that need only this run); without, they are in the metrics on return.
    """
    if not isinstance(cfg, Config):
        cfg = load_config(cfg)
    set_threads(cfg)
    programs = [Program(p, i) for i, p in enumerate(cfg.programs())] if interventions is None else []
    result = simulate(cfg, programs if interventions is None else interventions, progress, views)
    if programs:
        result.metrics.update(program_metrics(programs, cfg))
        if cfg.evaluation.twin if twin is None else twin:
            result.twin = twin_of(cfg) if twin_of is not None else simulate(twin_config(cfg), [], None, views)
            result.metrics.update(compare(result, result.twin))
            if cfg.evaluation.decomposition:
                result.pending.append(Decomposition(result, workers).metrics)
                if workers is None:  # its worlds run here, now
                    result.settle()
    return result
