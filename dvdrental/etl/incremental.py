"""--mode incremental: rows whose last_update is at or after each table's watermark, upserted by key.

A run costs what changed since the last one, but by design it cannot see a hard delete: the row is
simply gone from the source. `--deletes changelog` applies the deletes recorded in sim_change_log
since the last run, which a real source would not offer (a trigger-fed audit table would).
The watermark is inclusive (>=): rows stamped with the same second as the last run's latest row
are read again and upserted harmlessly.
"""

from __future__ import annotations

from collections import defaultdict

from ..storage.tables import TABLES
from .run import Context, bind
from .source import chunks, last_day
from .watermark import STAMPED, changelog_position, store_watermarks

FILM_TEXT = TABLES["film_text"]


def run(ctx: Context) -> None:
    db, wh, s = ctx.db, ctx.wh, ctx.summary
    assert db is not None
    st = wh.state()
    marks = st.get("watermarks", {})
    with_deletes = ctx.options.deletes == "changelog"
    ctx.progress.begin("Loading changes", len(STAMPED) + 1)
    with db.consistent_read(), wh.transaction():
        bind(ctx)
        films: list[int] = []
        for table in STAMPED:
            mark = marks.get(table.name)
            read = 0
            for chunk in chunks(db, table, "last_update >= ?" if mark else "", (mark,) if mark else ()):
                read += chunk.num_rows
                wh.upsert(table, chunk)
                if table.name == "film":
                    films += chunk.column("film_id").to_pylist()
            s.count(table.name, read=read, written=read)
            ctx.progress.advance()
        _film_text(ctx, films)
        change_id = None
        if with_deletes:
            change_id = changelog_position(db)
            _deletes(ctx, st.get("change_id", 0), change_id)
        elif "change_id" in st:  # deletes not followed from here on: the old position means nothing
            wh.clear_state("change_id")
        ctx.progress.advance()
        s.position = store_watermarks(wh, change_id)
        s.notes.append(f"source last day {last_day(db)}")
        if not with_deletes:
            s.notes.append("hard deletes are not seen by a watermark (add --deletes changelog)")
    ctx.progress.end()


def _film_text(ctx: Context, films: list[int]) -> None:
    """film_text has no last_update: Sakila's triggers rewrite it with its film, so the changed films
    say which rows to read."""
    read = 0
    for i in range(0, len(films), 500):
        ids = films[i:i + 500]
        for chunk in chunks(ctx.db, FILM_TEXT, f"film_id IN ({', '.join('?' * len(ids))})", ids):
            read += chunk.num_rows
            ctx.wh.upsert(FILM_TEXT, chunk)
    ctx.summary.count("film_text", read=read, written=read)


def _deletes(ctx: Context, after: int, upto: int) -> None:
    keys: dict[str, list[tuple]] = defaultdict(list)
    sql = ("SELECT table_name, pk1, pk2 FROM sim_change_log WHERE op = 'D' AND change_id > ? "
           "AND change_id <= ? ORDER BY change_id")
    for name, pk1, pk2 in ctx.db.stream(sql, (after, upto)):
        keys[name].append((int(pk1),) if pk2 is None else (int(pk1), int(pk2)))
    if keys.get("film"):
        keys["film_text"] += keys["film"]
    for name, rows in sorted(keys.items()):
        ctx.summary.count(name, read=len(rows), deleted=ctx.wh.delete(TABLES[name], rows))
