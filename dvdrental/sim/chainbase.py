"""The initial database of a sharded chain: what the stores share, then each store's own part.

The chain's reference data, actors and films come from the chain's seed, as in `basedata`. Each store's
address, staff addresses, members and copies come from the store's own seed and take the store's own
ids (see `dvdrental.chain.ids`), so a store's base data does not depend on how many stores come before
it in any process.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..config import Config
from .basedata import CATEGORIES, LANGUAGES, MEMBER_DAYS, BaseData, FilmMaker, initial_copies
from .calendar import DAY, date_of
from .ids import STORE_KINDS, StoreIds, chain_counters
from .people import Locals, People, email
from .places import addresses, make_atlas
from .rng import day_rng, latent_uniform, store_seed
from .stores import store_sizes


def make_chain_base(cfg: Config, seed: int) -> BaseData:
    cat, sim = cfg.catalog, cfg.simulation
    start = (sim.start_date - date_of(0)).days
    t0 = start * DAY
    rng = day_rng(seed, "base", start)
    people, local = People(), Locals()
    rows: dict[str, list[tuple]] = {
        "language": [(i + 1, name, t0) for i, name in enumerate(LANGUAGES)],
        "category": [(i + 1, name, t0) for i, name in enumerate(CATEGORIES)],
    }
    atlas = make_atlas(cat, rng, people, local)
    rows["country"] = [(i + 1, name, t0) for i, name in enumerate(atlas.countries)]
    rows["city"] = [(i + 1, name, country, t0) for i, (name, country) in enumerate(atlas.cities)]
    rows["actor"] = [(i + 1, *name, t0) for i, name in enumerate(people.names(rng, cat.actors))]
    film_ids = np.arange(1, cat.films + 1)
    age_days = latent_uniform(seed, "catalog_age", film_ids) * cat.catalog_max_age_weeks * 7
    years = np.array([date_of(start - int(a)).year for a in age_days])
    rows["film"], rows["film_actor"], rows["film_category"] = FilmMaker(rng, people, seed).films(
        film_ids, years, t0, np.arange(1, cat.actors + 1), np.arange(1, len(CATEGORIES) + 1),
        np.array([1]), (cat.actors_per_film_min, cat.actors_per_film_max))

    sizes = store_sizes(seed, cat.stores, cat.store_size_sigma)
    copies = initial_copies(cfg, seed, start, rows["film"], sizes / cat.stores)
    for name in ("address", "staff", "store", "customer", "inventory"):
        rows[name] = []
    counters = {"film": cat.films + 1, "actor": cat.actors + 1}
    password = hashlib.sha1(b"12345").hexdigest()
    hours = (int(cfg.demand.open_hour * 3600), min(int(cfg.demand.close_hour * 3600), DAY))
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
        for j, (first, last) in enumerate(people.names(r, n_staff)):
            sid = (s - 1) * n_staff + j + 1
            rows["staff"].append((sid, first.title(), last.title(), aids[1 + j], None,
                                  email(first.title(), last.title(), f"sakilastaff{s}.com"),
                                  s, 1, first.title()[:16], password, t0))
        rows["store"].append((s, (s - 1) * n_staff + 1, aids[0], t0))
        # the store's members signed up during opening hours of the MEMBER_DAYS days before the start
        signup = np.sort((start - MEMBER_DAYS + r.integers(0, MEMBER_DAYS, n)) * DAY + r.integers(*hours, n))
        cids = ids.glob(np.arange(1, n + 1)).tolist()
        taken: set[str] = set()
        for i, (first, last) in enumerate(people.names(r, n)):
            rows["customer"].append((cids[i], s, first, last, email(first, last, f"store{s}.sakilacustomer.org",
                                                                    taken),
                                     aids[1 + n_staff + i], 1, int(signup[i]), int(signup[i])))
        held = np.repeat(np.arange(1, cat.films + 1), copies[:, s - 1])
        inv = ids.glob(np.arange(1, len(held) + 1)).tolist()
        rows["inventory"] += [(i, int(f), s, t0) for i, f in zip(inv, held.tolist())]
        nxt = {"rental": 1, "payment": 1, "customer": n + 1, "address": len(found) + 1, "inventory": len(held) + 1}
        counters.update({ids.key(kind, s): nxt[kind] for kind in STORE_KINDS})
    for name in ("address", "customer", "inventory"):
        rows[name].sort()
    counters.update(chain_counters(counters, list(range(1, cat.stores + 1))))
    return BaseData(rows, counters)
