"""PostgreSQL engine (psycopg 3): Pagila's shape, COPY for bulk writes, advisory locks.

Every dialect difference from SQLite and MySQL lives here: `?` placeholders become `%s`, special_features
travels as text[] (the simulation's SET text 'a,b' on the way in), inserts go through COPY, updates through one
UPDATE from arrays, upserts through pipelined executemany, and identity sequences are advanced past every id
inserted.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import psycopg
from psycopg import sql as pgsql
from psycopg.types.datetime import TimestamptzLoader

from ..children import dies_with_us
from ..errors import DatabaseError
from ..paths import SQL_DIR
from .base import Database, undo_on_error
from .pg_bulk import Catalog
from .rows import Insert, Update
from .tables import DROP_ORDER, SAKILA_VIEWS, TABLES
from .timeout import Watchdog, timeout_seconds
from .url import DbUrl

POSTGRESQL_SCHEMA = SQL_DIR / "postgresql_schema.sql"
#: Tables whose key is an identity column: its sequence is moved past the highest id after inserts.
IDENTITY = {t: TABLES[t].key[0] for t in ("actor", "country", "city", "address", "category", "language", "film",
                                           "staff", "store", "customer", "inventory", "rental", "payment")}
#: First half of the advisory lock's key ("DVDR"): ours, whatever else uses advisory locks.
LOCK_CLASS = 0x44564452
#: Objects of ours besides the tables (dropped by drop_objects / drop_all).
TYPES = ("mpaa_rating",)
DOMAINS = ("year",)
#: Pagila's aggregate and functions (shared/sql/postgresql_routines.sql), then the schema's trigger function.
AGGREGATES = ("group_concat(text)",)
FUNCTIONS = ("_group_concat(text, text)", "rewards_report(integer, numeric)", "last_day(timestamp with time zone)",
             "film_not_in_stock(integer, integer)", "film_in_stock(integer, integer)",
             "inventory_in_stock(integer)", "inventory_held_by_customer(integer)",
             "get_customer_balance(integer, timestamp with time zone)", "_price_at(integer, timestamp, text)",
             "sim_film_text_sync()")
DRIVER_ERRORS = (psycopg.Error,)


def _sql(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def features_array(value: Any) -> Any:
    """special_features as the simulation writes it (MySQL SET text 'a,b') -> a list for text[]."""
    if value is None or isinstance(value, (list, tuple)):
        return value
    return [v for v in str(value).split(",") if v]


class NaiveTimestamptzLoader(TimestamptzLoader):
    """timestamptz (an adopted Pagila's times) read without its zone, in the session's UTC: the wall clock the
    simulation wrote, comparable with the sim_* tables' timestamps and alike on every engine."""

    def load(self, data: Any) -> Any:
        return super().load(data).replace(tzinfo=None)


def _connect(url: DbUrl, dbname: str) -> psycopg.Connection:
    return psycopg.connect(host=url.host, port=url.port, user=url.user, password=url.password or None,
                           dbname=dbname, autocommit=True, connect_timeout=10,
                           application_name="dvdrental-live", keepalives=1, keepalives_idle=30,
                           keepalives_interval=10, keepalives_count=6)


class PostgreSQLDatabase(Database):
    engine = "postgresql"
    schema_sql = "current_schema()"

    def __init__(self, url: DbUrl, create: bool = True) -> None:
        super().__init__(url)
        try:
            self.conn = _connect(url, url.database)
        except psycopg.OperationalError as exc:
            if not _missing_database(exc):
                raise _connect_error(url, exc) from None
            if not create:
                raise DatabaseError(f"cannot use database {url.display()}: it does not exist",
                                    hint="run generator.py first") from None
            self._create_database()
            try:
                self.conn = _connect(url, url.database)
            except psycopg.OperationalError as exc2:
                raise _connect_error(url, exc2) from None
        # simulated times have no zone: in a timestamptz column (an adopted Pagila) they are written and read
        # in UTC, which has no daylight-saving gap or repeat, whatever the server's or the user's TimeZone
        self.conn.execute("SET TimeZone = 'UTC'")
        self.conn.adapters.register_loader("timestamptz", NaiveTimestamptzLoader)
        self.cur = self.conn.cursor()
        self.watchdog = _watchdog(self.conn)
        self.catalog = Catalog(self.cur)
        # a killed run's backend stops its statement within a second instead of finishing it
        try:
            self.cur.execute("SET client_connection_check_interval = 1000")
        except psycopg.Error:  # before PostgreSQL 14
            pass

    def _create_database(self) -> None:
        try:
            with _connect(self.url, "postgres") as admin:
                try:
                    admin.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(self.url.database)))
                except psycopg.errors.DuplicateDatabase:  # made meanwhile by a concurrent run
                    pass
        except psycopg.OperationalError as exc:
            raise _connect_error(self.url, exc) from None
        except psycopg.Error as exc:
            raise DatabaseError(f"cannot create database {self.url.display()}: {_msg(exc)}") from None

    def close(self) -> None:
        """Cleanup: never raises."""
        try:
            self.conn.close()
        except DRIVER_ERRORS:
            pass

    # ---- statements -------------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cur.execute(_sql(sql) if params else sql, tuple(params) or None)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self.cur.execute(_sql(sql) if params else sql, tuple(params) or None)
        return self.cur.fetchall()

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            self.cur.executemany(_sql(sql), rows)  # pipelined: one round trip per batch, not per row

    def stream(self, sql: str, params: Sequence[Any] = (), raw: bool = False) -> Iterator[tuple]:
        """A server-side cursor inside the current transaction (or a short one of its own)."""
        own = self.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if own:
            self.begin()
        cur = self.conn.cursor(name=f"dvdrental_stream_{id(self)}_{time.monotonic_ns()}")
        with undo_on_error(cur.close, *([self.rollback] if own else [])):
            cur.execute(_sql(sql) if params else sql, tuple(params) or None)
            while rows := cur.fetchmany(10_000):
                yield from rows
        cur.close()
        if own:
            self.commit()

    def insert(self, op: Insert) -> None:
        """COPY ... FROM STDIN, row by row in the driver (no round trip per row); a large one checks its foreign
        keys in bulk where it may (pg_bulk)."""
        rows = op.rows
        if "special_features" in op.columns:
            at = op.columns.index("special_features")
            rows = [(*r[:at], features_array(r[at]), *r[at + 1:]) for r in rows]
        statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
            pgsql.Identifier(op.table), pgsql.SQL(", ").join(map(pgsql.Identifier, op.columns)))
        checks = self.catalog.triggers_off(op.table, op.columns, len(rows))
        with self.cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        if checks:
            self.catalog.triggers_on(op.table, checks, op.columns, rows)
        key = IDENTITY.get(op.table)
        if key is not None and key in op.columns:
            self.advance_sequence(op.table, key)

    def advance_sequence(self, table: str, key: str) -> None:
        """The identity sequence of `table` past its highest id (so a plain INSERT gets a fresh one)."""
        self.cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'), "
                         f"GREATEST((SELECT MAX({key}) FROM {table}), 1))")

    def bulk_update(self, op: Update) -> None:
        """One UPDATE ... FROM unnest(arrays) (pg_bulk), or a pipelined UPDATE per row for array columns."""
        if self.catalog.update(op.table, op.key, op.columns, op.rows):
            return
        sets = ", ".join(f"{c} = ?" for c in op.columns)
        rows = [(*r[1:], r[0]) for r in op.rows]
        if "special_features" in op.columns:
            at = op.columns.index("special_features")
            rows = [(*r[:at], features_array(r[at]), *r[at + 1:]) for r in rows]
        self.executemany(f"UPDATE {op.table} SET {sets} WHERE {op.key} = ?", rows)

    def upsert(self, table: str, columns: tuple[str, ...], key: tuple[str, ...], rows: list[tuple]) -> None:
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
        self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                         f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}", rows)
        name = IDENTITY.get(table)
        if name is not None and name in columns and rows:
            self.advance_sequence(table, name)

    # ---- transactions -----------------------------------------------------------------------------
    def begin(self) -> None:
        self.cur.execute("BEGIN")

    def begin_read(self) -> None:
        """A REPEATABLE READ, read-only transaction whose snapshot is taken now."""
        self.cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        self.cur.execute("SELECT 1")

    def commit(self) -> None:
        self.cur.execute("COMMIT")

    def rollback(self) -> None:
        """Cleanup: never raises (a lost session's transaction is rolled back by the server)."""
        try:
            if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                self.conn.execute("ROLLBACK")
        except DRIVER_ERRORS:
            pass

    # ---- schema -----------------------------------------------------------------------------------
    def create_schema(self) -> None:
        scripts = [POSTGRESQL_SCHEMA, SQL_DIR / "postgresql_views.sql", SQL_DIR / "postgresql_routines.sql"]
        with self.transaction():
            for path in scripts:
                self.cur.execute(path.read_text())

    def sim_table_ddl(self) -> dict[str, str]:
        text = POSTGRESQL_SCHEMA.read_text()
        return {m.group(1): m.group(0) for m in re.finditer(r"CREATE TABLE (sim_\w+) \(.*?\n\);", text, re.S)}

    def drop_objects(self) -> None:
        for name in SAKILA_VIEWS:
            self.execute(f"DROP VIEW IF EXISTS {name} CASCADE")

    def drop_all(self) -> None:
        self.drop_objects()
        present = self.table_names()
        for table in DROP_ORDER:
            if table in present:
                self.execute(f"DROP TABLE {table} CASCADE")  # CASCADE: the staff <-> store cycle
        for agg in AGGREGATES:
            self.execute(f"DROP AGGREGATE IF EXISTS {agg} CASCADE")
        for fn in FUNCTIONS:
            self.execute(f"DROP FUNCTION IF EXISTS {fn} CASCADE")
        for name in DOMAINS:
            self.execute(f"DROP DOMAIN IF EXISTS {name} CASCADE")
        for name in TYPES:
            self.execute(f"DROP TYPE IF EXISTS {name} CASCADE")

    def optimize(self, tables: Sequence[str]) -> list[str]:
        """VACUUM (ANALYZE) each table: dead rows reclaimed, planner statistics refreshed."""
        for t in tables:
            self.execute(f"VACUUM (ANALYZE) {t}")
        return [f"VACUUM (ANALYZE): {len(tables)} tables"]

    def backup_to(self, path: Path) -> None:
        """pg_dump (one consistent snapshot, plain SQL) into `path`; the password goes through the
        environment of the child only, never on its command line."""
        import shutil
        tool = shutil.which("pg_dump")
        if tool is None:
            raise DatabaseError("pg_dump not found: cannot back up a PostgreSQL database",
                                hint="install the PostgreSQL client tools, or put pg_dump on the PATH")
        env = {**os.environ, "PGPASSWORD": self.url.password} if self.url.password else dict(os.environ)
        cmd = [tool, "-h", self.url.host, "-p", str(self.url.port), "-U", self.url.user, "--no-password",
               "-f", str(path), self.url.database]
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                              preexec_fn=dies_with_us())
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
            raise DatabaseError(f"pg_dump failed: {why}")

    # ---- locking ----------------------------------------------------------------------------------
    def _lock_key(self) -> int:
        """The second half of the lock's two-int key (the first is LOCK_CLASS): one per database name."""
        return zlib.crc32(f"dvdrental-live:{self.url.database}".encode()) & 0x7FFFFFFF

    def _try_lock(self) -> bool:
        """A session-level advisory lock (LOCK_CLASS, one key per database name)."""
        return bool(self.query("SELECT pg_try_advisory_lock(?, ?)", (LOCK_CLASS, self._lock_key()))[0][0])

    def _unlock(self) -> None:
        try:
            self.query("SELECT pg_advisory_unlock(?, ?)", (LOCK_CLASS, self._lock_key()))
        except DRIVER_ERRORS:
            pass

    def _lock_holder(self) -> str | None:
        """From the holding backend's state (idle, active, ...); None if the lock was freed meanwhile."""
        rows = self.query(
            "SELECT a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.classid = CAST(? AS oid) AND l.objid = CAST(? AS oid) AND l.objsubid = 2",
            (LOCK_CLASS, self._lock_key()))
        if not rows or rows[0][0] is None:
            return None
        return "idle" if str(rows[0][0]).startswith("idle") else "busy"

    @contextmanager
    def relaxed_foreign_keys(self) -> Iterator[None]:
        """Foreign keys are DEFERRABLE: checked at the end of the block (still inside the transaction). The COPYs
        inside keep their triggers: a bulk check right after each would come too early for a cycle."""
        self.execute("SET CONSTRAINTS ALL DEFERRED")
        self.catalog.deferred = True
        try:
            yield
        finally:
            self.catalog.deferred = False
        self.execute("SET CONSTRAINTS ALL IMMEDIATE")

    # ---- dialect ----------------------------------------------------------------------------------
    def days_between(self, later: str, earlier: str) -> str:
        return f"(CAST({later} AS date) - CAST({earlier} AS date))"

    def epoch_seconds(self, expr: str) -> str:
        return f"CAST(EXTRACT(EPOCH FROM {expr}) AS bigint)"

    def substr(self, expr: str, start: int, length: int) -> str:
        return f"SUBSTR(CAST({expr} AS text), {start}, {length})"

    def signed(self, expr: str) -> str:
        return f"CAST({expr} AS bigint)"


def _watchdog(conn: psycopg.Connection) -> Watchdog:
    """psycopg has no read timeout: a statement in flight longer than DVDRENTAL_DB_TIMEOUT loses its
    connection (a frozen server ends the run with an error instead of blocking it)."""
    return Watchdog(timeout_seconds(),
                    waiting=lambda: conn.info.transaction_status == psycopg.pq.TransactionStatus.ACTIVE,
                    fileno=conn.fileno, closed=lambda: conn.closed)


def _msg(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    text = (getattr(diag, "message_primary", None) if diag is not None else None) or str(exc)
    return re.sub(r"\s+", " ", text).strip()


def _missing_database(exc: psycopg.OperationalError) -> bool:
    return getattr(exc, "sqlstate", None) == "3D000" or bool(re.search(r'database ".*" does not exist', str(exc)))


def _connect_error(url: DbUrl, exc: psycopg.Error) -> DatabaseError:
    where = url.display()
    text = str(exc)
    if getattr(exc, "sqlstate", None) == "28P01" or "password authentication failed" in text \
            or "no password supplied" in text or getattr(exc, "sqlstate", None) == "28000" \
            or re.search(r'role ".*" does not exist', text):
        return DatabaseError(f"access denied for {url.user}@{url.host}:{url.port} ({where})",
                             hint="check the user and password (or DVDRENTAL_DB_PASSWORD)")
    if any(s in text for s in ("Connection refused", "could not connect", "timeout expired",
                               "could not translate host name", "Name or service not known",
                               "server closed the connection", "No route to host")):
        return DatabaseError(f"cannot reach the PostgreSQL server at {url.host}:{url.port} ({where})",
                             hint="is the server running, and are host and port right?")
    return DatabaseError(f"cannot connect to {where}: {_msg(exc).splitlines()[0] if _msg(exc) else 'error'}")
