"""Watermarks: the latest last_update loaded per table, and the last change-log id whose deletes were
applied. Shared by `full` (which sets them) and `incremental` (which reads from them)."""

from __future__ import annotations

from ..storage.base import Database
from ..storage.tables import SAKILA_TABLES
from .warehouse import Warehouse

#: Tables with a last_update column (all but film_text, which Sakila's triggers keep from film).
STAMPED = tuple(t for t in SAKILA_TABLES if "last_update" in t.column_names)


def changelog_position(db: Database) -> int:
    return int(db.query("SELECT COALESCE(MAX(change_id), 0) FROM sim_change_log")[0][0])


def store_watermarks(wh: Warehouse, change_id: int | None) -> str:
    """Set each table's watermark to the latest last_update the warehouse holds; returns a summary."""
    marks = {}
    for table in STAMPED:
        top = wh.con.execute(f"SELECT strftime(MAX(last_update), '%Y-%m-%d %H:%M:%S') FROM {table.name}").fetchone()[0]
        if top is not None:
            marks[table.name] = top
    wh.set_state(watermarks=marks)
    if change_id is not None:
        wh.set_state(change_id=change_id)
    latest = max(marks.values(), default="-")
    return f"watermark {latest}" + (f", change {change_id}" if change_id is not None else "")
