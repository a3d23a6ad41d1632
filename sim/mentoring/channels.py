"""The causal paths (channels) of a mentoring program, and how to switch each one off.

A channel off removes one path from the program world while everything else, the random numbers
included, stays as it is (docs/MODEL.md 8.13). Most channels are effect parameters set to zero in
every running program; the two skill channels hide the competence gained through mentoring from
one consumer (`sim.engine.switches`); the passed-over channel replays the no-program twin's
passed-over events. `costs` is accounting only: it moves value and ROI, never the simulation.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..config.schema import Config
from ..engine.switches import Switches, passed_over_tokens

# Simulated channels, in the order the decomposition switches them on (forward) and its reverse.
SIMULATED = ("mentee_retention", "mentor_retention", "alumni", "belonging", "sponsorship", "skill_promotion",
             "skill_market", "passed_over")
CHANNELS = SIMULATED + ("costs",)
# Effect parameters that make up each parameter channel (set to zero when it is off).
EFFECT_PARAMETERS = {
    "mentee_retention": ("mentee_retention_effect",),
    "mentor_retention": ("mentor_retention_effect", "mentor_engagement_gain"),
    "alumni": ("alumni_retention_effect",),
    "belonging": ("confidence_gain", "engagement_gain", "belonging_gain_same_group", "belonging_gain_cross_group",
                  "dissolution_engagement_penalty"),
    "sponsorship": ("sponsorship",),
}


def passed_over_replay(twin) -> dict[int, np.ndarray]:
    """week -> `passed_over_tokens` (draw key and level) of the people the twin passed over at that
    week's review, sorted. Worked out once per twin: the channel worlds that switch passed_over off all
    replay the same events."""
    ev = twin.events
    ev = ev[ev["kind"] == "passed_over"]
    keys = twin.people.set_index("employee")["draw_key"]
    level_index = {lv.name: i for i, lv in enumerate(twin.config.org.levels)}
    levels = ev["level"].astype(str).map(level_index).to_numpy()
    people = keys.reindex(ev["employee"])
    if people.isna().any():  # as floats the draw keys would lose their low bits and match nobody
        raise ValueError("the twin's roster lacks people its event log passed over")
    people = people.to_numpy(dtype=np.uint64)
    weeks = ev["week"].to_numpy(dtype=np.int64)
    tokens = passed_over_tokens(people, levels)
    order = np.lexsort((tokens, weeks))  # by week, then token: each week's tokens sorted
    weeks, tokens = weeks[order], tokens[order]
    cuts = np.flatnonzero(np.diff(weeks)) + 1
    return {int(w[0]): t for w, t in zip(np.split(weeks, cuts), np.split(tokens, cuts)) if w.size}


def switched_off(cfg: Config, off, replay: dict[int, np.ndarray] | None = None) -> tuple[Config, Switches]:
    """The config and engine switches of the program world with the channels in `off` switched off.

    `replay`: the no-program twin's `passed_over_replay` on the same seed, needed for passed_over.
    """
    off = set(off)
    unknown = off - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown channels {sorted(unknown)}: allowed {', '.join(CHANNELS)}")
    zero = {name: 0.0 for ch in off & set(EFFECT_PARAMETERS) for name in EFFECT_PARAMETERS[ch]}

    def quiet(program):
        return dataclasses.replace(program, effects=dataclasses.replace(program.effects, **zero))

    cfg = dataclasses.replace(cfg, program=quiet(cfg.program), extra_programs=[quiet(p) for p in cfg.extra_programs])
    if "passed_over" in off and replay is None:
        raise ValueError("switching passed_over off needs the twin's passed-over replay (passed_over_replay)")
    switches = Switches(gain_in_readiness="skill_promotion" not in off, gain_in_market_pull="skill_market" not in off,
                        passed_over_replay=replay if "passed_over" in off else None)
    return cfg, switches


def inert(cfg: Config) -> set[str]:
    """Simulated channels that cannot move anything in this config: every running program has their
    parameters at zero (switching them off changes nothing, so the decomposition need not run them)."""
    programs = cfg.programs()
    out = {ch for ch, names in EFFECT_PARAMETERS.items()
           if all(getattr(p.effects, n) == 0.0 for p in programs for n in names)}
    if all(p.effects.skill_transfer == 0.0 and p.effects.mentor_leadership_gain == 0.0 for p in programs):
        out |= {"skill_promotion", "skill_market"}
    return out
