"""One store's part of a lake run: simulate the store, fold its days, rewrite its partitions.

A task runs anywhere a Dask worker runs (or in the calling process): it reads and writes the lake
through its URL and returns only small things, the days' statistics, its count of changes and, from
the chain's first store, the chain's own changes (films released). What a store draws depends on
(seed, store, day) only, so neither the grouping of stores nor the number of workers changes the lake.
Days are folded `CHUNK_DAYS` at a time, which bounds a task's memory on long runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Config
from ..chain.shard import StoreSim
from ..chain.workers import peak_mb
from ..errors import StateError
from ..sim.changes import ordered_ops
from ..sim.events import DayEvents, DayStats
from ..sim.state import Snapshot
from ..storage.rows import Batch
from .files import FORMAT, VERSION, Lake, Run, store_state
from .partitions import DAMAGED, Index, apply
from .snapshot import snapshot_of
from .tables import LAKE_TABLES

#: Days folded before the store's partitions are written (a partition is rewritten once per chunk at most).
CHUNK_DAYS = 91
#: The chain's rows: every store makes the same ones (releases); the first store's are kept, as
#: `chain.merge.CHAIN_LISTS` keeps the lists they come from.
CHAIN_ROWS = frozenset(("film", "film_actor", "film_category"))
#: What a store's base rows and folded changes are written to (sim_customer_event apart).
STORE_ROWS = ("address", "customer", "inventory", "rental", "payment")


@dataclass
class StoreJob:
    url: str
    run_id: str
    cfg: dict  # the effective config, as `chain.workers.Shards` is given it
    seed: int
    stores: list[int]
    store: int
    first_day: int  # the day after the lake's last day
    last_day: int
    snapshot: Snapshot | None = None  # a new lake: the store's part of the base; else read from the lake
    base: dict[str, list[tuple]] | None = None  # a new lake: the store's base rows (chain ids)


@dataclass
class StoreResult:
    store: int
    stats: list[DayStats]
    changes: int  # the changes the chain's change counter counts for this store
    counters: dict[str, int]  # the store's next local ids (sim_state keys), and the chain's film and actor
    chain: Batch | None  # the first store: the chain's rows, film prices and plans carried out
    staged: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    peak_rss_mb: float = 0.0


def run_store(job: StoreJob) -> StoreResult:
    """Simulate `job.store` from the lake's last day to `job.last_day` and stage what changes."""
    lake = Lake(job.url)
    run = Run(lake, job.run_id)
    if job.snapshot is None:
        saved = lake.read_pickle(store_state(job.store))
        snap, index = saved["snapshot"], saved["index"]
    else:
        snap, index = job.snapshot, {}
    if snap.last_day != job.first_day - 1:
        raise StateError(f"lake {job.url}: store {job.store} is at day {snap.last_day}, the chain at "
                         f"{job.first_day - 1}: the lake is damaged", hint=DAMAGED)
    sim = StoreSim(Config.from_dict(job.cfg), job.seed, job.store, job.stores, snap)
    first = job.store == job.stores[0]
    chain = Batch(log=False) if first else None
    stats: list[DayStats] = []
    changes = 0
    base = job.base
    while base is not None or sim.day < job.last_day:
        batch = Batch(log=False)
        for table, rows in (base or {}).items():
            key = LAKE_TABLES[table].key_of
            batch.inserts[table].update((key(r), r) for r in rows)
        base = None
        end = min(job.last_day, sim.day + CHUNK_DAYS)
        while sim.day < end:
            ev = sim.step()
            changes += _fold(ev, batch, chain)
            stats.append(ev.stats)
        _write(run, job.store, batch, index)
    run.write_pickle(store_state(job.store), {"format": FORMAT, "version": VERSION, "store": job.store,
                                              "last_day": sim.day, "snapshot": snapshot_of(sim.state),
                                              "index": index})
    counters = {**sim.counters(), "film": sim.state.counters["film"], "actor": sim.state.counters["actor"]}
    return StoreResult(job.store, stats, changes, counters, chain, run.staged, run.deleted, peak_mb())


def _fold(ev: DayEvents, batch: Batch, chain: Batch | None) -> int:
    """Fold a store's day into `batch` (its rows) and `chain` (the chain's, first store only); returns
    the changes the merged chain day would count for it: all its changes, less the chain's rows for
    every store but the first (`chain.merge` keeps those once)."""
    ops = ordered_ops(ev)
    own = [op for op in ops if op[2] not in CHAIN_ROWS]
    batch.add(DayEvents(ev.day, ops=own, customer_events=ev.customer_events), with_day=False)
    shared = len(ev.films) + len(ev.film_actors) + len(ev.film_categories)
    if chain is None:
        if len(own) + shared != len(ops):  # store_config switches price changes off: cannot happen
            raise StateError(f"store changes to the chain's films on day {ev.day} cannot be kept in a lake")
        return len(own)
    chain.add(DayEvents(ev.day, ops=[op for op in ops if op[2] in CHAIN_ROWS], plans_done=ev.plans_done,
                        film_prices=ev.film_prices), with_day=False)
    return len(ops)


def _write(run: Run, store: int, batch: Batch, index: dict[str, Index]) -> None:
    for table in STORE_ROWS:
        apply(run, LAKE_TABLES[table], store, batch.inserts[table], batch.updates[table], batch.deletes[table],
              index.setdefault(table, {}))
    events = {(ts, cid, what): (cid, ts, what) for cid, ts, what in batch.customer_events}
    apply(run, LAKE_TABLES["sim_customer_event"], store, events, {}, {}, index.setdefault("sim_customer_event", {}))
