"""A lake's files on any fsspec filesystem (a folder, file://, s3://, gs://, ...), and how a run changes
them without ever leaving a half-updated lake.

A run (building a lake, continuing one) writes every file it changes under `_staging/<run>/`, mirroring
the lake's layout; readers (and Spark, DuckDB, Trino, which skip names starting with _) do not see
them. Once every store is done it writes `_staging/<run>/_commit.json`, listing the files to move and
the partitions to delete: that single write is the commit. It then moves the files into place, deletes
what is gone, writes `_sim_state/chain.json` (the lake's day and counters) and removes the staging
folder. A run that fails before its commit leaves the lake as it was (its staging folder is removed,
or cleared by the next run); one killed after it is finished by the next run or load, which roll any
committed run forward first. While a commit is being rolled forward, a reader that lists the folders
itself may see some partitions new and others old; each file is replaced whole.

One run writes to a lake at a time: on a local disk a second one is refused (a lock); on an object
store this is not enforced, but a run whose lake was changed meanwhile refuses to commit.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pickle
import uuid
from contextlib import contextmanager
from typing import Any, Iterator

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ConfigError, LockedError, StateError

FORMAT = "dvdrental-live lake"
VERSION = 1
STATE_DIR = "_sim_state"
CHAIN = f"{STATE_DIR}/chain.json"
STAGING = "_staging"
COMMIT = "_commit.json"
BUILD_HINT = "build one with master_simulation.py --lake URL"


def store_state(store: int) -> str:
    """A store's state file: its snapshot and partition index (see `task`)."""
    return f"{STATE_DIR}/store={store}.pkl"


class Lake:
    """A lake's root on its filesystem."""

    def __init__(self, url: str) -> None:
        self.url = str(url)
        try:
            self.fs, root = fsspec.core.url_to_fs(self.url)
        except (ValueError, ImportError) as exc:
            raise ConfigError(f"cannot open lake {self.url}: {exc}",
                              hint="use a folder, file:///path or an fsspec URL such as s3://bucket/path") from None
        self.root = root.rstrip("/") or "/"
        self.local = "file" in _protocols(self.fs)

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def exists(self, rel: str) -> bool:
        return self.fs.exists(self.path(rel))

    def read_parquet(self, rel: str) -> pa.Table:
        with self.fs.open(self.path(rel), "rb") as f:
            return pq.read_table(f)

    def write_parquet(self, rel: str, table: pa.Table) -> None:
        buf = io.BytesIO()
        pq.write_table(table, buf)
        self.write_bytes(rel, buf.getvalue())

    def write_bytes(self, rel: str, data: bytes, atomic: bool = False) -> None:
        """Write a file; `atomic`: readers see the old file or the new one, never a part (a new name,
        then a move: a rename on a local disk; an object store replaces an object whole anyway)."""
        target = self.path(rel)
        self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        tmp = f"{target}.tmp-{uuid.uuid4().hex}" if atomic else target
        with self.fs.open(tmp, "wb") as f:
            f.write(data)
        if atomic:
            self.fs.mv(tmp, target)

    def read_json(self, rel: str) -> Any:
        with self.fs.open(self.path(rel), "rb") as f:
            return json.loads(f.read())

    def write_json(self, rel: str, data: Any) -> None:
        self.write_bytes(rel, json.dumps(data, sort_keys=True, indent=1).encode(), atomic=True)

    def read_pickle(self, rel: str) -> Any:
        with self.fs.open(self.path(rel), "rb") as f:
            return pickle.load(f)

    def chain(self) -> dict:
        """The lake's chain.json, after finishing a committed run; refuses what is no lake."""
        if not self.fs.exists(self.root):
            raise StateError(f"lake {self.url} does not exist", hint=BUILD_HINT)
        self.recover()
        if not self.exists(CHAIN):
            raise StateError(f"{self.url} is not a dvdrental-live lake (no {CHAIN})",
                             hint="pass the folder or URL a lake was built in; " + BUILD_HINT)
        try:
            doc = self.read_json(CHAIN)
        except (ValueError, OSError) as exc:
            raise StateError(f"{self.url}: {CHAIN} cannot be read ({exc})",
                             hint="restore the lake from a copy, or build it anew") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise StateError(f"{self.url} is not a dvdrental-live lake ({CHAIN} is another program's)",
                             hint="pass the folder or URL a lake was built in; " + BUILD_HINT)
        if doc.get("version", 0) > VERSION:
            raise StateError(f"{self.url} was made by a newer version of dvdrental-live (lake format "
                             f"{doc['version']}, this one reads {VERSION})", hint="upgrade dvdrental-live")
        return doc

    def recover(self, unfinished: bool = False) -> None:
        """Finish every committed run; `unfinished`: also remove staging a failed run left (a writer only:
        it holds the lake, so no other run is writing)."""
        if not self.exists(STAGING):
            return
        for entry in sorted(self.fs.ls(self.path(STAGING), detail=False)):
            run_id = entry.rstrip("/").rsplit("/", 1)[-1]
            record = f"{STAGING}/{run_id}/{COMMIT}"
            if self.exists(record):
                roll_forward(self, run_id, self.read_json(record))
            elif unfinished:
                self.fs.rm(entry, recursive=True)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the lake for one run (a local lake: an flock the kernel drops when the run exits)."""
        if not self.local:
            yield
            return
        os.makedirs(self.path(STATE_DIR), exist_ok=True)
        fd = os.open(self.path(f"{STATE_DIR}/lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockedError(f"lake {self.url} is in use by another dvdrental-live run",
                                  hint="wait for it to finish; a run that was killed releases it at once") from None
            yield
        finally:
            os.close(fd)


class Run:
    """One run's view of a lake: the files it has written (staged) or deleted, else the lake's."""

    def __init__(self, lake: Lake, run_id: str) -> None:
        self.lake, self.run_id = lake, run_id
        self.staged: set[str] = set()
        self.deleted: set[str] = set()
        self.committed = False

    def staging(self, rel: str) -> str:
        return f"{STAGING}/{self.run_id}/{rel}"

    def read(self, rel: str) -> pa.Table | None:
        if rel in self.deleted:
            return None
        if rel in self.staged:
            return self.lake.read_parquet(self.staging(rel))
        return self.lake.read_parquet(rel) if self.lake.exists(rel) else None

    def write(self, rel: str, table: pa.Table) -> None:
        self.lake.write_parquet(self.staging(rel), table)
        self.staged.add(rel)
        self.deleted.discard(rel)

    def write_pickle(self, rel: str, value: Any) -> None:
        self.lake.write_bytes(self.staging(rel), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self.staged.add(rel)

    def delete(self, rel: str) -> None:
        if rel in self.staged:
            self.lake.fs.rm(self.lake.path(self.staging(rel)))
            self.staged.discard(rel)
        self.deleted.add(rel)

    def discard(self) -> None:
        """Remove what the run staged, if it failed before its commit (after it, the next run finishes it)."""
        if self.committed:
            return
        path = self.lake.path(f"{STAGING}/{self.run_id}")
        if self.lake.fs.exists(path):
            self.lake.fs.rm(path, recursive=True)

    def commit(self, chain: dict, generation: int | None) -> None:
        """Make the run's files the lake's, with `chain` as its chain.json; `generation`: the lake's
        when the run began (None: a new lake)."""
        lake = self.lake
        now = lake.read_json(CHAIN).get("generation") if lake.exists(CHAIN) else None
        if now != generation:
            raise StateError(f"lake {lake.url} was changed by another run meanwhile; this run is not kept",
                             hint="run one command at a time on a lake")
        prefix = lake.path(f"{STAGING}/{self.run_id}/")
        there = {p[len(prefix):] for p in lake.fs.find(prefix)} if lake.fs.exists(prefix) else set()
        if not self.staged <= there:
            raise StateError(f"lake {lake.url}: files of this run were removed before its commit; it is not kept",
                             hint="run one command at a time on a lake")
        record = {"moves": sorted(self.staged), "deletes": sorted(self.deleted), "chain": chain}
        lake.write_json(f"{STAGING}/{self.run_id}/{COMMIT}", record)  # the commit point
        self.committed = True
        roll_forward(lake, self.run_id, record)


def roll_forward(lake: Lake, run_id: str, record: dict) -> None:
    """Carry out a committed run's record; every step may be repeated (a run killed halfway)."""
    fs = lake.fs
    for rel in record["moves"]:
        src = lake.path(f"{STAGING}/{run_id}/{rel}")
        if fs.exists(src):
            target = lake.path(rel)
            fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
            fs.mv(src, target)
    for rel in record["deletes"]:
        if lake.exists(rel):
            fs.rm(lake.path(rel))
            if lake.local:  # an emptied month's folder goes too (object stores have no folders)
                _remove_empty(lake.path(rel).rsplit("/", 1)[0])
    lake.write_json(CHAIN, record["chain"])
    fs.rm(lake.path(f"{STAGING}/{run_id}"), recursive=True)
    if lake.local:
        _remove_empty(lake.path(STAGING))


def new_run_id() -> str:
    return uuid.uuid4().hex


def _remove_empty(path: str) -> None:
    try:
        os.rmdir(path)
    except OSError:
        pass


def _protocols(fs: fsspec.AbstractFileSystem) -> tuple[str, ...]:
    p = fs.protocol
    return (p,) if isinstance(p, str) else tuple(p)
