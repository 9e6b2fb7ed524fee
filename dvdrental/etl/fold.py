"""Row changes folded per table and key before they are written: the last image of a key wins, or
its delete. Both `files` (many day folders in one transaction) and `cdc` (many transactions of the
binary log) write what their stretch of changes left, which is what applying them in order leaves."""

from __future__ import annotations

from typing import Sequence

from ..storage.tables import SAKILA_TABLES, TABLES
from .columns import arrow_table
from .run import Summary
from .warehouse import Warehouse

#: Rows folded in memory before they are written (always at a commit boundary).
FLUSH_ROWS = 50_000


class Folded:
    def __init__(self) -> None:
        self.rows: dict[str, dict[tuple, tuple | None]] = {t.name: {} for t in SAKILA_TABLES}
        self.size = 0

    def add(self, ops: Sequence[tuple[str, tuple, tuple | None]]) -> None:
        """(table, key, image or None for a delete), in the order they happened."""
        for table, key, image in ops:
            self.rows[table][key] = image
        self.size += len(ops)

    def write(self, wh: Warehouse, summary: Summary, columns: dict[str, Sequence[tuple[str, str]]]) -> None:
        """Upsert the last images and delete the deleted keys; images hold `columns[table]`."""
        for name, changes in self.rows.items():
            if not changes:
                continue
            table = TABLES[name]
            images = [image for image in changes.values() if image is not None]
            gone = [key for key, image in changes.items() if image is None]
            summary.count(name, written=wh.upsert(table, arrow_table(columns[name], images)),
                          deleted=wh.delete(table, gone))
