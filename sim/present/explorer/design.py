"""A program design as the explorer's controls hold it, turned into Hydra overrides and checked
by the same validation as the command line (so a control shows the CLI's one-line message).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from ...config.load import config_dir, load_config
from ...config.registry import MATCHING_POLICIES
from ...config.schema import ConfigError

# Allowed ranges of the numeric controls: wide enough for any sensible program, narrow enough
# that a slider is usable. The schema's own checks still apply inside them.
RANGES = {
    "cadence_weeks": (1, 26),
    "length_weeks": (4, 156),
    "mentor_capacity": (1, 8),
    "enroll_share": (0.0, 1.0),
    "seeds": (2, 40),
    "horizon_years": (1, 20),
}


def presets(group: str) -> list[str]:
    """Names of the config files of a group (`org`, `program`) in the config folder."""
    return sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))


def org_overrides(org: str) -> list[str]:
    """`experiment=ORG` when the config folder holds a calibrated organization's experiment (`mentorsim
    calibrate` writes org/ORG.yaml and experiment/ORG.yaml, the fitted keys outside org/ being in the
    latter), else `org=ORG`."""
    experiment = config_dir() / "experiment" / f"{org}.yaml"
    if experiment.is_file() and f"override /org: {org}\n" in experiment.read_text(encoding="utf-8"):
        return [f"experiment={org}"]
    return [f"org={org}"]


def policies() -> list[str]:
    return MATCHING_POLICIES.choices()


@dataclass(frozen=True)
class Design:
    """What a strategist sets: an organization, a program preset and its main keys."""

    org: str = "default"
    program: str = "default"
    matching: str = "skill_gap"
    cadence_weeks: int = 4
    length_weeks: int = 52
    mentor_capacity: int = 2
    enroll_share: float = 0.3
    mentee_levels: tuple[int, ...] = (0, 1, 2)
    mentor_training: bool = False
    goal_setting: bool = True
    monitoring: bool = True
    seeds: int = 10
    horizon_years: int = 10
    matching_in_program: bool = field(default=False, compare=False)  # the preset pins its own matching

    def overrides(self) -> list[str]:
        """Hydra overrides for this design (the seed is added per run)."""
        levels = ",".join(str(i) for i in self.mentee_levels)
        out = [*org_overrides(self.org), f"program={self.program}", f"sim.horizon_years={self.horizon_years}"]
        if self.program == "none":
            return out
        out.append(f"program.matching.policy={self.matching}" if self.matching_in_program else f"matching={self.matching}")
        out += [f"program.cadence_weeks={self.cadence_weeks}", f"program.length_weeks={self.length_weeks}",
                f"program.mentor_capacity={self.mentor_capacity}", f"program.enroll_share={self.enroll_share:g}",
                f"program.mentee_levels=[{levels}]", f"program.mentor_training={str(self.mentor_training).lower()}",
                f"program.goal_setting={str(self.goal_setting).lower()}",
                f"program.monitoring={str(self.monitoring).lower()}"]
        return out

    def label(self) -> str:
        if self.program == "none":
            return f"{self.org} org, no program"
        return (f"{self.program} on {self.org}: {self.matching}, every {self.cadence_weeks} wk, "
                f"{self.length_weeks} wk, capacity {self.mentor_capacity}, {self.enroll_share:.0%} enroll")


def from_preset(org: str, program: str, seeds: int = 10, horizon_years: int = 10) -> Design:
    """The controls' values for an organization and program preset, read from the composed config."""
    cfg = load_config([f"org={org}", f"program={program}"])
    p = cfg.program
    pinned = p.matching is not None
    policy = (p.matching or cfg.matching).policy
    return Design(org=org, program=program, matching=policy, cadence_weeks=int(p.cadence_weeks),
                  length_weeks=int(p.length_weeks), mentor_capacity=int(p.mentor_capacity),
                  enroll_share=float(p.enroll_share), mentee_levels=tuple(int(i) for i in p.mentee_levels),
                  mentor_training=bool(p.mentor_training), goal_setting=bool(p.goal_setting),
                  monitoring=bool(p.monitoring), seeds=seeds, horizon_years=horizon_years,
                  matching_in_program=pinned)


def level_names(org: str) -> list[str]:
    return [level.name for level in load_config([f"org={org}", "program=none"]).org.levels]


def check(design: Design) -> tuple[str | None, str | None]:
    """(None, None) when the design is valid, else (the control it concerns, the CLI's message)."""
    low, high = RANGES["seeds"]
    if not low <= design.seeds <= high:
        return "seeds", f"seeds = {design.seeds}: must be from {low} to {high}"
    try:
        load_config(design.overrides())
    except ConfigError as err:
        message = str(err)
        return control_of(message), message
    return None, None


def control_of(message: str) -> str | None:
    """The control a config error names (`program.cadence_weeks = 0: ...` -> `cadence_weeks`)."""
    key = re.match(r"\s*([\w.\[\]]+)", message)
    if not key:
        return None
    name = re.sub(r"\[\d+\]", "", key.group(1)).split(".")[-1]
    if name == "policy":
        return "matching"
    return name if name in {f.name for f in dataclasses.fields(Design)} else None
