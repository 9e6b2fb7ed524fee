"""A sharded chain's run: the stores step in parallel, the run merges their days and writes them.

Batches of `commit_days` days: every store simulates the batch (in its worker), the run merges the
stores' days into chain days (`merge`), hands them to the writer with the sim_state that records them
(the stores' next ids included) and, meanwhile, the workers simulate the next batch.
"""

from __future__ import annotations

import os
import time
from typing import Callable

from ..exports.daily import Target
from ..sim.calendar import day_text
from ..sim.ids import chain_counters
from ..sim.state import Model, Snapshot
from ..storage import Database
from ..storage.rows import Batch
from ..writer import BatchWriter
from .merge import merge_day
from .workers import Shards


def default_workers() -> int:
    """One worker per core but one: the run itself merges the stores' days and the writer process writes
    them, and on 2 cores one worker beside them beat two (the days cross a pipe only with two)."""
    return max(1, (os.cpu_count() or 1) - 1)


def simulate_chain(db: Database, model: Model, snap: Snapshot, last_day: int, summary, on_day=None,
                   commit_days: int = 1, exports: Target | None = None,
                   on_first_day: Callable[[], None] | None = None, workers: int | None = None) -> None:
    clock = time.perf_counter
    log, keep = model.cfg.late_changes.change_log, exports is not None
    counters = dict(snap.counters)
    t = clock()
    with Shards(model.cfg.to_dict(), model.seed, snap, workers or default_workers()) as shards, \
            BatchWriter(db, last_day - snap.last_day, exports) as writer:
        summary.timings["setup"] = summary.timings.get("setup", 0.0) + clock() - t
        t = clock()
        for days, store_counters in shards.batches(min(last_day, snap.last_day + commit_days), last_day, commit_days):
            batch = Batch(log, keep)
            for evs in zip(*days):
                ev = merge_day(list(evs), counters)
                if on_first_day is not None:
                    on_first_day()
                    on_first_day = None
                batch.add(ev)
                summary.add(ev.stats)
                if on_day:
                    on_day(ev.stats)
            counters.update(store_counters)
            counters.update(chain_counters(counters, shards.stores))
            summary.timings["simulate"] += clock() - t
            writer.submit(batch, day_text(ev.day), counters)
            t = clock()
        summary.workers, summary.worker_peak_mb = shards.workers, shards.peak_mb
    summary.timings["write"] += writer.busy
    summary.timings["waiting for the database"] = summary.timings.get("waiting for the database", 0.0) + writer.waited
