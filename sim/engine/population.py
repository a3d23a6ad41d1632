"""Population: the employee arrays, declared once.

Ages, tenures and time in level are stored as the week they started counting
(birth, hire, last level change), so no array has to be touched every week just
to make people older; `age_years`, `tenure_weeks` and `weeks_in_level` derive them.
"""
from __future__ import annotations

import numpy as np

from numba import njit

from .rng import entity_key, normal_at
from .table import Column, Table

NONE, MENTEE, MENTOR = 0, 1, 2  # participation labels, in schema.PARTICIPATION_LABELS order


def employee_columns(n_competencies: int) -> list[Column]:
    """Every per-employee state variable: name, dtype, default, meaning."""
    return [
        Column("eid", np.int64, -1, doc="employee id, unique over the run, never reused"),
        Column("draw_key", np.uint64, 0, doc="entity of every draw for this person (rng): the id for the "
                                             "starting staff, the seat's lineage for a hire"),
        Column("level", np.int8, 0, doc="level index, 0 = entry"),
        Column("department", np.int16, 0, doc="department index"),
        Column("group", np.int8, 0, doc="demographic group index"),
        Column("birth_week", np.int32, 0, doc="week of birth (negative: before the run)"),
        Column("hire_week", np.int32, 0, doc="week hired"),
        Column("level_week", np.int32, 0, doc="week the current level started"),
        Column("retire_week", np.int32, 2**31 - 1, doc="planned retirement week"),
        Column("competency", np.float64, 0.0, width=n_competencies, doc="competencies on a 0-1 scale"),
        Column("talent", np.float64, 0.0, doc="persistent learning ability, a z-score drawn at hire"),
        Column("talent_own", np.float64, 0.0, width=n_competencies,
               doc="competency-specific talent z-scores (used when development.talent_correlation < 1)"),
        Column("confidence", np.float64, 0.6, doc="self-efficacy, 0-1"),
        Column("engagement", np.float64, 0.7, doc="engagement, 0-1"),
        Column("belonging", np.float64, 0.7, doc="sense of belonging, 0-1"),
        Column("performance", np.float64, 0.0, doc="last review score, in SDs within level"),
        Column("readiness", np.float64, 0.0, doc="competence under the next level's profile"),
        Column("hipo", np.bool_, False, doc="flagged high potential at the last review"),
        Column("passed_over", np.int16, 0, doc="times passed over while ready"),
        Column("participation", np.int8, NONE, doc="first program role: 0 none, 1 mentee, 2 mentor"),
        Column("interest", np.float64, 0.0, width=3, doc="unit vector of interests and style (matching)"),
        Column("hazard_shift", np.float64, 0.0, doc="log-hazard added by programs this week"),
        Column("frailty", np.float64, 0.0, doc="persistent log-hazard offset of voluntary exit, sd Z - sd^2/2, "
                                               "drawn once at hire or start (`frailty_offsets`)"),
        Column("visibility", np.float64, 0.0, doc="promotion-score boost from sponsorship, in SDs"),
        Column("mentored", np.bool_, False, doc="a program changed this person's competencies (since joining)"),
        Column("unmentored_competency", np.float64, 0.0, width=n_competencies,
               doc="competencies as they would be without the mentoring gains (set once `mentored`)"),
    ]


class Population(Table):
    """All employees, past slots reused; `eid` identifies a person across the run.

    Ids are handed out in order of arrival, so after two scenarios diverge the same person
    can carry different ids in each; random draws are therefore keyed by `draw_key`, which
    follows the person's lineage (`rng.hire_keys`) and is the same in every scenario that
    hired him or her into the same seat.
    """

    def __init__(self, n_competencies: int, capacity: int, weeks_per_year: int = 52):
        super().__init__(employee_columns(n_competencies), capacity, id_column="eid")
        self.n_competencies = n_competencies
        self.weeks_per_year = weeks_per_year

    @property
    def next_eid(self) -> int:
        return self.next_id

    def hire(self, n: int, **values) -> np.ndarray:
        """Add `n` employees with fresh ids; returns their slots."""
        return self.add(n, **values)

    def tenure_weeks(self, slots, week: int) -> np.ndarray:
        return week - self.hire_week[slots]

    def weeks_in_level(self, slots, week: int) -> np.ndarray:
        return week - self.level_week[slots]

    def age_years(self, slots, week: int) -> np.ndarray:
        return (week - self.birth_week[slots]) / self.weeks_per_year

    def headcount_by_level(self, n_levels: int) -> np.ndarray:
        slots = self.active_slots()
        return np.bincount(self.level[slots], minlength=n_levels)


def room_for(values: np.ndarray, eids: np.ndarray) -> np.ndarray:
    """`values` (indexed by employee id, zero = nothing yet) grown with zeros so that every id in `eids`
    indexes it: at least doubled, so growing is rare however many people join."""
    if eids.size and eids.max() >= values.size:
        grow = max(2 * values.size, int(eids.max()) + 1)
        values = np.concatenate([values, np.zeros(grow - values.size, dtype=values.dtype)])
    return values


@njit(inline="always", cache=True)
def frailty_at(key, draw_key, sd):
    """One person's frailty (`frailty_offsets`); kernels that draw new people call it."""
    if sd == 0.0:
        return 0.0
    return sd * normal_at(entity_key(key, draw_key), 0, 0) - 0.5 * sd * sd


@njit(cache=True)
def _frailties(key, draw_keys, sd):
    out = np.empty(draw_keys.shape[0])
    for j in range(draw_keys.shape[0]):
        out[j] = frailty_at(key, draw_keys[j], sd)
    return out


def frailty_offsets(key, draw_keys, sd: float) -> np.ndarray:
    """Each person's frailty (Vaupel, Manton & Stallard 1979): the log-hazard offset sd Z - sd^2/2 of
    voluntary exit, Z standard normal on the "frailty" stream keyed by the draw key alone, so the same
    person has the same frailty in every scenario (common random numbers). The -sd^2/2 makes
    E[exp(offset)] = 1: at hire the configured base hazard is still the average one."""
    return _frailties(key, np.asarray(draw_keys, dtype=np.uint64), float(sd))


def snapshot_start(staffing, week: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """The starting workforce from the snapshot `org.start_from` (`config/snapshot.py`): its people
    in order (level rank, then id), drawn keyed by their ids like a generated start, with level,
    group, department, tenure, time in level and (when known) age taken from the file. Retirement is
    drawn as for a generated start from the real age. Competencies start where a person of that time
    in level would be: a newcomer to a level starts `hire_gap` below its targets and closes the gap
    to his or her ceiling at `learning_rate_per_year` (7.1), so the starting staff's draw is moved
    down by that gap x exp(-learning rate x years in level); with performance ratings in the file,
    the rated are then placed by them (`rated_start`). Returns the new people's columns and the
    (levels, departments) of the seats left empty (a level with fewer people than seats)."""
    from ..config.snapshot import read_snapshot
    from . import staffing_kernels
    from .rated_start import place_by_rating

    cfg, org = staffing.cfg, staffing.org
    snap = read_snapshot(cfg.org.start_from, cfg.org)
    levels = snap["rank"].to_numpy(np.int8)
    dept_index = {name: i for i, name in enumerate(org.department_names)}
    group_index = {g.name: i for i, g in enumerate(cfg.org.groups)}
    departments = snap["department"].map(dept_index).to_numpy(np.int16)
    new = staffing.sample_people(levels, departments, week, "init", initial=True)
    new["group"] = snap["group"].map(group_index).to_numpy(np.int8)
    wpy = staffing.wpy
    age = snap["age_years"].to_numpy()
    known = ~np.isnan(age)
    new["birth_week"][known] = np.rint(week - age[known] * wpy).astype(np.int32)
    # Retirement as in `staffing_kernels.new_people` (uniforms 2 and 3), from the real birth week.
    ret = cfg.attrition.retirement
    u = staffing_kernels.draws(staffing.streams["init"], new["draw_key"], 0, np.array([2, 3]), staffing._no_draws)[0]
    retire = new["birth_week"] + np.rint((ret.min_age + (ret.max_age - ret.min_age) * u[0]) * wpy)
    retire = np.maximum(retire, week + np.floor(u[1] * wpy))
    new["retire_week"] = np.minimum(retire, 2**31 - 1).astype(np.int32)
    new["hire_week"] = np.rint(week - snap["tenure_years"].to_numpy() * wpy).astype(np.int32)
    new["level_week"] = np.rint(week - snap["years_in_level"].to_numpy() * wpy).astype(np.int32)
    dev = cfg.development
    rho = dev.talent_correlation
    talent = new["talent"][:, None] if rho == 1 else (
        np.sqrt(rho) * new["talent"][:, None] + np.sqrt(1 - rho) * new["talent_own"])
    start_gap = dev.stretch + dev.talent_sd * talent + dev.hire_gap  # ceiling - (target - hire_gap)
    closed = np.exp(-dev.learning_rate_per_year * snap["years_in_level"].to_numpy())[:, None]
    new["competency"] = np.clip(new["competency"] - start_gap * closed, 0.0, 1.0)
    rating = snap["rating_z"].to_numpy()
    if not np.isnan(rating).all():  # placed by performance ratings (`rated_start`); unrated as drawn
        new["competency"] = place_by_rating(new["competency"], levels, org.profile, rating,
                                            cfg.performance.skill_signal)
    new["readiness"] = np.einsum("ij,ij->i", org.profile[org.next_level[levels]], new["competency"])
    empty = np.maximum(org.seats - np.bincount(levels, minlength=org.n_levels), 0)
    empty_levels = np.repeat(np.arange(org.n_levels), empty).astype(np.int8)
    within = np.concatenate([np.arange(k) for k in empty]) if empty.sum() else np.zeros(0, dtype=np.int64)
    empty_departments = (within % len(org.department_names)).astype(np.int16)
    return new, empty_levels, empty_departments
