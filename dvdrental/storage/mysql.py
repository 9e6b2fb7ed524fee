"""MySQL / MariaDB engine (mysql-connector-python): InnoDB, explicit transactions, GET_LOCK."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

try:  # the C extension must load before anything imports ssl (see SPEC, known traps)
    from _mysql_connector import MySQLInterfaceError
except ImportError:  # pragma: no cover - pure Python fallback
    class MySQLInterfaceError(Exception):  # type: ignore[no-redef]
        """Never raised: stands in for the C extension's error."""
import mysql.connector
from mysql.connector import errorcode
from mysql.connector.errors import get_mysql_exception

from ..children import dies_with_us
from ..errors import DatabaseError
from ..paths import MYSQL_SCHEMA, SQL_DIR
from .base import Database, undo_on_error
from .rows import Insert, Update
from .tables import SAKILA_FUNCTIONS, SAKILA_PROCEDURES, SAKILA_VIEWS
from .timeout import timeout_seconds
from .url import DbUrl

_CHUNK = 1000
#: Inserts this large go through LOAD DATA LOCAL (no per-parameter conversion in the driver).
LOAD_MIN_ROWS = 500
_LOCAL_REFUSED = {1148, 2068, 3948, 3950}
#: What the driver raises: its own errors, and the C extension's raw error, which a few calls of the
#: connection (commit, rollback, close) let through unwrapped.
DRIVER_ERRORS = (mysql.connector.Error, MySQLInterfaceError)


def _wrapped(err: MySQLInterfaceError) -> mysql.connector.Error:
    """The C extension's raw error as the driver's own (what the rest of the driver raises)."""
    return get_mysql_exception(getattr(err, "errno", None) or 2013, msg=getattr(err, "msg", None) or str(err),
                               sqlstate=getattr(err, "sqlstate", None))


def _tsv(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


#: Tables whose values are numbers, times and our own identifiers: no tab, newline, backslash or the
#: text 'None' in any value, so a row is written with str() alone (the bulk of the rows, 4x faster).
PLAIN_TABLES = {"rental", "payment", "inventory", "film_actor", "film_category", "sim_change_log", "sim_day",
                "sim_customer_event", "sim_film_price"}


def _tsv_lines(table: str, rows: list[tuple]) -> str:
    if table in PLAIN_TABLES:
        text = "\n".join(["\t".join(map(str, row)) for row in rows])
        return text.replace("None", "\\N") + "\n"
    return "".join("\t".join(_tsv(v) for v in row) + "\n" for row in rows)


def split_script(text: str) -> list[str]:
    """Statements of a MySQL script, honouring `DELIMITER` lines as the mysql client does."""
    statements, buf, delim = [], [], ";"
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.upper().startswith("DELIMITER "):
            delim = stripped.split(None, 1)[1]
            continue
        if not buf and (not stripped or stripped.startswith("--")):
            continue
        buf.append(line)
        if stripped.endswith(delim):
            stmt = "\n".join(buf).rstrip()
            statements.append(stmt[: -len(delim)].strip())
            buf = []
    if "".join(buf).strip():
        statements.append("\n".join(buf).strip())
    return [s for s in statements if s]


def _sql(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


# ---- the MySQL client tools (backups): the password goes in an option file, never on a command line

DUMP_TOOLS = ("mysqldump", "mariadb-dump")
CLIENT_TOOLS = ("mariadb", "mysql")


def find_tool(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


#: What a MySQL option file unescapes inside a quoted value (my_default.c); a raw newline would end it.
_OPTION_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b"}


def _option_value(text: str) -> str:
    """A value quoted for a MySQL option file: backslash, quote, newline, CR, tab and backspace escaped."""
    return '"' + "".join(_OPTION_ESCAPES.get(c, c) for c in text) + '"'


def _option_text(url: DbUrl) -> str:
    return ("[client]\n"
            f"host={_option_value(url.host)}\nport={url.port}\nuser={_option_value(url.user)}\n"
            f"password={_option_value(url.password)}\n")


@contextmanager
def defaults_file(url: DbUrl) -> Iterator[str]:
    """A [client] option file with the connection settings and password, readable only by us.

    On Linux it lives in this process's memory (memfd), reached by a child as /proc/<our pid>/fd/N:
    nothing is ever on disk, so no kill, not even SIGKILL, can leave the password behind. Elsewhere it
    is a 0600 file in a private 0700 folder, removed on the way out."""
    data = _option_text(url).encode("utf-8")
    proc_fd = f"/proc/{os.getpid()}/fd"
    if hasattr(os, "memfd_create") and os.path.isdir(proc_fd):
        fd = os.memfd_create("dvdrental-client", os.MFD_CLOEXEC)
        try:
            os.fchmod(fd, 0o600)  # the client ignores a world-writable option file
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            yield f"{proc_fd}/{fd}"
        finally:
            os.close(fd)
        return
    folder = tempfile.mkdtemp(prefix="dvdrental-")
    try:
        path = os.path.join(folder, "client.cnf")
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def client_command(tool: str, options: str, *args: str) -> list[str]:
    """A MySQL client command line; --defaults-extra-file must come first, and carries the password."""
    return [tool, f"--defaults-extra-file={options}", *args]


class MySQLDatabase(Database):
    engine = "mysql"
    schema_sql = "DATABASE()"
    join_in_order = "STRAIGHT_JOIN"

    def __init__(self, url: DbUrl, create: bool = True) -> None:
        super().__init__(url)
        timeout = timeout_seconds()
        try:
            self.conn = mysql.connector.connect(
                host=url.host, port=url.port, user=url.user, password=url.password,
                connection_timeout=min(10, timeout), read_timeout=timeout, write_timeout=timeout,
                autocommit=True, charset="utf8mb4", collation="utf8mb4_general_ci",
                allow_local_infile=True,
                sql_mode="STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION")
        except mysql.connector.Error as exc:
            raise _connect_error(url, exc) from None
        self.cur = self.conn.cursor()
        name = url.database
        if create:
            self.cur.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4")
        try:
            self.cur.execute(f"USE `{name}`")
        except mysql.connector.Error as exc:
            raise DatabaseError(f"cannot use database {url.display()}: {exc.msg}",
                                hint="run generator.py first") from None
        self._locked = False
        self.local_infile = True  # until the server says otherwise

    def close(self) -> None:
        """Cleanup: never raises (a lost or dead connection is closed already as far as we care)."""
        try:
            self.cur.close()
        except DRIVER_ERRORS:
            pass
        try:
            self.conn.close()
        except DRIVER_ERRORS:
            pass

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cur.execute(_sql(sql) if params else sql, tuple(params) or None)
        if self.cur.with_rows:
            self.cur.fetchall()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self.cur.execute(_sql(sql) if params else sql, tuple(params) or None)
        return self.cur.fetchall()

    def insert(self, op: Insert) -> None:
        """Large inserts via LOAD DATA LOCAL; every row must arrive (LOCAL turns errors into warnings,
        so a short count or any warning fails the transaction), else plain multi-row INSERTs."""
        if len(op.rows) < LOAD_MIN_ROWS or not self.local_infile:
            return super().insert(op)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".tsv", delete=False) as f:
            f.write(_tsv_lines(op.table, op.rows))
            path = f.name
        try:
            self.cur.execute(
                f"LOAD DATA LOCAL INFILE %s INTO TABLE {op.table} CHARACTER SET utf8mb4 "
                f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({', '.join(op.columns)})",
                (path,))
            loaded, warnings = self.cur.rowcount, self.conn.warning_count
        except mysql.connector.Error as exc:
            if exc.errno not in _LOCAL_REFUSED:
                raise
            self.local_infile = False  # the server refuses LOCAL: INSERTs from now on
            return super().insert(op)
        finally:
            os.unlink(path)
        if loaded != len(op.rows) or warnings:
            shown = self.query("SHOW WARNINGS LIMIT 3") if warnings else []
            raise DatabaseError(f"LOAD DATA into {op.table} loaded {loaded} of {len(op.rows)} rows"
                                + (f": {shown}" if shown else ""))

    def stream(self, sql: str, params: Sequence[Any] = (), raw: bool = False) -> Iterator[tuple]:
        cur = self.conn.cursor(raw=raw)
        with undo_on_error(cur.close):  # a reader stopped early, or a lost server, is what to report
            cur.execute(_sql(sql) if params else sql, tuple(params) or None)
            while rows := cur.fetchmany(10_000):
                yield from rows
        cur.close()

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        sql = _sql(sql)
        for i in range(0, len(rows), _CHUNK):
            self.cur.executemany(sql, rows[i:i + _CHUNK])

    def begin(self) -> None:
        self.conn.start_transaction()

    def begin_read(self) -> None:
        """InnoDB's consistent snapshot (REPEATABLE READ), taken now rather than at the first read."""
        self.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        self.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")

    def commit(self) -> None:
        try:
            self.conn.commit()
        except MySQLInterfaceError as err:
            raise _wrapped(err) from None

    def rollback(self) -> None:
        """Cleanup: never raises. A connection that cannot roll back is lost, and the server rolls back
        a lost session's transaction itself; the error that led here is the one to report."""
        try:
            self.conn.rollback()
        except DRIVER_ERRORS:
            pass

    def create_schema(self) -> None:
        for path in (MYSQL_SCHEMA, SQL_DIR / "mysql_views.sql", SQL_DIR / "mysql_routines.sql"):
            if path.exists():
                for stmt in split_script(path.read_text()):
                    self.execute(stmt)

    def sim_table_ddl(self) -> dict[str, str]:
        out = {}
        for stmt in split_script(MYSQL_SCHEMA.read_text()):
            m = re.match(r"CREATE TABLE (sim_\w+)", stmt)
            if m:
                out[m.group(1)] = stmt
        return out

    def drop_objects(self) -> None:
        for name in SAKILA_VIEWS:
            self.execute(f"DROP VIEW IF EXISTS `{name}`")
        for name in SAKILA_FUNCTIONS:
            self.execute(f"DROP FUNCTION IF EXISTS `{name}`")
        for name in SAKILA_PROCEDURES:
            self.execute(f"DROP PROCEDURE IF EXISTS `{name}`")
        for (name,) in self.query("SELECT trigger_name FROM information_schema.triggers "
                                  "WHERE trigger_schema = DATABASE()"):
            self.execute(f"DROP TRIGGER IF EXISTS `{name}`")

    def drop_all(self) -> None:
        with self.relaxed_foreign_keys():
            super().drop_all()

    def optimize(self, tables: Sequence[str]) -> list[str]:
        """ANALYZE TABLE, then OPTIMIZE TABLE (InnoDB rebuilds each table and analyzes it again)."""
        names = ", ".join(f"`{t}`" for t in tables)
        lines = []
        for stmt in ("ANALYZE TABLE", "OPTIMIZE TABLE"):
            rows = self.query(f"{stmt} {names}")  # (Table, Op, Msg_type, Msg_text) per table and message
            bad = [f"{r[0]}: {r[3]}" for r in rows if str(r[2]).lower() == "error"]
            ok = sum(1 for r in rows if str(r[2]).lower() == "status" and str(r[3]).upper() == "OK")
            lines.append(f"{stmt}: {ok} of {len(tables)} tables OK" + (f"; errors: {'; '.join(bad)}" if bad else ""))
        return lines

    def backup_to(self, path: Path) -> None:
        """mysqldump (routines, triggers, one consistent transaction) into `path`."""
        tool = find_tool(DUMP_TOOLS)
        if tool is None:
            raise DatabaseError("mysqldump not found (nor mariadb-dump): cannot back up a MySQL/MariaDB database",
                                hint="install the MySQL or MariaDB client tools, or put mysqldump on the PATH")
        with defaults_file(self.url) as options:
            cmd = client_command(tool, options, "--single-transaction", "--routines", "--triggers", "--hex-blob",
                                 "--no-tablespaces", "--default-character-set=utf8mb4", f"--result-file={path}",
                                 self.url.database)
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  preexec_fn=dies_with_us())
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
            raise DatabaseError(f"mysqldump failed: {why}")

    def _try_lock(self) -> bool:
        """GET_LOCK: one named lock per database on the server, whatever URL reached it."""
        return self.query("SELECT GET_LOCK(?, 0)", (self._lock_name(),))[0][0] == 1

    def _unlock(self) -> None:
        try:
            self.query("SELECT RELEASE_LOCK(?)", (self._lock_name(),))
        except mysql.connector.Error:
            pass

    def _lock_name(self) -> str:
        name = f"dvdrental-live:{self.url.database}"
        if len(name) > 64:  # the server's limit for lock names
            name = "dvdrental-live:" + hashlib.sha1(self.url.database.encode()).hexdigest()
        return name

    def _lock_holder(self) -> str | None:
        """From the holding session's COMMAND (Sleep, Query, Killed, ...); None if the lock was freed
        meanwhile or the session is killed, gone or not visible to us."""
        holder = self.query("SELECT IS_USED_LOCK(?)", (self._lock_name(),))[0][0]
        if holder is None:
            return None
        rows = self.query("SELECT COMMAND FROM information_schema.PROCESSLIST WHERE ID = ?", (holder,))
        command = str(rows[0][0]) if rows else "Killed"
        return None if command == "Killed" else "idle" if command == "Sleep" else "busy"

    @contextmanager
    def relaxed_foreign_keys(self) -> Iterator[None]:
        def restore() -> None:
            self.execute("SET foreign_key_checks = 1")
        self.execute("SET foreign_key_checks = 0")
        with undo_on_error(restore):
            yield
        restore()

    def days_between(self, later: str, earlier: str) -> str:
        return f"DATEDIFF({later}, {earlier})"

    def epoch_seconds(self, expr: str) -> str:
        return f"TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', {expr})"

    def bulk_update(self, op: Update) -> None:
        """UPDATE ... JOIN a derived table of the new values: one statement per chunk, not per row."""
        names = ("k", *[f"c{i}" for i in range(len(op.columns))])
        first = "SELECT " + ", ".join(f"%s AS {n}" for n in names)
        rest = "SELECT " + ", ".join(["%s"] * len(names))
        sets = ", ".join(f"t.{c} = v.c{i}" for i, c in enumerate(op.columns))
        for i in range(0, len(op.rows), _CHUNK):
            chunk = op.rows[i:i + _CHUNK]
            derived = " UNION ALL ".join([first] + [rest] * (len(chunk) - 1))
            sql = f"UPDATE {op.table} AS t JOIN ({derived}) AS v ON t.{op.key} = v.k SET {sets}"
            self.cur.execute(sql, [v for row in chunk for v in row])

    def upsert(self, table: str, columns: tuple[str, ...], key: tuple[str, ...], rows: list[tuple]) -> None:
        sets = ", ".join(f"{c} = VALUES({c})" for c in columns if c not in key)
        self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                         f"ON DUPLICATE KEY UPDATE {sets}", rows)


def _connect_error(url: DbUrl, exc: "mysql.connector.Error") -> DatabaseError:
    where = url.display()
    if exc.errno == errorcode.ER_ACCESS_DENIED_ERROR:
        return DatabaseError(f"access denied for {url.user}@{url.host}:{url.port} ({where})",
                             hint="check the user and password (or DVDRENTAL_DB_PASSWORD)")
    if exc.errno in (errorcode.CR_CONN_HOST_ERROR, errorcode.CR_CONNECTION_ERROR,
                     errorcode.CR_UNKNOWN_HOST, 2013):
        return DatabaseError(f"cannot reach the MySQL server at {url.host}:{url.port} ({where})",
                             hint="is the server running, and are host and port right?")
    msg = re.sub(r"\s+", " ", str(exc.msg or exc))
    return DatabaseError(f"cannot connect to {where}: {msg}")
