"""Channel switches on constructed cases: each removes exactly its path (docs/MODEL.md 8.13)."""
from __future__ import annotations

import numpy as np
import pytest

from sim.engine import kernels
from sim.engine.rng import stream_key
from sim.mentoring.channels import CHANNELS, switched_off
from tests.conftest import make_config

K = 3
PROFILE = np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
TARGET = np.array([[0.45, 0.4, 0.35], [0.6, 0.55, 0.5]])
NEXT = np.array([1, 1])


def dev_params(unmentored_readiness: float) -> kernels.DevelopmentParams:
    return kernels.DevelopmentParams(
        growth_per_week=0.6 / 52, stretch=0.0, talent_sd=0.06, talent_common=1.0, talent_own=0.0,
        decay_factor=0.25, noise_sd_week=0.03 / np.sqrt(52), drift_per_week=1 / 52, state_noise_sd_week=0.01,
        baseline_confidence=0.6, baseline_engagement=0.7, baseline_belonging=0.7,
        unmentored_readiness=unmentored_readiness)


def two_rows(gain: float):
    """Row 0: mentored, its competencies `gain` above row 1's; row 1: the same person without the
    program (same draw key, so the same draws). Row 0's unmentored copy starts as row 1."""
    c0 = np.array([0.40, 0.62, 0.30])  # below, above and below the ceiling
    competency = np.array([c0 + gain, c0])
    return dict(active=np.ones(2, np.bool_), count=2, draw_key=np.array([7, 7], np.uint64),
                level=np.zeros(2, np.int8), talent=np.array([0.3, 0.3]), talent_own=np.zeros((2, K)),
                competency=competency, confidence=np.full(2, 0.6), engagement=np.full(2, 0.7),
                belonging=np.full(2, 0.7), readiness=np.zeros(2), mentored=np.array([True, False]),
                unmentored=np.array([c0, c0]))


def develop(rows, p, weeks: int = 60):
    for week in range(weeks):
        kernels.develop.serial(rows["active"], rows["count"], rows["draw_key"], rows["level"], rows["talent"],
                               rows["talent_own"], rows["competency"], rows["confidence"], rows["engagement"],
                               rows["belonging"], rows["readiness"], rows["mentored"], rows["unmentored"], PROFILE,
                               TARGET, NEXT, p, stream_key(1, 1), stream_key(1, 2), week)


@pytest.mark.parametrize("gain", [0.05, 0.4])  # 0.4 pushes a competency to the clip at 1
def test_unmentored_competence_is_what_the_person_would_hold_without_the_gains(gain):
    rows = two_rows(gain)
    develop(rows, dev_params(0.0))
    np.testing.assert_array_equal(rows["unmentored"][0], rows["competency"][1])  # bit for bit
    assert (rows["competency"][0] >= rows["competency"][1]).all()
    assert rows["readiness"][0] > rows["readiness"][1]  # the gain counts in readiness when on


def test_readiness_switched_off_sees_competence_without_the_gains():
    rows = two_rows(0.05)
    develop(rows, dev_params(1.0))
    assert rows["readiness"][0] == rows["readiness"][1]
    assert (rows["competency"][0] > rows["competency"][1]).any()  # the skill is still there


def test_market_pull_switched_off_sees_competence_without_the_gains():
    rows = two_rows(0.2)
    hazard_args = dict(first_year_multiplier=1.0, first_year_weeks=52.0, confidence_effect=0.0,
                       engagement_effect=0.0, belonging_effect=0.0, passed_over_effect=0.0, passed_over_cap=3.0,
                       market_pull_effect=2.0, market_threshold=0.0, baseline_confidence=0.6,
                       baseline_engagement=0.7, baseline_belonging=0.7, retirement_enabled=0.0)
    demand, base = np.array([0.3, 0.5]), np.array([0.003, 0.002])

    def hazard(i, switch_off):
        p = kernels.HazardParams(**hazard_args, unmentored_market_pull=1.0 if switch_off else 0.0)
        return kernels.weekly_hazard(i, rows["level"], np.zeros(2, np.int32), rows["competency"],
                                     rows["confidence"], rows["engagement"], rows["belonging"], np.zeros(2, np.int16),
                                     np.zeros(2, np.int8), np.zeros(2), rows["mentored"], rows["unmentored"],
                                     PROFILE, demand, base, np.zeros(3), p, 100)

    assert hazard(0, False) > hazard(1, False)  # more competence above demand: more market pull
    assert hazard(0, True) == hazard(1, True) == hazard(1, False)


def test_parameter_channels_zero_exactly_their_parameters():
    cfg = make_config("program=default")
    off_cfg, switches = switched_off(cfg, ["mentee_retention", "belonging"])
    e, before = off_cfg.program.effects, cfg.program.effects
    assert e.mentee_retention_effect == 0 and e.belonging_gain_same_group == 0 and e.engagement_gain == 0
    assert e.mentor_retention_effect == before.mentor_retention_effect != 0
    assert e.sponsorship == before.sponsorship != 0 and e.skill_transfer == before.skill_transfer
    assert switches.gain_in_readiness and switches.gain_in_market_pull and switches.passed_over_replay is None
    _, skill_off = switched_off(cfg, ["skill_promotion", "skill_market"])
    assert not skill_off.gain_in_readiness and not skill_off.gain_in_market_pull
    with pytest.raises(ValueError, match="passed_over"):
        switched_off(cfg, ["passed_over"])  # needs the twin's events
    with pytest.raises(ValueError, match="unknown"):
        switched_off(cfg, ["luck"])
    assert "costs" in CHANNELS
