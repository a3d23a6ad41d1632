"""Work shared between this process and worker processes.

A run over several seeds has work that does not depend on this process's own: the other seeds, and
the worlds of the first seed's decomposition by mechanism. `Workers` runs such tasks in worker
processes (one numba thread each, since they share the cores with this process) while this process
writes the first seed's tables and charts; when this process needs a result it takes the tasks no
worker has begun yet and runs them itself, last first, so no core waits. Every task is a function
of its arguments only (a self-contained run on its own random numbers), so where it runs changes
nothing in its result.

Workers are forked from this process when that is safe (Linux, one Python thread, numba's thread
pool not started yet): they then start in milliseconds with every module already imported,
instead of the 2 to 3 CPU-seconds a fresh interpreter spends importing the package. Otherwise they
are spawned.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable


def worker_init() -> None:
    """A worker process: one numba thread (workers share the cores), and it ends with its parent."""
    end_with_parent()
    import numba

    numba.set_num_threads(1)


def end_with_parent(every_seconds: float = 1.0) -> None:
    """End this process once its parent is gone. A pool's worker waits for work forever, so a parent
    stopped by a signal (SIGTERM to a server, a killed command) would otherwise leave it behind."""
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every_seconds)
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _numba_threads_started() -> bool:
    """Whether numba's thread pool runs in this process (a forked child could not use it)."""
    try:
        from numba.np.ufunc import parallel
    except ImportError:  # a numba without this module: assume the worst
        return True
    return bool(getattr(parallel, "_is_initialized", True))


def start_method() -> str:
    """"fork" where a forked worker is safe and cheap, else "spawn" (never inherit running threads)."""
    import multiprocessing

    if (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1 and not _numba_threads_started()):
        return "fork"
    return "spawn"


class _Keep(logging.Handler):
    """Keeps the records it is handed, formatted, so that they can be pickled back to the parent."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        record.exc_info = record.exc_text = record.stack_info = None
        self.records.append(record)


def call_logged(fn: Callable, *args) -> tuple[Any, list]:
    """`fn(*args)` in a worker, with the log records it emits kept and returned beside its value, not
    written here: the parent writes them (`Task.result`) through its own handlers (the console, the run's
    log file), which a worker forked before the command set up its logging does not have."""
    root = logging.getLogger()
    keep, handlers = _Keep(), root.handlers[:]
    root.handlers[:] = [keep]
    try:
        value = fn(*args)
    except BaseException:  # the parent gets the exception, not the records: they are written here
        root.handlers[:] = handlers
        _replay(keep.records)
        raise
    finally:
        root.handlers[:] = handlers
    return value, keep.records


def _replay(records: list) -> None:
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):  # the level this process logs at now
            logger.handle(record)


class Task:
    """One function call, run by a worker or, when no worker has begun it by the time it is wanted,
    by this process. `future` is None until the call is handed to a worker (and stays None when this
    process runs it)."""

    def __init__(self, fn: Callable, args: tuple, future: Future | None, workers: "Workers | None" = None):
        self.fn, self.args, self.future = fn, args, future
        self._workers = workers  # holds the task until a worker is free, unless this process takes it first
        self._here = False
        self._value: Any = None

    def take(self) -> bool:
        """Run it here unless a worker has begun it; True when it is (now) done here."""
        if not self._here and self._claim():
            self._value = self.fn(*self.args)
            self._here = True
        return self._here

    def _claim(self) -> bool:
        if self._workers is not None and self._workers.withdraw(self):
            return True
        return self.future is None or self.future.cancel()

    def result(self):
        if self.take():
            return self._value
        value, records = self.future.result()  # a worker's exception is raised here
        if records:
            _replay(records)
        return value


def gather(tasks: list[Task]) -> list:
    """The tasks' results in their order. Those still queued run here, last first, while the workers
    finish the ones they hold."""
    for task in reversed(tasks):
        if not task.take():
            break
    return [task.result() for task in tasks]


class Workers:
    """A pool of worker processes that this process helps (`gather`); jobs=0 runs every task here.

    The workers start now (forked now, when that is safe now), not at the first task: the first task
    may come after this process has started numba's threads. A task is handed to the pool only when a
    worker is free (the pool itself would queue more for each worker, out of this process's reach), so
    that at the end this process takes every task no worker is running instead of waiting for them."""

    def __init__(self, jobs: int):
        self.jobs = max(0, int(jobs))
        self.method = start_method() if self.jobs else None
        self._pool: ProcessPoolExecutor | None = None
        self._queue: deque[Task] = deque()  # waiting for a free worker, first in first out
        self._running = 0  # tasks handed to the pool and not finished
        self._broken = False
        self._idle: deque[tuple] = deque()  # calls for a worker that has nothing else to do (`when_idle`)
        self._lock = threading.RLock()  # the pool's own thread hands out the next task when one finishes
        if self.jobs:
            import multiprocessing

            self._pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context(self.method),
                                             initializer=worker_init)
            self._pool.submit(int)  # starts the workers (a forking pool starts them all at its first task)

    def submit(self, fn: Callable, *args) -> Task:
        if self._pool is None:
            return Task(fn, args, None)
        task = Task(fn, args, None, self)
        with self._lock:
            self._queue.append(task)
            self._hand_out()
        return task

    def when_idle(self, fn: Callable, *args) -> None:
        """Have a worker call `fn(*args)` once no task waits for one (preparing work to come, such as
        importing what drawing the report needs); nobody waits for it, and a pool closed first skips it."""
        with self._lock:
            if self._pool is not None:
                self._idle.append((fn, args))
                self._hand_out()

    def withdraw(self, task: Task) -> bool:
        """Take a task back before a worker gets it; False when a worker has it already."""
        with self._lock:
            if task.future is not None:
                return False
            if task in self._queue:  # not when taken before (its call raised here): it runs here again
                self._queue.remove(task)
            return True

    def _hand_out(self) -> None:
        with self._lock:
            while self._pool is not None and not self._broken and self._running < self.jobs and self._queue:
                task = self._queue[0]
                try:
                    future = self._pool.submit(call_logged, task.fn, *task.args)
                except RuntimeError:  # a broken pool (a worker died): this process runs what is left
                    self._broken = True
                    return
                self._queue.popleft()
                task.future = future
                self._running += 1
                future.add_done_callback(self._finished)
            while self._pool is not None and not self._broken and self._running < self.jobs and self._idle:
                fn, args = self._idle.popleft()
                try:
                    future = self._pool.submit(fn, *args)
                except RuntimeError:
                    self._broken = True
                    return
                self._running += 1
                future.add_done_callback(self._finished)

    def _finished(self, _future: Future) -> None:
        with self._lock:
            self._running -= 1
            self._hand_out()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None  # nothing more is handed out
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def default_jobs(tasks: int) -> int:
    """Workers for `tasks` tasks beside this process: one core stays with it."""
    return max(0, min(tasks, max(1, (os.cpu_count() or 1) - 1)))
