"""The Mesa baseline (experiments/benchmarks/mesa_baseline.py) and the engine agree statistically.

The two share no random numbers, so they are compared as samples: over a handful of
seeds each, on the small organization, with the default program and without, the mean
turnover, promotions, hires, program take-up and mean competency by level at the end
must agree within the Student-t quantile (Welch's degrees of freedom) that keeps the chance of a
false alarm at 1% over every key of both tests (Bonferroni), in standard errors of the difference
from the seeds' spread. (A fixed 3.5 SE on 7 seeds per side gave a family-wise false-alarm chance
near 10% over about two dozen keys.)
A baseline that drifted from the engine's dynamics, or an engine change that broke
them, shows up here.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numba
import numpy as np
import pytest
from scipy import stats

from sim.runs.result import run
from tests.conftest import make_config

SEEDS = 12
YEARS = 4
FAMILY_FALSE_ALARM = 0.01  # over every key of both parametrized tests
PROGRAMS = ("default", "none")
BASELINE_PATH = Path(__file__).resolve().parents[2] / "experiments" / "benchmarks" / "mesa_baseline.py"


def load_baseline():
    spec = importlib.util.spec_from_file_location("mesa_baseline", BASELINE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outcomes(metrics: dict, cfg, program: bool, engine: bool) -> dict[str, float]:
    out = {key: float(metrics[key]) for key in ("turnover_annual", "promotions_total", "hires_total")}
    for level in cfg.org.levels:
        if engine:
            values = [metrics[f"mean_competency_end.{c}.level.{level.name}"] for c in cfg.org.competencies]
            out[f"competency.{level.name}"] = float(np.mean(values))
        else:
            out[f"competency.{level.name}"] = metrics[f"mean_competency_end.level.{level.name}"]
    if program:
        for key in ("pairs_started", "meetings_held"):
            out[key] = float(metrics[f"program.default.{key}"] if engine else metrics[key])
    return out


@pytest.fixture
def one_thread():
    """The engine on one numba thread: results do not depend on it, and at 200 employees a
    parallel region costs more than it saves (on a busy machine, far more)."""
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)


@pytest.mark.slow
@pytest.mark.parametrize("program", PROGRAMS)
def test_baseline_agrees_with_engine(program, one_thread):
    baseline = load_baseline()
    on = program != "none"
    # The baseline enrolls by assignment (it does not re-implement the opt-in self-selection).
    enrollment = ["program.enrollment_mode=assigned"] if on else []
    overrides = [f"program={program}", *enrollment, f"sim.horizon_years={YEARS}", "evaluation.twin=false",
                 "sim.agent_views=off", "output.events=false", "sim.check_invariants=false"]
    engine, mesa = [], []
    for i in range(SEEDS):  # independent seeds on each side: the two share no draws anyway
        cfg = make_config(*overrides, f"sim.seed={i}")
        engine.append(outcomes(run(cfg, twin=False).metrics, cfg, on, engine=True))
        cfg = make_config(*overrides, f"sim.seed={1000 + i}")
        mesa.append(outcomes(baseline.run_baseline(cfg), cfg, on, engine=False))
    failures = []
    alpha = FAMILY_FALSE_ALARM / (len(PROGRAMS) * len(engine[0]))
    for key in engine[0]:
        e = np.array([row[key] for row in engine])
        m = np.array([row[key] for row in mesa])
        ve, vm = e.var(ddof=1) / e.size, m.var(ddof=1) / m.size
        se = np.sqrt(ve + vm)
        df = (ve + vm) ** 2 / (ve**2 / (e.size - 1) + vm**2 / (m.size - 1)) if se > 0 else np.inf
        diff = m.mean() - e.mean()
        if abs(diff) > stats.t.ppf(1 - alpha / 2, df) * se:
            failures.append(f"{key}: engine {e.mean():.4f} (sd {e.std(ddof=1):.4f}), baseline {m.mean():.4f} "
                            f"(sd {m.std(ddof=1):.4f}), difference {diff:+.4f} = {diff / se if se else np.inf:+.1f} SE")
    assert not failures, "baseline and engine disagree:\n" + "\n".join(failures)


def test_baseline_refuses_a_program_it_does_not_implement():
    """Opt-in self-selection is not re-implemented in the baseline: it says so instead of running."""
    cfg = make_config("program=default", "program.enrollment_mode=opt_in", "sim.horizon_years=1")
    with pytest.raises(ValueError, match="enrollment_mode=assigned only"):
        load_baseline().run_baseline(cfg)
