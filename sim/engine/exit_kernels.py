"""The weekly exit draw: voluntary exits by hazard and retirements, one numba kernel.

Same conventions as `sim.engine.kernels`: each row draws from its own counter-based stream, so
the serial and parallel builds give the same rows for any thread count.

The hazard's `exp` is most of the cost of a row, and most rows need no exact hazard: a person
leaves when u < h, and h is a few thousandths a week. So the row's uniform is drawn first and
compared with an upper bound of h that needs no `exp`: with t = ceil(log effect),
h = h_0 exp(log effect) <= h_0 exp(t), exp(t) from a table for t in [-LOG_EFFECT_TIERS,
LOG_EFFECT_TIERS] (a lower log effect takes the lowest tier). u at or above the bound means the
exact rule (u < h and u < 1 - exp(-h)) says "stays"; only the other rows (about 1%) compute h.
The table is raised by BOUND_MARGIN, far more than the rounding of exp and of the products (a
few units in the last place, ~1e-15 relative), so the decision is the exact rule's, bit for
bit; a log effect above the table or NaN takes the exact path, and a zero or negative h_0 never
lets anyone leave either way.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from .kernels import (EXIT_NONE, EXIT_RETIREMENT, EXIT_VOLUNTARY, Dual, HazardParams, hazard_before_effects,
                      hazard_log_effect, slots_by_code)
from .rng import entity_key, uniform_at

LOG_EFFECT_TIERS = 16  # integer tiers of the log effect tabled on each side of 0 (exp(16) ~ 9e6)
BOUND_MARGIN = 1.0 + 1e-12  # relative: covers exp's and two products' rounding (< 1e-15) many times over
# exp(t) x BOUND_MARGIN for t = -LOG_EFFECT_TIERS .. LOG_EFFECT_TIERS (a constant of the compiled kernel)
EXP_CEILING = np.exp(np.arange(-LOG_EFFECT_TIERS, LOG_EFFECT_TIERS + 1, dtype=np.float64)) * BOUND_MARGIN


def _draw_exits(active, count, draw_key, level, hire_week, retire_week, competency, confidence, engagement,
                belonging, passed_over, participation, hazard_shift, frailty, profile, demand, base_hazard,
                participation_effect, params, key_attrition, week, voluntary_on, exit_code):
    """Voluntary exits (P = 1 - exp(-h), `kernels.weekly_hazard`) and retirements for one week.
    Parallel-safe. `params`: the fields of HazardParams as a plain tuple (as `develop`'s).

    Writes exit_code[i] in {EXIT_NONE, EXIT_VOLUNTARY, EXIT_RETIREMENT} and returns the leavers grouped
    by it (`slots_by_code`). The draw is keyed by (draw key, week), so it does not depend on who else
    is here.
    """
    p = HazardParams(*params)
    for i in prange(count):
        exit_code[i] = EXIT_NONE
        if not active[i]:
            continue
        if p.retirement_enabled > 0.0 and week >= retire_week[i]:
            exit_code[i] = EXIT_RETIREMENT
            continue
        if voluntary_on:
            u = uniform_at(entity_key(key_attrition, draw_key[i]), week, 0)
            log_effect = hazard_log_effect(i, level, competency, confidence, engagement, belonging, passed_over,
                                           participation, hazard_shift, frailty, profile, demand,
                                           participation_effect, p)
            h = hazard_before_effects(i, level, hire_week, base_hazard, p, week)
            if log_effect <= LOG_EFFECT_TIERS:  # False for NaN
                tier = np.int64(np.ceil(max(log_effect, -LOG_EFFECT_TIERS))) + LOG_EFFECT_TIERS
                if u >= h * EXP_CEILING[tier]:
                    continue  # u >= the bound >= h: stays
            h *= np.exp(log_effect)
            # 1 - exp(-h) < h, so u >= h means no exit without computing expm1 (most rows).
            if u < h and u < -np.expm1(-h):
                exit_code[i] = EXIT_VOLUNTARY
    return slots_by_code(exit_code, count, EXIT_RETIREMENT + 1)


draw_exits = Dual(_draw_exits)
