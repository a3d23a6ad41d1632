"""Who signs up for an opt-in program: people who would stay anyway are likelier to volunteer.

A program with `enrollment_mode=assigned` invites a random `enroll_share` of the eligible (the
invited all take part). With `enrollment_mode=opt_in` the same share signs up on average, but the
chance rises with how settled a person is: with z the person's standardized *low* attrition risk
among this round's new candidates (minus the log of the weekly exit hazard the engine would apply
now, from level, first year, confidence, engagement, belonging, being passed over and the person's
own frailty, `attrition.frailty_sd`: people know their own attachment; program effects and the
market pull of skills left out),

    P(sign up) = expit(alpha + volunteer_selection * z),   alpha such that mean P = share,

and a person signs up when u(enrollment_p, draw key, 0, k) < P (k = 0 mentees, 2 mentors). Each
person answers once (`Answers`), at the first round he or she is a candidate; the stream is the
program's own, so the no-program twin draws nothing different. `volunteer_selection` = 0 is a
random `share`.
"""
from __future__ import annotations

import numpy as np
from numba import njit
from scipy.optimize import brentq
from scipy.special import expit

from ..engine import rng
from ..engine.kernels import weekly_hazard
from ..engine.population import room_for

MENTEE_DRAW, MENTOR_DRAW = 0, 2  # draw indices of the enrollment stream (1: the order of places)


@njit(cache=True)
def log_exit_hazard(slots, level, hire_week, competency, confidence, engagement, belonging, passed_over,
                    participation, no_shift, frailty, profile, demand, base_hazard, participation_effect, p, week):
    """log h of the engine's weekly voluntary-exit hazard (section 7.3) for each slot, with every
    program's shift left out (`no_shift`: zeros). Serial: called once per enrollment round. A level
    with no voluntary exits (base turnover 0) gives log 1e-300, finite, rather than -inf."""
    out = np.empty(slots.shape[0])
    for j in range(slots.shape[0]):
        h = weekly_hazard(slots[j], level, hire_week, competency, confidence, engagement, belonging, passed_over,
                          participation, no_shift, frailty, profile, demand, base_hazard, participation_effect, p, week)
        out[j] = np.log(max(h, 1e-300))
    return out


def staying_score(model, slots, week: int, no_shift) -> np.ndarray:
    """z: minus the log exit hazard, standardized over `slots` (0 for everyone when they do not vary).

    The market pull of skills above the level's demand is left out: it is what makes the able
    leave, and the able and ambitious are no less likely to volunteer (with it in, volunteers
    would be the less able and mentees promoted less than others, against the Sun figures)."""
    pop, org, dyn = model.pop, model.org, model.dynamics
    log_h = log_exit_hazard(slots, pop.level, pop.hire_week, pop.competency, pop.confidence, pop.engagement,
                            pop.belonging, pop.passed_over, pop.participation, no_shift, pop.frailty, org.profile,
                            org.demand, org.base_hazard_week, dyn.participation_effect, dyn.hazard_params._replace(
                                market_pull_effect=0.0), week)
    sd = float(log_h.std()) if slots.size > 1 else 0.0
    return (log_h.mean() - log_h) / sd if sd > 1e-12 else np.zeros(slots.size)


def sign_up_chance(z: np.ndarray, share: float, selection: float) -> np.ndarray:
    """expit(alpha + selection z), alpha solved so that the chances average `share`."""
    if share >= 1.0 or z.size == 0:
        return np.full(z.size, min(share, 1.0))
    if selection == 0.0 or not z.any():
        return np.full(z.size, share)
    alpha = brentq(lambda a: float(expit(a + selection * z).mean()) - share, -60.0, 60.0, xtol=1e-12)
    return expit(alpha + selection * z)


def volunteers(model, key, slots, share: float, selection: float, week: int, draw: int, no_shift) -> np.ndarray:
    """The slots among `slots` who sign up (a boolean mask), as the module docstring says."""
    if slots.size == 0:
        return np.zeros(0, dtype=bool)
    u = rng.uniforms(key, model.pop.draw_key[slots], 0, draw)
    z = staying_score(model, slots, week, no_shift) if selection else np.zeros(slots.size)
    return u < sign_up_chance(z, share, selection)


UNASKED, SAID_YES, SAID_NO = 0, 1, 2


class Answers:
    """Each person's answer to one program's opt-in call (as mentee, or as mentor), by employee id.

    A person answers at the first round he or she is a candidate (`volunteers`, the chance solved
    over that round's new candidates) and the answer stands for the rest of the run: declined stays
    declined, and one who said yes but found no place or mentor is still willing at the next launch.
    So `share` is the share of the people ever eligible who take part, however many launches."""

    def __init__(self, size: int):
        self.by_eid = np.zeros(size, dtype=np.int8)

    def sign_up(self, model, key, slots, share: float, selection: float, week: int, draw: int,
                no_shift) -> np.ndarray:
        """The slots among `slots` who said yes (a boolean mask), asking those not asked before."""
        eids = model.pop.eid[slots]
        self.by_eid = room_for(self.by_eid, eids)
        new = self.by_eid[eids] == UNASKED
        if new.any():
            yes = volunteers(model, key, slots[new], share, selection, week, draw, no_shift)
            self.by_eid[eids[new]] = np.where(yes, SAID_YES, SAID_NO)
        return self.by_eid[eids] == SAID_YES
