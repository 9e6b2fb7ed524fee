"""From simulation events (integer times, cents) to SQL parameters both engines store alike.

Times become 'YYYY-MM-DD HH:MM:SS' text and amounts 'D.CC' text; the engines parse both into their
own DATETIME/DECIMAL (MySQL) or keep text and NUMERIC (SQLite), and read back identical values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from typing import TYPE_CHECKING, Callable

from .. import SCHEMA_VERSION, __version__
from ..sim.calendar import day_text, ts_text
from ..sim.events import INSERT_COLUMNS, Op
from .tables import TABLES

if TYPE_CHECKING:  # type names only: the writer process must not load numpy and the simulation
    from ..sim.basedata import BaseData
    from ..sim.events import DayEvents


@dataclass(frozen=True)
class Insert:
    table: str
    columns: tuple[str, ...]
    rows: list[tuple]


@dataclass(frozen=True)
class Delete:
    """DELETE FROM table WHERE key IN keys."""
    table: str
    key: str
    rows: list


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


@lru_cache(maxsize=1 << 16)
def ts_param(ts: int) -> str:
    """ts_text, remembered: a rental's time is written as rental_date, last_update, payment_date and
    changed_at of several log rows."""
    return ts_text(ts)


def _t(ts: int | None) -> str | None:
    return None if ts is None else ts_param(ts)


ADDRESS_COLS = INSERT_COLUMNS["address"]
CUSTOMER_COLS = INSERT_COLUMNS["customer"]
FILM_COLS = INSERT_COLUMNS["film"]
INVENTORY_COLS = INSERT_COLUMNS["inventory"]
SIM_DAY_COLS = ("day", "expected", "demand", "rentals", "lost_demand", "returns", "new_customers", "churned",
                "reactivated", "spike")
LOG_COLS = ("change_id", "changed_at", "table_name", "pk1", "pk2", "op", "changed_columns", "kind", "record_at")

#: Parents before children (inserts); children before parents (deletes).
INSERT_ORDER = ("address", "customer", "film", "film_actor", "film_category", "inventory", "rental", "payment")
DELETE_ORDER = tuple(reversed(INSERT_ORDER))


def _same(v: object) -> object:
    return v


def _money_or_none(cents: int | None) -> str | None:
    return None if cents is None else money(cents)


def _converter(table: str, column: str) -> Callable[[object], object]:
    """Simulation value (int seconds, int cents) -> SQL parameter, by the column's kind."""
    kind = dict(TABLES[table].columns)[column]
    return {"datetime": _t, "money": _money_or_none}.get(kind, _same)


_CONVERT: dict[str, dict[str, Callable[[object], object]]] = {
    t: {c: _converter(t, c) for c in cols} for t, cols in INSERT_COLUMNS.items()}
_ROW_CONVERT = {t: tuple(_CONVERT[t][c] for c in cols) for t, cols in INSERT_COLUMNS.items()}
_INDEX = {t: {c: i for i, c in enumerate(cols)} for t, cols in INSERT_COLUMNS.items()}


def _rental_row(r: tuple | list) -> tuple:
    return (r[0], ts_param(r[1]), r[2], r[3], None if r[4] is None else ts_param(r[4]), r[5], ts_param(r[6]))


def _payment_row(r: tuple | list) -> tuple:
    return (r[0], r[1], r[2], r[3], money(r[4]), ts_param(r[5]), ts_param(r[6]))


#: The two tables with most rows get hand-written converters (same result, a third of the time).
_FAST = {"rental": _rental_row, "payment": _payment_row}


def sql_row(table: str, row: tuple | list) -> tuple:
    """An inserted row's values as SQL parameters."""
    fast = _FAST.get(table)
    if fast is not None:
        return fast(row)
    return tuple(f(v) for f, v in zip(_ROW_CONVERT[table], row))


def sql_values(table: str, values: dict) -> dict:
    """An update's {column: value} as SQL parameters."""
    conv = _CONVERT[table]
    return {c: conv[c](v) for c, v in values.items()}


def addresses(rows: list[tuple]) -> Insert:
    return Insert("address", ADDRESS_COLS, [sql_row("address", r) for r in rows])


def customers(rows: list[tuple]) -> Insert:
    return Insert("customer", CUSTOMER_COLS, [sql_row("customer", r) for r in rows])


def films(rows: list[tuple]) -> Insert:
    return Insert("film", FILM_COLS, [sql_row("film", r) for r in rows])


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


def log_rows(day_ops: list[tuple[int, int, list[Op]]]) -> list[tuple]:
    """sim_change_log rows: which row changed, how, when, in which columns, by which kind of change."""
    out = []
    add = out.append
    changes = ((cid, op) for _, first, ops in day_ops for cid, op in enumerate(ops, first))
    for change_id, (ts, kind, table, what, key, values, made) in changes:
        if what == "I":
            if type(key) is tuple:
                add((change_id, ts_param(ts), table, key[0], key[1], what, None, kind, None))
            else:
                add((change_id, ts_param(ts), table, key, None, what, None, kind, None if made is None else ts_param(made)))
        else:
            cols = ",".join(c for c in values if c != "last_update") if what == "U" else None
            add((change_id, ts_param(ts), table, key, None, what, cols, kind, None if made is None else ts_param(made)))
    return out


class Batch:
    """Whole simulated days folded into the rows to write in one transaction.

    A row inserted and changed within the batch (a rental returned, a customer churned, a copy retired)
    is inserted once in its final state; a row inserted and deleted within it is not written at all;
    only rows from earlier batches are updated or deleted. The database after the batch is the same as
    after writing the days one by one; it just takes fewer statements. `keep_days` also keeps each
    day's ops, for the daily exports (rows as they stood at the end of each day).
    """

    def __init__(self, log: bool = True, keep_days: bool = False) -> None:
        self.inserts: dict[str, dict] = {t: {} for t in INSERT_ORDER}
        self.updates: dict[str, dict] = {t: {} for t in INSERT_ORDER}
        self.deletes: dict[str, dict] = {t: {} for t in INSERT_ORDER}
        self.customer_events: list[tuple] = []
        self.plans_done: list[tuple] = []
        self.film_prices: list[tuple] = []
        self.days: list = []
        self.log = log
        self.keep_days = keep_days
        #: (day, first change_id, ops) per day: for sim_change_log and the daily exports
        self.day_ops: list[tuple[int, int, list[Op]]] = []
        self.size = 0  # rows so far, to decide when to flush

    def add(self, ev: DayEvents, with_day: bool = True) -> None:
        inserts, updates, deletes = self.inserts, self.updates, self.deletes
        for op in ev.ops:
            _, _, table, what, key, values, _ = op
            if what == "I":
                inserts[table][key] = values  # the op's own tuple (pickled once); copied when changed
            elif what == "U":
                row = inserts[table].get(key)
                if row is not None:
                    if type(row) is tuple:
                        row = inserts[table][key] = list(row)
                    index = _INDEX[table]
                    for col, v in values.items():
                        row[index[col]] = v
                elif key in updates[table]:
                    updates[table][key].update(values)
                else:
                    updates[table][key] = dict(values)
            else:
                if inserts[table].pop(key, None) is None:
                    deletes[table][key] = None
                updates[table].pop(key, None)
        if self.log or self.keep_days:
            self.day_ops.append((ev.day, ev.first_change_id, ev.ops))
        self.customer_events += ev.customer_events
        self.plans_done += ev.plans_done
        self.film_prices += ev.film_prices
        if with_day and ev.stats is not None:
            self.days.append(ev.stats)
        self.size += len(ev.ops) + len(ev.customer_events) + 1

    def writes(self) -> list[Insert | Update | Delete]:
        """Every statement the batch needs: inserts parents first, updates, deletes children first. Rows
        go in key order: a sharded chain's stores interleave their ids, and an index (B-tree or InnoDB's
        clustered key) takes rows in order about twice as fast."""
        ops: list[Insert | Update | Delete] = []
        for table in INSERT_ORDER:
            rows = self.inserts[table]
            if rows:
                ops.append(Insert(table, INSERT_COLUMNS[table], [sql_row(table, rows[k]) for k in sorted(rows)]))
        for table in INSERT_ORDER:
            groups: dict[tuple, list] = {}
            changed = self.updates[table]
            for key in sorted(changed):
                values = changed[key]
                groups.setdefault(tuple(values), []).append((key, *sql_values(table, values).values()))
            for cols, rows in groups.items():
                ops.append(Update(table, TABLES[table].key[0], cols, rows))
        for table in DELETE_ORDER:
            if self.deletes[table]:
                ops.append(Delete(table, TABLES[table].key[0], list(self.deletes[table])))
        ops += [
            Insert("sim_customer_event", ("customer_id", "event_date", "event"),
                   [(c, _t(ts), e) for c, ts, e in self.customer_events]),
            Update("sim_stock_plan", "plan_id", ("done_at",), [(p, _t(ts)) for p, ts in self.plans_done]),
            Insert("sim_film_price", ("film_id", "valid_until", "rental_rate", "replacement_cost"),
                   [(f, _t(ts), money(r), money(c)) for f, ts, r, c in self.film_prices]),
            Insert("sim_day", SIM_DAY_COLS,
                   [(day_text(st.day), f"{st.expected:.2f}", st.demand, st.rentals, st.lost_demand, st.returns,
                     st.new_customers, st.churned, st.reactivated, int(st.spike)) for st in self.days]),
            Insert("sim_change_log", LOG_COLS, log_rows(self.day_ops) if self.log else []),
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


def base_log(writes: list[Insert]) -> Insert:
    """sim_change_log rows for the base data: one insert per row, at the row's last_update."""
    out = []
    for op in writes:
        key = TABLES[op.table].key
        at = [op.columns.index(k) for k in key]
        stamp = op.columns.index("last_update")
        for row in op.rows:
            k = [row[i] for i in at]
            out.append((len(out) + 1, row[stamp], op.table, k[0], k[1] if len(k) > 1 else None, "I", None, "base",
                        None))
    return Insert("sim_change_log", LOG_COLS, out)


def sim_state_row(seed: int, start_day: int, last_day: int, origin: str, counters: dict[str, int],
                  config: dict) -> dict:
    return {
        "id": 1, "schema_version": SCHEMA_VERSION, "tool_version": __version__, "seed": seed,
        "start_date": day_text(start_day), "last_day": day_text(last_day), "origin": origin,
        "counters": json.dumps(counters, sort_keys=True), "config": json.dumps(config, sort_keys=True),
    }
