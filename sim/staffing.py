"""Staffing: people leave, seats open, vacancy chains promote, outsiders are hired.

All work is on arrays of slots; the only Python loops are over levels.
"""
from __future__ import annotations

import numpy as np

from . import rng
from .kernels import EXIT_CYCLE, EXIT_INVOLUNTARY, EXIT_RETIREMENT, EXIT_VOLUNTARY
from .org import EXTERNAL, INTERNAL

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

    # ------------------------------------------------------------------ people
    def sample_people(self, slots, levels, departments, week, stream: str, initial: bool) -> None:
        """Fill the state of new rows: hires (stream "hire") or the initial population ("init")."""
        pop, org, dev = self.pop, self.org, self.cfg.development
        key = self.streams[stream]
        eids = pop.eid[slots]
        n = len(slots)
        pop.level[slots] = levels
        pop.department[slots] = departments
        shares = org.initial_group_share[levels] if initial else np.broadcast_to(org.hire_share, (n, len(org.hire_share)))
        u_group = rng.uniforms(key, eids, 0, 0)
        pop.group[slots] = np.minimum((u_group[:, None] > np.cumsum(shares, axis=1)).sum(axis=1), shares.shape[1] - 1)
        age_mean = np.array([lv.mean_age if initial else lv.hire_age for lv in org.cfg.levels])[levels]
        age = np.clip(age_mean + (8.0 if initial else 4.0) * rng.normals(key, eids, 0, 1), 18.0, 66.0)
        pop.birth_week[slots] = np.round(week - age * self.wpy).astype(np.int32)
        ret = self.cfg.attrition.retirement
        ret_age = ret.min_age + (ret.max_age - ret.min_age) * rng.uniforms(key, eids, 0, 2)
        # Someone already past the drawn age at start retires within the first year.
        retire_week = pop.birth_week[slots] + np.round(ret_age * self.wpy)
        if initial:
            retire_week = np.maximum(retire_week, week + np.floor(rng.uniforms(key, eids, 0, 3) * self.wpy))
        pop.retire_week[slots] = np.minimum(retire_week, 2**31 - 1).astype(np.int32)
        if initial:
            mean_tenure = np.array([lv.mean_tenure_years for lv in org.cfg.levels])[levels]
            tenure = -mean_tenure * np.log(rng.uniforms(key, eids, 0, 4))
            tenure = np.minimum(tenure, np.maximum(age - 18.0, 0.0))
            in_level = rng.uniforms(key, eids, 0, 5) * np.minimum(tenure, 4.0)
            pop.hire_week[slots] = np.round(week - tenure * self.wpy).astype(np.int32)
            pop.level_week[slots] = np.round(week - in_level * self.wpy).astype(np.int32)
            centre = org.target[levels]
        else:
            pop.hire_week[slots] = week
            pop.level_week[slots] = week
            centre = org.target[levels] - dev.hire_gap
        pop.talent[slots] = rng.normals(key, eids, 0, 6)
        if initial:  # the initial workforce has grown toward its ceilings already
            centre = centre + (dev.stretch + dev.talent_sd * pop.talent[slots])[:, None]
        for k in range(pop.n_competencies):
            z = rng.normals(key, eids, 0, 10 + k)
            pop.competency[slots, k] = np.clip(centre[:, k] + dev.hire_sd * z, 0.0, 1.0)
        for j, (name, base) in enumerate(
            (("confidence", dev.baseline_confidence), ("engagement", dev.baseline_engagement),
             ("belonging", dev.baseline_belonging))
        ):
            getattr(pop, name)[slots] = np.clip(base + dev.state_sd * rng.normals(key, eids, 0, 30 + j), 0, 1)
        interest = np.stack([rng.normals(key, eids, 0, 40 + j) for j in range(3)], axis=1)
        pop.interest[slots] = interest / np.linalg.norm(interest, axis=1, keepdims=True)
        nxt = org.next_level[levels]
        pop.readiness[slots] = np.einsum("ij,ij->i", org.profile[nxt], pop.competency[slots])

    def populate(self, week: int) -> None:
        """Start with every seat filled."""
        org = self.org
        levels = np.repeat(np.arange(org.n_levels), org.seats).astype(np.int8)
        within = np.concatenate([np.arange(s) for s in org.seats])
        departments = (within % len(org.department_names)).astype(np.int16)
        slots = self.pop.hire(len(levels))
        self.sample_people(slots, levels, departments, week, "init", initial=True)
        self.model.on_join(slots)

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
        levels = pop.level[slots].copy()
        departments = pop.department[slots].copy()
        pop.remove(slots)
        self.open_vacancies(levels, departments, week)

    # ------------------------------------------------------------------ vacancies
    def open_vacancies(self, levels, departments, week: int) -> None:
        """Open seats; each is routed to internal promotion or external hire."""
        vslots = self.vac.open(levels, departments, week)
        vids = self.vac.vid[vslots]
        share = self.org.external_share[self.vac.level[vslots]]
        external = rng.uniforms(self.streams["vacancy_channel"], vids, 0, 0) < share
        self.route_external(vslots[external], week)

    def route_external(self, vslots, week: int) -> None:
        """Send vacancies to external hiring; the hire arrives after an Erlang time to fill."""
        if len(vslots) == 0:
            return
        vac, hiring = self.vac, self.cfg.hiring
        vac.channel[vslots] = EXTERNAL
        shape = int(hiring.ttf_shape)
        mean = self.org.ttf_weeks[vac.level[vslots]] * hiring.ttf_scale
        vids = vac.vid[vslots]
        log_sum = np.zeros(len(vslots))
        for j in range(shape):
            log_sum += np.log(rng.uniforms(self.streams["time_to_fill"], vids, 0, j))
        ttf = np.round(-mean / shape * log_sum)
        vac.due_week[vslots] = week + ttf.astype(np.int32)

    def fill(self, vslots, week: int, channel: int) -> None:
        """Close vacancies, counting their time to fill."""
        if len(vslots) == 0:
            return
        self.model.metrics.count_fills(self.vac.level[vslots], week - self.vac.opened_week[vslots], channel, week)
        self.vac.remove(vslots)

    # ------------------------------------------------------------------ promotion
    def _promotion_scores(self, cand, week: int) -> np.ndarray:
        pop, rule = self.pop, self.cfg.promotion.rule
        tiebreak = rng.uniforms(self.streams["promotion"], pop.eid[cand], week, 0)
        if rule == "random":
            score = tiebreak
        elif rule == "readiness":
            score = pop.readiness[cand] + 1e-9 * tiebreak
        elif rule == "performance":
            score = pop.performance[cand] + 1e-9 * tiebreak
        else:  # seniority: tenure in weeks
            score = (week - pop.hire_week[cand]) + 1e-3 * tiebreak
        boost = pop.visibility[cand]
        if not boost.any():
            return score
        # Sponsorship shifts a candidate by `visibility` SDs of the candidates' scores.
        return score + boost * max(float(score.std()), 1e-12)

    def promote_chains(self, week: int) -> int:
        """Fill internal vacancies top-down; each promotion opens a seat one level below."""
        pop, org, vac, prom = self.pop, self.org, self.vac, self.cfg.promotion
        promoted_total = 0
        for lv in range(org.n_levels - 1, 0, -1):
            vs = vac.active_slots()
            vs = vs[(vac.level[vs] == lv) & (vac.channel[vs] == INTERNAL)]
            if vs.size == 0:
                continue
            vs = vs[np.lexsort((vac.vid[vs], vac.opened_week[vs]))]  # oldest first
            below = pop.active_slots()
            below = below[pop.level[below] == lv - 1]
            ok = (week - pop.level_week[below] >= prom.min_weeks_in_level) & (
                pop.readiness[below] >= prom.min_readiness_ratio * org.demand[lv]
            )
            cand = below[ok]
            k = min(vs.size, cand.size)
            if k:
                scores = self._promotion_scores(cand, week)
                top = np.argpartition(-scores, k - 1)[:k] if k < cand.size else np.arange(cand.size)
                chosen = cand[top[np.argsort(-scores[top], kind="stable")]]
                self.promote(chosen, vs[:k], week)
                promoted_total += k
            # Nobody ready inside: the remaining seats go to the market.
            self.route_external(vs[k:], week)
        return promoted_total

    def promote(self, chosen, vslots, week: int) -> None:
        pop, dev = self.pop, self.cfg.development
        from_levels = pop.level[chosen].copy()
        from_departments = pop.department[chosen].copy()
        self.model.metrics.count_promotions(chosen, week, week - pop.level_week[chosen])
        self.model.record("promotion", chosen, week, detail=week - pop.level_week[chosen], level=from_levels + 1)
        pop.level[chosen] = from_levels + 1
        pop.department[chosen] = self.vac.department[vslots]
        pop.level_week[chosen] = week
        pop.passed_over[chosen] = 0
        pop.confidence[chosen] = np.minimum(1.0, pop.confidence[chosen] + dev.promotion_confidence_boost)
        pop.engagement[chosen] = np.minimum(1.0, pop.engagement[chosen] + dev.promotion_engagement_boost)
        nxt = self.org.next_level[pop.level[chosen]]
        pop.readiness[chosen] = np.einsum("ij,ij->i", self.org.profile[nxt], pop.competency[chosen])
        np.add.at(self.promotions_since_review, from_levels + 1, 1)
        self.fill(vslots, week, INTERNAL)
        self.open_vacancies(from_levels, from_departments, week)

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
        vs = vac.active_slots()
        vs = vs[(vac.channel[vs] == EXTERNAL) & (vac.due_week[vs] <= week)]
        if vs.size == 0:
            return
        vs = vs[np.argsort(vac.vid[vs], kind="stable")]  # hire order fixes the new ids
        levels = vac.level[vs].copy()
        slots = self.pop.hire(vs.size)
        self.sample_people(slots, levels, vac.department[vs].copy(), week, "hire", initial=False)
        self.model.metrics.count_hires(slots, week)
        self.model.record("hire", slots, week, detail=week - vac.opened_week[vs])
        self.fill(vs, week, EXTERNAL)
        self.model.on_join(slots)
