"""The numba kernel of new people (hires and the starting workforce): their draws and formulas.

Same conventions as `sim.engine.kernels`: every draw is keyed by the person's draw key, so the
serial and parallel builds give the same rows.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .kernels import Dual
from .rng import entity_key, normal_at, uniform_at

# The population columns `new_people` writes for a hire, in the order of its arguments (the others
# keep their defaults), then readiness. Readiness is computed after it with np.einsum
# (`Staffing.write_people`), as it always was: einsum's order of summation (SIMD) differs from a plain
# loop's in the last bit for about a third of rows, so a kernel could not reproduce it.
NEW_PEOPLE_COLUMNS = ("draw_key", "level", "department", "group", "birth_week", "retire_week", "hire_week",
                      "level_week", "talent", "talent_own", "competency", "confidence", "engagement", "belonging",
                      "interest", "readiness")
# Frailty is drawn after them too, on its own stream (`population.frailty_offsets`).
WRITTEN_COLUMNS = frozenset((*NEW_PEOPLE_COLUMNS, "frailty"))


class NewPeopleParams(NamedTuple):
    weeks_per_year: float
    age_sd: float  # years around the level's mean (initial) or hire age
    retire_min_age: float
    retire_age_span: float  # max - min retirement age
    stretch: float
    talent_sd: float
    talent_common: float  # sqrt(development.talent_correlation)
    talent_own: float  # sqrt(1 - development.talent_correlation); 0: one talent for every competency
    hire_gap: float
    hire_sd: float
    state_sd: float
    baseline_confidence: float
    baseline_engagement: float
    baseline_belonging: float
    hires_like_staff: bool = False  # hires' competencies drawn as the starting staff's (talent term, no gap)


@njit(inline="always", cache=True)
def _clip(x, lo, hi):
    """np.clip for one value (the same comparisons, so the same result, signed zeros too)."""
    x = x if x > lo else lo
    return x if x < hi else hi


def _new_people(draw_keys, levels, departments, key, week, initial, group_cdf, age_mean, mean_tenure, log_u_tenure,
                target, p, at, draw_key, level, department, group, birth_week, retire_week, hire_week, level_week,
                talent, talent_own, competency, confidence, engagement, belonging, interest):
    """The state of new people, written to row at[i] of the output columns (the population's own
    columns for hires, so that a hire is one call): hires, or (initial) the starting workforce.
    Parallel-safe (the rows at[i] are distinct).

    Every draw is keyed (stream, draw key, week 0, index k): uniforms k = 0 group, 2 retirement
    age, 3 first retirement (initial), 5 time in level (initial); normals 1 age, 6 talent,
    10 + k competency k, 50 + k own talent of competency k, 30-32 confidence, engagement, belonging,
    40-42 interests. The initial tenure needs log(uniform 4), given as log_u_tenure (numpy's log, as it
    always was).

        group        first g with u0 <= cdf[g] (initial: the level's group shares)
        age          clip(mean age + age_sd z1, 18, 66); birth week = round(week - age x wpy)
        retirement   birth week + round((min + span u2) x wpy) (initial: at least week + floor(u3 x wpy))
        tenure       initial: min(-mean tenure x log u4, age - 18); in level u5 x min(tenure, 4)
        competency   clip(centre + hire_sd z, 0, 1), centre = target - hire_gap (hires, unless
                     hires_like_staff) or
                     target + stretch + talent_sd x talent_k (initial), talent_k = talent if
                     talent_own = 0, else talent_common x talent + talent_own x z_{50+k}
        states       clip(baseline + state_sd z, 0, 1)
        interest     three normals over their length ((z0^2 + z1^2) + z2^2 summed as np.linalg.norm does)
    """
    n_comp = competency.shape[1]
    n_groups = group_cdf.shape[1]
    wpy = p.weeks_per_year
    for i in prange(draw_keys.shape[0]):
        r = at[i]
        shift = 0.0
        ek = entity_key(key, draw_keys[i])
        lv = levels[i]
        draw_key[r] = draw_keys[i]
        level[r] = lv
        department[r] = departments[i]
        row = lv if initial else 0
        u = uniform_at(ek, 0, 0)
        g = 0
        for j in range(n_groups):
            if u > group_cdf[row, j]:
                g += 1
        group[r] = min(g, n_groups - 1)
        age = _clip(age_mean[lv] + p.age_sd * normal_at(ek, 0, 1), 18.0, 66.0)
        birth_week[r] = np.int32(np.rint(week - age * wpy))
        ret_age = p.retire_min_age + p.retire_age_span * uniform_at(ek, 0, 2)
        retire = np.float64(birth_week[r]) + np.rint(ret_age * wpy)
        if initial:
            retire = max(retire, week + np.floor(uniform_at(ek, 0, 3) * wpy))
        retire_week[r] = np.int32(min(retire, 2147483647.0))
        z_talent = normal_at(ek, 0, 6)
        talent[r] = z_talent
        if initial:
            tenure = -mean_tenure[lv] * log_u_tenure[i]
            tenure = min(tenure, max(age - 18.0, 0.0))
            in_level = uniform_at(ek, 0, 5) * min(tenure, 4.0)
            hire_week[r] = np.int32(np.rint(week - tenure * wpy))
            level_week[r] = np.int32(np.rint(week - in_level * wpy))
            shift = p.stretch + p.talent_sd * z_talent
        else:
            hire_week[r] = week
            level_week[r] = week
        like_staff = initial or p.hires_like_staff
        if like_staff:
            shift = p.stretch + p.talent_sd * z_talent
        for k in range(n_comp):
            own = normal_at(ek, 0, 50 + k)
            talent_own[r, k] = own
            if like_staff and p.talent_own != 0.0:
                shift = p.stretch + p.talent_sd * (p.talent_common * z_talent + p.talent_own * own)
            centre = target[lv, k] + shift if like_staff else target[lv, k] - p.hire_gap
            competency[r, k] = _clip(centre + p.hire_sd * normal_at(ek, 0, 10 + k), 0.0, 1.0)
        confidence[r] = _clip(p.baseline_confidence + p.state_sd * normal_at(ek, 0, 30), 0.0, 1.0)
        engagement[r] = _clip(p.baseline_engagement + p.state_sd * normal_at(ek, 0, 31), 0.0, 1.0)
        belonging[r] = _clip(p.baseline_belonging + p.state_sd * normal_at(ek, 0, 32), 0.0, 1.0)
        z0, z1, z2 = normal_at(ek, 0, 40), normal_at(ek, 0, 41), normal_at(ek, 0, 42)
        length = np.sqrt((z0 * z0 + z1 * z1) + z2 * z2)
        interest[r, 0] = z0 / length
        interest[r, 1] = z1 / length
        interest[r, 2] = z2 / length


new_people = Dual(_new_people)
