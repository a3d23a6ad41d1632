"""Sweep progress: runs done, rate and time left, polled from the run folders' status files.

The sweep runs in the foreground (Hydra and its launcher); a thread in the
parent process counts finished job folders under the sweep directory, which
works the same for local, SLURM and Ray launchers with a shared file system.
"""
from __future__ import annotations

import itertools
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from ..runs.jobs import read_status


def hydra_config(argv: list[str]):
    """The sweep's config with Hydra's own node, composed with its fixed (not swept) overrides."""
    from hydra import compose, initialize_config_dir
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from ..config.load import config_dir

    overrides = [a for a in argv if not a.startswith("-")]
    parsed = OverridesParser.create().parse_overrides(overrides)
    fixed = [text for text, override in zip(overrides, parsed) if not override.is_sweep_override()]
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return compose("config", overrides=fixed, return_hydra_config=True)


def with_grid_sweeper(argv: list[str], cfg) -> list[str]:
    """mentorsim's grid sweeper in place of Hydra's basic one: the same jobs, without composing every
    job's config in this process before the first starts (the command has checked every swept
    value). A sweeper chosen on the command line or by a preset (Optuna) is kept."""
    if cfg is None or cfg.hydra.sweeper.get("_target_") != GRID_SWEEPERS[0]:
        return argv
    if any(a.lstrip("+~").startswith("hydra/sweeper") for a in argv):
        return argv
    return [*argv, "hydra/sweeper=mentorsim"]


def count_jobs(argv: list[str], cfg=None) -> int | None:
    """Number of jobs a basic sweep will launch (None when an optimizing sweeper decides)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    overrides = [a for a in argv if not a.startswith("-")]
    parser = OverridesParser.create()
    sizes = []
    for override in parser.parse_overrides(overrides):
        if override.is_sweep_override():
            if not override.is_discrete_sweep():
                return None
            sizes.append(len(list(override.sweep_string_iterator())))
    cfg = hydra_config(argv) if cfg is None else cfg
    sweeper = cfg.hydra.sweeper
    if "n_trials" in sweeper:
        return int(sweeper.n_trials)
    for key, value in (sweeper.get("params") or {}).items():
        if any(a.split("=", 1)[0] == key for a in overrides):
            continue  # the command line wins over the preset
        parsed = parser.parse_overrides([f"{key}={value}"])[0]
        sizes.append(len(list(parsed.sweep_string_iterator())) if parsed.is_sweep_override() else 1)
    return int(list(itertools.accumulate(sizes or [1], lambda a, b: a * b))[-1])


SWEEP_RECORD = "multirun.yaml"  # Hydra writes it into the sweep folder before the first job starts
# Hydra's grid sweeper and mentorsim's (the same grid and numbering, without the per-job check)
GRID_SWEEPERS = ("hydra._internal.core_plugins.basic_sweeper.BasicSweeper",
                 "hydra_plugins.mentorsim_launcher.mentorsim_launcher.MentorsimSweeper")


def planned_jobs(sweep_dir: Path) -> list[tuple[str, list[str]]] | None:
    """Every job a grid sweep was asked for, as (folder name, the override list Hydra records in
    the job's `.hydra/overrides.yaml`), in job-number order; None when unknown (no readable
    multirun.yaml, or an optimizing sweeper that chooses its jobs as it goes).

    The grid is rebuilt by Hydra's own BasicSweeper from the recorded preset params and
    command-line overrides, so the numbering and the spelling of values match the job folders.
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from ..runs.folder import read_yaml

    try:
        hydra_cfg = read_yaml(Path(sweep_dir) / SWEEP_RECORD)["hydra"]
        sweeper = hydra_cfg["sweeper"]
        if sweeper.get("_target_") not in GRID_SWEEPERS:
            return None
        params = [f"{k}={v}" for k, v in (sweeper.get("params") or {}).items()]
        task = [str(t) for t in hydra_cfg["overrides"]["task"]]
        chunks = BasicSweeper.split_arguments(OverridesParser.create().parse_overrides(params + task), None)
        numbered = hydra_cfg["sweep"]["subdir"] == "${hydra.job.num}"
    except Exception:  # a damaged or foreign record: the plan is unknown, collect lists what it finds
        return None
    jobs = [list(job) for chunk in chunks for job in chunk]
    return [(str(i) if numbered else f"job {i}", job) for i, job in enumerate(jobs)]


def finished(sweep_dir: Path) -> int:
    done = 0
    for status_file in sweep_dir.glob("*/status.json"):
        if read_status(status_file.parent).get("status") in ("complete", "failed"):
            done += 1
    return done


def _watch(sweep_dir: Path, total: int | None, stop: threading.Event, start_done: int) -> None:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="run", desc="sweep", file=sys.stderr, dynamic_ncols=True,
               disable=not sys.stderr.isatty())
    if bar.disable:  # no bar to draw: reading every job's status each second would be for nobody
        stop.wait()
        return
    while not stop.is_set():
        done = finished(sweep_dir) - start_done
        bar.update(max(0, done - bar.n))
        stop.wait(1.0)
    bar.update(max(0, finished(sweep_dir) - start_done - bar.n))
    bar.close()


# What collect, compare and report derive from the job folders: stale once a resumed sweep adds runs.
DERIVED = ("runs.parquet", "comparison*.csv", "report.html", "report.pdf", "charts/heatmap.png",
           "charts/cost_value.png")


def check_writable(sweep_dir: Path) -> None:
    """Make the sweep folder and write a file in it, so a folder that cannot hold the results is
    one line before any job starts (not a traceback from the first job)."""
    import tempfile

    from ..config.checks import ConfigError

    try:
        sweep_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=sweep_dir, prefix=".write-check-"):
            pass
    except OSError as err:
        raise ConfigError(f"hydra.sweep.dir = {str(sweep_dir)!r}: cannot write there "
                          f"({err.strerror or err}); choose a writable folder") from None


def remove_stale(sweep_dir: Path) -> list[str]:
    """Delete the sweep-level files derived from its jobs (they predate this resume); their names."""
    removed = []
    for pattern in DERIVED:
        for path in sweep_dir.glob(pattern):
            path.unlink(missing_ok=True)
            removed.append(str(path.relative_to(sweep_dir)))
    return removed


def run_sweep(argv: list[str], run_hydra) -> None:
    """Run a Hydra multirun into a predictable folder with a progress bar, then say what to do next.

    Resuming into a folder that already has results removes its report, runs table and comparisons
    first: they describe the sweep as it was, and `collect`, `compare` and `report` write them anew.
    """
    argv = list(argv)
    sweep_arg = next((a for a in argv if a.startswith("hydra.sweep.dir=")), None)
    if sweep_arg is None:
        sweep_arg = f"hydra.sweep.dir=outputs/sweeps/{datetime.now():%Y-%m-%d_%H-%M-%S}"
        argv.append(sweep_arg)
    sweep_dir = Path(sweep_arg.split("=", 1)[1])
    if "${" in str(sweep_dir):  # Hydra resolves interpolations itself; nothing to check or clean here
        removed = []
    else:
        check_writable(sweep_dir)
        removed = remove_stale(sweep_dir)
    if removed:
        print(f"mentorsim: resuming: removed {', '.join(removed)} (written before this run; "
              f"collect, compare and report write them again)")
    try:
        cfg = hydra_config(argv)
    except Exception:  # Hydra itself reports real problems
        cfg = None
    try:
        total = count_jobs(argv, cfg) if cfg is not None else None
    except Exception:  # the count is a courtesy
        total = None
    argv = with_grid_sweeper(argv, cfg)
    start_done = finished(sweep_dir)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(sweep_dir, total, stop, start_done), daemon=True)
    watcher.start()
    t0 = time.perf_counter()
    try:
        run_hydra(argv)
    finally:
        stop.set()
        watcher.join(timeout=5)
    done = finished(sweep_dir)
    print(f"mentorsim: sweep finished in {time.perf_counter() - t0:.1f} s: {done} run folders in {sweep_dir}")
    print(f"mentorsim: next: mentorsim collect {sweep_dir}   then   mentorsim compare {sweep_dir} --baseline twin")
