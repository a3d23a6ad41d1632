"""A single run over several paired seeds: `evaluation.seeds`, seeds.csv and the `seeds.*` keys."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import run
from sim.runs.folder import clean_json
from sim.runs.jobs import headline
from sim.studies.paired import SEED_KEYS, RunSeeds, run_config_seed, seed_summary, seeds_of_run
from tests.conftest import make_config, mentorsim

SMALL = ["org=small", "sim.horizon_years=1"]


def test_seeds_default_to_ten_for_a_run_and_one_for_a_sweep_job():
    cfg = make_config("sim.seed=5")
    assert seeds_of_run(cfg, sweeping=False) == list(range(5, 15))
    assert seeds_of_run(cfg, sweeping=True) == [5]
    assert seeds_of_run(make_config("evaluation.seeds=3"), sweeping=True) == [0, 1, 2]  # set: also in a sweep


def test_the_seeds_after_the_first_skip_the_decomposition_by_mechanism():
    """Only the first seed's split is shown (15 more runs each would multiply the default run's time)."""
    cfg = make_config("sim.horizon_years=2", "evaluation.decomposition=true")  # on, as a run has it
    assert cfg.evaluation.decomposition
    assert not any(k.startswith("decomposition.") for k in run_config_seed(cfg, 1))


def test_the_seed_table_is_the_same_for_any_number_of_workers():
    cfg = make_config(*SMALL[1:], "evaluation.seeds=3")
    seeds = seeds_of_run(cfg, sweeping=False)
    first = run_config_seed(cfg, seeds[0])
    here = RunSeeds(cfg, seeds, jobs=0).start().gather(first)
    workers = RunSeeds(cfg, seeds, jobs=2).start().gather(first)
    pd.testing.assert_frame_equal(here, workers)
    assert list(here["seed"]) == [0, 1, 2]
    # each row is that seed's own run
    assert here.loc[2, "effect.turnover_annual"] == run_config_seed(cfg, 2)["effect.turnover_annual"]


def test_seed_summary_is_the_mean_with_a_t_interval():
    values = np.array([0.01, -0.02, 0.005, 0.0])
    table = pd.DataFrame({"seed": range(4), "effect.turnover_annual": values})
    out = seed_summary(table)
    half = stats.t.ppf(0.975, 3) * values.std(ddof=1) / 2
    assert out["seeds.n"] == 4 and out["seeds.first"] == 0
    assert out["seeds.effect.turnover_annual.mean"] == pytest.approx(values.mean())
    assert out["seeds.effect.turnover_annual.low"] == pytest.approx(values.mean() - half)
    assert out["seeds.effect.turnover_annual.high"] == pytest.approx(values.mean() + half)
    assert "seeds.cost.total.mean" not in out  # only what the seeds have


def _metrics_over(mean: float, half: float) -> dict:
    m = {"seeds.n": 10, "seeds.first": 0, "years": 1.0}
    for key in SEED_KEYS:
        m.update({f"seeds.{key}.mean": mean, f"seeds.{key}.low": mean - half, f"seeds.{key}.high": mean + half})
    return m


def test_headline_over_seeds_says_unclear_only_when_the_interval_spans_zero():
    cfg = make_config()
    clear = {**_metrics_over(0.02, 0.01), "effect.turnover_annual": 0.0, "program.default.pairs_started": 5}
    unclear = {**_metrics_over(0.02, 0.03), "effect.turnover_annual": 0.0, "program.default.pairs_started": 5}
    assert ": unclear" not in "\n".join(headline(cfg, clear))
    text = "\n".join(headline(cfg, unclear))
    assert "turnover +2.00 pts/yr (-1.00 to +5.00: unclear)" in text
    assert "seeds 0-9" in text and "nan" not in text.lower()


def test_default_run_over_three_seeds_writes_the_seed_table_and_intervals(tmp_path):
    many, one = tmp_path / "many", tmp_path / "one"
    proc = mentorsim(*SMALL, "evaluation.seeds=3", f"output.dir={many}", "output.report=false", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    single = mentorsim(*SMALL, "evaluation.seeds=1", f"output.dir={one}", "output.report=false", cwd=tmp_path)
    assert single.returncode == 0, single.stderr
    table = pd.read_csv(many / "seeds.csv")
    assert list(table["seed"]) == [0, 1, 2]
    m = json.loads((many / "metrics.json").read_text())
    assert m["seeds.n"] == 3
    assert m["seeds.effect.turnover_annual.mean"] == pytest.approx(table["effect.turnover_annual"].mean())
    assert "mean of seeds 0-2" in proc.stdout and "(95% interval)" in proc.stdout
    # seed 0's folder is the single run's: the same tables, the same metrics apart from the seeds.* keys
    for name in ("events", "people", "timeseries", "level_timeseries", "model_timeseries"):
        assert (many / f"{name}.parquet").read_bytes() == (one / f"{name}.parquet").read_bytes(), name
    m1 = json.loads((one / "metrics.json").read_text())
    assert {k: v for k, v in m.items() if not k.startswith("seeds.")} == m1
    assert not (one / "seeds.csv").exists() and "seeds.n" not in m1
    # the command ran seed 0's decomposition as tasks of worker processes; here one world after another
    serial = clean_json(run(make_config(*SMALL, "evaluation.decomposition=true")).metrics)
    split = {k: v for k, v in m.items() if k.startswith("decomposition.")}
    assert split and split == {k: v for k, v in serial.items() if k.startswith("decomposition.")}


def test_zero_seeds_is_one_line_exit_2(tmp_path):
    proc = mentorsim("org=small", "evaluation.seeds=0", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("mentorsim: error: evaluation.seeds = 0: must be >= 1")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_bounded_figure_keeps_its_interval_inside_its_range():
    table = pd.DataFrame({"seed": range(3), "internal_fill_rate_leadership": [0.5, 1.0, 0.75],
                          "bench_strength_end": [0.0, 0.6, 0.1], "effect.turnover_annual": [-0.01, 0.02, 0.0]})
    out = seed_summary(table)
    assert out["seeds.internal_fill_rate_leadership.high"] == 1.0  # the t-interval alone reaches 1.37
    assert out["seeds.bench_strength_end.low"] == 0.0
    assert out["seeds.effect.turnover_annual.low"] < -0.01  # a difference has no bound


def test_a_sweep_job_runs_its_own_seeds_only_when_the_key_is_set():
    from sim.seed_workers import other_seeds

    assert other_seeds(make_config(), sweeping=True) is None  # a sweep's seeds are its own axis
    assert other_seeds(make_config("evaluation.seeds=1"), sweeping=False) is None
    job = other_seeds(make_config("evaluation.seeds=3"), sweeping=True)
    assert job.jobs == 0 and job.seeds == [0, 1, 2]  # in the job's own process: its siblings share the cores
    assert RunSeeds(make_config(), list(range(10))).jobs >= 1  # a single run's seeds go to workers
