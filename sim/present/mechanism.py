"""What drove a program's result, in plain words, from its decomposition by mechanism
(`decomposition.<part>.<metric>` in metrics.json; docs/MODEL.md 8.13)."""
from __future__ import annotations

# A part is named when it is at least this share of the parts' absolute sum for its outcome: the
# few that carry the result, not every small push (the chart shows them all).
NAMED_SHARE = 0.10
# (metric, its words, scale, unit, words for a rise and a fall)
OUTCOMES = (
    ("turnover_annual", "Turnover", 100.0, " points", "rose", "fell"),
    ("promotions_total", "Promotions", 1.0, " people", "rose", "fell"),
    ("value.net", "Net value", 1.0, "", "was", "was"),
)


def _number(value: float, unit: str) -> str:
    """Points with two decimals; people with one when a part is a half (the mean of two orders); money whole."""
    if unit == " points":
        return f"{value:+.2f}"
    if unit == " people":
        return f"{value:+,.1f}".rstrip("0").rstrip(".")
    return f"{value:+,.0f}"


def _sentence(metrics: dict, metric: str, words: str, scale: float, unit: str, up: str, down: str) -> str | None:
    from ..charts.decomposition import PART_WORDS  # the chart's words (loads matplotlib: only when asked)

    total = metrics.get(f"effect.{metric}", metrics.get(metric))
    parts = {p: metrics.get(f"decomposition.{p}.{metric}") for p in PART_WORDS}
    parts = {p: v * scale for p, v in parts.items() if v is not None and v == v}
    if total is None or total != total or not parts:
        return None
    total *= scale
    size = sum(abs(v) for v in parts.values())
    named = [(p, v) for p, v in parts.items() if size > 0 and abs(v) >= NAMED_SHARE * size]
    named.sort(key=lambda pv: -abs(pv[1]))
    if metric == "value.net":
        head = f"{words} was {total:+,.0f}"
    else:
        amount = f"{abs(total):.2f}" if unit == " points" else f"{abs(total):,.0f}"
        head = f"{words} {up if total > 0 else down} {amount}{unit}" if total else f"{words} did not change"
    if not named:
        return head + "."
    down_parts = [f"{PART_WORDS[p]} ({_number(v, unit)})" for p, v in named if v < 0]
    up_parts = [f"{PART_WORDS[p]} ({_number(v, unit)})" for p, v in named if v > 0]
    clauses = []
    if down_parts:
        clauses.append("lowered by " + _join(down_parts))
    if up_parts:
        clauses.append("raised by " + _join(up_parts))
    return f"{head}: {'; '.join(clauses)}."


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def what_drove(metrics: dict, seed: int | None = None) -> str | None:
    """One paragraph: each outcome's change and the mechanisms that carried it (None without a decomposition).

    `seed`: name the seed the split comes from, where the page's other figures are means over seeds."""
    if not any(k.startswith("decomposition.") for k in metrics):
        return None
    sentences = [s for o in OUTCOMES if (s := _sentence(metrics, *o))]
    if not sentences:
        return None
    where = "" if seed is None else f"; seed {seed} only, one draw"
    return (f"Why, by mechanism (each switched off in turn on the same random numbers{where}): "
            + " ".join(sentences))
