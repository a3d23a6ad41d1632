"""Command line: `mentorsim [hydra overrides]` runs one scenario (or a sweep with -m).

A user mistake (bad override, bad value, inconsistent org) prints one line,
`mentorsim: error: <key> = <value>: <what is allowed>`, and exits with code 2.
"""
from __future__ import annotations

import sys

from .config.schema import ConfigError

EXIT_USAGE = 2
PROG = "mentorsim"


def fail(message: str, code: int = EXIT_USAGE):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(code)


def _is_multirun(argv: list[str]) -> bool:
    return "-m" in argv or "--multirun" in argv


def precheck(argv: list[str]) -> None:
    """Compose and validate before Hydra starts, so mistakes are one line and exit 2.

    In a sweep, every value of every swept key is checked once (the others at
    their first value), so a misspelt option fails before any job starts.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    from .config.load import load_config

    overrides = [a for a in argv if not a.startswith(("-", "hydra.", "hydra/", "+hydra", "~hydra"))]
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as err:
        fail(f"cannot parse the overrides: {err}".splitlines()[0])
    fixed, swept = [], []
    for text, override in zip(overrides, parsed):
        if override.is_sweep_override():
            if override.is_discrete_sweep():  # choices and ranges; intervals belong to optimizing sweepers
                key = override.get_key_element()
                swept.append([f"{key}={v}" for v in override.sweep_string_iterator()])
        else:
            fixed.append(text)
    combos = [[]] if not swept else []
    for i, values in enumerate(swept):
        others = [v[0] for j, v in enumerate(swept) if j != i]
        combos.extend([value, *others] for value in values)
    try:
        for combo in combos:
            load_config(fixed + combo)
    except ConfigError as err:
        fail(str(err))


def _progress_printer(horizon_weeks: int):
    """A tqdm bar on an interactive terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=horizon_weeks, unit="wk", desc="simulating", leave=False)

    def progress(week: int, horizon: int) -> None:
        bar.update(week - bar.n)
        if week >= horizon:
            bar.close()

    return progress


def task(cfg) -> float:
    """One Hydra job: validate, simulate (or skip if already complete), write the run folder.

    Returns the objective (`evaluation.objective`) for optimizing sweepers.
    """
    import logging

    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from .config.load import build, to_container
    from .runs.jobs import headline, objective, run_job

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    try:
        config = build(to_container(cfg))
    except ConfigError as err:
        fail(str(err))
    hydra_cfg = HydraConfig.get()
    sweeping = hydra_cfg.mode == RunMode.MULTIRUN
    if sweeping and config.sim.numba_threads == 0:
        config.sim.numba_threads = 1  # sweep jobs share the cores: one numba thread each
    if sweeping and not config.output.sweep_charts:
        config.output.charts = config.output.report = False
    folder = config.output.dir or hydra_cfg.runtime.output_dir
    progress = None if sweeping else _progress_printer(config.sim.horizon_weeks)
    try:
        status, metrics = run_job(config, folder, progress=progress)
    except OSError as err:
        fail(f"output.dir = {folder!r}: cannot write the run folder ({err.strerror})", code=1)
    if status == "complete" and config.output.report:
        from .present.report import write_report_logged

        write_report_logged(folder, keep_charts=config.output.charts)
    if status == "failed":
        if not sweeping:
            fail(f"the run failed; see {folder}/status.json", code=1)
        return float("nan")
    if not sweeping:
        for line in headline(config, metrics):
            print(line)
        print(f"{PROG}: wrote {folder}")
    return objective(config, metrics)


def run_hydra(argv: list[str]) -> None:
    import hydra

    from .config.load import CONFIG_NAME, config_dir

    main = hydra.main(config_path=str(config_dir()), config_name=CONFIG_NAME, version_base="1.3")(task)
    sys.argv = [PROG, *argv]
    main()


def warn_threading_layer() -> None:
    """One line on stderr when numba's intended TBB threading layer cannot run here."""
    from .engine.numba_setup import threading_layer_warning

    line = threading_layer_warning()
    if line:
        print(f"{PROG}: note: {line}", file=sys.stderr)


SUBCOMMANDS = ("collect", "compare", "sensitivity", "report", "explore")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        from .commands import dispatch

        sys.exit(dispatch(argv))
    if not any(a.startswith("--") for a in argv):  # --help, --cfg ... are Hydra's own
        precheck(argv)
    warn_threading_layer()
    if _is_multirun(argv):
        from .studies.progress import run_sweep

        run_sweep(argv, run_hydra)
    else:
        run_hydra(argv)


if __name__ == "__main__":
    main()
