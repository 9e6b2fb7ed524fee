"""What adoption does the same way on every engine: planning without writing, the simulation's own
tables, the record of what was imported, and the sim_state row that makes the database a live one."""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from ..config import Config, load_config
from ..sim.calendar import date_of, day_number
from ..sim.state import COUNTERS
from ..storage import Database
from ..storage.rows import sim_state_row
from ..storage.snapshot import id_maxima
from ..storage.tables import IMPORTED, SAKILA_TABLES
from .history import History

SAKILA_NAMES = tuple(t.name for t in SAKILA_TABLES)
#: Columns adoption adds; a Sakila database lacks them and is still a Sakila database.
ADDED_COLUMNS = {"inventory.created_at", "inventory.retired_at", "address.location"}
ORIGIN = "sakila"


class DryRun:
    """A Database stand-in for planning: reads go to the database, writes are recorded, never run.

    Only the reads below pass through; any other attribute is refused, so a step that grows a new way
    of writing cannot slip past a plan.
    """

    READS = frozenset({"engine", "url", "query", "table_names", "table_columns", "sim_table_ddl",
                       "missing_sakila", "read_sim_state"})

    def __init__(self, db: Database) -> None:
        self._db = db
        self.writes: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name in DryRun.READS:
            return getattr(self._db, name)
        raise AttributeError(f"a plan cannot use Database.{name}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.writes.append(sql)

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        self.writes.append(sql)

    def write_sim_state(self, row: dict) -> None:
        self.writes.append("sim_state")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield


Step = Callable[[Database, History], list[str]]


def say(db: Database | DryRun, planned: str, done: str) -> str:
    """The wording of a change: what it would do (planning) or what it did."""
    return planned if isinstance(db, DryRun) else done


def shown(name: str) -> str:
    """A name read from the database, for a message: as it is when plain, else escaped on one line."""
    if re.fullmatch(r"\w+", name):
        return name
    return ("`" + name.replace("`", "``") + "`").encode("unicode_escape").decode("ascii")


def is_sakila(db: Database, adds: frozenset[str] = frozenset()) -> bool:
    """Sakila's 16 tables with their columns (bar the ones adoption adds: ADDED_COLUMNS, and the engine's
    own `adds`, 'table' or 'table.column') and no sim_state row."""
    if not set(SAKILA_NAMES) - adds <= db.table_names() or db.read_sim_state() is not None:
        return False
    return set(db.missing_sakila()) <= ADDED_COLUMNS | adds


def create_sim_tables(db: Database, history: History | None = None) -> list[str]:
    present = db.table_names()
    made = []
    for name, stmt in db.sim_table_ddl().items():
        if name not in present:
            db.execute(stmt)
            made.append(name)
    return [f"{say(db, 'create', 'created')} {', '.join(made)} (the simulation's own bookkeeping)"] \
        if made else []


def record_imported(db: Database, history: History) -> list[str]:
    """Keep each table's highest imported id: validate.py holds those rows to the imported data's own
    dates (Sakila's load stamps and 2014 address edits lie after its last business day)."""
    if IMPORTED.name in db.table_names():
        return []
    db.execute(f"CREATE TABLE {IMPORTED.name} (table_name VARCHAR(64) NOT NULL PRIMARY KEY, "
               "max_id BIGINT NOT NULL)")
    present = db.table_names()
    keyed = [t for t in SAKILA_TABLES if len(t.key) == 1 and dict(t.columns)[t.key[0]] == "int"]
    # a table an earlier step adds (Pagila's film_text) is not there yet while planning: nothing imported
    top = db.query("SELECT " + ", ".join(f"(SELECT MAX({t.key[0]}) FROM {t.name})" if t.name in present else "0"
                                         for t in keyed))[0]
    with db.transaction():
        db.executemany(f"INSERT INTO {IMPORTED.name} (table_name, max_id) VALUES (?, ?)",
                       [(t.name, int(v or 0)) for t, v in zip(keyed, top)])
    return [f"{say(db, 'record', 'recorded')} the imported ids in {IMPORTED.name} (validate.py holds new rows, "
            "not imported ones, to the simulated calendar)"]


def calibrated_config(cfg: Config, history: History, seed: int) -> tuple[Config, list[str]]:
    """cfg, starting the day after the history, with demand and customers at the history's pace."""
    d = cfg.demand
    base = float(statistics.median(history.weekly))
    ratio = d.capacity_weekly_rentals / d.base_weekly_rentals
    per_customer = min(100.0, max(0.01, round(base / history.active_customers, 4)))
    start = history.last_day + dt.timedelta(days=1)
    # customers who rent k times the configured pace may hold k times as many films at once
    pace = per_customer / cfg.customers.rentals_per_active_week
    max_out = min(1000, max(cfg.customers.max_out, math.ceil(cfg.customers.max_out * pace)))
    out = cfg.override({
        "simulation": {"start_date": start.isoformat(), "seed": seed},
        "catalog": {"staff_per_store": history.staff_per_store},
        "demand": {"base_weekly_rentals": round(base, 2), "capacity_weekly_rentals": round(base * ratio, 2)},
        "customers": {"rentals_per_active_week": per_customer, "max_out": max_out},
        # the imported copies stay as they are: the store buys by demand but sells none of them off
        "inventory_schedule": {"sell_off": False},
    })
    lines = [
        f"demand.base_weekly_rentals = {base:g}: the median of the {len(history.weekly)} weeks with rentals "
        f"(range {min(history.weekly)}-{max(history.weekly)})",
        f"demand.capacity_weekly_rentals = {out.demand.capacity_weekly_rentals:g} ({ratio:g} x base, the "
        "configured ratio)",
        f"customers.rentals_per_active_week = {per_customer:g} ({base:g} rentals / "
        f"{history.active_customers} active customers)",
        f"customers.max_out = {max_out}: films one customer may have out at once, {pace:.3g} x the configured number "
        f"as they rent {pace:.3g} x the configured pace",
        "inventory_schedule.sell_off = false: the imported copies are never sold off (only written off when lost)",
    ]
    if history.staff_per_store != cfg.catalog.staff_per_store:
        lines.append(f"catalog.staff_per_store = {history.staff_per_store}: the fewest active staff a store has"
                     + (" (so no late correction can move a rental to another clerk)"
                        if history.staff_per_store < 2 else ""))
    return out, lines


def history_lines(history: History) -> list[str]:
    """How the history was read: where it ends and why, and what later dates were set aside."""
    lines = [f"history: rentals from {history.first_day} to {history.last_rental}; last day "
             f"{history.last_day} (the latest rental, return or payment: {history.latest_in})"]
    if history.later_stamps:
        lines.append("later dates left as they are (edit stamps of the imported rows, not business): " +
                     ", ".join(f"{where} {day}" for where, day in history.later_stamps))
    if history.open_rentals:
        lines.append(f"{history.open_rentals} rentals are still out: from {date_of(day_number(history.last_day) + 1)}"
                     " they come back, late fees and all, or are written off as lost by the simulation's rules")
    return lines


def write_state(db: Database, history: History, cfg: Config | None, seed: int | None) -> list[str]:
    """The sim_state row, in one transaction: from here on the database is a dvdrental-live one."""
    cfg = cfg or load_config()
    seed = cfg.simulation.seed if seed is None else seed
    adopted, lines = calibrated_config(cfg, history, seed)
    last = day_number(history.last_day)
    counters = {kind: top + 1 for kind, top in zip(COUNTERS, id_maxima(db))}
    with db.transaction():
        db.write_sim_state(sim_state_row(seed, last + 1, last, ORIGIN, counters, adopted.simulation_dict()))
    return [
        *history_lines(history),
        *lines,
        say(db, f"write sim_state: adopt it as a dvdrental-live database (seed {seed}), the simulation "
                f"continuing on {date_of(last + 1)}",
            f"adopted as a dvdrental-live database (seed {seed}): simulation continues on {date_of(last + 1)}"),
    ]
