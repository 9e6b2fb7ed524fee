"""One store's part of a chain's snapshot, in the store's local ids (see `sim.ids`).

A sharded run rebuilds every store's state from the database like any run: the chain's snapshot is
read once, then each store takes its customers, copies, open rentals, staff and recent history, and
what the chain shares (films, actors, plans). A film counts as released at a store from its first copy
there: that is when the store's customers can start renting it.
"""

from __future__ import annotations

import numpy as np

from ..sim.customers import FILM_KEY, NEVER
from ..sim.ids import STORE_KINDS, StoreIds
from ..sim.state import Snapshot

#: Counters every store shares: the chain numbers films and actors (releases are the chain's).
CHAIN_COUNTERS = ("film", "actor")


def _pick(cols: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in cols.items()}


def split_snapshot(snap: Snapshot, store: int) -> Snapshot:
    """The snapshot of `store` alone, with local ids for the kinds the store numbers itself."""
    stores = sorted(int(s) for s in snap.stores)
    ids = StoreIds(stores.index(store), len(stores))
    loc = ids.local

    c = snap.customers
    mine = c["store_id"] == store
    customers = _pick(c, mine)
    customers["customer_id"] = loc(customers["customer_id"])
    customers["address_id"] = loc(customers["address_id"])
    rows = np.flatnonzero(mine).tolist()

    cp = snap.copies
    copies = _pick(cp, cp["store_id"] == store)
    first = _first_copies(snap.films["film_id"], copies["film_id"], copies["created_ts"])
    copies["inventory_id"] = loc(copies["inventory_id"])

    o = snap.open_rentals
    open_rentals = _pick(o, ids.owns(o["inventory_id"]))
    for col in ("rental_id", "inventory_id", "customer_id"):
        open_rentals[col] = loc(open_rentals[col])

    keys, counts = snap.films_seen
    cust = keys // FILM_KEY
    seen = ids.owns(cust)
    films_seen = (loc(cust[seen]) * FILM_KEY + keys[seen] % FILM_KEY, counts[seen])

    window = [(int(loc(r)), ts, int(loc(i)), int(loc(cu)), st, ret) for r, ts, i, cu, st, ret in snap.window_rentals
              if ids.owns(i)]
    payments = [(int(loc(p)), int(loc(r)), cents, ts) for p, r, cents, ts in snap.window_payments if ids.owns(r)]

    counters = {k: snap.counters[k] for k in CHAIN_COUNTERS}
    counters.update({kind: int(snap.counters.get(StoreIds.key(kind, store), 1)) for kind in STORE_KINDS})
    return Snapshot(
        last_day=snap.last_day, counters=counters, customers=customers,
        films={**snap.films, "first_copy_ts": first}, copies=copies, open_rentals=open_rentals,
        staff=_pick(snap.staff, snap.staff["store_id"] == store), stores=np.array([store], np.int64),
        store_cities={store: snap.store_cities[store]}, actors=snap.actors, categories=snap.categories,
        languages=snap.languages, plans=snap.plans, names=[snap.names[i] for i in rows],
        emails=[snap.emails[i] for i in rows], window_rentals=window, window_payments=payments,
        window_prices=snap.window_prices, films_seen=films_seen)


def _first_copies(film_ids: np.ndarray, films: np.ndarray, created: np.ndarray) -> np.ndarray:
    """Per film (in `film_ids` order): the creation time of its first copy at the store, or NEVER."""
    first = np.full(int(film_ids.max(initial=0)) + 1, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, films, created)
    out = first[film_ids]
    return np.where(out == np.iinfo(np.int64).max, NEVER, out)
