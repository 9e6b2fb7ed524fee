"""The DuckDB warehouse: Sakila's 16 tables, the ETL's own state, and a log of its runs.

Every change a run makes, data and state together, is committed in one DuckDB transaction per unit
of work (a whole run, an export folder, a stretch of binary log), so a run killed at any moment
leaves the warehouse as the last commit left it and the next run carries on from there.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa

from ..errors import ConfigError, StateError
from ..storage.tables import SAKILA_TABLES, Table
from .columns import TYPES, key_table, kinds, select_cast

#: Bytes 8-11 of every DuckDB database file.
MAGIC = b"DUCK"

STATE_DDL = "CREATE TABLE IF NOT EXISTS etl_state (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"
RUNS_DDL = ("CREATE TABLE IF NOT EXISTS etl_run (run_id BIGINT PRIMARY KEY, mode VARCHAR NOT NULL, "
            "finished_at TIMESTAMP NOT NULL, seconds DOUBLE NOT NULL, rows_read BIGINT NOT NULL, "
            "rows_written BIGINT NOT NULL, rows_deleted BIGINT NOT NULL, position VARCHAR)")


def column_ddl(table: Table) -> str:
    """The table's columns with their warehouse types (what the warehouse and the comparison create)."""
    return ", ".join(f'"{c}" {TYPES[k]}' for c, k in table.columns)


def table_ddl(table: Table) -> str:
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({column_ddl(table)}, PRIMARY KEY ({', '.join(table.key)}))"


def check_file(path: Path) -> None:
    """Refuse, before DuckDB touches it, a path that is not a DuckDB database (or a new one)."""
    if path.is_dir():
        raise ConfigError(f"warehouse {path} is a directory", hint="give a file path, e.g. warehouse.duckdb")
    if not path.parent.is_dir():
        raise ConfigError(f"warehouse folder {path.parent} does not exist")
    if path.exists() and path.stat().st_size > 0:
        with open(path, "rb") as f:
            head = f.read(12)
        if head[8:12] != MAGIC:
            raise ConfigError(f"warehouse {path} is not a DuckDB database file",
                              hint="point --warehouse at a new path or at a warehouse etl.py made")


class Warehouse:
    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = Path(path)
        check_file(self.path)
        if read_only and not self.path.exists():
            raise ConfigError(f"warehouse {self.path} does not exist", hint="run etl.py first")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only,
                                      config={"autoload_known_extensions": False,
                                              "autoinstall_known_extensions": False})
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StateError(f"warehouse {self.path} is in use by another process",
                                 hint="wait for the other etl.py (or reader) to finish") from None
            raise ConfigError(f"cannot open warehouse {self.path}: {exc}") from None
        except duckdb.Error as exc:
            raise ConfigError(f"cannot open warehouse {self.path}: {exc}") from None
        if not read_only:
            self.con.execute(STATE_DDL)
            self.con.execute(RUNS_DDL)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.begin()
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    # ---- schema -----------------------------------------------------------------------------------
    def table_names(self) -> set[str]:
        return {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}

    def create_tables(self) -> None:
        for table in SAKILA_TABLES:
            self.con.execute(table_ddl(table))

    # ---- state ------------------------------------------------------------------------------------
    def state(self) -> dict:
        if "etl_state" not in self.table_names():
            return {}
        return {n: json.loads(v) for n, v in self.con.execute("SELECT name, value FROM etl_state").fetchall()}

    def set_state(self, **values: object) -> None:
        for name, value in values.items():
            self.con.execute("INSERT OR REPLACE INTO etl_state VALUES (?, ?)",
                             (name, json.dumps(value, sort_keys=True, default=str)))

    def clear_state(self, *names: str) -> None:
        for name in names:
            self.con.execute("DELETE FROM etl_state WHERE name = ?", (name,))

    def record_run(self, mode: str, seconds: float, read: int, written: int, deleted: int,
                   position: str | None, finished_at: str) -> None:
        run_id = self.con.execute("SELECT COALESCE(MAX(run_id), 0) + 1 FROM etl_run").fetchone()[0]
        self.con.execute("INSERT INTO etl_run VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (run_id, mode, finished_at, seconds, read, written, deleted, position))

    # ---- data -------------------------------------------------------------------------------------
    def upsert(self, table: Table, data: pa.Table, replace: bool = True) -> int:
        """Insert the rows, replacing rows with the same key (columns left out become NULL); `data`
        holds some or all of the table's columns and no key twice."""
        if not data.num_rows:
            return 0
        self.con.register("stage", data)
        try:
            names = data.schema.names
            verb = "INSERT OR REPLACE" if replace else "INSERT"
            self.con.execute(f"{verb} INTO {table.name} ({', '.join(names)}) {select_cast(kinds(table, names))}")
        finally:
            self.con.unregister("stage")
        return data.num_rows

    def delete(self, table: Table, keys: list[tuple]) -> int:
        """Delete the rows with these keys; returns how many were there."""
        if not keys:
            return 0
        self.con.register("gone", key_table(table, keys))
        try:
            match = " AND ".join(f"{table.name}.{c} = gone.{c}" for c in table.key)
            n = self.con.execute(f"DELETE FROM {table.name} USING gone WHERE {match}").fetchone()[0]
        finally:
            self.con.unregister("gone")
        return int(n)

    def empty(self, table: Table) -> None:
        self.con.execute(f"DELETE FROM {table.name}")

    def count(self, name: str) -> int:
        return self.con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
