"""Pseudonyms are keyed hashes; small cells are blanked."""
from __future__ import annotations

import pandas as pd

from sim.hris.privacy import pseudonymize, suppress_small_cells


def test_pseudonyms_are_stable_for_a_salt_and_change_with_it():
    ids = ["E1", "E2", 17]
    first, again, other = pseudonymize(ids, "salt-a"), pseudonymize(ids, "salt-a"), pseudonymize(ids, "salt-b")
    assert list(first) == list(again)
    assert len(set(first)) == 3 and not set(first) & set(other)
    assert all(len(p) == 16 and "E1" not in p for p in first)


def test_cells_under_the_minimum_are_blanked_with_what_derives_from_them():
    table = pd.DataFrame({"level": ["A", "A", "B"], "group": ["x", "y", "x"], "people": [12, 3, 0],
                          "exit_rate": [0.1, 0.33, 0.0]})
    out = suppress_small_cells(table, "people", ["exit_rate"], min_cell=5)
    assert out["people"].isna().tolist() == [False, True, False]  # 0 is nobody: shown
    assert out["exit_rate"].isna().tolist() == [False, True, False]
    assert suppress_small_cells(table, "people", ["exit_rate"], min_cell=3)["people"].isna().sum() == 0


def test_small_departments_of_a_level_and_group_are_merged_into_other():
    from sim.hris.privacy import OTHER, merge_small_values

    rows = ([("L0", "A", "Ops")] * 7 + [("L0", "A", "Sales")] * 2 + [("L0", "A", "Legal")] * 1  # other: 3 < 5
            + [("L0", "B", "Ops")] * 5 + [("L0", "B", "Sales")] * 6  # none small: kept
            + [("L1", "A", "Ops")] * 6 + [("L1", "A", "Sales")] * 3 + [("L1", "A", "Legal")] * 4  # other: 7
            + [("L1", "B", "Ops")] * 2)  # a cell of 2 people: all other, the best there is
    frame = pd.DataFrame(rows, columns=["level", "group", "department"])
    frame["department"] = merge_small_values(frame, "department", ["level", "group"], min_cell=5)
    cells = frame.value_counts(["level", "group", "department"]).to_dict()
    # L0/A: Sales and Legal (3 people) are too few even together, so the next smallest (Ops) joins them.
    assert cells == {("L0", "A", OTHER): 10, ("L0", "B", "Ops"): 5, ("L0", "B", "Sales"): 6,
                     ("L1", "A", "Ops"): 6, ("L1", "A", OTHER): 7, ("L1", "B", OTHER): 2}
    # Every named department is shared by at least 5 people of its level and group; "other" is under 5
    # only where it is the cell's only value.
    for (level, group, department), n in cells.items():
        assert n >= 5 or (department == OTHER and frame[(frame.level == level) & (frame.group == group)]
                          ["department"].eq(OTHER).all()), (level, group, department, n)
    assert merge_small_values(frame, "department", ["level", "group"], min_cell=1).equals(frame["department"])


def _top_level_spells(groups_at_top: dict[str, int]) -> pd.DataFrame:
    """Current spells at the top level (rank 1) and 20 at rank 0, half of each group, all hired in 2021."""
    rows = [(f"T{g}{i}", g, 1) for g, n in groups_at_top.items() for i in range(n)]
    rows += [(f"H{i}", "AB"[i % 2], 0) for i in range(20)]
    frame = pd.DataFrame(rows, columns=["employee_id", "group", "rank"])
    frame["hire_date"] = frame["start"] = pd.Timestamp("2021-01-01")
    frame["end"] = pd.NaT
    return frame


def test_top_shares_never_show_a_group_of_fewer_than_min_cell_at_the_top():
    from sim.hris.fit import fit_groups

    since, until = pd.Timestamp("2020-01-01"), pd.Timestamp("2022-01-01")
    groups = fit_groups(_top_level_spells({"A": 8, "B": 2}), since, until, top_rank=1, min_cell=5)
    # B has 2 people at the top: neither its share nor A's (which would give B's away) is written.
    # The hire shares: all 30 were hired in the window, A 8 + 10, B 2 + 10.
    assert [round(top.value, 4) for _, _, top in groups] == [0.6, 0.4]
    assert all("fewer than 5" in top.how and "2 of" not in top.how for _, _, top in groups)
    groups = fit_groups(_top_level_spells({"A": 8, "B": 6}), since, until, top_rank=1, min_cell=5)
    assert [round(top.value, 4) for _, _, top in groups] == [round(8 / 14, 4), round(6 / 14, 4)]
    assert groups[1][2].how.startswith("6 of 14 in the top level")
