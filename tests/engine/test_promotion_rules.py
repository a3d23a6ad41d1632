"""Promotion rules from the registry, run in the model: who each rule promotes, and that every rule's
promotions keep the seat accounting exact (`sim.check_invariants=true`, set by `make_config`).

The population is frozen between reviews (no development, no state noise), promotions happen only at
reviews, in the week the review scores everyone, and everyone at a level is a candidate for the next
(no time-in-level or readiness requirement), so the candidates of a chain round and their scores are
known exactly when `promote_chains` starts.
"""
from __future__ import annotations

import types

import numpy as np
import pytest

from sim import run
from sim.config.registry import PROMOTION_RULES
from sim.engine.model import OrgModel
from tests.conftest import make_config

FROZEN = ("program=none", "experiment=stylized_cycle", "sim.horizon_years=15", "sim.seed=8",
          "development.learning_rate_per_year=0", "development.noise_sd_per_year=0",
          "development.state_noise_sd_per_year=0", "promotion.min_readiness_ratio=0")


def _rounds(rule: str):
    """Run the frozen org; per chain round: the candidates' levels and scores, and who was promoted
    into each level, in order of promotion (the event log's order)."""
    model = OrgModel(make_config(*FROZEN, f"promotion.rule={rule}"))
    staffing = model.staffing
    rounds = []
    chains = staffing.promote_chains

    def promote_chains(self, week, **options):
        pop = self.pop
        s = pop.active_slots()
        rounds.append({"week": week, "slots": s, "eid": pop.eid[s].copy(), "level": pop.level[s].copy(),
                       "performance": pop.performance[s].copy(), "promoted": []})
        return chains(week, **options)

    staffing.promote_chains = types.MethodType(promote_chains, staffing)
    model.run()
    events = model.events.frame(model.org.level_names, model.org.group_names)
    promotions = events[events["kind"] == "promotion"]
    for r in rounds:  # one round a week (promotions only at reviews, all levels at once)
        by_eid = dict(zip(r["eid"].tolist(), r["slots"].tolist()))
        promoted = promotions.loc[promotions["week"] == r["week"], "employee"].map(by_eid)
        if len(promoted):
            r["promoted"].append(promoted.to_numpy(np.int64))
    return model, rounds


def _queue(rule: str, perf: np.ndarray) -> np.ndarray:
    """The analytic order of a level's candidates (indices into perf) under `rule`."""
    best = np.argsort(-perf, kind="stable")
    if rule == "worst":
        return best[::-1]
    order = []
    lo, hi = 0, perf.size - 1
    while lo <= hi:  # alternate: best, worst, second best, second worst, ...
        order.append(best[lo])
        if lo != hi:
            order.append(best[hi])
        lo, hi = lo + 1, hi - 1
    return np.array(order)


@pytest.mark.parametrize("rule", ["worst", "alternate"])
def test_rule_promotes_the_analytic_queue(rule):
    model, rounds = _rounds(rule)
    checked = 0
    for r in rounds:
        if not r["promoted"]:
            continue
        promoted = np.concatenate(r["promoted"])
        at = dict(zip(r["slots"].tolist(), r["level"].tolist()))
        for lv in range(model.org.n_levels - 1):
            into = [p for p in promoted.tolist() if at[p] == lv]  # promoted out of lv, in order
            if not into:
                continue
            cand = r["slots"][r["level"] == lv]
            perf = r["performance"][r["level"] == lv]
            assert np.unique(perf).size == perf.size  # no ties: the order is the rule's alone
            expected = cand[_queue(rule, perf)[: len(into)]]
            assert into == expected.tolist(), (rule, lv, into, expected.tolist())
            checked += len(into) > 1
    assert checked > 20, "too few rounds with several seats for the order to be tested"


@pytest.mark.parametrize("rule", sorted(PROMOTION_RULES))
def test_every_rule_keeps_the_seat_accounting(rule):
    """Each rule in the hazard model with vacancy chains every week; the invariants are checked weekly."""
    result = run(make_config("program=none", "sim.horizon_years=2", "sim.seed=9", "sim.agent_views=off",
                             f"promotion.rule={rule}"))
    assert (result.events["kind"] == "promotion").sum() > 10


def test_worst_promotes_lower_scores_than_best():
    """Across the run, the people `worst` promotes scored lower at promotion than `performance`'s."""
    means = {}
    for rule in ("worst", "performance"):
        _, rounds = _rounds(rule)
        scores = [r["performance"][np.isin(r["slots"], np.concatenate(r["promoted"]))]
                  for r in rounds if r["promoted"]]
        means[rule] = np.concatenate(scores).mean()
    assert means["worst"] < 0 < means["performance"]
