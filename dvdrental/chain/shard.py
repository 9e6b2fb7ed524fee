"""One store of a sharded chain: its model, its state and its days.

A store is simulated with its own seed (`sim.rng.store_seed`), its share of the chain's demand and
sign-ups (`sim.stores`) and the chain's seed for what the stores share: the catalogue's popularity and
the weekly releases, which every store makes alike and the merge keeps once.
"""

from __future__ import annotations

import dataclasses

from ..config import Config, effective
from ..sim.day import morning_work, step
from ..sim.events import DayEvents
from ..sim.ids import STORE_KINDS, StoreIds
from ..sim.rng import store_seed
from ..sim.state import Model, SimState, Snapshot
from ..sim.stores import store_config, store_sizes
from .globalize import globalize


def store_model(cfg: Config, seed: int, store: int, stores: list[int]) -> Model:
    """The model of `store` in a chain of `stores` (all store ids, ascending)."""
    k = stores.index(store)
    share = float(store_sizes(seed, len(stores), cfg.catalog.store_size_sigma)[k]) / len(stores)
    model = Model.build(effective(store_config(cfg, share)), store_seed(seed, store))
    return dataclasses.replace(model, catalog_seed=seed)


class StoreSim:
    """Steps one store; what it emits has chain ids."""

    def __init__(self, cfg: Config, seed: int, store: int, stores: list[int], snap: Snapshot) -> None:
        self.store = store
        self.ids = StoreIds(stores.index(store), len(stores))
        self.model = store_model(cfg, seed, store, stores)
        self.state = SimState.from_snapshot(snap, self.model)
        self.state.customers.subdomain = f"store{store}."
        self.morning = morning_work(self.model)

    @property
    def day(self) -> int:
        return self.state.day

    def step(self) -> DayEvents:
        return globalize(step(self.state, self.model, self.morning, ops=False), self.ids)

    def run(self, last_day: int) -> list[DayEvents]:
        """The store's days up to `last_day`."""
        out = []
        while self.state.day < last_day:
            out.append(self.step())
        return out

    def counters(self) -> dict[str, int]:
        """The store's next local ids, as sim_state keeps them."""
        return {StoreIds.key(kind, self.store): self.state.counters[kind] for kind in STORE_KINDS}
