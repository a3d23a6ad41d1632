"""One run as a job: the unit a single run and every sweep job execute.

A job writes `status.json` = running first and complete (or failed, with the
error) last. A job whose folder already holds a complete run of the same
configuration (same `config_hash`) and no damaged file is skipped, so re-running
a sweep into the same folder completes only what is missing or damaged. An
unexpected error fails this job only: it is recorded, and the other jobs of a
sweep go on.
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import logging
import math
import time
import traceback
from pathlib import Path

import numpy as np

from collections import OrderedDict

from ..mentoring.evaluation import twin_config
from .folder import STATUS_FILE, damage, has_tables, is_complete, write_json
from ..config.load import plain_data
from ..config.schema import Config

log = logging.getLogger(__name__)


def config_hash(cfg: Config) -> str:
    """A stable hash of everything that determines a run's results (not where it is written)."""
    data = plain_data(cfg)
    data.pop("output", None)
    data["sim"].pop("numba_threads", None)  # results are identical for any thread count
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# Sections the twin's simulation never reads: the programs (switched off in the twin), the top-level
# matching (read only through the programs) and the evaluation (read after both worlds have run).
NOT_READ_BY_TWIN = ("program", "extra_programs", "matching", "evaluation")
WHERE_WRITTEN = ("dir", "charts", "report", "sweep_charts", "sweep_tables")  # output.events is read: kept


def twin_hash(cfg: Config) -> str:
    """A hash of everything the no-program twin's run depends on: designs that differ only in
    program settings (or in what and where they write) have the same twin for the same seed."""
    data = plain_data(twin_config(cfg))
    for key in NOT_READ_BY_TWIN:
        data.pop(key, None)
    for key in WHERE_WRITTEN:
        data["output"].pop(key, None)
    data["sim"].pop("numba_threads", None)
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class SharedTwins:
    """The twins this process has run or been given, by `twin_hash`: a design whose twin is here
    reuses it instead of simulating the same no-program world again. The most recently used are
    kept, at most `size` of them and `max_bytes` of tables (a large organization's twin is big);
    the newest always."""

    def __init__(self, size: int = 16, max_bytes: int = 512 * 2**20):
        self.size, self.max_bytes = size, max_bytes
        self.runs: OrderedDict = OrderedDict()
        self.sizes: dict = {}  # bytes of each kept twin's tables, measured once when it is added
        self.made: dict = {}  # twins simulated here since `take_made` (to hand to other workers)

    def __call__(self, cfg: Config):
        from .result import simulate

        key = twin_hash(cfg)
        twin = self.runs.get(key)
        if twin is None:
            # its model is not kept, so nobody could read its agent views
            twin = dataclasses.replace(simulate(twin_config(cfg), [], None, views=False), model=None)
            self.made[key] = twin
            self.add({key: twin})
            log.debug("twin %s simulated", key)
        else:
            self.runs.move_to_end(key)
            log.debug("twin %s shared", key)
        # as the twin run for this design would be: its own config; metrics a copy to update freely
        return dataclasses.replace(twin, config=twin_config(cfg), metrics=dict(twin.metrics))

    def add(self, twins: dict) -> None:
        for key, twin in twins.items():
            self.runs[key] = twin
            self.runs.move_to_end(key)
            self.sizes[key] = _table_bytes(twin)
        while len(self.runs) > 1 and (len(self.runs) > self.size or sum(self.sizes.values()) > self.max_bytes):
            self.sizes.pop(self.runs.popitem(last=False)[0])

    def take_made(self) -> dict:
        made, self.made = self.made, {}
        return made


def _table_bytes(result) -> int:
    """The bytes of a run's tables, from their arrays (pandas' memory_usage costs several times more)."""
    tables = (result.timeseries, result.level_timeseries, result.model_timeseries, result.events, result.people)
    return int(sum(t.index.nbytes + sum(t[c].array.nbytes for c in t.columns) for t in tables if t is not None))


_SHARED: list = [None]  # this process's SharedTwins while a sweep shares twins (`share_twins`)


def share_twins(on: bool) -> SharedTwins | None:
    """Start or stop sharing twins between the jobs this process runs. A store already here is kept:
    its twins are keyed by what they depend on, so they hold for every later sweep of this process
    (an optimizing sweeper launches each batch of trials anew, on the same search seeds)."""
    _SHARED[0] = (_SHARED[0] or SharedTwins()) if on else None
    return _SHARED[0]


def shared_twins() -> SharedTwins | None:
    return _SHARED[0]


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
            seeded.evaluation.decomposition = False  # only the objective is read
            metrics = run(seeded, twin_of=shared_twins()).metrics
        values.append(_number(metrics.get(key)))
        costs.append(metrics.get("cost.total"))
    mean = float(np.mean(values))
    cost = None if any(c is None for c in costs) else float(np.mean(costs))
    penalty = budget_penalty(cfg, cost)
    return {"objective": key, "seeds": [int(s) for s in seeds], "values": values, "mean": mean,
            "cost_mean": cost, "budget": cfg.evaluation.objective_budget,
            "penalty_per_overspend": cfg.evaluation.objective_penalty, "penalty": penalty, "value": mean + penalty}


def objective(cfg: Config, metrics: dict, folder: Path | None = None, digest: str | None = None) -> float:
    """The value an optimizing sweeper minimizes or maximizes.

    The mean of `evaluation.objective` over the search seeds (`search_seeds`; the
    job's own run is the first, `metrics`), plus the budget penalty on the mean
    cost. With a `folder` the details go to its objective.json, and a later call
    on the same configuration reuses them instead of running the seeds again.
    `digest`: `config_hash(cfg)` when the caller has it.
    """
    digest = digest or config_hash(cfg)
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


def run_job(cfg: Config, folder: Path, progress=None, announce=print, more_metrics=None,
            tables: bool = True, workers=None, digest: str | None = None) -> tuple[str, dict]:
    """Run (or skip) one configuration into `folder`; returns (status, metrics).

    `more_metrics(folder, metrics)`, when given, is called after the run, once its own tables and
    charts are written and before metrics.json is; the keys it returns join metrics.json (a run's
    summary over its other seeds). `workers` (`sim.runs.tasks.Workers`) take the decomposition's
    worlds meanwhile. `tables` false writes the metrics only (config.yaml, metrics.json,
    status.json), and its worlds run without Mesa agent views (nothing of their models is kept; the
    same results). A complete folder of the same config is skipped unless it lacks tables that are
    asked for now. `digest`: `config_hash(cfg)` when the caller has it.
    """
    from .result import run

    folder = Path(folder)
    digest = digest or config_hash(cfg)
    if (is_complete(folder) and read_status(folder).get("config_hash") == digest and damage(folder) is None
            and (has_tables(folder) or not tables)):
        announce(f"mentorsim: skipped, already complete: {folder}")
        return "skipped", json.loads((folder / "metrics.json").read_text())
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / STATUS_FILE, {"status": "running", "config_hash": digest, "started": time.time()})
    try:
        result = run(cfg, progress=progress, workers=workers, twin_of=shared_twins(), views=tables)
        if more_metrics is not None:
            result.pending.append(lambda: more_metrics(folder, result.metrics))
        result.save(folder, extra_status={"config_hash": digest}, tables=tables)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as err:  # a bug or a resource error: this job fails, the sweep goes on
        write_json(folder / STATUS_FILE, {"status": "failed", "config_hash": digest,
                                          "error": f"{type(err).__name__}: {err}",
                                          "traceback": traceback.format_exc()})
        log.error("run failed: %s: %s (details in %s)", type(err).__name__, err, folder / STATUS_FILE)
        return "failed", {}
    return "complete", result.metrics


def _defined(value) -> bool:
    """A figure that can be shown: not None (NaN in metrics.json) and not NaN or infinite."""
    return value is not None and math.isfinite(value)


def _figure(value, spec: str, reason: str, unit: str = "") -> str:
    """`value` formatted with its unit, or "n/a (reason)" when it is undefined."""
    return format(value, spec) + unit if _defined(value) else f"n/a ({reason})"


def _rules(program, keys: tuple[str, ...]) -> str:
    """The program's settings among `keys` that narrow who qualifies (defaults that do not are left out)."""
    parts = []
    for key in keys:
        value = getattr(program, key)
        if value in (None, False, [], 0) and key != "min_level_gap":
            continue
        parts.append(f"{key}={str(value).lower() if isinstance(value, bool) else value}")
    return ", ".join(parts)


MENTEE_RULES = ("mentee_levels", "mentee_min_tenure_weeks", "mentee_max_tenure_weeks", "mentee_hipo_only",
                "mentee_groups")
POOL_RULES = ("mentor_levels", "min_level_gap", "mentor_min_tenure_weeks", "mentor_capacity")


def why_nobody_matched(program, metrics: dict) -> str:
    """Why a program started no pair, from its counters (the run's log names the exact rule)."""
    stat = lambda key: metrics.get(f"program.{program.name}.{key}") or 0  # noqa: E731
    if stat("launches") == 0:
        return f"no enrollment round fell inside the run (first_cohort_week={program.first_cohort_week})"
    if stat("launches_without_eligible") >= stat("launches"):
        return f"nobody met the mentee rules ({_rules(program, MENTEE_RULES)})"
    if stat("launches_without_mentor"):
        return f"no mentor met the pool rules ({_rules(program, POOL_RULES)})"
    policy = (program.matching.policy if program.matching else "matching")
    return (f"the {policy} policy placed none of the {stat('unmatched'):.0f} mentees it was given "
            f"({_rules(program, POOL_RULES + ('mentor_other_department',))})")


def _over_seeds(m: dict, key: str, spec: str, unit: str = "", scale: float = 1, paired: bool = True) -> str:
    """`key`'s mean over the run's seeds with its 95% interval, "unclear" for a paired difference whose
    interval spans zero; "n/a (reason)" when undefined."""
    mean, low, high = (m.get(f"seeds.{key}.{end}") for end in ("mean", "low", "high"))
    if not _defined(mean):
        return "n/a (undefined in every seed)"
    if not (_defined(low) and _defined(high)):
        return f"{format(scale * mean, spec)}{unit} (no interval: defined in one seed only)"
    unclear = ": unclear" if paired and low <= 0 <= high else ""
    return f"{format(scale * mean, spec)}{unit} ({format(scale * low, spec)} to {format(scale * high, spec)}{unclear})"


def seeds_headline(cfg: Config, metrics: dict) -> list[str]:
    """The lines printed after a run over several paired seeds: means with their 95% intervals."""
    m = metrics
    first, n = int(m["seeds.first"]), int(m["seeds.n"])
    span = f"seeds {first}-{first + n - 1}"
    lines = [f"mentorsim: {cfg.org.name} org, {m['years']:g} years, mean of {span} (95% interval): turnover "
             f"{_over_seeds(m, 'turnover_annual', '.1f', '%/yr', 100, paired=False)}, internal leadership fill "
             f"{_over_seeds(m, 'internal_fill_rate_leadership', '.0f', '%', 100, paired=False)}, bench "
             f"{_over_seeds(m, 'bench_strength_end', '.2f', paired=False)}"]
    if "effect.turnover_annual" not in m:
        return lines
    programs = cfg.programs()
    for program in programs:
        if not m.get(f"program.{program.name}.pairs_started"):
            lines.append(f"mentorsim: program {program.name} matched nobody in seed {first}: "
                         f"{why_nobody_matched(program, m)}")
    names = ", ".join(p.name for p in programs)
    lines.append(
        f"mentorsim: program {names} vs its twin, each seed paired with its own (mean, 95% interval): turnover "
        f"{_over_seeds(m, 'effect.turnover_annual', '+.2f', ' pts/yr', 100)}, promotions "
        f"{_over_seeds(m, 'effect.promotions_total', '+.0f')}, internal leadership fill "
        f"{_over_seeds(m, 'effect.internal_fill_rate_leadership', '+.1f', ' pts', 100)}; naive mentees-vs-others "
        f"turnover gap {_over_seeds(m, 'naive.turnover_annual.mentee_minus_none', '+.2f', ' pts', 100, False)}; "
        f"cost {_over_seeds(m, 'cost.total', ',.0f', paired=False)}, net value "
        f"{_over_seeds(m, 'value.net', '+,.0f')}")
    lines.append(f"mentorsim: 'unclear' = the interval spans zero; charts, events and people are seed {first}'s, "
                 f"seeds.csv has every seed; evaluation.seeds=N sets how many")
    return lines


def headline(cfg: Config, metrics: dict, wall_seconds: float | None = None) -> list[str]:
    """The lines printed after a run: every figure a number, or "n/a" with the reason."""
    m = metrics
    if (m.get("seeds.n") or 0) > 1:
        return seeds_headline(cfg, m)
    wall = f" ({wall_seconds:.2f} s)" if wall_seconds is not None else ""
    lines = [f"mentorsim: {cfg.org.name} org, {m['years']:g} years, seed {cfg.sim.seed}: "
             f"turnover {_figure(m.get('turnover_annual'), '.1%', 'no person-years', '/yr')}, "
             f"internal leadership fill "
             f"{_figure(m.get('internal_fill_rate_leadership'), '.0%', 'no leadership seat was filled')}, "
             f"bench {_figure(m.get('bench_strength_end'), '.2f', 'no leadership seats')}{wall}"]
    if "effect.turnover_annual" not in m:
        return lines
    programs = cfg.programs()
    idle = [p for p in programs if not m.get(f"program.{p.name}.pairs_started")]
    for program in idle:
        lines.append(f"mentorsim: program {program.name} matched nobody: {why_nobody_matched(program, m)}")
    pct = lambda key: None if not _defined(m.get(key)) else 100 * m[key]  # noqa: E731
    no_mentees = "no mentees" if len(idle) == len(programs) else "no person-years of mentees or of others"
    no_fill = "no leadership seat was filled in the program's world or the twin"
    cost = m.get("cost.total")
    names = ", ".join(p.name for p in programs)
    lines.append(
        f"mentorsim: program {names} vs its twin (same seed, no program): turnover "
        f"{_figure(pct('effect.turnover_annual'), '+.2f', 'no person-years', ' pts/yr')}, "
        f"promotions {_figure(m.get('effect.promotions_total'), '+.0f', 'not counted')}, "
        f"internal leadership fill {_figure(pct('effect.internal_fill_rate_leadership'), '+.1f', no_fill, ' pts')}; "
        f"naive mentees-vs-others turnover gap "
        f"{_figure(pct('naive.turnover_annual.mentee_minus_none'), '+.2f', no_mentees, ' pts')}; "
        f"cost {_figure(cost, ',.0f', 'not counted')}, ROI {_figure(m.get('roi'), '+.2f', 'the program cost nothing')}")
    lines.append("mentorsim: one seed is one draw of the model's randomness; for intervals over paired seeds "
                 "drop evaluation.seeds=1 (10 seeds, each against its own twin), or sweep seeds "
                 "(mentorsim -m 'sim.seed=range(20)', then mentorsim compare SWEEP_DIR --baseline twin)")
    return lines
