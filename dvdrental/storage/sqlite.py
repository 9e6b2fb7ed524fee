"""SQLite engine (stdlib): WAL journal, foreign keys on, one transaction per call to `transaction`."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import DatabaseError, LockedError
from ..paths import SQL_DIR, SQLITE_SCHEMA
from .base import Database
from .rows import Update
from .tables import SAKILA_VIEWS
from .url import DbUrl


class SQLiteDatabase(Database):
    engine = "sqlite"

    def __init__(self, url: DbUrl) -> None:
        super().__init__(url)
        target = str(url.path) if url.path else ":memory:"
        if url.path:
            if url.path.is_dir():
                raise DatabaseError(f"{url.path} is a directory, not a database file")
            if not url.path.parent.is_dir():
                raise DatabaseError(f"cannot create {url.path}: folder {url.path.parent} does not exist")
        new = url.path is not None and (not url.path.exists() or url.path.stat().st_size == 0)
        try:
            self.conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
            # WAL for our databases only: a foreign file (a Sakila port not yet adopted) stays byte for
            # byte as it is until adoption writes to it (and switches it then)
            if url.path and (new or self.conn.execute(
                    "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sim_state'").fetchone()[0]):
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            # checkpoint (and fsync) every ~80 MB of WAL, not every 4 MB: per-day commits stay cheap
            self.conn.execute("PRAGMA wal_autocheckpoint = 20000")
            self.conn.execute("PRAGMA cache_size = -65536")
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"cannot open {url.display()}: {exc}",
                                hint="is it an SQLite database file?") from None
        self._lock_fd: int | None = None

    def close(self) -> None:
        self.conn.close()
        if self._lock_fd is not None:  # only now: closing it earlier would drop SQLite's own locks
            os.close(self._lock_fd)
            self._lock_fd = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def stream(self, sql: str, params: Sequence[Any] = (), raw: bool = False) -> Iterator[tuple]:
        yield from self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        self.conn.executemany(sql, rows)

    def begin(self) -> None:
        self.conn.execute("BEGIN")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def table_names(self) -> set[str]:
        return {r[0] for r in self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}

    def table_columns(self, table: str) -> list[str]:
        return [r[1] for r in self.query(f"PRAGMA table_info({table})")]

    def create_schema(self) -> None:
        script = SQLITE_SCHEMA.read_text()
        views = SQL_DIR / "sqlite_views.sql"
        if views.exists():
            script += "\n" + views.read_text()
        self.conn.executescript("BEGIN;\n" + script + "\nCOMMIT;")

    def sim_table_ddl(self) -> dict[str, str]:
        text = SQLITE_SCHEMA.read_text()
        return {m.group(1): m.group(0) for m in re.finditer(r"CREATE TABLE (sim_\w+) \(.*?\n\);", text, re.S)}

    def drop_objects(self) -> None:
        for name in SAKILA_VIEWS:
            self.execute(f"DROP VIEW IF EXISTS {name}")

    def drop_all(self) -> None:
        self.execute("PRAGMA foreign_keys = OFF")  # the staff <-> store cycle has no safe order
        try:
            super().drop_all()
        finally:
            self.execute("PRAGMA foreign_keys = ON")
        self.execute("VACUUM")

    def optimize(self, tables: Sequence[str]) -> list[str]:
        """ANALYZE every table and index (`tables` are all of them here), then PRAGMA optimize."""
        self.execute("ANALYZE")
        stats = self.query("SELECT COUNT(*) FROM sqlite_stat1")[0][0]
        self.execute("PRAGMA optimize")
        return [f"ANALYZE: statistics for {len(tables)} tables ({stats} index entries in sqlite_stat1)",
                "PRAGMA optimize: done"]

    def backup_to(self, path: Path) -> None:
        """Page by page with the online backup API: consistent even while others read."""
        dest = sqlite3.connect(str(path))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

    @contextmanager
    def lock(self) -> Iterator[None]:
        """An exclusive advisory lock (flock) on the database file itself, not on a name for it: every
        path to the file (a symlink, a hard link, another spelling) meets the same lock.

        The kernel drops a flock when its holder exits, however it exits (even SIGKILL), and the writer
        process never inherits it, so a lock that is held always belongs to a live run: refused at
        once, with nothing to wait for.
        """
        if self.url.path is None:
            yield
            return
        fd = self._lock_file()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(f"{self.url.display()} is in use by another dvdrental-live run",
                              hint="wait for it to finish; a run that was killed releases it at once") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _lock_file(self) -> int:
        """A descriptor of the database file for flock, kept open until `close`: closing any descriptor
        of the file would also drop the POSIX locks SQLite holds on it in this process."""
        if self._lock_fd is None:
            try:
                self._lock_fd = os.open(self.url.path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError as exc:
                raise DatabaseError(f"cannot open {self.url.display()} to lock it: {exc.strerror}") from None
        return self._lock_fd

    @contextmanager
    def relaxed_foreign_keys(self) -> Iterator[None]:
        self.execute("PRAGMA defer_foreign_keys = ON")
        yield

    def days_between(self, later: str, earlier: str) -> str:
        return f"CAST(julianday(date({later})) - julianday(date({earlier})) AS INTEGER)"

    def epoch_seconds(self, expr: str) -> str:
        return f"CAST(strftime('%s', {expr}) AS INTEGER)"

    def bulk_update(self, op: Update) -> None:
        sets = ", ".join(f"{c} = ?" for c in op.columns)
        self.conn.executemany(f"UPDATE {op.table} SET {sets} WHERE {op.key} = ?",
                              [(*r[1:], r[0]) for r in op.rows])

    def upsert(self, table: str, columns: tuple[str, ...], key: tuple[str, ...], rows: list[tuple]) -> None:
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                              f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}", rows)
