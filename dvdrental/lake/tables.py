"""The lake's tables: their columns and Arrow types, where each row goes, and its three forms.

A lake table has the columns the database path writes (`storage.tables`, less address.location,
which no run fills), typed for Parquet readers: integers int64, times timestamp[s] (no time zone),
days date32, money decimal(10,2), text string, blobs binary. film_text is left out (a database derives
it from film) and so is sim_change_log (see `dvdrental.lake`).

A row has three forms: raw (what the simulation emits: int seconds, int days, int cents), Arrow
(what the files hold) and SQL parameters (what `storage.rows` gives the engines: 'YYYY-MM-DD HH:MM:SS',
'D.CC'). Partitions are rewritten from raw rows; databases are loaded from SQL parameters.

A store's rows go to `table/store=S/month=YYYY-MM/`, the month of one column of the row as it stands:
`MONTH_COLUMNS`. A row whose column changes moves (a late fee's payment_date follows a corrected
return), so where a row lies depends on the row only, never on how the run was split. The chain's
own tables have one file each: `table/part-0.parquet`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..sim.calendar import DAY, date_of
from ..storage.tables import TABLES

MONEY = pa.decimal128(10, 2)
_ARROW = {"int": pa.int64(), "text": pa.string(), "set": pa.string(), "datetime": pa.timestamp("s"),
          "date": pa.date32(), "money": MONEY, "blob": pa.binary()}
_CENT = pa.scalar(Decimal("0.01"), pa.decimal128(3, 2))
_HUNDRED = pa.scalar(Decimal(100), pa.decimal128(3, 0))

#: Store tables and the column whose month places a row. address has no creation date: its rows
#: go by last_update (a corrected phone number moves its address to the month of the correction).
MONTH_COLUMNS = {"address": "last_update", "customer": "create_date", "inventory": "created_at",
                 "rental": "rental_date", "payment": "payment_date", "sim_customer_event": "event_date"}
#: Loading order: parents before children (the staff <-> store cycle is loaded with deferred checks).
LOAD_ORDER = ("language", "category", "country", "city", "actor", "address", "film", "film_actor", "film_category",
              "staff", "store", "customer", "inventory", "rental", "payment", "sim_customer_event",
              "sim_stock_plan", "sim_film_price", "sim_day", "sim_state")
_LEFT_OUT = {("address", "location")}
FILE = "part-0.parquet"


@dataclass(frozen=True)
class LakeTable:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, kind) in file order
    key: tuple[int, ...]  # positions of the primary key's columns
    month: int | None  # position of MONTH_COLUMNS' column; None for a chain table

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([(c, _ARROW[k]) for c, k in self.columns])

    def key_of(self, row: Any) -> Any:
        return row[self.key[0]] if len(self.key) == 1 else tuple(row[i] for i in self.key)

    @property
    def int_key(self) -> bool:
        """One integer key: partitions are indexed by its range (see `partitions`)."""
        return len(self.key) == 1 and self.columns[self.key[0]][1] == "int"

    def segment(self, store: int | None, row: Any) -> str:
        """The partition a raw row belongs to ("" for a chain table)."""
        if self.month is None:
            return ""
        d = date_of(row[self.month] // DAY)
        return f"store={store}/month={d.year:04d}-{d.month:02d}"

    def rel(self, segment: str) -> str:
        """The file of a partition, relative to the lake's root."""
        return f"{self.name}/{segment}/{FILE}" if segment else f"{self.name}/{FILE}"

    def to_arrow(self, rows: list) -> pa.Table:
        """Raw rows (file column order) as an Arrow table."""
        cols = list(zip(*rows)) if rows else [()] * len(self.columns)
        return pa.table([_arrow(kind, list(v)) for (_, kind), v in zip(self.columns, cols)], schema=self.schema)

    def raw_rows(self, table: pa.Table) -> list[list]:
        cols = [_raw(kind, table.column(name)) for name, kind in self.columns]
        return [list(r) for r in zip(*cols)]

    def sql_rows(self, table: pa.Table) -> list[tuple]:
        """SQL parameters in the form `storage.rows` gives them (so a loaded database is the same)."""
        return list(zip(*(_sql(kind, table.column(name)) for name, kind in self.columns)))


def _arrow(kind: str, values: list) -> pa.Array:
    if kind in ("int", "datetime", "date", "money"):
        values = [None if v is None else int(v) for v in values]
    if kind == "datetime":
        return pa.array(values, pa.int64()).cast(pa.timestamp("s"))
    if kind == "date":
        return pa.array(values, pa.int32()).cast(pa.date32())
    if kind == "money":
        return pc.multiply(pa.array(values, pa.int64()).cast(pa.decimal128(19, 0)), _CENT).cast(MONEY)
    return pa.array(values, _ARROW[kind])


def _raw(kind: str, col: pa.ChunkedArray) -> list:
    if kind == "datetime":
        return col.cast(pa.timestamp("s")).cast(pa.int64()).to_pylist()
    if kind == "date":
        return col.cast(pa.int32()).to_pylist()
    if kind == "money":
        return pc.multiply(col, _HUNDRED).cast(pa.int64()).to_pylist()
    return col.to_pylist()


def _sql(kind: str, col: pa.ChunkedArray) -> list:
    if kind == "datetime":
        return pc.strftime(col.cast(pa.timestamp("s")), format="%Y-%m-%d %H:%M:%S").to_pylist()
    if kind in ("date", "money"):
        return col.cast(pa.string()).to_pylist()
    return col.to_pylist()


def _table(name: str) -> LakeTable:
    t = TABLES[name]
    cols = tuple((c, k) for c, k in t.columns if (name, c) not in _LEFT_OUT)
    names = [c for c, _ in cols]
    month = MONTH_COLUMNS.get(name)
    return LakeTable(name, cols, tuple(names.index(k) for k in t.key), None if month is None else names.index(month))


LAKE_TABLES: dict[str, LakeTable] = {name: _table(name) for name in LOAD_ORDER}
STORE_TABLES = tuple(MONTH_COLUMNS)
CHAIN_TABLES = tuple(name for name in LOAD_ORDER if name not in MONTH_COLUMNS)
