"""The opt-in sign-up chance solves for its intercept with a compiled copy of scipy's brentq: the root,
and so every chance, must be scipy's to the bit (results of runs may not change), and it must fail
where scipy fails."""
from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import expit

from sim.mentoring.volunteers import _standardized_staying, sign_up_chance

# With Intel's SVML (conda installs often have it) numba may vectorise the compiled exp with another
# rounding, so the chances would differ from scipy's in the last bit: equality is only promised without it.
pytestmark = pytest.mark.skipif(numba.config.USING_SVML, reason="numba uses SVML: exp rounds differently")


def scipy_chance(z, share, selection):
    """What sign_up_chance computed with scipy (the formula it had)."""
    if selection == 0.0 or not z.any():
        return np.full(z.size, share)
    alpha = brentq(lambda a: float(expit(a + selection * z).mean()) - share, -60.0, 60.0, xtol=1e-12)
    return expit(alpha + selection * z)


def scores(rng, n, kind):
    if kind == "normal":
        z = rng.standard_normal(n)
    elif kind == "heavy":
        z = rng.standard_t(2, n)
    elif kind == "skewed":
        z = -np.log(rng.random(n))
    elif kind == "ties":
        z = rng.integers(-2, 3, n).astype(float)
    else:  # one outlier among equals, as a standardized score of such a round is
        z = np.full(n, -1.0 / np.sqrt(max(n - 1, 1)))
        z[rng.integers(n)] = np.sqrt(n - 1)
    return (z - z.mean()) / z.std() if z.std() > 0 else z


def test_staying_score_is_numpys_standardization_to_the_bit():
    """The compiled standardization against the numpy expression it replaced, over sizes 1 to 3,000,
    spreads from none (zeros) to wide, and hazards on any scale."""
    rng = np.random.default_rng(7)
    for case in range(1500):
        n = int(rng.integers(1, 3000)) if case % 2 else int(rng.integers(1, 20))
        log_h = rng.standard_normal(n) * [0.0, 1e-13, 1e-6, 1.0, 50.0][case % 5] + rng.uniform(-700, 0)
        sd = float(log_h.std()) if n > 1 else 0.0
        expected = (log_h.mean() - log_h) / sd if sd > 1e-12 else np.zeros(n)
        assert _standardized_staying(log_h).tobytes() == expected.tobytes(), (case, n)


def test_chances_are_scipys_to_the_bit():
    """3,000 random rounds (sizes 1 to 2,000, shares near 0 and 1, selection up to its cap of 20,
    scores with ties, heavy tails and single outliers): every chance equal to scipy's, or both fail."""
    rng = np.random.default_rng(11)
    kinds = ["normal", "heavy", "skewed", "ties", "outlier"]
    sizes = [1, 2, 3, 7, 8, 9, 127, 128, 129, 130, 255, 256, 257, 1000, 2000]
    shares = [1e-9, 1e-4, 0.01, 0.3, 0.45, 0.5, 0.9, 0.999, 1 - 1e-9]
    both_failed = 0
    for case in range(3000):
        n = int(rng.choice(sizes)) if case % 3 else int(rng.integers(1, 600))
        z = scores(rng, n, kinds[case % len(kinds)])
        share = float(rng.choice(shares)) if case % 2 else float(rng.random())
        selection = float(rng.choice([1e-6, 0.5, 9.4, 20.0])) if case % 4 == 0 else float(rng.uniform(0, 20))
        try:
            expected = scipy_chance(z, share, selection)
        except (ValueError, RuntimeError) as scipy_error:
            with pytest.raises(type(scipy_error)):
                sign_up_chance(z, share, selection)
            both_failed += 1
            continue
        got = sign_up_chance(z, share, selection)
        assert got.tobytes() == expected.tobytes(), (case, n, share, selection)
    assert both_failed < 300  # the rounds compared are nearly all of them


def test_a_share_out_of_reach_fails_as_scipy_does():
    z = np.array([30.0, -1.0, -1.0])  # expit(-60 + 20 * 30) ~ 1: the mean is above a tiny share at any alpha
    with pytest.raises(ValueError):
        scipy_chance(z, 1e-9, 20.0)
    with pytest.raises(ValueError):
        sign_up_chance(z, 1e-9, 20.0)
