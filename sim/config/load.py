"""Load, compose and validate configurations.

`build(mapping)` turns a plain mapping into a checked `schema.Config`: unknown
keys, missing keys, wrong types and out-of-range values all raise a one-line
`ConfigError`. `load_config(overrides)` composes `configs/` with Hydra's compose
API, for notebooks and scripts; the CLI goes through `hydra.main` and then
`build` on the same composed tree.
"""
from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
from pathlib import Path
from typing import Any, Mapping

from .schema import Config, ConfigError

CONFIG_NAME = "config"


def config_dir() -> Path:
    """The Hydra config folder: $MENTORSIM_CONFIG_DIR or the repository's `configs/`."""
    env = os.environ.get("MENTORSIM_CONFIG_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "configs"


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
            raise ConfigError(f"{path} = {value!r}: must be a mapping of {_type_name(tp)} keys")
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
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path} = {value!r}: must be a string")
        return value
    raise TypeError(f"unsupported schema type {tp} at {path}")  # a bug in schema.py, not a user error


def _build_dataclass(cls, mapping: Mapping, path: str):
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
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


def compose_tree(overrides: list[str] | None = None, config_name: str = CONFIG_NAME) -> dict:
    """Compose `configs/` with Hydra overrides into a plain dict; errors as ConfigError."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            cfg = compose(config_name=config_name, overrides=list(overrides or []))
    except (HydraException, OmegaConfBaseException) as err:
        raise ConfigError(hydra_message(str(err), str(err.__cause__ or ""))) from None
    return to_container(cfg)


def hydra_message(message: str, cause: str = "") -> str:
    """Hydra's multi-line composition errors, said in one line in our key = value form."""
    missing = re.search(r"Could not override '([^']+)'", message)
    if missing:
        full = re.search(r"full_key: (\S+)", cause)
        key = full.group(1) if full else missing.group(1)
        return f"{key}: unknown key; check the spelling (a new key needs +{key}=VALUE)"
    group = re.search(r"Could not find '([^'/]+)/([^']+)'", message)
    if group:
        name, option = group.groups()
        listed = message.split(f"Available options in '{name}':", 1)[-1].split("Config search path", 1)[0]
        options = ", ".join(line.strip() for line in listed.splitlines() if line.strip())
        return f"{name} = {option!r}: no such config; available: {options}"
    return one_line(message.split("Config search path", 1)[0])


def load_config(overrides: list[str] | None = None, config_name: str = CONFIG_NAME) -> Config:
    """Compose and validate a run configuration, e.g. `load_config(["org=small"])`."""
    return build(compose_tree(overrides, config_name))


def as_dict(cfg: Config) -> dict:
    """The config as plain data (for config.yaml in a run folder)."""
    return dataclasses.asdict(cfg)
