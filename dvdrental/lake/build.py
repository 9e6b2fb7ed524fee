"""Building a lake and continuing one: the client's side of a run.

The client makes the chain's base (in an in-memory SQLite database, the way `run.create` makes a
database's, so the snapshot the stores start from is the database path's), hands every store to a task
(`task.run_store`), then writes what only the chain has: its own tables (films released, the chain's
days in `sim_day`, `sim_state`) and its counters, and commits the run (`files`). Every number it writes
is the one the database path writes: the stores' day statistics are summed in store order as
`chain.merge` sums them, and the change counter counts what the merged days would number.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from .. import SCHEMA_VERSION, __version__
from ..chain.merge import merge_stats
from ..chain.split import split_snapshot
from ..config import Config, check_last_day
from ..errors import ConfigError, StateError
from ..run import RunSummary, Span, build_model
from ..sim.calendar import date_of, day_number
from ..sim.chainbase import make_chain_base
from ..sim.changes import LOG_COUNTER
from ..sim.events import DayStats
from ..sim.ids import StoreIds, chain_counters
from ..sim.state import Model, Snapshot
from ..sim.stores import store_sizes
from ..storage import connect
from ..storage.base import undo_on_error
from ..storage.rows import sim_state_row
from ..storage.snapshot import read_snapshot
from .cluster import default_workers, runner
from .files import CHAIN, FORMAT, STAGING, STATE_DIR, VERSION, Lake, Run, new_run_id
from .partitions import apply
from .tables import LAKE_TABLES
from .task import StoreJob, StoreResult, run_store

#: The chain's base tables (the stores' base rows go with their stores' tasks).
CHAIN_BASE = ("language", "category", "country", "city", "actor", "film", "film_actor", "film_category", "staff",
              "store")
OnStore = Callable[[int, int, int], None]  # (store, stores done, stores)


@dataclass
class LakeResult:
    summary: RunSummary
    last_day: int
    peak_rss_mb: float = 0.0  # the largest peak resident memory of a process that ran store tasks


def build_lake(cfg: Config, lake_url: str, *, weeks: int | None = None, scheduler: str | None = None,
               workers: int | None = None, reset: bool = False, on_store: OnStore | None = None) -> LakeResult:
    """A new lake of `cfg`'s sharded chain simulated for `weeks` weeks (default simulation.weeks), the
    stores run by Dask (`cluster.runner`). `reset`: replace the lake already at `lake_url`."""
    t = time.perf_counter()
    lake = Lake(lake_url)
    model = build_model(cfg, cfg.simulation.seed)
    if not model.cfg.sharded:
        raise ConfigError("a lake holds a sharded chain: this config simulates its stores together",
                          hint="set simulation.sharded: true, or use more than 2 stores")
    start = day_number(cfg.simulation.start_date)
    last = start - 1 + 7 * (cfg.simulation.weeks if weeks is None else weeks)
    check_last_day(date_of(last), "this lake")
    _refuse_existing(lake, reset)
    with lake.writing():
        if reset:
            _clear(lake)
        lake.recover(unfinished=True)
        _refuse_existing(lake, reset)  # another run may have built it meanwhile
        base, snap = _base(cfg, model)
        run = Run(lake, new_run_id())
        with undo_on_error(run.discard):
            index: dict[str, dict] = {}
            for name in CHAIN_BASE:
                table = LAKE_TABLES[name]
                rows = {table.key_of(r): r for r in base.rows[name]}
                apply(run, table, None, rows, {}, {}, index.setdefault(name, {}))
            stores = sorted(int(s) for s in snap.stores)
            cfg_dict = model.cfg.to_dict()
            jobs = [StoreJob(lake.url, run.run_id, cfg_dict, model.seed, stores, s, start, last,
                             split_snapshot(snap, s), _store_base(base.rows, stores, s))
                    for s in _biggest_first(model, stores)]
            doc = {"format": FORMAT, "version": VERSION, "generation": 0, "seed": model.seed, "start_day": start,
                   "origin": "generator", "config": cfg.simulation_dict(), "stores": stores, "index": index,
                   "counters": dict(snap.counters)}
            return _run(run, doc, jobs, last, scheduler, workers, on_store, None, t)


def continue_lake(lake_url: str, span: Span = Span(weeks=1), *, scheduler: str | None = None,
                  workers: int | None = None, on_store: OnStore | None = None) -> LakeResult:
    """Simulate the days after a lake's last day, as far as `span` says (incremental_update.py)."""
    t = time.perf_counter()
    lake = Lake(lake_url)
    lake.chain()  # refuses a missing or foreign lake before anything is made
    with lake.writing():
        lake.recover(unfinished=True)
        doc = lake.chain()
        after = doc["last_day"]
        if span.reached(after):
            return LakeResult(RunSummary(already_done=True, last_day=after), after)
        last = span.last_day(after)
        model = build_model(Config.from_dict(doc["config"]), doc["seed"])
        run = Run(lake, new_run_id())
        with undo_on_error(run.discard):
            cfg_dict = model.cfg.to_dict()
            jobs = [StoreJob(lake.url, run.run_id, cfg_dict, model.seed, doc["stores"], s, after + 1, last)
                    for s in _biggest_first(model, doc["stores"])]
            return _run(run, doc, jobs, last, scheduler, workers, on_store, doc["generation"], t)


def _run(run: Run, doc: dict, jobs: list[StoreJob], last: int, scheduler: str | None, workers: int | None,
         on_store: OnStore | None, generation: int | None, t0: float) -> LakeResult:
    """Run the stores' tasks, write the chain's part and commit."""
    summary = RunSummary()
    summary.timings["setup"] = time.perf_counter() - t0
    t = time.perf_counter()
    done: list[int] = []

    def finished(result: StoreResult) -> None:
        done.append(result.store)
        if on_store is not None:
            on_store(result.store, len(done), len(jobs))

    with runner(scheduler, min(workers or default_workers(), len(jobs))) as run_all:
        results = sorted(run_all(run_store, jobs, finished), key=lambda r: doc["stores"].index(r.store))
    summary.timings["simulate"] = time.perf_counter() - t
    t = time.perf_counter()
    for r in results:
        run.staged |= r.staged
        run.deleted |= r.deleted
    counters = dict(doc["counters"])
    days = _chain_days(results)
    for st in days:
        summary.add(st)
    index = doc["index"]
    _chain_rows(run, results[0], days, index)
    for r in results:
        counters.update(r.counters)
    counters.update(chain_counters(counters, doc["stores"]))
    counters[LOG_COUNTER] = counters.get(LOG_COUNTER, 1) + sum(r.changes for r in results)
    doc = {**doc, "generation": (generation or 0) + 1, "last_day": last, "counters": counters, "index": index}
    sim_state = LAKE_TABLES["sim_state"]
    row = (1, SCHEMA_VERSION, __version__, doc["seed"], doc["start_day"], last, doc["origin"],
           json.dumps(counters, sort_keys=True), json.dumps(doc["config"], sort_keys=True))
    apply(run, sim_state, None, {1: row}, {}, {}, index.setdefault("sim_state", {}))
    run.commit(doc, generation)
    summary.timings["write"] = time.perf_counter() - t
    return LakeResult(summary, last, max(r.peak_rss_mb for r in results))


def _chain_days(results: list[StoreResult]) -> list[DayStats]:
    """The chain's day statistics, merged as the database path merges them."""
    return [merge_stats(list(stats)) for stats in zip(*(r.stats for r in results))]


def _chain_rows(run: Run, first: StoreResult, days: list[DayStats], index: dict[str, dict]) -> None:
    """The chain's tables: films released (from the first store), prices, plans carried out, days."""
    chain = first.chain
    assert chain is not None
    for name in ("film", "film_actor", "film_category"):
        apply(run, LAKE_TABLES[name], None, chain.inserts[name], chain.updates[name], chain.deletes[name],
              index.setdefault(name, {}))
    prices = {(f, ts): (f, ts, rate, cost) for f, ts, rate, cost in chain.film_prices}
    apply(run, LAKE_TABLES["sim_film_price"], None, prices, {}, {}, index.setdefault("sim_film_price", {}))
    plans = {pid: {"done_at": ts} for pid, ts in chain.plans_done}
    apply(run, LAKE_TABLES["sim_stock_plan"], None, {}, plans, {}, index.setdefault("sim_stock_plan", {}))
    rows = {st.day: (st.day, int(Decimal(f"{st.expected:.2f}") * 100), st.demand, st.rentals, st.lost_demand,
                     st.returns, st.new_customers, st.churned, st.reactivated, int(st.spike)) for st in days}
    apply(run, LAKE_TABLES["sim_day"], None, rows, {}, {}, index.setdefault("sim_day", {}))


def _biggest_first(model: Model, stores: list[int]) -> list[int]:
    """The stores, busiest first: the last tasks to start are short ones, so workers finish together."""
    sizes = store_sizes(model.seed, len(stores), model.cfg.catalog.store_size_sigma)
    return [s for _, s in sorted(zip((-sizes).tolist(), stores))]


def _base(cfg: Config, model: Model) -> tuple:
    """The chain's base data and the snapshot a database holding it gives (`run.create`'s steps)."""
    start = day_number(cfg.simulation.start_date)
    base = make_chain_base(model.cfg, model.seed)
    with connect("sqlite:///:memory:") as db:
        db.create_schema()
        db.write_base(base, sim_state_row(model.seed, start, start - 1, "generator", base.counters,
                                          cfg.simulation_dict()), log=model.cfg.late_changes.change_log)
        snap: Snapshot = read_snapshot(db, db.require_sim_state(), model.window)
    return base, snap


def _store_base(rows: dict[str, list[tuple]], stores: list[int], store: int) -> dict[str, list[tuple]]:
    """A store's base rows in the lake's raw layout: its customers, copies and addresses (its store's,
    its staff's and its customers'; address ids are the store's own)."""
    owns = StoreIds(stores.index(store), len(stores)).owns
    return {"address": [r for r in rows["address"] if owns(r[0])],
            "customer": [r for r in rows["customer"] if r[1] == store],
            "inventory": [(i, f, s, ts, None, ts) for i, f, s, ts in rows["inventory"] if s == store]}


def _refuse_existing(lake: Lake, reset: bool) -> None:
    """A lake is built in a new or empty folder (or replaces a lake with `reset`)."""
    if reset:
        return
    lake.recover()
    if lake.exists(CHAIN):
        raise StateError(f"{lake.url} already holds a lake",
                         hint="continue it with incremental_update.py --lake, or pass --reset to build it anew")
    if set(_entries(lake)) - {STATE_DIR, STAGING}:
        raise StateError(f"{lake.url} is not empty", hint="build a lake in a new or empty folder")


def _clear(lake: Lake) -> None:
    """Delete a lake's own files (never anything else: a folder holding other files is refused); the
    lake's lock file stays."""
    ours = set(LAKE_TABLES) | {STAGING, STATE_DIR}
    others = sorted(set(_entries(lake)) - ours)
    if others:
        raise StateError(f"{lake.url} holds files that are not a lake's ({', '.join(others[:3])})",
                         hint="build a lake in a new or empty folder")
    for name in sorted(set(_entries(lake)) & ours - {STATE_DIR}):
        lake.fs.rm(lake.path(name), recursive=True)
    if lake.exists(STATE_DIR):
        for path in lake.fs.ls(lake.path(STATE_DIR), detail=False):
            if not path.endswith("/lock"):
                lake.fs.rm(path, recursive=True)


def _entries(lake: Lake) -> list[str]:
    if not lake.fs.exists(lake.root):
        return []
    return [p.rstrip("/").rsplit("/", 1)[-1] for p in lake.fs.ls(lake.root, detail=False)]
