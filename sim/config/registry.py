"""Named implementations that a config chooses by name: matching policies, promotion rules.

The config layer owns the registry, so that it can check a name when the config is loaded; the
layer that implements the choices fills it (`@MATCHING_POLICIES.register("random")` in
`sim.mentoring.matching`). The package's own names are declared here, so that a config is checked
without importing the implementations (numba, scipy: the command line answers a mistake in
milliseconds) and the config layer never imports the layers above it; a test checks that every
declared name is implemented. A name registered at run time (a policy of your own, from Python) is
allowed from then on.
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
        """Whether a config may choose `name`: declared (its implementation loaded yet or not) or registered."""
        return name in self.names or dict.__contains__(self, name)

    def register(self, name: str) -> Callable:
        """Decorator: register `fn` under `name` (a later registration replaces an earlier one)."""

        def add(fn):
            self[name] = fn
            return fn

        return add

    def choices(self) -> list[str]:
        """Every name a config may choose now, sorted: the declared ones and any registered since."""
        return sorted(self.names | set(self))

    def allowed(self) -> str:
        return f"one of {', '.join(self.choices())}"


MATCHING_POLICIES: Registry = Registry(
    "matching policy", ("random", "skill_gap", "affinity", "cross_group", "optimal"))
PROMOTION_RULES: Registry = Registry(
    "promotion rule", ("random", "readiness", "performance", "seniority", "worst", "alternate"))
