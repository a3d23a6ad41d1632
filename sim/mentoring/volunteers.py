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

from functools import lru_cache

import numpy as np
from numba import njit
from scipy.special import expit

from ..engine.rng import entity_key, uniform_at
from ..engine.chain_kernels import numpy_std, pairwise_sum
from ..engine.kernels import HazardParams, weekly_hazard
from ..engine.population import room_for

MENTEE_DRAW, MENTOR_DRAW = 0, 2  # draw indices of the enrollment stream (1: the order of places)


@njit(cache=True)
def log_exit_hazard(slots, level, hire_week, competency, confidence, engagement, belonging, passed_over,
                    participation, no_shift, frailty, profile, demand, base_hazard, participation_effect, params, week):
    """log h of the engine's weekly voluntary-exit hazard (section 7.3) for each slot, with every
    program's shift left out (`no_shift`: zeros). Serial: called once per enrollment round. A level
    with no voluntary exits (base turnover 0) gives log 1e-300, finite, rather than -inf. `params`:
    the fields of HazardParams as a plain tuple (cheaper to type at a call than the NamedTuple)."""
    p = HazardParams(*params)
    out = np.empty(slots.shape[0])
    for j in range(slots.shape[0]):
        h = weekly_hazard(slots[j], level, hire_week, competency, confidence, engagement, belonging, passed_over,
                          participation, no_shift, frailty, profile, demand, base_hazard, participation_effect, p, week)
        out[j] = np.log(max(h, 1e-300))
    return out


@njit(cache=True)
def _staying_scores(slots, level, hire_week, competency, confidence, engagement, belonging, passed_over,
                    participation, no_shift, frailty, profile, demand, base_hazard, participation_effect, params, week):
    """`log_exit_hazard` standardized (`_standardized_staying`), in one call."""
    return _standardized_staying(log_exit_hazard(
        slots, level, hire_week, competency, confidence, engagement, belonging, passed_over, participation, no_shift,
        frailty, profile, demand, base_hazard, participation_effect, params, week))


@lru_cache(maxsize=16)
def _without_market_pull(params: HazardParams) -> tuple:
    return tuple(params._replace(market_pull_effect=0.0))


def staying_score(model, slots, week: int, no_shift) -> np.ndarray:
    """z: minus the log exit hazard, standardized over `slots` (0 for everyone when they do not vary).

    The market pull of skills above the level's demand is left out: it is what makes the able
    leave, and the able and ambitious are no less likely to volunteer (with it in, volunteers
    would be the less able and mentees promoted less than others, against the Sun figures)."""
    pop, org, dyn = model.pop, model.org, model.dynamics
    return _staying_scores(slots, pop.level, pop.hire_week, pop.competency, pop.confidence, pop.engagement,
                           pop.belonging, pop.passed_over, pop.participation, no_shift, pop.frailty, org.profile,
                           org.demand, org.base_hazard_week, dyn.participation_effect,
                           _without_market_pull(dyn.hazard_params), week)


@njit(cache=True)
def _standardized_staying(log_h):
    """(mean - log_h) / sd, as numpy's mean and std (ddof 0) compute them, to the bit; zeros when the
    sd is under 1e-12 or there is one value."""
    n = log_h.size
    z = np.zeros(n)
    if n < 2:
        return z
    mean = pairwise_sum(log_h) / n
    sd = numpy_std(log_h)
    if not sd > 1e-12:
        return np.zeros(n)
    for i in range(n):
        z[i] = (mean - log_h[i]) / sd
    return z


def sign_up_chance(z: np.ndarray, share: float, selection: float) -> np.ndarray:
    """expit(alpha + selection z), alpha solved so that the chances average `share`."""
    return _chances(z.size, *_chance_terms(z, share, selection))


def _chances(n: int, flat: bool, constant: float, shifts, alpha: float, status: int) -> np.ndarray:
    """The chances from `_chance_terms` (scipy's expit: numba's exp may round differently)."""
    if flat:
        return np.full(n, constant)
    if status == _SIGN_ERROR:
        raise ValueError("f(a) and f(b) must have different signs")
    if status == _NAN:
        raise ValueError("The function value is NaN; solver cannot continue.")
    if status == _NO_CONVERGENCE:
        raise RuntimeError(f"Failed to converge after {_MAX_ITER} iterations, value is {alpha}")
    return expit(alpha + shifts)


# alpha is scipy.optimize.brentq's root, to the bit, compiled (an opt-in round called brentq through Python, ~0.1
# ms): the bracket and tolerances brentq was called with, its defaults for the rest (rtol 4 eps, 100 iterations).
_LOW, _HIGH, _XTOL, _RTOL, _MAX_ITER = -60.0, 60.0, 1e-12, 4 * np.finfo(float).eps, 100
_CONVERGED, _SIGN_ERROR, _NAN, _NO_CONVERGENCE = 0, 1, 2, 3


@njit(cache=True)
def _mean_chance_gap(a, shifts, share, chances):
    """mean(expit(a + shifts)) - share, as numpy and scipy's expit (1 / (1 + exp(-x))) compute it."""
    for i in range(shifts.size):
        chances[i] = 1.0 / (1.0 + np.exp(-(a + shifts[i])))
    return pairwise_sum(chances) / shifts.size - share  # chances: shifts.size long


@njit(cache=True)
def _solve_alpha(shifts, share, chances):
    """The root a of mean(expit(a + shifts)) = share by scipy's brentq.c (Brent 1973), step for step, and a
    status (`_CONVERGED`, or why brentq would raise). `chances`: scratch of shifts' size."""
    xpre, xcur = _LOW, _HIGH
    xblk = fblk = spre = scur = 0.0
    fpre = _mean_chance_gap(xpre, shifts, share, chances)
    fcur = _mean_chance_gap(xcur, shifts, share, chances)
    if np.isnan(fpre) or np.isnan(fcur):
        return xcur, _NAN
    if fpre * fcur > 0:
        return 0.0, _SIGN_ERROR
    if fpre == 0:
        return xpre, _CONVERGED
    if fcur == 0:
        return xcur, _CONVERGED
    for _ in range(_MAX_ITER):
        if fpre != 0 and fcur != 0 and (fpre < 0) != (fcur < 0):  # signbit: neither is -0.0 here (both nonzero)
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (_XTOL + _RTOL * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur, _CONVERGED
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # interpolate
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # extrapolate
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            bound = 3 * abs(sbis) - delta
            if 2 * abs(stry) < (abs(spre) if abs(spre) < bound else bound):  # a good short step (C's MIN)
                spre, scur = scur, stry
            else:  # bisect
                spre = scur = sbis
        else:  # bisect
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = _mean_chance_gap(xcur, shifts, share, chances)
        if np.isnan(fcur):
            return xcur, _NAN
    return xcur, _NO_CONVERGENCE


@njit(cache=True)
def _chance_terms(z, share, selection):
    """What `sign_up_chance` is made of: (flat, constant, shifts, alpha, status). Flat: every chance is
    `constant` (a share of 1 or more, or no selection on z); else the chances are expit(alpha + shifts),
    shifts = selection z, alpha the root of `_solve_alpha` (status says whether brentq would raise)."""
    if share >= 1.0 or z.size == 0:
        return True, min(share, 1.0), z, 0.0, _CONVERGED
    if selection == 0.0 or not z.any():
        return True, share, z, 0.0, _CONVERGED
    shifts = selection * z
    alpha, status = _solve_alpha(shifts, share, np.empty(z.size))
    return False, 0.0, shifts, alpha, status


@njit(cache=True)
def _volunteer_draws(slots, draw_key, key, draw, share, selection, level, hire_week, competency, confidence,
                     engagement, belonging, passed_over, participation, no_shift, frailty, profile, demand,
                     base_hazard, participation_effect, params, week):
    """Each person's uniform u(enrollment_p, draw key, 0, draw) and the terms of the chances
    (`_chance_terms`, over `staying_score`'s z, zeros without selection), in one call. Serial."""
    u = np.empty(slots.shape[0])
    for j in range(slots.shape[0]):
        u[j] = uniform_at(entity_key(key, draw_key[slots[j]]), 0, draw)
    if selection != 0.0:  # staying_score's z
        z = _staying_scores(slots, level, hire_week, competency, confidence, engagement, belonging, passed_over,
                            participation, no_shift, frailty, profile, demand, base_hazard, participation_effect,
                            params, week)
    else:
        z = np.zeros(slots.shape[0])
    flat, constant, shifts, alpha, status = _chance_terms(z, share, selection)
    return u, flat, constant, shifts, alpha, status


def volunteers(model, key, slots, share: float, selection: float, week: int, draw: int, no_shift) -> np.ndarray:
    """The slots among `slots` who sign up (a boolean mask), as the module docstring says."""
    if slots.size == 0:
        return np.zeros(0, dtype=bool)
    pop, org, dyn = model.pop, model.org, model.dynamics
    u, *terms = _volunteer_draws(slots, pop.draw_key, key, draw, share, selection, pop.level, pop.hire_week,
                                 pop.competency, pop.confidence, pop.engagement, pop.belonging, pop.passed_over,
                                 pop.participation, no_shift, pop.frailty, org.profile, org.demand,
                                 org.base_hazard_week, dyn.participation_effect,
                                 _without_market_pull(dyn.hazard_params), week)
    return u < _chances(slots.size, *terms)


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
        pop = model.pop
        if pop.next_eid > self.by_eid.size:  # room for every id given so far (ids only grow)
            self.by_eid = room_for(self.by_eid, np.array([pop.next_eid - 1]))
        new = _unasked(slots, pop.eid, self.by_eid)
        yes = volunteers(model, key, slots[new], share, selection, week, draw, no_shift) if new.size else _NOBODY
        return _answered(slots, new, yes, pop.eid, self.by_eid)


_NOBODY = np.zeros(0, dtype=np.bool_)


@njit(cache=True)
def _unasked(slots, eid, by_eid):
    """Positions in `slots` of people not asked yet. Serial (one small call instead of a numpy call
    per step: most rounds ask a few new people among many answered)."""
    out = np.empty(slots.shape[0], dtype=np.int64)
    n = 0
    for j in range(slots.shape[0]):
        if by_eid[eid[slots[j]]] == UNASKED:
            out[n] = j
            n += 1
    return out[:n]


@njit(cache=True)
def _answered(slots, new, yes, eid, by_eid):
    """Keep the answers `yes` of the people at positions `new`, then whether each of `slots` said yes."""
    for j in range(new.shape[0]):
        by_eid[eid[slots[new[j]]]] = SAID_YES if yes[j] else SAID_NO
    out = np.empty(slots.shape[0], dtype=np.bool_)
    for j in range(slots.shape[0]):
        out[j] = by_eid[eid[slots[j]]] == SAID_YES
    return out
