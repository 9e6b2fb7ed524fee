"""--mode cdc on PostgreSQL: logical decoding from a replication slot of the warehouse's own.

The server must run with wal_level = logical and have a replication slot free; the user needs the
REPLICATION attribute (or superuser) and must own the tables.

First run: the 16 Sakila tables get REPLICA IDENTITY FULL (every update and delete carries the whole
old row, so a moved key and an unchanged TOASTed value are known) and are published as
`dvdrental_etl` (through the partition root: a partitioned payment publishes as payment). Then the
warehouse's slot is created, and only after that the snapshot that loads every table: changes between
the slot's start and the snapshot come again on the next run, and applying them leaves what the
snapshot already holds, because each carries a whole row and the last image of a key wins.

Later runs peek at the slot's changes (pg_logical_slot_peek_binary_changes, pgoutput, in batches that
end at a commit), fold them per key in commit order, apply them with the end position of the last
commit in one warehouse transaction, and only then advance the slot. A run killed between the two
finds the slot behind the warehouse and skips the transactions the warehouse already holds.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import psycopg
from psycopg.adapt import Transformer

from ...errors import ConfigError, StateError
from ...storage.base import Database
from ...storage.tables import SAKILA_TABLES, TABLES, Table
from ..fold import Folded
from ..full import reload
from ..run import Context, bind
from . import pgoutput
from .changes import apply, row_ops

PUBLICATION = "dvdrental_etl"
#: Messages decoded per peek; a peek always ends at a commit, so a large transaction comes whole.
BATCH = 100_000
REBUILD = "rebuild: run --mode cdc into a new --warehouse path"
#: Seconds to wait for commits made without synchronous_commit to be flushed (see _flushed).
FLUSH_WAIT = 30.0
SETTINGS = "see docs/etl.md, 'Server settings for CDC'"


def slot_name(ctx: Context) -> str:
    """One slot per warehouse, named by its reader id (--server-id, by default from the warehouse path)."""
    return f"dvdrental_etl_{ctx.options.server_id}"


def check_server(db: Database) -> None:
    """Refuse, with the one setting to change, a server or user that logical decoding cannot work with."""
    where = db.url.display()
    level = db.query("SHOW wal_level")[0][0]
    if level != "logical":
        raise ConfigError(f"cannot follow {where}: wal_level is {level}, CDC needs wal_level = logical",
                          hint=f"ALTER SYSTEM SET wal_level = 'logical' and restart the server ({SETTINGS})")
    if int(db.query("SHOW max_replication_slots")[0][0]) < 1:
        raise ConfigError(f"cannot follow {where}: max_replication_slots is 0, CDC needs a slot",
                          hint=f"ALTER SYSTEM SET max_replication_slots = 10 and restart the server ({SETTINGS})")
    user, allowed = db.query("SELECT current_user, rolsuper OR rolreplication FROM pg_roles "
                             "WHERE rolname = current_user")[0]
    if not allowed:
        raise ConfigError(f"cannot follow {where}: user {user} may not use replication slots",
                          hint=f"ALTER ROLE {user} REPLICATION ({SETTINGS})")


def run(ctx: Context, position: list | None) -> None:
    """From the stored [slot, lsn], or a first load when there is none."""
    if position is None:
        _initial_load(ctx)
    else:
        _follow(ctx, position[0], pgoutput.lsn_number(position[1]))


# ---- first run: publication, slot, snapshot -----------------------------------------------------------

def _initial_load(ctx: Context) -> None:
    db, slot = ctx.db, slot_name(ctx)
    _publish(db)
    if _slot(db, slot) is not None:  # left by a first run killed before its warehouse commit
        _server_call(db, "SELECT pg_drop_replication_slot(?)", slot)
    start = _server_call(db, "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')", slot)
    try:
        with db.consistent_read(), ctx.wh.transaction():
            bind(ctx)
            reload(ctx)
            ctx.wh.set_state(slot=[slot, start])
    except BaseException:
        try:  # a slot nobody follows would keep the server's WAL forever
            db.rollback()
            db.execute("SELECT pg_drop_replication_slot(?)", (slot,))
        except psycopg.Error:
            pass
        raise
    ctx.summary.position = f"slot {slot} at {start}"


def _publish(db: Database) -> None:
    """REPLICA IDENTITY FULL on the Sakila tables (and their partitions), and the publication of them."""
    names = [t.name for t in SAKILA_TABLES]
    for name in names:
        for relation, identity in db.query(
                "SELECT oid::regclass::text, relreplident FROM pg_class WHERE relkind IN ('r', 'p') AND "
                "(oid = ?::regclass OR oid IN (SELECT relid FROM pg_partition_tree(?::regclass)))", (name, name)):
            if identity != "f":
                _server_call(db, f"ALTER TABLE {relation} REPLICA IDENTITY FULL")
    published = {r[0] for r in db.query("SELECT tablename FROM pg_publication_tables WHERE pubname = ?",
                                        (PUBLICATION,))}
    if not db.query("SELECT 1 FROM pg_publication WHERE pubname = ?", (PUBLICATION,)):
        _server_call(db, f"CREATE PUBLICATION {PUBLICATION} FOR TABLE {', '.join(names)} "
                         "WITH (publish_via_partition_root = true)")
    elif set(names) - published:
        _server_call(db, f"ALTER PUBLICATION {PUBLICATION} ADD TABLE "
                         f"{', '.join(n for n in names if n not in published)}")


def _server_call(db: Database, sql: str, *params: object) -> object:
    """A set-up statement; refused ones (privileges, no free slot) become one line with the reason."""
    try:
        rows = db.query(sql, params) if sql.lstrip().upper().startswith("SELECT") else db.execute(sql, params)
    except psycopg.Error as exc:
        db.rollback()
        reason = (exc.diag.message_primary or str(exc)).strip()
        raise ConfigError(f"cannot set up CDC on {db.url.display()}: {reason}",
                          hint=f"the user needs REPLICATION, ownership of the tables and a free slot ({SETTINGS})"
                          ) from None
    return rows[0][0] if rows else None


def _slot(db: Database, slot: str) -> tuple[str, str] | None:
    """(plugin, confirmed position) of the slot in this database, or None."""
    rows = db.query("SELECT plugin, confirmed_flush_lsn::text FROM pg_replication_slots "
                    "WHERE slot_name = ? AND database = current_database()", (slot,))
    return rows[0] if rows else None


# ---- later runs: the slot's changes ---------------------------------------------------------------------

def _follow(ctx: Context, slot: str, stored: int) -> None:
    db = ctx.db
    found = _slot(db, slot)
    if found is None:
        raise StateError(f"the replication slot {slot} the warehouse follows is gone from {db.url.display()}",
                         hint=REBUILD)
    if found[0] != "pgoutput":
        raise StateError(f"the replication slot {slot} decodes with {found[0]}, not pgoutput: it is not the "
                         "warehouse's", hint=REBUILD)
    confirmed = pgoutput.lsn_number(found[1])
    if confirmed > stored:
        raise StateError(f"the replication slot {slot} is past the warehouse ({found[1]} against "
                         f"{pgoutput.lsn_text(stored)}): another reader took changes the warehouse lacks",
                         hint=REBUILD)
    if confirmed < stored:  # killed after the warehouse commit, before the slot moved: catch it up
        db.execute("SELECT pg_replication_slot_advance(?, ?::pg_lsn)", (slot, pgoutput.lsn_text(stored)))
    end = _flushed(db)
    ctx.progress.begin("Reading the replication slot", max(end - stored, 0))
    rows = _Rows(db)
    committed = stored
    while True:
        batch = db.query("SELECT data FROM pg_logical_slot_peek_binary_changes(?, ?::pg_lsn, ?, "
                         "'proto_version', '1', 'publication_names', ?)",
                         (slot, pgoutput.lsn_text(end), BATCH, PUBLICATION))
        folded = Folded()
        for commit_lsn, ops in _transactions(batch, rows, ctx):
            folded.add(ops)
            ctx.progress.advance(commit_lsn - committed)
            committed = commit_lsn
        if not batch:
            break
        _commit(ctx, folded, slot, committed)
    ctx.progress.end()
    ctx.summary.position = f"slot {slot} at {pgoutput.lsn_text(committed)}"


def _flushed(db: Database) -> int:
    """The end of the WAL as decoding sees it, every commit made so far included.

    Decoding reads only flushed WAL, and a commit made with synchronous_commit off (a server default,
    or a writer's choice) reaches it a moment later, when the WAL writer flushes (within three
    wal_writer_delay). Wait for that, up to FLUSH_WAIT seconds; what is still not flushed then comes
    with the next run."""
    target = pgoutput.lsn_number(db.query("SELECT pg_current_wal_insert_lsn()::text")[0][0])
    deadline = time.monotonic() + FLUSH_WAIT
    while True:
        flushed = pgoutput.lsn_number(db.query("SELECT pg_current_wal_flush_lsn()::text")[0][0])
        if flushed >= target or time.monotonic() > deadline:
            return min(flushed, target)
        time.sleep(0.02)


def _commit(ctx: Context, folded: Folded, slot: str, lsn: int) -> None:
    """The warehouse first, then the slot: a kill between them is caught up by the next run."""
    apply(ctx, folded, slot=[slot, pgoutput.lsn_text(lsn)])
    ctx.db.execute("SELECT pg_replication_slot_advance(?, ?::pg_lsn)", (slot, pgoutput.lsn_text(lsn)))


def _transactions(batch: list[tuple], rows: "_Rows", ctx: Context) -> Iterator[tuple[int, list]]:
    """(end position, row ops) of each committed transaction in the batch, in commit order."""
    ops: list[tuple[str, tuple, tuple | None]] = []
    for (data,) in batch:
        message = pgoutput.decode(data)
        if isinstance(message, pgoutput.Begin):
            ops = []
        elif isinstance(message, pgoutput.Commit):
            yield message.end_lsn, ops
        elif isinstance(message, pgoutput.Relation):
            rows.learn(message)
        elif isinstance(message, pgoutput.Change):
            table, old, new = rows.images(message)
            changed = row_ops(table, old, new)
            ctx.summary.count(table.name, read=len(changed))
            ops += changed
        elif isinstance(message, pgoutput.Truncate):
            names = ", ".join(rows.name(oid) for oid in message.oids)
            raise StateError(f"{names} was truncated on the source: CDC cannot follow a TRUNCATE", hint=REBUILD)


class _Rows:
    """Row images in Sakila's column order, from pgoutput's text values and the relations' column types."""

    def __init__(self, db: Database) -> None:
        self.transformer = Transformer(db.conn)
        #: domains load as their base type (Pagila's `year` is an integer)
        self.base = dict(db.query("SELECT oid::int, typbasetype::int FROM pg_type WHERE typtype = 'd'"))
        self.relations: dict[int, tuple[Table, tuple[int, ...], list[Callable[[bytes], object]]]] = {}
        self.names: dict[int, str] = {}

    def learn(self, rel: pgoutput.Relation) -> None:
        self.names[rel.oid] = rel.name
        table = TABLES.get(rel.name)
        if table is None or table not in SAKILA_TABLES:
            return
        missing = [c for c in table.column_names if c not in rel.columns]
        if missing:
            raise StateError(f"{rel.name} on the source lacks {', '.join(missing)}", hint=REBUILD)
        at = tuple(rel.columns.index(c) for c in table.column_names)
        loaders = [self.transformer.get_loader(self.base.get(rel.types[i], rel.types[i]),
                                               psycopg.pq.Format.TEXT).load for i in at]
        self.relations[rel.oid] = (table, at, loaders)

    def name(self, oid: int) -> str:
        return self.names.get(oid, f"relation {oid}")

    def images(self, change: pgoutput.Change) -> tuple[Table, tuple | None, tuple | None]:
        table, at, loaders = self.relations[change.oid]
        old = None if change.old is None else self._image(table, at, loaders, change.old, None)
        new = None if change.new is None else self._image(table, at, loaders, change.new, old)
        return table, old, new

    @staticmethod
    def _image(table: Table, at: tuple[int, ...], loaders: list, values: tuple, old: tuple | None) -> tuple:
        out = []
        for n, (i, load) in enumerate(zip(at, loaders)):
            value = values[i]
            if value is pgoutput.UNCHANGED:
                if old is None:
                    raise StateError(f"an update of {table.name} left out {table.column_names[n]} and no old "
                                     "row came with it: the table's REPLICA IDENTITY is not FULL", hint=REBUILD)
                out.append(old[n])
            else:
                out.append(None if value is None else load(value))
        return tuple(out)
