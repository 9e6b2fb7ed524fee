"""validate.py --warehouse: is the warehouse equal to the source, table by table?

Each source table is read (in one consistent read) into an in-memory DuckDB beside the attached
warehouse, through the same Arrow path as the ETL, so both sides are compared as the same types:
row counts and an order-independent content hash (the sum of the row hashes) first, and only for a
table whose hash differs, a join on the key that names the first keys missing, extra or changed.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from ..storage.base import Database
from ..storage.tables import SAKILA_TABLES, Table
from .columns import select_cast
from .source import chunks
from .warehouse import Warehouse, check_file, column_ddl

EXAMPLES = 5


def compare(db: Database, path: Path) -> dict:
    """{ok, tables: [{table, source_rows, warehouse_rows, source_hash, warehouse_hash, status, missing,
    extra, changed, examples}], drift: [names]}; raises for a warehouse or source it cannot read."""
    started = time.perf_counter()
    check_file(Path(path))
    Warehouse(Path(path), read_only=True).close()  # the clear errors (missing, locked, not DuckDB)
    con = duckdb.connect(config={"autoload_known_extensions": False, "autoinstall_known_extensions": False})
    try:
        con.execute("ATTACH ? AS wh (READ_ONLY)", (str(path),))
        present = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'wh'").fetchall()}
        results = []
        with db.consistent_read():
            for table in SAKILA_TABLES:
                results.append(_table(con, db, table, table.name in present))
    finally:
        con.close()
    drift = [r["table"] for r in results if r["status"] != "equal"]
    return {"ok": not drift, "source": db.url.display(), "warehouse": str(path), "tables": results,
            "drift": drift, "seconds": round(time.perf_counter() - started, 2)}


def _table(con: duckdb.DuckDBPyConnection, db: Database, table: Table, present: bool) -> dict:
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    con.execute(f"CREATE OR REPLACE TEMP TABLE src ({column_ddl(table)})")
    for chunk in chunks(db, table):
        con.register("stage", chunk)
        con.execute(f"INSERT INTO src {select_cast(table.columns)}")
        con.unregister("stage")
    out = {"table": table.name, "status": "equal", "missing": 0, "extra": 0, "changed": 0, "examples": []}
    out["source_rows"], out["source_hash"] = _digest(con, "src", cols)
    if not present:
        out.update(status="absent", warehouse_rows=0, warehouse_hash=None)
        return out
    out["warehouse_rows"], out["warehouse_hash"] = _digest(con, f"wh.{table.name}", cols)
    if (out["source_rows"], out["source_hash"]) == (out["warehouse_rows"], out["warehouse_hash"]):
        return out
    out["status"] = "drift"
    on = " AND ".join(f's."{k}" = w."{k}"' for k in table.key)
    key = ", ".join(f'COALESCE(s."{k}", w."{k}")' for k in table.key)
    differs = [c for c in table.column_names if c not in table.key]
    changed = " OR ".join(f's."{c}" IS DISTINCT FROM w."{c}"' for c in differs) or "FALSE"
    which = ", ".join(f"CASE WHEN s.\"{c}\" IS DISTINCT FROM w.\"{c}\" THEN '{c}' END" for c in differs)
    rows = con.execute(
        f"SELECT {key}, CASE WHEN w.\"{table.key[0]}\" IS NULL THEN 'missing' "
        f"WHEN s.\"{table.key[0]}\" IS NULL THEN 'extra' ELSE 'changed' END AS what, "
        f"concat_ws(', ', {which or 'NULL'}) AS cols "
        f"FROM src s FULL OUTER JOIN wh.{table.name} w ON {on} "
        f"WHERE s.\"{table.key[0]}\" IS NULL OR w.\"{table.key[0]}\" IS NULL OR ({changed}) "
        f"ORDER BY what, {key}").fetchall()
    n = len(table.key)
    for r in rows:
        out[r[n]] += 1
    for what in ("missing", "extra", "changed"):
        picked = [r for r in rows if r[n] == what][:EXAMPLES]
        out["examples"] += [{"key": list(r[:n]), "what": what, **({"columns": r[n + 1]} if what == "changed" else {})}
                            for r in picked]
    return out


def _digest(con: duckdb.DuckDBPyConnection, source: str, cols: str) -> tuple[int, str | None]:
    n, h = con.execute(f"SELECT COUNT(*), SUM(hash({cols})::HUGEINT) FROM {source}").fetchone()
    return int(n), None if h is None else format(int(h) & (2**128 - 1), "032x")
