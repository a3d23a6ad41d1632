"""The array forms compare() reads a run through (EventLog, same_people, by_period_and_level), against
pandas' own groupby and reindex on the same small tables: the same answer, categorical or plain columns."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.mentoring.money import by_period_and_level
from sim.mentoring.person_effects import EventLog, same_people, starts

EVENTS = pd.DataFrame({
    "week": np.array([3, 5, 5, 9, 12, 2, 7, 8, 8], dtype=np.int32),
    "kind": ["hire", "promotion", "voluntary_exit", "promotion", "retirement", "mentoring_start", "promotion",
             "mentoring_start", "mentoring_start"],
    "employee": np.array([4, 1, 4, 1, 2, 1, 2, 2, 4], dtype=np.int64),
    "detail": [0.0, 1.0, 2.0, 3.0, 4.0, 7.0, 5.0, 7.0, 9.0],
})


@pytest.fixture(params=["plain", "categorical"])
def events(request):
    return EVENTS.assign(kind=EVENTS["kind"].astype("category")) if request.param == "categorical" else EVENTS


def _pandas_first(events, kinds, ids, after=None):
    ev = events[events["kind"].isin(kinds) & events["employee"].isin(ids)]
    if after is not None:
        ev = ev[ev["week"].to_numpy() >= pd.Series(after, index=ids).reindex(ev["employee"]).to_numpy()]
    return ev.groupby("employee")["week"].min().reindex(ids).astype(float).to_numpy()


@pytest.mark.parametrize("kinds", [("promotion",), ("voluntary_exit", "retirement"), ("hire",), ("cycle_exit",)])
def test_first_event_per_person_is_pandas_groupby_min(events, kinds):
    ids = np.array([2, 1, 4, 8])  # not in order; 8 has no event
    after = np.array([8.0, 6.0, 0.0, 0.0])  # 1's promotion at 5 is before its start, the one at 9 after
    log = EventLog(events)
    for cut in (None, after):
        np.testing.assert_array_equal(log.first(log.of(kinds), ids, cut), _pandas_first(events, kinds, ids, cut))


def test_starts_of_mentees_and_mentors(events):
    assert starts(events, "mentee").to_dict() == {1: 2.0, 2: 8.0, 4: 8.0}
    assert starts(events, "mentor").to_dict() == {7: 2.0, 9: 8.0}  # mentors are the detail


def test_same_people_by_draw_key_first_row_and_collisions_left_out():
    people = pd.DataFrame({"employee": [0, 1, 2, 3, 3], "draw_key": np.array([10, 11, 12, 13, 99], dtype=np.uint64)})
    twin = pd.DataFrame({"employee": [5, 6, 7, 8], "draw_key": np.array([13, 10, 12, 12], dtype=np.uint64)})
    world = lambda table: type("World", (), {"people": table})()  # noqa: E731
    pairs = same_people(world(people), world(twin), [3, 0, 1, 2, 9])
    # 3 -> its first row's key 13 -> 5; 0 -> 6; 1 has no twin; 2's key is held twice in the twin; 9 unknown
    assert pairs.to_dict() == {3: 5, 0: 6} and list(pairs.index) == [3, 0]
    assert pairs.index.name == "employee" and pairs.dtype == np.int64


@pytest.mark.parametrize("categorical", [False, True])
def test_sums_by_period_and_level_are_pandas_groupby_sums(categorical):
    levels = ["A", "B", "C"]
    table = pd.DataFrame({"week_end": [26, 13, 13, 26, 13, 39], "level": ["B", "A", "A", "Z", "C", "A"],
                          "fills": [1.0, 2.0, 3.0, 4.0, np.nan, 6.0]})
    if categorical:
        table["level"] = table["level"].astype("category")
    mid, sums = by_period_and_level(table, "fills", levels)
    expected = (table.groupby([table["week_end"].astype(float), table["level"].astype(str)])["fills"].sum()
                .unstack().reindex(index=[13.0, 26.0, 39.0], columns=levels).fillna(0.0).to_numpy(dtype=float))
    np.testing.assert_array_equal(mid, [6.5, 19.5, 32.5])
    np.testing.assert_array_equal(sums, expected)
    assert sums.flags["F_CONTIGUOUS"]  # the layout pandas gave: the discounting products keep their last digit
