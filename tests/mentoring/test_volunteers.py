"""Opt-in enrollment (`sim.mentoring.volunteers`): the share that signs up, who signs up, and what
selection does to the naive comparison against the causal one."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.engine.model import OrgModel
from sim.mentoring.program import Program
from sim.mentoring.volunteers import MENTEE_DRAW, sign_up_chance, staying_score
from tests.conftest import make_config


@pytest.mark.parametrize("share", [0.1, 0.3, 0.8])
@pytest.mark.parametrize("selection", [0.0, 1.0, 6.0])
def test_sign_up_chances_average_the_share_and_rise_with_the_score(share, selection):
    z = np.random.default_rng(1).standard_normal(500)
    p = sign_up_chance(z, share, selection)
    assert p.mean() == pytest.approx(share, abs=1e-9)
    order = np.argsort(z)
    assert np.all(np.diff(p[order]) >= 0) if selection else np.all(p == share)
    assert np.all(sign_up_chance(z, 1.0, selection) == 1.0)


def at_first_launch(*overrides, org: str = "default"):
    """The default program on an org (default: the default org), stepped to the week of its first
    cohort (not run)."""
    cfg = make_config(f"org={org}", "program=default", "sim.check_invariants=false", "sim.agent_views=off",
                      "sim.seed=3", *overrides)
    program = Program(cfg.program, 0)
    model = OrgModel(cfg, interventions=[program])
    while model.week < cfg.program.first_cohort_week:
        model.step()
    return model, program


def signed_up(selection: float):
    model, program = at_first_launch("program.enrollment_mode=opt_in", f"program.volunteer_selection={selection}")
    eligible = program.eligible_mentees(model.week)
    return model, program, eligible, program._sign_up(eligible, 0.3, MENTEE_DRAW, model.week)


def within(mean_in, mean_all, sd_all, n, big_n):
    """|mean of a random subset of n out of big_n - mean of all| in standard errors (with the
    finite-population correction), as a two-sided normal p-value."""
    se = sd_all / math.sqrt(n) * math.sqrt((big_n - n) / (big_n - 1))
    return 2 * stats.norm.sf(abs(mean_in - mean_all) / se)


def test_without_selection_the_volunteers_look_like_the_eligible():
    """volunteer_selection=0: a random 30%; their engagement and risk score match the eligible's
    up to sampling error (a subset mean's SE with the finite-population correction; the test fails
    only for p < 0.001 on either variable, with the seed fixed)."""
    model, program, eligible, mask = signed_up(0.0)
    n, big_n = int(mask.sum()), eligible.size
    assert abs(n / big_n - 0.3) < 4 * math.sqrt(0.3 * 0.7 / big_n)  # a binomial share, 4 SE
    engagement = model.pop.engagement[eligible]
    z = staying_score(model, eligible, model.week, program._no_shift)
    for x in (engagement, z):
        assert within(x[mask].mean(), x.mean(), x.std(), n, big_n) > 0.001


def test_strong_selection_enrolls_the_more_engaged_and_settled():
    model, program, eligible, mask = signed_up(6.0)
    n, big_n = int(mask.sum()), eligible.size
    engagement = model.pop.engagement[eligible]
    z = staying_score(model, eligible, model.week, program._no_shift)
    assert abs(n / big_n - 0.3) < 4 * math.sqrt(0.3 * 0.7 / big_n)  # still 30% on average
    for x in (engagement, z):
        assert x[mask].mean() > x.mean()
        assert within(x[mask].mean(), x.mean(), x.std(), n, big_n) < 1e-6
    assert z[mask].mean() > 0.8  # about the top 30% of the score: its mean is 1.16 SD for a normal score


def test_assigned_mode_draws_as_before_and_ignores_selection():
    """assigned: the invitation is u(enrollment, draw key, 0, 0) < enroll_share, whatever the selection."""
    from sim.engine import rng

    model, program = at_first_launch("program.enrollment_mode=assigned", "program.volunteer_selection=6")
    eligible = program.eligible_mentees(model.week)
    expected = rng.uniforms(program.keys["enrollment"], model.pop.draw_key[eligible], 0, 0) < 0.3
    assert np.array_equal(program._sign_up(eligible, 0.3, MENTEE_DRAW, model.week), expected)


@pytest.mark.slow
def test_opt_in_moves_the_naive_ratio_far_more_than_the_causal_one():
    """The same program on the same seeds, assigned vs opt-in with strong selection (small org, six
    paired seeds). Per seed, dn = log naive ratio (opt-in / assigned) and dc = the same for the causal
    ratio. Selection makes the naive comparison stronger: the 95% t-interval of mean dn lies below
    0; and it moves the naive ratio more than the causal one: that of mean (dn - dc) lies below 0
    too (intervals over seeds: the seed-to-seed spread sets the tolerance)."""
    from sim import run

    dn, dc = [], []
    for seed in range(6):
        ratios = {}
        for mode in ("assigned", "opt_in"):
            m = run(make_config("program=default", "sim.check_invariants=false", "sim.agent_views=off",
                                "output.charts=false", f"sim.seed={seed}", f"program.enrollment_mode={mode}",
                                "program.volunteer_selection=6")).metrics
            ratios[mode] = (m["naive.mentee.exit_hazard_ratio"], m["effect.mentee.exit_hazard_ratio"])
        dn.append(math.log(ratios["opt_in"][0] / ratios["assigned"][0]))
        dc.append(math.log(ratios["opt_in"][1] / ratios["assigned"][1]))
    dn, dc = np.array(dn), np.array(dc)

    def upper(x):
        return x.mean() + stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)

    assert upper(dn) < 0, dn
    assert upper(dn - dc) < 0, (dn, dc)


def test_a_level_without_voluntary_exits_does_not_break_sign_up():
    """base_turnover 0 at level 1: its people have the lowest risk there is (log h floored, not -inf),
    so with strong selection they sign up first, and the share still averages 30%."""
    model, program = at_first_launch("org.levels.1.base_turnover=0", "program.enrollment_mode=opt_in",
                                     "program.volunteer_selection=6", org="small")
    eligible = program.eligible_mentees(model.week)
    mask = program._sign_up(eligible, 0.3, MENTEE_DRAW, model.week)
    z = staying_score(model, eligible, model.week, program._no_shift)
    assert np.isfinite(z).all()
    at_zero = model.pop.level[eligible] == 1
    assert mask[at_zero].mean() > mask[~at_zero].mean()


def answers_over_launches(mode: str, share: float = 0.3):
    """Run the default program on the small org for four years, recording every mentee sign-up
    round: for each person ever eligible at a launch, every answer he or she got."""
    from sim.engine.model import OrgModel

    cfg = make_config("org=small", "program=default", "sim.check_invariants=false", "sim.agent_views=off",
                      "sim.seed=5", "sim.horizon_years=4", f"program.enrollment_mode={mode}",
                      f"program.enroll_share={share}", "program.volunteer_selection=6")
    program = Program(cfg.programs()[0], 0)  # with the matching policy resolved
    model = OrgModel(cfg, interventions=[program])
    seen: dict[int, set[bool]] = {}
    sign_up = program._sign_up

    def recording(slots, share_, draw, week):
        out = sign_up(slots, share_, draw, week)
        if draw == MENTEE_DRAW:
            for eid, yes in zip(model.pop.eid[slots], out):
                seen.setdefault(int(eid), set()).add(bool(yes))
        return out

    program._sign_up = recording
    while model.week < model.horizon:
        model.step()
    return seen, program


@pytest.mark.parametrize("mode", ["assigned", "opt_in"])
def test_enroll_share_is_the_share_of_the_eligible_who_take_part(mode):
    """Both modes: each person answers once (the same answer at every launch), and the share of
    the people ever eligible who said yes is enroll_share. Tolerance: 4 binomial standard errors
    sqrt(p(1-p)/n); opt-in answers are independent Bernoulli draws whose chances average the share
    in each round, whose variance is at most the binomial one. Re-asking at every launch (as opt_in
    once did) gave about twice the share."""
    seen, program = answers_over_launches(mode)
    assert all(len(answers) == 1 for answers in seen.values())
    n = len(seen)
    took_part = sum(True in answers for answers in seen.values()) / n
    assert n > 200 and program.stats["launches"] >= 4
    assert abs(took_part - 0.3) < 4 * math.sqrt(0.3 * 0.7 / n), (took_part, n)
