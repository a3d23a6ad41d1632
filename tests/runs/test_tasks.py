"""Tasks shared between this process and worker processes (`sim.runs.tasks`)."""
from __future__ import annotations

import time

import pytest

from sim.runs.tasks import Workers, default_jobs, gather, start_method


def test_queued_tasks_run_here_last_first_and_results_keep_their_order():
    workers = Workers(1)
    try:
        tasks = [workers.submit(time.sleep, 1.0)] + [workers.submit(pow, 2, k) for k in range(12)]
        assert gather(tasks) == [None] + [2 ** k for k in range(12)]
        assert tasks[-1].future is None  # taken here, never handed to the worker
    finally:
        workers.close()


def test_a_busy_worker_holds_no_queue_this_process_would_wait_for():
    """A task goes to the pool only when a worker is free: while the worker sleeps, this process takes
    every other task (the pool would otherwise have queued two more for that worker, out of reach)."""
    workers = Workers(1)
    try:
        tasks = [workers.submit(time.sleep, 2.0)] + [workers.submit(time.sleep, 0.1) for _ in range(3)]
        assert gather(tasks) == [None] * 4
        assert tasks[0].future is not None and all(t.future is None for t in tasks[1:])
        later = workers.submit(pow, 3, 2)  # the worker is free again: it gets the next task
        assert later.future is not None and later.result() == 9
    finally:
        workers.close()


def test_no_workers_runs_every_task_here_when_wanted():
    workers = Workers(0)
    tasks = [workers.submit(divmod, 7, k) for k in (1, 2, 3)]
    assert all(t.future is None for t in tasks)
    assert gather(tasks) == [(7, 0), (3, 1), (2, 1)]


def test_a_task_error_is_raised_where_its_result_is_wanted():
    workers = Workers(1)
    try:
        tasks = [workers.submit(divmod, 1, 0) for _ in range(2)]
        with pytest.raises(ZeroDivisionError):
            gather(tasks)
    finally:
        workers.close()


def test_workers_are_spawned_once_numba_threads_run_here():
    """A forked child could not use numba's thread pool: once it runs in this process, spawn."""
    import numba
    import numpy as np

    @numba.njit(parallel=True)
    def total(x):
        s = 0.0
        for i in numba.prange(x.size):
            s += x[i]
        return s

    total(np.ones(4))
    assert start_method() == "spawn"
    assert default_jobs(0) == 0 and default_jobs(100) >= 1


def _touch(path):
    path.write_text("done")


def test_an_idle_call_waits_for_the_queue_and_runs_once_a_worker_is_free(tmp_path):
    workers = Workers(1)
    marker = tmp_path / "idle"
    try:
        first = workers.submit(time.sleep, 0.5)
        workers.when_idle(_touch, marker)  # the worker is busy: the call waits
        second = workers.submit(pow, 2, 3)  # a task submitted later still goes first
        assert second.future is None and not marker.exists()
        assert first.result() is None and second.result() == 8
    finally:
        workers.close()  # waits for the worker's calls
    assert marker.read_text() == "done"


def _warn_and_double(x: int) -> int:
    import logging

    logging.getLogger("sim.test_tasks").warning("doubling %d", x)
    return 2 * x


def test_a_workers_log_records_are_written_by_this_process(caplog):
    """A worker keeps what it logs and this process writes it through its own handlers when it takes the
    result: a worker forked before the command set up its logging (the console, the run's log file) logs
    to the same places as this process."""
    import logging

    workers = Workers(1)
    try:
        task = workers.submit(_warn_and_double, 21)
        assert task.future is not None  # a worker runs it
        with caplog.at_level(logging.WARNING, logger="sim.test_tasks"):
            assert task.result() == 42
    finally:
        workers.close()
    assert [(r.name, r.getMessage()) for r in caplog.records] == [("sim.test_tasks", "doubling 21")]


def _warn_and_fail() -> None:
    import logging

    logging.getLogger("sim.test_tasks").warning("about to fail")
    raise ValueError("failed")


def test_a_call_that_raises_writes_its_records_where_it_ran(caplog):
    import logging

    from sim.runs.tasks import call_logged

    with caplog.at_level(logging.WARNING, logger="sim.test_tasks"), pytest.raises(ValueError):
        call_logged(_warn_and_fail)
    assert [r.getMessage() for r in caplog.records] == ["about to fail"]
    value, records = call_logged(_warn_and_double, 1)  # a call that returns: its records come back with it
    assert value == 2 and [r.getMessage() for r in records] == ["doubling 1"]
