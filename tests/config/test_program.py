"""Program configuration mistakes: one-line ConfigErrors naming the key, exit code 2 from the CLI;
an eligible pool that is empty only at run time is a warning, not an error."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from sim import run
from sim.config.load import load_config
from sim.config.schema import ConfigError
from tests.conftest import make_config
from tests.mentoring.helpers import simulate_with
from tests.conftest import mentorsim

REPO = Path(__file__).resolve().parents[2]

BAD = [
    (["program.cadence_weeks=0"], "program.cadence_weeks = 0"),
    (["program.cadence_weeks=-2"], "program.cadence_weeks = -2"),
    (["program.mentor_capacity=0"], "program.mentor_capacity = 0"),
    (["program.mentee_levels=[]"], "program.mentee_levels = []"),
    (["program.mentee_groups=[Z]"], "program.mentee_groups = 'Z'"),
    (["program.mentee_min_tenure_weeks=30", "program.mentee_max_tenure_weeks=10"],
     "program.mentee_max_tenure_weeks = 10"),
    (["program.mentee_levels=[0,6]"], "program.mentee_levels = 6"),
    (["program.mentor_levels=[-1]"], "program.mentor_levels = -1"),
    # A level gap no mentor level can meet: the error may name either side of it.
    (["program.min_level_gap=6"], ("program.min_level_gap = 6", "program.mentee_levels = 0")),
    (["matching.policy=nonesuch"], "matching.policy = 'nonesuch'"),
    (["program=sponsorship", "program.matching.policy=nonesuch"], "program.matching.policy = 'nonesuch'"),
    (["matching=nonesuch"], "matching = 'nonesuch'"),
    (["program.format=pyramid"], "program.format = 'pyramid'"),
    (["program.format=reverse", "program.mentee_levels=[0,1]"], ("program.min_level_gap = 2",
                                                                  "program.mentee_levels = 0")),
    (["program.length_weeks=0"], "program.length_weeks = 0"),
    (["program.attendance_base=1.5"], "program.attendance_base = 1.5"),
    (["program.effects.trust_floor=2"], "program.effects.trust_floor = 2"),
    (["program.effects.mentor_growth_competencies=[charisma]"], "program.effects.mentor_growth_competencies"),
    (["program.enrollment=weekly"], "program.enrollment = 'weekly'"),
    (["program.enrollment_mode=voluntary"], "program.enrollment_mode = 'voluntary'"),
    (["program.volunteer_selection=-1"], "program.volunteer_selection = -1"),
    (["program.volunteer_selection=nan"], "program.volunteer_selection = nan"),
    (["program.mentor_volunteer_share=0"], "program.mentor_volunteer_share = 0"),
    (["experiment=onboarding_plus_leadership", "extra_programs.0.cadence_weeks=0"],
     "extra_programs[0].cadence_weeks = 0"),
    (["program.cadence_weeks=often"], "program.cadence_weeks = 'often'"),
]


@pytest.mark.parametrize("overrides, start", BAD, ids=[" ".join(o) for o, _ in BAD])  # start: str or tuple
def test_bad_program_config_is_a_one_line_error_naming_the_key(overrides, start):
    with pytest.raises(ConfigError) as info:
        load_config(["org=small", *overrides])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(start), message


def test_zero_capacity_is_fine_for_a_disabled_program():
    cfg = load_config(["org=small", "program.enabled=false", "program.mentor_capacity=0"])
    assert cfg.programs() == []


# Two competencies, none of them the defaults' (reverse_competencies: technical; mentor growth:
# decision_making, strategic_thinking, emotional_intelligence).
CUSTOM_COMPETENCIES = ("org.competencies=[skill,leadership]",
                       *(f"org.levels.{i}.profile=[0.5,0.5]" for i in range(6)))


@pytest.mark.parametrize("org", [("org=small", *CUSTOM_COMPETENCIES), ("org=pyramid3",)],
                         ids=["custom_competencies", "three_levels"])
def test_a_disabled_program_is_not_checked_against_the_org(org):
    """program=none runs on an org its defaults do not fit (competencies; mentee_levels [0, 1, 2] need
    a level above 2): only what runs is validated."""
    result = run(load_config([*org, "program=none", "sim.horizon_years=1", "sim.check_invariants=true",
                              "output.events=false"]))
    assert result.metrics["headcount_end"] > 0


@pytest.mark.parametrize("org, start", [
    (("org=small", *CUSTOM_COMPETENCIES), "program.effects.mentor_growth_competencies = 'decision_making'"),
    (("org=small", *CUSTOM_COMPETENCIES, "program=reverse"), "program.reverse_competencies = 'technical'"),
    (("org=pyramid3",), "program.min_level_gap = 2: mentee level 1 has no mentor level 2+ levels above it"),
])
def test_an_enabled_program_is_still_checked_against_the_org(org, start):
    with pytest.raises(ConfigError) as info:
        load_config(["program=default", *org])
    assert str(info.value).startswith(start), str(info.value)



def test_cli_bad_program_config_exits_2_with_one_line(tmp_path):
    proc = mentorsim("org=small", "program=peer_circle", "program.cadence_weeks=0", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mentorsim: error: program.cadence_weeks = 0"), lines[0]
    assert not any(tmp_path.iterdir()), "a failed run must not write anything"


def test_an_empty_eligible_pool_at_run_time_warns_once_with_the_reason_and_the_run_completes(caplog):
    # Eligibility the config check cannot rule out, but no one meets: 5000 weeks (96 years) of tenure.
    cfg = make_config("program=default", "program.mentee_min_tenure_weeks=5000", "sim.horizon_years=3")
    with caplog.at_level(logging.WARNING, logger="sim.mentoring.program"):
        result, (prog,) = simulate_with(cfg)
    pop = result.model.pop
    # Nobody could have been eligible: initial tenure is capped by age - 18 (ages at most 66 at the start).
    assert cfg.sim.horizon_weeks - pop.hire_week[: pop.count].min() < 5000
    launches = [w for w in range(cfg.sim.horizon_weeks) if w >= 4 and (w - 4) % 52 == 0]
    assert len(launches) == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings  # once per run, not once per launch
    assert "nobody eligible to enroll in week 4" in warnings[0]
    assert "mentee_min_tenure_weeks=5000" in warnings[0], warnings[0]  # the rule that left nobody
    assert prog.stats["launches"] == prog.stats["launches_without_eligible"] == len(launches)
    assert prog.stats["pairs_started"] == 0
    assert result.model.week == cfg.sim.horizon_weeks
    assert not result.events["kind"].astype(str).str.startswith("mentoring_").any()


def test_hipo_program_before_the_first_review_says_why_once(caplog):
    # hipo_leadership launches in week 4; reviews flag high potentials from week 26.
    cfg = make_config("program=hipo_leadership", "sim.horizon_years=0.3")
    with caplog.at_level(logging.WARNING, logger="sim.mentoring.program"):
        result = run(cfg, twin=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "flagged high-potential yet" in warnings[0], warnings
    assert result.metrics["program.hipo_leadership.launches_without_eligible"] == 1


def test_no_mentor_available_warns_once_with_the_reason_and_the_run_completes(caplog):
    cfg = make_config("program=default", "program.mentor_min_tenure_weeks=5000", "sim.horizon_years=2")
    with caplog.at_level(logging.WARNING, logger="sim.mentoring.program"):
        result = run(cfg, twin=True)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "no mentor" in warnings[0], warnings
    assert "mentor_min_tenure_weeks=5000" in warnings[0], warnings[0]
    m = result.metrics
    assert m.get("program.default.pairs_started", 0) == 0 and m["program.default.launches_without_mentor"] == 2
    assert m["effect.turnover_annual"] == 0.0  # nothing happened, so nothing changed
