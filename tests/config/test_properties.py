"""Property-based tests over the config space (hypothesis, derandomized so every run is the same).

For random valid and invalid values of a chosen set of keys (horizon, seats, group shares, program
and matching keys) a composed config either fails to load with a `ConfigError` whose message is one
line naming a real config key, or it loads, and then a short run with `sim.check_invariants=true`
completes and its headline shows every figure as a number or as "n/a (reason)", never NaN.

Composing with Hydra costs about 0.3 s, so each config group option is composed once and the drawn
values are set on a copy of the composed tree (as an override would set them) before `build`, the
step of `load_config` that checks them. 250 + 150 examples take about 30 s on one core.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import re
import typing

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim import run
from sim.config.load import build, compose_tree
from sim.config.schema import Config, ConfigError
from sim.runs.jobs import headline

PROGRAMS = ["default", "none", "onboarding", "hipo_leadership", "sponsorship", "peer_circle", "reverse"]
POLICIES = ["random", "skill_gap", "affinity", "cross_group", "optimal"]
N_LEVELS = 6  # org=small
SETTINGS = dict(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@functools.lru_cache(maxsize=None)
def _composed(option: str) -> dict:
    """org=small composed once per config group option (`program=onboarding`, `matching=optimal`)."""
    return compose_tree(["org=small", option])


def _tree(program: str, matching: str, values: dict) -> dict:
    """The tree `org=small program=P matching=M` composes (the matching group fills only the top-level
    `matching`), with `values` ({dotted key: value}) set as overrides would set them."""
    tree = copy.deepcopy(_composed(f"program={program}"))
    tree["matching"] = copy.deepcopy(_composed(f"matching={matching}")["matching"])
    for key, value in values.items():
        node, parts = tree, key.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(parts[-1]) if isinstance(node, list) else parts[-1]] = value
    return tree


def _is_config_key(path: str) -> bool:
    """Whether `path` (as messages write it: org.levels[0].seats, org.groups[*].share) is a key of Config."""
    tp = Config
    for part in re.sub(r"\[(\d+|\*)\]", "", path).split("."):
        while typing.get_origin(tp) in (typing.Union, __import__("types").UnionType, list):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
        if typing.get_origin(tp) is dict:
            return True  # free-form mappings (participation_effect, rater_bias) take any key below
        if not dataclasses.is_dataclass(tp):
            return False
        hints = typing.get_type_hints(tp)
        if part not in hints:
            return False
        tp = hints[part]
    return True


def _assert_names_a_key(err: ConfigError, drawn: dict) -> None:
    message = str(err)
    assert "\n" not in message, message
    match = re.match(r"([A-Za-z_][\w.\[\]*]*)(?: = |: )", message)
    assert match, (message, drawn)
    key = match.group(1)
    if message.startswith(f"{key}: unknown key"):  # the misspelt key itself, in a real section
        key = key.rpartition(".")[0]
    assert _is_config_key(key), (message, drawn)


def _assert_headline_defined(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE), text
    for na in re.finditer(r"n/a", text):
        assert text[na.end():na.end() + 2] == " (", text  # every n/a gives its reason


# ------------------------------------------------------------------ strategies

NAN, INF = float("nan"), float("inf")
# Each key: values that must load (given the others in range) and values that must be rejected.
KEYS: dict[str, tuple[st.SearchStrategy, list]] = {
    "sim.horizon_years": (st.floats(0.04, 200), [0, -1, 0.001, 200.5, 1e6, INF, NAN, "abc", None, True]),
    "sim.weeks_per_year": (st.integers(26, 365), [0, -3, 366, 1.5, "x", None]),
    "org.groups.0.share": (st.floats(0, 1), [-0.1, 1.5, NAN, "x"]),
    "program.mentee_levels": (st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
                              [[], [-1], [N_LEVELS], "x"]),
    "program.mentor_levels": (st.sampled_from([[], [5], [4, 5], [3, 4, 5]]), [[-1], [N_LEVELS]]),
    "program.min_level_gap": (st.integers(1, 2), [0, -1, N_LEVELS, N_LEVELS + 1, 1.5]),
    "program.mentor_min_tenure_weeks": (st.integers(0, 20000), [-1, 1.5, INF]),
    "program.mentee_max_tenure_weeks": (st.one_of(st.none(), st.integers(600, 2000)), [-5, "x"]),
    "program.mentor_capacity": (st.integers(1, 5), [0, -1]),
    "program.cadence_weeks": (st.integers(1, 10), [0, -1, "often"]),
    "program.enroll_share": (st.floats(0.01, 1), [0, -0.5, 1.5, NAN]),
    "program.first_cohort_week": (st.integers(0, 60), [-1, "x"]),
    "program.format": (st.sampled_from(["one_to_one", "group", "reverse"]), ["pyramid", 3]),
    "program.enrollment": (st.sampled_from(["cohort", "rolling"]), ["weekly"]),
    "program.matching": (st.sampled_from([None, {"policy": "random"}]),
                         ["optimal", {"policy": "nonesuch"}, {"speed": 1}]),
    "matching.policy": (st.sampled_from(POLICIES), ["nonesuch", 3]),
    "matching.skill_weight": (st.floats(0, 2), [-0.1, NAN, "x"]),
    "matching.n_focus": (st.integers(1, 5), [0, -1, 1.5]),
    "matching.block_size": (st.integers(1, 300), [0]),
    "matching.candidates": (st.integers(0, 500), [-1]),
    **{f"org.levels.{i}.seats": (st.integers(1, 10000), [0, -2, 2.5, "ten", None]) for i in range(N_LEVELS)},
}
# Keys whose values are in range one by one but may not fit together (a level gap no mentor
# level can meet; a tenure window that the preset's minimum closes): the error names one of them.
JOINT = {"program.mentee_levels", "program.mentor_levels", "program.min_level_gap", "program.format",
         "program.mentee_max_tenure_weeks"}


@st.composite
def wide_values(draw, program: str) -> tuple[dict, set]:
    """In-range values for a few keys, and out-of-range ones for up to two others: (values, bad keys)."""
    keys = sorted(KEYS)
    chosen = draw(st.lists(st.sampled_from(keys), max_size=6, unique=True))
    bad = set(draw(st.lists(st.sampled_from(keys), max_size=2, unique=True)))
    if program == "none":
        bad.discard("program.mentor_capacity")  # a disabled program may have no capacity
        # nor levels that fit the organization: it never runs, so only its values' types are checked
        bad -= {"program.mentee_levels", "program.mentor_levels", "program.min_level_gap"}
    values = {key: draw(KEYS[key][0]) for key in chosen if key not in bad}
    values.update({key: draw(st.sampled_from(KEYS[key][1])) for key in bad})
    if "org.groups.0.share" in values and "org.groups.0.share" not in bad:
        values["org.groups.1.share"] = 1 - values["org.groups.0.share"]  # shares sum to 1
    return values, bad


def _message_key(message: str) -> str:
    """org.levels[0].seats = ... -> org.levels.0.seats (org.groups[*].share -> org.groups.*.share)."""
    key = re.match(r"([A-Za-z_][\w.\[\]*]*)(?: = |: )", message).group(1)
    return re.sub(r"\[(\d+|\*)\]", r".\1", key)


def _names_one_of(message: str, keys: set) -> bool:
    named = _message_key(message)  # the key itself, or a key inside it (program.matching.policy)
    return any(re.fullmatch(re.escape(key) + r"(\..+)?", named) or
               re.fullmatch(re.escape(named).replace(r"\*", r"\d+"), key) for key in keys)


@st.composite
def runnable_values(draw) -> dict:
    """A tiny org (1 to 12 seats a level), a short horizon, and program and matching keys mostly in range."""
    out = {f"org.levels.{level}.seats": draw(st.integers(1, 12)) for level in range(N_LEVELS)}
    out["sim.horizon_years"] = draw(st.sampled_from([1 / 52, 0.1, 0.3]))
    out["sim.seed"] = draw(st.integers(0, 2**31))
    out["sim.check_invariants"] = True
    out["output.charts"] = False
    share = draw(st.sampled_from([0.0, 0.3, 0.6, 1.0]))
    out["org.groups.0.share"], out["org.groups.1.share"] = share, 1 - share
    optional = {
        "program.mentee_levels": st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
        "program.mentor_levels": st.lists(st.integers(0, N_LEVELS - 1), max_size=3, unique=True),
        "program.min_level_gap": st.sampled_from([1, 1, 2]),
        "program.mentor_min_tenure_weeks": st.sampled_from([0, 26, 520, 10000]),
        "program.mentee_min_tenure_weeks": st.sampled_from([0, 20, 52]),
        "program.mentor_capacity": st.integers(1, 3),
        "program.cadence_weeks": st.integers(1, 6),
        "program.length_weeks": st.integers(1, 20),
        "program.enroll_share": st.sampled_from([0.1, 0.5, 1.0]),
        "program.first_cohort_week": st.integers(0, 20),
        "program.format": st.sampled_from(["one_to_one", "group", "reverse"]),
        "program.enrollment": st.sampled_from(["cohort", "rolling"]),
        "matching.n_focus": st.integers(1, 7),  # more than the 5 competencies too
        "matching.block_size": st.integers(1, 50),
        "matching.candidates": st.integers(0, 50),
        "evaluation.twin": st.booleans(),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            out[key] = draw(strategy)
    return out


# ------------------------------------------------------------------ properties


@settings(max_examples=250, **SETTINGS)
@given(program=st.sampled_from(PROGRAMS), matching=st.sampled_from(POLICIES), data=st.data())
def test_a_config_loads_or_fails_with_one_line_naming_the_bad_key(program, matching, data):
    values, bad = data.draw(wide_values(program))
    try:
        cfg = build(_tree(program, matching, values))
    except ConfigError as err:
        event(f"rejected: {_message_key(str(err))}")
        _assert_names_a_key(err, values)
        joint = JOINT if JOINT & set(values) else set()
        assert _names_one_of(str(err), bad | joint), (str(err), values, bad)
        return
    event("loaded")
    assert not bad, (values, bad)  # every out-of-range value is rejected
    for key, value in values.items():  # and every value accepted is the config's, as given
        assert _loaded(cfg, key) == _as_loaded(value, _loaded(cfg, key)), (key, value)


def _loaded(cfg, key: str):
    """The built config's value at a dotted key (org.levels.0.seats)."""
    node = cfg
    for part in key.split("."):
        node = node[int(part)] if isinstance(node, list) else getattr(node, part)
    return node


def _as_loaded(value, loaded):
    """A drawn mapping (program.matching = {policy: random}) as the section it loads into."""
    if isinstance(value, dict) and dataclasses.is_dataclass(loaded):
        return dataclasses.replace(loaded, **value)
    return value


@settings(max_examples=150, **SETTINGS)
@given(program=st.sampled_from(PROGRAMS), matching=st.sampled_from(POLICIES), values=runnable_values())
def test_a_config_that_loads_runs_with_invariants_and_a_headline_without_nan(program, matching, values):
    try:
        cfg = build(_tree(program, matching, values))
    except ConfigError as err:  # e.g. a level gap the drawn levels cannot meet
        event(f"rejected: {str(err).split(' ', 1)[0]}")
        _assert_names_a_key(err, values)
        return
    event(f"ran {program}")
    result = run(cfg)  # sim.check_invariants=true: seat accounting is checked every week
    assert result.model.week == cfg.sim.horizon_weeks
    _assert_headline_defined(headline(cfg, result.metrics))


@pytest.mark.parametrize("path, ok", [
    ("org.levels[0].seats", True), ("org.groups[*].share", True), ("program.matching.policy", True),
    ("extra_programs[0].cadence_weeks", True), ("attrition.participation_effect.mentee", True),
    ("sim.horizn", False), ("program.matching.speed", False), ("nonsense", False),
])
def test_key_recognizer(path, ok):
    assert _is_config_key(path) is ok
