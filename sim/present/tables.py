"""The tables of a run report in plain words: program against its twin, assumptions, configuration.

Each table row also yields a glossary entry (the words as printed, the metrics.json key), so an
analyst can find every figure in the run folder while the body reads without metric keys.
"""
from __future__ import annotations

from .brief import money, ok, pct, points

# the caption under each run chart, in the report
CAPTIONS = {
    "seeds": "The program's effect in each paired seed (a dot: its world against its own twin) and the mean over "
             "the seeds with its 95% interval; blue where the program did better, vermillion where worse.",
    "retention": "Mentees' retention from enrolling, with the program (blue) and the same people in the twin "
                 "without it (grey); right, the naive comparison with non-participants, selection included.",
    "turnover_by_level": "Exits per 100 person-years by level, with the program and in the twin (bars from zero, "
                         "95% Poisson intervals on the exits of this one run).",
    "pipeline": "Headcount by level (left, from zero) and mean readiness for the next level (right).",
    "succession": "Ready-now successors per leadership seat (left, from zero) and the share of leadership seats "
                  "filled from inside each year (right), with the program and in the twin.",
    "representation": "Share of the focus group in each level: at the start, at the end with the program, and "
                      "at the end in the twin.",
    "cost_value": "Each part of net value against the twin, in present value: blue adds to net value, "
                  "vermillion takes from it; the net is outlined.",
    "mechanism": "The effect split by mechanism (channels switched off on the same random numbers; docs/MODEL.md "
                 "8.13): blue moves the outcome the better way, vermillion the worse; the total is outlined.",
}

# metric (without "effect."/"twin.") -> (words, kind); kind picks the format of the values
WORDS = {
    "turnover_annual": ("Annual turnover", "rate"),
    "voluntary_turnover_annual": ("Annual voluntary turnover", "rate"),
    "regretted_turnover_annual": ("Annual regretted turnover (high performers)", "rate"),
    "exits_total": ("People who left", "count"),
    "promotions_total": ("Promotions", "count"),
    "promotion_rate_annual": ("Promotions per person a year", "rate"),
    "internal_fill_rate_leadership": ("Leadership seats filled from inside", "rate"),
    "bench_strength_mean": ("Ready-now successors per leadership seat, average", "ratio"),
    "bench_strength_end": ("Ready-now successors per leadership seat, at the end", "ratio"),
    "leadership_vacancy_weeks": ("Weeks leadership seats stood empty", "count"),
    "capability_index_mean": ("Capability index (1 = the start), average", "ratio"),
    "mean_engagement_end": ("Engagement at the end (0-1)", "ratio"),
    "mentee.turnover_annual": ("Mentees: annual turnover from enrolling", "rate"),
    "mentee.voluntary_turnover_annual": ("Mentees: annual voluntary turnover from enrolling", "rate"),
    "mentee.promotion_incidence_1y": ("Mentees promoted within 1 year of enrolling", "rate"),
    "mentee.promotion_incidence_2y": ("Mentees promoted within 2 years of enrolling", "rate"),
    "mentee.promotion_incidence_3y": ("Mentees promoted within 3 years of enrolling", "rate"),
}


# swept config keys in plain words, for sentences, headings and chart labels
PLAIN_KEYS = {
    "program": "program", "org": "organization", "matching": "matching policy",
    "program.matching.policy": "matching policy", "program.cadence_weeks": "meeting cadence (weeks)",
    "program.length_weeks": "program length (weeks)", "program.mentor_capacity": "mentees per mentor",
    "program.enroll_share": "share of the eligible enrolled", "program.max_mentees": "most mentees at once",
    "program.meeting_hours": "hours per meeting", "program.mentor_training": "mentor training",
    "program.goal_setting": "goal setting", "program.monitoring": "monitoring and rematching",
    "program.budget_per_year": "budget per year", "program.enrollment": "enrollment",
    "program.cohort_every_weeks": "weeks between cohorts", "program.min_level_gap": "levels between mentor and mentee",
    "program.attendance_base": "base attendance", "sim.horizon_years": "horizon (years)",
    "promotion.rule": "promotion rule", "experiment": "preset",
}


def plain_key(key: str) -> str:
    """A swept key in plain words ("program.cadence_weeks" -> "meeting cadence (weeks)")."""
    if key in PLAIN_KEYS:
        return PLAIN_KEYS[key]
    last = key.lstrip("+~").split(".")[-1]
    return last.replace("_weeks", " (weeks)").replace("_years", " (years)").replace("_", " ")


def plain_scenario(scenario: str) -> str:
    """A scenario's overrides ("program.cadence_weeks=2 matching=random") in plain words
    ("meeting cadence (weeks) 2, matching policy random")."""
    parts = []
    for item in str(scenario).split():
        key, sep, value = item.partition("=")
        parts.append(f"{plain_key(key)} {value}" if sep else item)
    return ", ".join(parts) or "the base design"


def words(metric: str) -> tuple[str, str]:
    """Plain words and kind of a metric; representation shares and unknown keys are spelled out."""
    if metric in WORDS:
        return WORDS[metric]
    parts = metric.split(".")
    if parts[0] == "representation_end" and len(parts) == 4:
        return f"Group {parts[1]} share of {parts[3]} seats at the end", "rate"
    return " ".join(p.replace("_", " ") for p in parts).capitalize(), "ratio"


def _value(x, kind: str) -> str:
    if not ok(x):
        return "n/a"
    return pct(x) if kind == "rate" else f"{x:,.0f}" if kind == "count" else f"{x:.3f}"


def diff(x, kind: str) -> str:
    if not ok(x):
        return "n/a"
    return points(x) if kind == "rate" else f"{x:+,.0f}" if kind == "count" else f"{x:+.3f}"


def effects_table(m: dict) -> tuple[list[tuple], list[tuple[str, str]]]:
    """(table rows with a header, glossary entries) of every effect the run has against its twin."""
    rows, gloss = [("Measure", "With the program", "Twin, no program", "Difference")], []
    for key in m:
        if not key.startswith("effect.") or "twin." + key[7:] not in m:
            continue
        metric = key[7:]
        label, kind = words(metric)
        rows.append((label, _value(m.get(metric), kind), _value(m["twin." + metric], kind), diff(m[key], kind)))
        gloss.append((f"{label}: with the program / twin / difference", f"{metric} / twin.{metric} / {key}"))
    return (rows if len(rows) > 1 else []), gloss


def _assumption_words(key: str) -> tuple[str, str]:
    parts = key.split(".")[1:]
    if parts[0] == "salary" and parts[1:2] == ["level"]:
        return f"Salary a year, {parts[2]}", "money"
    if parts[0] == "replacement_cost_share" and parts[1:2] == ["level"]:
        return f"Cost of replacing a leaver, {parts[2]} (share of salary)", "share"
    if parts[0] == "discount_rate":
        return "Discount rate (a year)", "share"
    if parts[0] == "external_hire_premium_share":
        return "Premium of an outside hire over an internal fill (share of salary)", "share"
    if parts[0] == "program":
        name, what = parts[1], parts[-1]
        kind = "money" if what.endswith(("_cost", "cost_per_mentor", "cost_per_year")) else "number"
        return f"Program {name}: {what.replace('_', ' ')}", kind
    return " ".join(p.replace("_", " ") for p in parts).capitalize(), "number"


def assumptions_table(m: dict) -> tuple[list[tuple], list[tuple[str, str]]]:
    rows, gloss = [("Assumption", "Value")], []
    for key, v in m.items():
        if not key.startswith("assumption."):
            continue
        label, kind = _assumption_words(key)
        shown = (money(v) if kind == "money" else pct(v) if kind == "share" else f"{v:,.6g}" if ok(v) else "n/a")
        rows.append((label, shown))
        gloss.append((label, key))
    return (rows if len(rows) > 1 else []), gloss


def config_table(cfg) -> list[tuple]:
    """The design of the run in plain words (the full config file is the report's appendix)."""
    levels = cfg.org.levels
    rows = [("Setting", "Value"),
            ("Organization", f"{cfg.org.name}: {sum(lv.seats for lv in levels):,} seats in {len(levels)} levels "
                             f"({', '.join(lv.name for lv in levels)})"),
            ("Groups", ", ".join(g.name for g in cfg.org.groups) or "none"),
            ("Simulated", f"{cfg.sim.horizon_years:g} years, {cfg.sim.weeks_per_year} weeks a year"),
            ("Seed", str(cfg.sim.seed)),
            ("Twin (the same organization without the program)", "yes" if cfg.evaluation.twin else "no")]
    for p in cfg.programs():
        rows += [
            (f"Program {p.name}", f"{p.format.replace('_', ' ')}, {p.enrollment} enrolment"
                                  + (f" every {p.cohort_every_weeks} weeks" if p.enrollment == "cohort" else "")
                                  + f", {pct(p.enroll_share)} of eligible people enrolled"),
            (f"Program {p.name}: mentees", "levels " + ", ".join(levels[i].name for i in p.mentee_levels)
             + f", at least {p.mentee_min_tenure_weeks} weeks in the organization"),
            (f"Program {p.name}: meetings", f"{p.meeting_hours:g} hour every {p.cadence_weeks} weeks for "
                                            f"{p.length_weeks} weeks; mentor training "
                                            f"{'yes' if p.mentor_training else 'no'}"),
            (f"Program {p.name}: matching", str(getattr(p.matching or cfg.matching, "policy", "")).replace("_", " ")),
        ]
    return rows
