"""Results are bit-identical for any numba thread count (counter-based streams, per-row kernels)."""
import json

import numba
import pandas as pd
import pytest

from sim import run
from sim.outputs import clean_json
from tests.conftest import make_config


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="numba was started with one thread")
def test_one_and_two_threads_give_identical_runs():
    results = []
    for threads in (1, 2):
        cfg = make_config("sim.horizon_years=3", f"sim.numba_threads={threads}")
        results.append(run(cfg))
        assert numba.get_num_threads() == threads
    one, two = results
    assert json.dumps(clean_json(one.metrics)) == json.dumps(clean_json(two.metrics))  # NaN-safe
    pd.testing.assert_frame_equal(one.events, two.events)
    pd.testing.assert_frame_equal(one.timeseries, two.timeseries)
    assert (one.model.pop.competency == two.model.pop.competency).all()
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
