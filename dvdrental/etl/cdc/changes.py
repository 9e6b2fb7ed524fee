"""What both logs' readers share: row images in Sakila's column order, their keys, and applying a
stretch of folded changes together with the position after it."""

from __future__ import annotations

from ...storage.tables import SAKILA_TABLES, Table
from ..fold import Folded
from ..run import Context, bind

ALL_COLUMNS = {t.name: t.columns for t in SAKILA_TABLES}
#: Where each table's key columns sit in its row image.
_KEY_AT = {t.name: tuple(t.column_names.index(c) for c in t.key) for t in SAKILA_TABLES}


def key(table: Table, image: tuple) -> tuple:
    return tuple(image[i] for i in _KEY_AT[table.name])


def row_ops(table: Table, old: tuple | None, new: tuple | None) -> list[tuple[str, tuple, tuple | None]]:
    """(table, key, image or None for a delete) of one row change: an update that moves the key deletes
    the old key."""
    if new is None:
        return [(table.name, key(table, old), None)]
    ops = []
    if old is not None and key(table, old) != key(table, new):
        ops.append((table.name, key(table, old), None))
    ops.append((table.name, key(table, new), new))
    return ops


def apply(ctx: Context, folded: Folded, **position: object) -> None:
    """The folded changes and the position after them, in one warehouse transaction."""
    with ctx.wh.transaction():
        bind(ctx)
        folded.write(ctx.wh, ctx.summary, ALL_COLUMNS)
        ctx.wh.set_state(**position)
