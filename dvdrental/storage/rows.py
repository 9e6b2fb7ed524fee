"""From simulation events (integer times, cents) to SQL parameters both engines store alike.

Times become 'YYYY-MM-DD HH:MM:SS' text and amounts 'D.CC' text; the engines parse both into their
own DATETIME/DECIMAL (MySQL) or keep text and NUMERIC (SQLite), and read back identical values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from typing import TYPE_CHECKING

from .. import SCHEMA_VERSION, __version__
from ..sim.calendar import day_text, ts_text

if TYPE_CHECKING:  # type names only: the writer process must not load numpy and the simulation
    from ..sim.basedata import BaseData
    from ..sim.events import DayEvents


@dataclass(frozen=True)
class Insert:
    table: str
    columns: tuple[str, ...]
    rows: list[tuple]


@dataclass(frozen=True)
class Update:
    """UPDATE table SET columns... WHERE key = row[0], for each row (key first)."""
    table: str
    key: str
    columns: tuple[str, ...]
    rows: list[tuple]


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _t(ts: int | None) -> str | None:
    return None if ts is None else ts_text(ts)


ADDRESS_COLS = ("address_id", "address", "address2", "district", "city_id", "postal_code", "phone",
                "last_update")
CUSTOMER_COLS = ("customer_id", "store_id", "first_name", "last_name", "email", "address_id", "active",
                 "create_date", "last_update")
FILM_COLS = ("film_id", "title", "description", "release_year", "language_id", "original_language_id",
             "rental_duration", "rental_rate", "length", "replacement_cost", "rating", "special_features",
             "last_update")
INVENTORY_COLS = ("inventory_id", "film_id", "store_id", "created_at", "retired_at", "last_update")
RENTAL_COLS = ("rental_id", "rental_date", "inventory_id", "customer_id", "return_date", "staff_id", "last_update")
PAYMENT_COLS = ("payment_id", "customer_id", "staff_id", "rental_id", "amount", "payment_date", "last_update")
SIM_DAY_COLS = ("day", "expected", "demand", "rentals", "lost_demand", "returns", "new_customers", "churned",
                "reactivated", "spike")


def addresses(rows: list[tuple]) -> Insert:
    return Insert("address", ADDRESS_COLS, [(*r[:7], _t(r[7])) for r in rows])


def customers(rows: list[tuple]) -> Insert:
    return Insert("customer", CUSTOMER_COLS, [(*r[:7], _t(r[7]), _t(r[8])) for r in rows])


def films(rows: list[tuple]) -> Insert:
    return Insert("film", FILM_COLS, [(*r[:7], money(r[7]), r[8], money(r[9]), r[10], r[11], _t(r[12]))
                                      for r in rows])


def links(table: str, cols: tuple[str, str], rows: list[tuple]) -> Insert:
    return Insert(table, (*cols, "last_update"), [(a, b, _t(ts)) for a, b, ts in rows])


def inventory(rows: list[tuple]) -> Insert:
    """Copies as (inventory_id, film_id, store_id, created_ts[, retired_ts, last_update_ts])."""
    out = []
    for r in rows:
        inv, film, store, created = r[:4]
        retired, last = (r[4], r[5]) if len(r) > 4 else (None, created)
        out.append((inv, film, store, _t(created), _t(retired), _t(last)))
    return Insert("inventory", INVENTORY_COLS, out)


class Batch:
    """Whole simulated days folded into the rows to write in one transaction.

    A row inserted and changed within the batch (a rental returned, a customer churned, a copy retired)
    is inserted once in its final state; only rows from earlier batches are updated. The database
    after the batch is the same as after writing the days one by one; it just takes fewer statements.
    """

    def __init__(self) -> None:
        self.addresses: list[tuple] = []
        self.customers: dict[int, list] = {}
        self.films: list[tuple] = []
        self.film_actors: list[tuple] = []
        self.film_categories: list[tuple] = []
        self.inventory: dict[int, list] = {}
        self.rentals: dict[int, list] = {}
        self.payments: list[tuple] = []
        self.customer_events: list[tuple] = []
        self.returns: dict[int, int] = {}
        self.customer_updates: dict[int, tuple[int, int]] = {}
        self.retirements: dict[int, int] = {}
        self.plans_done: list[tuple] = []
        self.days: list = []
        self.size = 0  # rows so far, to decide when to flush

    def add(self, ev: DayEvents, with_day: bool = True) -> None:
        self.addresses += ev.addresses
        for row in ev.customers:
            self.customers[row[0]] = list(row)
        self.films += ev.films
        self.film_actors += ev.film_actors
        self.film_categories += ev.film_categories
        for inv, film, store, ts in ev.inventory:
            self.inventory[inv] = [inv, film, store, ts, None, ts]
        for rid, ts, inv, cust, staff in ev.rentals:
            self.rentals[rid] = [rid, ts, inv, cust, None, staff, ts]
        self.payments += ev.payments
        self.customer_events += ev.customer_events
        for rid, ts in ev.returns:
            row = self.rentals.get(rid)
            if row is None:
                self.returns[rid] = ts
            else:
                row[4] = row[6] = ts
        for cid, active, ts in ev.customer_updates:
            row = self.customers.get(cid)
            if row is None:
                self.customer_updates[cid] = (active, ts)
            else:
                row[6], row[8] = active, ts
        for inv, ts in ev.retirements:
            row = self.inventory.get(inv)
            if row is None:
                self.retirements[inv] = ts
            else:
                row[4] = row[5] = ts
        self.plans_done += ev.plans_done
        if with_day and ev.stats is not None:
            self.days.append(ev.stats)
        self.size += (len(ev.rentals) + len(ev.payments) + len(ev.returns) + len(ev.customers)
                      + len(ev.customer_events) + len(ev.customer_updates) + 1)

    def writes(self) -> list[Insert | Update]:
        """Every statement the batch needs, parents before children, inserts before updates."""
        ops: list[Insert | Update] = [
            addresses(self.addresses),
            customers([tuple(r) for r in self.customers.values()]),
            films(self.films),
            links("film_actor", ("actor_id", "film_id"), self.film_actors),
            links("film_category", ("film_id", "category_id"), self.film_categories),
            inventory(list(self.inventory.values())),
            Insert("rental", RENTAL_COLS, [(r, ts_text(ts), i, c, _t(ret), s, _t(last))
                                           for r, ts, i, c, ret, s, last in self.rentals.values()]),
            Insert("payment", PAYMENT_COLS, [(p, c, s, r, money(a), (when := ts_text(ts)), when)
                                             for p, c, s, r, a, ts in self.payments]),
            Update("rental", "rental_id", ("return_date", "last_update"),
                   [(r, (when := ts_text(ts)), when) for r, ts in self.returns.items()]),
            Update("customer", "customer_id", ("active", "last_update"),
                   [(c, a, _t(ts)) for c, (a, ts) in self.customer_updates.items()]),
            Update("inventory", "inventory_id", ("retired_at", "last_update"),
                   [(i, _t(ts), _t(ts)) for i, ts in self.retirements.items()]),
            Insert("sim_customer_event", ("customer_id", "event_date", "event"),
                   [(c, _t(ts), e) for c, ts, e in self.customer_events]),
            Update("sim_stock_plan", "plan_id", ("done_at",), [(p, _t(ts)) for p, ts in self.plans_done]),
            Insert("sim_day", SIM_DAY_COLS,
                   [(day_text(st.day), f"{st.expected:.2f}", st.demand, st.rentals, st.lost_demand, st.returns,
                     st.new_customers, st.churned, st.reactivated, int(st.spike)) for st in self.days]),
        ]
        return [op for op in ops if op.rows]


def base_writes(base: BaseData) -> list[Insert]:
    r = base.rows
    simple = lambda table, cols, rows: Insert(  # noqa: E731
        table, cols, [(*row[:-1], _t(row[-1])) for row in rows])
    return [op for op in (
        simple("language", ("language_id", "name", "last_update"), r["language"]),
        simple("category", ("category_id", "name", "last_update"), r["category"]),
        simple("country", ("country_id", "country", "last_update"), r["country"]),
        simple("city", ("city_id", "city", "country_id", "last_update"), r["city"]),
        simple("actor", ("actor_id", "first_name", "last_name", "last_update"), r["actor"]),
        addresses(r["address"]),
        films(r["film"]),
        links("film_actor", ("actor_id", "film_id"), r["film_actor"]),
        links("film_category", ("film_id", "category_id"), r["film_category"]),
        simple("staff", ("staff_id", "first_name", "last_name", "address_id", "picture", "email", "store_id",
                         "active", "username", "password", "last_update"), r["staff"]),
        simple("store", ("store_id", "manager_staff_id", "address_id", "last_update"), r["store"]),
        customers(r["customer"]),
        inventory(r["inventory"]),
    ) if op.rows]


def sim_state_row(seed: int, start_day: int, last_day: int, origin: str, counters: dict[str, int],
                  config: dict) -> dict:
    return {
        "id": 1, "schema_version": SCHEMA_VERSION, "tool_version": __version__, "seed": seed,
        "start_date": day_text(start_day), "last_day": day_text(last_day), "origin": origin,
        "counters": json.dumps(counters, sort_keys=True), "config": json.dumps(config, sort_keys=True),
    }
