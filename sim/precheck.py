"""The command line's pre-check: compose and validate the config before Hydra starts, so that a user
mistake is one line on stderr, `mentorsim: error: <key> = <value>: <what is allowed>`, and exit code 2
(`sim.cli` runs it first); it also tells Hydra the `hydra.mode` its composition holds.
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from .config.schema import ConfigError

EXIT_USAGE = 2
PROG = "mentorsim"


def fail(message: str, code: int = EXIT_USAGE):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(code)


def is_multirun(argv: list[str]) -> bool:
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
    if config.output.dir and is_multirun(argv):  # every job would write the same folder
        fail(f"output.dir = {config.output.dir!r}: a sweep writes one folder per job; set "
             f"hydra.sweep.dir={config.output.dir} instead")
    if config.output.dir and not is_multirun(argv):
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


@contextlib.contextmanager
def hydra_mode_known(mode):
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
