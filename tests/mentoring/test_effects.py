"""Program effects: none at all reproduces the twin exactly; larger effects help mentees.

Streams are counter-based (keyed by seed, employee and week), so a program whose
effects are all zero must leave every exit, hire and promotion exactly where the
no-program twin has it: common random numbers. Only the mentoring_* events and the
participation labels may differ.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import run
from sim.mentoring.evaluation import EFFECT_METRICS
from sim.config.program import EffectsConfig
from tests.conftest import make_config

# Effects on people; the rest of EffectsConfig shapes the relationship itself (trust, phases, factors).
PEOPLE_EFFECTS = ("skill_transfer", "confidence_gain", "engagement_gain", "belonging_gain_same_group",
                  "belonging_gain_cross_group", "dissolution_engagement_penalty", "mentor_leadership_gain",
                  "mentor_engagement_gain", "mentee_retention_effect", "mentor_retention_effect",
                  "alumni_retention_effect", "sponsorship")
COLUMNS = ["week", "kind", "employee", "level", "group", "detail"]


def with_effects(cfg, effects_of):
    """cfg with every program's effects replaced by effects_of(program.effects)."""
    program = dataclasses.replace(cfg.program, effects=effects_of(cfg.program.effects))
    extra = [dataclasses.replace(p, effects=effects_of(p.effects)) for p in cfg.extra_programs]
    return dataclasses.replace(cfg, program=program, extra_programs=extra)


def workforce_events(events):
    ev = events[~events["kind"].astype(str).str.startswith("mentoring_")]
    ev = ev.assign(kind=ev["kind"].astype(str), level=ev["level"].astype(str), group=ev["group"].astype(str))
    return ev[COLUMNS].sort_values(COLUMNS).reset_index(drop=True)


def test_zeroed_switches_off_every_effect_on_people_and_keeps_the_relationship_rules():
    base = EffectsConfig(trust_gain=0.2, trust_loss=0.1, trust_floor=0.2, alumni_weeks=30, training_multiplier=1.5,
                         initiation_skill_factor=0.4, group_skill_factor=0.7)
    zero = base.zeroed()
    for f in dataclasses.fields(EffectsConfig):
        if f.name in PEOPLE_EFFECTS:
            assert getattr(zero, f.name) == 0.0, f.name
        else:
            assert getattr(zero, f.name) == getattr(base, f.name), f.name
    assert {f.name for f in dataclasses.fields(EffectsConfig)} >= set(PEOPLE_EFFECTS)


ZERO_CASES = {
    "default": ["program=default", "program.enroll_share=1.0"],
    "peer_circle": ["program=peer_circle", "program.enroll_share=1.0"],
    "reverse": ["program=reverse", "program.enroll_share=1.0"],
    "sponsorship": ["program=sponsorship", "program.enroll_share=1.0"],
    "two_programs": ["experiment=onboarding_plus_leadership", "program.first_cohort_week=30"],
}


@pytest.mark.parametrize("case", sorted(ZERO_CASES))
def test_zero_effects_reproduce_the_twin_exactly(case):
    cfg = make_config("sim.horizon_years=3", "metrics.period_weeks=52", "evaluation.twin=true", *ZERO_CASES[case])
    result = run(with_effects(cfg, EffectsConfig.zeroed), twin=True)
    ev = result.events
    assert (ev["kind"] == "mentoring_start").sum() >= 20, "the program should have enrolled people"
    assert not result.twin.events["kind"].astype(str).str.startswith("mentoring_").any()
    ours, twins = workforce_events(ev), workforce_events(result.twin.events)
    assert {"hire", "promotion", "voluntary_exit"} <= set(ours["kind"])
    assert len(ours) == len(twins), f"{len(ours)} workforce events vs the twin's {len(twins)}"
    diff = (ours != twins).any(axis=1)
    assert not diff.any(), f"first difference:\n{ours[diff].head(3)}\ntwin:\n{twins[diff].head(3)}"
    m = result.metrics
    for key in EFFECT_METRICS:
        assert m[f"effect.{key}"] == pytest.approx(0.0, abs=1e-12), key
    for key in ("turnover_annual", "voluntary_turnover_annual", "promotion_incidence_1y"):
        assert m[f"effect.mentee.{key}"] == 0.0, key
    assert m["value.avoided_voluntary_exits"] == 0.0 and m["value.total"] == 0.0
    assert m["roi"] == -1.0  # all cost, no value


def test_zero_effects_by_hydra_overrides_match_the_twin():
    zero = [f"program.effects.{k}=0" for k in PEOPLE_EFFECTS]
    cfg = make_config("program=onboarding", "sim.horizon_years=2", "metrics.period_weeks=52", *zero)
    result = run(cfg, twin=True)
    assert (result.events["kind"] == "mentoring_start").sum() >= 20
    assert workforce_events(result.events).equals(workforce_events(result.twin.events))


# Effects that help mentees; ×k scales them together, everything else stays at its default.
MENTEE_EFFECTS = ("skill_transfer", "confidence_gain", "engagement_gain", "belonging_gain_same_group",
                  "belonging_gain_cross_group", "mentee_retention_effect", "mentor_retention_effect",
                  "alumni_retention_effect", "sponsorship")
SEEDS = range(6)


def scaled(k):
    return lambda e: dataclasses.replace(e, **{key: k * getattr(e, key) for key in MENTEE_EFFECTS})


def first_cohort_outcomes(result, week):
    """(voluntary exit share, promotion share) of the mentees matched in the first cohort, to the horizon."""
    ev = result.events
    first = ev[ev["kind"] == "mentoring_start"].groupby("employee")["week"].min()
    ids = first.index[first == week]
    later = ev[ev["employee"].isin(ids) & (ev["week"] >= week)]
    left = later.loc[later["kind"] == "voluntary_exit", "employee"].nunique()
    promoted = later.loc[later["kind"] == "promotion", "employee"].nunique()
    return ids, left / len(ids), promoted / len(ids)


def test_larger_effects_are_no_worse_for_mentees():
    """Paired by seed: the first cohort is the same people in both worlds (effects start after matching).

    For each seed, d = outcome(effects x2) - outcome(effects x0); the mean of d must not be on the
    wrong side of zero by more than two standard errors of the mean across seeds.
    """
    d_exit, d_promo = [], []
    for seed in SEEDS:
        cfg = make_config("program=default", "sim.horizon_years=3", f"sim.seed={seed}", "metrics.period_weeks=52",
                          "sim.check_invariants=false")
        week = cfg.program.first_cohort_week
        out = {k: first_cohort_outcomes(run(with_effects(cfg, scaled(k)), twin=False), week) for k in (0, 2)}
        assert np.array_equal(out[0][0], out[2][0]) and len(out[0][0]) >= 20
        d_exit.append(out[2][1] - out[0][1])
        d_promo.append(out[2][2] - out[0][2])
    for name, d, sign in (("voluntary exit share", d_exit, -1), ("promotion share", d_promo, +1)):
        d = np.asarray(d)
        se = d.std(ddof=1) / np.sqrt(d.size)
        assert sign * d.mean() >= -2 * se, f"{name}: x2 - x0 = {d.mean():+.3f} (SE {se:.3f}), per seed {d.round(3)}"
    assert np.mean(d_promo) > 0, "doubling sponsorship and skill transfer should promote more mentees"
