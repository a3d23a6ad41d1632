"""The persistent frailty of the voluntary-exit hazard (`attrition.frailty_sd`): its draw, its
normalization, its keying by the person's draw key (common random numbers), and that 0 changes
nothing."""
from __future__ import annotations

import hashlib
import math

import numpy as np

from sim import run
from sim.engine.population import frailty_offsets
from sim.engine.rng import Streams
from tests.conftest import make_config

N = 200_000


def test_offsets_have_sd_sigma_and_keep_the_average_hazard():
    """sd Z - sd^2/2: E[exp] = 1 (the base hazard stays the average at hire) and SD sd. Tolerances 4
    standard errors: of a mean, s / sqrt(n); of an SD, about sd / sqrt(2n) for a normal sample."""
    sd = 0.6
    keys = np.arange(N, dtype=np.uint64) | np.uint64(1 << 63)  # hire-like keys
    x = frailty_offsets(Streams(4)["frailty"], keys, sd)
    m = np.exp(x)
    assert abs(m.mean() - 1.0) < 4 * m.std() / math.sqrt(N)
    assert abs(x.std() - sd) < 4 * sd / math.sqrt(2 * N)
    assert abs(x.mean() + sd * sd / 2) < 4 * sd / math.sqrt(N)
    assert np.all(frailty_offsets(Streams(4)["frailty"], keys[:100], 0.0) == 0.0)


def test_the_same_person_has_the_same_frailty_in_the_program_world_and_its_twin():
    cfg = make_config("program=default", "sim.horizon_years=3", "sim.seed=1", "attrition.frailty_sd=0.5",
                      "sim.agent_views=off", "output.charts=false")
    result = run(cfg)
    worlds = []
    for model in (result.model, result.twin.model):
        pop = model.pop
        s = np.flatnonzero(pop.eid[: pop.count] >= 0)
        worlds.append(dict(zip(pop.draw_key[s].tolist(), pop.frailty[s].tolist())))
    common = worlds[0].keys() & worlds[1].keys()
    assert len(common) > 150 and any(k >= 1 << 63 for k in common)  # the starting staff and hires
    assert all(worlds[0][k] == worlds[1][k] for k in common)
    assert np.std([worlds[0][k] for k in common]) > 0.3


def _events_digest(result) -> str:
    h = hashlib.sha256()
    for name in result.events.columns:
        col = result.events[name]
        values = col.cat.codes.to_numpy() if hasattr(col, "cat") else col.to_numpy()
        h.update(name.encode())
        h.update(np.ascontiguousarray(values).tobytes())
    return h.hexdigest()


def test_zero_frailty_reproduces_the_model_without_it():
    """The events of this run (small org, three years, no program, seed 2) as they were before the
    frailty existed: digest taken from the code of that time. A zero frailty adds 0.0 to the log
    hazard and draws nothing that other processes read."""
    cfg = make_config("program=none", "sim.horizon_years=3", "sim.seed=2", "sim.agent_views=off",
                      "output.charts=false", "attrition.frailty_sd=0")
    assert _events_digest(run(cfg)) == "3bc61510ad705ad6e87c56fe7dc702ff1987570c9c176051f131f388f9ef9cbd"
