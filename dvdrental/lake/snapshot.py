"""A state's snapshot without a database: what a lake keeps to continue a store where it stopped.

`snapshot_of` is the inverse of `SimState.from_snapshot`: the state rebuilt from it has the same
fingerprint (a test checks), so a store continued from its lake snapshot draws what it would have
drawn had it never stopped. It keeps the state's own ids (a sharded store's local ones).
"""

from __future__ import annotations

import numpy as np

from ..sim.calendar import DAY
from ..sim.customers import NEVER
from ..sim.films import UNRELEASED
from ..sim.history import LATE_PAY, REFUND, RENTAL_PAY, RETURNED, TS, History
from ..sim.state import SimState, Snapshot


def snapshot_of(state: SimState) -> Snapshot:
    """The snapshot `SimState.from_snapshot` rebuilds `state` from (same model)."""
    c, f, s = state.customers, state.films, state.stock
    cids = np.flatnonzero(c.exists)
    fids = np.flatnonzero(f.exists)
    iids = np.flatnonzero(s.exists)
    rids = sorted(state.open)
    o = [state.open[r] for r in rids]
    staff = sorted((sid, store) for store, ids in state.staff.items() for sid in ids)
    keys = sorted(k for k, n in c.films.items() if n)
    rentals, payments, prices = _history_rows(state.history)
    release = f.release_day[fids]
    return Snapshot(
        last_day=state.day,
        counters=dict(state.counters),
        # the time a customer was last seen stands in for the last rental: the state keeps only the latest
        customers={"customer_id": cids, "store_id": c.store[cids].astype(np.int64),
                   "active": c.active[cids].astype(np.int64), "create_ts": c.create_ts[cids].copy(),
                   "last_rental_ts": c.seen_ts[cids].copy(), "last_back_ts": np.full(len(cids), NEVER, np.int64),
                   "address_id": c.address[cids].copy(), "closed": c.closed[cids].astype(np.int64)},
        names=[c.names[i] for i in cids.tolist()],
        emails=[c.emails.get(i) for i in cids.tolist()],
        films={"film_id": fids, "rental_duration": f.duration[fids].copy(), "rate_cents": f.rate_cents[fids].copy(),
               "replacement_cents": f.replacement_cents[fids].copy(),
               "first_copy_ts": np.where(release == UNRELEASED, NEVER, release * DAY)},
        copies={"inventory_id": iids, "store_id": s.store[iids].copy(), "film_id": s.film[iids].copy(),
                "created_ts": s.created_ts[iids].copy(), "retired": s.retired[iids].copy()},
        open_rentals={"rental_id": np.array(rids, np.int64),
                      "rental_ts": np.array([r.rental_ts for r in o], np.int64),
                      "inventory_id": np.array([r.inventory_id for r in o], np.int64),
                      "customer_id": np.array([r.customer_id for r in o], np.int64),
                      "staff_id": np.array([r.staff_id for r in o], np.int64)},
        staff={"staff_id": np.array([x[0] for x in staff], np.int64),
               "store_id": np.array([x[1] for x in staff], np.int64), "active": np.ones(len(staff), np.int64)},
        stores=np.array(state.stores, np.int64),
        store_cities=dict(state.store_cities),
        actors=state.actors, categories=state.categories, languages=state.languages,
        plans=sorted((pid, day, action, params) for day, plans in state.plans.items()
                     for pid, action, params in plans),
        window_rentals=rentals, window_payments=payments, window_prices=prices,
        films_seen=(np.array(keys, np.int64), np.array([c.films[k] for k in keys], np.int64)),
    )


def _history_rows(h: History | None) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Rows `History.from_rows` reads back into `h`: a payment is told apart by its time (the rental's
    for the rental's own payment, the return's for a late fee) or its sign (a refund)."""
    if h is None:
        return [], [], []
    rentals, payments = [], []
    for rid in sorted(h.rentals):
        rec = h.rentals[rid]
        rentals.append((rid, rec[TS], rec[1], rec[2], rec[3], rec[RETURNED]))
        if rec[RENTAL_PAY] is not None:
            payments.append((rec[RENTAL_PAY][0], rid, rec[RENTAL_PAY][1], rec[TS]))
        if rec[LATE_PAY] is not None:
            payments.append((rec[LATE_PAY][0], rid, rec[LATE_PAY][1], rec[RETURNED]))
        if rec[REFUND] is not None:
            payments.append((rec[REFUND], rid, -1, rec[TS]))
    payments.sort()
    prices = [(film, until, cents) for film in sorted(h.prices) for until, cents in h.prices[film]]
    return rentals, payments, prices
