"""Per-person effects: the same people found in both worlds by draw key, and hazard ratios for
mentees and mentors (causal: program world over twin; naive: participants over non-participants)."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.mentoring.person_effects import (_legacy_same_people, causal_hazard_ratios, naive_hazard_ratios,
                                          rate_ratio, same_people, starts)
from sim.studies.collect import collect
from tests.conftest import make_config
from tests.validation.test_common_random_numbers import NEAR_NULL, QUIET

COLUMNS = ["week", "kind", "employee", "level", "group", "detail"]


def _log(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


def _people(ids, keys, joined):
    return pd.DataFrame({"employee": np.asarray(ids, dtype=np.int64), "joined_week": joined,
                         "draw_key": np.asarray(keys, dtype=np.uint64)})


def _worlds():
    """Horizon 156 weeks. Mentees 0, 1 (starting staff, ids 0 and 1 in both worlds) and a hire who is
    id 10 in the program world and id 12 in the twin (draw key 900), all enrolled at week 20 with
    mentor 5 (starting staff). A program-world hire with no twin counterpart (id 11, key 901)
    enrols too and must not be compared.
    Program world: 0 leaves voluntarily at 72 (52 weeks), 1 is promoted at 46 (26 weeks) and stays
    (136 weeks), 10 retires at 124 (104 weeks); the mentor stays (136 weeks).
    Twin: 0 leaves voluntarily at 46 (26), 1 stays unpromoted (136), 12 leaves voluntarily at 33
    (13 weeks), and the mentor leaves voluntarily at 150 (130 weeks)."""
    start = [(20, "mentoring_start", e, "Associate", "A", 5) for e in (0, 1, 10, 11)]
    hires = [(8, "hire", 10, "Associate", "A", 3), (9, "hire", 11, "Associate", "A", 3)]
    program = _log(hires + start + [(72, "voluntary_exit", 0, "Associate", "A", 72),
                                    (46, "promotion", 1, "Senior Associate", "A", 46),
                                    (124, "retirement", 10, "Associate", "A", 116)])
    twin = _log([(8, "hire", 12, "Associate", "A", 3), (46, "voluntary_exit", 0, "Associate", "A", 46),
                 (33, "voluntary_exit", 12, "Associate", "A", 25), (150, "voluntary_exit", 5, "Manager", "A", 150)])
    cfg = make_config("sim.horizon_years=3")
    staff = list(range(10))
    world = lambda events, people: SimpleNamespace(  # noqa: E731
        events=events, config=cfg, metrics={"headcount_start": 10}, people=people)
    return (world(program, _people(staff + [10, 11], staff + [900, 901], [0] * 10 + [8, 9])),
            world(twin, _people(staff + [12], staff + [900], [0] * 10 + [8])))


def test_same_people_maps_ids_through_the_draw_key():
    program, twin = _worlds()
    pairs = same_people(program, twin, [0, 1, 10, 11])
    assert pairs.to_dict() == {0: 0, 1: 1, 10: 12}
    # the old rule (same id, hire week and level) loses the hire whose id differs
    assert list(_legacy_same_people(program, twin, np.array([0, 1, 10, 11])).index) == [0, 1]


def test_hazard_ratios_from_a_constructed_event_log():
    """Person-weeks and events counted by hand from the docstring of `_worlds`."""
    program, twin = _worlds()
    out = causal_hazard_ratios(program, twin)
    assert out["mentees_matched"] == 3 and out["mentees_matched_share"] == pytest.approx(3 / 4)
    # exits: program 2 (0 voluntary, 10 retired) in 52 + 136 + 104 = 292 weeks; twin 2 in 26 + 136 + 13 = 175
    assert out["mentee.exit_events"] == 2 and out["twin.mentee.exit_events"] == 2
    assert out["mentee.person_years"] == pytest.approx(292 / 52)
    ratio = (2 / 292) / (2 / 175)
    half = 1.959963984540054 * math.sqrt(1 / 2 + 1 / 2)
    assert out["effect.mentee.exit_hazard_ratio"] == pytest.approx(ratio, rel=1e-12)
    assert out["effect.mentee.exit_hazard_ratio_low"] == pytest.approx(ratio * math.exp(-half), rel=1e-12)
    assert out["effect.mentee.exit_hazard_ratio_high"] == pytest.approx(ratio * math.exp(half), rel=1e-12)
    # voluntary: program 1 (the retirement ends the time, not an event), twin 2
    v = (1 / 292) / (2 / 175)
    assert out["effect.mentee.voluntary_exit_hazard_ratio"] == pytest.approx(v, rel=1e-12)
    assert out["effect.mentee.voluntary_exit_hazard_ratio_high"] == pytest.approx(
        v * math.exp(1.959963984540054 * math.sqrt(1 + 1 / 2)), rel=1e-12)
    # promotion: program 1 in 52 + 26 + 104 = 182 weeks; twin none: no ratio
    assert out["mentee.promotion_events"] == 1 and out["twin.mentee.promotion_events"] == 0
    assert math.isnan(out["effect.mentee.promotion_hazard_ratio"])
    # the mentor (id 5, the detail of mentoring_start): no exit in 136 weeks vs one in 130
    assert out["mentors_matched"] == 1
    assert out["effect.mentor.exit_hazard_ratio"] == 0.0
    assert math.isnan(out["effect.mentor.exit_hazard_ratio_low"])


def test_rate_ratio_and_its_interval():
    ratio, low, high = rate_ratio(30, 100.0, 40, 120.0)
    assert ratio == pytest.approx(0.9)
    half = 1.959963984540054 * math.sqrt(1 / 30 + 1 / 40)
    assert (low, high) == pytest.approx((0.9 * math.exp(-half), 0.9 * math.exp(half)))
    assert all(math.isnan(x) for x in rate_ratio(3, 10.0, 0, 10.0))


def test_naive_hazard_ratios_are_the_participation_rates_over_the_non_participants():
    m = {"turnover_annual.participation.mentee": 0.06, "turnover_annual.participation.mentor": 0.09,
         "turnover_annual.participation.none": 0.12, "promotion_rate_annual.participation.mentee": 0.3,
         "promotion_rate_annual.participation.none": 0.2}
    out = naive_hazard_ratios(m)
    assert out == pytest.approx({"naive.mentee.exit_hazard_ratio": 0.5, "naive.mentor.exit_hazard_ratio": 0.75,
                                 "naive.mentee.promotion_hazard_ratio": 1.5})
    assert math.isnan(naive_hazard_ratios({})["naive.mentee.exit_hazard_ratio"])


# A program whose only effect is on mentees' exits: it makes the worlds diverge (a stay in one world
# is an exit and a hire in the other), so later hires carry different ids in the two worlds.
RETENTION_ONLY = tuple(o for o in NEAR_NULL if "mentee_retention_effect" not in o)


def _run(effect: float, seed: int = 0, *overrides: str):
    return run(make_config("org=default", "sim.check_invariants=false", f"sim.seed={seed}", *QUIET,
                           *RETENTION_ONLY, f"program.effects.mentee_retention_effect={effect}", *overrides))


@pytest.fixture(scope="module")
def diverged():
    return _run(-0.3)


def test_nearly_every_mentee_is_found_in_the_twin_even_when_hired_late(diverged):
    """Measured (seed 0, ~1,000 seats, ten years): 510 of 514 mentees found, 199 of the 203 hired
    after year 2, against 252 and 0 by the old rule (same id, hire week and level). Who is not
    found was hired into a seat that opened only in the program world (an exit the twin has and
    the program prevented, or its chain): a handful per run, each flipped exit adding one or two.
    Floors: 97% overall, 95% of the late hires (a few more misses than measured)."""
    r = diverged
    st = starts(r.events, "mentee")
    pairs = same_people(r, r.twin, st.index)
    joined = r.people.set_index("employee")["joined_week"]
    late = st.index[joined.reindex(st.index).to_numpy() > 2 * r.config.sim.weeks_per_year]
    assert len(late) > 150
    assert len(pairs) >= 0.97 * len(st)
    assert np.isin(late, pairs.index).mean() >= 0.95
    assert len(_legacy_same_people(r, r.twin, np.asarray(st.index))) < 0.6 * len(st)
    # the matched twin ids are distinct, and they are the same people: same draws, so the same group
    twin_people = r.twin.people.set_index("employee")
    assert pairs.is_unique
    assert (r.people.set_index("employee")["group"].reindex(pairs.index).to_numpy()
            == twin_people["group"].reindex(pairs.to_numpy()).to_numpy()).all()
    assert r.metrics["mentees_matched"] == len(pairs) and r.metrics["mentees_compared"] == len(pairs)


def test_a_strong_retention_effect_shows_and_a_near_null_one_does_not():
    """A mentee log-hazard of -3 while mentored (exits x 0.05 for about a year of a ten-year
    follow-up) must put the whole 95% interval below 1 (measured, seed 0: 0.80, 0.70 to 0.93; the
    follow-up runs to the horizon, so the ratio is diluted by the years after the relationship); a
    near-null program (-0.01) must give an interval that holds 1 (its true ratio is about 0.998: a
    1% cut over ~a tenth of the time; measured 1.00, 0.87 to 1.14). Twice the default take-up (about
    900 mentees), as many as the program enrolled when opt-in people were asked again at each launch:
    the interval's width is set by the mentees' exits."""
    strong = _run(-3.0, 0, "program.enroll_share=0.6").metrics
    assert strong["effect.mentee.exit_hazard_ratio_high"] < 1.0
    null = _run(-0.01, 0, "program.enroll_share=0.6").metrics
    assert null["effect.mentee.exit_hazard_ratio_low"] <= 1.0 <= null["effect.mentee.exit_hazard_ratio_high"]
    assert null["effect.mentor.exit_hazard_ratio_low"] <= 1.0 <= null["effect.mentor.exit_hazard_ratio_high"]


def test_collect_picks_up_the_new_keys(diverged, tmp_path):
    diverged.save(tmp_path / "sweep" / "0", charts=False)
    table = collect(tmp_path / "sweep", write=False)
    assert table.loc[0, "status"] == "complete"
    for key in ("effect.mentee.exit_hazard_ratio", "effect.mentor.promotion_hazard_ratio_low",
                "naive.mentee.exit_hazard_ratio"):
        assert table.loc[0, key] == pytest.approx(diverged.metrics[key], rel=1e-12), key
