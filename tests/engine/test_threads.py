"""Results are bit-identical for any numba thread count, and for the serial and parallel builds
of every per-row kernel (counter-based streams; each row touches only itself)."""
import importlib.metadata
import json

import numba
import pandas as pd
import pytest

from sim import run
from sim.engine import exit_kernels, kernels, review_kernels
from sim.runs.folder import clean_json
from tests.conftest import make_config


def _same(one, two):
    assert json.dumps(clean_json(one.metrics)) == json.dumps(clean_json(two.metrics))  # NaN-safe
    pd.testing.assert_frame_equal(one.events, two.events)
    pd.testing.assert_frame_equal(one.timeseries, two.timeseries)
    assert (one.model.pop.competency == two.model.pop.competency).all()


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="numba was started with one thread")
def test_one_and_two_threads_give_identical_runs(monkeypatch):
    monkeypatch.setattr(kernels, "PARALLEL_MIN_ROWS", 0)  # force the parallel builds on a small org
    results = []
    try:
        for threads in (1, 2):
            results.append(run(make_config("sim.horizon_years=3", f"sim.numba_threads={threads}")))
            assert numba.get_num_threads() == threads
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    _same(*results)


def test_serial_and_parallel_builds_agree(monkeypatch):
    cfg = make_config("sim.horizon_years=2")
    monkeypatch.setattr(kernels, "PARALLEL_MIN_ROWS", 10**12)
    serial = run(cfg)
    monkeypatch.setattr(kernels, "PARALLEL_MIN_ROWS", 0)
    parallel = run(cfg)
    _same(serial, parallel)


@pytest.mark.parametrize("module, name", [(kernels, "develop"), (exit_kernels, "draw_exits"),
                                          (review_kernels, "score_performance")])
def test_serial_and_parallel_builds_are_cached_apart(module, name):
    """numba keys its disk cache by function name, not by options: a shared name would load
    whichever build was compiled first for both, and the parallel build would run serially."""
    dual = getattr(module, name)
    assert dual.parallel.targetoptions.get("parallel") and not dual.serial.targetoptions.get("parallel")
    assert dual.serial._cache._cache_file._index_name != dual.parallel._cache._cache_file._index_name


def _tbb_installed() -> bool:
    try:
        importlib.metadata.version("tbb")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _tbb_installed(), reason="the tbb package is not installed here")
def test_parallel_kernels_run_on_the_tbb_layer_when_tbb_is_installed(monkeypatch):
    """TBB threads wait briefly, then sleep: fast on free cores and robust under load (see numba_setup)."""
    monkeypatch.setattr(kernels, "PARALLEL_MIN_ROWS", 0)
    run(make_config("sim.horizon_years=0.1"))
    assert numba.threading_layer() == "tbb"
