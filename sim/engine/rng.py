"""Counter-based random streams: (seed, stream, key, week, k) -> a draw.

No generator state is carried between draws. A draw is a hash of its
coordinates, so:
- turning one process on or off never shifts another process's draws
  (each process has its own stream number);
- two scenarios with the same seed see the same draws for the same employee in
  the same week (common random numbers);
- a parallel loop gives bit-identical results for any thread count.

The hash is the SplitMix64 finalizer (Steele, Lea & Flood 2014), applied twice:
once to fold the entity key into the stream key, once to fold in the week and
the draw index.

Entities are keyed by lineage, never by a sequence number: a starting employee by
his or her id, a seat by the event that opened it (`lineage_key`: who left, or who
was promoted out of which level), a hire by the seat filled. Two scenarios that
share a history therefore give the same event the same draws, even after they have
diverged elsewhere (a different exit shifts every later id, but no lineage key),
and even when the event comes some weeks earlier or later in one of them.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_WEEK_MULT = np.uint64(0xD1B54A32D192ED03)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV_2_53 = 1.0 / 9007199254740992.0

# One number per random process. Never renumber: it would change every result.
STREAMS = {
    "init": 1,
    "hire": 2,
    "development": 3,
    "state_noise": 4,
    "attrition": 5,
    "retirement": 6,
    "performance": 7,
    "involuntary": 8,
    "cycle_exit": 9,
    "vacancy_channel": 10,
    "time_to_fill": 11,
    "promotion": 12,
    "department": 13,
    "frailty": 14,
    # Programs (mentoring) use 100 and above.
    "matching": 100,
    "meetings": 101,
    "enrollment": 103,
}

_MASK = (1 << 64) - 1


def _mix_py(z: int) -> int:
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def stream_key(seed: int, stream: str | int) -> np.uint64:
    """The 64-bit key of one stream under one seed."""
    number = STREAMS[stream] if isinstance(stream, str) else int(stream)
    return np.uint64(_mix_py(_mix_py(int(seed) + 0x9E3779B97F4A7C15) ^ (number * 0x9E3779B97F4A7C15)))


class Streams(dict):
    """Stream keys for one seed, by name: `streams["attrition"]` (a dict, so that the dozen look-ups of a
    week are dict look-ups, not Python calls)."""

    def __init__(self, seed: int):
        super().__init__((name, stream_key(seed, name)) for name in STREAMS)
        self.seed = int(seed)


@njit(inline="always", cache=True)
def mix(z):
    """SplitMix64 finalizer on a uint64."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always", cache=True)
def entity_key(key, entity):
    """Fold an entity (employee id, pair id, vacancy id) into a stream key."""
    return mix(np.uint64(key) ^ (np.uint64(entity) * _GOLDEN))


@njit(inline="always", cache=True)
def uniform_at(ekey, week, k):
    """Uniform on (0, 1) for an entity key, a week and a draw index k."""
    h = mix(ekey ^ (np.uint64(week) * _WEEK_MULT + np.uint64(k)))
    return (np.float64(h >> _S11) + 0.5) * _INV_2_53


_NORMAL_BASE = 1 << 20  # normals use their own index range, never a uniform's
_NORMAL_SPAN = 1 << 10  # uniforms one normal may consume (it needs ~1.03 on average)


def _ziggurat_tables(layers: int = 256, r: float = 3.6541528853610088, area: float = 0.00492867323399):
    """Layer edges of the Marsaglia-Tsang (2000) ziggurat for exp(-x^2/2), 256 equal-area layers.

    x[0] = area / f(r) is the width of the base layer's rectangle of equal area, x[1] = r,
    f(x[i+1]) = f(x[i]) + area / x[i], x[layers] = 0.
    """
    f = lambda x: np.exp(-0.5 * x * x)  # noqa: E731
    x = np.zeros(layers + 1)
    x[0], x[1] = area / f(r), r
    for i in range(1, layers - 1):
        x[i + 1] = np.sqrt(-2.0 * np.log(area / x[i] + f(x[i])))
    return x, x[1:] / x[:-1], f(x), r


_ZIG_X, _ZIG_RATIO, _ZIG_F, _ZIG_R = _ziggurat_tables()
_LAYER_MASK = np.uint64(255)


@njit(cache=True)
def _normal_from_start(ekey, week, k):
    """`normal_at`, every try from the first: the 1.2% of draws whose first try is not accepted at once.

    Each try takes one 64-bit draw: its low 8 bits pick a layer i, its high 53 bits a signed
    uniform u, and z = u * x_i is accepted at once when |u| < x_{i+1} / x_i (98.8% of draws).
    Otherwise the wedge of layer i is tested with one more uniform, and the base layer (i = 0)
    draws from the tail beyond r (Marsaglia 1964). Exact, and no transcendental function on the
    fast path. Independent bits for the layer and for u avoid the flaw Doornik (2005) found.
    """
    base = np.uint64(week) * _WEEK_MULT + np.uint64(_NORMAL_BASE + _NORMAL_SPAN * k)
    j = 0
    while j < _NORMAL_SPAN - 3:
        h = mix(ekey ^ (base + np.uint64(j)))
        j += 1
        i = np.int64(h & _LAYER_MASK)
        u = 2.0 * (np.float64(h >> _S11) + 0.5) * _INV_2_53 - 1.0
        if abs(u) < _ZIG_RATIO[i]:
            return u * _ZIG_X[i]
        if i == 0:  # the tail |z| > r
            while j < _NORMAL_SPAN - 2:
                a = -np.log((np.float64(mix(ekey ^ (base + np.uint64(j))) >> _S11) + 0.5) * _INV_2_53) / _ZIG_R
                b = -np.log((np.float64(mix(ekey ^ (base + np.uint64(j + 1))) >> _S11) + 0.5) * _INV_2_53)
                j += 2
                if 2.0 * b > a * a:
                    return _ZIG_R + a if u > 0.0 else -(_ZIG_R + a)
        else:  # the wedge between the layer's rectangle and the curve
            z = u * _ZIG_X[i]
            v = (np.float64(mix(ekey ^ (base + np.uint64(j))) >> _S11) + 0.5) * _INV_2_53
            j += 1
            if _ZIG_F[i + 1] + v * (_ZIG_F[i] - _ZIG_F[i + 1]) < np.exp(-0.5 * z * z):
                return z
    return 0.0  # after ~1,000 rejected tries in a row: probability below 1e-1900


@njit(inline="always", cache=True)
def normal_at(ekey, week, k):
    """Standard normal by the ziggurat method from uniform indices 2^20 + 1024k + j, j = 0, 1, ...

    The first try, accepted at once in 98.8% of draws, is inlined into the caller; the rest goes
    to `_normal_from_start`, out of line, which repeats that first try and goes on (the same
    number either way: each try is a hash of its index). A small inlined body keeps the callers'
    loops tight (a third faster per draw than the whole loop inlined).
    """
    base = np.uint64(week) * _WEEK_MULT + np.uint64(_NORMAL_BASE + _NORMAL_SPAN * k)
    h = mix(ekey ^ base)
    i = np.int64(h & _LAYER_MASK)
    u = 2.0 * (np.float64(h >> _S11) + 0.5) * _INV_2_53 - 1.0
    if abs(u) < _ZIG_RATIO[i]:
        return u * _ZIG_X[i]
    return _normal_from_start(ekey, week, k)


@njit(cache=True)
def uniforms(key, entities, week, k):
    """Vectorized `uniform_at` for an array of entity ids (serial: arrays here are small)."""
    out = np.empty(entities.shape[0])
    for i in range(entities.shape[0]):
        out[i] = uniform_at(entity_key(key, entities[i]), week, k)
    return out


@njit(cache=True)
def normals(key, entities, week, k):
    """Vectorized `normal_at` for an array of entity ids (serial: arrays here are small)."""
    out = np.empty(entities.shape[0])
    for i in range(entities.shape[0]):
        out[i] = normal_at(entity_key(key, entities[i]), week, k)
    return out


# Lineage: what opened a seat or brought a person in. Never renumber (it would change every result).
# A person leaves once and leaves each level at most once (nobody is demoted), and a seat is filled
# once, so (tag, parent, index) names one event of a run. The week is left out on purpose: the
# same promotion a few weeks later in one scenario is still the same seat left behind.
LINEAGE_EXIT_SEAT = 1  # the seat of a leaver (any kind of exit): parent = the leaver's draw key, index 0
LINEAGE_PROMOTION_SEAT = 2  # the seat a promoted person leaves: parent = his or her draw key, index = its level
LINEAGE_HIRE = 3  # an external hire: parent = the key of the seat filled, index 0
_TAG_MULT = np.uint64(0xC2B2AE3D27D4EB4F)
HIRE_KEY_BIT = np.uint64(1 << 63)  # set in every hire's draw key; starting employees' keys are their ids


@njit(inline="always", cache=True)
def lineage_key(tag, parent, index):
    """The 64-bit key of an entity born of `parent` (a draw key or a seat key) by event `tag`.

    mix is a bijection and parent x phi (phi odd) is one too, so within one tag and index distinct
    parents give distinct keys; across tags and indices a collision is a chance event of
    probability 2^-64 per pair of keys.
    """
    inner = mix((np.uint64(parent) * _GOLDEN) ^ (np.uint64(tag) * _TAG_MULT))
    return mix(inner ^ (np.uint64(index) * _WEEK_MULT))


@njit(cache=True)
def lineage_keys(tag, parents, indices):
    """`lineage_key` of every parent, with its index (serial: arrays here are small)."""
    out = np.empty(parents.shape[0], dtype=np.uint64)
    for i in range(parents.shape[0]):
        out[i] = lineage_key(tag, parents[i], indices[i])
    return out


@njit(cache=True)
def hire_keys(seat_keys):
    """The draw keys of the people hired into seats: the seat's lineage key with the top bit set,
    so that no hire shares a key with a starting employee (ids below 2^63)."""
    out = np.empty(seat_keys.shape[0], dtype=np.uint64)
    for i in range(seat_keys.shape[0]):
        out[i] = lineage_key(LINEAGE_HIRE, seat_keys[i], 0) | HIRE_KEY_BIT
    return out


_PAIR_BASE = 1 << 40  # pair draws use their own index range: 2^40 + the second entity's id


@njit(inline="always", cache=True)
def pair_uniform_at(first_key, second, week):
    """Uniform for a pair of entities: the first's entity key, the second's id as the draw index."""
    return uniform_at(first_key, week, np.uint64(_PAIR_BASE) + np.uint64(second))


@njit(cache=True)
def pair_uniforms(key, first, second, week):
    """Uniform for every (first[i], second[j]) pair of entities: a (len(first), len(second)) array."""
    out = np.empty((first.shape[0], second.shape[0]))
    for i in range(first.shape[0]):
        ki = entity_key(key, first[i])
        for j in range(second.shape[0]):
            out[i, j] = pair_uniform_at(ki, second[j], week)
    return out


def choice(key, entities, week, k, probabilities) -> np.ndarray:
    """Index drawn from `probabilities` for each entity (inverse CDF of one uniform)."""
    cdf = np.cumsum(np.asarray(probabilities, dtype=float))
    cdf /= cdf[-1]
    u = uniforms(key, np.asarray(entities, dtype=np.int64), week, k)
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1)
