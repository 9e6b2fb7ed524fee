"""Where the stores are and where their customers live.

Each store stands in one real country and city (`catalog.store_places`, Sakila's Lethbridge and
Woodridge by default). Its customers live around it: in its country, in its city or the towns the
address book holds for that country, in its district, with streets, postcodes and phone numbers in the
formats of the store's locale. The address book (country and city tables) is built once, with the
base data; an incremental run finds each store's towns again in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import CatalogConfig, StorePlace
from .people import Locals, People


def place_of(cat: CatalogConfig, store: int) -> StorePlace:
    """The configured place of store `store` (1-based; the list cycles for bigger chains)."""
    return cat.store_places[(store - 1) % len(cat.store_places)]


@dataclass
class Atlas:
    """The base address book: country names, (city, country_id) rows, and each store's city and the
    cities of its country (ids are 1-based positions)."""
    countries: list[str]
    cities: list[tuple[str, int]]
    store_city: dict[int, int]
    store_cities: dict[int, np.ndarray]


def make_atlas(cat: CatalogConfig, rng: np.random.Generator, people: People, local: Locals) -> Atlas:
    places = {s: place_of(cat, s) for s in range(1, cat.stores + 1)}
    countries = list(dict.fromkeys(p.country for p in places.values()))
    others = [c for c in people.countries(rng, cat.countries + len(countries)) if c not in countries]
    countries += others[:max(0, cat.countries - len(countries))]
    country_id = {c: i + 1 for i, c in enumerate(countries)}

    cities: list[tuple[str, int]] = []
    city_id: dict[tuple[str, str], int] = {}
    names: dict[str, set[str]] = {c: set() for c in countries}
    for p in places.values():
        if (p.country, p.city) not in city_id:
            cities.append((p.city, country_id[p.country]))
            city_id[(p.country, p.city)] = len(cities)
            names[p.country].add(p.city)
    # the rest of the address book: towns of the stores' countries, shared out evenly among them
    home = list(dict.fromkeys((p.country, p.locale) for p in places.values()))
    rest = max(0, cat.cities - len(cities))
    for i, (country, locale) in enumerate(home):
        k = rest // len(home) + (1 if i < rest % len(home) else 0)
        cities += [(town, country_id[country]) for town in local.towns(rng, locale, k, names[country])]
    in_country = {c: np.array([i + 1 for i, (_, cid) in enumerate(cities) if cid == country_id[c]], np.int64)
                  for c in dict.fromkeys(p.country for p in places.values())}
    return Atlas(countries, cities, {s: city_id[(p.country, p.city)] for s, p in places.items()},
                 {s: in_country[p.country] for s, p in places.items()})


def addresses(rng: np.random.Generator, local: Locals, cat: CatalogConfig, store_cities: dict[int, np.ndarray],
              stores: list[int], cities: list[int] | None = None) -> list[tuple[str, str, int, str, str]]:
    """(street, district, city_id, postal code, phone) of an address near each store in `stores`, in
    order; in a given city where `cities` names one (a store's own address). One batch per locale."""
    where = [int(cities[i]) if cities is not None else
             int(store_cities[s][int(rng.integers(len(store_cities[s])))]) for i, s in enumerate(stores)]
    locales = [place_of(cat, s).locale for s in stores]
    made: dict[str, list[tuple[str, str, str]]] = {}
    for locale in dict.fromkeys(locales):
        made[locale] = local.contacts(rng, locale, locales.count(locale))[::-1]
    out = []
    for store, city, locale in zip(stores, where, locales):
        street, postal, phone = made[locale].pop()
        out.append((street, place_of(cat, store).district, city, postal, phone))
    return out


def phone(rng: np.random.Generator, local: Locals, cat: CatalogConfig, store: int) -> str:
    return local.contacts(rng, place_of(cat, store).locale, 1)[0][2]
