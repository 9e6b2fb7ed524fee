"""A lake loaded into a database: the same database the chain's run would have made directly.

The schema comes from the engine (`create_schema`), the rows from the lake's files in the form the
database path's writes give them (`tables.LakeTable.sql_rows`), parents first, with sim_state last; all
in one transaction, so a failed load leaves no half database (its tables are dropped). Incremental runs
continue the loaded database like any other.

sim_change_log is not in a lake: a loaded database's log is empty, and its checksum equals the direct
database's only when that one ran with late_changes.change_log off. Its change counter is the one the
database path keeps, so a loaded database logs later changes with the numbers they would have had.
"""

from __future__ import annotations

from ..errors import StateError
from ..storage import Database
from ..storage.base import undo_on_error
from ..storage.rows import Insert
from .files import Lake
from .tables import FILE, LAKE_TABLES, LOAD_ORDER


def load_lake(lake_url: str, db: Database, reset: bool = False) -> dict[str, int]:
    """Load the lake at `lake_url` into the empty database `db` (`reset`: drop what it holds first);
    returns the rows loaded per table."""
    lake = Lake(lake_url)
    lake.chain()
    counts: dict[str, int] = {}
    with db.lock():
        if not db.is_empty():
            if not (reset or db.is_unfinished()):
                raise StateError(f"{db.url.display()} is not empty",
                                 hint="pass --reset to delete its dvdrental-live tables and start over")
            db.drop_all()
        with undo_on_error(db.rollback, db.drop_all):
            db.create_schema()
            with db.transaction(), db.relaxed_foreign_keys():
                for name in LOAD_ORDER:
                    t = LAKE_TABLES[name]
                    counts[name] = 0
                    for rel in files(lake, name):
                        rows = t.sql_rows(lake.read_parquet(rel).cast(t.schema))
                        if rows:
                            db.insert(Insert(name, t.column_names, rows))
                            counts[name] += len(rows)
    return counts


def read_lake(lake_url: str) -> dict:
    """A lake's chain.json (seed, config, last day, counters, stores), once any committed run is finished;
    refuses a missing or foreign lake (before a command opens, and perhaps creates, a database)."""
    return Lake(lake_url).chain()


def files(lake: Lake, table: str) -> list[str]:
    """A table's files, relative to the lake's root: what a reader listing the lake finds, in store
    and month order."""
    t = LAKE_TABLES[table]
    if t.month is None:
        return [t.rel("")] if lake.exists(t.rel("")) else []
    prefix = lake.path("")
    found = lake.fs.glob(lake.path(f"{table}/store=*/month=*/{FILE}"))
    rels = [p[len(prefix):] for p in found]
    return sorted(rels, key=lambda rel: (int(rel.split("/")[1][6:]), rel))
