"""What happened in an HR extract, by level: job spells with their ends, and flows in a window.

A promotion is a move to a level of higher rank (counted at the level left, dated at the start of
the new spell); a hire is dated at the hire date at the level of the first spell; an exit at the exit
date at the level of the last spell.
"""
from __future__ import annotations

import pandas as pd

from .load import HRData
from .schema import EXIT_REASONS


def spell_table(data: HRData) -> pd.DataFrame:
    """One row per job spell, in time order per person, with the person's columns beside it:
    `end` is the spell's end (NaT while current), `last` marks a person's last spell, `promoted`
    a spell left for a higher rank."""
    person = data.employees.set_index("employee_id")
    spells = data.job_history.sort_values(["employee_id", "start_date"], kind="stable").reset_index(drop=True)
    spells = spells.rename(columns={"start_date": "start", "end_date": "end"})
    for name in ("hire_date", "birth_date", "group", "department", "exit_date", "exit_reason"):
        spells[name] = spells["employee_id"].map(person[name])
    following = spells.groupby("employee_id")["rank"].shift(-1)
    spells["last"] = following.isna()
    spells["promoted"] = following.notna() & (following > spells["rank"])
    # A current spell of someone who left ends at the exit.
    spells["end"] = spells["end"].where(~(spells["last"] & spells["end"].isna()), spells["exit_date"])
    return spells


def counts_by_level(data: HRData, since: pd.Timestamp, until: pd.Timestamp,
                    spells: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per level (rows, in rank order): `headcount` on `until`, and `hires`, `promotions` (out of
    the level), exits by reason dated in [since, until)."""
    spells = spell_table(data) if spells is None else spells
    names = data.level_names
    out = pd.DataFrame(index=pd.Index(names, name="level"))
    held = (spells["start"] <= until) & (spells["end"].isna() | (spells["end"] > until))
    out["headcount"] = spells.loc[held, "level"].value_counts().reindex(names, fill_value=0)
    first = spells.drop_duplicates("employee_id")
    hired = (first["hire_date"] >= since) & (first["hire_date"] < until)
    out["hires"] = first.loc[hired, "level"].value_counts().reindex(names, fill_value=0)
    moved = spells["promoted"] & (spells["end"] >= since) & (spells["end"] < until)
    out["promotions"] = spells.loc[moved, "level"].value_counts().reindex(names, fill_value=0)
    last = spells[spells["last"] & spells["exit_date"].notna()]
    left = last[(last["exit_date"] >= since) & (last["exit_date"] < until)]
    for reason in EXIT_REASONS:
        out[reason] = left.loc[left["exit_reason"] == reason, "level"].value_counts().reindex(names, fill_value=0)
    return out.astype(int)
