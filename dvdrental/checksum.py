"""An engine-independent content hash: the same seed and config give the same value on every engine.

Each value is written in one canonical text form chosen by its column's kind (storage.tables), rows
in key order, tables in a fixed order. sim_state.tool_version is left out: it is not content.
"""

from __future__ import annotations

import hashlib
from typing import Iterator

from .storage import Database
from .storage.values import canonical
from .storage.tables import TABLES, Table

SKIP = {("sim_state", "tool_version")}


def rows(db: Database, table: Table) -> Iterator[str]:
    cols = [(c, k) for c, k in table.columns if (table.name, c) not in SKIP]
    sql = f"SELECT {', '.join(c for c, _ in cols)} FROM {table.name} ORDER BY {', '.join(table.key)}"
    for row in db.query(sql):
        yield "\t".join(canonical(k, v) for (_, k), v in zip(cols, row))


def table_digests(db: Database) -> dict[str, str]:
    """`rows:sha256` per table, all from one consistent read (a run committing meanwhile cannot mix
    two states into one hash)."""
    out = {}
    with db.consistent_read():
        present = db.table_names()
        for name, table in TABLES.items():
            if name not in present:
                continue
            h = hashlib.sha256()
            n = 0
            for line in rows(db, table):
                h.update(line.encode())
                h.update(b"\n")
                n += 1
            out[name] = f"{n}:{h.hexdigest()}"
    return out


def checksum(db: Database) -> str:
    h = hashlib.sha256()
    for name, digest in sorted(table_digests(db).items()):
        h.update(f"{name}={digest}\n".encode())
    return h.hexdigest()
