"""--mode cdc on MySQL/MariaDB: follow the row-based binary log.

The first run loads a consistent snapshot together with the binary-log position it stands at; every
run after it reads the log from the stored position (python-mysql-replication), folds each committed
transaction's inserts, updates and deletes per key in commit order, and applies them with the new
position in one warehouse transaction. Only positions after a commit (an Xid event) are stored, so a
run killed at any moment re-reads exactly the transactions it had not committed.

The server must log row images: log_bin ON, binlog_format ROW, binlog_row_image FULL, and
binlog_row_metadata FULL (column names and the values of ENUM and SET columns travel with the rows).
"""

from __future__ import annotations

import logging
from contextlib import ExitStack, contextmanager
from typing import Iterator

from ...errors import ConfigError, DatabaseError, StateError
from ...storage.base import Database
from ...storage.tables import SAKILA_TABLES, TABLES, Table
from ...storage.url import DbUrl
from ..fold import FLUSH_ROWS, Folded
from ..full import reload
from ..run import Context, bind
from .changes import apply, row_ops

#: The server settings CDC needs, and what each must be.
REQUIRED = (("log_bin", "1", "the binary log is off", "start the server with --log-bin"),
            ("binlog_format", "ROW", "binlog_format is {value}", "SET GLOBAL binlog_format = 'ROW'"),
            ("binlog_row_image", "FULL", "binlog_row_image is {value}", "SET GLOBAL binlog_row_image = 'FULL'"),
            ("binlog_row_metadata", "FULL", "binlog_row_metadata is {value}",
             "SET GLOBAL binlog_row_metadata = 'FULL'"))


def check_server(db: Database) -> None:
    """Refuse, with the one setting to change, a server whose binary log CDC cannot read."""
    for name, want, problem, fix in REQUIRED:
        rows = db.query(f"SHOW GLOBAL VARIABLES LIKE '{name}'")
        value = str(rows[0][1]).upper() if rows else "missing (server too old)"
        if value in ("ON", "1") and want == "1":
            continue
        if value != want:
            raise ConfigError(f"cannot follow {db.url.display()}: {problem.format(value=value)}, CDC needs "
                              f"{name} = {'ON' if want == '1' else want}",
                              hint=f"{fix} (see docs/etl.md, 'Server settings for CDC')")


def run(ctx: Context, position: list | None) -> None:
    """From the stored [file, position], or a first load when there is none."""
    if position is None:
        _initial_load(ctx)
    else:
        _follow(ctx, position[0], int(position[1]))


# ---- first run: snapshot and position ---------------------------------------------------------------

@contextmanager
def snapshot(db: Database, lock: bool = False) -> Iterator[tuple[str, int]]:
    """A consistent read of the source and the binary-log position it corresponds to.

    MariaDB reports the position of its consistent snapshot; elsewhere (or with `lock`) the tables are
    locked for the moment it takes to read the position and open the snapshot, as mysqldump
    --master-data does."""
    if not lock:
        with db.consistent_read():
            status = dict(db.query("SHOW STATUS LIKE 'binlog_snapshot_%'"))
            if status.get("Binlog_snapshot_file"):
                yield status["Binlog_snapshot_file"], int(status["Binlog_snapshot_position"])
                return
    with ExitStack() as stack:
        with locked_position(db) as position:
            stack.enter_context(db.consistent_read())
        yield position


@contextmanager
def locked_position(db: Database) -> Iterator[tuple[str, int]]:
    db.execute("FLUSH TABLES WITH READ LOCK")
    try:
        yield _master_position(db)
    finally:
        db.execute("UNLOCK TABLES")


def _master_position(db: Database) -> tuple[str, int]:
    for sql in ("SHOW BINARY LOG STATUS", "SHOW MASTER STATUS"):
        try:
            rows = db.query(sql)
        except Exception:  # the other spelling (MySQL 8.4 renamed it)
            continue
        if rows:
            return str(rows[0][0]), int(rows[0][1])
    raise DatabaseError(f"{db.url.display()} reports no binary-log position", hint="is log_bin on?")


def _initial_load(ctx: Context) -> None:
    with snapshot(ctx.db) as (file, pos), ctx.wh.transaction():
        bind(ctx)
        reload(ctx)
        ctx.wh.set_state(binlog=[file, pos])
    ctx.summary.position = f"binlog {file}:{pos}"


# ---- later runs: the binary log ------------------------------------------------------------------------

def _follow(ctx: Context, file: str, pos: int) -> None:
    from pymysqlreplication import BinLogStreamReader
    from pymysqlreplication.event import XidEvent
    from pymysqlreplication.row_event import DeleteRowsEvent, UpdateRowsEvent, WriteRowsEvent

    db, url = ctx.db, ctx.db.url
    logs = {name: int(size) for name, size, *_ in db.query("SHOW BINARY LOGS")}
    if file not in logs:
        raise StateError(f"the binary log {file} the warehouse stopped at is no longer on the server "
                         "(purged)", hint="rebuild: run --mode cdc into a new --warehouse path")
    offset = _offsets(logs)
    start = offset(file, pos)
    ctx.progress.begin("Reading binary log", offset(max(logs), logs[max(logs)]) - start)
    logging.getLogger("pymysqlreplication").setLevel(logging.ERROR)
    stream = BinLogStreamReader(
        connection_settings=binlog_settings(url),
        server_id=ctx.options.server_id, log_file=file, log_pos=pos, resume_stream=True, blocking=False,
        only_events=[WriteRowsEvent, UpdateRowsEvent, DeleteRowsEvent, XidEvent],
        only_schemas=[url.database], only_tables=[t.name for t in SAKILA_TABLES], is_mariadb=False)
    folded, pending = Folded(), []
    committed, shown = (file, pos), start
    try:
        for event in stream:
            if isinstance(event, XidEvent):
                folded.add(pending)
                pending = []
                committed = (stream.log_file, stream.log_pos)
                if folded.size >= FLUSH_ROWS:
                    apply(ctx, folded, binlog=list(committed))
                    folded = Folded()
                here = offset(*committed)
                ctx.progress.advance(max(here - shown, 0))
                shown = max(here, shown)
            else:
                ops = _ops(event, TABLES[event.table])
                ctx.summary.count(event.table, read=len(ops))
                pending += ops
    finally:
        stream.close()
    apply(ctx, folded, binlog=list(committed))
    ctx.progress.end()
    ctx.summary.position = f"binlog {committed[0]}:{committed[1]}"


def binlog_settings(url: DbUrl) -> dict:
    """PyMySQL settings of the binary-log reader, with the read/write timeout every MySQL connection has
    (DVDRENTAL_DB_TIMEOUT): a frozen server ends the run with an error instead of blocking it."""
    from ...storage.timeout import timeout_seconds
    timeout = timeout_seconds()
    return {"host": url.host, "port": url.port, "user": url.user, "password": url.password or "",
            "connect_timeout": min(10, timeout), "read_timeout": timeout, "write_timeout": timeout}


def _offsets(logs: dict[str, int]):
    """Position in a binary-log file -> bytes from the start of the oldest file (for the progress bar)."""
    names = sorted(logs)

    def offset(name: str, pos: int) -> int:
        return sum(logs[n] for n in names if n < name) + pos
    return offset


def _ops(event: object, table: Table) -> list[tuple[str, tuple, tuple | None]]:
    """(table, key, image or None for a delete) of each row of a rows event, in order."""
    from pymysqlreplication.row_event import DeleteRowsEvent, UpdateRowsEvent
    out = []
    for row in event.rows:
        if isinstance(event, UpdateRowsEvent):
            out += row_ops(table, _image(table, row["before_values"]), _image(table, row["after_values"]))
        elif isinstance(event, DeleteRowsEvent):
            out += row_ops(table, _image(table, row["values"]), None)
        else:
            out += row_ops(table, None, _image(table, row["values"]))
    return out


def _image(table: Table, values: dict) -> tuple:
    try:
        return tuple(values[c] for c in table.column_names)
    except KeyError:
        raise StateError(f"the binary log has rows of {table.name} without column names "
                         f"({', '.join(list(values)[:3])}...): they were written before binlog_row_metadata "
                         "was FULL", hint="rebuild: run --mode cdc into a new --warehouse path") from None
