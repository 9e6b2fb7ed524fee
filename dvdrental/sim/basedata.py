"""The initial database: reference data, films, people, stores and copies, all from the seed.

Rows come out in the column order of the Sakila tables (see storage.tables), with integer times and
amounts in cents. Everything is stamped with the start date, except customers: the store's members,
who signed up during opening hours of the four weeks before it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ..config import CatalogConfig, Config
from .calendar import DAY, date_of
from .events import FEATURES
from .people import Locals, People, email
from .places import Atlas, addresses, make_atlas
from .rng import day_rng, latent_uniform
from .titles import title_for

LANGUAGES = ("English", "Italian", "Japanese", "Mandarin", "French", "German")
CATEGORIES = ("Action", "Animation", "Children", "Classics", "Comedy", "Documentary", "Drama", "Family",
              "Foreign", "Games", "Horror", "Music", "New", "Sci-Fi", "Sports", "Travel")
RATINGS = ("G", "PG", "PG-13", "R", "NC-17")
RATES_CENTS = (99, 299, 499)
#: The initial customers signed up over this many days before the start date.
MEMBER_DAYS = 28

_ADJECTIVES = ("Epic", "Astounding", "Fateful", "Beautiful", "Boring", "Amazing", "Insightful",
               "Thoughtful", "Action-Packed", "Intrepid", "Fast-Paced", "Emotional", "Touching",
               "Stunning", "Taut", "Unbelievable", "Brilliant", "Awe-Inspiring", "Lacklustre")
_FORMS = ("Drama", "Documentary", "Story", "Reflection", "Saga", "Yarn", "Tale", "Epistle", "Panorama",
          "Character Study", "Display", "Mystery", "Chronicle")
_CHARACTERS = ("Feminist", "Mad Scientist", "Teacher", "Dentist", "Crocodile", "Moose", "Astronaut",
               "Boat", "Man", "Woman", "Squirrel", "Dog", "Cat", "Database Administrator", "Explorer",
               "Student", "Monkey", "Lumberjack", "Car", "Butler", "Pastry Chef", "Hunter", "Pioneer",
               "Composer", "Girl", "Boy", "Sumo Wrestler", "Waitress", "Robot", "Secret Agent",
               "Technical Writer", "Hippopotamus", "Forensic Psychologist", "Cow", "Frisbee")
_VERBS = ("Battle", "Chase", "Find", "Reach", "Defeat", "Outrace", "Build", "Escape", "Overcome",
          "Conquer", "Face", "Meet", "Sink", "Discover", "Fight", "Outgun", "Vanquish", "Pursue",
          "Confront", "Redeem")
_PLACES = ("The Canadian Rockies", "A Balloon Factory", "A Shark Tank", "Ancient India", "Ancient China",
           "A MySQL Convention", "Soviet Georgia", "The Outback", "A Monastery", "Berlin", "Nigeria",
           "An Abandoned Fun House", "The Gulf of Mexico", "A Jet Boat", "The First Manned Space Station",
           "An Abandoned Mine Shaft", "The Sahara Desert", "A U-Boat", "A Manhattan Penthouse",
           "Australia", "A Retro Video Store")


def initial_copies(cfg: Config, seed: int, start: int, films: list[tuple],
                   shares: np.ndarray | None = None) -> np.ndarray:
    """Copies per (film, store) on the first day: what the first week's expected demand needs, as the
    weekly purchase would buy it (see sim.restock), within catalog.copies_per_film. Each store has an
    equal share of the demand, or its `shares` (a sharded chain's stores differ in size)."""
    from .demand import Demand
    from .films import Films
    from .restock import copies_needed
    cat = cfg.catalog
    ids = np.array([f[0] for f in films], dtype=np.int64)
    catalogue = Films(seed, cat, start)
    catalogue.add(ids, np.array([f[6] for f in films]), np.array([f[7] for f in films]),
                  np.array([f[9] for f in films]))
    catalogue.set_released(ids, start)
    demand = Demand.build(cfg.demand, cfg.seasonality, start)
    pop, weekly = catalogue.popularity(start + 3), demand.weekly_expected(start + 3)
    util = cfg.inventory_schedule.target_utilisation
    if shares is None:
        need = copies_needed(catalogue, pop, weekly, 1.0 / cat.stores, util)[ids]
        copies = np.repeat(np.floor(need + 0.5).astype(np.int64)[:, None], cat.stores, axis=1)
    else:
        need = copies_needed(catalogue, pop, weekly, 1.0, util)[ids]
        copies = np.floor(need[:, None] * shares[None, :] + 0.5).astype(np.int64)
    # rounded: with copies_per_film.min 0 the least wanted get none
    return np.clip(copies, cat.copies_per_film.min, cat.copies_per_film.max)


@dataclass
class BaseData:
    """Rows per Sakila table, plus the id counters the simulation continues from."""
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)


@dataclass
class FilmMaker:
    """Makes film rows and their cast and category; shared by the base catalogue and new releases."""
    rng: np.random.Generator
    people: People
    seed: int

    def description(self) -> str:
        r = self.rng
        pick = lambda seq: seq[int(r.integers(len(seq)))]  # noqa: E731
        adj = pick(_ADJECTIVES)
        article = "An" if adj[0] in "AEIOU" else "A"
        return (f"{article} {adj} {pick(_FORMS)} of a {pick(_CHARACTERS)} And a {pick(_CHARACTERS)} "
                f"who must {pick(_VERBS)} a {pick(_CHARACTERS)} in {pick(_PLACES)}")

    def films(self, ids: np.ndarray, release_years: np.ndarray, ts: int, actors: np.ndarray,
              categories: np.ndarray, languages: np.ndarray, actors_per_film: tuple[int, int],
              terms: tuple[int, int] | None = None) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """Film rows, cast and category; `terms` (rate cents, rental days) for new releases."""
        r = self.rng
        n = len(ids)
        durations = r.integers(3, 8, n)
        rates = np.asarray(RATES_CENTS)[r.integers(0, 3, n)]
        if terms is not None:
            rates, durations = np.full(n, terms[0]), np.full(n, terms[1])
        lengths = r.integers(46, 186, n)
        costs = 999 + 100 * r.integers(0, 21, n)
        ratings = r.integers(0, len(RATINGS), n)
        feature_bits = r.integers(1, 16, n)
        n_actors = r.integers(actors_per_film[0], actors_per_film[1] + 1, n)
        cats = categories[r.integers(0, len(categories), n)]
        film_rows, cast, genre = [], [], []
        for i, fid in enumerate(ids.tolist()):
            features = ",".join(f for b, f in enumerate(FEATURES) if feature_bits[i] >> b & 1)
            film_rows.append((fid, title_for(self.seed, fid), self.description(), int(release_years[i]), int(languages[0]),
                              None, int(durations[i]), int(rates[i]), int(lengths[i]), int(costs[i]),
                              RATINGS[ratings[i]], features, ts))
            for aid in sorted(r.choice(actors, size=min(int(n_actors[i]), len(actors)), replace=False).tolist()):
                cast.append((aid, fid, ts))
            genre.append((fid, int(cats[i]), ts))
        return film_rows, cast, genre


#: Every clerk's password, as in Sakila: SHA-1 of "12345".
PASSWORD = hashlib.sha1(b"12345").hexdigest()


def reference_rows(cat: CatalogConfig, rng: np.random.Generator, people: People, local: Locals,
                   t0: int) -> tuple[dict[str, list[tuple]], Atlas]:
    """Languages, categories, the address book (countries, cities) and the actors: what any database
    starts with, single shop or chain."""
    rows = {"language": [(i + 1, name, t0) for i, name in enumerate(LANGUAGES)],
            "category": [(i + 1, name, t0) for i, name in enumerate(CATEGORIES)]}
    atlas = make_atlas(cat, rng, people, local)
    rows["country"] = [(i + 1, name, t0) for i, name in enumerate(atlas.countries)]
    rows["city"] = [(i + 1, name, country, t0) for i, (name, country) in enumerate(atlas.cities)]
    rows["actor"] = [(i + 1, *name, t0) for i, name in enumerate(people.names(rng, cat.actors))]
    return rows, atlas


def catalogue_rows(cat: CatalogConfig, rng: np.random.Generator, people: People, seed: int,
                   start: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The initial catalogue's films, cast and categories; a film's release year follows its latent age
    (see sim.films)."""
    film_ids = np.arange(1, cat.films + 1)
    age_days = latent_uniform(seed, "catalog_age", film_ids) * cat.catalog_max_age_weeks * 7
    years = np.array([date_of(start - int(a)).year for a in age_days])
    return FilmMaker(rng, people, seed).films(
        film_ids, years, start * DAY, np.arange(1, cat.actors + 1), np.arange(1, len(CATEGORIES) + 1),
        np.array([1]), (cat.actors_per_film_min, cat.actors_per_film_max))


def staff_row(sid: int, name: tuple[str, str], address_id: int, store: int, t0: int) -> tuple:
    first, last = name[0].title(), name[1].title()
    return (sid, first, last, address_id, None, email(first, last, f"sakilastaff{store}.com"), store, 1, first[:16],
            PASSWORD, t0)


def member_signups(cfg: Config, rng: np.random.Generator, start: int, n: int) -> np.ndarray:
    """The store existed before the simulation: its `n` members signed up during opening hours of the
    MEMBER_DAYS days before the start date (sorted epoch seconds)."""
    hours = (int(cfg.demand.open_hour * 3600), min(int(cfg.demand.close_hour * 3600), DAY))
    return np.sort((start - MEMBER_DAYS + rng.integers(0, MEMBER_DAYS, n)) * DAY + rng.integers(*hours, n))


def make_base(cfg: Config, seed: int) -> BaseData:
    cat, cust_cfg, sim = cfg.catalog, cfg.customers, cfg.simulation
    start = (sim.start_date - date_of(0)).days
    t0 = start * DAY
    rng = day_rng(seed, "base", start)
    people, local = People(), Locals()
    rows, atlas = reference_rows(cat, rng, people, local, t0)

    # addresses: stores first (in their own city), then staff, then customers (around their store)
    n_staff = cat.stores * cat.staff_per_store
    n = cust_cfg.initial
    stores = rng.integers(1, cat.stores + 1, n)
    where = list(range(1, cat.stores + 1)) + [s for s in range(1, cat.stores + 1)
                                             for _ in range(cat.staff_per_store)] + stores.tolist()
    own = [atlas.store_city[s] for s in range(1, cat.stores + 1)]
    found = addresses(rng, local, cat, atlas.store_cities, where[:cat.stores], own) + \
        addresses(rng, local, cat, atlas.store_cities, where[cat.stores:])
    rows["address"] = [(i + 1, street, None, district, city, postal, phone, t0)
                       for i, (street, district, city, postal, phone) in enumerate(found)]

    rows["film"], rows["film_actor"], rows["film_category"] = catalogue_rows(cat, rng, people, seed, start)

    rows["staff"], rows["store"] = [], []
    staff_names = iter(people.names(rng, cat.stores * cat.staff_per_store))
    for s in range(1, cat.stores + 1):
        for j in range(cat.staff_per_store):
            sid = (s - 1) * cat.staff_per_store + j + 1
            rows["staff"].append(staff_row(sid, next(staff_names), cat.stores + sid, s, t0))
        rows["store"].append((s, (s - 1) * cat.staff_per_store + 1, s, t0))

    signup = member_signups(cfg, rng, start, n)
    rows["customer"] = []
    taken: set[str] = set()
    for i, (first, last) in enumerate(people.names(rng, n)):
        cid, aid = i + 1, cat.stores + n_staff + i + 1
        rows["customer"].append((cid, int(stores[i]), first, last, email(first, last, taken=taken), aid, 1,
                                 int(signup[i]), int(signup[i])))

    copies = initial_copies(cfg, seed, start, rows["film"])
    rows["inventory"] = []
    inv = 1
    for f in range(cat.films):
        for s in range(cat.stores):
            for _ in range(int(copies[f, s])):
                rows["inventory"].append((inv, f + 1, s + 1, t0))
                inv += 1

    counters = {"rental": 1, "payment": 1, "customer": n + 1, "address": len(rows["address"]) + 1,
                "inventory": inv, "film": cat.films + 1, "actor": cat.actors + 1}
    return BaseData(rows, counters)
