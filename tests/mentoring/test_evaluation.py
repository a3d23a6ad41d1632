"""The twin evaluation: effect.*, naive.*, value, cost and ROI, the run folder; and program costs."""
from __future__ import annotations

import dataclasses
import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.mentoring.evaluation import EFFECT_METRICS, mentee_outcomes, program_metrics, same_people
from sim.mentoring.money import replacement_savings
from sim.runs.folder import is_complete
from tests.conftest import make_config
from tests.mentoring.helpers import EXIT_KINDS, simulate_with

YEARS = 3
RUN_FILES = ["config.yaml", "metrics.json", "timeseries.parquet", "level_timeseries.parquet",
             "model_timeseries.parquet", "events.parquet", "status.json"]


@pytest.fixture(scope="module")
def evaluated():
    return run(make_config("program=default", f"sim.horizon_years={YEARS}", "evaluation.twin=true"))


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12)


def test_twin_is_the_same_org_and_seed_without_programs(evaluated):
    twin = evaluated.twin
    assert twin is not None
    assert twin.config.program.enabled is False and twin.config.extra_programs == []
    assert twin.config.sim == evaluated.config.sim and twin.config.org == evaluated.config.org
    assert not twin.events["kind"].astype(str).str.startswith("mentoring_").any()
    assert (evaluated.events["kind"] == "mentoring_start").sum() > 0
    assert twin.twin is None and not any(k.startswith(("effect.", "program.")) for k in twin.metrics)


def test_effects_are_program_minus_twin(evaluated):
    m, t = evaluated.metrics, evaluated.twin.metrics
    keys = EFFECT_METRICS + ["representation_end.B.level.Executive"]
    for key in keys:
        assert same(m[f"effect.{key}"], m[key] - t[key]), key
        assert same(m[f"twin.{key}"], t[key]), key
    assert m["effect.turnover_annual"] == m["turnover_annual"] - t["turnover_annual"]
    assert m["effect.exits_total"] != 0 or m["effect.promotions_total"] != 0, "the program changed nothing"


def test_naive_comparison_is_inside_the_program_world(evaluated):
    m = evaluated.metrics
    for y in ("turnover_annual", "promotion_rate_annual", "regretted_turnover_annual"):
        for role in ("mentee", "mentor"):
            key = f"naive.{y}.{role}_minus_none"
            assert key in m
            assert same(m[key], m[f"{y}.participation.{role}"] - m[f"{y}.participation.none"]), key
    assert not math.isnan(m["naive.turnover_annual.mentee_minus_none"])


def exits_by_level(result, kinds=("voluntary_exit",)):
    ev = result.events
    ex = ev[ev["kind"].isin(kinds)]
    return ex["level"].value_counts().reindex(result.model.org.level_names, fill_value=0).to_numpy(float)


def test_cost_value_and_roi(evaluated):
    m, cfg = evaluated.metrics, evaluated.config
    p = "program.default."
    total = m[p + "mentee_cost"] + m[p + "mentor_cost"] + m[p + "coordinator_cost"] + m.get(p + "training_cost", 0)
    assert m[p + "total_cost"] == pytest.approx(total, rel=1e-12)
    assert m["cost.nominal"] == m["programs_total_cost"] == m[p + "total_cost"]
    assert m["cost.total"] == m["programs_present_value_cost"] == m[p + "present_value_cost"]
    # Discounted at 5% a year over three years, the present value lies between 1 / 1.05 ** 3 and 1 of it.
    assert m["cost.nominal"] / 1.05 ** YEARS < m["cost.total"] < m["cost.nominal"]
    assert m["cost.total"] == pytest.approx(sum(m[f"cost.{k}"] for k in ("mentee_time", "mentor_time",
                                                                          "coordination", "training")), rel=1e-12)
    assert m[p + "coordinator_cost"] == pytest.approx(cfg.program.coordinator_cost_per_year * YEARS, rel=1e-12)
    assert m["value.net"] == pytest.approx(m["value.total"] - m["cost.total"], rel=1e-12, abs=1e-6)
    assert m["roi"] == pytest.approx((m["value.total"] - m["cost.total"]) / m["cost.total"], rel=1e-12, abs=1e-12)
    assert m["value.total"] == pytest.approx(m["value.replacement_savings"] + m["value.internal_fill_savings"])
    # Voluntary exits avoided by level, from the event logs; undiscounted, they are worth salary x share each.
    levels = cfg.org.levels
    avoided = exits_by_level(evaluated.twin) - exits_by_level(evaluated)
    assert m["value.avoided_voluntary_exits"] == avoided.sum()
    all_avoided = exits_by_level(evaluated.twin, EXIT_KINDS) - exits_by_level(evaluated, EXIT_KINDS)
    assert all_avoided.sum() == -m["effect.exits_total"]
    flat = dataclasses.replace(cfg, evaluation=dataclasses.replace(cfg.evaluation, discount_rate=0.0))
    savings = sum(a * lv.salary * lv.replacement_cost_share for a, lv in zip(avoided, levels))
    assert replacement_savings(flat, evaluated.timeseries, evaluated.twin.timeseries)[1] == pytest.approx(
        savings, rel=1e-9, abs=1e-6)
    assert m["assumption.external_hire_premium_share"] == cfg.evaluation.external_hire_premium_share
    assert m["assumption.discount_rate"] == cfg.evaluation.discount_rate == 0.05


def test_costs_are_recorded_by_the_week_they_fall_in():
    """Program.cost_by_week adds up to the nominal cost components, and discounts to the present value."""
    cfg = make_config("program=default", "program.mentor_training=true", "sim.horizon_years=2",
                      "evaluation.discount_rate=0.1")
    _, (prog,) = simulate_with(cfg)
    s = prog.summary()
    weekly = prog.cost_by_week
    assert weekly.shape == (cfg.sim.horizon_weeks, 4)
    for j, name in enumerate(prog.COST_COMPONENTS):
        assert weekly[:, j].sum() == pytest.approx(s[name], rel=1e-9), name
        assert s[name] > 0, name
    factors = 1.1 ** (-np.arange(len(weekly)) / cfg.sim.weeks_per_year)
    metrics = program_metrics([prog], cfg)
    assert metrics["program.default.present_value_cost"] == pytest.approx((factors @ weekly).sum(), rel=1e-12)
    assert metrics["programs_present_value_cost.training_cost"] == pytest.approx(factors @ weekly[:, 3])
    # training is paid as mentors start, mostly at the first cohort (week 4): little discounted
    assert weekly[4, 3] > 0


def test_program_outputs_match_the_event_log(evaluated):
    m, ev = evaluated.metrics, evaluated.events
    p = "program.default."
    ends = ev[ev["kind"] == "mentoring_end"]["detail"].astype(int).value_counts()
    names = {1: "completed", 2: "mentor_left", 3: "mentee_left", 4: "promoted", 5: "dissolved", 6: "rematched"}
    for code, name in names.items():
        assert m[p + f"pairs_{name}"] == ends.get(code, 0), f"pairs_{name}"
    assert m[p + "pairs_ended"] == ends.sum() == sum(m[p + f"pairs_{n}"] for n in names.values())
    assert m[p + "pairs_started"] == (ev["kind"] == "mentoring_start").sum()
    assert m[p + "pairs_started"] - m[p + "pairs_ended"] == m[p + "active_at_end"]
    assert m[p + "pairs_completed"] > 0


def test_mentee_outcomes_follow_the_same_people_from_enrolment(evaluated):
    """Turnover per person-year of the compared mentees, recomputed here person by person from the logs."""
    m, res = evaluated.metrics, evaluated
    ev = res.events
    first = ev[ev["kind"] == "mentoring_start"].groupby("employee")["week"].min()
    initial = first[first.index < m["headcount_start"]]
    assert len(initial) <= m["mentees_compared"] <= len(first)
    pairs = same_people(res, res.twin, first.index)  # program id -> twin id
    compared = first.reindex(pairs.index)
    assert len(compared) == m["mentees_compared"]
    horizon, wpy = res.config.sim.horizon_weeks, res.config.sim.weeks_per_year
    for prefix, events in (("", ev), ("twin.", res.twin.events)):
        exits = dict(zip(*[events.loc[events["kind"].isin(EXIT_KINDS), c] for c in ("employee", "week")]))
        hires = dict(zip(*[events.loc[events["kind"] == "hire", c] for c in ("employee", "week")]))
        left, weeks, followed = 0, 0.0, 0
        for person, start in compared.items():
            end = exits.get(pairs[person] if prefix else person)
            if (end is not None and end < start) or hires.get(pairs[person] if prefix else person, -1) > start:
                continue  # gone before enrolling, or joined after (the twin): not followed
            followed += 1
            left += end is not None
            weeks += (horizon if end is None else end) - start
        assert m[f"mentees_followed.{'twin' if prefix else 'program'}"] == followed
        assert m[f"{prefix}mentee.turnover_annual"] == pytest.approx(left / (weeks / wpy), rel=1e-12)
    assert m["mentees_followed.program"] == m["mentees_compared"]  # every mentee was there at enrolment
    for key in ("turnover_annual", "voluntary_turnover_annual", "promotion_incidence_1y", "promotion_incidence_2y"):
        assert m[f"effect.mentee.{key}"] == pytest.approx(m[f"mentee.{key}"] - m[f"twin.mentee.{key}"]), key
        assert 0 <= m[f"mentee.{key}"] and 0 <= m[f"twin.mentee.{key}"], key
    assert math.isnan(m["mentee.promotion_incidence_3y"])  # three years after a week-4 start is past the horizon


def test_promotion_incidence_from_a_constructed_event_log():
    """Four mentees, the same people in both worlds, enrolled at week 10 (horizon 156).
    Program world: 0 promoted at 30, 1 left at 40, 2 and 3 promoted at 60 and 70: spells of 20 (promoted),
    30 (left), 50 and 60 (promoted). F(52) = 1/4 + (3/4 x 2/3) x 1/2 = 0.5; F(104) = 0.5 + 1/4 = 0.75,
    final because every spell ended in an event.
    Twin: 0 left at 20, 1 promoted at 100, 2 promoted at 60, 3 left at week 5, before enrolling: not
    followed. Spells 10 (left), 90 and 50 (promoted): F(52) = (2/3) x 1/2 = 1/3, F(104) = 2/3."""
    def log(rows):
        return pd.DataFrame(rows, columns=["week", "kind", "employee", "level", "group", "detail"])

    starts = [(10, "mentoring_start", e, "Associate", "A", 99) for e in range(4)]
    program = log(starts + [(30, "promotion", 0, "Senior Associate", "A", 50), (40, "voluntary_exit", 1,
                  "Associate", "A", 90), (60, "promotion", 2, "Senior Associate", "A", 70),
                  (70, "promotion", 3, "Senior Associate", "A", 80)])
    twin = log([(20, "voluntary_exit", 0, "Associate", "A", 70), (100, "promotion", 1, "Senior Associate", "A", 99),
                (60, "promotion", 2, "Senior Associate", "A", 70), (5, "voluntary_exit", 3, "Associate", "A", 50)])
    cfg = make_config("sim.horizon_years=3")
    world = lambda events: SimpleNamespace(events=events, config=cfg, metrics={"headcount_start": 10})  # noqa: E731
    out = mentee_outcomes(world(program), world(twin))
    assert out["mentees_compared"] == 4 and out["mentees_followed.twin"] == 3
    assert out["mentee.promotion_incidence_1y"] == pytest.approx(0.5)
    assert out["twin.mentee.promotion_incidence_1y"] == pytest.approx(1 / 3)
    assert out["twin.mentee.promotion_incidence_2y"] == pytest.approx(2 / 3)
    assert out["effect.mentee.promotion_incidence_1y"] == pytest.approx(0.5 - 1 / 3)
    assert out["mentee.promotion_incidence_2y"] == pytest.approx(0.75)
    # turnover: exits per person-year, each person followed from enrolment to exit or the horizon (156)
    assert out["mentee.turnover_annual"] == pytest.approx(1 / ((146 + 30 + 146 + 146) / 52))
    assert out["twin.mentee.turnover_annual"] == pytest.approx(1 / ((10 + 146 + 146) / 52))


def test_save_writes_effects_csv_and_a_complete_twin_folder(evaluated, tmp_path):
    folder = evaluated.save(tmp_path / "run", charts=False)
    assert is_complete(folder)
    for name in RUN_FILES + ["effects.csv"]:
        assert (folder / name).is_file(), name
    effects = pd.read_csv(folder / "effects.csv")
    assert list(effects.columns) == ["metric", "program", "twin", "effect"]
    m = evaluated.metrics
    assert set(EFFECT_METRICS) <= set(effects["metric"])
    for row in effects.itertuples():
        assert same(row.effect, m[f"effect.{row.metric}"]) and same(row.twin, m[f"twin.{row.metric}"])
        assert same(row.program, m[row.metric])
    twin = folder / "twin"
    assert is_complete(twin)
    for name in RUN_FILES:
        assert (twin / name).is_file(), f"twin/{name}"
    assert not (twin / "effects.csv").exists() and not (twin / "twin").exists() and not (twin / "charts").exists()
    twin_metrics = json.loads((twin / "metrics.json").read_text())
    assert twin_metrics["turnover_annual"] == pytest.approx(evaluated.twin.metrics["turnover_annual"])
    assert not any(k.startswith("effect.") for k in twin_metrics)
    twin_events = pd.read_parquet(twin / "events.parquet")
    assert len(twin_events) == len(evaluated.twin.events)
    saved = json.loads((folder / "metrics.json").read_text())
    assert saved["cost.total"] == pytest.approx(m["cost.total"]) and "roi" in saved


def test_no_twin_when_off_or_without_programs():
    result = run(make_config("program=default", "sim.horizon_years=1", "evaluation.twin=false"))
    assert result.twin is None
    assert "program.default.total_cost" in result.metrics
    assert not any(k.startswith(("effect.", "naive.", "roi", "cost.")) for k in result.metrics)
    result = run(make_config("program=default", "sim.horizon_years=1"), twin=False)
    assert result.twin is None and "roi" not in result.metrics
    result = run(make_config("program=none", "sim.horizon_years=1", "evaluation.twin=true"))
    assert result.twin is None and "roi" not in result.metrics


def test_two_programs_costs_add_up():
    result = run(make_config("experiment=onboarding_plus_leadership", "sim.horizon_years=2"), twin=True)
    m = result.metrics
    totals = [m["program.hipo_leadership.total_cost"], m["program.onboarding.total_cost"]]
    assert all(t > 0 for t in totals)
    assert m["cost.nominal"] == pytest.approx(sum(totals), rel=1e-12)
    assert m["program.hipo_leadership.training_cost"] == pytest.approx(
        m["program.hipo_leadership.mentors_trained"] * 1500.0)


@pytest.mark.parametrize("program", ["default", "peer_circle"])
def test_costs_follow_the_meetings(program):
    """Mentee and mentor cost per held meeting at the levels of that week; circles share the mentor's hour."""
    cfg = make_config(f"program={program}", "program.enroll_share=1.0", "program.meeting_hours=1.5",
                      "sim.horizon_years=2", "metrics.period_weeks=52")
    _, (prog,) = simulate_with(cfg)
    s = prog.summary()
    salary = np.array([lv.salary for lv in cfg.org.levels])
    hourly = salary * cfg.program.loaded_cost_factor / cfg.program.hours_per_year
    m = prog.meetings
    m["circle_size"] = m.groupby(["week", "circle"])["pid"].transform("size")
    held = m[m["d_held"] > 0]
    assert len(held) >= 100
    hours = 1.5
    assert s["meetings_held"] == len(held)
    assert s["mentee_hours"] == pytest.approx(hours * len(held))
    assert s["mentor_hours"] == pytest.approx(hours * held.groupby(["week", "circle"]).ngroups)
    if program == "default":
        assert s["mentor_hours"] == pytest.approx(s["mentee_hours"])
    else:
        assert s["mentor_hours"] < 0.5 * s["mentee_hours"]
    assert s["mentee_cost"] == pytest.approx((hours * hourly[held["mentee_level"]]).sum(), rel=1e-12)
    assert s["mentor_cost"] == pytest.approx((hours * hourly[held["mentor_level"]] / held["circle_size"]).sum(),
                                             rel=1e-12)
    assert s["coordinator_cost"] == pytest.approx(cfg.program.coordinator_cost_per_year * 2)
    assert s["total_cost"] == pytest.approx(s["mentee_cost"] + s["mentor_cost"] + s["coordinator_cost"])
