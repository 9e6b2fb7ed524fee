"""Writing batches of days in a second process, so the simulation and the database work at once.

On a 2-core machine the simulation (pure Python) and the database writes (the driver's conversions
plus the server's work) each want a core. Threads cannot share them well: every time the server
answers, the writing thread waits for the GIL. A writer process has its own interpreter and its own
connection. It gets whole batches (days, rows and the sim_state that records them) through a pipe,
one in flight while the next is simulated, and commits them in day order.

The writer is a fresh interpreter (`python -m dvdrental.writer`), not a fork: a forked child would
carry the parent's SQLite state (which SQLite forbids across fork: its lock bookkeeping would be
wrong) and copies of the parent's run lock (a descriptor of the file) and MySQL session, which would
keep the run lock alive after the parent is killed. It inherits only its two pipes and imports only
the storage layer (no numpy, no simulation, not the parent's script), so it is ready in ~0.1 s; runs
shorter than SEPARATE_MIN_DAYS still write in-process.

Safety: the child dies with its parent (PR_SET_PDEATHSIG), so a killed run never leaves a writer
behind; a batch is one transaction, so whatever was in flight is either committed whole or rolled
back, and the next run resumes from the last committed day.

Ctrl-C reaches the run, never the writer: the writer has its own process group (the terminal sends
SIGINT to the foreground group only) and ignores SIGINT. The run then never waits on the pipe: a
batch cut off mid-message by the interrupt can never be completed, so the run closes the pipe (the
writer reads end-of-file and stops), lets the writer finish the batch it is committing for at most
STOP_WAIT seconds, then kills it (the batch rolls back). Only then is the run lock released.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

from .children import die_with_parent
from .errors import DatabaseError
from .exports.daily import DailyExport, Target
from .paths import PROJECT_ROOT
from .storage import Database, connect
from .storage.rows import Batch

def _serve(parent: int, jobs: Connection, results: Connection) -> None:
    """The writer process: connect to the URL it is sent first, write each batch, report back,
    stop on None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    try:
        url, target = jobs.recv()
    except (EOFError, OSError):  # the run stopped before it sent anything
        os._exit(0)
    exports = DailyExport(target.root, target.ident) if target is not None else None
    try:
        db = connect(url, create=False)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        _report(results, ("error", _why(exc)))
        os._exit(0)
    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError):  # the run stopped, perhaps in the middle of a message: no batch
            break
        if job is None:
            break
        batch, last_day, counters = job
        t = time.perf_counter()
        try:
            db.write_batch(batch, last_day, counters, exports)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            _report(results, ("error", _why(exc)))
            break
        if not _report(results, ("ok", time.perf_counter() - t)):
            break
    db.close()
    os._exit(0)


def _why(exc: BaseException) -> str:
    """An error as one line: its type and first line (PostgreSQL adds CONTEXT and LINE lines)."""
    from .storage.timeout import given_up
    if given_up():
        return given_up()
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def _report(results: Connection, message: tuple) -> bool:
    """Send a result; False once the run has stopped listening."""
    try:
        results.send(message)
        return True
    except OSError:
        return False


def _failed(why: str) -> DatabaseError:
    return DatabaseError(f"writing failed: {why}", hint="every finished day is committed; fix the cause and run again")


#: Runs at least this long get a writer process; shorter ones would spend more starting it.
SEPARATE_MIN_DAYS = 182
#: Seconds a stopped run gives the writer to finish the batch it is committing before killing it.
STOP_WAIT = 2.0


class BatchWriter:
    """Commits batches in order: in a writer process for long runs on a database file or server,
    in-process otherwise (short runs, in-memory SQLite)."""

    def __init__(self, db: Database, days: int, exports: Target | None = None) -> None:
        self.db = db
        self.target = exports
        self.exports = DailyExport(exports.root, exports.ident) if exports is not None else None
        self.busy = 0.0     # seconds spent writing
        self.waited = 0.0   # seconds the simulation spent waiting for the writer
        self.in_flight = False
        self.proc: Any = None
        on_disk = db.url.engine != "sqlite" or db.url.path is not None
        self.separate = on_disk and days >= SEPARATE_MIN_DAYS

    def __enter__(self) -> "BatchWriter":
        if self.separate:
            jobs_r, jobs_w = os.pipe()
            results_r, results_w = os.pipe()
            self.jobs = Connection(jobs_w, readable=False)
            self.results = Connection(results_r, writable=False)
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                filter(None, (str(PROJECT_ROOT), os.environ.get("PYTHONPATH"))))}
            try:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "dvdrental.writer", str(jobs_r), str(results_w), str(os.getpid())],
                    pass_fds=(jobs_r, results_w), stdin=subprocess.DEVNULL, env=env,
                    process_group=0)  # out of the terminal's foreground group: Ctrl-C is the run's alone
            except BaseException:
                self.jobs.close()
                self.results.close()
                raise
            finally:
                os.close(jobs_r)
                os.close(results_w)
            try:
                self.jobs.send((self.db.url, self.target))  # through the pipe: a password never shows in `ps`
            except BaseException:
                self._stop(0)
                raise
        return self

    def submit(self, batch: Batch, last_day: str, counters: dict[str, int]) -> None:
        if not self.separate:
            t = time.perf_counter()
            try:
                self.db.write_batch(batch, last_day, counters, self.exports)
            except Exception as exc:  # the same error, wherever the batch was written
                raise _failed(_why(exc)) from None
            self.busy += time.perf_counter() - t
            return
        self._wait()
        self.jobs.send((batch, last_day, dict(counters)))
        self.in_flight = True

    def _wait(self) -> None:
        if not self.in_flight:
            return
        t = time.perf_counter()
        try:
            status, value = self.results.recv()
        except (EOFError, OSError):  # killed, perhaps in the middle of its answer
            raise DatabaseError("the writer process stopped unexpectedly",
                                hint="every finished day is committed; run the command again") from None
        finally:
            self.waited += time.perf_counter() - t
        self.in_flight = False
        if status == "error":
            raise _failed(value)
        self.busy += value

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.separate:
            return
        grace: float | None = STOP_WAIT
        try:
            if exc_type is None:  # everything was sent whole: wait for the last result, then stop cleanly
                self._wait()
                try:
                    self.jobs.send(None)
                    grace = None  # closing the database may checkpoint it: let it
                except OSError:
                    pass
        finally:
            self._stop(grace)

    def _stop(self, grace: float | None) -> None:
        """End the writer without ever blocking on the pipe (it may hold half a message cut off by
        Ctrl-C): close our end, give the writer `grace` seconds to finish the batch it is committing
        (None: as long as it takes), then kill it; the batch it was writing then rolls back."""
        t = time.perf_counter()
        try:
            self.jobs.close()
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._kill()
            except BaseException:  # Ctrl-C while waiting: stop now
                self._kill()
                raise
        finally:
            self.results.close()
            self.waited += time.perf_counter() - t

    def _kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


if __name__ == "__main__":  # the writer process (started by BatchWriter)
    _serve(int(sys.argv[3]), Connection(int(sys.argv[1]), writable=False),
           Connection(int(sys.argv[2]), readable=False))
