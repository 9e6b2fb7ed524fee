"""Writing the daily export folders: the contract ETL exercises are written against.

    DIR/dvdrental-export.json          which database the folders belong to
    DIR/YYYY-MM-DD/manifest.json       day, per-table counts of upserts and deletes, NULL marker, version
    DIR/YYYY-MM-DD/<table>.csv         rows inserted or changed that day, as they stand at the end of the day
    DIR/YYYY-MM-DD/<table>.deletes.csv primary keys of rows deleted that day

A table with no rows (or no deletes) that day has no file (the manifest counts every table); the
first folder holds every table's file.

The first folder holds every row of every table (a full snapshot). A batch of days is staged as
`.YYYY-MM-DD.partial` folders inside the database transaction that writes those days, and renamed
once it commits. A run killed in between leaves partial folders: the next run (`recover`) renames
the ones the database committed and deletes the rest, so the folders always end where the database
does. Rows as they stood at the end of each day come from the images of the rows the batch touches
(read before the batch is written) with each day's changes applied in order.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..errors import ConfigError
from ..sim.calendar import day_text
from ..sim.events import INSERT_COLUMNS
from ..storage.rows import Batch, sql_row, sql_values
from ..storage.tables import SAKILA_TABLES, TABLES
from ..storage.values import NULL, canonical

if TYPE_CHECKING:
    from ..storage.base import Database

MARKER = "dvdrental-export.json"
PARTIAL = ".partial"
FORMAT = 1
#: Tables exported: Sakila's, less film_text (kept by triggers from film).
EXPORTED = tuple(t for t in SAKILA_TABLES if t.name != "film_text")
#: Columns exported per table: all but address.location (a geometry, always NULL here).
COLUMNS = {t.name: tuple(c for c in t.column_names if (t.name, c) != ("address", "location")) for t in EXPORTED}
KINDS = {t.name: dict(t.columns) for t in EXPORTED}


@dataclass(frozen=True)
class Target:
    """Where a run exports to, and the identity of the database it exports."""
    root: Path
    ident: dict


def _is_day(name: str) -> bool:
    return len(name) == 10 and name[4] == "-" and name[7] == "-" and name.replace("-", "").isdigit()


def exported_days(root: Path) -> list[str]:
    """The published day folders, in date order."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and _is_day(p.name))


def identity(seed: int, start_date: str, origin: str) -> dict:
    """What ties export folders to one database: its seed, first day and origin."""
    return {"seed": str(seed), "start_date": start_date, "origin": origin}


def open_target(root: Path, ident: dict, last_day: str | None) -> Target:
    """Check the folder can continue this database's exports, finish what a killed run left, and
    return the target (before anything is written)."""
    check_dir(root, ident, last_day)
    recover(root, last_day)
    return Target(root, ident)


def check_writable(root: Path) -> None:
    """The part of `check_dir` that needs no database: a folder (made if missing) we can write in."""
    if root.exists() and not root.is_dir():
        raise ConfigError(f"export dir {root} is a file, not a folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / (".probe" + PARTIAL)
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"export dir {root} is not writable: {exc.strerror}",
                          hint="pick a folder you can write to") from None


def check_dir(root: Path, ident: dict, last_day: str | None) -> None:
    """Refuse, before anything is written, an export dir that cannot continue this database's exports.

    `last_day` is the database's last simulated day (None for a database about to be created)."""
    check_writable(root)
    marker = root / MARKER
    entries = [p.name for p in root.iterdir()]
    if not marker.is_file():
        if [e for e in entries if not e.endswith(PARTIAL)]:
            raise ConfigError(f"export dir {root} is not empty and holds no dvdrental-live exports",
                              hint="use an empty or new folder")
        return
    try:
        theirs = json.loads(marker.read_text())["database"]
    except (ValueError, KeyError, OSError):
        raise ConfigError(f"export dir {root} has an unreadable {MARKER}") from None
    if theirs != ident:
        raise ConfigError(f"export dir {root} holds another database's exports (seed {theirs.get('seed')}, "
                          f"start {theirs.get('start_date')})", hint="use a new folder for this database")
    days = exported_days(root)
    staged = [p[1:11] for p in entries if p.endswith(PARTIAL) and _is_day(p[1:11])]
    done = max(days + [d for d in staged if last_day and d <= last_day], default=None)
    if done is not None and done != last_day:
        where = "ahead of" if last_day is None or done > last_day else "behind"
        raise ConfigError(f"exports in {root} end on {done}, {where} the database's last day {last_day}",
                          hint="days were simulated without --export-dir (or the database was restored): "
                               "start a new export folder, which begins with a full snapshot")


def recover(root: Path, last_day: str | None) -> None:
    """Publish the partial folders the database committed (killed before renaming), drop the rest."""
    if not root.is_dir():
        return
    for p in sorted(root.iterdir()):
        if p.name.startswith(".") and p.name.endswith(PARTIAL) and _is_day(p.name[1:11]):
            if last_day is not None and p.name[1:11] <= last_day:
                os.replace(p, root / p.name[1:11])
            else:
                shutil.rmtree(p)


class DailyExport:
    """Stages and publishes the folders of each batch written (see the module docstring)."""

    def __init__(self, root: Path, ident: dict) -> None:
        self.root = Path(root)
        self.ident = ident
        self.staged: list[tuple[Path, Path]] = []
        self.images: dict[str, dict] = {}
        self.snapshot = False
        self.between: list[tuple[str, object, str]] = []  # changes logged since the last folder
        self.first_batch = True  # the folder and the log are read once a run: only this run adds to them

    # ---- inside the transaction, before the batch is written ---------------------------------------
    def prepare(self, db: "Database", batch: Batch) -> None:
        """Images of the rows the batch changes but does not insert, as they are now (or of every row,
        for the first folder)."""
        self.images = {t.name: {} for t in EXPORTED}
        if self.first_batch:
            days = exported_days(self.root)
            self.snapshot = not days
            self.between = [] if self.snapshot else self._logged_between(db, days[-1], batch)
        needed = {} if self.snapshot else self._needed(batch)
        for table in EXPORTED:
            cols = COLUMNS[table.name]
            sql = f"SELECT {', '.join(cols)} FROM {table.name}"
            if self.snapshot:
                self._take(table.name, db.query(sql))
                continue
            keys = list(dict.fromkeys([k for t, k, op in self.between if t == table.name and op != "D"]
                                      + needed[table.name]))
            key = table.key[0] if len(table.key) == 1 else f"({', '.join(table.key)})"
            mark = "?" if len(table.key) == 1 else f"({', '.join('?' * len(table.key))})"
            for i in range(0, len(keys), 500):
                part = keys[i:i + 500]
                params = part if len(table.key) == 1 else [v for k in part for v in k]
                self._take(table.name, db.query(f"{sql} WHERE {key} IN ({', '.join([mark] * len(part))})", params))

    def _logged_between(self, db: "Database", last: str, batch: Batch) -> list[tuple[str, object, str]]:
        """Changes made between runs (inventory_manager.py), found in sim_change_log after the last
        folder's last change: they go into the next folder."""
        try:
            done = json.loads((self.root / last / "manifest.json").read_text()).get("last_change_id")
        except (OSError, ValueError):
            done = None
        if done is None or not batch.day_ops or "sim_change_log" not in db.table_names():
            return []
        first = batch.day_ops[0][1]
        rows = db.query("SELECT table_name, pk1, pk2, op FROM sim_change_log WHERE change_id > ? AND change_id < ? "
                        "ORDER BY change_id", (done, first))
        return [(t, int(a) if b is None else (int(a), int(b)), op) for t, a, b, op in rows if t in KINDS]

    @staticmethod
    def _needed(batch: Batch) -> dict[str, list]:
        """Per table, the keys the batch updates or deletes without having inserted them first."""
        inserted: set = set()
        needed: dict[str, dict] = {t.name: {} for t in EXPORTED}
        for _, _, ops in batch.day_ops:
            for _, _, table, what, key, _, _ in ops:
                if what == "I":
                    inserted.add((table, key))
                elif (table, key) not in inserted:
                    needed[table][key] = None
        return {t: list(keys) for t, keys in needed.items()}

    def _take(self, table: str, rows: list[tuple]) -> None:
        kinds = KINDS[table]
        cols = COLUMNS[table]
        at = [cols.index(k) for k in TABLES[table].key]
        images = self.images[table]
        for row in rows:
            image = [canonical(kinds[c], v) for c, v in zip(cols, row)]
            images[_key(row, at)] = image

    # ---- inside the transaction, after the batch is written ----------------------------------------
    def stage(self, batch: Batch) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        marker = self.root / MARKER
        if not marker.exists():
            tmp = self.root / (MARKER + PARTIAL)
            tmp.write_text(json.dumps({"database": self.ident, "format": FORMAT}, indent=2) + "\n")
            os.replace(tmp, marker)
        for day, first, ops in batch.day_ops:
            touched: dict[str, dict] = {t.name: {} for t in EXPORTED}
            deleted: dict[str, dict] = {t.name: {} for t in EXPORTED}
            for table, key, what in self.between:
                (deleted if what == "D" else touched)[table][key] = None
                if what == "D":
                    touched[table].pop(key, None)
                    self.images[table].pop(key, None)
            self.between = []
            for op in ops:
                self._apply(op, touched, deleted)
            name = day_text(day)
            final = self.root / name
            tmp = self.root / f".{name}{PARTIAL}"
            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir()
            self._write(tmp, name, touched, deleted, self.snapshot, first + len(ops) - 1)
            self.snapshot = False
            self.staged.append((tmp, final))

    def _apply(self, op: tuple, touched: dict, deleted: dict) -> None:
        _, _, table, what, key, values, _ = op
        images = self.images[table]
        if what == "I":
            images[key] = _image(table, values)
            touched[table][key] = None
            deleted[table].pop(key, None)
        elif what == "U":
            image = images[key]
            index = _INDEX[table]
            for c, v in sql_values(table, values).items():
                image[index[c]] = NULL if v is None else v
            touched[table][key] = None
        else:
            images.pop(key, None)
            touched[table].pop(key, None)
            deleted[table][key] = None

    def _write(self, folder: Path, day: str, touched: dict, deleted: dict, snapshot: bool, last_change: int) -> None:
        """One CSV per table with rows that day, one .deletes.csv per table with deletes that day (a table
        with neither has no file; the first folder has every table's file), and the manifest."""
        counts = {}
        for t in EXPORTED:
            images = self.images[t.name]
            keys = sorted(images) if snapshot else sorted(touched[t.name])
            gone = sorted(deleted[t.name]) if not snapshot else []
            if keys or snapshot:
                _csv(folder / f"{t.name}.csv", COLUMNS[t.name], (images[k] for k in keys))
            if gone:
                _csv(folder / f"{t.name}.deletes.csv", t.key, (k if isinstance(k, tuple) else (k,) for k in gone))
            counts[t.name] = {"upserts": len(keys), "deletes": len(gone)}
        manifest = {"day": day, "database": self.ident, "snapshot": snapshot, "tables": counts, "null": NULL,
                    "format": FORMAT, "tool_version": __version__, "last_change_id": last_change}
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")

    # ---- after the transaction -------------------------------------------------------------------
    def publish(self) -> None:
        for tmp, final in self.staged:
            os.replace(tmp, final)
        self.staged = []
        self.images = {}
        self.first_batch = self.snapshot = False
        self.between = []

    def discard(self) -> None:
        for tmp, _ in self.staged:
            shutil.rmtree(tmp, ignore_errors=True)
        self.staged = []
        self.images = {}


#: Inserted rows have the exported columns in the same order (address.location is never inserted).
assert all(COLUMNS[t] == cols for t, cols in INSERT_COLUMNS.items())
_INDEX = {t: {c: i for i, c in enumerate(cols)} for t, cols in COLUMNS.items()}


def _image(table: str, row: tuple) -> list:
    """An inserted row as its exported line: its SQL values, NULL marked (ints stay ints: the csv
    module writes them)."""
    return [NULL if v is None else v for v in sql_row(table, row)]


def _key(row: tuple, at: list[int]):
    return int(row[at[0]]) if len(at) == 1 else tuple(int(row[i]) for i in at)


def _csv(path: Path, header: tuple, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
