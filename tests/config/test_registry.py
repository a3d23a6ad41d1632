"""The registries of names: declared in the config layer, filled by the layers that implement them."""
from __future__ import annotations

import pytest

from sim.config.registry import MATCHING_POLICIES, PROMOTION_RULES, Registry


def test_every_declared_name_is_implemented_and_nothing_else():
    from sim.engine import promotion_rules  # noqa: F401  (fills PROMOTION_RULES)
    from sim.mentoring import matching  # noqa: F401  (fills MATCHING_POLICIES)

    assert set(PROMOTION_RULES.keys()) == PROMOTION_RULES.names
    assert set(MATCHING_POLICIES.keys()) == MATCHING_POLICIES.names


def test_a_declared_name_is_allowed_before_its_implementation_loads():
    registry = Registry("widget", ("a", "b"))
    assert "a" in registry and "c" not in registry
    assert registry.allowed() == "one of a, b"
    with pytest.raises(KeyError):
        registry["a"]  # declared, not yet implemented


def test_a_name_registered_at_run_time_is_allowed_from_then_on():
    registry = Registry("widget", ("a",))
    assert "b" not in registry
    registry.register("b")(len)
    assert "b" in registry and registry["b"] is len
    assert registry.choices() == ["a", "b"]
    assert registry.allowed() == "one of a, b"
