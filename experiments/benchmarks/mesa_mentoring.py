"""The mentoring program of the Mesa baseline (`mesa_baseline.py`): relationships as plain objects.

The engine's one-to-one cohort program with skill-gap matching (docs/MODEL.md 8.2-8.8), written
over the baseline's `Employee` agents with Python loops and `model.rng` draws, in the order of a
program's week: meetings -> endings -> enrollment (a launch, or rematches) -> effects. Enrollment
is assigned (a random `enroll_share`) or opt-in (volunteers: the settled sign up more, 8.2).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

FULL_GAP = 0.2  # matching: complementarity saturates at this lead per focus competency
SKILL_COMPETENCIES = ("communication", "emotional_intelligence")
END_REASONS = ("completed", "mentor_left", "mentee_left", "promoted", "dissolved", "rematched")
# The engine's program statistics (program.<name>.<key> in its metrics) that the baseline keeps too.
STAT_KEYS = ("pairs_started", "unmatched", "meetings_held", "meetings_missed", "pair_weeks", "mentor_weeks",
             "quality_sum", "launches_without_mentor", *(f"pairs_{reason}" for reason in END_REASONS))


def unsupported(program) -> str | None:
    """What of `program` the baseline does not implement (None: it implements all of it)."""
    wanted = {"format": "one_to_one", "enrollment": "cohort", "matching.policy": "skill_gap"}
    for key, value in wanted.items():
        actual = program.matching.policy if key == "matching.policy" else getattr(program, key)
        if actual != value:
            return f"{key} = {actual!r}: the baseline implements {key}={value} only"
    for key in ("max_mentees", "budget_per_year"):
        if getattr(program, key) is not None:
            return f"{key} = {getattr(program, key)!r}: the baseline implements no caps (null only)"
    if program.mentor_other_department:
        return "mentor_other_department = true: the baseline has no departments (false only)"
    return None


def volunteer_chances(people: list, share: float, selection: float) -> np.ndarray:
    """P(sign up) = expit(alpha + selection z), z the standardized minus log of each one's felt
    exit hazard, alpha such that the chances average `share` (docs/MODEL.md 8.2)."""
    if share >= 1.0:
        return np.full(len(people), min(share, 1.0))
    log_h = np.log([max(a.hazard(as_felt=True), 1e-300) for a in people])
    sd = float(log_h.std()) if len(people) > 1 else 0.0
    z = (log_h.mean() - log_h) / sd if sd > 1e-12 else np.zeros(len(people))
    if selection == 0.0 or not z.any():
        return np.full(len(people), share)
    alpha = brentq(lambda a: float(expit(a + selection * z).mean()) - share, -60.0, 60.0, xtol=1e-12)
    return expit(alpha + selection * z)


class Tie:
    """A mentoring relationship."""

    def __init__(self, mentor, mentee, week, quality, prog):
        e = prog.cfg.effects
        self.mentor, self.mentee, self.start = mentor, mentee, week
        self.end_week, self.next_meeting = week + prog.cfg.length_weeks, week + prog.cfg.cadence_weeks
        self.alignment = min(1.0, max(0.0, 0.3 + 0.5 * quality + (0.2 if prog.cfg.goal_setting else 0.0)))
        self.trust = 0.3 + 0.3 * quality
        self.skill = 0.5 + sum(mentor.competency[k] for k in prog.skill_columns) / len(prog.skill_columns)
        self.training = e.training_multiplier if prog.cfg.mentor_training else 1.0
        self.held = self.missed = 0
        self.dissolved = False


class MentoringProgram:
    """The default program: yearly cohorts, skill-gap matching, meetings every `cadence` weeks."""

    def __init__(self, model, cfg):
        why = unsupported(cfg)
        if why:
            raise ValueError(f"program {cfg.name}: {why}")
        self.model, self.cfg = model, cfg
        names = model.cfg.org.competencies
        self.skill_columns = [names.index(c) for c in SKILL_COMPETENCIES if c in names] or list(range(len(names)))
        self.growth = [c in cfg.effects.mentor_growth_competencies for c in names]
        self.ties: list[Tie] = []
        self.signs_up: dict[int, bool] = {}  # unique_id -> a person's one answer, as mentee
        self.mentor_answers: dict[int, bool] = {}  # and as mentor (opt-in only)
        self.ever_enrolled: set[int] = set()
        self.rematch: list = []
        self.alumni: dict = {}  # completed mentee -> last week of alumni effect
        self.stats = dict.fromkeys(STAT_KEYS, 0.0)

    def count(self, key: str, n: float = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    def step(self, week: int, cohort_due: bool) -> None:
        self.meet(week)
        self.end_due(week)
        if cohort_due:
            self.enroll(week, self.eligible(week))
        elif self.rematch:
            self.enroll(week, [])
        self.declare_effects(week)

    def meet(self, week: int) -> None:
        cfg, e = self.cfg, self.cfg.effects
        load = {}
        for tie in self.ties:
            load[tie.mentor] = load.get(tie.mentor, 0) + 1
        self.count("pair_weeks", len(self.ties))
        self.count("mentor_weeks", len(load))
        for tie in self.ties:
            if tie.next_meeting != week:
                continue
            tie.next_meeting = week + cfg.cadence_weeks
            m, me = tie.mentor, tie.mentee
            if self.model.rng.random() < cfg.attendance_base - cfg.attendance_load_slope * (load[m] - 1):
                tie.held += 1
                self.count("meetings_held")
                tie.trust += e.trust_gain * (1.0 - tie.trust)
                rate = e.skill_transfer * tie.trust * tie.alignment * tie.skill * tie.training
                if week - tie.start < cfg.initiation_weeks:
                    rate *= e.initiation_skill_factor
                for k in self.focus(me):
                    me.competency[k] += min(rate, 1.0) * max(m.competency[k] - me.competency[k], 0.0)
                t = tie.trust
                me.confidence += e.confidence_gain * t * (1.0 - me.confidence)
                me.engagement += e.engagement_gain * t * (1.0 - me.engagement)
                gain = e.belonging_gain_same_group if me.group == m.group else e.belonging_gain_cross_group
                me.belonging += gain * t * (1.0 - me.belonging)
                for k, grows in enumerate(self.growth):
                    if grows:
                        m.competency[k] += e.mentor_leadership_gain * t * (1.0 - m.competency[k])
                m.engagement += e.mentor_engagement_gain * t * (1.0 - m.engagement)
            else:
                tie.missed += 1
                self.count("meetings_missed")
                tie.trust = max(0.0, tie.trust - e.trust_loss)
            tie.dissolved = tie.trust < e.trust_floor

    def focus(self, mentee) -> list[int]:
        """The mentee's n weakest competencies, weighted by the next level's profile."""
        weights = self.model.profile[self.model.next_level[mentee.level]]
        need = [w * (1.0 - c) for w, c in zip(weights, mentee.competency)]
        return sorted(range(len(need)), key=lambda k: -need[k])[: self.cfg.matching.n_focus]

    def end(self, tie: Tie, reason: str, week: int) -> None:
        self.ties.remove(tie)
        self.count(f"pairs_{reason}")
        if reason == "completed":
            self.alumni[tie.mentee] = week + self.cfg.effects.alumni_weeks
        elif reason == "dissolved":
            tie.mentee.engagement = max(0.0, tie.mentee.engagement - self.cfg.effects.dissolution_engagement_penalty)
        if reason in ("rematched", "mentor_left") and tie.mentee not in self.rematch:
            self.rematch.append(tie.mentee)

    def end_due(self, week: int) -> None:
        cfg = self.cfg
        for tie in list(self.ties):
            if tie.dissolved:
                self.end(tie, "dissolved", week)
            elif (tie.mentee.level not in cfg.mentee_levels
                  or tie.mentor.level - tie.mentee.level < cfg.min_level_gap):
                self.end(tie, "promoted", week)
            elif (cfg.monitoring and week - tie.start == cfg.monitor_after_weeks
                  and tie.trust < cfg.rematch_trust_below):
                self.end(tie, "rematched", week)
            elif week >= tie.end_week:
                self.end(tie, "completed", week)

    def on_leave(self, agent) -> None:
        for tie in list(self.ties):
            if tie.mentee is agent:
                self.end(tie, "mentee_left", self.model.week)
            elif tie.mentor is agent:
                self.end(tie, "mentor_left", self.model.week)

    def eligible(self, week: int) -> list:
        """The eligible who said yes (each answers once, the first time he or she is eligible)."""
        cfg = self.cfg
        busy = {t.mentee for t in self.ties} | {t.mentor for t in self.ties}
        out = []
        for a in self.model.agents:
            tenure = week - a.hire_week
            if (a.level in cfg.mentee_levels and tenure >= cfg.mentee_min_tenure_weeks
                    and (cfg.mentee_max_tenure_weeks is None or tenure <= cfg.mentee_max_tenure_weeks)
                    and (a.hipo or not cfg.mentee_hipo_only)
                    and (not cfg.mentee_groups or self.model.org.group_names[a.group] in cfg.mentee_groups)
                    and a.unique_id not in self.ever_enrolled and a not in busy):
                out.append(a)
        self.ask(out, self.signs_up, cfg.enroll_share)
        return [a for a in out if self.signs_up[a.unique_id]]

    def ask(self, candidates: list, answers: dict, share: float) -> None:
        """Candidates not asked before answer once: yes with probability `share` (assigned), or
        as volunteers, the settled likelier (opt_in, `volunteer_chances`)."""
        new = [a for a in candidates if a.unique_id not in answers]
        if not new:
            return
        chances = [share] * len(new)
        if self.cfg.enrollment_mode == "opt_in":
            chances = volunteer_chances(new, share, self.cfg.volunteer_selection)
        for a, chance in zip(new, chances):
            answers[a.unique_id] = self.model.rng.random() < chance

    def enroll(self, week: int, mentees: list) -> None:
        """Greedy skill-gap matching: mentees in random order take the mentor who leads most on their focus.

        Mentees sorted by level (in random order within a level) form blocks of `block_size`; each
        block, in random order, sees the mentors with spare places senior enough for its most junior
        mentee, or a random sample of them when there are more than `candidates` (or enough to seat
        the block three times over). As the engine (docs/MODEL.md 8.4): the lower levels choose first."""
        cfg, rng, q = self.cfg, self.model.rng, self.cfg.matching
        mentees = mentees + [a for a in self.rematch if a.alive and a.level in cfg.mentee_levels and a not in mentees]
        self.rematch = []
        if not mentees:
            return
        mentees = [mentees[i] for i in rng.permutation(len(mentees))]
        mentees.sort(key=lambda a: a.level)  # stable: still random within a level
        busy = {t.mentee for t in self.ties} | set(mentees)  # one role each
        load = {}
        for t in self.ties:
            load[t.mentor] = load.get(t.mentor, 0) + 1
        spare = {a: cfg.mentor_capacity - load.get(a, 0) for a in self.model.agents
                 if week - a.hire_week >= cfg.mentor_min_tenure_weeks
                 and (not cfg.mentor_levels or a.level in cfg.mentor_levels) and a not in busy}
        pool = [a for a, s in spare.items() if s > 0]
        if cfg.enrollment_mode == "opt_in" and cfg.mentor_volunteer_share < 1.0:
            self.ask(pool, self.mentor_answers, cfg.mentor_volunteer_share)
            pool = [a for a in pool if self.mentor_answers[a.unique_id]]
        if not pool:
            self.count("launches_without_mentor")
            return
        mean_cap = max(sum(spare[a] for a in pool) / len(pool), 1.0)
        sample = 0 if q.candidates == 0 else max(q.candidates, math.ceil(3 * q.block_size / mean_cap))
        weights = (q.skill_weight, q.similarity_weight, q.same_group_weight)
        for start in range(0, len(mentees), q.block_size):
            block = mentees[start:start + q.block_size]
            senior_enough = min(a.level for a in block) + cfg.min_level_gap
            mentors = [a for a in pool if spare[a] > 0 and a.level >= senior_enough]
            if sample and len(mentors) > sample:
                mentors = [mentors[i] for i in rng.choice(len(mentors), sample, replace=False)]
            mentors.sort(key=lambda a: -a.level)  # senior first
            for i in rng.permutation(len(block)):
                self.match(block[i], mentors, spare, weights, week)

    def match(self, e, mentors: list, spare: dict, weights: tuple, week: int) -> None:
        cfg, rng = self.cfg, self.model.rng
        focus = self.focus(e)
        best, best_score = None, -math.inf
        for m in mentors:
            if m.level - e.level < cfg.min_level_gap:
                break  # everyone after is too junior
            if spare[m] <= 0:
                continue
            lead = sum(max(m.competency[k] - e.competency[k], 0.0) for k in focus)
            score = min(1.0, lead / (len(focus) * FULL_GAP)) + 1e-6 * rng.random()
            if score > best_score:
                best, best_score = m, score
        if best is None:
            self.count("unmatched")
            return
        spare[best] -= 1
        skill = min(1.0, sum(max(best.competency[k] - e.competency[k], 0.0) for k in focus) / (len(focus) * FULL_GAP))
        similarity = 0.5 * (1.0 + sum(x * y for x, y in zip(e.interest, best.interest)))
        quality = (weights[0] * skill + weights[1] * similarity + weights[2] * (e.group == best.group)) / sum(weights)
        self.ties.append(Tie(best, e, week, quality, self))
        self.ever_enrolled.add(e.unique_id)
        self.count("pairs_started")
        self.count("quality_sum", quality)
        for agent, role in ((e, "mentee"), (best, "mentor")):
            if agent.participation == "none":
                agent.participation = role

    def declare_effects(self, week: int) -> None:
        e = self.cfg.effects
        mentees = {t.mentee for t in self.ties}
        for agent in mentees:
            agent.hazard_shift += e.mentee_retention_effect
            agent.visibility += e.sponsorship
        for agent in {t.mentor for t in self.ties}:
            agent.hazard_shift += e.mentor_retention_effect
        self.alumni = {a: until for a, until in self.alumni.items() if until >= week and a.alive}
        for agent in self.alumni:
            if agent not in mentees:
                agent.hazard_shift += e.alumni_retention_effect
                agent.visibility += e.sponsorship
