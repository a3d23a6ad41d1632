"""Command line: `mentorsim [hydra overrides]` runs one scenario (or a sweep with -m).

A user mistake (bad override, bad value, inconsistent org) prints one line,
`mentorsim: error: <key> = <value>: <what is allowed>`, and exits with code 2.
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from . import seed_workers
from .config.schema import ConfigError

EXIT_USAGE = 2
PROG = "mentorsim"


def fail(message: str, code: int = EXIT_USAGE):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(code)


def _is_multirun(argv: list[str]) -> bool:
    return "-m" in argv or "--multirun" in argv


UNKNOWN = object()  # a `hydra.mode` the pre-check could not tell (Hydra then composes to find it)
# command-line Hydra keys that the pre-check's composition leaves out and that cannot set hydra.mode
MODE_NEUTRAL = ("hydra.run.dir=", "hydra.searchpath=")


def precheck(argv: list[str]):
    """The Config of `checked(argv)` (None when Hydra alone should answer)."""
    return checked(argv)[0]


def checked(argv: list[str]):
    """Compose and validate before Hydra starts, so mistakes are one line and exit 2; returns the Config
    and the `hydra.mode` the composition sets (None when unset; UNKNOWN when it cannot tell).

    In a sweep, every value of every swept key is checked once (the others at their first
    value). The config is composed once, with every key at its first value; each other value of
    a plain key is then set on that composed config and checked, as Hydra would set it. Values
    of config groups (`org=small,large`), and additions or deletions, are composed in full.
    A single run's `output.dir` is created here, so that an unusable path is a user mistake
    reported before Hydra writes anything.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    from .config.load import CONFIG_NAME, build, compose as compose_config, config_dir, to_container
    from .config.snapshot import resolve_in_config, searchpath_folders

    args = _hydra_args(argv)
    if args is None:
        return None, UNKNOWN
    overrides = [a for a in args.overrides if not a.startswith(("hydra", "+hydra", "++hydra", "~hydra"))]
    searchpath = [a for a in args.overrides if a.startswith("hydra.searchpath=")]
    if args.config_dir and not searchpath:  # Hydra adds --config-dir to its search path
        searchpath = [f"hydra.searchpath=[file://{Path(args.config_dir).resolve()}]"]
    parser = OverridesParser.create()
    try:
        parsed = parser.parse_overrides(overrides)
    except HydraException as err:
        fail(f"cannot parse the overrides: {err}".splitlines()[0])
    fixed, swept = [], []  # swept: (override, its values as `key=value` texts)
    for text, override in zip(overrides, parsed):
        if override.is_sweep_override():
            if override.is_discrete_sweep():  # choices and ranges; intervals belong to optimizing sweepers
                key = override.get_key_element()
                swept.append((override, [f"{key}={v}" for v in override.sweep_string_iterator()]))
        else:
            fixed.append(text)
    firsts = [texts[0] for _, texts in swept]
    fixed += searchpath
    name = args.config_name or CONFIG_NAME

    def compose(overrides):
        return compose_config(overrides, name)

    try:
        base = compose_config(fixed + firsts, name, return_hydra_config=True)
        mode = _take_hydra_mode(base, args.overrides)
        if args.config_dir:  # Hydra puts that folder first in its search path, the pre-check's searchpath last
            mode = UNKNOWN
        tree = to_container(base)
        config = build(tree)
        resolve_in_config(config, searchpath_folders(fixed) + [config_dir()])  # org.start_from: the file exists
        interpolated = bool(swept) and _has_interpolation(base)
        for i, (override, texts) in enumerate(swept):
            for text in texts[1:]:
                if _set_in_place(override):
                    _check_set(base, tree, parser.parse_override(text), interpolated)
                else:
                    build(to_container(compose(fixed + firsts[:i] + firsts[i + 1:] + [text])))
    except ConfigError as err:
        fail(str(err))
    if config.output.dir and _is_multirun(argv):  # every job would write the same folder
        fail(f"output.dir = {config.output.dir!r}: a sweep writes one folder per job; set "
             f"hydra.sweep.dir={config.output.dir} instead")
    if config.output.dir and not _is_multirun(argv):
        try:
            Path(config.output.dir).mkdir(parents=True, exist_ok=True)
        except OSError as err:
            fail(f"output.dir = {config.output.dir!r}: cannot create the run folder ({err.strerror})")
    return config, mode


def _take_hydra_mode(cfg, overrides: list[str]):
    """Remove Hydra's own node from a composed config (as Hydra's compose does unless asked to keep it) and
    return the `hydra.mode` it held: what Hydra's `get_mode` composes the config once more to read. UNKNOWN
    when the command line sets Hydra keys that the pre-check leaves out of its composition."""
    from omegaconf import open_dict

    try:
        mode = cfg.hydra.mode
    except Exception:  # an interpolation that does not resolve here: let Hydra find it
        mode = UNKNOWN
    with open_dict(cfg):
        del cfg["hydra"]
    if any(o.lstrip("+~").startswith("hydra") and not o.startswith(MODE_NEUTRAL) for o in overrides):
        mode = UNKNOWN
    return mode


def _hydra_args(argv: list[str]):
    """Hydra's own reading of the command line (overrides, --config-dir, --config-name), or None
    when Hydra alone should answer: --help, --cfg, --info, --version and the like, --config-path,
    or flags it rejects (Hydra then says why)."""
    import io

    from hydra._internal.utils import get_args_parser

    if "--version" in argv:
        return None
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            args = get_args_parser().parse_args(argv)
    except SystemExit:
        return None
    if (args.help or args.hydra_help or args.cfg or args.info or args.shell_completion or args.config_path
            or args.experimental_rerun):
        return None
    return args


def _set_in_place(override) -> bool:
    """Whether a swept value can be checked by setting it on the composed config: a plain change of
    a key (not a config group, not an addition or deletion, no package)."""
    from hydra.core.override_parser.types import OverrideType

    from .config.load import config_dir

    return (override.type == OverrideType.CHANGE and override.package is None
            and not (config_dir() / override.key_or_group).is_dir())


def _check_set(base, tree: dict, override, interpolated: bool) -> None:
    """Set one override's value as Hydra would, on a copy of the composed config, and validate.

    A plain value goes into a copy of the resolved tree (a few ms) when no value of the config
    is an interpolation that could depend on it; otherwise into a copy of the OmegaConf config
    (Hydra's own update, merge included; about 20 ms).
    """
    import copy

    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from .config.load import build, one_line, to_container

    value = override.value()
    if not isinstance(value, dict) and not interpolated:
        changed = copy.deepcopy(tree)
        if _set_path(changed, override.key_or_group.split("."), value):
            build(changed)
            return
    cfg = copy.deepcopy(base)
    try:
        OmegaConf.update(cfg, override.key_or_group, value, merge=True)
    except OmegaConfBaseException as err:
        raise ConfigError(f"{override.key_or_group}: {one_line(str(err))}") from None
    build(to_container(cfg))


def _has_interpolation(cfg) -> bool:
    from omegaconf import OmegaConf

    return "${" in str(OmegaConf.to_container(cfg, resolve=False))


def _set_path(tree, parts: list[str], value) -> bool:
    """tree[a][b][0] = value for parts a, b, 0; False (nothing set) when the path is not there."""
    node = tree
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, dict) and part in node:
            if last:
                node[part] = value
                return True
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            if last:
                node[int(part)] = value
                return True
            node = node[int(part)]
        else:
            return False
    return False


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
    from .runs.jobs import headline, objective, run_job

    quiet_mesa()
    from .config.snapshot import resolve_in_config

    hydra_cfg = HydraConfig.get()
    try:
        config = build(to_container(cfg))
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
    try:
        try:
            # a sweep job writes what collect and compare read, unless more is asked for
            tables = not sweeping or config.output.sweep_tables or config.output.sweep_charts
            status, metrics = run_job(config, folder, progress=progress, tables=tables,
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
    return objective(config, metrics, folder) if sweeping else None  # only sweepers read it


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
    with _hydra_mode_known(mode):
        main()


@contextlib.contextmanager
def _hydra_mode_known(mode):
    """Hydra's `get_mode` (a composition made only to read `hydra.mode`) answers `mode` meanwhile."""
    from hydra._internal.hydra import Hydra

    original = getattr(Hydra, "get_mode", None)
    if mode is UNKNOWN or original is None:
        yield
        return
    Hydra.get_mode = lambda self, config_name, overrides: mode
    try:
        yield
    finally:
        Hydra.get_mode = original


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
    if _is_multirun(argv):
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
