"""The review and exit kernels against plain numpy references (what `Dynamics` did before they were
kernels): the same flags and the same slots, bit for bit."""
import numpy as np
import pytest

from sim.engine import review_kernels
from sim.engine.kernels import EXIT_RETIREMENT, EXIT_VOLUNTARY
from tests.conftest import make_config


def _hipo_reference(active, count, level, performance, n_levels, share, hipo):
    slots = np.flatnonzero(active[:count])
    levels = level[slots]
    hipo[slots] = False
    for lv in range(n_levels):
        here = slots[levels == lv]
        n_hipo = int(np.floor(share * here.size))
        if n_hipo:
            order = np.argsort(-performance[here], kind="stable")
            hipo[here[order[:n_hipo]]] = True


@pytest.mark.parametrize("share", [0.0, 0.1, 0.37, 1.0])
def test_high_potentials_are_each_levels_best_scores_ties_to_the_lower_slot(share):
    gen = np.random.default_rng(3)
    n, count, n_levels = 3000, 2800, 5
    active = gen.random(n) < 0.85
    level = gen.integers(0, n_levels, size=n).astype(np.int8)
    performance = np.round(gen.normal(size=n), 1)  # rounded: many equal scores, so ties decide
    performance[::7] = -0.0  # signed zeros tie with zeros
    start = gen.random(n) < 0.5  # flags left from the last review, on live and dead rows
    got, want = start.copy(), start.copy()
    review_kernels.flag_high_potentials(active, count, level, performance, n_levels, share, got)
    _hipo_reference(active, count, level, performance, n_levels, share, want)
    assert np.array_equal(got, want)
    assert np.array_equal(got[~active], start[~active])  # dead rows keep what they had
    if share == 0.1:
        assert 0 < got[:count][active[:count]].sum() < 0.11 * active[:count].sum()


@pytest.mark.parametrize("scores", ["continuous", "few values", "with NaN", "all equal"])
def test_high_potentials_match_the_stable_sort_on_any_scores(scores):
    """The partition that replaced the sort, on scores of every kind: the same flags."""
    gen = np.random.default_rng(5)
    n, n_levels = 20_000, 4
    active = gen.random(n) < 0.9
    level = gen.integers(0, n_levels, size=n).astype(np.int8)
    performance = {"continuous": gen.normal(size=n), "few values": gen.integers(-2, 3, n) * 0.5,
                   "with NaN": np.where(gen.random(n) < 0.05, np.nan, np.round(gen.normal(size=n), 2)),
                   "all equal": np.zeros(n)}[scores]
    for share in (0.01, 0.1, 0.5, 0.97):
        got, want = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        review_kernels.flag_high_potentials(active, n, level, performance, n_levels, share, got)
        _hipo_reference(active, n, level, performance, n_levels, share, want)
        assert np.array_equal(got, want)


def test_exit_draws_return_the_leavers_grouped_by_reason_in_slot_order():
    from sim.engine.model import OrgModel

    model = OrgModel(make_config("sim.horizon_years=1", "program=none"))
    for _ in range(20):
        model.step()
    dyn, pop = model.dynamics, model.pop
    pop.hazard_shift[: pop.count] = 3.0  # twenty times the hazard: dozens leave this week
    pop.retire_week[: pop.count : 9] = 0  # some retire now
    slots, starts = dyn.hazard_exits(model.week)
    out = {c: slots[starts[c] : starts[c + 1]] for c in (EXIT_VOLUNTARY, EXIT_RETIREMENT)}
    code = dyn.exit_code[: pop.count]
    assert out[EXIT_VOLUNTARY].size > 5 and out[EXIT_RETIREMENT].size > 5
    for c in (EXIT_VOLUNTARY, EXIT_RETIREMENT):
        assert np.array_equal(out[c], np.flatnonzero(code == c))
