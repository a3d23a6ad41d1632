"""The flat run summary written to metrics.json. Every key is documented in README.

Rates are per year of exposure: events / person-years, where person-years
integrate headcount over the run (trapezoid between period snapshots).
"""
from __future__ import annotations

import numpy as np

from ..engine.metrics import FLOWS, LEVEL_STATS, STATE_STATS
from ..config.schema import PARTICIPATION_LABELS


def _ratio(num, den) -> float:
    return float(num / den) if den else float("nan")


def exposure_years(metrics) -> np.ndarray:
    """Person-years per (level, group, participation) cell."""
    hc = metrics.snapshots[..., 0]
    weeks = np.diff(metrics.snapshot_week).astype(float)
    mid = 0.5 * (hc[:-1] + hc[1:])
    return np.tensordot(weeks, mid, axes=(0, 0)) / metrics.wpy


def _split(out: dict, name: str, num: np.ndarray, den: np.ndarray, labels: dict[str, list[str]]) -> None:
    """name, name.level.X, name.group.X, name.participation.X from cell arrays (L, G, P)."""
    out[name] = _ratio(num.sum(), den.sum())
    for axis, (dim, names) in enumerate(labels.items()):
        other = tuple(a for a in range(3) if a != axis)
        n, d = num.sum(axis=other), den.sum(axis=other)
        for i, label in enumerate(names):
            out[f"{name}.{dim}.{label}"] = _ratio(n[i], d[i])


def summarize(metrics) -> dict:
    org = metrics.org
    labels = {"level": org.level_names, "group": org.group_names, "participation": list(PARTICIPATION_LABELS)}
    flows = metrics.flows.sum(axis=0)  # (L, G, P, F)
    exposure = exposure_years(metrics)
    f = {name: flows[..., i] for i, name in enumerate(FLOWS)}
    out: dict = {
        "years": metrics.horizon / metrics.wpy,
        "headcount_start": int(metrics.snapshots[0, ..., 0].sum()),
        "headcount_end": int(metrics.snapshots[-1, ..., 0].sum()),
        "seats": int(org.seats.sum()),
        "person_years": float(exposure.sum()),
    }
    for name in ("hires", "exits", "voluntary_exits", "retirements", "involuntary_exits", "cycle_exits", "promotions"):
        out[f"{name}_total"] = int(f[name].sum())
    _split(out, "turnover_annual", f["exits"], exposure, labels)
    _split(out, "voluntary_turnover_annual", f["voluntary_exits"], exposure, labels)
    _split(out, "regretted_turnover_annual", f["regretted_exits"], exposure, labels)
    _split(out, "promotion_rate_annual", f["promotions"], exposure, labels)

    ls = metrics.level_stats.sum(axis=0)  # (L, stats)
    col = {name: ls[:, i] for i, name in enumerate(LEVEL_STATS)}
    lead = org.leadership
    fills_int, fills_ext = col["fills_internal"][lead].sum(), col["fills_external"][lead].sum()
    out["internal_fill_rate_leadership"] = _ratio(fills_int, fills_int + fills_ext)
    out["leadership_vacancy_weeks"] = float(col["vacancy_weeks"][lead].sum())
    out["leadership_vacancy_rate"] = _ratio(col["vacancy_weeks"][lead].sum(), org.seats[lead].sum() * metrics.horizon)
    out["leadership_time_to_fill_weeks"] = _ratio(
        col["ttf_internal_weeks"][lead].sum() + col["ttf_external_weeks"][lead].sum(), fills_int + fills_ext)
    out["time_to_fill_external_weeks"] = _ratio(col["ttf_external_weeks"].sum(), col["fills_external"].sum())
    out["weeks_in_level_at_promotion"] = _ratio(col["weeks_in_level_at_promotion"].sum(), col["promotions_in"].sum())
    for lv, name in enumerate(org.level_names):
        fills = col["fills_internal"][lv] + col["fills_external"][lv]
        out[f"internal_fill_rate.level.{name}"] = _ratio(col["fills_internal"][lv], fills)
        out[f"weeks_in_level_at_promotion.level.{name}"] = _ratio(
            col["weeks_in_level_at_promotion"][lv], col["promotions_in"][lv])

    benches = [metrics.bench(i)[0] for i in range(len(metrics.snapshot_week))]
    out["bench_strength_start"] = benches[0]
    out["bench_strength_end"] = benches[-1]
    out["bench_strength_mean"] = float(np.mean(benches[1:]))
    for name, value in metrics.bench(len(benches) - 1)[1].items():
        out[f"bench_strength_end.level.{name}"] = value
    out["capability_index_start"] = float(metrics.capability[0])
    out["capability_index_end"] = float(metrics.capability[-1])
    out["capability_index_mean"] = float(metrics.capability[1:].mean())

    for when, index in (("start", 0), ("end", -1)):
        snap = metrics.snapshots[index].sum(axis=2)  # (L, G, stats)
        hc_level = snap[..., 0].sum(axis=1)
        for lv, lname in enumerate(org.level_names):
            for g, gname in enumerate(org.group_names):
                out[f"representation_{when}.{gname}.level.{lname}"] = _ratio(snap[lv, g, 0], hc_level[lv])
    snap_end = metrics.snapshots[-1].sum(axis=(1, 2))  # (L, stats)
    for lv, lname in enumerate(org.level_names):
        for j, cname in enumerate(metrics.state_names[len(STATE_STATS):], start=len(STATE_STATS)):
            out[f"mean_competency_end.{cname}.level.{lname}"] = _ratio(snap_end[lv, j], snap_end[lv, 0])
    for j, sname in enumerate(("confidence", "engagement", "belonging"), start=1):
        out[f"mean_{sname}_end"] = _ratio(snap_end[:, j].sum(), snap_end[:, 0].sum())
    return out
