"""The index of live relationship rows by person (`start_ties` builds it, `close_ties` takes rows out,
`leaving_ties` reads it) against a scan of the whole table, at every exit batch of real runs."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.config.load import load_config
from sim.mentoring.program import Program
from sim.runs.result import simulate
from tests.mentoring.test_week_kernels import leaving_rows


def scanned(program, slots):
    """The rows `leaving_ties` must return, by a scan of the table (as it once found them)."""
    rel = program.rel
    live = rel.active_slots()
    leaving = np.zeros(program.is_mentee.size, dtype=bool)
    leaving[slots[program.is_mentee[slots] | (program.mentor_load[slots] > 0)]] = True
    by_mentee = leaving[rel.mentee[live]]
    return live[by_mentee], live[~by_mentee & leaving[rel.mentor[live]]]


def check_index(program):
    rel = program.rel
    live = rel.active_slots()
    assert np.array_equal(program.mentee_row[rel.mentee[live]], live)
    assert (program.mentee_row >= 0).sum() == live.size
    listed = []
    for m in np.flatnonzero(program.mentor_first >= 0):
        r, rows = program.mentor_first[m], []
        while r >= 0:
            rows.append(r)
            r = program.next_row[r]
        assert (rel.mentor[rows] == m).all() and len(rows) == program.mentor_load[m]
        listed += rows
    assert np.array_equal(np.sort(listed), live)


class Checked(Program):
    calls = 0
    found = 0

    def on_leave(self, model, slots):
        want = scanned(self, slots)
        got = leaving_rows(self, slots)
        for g, w in zip(got, want):
            assert np.array_equal(g, w)
        Checked.calls += 1
        Checked.found += want[0].size + want[1].size
        super().on_leave(model, slots)
        check_index(self)


@pytest.mark.parametrize("fmt", ["one_to_one", "group"])
def test_leaving_ties_by_the_index_equal_a_scan(fmt):
    cfg = load_config(["sim.horizon_years=3", "sim.agent_views=off", "evaluation.twin=false", "sim.seed=5"])
    program = dataclasses.replace(cfg.programs()[0], format=fmt, mentor_capacity=3, enroll_share=0.8)
    Checked.calls = Checked.found = 0
    checked = Checked(program, 0)
    simulate(cfg, [checked])
    check_index(checked)
    assert Checked.calls > 100 and Checked.found > 20  # many exit batches, and ties among them
