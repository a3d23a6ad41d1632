"""Named implementations that a config chooses by name: matching policies, promotion rules.

The config layer owns the registry, so that it can check a name when the config is loaded; the
layer that implements the choices fills it (`@MATCHING_POLICIES.register("random")` in
`sim.mentoring.matching`). The names are declared here, so that a config is checked without
importing the implementations (numba, scipy: the command line answers a mistake in milliseconds)
and the config layer never imports the layers above it; registering an undeclared name is an
error, and a test checks that every declared name is implemented.
Promotion rules are filled by `sim.engine.promotion_rules` (`@PROMOTION_RULES.register("worst")`).
"""
from __future__ import annotations

from typing import Callable


class Registry(dict):
    """name -> implementation, with the kind of thing it holds for error messages."""

    def __init__(self, kind: str, names: tuple[str, ...]):
        super().__init__()
        self.kind = kind
        self.names = frozenset(names)  # what a config may choose, known before any implementation loads

    def __contains__(self, name) -> bool:
        """Whether a config may choose `name` (declared), whether or not its implementation is loaded yet."""
        return name in self.names

    def register(self, name: str) -> Callable:
        """Decorator: register `fn` under `name` (a later registration replaces an earlier one)."""
        if name not in self.names:
            raise ValueError(f"{self.kind} {name!r}: declare the name in sim.config.registry first")

        def add(fn):
            self[name] = fn
            return fn

        return add

    def allowed(self) -> str:
        return f"one of {', '.join(sorted(self.names))}"


MATCHING_POLICIES: Registry = Registry(
    "matching policy", ("random", "skill_gap", "affinity", "cross_group", "optimal"))
PROMOTION_RULES: Registry = Registry(
    "promotion rule", ("random", "readiness", "performance", "seniority", "worst", "alternate"))
