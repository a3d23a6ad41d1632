"""development.hires_like_staff: hires' competencies come from the starting staff's distribution
(target + stretch + talent_sd x talent + hire_sd z) instead of target - hire_gap + hire_sd z."""
from __future__ import annotations

import numpy as np
import pytest

from sim.engine.model import OrgModel
from tests.conftest import make_config


def _competencies(like_staff: bool, rho: float, initial: bool) -> np.ndarray:
    model = OrgModel(make_config("program=none", "development.stretch=0.03", f"development.talent_correlation={rho}",
                                 f"development.hires_like_staff={str(like_staff).lower()}"))
    levels = np.repeat(np.arange(model.org.n_levels), 50).astype(np.int8)
    keys = np.arange(10**6, 10**6 + levels.size).astype(np.uint64)
    # The same stream and draw keys either way, so the same normals: only the formula can differ.
    new = model.staffing.sample_people(levels, np.zeros(levels.size, dtype=np.int16), 0, "init", initial, keys)
    return new["competency"]


@pytest.mark.parametrize("rho", [1.0, 0.3])
def test_hires_like_staff_draw_the_starting_staffs_competencies(rho):
    staff = _competencies(False, rho, initial=True)
    assert np.array_equal(_competencies(True, rho, initial=False), staff)
    assert not np.array_equal(_competencies(False, rho, initial=False), staff)  # the default: a hire gap
