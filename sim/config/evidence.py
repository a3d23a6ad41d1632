"""Evidence targets as data (`configs/evidence/*.yaml`, one target a file): which metrics key, for
whom, the range the literature supports, its source, and how the model measures it. Loading checks
every file and reports the first mistake as one line (`ConfigError`)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .checks import ConfigError, require
from .load import config_dir

KINDS = ("published_estimate", "working_range")
REQUIRED = ("quantity", "population", "low", "high", "evidence", "source", "measured_as")
OPTIONAL = ("value",)
QUANTITY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")


@dataclass(frozen=True)
class Target:
    """One evidence target: `low <= quantity <= high` is the model's aim."""

    name: str
    quantity: str
    population: str
    low: float
    high: float
    evidence: str  # published_estimate | working_range
    source: str
    measured_as: str
    value: float | None = None

    def holds(self, x: float) -> bool:
        """Whether x is inside the target range (NaN is not)."""
        return self.low <= x <= self.high


def _number(path: str, value) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    require(ok, path, value, "must be a finite number")
    return float(value)


def parse_target(name: str, data) -> Target:
    """A Target from one file's mapping, checked; `name` (the file's stem) prefixes every error."""
    require(isinstance(data, dict), f"evidence.{name}", type(data).__name__, "must be a mapping of "
            + ", ".join(REQUIRED))
    for key in data:
        require(key in REQUIRED + OPTIONAL, f"evidence.{name}.{key}", data[key],
                f"unknown key; allowed: {', '.join(REQUIRED + OPTIONAL)}")
    for key in REQUIRED:
        require(key in data, f"evidence.{name}.{key}", None, "is required")
    for key in ("quantity", "population", "source", "measured_as", "evidence"):
        require(isinstance(data[key], str) and data[key].strip(), f"evidence.{name}.{key}", data[key],
                "must be a non-empty string")
    require(QUANTITY.match(data["quantity"]) is not None, f"evidence.{name}.quantity", data["quantity"],
            "must be a metrics.json key (dotted words, e.g. effect.mentee.exit_hazard_ratio)")
    require(data["evidence"] in KINDS, f"evidence.{name}.evidence", data["evidence"], f"must be one of {', '.join(KINDS)}")
    low, high = _number(f"evidence.{name}.low", data["low"]), _number(f"evidence.{name}.high", data["high"])
    require(low <= high, f"evidence.{name}.high", high, f"must be >= low ({low})")
    value = None
    if data.get("value") is not None:
        value = _number(f"evidence.{name}.value", data["value"])
        require(low <= value <= high, f"evidence.{name}.value", value, f"must lie in [low, high] = [{low}, {high}]")
    return Target(name=name, quantity=data["quantity"], population=data["population"].strip(), low=low, high=high,
                  evidence=data["evidence"], source=" ".join(data["source"].split()),
                  measured_as=" ".join(data["measured_as"].split()), value=value)


def load_targets(folder: str | Path | None = None) -> list[Target]:
    """Every `*.yaml` in `folder` (default: the config folder's `evidence/`), in name order, checked."""
    folder = config_dir() / "evidence" if folder is None else Path(folder)
    require(folder.is_dir(), "evidence", str(folder), "must be a folder of target files (*.yaml)")
    targets = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ConfigError(f"evidence.{path.stem} = {path.name}: is not valid YAML ({first})") from None
        targets.append(parse_target(path.stem, data))
    require(bool(targets), "evidence", str(folder), "holds no target file (*.yaml)")
    quantities = [t.quantity for t in targets]
    dup = next((q for q in quantities if quantities.count(q) > 1), None)
    require(dup is None, "evidence.quantity", dup, "each quantity may have one target only")
    return targets
