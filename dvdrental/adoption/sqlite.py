"""Adopting the SQLite port of Sakila (dates as text, film_text kept by triggers, Sakila's views).

SQLite needs less than MySQL: its integer columns take any size (SMALLINT is only a name), it has no
ON UPDATE clause and no SPATIAL index. What the simulation needs:

  a. drop triggers on Sakila tables that stamp the wall clock (datetime('now'), CURRENT_TIMESTAMP):
     they would overwrite simulated times. The port's film_text triggers stay: they keep film_text
     in step with film, as the simulation expects;
  b. add address.location (NULL) where the port left it out, inventory.created_at (the first day of
     the imported history, for every existing copy) and inventory.retired_at (NULL);
  c. add the indexes shared/sql/sqlite_schema.sql declares on Sakila's tables (the port has none);
  d. replace a Sakila view that does not run on this SQLite (the port's views call MySQL's CONCAT and
     LCASE, which SQLite before 3.44 lacks, and LCASE always) by the product's view of the same name
     and columns (shared/sql/sqlite_views.sql), so tutorials that query it work;
  e. switch the journal to WAL, as for every SQLite database of this tool.

Views that run, the film_text triggers and every existing value are left as they are.
"""

from __future__ import annotations

import re
import sqlite3

from ..paths import SQL_DIR, SQLITE_SCHEMA
from ..storage import Database
from .base import SAKILA_NAMES, Step, create_sim_tables, record_imported, say, shown
from .history import History

_CLOCK = re.compile(r"\b(?:datetime|date|time|julianday|strftime|unixepoch)\s*\((?:\s*'[^']*'\s*,)?\s*'now'"
                    r"|\bCURRENT_(?:TIMESTAMP|DATE|TIME)\b", re.IGNORECASE)
_VIEW = re.compile(r"^CREATE VIEW (\w+) AS$.*?;$", re.S | re.M)
_INDEX = re.compile(r"^CREATE INDEX (\w+) ON (\w+) \(([^)]*)\)(.*?);$", re.MULTILINE)


def ident(name: str) -> str:
    """`name` as an SQLite identifier (double quotes, embedded quotes doubled)."""
    return '"' + str(name).replace('"', '""') + '"'


def drop_clock_triggers(db: Database, history: History | None = None) -> list[str]:
    lines = []
    for name, table, sql in db.query("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                                     "ORDER BY name"):
        if table not in SAKILA_NAMES or not _CLOCK.search(sql or ""):
            continue
        db.execute(f"DROP TRIGGER IF EXISTS {ident(name)}")
        lines.append(f"{say(db, 'drop', 'dropped')} trigger {shown(name)} on {table}: it stamps the wall clock "
                     "over simulated times")
    return lines


def added_columns(db: Database, history: History) -> list[str]:
    lines = []
    if "location" not in db.table_columns("address"):
        db.execute("ALTER TABLE address ADD COLUMN location BLOB DEFAULT NULL")
        lines.append(f"{say(db, 'add', 'added')} address.location (NULL): Sakila's column, left out by this port")
    inventory = db.table_columns("inventory")
    first = f"{history.first_day.isoformat()} 00:00:00"
    if "created_at" not in inventory:
        # SQLite fills a new NOT NULL column from its default: every existing copy gets the first day
        db.execute(f"ALTER TABLE inventory ADD COLUMN created_at DATETIME NOT NULL DEFAULT '{first}'")
        lines.append(f"{say(db, 'add', 'added')} inventory.created_at, set to {first} (the first day of the "
                     "imported history)")
    if "retired_at" not in inventory:
        db.execute("ALTER TABLE inventory ADD COLUMN retired_at DATETIME DEFAULT NULL")
        lines.append(f"{say(db, 'add', 'added')} inventory.retired_at (NULL: lost or damaged copies get a date "
                     "when retired)")
    return lines


def schema_indexes() -> list[tuple[str, str, tuple[str, ...], str]]:
    """(name, table, columns, WHERE clause) of each index sqlite_schema.sql declares on a Sakila table."""
    return [(name, table, tuple(c.strip() for c in cols.split(",")), where.strip())
            for name, table, cols, where in _INDEX.findall(SQLITE_SCHEMA.read_text()) if table in SAKILA_NAMES]


def add_indexes(db: Database, history: History | None = None) -> list[str]:
    """Add the schema's indexes; an index already led by the same columns is enough, whatever its name."""
    have: dict[str, list[tuple[str, ...]]] = {}
    names = set()
    for (table,) in db.query("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for _, index, *_ in db.query(f"PRAGMA index_list({ident(table)})"):
            names.add(index)
            cols = tuple(r[2] for r in db.query(f"PRAGMA index_info({ident(index)})"))
            have.setdefault(table, []).append(cols)
    added = []
    for name, table, cols, where in schema_indexes():
        if name in names or (not where and any(c[:len(cols)] == cols for c in have.get(table, []))):
            continue
        db.execute(f"CREATE INDEX {name} ON {table} ({', '.join(cols)}){' ' + where if where else ''}")
        added.append(f"{table}.{name} ({', '.join(cols)})")
    return [f"{say(db, 'add', 'added')} indexes the simulation's queries rely on: {', '.join(added)}"] if added else []


def product_views() -> dict[str, str]:
    """name -> CREATE VIEW statement of shared/sql/sqlite_views.sql (Sakila's seven views)."""
    return {m.group(1): m.group(0) for m in _VIEW.finditer((SQL_DIR / "sqlite_views.sql").read_text())}


def working_views(db: Database, history: History | None = None) -> list[str]:
    """Sakila's views, each one that runs here left as it is; a broken or missing one made anew."""
    replaced, added = [], []
    for name, stmt in product_views().items():
        if db.query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'view' AND name = ?", (name,))[0][0]:
            try:
                db.query(f"SELECT * FROM {ident(name)} LIMIT 0")
                continue
            except sqlite3.Error as exc:
                replaced.append(f"{name} ({exc})")
            db.execute(f"DROP VIEW {ident(name)}")
        else:
            added.append(name)
        db.execute(stmt)
    lines = []
    if replaced:
        lines.append(f"{say(db, 'replace', 'replaced')} views that do not run on SQLite {sqlite3.sqlite_version} by "
                     f"the product's views of the same names and columns: {', '.join(replaced)}")
    if added:
        lines.append(f"{say(db, 'add', 'added')} Sakila's views {', '.join(added)}, missing here")
    return lines


def wal_journal(db: Database, history: History | None = None) -> list[str]:
    """The journal every database of this tool has: readers never block the writer."""
    if db.query("PRAGMA journal_mode")[0][0].lower() in ("wal", "memory"):
        return []
    db.execute("PRAGMA journal_mode = WAL")
    return [f"{say(db, 'switch', 'switched')} the journal to WAL (readers do not block the simulation's writes)"]


STEPS: tuple[Step, ...] = (drop_clock_triggers, added_columns, add_indexes, working_views, create_sim_tables,
                           record_imported, wal_journal)
