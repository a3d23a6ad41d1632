"""The words of a sweep report: each scenario named by what the sweep varied, in plain words
("meeting cadence (weeks) 2"), its effects in points, people and currency with 95% intervals from
paired seeds, "unclear" where an interval spans zero, and the pairing's gain said only where it
narrowed the interval.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # scipy.stats' t.ppf to the bit, without importing scipy.stats

from .tables import diff, plain_key, words

PAIRING_WORTH_SAYING = 1.25  # say what pairing gained when it narrowed the interval by at least this factor


def paired_interval(diffs: np.ndarray, confidence: float = 0.95) -> tuple[float, float, int]:
    diffs = np.asarray(diffs, dtype=float)
    diffs = diffs[np.isfinite(diffs)]
    n = len(diffs)
    if n < 2:
        return float("nan"), float("nan"), n
    half = stdtrit(n - 1, 0.5 + confidence / 2) * diffs.std(ddof=1) / math.sqrt(n)
    return float(diffs.mean() - half), float(diffs.mean() + half), n


def swept_keys(runs: pd.DataFrame) -> list[str]:
    """The keys the sweep varied, besides the seed."""
    done = runs[runs["status"] == "complete"]
    return [c[3:] for c in runs.columns if c.startswith("ov.") and c != "ov.sim.seed"
            and done[c].astype(str).nunique() > 1]


def scenario_labels(runs: pd.DataFrame) -> dict[str, str]:
    """{scenario: its swept values in plain words}, e.g. "meeting cadence (weeks) 2, matching policy random"."""
    keys = swept_keys(runs)
    out = {}
    for scenario, group in runs.groupby("scenario", sort=True):
        first = group.iloc[0]
        out[scenario] = ", ".join(f"{plain_key(k)} {first[f'ov.{k}']}" for k in keys) or "the design"
    return out


def sweep_intro(runs: pd.DataFrame) -> str:
    done = runs[runs["status"] == "complete"]
    keys = swept_keys(runs)
    varied = "; ".join(f"{plain_key(k)} {', '.join(_ordered(done[f'ov.{k}'].astype(str).unique()))}" for k in keys)
    seeds = sorted(done["seed"].dropna().astype(int).unique()) if "seed" in done else []
    what = f"It varied {varied}" if keys else "It ran one design"
    line = (f"{len(runs)} runs in this sweep, {len(done)} complete"
            + (f"; not complete: {', '.join(runs.loc[runs['status'] != 'complete', 'run'])}" if len(done) < len(runs)
               else "") + ".")
    return (f"{line} {what}, over {len(seeds)} seed{'s' if len(seeds) != 1 else ''}; every run is compared with "
            f"its own twin (the same organization and seed without the program).")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ordered(values) -> list[str]:
    try:
        return sorted(values, key=float)
    except ValueError:
        return sorted(values)


def _unclear(low: float, high: float) -> bool:
    return not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high


def sweep_summary(runs: pd.DataFrame, comparison: pd.DataFrame) -> list[str]:
    labels = scenario_labels(runs)
    lines = [sweep_intro(runs)]
    for _, row in comparison.iterrows():
        label, kind = words(row["metric"])
        name = _cap(labels.get(row["scenario"], row["scenario"]))
        if row["n_pairs"] < 2:  # a damaged or killed sweep can leave a scenario one seed or none
            lines.append(f"{name}: {label.lower()}: {row['n_pairs']} complete run(s) with a twin, too few "
                         f"for an interval; run the sweep again to complete it.")
            continue
        d = lambda x: diff(x, kind)  # noqa: E731
        unclear = ", unclear" if _unclear(row["ci_low"], row["ci_high"]) else ""
        line = (f"{name}: {label.lower()} changed by {d(row['mean_difference'])} against its twin "
                f"(95% interval {d(row['ci_low'])} to {d(row['ci_high'])}{unclear}; {row['n_pairs']} seeds).")
        paired, unpaired = row["half_width_paired"], row["half_width_unpaired"]
        if np.isfinite(paired) and np.isfinite(unpaired) and paired > 0 and unpaired >= PAIRING_WORTH_SAYING * paired:
            line += (f" Pairing each run with its twin made the interval {unpaired / paired:.1f} times narrower "
                     f"(±{d(paired).lstrip('+')} instead of ±{d(unpaired).lstrip('+')}).")
        lines.append(line)
    return lines


def roi_lines(runs: pd.DataFrame) -> tuple[list[str], dict]:
    """Each scenario's ROI and net value over its seeds: the mean with a 95% t-interval (each seed's is
    already its program world against its own twin), and the SD."""
    if "roi" not in runs:
        return [], {}
    labels = scenario_labels(runs)
    done = runs[runs["status"] == "complete"]
    lines, figures = [], {}
    for scenario, group in done.groupby("scenario", sort=True):
        roi = group["roi"].to_numpy(dtype=float)
        roi = roi[np.isfinite(roi)]
        if len(roi) < 2:
            continue
        lo, hi, n = paired_interval(roi)
        figures[f"{scenario} | roi"] = float(roi.mean())
        line = (f"{_cap(labels.get(scenario, scenario))}: ROI {roi.mean():+.2f} (95% interval {lo:+.2f} to {hi:+.2f} "
                f"over {n} seeds, SD {roi.std(ddof=1):.2f} between seeds), in present value against the twins.")
        net = group["value.net"].to_numpy(dtype=float) if "value.net" in group else np.array([])
        net = net[np.isfinite(net)]
        if len(net) >= 2:
            nlo, nhi, _ = paired_interval(net)
            verdict = ("unclear whether it pays for itself" if _unclear(nlo, nhi) else
                       "it pays for itself" if net.mean() > 0 else "it does not pay for itself")
            line += (f" Net value {net.mean():+,.0f} (95% interval {nlo:+,.0f} to {nhi:+,.0f}) in the currency "
                     f"of the salaries: {verdict}.")
        lines.append(line)
    return lines, figures


def comparison_rows(comparison: pd.DataFrame, labels: dict[str, str]) -> list[tuple]:
    rows = [("Design", "Measure", "Difference from the twin", "95% interval", "Seeds paired")]
    for r in comparison.itertuples():
        label, kind = words(r.metric)
        interval = (f"{diff(r.ci_low, kind)} to {diff(r.ci_high, kind)}"
                    + (", unclear" if _unclear(r.ci_low, r.ci_high) else "")) if r.n_pairs >= 2 else "too few seeds"
        rows.append((labels.get(r.scenario, r.scenario), label, diff(r.mean_difference, kind), interval,
                     str(r.n_pairs)))
    return rows
