"""The sensitivity spec: parameters and ranges, outcomes, method, seeds; checked before any run.

A spec is a YAML file (configs/sensitivity/*.yaml). Every mistake in it, or in a
command-line option that overrides it, is one ConfigError naming the key (or
the option, e.g. `--trajectories`), the value and what is allowed.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from ..config.checks import ConfigError, require

# The dummy parameter: the model never reads it (see `seeds_for` in sensitivity.py).
DUMMY = "dummy"
# Sobol (Saltelli) base samples: a power of two, at least this many. Sobol' sequences are
# balanced only at powers of two; on the Ishigami test function the worst first-order index
# is off by 0.20 (median of 20 designs) at 32 base samples and by 0.10 at 64.
SOBOL_MIN_SAMPLES = 64


@dataclass
class Param:
    name: str
    low: float
    high: float
    type: str = "float"  # float | int


@dataclass
class Spec:
    params: list[Param]
    outcomes: list[str]
    method: str = "morris"
    trajectories: int = 6
    levels: int = 4
    samples: int = SOBOL_MIN_SAMPLES
    seed: int = 0  # SALib's sampling seed; the simulation seeds follow sim.seed in overrides
    seeds: int = 5  # simulation seeds averaged per sample (common within a trajectory)
    dummy: bool = True  # add the dummy parameter: the noise floor
    jobs: int = -1
    overrides: list[str] = field(default_factory=list)
    # where each setting came from, for error messages: "trajectories" or "--trajectories"
    labels: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path, extra_overrides: list[str] = (), options: dict | None = None) -> "Spec":
        """Read a spec; `options` (e.g. {"jobs": 2} from the command line) replace its values."""
        try:
            data = yaml.safe_load(Path(path).read_text())
        except (OSError, yaml.YAMLError) as err:
            raise ConfigError(f"spec = {str(path)!r}: cannot read it ({err})".splitlines()[0]) from None
        data = {} if data is None else data
        require(isinstance(data, dict), "spec", str(path), "must be a YAML mapping of keys")
        raw_params = data.pop("params", None) or {}
        require(isinstance(raw_params, dict), "params", raw_params, "a mapping: name: {low: ..., high: ...}")
        params = [_param(name, bounds) for name, bounds in raw_params.items()]
        known = {f.name for f in fields(cls)} - {"params", "labels"}
        for key in data:
            require(key in known, key, data[key], f"unknown key; allowed: params, {', '.join(sorted(known))}")
        labels = {}
        for key, value in (options or {}).items():
            if value is not None:
                data[key], labels[key] = value, f"--{key}"
        spec = cls(params=params, labels=labels, **data)
        spec.overrides = [*_strings("overrides", spec.overrides), *extra_overrides]
        spec.check()
        return spec

    def _key(self, name: str) -> str:
        return self.labels.get(name, name)

    def _integer(self, name: str, ok, allowed: str) -> None:
        value = getattr(self, name)
        require(isinstance(value, numbers.Integral) and not isinstance(value, bool) and ok(value),
                self._key(name), value, allowed)

    def check(self) -> None:
        """Every rule of the spec, whatever set the values (file, options or code)."""
        names = [p.name for p in self.params]
        require(len(self.params) >= 2, "params", names, "need at least two parameters")
        for p in self.params:
            require(p.name != DUMMY, f"params.{p.name}", p.name, "reserved for the dummy parameter")
            require(p.high > p.low, f"params.{p.name}.high", p.high, f"must exceed low ({p.low})")
            require(p.type in ("float", "int"), f"params.{p.name}.type", p.type, "one of float, int")
        self.outcomes = _strings("outcomes", self.outcomes)
        require(len(self.outcomes) >= 1, "outcomes", self.outcomes, "list at least one metrics.json key")
        require(len(set(self.outcomes)) == len(self.outcomes), "outcomes", self.outcomes, "list each key once")
        require(self.method in ("morris", "sobol"), self._key("method"), self.method, "one of morris, sobol")
        self._integer("trajectories", lambda v: v >= 2,
                      "an integer >= 2 (Morris needs two trajectories for a spread of effects)")
        self._integer("levels", lambda v: v >= 2 and v % 2 == 0, "an even integer >= 2 (Morris grid levels)")
        self._integer("samples", lambda v: v >= SOBOL_MIN_SAMPLES and v & (v - 1) == 0,
                      f"a power of two >= {SOBOL_MIN_SAMPLES} (Sobol base samples)")
        self._integer("seed", lambda v: v >= 0, "an integer >= 0 (the sampling seed)")
        self._integer("seeds", lambda v: v >= 1, "an integer >= 1 (simulation seeds averaged per sample)")
        self._integer("jobs", lambda v: v >= 1 or v == -1, "a positive number of worker processes, or -1 (every core)")
        require(isinstance(self.dummy, bool), self._key("dummy"), self.dummy, "true or false")

    @property
    def names(self) -> list[str]:
        """The SALib problem's parameter names: the spec's, then the dummy's when on."""
        return [p.name for p in self.params] + ([DUMMY] if self.dummy else [])

    def problem(self) -> dict:
        bounds = [[p.low, p.high] for p in self.params] + ([[0.0, 1.0]] if self.dummy else [])
        return {"num_vars": len(bounds), "names": self.names, "bounds": bounds}

    def rows(self) -> int:
        """Samples the design has (each run on `seeds` seeds, each with its twin)."""
        k = len(self.names)
        return self.trajectories * (k + 1) if self.method == "morris" else self.samples * (k + 2)


def _number(key: str, value) -> float:
    require(isinstance(value, numbers.Real) and not isinstance(value, bool), key, value, "must be a number")
    return float(value)


def _param(name, bounds) -> Param:
    require(isinstance(bounds, dict) and "low" in bounds and "high" in bounds, f"params.{name}", bounds,
            "needs {low: ..., high: ...}")
    extra = set(bounds) - {"low", "high", "type"}
    require(not extra, f"params.{name}", sorted(extra), "unknown keys; allowed: low, high, type")
    return Param(str(name), _number(f"params.{name}.low", bounds["low"]),
                 _number(f"params.{name}.high", bounds["high"]), str(bounds.get("type", "float")))


def _strings(key: str, value) -> list[str]:
    ok = isinstance(value, (list, tuple)) and all(isinstance(v, str) and v.strip() for v in value)
    require(ok, key, value, "a list of non-empty strings")
    return list(value)
