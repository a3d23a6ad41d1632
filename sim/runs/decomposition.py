"""Why the outcome moved: each program effect split by mechanism (docs/MODEL.md 8.13).

The program world is run again with channels switched off (`sim.mentoring.channels`), on the same
seed and so the same random numbers. Let f(S) be a metric of the world where only the channels in S
are on, minus the twin's. The rule: switch the channels on one at a time in a fixed order, and
again in the reverse order; a channel's part is the mean of the two changes it made. Each order
telescopes from f(nothing on) to f(everything on) = the effect, so the parts add up to it exactly;
f(nothing on) is reported as `other` (zero when switching everything off gives the twin back).
It costs 2k - 1 extra runs of the program world for k channels (exact Shapley needs 2^k), and
equals the Shapley value whenever no three channels interact.

Money is split the same way: value.total by the simulated channels, the programs' cost as the
`costs` channel, so value.net = value.total - cost.total adds up; roi = value.net / cost.total,
each part divided by the same cost.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from types import SimpleNamespace

import numpy as np

from ..config.schema import Config
from ..engine.model import OrgModel
from ..mentoring.channels import CHANNELS, SIMULATED, inert, passed_over_replay, switched_off
from ..mentoring.money import internal_fill_savings, replacement_savings
from ..mentoring import program as program_module
from ..mentoring.program import Program
from .summary import summarize
from .tasks import Task, gather

log = logging.getLogger(__name__)
# Metrics split by channel (effect = program world - twin), then the money ones.
METRICS = ("turnover_annual", "voluntary_turnover_annual", "promotions_total", "internal_fill_rate_leadership",
           "bench_strength_mean")
PARTS = CHANNELS + ("other",)


@dataclasses.dataclass
class World:
    """What the decomposition reads of one world: its metrics and the money it makes against the twin."""

    metrics: dict
    value_total: float


@dataclasses.dataclass
class TwinView:
    """What a channel world reads of the twin: its money tables and its passed-over replay, worked out
    once for all the worlds (and all that is sent to a worker with each)."""

    config: Config
    timeseries: object
    level_timeseries: object
    passed_over: dict


def twin_view(twin) -> TwinView:
    """The `TwinView` of a twin run that kept its event log and roster."""
    return TwinView(twin.config, twin.timeseries, twin.level_timeseries, passed_over_replay(twin))


def _world(cfg: Config, off, twin: TwinView) -> World:
    cfg_off, switches = switched_off(cfg, off, twin.passed_over)
    cfg_off = dataclasses.replace(cfg_off, output=dataclasses.replace(cfg_off.output, events=False, charts=False),
                                  sim=dataclasses.replace(cfg_off.sim, agent_views="off"))
    programs = [Program(p, i) for i, p in enumerate(cfg_off.programs())]
    model = OrgModel(cfg_off, interventions=programs, switches=switches).run()
    metrics = summarize(model.metrics)
    return World(metrics, _value_total(cfg, model.metrics.timeseries(), model.metrics.level_timeseries(), twin))


def _twin_with_events(twin_cfg: Config) -> SimpleNamespace:
    """The twin run again with its event log and roster on (what the passed-over replay reads)."""
    cfg = dataclasses.replace(twin_cfg, output=dataclasses.replace(twin_cfg.output, events=True))
    model = OrgModel(cfg).run()
    org = model.org
    return SimpleNamespace(config=cfg, metrics=summarize(model.metrics), timeseries=model.metrics.timeseries(),
                           level_timeseries=model.metrics.level_timeseries(),
                           events=model.events.frame(org.level_names, org.group_names),
                           people=model.roster.frame(org.level_names, org.group_names, org.department_names))


def _value_total(cfg: Config, ts, level_ts, twin) -> float:
    return (replacement_savings(cfg, ts, twin.timeseries)[1]
            + internal_fill_savings(cfg, level_ts, twin.level_timeseries)["value.internal_fill_savings"])


def _orders(k: int):
    """Forward and reverse orders of switching channels on: each a list of sets of indices, from
    the empty set to all k."""
    forward = [frozenset(range(j)) for j in range(k + 1)]
    reverse = [frozenset(range(k - j, k)) for j in range(k + 1)]
    return forward, reverse


def attribute(f: dict, k: int) -> tuple[np.ndarray, float]:
    """Parts of f(all) - f(empty) per channel (mean of the forward and reverse orders), and f(empty).

    `f` maps each frozenset of channel indices in the two orders to a number (or NaN).
    """
    parts = np.zeros(k)
    for order in _orders(k):
        for before, after in zip(order[:-1], order[1:]):
            (channel,) = after - before
            parts[channel] += 0.5 * (f[after] - f[before])
    return parts, f[frozenset()]


def _live(cfg: Config, m: dict, k: int) -> frozenset:
    """Channels that can move something: none when no program started a tie (nobody was touched)."""
    if all(m.get(f"program.{p.name}.pairs_started") == 0 for p in cfg.programs()):
        return frozenset()
    return frozenset(i for i, ch in enumerate(SIMULATED) if ch not in inert(cfg))


def _quiet_world(cfg: Config, off, twin) -> World:
    """A channel world with the programs' warnings silenced (they were said in the program world).
    A task of its own: it may run in a worker process."""
    quiet = logging.getLogger(program_module.__name__)
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return _world(cfg, off, twin)
    finally:
        quiet.setLevel(level)


class Decomposition:
    """The channel worlds of one program run, started at once (as tasks of `workers`, or here one after
    the other when there are none) and attributed by `metrics()`. Every world runs the same code on the
    same random numbers wherever it runs, so the parts are the same either way."""

    def __init__(self, result, workers=None):
        self.started = time.perf_counter()
        self.result = result
        cfg, twin = result.config, result.twin
        k = len(SIMULATED)
        self.live = _live(cfg, result.metrics, k)
        if self.live and (twin.events is None or twin.people is None or not cfg.output.events):
            twin = _twin_with_events(twin.config)  # the passed-over channel replays the twin's events
        self.twin = twin
        view = twin_view(twin) if self.live else None  # sent to a worker with each world
        submit = workers.submit if workers is not None else (lambda fn, *args: Task(fn, args, None))
        # Every world the two orders pass through, by its live channels that are on. An inert channel
        # on or off is the same world, so each runs once; all on is the program world itself.
        self.tasks: dict = {}
        for order in _orders(k):
            for on in order:
                key = on & self.live
                if key != self.live and key not in self.tasks:
                    off = [SIMULATED[i] for i in range(k) if i not in on]
                    self.tasks[key] = submit(_quiet_world, cfg, off, view)

    def metrics(self) -> dict:
        """decomposition.<part>.<metric> and decomposition.runs (waits for the worlds, helping run them)."""
        keys = list(self.tasks)
        ran = dict(zip(keys, gather([self.tasks[key] for key in keys])))
        m = self.result.metrics
        ran[self.live] = World(m, m["value.total"])
        out = _attributed(self.result, self.twin, ran, self.live)
        # Its time is logged, not a metric: one seed's metrics are the same on every machine. Debug
        # level: the console is for the answer, and a run prints this line before its headline.
        log.debug("decomposition by mechanism: %d channel worlds in %.1f s", len(ran) - 1,
                 time.perf_counter() - self.started)
        return out


def decompose(result, workers=None) -> dict:
    """decomposition.<part>.<metric> for a program run with its twin, and decomposition.runs."""
    return Decomposition(result, workers).metrics()


def _attributed(result, twin, ran: dict, live: frozenset) -> dict:
    """The parts of each metric from the worlds `ran` (by their live channels that are on)."""
    m = result.metrics
    k = len(SIMULATED)
    worlds = {on: ran[on & live] for order in _orders(k) for on in order}
    out: dict = {}
    cost = m["cost.total"]
    for key in METRICS + ("value.total",):
        f = {}
        for on, world in worlds.items():
            value = world.value_total if key == "value.total" else world.metrics.get(key)
            base = 0.0 if key == "value.total" else twin.metrics.get(key)
            f[on] = float("nan") if value is None or base is None else float(value) - float(base)
        parts, other = attribute(f, k)
        name = "value.net" if key == "value.total" else key
        for channel, part in zip(SIMULATED, parts):
            out[f"decomposition.{channel}.{name}"] = float(part)
        out[f"decomposition.other.{name}"] = float(other)
        out[f"decomposition.costs.{name}"] = -cost if name == "value.net" else 0.0
    for part in PARTS:
        net = out[f"decomposition.{part}.value.net"]
        out[f"decomposition.{part}.roi"] = net / cost if cost > 0 else float("nan")
    out["decomposition.runs"] = float(len(ran) - 1)
    return out
