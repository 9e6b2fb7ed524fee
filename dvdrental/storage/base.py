"""What both engines share: writing a day, reading a snapshot, sim_state, schema checks.

SQL here is portable between SQLite and MySQL/MariaDB and written with `?` placeholders; each engine
module supplies connection handling, DDL, locking, bulk updates and its dialect differences.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from typing import TYPE_CHECKING

from .. import SCHEMA_VERSION
from ..errors import LockedError, StateError
from ..sim.calendar import parse_day
from .rows import Batch, Delete, Insert, Update, base_log, base_writes
from .tables import DROP_ORDER, SAKILA_TABLES, TABLES
from .url import DbUrl

if TYPE_CHECKING:  # the writer process imports storage: keep numpy and the simulation out of it
    from ..sim.basedata import BaseData
    from ..sim.events import DayEvents

#: Seconds a run waits for a server lock whose holder is gone but whose session the server has not
#: closed yet (it finishes the statement it was running first). A live run is refused at once.
LOCK_WAIT = 2
#: A holder whose session stays idle this long is a live run: a dead client's idle session is closed
#: by the server within milliseconds.
LIVE_IDLE = 0.25



@contextmanager
def undo_on_error(*steps: Callable[[], object]) -> Iterator[None]:
    """Run the cleanup `steps` if the block fails, then re-raise the block's own error.

    The one way an error path cleans up: a step that fails too (the server died, so a rollback or a
    drop cannot reach it either) is skipped, never raised over the error that led there, which is
    the one the user must see. Later steps still run."""
    try:
        yield
    except BaseException:
        for step in steps:
            try:
                step()
            except Exception:
                pass
        raise


class Database:
    engine = "?"

    def __init__(self, url: DbUrl) -> None:
        self.url = url

    # ---- engine hooks -----------------------------------------------------------------------------
    def close(self) -> None:
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        raise NotImplementedError

    def stream(self, sql: str, params: Sequence[Any] = (), raw: bool = False) -> Iterator[tuple]:
        """Rows of a query a few thousand at a time (a pass over a big table without holding it).
        `raw`: values as the engine sends them, unconverted (MySQL: bytes), for equality tests only."""
        raise NotImplementedError

    def begin(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        """Called on error paths (through `undo_on_error`); a lost connection rolls back by itself."""
        raise NotImplementedError

    def create_schema(self) -> None:
        raise NotImplementedError

    def drop_objects(self) -> None:
        """Drop views, routines and triggers of ours (tables are dropped by `drop_all`)."""
        raise NotImplementedError

    def optimize(self, tables: Sequence[str]) -> list[str]:
        """Refresh the planner's statistics (and compact where the engine does); lines saying what ran."""
        raise NotImplementedError

    def backup_to(self, path: Path) -> None:
        """A consistent copy of the whole database written to `path` (maintain.py backup)."""
        raise NotImplementedError

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The server engines' lock: a server-side lock per database, released by the server when our
        session ends, however it ends (SQLite locks its file instead).

        Held by a live run, it is refused at once; only a holder that may be dead is waited for. The
        server frees a killed run's lock as soon as it notices the session is gone: at once for an
        idle session, after the statement it is running for a busy one. So a holder seen idle for
        LIVE_IDLE seconds, or starting a new statement after being idle, is alive (a dead client
        sends nothing new); a busy, killed or vanished one is waited for, up to LOCK_WAIT seconds.
        """
        deadline = time.monotonic() + LOCK_WAIT
        idle_since: float | None = None
        while not self._try_lock():
            now = time.monotonic()
            state = self._lock_holder()
            if state == "idle":
                idle_since = now if idle_since is None else idle_since
                alive = now - idle_since >= LIVE_IDLE
            else:
                alive = idle_since is not None and state is not None
            if alive or now >= deadline:
                raise LockedError(f"{self.url.display()} is in use by another dvdrental-live run",
                                  hint="wait for it to finish; a run that was killed releases it at once")
            time.sleep(0.05)
        try:
            yield
        finally:
            self._unlock()

    def _try_lock(self) -> bool:
        """Take the server lock if it is free."""
        raise NotImplementedError

    def _lock_holder(self) -> str | None:
        """What the lock's holder is doing: "idle", "busy", or None (freed meanwhile, killed, gone)."""
        raise NotImplementedError

    def _unlock(self) -> None:
        """Release the server lock; never raises."""
        raise NotImplementedError

    @contextmanager
    def relaxed_foreign_keys(self) -> Iterator[None]:
        """Inside a transaction: allow the staff <-> store cycle while base data goes in."""
        raise NotImplementedError
        yield

    def bulk_update(self, op: Update) -> None:
        raise NotImplementedError

    # ---- dialect ----------------------------------------------------------------------------------
    def sim_table_ddl(self) -> dict[str, str]:
        """CREATE TABLE statements of the sim_* tables, from this engine's schema file."""
        raise NotImplementedError

    def upgrade(self) -> list[str]:
        """Bring a database made by an older version up to this one: create the sim_* tables it lacks
        (sim_change_log and sim_film_price came with late changes) and record the schema version."""
        present = self.table_names()
        ddl = self.sim_table_ddl()
        made = [name for name in ddl if name not in present]
        st = self.read_sim_state()
        if not made and (st is None or st["schema_version"] >= SCHEMA_VERSION):
            return []
        with self.transaction():
            for name in made:
                self.execute(ddl[name])
            if st is not None:
                self.execute("UPDATE sim_state SET schema_version = ? WHERE id = 1", (SCHEMA_VERSION,))
        return [f"upgraded to schema version {SCHEMA_VERSION}" + (f": created {', '.join(made)}" if made else "")]

    def upsert(self, table: str, columns: tuple[str, ...], key: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert rows, replacing the non-key columns of rows whose key exists (no delete, so no
        foreign-key actions fire)."""
        raise NotImplementedError

    def days_between(self, later: str, earlier: str) -> str:
        """SQL for whole calendar days from `earlier` to `later` (Sakila's TO_DAYS difference)."""
        raise NotImplementedError

    def epoch_seconds(self, expr: str) -> str:
        """SQL for a DATETIME as whole seconds since 1970-01-01 (no time zone involved)."""
        raise NotImplementedError

    #: SQL naming the current schema in information_schema queries (the server engines'; SQLite
    #: overrides the two methods below).
    schema_sql = ""

    #: Written after SELECT to join the tables in the order the query names them. MySQL and MariaDB
    #: otherwise drive a join from its smallest table (film, staff): at millions of rentals that is a
    #: random index lookup per rental, 20x slower than one scan of rental in key order.
    join_in_order = ""

    def table_names(self) -> set[str]:
        return {r[0] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = " + self.schema_sql +
            " AND table_type = 'BASE TABLE'")}

    def table_columns(self, table: str) -> list[str]:
        return [r[0] for r in self.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = " + self.schema_sql +
            " AND table_name = ? ORDER BY ordinal_position", (table,))]

    def substr(self, expr: str, start: int, length: int) -> str:
        """SQL for part of a DATETIME's 'YYYY-MM-DD HH:MM:SS' text (day: 1, 10; month: 1, 7; hour: 12, 2)."""
        return f"SUBSTR({expr}, {start}, {length})"

    def signed(self, expr: str) -> str:
        """SQL for an integer expression as a signed integer (MySQL's UNSIGNED columns cannot go negative)."""
        return f"CAST({expr} AS SIGNED)"

    # ---- shared -----------------------------------------------------------------------------------
    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.begin()
        with undo_on_error(self.rollback):
            yield
        self.commit()

    def begin_read(self) -> None:
        """Start the read-only transaction of `consistent_read` (an engine may take its snapshot now)."""
        self.begin()

    @contextmanager
    def consistent_read(self) -> Iterator[None]:
        """Every query inside sees one committed state of the database (an ETL extract, a comparison),
        whatever a concurrent run commits meanwhile. Nothing is written."""
        self.begin_read()
        try:
            yield
        finally:
            self.rollback()

    def insert(self, op: Insert) -> None:
        cols = ", ".join(op.columns)
        marks = ", ".join("?" * len(op.columns))
        self.executemany(f"INSERT INTO {op.table} ({cols}) VALUES ({marks})", op.rows)

    def delete(self, op: Delete) -> None:
        for i in range(0, len(op.rows), 500):
            keys = op.rows[i:i + 500]
            self.execute(f"DELETE FROM {op.table} WHERE {op.key} IN ({', '.join('?' * len(keys))})", keys)

    def apply(self, ops: list[Insert | Update | Delete]) -> None:
        for op in ops:
            if isinstance(op, Insert):
                self.insert(op)
            elif isinstance(op, Delete):
                self.delete(op)
            else:
                self.bulk_update(op)

    def is_empty(self) -> bool:
        return not self.table_names()

    def is_unfinished(self) -> bool:
        """What a run killed while creating the database leaves: only our tables, all of them empty,
        and no sim_state row (schema and base data are committed with it, so no data means no run)."""
        present = self.table_names()
        if not present or not present <= set(DROP_ORDER) or self.read_sim_state() is not None:
            return False
        return all(self.query(f"SELECT COUNT(*) FROM {t}")[0][0] == 0 for t in present)

    def drop_all(self) -> None:
        self.drop_objects()
        present = self.table_names()
        for table in DROP_ORDER:
            if table in present:
                self.execute(f"DROP TABLE {table}")

    # ---- sim_state --------------------------------------------------------------------------------
    def read_sim_state(self) -> dict | None:
        """The sim_state row, or None for a database this tool never initialised."""
        if "sim_state" not in self.table_names():
            return None
        cols = TABLES["sim_state"].column_names
        rows = self.query(f"SELECT {', '.join(cols)} FROM sim_state WHERE id = 1")
        if not rows:
            return None
        state = dict(zip(cols, rows[0]))
        state["start_date"] = parse_day(state["start_date"])
        state["last_day"] = parse_day(state["last_day"])
        state["counters"] = json.loads(state["counters"])
        state["config"] = json.loads(state["config"])
        state["seed"] = int(state["seed"])
        return state

    def require_sim_state(self) -> dict:
        state = self.read_sim_state()
        if state is None:
            what = "empty" if self.is_empty() else "not a dvdrental-live database (no sim_state)"
            raise StateError(f"{self.url.display()} is {what}", hint="run generator.py first")
        if state["schema_version"] > SCHEMA_VERSION:
            raise StateError(f"{self.url.display()} has schema version {state['schema_version']}, newer than "
                             f"this tool's {SCHEMA_VERSION}", hint="upgrade dvdrental-live")
        return state

    def write_sim_state(self, row: dict) -> None:
        self.execute("DELETE FROM sim_state")
        cols = list(row)
        self.execute(f"INSERT INTO sim_state ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                     [row[c] for c in cols])

    # ---- writing ----------------------------------------------------------------------------------
    def write_base(self, base: BaseData, state_row: dict, log: bool = True) -> None:
        """Base data (and its inserts in sim_change_log) with the first sim_state, in one transaction."""
        writes = base_writes(base)
        with self.transaction(), self.relaxed_foreign_keys():
            self.apply(writes + ([base_log(writes)] if log else []))
            self.write_sim_state(state_row)

    def write_batch(self, batch: Batch, last_day: str, counters: dict[str, int], exports: Any = None) -> None:
        """Whole simulated days and the sim_state that says they are done, in one transaction.

        With `exports` (an exports.DailyExport) each day's folder is staged inside the transaction and
        published once it is committed; a run killed in between publishes it on its next start."""
        with undo_on_error(*([exports.discard] if exports is not None else [])), self.transaction():
            if exports is not None:
                exports.prepare(self, batch)
            self.apply(batch.writes())
            self.execute("UPDATE sim_state SET last_day = ?, counters = ? WHERE id = 1",
                         (last_day, json.dumps(counters, sort_keys=True)))
            if exports is not None:
                exports.stage(batch)
        if exports is not None:
            exports.publish()

    def write_day(self, ev: DayEvents, last_day: str, counters: dict[str, int], with_day: bool = True,
                  log: bool = True) -> None:
        """One day's events (`with_day=False`: changes by hand, no sim_day row) in one transaction."""
        batch = Batch(log)
        batch.add(ev, with_day)
        self.write_batch(batch, last_day, counters)

    # ---- schema check -----------------------------------------------------------------------------
    def missing_sakila(self) -> list[str]:
        """Sakila tables or columns that are not there ('table' or 'table.column')."""
        present = self.table_names()
        missing = []
        for table in SAKILA_TABLES:
            if table.name not in present:
                missing.append(table.name)
                continue
            cols = set(self.table_columns(table.name))
            missing += [f"{table.name}.{c}" for c in table.column_names if c not in cols]
        return missing
