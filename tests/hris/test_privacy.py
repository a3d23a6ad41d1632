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
