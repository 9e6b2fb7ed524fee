"""Seeded randomness: per-day generators and per-id latent draws.

Per-day generators come from (seed, stream, day), so a run split at any day boundary draws exactly
what an unsplit run draws. Latent attributes (a customer's propensity, a film's base popularity, a
rental's return plan) are counter-based hashes of (seed, stream, id): they never need storing.
"""

from __future__ import annotations

import numpy as np

_MASK = (1 << 64) - 1
_DAY_OFFSET = 1 << 32  # keeps day numbers before 1970 non-negative for SeedSequence

# Stream ids are part of the data's identity: never renumber one.
STREAMS = {
    "base": 1, "demand": 3, "customers": 4, "rentals": 5, "names": 6,
    "propensity": 11, "popularity": 12, "catalog_age": 13, "returns": 14, "store_size": 15,
    "releases": 21, "restock": 22, "planned": 23, "manual": 24, "late": 25,
}


def day_rng(seed: int, stream: str, day: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        [seed & _MASK, STREAMS[stream], day + _DAY_OFFSET])))


def store_seed(seed: int, store: int) -> int:
    """The seed of one store of a sharded chain: its draws depend on (seed, store) only."""
    return _splitmix_int(_splitmix_int(seed & _MASK) ^ (0x5703E << 16 | store)) & (2**63 - 1)


def _splitmix_int(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _splitmix(x: np.ndarray) -> np.ndarray:
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


_KEYS: dict[tuple[int, str, int], np.uint64] = {}


def _key(seed: int, stream: str, k: int) -> np.uint64:
    key = _KEYS.get((seed, stream, k))
    if key is None:
        key = np.uint64(_splitmix_int(_splitmix_int(seed & _MASK) ^ (STREAMS[stream] << 8 | k)))
        _KEYS[(seed, stream, k)] = key
    return key


def latent_uniform(seed: int, stream: str, ids: np.ndarray, k: int = 0) -> np.ndarray:
    """Uniform [0, 1) draws that depend only on (seed, stream, id, k)."""
    h = _splitmix(_splitmix(np.asarray(ids, dtype=np.int64).astype(np.uint64) ^ _key(seed, stream, k)))
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def latent_normal(seed: int, stream: str, ids: np.ndarray) -> np.ndarray:
    """Standard normal draws per id (Box-Muller over two latent uniforms)."""
    u1 = latent_uniform(seed, stream, ids, 1)
    u2 = latent_uniform(seed, stream, ids, 2)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)
