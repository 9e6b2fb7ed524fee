"""Simulation state, and how it is rebuilt from a database snapshot.

`SimState.from_snapshot` is the only way a state is made: after base data, on every incremental run,
and in the tests that prove an in-memory state equals one rebuilt from the database.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from ..config import Config
from .calendar import DAY, day_number
from .customers import Customers, reactivation_hazard
from .demand import Demand
from .films import Films
from .history import History, window_days
from .people import Locals, People
from .returns import plan_returns
from .stock import Stock

COUNTERS = ("rental", "payment", "customer", "address", "inventory", "film", "actor")


@dataclass
class Snapshot:
    """Plain arrays read from the database: everything a state is rebuilt from."""
    last_day: int
    counters: dict[str, int]
    # customer_id, store_id, active, create_ts, last_rental_ts (or NEVER), last_back_ts (or NEVER),
    # address_id, closed; names: (first, last) per customer in the same order
    customers: dict[str, np.ndarray]
    # film_id, rental_duration, rate_cents, replacement_cents, first_copy_ts (or NEVER)
    films: dict[str, np.ndarray]
    # inventory_id, store_id, film_id, created_ts, retired
    copies: dict[str, np.ndarray]
    # rental_id, rental_ts, inventory_id, customer_id, staff_id
    open_rentals: dict[str, np.ndarray]
    # staff_id, store_id, active
    staff: dict[str, np.ndarray]
    stores: np.ndarray
    store_cities: dict[int, np.ndarray]  # store -> the cities of its country
    actors: np.ndarray
    categories: np.ndarray
    languages: np.ndarray
    # plan_id, day, action, params (dict), for plans not carried out yet
    plans: list[tuple[int, int, str, dict]] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)
    emails: list[str | None] = field(default_factory=list)
    # late changes only: rentals of the window (rental_id, ts, inventory_id, customer_id, staff_id,
    # return_ts or None) and their payments (payment_id, rental_id, cents, ts), both in id order
    window_rentals: list[tuple] = field(default_factory=list)
    window_payments: list[tuple] = field(default_factory=list)
    # and the replacement costs before the window's price changes (film_id, valid_until ts, cents)
    window_prices: list[tuple] = field(default_factory=list)
    # the films each customer has rented: customer_id * FILM_KEY + film_id, and its rentals
    films_seen: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0, np.int64)))


@dataclass(frozen=True)
class Model:
    """What stays fixed during a run: the effective config, the seed and things derived from them."""
    cfg: Config
    seed: int
    start_day: int
    demand: Demand
    reactivation: float
    people: People = field(default_factory=People, compare=False)
    local: Locals = field(default_factory=Locals, compare=False)
    #: the chain's seed, for what all stores share (the catalogue, the releases); a store of a sharded
    #: chain draws everything else from its own `seed`
    catalog_seed: int | None = None

    @property
    def film_seed(self) -> int:
        return self.seed if self.catalog_seed is None else self.catalog_seed

    @property
    def window(self) -> int | None:
        """Days of history late changes reach into (None when they are off)."""
        lc = self.cfg.late_changes
        return window_days(lc.midpoint_days, lc.steepness) if lc.enabled else None

    @classmethod
    def build(cls, cfg: Config, seed: int | None = None) -> "Model":
        seed = cfg.simulation.seed if seed is None else seed
        start = day_number(cfg.simulation.start_date)
        return cls(cfg, seed, start, Demand.build(cfg.demand, cfg.seasonality, start),
                   reactivation_hazard(cfg.customers))


@dataclass
class OpenRental:
    rental_ts: int
    inventory_id: int
    customer_id: int
    staff_id: int
    duration: int
    lost: bool


@dataclass
class SimState:
    day: int  # last completed day
    customers: Customers
    films: Films
    stock: Stock
    staff: dict[int, list[int]]
    stores: list[int]
    store_cities: dict[int, np.ndarray]  # store -> the cities of its country: where its customers live
    actors: np.ndarray
    categories: np.ndarray
    languages: np.ndarray
    counters: dict[str, int]
    open: dict[int, OpenRental] = field(default_factory=dict)
    due: list[tuple[int, int]] = field(default_factory=list)  # heap of (event_ts, rental_id)
    plans: dict[int, list[tuple[int, str, dict]]] = field(default_factory=dict)  # day -> pending plans
    history: History | None = None  # the recent past, when late changes are on

    def next_ids(self, kind: str, n: int) -> np.ndarray:
        start = self.counters[kind]
        self.counters[kind] = start + n
        return np.arange(start, start + n, dtype=np.int64)

    def schedule(self, model: Model, rental_ids: np.ndarray, rental_ts: np.ndarray, inventory: np.ndarray,
                 customers: np.ndarray, staff: np.ndarray, durations: np.ndarray, not_before: int) -> None:
        """Plan the return (or loss) of rentals and queue it; plans never land before `not_before`."""
        d = model.cfg.demand
        when, lost = plan_returns(model.seed, model.cfg.returns, d, rental_ids, rental_ts, durations)
        # only for rentals older than the simulation (imported history): their event moves to its first
        # day, and one overdue by more than any simulated rental is kept out is written off as lost
        late = when < not_before
        when = np.where(late, not_before + when % DAY, when)
        due = np.asarray(rental_ts, dtype=np.int64) // DAY + np.asarray(durations, dtype=np.int64)
        lost = lost | (late & (not_before // DAY - due > model.cfg.returns.latest_late_days))
        for rid, ts, inv, cust, st, dur, ls, ev in zip(
                rental_ids.tolist(), rental_ts.tolist(), inventory.tolist(), customers.tolist(),
                staff.tolist(), durations.tolist(), lost.tolist(), when.tolist()):
            self.open[rid] = OpenRental(ts, inv, cust, st, dur, ls)
            heapq.heappush(self.due, (ev, rid))

    @classmethod
    def from_snapshot(cls, snap: Snapshot, model: Model) -> "SimState":
        cfg = model.cfg
        cc = cfg.customers
        customers = Customers(model.seed, cc.propensity_sigma, cc.propensity_cap, cc.regular_share,
                              cc.regular_propensity)
        c = snap.customers
        # last seen: latest rental, reactivation or sign-up, and never before the simulation began
        # (an adopted Sakila database must not churn its whole history on the first Monday)
        seen = np.maximum(np.maximum(c["last_rental_ts"], c["last_back_ts"]), model.start_day * DAY)
        customers.add(c["customer_id"], c["store_id"], c["create_ts"], c["active"].astype(bool), seen,
                      c["address_id"], c["closed"].astype(bool))
        customers.names = dict(zip(c["customer_id"].tolist(), snap.names))
        customers.emails = {cid: e for cid, e in zip(c["customer_id"].tolist(), snap.emails) if e is not None}
        customers.taken = {e.upper() for e in customers.emails.values()}
        customers.films.update(dict(zip(snap.films_seen[0].tolist(), snap.films_seen[1].tolist())))

        films = Films(model.film_seed, cfg.catalog, model.start_day, cfg.film_releases.burst,
                      cfg.film_releases.burst_weeks)
        f = snap.films
        films.add(f["film_id"], f["rental_duration"], f["rate_cents"], f["replacement_cents"])
        has_copy = f["first_copy_ts"] != np.iinfo(np.int64).min
        films.release_day[f["film_id"][has_copy]] = f["first_copy_ts"][has_copy] // DAY

        o = snap.open_rentals
        cp = snap.copies
        retired = np.zeros(int(cp["inventory_id"].max(initial=0)) + 1, bool)
        retired[cp["inventory_id"]] = cp["retired"].astype(bool)
        live = ~retired[o["inventory_id"]] if len(o["rental_id"]) else np.zeros(0, bool)
        out = np.isin(cp["inventory_id"], o["inventory_id"][live])
        stock = Stock()
        stock.add(cp["inventory_id"], cp["store_id"], cp["film_id"], cp["created_ts"],
                  cp["retired"].astype(bool), out)

        staff: dict[int, list[int]] = {}
        s = snap.staff
        for sid, store, active in zip(s["staff_id"].tolist(), s["store_id"].tolist(), s["active"].tolist()):
            if active:
                staff.setdefault(store, []).append(sid)

        state = cls(day=snap.last_day, customers=customers, films=films, stock=stock, staff=staff,
                    stores=sorted(snap.stores.tolist()), store_cities=snap.store_cities, actors=snap.actors,
                    categories=snap.categories, languages=snap.languages, counters=dict(snap.counters))
        if model.window is not None:
            state.history = History.from_rows(model.window, snap.window_rentals, snap.window_payments,
                                              snap.window_prices)
        for plan_id, day, action, params in snap.plans:
            state.plans.setdefault(day, []).append((plan_id, action, params))
        if live.any():
            rid = o["rental_id"][live]
            inv = o["inventory_id"][live]
            film_of = stock.film[inv]
            state.schedule(model, rid, o["rental_ts"][live], inv, o["customer_id"][live],
                           o["staff_id"][live], films.duration[film_of], (snap.last_day + 1) * DAY)
        return state

    def fingerprint(self) -> dict:
        """A comparable summary of everything the next day depends on (for tests)."""
        c, f, s = self.customers, self.films, self.stock
        ids = np.flatnonzero(c.exists)
        fids = np.flatnonzero(f.exists)
        cids = np.flatnonzero(s.exists)
        return {
            "day": self.day,
            "counters": dict(self.counters),
            "customers": (ids.tolist(), c.store[ids].tolist(), c.active[ids].tolist(),
                          c.create_ts[ids].tolist(), c.seen_ts[ids].tolist(), c.address[ids].tolist(),
                          c.closed[ids].tolist(), [c.names[i] for i in ids.tolist()],
                          [c.emails.get(i) for i in ids.tolist()]),
            "films_seen": sorted((k, n) for k, n in c.films.items() if n),
            "films": (fids.tolist(), f.duration[fids].tolist(), f.rate_cents[fids].tolist(),
                      f.replacement_cents[fids].tolist(), f.release_day[fids].tolist()),
            "copies": (cids.tolist(), s.store[cids].tolist(), s.film[cids].tolist(),
                       s.created_ts[cids].tolist(), s.retired[cids].tolist()),
            "shelf": {k: list(v) for k, v in sorted(s.shelf.items()) if v},
            "owned": {(int(a), int(b)): int(s.owned[a, b]) for a, b in zip(*np.nonzero(s.owned))},
            "open": {k: vars(v) for k, v in sorted(self.open.items())},
            "due": sorted(self.due),
            "staff": self.staff,
            "stores": self.stores,
            "plans": {d: list(p) for d, p in sorted(self.plans.items()) if p},
            "history": self.history.fingerprint() if self.history is not None else None,
        }
