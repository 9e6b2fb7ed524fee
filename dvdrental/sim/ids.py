"""Ids in a sharded chain: each store numbers its own rentals, payments, customers, addresses and copies.

Store k of S (k = 0 for the lowest store_id) takes every S-th id of those kinds: its local id n (1, 2,
...) is the global id (n - 1) * S + k + 1. The ids are unique across the chain without any store
knowing another's, do not depend on workers or shards, and stay dense while stores grow alike (the
largest id is about S times the busiest store's count: 10 years of a 200-store chain stay far below
INT's 2,147,483,647). A store is simulated with its local ids (small arrays); its rows get global ids
on the way out (`dvdrental.chain.globalize`). Films, actors, staff and the reference data are the
chain's, numbered as in a single-store database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The kinds each store numbers itself.
STORE_KINDS = ("rental", "payment", "customer", "address", "inventory")


@dataclass(frozen=True)
class StoreIds:
    k: int  # the store's position in the chain, 0 for the lowest store_id
    stores: int  # S: stores in the chain

    def glob(self, local):
        """Global id(s) of local id(s) (ints or arrays)."""
        return (local - 1) * self.stores + self.k + 1

    def local(self, glob):
        return (glob - 1) // self.stores + 1

    def owns(self, glob) -> np.ndarray | bool:
        """Whether global id(s) are this store's."""
        return (glob - 1) % self.stores == self.k

    @staticmethod
    def key(kind: str, store: int) -> str:
        """The sim_state counter of a store's next local id of `kind`."""
        return f"{kind}@{store}"


def chain_counters(counters: dict[str, int], stores: list[int]) -> dict[str, int]:
    """The chain's next id per kind (above every id any store has given), from the stores' next local
    ids in `counters`: what sim_state records for tools that read the chain as a whole."""
    out = {}
    for kind in STORE_KINDS:
        top = 0
        for k, store in enumerate(stores):
            top = max(top, StoreIds(k, len(stores)).glob(counters.get(StoreIds.key(kind, store), 1) - 1))
        out[kind] = top + 1
    return out
