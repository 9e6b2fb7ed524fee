"""The initial database of a sharded chain: what the stores share, then each store's own part.

The chain's reference data, actors and films come from the chain's seed, as in `basedata`. Each store's
address, staff addresses, members and copies come from the store's own seed and take the store's own
ids (see `sim.ids`), so a store's base data does not depend on how many stores come before
it in any process.
"""

from __future__ import annotations

import numpy as np

from ..config import Config
from .basedata import BaseData, catalogue_rows, initial_copies, member_signups, reference_rows, staff_row
from .calendar import DAY, date_of
from .ids import STORE_KINDS, StoreIds, chain_counters
from .people import Locals, People, email
from .places import addresses
from .rng import day_rng, store_seed
from .stores import store_sizes


def make_chain_base(cfg: Config, seed: int) -> BaseData:
    cat, sim = cfg.catalog, cfg.simulation
    start = (sim.start_date - date_of(0)).days
    t0 = start * DAY
    rng = day_rng(seed, "base", start)
    people, local = People(), Locals()
    rows, atlas = reference_rows(cat, rng, people, local, t0)
    rows["film"], rows["film_actor"], rows["film_category"] = catalogue_rows(cat, rng, people, seed, start)

    sizes = store_sizes(seed, cat.stores, cat.store_size_sigma)
    copies = initial_copies(cfg, seed, start, rows["film"], sizes / cat.stores)
    for name in ("address", "staff", "store", "customer", "inventory"):
        rows[name] = []
    counters = {"film": cat.films + 1, "actor": cat.actors + 1}
    for s in range(1, cat.stores + 1):
        ids = StoreIds(s - 1, cat.stores)
        r = day_rng(store_seed(seed, s), "base", start)
        n = max(1, round(cfg.customers.initial * sizes[s - 1] / cat.stores))
        n_staff = cat.staff_per_store
        found = addresses(r, local, cat, atlas.store_cities, [s], [atlas.store_city[s]]) + \
            addresses(r, local, cat, atlas.store_cities, [s] * (n_staff + n))
        aids = ids.glob(np.arange(1, len(found) + 1)).tolist()
        rows["address"] += [(aid, street, None, district, city, postal, phone, t0)
                            for aid, (street, district, city, postal, phone) in zip(aids, found)]
        rows["staff"] += [staff_row((s - 1) * n_staff + j + 1, name, aids[1 + j], s, t0)
                          for j, name in enumerate(people.names(r, n_staff))]
        rows["store"].append((s, (s - 1) * n_staff + 1, aids[0], t0))
        signup = member_signups(cfg, r, start, n)
        cids = ids.glob(np.arange(1, n + 1)).tolist()
        taken: set[str] = set()
        for i, (first, last) in enumerate(people.names(r, n)):
            mail = email(first, last, f"store{s}.sakilacustomer.org", taken)
            rows["customer"].append((cids[i], s, first, last, mail, aids[1 + n_staff + i], 1, int(signup[i]),
                                     int(signup[i])))
        held = np.repeat(np.arange(1, cat.films + 1), copies[:, s - 1])
        inv = ids.glob(np.arange(1, len(held) + 1)).tolist()
        rows["inventory"] += [(i, int(f), s, t0) for i, f in zip(inv, held.tolist())]
        nxt = {"rental": 1, "payment": 1, "customer": n + 1, "address": len(found) + 1, "inventory": len(held) + 1}
        counters.update({ids.key(kind, s): nxt[kind] for kind in STORE_KINDS})
    for name in ("address", "customer", "inventory"):
        rows[name].sort()
    counters.update(chain_counters(counters, list(range(1, cat.stores + 1))))
    return BaseData(rows, counters)
