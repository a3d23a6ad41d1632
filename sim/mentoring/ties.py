"""A program's weekly path over its ties: meetings, endings, effects (`Program.step`, `Program.on_leave`).

An ordinary week (no tie ends, no enrollment) is one compiled call (`week_kernels.tie_week`); Python
does only what needs it: ending ties (events, alumni, rematches) and enrollment.
"""
from __future__ import annotations

import numpy as np

from ..engine.kernels import slots_by_code
from . import week_kernels
from .kernels import END_COMPLETED, END_DISSOLVED, END_MENTEE_LEFT, END_MENTOR_LEFT, END_PROMOTED, END_REMATCHED
from .kernels import close_ties
from .relationships import END_REASONS
from .week_kernels import PEOPLE_COLUMNS, REL_COLUMNS, TIE_TOTALS, TieParams

N_END_CODES = max(END_REASONS) + 1


class TieWeek:
    """The weekly path of `Program` (a mixin: it reads the program's state set up in `Program.init`)."""

    def _init_ties(self, model) -> None:
        cfg, e, pop, rel, org = self.cfg, self.cfg.effects, self.pop, self.rel, self.org
        reverse = cfg.format == "reverse"
        matching = model.cfg.matching if cfg.matching is None else cfg.matching
        self.params = TieParams(
            attendance_base=cfg.attendance_base, attendance_load_slope=cfg.attendance_load_slope,
            initiation_weeks=float(cfg.initiation_weeks), skill_transfer=e.skill_transfer,
            initiation_skill_factor=e.initiation_skill_factor,
            format_skill_factor=e.group_skill_factor if cfg.format == "group" else 1.0,
            training_multiplier=e.training_multiplier if cfg.mentor_training else 1.0,
            confidence_gain=e.confidence_gain, engagement_gain=e.engagement_gain,
            belonging_gain_same_group=e.belonging_gain_same_group,
            belonging_gain_cross_group=e.belonging_gain_cross_group, trust_gain=e.trust_gain,
            trust_loss=e.trust_loss, trust_floor=e.trust_floor, mentor_leadership_gain=e.mentor_leadership_gain,
            mentor_engagement_gain=e.mentor_engagement_gain, n_focus=float(matching.n_focus),
            circles=float(cfg.format == "group"), meeting_hours=cfg.meeting_hours,
            coordinator_cost_per_week=cfg.coordinator_cost_per_year / model.cfg.sim.weeks_per_year,
            min_level_gap=float(cfg.min_level_gap), reverse=float(reverse),
            monitor_after=float(cfg.monitor_after_weeks if cfg.monitoring else -1),
            rematch_trust_below=cfg.rematch_trust_below,
            mentee_shift=e.mentee_retention_effect, mentor_shift=e.mentor_retention_effect,
            mentee_visibility=0.0 if reverse else e.sponsorship, mentor_visibility=e.sponsorship if reverse else 0.0,
            alumni_shift=e.alumni_retention_effect, alumni_visibility=e.sponsorship,
            alumni_add_visibility=0.0 if reverse else 1.0)
        self._params = tuple(self.params)
        # Arrays for the kernels, gathered once: the tables never reallocate (fixed capacity).
        self._rel_arrays = (*(getattr(rel, name) for name in REL_COLUMNS), self.mentor_load)
        self._people_arrays = tuple(getattr(org if name in ("profile", "next_level") else pop, name)
                                    for name in PEOPLE_COLUMNS)
        self._program_arrays = (self.fixed_focus, self.growth_mask, self.hourly_cost, self.mentee_level_ok)
        self.tie_totals = np.zeros(len(TIE_TOTALS))
        self._end_code = np.zeros(rel.capacity, dtype=np.int8)

    def step(self, model, week: int, due: set[str]) -> None:
        enroll = self.cfg.enrollment == "rolling" or self.cohort_event in due
        rematch = not enroll and self.rematch_slots.size > 0  # ties ending now can add to it: see below
        n_ending, kept = self._tie_week(week, effects_now=not (enroll or rematch))
        if n_ending:
            self._end_due(week)
            rematch = not enroll and self.rematch_slots.size > 0
        if enroll:
            self._enroll(week)
        elif rematch:
            self._enroll(week, rematch_only=True)
        if n_ending or enroll or rematch:
            self._declare_effects(week)
        else:
            self._keep_alumni(kept)
        self.weeks_running += 1

    def _tie_week(self, week: int, effects_now: bool) -> tuple[int, int]:
        """Meetings, due endings (codes in `_end_code`, no row freed) and, if `effects_now` and no tie
        ends, this week's effects; returns (ties ending, alumni kept). One compiled call."""
        return week_kernels.tie_week(
            self._rel_arrays, self.rel.count, self._people_arrays, self._params, self._program_arrays,
            self.keys["meetings"], week, self.track_gains, self._end_code, effects_now, self._alumni_arrays(),
            self.alumni_slots.size, self.pop.active, self.pop.eid, self._mark, self.tie_totals, self.cost_by_week,
            self.n_mentors)

    def on_leave(self, model, slots) -> None:
        by_mentee, by_mentor = self._leaving(slots)
        self._end(by_mentee, END_MENTEE_LEFT, model.week)
        self._end(by_mentor, END_MENTOR_LEFT, model.week)

    def _leaving(self, slots):
        """The live rows of the people in `slots`: (by their mentee, by their mentor)."""
        return week_kernels.leaving_ties(slots, self.is_mentee, self.mentor_load, self.rel.mentee, self.mentee_row,
                                         self.mentor_first, self.next_row, self._scratch)

    def _end_due(self, week: int) -> None:
        """End the rows `tie_week` found ending, by reason in this order (the event log keeps it)."""
        rows, starts = slots_by_code(self._end_code, self.rel.count, N_END_CODES)
        for reason in (END_DISSOLVED, END_PROMOTED, END_REMATCHED, END_COMPLETED):
            self._end(rows[starts[reason] : starts[reason + 1]], reason, week)

    def _end(self, rows, reason: int, week: int) -> None:
        if rows.size == 0:
            return
        rel, pop, s = self.rel, self.pop, self.stats
        mentees = rel.mentee[rows]
        held, missed, trust, freed = close_ties(rows, rel.held, rel.missed, rel.trust, rel.mentee, rel.mentor,
                                                self.is_mentee, self.mentor_load, self.mentee_row, self.mentor_first,
                                                self.next_row)
        self.n_mentors -= freed
        s[f"pairs_{END_REASONS[reason]}"] += rows.size
        s["meetings_held"] += held
        s["meetings_missed"] += missed
        s["trust_at_end_sum"] += trust
        s["pairs_ended"] += rows.size
        self.model.record("mentoring_end", mentees, week, detail=np.full(rows.size, reason))
        if reason == END_COMPLETED:
            until = week + self.cfg.effects.alumni_weeks
            self.alumni_slots = np.concatenate([self.alumni_slots, mentees])
            self.alumni_eids = np.concatenate([self.alumni_eids, rel.mentee_eid[rows]])
            self.alumni_until = np.concatenate([self.alumni_until, np.full(rows.size, until)])
        elif reason == END_DISSOLVED:
            pen = self.cfg.effects.dissolution_engagement_penalty
            pop.engagement[mentees] = np.maximum(0.0, pop.engagement[mentees] - pen)
        if reason in (END_REMATCHED, END_MENTOR_LEFT):
            self.rematch_slots = np.concatenate([self.rematch_slots, mentees])
            self.rematch_eids = np.concatenate([self.rematch_eids, rel.mentee_eid[rows]])
        rel.remove(rows)

    def _declare_effects(self, week: int) -> None:
        """Effects on hazards and promotion chances for this week, once per person and week, even for a
        mentor with several ties; alumni completed and cannot enroll again, so they are never current
        mentees here."""
        kept = week_kernels.declare_effects(self._rel_arrays, self.rel.count, self._people_arrays, self._params,
                                            self._alumni_arrays(), self.alumni_slots.size, self.pop.active,
                                            self.pop.eid, self._mark, week)
        self._keep_alumni(kept)

    def _alumni_arrays(self):
        return self.alumni_slots, self.alumni_eids, self.alumni_until

    def _keep_alumni(self, kept: int) -> None:
        """The first `kept` alumni (moved to the front by the kernel) are those whose effect goes on."""
        if kept != self.alumni_slots.size:
            self.alumni_slots, self.alumni_eids = self.alumni_slots[:kept], self.alumni_eids[:kept]
            self.alumni_until = self.alumni_until[:kept]

    def _fold_tie_totals(self) -> None:
        for name, total in zip(TIE_TOTALS, self.tie_totals):
            self.stats[name] = float(total)
