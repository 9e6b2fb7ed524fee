"""Reading the source database: who it is, and its rows as Arrow tables a chunk at a time."""

from __future__ import annotations

from typing import Iterator, Sequence

import pyarrow as pa

from ..errors import StateError
from ..exports.daily import identity
from ..sim.calendar import day_text
from ..storage.base import Database
from ..storage.tables import Table
from .columns import arrow_table

#: Rows per Arrow chunk read from the source.
CHUNK = 50_000


def source_identity(db: Database) -> dict:
    """What ties a warehouse to one source: the seed, first day and origin of its sim_state (the same
    identity the daily exports carry). Refuses a database this tool did not make or adopt."""
    st = db.require_sim_state()
    missing = db.missing_sakila()
    if missing:
        raise StateError(f"{db.url.display()} lacks Sakila tables or columns: {', '.join(missing[:5])}")
    return identity(st["seed"], day_text(st["start_date"]), st.get("origin") or "generator")


def last_day(db: Database) -> str:
    return day_text(db.require_sim_state()["last_day"])


def chunks(db: Database, table: Table, where: str = "", params: Sequence[object] = ()) -> Iterator[pa.Table]:
    """The table's rows (those matching `where`) as Arrow tables of at most CHUNK rows."""
    sql = f"SELECT {', '.join(table.column_names)} FROM {table.name}" + (f" WHERE {where}" if where else "")
    rows: list[tuple] = []
    for row in db.stream(sql, params):
        rows.append(row)
        if len(rows) == CHUNK:
            yield arrow_table(table.columns, rows)
            rows = []
    if rows:
        yield arrow_table(table.columns, rows)
