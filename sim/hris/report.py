"""The fit summary table printed by `mentorsim calibrate`: per level, with small cells suppressed."""
from __future__ import annotations

import pandas as pd

from .fit import Fit
from .privacy import MIN_CELL, suppress_small_cells


def fit_table(fit: Fit, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Per level: headcount at the end, voluntary exits, person-years, the GLM's annual rate and its
    interval, the `base_turnover` written (the GLM's rate after the adjustment through simulation,
    when there was one), hires and promotions; levels with fewer than `min_cell` people show <NA>
    for their figures."""
    h = fit.hazard
    table = pd.DataFrame({
        "headcount": fit.counts["headcount"].to_numpy(),
        "voluntary_exits": h.exits,
        "person_years": h.person_years.round(1),
        "glm_rate": h.annual_rate.round(4),
        "ci_low": h.rate_low.round(4),
        "ci_high": h.rate_high.round(4),
        "base_turnover": [round(float(level["base_turnover"].value), 4) for level in fit.levels],
        "hires": fit.counts["hires"].to_numpy(),
        "promotions": fit.counts["promotions"].to_numpy(),
    }, index=fit.counts.index)
    return suppress_small_cells(table, "headcount", [c for c in table.columns if c != "headcount"], min_cell)
