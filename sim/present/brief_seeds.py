"""Page 1 of a run that ran over several paired seeds: each figure its mean over the seeds with a 95%
interval (`seeds.<key>.mean/.low/.high` in metrics.json), "unclear" where a difference's interval spans
zero, and the number of seeds said. Its chart is every seed's paired effect (`seeds_chart`); the run's
other charts are its first seed's, and the report says so.
"""
from __future__ import annotations

from pathlib import Path

from .brief import Brief, KeyFigure, _drivers, brief, money, ok, pct, program_names
from .mechanism import what_drove

UNCLEAR = "unclear"  # the interval spans zero (the caveat says so once)


def run_brief(cfg, m: dict) -> Brief:
    """Page 1 of a run: over its paired seeds (means with 95% intervals) when it ran several, else one seed's."""
    if (m.get("seeds.n") or 0) <= 1:
        return brief(cfg, m)
    if "effect.turnover_annual" in m and "cost.total" in m:
        return seeds_brief(cfg, m)
    return seeds_organization_brief(cfg, m)


def over_seeds(m: dict) -> dict:
    """{key: mean over the seeds} for every key summarized over seeds, plus the run's own size keys."""
    means = {k[len("seeds."):-len(".mean")]: v for k, v in m.items() if k.startswith("seeds.") and k.endswith(".mean")}
    return {**{k: m[k] for k in ("years", "headcount_start") if k in m}, **means}


def interval(m: dict, key: str, fmt, scale: float = 1.0) -> str:
    """"low to high" of `key` over seeds, in `fmt` after `scale`; "n/a" when undefined."""
    low, high = m.get(f"seeds.{key}.low"), m.get(f"seeds.{key}.high")
    if not (ok(low) and ok(high)):
        return "no interval"
    low, high = sorted((scale * low, scale * high))  # a negative scale turns the interval round
    return f"{fmt(low)} to {fmt(high)}"


def spans_zero(m: dict, key: str) -> bool:
    low, high = m.get(f"seeds.{key}.low"), m.get(f"seeds.{key}.high")
    return not (ok(low) and ok(high)) or low <= 0 <= high


def _signed(digits: int, unit: str = ""):
    return lambda x: f"{x:+,.{digits}f}{unit}"


def _figure(m: dict, label: str, key: str, fmt, detail: str, keys: tuple, scale: float = 1.0,
            paired: bool = True, unit: str = "") -> KeyFigure:
    mean = m.get(f"seeds.{key}.mean")
    value = "n/a" if not ok(mean) else fmt(scale * mean) + unit
    within = f"95% interval {interval(m, key, fmt, scale)}{unit}"
    if paired and ok(mean) and spans_zero(m, key):
        within += f", {UNCLEAR}"
    return KeyFigure(label, value, f"{within}; {detail}",
                     tuple(f"seeds.{k}.mean/.low/.high" for k in keys))


def seeds_brief(cfg, m: dict) -> Brief:
    """The brief of a program run over `seeds.n` paired seeds (each seed against its own twin)."""
    a = over_seeds(m)
    n, first = int(m["seeds.n"]), int(m["seeds.first"])
    org, years, names = cfg.org.name, m["years"], program_names(cfg)
    seeds = f"{n} paired seeds ({first} to {first + n - 1})"
    eff = a["effect.turnover_annual"]
    if spans_zero(m, "effect.turnover_annual"):
        change = (f"did not clearly change annual turnover ({_signed(2, ' points')(100 * eff)} on average, 95% "
                  f"interval {interval(m, 'effect.turnover_annual', _signed(2), 100)} points: unclear)")
    else:
        change = (f"{'lowered' if eff < 0 else 'raised'} annual turnover by {abs(100 * eff):.2f} points (95% "
                  f"interval {interval(m, 'effect.turnover_annual', _signed(2), 100)} points)")
    net = a.get("value.net")
    if not ok(net):
        verdict = "its net value is undefined"
    elif spans_zero(m, "value.net"):
        verdict = "whether it pays for itself is unclear (the net value's interval spans zero)"
    else:
        verdict = "it pays for itself" if net > 0 else "it does not pay for itself"
    figures = [
        _figure(m, "Annual turnover, change", "effect.turnover_annual", _signed(2),
                f"{pct(a.get('turnover_annual'))} with the program, {pct(a.get('twin.turnover_annual'))} without",
                ("effect.turnover_annual", "turnover_annual", "twin.turnover_annual"), scale=100, unit=" points"),
        _figure(m, "People retained (exits avoided)", "effect.exits_total", lambda x: f"{x:+,.0f}",
                f"over {years:g} years, against the same organization without the program",
                ("effect.exits_total",), scale=-1),  # exits avoided: minus the change in exits
        _figure(m, "Leadership seats filled from inside, change", "value.extra_internal_leadership_fills",
                _signed(1), f"{pct(a.get('internal_fill_rate_leadership'))} of leadership fills from "
                f"inside with the program, {pct(a.get('twin.internal_fill_rate_leadership'))} without",
                ("value.extra_internal_leadership_fills", "internal_fill_rate_leadership",
                 "twin.internal_fill_rate_leadership"), unit=" seats"),
        _figure(m, "Program cost", "cost.total", lambda x: f"{x:,.0f}",
                "staff time at loaded cost, coordination and training; present value in the salaries' currency",
                ("cost.total",), paired=False),
        _figure(m, "Net value", "value.net", _signed(0),
                f"value created against the twin minus the cost; ROI {a['roi']:+.2f} on average"
                if ok(a.get("roi")) else "value created against the twin minus the cost", ("value.net", "roi")),
    ]
    return Brief(
        title=f"The {names} mentoring program in the {org} organization",
        question=f"What does the {names} mentoring program change for the {org} organization "
                 f"({m['headcount_start']:,} people) over {years:g} years, and does it pay for itself?",
        answer=f"Over {seeds}, against the same organization without it, the program {change}; its net value "
               f"averaged {_signed(0)(net) if ok(net) else 'n/a'} on a cost of {money(a.get('cost.total'))}: "
               f"{verdict}.",
        figures=figures,
        drivers=[*filter(None, [what_drove(m, seed=first)]), *_drivers(a)],  # the split is the first seed's
        caveat=f"Means over {seeds}, each a run against its own twin (the same organization, people and "
               f"random events without the program), with 95% intervals over the seeds ('unclear': the interval "
               f"spans zero); they measure the model's randomness, not its assumptions. More seeds narrow them "
               f"(mentorsim evaluation.seeds=20); designs side by side: mentorsim report SWEEP --compare KEY=A,B.",
        chart=SEEDS_CHART,
        chart_note=f"Each dot is one seed: the program world against its own twin. The black line is the mean over "
                   f"the {n} seeds and the grey band its 95% interval, as in the table above.")


SEEDS_CHART = "seeds"  # charts/seeds.png: page 1's chart of a run over several seeds (`seeds_chart`)
# (seeds.csv column, panel title, scale, the mean's format, lower is better, tick format): the effects the
# answer names, in page 1's units
SEEDS_PANELS = (
    ("effect.turnover_annual", "Turnover, change in points (lower is better)", 100.0, "{:+.2f}", True, "{x:.2f}"),
    ("value.net", "Net value, thousands (higher is better)", 0.001, "{:+,.0f}k", False, "{x:,.0f}"),
)


def seeds_chart(folder: Path, m: dict, chart_dir: Path) -> Path | None:
    """Page 1's chart of a program run over several seeds, from its seeds.csv and the `seeds.*` figures,
    drawn into chart_dir/seeds.png each time the report is written (the run's own, never one an earlier
    run into the folder left); None for any other run."""
    if (m.get("seeds.n") or 0) <= 1 or "seeds.effect.turnover_annual.mean" not in m:
        return None
    path = Path(chart_dir) / f"{SEEDS_CHART}.png"
    from ..studies.paired import SEEDS_FILE

    table = Path(folder) / SEEDS_FILE
    if not table.is_file():
        return None
    import pandas as pd

    from ..charts.seeds import EffectPanel, effects_by_seed

    seeds = pd.read_csv(table)
    nan = float("nan")
    panels = []
    for key, title, scale, fmt, lower, ticks in SEEDS_PANELS:
        if key not in seeds:
            continue
        mean, low, high = (scale * m[f"seeds.{key}.{end}"] if ok(m.get(f"seeds.{key}.{end}")) else nan
                           for end in ("mean", "low", "high"))
        if ok(mean) and abs(mean) < 10:  # a small amount keeps a decimal ("+0.4k", not "+0k")
            fmt = fmt.replace(".0f", ".1f")
        panels.append(EffectPanel(title, tuple(scale * pd.to_numeric(seeds[key], errors="coerce")), mean, low, high,
                                  lower, fmt, ticks))
    return effects_by_seed(panels, path)


def seeds_organization_brief(cfg, m: dict) -> Brief:
    """The brief of an organization-only run (no program, or no twin) over `seeds.n` seeds."""
    a = over_seeds(m)
    n, first = int(m["seeds.n"]), int(m["seeds.first"])
    org, years = cfg.org.name, m["years"]
    seeds = f"{n} seeds ({first} to {first + n - 1})"
    plain = lambda digits: (lambda x: f"{x:,.{digits}f}")  # noqa: E731
    figures = [
        _figure(m, "Annual turnover", "turnover_annual", plain(1), f"{a.get('exits_total', float('nan')):,.0f} "
                f"people left over {years:g} years on average", ("turnover_annual", "exits_total"), scale=100,
                paired=False, unit="%"),
        _figure(m, "Promotions", "promotions_total", plain(0), f"over {years:g} years", ("promotions_total",),
                paired=False),
        _figure(m, "Leadership seats filled from inside", "internal_fill_rate_leadership", plain(1),
                "of leadership vacancies filled by internal promotion", ("internal_fill_rate_leadership",),
                scale=100, paired=False, unit="%"),
        _figure(m, "Ready-now successors per leadership seat", "bench_strength_end", plain(2),
                f"at the end, from {a.get('bench_strength_start', float('nan')):.2f} at the start",
                ("bench_strength_end", "bench_strength_start"), paired=False),
    ]
    why = ("the program ran without its twin, so no program effect is measured" if cfg.programs() else
           "no program ran, so no program effect is measured")
    return Brief(
        title=f"The {org} organization over {years:g} years",
        question=f"How does the talent pipeline of the {org} organization ({m['headcount_start']:,} people) "
                 f"develop over {years:g} years?",
        answer=f"Over {seeds}, {pct(a.get('turnover_annual'))} of people leave each year and "
               f"{pct(a.get('internal_fill_rate_leadership'))} of leadership seats are filled from inside, on "
               f"average; {why}.",
        figures=figures,
        caveat=f"Each figure is the mean over {seeds} with a 95% interval over them: the spread of the model's "
               f"randomness, not of its assumptions.",
        chart="succession",
        chart_note=f"The chart shows seed {first} only (one draw); the figures above are over all {n} seeds.")
