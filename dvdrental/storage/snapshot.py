"""Reading a simulation state back from the database (incremental runs, inventory_manager).

Kept out of the Database classes so that what only writes (the writer process) loads neither numpy
nor the simulation.
"""

from __future__ import annotations

import json

import numpy as np

from ..sim.calendar import day_text, parse_day, parse_ts
from ..sim.customers import FILM_KEY, NEVER
from ..sim.changes import LOG_COUNTER
from ..sim.state import COUNTERS, Snapshot
from .base import Database


def read_snapshot(db: Database, sim_state: dict, window: int | None = None) -> Snapshot:
    """Plain arrays of everything a state is rebuilt from: indexed aggregates, not the history
    (but for the last `window` days of rentals, which late changes reach into)."""
    q = db.query
    cust = q("""
        SELECT c.customer_id, c.store_id, c.active, c.create_date, r.last_rental, e.last_back, c.address_id,
               CASE WHEN x.customer_id IS NULL THEN 0 ELSE 1 END, c.first_name, c.last_name, c.email
        FROM customer c
        LEFT JOIN (SELECT customer_id, MAX(rental_date) AS last_rental FROM rental
                   GROUP BY customer_id) r ON r.customer_id = c.customer_id
        LEFT JOIN (SELECT customer_id, MAX(event_date) AS last_back FROM sim_customer_event
                   WHERE event = 'reactivate' GROUP BY customer_id) e ON e.customer_id = c.customer_id
        LEFT JOIN (SELECT DISTINCT customer_id FROM sim_customer_event WHERE event = 'close') x
          ON x.customer_id = c.customer_id
        ORDER BY c.customer_id""")
    films = q("""
        SELECT f.film_id, f.rental_duration, f.rental_rate, f.replacement_cost, i.first_copy
        FROM film f
        LEFT JOIN (SELECT film_id, MIN(created_at) AS first_copy FROM inventory GROUP BY film_id) i
          ON i.film_id = f.film_id
        ORDER BY f.film_id""")
    copies = q("SELECT inventory_id, store_id, film_id, created_at, retired_at FROM inventory "
               "ORDER BY inventory_id")
    open_rentals = q("SELECT rental_id, rental_date, inventory_id, customer_id, staff_id FROM rental "
                     "WHERE return_date IS NULL ORDER BY rental_id")
    staff = q("SELECT staff_id, store_id, active FROM staff ORDER BY staff_id")
    plans = [(int(pid), parse_day(day), action, json.loads(params)) for pid, day, action, params in
             q("SELECT plan_id, day, action, params FROM sim_stock_plan WHERE done_at IS NULL "
               "ORDER BY plan_id")]
    ids = lambda sql: np.array([r[0] for r in q(sql)], dtype=np.int64)  # noqa: E731
    counters = dict(sim_state["counters"])
    for kind, top in zip(COUNTERS, id_maxima(db)):
        counters[kind] = max(int(counters.get(kind, 1)), top + 1)
    if "sim_change_log" in db.table_names():
        top = q("SELECT MAX(change_id) FROM sim_change_log")[0][0]
        counters[LOG_COUNTER] = max(int(counters.get(LOG_COUNTER, 1)), int(top or 0) + 1)
    seen = _films_seen(q("SELECT customer_id, inventory_id FROM rental"), copies)
    rentals: list[tuple] = []
    payments: list[tuple] = []
    prices: list[tuple] = []
    if window is not None:
        since = f"{day_text(max(sim_state['last_day'] + 1 - window, sim_state['start_date']))} 00:00:00"
        rentals = [(int(r), parse_ts(t), int(i), int(c), int(s), parse_ts(ret)) for r, t, i, c, s, ret in q(
            "SELECT rental_id, rental_date, inventory_id, customer_id, staff_id, return_date FROM rental "
            "WHERE rental_date >= ? ORDER BY rental_id", (since,))]
        payments = [(int(p), int(r), int(round(float(a) * 100)), parse_ts(t)) for p, r, a, t in q(
            "SELECT p.payment_id, p.rental_id, p.amount, p.payment_date FROM payment p "
            "JOIN rental r ON r.rental_id = p.rental_id WHERE r.rental_date >= ? ORDER BY p.payment_id",
            (since,))]
        prices = [(int(f), parse_ts(t), int(round(float(c) * 100))) for f, t, c in q(
            "SELECT film_id, valid_until, replacement_cost FROM sim_film_price WHERE valid_until >= ? "
            "ORDER BY film_id, valid_until", (since,))]
    return Snapshot(
        last_day=sim_state["last_day"],
        counters=counters,
        customers=_columns(cust, ("customer_id", "store_id", "active", "create_ts", "last_rental_ts",
                                  "last_back_ts", "address_id", "closed"), {3, 4, 5}),
        names=[(r[8], r[9]) for r in cust],
        emails=[r[10] for r in cust],
        window_rentals=rentals,
        window_payments=payments,
        window_prices=prices,
        films_seen=seen,
        films={**_columns(films, ("film_id", "rental_duration", "rate", "replacement", "first_copy_ts"),
                          {4}),
               "rate_cents": _cents([r[2] for r in films]),
               "replacement_cents": _cents([r[3] for r in films])},
        copies={**_columns(copies, ("inventory_id", "store_id", "film_id", "created_ts"), {3}),
                "retired": np.array([r[4] is not None for r in copies], dtype=bool)},
        open_rentals=_columns(open_rentals, ("rental_id", "rental_ts", "inventory_id", "customer_id",
                                             "staff_id"), {1}),
        staff=_columns(staff, ("staff_id", "store_id", "active"), set()),
        stores=ids("SELECT store_id FROM store ORDER BY store_id"),
        store_cities=_store_cities(q("SELECT s.store_id, c2.city_id FROM store s "
                                     "JOIN address a ON a.address_id = s.address_id "
                                     "JOIN city c1 ON c1.city_id = a.city_id "
                                     "JOIN city c2 ON c2.country_id = c1.country_id "
                                     "ORDER BY s.store_id, c2.city_id")),
        actors=ids("SELECT actor_id FROM actor ORDER BY actor_id"),
        categories=ids("SELECT category_id FROM category ORDER BY category_id"),
        languages=ids("SELECT language_id FROM language ORDER BY language_id"),
        plans=plans,
    )


def _films_seen(rented: list[tuple], copies: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """The films each customer has rented, as (customer_id * FILM_KEY + film_id, rentals), counted in
    numpy: a GROUP BY over a join of every rental takes three times as long. A voided rental is gone
    from the table, so the state forgets it too."""
    if not rented:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    film_of = np.zeros(max(int(r[0]) for r in copies) + 1, np.int64)
    film_of[[int(r[0]) for r in copies]] = [int(r[2]) for r in copies]
    pairs = np.array(rented, dtype=np.int64)
    return np.unique(pairs[:, 0] * FILM_KEY + film_of[pairs[:, 1]], return_counts=True)


def id_maxima(db: Database) -> list[int]:
    """The highest id in use per counter (COUNTERS order), 0 for an empty table: one query."""
    row = db.query("SELECT " + ", ".join(f"(SELECT MAX({k}_id) FROM {k})" for k in COUNTERS))[0]
    return [int(v or 0) for v in row]


def _store_cities(rows: list[tuple]) -> dict[int, np.ndarray]:
    """Each store's neighbourhood: the cities of its own city's country (where new customers live)."""
    out: dict[int, list[int]] = {}
    for store, city in rows:
        out.setdefault(int(store), []).append(int(city))
    return {s: np.array(c, np.int64) for s, c in out.items()}


def _columns(rows: list[tuple], names: tuple[str, ...], times: set[int]) -> dict[str, np.ndarray]:
    out = {}
    for i, name in enumerate(names):
        if i in times:
            vals = [parse_ts(r[i]) for r in rows]
            out[name] = np.array([NEVER if v is None else v for v in vals], dtype=np.int64)
        elif name in ("rate", "replacement"):
            continue
        else:
            out[name] = np.array([int(r[i]) for r in rows], dtype=np.int64)
    return out


def _cents(values: list) -> np.ndarray:
    return np.array([int(round(float(v) * 100)) for v in values], dtype=np.int64)
