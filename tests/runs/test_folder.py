"""The run folder: every file, standard JSON, status written last, round trips."""
from __future__ import annotations

import json
import math
import os

import numpy as np
import pandas as pd
import pytest
import yaml

import sim.runs.folder as outputs
from sim import __version__, run
from sim.config.load import build
from sim.charts import RUN_CHARTS
from sim.runs.folder import is_complete, write_json
from tests.conftest import make_config

TABLES = ["timeseries", "level_timeseries", "model_timeseries", "events", "people"]
FILES = ["config.yaml", "metrics.json", "status.json"] + [f"{name}.parquet" for name in TABLES]
CHARTS = [f"{name}.png" for name in RUN_CHARTS]  # a program run with a twin draws every chart


def _strict_json(text: str):
    def reject(token):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=reject)


@pytest.fixture(scope="module")
def result():
    return run(make_config("sim.horizon_years=1", "evaluation.decomposition=true"))  # every chart: the split too


@pytest.fixture(scope="module")
def folder(result, tmp_path_factory):
    return result.save(tmp_path_factory.mktemp("run") / "nested" / "out")


def test_save_writes_every_file(folder):
    for name in FILES:
        assert (folder / name).is_file(), name
        assert (folder / name).stat().st_size > 0, name
    for name in CHARTS:
        data = (folder / "charts" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
    leftovers = [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_status_json_says_complete(folder, result):
    status = _strict_json((folder / "status.json").read_text())
    assert status["status"] == "complete"
    assert status["version"] == __version__
    assert status["seed"] == result.config.sim.seed
    assert status["wall_seconds"] >= 0
    assert sorted(status["charts"]) == sorted(f"charts/{name}" for name in CHARTS)
    for chart in status["charts"]:
        assert (folder / chart).is_file()
    assert is_complete(folder)
    assert is_complete(str(folder))


def test_metrics_json_is_standard_json_matching_the_metrics(folder, result):
    text = (folder / "metrics.json").read_text()
    for token in ("NaN", "Infinity"):
        assert token not in text
    saved = _strict_json(text)
    assert list(saved) == list(result.metrics)
    n_missing = 0
    for key, value in result.metrics.items():
        if isinstance(value, float) and not math.isfinite(value):
            assert saved[key] is None, key
            n_missing += 1
        else:
            assert saved[key] == value, key
    assert n_missing > 0  # the run has undefined ratios (e.g. mentee turnover): the check bites


def test_write_json_turns_nan_and_infinities_into_null(tmp_path):
    path = tmp_path / "x.json"
    write_json(path, {"a": float("nan"), "b": {"c": float("inf"), "d": -float("inf")}, "e": 1.5,
                      "f": np.float64("nan"), "g": 3})
    assert _strict_json(path.read_text()) == {"a": None, "b": {"c": None, "d": None}, "e": 1.5, "f": None, "g": 3}


@pytest.mark.parametrize("name", TABLES)
def test_parquet_round_trip_equals_the_frames(folder, result, name):
    frame = getattr(result, name)
    assert len(frame) > 0
    pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{name}.parquet"), frame, check_exact=True)


def test_config_yaml_rebuilds_the_same_config(folder, result):
    data = yaml.safe_load((folder / "config.yaml").read_text())
    assert build(data) == result.config


def test_status_json_is_written_last(result, tmp_path, monkeypatch):
    order = []
    real_replace = os.replace

    def recording_replace(src, dst):
        order.append(os.path.relpath(dst, tmp_path))
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", recording_replace)
    result.save(tmp_path, charts=False)
    assert order[-1] == "status.json"
    assert order.count("status.json") == 1
    assert set(FILES) - {"status.json"} <= set(order[:-1])  # every result file came before it
    assert is_complete(tmp_path)


def test_status_json_is_the_last_file_touched(folder):
    status_time = (folder / "status.json").stat().st_mtime_ns
    for path in folder.rglob("*"):
        if path.is_file():
            assert path.stat().st_mtime_ns <= status_time, path.name


def test_missing_status_means_incomplete(folder, tmp_path):
    assert not is_complete(tmp_path)  # an empty folder
    assert not is_complete(tmp_path / "does-not-exist")
    for name in FILES:
        if name != "status.json":
            (tmp_path / name).write_bytes((folder / name).read_bytes())
    assert not is_complete(tmp_path)  # every result file, but no status


@pytest.mark.parametrize("text", ['{"status": "running"}', '{"status": "failed"}', "{", "", "[]"])
def test_status_other_than_complete_means_incomplete(tmp_path, text):
    (tmp_path / "status.json").write_text(text)
    assert not is_complete(tmp_path)


def test_rewriting_a_folder_that_fails_midway_leaves_it_incomplete(result, tmp_path, monkeypatch):
    result.save(tmp_path, charts=False)
    assert is_complete(tmp_path)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "write_json", broken)
    with pytest.raises(OSError):
        result.save(tmp_path, charts=False)
    assert not is_complete(tmp_path)
    assert not (tmp_path / "status.json").exists()


def test_save_without_charts(result, tmp_path):
    result.save(tmp_path, charts=False)
    assert not (tmp_path / "charts").exists()
    assert _strict_json((tmp_path / "status.json").read_text())["charts"] == []
    assert is_complete(tmp_path)


def test_events_off_writes_an_empty_typed_event_table(tmp_path):
    res = run(make_config("sim.horizon_years=0.5", "output.events=false", "output.charts=false"))
    assert res.metrics["hires_total"] > 0  # things happened, they were just not logged
    res.save(tmp_path)
    assert not (tmp_path / "charts").exists()  # output.charts=false is the default for save()
    events = pd.read_parquet(tmp_path / "events.parquet")
    assert len(events) == 0
    assert list(events.columns) == ["week", "kind", "employee", "level", "group", "detail"]
    assert list(res.events.columns) == list(events.columns) and len(res.events) == 0
    # (An empty categorical column comes back from parquet without its categories, a
    # pyarrow property; the column names and numeric dtypes survive.)
    for name in ("week", "employee", "detail"):
        assert events[name].dtype == res.events[name].dtype, name


def test_people_holds_the_starting_workforce_and_every_hire(result):
    people, events = result.people, result.events
    assert (people["joined_week"] == 0).sum() == result.config.org.total_seats
    hires = events[events["kind"] == "hire"]
    joined = people[people["joined_week"] > 0]
    assert sorted(joined["employee"]) == sorted(hires["employee"])
    assert people["employee"].is_unique
    assert (people["hire_week"] <= people["level_week"]).all() and (people["birth_week"] < people["hire_week"]).all()


def test_config_yaml_by_sections_is_one_dump_of_the_whole_config_job_after_job():
    """config.yaml's sections rendered once and reused give the text of one dump of the config, for
    configs in a row that differ in a value or two (equal values of other types each have their own)."""
    import dataclasses

    from sim.config.load import as_dict

    render = outputs.SectionYaml(lambda data: yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False))
    base = make_config()
    configs = [base, dataclasses.replace(base, sim=dataclasses.replace(base.sim, seed=9))]
    for share in (0.0, -0.0, 0.0, 0.3):
        configs.append(dataclasses.replace(base, program=dataclasses.replace(base.program, enroll_share=share)))
    for cfg in configs:
        data = as_dict(cfg)
        assert render(data) == yaml.safe_dump(data, sort_keys=False) == yaml.safe_dump(dataclasses.asdict(cfg),
                                                                                         sort_keys=False)
    assert render({}) == yaml.safe_dump({})
