"""Global sensitivity analysis (SALib: Morris elementary effects or Sobol indices).

A spec (configs/sensitivity/*.yaml) names the parameters with their ranges, the
outcomes (metrics.json keys) and the method. Samples run in parallel worker
processes (joblib, one numba thread each), all on the same simulation seed, so
the indices describe the parameters rather than seed noise. Writes
`samples.parquet` (inputs and outcomes), `sensitivity.csv` (indices) and one
chart per outcome, then `status.json` last.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..config.checks import ConfigError, require
from ..runs.folder import _atomic_write, write_json


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
    samples: int = 32
    seed: int = 0
    jobs: int = -1
    overrides: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, extra_overrides: list[str] = ()) -> "Spec":
        try:
            data = yaml.safe_load(Path(path).read_text()) or {}
        except (OSError, yaml.YAMLError) as err:
            raise ConfigError(f"spec = {str(path)!r}: cannot read it ({err})") from None
        params = []
        for name, bounds in (data.pop("params", None) or {}).items():
            require(isinstance(bounds, dict) and "low" in bounds and "high" in bounds, f"params.{name}", bounds,
                    "needs {low: ..., high: ...}")
            params.append(Param(name, float(bounds["low"]), float(bounds["high"]), str(bounds.get("type", "float"))))
        known = {"outcomes", "method", "trajectories", "levels", "samples", "seed", "jobs", "overrides"}
        for key in data:
            require(key in known, key, data[key], f"unknown key; allowed: params, {', '.join(sorted(known))}")
        spec = cls(params=params, **data)
        spec.overrides = list(spec.overrides) + list(extra_overrides)
        spec.check()
        return spec

    def check(self) -> None:
        require(len(self.params) >= 2, "params", [p.name for p in self.params], "need at least two parameters")
        for p in self.params:
            require(p.high > p.low, f"params.{p.name}.high", p.high, f"must exceed low ({p.low})")
            require(p.type in ("float", "int"), f"params.{p.name}.type", p.type, "one of float, int")
        require(len(self.outcomes) >= 1, "outcomes", self.outcomes, "list at least one metrics.json key")
        require(self.method in ("morris", "sobol"), "method", self.method, "one of morris, sobol")
        require(self.trajectories >= 2, "trajectories", self.trajectories, "must be >= 2")
        require(self.samples >= 2, "samples", self.samples, "must be >= 2")

    def problem(self) -> dict:
        return {"num_vars": len(self.params), "names": [p.name for p in self.params],
                "bounds": [[p.low, p.high] for p in self.params]}


def sample(spec: Spec) -> np.ndarray:
    if spec.method == "morris":
        from SALib.sample import morris

        x = morris.sample(spec.problem(), N=spec.trajectories, num_levels=spec.levels, seed=spec.seed)
    else:
        from SALib.sample import sobol

        x = sobol.sample(spec.problem(), spec.samples, calc_second_order=False, seed=spec.seed)
    for j, p in enumerate(spec.params):
        if p.type == "int":
            x[:, j] = np.round(x[:, j])
    return x


def _overrides_for(spec: Spec, row: np.ndarray) -> list[str]:
    values = [f"{p.name}={int(v) if p.type == 'int' else float(v)!r}" for p, v in zip(spec.params, row)]
    return [*spec.overrides, *values]


def _evaluate(overrides: list[str], outcomes: list[str]) -> list[float]:
    """One sample in a worker: one numba thread, the twin on, outcomes out."""
    import numba

    from ..runs.result import run
    from ..config.load import load_config

    logging.getLogger("MESA").setLevel(logging.WARNING)
    numba.set_num_threads(1)
    metrics = run(load_config(overrides)).metrics
    return [float("nan") if metrics.get(k) is None else float(metrics[k]) for k in outcomes]


def run_sensitivity(spec: Spec, out_dir: Path, progress: bool = True) -> pd.DataFrame:
    from joblib import Parallel, delayed
    from tqdm import tqdm

    from ..config.load import load_config

    for o in [spec.overrides]:
        load_config(o)  # fail fast on a bad override, before any worker starts
    x = sample(spec)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = Parallel(n_jobs=spec.jobs, return_as="generator")(
        delayed(_evaluate)(_overrides_for(spec, row), spec.outcomes) for row in x)
    results = list(tqdm(jobs, total=len(x), desc="sensitivity", unit="run", disable=not progress))
    y = np.array(results, dtype=float)
    samples = pd.DataFrame(x, columns=[p.name for p in spec.params])
    for j, outcome in enumerate(spec.outcomes):
        samples[outcome] = y[:, j]
    _atomic_write(out_dir / "samples.parquet", lambda p: samples.to_parquet(p, index=False))
    table = analyze(spec, x, y)
    _atomic_write(out_dir / "sensitivity.csv", lambda p: table.to_csv(p, index=False))
    from ..charts.sweep import tornado

    charts = [str(tornado(table, outcome, out_dir / f"sensitivity_{_slug(outcome)}.png").name)
              for outcome in spec.outcomes]
    write_json(out_dir / "status.json", {"status": "complete", "method": spec.method, "runs": int(len(x)),
                                         "charts": charts})
    return table


def analyze(spec: Spec, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    rows = []
    for j, outcome in enumerate(spec.outcomes):
        values = y[:, j]
        if not np.isfinite(values).all():
            raise ValueError(f"outcome {outcome!r} is missing in some runs (is it a metrics.json key?)")
        if spec.method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(spec.problem(), x, values, num_levels=spec.levels, seed=spec.seed)
            for i, p in enumerate(spec.params):
                rows.append({"outcome": outcome, "parameter": p.name, "importance": float(res["mu_star"][i]),
                             "mu_star": float(res["mu_star"][i]), "mu_star_conf": float(res["mu_star_conf"][i]),
                             "mu": float(res["mu"][i]), "sigma": float(res["sigma"][i])})
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(spec.problem(), values, calc_second_order=False, seed=spec.seed)
            for i, p in enumerate(spec.params):
                rows.append({"outcome": outcome, "parameter": p.name, "importance": float(res["ST"][i]),
                             "S1": float(res["S1"][i]), "S1_conf": float(res["S1_conf"][i]),
                             "ST": float(res["ST"][i]), "ST_conf": float(res["ST_conf"][i])})
    return pd.DataFrame(rows)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_")
