"""Where a lake's store tasks run: a local Dask cluster, a Dask scheduler, or this process.

`scheduler` None starts a local cluster of `workers` processes with one thread each (the simulation is
pure Python and numpy: threads would only wait for each other); an address ("tcp://host:8786")
connects to a running scheduler, whose workers must have dvdrental-live importable and reach the lake's
URL; INLINE runs the tasks one after another here, without Dask (small lakes, debugging).
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from ..errors import ConfigError, DvdRentalError, StateError

INLINE = "inline"
#: run(fn, jobs, done): `fn` of every job, the results in job order; `done(result)` as each one finishes.
Runner = Callable[[Callable[[Any], Any], Sequence[Any], Callable[[Any], None]], list]


def default_workers() -> int:
    return os.cpu_count() or 1


@contextmanager
def runner(scheduler: str | None, workers: int | None) -> Iterator[Runner]:
    """A way to run tasks, ready for the whole run (a local cluster is started once and stopped after)."""
    if scheduler == INLINE:
        yield _inline
        return
    from distributed import Client, LocalCluster
    if scheduler is None:
        n = max(1, workers or default_workers())
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield _on(client)
        return
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                          hint="pass the address the scheduler prints (tcp://host:8786), or leave --scheduler "
                               "out for a local cluster") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            raise ConfigError(f"the Dask scheduler at {scheduler} has no workers",
                              hint="start workers with: dask worker " + scheduler) from None
        yield _on(client)


@contextmanager
def _task_errors() -> Iterator[None]:
    """A task's error (or a lost worker) as one StateError; the run keeps nothing of itself."""
    try:
        yield
    except DvdRentalError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a task raised
        raise StateError(f"a lake task failed: {type(exc).__name__}: {exc}",
                         hint="nothing of this run was kept; the lake is as it was before it") from exc


def _inline(fn: Callable[[Any], Any], jobs: Sequence[Any], done: Callable[[Any], None]) -> list:
    out = []
    with _task_errors():
        for job in jobs:
            out.append(fn(job))
            done(out[-1])
    return out


def _on(client: Any) -> Runner:
    from distributed import as_completed

    def run(fn: Callable[[Any], Any], jobs: Sequence[Any], done: Callable[[Any], None]) -> list:
        # jobs go to the workers directly, not through the scheduler's graph (a new lake's hold snapshots)
        futures = []
        try:
            with _task_errors():
                futures = client.map(fn, client.scatter(list(jobs), hash=False), pure=False)
                for future in as_completed(futures):
                    done(future.result())
                return [f.result() for f in futures]
        finally:
            client.cancel(futures)

    return run
