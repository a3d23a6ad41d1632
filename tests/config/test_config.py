"""Configuration: composition, presets, and one-line errors for every class of mistake.

Each bad config must raise `ConfigError` whose message is one line and names
the offending key (as a dotted path) and, where there is one, its value.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim.config.load import build, compose_tree, load_config
from sim.config.schema import Config, ConfigError

REPO_CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def _error(overrides: list[str]) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(overrides)
    message = str(info.value)
    assert "\n" not in message, f"multi-line error: {message!r}"
    assert message.strip() == message and message
    return message


def _build_error(mapping) -> str:
    with pytest.raises(ConfigError) as info:
        build(mapping)
    message = str(info.value)
    assert "\n" not in message, f"multi-line error: {message!r}"
    return message


@pytest.fixture(scope="module")
def small_tree() -> dict:
    """The composed small-org tree as plain data (a fresh deep copy per use)."""
    return compose_tree(["org=small"])


# ---------------------------------------------------------------- presets


@pytest.mark.parametrize("org, seats", [("small", 200), ("default", 1000), ("large", 20000)])
def test_org_presets_load_with_six_levels(org, seats):
    cfg = load_config([f"org={org}"])
    assert isinstance(cfg, Config)
    assert cfg.org.name == org
    assert len(cfg.org.levels) == 6
    assert cfg.org.total_seats == seats
    assert all(level.seats > 0 for level in cfg.org.levels)
    # Seats shrink up the hierarchy (a pyramid), and the top three are leadership.
    seat_list = [level.seats for level in cfg.org.levels]
    assert seat_list == sorted(seat_list, reverse=True)
    assert [level.leadership for level in cfg.org.levels] == [False] * 3 + [True] * 3


def test_default_config_is_the_default_org():
    cfg = load_config()
    assert cfg.org.name == "default"
    assert cfg.org.total_seats == 1000


def test_overrides_are_applied():
    base = load_config(["org=small"])
    cfg = load_config(["org=small", "sim.seed=17", "org.levels.2.seats=31", "promotion.rule=seniority"])
    assert base.sim.seed != 17 and base.org.levels[2].seats != 31
    assert cfg.sim.seed == 17
    assert cfg.org.levels[2].seats == 31
    assert cfg.org.total_seats == base.org.total_seats - base.org.levels[2].seats + 31
    assert cfg.promotion.rule == "seniority"


def test_stylized_cycle_experiment_loads():
    cfg = load_config(["org=small", "experiment=stylized_cycle"])
    assert cfg.attrition.mode == "cycle"
    assert len(cfg.attrition.cycle_exit_share) == len(cfg.org.levels)


def test_build_matches_load_config_and_ignores_hydra_key(small_tree):
    tree = copy.deepcopy(small_tree)
    tree["hydra"] = {"run": {"dir": "anything"}}
    assert build(tree) == load_config(["org=small"])


def test_add_rater_bias_for_an_existing_group():
    cfg = load_config(["org=small", "+performance.rater_bias.B=-0.3"])
    assert cfg.performance.rater_bias == {"B": -0.3}


# ---------------------------------------------------------------- range errors


@pytest.mark.parametrize(
    "override, expected",
    [
        # non-positive seats
        ("org.levels.0.seats=0", "org.levels[0].seats = 0"),
        ("org.levels.3.seats=-3", "org.levels[3].seats = -3"),
        # zero or negative where disallowed
        ("org.levels.1.demand=0", "org.levels[1].demand = 0"),
        ("org.levels.0.ttf_weeks=-1", "org.levels[0].ttf_weeks = -1"),
        ("org.levels.4.capability_weight=0", "org.levels[4].capability_weight = 0"),
        ("org.levels.0.mean_tenure_years=-2", "org.levels[0].mean_tenure_years = -2"),
        ("sim.horizon_years=0", "sim.horizon_years = 0"),
        ("sim.horizon_years=-1", "sim.horizon_years = -1"),
        ("sim.weeks_per_year=0", "sim.weeks_per_year = 0"),
        ("sim.seed=-1", "sim.seed = -1"),
        ("sim.numba_threads=-2", "sim.numba_threads = -2"),
        ("development.talent_sd=-0.1", "development.talent_sd = -0.1"),
        ("development.learning_rate_per_year=-0.5", "development.learning_rate_per_year = -0.5"),
        ("attrition.first_year_multiplier=0", "attrition.first_year_multiplier = 0"),
        ("attrition.frailty_sd=-0.2", "attrition.frailty_sd = -0.2"),
        ("attrition.frailty_sd=inf", "attrition.frailty_sd = inf"),
        ("attrition.passed_over_cap=-1", "attrition.passed_over_cap = -1"),
        ("review.period_weeks=0", "review.period_weeks = 0"),
        ("review.first_week=-1", "review.first_week = -1"),
        ("promotion.ready_now_ratio=0", "promotion.ready_now_ratio = 0"),
        ("promotion.min_weeks_in_level=-1", "promotion.min_weeks_in_level = -1"),
        ("hiring.ttf_shape=0", "hiring.ttf_shape = 0"),
        ("hiring.ttf_scale=-1", "hiring.ttf_scale = -1"),
        ("metrics.period_weeks=0", "metrics.period_weeks = 0"),
        # shares and probabilities outside [0, 1]
        ("review.hipo_share=1.5", "review.hipo_share = 1.5"),
        ("org.levels.2.external_share=-0.1", "org.levels[2].external_share = -0.1"),
        ("performance.skill_signal=2", "performance.skill_signal = 2"),
        ("development.baseline_engagement=1.2", "development.baseline_engagement = 1.2"),
        # other ranges
        ("org.levels.0.mean_age=12", "org.levels[0].mean_age = 12"),
        ("attrition.retirement.max_age=50", "attrition.retirement.max_age = 50"),
        ("sim.agent_views=maybe", "sim.agent_views = 'maybe'"),
    ],
)
def test_out_of_range_value_is_one_line_naming_key_and_value(override, expected):
    message = _error(["org=small", override])
    assert message.startswith(expected), message
    assert ": " in message[len(expected):]  # followed by what is allowed


def test_profile_of_wrong_length():
    message = _error(["org=small", "org.levels.0.profile=[0.5,0.5]"])
    assert message.startswith("org.levels[0].profile = [0.5, 0.5]")
    assert "5" in message  # says how many weights are needed


def test_profile_all_zero_or_negative():
    assert _error(["org=small", "org.levels.2.profile=[0,0,0,0,0]"]).startswith("org.levels[2].profile = ")
    assert _error(["org=small", "org.levels.2.profile=[1,1,-1,1,1]"]).startswith("org.levels[2].profile = ")


def test_group_shares_must_sum_to_one():
    groups = load_config(["org=small"]).org.groups
    total = round(0.5 + sum(g.share for g in groups[1:]), 6)
    assert total != 1.0
    message = _error(["org=small", "org.groups.0.share=0.5"])
    assert message.startswith(f"org.groups[*].share = {total}")
    assert "sum to 1" in message


def test_group_top_shares_must_sum_to_one():
    groups = load_config(["org=small"]).org.groups
    top = [g.share if g.top_share is None else g.top_share for g in groups]
    total = round(top[0] + 0.5 + sum(top[2:]), 6)
    assert total != 1.0
    message = _error(["org=small", "org.groups.1.top_share=0.5"])
    assert message.startswith(f"org.groups[*].top_share = {total}")


def test_duplicate_level_names():
    message = _error(["org=small", "org.levels.1.name=Associate"])
    assert message.startswith("org.levels = ")
    assert "Associate" in message and "unique" in message


def test_too_few_levels(small_tree):
    tree = copy.deepcopy(small_tree)
    tree["org"]["levels"] = tree["org"]["levels"][:1]
    assert _build_error(tree).startswith("org.levels = 1")


def test_no_groups(small_tree):
    tree = copy.deepcopy(small_tree)
    tree["org"]["groups"] = []
    assert _build_error(tree).startswith("org.groups = []")


# ---------------------------------------------------------------- rules and modes


def test_unknown_promotion_rule():
    message = _error(["org=small", "promotion.rule=nepotism"])
    assert message.startswith("promotion.rule = 'nepotism'")
    for rule in ("readiness", "performance", "seniority", "random"):
        assert rule in message  # lists what is allowed


def test_unknown_promotion_timing():
    assert _error(["org=small", "promotion.timing=yearly"]).startswith("promotion.timing = 'yearly'")


def test_unknown_attrition_mode():
    assert _error(["org=small", "attrition.mode=random"]).startswith("attrition.mode = 'random'")


@pytest.mark.parametrize("shares", ["[]", "[0.1,0.1]", "[0.1,0.1,0.1,0.1,0.1,0.1,0.1]"])
def test_cycle_mode_needs_one_share_per_level(shares):
    message = _error(["org=small", "attrition.mode=cycle", f"attrition.cycle_exit_share={shares}"])
    assert message.startswith("attrition.cycle_exit_share = [")
    assert "(6)" in message


def test_cycle_share_out_of_range():
    shares = "[0.1,0.1,1.5,0.1,0.1,0.1]"
    message = _error(["org=small", "attrition.mode=cycle", f"attrition.cycle_exit_share={shares}"])
    assert message.startswith("attrition.cycle_exit_share[2] = 1.5")


def test_rater_bias_naming_a_missing_group():
    message = _error(["org=small", "+performance.rater_bias.C=-0.2"])
    assert message.startswith("performance.rater_bias.C = 'C'")
    assert "A, B" in message  # lists the groups that exist


def test_participation_effect_unknown_label():
    message = _error(["org=small", "+attrition.participation_effect.boss=0.1"])
    assert message.startswith("attrition.participation_effect.boss")


# ---------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(
    "override, key",
    [
        ("foo=1", "foo"),
        ("+foo=1", "foo"),
        ("sim.foo=1", "sim.foo"),
        ("+sim.foo=1", "sim.foo"),
        ("sim.horizon=5", "sim.horizon"),
        ("+org.levels.0.sets=5", "org.levels[0].sets"),
        ("+attrition.retirement.age=65", "attrition.retirement.age"),
    ],
)
def test_unknown_key_top_level_and_nested(override, key):
    message = _error(["org=small", override])
    assert message.startswith(f"{key}: unknown key"), message


def test_unknown_key_in_a_mapping(small_tree):
    tree = copy.deepcopy(small_tree)
    tree["review"]["hipo"] = 0.2
    message = _build_error(tree)
    assert message.startswith("review.hipo: unknown key")
    assert "hipo_share" in message  # lists the allowed keys


def test_unknown_top_level_section_in_a_mapping(small_tree):
    tree = copy.deepcopy(small_tree)
    tree["mentoring"] = {}
    assert _build_error(tree).startswith("mentoring: unknown key")


# ---------------------------------------------------------------- wrong types


@pytest.mark.parametrize(
    "override, expected",
    [
        ("sim.seed=abc", "sim.seed = 'abc': must be an integer"),
        ("sim.seed=1.5", "sim.seed = 1.5: must be an integer"),
        ("sim.horizon_years=abc", "sim.horizon_years = 'abc': must be a number"),
        ("org.levels.0.seats=ten", "org.levels[0].seats = 'ten': must be an integer"),
        ("org.levels.0.seats=null", "org.levels[0].seats = None: must be an integer"),
        ("org.groups.0.share=abc", "org.groups[0].share = 'abc': must be a number"),
        ("sim.check_invariants=1", "sim.check_invariants = 1: must be true or false"),
        ("sim.check_invariants=0.5", "sim.check_invariants = 0.5: must be true or false"),
        ("org.levels.0.leadership=1", "org.levels[0].leadership = 1: must be true or false"),
        ("output.charts=yes", "output.charts = 'yes': must be true or false"),
        ("org.levels.0.profile=abc", "org.levels[0].profile = 'abc': must be a list"),
        ("sim.horizon_years=true", "sim.horizon_years = True: must be a number"),
        ("review.period_weeks=false", "review.period_weeks = False: must be an integer"),
    ],
)
def test_wrong_type(override, expected):
    message = _error(["org=small", override])
    assert message == expected or message.startswith(expected), message


def test_section_that_is_not_a_mapping():
    assert _error(["org=small", "attrition=5"]).startswith("attrition = 5: must be a mapping")


def test_list_expected_in_a_mapping(small_tree):
    tree = copy.deepcopy(small_tree)
    tree["org"]["levels"] = {"Associate": 96}
    assert _build_error(tree).startswith("org.levels = {'Associate': 96}: must be a list")


# ---------------------------------------------------------------- missing keys


def test_missing_required_level_key_via_hydra_delete():
    message = _error(["org=small", "~org.levels.0.seats"])
    assert message == "org.levels[0].seats: missing required key"


def test_missing_org_name_via_hydra_delete():
    assert _error(["org=small", "~org.name"]) == "org.name: missing required key"


def test_missing_required_key_in_a_mapping(small_tree):
    tree = copy.deepcopy(small_tree)
    del tree["org"]["levels"][2]["name"]
    assert _build_error(tree) == "org.levels[2].name: missing required key"
    tree = copy.deepcopy(small_tree)
    del tree["org"]
    assert _build_error(tree) == "org: missing required key"


def test_optional_keys_take_their_defaults(small_tree):
    tree = copy.deepcopy(small_tree)
    del tree["org"]["levels"][0]["capability_weight"]
    del tree["review"]
    cfg = build(tree)
    assert cfg.org.levels[0].capability_weight == 1.0
    assert cfg.review.period_weeks == 26


# ---------------------------------------------------------------- config groups and syntax


@pytest.mark.parametrize("override, group, option", [("org=huge", "org", "huge"), ("sim=nope", "sim", "nope")])
def test_unknown_config_group_option(override, group, option):
    message = _error([override])
    assert message.startswith(f"{group} = '{option}': no such config")
    if group == "org":
        for preset in ("default", "large", "small"):  # lists what is available
            assert preset in message


def test_unknown_experiment_is_an_error_not_silently_ignored():
    # A typo in an optional group (experiment=stylzed_cycle) must not quietly run the default model.
    message = _error(["org=small", "experiment=stylzed_cycle"])
    assert "experiment" in message and "stylzed_cycle" in message


def test_unresolvable_interpolation_is_one_line():
    message = _error(["org=small", "org.levels.0.seats=${nowhere}"])
    assert "nowhere" in message


def test_malformed_override_is_one_line():
    assert "sim.seed" in _error(["org=small", "sim.seed"])


# ---------------------------------------------------------------- the config folder itself


def test_a_missing_config_folder_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORSIM_CONFIG_DIR", str(tmp_path / "nowhere"))
    assert _error(["org=small"]) == (f"MENTORSIM_CONFIG_DIR = '{tmp_path / 'nowhere'}': must be a folder holding "
                                     "config.yaml (a copy of the repository's configs/)")


def test_a_relative_config_folder_is_found(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(REPO_CONFIGS, tmp_path / "mine")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MENTORSIM_CONFIG_DIR", "mine")
    assert load_config(["org=small"]).org.name == "small"


def test_yaml_syntax_error_names_file_and_line(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(REPO_CONFIGS, tmp_path / "mine")
    (tmp_path / "mine" / "matching" / "random.yaml").write_text("policy: random\nskill_weight: [0.5\n")
    monkeypatch.setenv("MENTORSIM_CONFIG_DIR", str(tmp_path / "mine"))
    message = _error(["org=small", "matching=random"])
    assert message.startswith(f"{tmp_path / 'mine' / 'matching' / 'random.yaml'}: line 3, column 1: not valid YAML")
    assert "\n" not in message


@pytest.mark.parametrize("override, expected", [
    ("org=3", "org = '3': must name a config in org/: default, large, pyramid3, small"),
    ("program=[default,nonesuch]", "program = 'nonesuch': no such config; available: default, hipo_leadership"),
    ("program.meeting_hours=inf", "program.meeting_hours = inf: must be a finite number"),
    ("matching.skill_weight=nan", "matching.skill_weight = nan: must be a finite number"),
])
def test_group_options_and_non_finite_numbers(override, expected):
    assert _error(["org=small", override]).startswith(expected)


def test_the_matching_overrides_the_errors_suggest_choose_the_policy():
    """The error for program.matching=X names two overrides; both must compose and choose X."""
    for_all = load_config(["matching=optimal"])
    for_one = load_config(["++program.matching.policy=optimal"])
    assert for_all.matching.policy == "optimal" and for_all.program.matching is None  # follows the group
    assert for_one.program.matching.policy == "optimal"
    assert load_config().matching.policy != "optimal"  # so the two above changed something
