"""Adopting a Pagila database (the PostgreSQL port of Sakila, as its published schema and data scripts make it).

Pagila 2.x and 3.x keep Sakila's tables in PostgreSQL's types (the mpaa_rating enum, the year domain, text[]
special features, a full-text column kept by a trigger), which the PostgreSQL engine already writes. What the
simulation needs besides, and nothing more:

  a. drop the BEFORE triggers that stamp the wall clock (Pagila's `last_updated` on 14 tables: `NEW.last_update =
     CURRENT_TIMESTAMP` on every UPDATE): they would overwrite each simulated change's time (SPEC 9). The
     function last_updated() stays, as do film's full-text trigger and every other trigger;
  b. add Sakila's film_text, which Pagila leaves out: filled from film and kept in step by the same trigger as in
     a generated database (shared/sql/postgresql_schema.sql);
  c. add payment.last_update (Pagila's payment has none; each payment's is its payment_date), address.location
     (NULL), inventory.created_at (the history's first day) and retired_at, in the type of Pagila's own times;
  d. make customer.create_date a timestamp instead of a date: sign-ups have a time of day, which the state
     rebuild and the checks read back (each old date reads as its midnight, in every session's time zone);
  e. keep customer.activebool in step with active when the simulation writes active (churn, comebacks);
  f. give the partitioned payment a DEFAULT partition: Pagila's monthly partitions end with its data, and a
     payment dated after the last one would have nowhere to go;
  g. let each id's sequence be owned by its column (Pagila's dump leaves them unowned, so the engine could not
     find them to move them past the ids it inserts) and move a sequence that lags behind its highest id;
  h. add the indexes of postgresql_schema.sql that Pagila lacks, and one on payment.payment_id (Pagila's
     key on payment leads with payment_date, so updates and deletes by id would scan every partition).

Every step looks first at what is there, and a step of several statements runs in one transaction (PostgreSQL's
DDL is transactional), so an interrupted adoption completes on the next run. No existing value changes. Names
read from the database reach SQL only through `ident`.
"""

from __future__ import annotations

import re

from ..errors import DatabaseError
from ..storage import Database
from .base import SAKILA_NAMES, DryRun, Step, create_sim_tables, record_imported, say, shown
from .history import History

#: What a Pagila database lacks of Sakila and adoption adds (beyond base.ADDED_COLUMNS).
ADDS = frozenset({"film_text", "payment.last_update"})
#: The DEFAULT partition's name (pg_partman's too), or that with a number if the name is taken.
DEFAULT_PARTITION = "payment_default"
#: The index Pagila's payment needs for the simulation's updates and deletes by id.
PAYMENT_ID_INDEX = ("payment", "idx_payment_payment_id", ("payment_id",), "btree")

_CLOCK = re.compile(r"\bNEW\s*\.\s*\"?(\w+)\"?\s*:?=\s*(now\s*\(\s*\)|current_timestamp|localtimestamp|current_date|"
                    r"clock_timestamp\s*\(\s*\)|statement_timestamp\s*\(\s*\)|transaction_timestamp\s*\(\s*\))",
                    re.IGNORECASE)
_CALL = re.compile(r"\s*\(.*")
_INDEX = re.compile(r"^CREATE INDEX (\w+)\s+ON (\w+)(?: USING (\w+))? \(([^)]*)\);", re.MULTILINE)
_EVENTS = ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"))
_IN_SCHEMA = "relnamespace = current_schema()::regnamespace"


def ident(name: str) -> str:
    """`name` as a PostgreSQL identifier (double quotes, embedded quotes doubled)."""
    return '"' + str(name).replace('"', '""') + '"'


def _schema() -> str:
    from ..storage.postgresql import POSTGRESQL_SCHEMA
    return POSTGRESQL_SCHEMA.read_text()


def _statement(pattern: str) -> str:
    """One statement of the product's PostgreSQL schema (film_text's table, function, trigger)."""
    found = re.search(pattern, _schema(), re.MULTILINE | re.DOTALL)
    if found is None:
        raise DatabaseError(f"shared/sql/postgresql_schema.sql has no statement matching {pattern!r}")
    return found.group(0)


def _types(db: Database | DryRun, table: str) -> dict[str, str]:
    """column -> its type as PostgreSQL names it ('timestamp with time zone', 'date', ...)."""
    return dict(db.query(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c "
        f"ON c.oid = a.attrelid WHERE c.relname = ? AND c.{_IN_SCHEMA} AND a.attnum > 0 AND NOT a.attisdropped",
        (table,)))


def _time_type(db: Database | DryRun) -> str:
    """The type of Pagila's times (rental_date), for the columns adoption adds: with time zone or without."""
    zone = "with time zone" in _types(db, "rental").get("rental_date", "with time zone")
    return "timestamp with time zone" if zone else "timestamp without time zone"


# ---- a. triggers ---------------------------------------------------------------------------------

def drop_clock_triggers(db: Database, history: History | None = None) -> list[str]:
    """Drop BEFORE triggers on Sakila tables whose function sets a NEW column from the clock."""
    found: dict[tuple[str, str, str, str], list[str]] = {}
    for table, name, function, source, kind in db.query(
            "SELECT c.relname, t.tgname, p.proname, p.prosrc, t.tgtype FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            f"WHERE NOT t.tgisinternal AND c.{_IN_SCHEMA} AND t.tgtype & 2 <> 0 ORDER BY t.tgname, c.relname"):
        sets = _CLOCK.findall(source or "")
        if table not in SAKILA_NAMES or not sets:
            continue
        db.execute(f"DROP TRIGGER IF EXISTS {ident(name)} ON {ident(table)}")
        events = " OR ".join(e for bit, e in _EVENTS if kind & bit)
        what = ", ".join(f"{col} = {_CALL.sub('', fn).upper()}" for col, fn in sets)
        found.setdefault((name, function, events, what), []).append(table)
    return [f"{say(db, 'drop', 'dropped')} trigger {shown(name)} on {', '.join(tables)} (BEFORE {events}, "
            f"{shown(function)}() sets {what}): it would overwrite simulated times with the wall clock; "
            f"the function {shown(function)}() stays"
            for (name, function, events, what), tables in found.items()]


# ---- b. film_text ----------------------------------------------------------------------------------

def film_text(db: Database, history: History | None = None) -> list[str]:
    """Sakila's film_text, made from film and kept in step with it by the product's trigger."""
    lines: list[str] = []
    present = "film_text" in db.table_names()
    synced = db.query(
        "SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p "
        f"ON p.oid = t.tgfoid WHERE c.relname = 'film' AND c.{_IN_SCHEMA} AND p.proname = 'sim_film_text_sync'")[0][0]
    if present and synced:
        return lines
    with db.transaction():  # the table and its trigger together: no film can slip in between
        if not present:
            db.execute(_statement(r"^CREATE TABLE film_text \(.*?\n\);"))
            db.execute("INSERT INTO film_text (film_id, title, description) SELECT film_id, title, description "
                       "FROM film")
            films = db.query("SELECT COUNT(*) FROM film")[0][0]
            lines.append(f"{say(db, 'add', 'added')} Sakila's film_text, which Pagila leaves out: the titles and "
                         f"descriptions of the {films} films")
        if not synced:
            function = _statement(r"^CREATE FUNCTION sim_film_text_sync\(\).*?\$\$;")
            db.execute(function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
            db.execute(_statement(r"^CREATE TRIGGER film_text_sync .*?;"))
            lines.append(f"{say(db, 'add', 'added')} trigger film_text_sync on film (sim_film_text_sync()): it "
                         "keeps film_text in step with film, new films included; it never touches a date")
    return lines


# ---- c, d, e. columns --------------------------------------------------------------------------------

def added_columns(db: Database, history: History) -> list[str]:
    """The columns the simulation writes that Pagila lacks, in the type of Pagila's own times."""
    lines = []
    time = _time_type(db)
    if "location" not in _types(db, "address"):
        db.execute("ALTER TABLE address ADD COLUMN location bytea")
        lines.append(f"{say(db, 'add', 'added')} address.location (bytea, NULL): Sakila's column, which Pagila "
                     "leaves out")
    if "last_update" not in _types(db, "payment"):
        with db.transaction():
            db.execute(f"ALTER TABLE payment ADD COLUMN last_update {time}")
            db.execute("UPDATE payment SET last_update = payment_date")
            db.execute("ALTER TABLE payment ALTER COLUMN last_update SET DEFAULT now()")
        lines.append(f"{say(db, 'add', 'added')} payment.last_update ({time}), which Pagila's payment lacks: "
                     "each payment's is its payment_date (when it was last changed)")
    inventory = _types(db, "inventory")
    first = f"{history.first_day.isoformat()} 00:00:00"
    if "created_at" not in inventory:
        with db.transaction():  # the default fills every existing copy without an UPDATE, then goes
            db.execute(f"ALTER TABLE inventory ADD COLUMN created_at {time} NOT NULL DEFAULT '{first}'")
            db.execute("ALTER TABLE inventory ALTER COLUMN created_at DROP DEFAULT")
        lines.append(f"{say(db, 'add', 'added')} inventory.created_at ({time}), set to {first} (the first day of "
                     "the imported history)")
    if "retired_at" not in inventory:
        db.execute(f"ALTER TABLE inventory ADD COLUMN retired_at {time}")
        lines.append(f"{say(db, 'add', 'added')} inventory.retired_at (NULL: lost or damaged copies get a date "
                     "when retired)")
    return lines


def create_date_timestamp(db: Database, history: History | None = None) -> list[str]:
    """A date create_date becomes a timestamp without time zone: the same day, at midnight, in every session."""
    if _types(db, "customer").get("create_date") != "date":
        return []
    db.execute("ALTER TABLE customer ALTER COLUMN create_date TYPE timestamp(0) without time zone")
    return [f"{say(db, 'make customer.create_date', 'customer.create_date is')} a timestamp instead of a date: "
            "new customers sign up at a time of day, which the simulation reads back (each old date reads as "
            "its midnight)"]


_ACTIVEBOOL = """CREATE OR REPLACE FUNCTION sim_customer_activebool() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.active IS DISTINCT FROM OLD.active THEN  -- OLD is NULL on INSERT
    NEW.activebool := COALESCE(NEW.active <> 0, NEW.activebool);
  END IF;
  RETURN NEW;
END $$"""


def activebool_sync(db: Database, history: History | None = None) -> list[str]:
    """A plain customer.activebool follows active where the simulation writes active; Pagila's values stay."""
    plain = db.query("SELECT COUNT(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                     f"WHERE c.relname = 'customer' AND c.{_IN_SCHEMA} AND a.attname = 'activebool' "
                     "AND a.attgenerated = '' AND NOT a.attisdropped")[0][0]
    synced = db.query(
        "SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
        f"WHERE c.relname = 'customer' AND c.{_IN_SCHEMA} AND p.proname = 'sim_customer_activebool'")[0][0]
    if not plain or synced:
        return []
    with db.transaction():
        db.execute(_ACTIVEBOOL)
        db.execute("CREATE TRIGGER customer_activebool_sync BEFORE INSERT OR UPDATE OF active ON customer "
                   "FOR EACH ROW EXECUTE FUNCTION sim_customer_activebool()")
    return [f"{say(db, 'add', 'added')} trigger customer_activebool_sync on customer: activebool follows active in "
            "the rows the simulation writes (new customers, churn, comebacks); existing values stay, and it never "
            "touches a date"]


# ---- f. payment's partitions --------------------------------------------------------------------------

def default_partition(db: Database, history: History | None = None) -> list[str]:
    """A DEFAULT partition for a partitioned payment, so a payment of any later month has a place."""
    rows = db.query("SELECT c.oid, c.relkind, p.partdefid FROM pg_class c LEFT JOIN pg_partitioned_table p "
                    f"ON p.partrelid = c.oid WHERE c.relname = 'payment' AND c.{_IN_SCHEMA}")
    if not rows or rows[0][1] != "p" or rows[0][2]:
        return []
    parts = sorted(r[0] for r in db.query(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ?",
        (rows[0][0],)))
    taken = {r[0] for r in db.query(f"SELECT relname FROM pg_class WHERE {_IN_SCHEMA}")}
    name = next((n for n in (DEFAULT_PARTITION, *(f"{DEFAULT_PARTITION}{i}" for i in range(2, 100)))
                 if n not in taken), None)
    if name is None:
        raise DatabaseError(f"cannot name a DEFAULT partition of payment: {DEFAULT_PARTITION} to "
                            f"{DEFAULT_PARTITION}99 are all taken")
    db.execute(f"CREATE TABLE {ident(name)} PARTITION OF payment DEFAULT")
    span = f"{shown(parts[0])} .. {shown(parts[-1])}" if parts else "none"
    return [f"{say(db, 'add', 'added')} partition {name} (DEFAULT) to payment, whose {len(parts)} partitions "
            f"({span}) cover only the imported months: the continuation's payments go there"]


# ---- g. sequences -------------------------------------------------------------------------------------

def owned_sequences(db: Database, history: History | None = None) -> list[str]:
    """Each id's sequence owned by its column (pg_get_serial_sequence finds it) and past the highest id."""
    from ..storage.postgresql import IDENTITY
    owned, advanced = [], []
    for table, key in sorted(IDENTITY.items()):
        found = db.query(
            "SELECT pg_get_serial_sequence(quote_ident(c.relname), a.attname), n.nspname, s.relname "
            "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = ? "
            "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
            "LEFT JOIN pg_depend dep ON dep.classid = 'pg_attrdef'::regclass AND dep.objid = d.oid "
            "AND dep.refclassid = 'pg_class'::regclass "
            "LEFT JOIN pg_class s ON s.oid = dep.refobjid AND s.relkind = 'S' "
            "LEFT JOIN pg_namespace n ON n.oid = s.relnamespace "
            f"WHERE c.relname = ? AND c.{_IN_SCHEMA} ORDER BY s.relname NULLS LAST LIMIT 1", (key, table))
        if not found or (found[0][0] is None and found[0][2] is None):
            continue  # no sequence at all: the simulation writes its own ids; nothing to move
        serial, schema, name = found[0]
        sequence = serial or f"{ident(schema)}.{ident(name)}"
        if serial is None:
            db.execute(f"ALTER SEQUENCE {sequence} OWNED BY {ident(table)}.{ident(key)}")
            owned.append(f"{shown(name)} ({table}.{key})")
        last, called = db.query(f"SELECT last_value, is_called FROM {sequence}")[0]
        top = db.query(f"SELECT MAX({ident(key)}) FROM {ident(table)}")[0][0]
        if top is not None and top > (last if called else last - 1):
            db.execute("SELECT setval(CAST(? AS regclass), ?)", (sequence, int(top)))
            advanced.append(f"{table}.{key} to {int(top)}")
    lines = []
    if owned:
        lines.append(f"{say(db, 'let', 'let')} the id sequences be owned by their columns, as a serial's are (the "
                     f"simulation moves them past every id it inserts): {', '.join(owned)}")
    if advanced:
        lines.append(f"{say(db, 'move', 'moved')} sequences that lagged behind their highest id: {', '.join(advanced)}")
    return lines


# ---- h. indexes ---------------------------------------------------------------------------------------

def schema_indexes() -> list[tuple[str, str, tuple[str, ...], str]]:
    """(table, name, columns, method) of each plain index postgresql_schema.sql declares on a Sakila table."""
    return [(table, name, tuple(c.strip() for c in cols.split(",")), using or "btree")
            for name, table, using, cols in _INDEX.findall(_schema()) if table in SAKILA_NAMES]


def add_indexes(db: Database, history: History | None = None) -> list[str]:
    """The schema's indexes Pagila lacks. An index already led by the same columns is enough, whatever its name;
    one of the same name whose columns lead the schema's is extended; where the name is another index's, the new
    one takes the name PostgreSQL gives it."""
    have: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for table, index, cols in db.query(
            "SELECT c.relname, i.relname, ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY "
            "k(num, pos) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.num ORDER BY k.pos) "
            f"FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid "
            f"WHERE c.{_IN_SCHEMA} ORDER BY c.relname, i.relname"):
        have.setdefault(table, []).append((index, tuple(cols)))
    taken = {r[0] for r in db.query(f"SELECT relname FROM pg_class WHERE {_IN_SCHEMA}")}
    wanted = schema_indexes()
    if not any(cols[:1] == ("payment_id",) for _, cols in have.get("payment", [])):
        wanted.append(PAYMENT_ID_INDEX)
    added, lines = [], []
    for table, name, cols, using in wanted:
        if any(c[:len(cols)] == cols for _, c in have.get(table, [])):
            continue
        old = dict(have.get(table, [])).get(name)
        extend = old is not None and cols[:len(old)] == old
        # a name another index holds (Pagila 2 has idx_fk_customer_id on payment): PostgreSQL names ours
        named = name not in taken or extend
        create = (f"CREATE INDEX {ident(name) if named else ''} ON {ident(table)} USING {using} "
                  f"({', '.join(map(ident, cols))})")
        if extend:
            with db.transaction():
                db.execute(f"DROP INDEX {ident(name)}")
                db.execute(create)
            lines.append(f"{say(db, 'extend', 'extended')} index {table}.{name} ({', '.join(map(shown, old))}) to "
                         f"({', '.join(cols)})")
        else:
            db.execute(create)
            added.append(f"{table}.{name} ({', '.join(cols)})" if named else
                         f"{table} ({', '.join(cols)}) under PostgreSQL's name for it, {name} being another index's")
        have.setdefault(table, []).append((name, cols))
    if added:
        lines.insert(0, f"{say(db, 'add', 'added')} indexes the simulation's queries rely on: {', '.join(added)}")
    return lines


STEPS: tuple[Step, ...] = (drop_clock_triggers, film_text, added_columns, create_date_timestamp, activebool_sync,
                           default_partition, owned_sequences, add_indexes, create_sim_tables, record_imported)
