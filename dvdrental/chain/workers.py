"""The stores of a chain stepped in parallel processes, each owning some stores for the whole run.

Each worker is a fresh interpreter (`python -m dvdrental.chain.workers`, like the writer: no fork, so
no copy of the parent's database session or run lock) that dies with the run. It is sent its stores'
snapshots once, then batches of days to simulate; it answers with the stores' days (chain ids) and
their next local ids. Which worker owns a store changes nothing in what the store draws. While the run
merges and writes one batch, the workers already simulate the next.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from multiprocessing.connection import Connection
from typing import Any

from ..children import die_with_parent
from ..errors import StateError
from ..paths import PROJECT_ROOT
from ..sim.events import DayEvents
from ..sim.state import Snapshot
from .shard import StoreSim
from .split import split_snapshot

#: One batch's result: per store in store order, its days; and the stores' next ids
Result = tuple[list[list[DayEvents]], dict[str, int]]


class Shards:
    """All stores of a chain: in this process (`workers` 1) or spread over `workers` processes."""

    def __init__(self, cfg_dict: dict, seed: int, snap: Snapshot, workers: int) -> None:
        from ..config import Config
        self.stores = sorted(int(s) for s in snap.stores)
        self.workers = max(1, min(workers, len(self.stores)))
        self.procs: list[tuple[subprocess.Popen, Connection, Connection]] = []
        self.local: list[StoreSim] = []
        self.end: int | None = None
        self.peak_mb = 0.0  # the largest peak memory of a worker so far
        cfg = Config.from_dict(cfg_dict)
        if self.workers == 1:
            self.local = [StoreSim(cfg, seed, s, self.stores, split_snapshot(snap, s)) for s in self.stores]
            return
        try:
            for w in range(self.workers):
                mine = self.stores[w::self.workers]
                self.procs.append(_start())
                self.procs[-1][1].send((cfg_dict, seed, self.stores, [(s, split_snapshot(snap, s)) for s in mine]))
        except BaseException:
            self.close()
            raise

    def start(self, last_day: int) -> None:
        """Have every store simulate up to `last_day` (collect with `collect`)."""
        self.end = last_day
        for _, jobs, _ in self.procs:
            jobs.send(last_day)

    def collect(self) -> Result:
        assert self.end is not None
        if not self.procs:
            days = [sim.run(self.end) for sim in self.local]
            self.peak_mb = peak_mb()
            return days, _counters(self.local)
        by_store: dict[int, list[DayEvents]] = {}
        counters = {}
        for _, _, results in self.procs:
            status, value = _receive(results)
            if status == "error":
                raise StateError(f"a simulation worker failed: {value}")
            days, cnt, mb = value
            self.peak_mb = max(self.peak_mb, mb)
            by_store.update(days)
            counters.update(cnt)
        return [by_store[s] for s in self.stores], counters

    def batches(self, first_end: int, last_day: int, days: int):
        """Results of batches of `days` days up to `last_day`, the next batch simulated meanwhile."""
        ends = list(range(first_end, last_day, days)) + [last_day]
        self.start(ends[0])
        for i in range(len(ends)):
            result = self.collect()
            if i + 1 < len(ends):
                self.start(ends[i + 1])
            yield result

    def close(self) -> None:
        for proc, jobs, results in self.procs:
            jobs.close()
            results.close()
            try:
                proc.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []

    def __enter__(self) -> "Shards":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _counters(sims: list[StoreSim]) -> dict[str, int]:
    """The stores' next ids, and the chain's film and actor counters (every store has the same)."""
    out = {k: sims[0].state.counters[k] for k in ("film", "actor")}
    for sim in sims:
        out.update(sim.counters())
    return out


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (a worker's: over every batch or task it ran)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1 << 20) if sys.platform == "darwin" else kb / 1024


def _receive(results: Connection) -> tuple[str, Any]:
    try:
        return results.recv()
    except (EOFError, OSError):
        raise StateError("a simulation worker stopped unexpectedly",
                         hint="every finished day is committed; run the command again") from None


def _start() -> tuple[subprocess.Popen, Connection, Connection]:
    jobs_r, jobs_w = os.pipe()
    results_r, results_w = os.pipe()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(PROJECT_ROOT), os.environ.get("PYTHONPATH"))))}
    try:
        proc = subprocess.Popen([sys.executable, "-m", "dvdrental.chain.workers", str(jobs_r), str(results_w),
                                 str(os.getpid())], pass_fds=(jobs_r, results_w), stdin=subprocess.DEVNULL, env=env,
                                process_group=0)
    finally:
        os.close(jobs_r)
        os.close(results_w)
    return proc, Connection(jobs_w, readable=False), Connection(results_r, writable=False)


def _serve(parent: int, jobs: Connection, results: Connection) -> None:
    """A worker: build its stores from their snapshots, then simulate up to each day it is sent."""
    from ..config import Config
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    try:
        cfg_dict, seed, stores, snaps = jobs.recv()
        cfg = Config.from_dict(cfg_dict)
        sims = [StoreSim(cfg, seed, s, stores, snap) for s, snap in snaps]
        while True:
            last_day = jobs.recv()
            days = {sim.store: sim.run(last_day) for sim in sims}
            results.send(("ok", (days, _counters(sims), peak_mb())))
    except (EOFError, OSError):  # the run stopped
        pass
    except BaseException as exc:  # noqa: BLE001 - reported to the run
        try:
            results.send(("error", f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass
    os._exit(0)


if __name__ == "__main__":
    _serve(int(sys.argv[3]), Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
