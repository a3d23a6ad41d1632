"""The decomposition of a program's effect by mechanism (docs/MODEL.md 8.13).

Every check here is exact (float tolerance only): the channel worlds share the program world's
random numbers, so nothing is a sampling question.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from sim import run
from sim.mentoring.channels import CHANNELS, EFFECT_PARAMETERS, SIMULATED, inert
from sim.mentoring.evaluation import EFFECT_METRICS
from sim.runs.decomposition import METRICS, PARTS, _world, attribute, decompose, twin_view
from sim.runs.tasks import Workers
from tests.conftest import make_config

# make_config switches the decomposition off unless a test sets the key: these tests are about it
ON = "evaluation.decomposition=true"
BASE = ("program=default", "sim.horizon_years=3", "metrics.period_weeks=13", ON)


def parts_sum(metrics: dict, name: str) -> float:
    return sum(metrics[f"decomposition.{part}.{name}"] for part in PARTS)


@pytest.fixture(scope="module")
def default_run():
    return run(make_config(*BASE))


def test_parts_add_up_to_each_effect(default_run):
    m = default_run.metrics
    for name in METRICS:
        assert parts_sum(m, name) == pytest.approx(m[f"effect.{name}"], rel=1e-9, abs=1e-12), name
    assert parts_sum(m, "value.net") == pytest.approx(m["value.net"], rel=1e-9)
    assert parts_sum(m, "roi") == pytest.approx(m["roi"], rel=1e-9)
    assert m["decomposition.costs.value.net"] == -m["cost.total"]
    assert m["decomposition.costs.roi"] == pytest.approx(-1.0)
    for name in METRICS:
        assert m[f"decomposition.costs.{name}"] == 0.0
    assert m["decomposition.runs"] == 2 * len(SIMULATED) - 1  # every channel live in the default program


def test_the_worlds_give_the_same_parts_run_by_worker_processes(default_run):
    """Scheduling only: the worlds as tasks of a worker (and of this process, which takes those no
    worker has begun) give the parts bit for bit as when this process runs them one after the other."""
    workers = Workers(1)
    try:
        pooled = decompose(default_run, workers)
    finally:
        workers.close()
    serial = {k: v for k, v in default_run.metrics.items() if k.startswith("decomposition.")}
    assert pooled == serial


def test_the_passed_over_replay_holds_each_review_weeks_people_sorted(default_run):
    """The replay, worked out for all weeks at once, is each week's passed-over people of the twin
    (draw key and level), sorted, week by week from the twin's own event log."""
    from sim.engine.switches import passed_over_tokens

    twin = default_run.twin
    replay = twin_view(twin).passed_over
    ev = twin.events[twin.events["kind"] == "passed_over"]
    assert len(ev) > 0 and set(replay) == set(ev["week"].astype(int))
    key_of = dict(zip(twin.people["employee"], twin.people["draw_key"]))
    level_of = {lv.name: i for i, lv in enumerate(twin.config.org.levels)}
    for week, rows in ev.groupby("week"):
        expected = sorted(int(t) for t in passed_over_tokens(
            [key_of[e] for e in rows["employee"]], [level_of[str(lv)] for lv in rows["level"]]))
        assert replay[int(week)].dtype == np.uint64 and replay[int(week)].tolist() == expected


def test_every_channel_off_gives_the_twin_back(default_run):
    """With all channels off the program world is the twin: `other` is exactly zero."""
    world = _world(default_run.config, SIMULATED, twin_view(default_run.twin))
    # Competence itself still holds the mentoring gains (they only stop mattering): the capability
    # index is the one measure that differs.
    outcomes = [k for k in EFFECT_METRICS if not k.startswith(("capability_index", "mean_"))]
    assert world.metrics["capability_index_mean"] > default_run.twin.metrics["capability_index_mean"]
    for key in outcomes + ["promotions_total", "hires_total", "exits_total", "bench_strength_end"]:
        assert world.metrics[key] == default_run.twin.metrics[key], key
    # Means of states are summed by participation cell, so the order of the additions differs.
    for key in ("mean_engagement_end", "mean_confidence_end", "mean_belonging_end"):
        assert world.metrics[key] == pytest.approx(default_run.twin.metrics[key], rel=1e-12), key
    assert world.value_total == 0.0
    for name in METRICS + ("value.net",):
        assert default_run.metrics[f"decomposition.other.{name}"] == 0.0, name


def test_the_decomposition_is_reproducible(default_run):
    again = run(make_config(*BASE)).metrics
    keys = [k for k in default_run.metrics if k.startswith("decomposition.")]
    assert keys
    for key in keys:
        a, b = default_run.metrics[key], again[key]
        assert a == b or (math.isnan(a) and math.isnan(b)), key


def only(channel: str) -> list[str]:
    """Overrides leaving `channel` the only effect of the program that is not zero."""
    zero = {n for names in EFFECT_PARAMETERS.values() for n in names} | {"skill_transfer", "mentor_leadership_gain"}
    keep = set(EFFECT_PARAMETERS.get(channel, ()))
    return [f"program.effects.{n}=0" for n in sorted(zero - keep)]


def test_one_live_channel_takes_the_whole_effect():
    # Nobody is ever ready now (ratio 10), so nobody is passed over: mentee retention is the only path.
    cfg = make_config(*BASE, "promotion.ready_now_ratio=10", "program.effects.mentee_retention_effect=-1.0",
                      *only("mentee_retention"))
    assert inert(cfg) == set(SIMULATED) - {"mentee_retention", "passed_over"}
    m = run(cfg).metrics
    assert m["effect.turnover_annual"] < 0  # a strong retention effect did move turnover
    for name in METRICS + ("value.net",):
        for channel in set(SIMULATED) - {"mentee_retention"}:
            assert m[f"decomposition.{channel}.{name}"] == 0.0, (channel, name)
        assert m[f"decomposition.other.{name}"] == 0.0
    for name in METRICS:
        assert m[f"decomposition.mentee_retention.{name}"] == pytest.approx(m[f"effect.{name}"], rel=1e-9, abs=1e-12)
    assert m["decomposition.runs"] == 3  # program world with the channel off, passed-over off, both off


def test_switched_off_skill_leaves_competence_but_hides_it_from_promotion():
    """skill_promotion off: skills still grow (capability rises), readiness and bench do not see it."""
    cfg = make_config(*BASE, *only("none"), "program.effects.skill_transfer=0.3")
    result = run(cfg, twin=True)
    off = _world(cfg, ["skill_promotion", "skill_market", "passed_over"], twin_view(result.twin))
    twin = result.twin.metrics
    assert result.metrics["capability_index_end"] > twin["capability_index_end"]
    assert off.metrics["capability_index_end"] > twin["capability_index_end"]  # the skills are there
    for key in ("bench_strength_mean", "promotions_total", "turnover_annual", "internal_fill_rate_leadership"):
        assert off.metrics[key] == twin[key], key  # and move nothing


def test_attribute_is_the_mean_of_the_two_orders():
    # f(S) = sum of weights + an interaction of channels 0 and 2: the forward order gives the interaction
    # to 2 (switched on after 0), the reverse to 0; the mean splits it.
    w = np.array([1.0, 2.0, 4.0])

    def f(on):
        return float(w[list(on)].sum()) + (8.0 if {0, 2} <= on else 0.0) + 0.5

    from sim.runs.decomposition import _orders

    table = {s: f(s) for order in _orders(3) for s in order}
    parts, other = attribute(table, 3)
    assert other == 0.5
    np.testing.assert_allclose(parts, [1.0 + 4.0, 2.0, 4.0 + 4.0])
    assert parts.sum() + other == f(frozenset(range(3)))


def test_costs_is_a_channel_of_its_own():
    assert CHANNELS[-1] == "costs" and "costs" not in SIMULATED


def test_attribute_equals_shapley_without_interactions_of_three():
    """Main effects and pairwise interactions only: the two orders' mean is the Shapley value."""
    from itertools import combinations, permutations

    from sim.runs.decomposition import _orders

    k, gen = 4, np.random.default_rng(5)
    main, pair = gen.normal(size=k), gen.normal(size=(k, k))

    def f(on):
        return float(sum(main[i] for i in on) + sum(pair[i, j] for i, j in combinations(sorted(on), 2)))

    shapley = np.zeros(k)
    orders = list(permutations(range(k)))
    for order in orders:
        for j, channel in enumerate(order):
            shapley[channel] += (f(frozenset(order[: j + 1])) - f(frozenset(order[:j]))) / len(orders)
    parts, other = attribute({s: f(s) for order in _orders(k) for s in order}, k)
    np.testing.assert_allclose(parts, shapley, rtol=1e-12, atol=1e-12)
    assert other == 0.0


def test_what_no_channel_carries_is_reported_as_other():
    """A hazard shift for anyone labelled a mentee (attrition.participation_effect, a selection
    stand-in) is no channel of the program: it stays when every channel is off, and is `other`."""
    m = run(make_config(*BASE, "attrition.participation_effect.mentee=-0.8")).metrics
    assert m["decomposition.other.turnover_annual"] < 0
    for name in METRICS + ("value.net",):
        total = m[f"effect.{name}"] if name in METRICS else m[name]
        assert parts_sum(m, name) == pytest.approx(total, rel=1e-9, abs=1e-12), name


def test_two_programs_switch_off_together_and_still_add_up():
    m = run(make_config("experiment=onboarding_plus_leadership", "sim.horizon_years=3", ON)).metrics
    for name in METRICS:
        assert parts_sum(m, name) == pytest.approx(m[f"effect.{name}"], rel=1e-9, abs=1e-12), name
    assert m["decomposition.other.turnover_annual"] == 0.0


def test_without_an_event_log_the_twin_is_run_again_for_the_replay(default_run):
    m = run(make_config(*BASE, "output.events=false")).metrics
    for key in [k for k in default_run.metrics if k.startswith("decomposition.")]:
        assert m[key] == default_run.metrics[key], key  # the event log changes nothing simulated


def test_switched_off_by_its_key():
    m = run(make_config("program=default", "sim.horizon_years=1", "evaluation.decomposition=false")).metrics
    assert "effect.turnover_annual" in m and not any(k.startswith("decomposition.") for k in m)


def test_a_program_that_never_starts_a_tie_runs_no_channel_world():
    m = run(make_config("program=default", "sim.horizon_years=1", "program.mentor_min_tenure_weeks=5000", ON)).metrics
    assert m["program.default.pairs_started"] == 0 and m["decomposition.runs"] == 0
    assert m["decomposition.other.turnover_annual"] == m["effect.turnover_annual"] == 0.0
    assert m["decomposition.costs.value.net"] == -m["cost.total"]
