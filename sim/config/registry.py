"""Named implementations that a config chooses by name: matching policies, promotion rules.

The config layer owns the registry, so that it can check a name when the config is loaded; the
layer that implements the choices fills it (`@MATCHING_POLICIES.register("random")` in
`sim.mentoring.matching`). Importing `sim` loads every implementation, so the names are complete
by the time any config is checked, and the config layer never imports the layers above it.
Promotion rules are filled by `sim.engine.promotion_rules` (`@PROMOTION_RULES.register("worst")`).
"""
from __future__ import annotations

from typing import Callable


class Registry(dict):
    """name -> implementation, with the kind of thing it holds for error messages."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def register(self, name: str) -> Callable:
        """Decorator: register `fn` under `name` (a later registration replaces an earlier one)."""

        def add(fn):
            self[name] = fn
            return fn

        return add

    def allowed(self) -> str:
        return f"one of {', '.join(sorted(self))}"


MATCHING_POLICIES: Registry = Registry("matching policy")
PROMOTION_RULES: Registry = Registry("promotion rule")
