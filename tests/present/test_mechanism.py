"""The plain-words paragraph of what drove a program's result (sim.present.mechanism)."""
from __future__ import annotations

from sim.present.mechanism import NAMED_SHARE, what_drove


def metrics(**parts) -> dict:
    """Turnover parts (fractions) -> metrics with their total as the effect."""
    m = {f"decomposition.{p}.turnover_annual": v for p, v in parts.items()}
    m["effect.turnover_annual"] = sum(parts.values())
    return m


def test_names_the_parts_that_carry_the_result_in_points_of_turnover():
    text = what_drove(metrics(mentee_retention=-0.0020, skill_market=0.0018, passed_over=0.0009, alumni=0.00001))
    assert "Turnover rose 0.07 points" in text
    assert "mentees' own retention (-0.20)" in text
    assert "new skills drawing market offers (+0.18)" in text and "passed-over events (+0.09)" in text
    assert "alumni" not in text  # far below NAMED_SHARE of the parts
    assert text.index("lowered by") < text.index("raised by")


def test_a_fall_and_the_share_threshold():
    small = NAMED_SHARE * 0.9  # just under the share of the parts' absolute sum that gets named
    text = what_drove(metrics(belonging=-0.001, sponsorship=0.001 * small / (1 - small)))
    assert "Turnover fell" in text and "sponsorship" not in text


def test_nothing_to_say_without_a_decomposition():
    assert what_drove({"effect.turnover_annual": 0.01}) is None


def test_people_keep_the_half_of_a_two_order_mean():
    m = {"decomposition.skill_market.promotions_total": 12.5, "decomposition.mentor_retention.promotions_total": -20.5,
         "effect.promotions_total": -8}
    text = what_drove(m)
    assert "Promotions fell 8 people: lowered by mentors' retention (-20.5); raised by new skills drawing market " \
           "offers (+12.5)." in text
