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


def dev_params(unmentored_readiness: float = 0.0, unmentored_market_pull: float = 0.0) -> kernels.DevelopmentParams:
    return kernels.DevelopmentParams(
        growth_per_week=0.6 / 52, stretch=0.0, talent_sd=0.06, talent_common=1.0, talent_own=0.0,
        decay_factor=0.25, noise_sd_week=0.03 / np.sqrt(52), drift_per_week=1 / 52, state_noise_sd_week=0.01,
        baseline_confidence=0.6, baseline_engagement=0.7, baseline_belonging=0.7,
        unmentored_readiness=unmentored_readiness, unmentored_market_pull=unmentored_market_pull)


def two_rows(gain: float):
    """Row 0: mentored, its competencies `gain` above row 1's; row 1: the same person without the
    program (same draw key, so the same draws). Row 0's unmentored copy starts as row 1."""
    c0 = np.array([0.40, 0.62, 0.30])  # below, above and below the ceiling
    competency = np.array([c0 + gain, c0])
    return dict(active=np.ones(2, np.bool_), count=2, draw_key=np.array([7, 7], np.uint64),
                level=np.zeros(2, np.int8), talent=np.array([0.3, 0.3]), talent_own=np.zeros((2, K)),
                competency=competency, confidence=np.full(2, 0.6), engagement=np.full(2, 0.7),
                belonging=np.full(2, 0.7), readiness=np.zeros(2), mentored=np.array([True, False]),
                unmentored=np.array([c0, c0]), market=np.full((2, K), -1.0))


def develop(rows, p, weeks: int = 60):
    for week in range(weeks):
        kernels.develop.serial(rows["active"], rows["count"], rows["draw_key"], rows["level"], rows["talent"],
                               rows["talent_own"], rows["competency"], rows["confidence"], rows["engagement"],
                               rows["belonging"], rows["readiness"], rows["mentored"], rows["unmentored"],
                               rows["market"], PROFILE, TARGET, NEXT, p, stream_key(1, 1), stream_key(1, 2), week)


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
    develop(rows, dev_params())
    assert (rows["market"] == -1.0).all()  # not written while the channel is on (the hazard reads competency)
    develop(rows, dev_params(unmentored_market_pull=1.0), weeks=1)
    np.testing.assert_array_equal(rows["market"][0], rows["unmentored"][0])
    np.testing.assert_array_equal(rows["market"][1], rows["competency"][1])  # not mentored: as it is
    np.testing.assert_array_equal(rows["market"][0], rows["competency"][1])


def test_the_hazard_reads_market_pull_from_the_array_it_is_given():
    cfg = make_config("program=default", "sim.horizon_years=1")
    from sim.engine.model import OrgModel
    from sim.engine.switches import Switches

    on, off = OrgModel(cfg).dynamics, OrgModel(cfg, switches=Switches(gain_in_market_pull=False)).dynamics
    assert on.market_competency is on.pop.competency  # channel on: the competencies themselves
    assert off.market_competency is not off.pop.competency


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


def test_gains_are_tracked_only_where_a_skill_channel_is_off():
    from sim.engine.model import OrgModel
    from sim.engine.switches import Switches
    from sim.mentoring.program import Program

    cfg = make_config("program=default", "sim.horizon_years=1")
    for switches, tracked in ((Switches(), False), (Switches(gain_in_readiness=False), True)):
        model = OrgModel(cfg, [Program(p, i) for i, p in enumerate(cfg.programs())], switches=switches).run()
        assert model.pop.mentored.any() == tracked


def test_a_replay_refuses_passed_over_people_missing_from_the_roster():
    """As floats (the roster's draw keys reindexed with a gap) no token would match anyone: refused."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.mentoring.channels import passed_over_replay

    cfg = make_config("program=default")
    events = pd.DataFrame({"kind": ["passed_over", "passed_over", "exit"], "week": [52, 52, 60],
                           "level": [cfg.org.levels[0].name] * 3, "employee": [1, 2, 3]})
    people = pd.DataFrame({"employee": [1, 2, 3], "draw_key": np.array([2**63 + 5, 7, 9], dtype=np.uint64)})
    twin = SimpleNamespace(config=cfg, events=events, people=people)
    replay = passed_over_replay(twin)
    assert list(replay) == [52] and replay[52].dtype == np.uint64
    from sim.engine.switches import passed_over_tokens

    assert replay[52].tolist() == sorted(passed_over_tokens([2**63 + 5, 7], [0, 0]).tolist())  # every bit kept
    twin.people = people[people["employee"] != 2]
    with pytest.raises(ValueError, match="roster"):
        passed_over_replay(twin)
