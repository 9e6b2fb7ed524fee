"""The stores of a sharded chain: each one's size, and the config it is simulated with.

A sharded chain simulates every store on its own (see `dvdrental.chain`). The chain's config speaks
for the whole chain (its weekly rentals, its new customers a week); a store gets its share of those,
by its size. Sizes are latent draws of (seed, store): a store is as big whatever else runs.
"""

from __future__ import annotations

import numpy as np

from ..config import Config
from .rng import latent_normal


def store_sizes(seed: int, stores: int, sigma: float) -> np.ndarray:
    """Each store's share of the chain's business times the number of stores (mean 1): lognormal."""
    w = np.exp(sigma * latent_normal(seed, "store_size", np.arange(1, stores + 1)))
    return w * stores / w.sum()


def store_config(cfg: Config, share: float) -> Config:
    """The config one store is simulated with: `share` of the chain's demand and sign-ups."""
    d, c = cfg.demand, cfg.customers
    return cfg.override({
        "demand": {"base_weekly_rentals": d.base_weekly_rentals * share,
                   "capacity_weekly_rentals": d.capacity_weekly_rentals * share},
        "customers": {"initial": max(1, round(c.initial * share)),
                      "baseline_new_per_week": c.baseline_new_per_week * share},
        # a film's price is the chain's: a store simulated on its own cannot change it
        "late_changes": {"price_changes": 0.0},
    })
