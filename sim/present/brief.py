"""Page 1 of a run report: an executive brief in HR units.

The question, the answer in one sentence, four or five key figures (points of turnover, people
retained, leadership seats filled from inside, cost and net value in the salaries' currency),
what drove the result where the run has it, and what one seed can and cannot say. Every figure
names the `metrics.json` keys it is computed from; the report prints those names only in its
glossary, for analysts, never in the body.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .mechanism import what_drove

SWEEP_HINT = ("For intervals, run the same design over many seeds (mentorsim -m ... 'sim.seed=range(20)'), "
              "then mentorsim compare FOLDER --baseline twin, or mentorsim report FOLDER on the sweep folder: "
              "its intervals come from paired seeds.")


@dataclass
class KeyFigure:
    """One figure of the brief: a label, the value as printed, a line of context, and its keys."""
    label: str
    value: str
    detail: str
    keys: tuple[str, ...]


@dataclass
class Brief:
    title: str
    question: str
    answer: str
    figures: list[KeyFigure]
    drivers: list[str] = field(default_factory=list)
    caveat: str = ""
    chart: str = ""  # the stem of the run chart shown on page 1
    chart_note: str = ""  # a line under that chart

    def keys(self) -> dict[str, str]:
        """{figure label: its metrics.json keys}, for the glossary."""
        return {f.label: ", ".join(f.keys) for f in self.figures}


def ok(x) -> bool:
    return x is not None and x == x


def pct(x) -> str:
    return "n/a" if not ok(x) else f"{100 * x:.1f}%"


def points(x) -> str:
    return "n/a" if not ok(x) else f"{100 * x:+.2f} points"


def money(x) -> str:
    return "n/a" if not ok(x) else f"{x:,.0f}"


def signed_money(x) -> str:
    return "n/a" if not ok(x) else f"{x:+,.0f}"


def program_names(cfg) -> str:
    return ", ".join(p.name for p in cfg.programs())


def brief(cfg, m: dict) -> Brief:
    """The brief of one seed: against its twin when it has one, the organization alone otherwise (a run
    over several seeds: `sim.present.brief_seeds.run_brief`)."""
    if "effect.turnover_annual" in m and "cost.total" in m:
        return _program_brief(cfg, m)
    return _organization_brief(cfg, m)


def _organization_brief(cfg, m: dict) -> Brief:
    org, years = cfg.org.name, m["years"]
    if cfg.programs():  # a program ran, but without its twin there is nothing to compare it with
        with_what = f"with the {program_names(cfg)} mentoring program"
        why_no_effect = ("the program ran without its twin (the same organization without it), so this run "
                         "measures no program effect; run it with its twin to measure one")
    else:
        with_what = "without a mentoring program"
        why_no_effect = "no program ran, so this run measures no program effect"
    figures = [
        KeyFigure("Annual turnover", pct(m["turnover_annual"]),
                  f"{m['exits_total']:,} people left over {years:g} years", ("turnover_annual", "exits_total")),
        KeyFigure("Promotions", f"{m['promotions_total']:,}", f"over {years:g} years", ("promotions_total",)),
        KeyFigure("Leadership seats filled from inside", pct(m["internal_fill_rate_leadership"]),
                  "of leadership vacancies filled by internal promotion", ("internal_fill_rate_leadership",)),
        KeyFigure("Ready-now successors per leadership seat", f"{m['bench_strength_end']:.2f}",
                  f"at the end, from {m['bench_strength_start']:.2f} at the start",
                  ("bench_strength_end", "bench_strength_start")),
    ]
    return Brief(
        title=f"The {org} organization over {years:g} years",
        question=f"How does the talent pipeline of the {org} organization ({m['headcount_start']:,} people) "
                 f"develop over {years:g} years {with_what}?",
        answer=f"{pct(m['turnover_annual'])} of people leave each year and {pct(m['internal_fill_rate_leadership'])} "
               f"of leadership seats are filled from inside; {why_no_effect}.",
        figures=figures,
        drivers=[],
        caveat=f"This is one simulated run (seed {cfg.sim.seed}): one draw of the organization's random events, "
               f"so its figures carry no interval. {SWEEP_HINT}",
        chart="succession")


def _program_brief(cfg, m: dict) -> Brief:
    org, years, names = cfg.org.name, m["years"], program_names(cfg)
    eff, exits = m["effect.turnover_annual"], -m["effect.exits_total"]
    direction = "lowered" if eff < 0 else "raised" if eff > 0 else "did not change"
    by = f" by {abs(100 * eff):.2f} points" if eff != 0 else ""
    leavers = (f"{round(exits):,} fewer people left" if exits > 0 else f"{round(-exits):,} more people left"
               if exits < 0 else "as many people left")
    net, cost = m["value.net"], m["cost.total"]
    verdict = "it paid for itself in this run" if net >= 0 else "it did not pay for itself in this run"
    seats = m.get("value.extra_internal_leadership_fills")
    figures = [
        KeyFigure("Annual turnover, change", points(eff),
                  f"{pct(m['turnover_annual'])} with the program, {pct(m['twin.turnover_annual'])} without",
                  ("effect.turnover_annual", "turnover_annual", "twin.turnover_annual")),
        KeyFigure("People retained (exits avoided)", f"{round(exits):+,}",
                  f"over {years:g} years: {m['exits_total']:,} left with the program, "
                  f"{m['twin.exits_total']:,} without", ("effect.exits_total", "exits_total", "twin.exits_total")),
        KeyFigure("Leadership seats filled from inside, change",
                  f"{seats:+.1f} seats" if ok(seats) else points(m["effect.internal_fill_rate_leadership"]),
                  f"{pct(m['internal_fill_rate_leadership'])} of leadership fills from inside with the program, "
                  f"{pct(m['twin.internal_fill_rate_leadership'])} without",
                  ("value.extra_internal_leadership_fills", "internal_fill_rate_leadership",
                   "twin.internal_fill_rate_leadership")),
        KeyFigure("Program cost", money(cost),
                  "staff time at loaded cost, coordination and training; present value in the currency of the "
                  "salaries", ("cost.total",)),
        KeyFigure("Net value", signed_money(net),
                  f"value created against the twin ({signed_money(m['value.total'])}) minus the cost; "
                  f"ROI {m['roi']:+.2f}" if ok(m.get("roi")) else "value created against the twin minus the cost",
                  ("value.net", "value.total", "roi")),
    ]
    return Brief(
        title=f"The {names} mentoring program in the {org} organization",
        question=f"What does the {names} mentoring program change for the {org} organization "
                 f"({m['headcount_start']:,} people) over {years:g} years, and does it pay for itself?",
        answer=f"Against the same organization without it, the program {direction} annual turnover{by} "
               f"({leavers}) and its net value was {signed_money(net)} on a cost of {money(cost)}: {verdict}.",
        figures=figures,
        drivers=[*filter(None, [what_drove(m)]), *_drivers(m)],
        caveat=f"This is one simulated run (seed {cfg.sim.seed}) against its twin (the same organization, the "
               f"same people and the same random events, without the program): one draw, so its figures carry "
               f"no interval. {SWEEP_HINT}",
        chart="cost_value")


def _drivers(m: dict) -> list[str]:
    """What drove the result, in plain words, from the figures the run has (`m`: metrics, or the means
    over a run's seeds under the same keys).

    The split of the effect by mechanism (`sim.present.mechanism`) belongs first in this list."""
    out = []
    one, twin_one = m.get("mentee.promotion_incidence_1y"), m.get("twin.mentee.promotion_incidence_1y")
    if ok(one) and ok(twin_one):
        out.append(f"Mentees were promoted {'sooner' if one > twin_one else 'no sooner'}: {pct(one)} within a "
                   f"year of enrolling, against {pct(twin_one)} of the same people without the program.")
    on_mentees, naive = m.get("effect.mentee.turnover_annual"), m.get("naive.turnover_annual.mentee_minus_none")
    if ok(on_mentees) and ok(naive):
        out.append(f"The mentees' own turnover changed by {points(on_mentees)}. Comparing mentees with "
                   f"non-participants would suggest {points(naive)}: the difference is who took part, not what "
                   f"the program did.")
    replacement, inside = m.get("value.replacement_savings"), m.get("value.internal_fill_savings")
    if ok(replacement) and ok(inside):
        first = (f"Replacing leavers cost {money(replacement)} less than without the program" if replacement >= 0
                 else f"Replacing leavers cost {money(-replacement)} more than without the program (more "
                      f"voluntary leavers, or leavers in more senior seats, which cost more to replace)")
        out.append(f"{first}; leadership seats filled from inside were worth {signed_money(inside)}.")
    staff = [(m.get("cost.mentor_time"), "mentor time"), (m.get("cost.mentee_time"), "mentee time")]
    if all(ok(v) for v, _ in staff) and ok(m.get("cost.total")):
        out.append(f"Staff time is {pct((staff[0][0] + staff[1][0]) / m['cost.total'])} of the cost: "
                   f"{money(staff[0][0])} of mentor time and {money(staff[1][0])} of mentee time.")
    return out
