"""Command line: `mentorsim [hydra overrides]` runs one scenario (or a sweep with -m).

A user mistake (bad override, bad value, inconsistent org) prints one line,
`mentorsim: error: <key> = <value>: <what is allowed>`, and exits with code 2.
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import seed_workers
from .config.schema import ConfigError
from .precheck import PROG, UNKNOWN, checked, fail, hydra_mode_known, is_multirun, precheck  # noqa: F401


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


def task(cfg) -> float | None:
    """One Hydra job: validate, simulate (or skip if already complete), write the run folder.

    In a sweep, returns the objective for optimizing sweepers (`sim.runs.jobs.objective`:
    `evaluation.objective` over `evaluation.objective_seeds` seeds, with its budget penalty).
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from .config.load import build, to_container
    from .runs.jobs import config_hash, headline, objective, run_job
    from .studies.hydra_job import prepared_tree

    quiet_mesa()
    from .config.snapshot import resolve_in_config

    hydra_cfg = HydraConfig.get()
    try:
        tree = prepared_tree(cfg)  # a sweep job's config data, read for its record already
        config = build(tree if tree is not None else to_container(cfg))
        resolve_in_config(config, [Path(s.path) for s in hydra_cfg.runtime.config_sources if s.schema == "file"])
    except ConfigError as err:
        fail(str(err))
    sweeping = hydra_cfg.mode == RunMode.MULTIRUN
    if sweeping and config.sim.numba_threads == 0:
        config.sim.numba_threads = 1  # sweep jobs share the cores: one numba thread each
    if sweeping and not config.output.sweep_charts:
        config.output.charts = config.output.report = False
    if sweeping and not config.evaluation.sweep_decomposition:
        config.evaluation.decomposition = False
    folder = config.output.dir or hydra_cfg.runtime.output_dir
    started = seed_workers.take_early(config, sweeping)
    if started is None:
        note_first_compile()
        # workers first, before the first seed and the progress bar (a thread of its own) start, so they can
        # be forked from this process
        started = seed_workers.start(config, sweeping)
    workers, seeds = started
    if workers is not None and not config.sim.numba_threads:
        import numba

        numba.set_num_threads(1)  # this process is one of the workers on the cores (after they forked)
    if workers is not None and config.output.report:
        from .present.pdf import prepare_drawing

        workers.when_idle(prepare_drawing)  # a worker will draw half the report's pages
    progress = None if sweeping else _progress_printer(config.sim.horizon_weeks)
    digest = config_hash(config)  # for the folder's status and the objective, once
    try:
        try:
            # a sweep job writes what collect and compare read, unless more is asked for
            tables = not sweeping or config.output.sweep_tables or config.output.sweep_charts
            status, metrics = run_job(config, folder, progress=progress, tables=tables, digest=digest,
                                      more_metrics=seeds.finish if seeds is not None else None, workers=workers)
        except BrokenPipeError:  # stdout, not the folder ("skipped, already complete")
            stdout_gone()
        except OSError as err:  # the folder cannot be made or written: a path the user chose
            fail(f"output.dir = {folder!r}: cannot write the run folder ({err.strerror})")
        if status == "complete" and config.output.report:
            from .present.report import write_report_logged

            # after status.json, while the workers are still there: one draws half the PDF's pages
            write_report_logged(folder, keep_charts=config.output.charts, workers=workers)
    finally:
        if seeds is not None:
            seeds.close()
        if workers is not None:
            workers.close()
    if status == "failed":
        if not sweeping:
            fail(f"the run failed; see {folder}/status.json", code=1)
        return float("nan")
    if not sweeping:
        try:
            for line in headline(config, metrics):
                print(line)
            print(f"{PROG}: wrote {folder}")
        except BrokenPipeError:  # raised inside Hydra's job, which would print it as an error
            stdout_gone()
    return objective(config, metrics, folder, digest) if sweeping else None  # only sweepers read it


def quiet_mesa() -> None:
    """Mesa logs every step at INFO (its logger is set to DEBUG): a worker would keep every record."""
    import logging

    logging.getLogger("MESA").setLevel(logging.WARNING)


def start_early(config) -> None:
    """Start the worker processes and hand them the run's other seeds now, with the config the precheck
    built: they work while Hydra composes the config again and sets up the job (about 0.3 CPU-seconds of
    this process). `task` takes them over (`seed_workers.take_early`) when its config is the same;
    otherwise they are closed and it starts its own. Each seed gives the same numbers wherever and whenever it runs."""
    quiet_mesa()  # before the workers fork, as `task` does
    note_first_compile()
    seed_workers.start_early(config)


def run_hydra(argv: list[str], mode=UNKNOWN) -> None:
    """Hydra's main with `task`. `mode`: the `hydra.mode` the pre-check read from its composition, which
    Hydra then need not compose the config a third time to find (about 0.1 CPU-second)."""
    import hydra

    from .config.load import CONFIG_NAME, config_dir

    main = hydra.main(config_path=str(config_dir()), config_name=CONFIG_NAME, version_base="1.3")(task)
    sys.argv = [PROG, *argv]
    with hydra_mode_known(mode):
        main()


def warn_threading_layer() -> None:
    """One line on stderr when numba's intended TBB threading layer cannot run here."""
    from .engine.numba_setup import threading_layer_warning

    line = threading_layer_warning()
    if line:
        print(f"{PROG}: note: {line}", file=sys.stderr)


_COMPILE_NOTED: list[bool] = []  # said already in this process (the early start and the job both ask)


def note_first_compile() -> None:
    """One line on stderr before the kernels of this source version are compiled (the first run), once."""
    from .engine.numba_setup import kernels_cached

    if not _COMPILE_NOTED and kernels_cached() is False:
        _COMPILE_NOTED.append(True)
        print(f"{PROG}: compiling kernels for this version (first run only, about a minute)...", file=sys.stderr)


SUBCOMMANDS = ("collect", "compare", "sensitivity", "report", "hris", "calibrate", "explore")
HELP_FLAGS = ("--help", "-h")
CONFIG_HELP = "--config-help"  # Hydra's --help for this app: the config groups and their options


def main(argv: list[str] | None = None) -> None:
    import logging

    # A log line to a closed stdout (mentorsim ... | head) is dropped, not reported with a traceback;
    # the next print ends the command quietly (stdout_gone).
    logging.raiseExceptions = False
    try:
        _main(argv)
    except BrokenPipeError:
        stdout_gone()


def stdout_gone():
    """The reader of stdout went away (mentorsim ... | head): exit quietly, as Unix tools do."""
    import os

    # Python would report the failed flush of stdout at exit: point stdout at /dev/null first.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1)


def _main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        from .commands import dispatch

        sys.exit(dispatch(argv))
    if argv[:1] == ["help"] or any(a in HELP_FLAGS for a in argv):
        from .commands import main_help

        print(main_help(), end="")
        sys.exit(0)
    if argv and "=" not in argv[0] and not argv[0].startswith(("-", "~")):
        fail(f"command = {argv[0]!r}: unknown; commands: {', '.join(SUBCOMMANDS)}, or Hydra overrides "
             f"KEY=VALUE (mentorsim --help)")
    argv = ["--help" if a == CONFIG_HELP else a for a in argv]
    config, mode = checked(argv)  # not for --help, --cfg ...: those are Hydra's own (None)
    warn_threading_layer()
    if is_multirun(argv):
        from .studies.launch import check_launcher_args
        from .studies.progress import run_sweep

        try:
            check_launcher_args(argv)
            run_sweep(argv, run_hydra)
        except ConfigError as err:  # e.g. a sweep folder that cannot be written
            fail(str(err))
    else:
        try:
            if config is not None:
                start_early(config)  # the other seeds start while Hydra composes again
            run_hydra(argv, mode)
        finally:
            seed_workers.close_early()


if __name__ == "__main__":
    main()
