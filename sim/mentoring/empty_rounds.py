"""Why a program's enrollment round found nobody: the first rule that left no one.

Called only when a round is empty (the log says it once per run), so plain numpy is enough.
"""
from __future__ import annotations

import numpy as np


def why_no_mentee(program, week: int) -> str:
    """The first eligibility rule that leaves nobody (for the log; only when a launch is empty)."""
    pop, cfg = program.pop, program.cfg
    s = pop.active_slots()
    tenure = week - pop.hire_week[s]
    first_review = program.model.cfg.review.first_week
    rules = [(program.mentee_level_ok[pop.level[s]], f"nobody is at mentee_levels={cfg.mentee_levels}"),
             (tenure >= cfg.mentee_min_tenure_weeks,
              f"nobody there has mentee_min_tenure_weeks={cfg.mentee_min_tenure_weeks} of tenure")]
    if cfg.mentee_max_tenure_weeks is not None:
        rules.append((tenure <= cfg.mentee_max_tenure_weeks,
                      f"nobody there is within mentee_max_tenure_weeks={cfg.mentee_max_tenure_weeks}"))
    if cfg.mentee_hipo_only:
        when = f" yet (reviews flag them from week {first_review})" if week < first_review else ""
        rules.append((pop.hipo[s], f"mentee_hipo_only: nobody there is flagged high-potential{when}"))
    if cfg.mentee_groups:
        groups = [program.org.group_names.index(g) for g in cfg.mentee_groups]
        rules.append((np.isin(pop.group[s], groups), f"nobody there is in mentee_groups={cfg.mentee_groups}"))
    rules += [(~program._enrolled(pop.eid[s]), "everyone who qualifies has been in the program already"),
              (~program.is_mentee[s] & (program.mentor_load[s] == 0), "everyone who qualifies is in a tie already")]
    ok = np.ones(s.size, dtype=bool)
    for passes, reason in rules:
        ok &= passes
        if not ok.any():
            return reason
    return (f"none of the {int(ok.sum())} who qualify signed up (enroll_share={cfg.enroll_share}, "
            f"enrollment_mode={cfg.enrollment_mode})")

def why_no_mentor(program, week: int, mentees) -> str:
    """The first mentor-pool rule that leaves nobody (for the log; only when a pool is empty)."""
    pop, cfg = program.pop, program.cfg
    s = pop.active_slots()
    load = program.mentor_load[s]
    spare = (load == 0) if cfg.format == "group" else (load < cfg.mentor_capacity)
    levels = cfg.mentor_levels or "any"
    rules = [(program.mentor_level_ok[pop.level[s]], f"nobody is at mentor_levels={levels}"),
             (week - pop.hire_week[s] >= cfg.mentor_min_tenure_weeks,
              f"nobody there has mentor_min_tenure_weeks={cfg.mentor_min_tenure_weeks} of tenure"),
             (~program.is_mentee[s] & ~np.isin(s, mentees), "everyone there is a mentee (one role at a time)"),
             (spare, f"every mentor is at mentor_capacity={cfg.mentor_capacity}")]
    ok = np.ones(s.size, dtype=bool)
    for passes, reason in rules:
        ok &= passes
        if not ok.any():
            return reason
    if cfg.enrollment_mode == "opt_in" and cfg.mentor_volunteer_share < 1.0:
        return (f"none of the {int(ok.sum())} possible mentors volunteered "
                f"(mentor_volunteer_share={cfg.mentor_volunteer_share})")
    return "no mentor had room"
