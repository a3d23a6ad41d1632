"""Staffing: people leave, seats open, vacancy chains promote, outsiders are hired.

All work is on arrays of slots, with numpy or with kernels (`sim.engine.kernels`); no Python loop
runs per employee, vacancy or level.

Seats and hires draw by lineage (`rng.lineage_key`), never by id: a seat by who left it or
was promoted out of it, a hire by the seat filled, so that a program run and its twin route,
time and fill the same seat with the same numbers however many other ids differ.
"""
from __future__ import annotations

import numpy as np

from . import chain_kernels, people_kernels, staffing_kernels
from . import promotion_rules  # noqa: F401  (fills the registry)
from .people_kernels import NEW_PEOPLE_COLUMNS, WRITTEN_COLUMNS
from .population import frailty_offsets
from ..config.registry import PROMOTION_RULES
from .rng import LINEAGE_EXIT_SEAT, hire_keys, lineage_keys
from .kernels import EXIT_CYCLE, EXIT_INVOLUNTARY, EXIT_RETIREMENT, EXIT_VOLUNTARY
from .org import EXTERNAL, INTERNAL
from .switches import passed_over_tokens

EXIT_KIND = {
    EXIT_VOLUNTARY: "voluntary_exit",
    EXIT_RETIREMENT: "retirement",
    EXIT_INVOLUNTARY: "involuntary_exit",
    EXIT_CYCLE: "cycle_exit",
}


class Staffing:
    """Exits, vacancies, internal promotion along vacancy chains, external hiring."""

    def __init__(self, model):
        self.model = model
        cfg = model.cfg
        self.cfg = cfg
        self.org = model.org
        self.pop = model.pop
        self.vac = model.vacancies
        self.streams = model.streams
        self.wpy = cfg.sim.weeks_per_year
        # Promotions into each level since the last review: who was passed over.
        self.promotions_since_review = np.zeros(self.org.n_levels, dtype=np.int64)
        prom = cfg.promotion
        self.rule = PROMOTION_RULES[prom.rule]
        # Readiness needed for a seat, by the level of the seat (and a placeholder past the top).
        self.min_readiness = np.append(prom.min_readiness_ratio * self.org.demand, 0.0)
        # Candidates of level L are gathered in cand_slots[cand_offset[L]:], room for every seat of L
        # and one more (see staffing_kernels.promotion_candidates).
        room = self.org.seats + 1
        self.cand_offset = np.concatenate(([0], np.cumsum(room))).astype(np.int64)
        self.cand_slots = np.empty(int(room.sum()), dtype=np.int64)
        self.cand_scores = np.empty(int(room.sum()))
        self.cand_u = np.empty(int(room.sum()))
        # What sample_people reads, by `initial` (the starting workforce, or hires).
        levels, dev, ret = self.org.cfg.levels, cfg.development, cfg.attrition.retirement
        self._age_mean = {True: np.array([lv.mean_age for lv in levels], dtype=np.float64),
                          False: np.array([lv.hire_age for lv in levels], dtype=np.float64)}
        self._mean_tenure = np.array([lv.mean_tenure_years for lv in levels], dtype=np.float64)
        self._group_cdf = {True: np.cumsum(self.org.initial_group_share, axis=1),
                           False: np.cumsum(self.org.hire_share)[None, :]}
        self._people = {
            initial: people_kernels.NewPeopleParams(
                weeks_per_year=float(self.wpy), age_sd=8.0 if initial else 4.0, retire_min_age=float(ret.min_age),
                retire_age_span=float(ret.max_age - ret.min_age), stretch=float(dev.stretch),
                talent_sd=float(dev.talent_sd), talent_common=float(np.sqrt(dev.talent_correlation)),
                talent_own=float(np.sqrt(1.0 - dev.talent_correlation)), hire_gap=float(dev.hire_gap),
                hire_sd=float(dev.hire_sd),
                state_sd=float(dev.state_sd), baseline_confidence=float(dev.baseline_confidence),
                baseline_engagement=float(dev.baseline_engagement), baseline_belonging=float(dev.baseline_belonging),
                hires_like_staff=bool(dev.hires_like_staff))
            for initial in (True, False)}
        self._no_draws = np.zeros(0, dtype=np.int64)
        self._ttf_draws = np.arange(int(cfg.hiring.ttf_shape))
        vac = self.vac  # the columns staffing_kernels writes a seat's row to, in its order
        self.seat_columns = (vac.vid, vac.vkey, vac.level, vac.department, vac.opened_week, vac.channel, vac.due_week)
        self._no_values = np.zeros(0)
        self._pop_columns = tuple(getattr(self.pop, name) for name in NEW_PEOPLE_COLUMNS)

    # ------------------------------------------------------------------ people
    def sample_people(self, levels, departments, week, stream: str, initial: bool, draw_keys=None) -> dict:
        """The state of new people, by column, for `pop.hire`: hires (stream "hire", drawn by their
        `draw_keys`) or the initial population ("init", drawn by their ids). They get the next
        employee ids, in order; the draws and formulas are `people_kernels.new_people`'s."""
        pop = self.pop
        n = len(levels)
        new = {name: np.empty((n, column.width) if column.width else n, dtype=column.dtype)
               for name, column in pop.columns.items() if name in WRITTEN_COLUMNS}
        new["level"], new["department"] = np.empty_like(levels), np.empty_like(departments)
        self.write_people(np.arange(n), levels, departments, week, stream, initial, draw_keys, new)
        return new

    def write_people(self, at, levels, departments, week, stream: str, initial: bool, draw_keys, out) -> None:
        """Draw new people into rows `at` of the columns `out` (a dict of arrays, or the population)."""
        pop, org = self.pop, self.org
        n = len(levels)
        if draw_keys is None:
            draw_keys = np.arange(pop.next_eid, pop.next_eid + n).astype(np.uint64)
        key = self.streams[stream]
        log_u_tenure = np.log(staffing_kernels.draws(key, draw_keys, 0, np.array([4]), self._no_draws)[0][0]) if (
            initial) else self._no_values
        if out is pop:  # the population's columns never reallocate: gathered once
            columns = self._pop_columns
        else:
            columns = tuple(out[name] for name in NEW_PEOPLE_COLUMNS)
        people_kernels.new_people.for_size(n)(
            draw_keys, levels, departments, key, week, initial, self._group_cdf[initial], self._age_mean[initial],
            self._mean_tenure, log_u_tenure, org.target, self._people[initial], at, *columns[:-1])
        competency, readiness = columns[NEW_PEOPLE_COLUMNS.index("competency")], columns[-1]
        readiness[at] = np.einsum("ij,ij->i", org.profile[org.next_level[levels]], competency[at])
        frailty = out.frailty if out is pop else out["frailty"]
        frailty[at] = frailty_offsets(self.streams["frailty"], draw_keys, self.cfg.attrition.frailty_sd)

    def populate(self, week: int) -> None:
        """Start with every seat filled (or, with `org.start_from`, with the snapshot's people)."""
        org = self.org
        if org.cfg.start_from:
            self._populate_from_snapshot(week)
            return
        levels = np.repeat(np.arange(org.n_levels), org.seats).astype(np.int8)
        within = np.concatenate([np.arange(s) for s in org.seats])
        departments = (within % len(org.department_names)).astype(np.int16)
        new = self.sample_people(levels, departments, week, "init", initial=True)
        if self.org.cfg.exact_composition:
            new["group"] = self._exact_groups(levels, new["draw_key"])
        slots = self.pop.hire(len(levels), **new)
        self.model.on_join(slots)

    def _populate_from_snapshot(self, week: int) -> None:
        """The snapshot's people (`population.snapshot_start`); seats it leaves empty open at `week`,
        keyed as the seats of people past the snapshot's ids would be."""
        from .population import snapshot_start

        new, empty_levels, empty_departments = snapshot_start(self, week)
        slots = self.pop.hire(len(new["level"]), **new)
        self.model.on_join(slots)
        if empty_levels.size:
            parents = np.arange(self.pop.next_eid, self.pop.next_eid + empty_levels.size).astype(np.uint64)
            keys = lineage_keys(LINEAGE_EXIT_SEAT, parents, np.zeros(parents.size, dtype=np.int64))
            self.open_vacancies(empty_levels, empty_departments, keys, week)

    def _exact_groups(self, levels, draw_keys) -> np.ndarray:
        """Groups of the starting workforce with exactly `org.initial_group_counts()` per level: within a
        level, people ordered by their group uniform (u0 of the init stream, the draw the coin flip
        uses) take group 0 first, then group 1, and so on; a random assignment of exact counts."""
        u = staffing_kernels.draws(self.streams["init"], draw_keys, 0, np.array([0]), self._no_draws)[0][0]
        order = np.lexsort((u, levels))  # by level, then by u
        start = np.concatenate(([0], np.cumsum(self.org.seats)[:-1]))
        sorted_levels = levels[order]
        position = np.arange(levels.size) - start[sorted_levels]
        bounds = np.cumsum(self.org.initial_group_counts(), axis=1)[sorted_levels]
        group = np.empty(levels.size, dtype=np.int8)
        group[order] = (position[:, None] >= bounds).sum(axis=1)
        return group

    # ------------------------------------------------------------------ exits
    def separate(self, slots, exit_code: int, week: int) -> None:
        """Remove employees, log and count the exits, and open their seats."""
        slots = np.asarray(slots, dtype=np.int64)
        if slots.size == 0:
            return
        pop = self.pop
        self.model.on_leave(slots)  # programs close the leavers' ties first: the exit is their last event
        tenure = week - pop.hire_week[slots]
        self.model.record(EXIT_KIND[exit_code], slots, week, detail=tenure)
        self.model.metrics.count_exits(slots, exit_code, week)
        levels, departments = pop.level[slots], pop.department[slots]  # copies, read before the rows go
        # The seat is the leaver's, whatever the kind of exit or its week: keyed by who left.
        keys = lineage_keys(LINEAGE_EXIT_SEAT, pop.draw_key[slots], np.zeros(slots.size, dtype=np.int64))
        pop.remove(slots)
        self.open_vacancies(levels, departments, keys, week)

    # ------------------------------------------------------------------ vacancies
    def open_vacancies(self, levels, departments, keys, week: int) -> None:
        """Open seats with lineage `keys`; each is routed to internal promotion or external hire."""
        vac = self.vac
        vslots = vac.add_rows(len(levels), written=staffing_kernels.SEAT_COLUMNS)
        external = staffing_kernels.open_seats(vslots, vac.take_ids(len(levels)), levels, departments, keys, week,
                                               self.streams["vacancy_channel"], self.org.external_share,
                                               self.seat_columns, INTERNAL)
        self.route_external(external, week)

    def route_external(self, vslots, week: int) -> None:
        """Send vacancies to external hiring; the hire arrives after an Erlang time to fill."""
        if len(vslots) == 0:
            return
        vac, hiring = self.vac, self.cfg.hiring
        vslots = np.asarray(vslots, dtype=np.int64)
        log_u = np.log(staffing_kernels.draws(self.streams["time_to_fill"], vac.vkey[vslots], 0, self._ttf_draws,
                                              self._no_draws)[0])
        staffing_kernels.send_outside(vslots, log_u, vac.level, self.org.ttf_weeks, float(hiring.ttf_scale), week,
                             vac.channel, vac.due_week, EXTERNAL)

    def fill(self, vslots, week: int, channel: int) -> None:
        """Close vacancies, counting their time to fill."""
        if len(vslots) == 0:
            return
        self.model.metrics.count_fills(self.vac.level[vslots], week - self.vac.opened_week[vslots], channel, week)
        self.vac.remove(vslots)

    # ------------------------------------------------------------------ promotion
    def promote_chains(self, week: int, lowest: int = 1) -> int:
        """Fill internal vacancies top-down, down to level `lowest`; each promotion opens a seat one level
        below (below `lowest`, it stays open for a later call: the top-down cycle order).

        Promotions into level L move people from L - 1 to L, so filling the levels above L
        never changes who is eligible at L - 1: one pass over the population gathers every
        level's candidates, one kernel draws their tiebreaks, the promotion rule scores them, and one runs the chains
        (`chain_kernels.vacancy_chain`); the result is then applied to the tables in one go.
        """
        pop, org, vac = self.pop, self.org, self.vac
        vs, vstarts = staffing_kernels.open_by_channel(vac.active, vac.count, vac.level, vac.channel, vac.opened_week,
                                              vac.vkey, INTERNAL, org.n_levels)
        if vstarts[-1] == vstarts[1]:  # no internal seat above the entry level
            return 0
        n_cand = staffing_kernels.promotion_candidates(pop.active, pop.count, pop.level, pop.level_week, pop.readiness, week,
                                              self.cfg.promotion.min_weeks_in_level, self.min_readiness,
                                              self.cand_offset, self.cand_slots)
        # The chains run downward: only the levels below the highest open internal seat may promote.
        top = int(np.flatnonzero(np.diff(vstarts))[-1])
        draws = staffing_kernels.candidate_draws.for_size(int(n_cand[:top].sum()))
        boosted = draws(self.cand_slots, self.cand_offset, n_cand, top, pop.draw_key, pop.visibility,
                        self.streams["promotion"], week, self.cand_u)
        self.rule(self.cand_slots, self.cand_offset, n_cand, top, self.cand_u, pop.readiness, pop.performance,
                  pop.hire_week, week, self.cand_scores)
        params = chain_kernels.ChainParams(week, self.streams["vacancy_channel"], vac.next_id, lowest)
        (promoted, seat_level, seat_dept, seat_opened, seat_slot, external, new_vid, new_vkey, new_level, new_dept,
         new_internal) = chain_kernels.vacancy_chain(
            vs, vstarts, vac.department, vac.opened_week, self.cand_slots, self.cand_offset, n_cand, self.cand_scores,
            boosted, pop.visibility, pop.department, pop.draw_key, vac.vkey, org.external_share, params)
        vac.take_ids(promoted.size)  # one new seat per promotion
        if promoted.size:
            self.promote(promoted, seat_dept, week)
            self.model.metrics.count_fills(seat_level, week - seat_opened, INTERNAL, week)
            vac.remove(seat_slot[seat_slot >= 0])
        if new_vid.size:
            opened = vac.add_rows(new_vid.size, written=staffing_kernels.SEAT_COLUMNS)
            outside = staffing_kernels.add_chain_seats(opened, new_vid, new_level, new_dept, new_vkey, week,
                                                       new_internal, self.seat_columns, INTERNAL)
            external = np.concatenate((external, outside))
        self.route_external(external, week)
        return int(promoted.size)

    def promote(self, chosen, departments, week: int) -> None:
        """Move `chosen` one level up into seats of `departments` (the seats are closed by the caller)."""
        pop, dev = self.pop, self.cfg.development
        from_levels = pop.level[chosen]
        weeks_in_level = week - pop.level_week[chosen]
        self.model.metrics.count_promotions(chosen, week, weeks_in_level)
        self.model.record("promotion", chosen, week, detail=weeks_in_level, level=from_levels + 1)
        staffing_kernels.promote_rows(chosen, departments, week, float(dev.promotion_confidence_boost),
                             float(dev.promotion_engagement_boost), pop.level, pop.department, pop.level_week,
                             pop.passed_over, pop.confidence, pop.engagement)
        nxt = self.org.next_level[from_levels + 1]
        competency = pop.competency[chosen]
        if not self.model.switches.gain_in_readiness:  # as in the develop kernel
            competency = np.where(pop.mentored[chosen, None], pop.unmentored_competency[chosen], competency)
        pop.readiness[chosen] = np.einsum("ij,ij->i", self.org.profile[nxt], competency)
        self.promotions_since_review += np.bincount(from_levels + 1, minlength=self.org.n_levels)

    def mark_passed_over(self, week: int) -> None:
        """At a review: ready-now people below a level that promoted others count as passed over."""
        pop, org, prom, dev = self.pop, self.org, self.cfg.promotion, self.cfg.development
        s = pop.active_slots()
        lv = pop.level[s]
        target = np.minimum(lv + 1, org.n_levels - 1)
        hit = (
            (lv < org.n_levels - 1)
            & (self.promotions_since_review[target] > 0)
            & (week - pop.level_week[s] >= prom.min_weeks_in_level)
            & (pop.level_week[s] < week)  # promoted this week: not passed over for the next level yet
            & (pop.readiness[s] >= prom.ready_now_ratio * org.demand[target])
        )
        replay = self.model.switches.passed_over_replay
        if replay is not None:  # the twin's passed-over people, still here at that level (decomposition)
            tokens = passed_over_tokens(pop.draw_key[s], lv)
            hit = np.isin(tokens, replay.get(week, np.zeros(0, np.uint64))) & (pop.level_week[s] < week)
        s = s[hit]
        pop.passed_over[s] += 1
        pop.engagement[s] = np.maximum(0.0, pop.engagement[s] - dev.passed_over_engagement_drop)
        pop.confidence[s] = np.maximum(0.0, pop.confidence[s] - dev.passed_over_confidence_drop)
        self.model.record("passed_over", s, week, detail=pop.passed_over[s])
        self.promotions_since_review[:] = 0

    # ------------------------------------------------------------------ hiring
    def hire_due(self, week: int) -> None:
        """External hires whose time to fill has run out join this week."""
        vac = self.vac
        # In id order: the hire order fixes the new employee ids (bookkeeping: draws follow the seat).
        vs = staffing_kernels.due_vacancies(vac.active, vac.count, vac.channel, vac.due_week, vac.vid, EXTERNAL, week)
        if vs.size == 0:
            return
        # Drawn straight into their rows: one kernel call, whatever the number of columns.
        slots = self.pop.add_rows(vs.size, written=WRITTEN_COLUMNS)
        self.write_people(slots, vac.level[vs], vac.department[vs], week, "hire", initial=False,
                          draw_keys=hire_keys(vac.vkey[vs]), out=self.pop)
        self.model.metrics.count_hires(slots, week)
        self.model.record("hire", slots, week, detail=week - vac.opened_week[vs])
        self.fill(vs, week, EXTERNAL)
        self.model.on_join(slots)
