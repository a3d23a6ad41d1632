"""Test 5: the status file is the completion marker: running first, complete (with the hash) last."""
from __future__ import annotations

import json

import pytest

import sim.runs.result
from sim.config.load import load_config
from sim.runs.jobs import config_hash, read_status, run_job
from sim.runs.folder import STATUS_FILE, is_complete, read_yaml


def _cfg(*extra):
    return load_config(["org=small", "sim.horizon_years=0.25", "output.charts=false", *extra])


@pytest.fixture
def spy(monkeypatch):
    """Wraps sim.runs.result.run; records the folder's state seen from inside the run."""
    seen = []
    real_run = sim.runs.result.run

    def watch(folder):
        def wrapped(cfg, *args, **kwargs):
            seen.append({"complete": is_complete(folder), "status": read_status(folder),
                         "metrics": (folder / "metrics.json").exists()})
            return real_run(cfg, *args, **kwargs)
        monkeypatch.setattr(sim.runs.result, "run", wrapped)
        return seen
    return watch


def test_status_is_running_during_the_run_and_complete_with_the_hash_after(tmp_path, spy):
    folder = tmp_path / "job"
    cfg = _cfg("evaluation.twin=true")
    seen = spy(folder)
    status, metrics = run_job(cfg, folder, announce=lambda *_: None)
    assert status == "complete" and metrics["years"] == pytest.approx(0.25, abs=0.01)
    assert len(seen) == 1
    assert seen[0]["complete"] is False
    assert seen[0]["status"]["status"] == "running"
    assert seen[0]["status"]["config_hash"] == config_hash(cfg)
    final = json.loads((folder / STATUS_FILE).read_text())
    assert final["status"] == "complete" and final["config_hash"] == config_hash(cfg)
    assert final["seed"] == cfg.sim.seed
    assert is_complete(folder) and is_complete(folder / "twin")
    assert json.loads((folder / "metrics.json").read_text())["turnover_annual"] == pytest.approx(
        metrics["turnover_annual"])
    assert not list(folder.rglob(".*.tmp")), "temporary files left behind"


def test_same_config_is_skipped_and_a_changed_config_is_rerun(tmp_path, spy):
    folder = tmp_path / "job"
    said = []
    cfg = _cfg("evaluation.twin=false", "sim.seed=4")
    assert run_job(cfg, folder, announce=said.append)[0] == "complete"
    mtime = (folder / "metrics.json").stat().st_mtime_ns
    seen = spy(folder)
    status, metrics = run_job(_cfg("evaluation.twin=false", "sim.seed=4"), folder, announce=said.append)
    assert status == "skipped" and seen == [] and len(said) == 1 and "skipped" in said[0]
    assert metrics == json.loads((folder / "metrics.json").read_text())
    assert (folder / "metrics.json").stat().st_mtime_ns == mtime
    # where it is written is not part of the hash; what it computes is
    moved = _cfg("evaluation.twin=false", "sim.seed=4", f"output.dir={tmp_path / 'elsewhere'}")
    assert config_hash(moved) == config_hash(cfg)
    other = _cfg("evaluation.twin=false", "sim.seed=5")
    assert config_hash(other) != config_hash(cfg)
    status, _ = run_job(other, folder, announce=said.append)
    assert status == "complete" and len(seen) == 1
    assert seen[0]["complete"] is False and seen[0]["status"]["status"] == "running"
    assert read_status(folder)["config_hash"] == config_hash(other)
    assert read_status(folder)["seed"] == 5


@pytest.mark.parametrize("content", ['{"status": "running"}', '{"status": "failed", "error": "x"}',
                                     "not json", '["complete"]', '{"status": "complete"'])
def test_is_complete_only_for_a_whole_complete_status(tmp_path, content):
    (tmp_path / STATUS_FILE).write_text(content)
    assert is_complete(tmp_path) is False


def test_is_complete_without_a_status_file(tmp_path):
    assert is_complete(tmp_path) is False
    assert is_complete(tmp_path / "missing") is False
    (tmp_path / STATUS_FILE).write_text('{"status": "complete"}')
    assert is_complete(tmp_path) is True


def test_a_failed_job_is_not_skipped_on_rerun(tmp_path, monkeypatch):
    folder = tmp_path / "job"
    cfg = _cfg("evaluation.twin=false")
    real_run = sim.runs.result.run
    monkeypatch.setattr(sim.runs.result, "run", lambda *a, **k: (_ for _ in ()).throw(MemoryError("no room")))
    assert run_job(cfg, folder, announce=lambda *_: None) == ("failed", {})
    assert read_status(folder)["error"] == "MemoryError: no room"
    monkeypatch.setattr(sim.runs.result, "run", real_run)
    assert run_job(cfg, folder, announce=lambda *_: None)[0] == "complete"
    assert is_complete(folder) and "error" not in read_status(folder)


# ---------------------------------------------------------------- the headline


def _program_metrics(**overrides):
    """Metrics of a program run whose undefined figures are NaN (in memory) or None (read back)."""
    m = {"years": 0.5, "turnover_annual": 0.2, "internal_fill_rate_leadership": float("nan"),
         "bench_strength_end": 0.3, "effect.turnover_annual": 0.0, "effect.promotions_total": 0,
         "effect.internal_fill_rate_leadership": None, "naive.turnover_annual.mentee_minus_none": float("nan"),
         "cost.total": 0.0, "roi": float("nan"), "program.default.pairs_started": 0.0,
         "program.default.launches": 1.0, "program.default.launches_without_eligible": 0.0,
         "program.default.launches_without_mentor": 1.0, "program.default.unmatched": 0.0}
    m.update(overrides)
    return m


def test_headline_never_shows_nan_and_gives_each_undefined_figure_a_reason():
    from sim.runs.jobs import headline

    cfg = _cfg("program.mentor_min_tenure_weeks=10000")
    text = "\n".join(headline(cfg, _program_metrics()))
    assert "nan" not in text.lower(), text
    assert "internal leadership fill n/a (no leadership seat was filled)" in text
    assert "internal leadership fill n/a (no leadership seat was filled in the program's world or the twin)" in text
    assert "naive mentees-vs-others turnover gap n/a (no mentees)" in text
    assert "ROI n/a (the program cost nothing)" in text
    assert ("program default matched nobody: no mentor met the pool rules (min_level_gap=2, "
            "mentor_min_tenure_weeks=10000, mentor_capacity=2)") in text


@pytest.mark.parametrize("counts, reason", [
    ({"launches": 0.0}, "no enrollment round fell inside the run (first_cohort_week=4)"),
    ({"launches": 3.0, "launches_without_eligible": 3.0, "launches_without_mentor": 0.0},
     "nobody met the mentee rules (mentee_levels=[0, 1, 2], mentee_min_tenure_weeks=26)"),
    ({"launches": 3.0, "launches_without_eligible": 1.0, "launches_without_mentor": 0.0, "unmatched": 7.0},
     "the skill_gap policy placed none of the 7 mentees it was given"),
])
def test_headline_says_why_a_program_matched_nobody(counts, reason):
    from sim.runs.jobs import headline

    metrics = _program_metrics(**{f"program.default.{k}": v for k, v in counts.items()})
    text = "\n".join(headline(_cfg(), metrics))
    assert f"program default matched nobody: {reason}" in text, text


def test_headline_of_a_program_that_matched_shows_numbers():
    from sim.runs.jobs import headline

    metrics = _program_metrics(**{"program.default.pairs_started": 12.0, "internal_fill_rate_leadership": 0.5,
                                  "effect.internal_fill_rate_leadership": 0.02,
                                  "naive.turnover_annual.mentee_minus_none": -0.031, "cost.total": 1000.0,
                                  "roi": -0.4})
    lines = headline(_cfg(), metrics)
    assert len(lines) == 3 and "n/a" not in "".join(lines), lines
    assert "internal leadership fill +2.0 pts; naive mentees-vs-others turnover gap -3.10 pts" in lines[1]
    assert lines[1].endswith("cost 1,000, ROI -0.40")
    assert lines[2].startswith("mentorsim: one seed is one draw") and "--baseline twin" in lines[2]


def test_a_metrics_only_job_runs_without_agent_views_and_gets_the_same_metrics(tmp_path, monkeypatch):
    """A job that keeps nothing of its models makes no Mesa agent views (one object per hire and leaver):
    the worlds read the arrays, never the views, so every metric is the same as with views on."""
    import sim.engine.model

    made = []
    real_init = sim.engine.model.OrgModel.__init__

    def spying_init(self, cfg, *args, **kwargs):
        real_init(self, cfg, *args, **kwargs)
        made.append(self.agent_views)

    monkeypatch.setattr(sim.engine.model.OrgModel, "__init__", spying_init)
    cfg = _cfg("evaluation.twin=true", "evaluation.decomposition=false", "sim.agent_views=on")
    _, with_views = run_job(cfg, tmp_path / "tables", announce=lambda *_: None)
    assert made == [True, True]  # program world and twin
    _, without = run_job(cfg, tmp_path / "metrics", announce=lambda *_: None, tables=False)
    assert made[2:] == [False, False]
    assert json.dumps(without, sort_keys=True) == json.dumps(with_views, sort_keys=True)
    written = read_yaml(tmp_path / "metrics" / "config.yaml")
    assert written["sim"]["agent_views"] == "on"  # the config is recorded as given


@pytest.mark.parametrize("overrides", [[], ["org=small", "program=sponsorship"], ["experiment=onboarding_plus_leadership"]])
def test_the_hashes_read_the_same_data_as_dataclasses_asdict(overrides):
    """config_hash and twin_hash read the config without asdict's deep copies: the same data, so the same
    hashes as before (a sweep folder written earlier still resumes)."""
    import dataclasses
    import hashlib

    from sim.mentoring.evaluation import twin_config
    from sim.runs.jobs import plain_data

    cfg = load_config(overrides)
    assert plain_data(cfg) == dataclasses.asdict(cfg)
    data = dataclasses.asdict(cfg)
    data.pop("output")
    data["sim"].pop("numba_threads")
    assert config_hash(cfg) == hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
    assert plain_data(twin_config(cfg)) == dataclasses.asdict(twin_config(cfg))
    assert "numba_threads" in plain_data(cfg)["sim"]  # hashing left the config as it was
