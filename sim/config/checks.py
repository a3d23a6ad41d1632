"""Config errors and the small checks every schema uses."""
from __future__ import annotations


class ConfigError(ValueError):
    """A user mistake in the configuration: reported as one line, exit code 2."""


def require(ok: bool, path: str, value, allowed: str) -> None:
    """Raise a one-line ConfigError unless `ok`."""
    if not ok:
        raise ConfigError(f"{path} = {value!r}: {allowed}")


def require_unique(names: list, path: str, allowed: str = "names must be unique") -> None:
    """Raise a one-line ConfigError naming the list when a name appears in it twice."""
    require(len(set(names)) == len(names), path, names, allowed)


def in_unit(path: str, value, *, closed_low: bool = True, closed_high: bool = True) -> None:
    """Require 0 <= value <= 1 (bounds optionally open)."""
    low_ok = value >= 0 if closed_low else value > 0
    high_ok = value <= 1 if closed_high else value < 1
    lo = "[" if closed_low else "("
    hi = "]" if closed_high else ")"
    require(low_ok and high_ok, path, value, f"must be in {lo}0, 1{hi}")


def non_negative(obj, path: str, *keys: str) -> None:
    """Require every named attribute of `obj` to be >= 0."""
    for key in keys:
        value = getattr(obj, key)
        require(value >= 0, f"{path}.{key}", value, "must be >= 0")
