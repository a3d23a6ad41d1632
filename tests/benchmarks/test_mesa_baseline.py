"""The Mesa baseline (experiments/benchmarks/mesa_baseline.py) and the engine agree statistically.

The two share no random numbers, so they are compared as samples: over a handful of
seeds each, on the small organization, with the default program (assigned, and opt-in) and
without, the mean turnover, promotions, hires, mean competency by level at the end and, with a
program, its take-up, meetings held, mean match quality, attendance and mentors' mean load
must agree within the Student-t quantile (Welch's degrees of freedom) that keeps the chance of a
false alarm at 1% over every key of every case (Bonferroni), in standard errors of the difference
from the seeds' spread. (A fixed 3.5 SE on 7 seeds per side gave a family-wise false-alarm chance
near 10% over about two dozen keys.)
A baseline that drifted from the engine's dynamics, or an engine change that broke
them, shows up here.
"""
from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from scipy import stats

from sim.runs.result import run
from tests.conftest import make_config

SEEDS = 12
YEARS = 4
FAMILY_FALSE_ALARM = 0.01  # over every key of every case below
# program, enrollment_mode (None: no program)
CASES = (("default", "assigned"), ("default", "opt_in"), ("none", None))
N_KEYS = {True: 3 + 6 + 5, False: 3 + 6}  # with a program or not: counts, levels of the small org, program keys
BENCHMARKS = Path(__file__).resolve().parents[2] / "experiments" / "benchmarks"


def load_baseline():
    """The baseline as a script sees it (its folder on the path, beside its mentoring module)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module("mesa_baseline")


def outcomes(metrics: dict, cfg, program: bool, engine: bool) -> dict[str, float]:
    out = {key: float(metrics[key]) for key in ("turnover_annual", "promotions_total", "hires_total")}
    for level in cfg.org.levels:
        if engine:
            values = [metrics[f"mean_competency_end.{c}.level.{level.name}"] for c in cfg.org.competencies]
            out[f"competency.{level.name}"] = float(np.mean(values))
        else:
            out[f"competency.{level.name}"] = metrics[f"mean_competency_end.level.{level.name}"]
    if program:
        got = {key: float(metrics[f"program.default.{key}"] if engine else metrics[key])
               for key in ("pairs_started", "meetings_held", "meetings_missed", "pair_weeks", "mentor_weeks")}
        out["pairs_started"] = got["pairs_started"]
        out["meetings_held"] = got["meetings_held"]
        out["mean_match_quality"] = (metrics["program.default.mean_match_quality"] if engine
                                     else metrics["quality_sum"] / got["pairs_started"])
        out["attendance_rate"] = got["meetings_held"] / (got["meetings_held"] + got["meetings_missed"])
        out["mean_mentor_load"] = got["pair_weeks"] / got["mentor_weeks"]
    assert len(out) == N_KEYS[program]
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
@pytest.mark.parametrize("program,enrollment", CASES)
def test_baseline_agrees_with_engine(program, enrollment, one_thread):
    baseline = load_baseline()
    on = program != "none"
    enroll = [f"program.enrollment_mode={enrollment}"] if on else []
    overrides = [f"program={program}", *enroll, f"sim.horizon_years={YEARS}", "evaluation.twin=false",
                 "sim.agent_views=off", "output.events=false", "sim.check_invariants=false"]
    engine, mesa = [], []
    for i in range(SEEDS):  # independent seeds on each side: the two share no draws anyway
        cfg = make_config(*overrides, f"sim.seed={i}")
        engine.append(outcomes(run(cfg, twin=False).metrics, cfg, on, engine=True))
        cfg = make_config(*overrides, f"sim.seed={1000 + i}")
        mesa.append(outcomes(baseline.run_baseline(cfg), cfg, on, engine=False))
    failures = []
    alpha = FAMILY_FALSE_ALARM / sum(N_KEYS[p != "none"] for p, _ in CASES)
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


@pytest.mark.parametrize("overrides,message", [
    (["program=onboarding"], "enrollment = 'rolling': the baseline implements enrollment=cohort only"),
    (["program=default", "program.max_mentees=10"], "max_mentees = 10: the baseline implements no caps"),
    (["experiment=onboarding_plus_leadership"], "extra_programs = ['onboarding']: the baseline runs one program only"),
], ids=["rolling", "cap", "two_programs"])
def test_baseline_refuses_a_program_it_does_not_implement(overrides, message):
    """A program the baseline does not re-implement is refused, naming the key, instead of run as another."""
    cfg = make_config(*overrides, "sim.horizon_years=1")
    with pytest.raises(ValueError, match=re.escape(message)):
        load_baseline().run_baseline(cfg)
