"""Worker processes end with their parent: a parent stopped by a signal leaves nothing behind."""
from __future__ import annotations

import os
import subprocess
import sys
import time

PARENT = """
import sys
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from sim.runs.tasks import end_with_parent

def init():
    end_with_parent(every_seconds=0.05)

if __name__ == "__main__":
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(sys.argv[1]), initializer=init)
    print(pool.submit(__import__("os").getpid).result(), flush=True)
    __import__("os").kill(__import__("os").getpid(), 9)  # the parent dies as a killed server would
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie (ended, not yet reaped by init) counts as ended
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_a_pool_worker_ends_when_its_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    for method in ("fork", "spawn"):
        printed = tmp_path / f"{method}.out"  # a file, not a pipe: a surviving worker would hold a pipe open
        with open(printed, "w") as out:
            subprocess.run([sys.executable, str(script), method], stdout=out, timeout=120,
                           env=dict(os.environ, PYTHONPATH=os.getcwd()))
        worker = int(printed.read_text().split()[0])
        deadline = time.time() + 10  # the watcher looks every 0.05 s
        while _alive(worker) and time.time() < deadline:
            time.sleep(0.05)
        alive = _alive(worker)
        if alive:
            os.kill(worker, 9)
        assert not alive, f"{method}: worker {worker} outlived its parent"
