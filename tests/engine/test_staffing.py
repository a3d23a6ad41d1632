"""Staffing gives exactly what its plain numpy version gave, run by run.

The references below are the per-level numpy code that the kernels replaced (one vacancy
level at a time, masks over the population, a numpy call per draw index). A model whose
staffing runs them must produce the same events, tables, metrics and final state, to the bit,
as one running the kernels.
"""
from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

from sim.engine import kernels, rng
from sim.engine.kernels import EXIT_VOLUNTARY
from sim.engine.metrics import EXIT_FLOW
from sim.runs.result import result_of
from sim.mentoring.program import Program
from sim.engine.model import OrgModel
from sim.engine.org import EXTERNAL, INTERNAL, vacancy_columns
from sim.engine.staffing import EXIT_KIND
from sim.engine.staffing_kernels import SEAT_COLUMNS
from tests.conftest import make_config


# The counting the fused kernels do, one step at a time (the flows and level statistics by name).
def _add_flow(metrics, slots, name, week, also=None, hipo_in=None):
    pop, flow = metrics.model.pop, metrics._flow
    kernels.count_flows(metrics.flows, metrics.period_of(week), np.asarray(slots, dtype=np.int64), pop.level,
                        pop.group, pop.participation, flow[name], flow[also] if also else -1,
                        pop.hipo, flow[hipo_in] if hipo_in else -1)


def count_exits(metrics, slots, exit_code, week):
    regretted = "regretted_exits" if exit_code == EXIT_VOLUNTARY else None  # high potentials who quit
    _add_flow(metrics, slots, "exits", week, also=EXIT_FLOW[exit_code], hipo_in=regretted)


def count_hires(metrics, slots, week):
    _add_flow(metrics, slots, "hires", week)


def count_promotions(metrics, slots, week, weeks_in_level):
    _add_flow(metrics, slots, "promotions", week)
    kernels.count_levels(metrics.level_stats, metrics.period_of(week), metrics.model.pop.level[slots] + 1,
                         metrics._lstat["promotions_in"], metrics._lstat["weeks_in_level_at_promotion"],
                         np.asarray(weeks_in_level))


def count_fills(metrics, levels, weeks_open, channel, week):
    tag = "internal" if channel == INTERNAL else "external"
    kernels.count_levels(metrics.level_stats, metrics.period_of(week), np.asarray(levels),
                         metrics._lstat[f"fills_{tag}"], metrics._lstat[f"ttf_{tag}_weeks"], np.asarray(weeks_open))


# ---------------------------------------------------------------- the numpy references


def reference_route_external(self, vslots, week):
    if len(vslots) == 0:
        return
    vac, hiring = self.vac, self.cfg.hiring
    vac.channel[vslots] = EXTERNAL
    shape = int(hiring.ttf_shape)
    mean = self.org.ttf_weeks[vac.level[vslots]] * hiring.ttf_scale
    keys = vac.vkey[vslots]
    log_sum = np.zeros(len(vslots))
    for j in range(shape):
        log_sum += np.log(rng.uniforms(self.streams["time_to_fill"], keys, 0, j))
    ttf = np.round(-mean / shape * log_sum)
    vac.due_week[vslots] = week + ttf.astype(np.int32)


def reference_open_vacancies(self, levels, departments, keys, week):
    vslots = self.vac.open(levels, departments, keys, week)
    share = self.org.external_share[self.vac.level[vslots]]
    external = rng.uniforms(self.streams["vacancy_channel"], self.vac.vkey[vslots], 0, 0) < share
    reference_route_external(self, vslots[external], week)


def reference_scores(self, cand, week):
    pop, rule = self.pop, self.cfg.promotion.rule
    tiebreak = rng.uniforms(self.streams["promotion"], pop.draw_key[cand], week, 0)
    score = {"random": lambda: tiebreak,
             "readiness": lambda: pop.readiness[cand] + 1e-9 * tiebreak,
             "performance": lambda: pop.performance[cand] + 1e-9 * tiebreak,
             "seniority": lambda: (week - pop.hire_week[cand]) + 1e-3 * tiebreak,
             "worst": lambda: -(pop.performance[cand] + 1e-9 * tiebreak)}[rule]()
    boost = pop.visibility[cand]
    if not boost.any():
        return score
    return score + boost * max(float(score.std()), 1e-12)


def reference_promote(self, chosen, vslots, week):
    pop, dev, vac = self.pop, self.cfg.development, self.vac
    from_levels = pop.level[chosen].copy()
    from_departments = pop.department[chosen].copy()
    weeks_in_level = week - pop.level_week[chosen]
    count_promotions(self.model.metrics, chosen, week, weeks_in_level)
    pop.level[chosen] = from_levels + 1
    self.model.record("promotion", chosen, week, detail=weeks_in_level)  # at the new level
    pop.department[chosen] = vac.department[vslots]
    pop.level_week[chosen] = week
    pop.passed_over[chosen] = 0
    pop.confidence[chosen] = np.minimum(1.0, pop.confidence[chosen] + dev.promotion_confidence_boost)
    pop.engagement[chosen] = np.minimum(1.0, pop.engagement[chosen] + dev.promotion_engagement_boost)
    nxt = self.org.next_level[pop.level[chosen]]
    pop.readiness[chosen] = np.einsum("ij,ij->i", self.org.profile[nxt], pop.competency[chosen])
    np.add.at(self.promotions_since_review, from_levels + 1, 1)
    count_fills(self.model.metrics, vac.level[vslots], week - vac.opened_week[vslots], INTERNAL, week)
    vac.remove(vslots)
    # The seat left behind is keyed by who left it and from which level.
    keys = rng.lineage_keys(rng.LINEAGE_PROMOTION_SEAT, pop.draw_key[chosen], from_levels.astype(np.int64))
    reference_open_vacancies(self, from_levels, from_departments, keys, week)


def reference_promote_chains(self, week, lowest=1, settle_later=False):  # readiness settled at once
    pop, org, vac, prom = self.pop, self.org, self.vac, self.cfg.promotion
    promoted = 0
    for lv in range(org.n_levels - 1, 0, -1):
        vs = vac.active_slots()
        vs = vs[(vac.level[vs] == lv) & (vac.channel[vs] == INTERNAL)]
        if vs.size == 0:
            continue
        vs = vs[np.lexsort((vac.vkey[vs], vac.opened_week[vs]))]
        below = pop.active_slots()
        below = below[pop.level[below] == lv - 1]
        ok = (week - pop.level_week[below] >= prom.min_weeks_in_level) & (
            pop.readiness[below] >= prom.min_readiness_ratio * org.demand[lv])
        cand = below[ok]
        k = min(vs.size, cand.size)
        if k:
            scores = reference_scores(self, cand, week)
            top = np.argpartition(-scores, k - 1)[:k] if k < cand.size else np.arange(cand.size)
            reference_promote(self, cand[top[np.argsort(-scores[top], kind="stable")]], vs[:k], week)
            promoted += k
        reference_route_external(self, vs[k:], week)
    return promoted


def reference_sample_people(self, slots, levels, departments, week, stream, initial):
    pop, org, dev = self.pop, self.org, self.cfg.development
    key = self.streams[stream]
    keys = pop.draw_key[slots]
    n = len(slots)
    pop.level[slots] = levels
    pop.department[slots] = departments
    shares = org.initial_group_share[levels] if initial else np.broadcast_to(org.hire_share, (n, len(org.hire_share)))
    u_group = rng.uniforms(key, keys, 0, 0)
    pop.group[slots] = np.minimum((u_group[:, None] > np.cumsum(shares, axis=1)).sum(axis=1), shares.shape[1] - 1)
    age_mean = np.array([lv.mean_age if initial else lv.hire_age for lv in org.cfg.levels])[levels]
    age = np.clip(age_mean + (8.0 if initial else 4.0) * rng.normals(key, keys, 0, 1), 18.0, 66.0)
    pop.birth_week[slots] = np.round(week - age * self.wpy).astype(np.int32)
    ret = self.cfg.attrition.retirement
    ret_age = ret.min_age + (ret.max_age - ret.min_age) * rng.uniforms(key, keys, 0, 2)
    retire_week = pop.birth_week[slots] + np.round(ret_age * self.wpy)
    if initial:
        retire_week = np.maximum(retire_week, week + np.floor(rng.uniforms(key, keys, 0, 3) * self.wpy))
    pop.retire_week[slots] = np.minimum(retire_week, 2**31 - 1).astype(np.int32)
    if initial:
        mean_tenure = np.array([lv.mean_tenure_years for lv in org.cfg.levels])[levels]
        tenure = -mean_tenure * np.log(rng.uniforms(key, keys, 0, 4))
        tenure = np.minimum(tenure, np.maximum(age - 18.0, 0.0))
        in_level = rng.uniforms(key, keys, 0, 5) * np.minimum(tenure, 4.0)
        pop.hire_week[slots] = np.round(week - tenure * self.wpy).astype(np.int32)
        pop.level_week[slots] = np.round(week - in_level * self.wpy).astype(np.int32)
        centre = org.target[levels]
    else:
        pop.hire_week[slots] = week
        pop.level_week[slots] = week
        centre = org.target[levels] - dev.hire_gap
    pop.talent[slots] = rng.normals(key, keys, 0, 6)
    for k in range(pop.n_competencies):
        pop.talent_own[slots, k] = rng.normals(key, keys, 0, 50 + k)
    if initial:
        centre = centre + (dev.stretch + dev.talent_sd * pop.talent[slots])[:, None]
    for k in range(pop.n_competencies):
        z = rng.normals(key, keys, 0, 10 + k)
        pop.competency[slots, k] = np.clip(centre[:, k] + dev.hire_sd * z, 0.0, 1.0)
    for j, (name, base) in enumerate((("confidence", dev.baseline_confidence),
                                      ("engagement", dev.baseline_engagement),
                                      ("belonging", dev.baseline_belonging))):
        getattr(pop, name)[slots] = np.clip(base + dev.state_sd * rng.normals(key, keys, 0, 30 + j), 0, 1)
    interest = np.stack([rng.normals(key, keys, 0, 40 + j) for j in range(3)], axis=1)
    pop.interest[slots] = interest / np.linalg.norm(interest, axis=1, keepdims=True)
    pop.readiness[slots] = np.einsum("ij,ij->i", org.profile[org.next_level[levels]], pop.competency[slots])


def reference_separate(self, slots, exit_code, week):
    """Exits one step at a time: hooks, log, counts, rows freed, seats opened (`Vacancies.open`)."""
    slots = np.asarray(slots, dtype=np.int64)
    if slots.size == 0:
        return
    pop = self.pop
    self.model.on_leave(slots)
    self.model.record(EXIT_KIND[exit_code], slots, week, detail=week - pop.hire_week[slots])
    count_exits(self.model.metrics, slots, exit_code, week)
    levels, departments = pop.level[slots].copy(), pop.department[slots].copy()
    keys = rng.lineage_keys(rng.LINEAGE_EXIT_SEAT, pop.draw_key[slots], np.zeros(slots.size, dtype=np.int64))
    pop.remove(slots)
    reference_open_vacancies(self, levels, departments, keys, week)


def reference_hire_due(self, week):
    """Hires one step at a time: due seats by id, people drawn into a dict (`sample_people`) and added
    with `Population.hire` (defaults, next ids), counts, log, seats closed."""
    vac, pop = self.vac, self.pop
    vs = vac.active_slots()
    vs = vs[(vac.channel[vs] == EXTERNAL) & (vac.due_week[vs] <= week)]
    vs = vs[np.argsort(vac.vid[vs])]
    if vs.size == 0:
        return
    values = self.sample_people(vac.level[vs], vac.department[vs], week, "hire", False, rng.hire_keys(vac.vkey[vs]))
    slots = pop.hire(vs.size, **values)
    count_hires(self.model.metrics, slots, week)
    self.model.record("hire", slots, week, detail=week - vac.opened_week[vs])
    count_fills(self.model.metrics, vac.level[vs], week - vac.opened_week[vs], EXTERNAL, week)
    vac.remove(vs)
    self.model.on_join(slots)


# ---------------------------------------------------------------- runs


def _run(cfg, reference: bool | tuple = False):
    """A run with the kernels, or (reference) with the numpy versions of promote_chains, or of the
    methods named."""
    model = OrgModel(cfg, [Program(p, i) for i, p in enumerate(cfg.programs())])
    if reference:
        names = reference if isinstance(reference, tuple) else ("promote_chains",)
        for name in names:
            setattr(model.staffing, name, types.MethodType(globals()[f"reference_{name}"], model.staffing))
    model.run()
    return result_of(model)


def _vacancies_by_id(model) -> pd.DataFrame:
    """Open seats in id order (which slot a seat sits in is bookkeeping, not a result)."""
    vac = model.vacancies
    frame = vac.frame()
    return frame.sort_values("vid").reset_index(drop=True)


CASES = {
    # The default program sponsors its mentees (visibility boosts), on the 1,000-seat org.
    "default_program": ("org=default", "sim.horizon_years=2", "sim.seed=21", "sim.agent_views=off"),
    "review_seniority": ("sim.horizon_years=3", "sim.seed=22", "promotion.timing=review",
                         "promotion.rule=seniority", "review.involuntary_enabled=true",
                         "review.involuntary_threshold=-1.0"),
    "sponsorship_performance": ("sim.horizon_years=3", "sim.seed=23", "program=sponsorship",
                                "promotion.rule=performance", "promotion.min_readiness_ratio=0.9"),
    "internal_random": ("sim.horizon_years=3", "sim.seed=24", "program=none", "hiring.internal_only=true",
                        "promotion.rule=random", "promotion.min_weeks_in_level=0"),
    # Nobody has visibility: every level's candidates are narrowed by the rule's score bounds.
    "no_program_readiness": ("org=default", "sim.horizon_years=2", "sim.seed=25", "program=none",
                             "sim.agent_views=off"),
    "no_program_worst": ("sim.horizon_years=3", "sim.seed=26", "program=none", "promotion.rule=worst",
                         "promotion.timing=review"),
}


def _assert_same_runs(fast, slow):
    for frame in ("events", "timeseries", "level_timeseries", "model_timeseries"):
        pd.testing.assert_frame_equal(getattr(fast, frame), getattr(slow, frame), check_exact=True)
    assert fast.metrics.keys() == slow.metrics.keys()
    for key, value in fast.metrics.items():
        assert value == slow.metrics[key] or (value != value and slow.metrics[key] != slow.metrics[key]), key
    a, b = fast.model.pop, slow.model.pop
    for column in ["active", *a.columns]:
        assert np.array_equal(getattr(a, column), getattr(b, column)), column
    pd.testing.assert_frame_equal(_vacancies_by_id(fast.model), _vacancies_by_id(slow.model), check_exact=True)
    assert fast.model.vacancies.next_id == slow.model.vacancies.next_id
    assert fast.model.pop.next_id == slow.model.pop.next_id
    pd.testing.assert_frame_equal(fast.people, slow.people, check_exact=True)


@pytest.mark.parametrize("name", list(CASES))
def test_vacancy_chains_match_the_per_level_numpy_version(name):
    cfg = make_config("metrics.period_weeks=1", *CASES[name])
    fast, slow = _run(cfg, reference=False), _run(cfg, reference=True)
    assert (fast.events["kind"] == "promotion").sum() > 20
    _assert_same_runs(fast, slow)


@pytest.mark.parametrize("name, frailty", [("default_program", 0.45), ("review_seniority", 0.0)])
def test_fused_exits_and_hires_match_the_step_by_step_version(name, frailty):
    """Exits, promotions and hires applied by the fused kernels (`staffing_fused`): the same run, to the
    bit, as freeing rows, opening and routing seats and adding people one step at a time (reused rows
    and ids included)."""
    cfg = make_config("metrics.period_weeks=1", f"attrition.frailty_sd={frailty}", *CASES[name])
    fast, slow = _run(cfg), _run(cfg, reference=("separate", "hire_due", "promote_chains"))
    kinds = fast.events["kind"].value_counts()
    assert kinds["hire"] > 50 and kinds["voluntary_exit"] > 50
    _assert_same_runs(fast, slow)


def test_fused_kernels_write_every_vacancy_column():
    """The fused kernels write whole seat rows (no defaults filled): every column of the vacancy table."""
    assert {c.name for c in vacancy_columns()} == SEAT_COLUMNS


@pytest.mark.parametrize("initial", [True, False])
def test_new_people_match_the_numpy_version(initial):
    cfg = make_config("org=default", "program=none")
    model = OrgModel(cfg)
    pop, staffing = model.pop, model.staffing
    gen = np.random.default_rng(1)
    n = 400
    levels = gen.integers(0, model.org.n_levels, size=n).astype(np.int8)
    departments = gen.integers(0, 4, size=n).astype(np.int16)
    week = 0 if initial else 37
    stream = "init" if initial else "hire"
    pop.remove(pop.active_slots()[:n])  # room for n more
    draw_keys = None if initial else rng.hire_keys(gen.integers(0, 2**64, size=n, dtype=np.uint64))
    values = staffing.sample_people(levels, departments, week, stream, initial, draw_keys)
    new = pop.hire(n, **values)
    expected = {name: getattr(pop, name)[new].copy() for name in pop.columns}
    reference_sample_people(staffing, new, levels, departments, week, stream, initial)
    for name in pop.columns:
        assert np.array_equal(getattr(pop, name)[new], expected[name]), name
    # Starting staff draw by their ids; hires by their seat's lineage, never below 2^63 (no clash).
    keys = pop.draw_key[new]
    assert (keys == pop.eid[new].astype(np.uint64)).all() if initial else (keys >= np.uint64(2**63)).all()


def test_route_external_matches_the_numpy_version():
    model = OrgModel(make_config("program=none", "hiring.ttf_shape=3", "hiring.ttf_scale=1.7"))
    vac, staffing = model.vacancies, model.staffing
    gen = np.random.default_rng(2)
    vslots = vac.open(gen.integers(0, model.org.n_levels, size=50).astype(np.int8), np.zeros(50, np.int16),
                      gen.integers(0, 2**64, size=50, dtype=np.uint64), 4)
    staffing.route_external(vslots, 9)
    due, channel = vac.due_week[vslots].copy(), vac.channel[vslots].copy()
    vac.channel[vslots] = INTERNAL
    vac.due_week[vslots] = 0
    reference_route_external(staffing, vslots, 9)
    assert np.array_equal(vac.due_week[vslots], due) and np.array_equal(vac.channel[vslots], channel)
    assert (channel == EXTERNAL).all() and (due > 9).any()


def test_open_vacancies_writes_the_rows_table_add_would_and_routes_like_the_numpy_version():
    """Seats opened by one kernel (staffing_kernels.open_seats): every column as `Vacancies.open` and
    the channel draw of `reference_open_vacancies` would give, in rows that held other seats before."""
    model = OrgModel(make_config("program=none"))
    vac, staffing = model.vacancies, model.staffing
    gen = np.random.default_rng(3)
    n = 60
    levels = gen.integers(0, model.org.n_levels, size=n).astype(np.int8)
    departments = gen.integers(0, 4, size=n).astype(np.int16)
    keys = gen.integers(0, 2**64, size=n, dtype=np.uint64)
    old = vac.open(levels, departments, keys, 3)  # dirty rows to reuse: routed, due weeks set
    staffing.route_external(old, 3)
    vac.remove(old)
    first_vid = vac.next_id
    staffing.open_vacancies(levels, departments, keys, 11)
    got = vac.frame().sort_values("vid").reset_index(drop=True)
    assert got["vid"].tolist() == list(range(first_vid, first_vid + n))
    assert np.array_equal(got["level"], levels) and np.array_equal(got["department"], departments)
    assert np.array_equal(got["vkey"], keys) and (got["opened_week"] == 11).all()
    outside = _goes_outside_reference(model, keys, levels)
    assert np.array_equal(got["channel"], np.where(outside, EXTERNAL, INTERNAL))
    assert (got["due_week"][~outside] == 0).all() and (got["due_week"][outside] >= 11).all()
    assert 0 < outside.sum() < n  # both routes taken


def _goes_outside_reference(model, keys, levels) -> np.ndarray:
    """The routing rule, one seat at a time in numpy: uniform(vacancy_channel, key, 0, 0) < external share."""
    u = np.array([rng.uniforms(model.streams["vacancy_channel"], np.array([k], dtype=np.uint64), 0, 0)[0]
                  for k in keys])
    return u < model.org.external_share[levels]


def test_seats_routed_in_an_earlier_week_get_that_weeks_due_dates():
    """The fused kernels leave a routed seat's due week to the week's `hire_due`; seats routed by a
    call outside a model's week (here week 5, hires at week 6) still count their time to fill from
    the week they were routed, as `route_external` would."""
    model = OrgModel(make_config("program=none", "hiring.ttf_shape=3"))
    staffing, vac, pop = model.staffing, model.vacancies, model.pop
    leavers = pop.active_slots()[::7][:120]  # every level
    first_vid = vac.next_id
    seats = pd.DataFrame({"vid": np.arange(first_vid, first_vid + leavers.size),
                          "level": pop.level[leavers], "key": rng.lineage_keys(
                              rng.LINEAGE_EXIT_SEAT, pop.draw_key[leavers], np.zeros(leavers.size, np.int64))})
    staffing.separate(leavers, 1, 5)
    staffing.hire_due(6)  # the hires take the leavers' rows
    outside = _goes_outside_reference(model, seats["key"].to_numpy(np.uint64), seats["level"].to_numpy())
    seats = seats[outside]
    hiring = model.cfg.hiring
    log_sum = sum(np.log(rng.uniforms(model.streams["time_to_fill"], seats["key"].to_numpy(np.uint64), 0, j))
                  for j in range(3))
    expected = 5 + np.round(-model.org.ttf_weeks[seats["level"]] * hiring.ttf_scale / 3 * log_sum).astype(int)
    still_open = vac.frame().set_index("vid")
    here = seats["vid"].isin(still_open.index).to_numpy()
    assert np.array_equal(still_open.loc[seats["vid"][here], "due_week"], expected[here])
    assert (expected[~here] <= 6).all() and here.sum() > 10
