"""Replaying export folders, in date order, into a database: upserts parents first, then deletes
children first, one transaction per folder. On an empty schema this rebuilds the exported database
(what the replay test proves, and what an ETL of the `files` kind does)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Callable

from ..errors import ConfigError
from ..storage.base import Database
from ..storage.values import NULL
from .daily import COLUMNS, EXPORTED, KINDS, exported_days

#: Parents before children: the order upserts go in (deletes go in the reverse order).
ORDER = ("language", "category", "country", "city", "actor", "address", "film", "film_actor", "film_category",
         "staff", "store", "customer", "inventory", "rental", "payment")


def _value(kind: str, text: str) -> object:
    if text == NULL:
        return None
    if kind == "blob":
        return bytes.fromhex(text)
    return text


def read_folder(folder: Path) -> tuple[dict, dict[str, list[tuple]], dict[str, list[tuple]]]:
    """(manifest, upserts per table, deleted keys per table) of one day folder."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{folder} has no readable manifest.json: {exc}") from None
    upserts, deletes = {}, {}
    for t in EXPORTED:
        kinds = KINDS[t.name]
        upserts[t.name] = [tuple(_value(kinds[c], v) for c, v in zip(COLUMNS[t.name], r))
                           for r in _rows(folder / f"{t.name}.csv", COLUMNS[t.name])]
        deletes[t.name] = [tuple(int(v) for v in r) for r in _rows(folder / f"{t.name}.deletes.csv", t.key)]
    return manifest, upserts, deletes


def _rows(path: Path, columns: tuple[str, ...]) -> list[list[str]]:
    """The rows of one CSV under its header (a missing file: nothing that day)."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = tuple(next(rows, ()))
        if header != columns:
            raise ConfigError(f"{path} has columns {header}, expected {columns}")
        return list(rows)


def replay(db: Database, root: Path, after: str | None = None,
           on_folder: Callable[[str], None] | None = None) -> list[str]:
    """Apply every day folder after `after` (all when None) in date order; returns the days applied."""
    days = [d for d in exported_days(Path(root)) if after is None or d > after]
    tables = {t.name: t for t in EXPORTED}
    for day in days:
        _, upserts, deletes = read_folder(Path(root) / day)
        with db.transaction(), db.relaxed_foreign_keys():
            for name in ORDER:
                if upserts[name]:
                    db.upsert(name, COLUMNS[name], tables[name].key, upserts[name])
            for name in reversed(ORDER):
                keys = deletes[name]
                for k in keys:
                    db.execute(f"DELETE FROM {name} WHERE " + " AND ".join(f"{c} = ?" for c in tables[name].key), k)
        if on_folder:
            on_folder(day)
    return days
