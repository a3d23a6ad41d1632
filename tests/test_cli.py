"""The console script, run as a real subprocess: one-line errors with exit 2, and run folders.

Each subprocess starts Python and loads the numba cache (a second or two), so
the cases are few and chosen to cover distinct paths: Hydra composition errors,
schema errors, type errors, YAML syntax errors, the multirun path, a good run,
output.dir (everything of the run in it), and unusable output folders. The sweep
pre-check and the first-compile note are tested in-process.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import run
from sim.config.load import load_config
from sim.config.schema import ConfigError
from sim.runs.folder import is_complete
from tests.conftest import cli_env, mentorsim

REPO = Path(__file__).resolve().parents[1]
RUN_FILES = ["config.yaml", "metrics.json", "timeseries.parquet", "level_timeseries.parquet",
             "model_timeseries.parquet", "events.parquet", "status.json"]



def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("mentorsim: error: "), line
    for fragment in fragments:
        assert fragment in line, line
    return line


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["org=huge"], ["org = 'huge'", "no such config", "small"]),
        (["org=small", "org.levels.0.seats=0"], ["org.levels[0].seats = 0"]),
        (["org=small", "sim.horizon_years=abc"], ["sim.horizon_years = 'abc'"]),
        (["org=small", "sim.speed=3"], ["sim.speed", "unknown key"]),
        (["org=small", "~org.levels.0.seats"], ["org.levels[0].seats", "missing"]),
        (["org=small", "sim.horizon_years=inf"], ["sim.horizon_years = inf", "finite"]),
        (["org=small", "sim.horizon_years=100000"], ["sim.horizon_years = 100000", "200] years"]),
        (["org=small", "sim.horizon_years=0.001"], ["sim.horizon_years = 0.001", "(one week)"]),
        (["org=small", "program.min_level_gap=6"], ["program.min_level_gap = 6", "must be in [1, 5]"]),
        (["org=small", "program.matching=optimal"], ["program.matching = 'optimal'",
                                                      "++program.matching.policy=optimal", "matching=optimal"]),
        (["org=small", "program.matching.policy=random"], ["program.matching.policy", "empty until set",
                                                           "++program.matching.policy=VALUE", "matching.policy=VALUE"]),
        (["org=small", "output.dir="], ["output.dir = ''", "null for outputs/runs/<timestamp>"]),
        (["org=3"], ["org = '3'", "must name a config in org/", "small"]),
    ],
    ids=["unknown-org", "zero-seats", "string-for-number", "unknown-key", "missing-key", "infinite-horizon",
         "horizon-too-long", "horizon-under-a-week", "level-gap", "matching-as-word", "program-matching-key", "empty-output-dir",
         "group-option-not-a-name"],
)
def test_bad_config_is_one_line_exit_2(tmp_path, args, fragments):
    proc = mentorsim(*args, cwd=tmp_path)
    assert_one_line_error(proc, *fragments)
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing was started, nothing written


def test_multirun_bad_value_is_one_line_exit_2(tmp_path):
    proc = mentorsim("-m", "org=small", "sim.seed=-1", "hydra.sweep.dir=" + str(tmp_path / "sweep"), cwd=tmp_path)
    assert_one_line_error(proc, "sim.seed = -1")


def test_multirun_unknown_config_group_option_is_one_line_exit_2(tmp_path):
    proc = mentorsim("-m", "org=huge", "hydra.sweep.dir=" + str(tmp_path / "sweep"), cwd=tmp_path)
    assert_one_line_error(proc, "org", "huge")


def _metrics_equal(saved: dict, metrics: dict) -> bool:
    if list(saved) != list(metrics):
        return False
    for key, value in metrics.items():
        if isinstance(value, float) and not math.isfinite(value):
            if saved[key] is not None:
                return False
        elif saved[key] != value:
            return False
    return True


def test_good_run_writes_the_run_folder(tmp_path):
    folder = tmp_path / "run"
    proc = mentorsim("org=small", "sim.horizon_years=1", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"wrote {folder}" in proc.stdout
    assert "small org" in proc.stdout
    for name in RUN_FILES:
        assert (folder / name).is_file(), name
    charts = sorted((folder / "charts").glob("*.png"))
    assert len(charts) >= 1
    status = json.loads((folder / "status.json").read_text())
    assert status["status"] == "complete"
    assert is_complete(folder)
    # The run is the one the Python API gives for the same overrides, in another process.
    expected = run(load_config(["org=small", "sim.horizon_years=1", "evaluation.decomposition=false"]))  # as the CLI
    assert _metrics_equal(json.loads((folder / "metrics.json").read_text()), expected.metrics)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "events.parquet"), expected.events, check_exact=True)


def test_output_dir_override(tmp_path):
    target = tmp_path / "chosen" / "place"
    hydra_dir = tmp_path / "hydra"
    proc = mentorsim("org=small", "sim.horizon_years=0.5", "sim.seed=4", "output.charts=false",
                     f"output.dir={target}", f"hydra.run.dir={hydra_dir}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {target}" in proc.stdout
    for name in RUN_FILES:
        assert (target / name).is_file(), name
    assert not (target / "charts").exists()
    assert json.loads((target / "status.json").read_text())["seed"] == 4
    assert not (hydra_dir / "metrics.json").exists()  # results went to output.dir only


@pytest.mark.parametrize("where", ["under-a-file", "in-proc"])
def test_unusable_output_dir_is_one_line_exit_2_before_anything_is_written(tmp_path, where):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "run" if where == "under-a-file" else Path("/proc/mentorsim-test/run")
    proc = mentorsim("org=small", "sim.horizon_years=0.1", "output.charts=false", f"output.dir={target}",
                     cwd=tmp_path)
    assert_one_line_error(proc, f"output.dir = '{target}'", "cannot create the run folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # no stray outputs/ either


def test_a_run_with_output_dir_keeps_everything_in_it(tmp_path):
    # Nobody can mentor (10000 weeks of tenure): the headline says so and why, with no NaN anywhere,
    # and the run's warning is in the run folder's log; Hydra's record is in the run folder too.
    target = tmp_path / "chosen"
    proc = mentorsim("org=small", "sim.horizon_years=0.5", "output.charts=false", "output.report=false",
                     "program.mentor_min_tenure_weeks=10000", f"output.dir={target}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["chosen"]  # no outputs/runs/<timestamp>/
    assert (target / ".hydra" / "overrides.yaml").is_file()
    assert "nobody there has mentor_min_tenure_weeks=10000" in (target / "cli.log").read_text()
    assert ("program default matched nobody: no mentor met the pool rules" in proc.stdout
            and "mentor_min_tenure_weeks=10000" in proc.stdout), proc.stdout
    assert "nan" not in proc.stdout.lower(), proc.stdout
    assert "naive mentees-vs-others turnover gap n/a (no mentees)" in proc.stdout


def _broken_yaml_copy(tmp_path: Path) -> Path:
    """A copy of configs/ whose sim/quick.yaml has an unclosed list on its line 3."""
    copy = tmp_path / "configs"
    shutil.copytree(REPO / "configs", copy)
    (copy / "sim" / "quick.yaml").write_text("horizon_years: 2\nweeks_per_year: 52\nseed: [0, 1\ncheck: true\n")
    return copy


def test_yaml_syntax_error_in_mentorsim_config_dir_is_one_line_naming_file_and_line(tmp_path):
    copy = _broken_yaml_copy(tmp_path)
    env = cli_env() | {"MENTORSIM_CONFIG_DIR": str(copy)}
    proc = subprocess.run([sys.executable, "-m", "sim", "org=small", "sim=quick"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert_one_line_error(proc, f"{copy / 'sim' / 'quick.yaml'}: line 4", "not valid YAML")


def test_yaml_syntax_error_in_a_config_dir_option_is_one_line(tmp_path):
    extra = tmp_path / "mine"
    (extra / "org").mkdir(parents=True)
    (extra / "org" / "tiny.yaml").write_text("name: tiny\nlevels: [\n")
    proc = mentorsim("--config-dir", str(extra), "org=tiny", cwd=tmp_path)
    assert_one_line_error(proc, f"{extra / 'org' / 'tiny.yaml'}: line 3", "not valid YAML")


def test_first_compile_is_announced_once_on_stderr(tmp_path, monkeypatch, capsys):
    from sim import cli
    from sim.engine import numba_setup

    monkeypatch.setattr(cli, "_COMPILE_NOTED", [])
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert numba_setup.kernels_cached() is False  # an empty folder: the next run compiles
    cli.note_first_compile()
    assert capsys.readouterr().err == ("mentorsim: compiling kernels for this version "
                                       "(first run only, about a minute)...\n")
    cli.note_first_compile()  # asked again before anything compiled (the job after the early start)
    assert capsys.readouterr().err == ""
    (tmp_path / "sim" / "engine").mkdir(parents=True)
    (tmp_path / "sim" / "engine" / "kernels.step-1.py311.nbi").write_bytes(b"index")
    assert numba_setup.kernels_cached() is True
    cli.note_first_compile()
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- the sweep pre-check


def _precheck_error(argv, capsys) -> str:
    from sim.cli import precheck

    with pytest.raises(SystemExit) as info:
        precheck(argv)
    assert info.value.code == 2
    return capsys.readouterr().err.strip()


@pytest.fixture
def compose_calls(monkeypatch):
    """Counts the compositions the pre-check makes."""
    import sim.config.load as load

    calls = []
    real = load.compose

    def counted(overrides=None, config_name=load.CONFIG_NAME, **options):
        calls.append(list(overrides or []))
        return real(overrides, config_name, **options)

    monkeypatch.setattr(load, "compose", counted)
    return calls


def test_sweep_precheck_composes_once_for_plain_keys(compose_calls):
    from sim.cli import precheck

    config = precheck(["-m", "org=small", "sim.seed=range(0,40)", "program.cadence_weeks=2,4,8"])
    assert config.sim.seed == 0 and config.program.cadence_weeks == 2  # the first values
    assert len(compose_calls) == 1


def test_sweep_precheck_composes_each_config_group_value(compose_calls):
    from sim.cli import precheck

    precheck(["-m", "org=small", "matching=random,optimal,affinity", "sim.seed=0,1,2"])
    assert len(compose_calls) == 3  # the first values, then optimal and affinity


@pytest.mark.parametrize("swept, bad", [
    ("sim.seed=0,1,-1", "sim.seed=-1"),
    ("program.cadence_weeks=4,0", "program.cadence_weeks=0"),
    ("org.levels.0.seats=10,-3", "org.levels.0.seats=-3"),
    ("sim.horizon_years=1,inf", "sim.horizon_years=inf"),
    ("program.mentee_levels=[0],[0,9]", "program.mentee_levels=[0,9]"),
    ("matching=random,nonesuch", "matching=nonesuch"),
])
def test_a_bad_later_swept_value_gives_the_message_a_single_run_gives(capsys, swept, bad):
    message = _precheck_error(["-m", "org=small", "sim.horizon_years=1", swept], capsys)
    with pytest.raises(ConfigError) as info:
        load_config(["org=small", "sim.horizon_years=1", bad])
    assert message == f"mentorsim: error: {info.value}"


HEAVY = ("numpy", "pandas", "numba", "matplotlib", "mesa")
_LOADED = """
import sys
from sim.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print('loaded:', *(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["--help"], ["sim.seed=abc"], ["promotion.rule=bogus"]])
def test_help_and_a_config_mistake_load_no_heavy_library(argv):
    """`mentorsim --help` and a mistake in the config answer without numpy, pandas, numba, matplotlib or
    Mesa (1.5 CPU-seconds a call before)."""
    done = subprocess.run([sys.executable, "-c", _LOADED.format(heavy=HEAVY), *argv], capture_output=True,
                          text=True, timeout=120)
    lines = done.stderr.splitlines()
    assert lines[-1] == "loaded:", lines[-1]
    if argv != ["--help"]:
        assert lines[0].startswith("mentorsim: error: ") and len(lines) == 2


# ---------------------------------------------------------------- Hydra's mode, read from the pre-check's composition

_COMPOSITIONS = """
import sys
from hydra._internal.hydra import Hydra
from hydra.core.hydra_config import HydraConfig
import sim.cli as cli

real = Hydra.compose_config
count = []
def counted(self, *args, **kwargs):
    count.append(1)
    return real(self, *args, **kwargs)
Hydra.compose_config = counted
cli.start_early = lambda config: None  # no workers: the job below does not run the seeds
cli.task = lambda cfg: print('job mode:', HydraConfig.get().mode.name, file=sys.stderr)
cli.main(sys.argv[1:])
print('compositions:', len(count), file=sys.stderr)
"""


@pytest.mark.parametrize("argv, compositions", [([], 2), (["hydra.job.name=other"], 3)],
                         ids=["known", "hydra-key-set"])
def test_a_single_run_composes_the_config_twice(tmp_path, argv, compositions):
    """The pre-check's composition tells Hydra's mode, so Hydra composes only for the job (a third
    composition, 0.1 CPU-second, was Hydra's `get_mode`); a Hydra key on the command line, which the
    pre-check leaves out, lets Hydra compose to find it."""
    done = subprocess.run([sys.executable, "-c", _COMPOSITIONS, f"hydra.run.dir={tmp_path / 'run'}", *argv],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, env=cli_env())
    lines = done.stderr.splitlines()
    assert done.returncode == 0 and lines[-2:] == ["job mode: RUN", f"compositions: {compositions}"], done.stderr


def _hydra_get_mode(overrides: list[str]):
    """The mode Hydra's main composes the config to find (`Hydra.get_mode`)."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.config.load import CONFIG_NAME, config_dir

    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return GlobalHydra.instance().hydra.get_mode(config_name=CONFIG_NAME, overrides=overrides)


def test_the_precheck_reads_the_mode_hydra_would(tmp_path):
    from hydra.types import RunMode

    from sim.cli import UNKNOWN, checked

    (tmp_path / "experiment").mkdir()
    (tmp_path / "experiment" / "multi.yaml").write_text("# @package _global_\nhydra:\n  mode: MULTIRUN\n")
    searchpath = f"hydra.searchpath=[file://{tmp_path}]"
    for argv, mode in ([[], None], [["org=small"], None], [[searchpath, "experiment=multi"], RunMode.MULTIRUN]):
        assert checked(argv)[1] == _hydra_get_mode(argv) == mode, argv
    assert checked(["hydra.job.name=other"])[1] is UNKNOWN  # not in the pre-check's composition
    config, mode = checked(["--config-dir", str(tmp_path), "org=small"])  # searched in another order
    assert mode is UNKNOWN and len(config.org.levels) == len(load_config(["org=small"]).org.levels)
    assert checked(["--cfg", "job"])[1] is UNKNOWN  # Hydra's own flags: Hydra alone answers


def test_hydra_reads_the_known_mode_only_meanwhile():
    from hydra._internal.hydra import Hydra
    from hydra.types import RunMode

    from sim.precheck import UNKNOWN, hydra_mode_known

    original = Hydra.get_mode
    with hydra_mode_known(RunMode.MULTIRUN):
        assert Hydra.get_mode(None, "config", []) == RunMode.MULTIRUN
    with hydra_mode_known(None):
        assert Hydra.get_mode(None, "config", []) is None
    with hydra_mode_known(UNKNOWN):
        assert Hydra.get_mode is original
    assert Hydra.get_mode is original
