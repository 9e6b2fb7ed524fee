"""Films as simulation state: rental terms and popularity over time.

Base popularity is latent (a heavy-tailed hash of (seed, film_id)); a film's release day is the day
its first copy arrived, so both can be rebuilt from the database. Films of the initial catalogue get
a latent age on the start date, so they are not all brand new at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import CatalogConfig
from .customers import _grow
from .rng import latent_normal, latent_uniform

UNRELEASED = np.iinfo(np.int64).max


@dataclass
class Films:
    seed: int
    cfg: CatalogConfig
    start_day: int
    burst: float = 0.0
    burst_weeks: float = 1.0
    exists: np.ndarray = field(default_factory=lambda: np.zeros(1, bool))
    duration: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    rate_cents: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    replacement_cents: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    release_day: np.ndarray = field(default_factory=lambda: np.full(1, UNRELEASED, np.int64))
    base: np.ndarray = field(default_factory=lambda: np.zeros(1, float))
    age_offset: np.ndarray = field(default_factory=lambda: np.zeros(1, float))

    @property
    def size(self) -> int:
        return len(self.exists)

    def add(self, ids: np.ndarray, duration: np.ndarray, rate_cents: np.ndarray,
            replacement_cents: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        size = int(ids.max()) + 1
        for name, fill in (("exists", False), ("duration", 0), ("rate_cents", 0), ("replacement_cents", 0),
                           ("release_day", UNRELEASED), ("base", 0.0), ("age_offset", 0.0)):
            setattr(self, name, _grow(getattr(self, name), size, fill))
        self.exists[ids] = True
        self.duration[ids] = duration
        self.rate_cents[ids] = rate_cents
        self.replacement_cents[ids] = replacement_cents
        self.base[ids] = np.exp(self.cfg.popularity_sigma * latent_normal(self.seed, "popularity", ids))
        self.age_offset[ids] = latent_uniform(self.seed, "catalog_age", ids) * self.cfg.catalog_max_age_weeks * 7

    def set_released(self, ids: np.ndarray, day: int) -> None:
        """First copies arrived on `day` (only the first arrival counts)."""
        ids = np.asarray(ids, dtype=np.int64)
        self.release_day[ids] = np.minimum(self.release_day[ids], day)

    def popularity(self, day: int) -> np.ndarray:
        """Relative demand per film id on `day` (0 for films with no copies yet)."""
        released = self.exists & (self.release_day <= day)
        rel = np.where(released, self.release_day, day)
        initial = rel <= self.start_day
        age_days = (day - rel) + np.where(initial, self.age_offset, 0.0)
        weeks = age_days / 7.0
        floor = self.cfg.popularity_floor
        decay = floor + (1 - floor) * np.exp2(-weeks / self.cfg.popularity_half_life_weeks)
        burst = np.where(initial, 0.0, self.burst * np.exp(-weeks / self.burst_weeks))
        return np.where(released, self.base * decay * (1 + burst), 0.0)
