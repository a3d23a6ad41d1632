"""Switches that take one causal path of the programs out of a world, everything else (the random
numbers included) left as it is: the decomposition of a program's effect by mechanism
(docs/MODEL.md 8.13). The defaults leave every path on, as in an ordinary run.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Switches:
    """Paths of the programs' skill gains and passed-over events into the rest of the model."""

    gain_in_readiness: bool = True  # False: readiness and review scores see competence without mentoring gains
    gain_in_market_pull: bool = True  # False: the market-pull term of the exit hazard sees it without them
    # Not None: at a review, exactly the people the no-program twin passed over that week, at the same
    # level, are passed over, instead of the rule (week -> `passed_over_tokens` of draw key and level).
    passed_over_replay: dict[int, np.ndarray] | None = None


# An odd 64-bit constant (the golden ratio's): draw key XOR level x it is one number per person and
# level, colliding with another person's only by chance (2^-64 a pair).
_LEVEL_MIX = np.uint64(0x9E3779B97F4A7C15)


def passed_over_tokens(draw_keys, levels) -> np.ndarray:
    """One uint64 per (person, level): what a passed-over replay matches on."""
    with np.errstate(over="ignore"):
        return np.asarray(draw_keys, dtype=np.uint64) ^ (np.asarray(levels, dtype=np.uint64) * _LEVEL_MIX)


ALL_ON = Switches()
