"""The run folder. Every file is written under a temporary name and renamed into
place; `status.json` is written last, so a folder without it (or with a status
other than "complete") is an interrupted run, never a result that looks whole.

    config.yaml              the resolved configuration
    metrics.json             flat summary (keys documented in README)
    timeseries.parquet       (period, level, group, participation) flows and state means
    level_timeseries.parquet (period, level) vacancies, fills, time to fill
    model_timeseries.parquet organization-level series (Mesa DataCollector)
    events.parquet           typed event log
    people.parquet           everyone who joined, as they joined (the starting workforce at week 0)
    effects.csv              with programs and a twin: metric, program, twin, effect
    twin/                    the counterfactual twin's own run folder (no charts)
    charts/*.png             the run's charts (sim.charts.run)
    status.json              {"status": "complete", ...}, written last

A sweep job that only needs metrics (the default in sweeps: `output.sweep_tables`) writes
config.yaml, metrics.json and status.json only (what collect and compare read), and its status
says `"tables": false`; such a folder is complete without the tables and the twin's folder.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import yaml

from ..version import __version__
from ..config.load import as_dict

STATUS_FILE = "status.json"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: ~10x faster
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # the same text as safe_dump, ~3x faster


class SectionYaml:
    """A mapping's block YAML from `dump`, each top-level entry rendered once per distinct value and
    reused: the entries of a block mapping render independently of each other, so the text is the
    one `dump(mapping)` gives. Sweep jobs of one design differ in a section or two (`sim`, `program`),
    so most of a job's config file is text already rendered (about 2 ms of YAML a job, once)."""

    def __init__(self, dump, size: int = 512):
        self.dump, self.size = dump, size
        self.texts: dict = {}  # (key, repr(value)) -> "key: value" text; repr tells 1, 1.0, True and -0.0 apart

    def __call__(self, mapping: dict) -> str:
        if not mapping:
            return self.dump(mapping)
        parts = []
        for key, value in mapping.items():
            memo = (key, repr(value))
            text = self.texts.get(memo)
            if text is None:
                if len(self.texts) >= self.size:
                    self.texts.clear()
                text = self.texts[memo] = self.dump({key: value})
            parts.append(text)
        return "".join(parts)


def _dump_config(data) -> str:
    return yaml.dump(data, Dumper=_YAML_DUMPER, sort_keys=False)


config_yaml = SectionYaml(_dump_config)  # config.yaml's text of a config's plain data (`as_dict`)


def read_yaml(path: Path):
    """A YAML file's data (safe loader); yaml.YAMLError when it is not YAML."""
    return yaml.load(Path(path).read_bytes(), Loader=_YAML_LOADER)


def _atomic_write(path: Path, write) -> None:
    """`write(tmp)` then rename onto `path`; on any failure (a full disk, a bug) the temporary file
    is removed and `path` keeps what it held before, so nothing half-written looks whole."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def clean_json(value):
    """NaN and infinities become null: metrics.json stays standard JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean_json(v) for k, v in value.items()}
    return value


def write_json(path: Path, data) -> None:
    _atomic_write(path, lambda p: p.write_text(json.dumps(clean_json(data), indent=1, sort_keys=False) + "\n"))


def write_run(result, folder: Path, charts: bool = True, extra_status: dict | None = None,
              tables: bool = True) -> Path:
    """Write the run folder; with `tables` false only config.yaml, metrics.json and status.json."""
    folder.mkdir(parents=True, exist_ok=True)
    status = folder / STATUS_FILE
    if is_complete(folder):
        status.unlink()  # rewriting: the folder is incomplete until the end
    config_text = config_yaml(as_dict(result.config))
    _atomic_write(folder / "config.yaml", lambda p: p.write_text(config_text))
    frames = {
        "timeseries": result.timeseries,
        "level_timeseries": result.level_timeseries,
        "model_timeseries": result.model_timeseries,
        "events": result.events,
    }
    if result.people is not None:
        frames["people"] = result.people
    for name, frame in frames.items() if tables else ():
        _atomic_write(folder / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
    if result.twin is not None and tables:
        write_run(result.twin, folder / "twin", charts=False)
    chart_files = []
    if charts and tables:  # the charts of this run alone first, while workers may finish its other metrics
        from ..charts.run import RUN_CHARTS, SETTLED_CHARTS, run_charts

        chart_files = run_charts(result, folder / "charts", [n for n in RUN_CHARTS if n not in SETTLED_CHARTS])
    if hasattr(result, "settle"):
        result.settle()
    write_json(folder / "metrics.json", result.metrics)
    if result.twin is not None and tables:
        from ..mentoring.evaluation import effects_table

        _atomic_write(folder / "effects.csv", lambda p: effects_table(result.metrics).to_csv(p, index=False))
    if charts and tables:
        chart_files += run_charts(result, folder / "charts", SETTLED_CHARTS)
    write_json(status, {
        **(extra_status or {}),
        "status": "complete",
        "version": __version__,
        "seed": result.config.sim.seed,
        "wall_seconds": result.wall_seconds,
        "charts": [str(p.relative_to(folder)) for p in chart_files],
        **({} if tables else {"tables": False}),
    })
    return folder


TABLES = ("timeseries", "level_timeseries", "model_timeseries", "events")
CORE_METRIC = "turnover_annual"  # every run writes it; a metrics.json without it is not a run's


def read_metrics(path: Path) -> dict:
    """metrics.json as {key: float or None}; ValueError (one line) when it is not a run's metrics."""
    try:
        data = json.loads(Path(path).read_bytes())
    except UnicodeDecodeError:
        raise ValueError("metrics.json is not text") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"metrics.json is not valid JSON ({err.msg}, line {err.lineno})") from None
    if not isinstance(data, dict) or CORE_METRIC not in data:
        raise ValueError(f"metrics.json is not a run's metrics (no {CORE_METRIC})")
    bad = [k for k, v in data.items() if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)))]
    if bad:
        raise ValueError(f"metrics.json: {bad[0]} is not a number")
    if data[CORE_METRIC] is None or not math.isfinite(data[CORE_METRIC]):  # every run has people to count
        raise ValueError(f"metrics.json: {CORE_METRIC} is undefined")
    return {k: v if v is None or math.isfinite(v) else None for k, v in data.items()}


def damage(folder: Path) -> str | None:
    """Why a folder whose status says complete cannot be read as a run (a missing, truncated or
    corrupt file), or None when every file a run writes is there and readable. Cheap: parquet
    files are checked by their footer only."""
    import pyarrow
    import pyarrow.parquet as pq

    def config(path):
        if not isinstance(read_yaml(path), dict):
            raise ValueError("not a configuration")

    folder = Path(folder)
    checks = [("config.yaml", config), ("metrics.json", read_metrics)]
    if has_tables(folder):
        checks += [(f"{name}.parquet", pq.read_metadata) for name in TABLES]
    for name, check in checks:
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        try:
            check(path)
        except (OSError, ValueError, yaml.YAMLError, pyarrow.ArrowException) as err:
            text = (str(err).splitlines() or [type(err).__name__])[0][:160]
            return text if text.startswith(name) else f"{name} is unreadable: {text}"
    twin = folder / "twin"
    if twin.is_dir():
        if not is_complete(twin):
            return "twin/ is not a complete run"
        why = damage(twin)
        if why:
            return f"twin/{why}"
    return None


def has_tables(folder: Path) -> bool:
    """Whether a run folder holds the tables (every run but a metrics-only sweep job)."""
    try:
        status = json.loads((Path(folder) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return True
    return not (isinstance(status, dict) and status.get("tables") is False)


def is_complete(folder: Path) -> bool:
    try:
        status = json.loads((Path(folder) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(status, dict) and status.get("status") == "complete"
