"""Calibrate the mentoring effect parameters to the evidence targets (`configs/evidence/`).

An Optuna study (TPE sampler, seeded) searches the parameters in `PARAMETERS`; every trial runs the
program and its no-program twin on the same paired seeds (common random numbers, so two trials
differ by their parameters, not by noise), and scores the mean over seeds of each target's
quantity by its distance from the target range on the log scale:

    loss = sum over targets of  d(log mean, [log low, log high])^2,   d = 0 inside the range,

the log scale because hazard ratios are symmetric there (0.5 lies as far below 1 as 2 above it).
The study starts from the given values (its first trial: the current defaults in the script), so
the winner is never worse than them on the search seeds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ..config.evidence import Target
from .compare import half_width
from .paired import PairedRunner


@dataclass(frozen=True)
class Parameter:
    """One searched parameter: its override key and the range searched."""

    key: str
    low: float
    high: float


# What the targets can move, and the ranges searched (section 9.3 of docs/MODEL.md says why).
PARAMETERS = (
    Parameter("program.effects.skill_transfer", 0.0, 0.04),
    Parameter("program.effects.sponsorship", 0.0, 0.3),
    Parameter("program.effects.mentor_leadership_gain", 0.0, 0.01),
    Parameter("program.effects.mentee_retention_effect", -0.6, 0.0),
    Parameter("program.effects.mentor_retention_effect", -0.6, 0.0),
    Parameter("program.volunteer_selection", 0.0, 10.0),
    Parameter("program.mentor_volunteer_share", 0.2, 1.0),
    Parameter("attrition.frailty_sd", 0.0, 1.0),
)


def evidence_table(targets: list[Target], metrics: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per target: the model's mean over seeds (rows of `metrics`), its t-interval (the seeds
    are independent: mean +- t(0.975, n-1) sd / sqrt(n)), inside the range or not; NaN seeds left out."""
    rows = []
    for t in targets:
        values = pd.to_numeric(metrics.get(t.quantity, pd.Series(dtype=float)), errors="coerce")
        values = values[values.map(math.isfinite)] if len(values) else values
        n = int(values.size)
        mean = float(values.mean()) if n else float("nan")
        half = half_width(float(values.std(ddof=1)), n, confidence) if n > 1 else float("nan")
        rows.append({"target": t.name, "quantity": t.quantity, "low": t.low, "high": t.high, "value": t.value,
                     "evidence": t.evidence, "seeds": n, "mean": mean, "ci_low": mean - half,
                     "ci_high": mean + half, "inside": t.holds(mean)})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The evidence table as Markdown (docs/MODEL.md 9.3.1)."""
    lines = ["| quantity | target | evidence | model: mean over seeds (95% interval) | inside |",
             "|---|---|---|---|---|"]
    for r in table.itertuples():
        target = f"{r.low:g} to {r.high:g}" + (f" (point {r.value:g})" if r.value == r.value and r.value else "")
        lines.append(f"| `{r.quantity}` | {target} | {r.evidence.replace('_', ' ')} | "
                     f"{r.mean:.3f} ({r.ci_low:.3f} to {r.ci_high:.3f}), {r.seeds} seeds | "
                     f"{'yes' if r.inside else '**no**'} |")
    return "\n".join(lines)


def log_distance(x: float, low: float, high: float) -> float:
    """How far log x lies outside [log low, log high] (0 inside); a missing or non-positive x is
    scored as far as the range is wide plus one (a trial that measures nothing must not win)."""
    if not (x == x and x > 0):
        return math.log(high / low) + 1.0
    return max(math.log(low) - math.log(x), math.log(x) - math.log(high), 0.0)


def loss(table: pd.DataFrame) -> float:
    """Sum over targets of the squared log distance of the mean from the range."""
    return float(sum(log_distance(r.mean, r.low, r.high) ** 2 for r in table.itertuples()))


@dataclass
class Calibration:
    """The search's outcome: the best parameters, their table on the search seeds, every trial."""

    best: dict[str, float]
    best_loss: float
    table: pd.DataFrame
    trials: pd.DataFrame
    seeds: list[int]


def calibrate(targets: list[Target], base: list[str], start: dict[str, float], seeds: int | list[int] = 4,
              trials: int = 30, jobs: int = 2, sampler_seed: int = 0,
              parameters: tuple[Parameter, ...] = PARAMETERS,
              progress: Callable[[int, float, float], None] | None = None) -> Calibration:
    """Search `parameters` to bring every target in range (module docstring).

    `base`: overrides of the design (e.g. ["program=default"]); `start`: the first trial's values
    by key (the current defaults); `seeds`: a count from 0 or a list, the same for every trial;
    `progress(trial, loss, best)` after each trial."""
    import warnings

    import optuna

    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=sampler_seed))
    with warnings.catch_warnings():  # enqueue_trial is marked experimental, its use here is plain
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.enqueue_trial({p.key: min(max(start[p.key], p.low), p.high) for p in parameters})
    runner = PairedRunner(jobs=jobs)
    tables: dict[int, pd.DataFrame] = {}
    try:
        for number in range(trials):
            trial = study.ask()
            values = {p.key: trial.suggest_float(p.key, p.low, p.high) for p in parameters}
            paired = runner.run([*base, *(f"{k}={v:.6g}" for k, v in values.items())], seed_list)
            table = evidence_table(targets, paired.metrics)
            tables[trial.number] = table
            study.tell(trial, loss(table))
            if progress is not None:
                progress(number, loss(table), study.best_value)
    finally:
        runner.close()
    best = study.best_trial
    frame = study.trials_dataframe(attrs=("number", "value", "params"))
    return Calibration(best={k: float(v) for k, v in best.params.items()}, best_loss=float(best.value),
                       table=tables[best.number], trials=frame, seeds=seed_list)
