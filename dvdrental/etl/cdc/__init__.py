"""--mode cdc: change data capture from the source server's own record of committed changes.

MySQL/MariaDB: the row-based binary log (binlog.py). PostgreSQL: logical decoding from a replication
slot with the pgoutput plugin (logical.py, its messages decoded by pgoutput.py). Both load a consistent
snapshot on the first run; every later run folds each committed transaction's inserts, updates and
deletes per key in commit order and applies them with the position after the last commit in one
warehouse transaction (changes.py), so a run killed at any moment re-reads exactly what it had not
committed.
"""

from __future__ import annotations

from ...errors import ConfigError, StateError
from ...storage.base import Database
from ..run import Context
from ..source import last_day
from . import binlog, logical
from .binlog import binlog_settings, snapshot

__all__ = ["binlog_settings", "check_server", "run", "snapshot"]

#: The engines CDC follows, and the warehouse state each keeps its position under.
FOLLOWERS = {"mysql": (binlog, "binlog"), "postgresql": (logical, "slot")}


def check_server(db: Database) -> None:
    """Refuse, with the one setting to change, a server whose changes CDC cannot read."""
    if db.engine not in FOLLOWERS:
        raise ConfigError(f"--mode cdc reads a MySQL/MariaDB binary log or PostgreSQL's logical decoding; "
                          f"{db.url.display()} is {db.engine}",
                          hint="use --mode incremental or --mode files with this source")
    FOLLOWERS[db.engine][0].check_server(db)


def run(ctx: Context) -> None:
    check_server(ctx.db)
    follower, key = FOLLOWERS[ctx.db.engine]
    state = ctx.wh.state()
    for other_engine, (_, other) in FOLLOWERS.items():
        if other != key and other in state:
            raise StateError(f"warehouse {ctx.wh.path} follows a {other_engine} source's log, not "
                             f"{ctx.db.url.display()}", hint="use a new --warehouse path for this source")
    follower.run(ctx, state.get(key))
    ctx.summary.notes.append(f"source last day {last_day(ctx.db)}")
