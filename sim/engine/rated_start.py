"""Competence of a snapshot's people placed by their performance ratings (`org.start_from` with a
`rating_z` column), the inverse of how the review scores competence.

The review's score is rho x z + sqrt(1 - rho^2) x noise, where z is the person's competence
standardized within the level and rho is `performance.skill_signal` (`dynamics.review`). Given a
rating r standardized the same way, z is then distributed N(rho x r, 1 - rho^2): the rating fixes
the part of competence it reveals and leaves the rest unknown. A rated person's competence is moved
to z* = rho x r + sqrt(1 - rho^2) x d, where d is where the person's own draw (level and time in
level, `population.snapshot_start`) put him or her among the level's people: the rating shrunk
toward the mean by the signal's reliability, plus the person's draw for what it does not reveal, so
the level's spread of competence stays that of the draw. With rho = 0 a rating changes nothing;
the unrated are left as drawn. Every competency moves by the same amount (profiles sum to 1, so
profile-weighted competence moves by exactly that), then is clipped to 0-1.

If the draw's d carried no information on true competence, started and true competence would
correlate at rho^2; d's share of time in level adds a little (tests/hris/test_rated_start.py).
"""
from __future__ import annotations

import numpy as np


def place_by_rating(competency: np.ndarray, levels: np.ndarray, profile: np.ndarray, rating_z: np.ndarray,
                    skill_signal: float) -> np.ndarray:
    """The competencies with each rated person's moved to z* (above), level by level; a copy."""
    out = competency.copy()
    rated_any = ~np.isnan(rating_z)
    if not rated_any.any() or skill_signal == 0:
        return out
    competence = np.einsum("ij,ij->i", profile[levels], competency)
    residual_weight = np.sqrt(1.0 - skill_signal * skill_signal)
    for level in np.unique(levels[rated_any]):
        here = levels == level
        mean, sd = competence[here].mean(), competence[here].std()
        if sd <= 1e-12:
            continue
        rated = here & rated_any
        drawn = (competence[rated] - mean) / sd
        placed = skill_signal * rating_z[rated] + residual_weight * drawn
        out[rated] += ((placed - drawn) * sd)[:, None]
    return np.clip(out, 0.0, 1.0)
