"""The words of a sensitivity report: each outcome and parameter in plain words, Morris influence in the
outcome's own units (points for rates), the dummy parameter as the noise floor, and "most" said only
when the top parameter's interval separates from the next one's.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .tables import plain_key, words

NOISE_FLOOR = "dummy"  # sim.studies.sensitivity_spec.DUMMY: a parameter the model never reads


def outcome_words(outcome: str) -> tuple[str, float, str]:
    """(words, scale, unit) of an outcome key: rates in points, money in currency, counts as they are."""
    prefix, _, metric = outcome.partition(".")
    if prefix in ("cost", "value"):
        return {"cost.total": "Program cost", "value.net": "Net value", "value.total": "Value against the twin"}.get(
            outcome, plain_key(outcome).capitalize()), 1.0, "currency"
    base = metric if prefix in ("effect", "twin") else outcome
    label, kind = words(base)
    label += " against the twin" if prefix == "effect" else " in the twin" if prefix == "twin" else ""
    return label, (100.0 if kind == "rate" else 1.0), ("points" if kind == "rate" else "")


def parameter_words(parameter: str) -> str:
    if parameter == NOISE_FLOOR:
        return "dummy parameter (never read: the noise floor)"
    return plain_key(parameter)


def _conf(table: pd.DataFrame) -> tuple[str, bool]:
    """The confidence column of the importance, and whether the index is Morris mu* (outcome units)."""
    return ("mu_star_conf", True) if "mu_star" in table else ("ST_conf", False)


def _amount(x: float, scale: float, unit: str, morris: bool) -> str:
    if not np.isfinite(x):
        return "n/a"
    if not morris:
        return f"{x:.2f}"
    value = scale * x
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) >= 0.01 else f"{value:.2g}"
    return text + ("" if unit in ("", "currency") else f" {unit}")


def sensitivity_lines(table: pd.DataFrame) -> list[str]:
    conf, morris = _conf(table)
    index = ("Influence is Morris mu*: the mean absolute change in the outcome when a parameter moves "
             "across its range, in the outcome's own units, with its 95% interval" if morris else
             "Influence is the Sobol total-order index: the share of the outcome's variance a parameter "
             "accounts for, interactions included, with its 95% interval")
    lines = [f"Parameters ranked by their influence on each outcome (a global sensitivity analysis). {index}. "
             f"A dummy parameter that the model never reads measures what seed noise alone produces: a "
             f"parameter at or below it is indistinguishable from noise."]
    for outcome, rows in table.groupby("outcome", sort=False):
        label, scale, unit = outcome_words(outcome)
        rows = rows.sort_values("importance", ascending=False)
        real = rows[rows["parameter"] != NOISE_FLOOR]
        above = real[real["above_noise_floor"].astype(bool)] if "above_noise_floor" in real else real.iloc[:0]
        floor = rows[rows["parameter"] == NOISE_FLOOR]
        floor_text = (f" (noise floor {_amount(float(floor['importance'].iloc[0]), scale, unit, morris)})"
                      if len(floor) else "")
        if floor.empty:  # an analysis without the dummy: a ranking, with no floor to beat
            names = ", ".join(f"{parameter_words(r.parameter)} ({_amount(r.importance, scale, unit, morris)})"
                              for r in real.itertuples())
            line = f"{label}: {names} (no noise floor: the analysis ran without the dummy parameter)."
            if len(real) >= 2 and real.iloc[0]["importance"] - real.iloc[0][conf] > real.iloc[1]["importance"] + \
                    real.iloc[1][conf]:
                line += f" It depends most on {parameter_words(real.iloc[0]['parameter'])}; the intervals separate."
            lines.append(line)
            continue
        if above.empty:
            lines.append(f"{label}: no parameter stands out from the noise floor{floor_text}; more seeds per sample "
                         f"or trajectories would be needed to rank them.")
            continue
        names = ", ".join(f"{parameter_words(r.parameter)} ({_amount(r.importance, scale, unit, morris)})"
                          for r in above.itertuples())
        clear = [parameter_words(r.parameter) for r in above.itertuples()
                 if len(floor) and r.importance - getattr(r, conf) > float(floor["importance"].iloc[0] + floor[conf].iloc[0])]
        line = (f"{label}: {len(above)} of {len(real)} parameters above the noise floor{floor_text} by their "
                f"estimate: {names}; " + (f"clearly, with intervals that separate: {', '.join(clear)}." if clear
                                          else "none with an interval clear of the floor's."))
        if len(real) >= 2:
            top, second = real.iloc[0], real.iloc[1]
            if top["importance"] - top[conf] > second["importance"] + second[conf]:
                line += f" It depends most on {parameter_words(top['parameter'])}; the intervals separate."
        lines.append(line)
    return lines


def sensitivity_rows(table: pd.DataFrame) -> list[tuple]:
    conf, morris = _conf(table)
    rows = [("Outcome", "Parameter", "Influence (95% interval)", "Above the noise floor")]
    for outcome, group in table.groupby("outcome", sort=False):
        label, scale, unit = outcome_words(outcome)
        for r in group.sort_values("importance", ascending=False).itertuples():
            value, half = float(r.importance), float(getattr(r, conf))
            interval = (f"{_amount(value, scale, unit, morris)} (±{_amount(half, scale, unit, morris)})")
            noise = "-" if r.parameter == NOISE_FLOOR else ("yes" if getattr(r, "above_noise_floor", False) else "no")
            rows.append((label, parameter_words(r.parameter), interval, noise))
    return rows


def sensitivity_glossary(table: pd.DataFrame) -> list[tuple[str, str]]:
    out = [(outcome_words(o)[0], o) for o in table["outcome"].unique()]
    out += [(parameter_words(p), p) for p in table["parameter"].unique() if p != NOISE_FLOOR]
    return out
