"""One etl.py run: open the source and the warehouse, check they belong together, run the mode, and
log the run in the warehouse. The modes live in their own modules; this is what they share."""

from __future__ import annotations

import datetime as dt
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ConfigError, StateError
from ..storage.base import Database
from .warehouse import Warehouse

MODES = ("full", "incremental", "files", "cdc")
#: Modes that can take over each other's warehouse: full and incremental share the watermarks.
FAMILY = {"full": "query", "incremental": "query", "files": "files", "cdc": "cdc"}


@dataclass(frozen=True)
class EtlOptions:
    mode: str
    warehouse: Path
    deletes: str = "none"            # incremental: "none" or "changelog"
    exports: Path | None = None      # files: the export folder
    server_id: int | None = None     # cdc: MySQL replica id or PostgreSQL slot suffix (None: from the path)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.deletes not in ("none", "changelog"):
            raise ConfigError(f"--deletes must be none or changelog, not {self.deletes!r}")
        if self.deletes != "none" and self.mode != "incremental":
            raise ConfigError("--deletes applies to --mode incremental only",
                              hint="full, files and cdc see deletes by themselves")
        if self.server_id is None:  # distinct warehouses read the same server under distinct ids
            object.__setattr__(self, "server_id", 1_000_000 + zlib.crc32(str(self.warehouse).encode()) % 10**9)
        if self.mode == "files" and self.exports is None:
            raise ConfigError("--mode files needs --exports DIR (the folder generator.py --export-dir wrote)")


class Progress:
    """What a run reports as it goes; the command line shows it as a bar, tests ignore it."""

    def begin(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def end(self) -> None:
        pass


@dataclass
class Summary:
    mode: str
    warehouse: str
    source: str
    rows_read: int = 0
    rows_written: int = 0
    rows_deleted: int = 0
    seconds: float = 0.0
    position: str = ""                     # where the next run starts (watermark, day, binlog position)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, table: str, read: int = 0, written: int = 0, deleted: int = 0) -> None:
        self.rows_read += read
        self.rows_written += written
        self.rows_deleted += deleted
        t = self.tables.setdefault(table, {"read": 0, "written": 0, "deleted": 0})
        t["read"] += read
        t["written"] += written
        t["deleted"] += deleted

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Context:
    """What a mode works with."""
    options: EtlOptions
    wh: Warehouse
    db: Database | None
    ident: dict
    summary: Summary
    progress: Progress


def run_etl(options: EtlOptions, db: Database | None, progress: Progress | None = None) -> Summary:
    """Bring the warehouse at options.warehouse up to date with the source: the database `db`, or for
    --mode files the export folder (then `db` is not needed)."""
    from . import cdc, files, full, incremental
    from .source import source_identity
    modes: dict[str, Callable[[Context], None]] = {
        "full": full.run, "incremental": incremental.run, "files": files.run, "cdc": cdc.run}
    started = time.perf_counter()
    if options.mode == "files":
        ident, source_label = files.export_identity(Path(options.exports)), str(options.exports)
    else:
        if db is None:
            raise ConfigError(f"--mode {options.mode} needs a source database (--db)")
        ident, source_label = source_identity(db), db.url.display()
    path = Path(options.warehouse)
    created = not path.exists()
    wh = Warehouse(path)
    try:
        _check_binding(wh, options, ident)
        wh.create_tables()
        summary = Summary(options.mode, str(path), source_label)
        modes[options.mode](Context(options, wh, db, ident, summary, progress or Progress()))
        summary.seconds = round(time.perf_counter() - started, 3)
        wh.record_run(options.mode, summary.seconds, summary.rows_read, summary.rows_written,
                      summary.rows_deleted, summary.position,
                      dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"))
    except BaseException:
        try:  # a new warehouse that nothing was committed to is not left behind
            empty = created and not wh.state().get("source")
        except Exception:  # noqa: BLE001  (the warehouse is already failing: judge by creation)
            empty = created
        wh.close()
        if empty:
            for leftover in (path, path.with_name(path.name + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    wh.close()
    return summary


def _check_binding(wh: Warehouse, options: EtlOptions, ident: dict) -> None:
    st = wh.state()
    if not st.get("source"):
        return
    if st["source"] != ident:
        theirs = st["source"]
        raise StateError(f"warehouse {wh.path} holds another source (seed {theirs.get('seed')}, start "
                         f"{theirs.get('start_date')}), not this one (seed {ident['seed']}, start "
                         f"{ident['start_date']})", hint="use a new --warehouse path for this source")
    if FAMILY[st["mode"]] != FAMILY[options.mode]:
        raise StateError(f"warehouse {wh.path} is kept by --mode {st['mode']}; --mode {options.mode} cannot "
                         "take it over", hint="use a new --warehouse path for this mode")


def bind(ctx: Context) -> None:
    """Record, inside the run's first transaction, which source and mode the warehouse follows."""
    ctx.wh.set_state(source=ctx.ident, mode=ctx.options.mode)
