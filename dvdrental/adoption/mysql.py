"""Adopting a MySQL/MariaDB Sakila database (made by the official Sakila MySQL scripts).

The migration changes the schema only where the simulation needs it and never an existing row's values:

  a. drop the BEFORE INSERT/UPDATE triggers that stamp NOW() over dates (Sakila's customer_create_date,
     payment_date, rental_date): they would overwrite every simulated date with the wall clock;
  b. widen the ids that overflow after years of activity to INT UNSIGNED, with every column that
     references them (foreign keys are dropped and re-created exactly around the change);
  c. turn `last_update TIMESTAMP ... ON UPDATE CURRENT_TIMESTAMP` into DATETIME, so writes keep the
     simulated time (and no 2038 limit or time-zone shift applies);
  d. let address.location be NULL (new addresses have no coordinates; its SPATIAL key has to go);
  e. add inventory.created_at (the first day of the imported history) and inventory.retired_at;
  f. add the indexes the simulation's queries rely on.

Every step first looks at what is already there, so an interrupted adoption completes when run again.
Foreign keys dropped in (b) are saved in `sim_adopt_foreign_keys` first and restored from it on a rerun.
Names read from the database reach SQL only through `ident`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..errors import DatabaseError
from ..paths import MYSQL_SCHEMA
from ..storage import Database
from .base import SAKILA_NAMES, Step, create_sim_tables, record_imported, say, shown
from .history import History

#: Ids that overflow over years (SPEC 4) and the columns that reference them. rental_id stays INT.
WIDEN = (("payment", "payment_id"), ("customer", "customer_id"), ("inventory", "inventory_id"),
         ("film", "film_id"), ("address", "address_id"), ("payment", "customer_id"),
         ("rental", "customer_id"), ("rental", "inventory_id"), ("film_actor", "film_id"),
         ("film_category", "film_id"), ("film_text", "film_id"), ("inventory", "film_id"),
         ("customer", "address_id"), ("staff", "address_id"), ("store", "address_id"))
NARROW_INTS = {"tinyint", "smallint", "mediumint"}
FK_SAVE = "sim_adopt_foreign_keys"

_NOW = re.compile(r"\bNEW\s*\.\s*`?(\w+)`?\s*=\s*(NOW|CURRENT_TIMESTAMP|LOCALTIMESTAMP|LOCALTIME|SYSDATE|"
                  r"UTC_TIMESTAMP|CURDATE|CURRENT_DATE)\b", re.IGNORECASE)
_RULES = {"RESTRICT", "CASCADE", "SET NULL", "NO ACTION", "SET DEFAULT"}
_GEOMETRY = re.compile(r"^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|"
                       r"geometrycollection|geomcollection)$")


# ---- names ------------------------------------------------------------------------------------

def ident(name: str) -> str:
    """`name` as a MySQL identifier: in backticks, embedded backticks doubled. Every table, column,
    index, trigger and constraint name read from the database reaches SQL through here."""
    return "`" + str(name).replace("`", "``") + "`"


# ---- a. triggers ---------------------------------------------------------------------------------

def drop_date_triggers(db: Database, history: History | None = None) -> list[str]:
    """Drop BEFORE triggers on Sakila tables that set a NEW column from the wall clock."""
    lines = []
    for name, table, event, action in db.query(
            "SELECT trigger_name, event_object_table, event_manipulation, action_statement "
            "FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND action_timing = 'BEFORE' "
            "ORDER BY trigger_name"):
        name, table, event, action = map(_text, (name, table, event, action))
        found = _NOW.findall(action or "")
        if table not in SAKILA_NAMES or not found:
            continue
        db.execute(f"DROP TRIGGER IF EXISTS {ident(name)}")
        sets = ", ".join(f"{col} = {fn.upper()}()" for col, fn in found)
        lines.append(f"{say(db, 'drop', 'dropped')} trigger {shown(name)} (BEFORE {event} ON {table} sets "
                     f"{sets}): it would overwrite simulated dates with the wall clock")
    return lines


# ---- b. ids --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    table: str
    name: str
    data_type: str
    column_type: str
    nullable: bool
    default: str | None
    extra: str
    comment: str
    precision: int | None


@dataclass(frozen=True)
class ForeignKey:
    table: str
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str
    on_update: str

    def touches(self, cols: set[tuple[str, str]]) -> bool:
        return any((self.table, c) in cols for c in self.columns) or \
            any((self.ref_table, c) in cols for c in self.ref_columns)

    def clause(self) -> str:
        """The ADD CONSTRAINT clause that re-creates it."""
        for rule in (self.on_delete, self.on_update):
            if rule not in _RULES:
                raise DatabaseError(f"foreign key {shown(self.name)} on {self.table} has an unknown rule "
                                    f"{shown(str(rule))}")
        return (f"ADD CONSTRAINT {ident(self.name)} FOREIGN KEY ({_names(self.columns)}) REFERENCES "
                f"{ident(self.ref_table)} ({_names(self.ref_columns)}) ON DELETE {self.on_delete} "
                f"ON UPDATE {self.on_update}")


def _names(cols: tuple[str, ...]) -> str:
    return ", ".join(ident(c) for c in cols)


def columns(db: Database) -> dict[tuple[str, str], Column]:
    rows = db.query(
        "SELECT table_name, column_name, data_type, column_type, is_nullable, column_default, extra, "
        "column_comment, datetime_precision FROM information_schema.columns WHERE table_schema = DATABASE()")
    out = {}
    for r in rows:
        t, name, data_type, column_type, nullable, default, extra, comment = map(_text, r[:8])
        out[(t, name)] = Column(t, name, data_type.lower(), column_type.lower(), nullable == "YES", default,
                                extra or "", comment or "", r[8])
    return out


def _text(value: object) -> str | None:
    """information_schema text: MySQL 8 hands some of it over as bytes."""
    return value.decode() if isinstance(value, (bytes, bytearray)) else value  # type: ignore[return-value]


def foreign_keys(db: Database) -> dict[tuple[str, str], ForeignKey]:
    """The foreign keys of this schema, keyed by (table, constraint name)."""
    parts: dict[tuple[str, str], list] = {}
    for table, name, col, ref_table, ref_col, on_delete, on_update in db.query(
            "SELECT k.table_name, k.constraint_name, k.column_name, k.referenced_table_name, "
            "k.referenced_column_name, r.delete_rule, r.update_rule "
            "FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r "
            "ON r.constraint_schema = k.constraint_schema AND r.table_name = k.table_name "
            "AND r.constraint_name = k.constraint_name "
            "WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL "
            "ORDER BY k.table_name, k.constraint_name, k.ordinal_position"):
        table, name, col, ref_table, ref_col, on_delete, on_update = map(
            _text, (table, name, col, ref_table, ref_col, on_delete, on_update))
        entry = parts.setdefault((table, name), [ref_table, [], [], on_delete, on_update])
        entry[1].append(col)
        entry[2].append(ref_col)
    return {key: ForeignKey(key[0], key[1], tuple(e[1]), e[0], tuple(e[2]), e[3], e[4])
            for key, e in parts.items()}


def _saved_foreign_keys(db: Database) -> dict[tuple[str, str], ForeignKey] | None:
    if FK_SAVE not in db.table_names():
        return None
    out = {}
    for (spec,) in db.query(f"SELECT spec FROM {FK_SAVE} ORDER BY table_name, constraint_name"):
        d = json.loads(spec)
        fk = ForeignKey(d["table"], d["name"], tuple(d["columns"]), d["ref_table"], tuple(d["ref_columns"]),
                        d["on_delete"], d["on_update"])
        out[(fk.table, fk.name)] = fk
    return out


def _save_foreign_keys(db: Database, fks: list[ForeignKey]) -> None:
    """Keep the definitions before dropping them: a rerun after a crash re-creates them from here."""
    db.execute(f"CREATE TABLE IF NOT EXISTS {FK_SAVE} (table_name VARCHAR(64) NOT NULL, "
               "constraint_name VARCHAR(64) NOT NULL, spec TEXT NOT NULL, "
               "PRIMARY KEY (table_name, constraint_name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4")
    with db.transaction():
        db.executemany(f"REPLACE INTO {FK_SAVE} (table_name, constraint_name, spec) VALUES (?, ?, ?)",
                       [(fk.table, fk.name, json.dumps(vars(fk))) for fk in fks])


def _targets(cols: dict[tuple[str, str], Column], fks: list[ForeignKey]) -> set[tuple[str, str]]:
    """WIDEN plus every column that references one of them (transitively), still narrow."""
    wanted = {c for c in WIDEN if c in cols}
    grew = True
    while grew:
        grew = False
        for fk in fks:
            for col, ref in zip(fk.columns, fk.ref_columns):
                child = (fk.table, col)
                if (fk.ref_table, ref) in wanted and child not in wanted and child in cols:
                    wanted.add(child)
                    grew = True
    return {c for c in wanted if cols[c].data_type in NARROW_INTS}


def _int_definition(col: Column) -> str:
    """The column as INT UNSIGNED with its NULL-ness, default, AUTO_INCREMENT and comment kept."""
    parts = ["INT UNSIGNED", "NULL" if col.nullable else "NOT NULL"]
    default = col.default
    if default is not None and default.upper() != "NULL":
        value = default.strip("'")
        if not re.fullmatch(r"-?\d+", value):
            raise DatabaseError(f"{col.table}.{shown(col.name)} has an unexpected default {default!r}")
        parts.append(f"DEFAULT {int(value)}")
    if "auto_increment" in col.extra.lower():
        parts.append("AUTO_INCREMENT")
    if col.comment:
        parts.append("COMMENT " + _literal(col.comment))
    return " ".join(parts)


def _literal(text: str) -> str:
    """A string literal for DDL (which takes no parameters): for values read from the schema only."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def widen_ids(db: Database, history: History | None = None) -> list[str]:
    """Overflowing ids (and the columns referencing them) become INT UNSIGNED; their foreign keys are
    saved, dropped, and re-created as they were once both sides have the new type."""
    cols = columns(db)
    current = foreign_keys(db)
    saved = _saved_foreign_keys(db)
    targets = _targets(cols, list(current.values()) + list((saved or {}).values()))
    if not targets and saved is None:
        return []
    involved = {k: fk for k, fk in current.items() if fk.touches(targets)}
    if saved is None or set(involved) - set(saved):
        _save_foreign_keys(db, list(involved.values()))
    restore = {**(saved or {}), **involved}

    lines = []
    by_table: dict[str, list[str]] = {}
    for table, name in involved:
        by_table.setdefault(table, []).append(name)
    for table, names in sorted(by_table.items()):
        db.execute(f"ALTER TABLE {ident(table)} " + ", ".join(f"DROP FOREIGN KEY {ident(n)}" for n in sorted(names)))

    widened: dict[str, list[Column]] = {}
    for key in sorted(targets):
        widened.setdefault(key[0], []).append(cols[key])
    for table, group in widened.items():
        db.execute(f"ALTER TABLE {ident(table)} " + ", ".join(
            f"MODIFY {ident(c.name)} {_int_definition(c)}" for c in group))
    if widened:
        names = ", ".join(f"{c.table}.{c.name} ({c.column_type.split('(')[0]})"
                          for group in widened.values() for c in group)
        lines.append(f"{say(db, 'widen', 'widened')} to INT UNSIGNED (Sakila's small ids overflow after "
                     f"years of activity): {names}")

    now = foreign_keys(db)
    missing = [fk for key, fk in sorted(restore.items()) if key not in now]
    by_table_fk: dict[str, list[ForeignKey]] = {}
    for fk in missing:
        by_table_fk.setdefault(fk.table, []).append(fk)
    for table, group in by_table_fk.items():
        db.execute(f"ALTER TABLE {ident(table)} " + ", ".join(fk.clause() for fk in group))
    if restore:
        lines.append(f"{say(db, 'drop and re-create', 'dropped and re-created')} {len(restore)} foreign keys "
                     "around the widened ids: " + ", ".join(sorted(shown(fk.name) for fk in restore.values())))
    db.execute(f"DROP TABLE IF EXISTS {FK_SAVE}")
    return lines


# ---- c. last_update ------------------------------------------------------------------------------

def last_update_datetime(db: Database, history: History | None = None) -> list[str]:
    """TIMESTAMP last_update columns become DATETIME: same values, no ON UPDATE wall clock."""
    cols = columns(db)
    tables = []
    for table in SAKILA_NAMES:
        col = cols.get((table, "last_update"))
        if col is None or col.data_type != "timestamp":
            continue
        p = f"({int(col.precision)})" if col.precision else ""
        # the ALTER converts in this session's time zone, the one values are read in: they read back alike
        db.execute(f"ALTER TABLE {ident(table)} MODIFY `last_update` DATETIME{p} "
                   f"{'NULL' if col.nullable else 'NOT NULL'} DEFAULT CURRENT_TIMESTAMP{p}")
        tables.append(table)
    if not tables:
        return []
    return [f"{say(db, 'make last_update', 'last_update is')} DATETIME instead of TIMESTAMP ON UPDATE "
            f"CURRENT_TIMESTAMP on {', '.join(tables)}: it keeps simulated times (values unchanged)"]


# ---- d. address.location -------------------------------------------------------------------------

def nullable_location(db: Database, history: History | None = None) -> list[str]:
    lines = []
    spatial = [_text(r[0]) for r in db.query(
        "SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() "
        "AND table_name = 'address' AND column_name = 'location' AND index_type = 'SPATIAL'")]
    if spatial:
        db.execute("ALTER TABLE address " + ", ".join(f"DROP INDEX {ident(n)}" for n in spatial))
        lines.append(f"{say(db, 'drop', 'dropped')} SPATIAL index {', '.join(map(shown, spatial))} on "
                     "address.location (it requires NOT NULL)")
    col = columns(db).get(("address", "location"))
    if col is None:
        db.execute("ALTER TABLE address ADD COLUMN location GEOMETRY DEFAULT NULL AFTER phone")
        lines.append(f"{say(db, 'add', 'added')} address.location (GEOMETRY, NULL): Sakila's column, "
                     "missing here")
    elif not col.nullable:
        if not _GEOMETRY.match(col.column_type):
            raise DatabaseError(f"address.location has an unexpected type {col.column_type!r}")
        db.execute(f"ALTER TABLE address MODIFY location {col.column_type.upper()}{_srid(db)} DEFAULT NULL")
        lines.append(f"{say(db, 'let address.location accept', 'address.location accepts')} NULL: new "
                     "customers' addresses have no coordinates")
    return lines


def _srid(db: Database) -> str:
    """MySQL 8 keeps a column's SRID in information_schema.columns.srs_id; MariaDB has no such column."""
    has = db.query("SELECT COUNT(*) FROM information_schema.columns "
                   "WHERE table_schema = 'information_schema' AND table_name = 'COLUMNS' "
                   "AND column_name = 'SRS_ID'")[0][0]
    if not has:
        return ""
    srid = db.query("SELECT srs_id FROM information_schema.columns WHERE table_schema = DATABASE() "
                    "AND table_name = 'address' AND column_name = 'location'")[0][0]
    return "" if srid is None else f" SRID {int(srid)}"


# ---- e. inventory dates --------------------------------------------------------------------------

def inventory_dates(db: Database, history: History) -> list[str]:
    """created_at = the history's first day (copies predate every rental); retired_at = NULL."""
    lines = []
    cols = columns(db)
    created = cols.get(("inventory", "created_at"))
    first = f"{history.first_day.isoformat()} 00:00:00"
    if created is None:
        db.execute("ALTER TABLE inventory ADD COLUMN created_at DATETIME NULL AFTER store_id")
    if created is None or created.nullable:
        with db.transaction():  # last_update = last_update: a TIMESTAMP ON UPDATE must not fire
            db.execute("UPDATE inventory SET created_at = ?, last_update = last_update "
                       "WHERE created_at IS NULL", (first,))
        db.execute("ALTER TABLE inventory MODIFY created_at DATETIME NOT NULL")
        lines.append(f"{say(db, 'add', 'added')} inventory.created_at, set to {first} (the first day of "
                     "the imported history)")
    if ("inventory", "retired_at") not in cols:
        db.execute("ALTER TABLE inventory ADD COLUMN retired_at DATETIME DEFAULT NULL AFTER created_at")
        lines.append(f"{say(db, 'add', 'added')} inventory.retired_at (NULL: lost or damaged copies get "
                     "a date when retired)")
    return lines


# ---- f. indexes ----------------------------------------------------------------------------------

def schema_indexes() -> list[tuple[str, str, tuple[str, ...]]]:
    """The plain (non-unique) indexes schema.sql declares on the Sakila tables: (table, name, columns)."""
    from ..storage.mysql import split_script
    out = []
    for stmt in split_script(MYSQL_SCHEMA.read_text()):
        m = re.match(r"CREATE TABLE (\w+)", stmt)
        if not m or m.group(1) not in SAKILA_NAMES:
            continue
        for name, cols in re.findall(r"^\s*KEY\s+`?(\w+)`?\s*\(([^)]*)\)", stmt, re.MULTILINE):
            out.append((m.group(1), name, tuple(c.strip().strip("`") for c in cols.split(","))))
    return out


def add_indexes(db: Database, history: History | None = None) -> list[str]:
    """Add schema.sql's indexes that Sakila lacks (the simulation's rebuild and checks rely on them).

    An index already led by the same columns is enough, whatever its name; a Sakila index that
    schema.sql extends by more columns (same name, same leading columns) is replaced in one ALTER.
    """
    have: dict[tuple[str, str], list[str]] = {}
    for table, name, col in db.query(
            "SELECT table_name, index_name, column_name FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() ORDER BY table_name, index_name, seq_in_index"):
        have.setdefault((_text(table), _text(name)), []).append(_text(col))
    lines = []
    for table, name, cols in schema_indexes():
        if any(t == table and tuple(c[:len(cols)]) == cols for (t, _), c in have.items()):
            continue
        old = have.get((table, name))
        if old is None:
            db.execute(f"ALTER TABLE {ident(table)} ADD KEY {ident(name)} ({_names(cols)})")
            lines.append(f"{say(db, 'add', 'added')} index {table}.{name} ({', '.join(cols)})")
        elif tuple(old) == cols[:len(old)]:
            db.execute(f"ALTER TABLE {ident(table)} DROP KEY {ident(name)}, ADD KEY {ident(name)} "
                       f"({_names(cols)})")
            lines.append(f"{say(db, 'extend', 'extended')} index {table}.{name} "
                         f"({', '.join(map(shown, old))}) to ({', '.join(cols)})")
        else:
            lines.append(f"{say(db, 'leave', 'left')} index {table}.{name} ({', '.join(map(shown, old))}) "
                         f"as it is; schema.sql has ({', '.join(cols)}) under that name")
        have[(table, name)] = list(cols)
    return lines


STEPS: tuple[Step, ...] = (drop_date_triggers, widen_ids, last_update_datetime, nullable_location,
                           inventory_dates, add_indexes, create_sim_tables,
                           record_imported)
