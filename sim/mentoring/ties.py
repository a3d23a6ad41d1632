"""A program's weekly path over its ties: meetings, endings, effects (`Program.step`, `Program.on_leave`).

An ordinary week (no tie ends, no enrollment) is one compiled call (`week_kernels.tie_week`); Python
does only what needs it: ending ties (events, alumni, rematches) and enrollment.
"""
from __future__ import annotations

import numpy as np

from ..engine.events import Rows
from . import week_kernels
from .end_kernels import any_tie, close_due, close_leaving
from .kernels import END_COMPLETED, END_DISSOLVED, END_MENTEE_LEFT, END_MENTOR_LEFT, END_PROMOTED, END_REMATCHED
from .relationships import END_REASONS
from .week_kernels import PEOPLE_COLUMNS, REL_COLUMNS, TIE_TOTALS, TieParams

# The order ties end in within a week's batch (the event log keeps it): due endings as `_due_ending`
# checks them, then those of people leaving, the mentee's ties first.
DUE_ORDER = np.array([END_DISSOLVED, END_PROMOTED, END_REMATCHED, END_COMPLETED], dtype=np.int8)
LEAVING_ORDER = np.array([END_MENTEE_LEFT, END_MENTOR_LEFT], dtype=np.int8)
N_END_CODES = max(END_REASONS) + 1  # codes tie_week writes are below it
STAT_OF_REASON = {reason: f"pairs_{name}" for reason, name in END_REASONS.items()}


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
        # Mentees waiting for a new mentor, and alumni whose effect lasts, as rows appended in place (the
        # kernels read the first `n`): no arrays made per ending tie.
        self._rematch = Rows((np.int64, np.int64), 64)  # slots, employee ids
        self._alumni = Rows((np.int64, np.int64, np.int64), 64)  # slots, employee ids, until week
        self._close_arrays = (rel.held, rel.missed, rel.trust, rel.mentee, rel.mentee_eid, rel.mentor,
                              self.is_mentee, self.mentor_load, self.mentee_row, self.mentor_first, self.next_row,
                              rel.active, rel._free)
        self._key_meetings = self.keys["meetings"]

    def step(self, model, week: int, due: set[str]) -> None:
        enroll = self.cfg.enrollment == "rolling" or self.cohort_event in due
        rematch = not enroll and self._rematch.n > 0  # ties ending now can add to it: see below
        n_ending, kept = self._tie_week(week, effects_now=not (enroll or rematch))
        if n_ending:
            self._end_due(week)
            rematch = not enroll and self._rematch.n > 0
        if enroll:
            self._enroll(week)
        elif rematch:
            self._enroll(week, rematch_only=True)
        if n_ending or enroll or rematch:
            self._declare_effects(week)
        else:
            self._alumni.n = kept
        self.weeks_running += 1

    def _tie_week(self, week: int, effects_now: bool) -> tuple[int, int]:
        """Meetings, due endings (codes in `_end_code`, no row freed) and, if `effects_now` and no tie
        ends, this week's effects; returns (ties ending, alumni kept). One compiled call."""
        pop = self.pop
        return week_kernels.tie_week(
            self._rel_arrays, self.rel.count, self._people_arrays, self._params, self._program_arrays,
            self._key_meetings, week, self.track_gains, self._end_code, effects_now, self._alumni.columns, self._alumni.n,
            pop.active, pop.eid, self._mark, self.tie_totals, self.cost_by_week, self.n_mentors)

    def on_leave(self, model, slots) -> None:
        """End the ties of the people in `slots`, who are leaving: theirs as mentee, then as mentor."""
        if any_tie(slots, self.is_mentee, self.mentor_load):
            closed = close_leaving(slots, LEAVING_ORDER, *self._close_arrays, self.rel._n_free, self._scratch)
            self._ended(LEAVING_ORDER, closed, model.week)

    def _end_due(self, week: int) -> None:
        """End the rows `tie_week` found ending, by reason in DUE_ORDER (the event log keeps it)."""
        closed = close_due(self._end_code, self.rel.count, N_END_CODES, DUE_ORDER, *self._close_arrays,
                           self.rel._n_free)
        self._ended(DUE_ORDER, closed, week)

    def _ended(self, order, closed, week: int) -> None:
        """The rest of ending a batch of ties the kernels closed and freed (`end_kernels`): run totals by
        reason, one event each, alumni, the dissolution penalty, and mentees to rematch."""
        rows, starts, reasons, mentees, eids, sums, freed, n_free = closed
        rel, s = self.rel, self.stats
        rel.sync(n_free, rel.count)
        self.n_mentors -= freed
        starts, (held, missed, trust) = starts.tolist(), sums.tolist()
        for g, reason in enumerate(order.tolist()):
            lo, hi = starts[g], starts[g + 1]
            if hi == lo:
                continue
            s[STAT_OF_REASON[reason]] += hi - lo
            s["meetings_held"] += held[g]
            s["meetings_missed"] += missed[g]
            s["trust_at_end_sum"] += trust[g]
            s["pairs_ended"] += hi - lo
            if reason == END_COMPLETED:
                until = week + self.cfg.effects.alumni_weeks
                _append(self._alumni, mentees[lo:hi], eids[lo:hi], until)
            elif reason == END_DISSOLVED:
                pen, pop = self.cfg.effects.dissolution_engagement_penalty, self.pop
                pop.engagement[mentees[lo:hi]] = np.maximum(0.0, pop.engagement[mentees[lo:hi]] - pen)
            elif reason in (END_REMATCHED, END_MENTOR_LEFT):
                _append(self._rematch, mentees[lo:hi], eids[lo:hi])
        self.model.record("mentoring_end", mentees, week, detail=reasons)

    def _declare_effects(self, week: int) -> None:
        """Effects on hazards and promotion chances for this week, once per person and week, even for a
        mentor with several ties; alumni completed and cannot enroll again, so they are never current
        mentees here. Alumni whose effect ended are dropped (the kernel keeps the rest at the front)."""
        self._alumni.n = week_kernels.declare_effects(self._rel_arrays, self.rel.count, self._people_arrays,
                                                      self._params, self._alumni.columns, self._alumni.n,
                                                      self.pop.active, self.pop.eid, self._mark, week)

    def _fold_tie_totals(self) -> None:
        for name, total in zip(TIE_TOTALS, self.tie_totals):
            self.stats[name] = float(total)


def _append(rows: Rows, *values) -> None:
    """Append one row per entry of values[0] (a scalar among `values` fills its column)."""
    k = len(values[0])
    at = rows.room(k)
    for column, value in zip(rows.columns, values):
        column[at : at + k] = value
