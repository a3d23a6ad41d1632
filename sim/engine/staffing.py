"""Staffing: people leave, seats open, vacancy chains promote, outsiders are hired.

All work is on arrays of slots, with numpy or with kernels (`sim.engine.kernels`); no Python loop
runs per employee, vacancy or level.

Seats and hires draw by lineage (`rng.lineage_key`), never by id: a seat by who left it or
was promoted out of it, a hire by the seat filled, so that a program run and its twin route,
time and fill the same seat with the same numbers however many other ids differ.
"""
from __future__ import annotations

import numpy as np

from . import kernels, people_kernels, staffing_fused, staffing_kernels
from . import promotion_rules  # (also fills the registry)
from .people_kernels import NEW_PEOPLE_COLUMNS, WRITTEN_COLUMNS
from .population import frailty_offsets
from ..config.registry import PROMOTION_RULES
from .rng import LINEAGE_EXIT_SEAT, lineage_keys
from .kernels import EXIT_CYCLE, EXIT_INVOLUNTARY, EXIT_RETIREMENT, EXIT_VOLUNTARY
from .org import EXTERNAL, INTERNAL
from .switches import passed_over_tokens

CHANNELS = (INTERNAL, EXTERNAL)

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
        self._score_bounds = promotion_rules.score_bounds(prom.rule)  # which candidates it need not score
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
        # The columns a hire's row takes defaults in, as (column, default) pairs for the hire kernel (the id
        # and the drawn columns are written; the two the hire counts read, participation and high potential,
        # by the hire kernel or `_count_defaults`).
        self._hire_defaults = tuple(self.pop._defaults_besides(WRITTEN_COLUMNS | {"eid", "participation", "hipo"}))
        dev = cfg.development
        self._boosts = (float(dev.promotion_confidence_boost), float(dev.promotion_engagement_boost))
        self._ttf_scale = float(cfg.hiring.ttf_scale)
        self._next_profile = self.org.profile[self.org.next_level]  # readiness weights, by level
        self._frailty_sd = float(cfg.attrition.frailty_sd)
        # What the hire kernel passes on to new_people, as plain tuples (cheaper to type at a call).
        self._hire_params, self._hire_columns = tuple(self._people[False]), self._pop_columns[:-1]
        columns = self.pop.columns  # the defaults the hire kernel writes itself (the hire counts read them)
        self._count_defaults = (columns["participation"].dtype(columns["participation"].default),
                                columns["hipo"].dtype(columns["hipo"].default))
        # Seats the fused kernels sent outside this week, due weeks still to work out: (slots, uniforms, week).
        self._routed: list[tuple] = []
        # People promoted this week whose readiness (under their new level's profile) is still the old one:
        # worked out with the week's hires in one einsum (`_settle_readiness`), before anything reads it.
        self._promoted: list[np.ndarray] = []
        self._no_slots, self._no_log_u = np.zeros(0, dtype=np.int64), np.zeros((len(self._ttf_draws), 0))
        # Internal seats open (above the entry level), as the fused kernels count them; None: not known
        # (seats opened or routed another way), so the next promotion round looks.
        self._internal_open: int | None = None

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
        """Draw new people into rows `at` of the columns `out` (a dict of arrays, by column name)."""
        pop, org = self.pop, self.org
        n = len(levels)
        if draw_keys is None:
            draw_keys = np.arange(pop.next_eid, pop.next_eid + n).astype(np.uint64)
        key = self.streams[stream]
        log_u_tenure = np.log(staffing_kernels.draws(key, draw_keys, 0, np.array([4]), self._no_draws)[0][0]) if (
            initial) else self._no_values
        columns = tuple(out[name] for name in NEW_PEOPLE_COLUMNS)
        people_kernels.new_people.for_size(n)(
            draw_keys, levels, departments, key, week, initial, self._group_cdf[initial], self._age_mean[initial],
            self._mean_tenure, log_u_tenure, org.target, self._people[initial], at, *columns[:-1])
        competency, readiness = columns[NEW_PEOPLE_COLUMNS.index("competency")], columns[-1]
        readiness[at] = np.einsum("ij,ij->i", org.profile[org.next_level[levels]], competency[at])
        out["frailty"][at] = frailty_offsets(self.streams["frailty"], draw_keys, self.cfg.attrition.frailty_sd)

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
        """Remove employees, log and count the exits, and open their seats (`staffing_fused.separate`)."""
        slots = np.asarray(slots, dtype=np.int64)
        n = slots.size
        if n == 0:
            return
        model, pop, vac, metrics, events = self.model, self.pop, self.vac, self.model.metrics, self.model.events
        model.on_leave(slots)  # programs close the leavers' ties first: the exit is their last event
        # The seat is the leaver's, whatever the kind of exit or its week: keyed by who left.
        pop_n_free, vac_n_free, vac_count, outside, u, n_internal = staffing_fused.separate(
            slots, week, metrics.flows, metrics.period_of(week), metrics.exit_columns[exit_code], pop.level, pop.group,
            pop.participation, pop.hipo, pop.department, pop.draw_key, pop.active, pop._free, pop._n_free,
            vac.active, vac._free, vac._n_free, vac.count, vac.next_id, self.seat_columns, CHANNELS,
            self.streams["vacancy_channel"], self.org.external_share, self.streams["time_to_fill"], self._ttf_draws,
            pop.eid, pop.hire_week, events.spare(EXIT_KIND[exit_code], n))
        events.took(n)
        pop.sync(pop_n_free, pop.count)
        self._opened(vac_n_free, vac_count, n)
        self._route_later(outside, u, week)
        if self._internal_open is not None:
            self._internal_open += n_internal

    def _opened(self, vac_n_free: int, vac_count: int, n: int) -> None:
        """The vacancy table after a kernel opened `n` seats with the next ids (and maybe closed others)."""
        self.vac.sync(vac_n_free, vac_count)
        self.vac.next_id += n

    def _route_later(self, vslots, u, week: int) -> None:
        """Seats a fused kernel sent outside (channel set): their due weeks are worked out with the
        week's hires (`hire_due`), from the time-to-fill uniforms u the kernel drew. Nothing reads a
        due week before that; one np.log and no kernel call of their own."""
        if vslots.size:
            self._routed.append((vslots, u, week))

    def _take_routed(self, week: int):
        """The seats routed this week and the logs of their uniforms (numpy's log, as it always was);
        seats routed in an earlier week (a call outside `OrgModel.step`) get their due weeks now."""
        routed = self._routed
        if not routed:
            return self._no_slots, self._no_log_u
        for _, _, when in routed:
            if when != week:
                for vslots, u, routed_week in routed:
                    self._send_outside(vslots, u, routed_week)
                routed.clear()
                return self._no_slots, self._no_log_u
        if len(routed) == 1:
            vslots, u, _ = routed[0]
        else:
            vslots = np.concatenate([r[0] for r in routed])
            u = np.concatenate([r[1] for r in routed], axis=1)
        routed.clear()
        return vslots, np.log(u)

    def _send_outside(self, vslots, u, week: int) -> None:
        """`route_external` for seats whose time-to-fill uniforms a fused kernel drew."""
        staffing_kernels.send_outside(vslots, np.log(u), self.vac.level, self.org.ttf_weeks,
                                      self._ttf_scale, week, self.vac.channel, self.vac.due_week,
                                      EXTERNAL)

    # ------------------------------------------------------------------ vacancies
    def open_vacancies(self, levels, departments, keys, week: int) -> None:
        """Open seats with lineage `keys`; each is routed to internal promotion or external hire (at
        the start from a snapshot; a week's seats are opened by the fused kernels)."""
        vac = self.vac
        self._internal_open = None  # opened here, not counted: the next promotion round looks
        vslots = vac.add_rows(len(levels), written=staffing_kernels.SEAT_COLUMNS)
        external = staffing_kernels.open_seats(vslots, vac.take_ids(len(levels)), levels, departments, keys, week,
                                               self.streams["vacancy_channel"], self.org.external_share,
                                               self.seat_columns, INTERNAL)
        self.route_external(external, week)

    def route_external(self, vslots, week: int) -> None:
        """Send vacancies to external hiring now; the hire arrives after an Erlang time to fill."""
        if len(vslots) == 0:
            return
        self._internal_open = None
        vslots = np.asarray(vslots, dtype=np.int64)
        u = staffing_kernels.draws(self.streams["time_to_fill"], self.vac.vkey[vslots], 0, self._ttf_draws,
                                   self._no_draws)[0]
        self._send_outside(vslots, u, week)

    # ------------------------------------------------------------------ promotion
    def promote_chains(self, week: int, lowest: int = 1, settle_later: bool = False) -> int:
        """Fill internal vacancies top-down, down to level `lowest`; each promotion opens a seat one level
        below (below `lowest`, it stays open for a later call: the top-down cycle order). The promoted's
        readiness under their new level is worked out now, or with `settle_later` (`OrgModel.step`) with
        the week's hires (`hire_due`), in one einsum.

        Promotions into level L move people from L - 1 to L, so filling the levels above L
        never changes who is eligible at L - 1: one pass over the population gathers every
        level's candidates and draws their tiebreaks (`staffing_fused.gather_chain`), the promotion
        rule scores them, and one kernel runs the chains (`chain_kernels.vacancy_chain`) and applies
        the result to the tables (`staffing_fused.run_chain`).
        """
        if self._internal_open == 0:  # known without a look: no internal seat is open
            return 0
        if self._promoted:  # a second round this week (the top-down cycle order) reads their readiness
            self._settle_readiness(self._no_slots)
        pop, org, vac, metrics, events = self.pop, self.org, self.vac, self.model.metrics, self.model.events
        parallel_from = kernels.PARALLEL_MIN_ROWS
        vs, vstarts, n_cand, top, boosted, drawn = staffing_fused.gather_chain(
            vac.active, vac.count, vac.level, vac.channel, vac.opened_week, vac.vkey, INTERNAL, org.n_levels,
            pop.active, pop.count, pop.level, pop.level_week, pop.readiness, week, self.cfg.promotion.min_weeks_in_level,
            self.min_readiness, self.cand_offset, self.cand_slots, pop.draw_key, pop.visibility,
            self.streams["promotion"], self.cand_u, parallel_from, bool(self.model.interventions), self._score_bounds,
            pop.performance, pop.hire_week, self.cand_scores)
        if top < 0:  # no internal seat above the entry level
            self._internal_open = int(vstarts[-1])
            return 0
        if not drawn:  # many candidates: the parallel build
            boosted = staffing_kernels.candidate_draws.parallel(
                self.cand_slots, self.cand_offset, n_cand, top, pop.draw_key, pop.visibility,
                self.streams["promotion"], week, self.cand_u)
        self.rule(self.cand_slots, self.cand_offset, n_cand, top, self.cand_u, pop.readiness, pop.performance,
                  pop.hire_week, week, self.cand_scores)
        chain = (week, self.streams["vacancy_channel"], vac.next_id, lowest)  # chain_kernels.ChainParams
        promoted, weeks_in_level, vac_n_free, vac_count, outside, u, n_internal = staffing_fused.run_chain(
            vs, vstarts, vac.department, vac.opened_week, self.cand_slots, self.cand_offset, n_cand, self.cand_scores,
            boosted, pop.visibility, pop.department, pop.draw_key, vac.vkey, org.external_share, chain,
            self._boosts, pop.level, pop.level_week, pop.passed_over, pop.confidence, pop.engagement, pop.group,
            pop.participation, pop.hipo, metrics.flows, metrics.level_stats, metrics.period_of(week),
            metrics.promotion_columns, self.promotions_since_review, vac.active, vac._free, vac._n_free, vac.count,
            self.seat_columns, CHANNELS, self.streams["time_to_fill"], self._ttf_draws,
            # room for as many as vacancy_chain makes room for: a chain per open seat, a promotion per level
            pop.eid, events.spare("promotion", max(vs.size * (org.n_levels - 1), 1)))
        events.took(promoted.size)  # logged at the new level
        self._opened(vac_n_free, vac_count, promoted.size)  # one new seat id per promotion
        self._internal_open = n_internal
        if promoted.size:  # their readiness under the new level's profile
            self._promoted.append(promoted)
            if not settle_later:
                self._settle_readiness(self._no_slots)
        self._route_later(outside, u, week)
        return int(promoted.size)

    def _settle_readiness(self, hired) -> None:
        """Readiness of the people promoted since the last call (under their new level's profile) and of
        the `hired` (after them), with numpy's einsum as it always was: one call for all, whose rows are
        each what a call for that row alone gives (`tests/engine/test_readiness_rows.py`). Nothing reads
        a promoted person's readiness before: `mark_passed_over` skips whoever was promoted this week, a
        second promotion round settles first, and the hires come last in a week."""
        pop = self.pop
        slots = np.concatenate((*self._promoted, hired)) if self._promoted else hired
        self._promoted.clear()
        competency = pop.competency[slots]
        if not self.model.switches.gain_in_readiness:  # as in the develop kernel (a hire is not mentored)
            competency = np.where(pop.mentored[slots, None], pop.unmentored_competency[slots], competency)
        pop.readiness[slots] = np.einsum("ij,ij->i", self._next_profile[pop.level[slots]], competency)

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
    def hire_due(self, week: int) -> bool:
        """External hires whose time to fill has run out join this week (first the seats routed outside
        this week get their due weeks). One kernel call (`staffing_fused.hire`: rows, draw keys, the
        people drawn straight into their rows, their other columns set to defaults, frailty, counts, seats
        closed, the week's open seats counted, the hires logged), then readiness (one einsum with the week's
        promoted); many hires draw with the parallel build of `new_people`. Returns whether the open seats were counted (vacancy-weeks:
        `Metrics.end_of_week` counts them otherwise)."""
        model, pop, vac, org = self.model, self.pop, self.vac, self.org
        metrics, events, roster = model.metrics, model.events, model.roster
        period = metrics.period_of(week)
        most = vac.count  # every hire fills an open seat
        # In id order: the hire order fixes the new employee ids (bookkeeping: draws follow the seat).
        vs, slots, draw_keys, levels, departments, pop_n_free, pop_count, weeks_open, vac_n_free, settled = (
            staffing_fused.hire(
                vac.active, vac.count, vac.channel, vac.due_week, vac.vid, vac.vkey, vac.level, vac.department,
                vac.opened_week, vac._free, vac._n_free, EXTERNAL, week, *self._take_routed(week), org.ttf_weeks,
                self._ttf_scale, pop.active, pop._free, pop._n_free, pop.count, pop.eid, pop.next_id,
                kernels.PARALLEL_MIN_ROWS, self.streams["hire"], self._group_cdf[False], self._age_mean[False],
                self._mean_tenure, self._no_values, org.target, self._hire_params, self._hire_columns,
                self.streams["frailty"], self._frailty_sd, pop.frailty, metrics.flows, period, metrics.hire_column,
                pop.participation, pop.hipo, self._count_defaults, metrics.level_stats,
                metrics.external_fill_columns, metrics.vacancy_weeks_column, self._hire_defaults,
                events.spare("hire", most), roster.spare(most)))
        n = vs.size
        if n == 0:
            if self._promoted:  # the week's promoted still wait for their readiness
                self._settle_readiness(slots)
            return settled
        pop.sync(pop_n_free, pop_count)
        pop.next_id += n  # the hires took the next ids
        if not settled:  # many hires: drawn by the parallel build (and the defaults here)
            for values, default in self._hire_defaults:
                values[slots] = default
            pop.participation[slots], pop.hipo[slots] = self._count_defaults
            people_kernels.new_people.for_size(vs.size)(
                draw_keys, levels, departments, self.streams["hire"], week, False, self._group_cdf[False],
                self._age_mean[False], self._mean_tenure, self._no_values, org.target, self._people[False], slots,
                *self._pop_columns[:-1])
        self._settle_readiness(slots)
        if not settled:
            weeks_open, vac_n_free = staffing_fused.settle_hires(
                slots, vs, draw_keys, week, self.streams["frailty"], self._frailty_sd, pop.frailty, metrics.flows,
                period, metrics.hire_column, pop.level, pop.group, pop.participation, pop.hipo, metrics.level_stats,
                metrics.external_fill_columns, vac.level, vac.opened_week, vac.active, vac._free, vac._n_free)
        vac.sync(vac_n_free, vac.count)
        if settled:  # logged and noted in the roster by the kernel
            events.took(n)
            roster.took(n)
            if model.agent_views:
                model.on_join(slots, in_roster=True)
        else:
            model.record("hire", slots, week, detail=weeks_open)
            model.on_join(slots)
        return settled
