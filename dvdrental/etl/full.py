"""--mode full: reload every table from one consistent read of the source.

Simple and always right, but each run costs what the whole history holds. It also leaves the
watermarks and the change-log position behind, so `incremental` can carry on from a full load.
"""

from __future__ import annotations

from ..storage.tables import SAKILA_TABLES
from .run import Context, bind
from .source import chunks, last_day
from .watermark import changelog_position, store_watermarks


def run(ctx: Context) -> None:
    db, wh, s = ctx.db, ctx.wh, ctx.summary
    with db.consistent_read(), wh.transaction():
        bind(ctx)
        reload(ctx)
        s.position = store_watermarks(wh, changelog_position(db))
        s.notes.append(f"source last day {last_day(db)}")


def reload(ctx: Context) -> None:
    """Empty every table and load it again, inside the caller's read snapshot and transaction."""
    db, wh, s = ctx.db, ctx.wh, ctx.summary
    ctx.progress.begin("Reloading", len(SAKILA_TABLES))
    for table in SAKILA_TABLES:
        deleted = wh.count(table.name)
        wh.empty(table)
        read = 0
        for chunk in chunks(db, table):
            read += chunk.num_rows
            wh.upsert(table, chunk, replace=False)
        s.count(table.name, read=read, written=read, deleted=deleted)
        ctx.progress.advance()
    ctx.progress.end()
