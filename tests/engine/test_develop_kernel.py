"""The develop kernel against a copy of it as it was (every value through the arrays, readiness summed
again afterwards): the same competencies, states and readiness, bit for bit, serial and parallel,
under every switch (own talents, noise on or off, the channels without mentoring gains)."""
import numpy as np
import pytest
from numba import njit

from sim.engine import kernels
from sim.engine.kernels import DevelopmentParams, _clip01, competence_of
from sim.engine.rng import entity_key, normal_at


@njit(cache=True)
def _reference_develop(active, count, draw_key, level, talent, talent_own, competency, confidence, engagement, belonging,
            readiness, mentored, unmentored, market, profile, target, next_level, params, key_dev, key_state, week):
    """`develop` as it was before its values were held in locals (a copy: the reference)."""
    p = DevelopmentParams(*params)
    n_comp = competency.shape[1]
    for i in range(count):
        if not active[i]:
            continue
        lv = level[i]
        ceiling = p.stretch + p.talent_sd * talent[i]
        kd = entity_key(key_dev, draw_key[i])
        is_mentored = mentored[i]
        for k in range(n_comp):
            c = competency[i, k]
            if p.talent_own != 0.0:
                ceiling = p.stretch + p.talent_sd * (p.talent_common * talent[i] + p.talent_own * talent_own[i, k])
            gap = target[lv, k] + ceiling - c
            # Growth toward the personal ceiling; skills above it (noise, mentoring) fade more slowly.
            rate = p.growth_per_week * n_comp * profile[lv, k]
            growth = rate * gap if gap > 0.0 else p.decay_factor * rate * gap
            noise = p.noise_sd_week * normal_at(kd, week, k) if p.noise_sd_week > 0.0 else 0.0
            if p.noise_sd_week > 0.0:
                growth += noise
            competency[i, k] = _clip01(c + growth)
            if is_mentored:
                c0 = unmentored[i, k]
                gap0 = target[lv, k] + ceiling - c0
                growth0 = rate * gap0 if gap0 > 0.0 else p.decay_factor * rate * gap0
                if p.noise_sd_week > 0.0:
                    growth0 += noise
                unmentored[i, k] = _clip01(c0 + growth0)
        ks = entity_key(key_state, draw_key[i])
        noise = p.state_noise_sd_week
        confidence[i] += p.drift_per_week * (p.baseline_confidence - confidence[i])
        engagement[i] += p.drift_per_week * (p.baseline_engagement - engagement[i])
        belonging[i] += p.drift_per_week * (p.baseline_belonging - belonging[i])
        if noise > 0.0:
            confidence[i] += noise * normal_at(ks, week, 0)
            engagement[i] += noise * normal_at(ks, week, 1)
            belonging[i] += noise * normal_at(ks, week, 2)
        confidence[i] = _clip01(confidence[i])
        engagement[i] = _clip01(engagement[i])
        belonging[i] = _clip01(belonging[i])
        readiness[i] = competence_of(profile, next_level[lv], competency, i)
        if p.unmentored_readiness > 0.0 and mentored[i]:
            readiness[i] = competence_of(profile, next_level[lv], unmentored, i)
        if p.unmentored_market_pull > 0.0:
            for k in range(n_comp):
                market[i, k] = unmentored[i, k] if mentored[i] else competency[i, k]


KEY_DEV, KEY_STATE, WEEK = np.uint64(0xA5A5F00D12345678), np.uint64(0x0DDBA11CAFEF00D5), 37


def _rows(n, seed, n_levels=6, n_comp=5):
    gen = np.random.default_rng(seed)
    mentored = gen.random(n) < 0.3
    competency = gen.random((n, n_comp)) * 1.2 - 0.1  # some outside [0, 1], as a test of the clip
    return dict(active=gen.random(n) < 0.9, count=n - 7, draw_key=gen.integers(0, 2**63, n).astype(np.uint64),
                level=gen.integers(0, n_levels, n).astype(np.int8), talent=gen.normal(size=n),
                talent_own=gen.normal(size=(n, n_comp)), competency=competency,
                confidence=gen.random(n), engagement=gen.random(n) * 1.1, belonging=gen.random(n),
                readiness=gen.random(n), mentored=mentored,
                unmentored=np.clip(competency - gen.random((n, n_comp)) * 0.2 * mentored[:, None], 0, 1),
                market=gen.random((n, n_comp)), profile=gen.dirichlet(np.ones(n_comp), n_levels),
                target=gen.random((n_levels, n_comp)),
                next_level=np.minimum(np.arange(n_levels) + 1, n_levels - 1).astype(np.int64))


NAMES = ("active", "count", "draw_key", "level", "talent", "talent_own", "competency", "confidence", "engagement",
         "belonging", "readiness", "mentored", "unmentored", "market", "profile", "target", "next_level")
WRITTEN = ("competency", "confidence", "engagement", "belonging", "readiness", "unmentored", "market")


def _params(own, noise, unmentored_readiness, unmentored_market):
    return DevelopmentParams(growth_per_week=0.15 / 52, stretch=0.1, talent_sd=0.08, talent_common=0.8,
                             talent_own=0.6 if own else 0.0, decay_factor=0.3, noise_sd_week=noise,
                             drift_per_week=0.04, state_noise_sd_week=noise * 2, baseline_confidence=0.6,
                             baseline_engagement=0.65, baseline_belonging=0.55,
                             unmentored_readiness=unmentored_readiness, unmentored_market_pull=unmentored_market)


@pytest.mark.parametrize("own, noise, unmentored_readiness, unmentored_market",
                         [(False, 0.03 / np.sqrt(52), 0.0, 0.0), (True, 0.01, 1.0, 1.0), (False, 0.0, 1.0, 0.0),
                          (True, 0.0, 0.0, 1.0)])
def test_develop_is_the_former_kernel_bit_for_bit(own, noise, unmentored_readiness, unmentored_market):
    rows = _rows(5000, 11)
    params = tuple(_params(own, noise, unmentored_readiness, unmentored_market))
    want = {name: value.copy() if isinstance(value, np.ndarray) else value for name, value in rows.items()}
    for week in range(WEEK, WEEK + 3):  # three weeks in a row: each starts from the last one's state
        _reference_develop(*(want[name] for name in NAMES), params, KEY_DEV, KEY_STATE, week)
    for build in (kernels.develop.serial, kernels.develop.parallel):
        got = {name: value.copy() if isinstance(value, np.ndarray) else value for name, value in rows.items()}
        for week in range(WEEK, WEEK + 3):
            build(*(got[name] for name in NAMES), params, KEY_DEV, KEY_STATE, week)
        for name in WRITTEN:
            assert got[name].tobytes() == want[name].tobytes(), name
    assert not np.array_equal(want["competency"], rows["competency"])  # it did develop them
