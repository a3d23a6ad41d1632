"""Load, compose and validate configurations.

`build(mapping)` turns a plain mapping into a checked `schema.Config`: unknown
keys, missing keys, wrong types and out-of-range values all raise a one-line
`ConfigError`. `load_config(overrides)` composes `configs/` with Hydra's compose
API, for notebooks and scripts; the CLI goes through `hydra.main` and then
`build` on the same composed tree.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import os
import re
import types
import typing
from pathlib import Path
from typing import Any, Mapping

from .schema import Config, ConfigError

CONFIG_NAME = "config"


def _register_resolvers() -> None:
    """`${mentorsim.first_set:a,b}`: a unless it is null or empty, else b (configs/config.yaml uses it
    to put Hydra's run folder at output.dir when one is chosen)."""
    from omegaconf import OmegaConf

    OmegaConf.register_new_resolver("mentorsim.first_set", lambda *values: next(
        (v for v in values if v not in (None, "")), None), replace=True)


_register_resolvers()


def config_dir() -> Path:
    """The Hydra config folder: $MENTORSIM_CONFIG_DIR or the repository's `configs/`."""
    env = os.environ.get("MENTORSIM_CONFIG_DIR")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[2] / "configs"  # Hydra wants it absolute


def _type_name(tp) -> str:
    return getattr(tp, "__name__", str(tp))


def _convert(value: Any, tp, path: str):
    """Convert `value` to type `tp` or raise a ConfigError naming `path`."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(value, option, path)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(errors[0])
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{path} = {value!r}: {_mapping_hint(tp, value, path)}")
        return _build_dataclass(tp, value, path)
    if origin is list:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{path} = {value!r}: must be a list")
        (item_tp,) = typing.get_args(tp)
        return [_convert(v, item_tp, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{path} = {value!r}: must be a mapping")
        key_tp, val_tp = typing.get_args(tp)
        return {str(k): _convert(v, val_tp, f"{path}.{k}") for k, v in value.items()}
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{path} = {value!r}: must be true or false")
    if tp is int:
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, float) and value.is_integer())):
            raise ConfigError(f"{path} = {value!r}: must be an integer")
        return int(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{path} = {value!r}: must be a number")
        if not math.isfinite(value):  # inf and nan pass every range check and poison the results
            raise ConfigError(f"{path} = {value!r}: must be a finite number")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path} = {value!r}: must be a string")
        return value
    raise TypeError(f"unsupported schema type {tp} at {path}")  # a bug in schema.py, not a user error


def _mapping_hint(cls, value, path: str) -> str:
    """What to write instead of a plain value where a section (a mapping) belongs."""
    keys = ", ".join(f.name for f in dataclasses.fields(cls))
    hint = f"must be a mapping of the section's keys ({keys})"
    scalar_key = getattr(cls, "SCALAR_KEY", None)
    if scalar_key and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        if path.endswith(".matching"):  # a program's own section is empty (null) until set: ++ adds to it
            hint += f"; to choose the {scalar_key}, write matching={value} (every program) or ++{path}.{scalar_key}={value}"
        else:
            hint += f"; to choose the {scalar_key}, write {path}.{scalar_key}={value}"
    return hint


@functools.cache
def _schema(cls) -> tuple[dict, dict]:
    """A section's field types and fields (`typing.get_type_hints` evaluates every annotation's text
    anew on each call: most of what checking a config cost)."""
    return typing.get_type_hints(cls), {f.name: f for f in dataclasses.fields(cls)}


def _build_dataclass(cls, mapping: Mapping, path: str):
    hints, fields = _schema(cls)
    prefix = f"{path}." if path else ""
    for key in mapping:
        if key not in fields:
            allowed = ", ".join(fields)
            raise ConfigError(f"{prefix}{key}: unknown key; allowed keys here: {allowed}")
    kwargs = {}
    for name, f in fields.items():
        if name in mapping:
            kwargs[name] = _convert(mapping[name], hints[name], f"{prefix}{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{prefix}{name}: missing required key")
    return cls(**kwargs)


def build(mapping: Mapping) -> Config:
    """A checked Config from a plain mapping (e.g. a resolved Hydra config)."""
    mapping = {k: v for k, v in mapping.items() if k != "hydra"}
    cfg = _build_dataclass(Config, mapping, "")
    cfg.check()
    return cfg


def to_container(cfg) -> dict:
    """Resolve an OmegaConf config into plain Python containers, errors as ConfigError."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    try:
        return OmegaConf.to_container(cfg, resolve=True)
    except OmegaConfBaseException as err:
        raise ConfigError(one_line(str(err))) from None


def one_line(message: str) -> str:
    """Collapse a multi-line library message into one line."""
    parts = [re.sub(r"\s+", " ", p).strip() for p in message.strip().splitlines()]
    return "; ".join(p for p in parts if p)


def compose(overrides: list[str] | None = None, config_name: str = CONFIG_NAME, return_hydra_config: bool = False):
    """Compose `configs/` with Hydra overrides into an (unresolved) OmegaConf config; errors as ConfigError.
    `return_hydra_config`: keep Hydra's own `hydra` node in it (as Hydra's compose does)."""
    import yaml
    from hydra import compose as hydra_compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    folder = config_dir()
    if config_name == CONFIG_NAME and not (folder / f"{CONFIG_NAME}.yaml").is_file():
        where = "MENTORSIM_CONFIG_DIR" if os.environ.get("MENTORSIM_CONFIG_DIR") else "the config folder"
        raise ConfigError(f"{where} = {str(folder)!r}: must be a folder holding {CONFIG_NAME}.yaml "
                          f"(a copy of the repository's configs/)")
    try:
        with initialize_config_dir(config_dir=str(folder), version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=list(overrides or []),
                                 return_hydra_config=return_hydra_config)
    except (HydraException, OmegaConfBaseException) as err:
        raise ConfigError(hydra_message(str(err), str(err.__cause__ or ""))) from None
    except yaml.YAMLError as err:  # a config file that is not valid YAML: Hydra lets the parser's error through
        raise ConfigError(yaml_message(err)) from None
    except ValueError as err:  # Hydra's check of a group option that is not a name (`org=3`)
        raise ConfigError(group_value_message(list(overrides or [])) or one_line(str(err))) from None


def group_options(group: str) -> list[str]:
    """The config names in a config group folder (e.g. `org`: default, large, small)."""
    return sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))


def group_value_message(overrides: list[str]) -> str | None:
    """`org = 3: must name a config ...` for the first group override whose value is not a name."""
    for text in overrides:
        key, _, value = text.lstrip("+~").partition("=")
        if (config_dir() / key).is_dir() and not re.fullmatch(r"[A-Za-z_][\w.-]*", value):
            return f"{key} = {value!r}: must name a config in {key}/: {', '.join(group_options(key))}"
    return None


def compose_tree(overrides: list[str] | None = None, config_name: str = CONFIG_NAME) -> dict:
    """Compose `configs/` with Hydra overrides into a plain dict; errors as ConfigError."""
    return to_container(compose(overrides, config_name))


def yaml_message(err) -> str:
    """A YAML parser's error as one line naming the file and the line."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or one_line(str(err))
    context = getattr(err, "context", None)
    where = f"{mark.name}: line {mark.line + 1}, column {mark.column + 1}" if mark else "a config file"
    return f"{where}: not valid YAML: {problem}" + (f" ({context})" if context else "")


def hydra_message(message: str, cause: str = "") -> str:
    """Hydra's multi-line composition errors, said in one line in our key = value form."""
    missing = re.search(r"Could not override '([^']+)'", message)
    if missing:
        full = re.search(r"full_key: (\S+)", cause)
        key = full.group(1) if full else missing.group(1)
        matching = re.fullmatch(r"(.*program\S*)\.matching\.(\w+)", key)
        if matching:  # a program's matching section is null (it follows the top-level group) until set
            return (f"{key}: a program's matching section is empty until set; write ++{key}=VALUE "
                    f"(this program) or matching.{matching.group(2)}=VALUE (every program)")
        return f"{key}: unknown key; check the spelling (a new key needs +{key}=VALUE)"
    group = re.search(r"Could not find '([^'/]+)/([^']+)'", message)
    if group:
        name, option = group.groups()
        listed = message.split(f"Available options in '{name}':", 1)[-1].split("Config search path", 1)[0]
        options = ", ".join(line.strip() for line in listed.splitlines() if line.strip())
        return f"{name} = {option!r}: no such config; available: {options}"
    group = re.search(r"Could not load '([^'/]+)/([^']+)'", message)
    if group:
        name, option = group.groups()
        return f"{name} = {option!r}: no such config; available: {', '.join(group_options(name))}"
    return one_line(message.split("Config search path", 1)[0])


def load_config(overrides: list[str] | None = None, config_name: str = CONFIG_NAME) -> Config:
    """Compose and validate a run configuration, e.g. `load_config(["org=small"])`."""
    from .snapshot import resolve_in_config, searchpath_folders

    config = build(compose_tree(overrides, config_name))
    resolve_in_config(config, searchpath_folders(overrides) + [config_dir()])  # org.start_from made absolute
    return config


def plain_data(value):
    """`dataclasses.asdict`'s data for a config (equal dicts, lists and values), without its deep copy of
    every leaf: the config's hashes and its YAML only read it (asdict cost ~2 ms a call)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return type(value)(plain_data(v) for v in value)
    if isinstance(value, dict):
        return type(value)((plain_data(k), plain_data(v)) for k, v in value.items())
    return value


def as_dict(cfg: Config) -> dict:
    """The config as plain data (for config.yaml in a run folder)."""
    return plain_data(cfg)
