"""PostgreSQL bulk writes without per-row work in the server: foreign keys checked per COPY, updates as one statement.

A foreign key on PostgreSQL is an AFTER ROW trigger that looks up and locks (FOR KEY SHARE) the parent row of
every inserted row: two thirds of the time a COPY into rental or payment takes. Where the session may set
`session_replication_role` (a superuser, or PostgreSQL 15's GRANT SET ON PARAMETER), a large COPY into a table
whose only triggers are foreign keys runs with those triggers off, and right after it, in the same transaction,
one query looks up and locks every distinct parent key the rows name: the same check and the same locks as the
triggers, once per key instead of once per row. A missing key fails the transaction as the trigger would.
Anyone else (and any table with triggers of its own, rules, or partitions) keeps the triggers.

An UPDATE per row costs a statement's execution each (the pipeline only saves the round trips); one
`UPDATE ... FROM unnest(arrays)` per group of rows does the same work in one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from ..errors import DatabaseError

#: A COPY of at least this many rows checks its foreign keys in bulk (below, the triggers cost less than the
#: extra statements).
BULK_CHECK_MIN_ROWS = 100

#: The single-column foreign keys of a table that has no other triggers, no rules and no partitions or children
#: (no rows otherwise; one row of NULLs for such a table without foreign keys).
_KEYS_SQL = """
SELECT k.conname, cardinality(k.conkey), a.attname, k.confrelid::regclass::text, p.attname,
       format_type(p.atttypid, p.atttypmod)
FROM pg_class c
LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f'
LEFT JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
LEFT JOIN pg_attribute p ON p.attrelid = k.confrelid AND p.attnum = k.confkey[1]
WHERE c.oid = to_regclass(%s) AND c.relkind = 'r' AND NOT c.relhasrules AND NOT c.relhassubclass
  AND NOT EXISTS (SELECT 1 FROM pg_trigger t LEFT JOIN pg_constraint tk ON tk.oid = t.tgconstraint
                  WHERE t.tgrelid = c.oid AND (NOT t.tgisinternal OR tk.contype IS DISTINCT FROM 'f'))
ORDER BY k.conname"""

_TYPES_SQL = """
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped"""

#: Switches the triggers off for the rest of the transaction, only from the ordinary 'origin' (a session that
#: set 'replica' itself keeps it, and is given back 'origin' by nobody).
_TRIGGERS_OFF = ("SELECT set_config('session_replication_role', 'replica', true) "
                 "FROM (SELECT current_setting('session_replication_role') AS was) AS s WHERE s.was = 'origin'")
_TRIGGERS_ON = "SELECT set_config('session_replication_role', 'origin', true)"


@dataclass(frozen=True)
class ForeignKey:
    """A single-column foreign key, as the bulk check looks it up."""
    name: str
    column: str
    parent: str      # regclass text: quoted, and schema-qualified off the search path
    key: str
    key_type: str

    def lock_sql(self, alias: str) -> str:
        """How many of the given keys exist, each looked up and locked as the trigger does it: one index probe per
        key (a plain `= ANY(keys)` often makes the planner scan the whole parent table, which grows with history)."""
        return (f"(SELECT count(*) FROM unnest(%b::{self.key_type}[]) AS {alias}(k), LATERAL "
                f'(SELECT 1 FROM {self.parent} AS p WHERE p."{self.key}" = {alias}.k FOR KEY SHARE) AS locked)')


@dataclass
class Catalog:
    """What the bulk paths need to know about the role (once per connection), the tables' keys (at each COPY)
    and their column types (once per connection)."""
    cur: psycopg.Cursor
    privileged: bool | None = None
    deferred: bool = False  # foreign keys deferred to the end of a block (relaxed_foreign_keys): no bulk checks
    types: dict[str, dict[str, str]] = field(default_factory=dict)

    def may_skip_triggers(self) -> bool:
        """Whether this role may set session_replication_role: asked, never tried (a refused SET would abort
        the transaction it is in)."""
        if self.privileged is None:
            version = self.cur.connection.info.server_version
            self.cur.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')" if version >= 150000
                             else "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = self.cur.fetchone()
            self.privileged = bool(row and row[0])
        return self.privileged

    def _keys(self, table: str) -> tuple[ForeignKey, ...]:
        """The foreign keys a COPY into `table` may check in bulk; empty when its triggers must stay (other
        triggers, rules, partitions or children, a multi-column key) or there is nothing to check."""
        self.cur.execute(_KEYS_SQL, (table,))
        rows = [row for row in self.cur.fetchall() if row[0] is not None]
        if any(width != 1 for _, width, *_ in rows):
            return ()
        return tuple(ForeignKey(name, column, parent, key, kind) for name, _, column, parent, key, kind in rows)

    def column_types(self, table: str) -> dict[str, str]:
        if table not in self.types:
            self.cur.execute(_TYPES_SQL, (table,))
            self.types[table] = dict(self.cur.fetchall())
        return self.types[table]

    def triggers_off(self, table: str, columns: tuple[str, ...], rows: int) -> tuple[ForeignKey, ...]:
        """Before a COPY of `rows` rows into `table`: the foreign keys to check after it, with their
        triggers switched off until `triggers_on`; empty (triggers left as they are) when that cannot be.

        The table is locked as the COPY locks it before its keys and triggers are read, and stays locked to the
        end of the transaction: no trigger or key can be added in between (that takes a conflicting lock)."""
        if rows < BULK_CHECK_MIN_ROWS or self.deferred or not self.may_skip_triggers():
            return ()
        if self.cur.connection.info.transaction_status != psycopg.pq.TransactionStatus.INTRANS:
            return ()  # SET LOCAL needs a transaction; outside one, the triggers do the checking
        self.cur.execute(sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(sql.Identifier(table)))
        keys = self._keys(table)
        if not keys or any(k.column not in columns for k in keys):
            return ()
        self.cur.execute(_TRIGGERS_OFF)
        return keys if self.cur.fetchall() else ()

    def triggers_on(self, table: str, keys: tuple[ForeignKey, ...], columns: tuple[str, ...],
                    rows: list[tuple]) -> None:
        """After the COPY: triggers back on, then every distinct parent key of `rows` looked up and locked."""
        self.cur.execute(_TRIGGERS_ON)
        wanted = [_distinct(rows, columns.index(k.column)) for k in keys]
        self.cur.execute("SELECT " + ", ".join(k.lock_sql(f"k{i}") for i, k in enumerate(keys)), wanted)
        found = self.cur.fetchone() or ()
        for k, values, n in zip(keys, wanted, found):
            if n != len(values):
                raise DatabaseError(f'insert or update on table "{table}" violates foreign key constraint '
                                    f'"{k.name}": {self._missing(k, values)}')

    def _missing(self, key: ForeignKey, values: list) -> str:
        self.cur.execute(f'SELECT v FROM unnest(%b::{key.key_type}[]) AS v WHERE NOT EXISTS '
                         f'(SELECT 1 FROM {key.parent} AS p WHERE p."{key.key}" = v) LIMIT 1', (values,))
        row = self.cur.fetchone()
        return f"key ({key.column})=({row[0] if row else '?'}) is not present in table {key.parent}"

    def update(self, table: str, key: str, columns: tuple[str, ...], rows: list[tuple]) -> bool:
        """UPDATE `columns` of the rows whose `key` is row[0], from one array per column, in one statement;
        False (nothing done) when a column is an array itself, which unnest would flatten.

        The keys also go in as `key = ANY(keys)`: the planner then reads just those rows through the index,
        where a join with unnest alone often scans and hashes the whole table."""
        types = self.column_types(table)
        names = (key, *columns)
        if any(types[c].endswith("]") for c in names):
            return False
        if not rows:
            return True
        arrays = ", ".join(f"%b::{types[c]}[]" for c in names)
        alias = ", ".join(f"v{i}" for i in range(len(names)))
        sets = ", ".join(f'"{c}" = v.v{i}' for i, c in enumerate(columns, 1))
        values = [list(column) for column in zip(*rows)]
        self.cur.execute(f'UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({alias}) '
                         f'WHERE t."{key}" = v.v0 AND t."{key}" = ANY(%b::{types[key]}[])', [*values, values[0]])
        return True


def _distinct(rows: list[tuple], at: int) -> list[Any]:
    return list({r[at] for r in rows} - {None})
