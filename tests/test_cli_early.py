"""The command starts its worker processes and the run's other seeds as soon as the pre-check has the
config (`sim.cli.start_early`, `sim.seed_workers`), before Hydra composes it again; the job takes them over only for the
very same config."""
from __future__ import annotations

import dataclasses
import os

import pytest

from sim import seed_workers
from sim.config.load import load_config


class _Pool:
    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True


@pytest.fixture
def early(monkeypatch):
    monkeypatch.setattr(seed_workers, "_EARLY", [])
    config = load_config(["org=small"])
    pool, seeds = _Pool(), _Pool()
    seed_workers._EARLY.append((os.getpid(), config, pool, seeds))
    return config, pool, seeds


def test_the_job_takes_over_the_workers_started_for_its_config(early):
    config, pool, seeds = early
    assert seed_workers.take_early(load_config(["org=small"]), sweeping=False) == (pool, seeds)
    assert not pool.closed and not seeds.closed and seed_workers._EARLY == []


@pytest.mark.parametrize("change", ["sim.seed=1", "evaluation.seeds=3", "output.charts=false"])
def test_workers_started_for_another_config_are_closed(early, change):
    _, pool, seeds = early
    assert seed_workers.take_early(load_config(["org=small", change]), sweeping=False) is None
    assert pool.closed and seeds.closed and seed_workers._EARLY == []


def test_a_sweep_job_never_takes_them(early):
    config, pool, seeds = early
    assert seed_workers.take_early(dataclasses.replace(config), sweeping=True) is None
    assert pool.closed and seeds.closed


def test_workers_left_when_hydra_stops_early_are_closed(early):
    _, pool, seeds = early
    seed_workers.close_early()
    assert pool.closed and seeds.closed and seed_workers._EARLY == []


def test_a_process_forked_from_the_command_leaves_them_alone(early, monkeypatch):
    """A sweep's job process forked from the command inherits the list, not the workers."""
    config, pool, seeds = early
    monkeypatch.setattr(os, "getpid", lambda: -1)
    assert seed_workers.take_early(config, sweeping=True) is None
    assert not pool.closed and not seeds.closed and seed_workers._EARLY == []
