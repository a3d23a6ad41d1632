"""Individual dynamics: development, exits by hazard, reviews. Thin wrappers over kernels.

Every draw is keyed by the person's `draw_key` (not the id, which can differ between scenarios)."""
from __future__ import annotations

import numpy as np

from . import exit_kernels, kernels, review_kernels, rng
from .kernels import EXIT_CYCLE, EXIT_INVOLUNTARY
from ..config.schema import PARTICIPATION_LABELS


class Dynamics:
    """Per-week updates of every employee, each one numba kernel call."""

    def __init__(self, model):
        self.model = model
        cfg = model.cfg
        self.cfg = cfg
        self.org = model.org
        self.pop = model.pop
        wpy = cfg.sim.weeks_per_year
        dev, att = cfg.development, cfg.attrition
        self.switches = model.switches
        self.dev_params = kernels.DevelopmentParams(
            growth_per_week=dev.learning_rate_per_year / wpy,
            stretch=dev.stretch,
            talent_sd=dev.talent_sd,
            talent_common=float(np.sqrt(dev.talent_correlation)),
            talent_own=float(np.sqrt(1.0 - dev.talent_correlation)),
            decay_factor=dev.decay_factor,
            noise_sd_week=dev.noise_sd_per_year / np.sqrt(wpy),
            drift_per_week=min(1.0, dev.drift_per_year / wpy),
            state_noise_sd_week=dev.state_noise_sd_per_year / np.sqrt(wpy),
            baseline_confidence=dev.baseline_confidence,
            baseline_engagement=dev.baseline_engagement,
            baseline_belonging=dev.baseline_belonging,
            unmentored_readiness=0.0 if self.switches.gain_in_readiness else 1.0,
            unmentored_market_pull=0.0 if self.switches.gain_in_market_pull else 1.0,
        )
        # What the market-pull term of the exit hazard reads: the competencies themselves, or (channel
        # switched off) a copy without the mentoring gains that the develop kernel keeps.
        pop = self.pop
        self.market_competency = (pop.competency if self.switches.gain_in_market_pull
                                  else np.zeros_like(pop.competency))
        self.hazard_params = kernels.HazardParams(
            first_year_multiplier=att.first_year_multiplier,
            first_year_weeks=float(wpy),
            confidence_effect=att.confidence_effect,
            engagement_effect=att.engagement_effect,
            belonging_effect=att.belonging_effect,
            passed_over_effect=att.passed_over_effect,
            passed_over_cap=float(att.passed_over_cap),
            market_pull_effect=att.market_pull_effect,
            market_threshold=dev.stretch,
            baseline_confidence=dev.baseline_confidence,
            baseline_engagement=dev.baseline_engagement,
            baseline_belonging=dev.baseline_belonging,
            retirement_enabled=1.0 if att.retirement.enabled else 0.0,
        )
        self.participation_effect = np.array(
            [att.participation_effect.get(label, 0.0) for label in PARTICIPATION_LABELS]
        )
        bias = np.array([cfg.performance.rater_bias.get(g, 0.0) for g in self.org.group_names])
        absolute = cfg.performance.rater_bias_units == "absolute"
        self.group_bias = np.zeros_like(bias) if absolute else bias  # score SDs, after standardization
        self.group_shift = bias if absolute else np.zeros_like(bias)  # competence points, before it
        self.exit_code = np.zeros(self.pop.capacity, dtype=np.int8)
        self._dev_args, self._hazard_args = tuple(self.dev_params), tuple(self.hazard_params)  # as kernels take them

    def develop(self, week: int) -> None:
        p, o, s = self.pop, self.org, self.model.streams
        kernels.develop(p.active, p.count, p.draw_key, p.level, p.talent, p.talent_own, p.competency, p.confidence,
                        p.engagement, p.belonging, p.readiness, p.mentored, p.unmentored_competency,
                        self.market_competency, o.profile, o.target, o.next_level, self._dev_args,
                        s["development"], s["state_noise"], week)

    def hazard_exits(self, week: int) -> tuple[np.ndarray, list[int]]:
        """Slots leaving this week by hazard, by reason: those of exit code c (voluntary, retirement) are
        slots[starts[c]:starts[c + 1]]."""
        p, o = self.pop, self.org
        voluntary_on = self.cfg.attrition.mode == "hazard"
        slots, starts = exit_kernels.draw_exits(p.active, p.count, p.draw_key, p.level, p.hire_week, p.retire_week,
                                           self.market_competency, p.confidence, p.engagement, p.belonging,
                                           p.passed_over, p.participation, p.hazard_shift, p.frailty, o.profile,
                                           o.demand, o.base_hazard_week, self.participation_effect, self._hazard_args,
                                           self.model.streams["attrition"], week, voluntary_on, self.exit_code)
        return slots, starts.tolist()  # plain ints: cheaper slicing

    def review(self, week: int) -> dict[int, np.ndarray]:
        """Score everyone, flag high potentials; return slots let go at this review by reason."""
        p, o, cfg = self.pop, self.org, self.cfg
        s = self.model.streams
        competency = p.competency
        if not self.switches.gain_in_readiness:  # reviews see competence without the mentoring gains
            competency = np.where(p.mentored[:, None], p.unmentored_competency, p.competency)
        review_kernels.score_performance(p.active, p.count, p.draw_key, p.level, p.group, competency, o.profile,
                                         o.n_levels, cfg.performance.skill_signal, self.group_bias, self.group_shift,
                                         s["performance"], week, p.performance)
        review_kernels.flag_high_potentials(p.active, p.count, p.level, p.performance, o.n_levels,
                                            cfg.review.hipo_share, p.hipo)
        leaving = {}
        if not (cfg.review.involuntary_enabled or cfg.attrition.mode == "cycle"):
            return leaving
        slots = p.active_slots()
        levels = p.level[slots]
        scores = p.performance[slots]
        if cfg.review.involuntary_enabled:
            u = rng.uniforms(s["involuntary"], p.draw_key[slots], week, 0)
            if cfg.review.involuntary_rule == "absolute":  # competence against the level's demand
                competence = np.einsum("ij,ij->i", o.profile[levels], competency[slots])
                below = competence < cfg.review.involuntary_floor * o.demand[levels]
            else:  # the review score, relative to the level's others
                below = scores < cfg.review.involuntary_threshold
            low = below & (u < cfg.review.involuntary_probability)
            leaving[EXIT_INVOLUNTARY] = slots[low]
        if cfg.attrition.mode == "cycle" and cfg.attrition.cycle_order == "simultaneous":
            staying = np.ones(slots.size, dtype=bool)
            if EXIT_INVOLUNTARY in leaving:
                staying = ~np.isin(slots, leaving[EXIT_INVOLUNTARY])
            leaving[EXIT_CYCLE] = self._cycle_exits(slots[staying], levels[staying], week)
        return leaving

    def cycle_exits_at(self, level: int, week: int) -> np.ndarray:
        """Cycle exits of one level among its members now (the top-down cycle order)."""
        slots = self.pop.active_slots()
        slots = slots[self.pop.level[slots] == level]
        return self._cycle_exits(slots, self.pop.level[slots], week)

    def _cycle_exits(self, slots, levels, week: int) -> np.ndarray:
        """Stylized mode. `count`: exactly round_half_even(share_L x headcount_L) random people leave
        each level (the lowest uniforms); `binomial`: each person leaves when their uniform < share_L,
        so the count is Binomial(headcount_L, share_L) and the expected share is exact."""
        u = rng.uniforms(self.model.streams["cycle_exit"], self.pop.draw_key[slots], week, 0)
        if self.cfg.attrition.cycle_exit_draw == "binomial":
            share = np.asarray(self.cfg.attrition.cycle_exit_share, dtype=np.float64)
            return slots[u < share[levels]]
        out = []
        for lv, share in enumerate(self.cfg.attrition.cycle_exit_share):
            here = np.flatnonzero(levels == lv)
            n = int(round(share * here.size))
            if n:
                out.append(slots[here[np.argsort(u[here], kind="stable")[:n]]])
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
