"""Global sensitivity analysis (SALib: Morris elementary effects or Sobol indices).

A spec (configs/sensitivity/*.yaml, `sensitivity_spec.Spec`) names the
parameters with their ranges, the outcomes (metrics.json keys), the method and
the number of simulation seeds. Each sample's outcomes are the mean over
`seeds` seeds, and a step that moves one parameter compares the same seeds
(common random numbers), so seed noise shrinks with the square root of the seeds.

One small model change can still reroute every later event, so even on common
random numbers an index carries some noise. The **dummy parameter** measures
it: the model never reads it, and its only role is to move a sample to another,
equally sized set of seeds (`seeds_for`). A step in the dummy therefore changes
nothing but the random numbers, and its index is what pure seed noise produces:
a parameter whose index is not above the dummy's cannot be told from noise.

Everything is checked before any sample runs (the spec, the overrides, each
parameter at both ends of its range, the outcomes against a first run's
metrics, the output folder). Files are written to a hidden folder beside `out`
and renamed into place at the end, `status.json` last; on any failure the
hidden folder is removed, so `out` is either whole or absent.
"""
from __future__ import annotations

import copy
import difflib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.checks import ConfigError, require
from ..runs.folder import _atomic_write, write_json
from .sensitivity_spec import DUMMY, Param, Spec  # noqa: F401  (Param, Spec: this module's API)


def sample(spec: Spec) -> np.ndarray:
    """The SALib design: one row per sample, columns `spec.names` (int parameters rounded)."""
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


def seeds_for(spec: Spec, x: np.ndarray, first_seed: int) -> np.ndarray:
    """Simulation seeds of each sample, shape (rows, spec.seeds).

    Without the dummy, every sample runs on first_seed .. first_seed + seeds - 1.
    With it, the dummy is the choice of seeds: SALib's designs come in groups (a
    Morris trajectory; a Sobol base sample with its cross-samples), and each
    (group, dummy value) pair runs on its own block of seeds. Within a group, a
    step in a real parameter keeps the dummy and so compares the same random
    numbers; a step in the dummy compares independent ones, as do the groups.
    """
    if not spec.dummy:
        return np.broadcast_to(first_seed + np.arange(spec.seeds), (len(x), spec.seeds)).copy()
    size = len(spec.names) + (1 if spec.method == "morris" else 2)
    blocks: dict = {}
    block = np.array([blocks.setdefault((i // size, x[i, -1]), len(blocks)) for i in range(len(x))])
    return first_seed + block.reshape(-1, 1) * spec.seeds + np.arange(spec.seeds)


def _overrides_for(spec: Spec, row: np.ndarray) -> list[str]:
    values = [f"{p.name}={int(v) if p.type == 'int' else float(v)!r}" for p, v in zip(spec.params, row)]
    return [*spec.overrides, *values]


def _metrics(overrides: list[str], seed: int | None = None) -> dict:
    """One run (with its twin) in this process, one numba thread: its metrics."""
    return _runs(overrides, [seed])[0]


def _runs(overrides: list[str], seeds: list[int | None]) -> list[dict]:
    """One sample on several seeds: composed once (composing costs more than a short run)."""
    import numba

    from ..config.load import load_config
    from ..runs.result import run

    logging.getLogger("MESA").setLevel(logging.WARNING)
    numba.set_num_threads(1)
    cfg = load_config(overrides)
    out = []
    for seed in seeds:
        seeded = copy.deepcopy(cfg)
        if seed is not None:
            seeded.sim.seed = int(seed)
        seeded.evaluation.decomposition = False  # many samples: only their outcomes are read
        out.append(run(seeded).metrics)
    return out


def _pick(metrics: dict, outcomes: list[str]) -> list[float]:
    return [float("nan") if metrics.get(k) is None else float(metrics[k]) for k in outcomes]


def _evaluate(overrides: list[str], seeds: list[int], outcomes: list[str]) -> list[list[float]]:
    return [_pick(m, outcomes) for m in _runs(overrides, seeds)]


def precheck(spec: Spec) -> int:
    """Compose the runs at both ends of every range (catches unknown keys, values out of bounds).

    Returns the first simulation seed (sim.seed of the spec's overrides).
    """
    from ..config.load import load_config

    base = load_config(spec.overrides)
    for end in ("low", "high"):
        row = np.array([getattr(p, end) for p in spec.params])
        row = np.array([round(v) if p.type == "int" else v for p, v in zip(spec.params, row)])
        load_config(_overrides_for(spec, row))
    return base.sim.seed


def check_outcomes(spec: Spec, metrics: dict) -> None:
    """Every outcome must be a key of a run's metrics (checked on the first run, before the rest)."""
    for outcome in spec.outcomes:
        if outcome not in metrics:
            near = difflib.get_close_matches(outcome, list(metrics), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise ConfigError(f"outcomes = {outcome!r}: not a metrics.json key of these runs{hint}")


def _staging(out: Path, out_key: str) -> Path:
    """A hidden folder beside `out` to write into; `out` must be new or empty."""
    require(not out.exists() or (out.is_dir() and not any(out.iterdir())), out_key, str(out),
            "already exists and is not empty; choose a new folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as err:
        raise ConfigError(f"{out_key} = {str(out)!r}: cannot write there ({err.strerror or err})") from None


def run_sensitivity(spec: Spec, out_dir: Path, progress: bool = True, out_key: str = "out") -> pd.DataFrame:
    """Run every sample on every seed, analyze, and write the folder; returns the indices."""
    spec.check()
    first_seed = precheck(spec)
    out_dir = Path(out_dir)
    stage = _staging(out_dir, out_key)
    try:
        table = _run_into(spec, first_seed, stage, progress)
        umask = os.umask(0)
        os.umask(umask)
        stage.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
        os.rename(stage, out_dir)  # an empty `out` is replaced; the folder appears whole
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return table


def _run_into(spec: Spec, first_seed: int, folder: Path, progress: bool) -> pd.DataFrame:
    from joblib import Parallel, delayed
    from tqdm import tqdm

    x = sample(spec)
    seeds = seeds_for(spec, x, first_seed)
    bar = tqdm(total=seeds.size, desc="sensitivity", unit="run", disable=not progress)
    first = _metrics(_overrides_for(spec, x[0]), seeds[0, 0])  # in this process: outcomes checked first
    check_outcomes(spec, first)
    bar.update(1)
    y = np.empty((len(x), spec.seeds, len(spec.outcomes)))
    y[0, 0] = _pick(first, spec.outcomes)
    # one task per sample (its seeds in a row); the first sample's first seed is done
    tasks = [(i, list(range(1 if i == 0 else 0, spec.seeds))) for i in range(len(x))]
    tasks = [(i, js) for i, js in tasks if js]
    jobs = Parallel(n_jobs=spec.jobs, return_as="generator")(
        delayed(_evaluate)(_overrides_for(spec, x[i]), [int(seeds[i, j]) for j in js], spec.outcomes)
        for i, js in tasks)
    for (i, js), values in zip(tasks, jobs):
        y[i, js] = values
        bar.update(len(js))
    bar.close()
    _require_defined(spec, x, y)
    means = y.mean(axis=1)
    samples = pd.DataFrame(x, columns=spec.names)
    samples["first_seed"] = seeds[:, 0]
    for j, outcome in enumerate(spec.outcomes):
        samples[outcome] = means[:, j]
        samples[f"{outcome}.seed_sd"] = y[:, :, j].std(axis=1, ddof=1) if spec.seeds > 1 else np.nan
    _atomic_write(folder / "samples.parquet", lambda p: samples.to_parquet(p, index=False))
    table = analyze(spec, x, means)
    _atomic_write(folder / "sensitivity.csv", lambda p: table.to_csv(p, index=False))
    from ..charts.sweep import tornado

    charts = [str(tornado(table, outcome, folder / f"sensitivity_{_slug(outcome)}.png").name)
              for outcome in spec.outcomes]
    write_json(folder / "status.json", {"status": "complete", "method": spec.method, "samples": int(len(x)),
                                        "seeds_per_sample": spec.seeds, "runs": int(y[..., 0].size),
                                        "first_seed": int(first_seed), "dummy": spec.dummy, "charts": charts})
    return table


def _require_defined(spec: Spec, x: np.ndarray, y: np.ndarray) -> None:
    """An outcome undefined (NaN) in some run cannot be analyzed: say where, write nothing."""
    for j, outcome in enumerate(spec.outcomes):
        bad = ~np.isfinite(y[:, :, j])
        if bad.any():
            i = int(np.argwhere(bad)[0][0])
            where = ", ".join(f"{n}={v:g}" for n, v in zip(spec.names, x[i]))
            raise ConfigError(f"outcomes = {outcome!r}: undefined in {int(bad.sum())} of {bad.size} runs "
                              f"(e.g. at {where}); choose an outcome every sample defines")


def analyze(spec: Spec, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Indices per (outcome, parameter), the dummy included; `importance` ranks them."""
    rows = []
    names = spec.names
    for j, outcome in enumerate(spec.outcomes):
        values = y[:, j]
        if spec.method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(spec.problem(), x, values, num_levels=spec.levels, seed=spec.seed)
            for i, name in enumerate(names):
                rows.append({"outcome": outcome, "parameter": name, "importance": float(res["mu_star"][i]),
                             "mu_star": float(res["mu_star"][i]), "mu_star_conf": float(res["mu_star_conf"][i]),
                             "mu": float(res["mu"][i]), "sigma": float(res["sigma"][i])})
        else:
            from SALib.analyze import sobol

            if np.ptp(values) == 0:  # nothing varies: no parameter explains any variance
                res = {k: np.zeros(len(names)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            else:
                res = sobol.analyze(spec.problem(), values, calc_second_order=False, seed=spec.seed)
            for i, name in enumerate(names):
                rows.append({"outcome": outcome, "parameter": name, "importance": float(res["ST"][i]),
                             "S1": float(res["S1"][i]), "S1_conf": float(res["S1_conf"][i]),
                             "ST": float(res["ST"][i]), "ST_conf": float(res["ST_conf"][i])})
    table = pd.DataFrame(rows)
    if spec.dummy:
        floor = table[table["parameter"] == DUMMY].set_index("outcome")["importance"]
        table["above_noise_floor"] = table["importance"] > table["outcome"].map(floor)
        table.loc[table["parameter"] == DUMMY, "above_noise_floor"] = False
    return table


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_")
