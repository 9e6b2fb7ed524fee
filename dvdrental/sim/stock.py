"""Copies as simulation state: which are on the shelf at each store, newest first.

A copy is on the shelf unless it is out on an open rental or retired. Renting takes the newest copy
on the shelf (ties by id), so rentals per copy fall with copy age.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, field

import numpy as np

from .customers import _grow


@dataclass
class Stock:
    exists: np.ndarray = field(default_factory=lambda: np.zeros(1, bool))
    store: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    film: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    created_ts: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    retired: np.ndarray = field(default_factory=lambda: np.zeros(1, bool))
    shelf: dict[tuple[int, int], list[tuple[int, int]]] = field(default_factory=dict)
    #: non-retired copies per [store, film], on the shelf or out
    owned: np.ndarray = field(default_factory=lambda: np.zeros((1, 1), np.int64))

    def add(self, ids: np.ndarray, stores: np.ndarray, films: np.ndarray, created_ts: np.ndarray,
            retired: np.ndarray | None = None, out: np.ndarray | None = None) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        size = int(ids.max()) + 1
        for name, fill in (("exists", False), ("store", 0), ("film", 0), ("created_ts", 0), ("retired", False)):
            setattr(self, name, _grow(getattr(self, name), size, fill))
        self.exists[ids] = True
        self.store[ids] = stores
        self.film[ids] = films
        self.created_ts[ids] = created_ts
        self.retired[ids] = False if retired is None else retired
        out = np.zeros(len(ids), bool) if out is None else out
        self._grow_owned(int(np.max(stores)) + 1, int(np.max(films)) + 1)
        for inv, s, f, c, r, o in zip(ids.tolist(), np.asarray(stores).tolist(), np.asarray(films).tolist(),
                                      np.asarray(created_ts).tolist(), self.retired[ids].tolist(), out.tolist()):
            if r:
                continue
            self.owned[s, f] += 1
            if not o:
                insort(self.shelf.setdefault((s, f), []), (c, inv))

    def take(self, store: int, film: int) -> int:
        """Rent the newest copy of `film` on the shelf at `store`; 0 if none."""
        copies = self.shelf.get((store, film))
        if not copies:
            return 0
        return copies.pop()[1]

    def put_back(self, inv: int) -> None:
        insort(self.shelf.setdefault((int(self.store[inv]), int(self.film[inv])), []),
               (int(self.created_ts[inv]), inv))

    def retire(self, inv: int, on_shelf: bool = False) -> None:
        key = (int(self.store[inv]), int(self.film[inv]))
        if on_shelf:
            self.shelf[key].remove((int(self.created_ts[inv]), inv))
        self.retired[inv] = True
        self.owned[key] -= 1

    def _grow_owned(self, stores: int, films: int) -> None:
        rows, cols = self.owned.shape
        if stores > rows or films > cols:
            grown = np.zeros((max(stores, rows), max(films, 2 * cols)), np.int64)
            grown[:rows, :cols] = self.owned
            self.owned = grown

    def films_at(self, store: int, n_films: int) -> np.ndarray:
        """Mask over film ids: films `store` owns at least one copy of."""
        mask = np.zeros(n_films, bool)
        if store < self.owned.shape[0]:
            row = self.owned[store, :n_films] > 0
            mask[: len(row)] = row
        return mask
