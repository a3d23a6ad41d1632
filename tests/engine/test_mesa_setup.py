"""Mesa's experimental subpackage (and the scipy parts behind it) is loaded at its first use only."""
from __future__ import annotations

import json
import subprocess
import sys

from sim.engine.mesa_setup import DEFERRED


def _in_fresh_process(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_simulation_imports_no_experimental_mesa_nor_scipy_optimize():
    seen = _in_fresh_process(
        "import json, sys, sim.runs.result, sim.engine.model, mesa\n"
        "print(json.dumps({'ran': type(mesa.experimental).__name__ != '_NotRunYet',"
        " 'scipy': sorted(m for m in sys.modules if m in ('scipy.spatial', 'scipy.sparse', 'scipy.optimize'))}))")
    assert seen == {"ran": False, "scipy": []}


def test_experimental_mesa_still_works_when_asked_for():
    seen = _in_fresh_process(
        "import json, sys, sim.engine.model, mesa\n"
        "from mesa.experimental.devs import ABMSimulator\n"
        "space = mesa.experimental.continuous_space.ContinuousSpace\n"
        "import mesa.experimental.meta_agents as meta\n"
        "print(json.dumps({'class': type(mesa.experimental).__name__, 'same': sys.modules['mesa.experimental'] is"
        " mesa.experimental, 'names': [ABMSimulator.__name__, space.__name__, meta.__name__]}))")
    assert seen == {"class": "module", "same": True,
                    "names": ["ABMSimulator", "ContinuousSpace", f"{DEFERRED}.meta_agents"]}
