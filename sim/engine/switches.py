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
    # Not None: at a review, exactly the people (by draw key) the no-program twin passed over that
    # week are passed over, instead of the rule (week -> draw keys).
    passed_over_replay: dict[int, np.ndarray] | None = None


ALL_ON = Switches()
