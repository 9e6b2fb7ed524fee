"""Source rows to Arrow columns, and the warehouse's column types.

Rows arrive as Python tuples in the engine's own types (MySQL: datetime, Decimal, set; SQLite: text
times and amounts). They go to DuckDB as Arrow arrays, a column at a time, and DuckDB casts each to
the warehouse type on insert, so both engines land as the same values.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import pyarrow as pa

from ..storage.tables import Table
from ..storage.values import NULL, canonical

#: Warehouse (DuckDB) type of each column kind of storage.tables.
TYPES = {"int": "BIGINT", "text": "VARCHAR", "money": "DECIMAL(10,2)", "datetime": "TIMESTAMP",
         "date": "DATE", "set": "VARCHAR", "blob": "BLOB"}


#: Arrow type to build a column of this kind with (None: as Python's values suggest).
ARROW = {"int": pa.int64(), "text": pa.string()}


def _set_text(value: object) -> str | None:
    text = canonical("set", value)
    return None if text == NULL else text


def _column(kind: str, values: Sequence[object]) -> pa.Array:
    if kind == "set":
        return pa.array([_set_text(v) for v in values], pa.string())
    if kind == "blob":
        return pa.array([None if v is None else bytes(v) for v in values], pa.binary())
    if kind == "int" and any(isinstance(v, bool) for v in values):  # PostgreSQL's boolean staff.active
        values = [None if v is None else int(v) for v in values]
    try:  # the engine's own type (datetime, Decimal, int, str), cast by DuckDB
        return pa.array(values, ARROW.get(kind))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # text forms (SQLite, export files): cast from text
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def arrow_table(columns: Sequence[tuple[str, str]], rows: Sequence[tuple]) -> pa.Table:
    """An Arrow table of `rows`, whose values follow `columns` ((name, kind) pairs)."""
    if not rows:
        return pa.table({name: pa.array([], pa.string()) for name, _ in columns})
    values = list(zip(*rows))
    return pa.table({name: _column(kind, values[i]) for i, (name, kind) in enumerate(columns)})


def key_table(table: Table, keys: Iterable[tuple]) -> pa.Table:
    return arrow_table([(c, "int") for c in table.key], list(keys))


def kinds(table: Table, names: Sequence[str]) -> list[tuple[str, str]]:
    """(name, kind) of these columns of the table."""
    of = dict(table.columns)
    return [(n, of[n]) for n in names]


def select_cast(columns: Sequence[tuple[str, str]], source: str = "stage") -> str:
    """SELECT of the staged columns cast to the warehouse types."""
    return "SELECT " + ", ".join(f'CAST("{c}" AS {TYPES[k]})' for c, k in columns) + f" FROM {source}"
