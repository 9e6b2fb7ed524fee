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
from typing import Callable, Iterator, Sequence, TypeVar

from ..errors import ConfigError, DvdRentalError, StateError

INLINE = "inline"
J = TypeVar("J")
R = TypeVar("R")
#: Runs `fn` on every job and returns the results in job order; `done(result)` as each one finishes.
Runner = Callable[[Callable[[J], R], Sequence[J], Callable[[R], None]], list[R]]


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
        yield _on(client)


def _inline(fn: Callable[[J], R], jobs: Sequence[J], done: Callable[[R], None]) -> list[R]:
    out = []
    for job in jobs:
        out.append(fn(job))
        done(out[-1])
    return out


def _on(client) -> Runner:
    from distributed import as_completed

    def run(fn: Callable[[J], R], jobs: Sequence[J], done: Callable[[R], None]) -> list[R]:
        futures = client.map(fn, list(jobs), pure=False)
        try:
            for future in as_completed(futures):
                done(future.result())
            return [f.result() for f in futures]
        except DvdRentalError:
            raise
        except Exception as exc:  # noqa: BLE001 - a worker's error, or a worker lost
            raise StateError(f"a lake task failed: {type(exc).__name__}: {exc}",
                             hint="nothing of this run was kept; the lake is as it was before it") from None
        finally:
            client.cancel(futures)

    return run
