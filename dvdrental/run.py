"""Runs: create a database (generator) and move one forward (incremental, master), whole days per commit.

This is the layer between the pure core and storage: it rebuilds state from the database, steps the
simulation, hands the days' events to the writer and keeps the score. It never prints; callers pass
`on_day` to show progress.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .config import Config, check_last_day, effective, stored, without_run_length
from .errors import StateError
from .sim.basedata import make_base
from .sim.chainbase import make_chain_base
from .sim.calendar import date_of, day_number, day_text
from .sim.day import morning_work, step
from .sim.events import DayStats
from .sim.state import Model, SimState, Snapshot
from .storage import Database
from .storage.base import undo_on_error
from .storage.rows import Batch, sim_state_row
from .storage.snapshot import read_snapshot
from .writer import BatchWriter
from .exports.daily import Target, check_dir, check_writable, exported_days, identity, open_target

#: Flush a batch of days early once it holds this many rows (bounds memory on busy configs).
BATCH_ROWS = 50_000

OnDay = Callable[[DayStats], None]


@dataclass
class RunSummary:
    first_day: int | None = None
    last_day: int | None = None
    days: int = 0
    rentals: int = 0
    returns: int = 0
    payments: int = 0
    revenue_cents: int = 0
    new_customers: int = 0
    churned: int = 0
    reactivated: int = 0
    lost_demand: int = 0
    copies_added: int = 0
    copies_retired: int = 0
    films_released: int = 0
    late_changes: int = 0
    timings: dict[str, float] = field(default_factory=lambda: {"setup": 0.0, "simulate": 0.0, "write": 0.0})
    resumed_from: int | None = None  # the last day a resumed run found (generator.py, like master)
    already_done: bool = False  # the database was already where the run would have taken it
    workers: int | None = None  # a sharded chain's: processes that simulated its stores
    worker_peak_mb: float = 0.0  # and the largest peak memory of one of them

    def add(self, s: DayStats) -> None:
        if self.first_day is None:
            self.first_day = s.day
        self.last_day = s.day
        self.days += 1
        for name in ("rentals", "returns", "payments", "revenue_cents", "new_customers", "churned",
                     "reactivated", "lost_demand", "copies_added", "copies_retired", "films_released",
                     "late_changes"):
            setattr(self, name, getattr(self, name) + getattr(s, name))

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for a summary table."""
        span = "-" if self.first_day is None else \
            f"{date_of(self.first_day)} .. {date_of(self.last_day)}"
        return [
            ("days simulated", f"{self.days:,}"),
            ("date range", span),
            ("rentals", f"{self.rentals:,}"),
            ("returns", f"{self.returns:,}"),
            ("payments", f"{self.payments:,}"),
            ("revenue", f"{self.revenue_cents / 100:,.2f}"),
            ("new customers", f"{self.new_customers:,}"),
            ("churned customers", f"{self.churned:,}"),
            ("reactivated customers", f"{self.reactivated:,}"),
            ("demand lost to empty shelves", f"{self.lost_demand:,}"),
            ("copies added / retired", f"{self.copies_added:,} / {self.copies_retired:,}"),
            ("films released", f"{self.films_released:,}"),
            ("late changes to earlier days", f"{self.late_changes:,}"),
        ]


def build_model(cfg: Config, seed: int) -> Model:
    return Model.build(effective(cfg), seed)


def simulate(db: Database, model: Model, state: SimState | ChainStart, last_day: int, summary: RunSummary,
             on_day: OnDay | None = None, commit_days: int = 1, exports: Target | None = None,
             on_first_day: Callable[[], None] | None = None, workers: int | None = None) -> None:
    """Step day after day until `state.day == last_day`, committing every `commit_days` whole days.

    Each commit holds whole days and the sim_state that records them, so a run stopped at any moment
    resumes exactly. One day per commit is the default; long builds batch days (fewer statements).
    Commits happen on a writer thread while the next days are simulated. `on_first_day` runs once the
    model has simulated its first day, before anything of the run is written. A sharded chain's
    stores run in `workers` processes (None: `chain.run.default_workers`).
    """
    if isinstance(state, ChainStart):
        from .chain.run import simulate_chain
        simulate_chain(db, model, state.snap, last_day, summary, on_day, commit_days, exports, on_first_day,
                       workers)
        return
    clock = time.perf_counter
    log, keep = model.cfg.late_changes.change_log, exports is not None
    batch, pending = Batch(log, keep), 0
    morning = morning_work(model)  # depends on the config only: once per run, not per day
    with BatchWriter(db, last_day - state.day, exports) as writer:
        while state.day < last_day:
            t = clock()
            ev = step(state, model, morning)
            if on_first_day is not None:
                on_first_day()
                on_first_day = None
            batch.add(ev)
            pending += 1
            summary.timings["simulate"] += clock() - t
            if pending >= commit_days or state.day == last_day or batch.size >= BATCH_ROWS:
                writer.submit(batch, day_text(state.day), state.counters)
                batch, pending = Batch(log, keep), 0
            summary.add(ev.stats)
            if on_day:
                on_day(ev.stats)
    summary.timings["write"] += writer.busy
    summary.timings["waiting for the database"] = summary.timings.get("waiting for the database", 0.0) + writer.waited


def same_simulation(sim_state: dict, cfg: Config) -> bool:
    """Whether `cfg` describes the simulation a database holds (seed and every setting but the run
    length): what lets a run resume a database instead of refusing it."""
    return (sim_state["seed"] == cfg.simulation.seed
            and without_run_length(sim_state["config"]) == cfg.simulation_dict())


def create(db: Database, cfg: Config, reset: bool = False) -> tuple[Model, SimState]:
    """Schema and base data (or refuse a non-empty database); returns the day-0 state."""
    if not db.is_empty():
        if not (reset or db.is_unfinished()):  # an interrupted creation is cleared without asking
            raise StateError(f"{db.url.display()} is not empty",
                             hint="pass --reset to delete its dvdrental-live tables and start over")
        db.drop_all()
    seed = cfg.simulation.seed
    model = build_model(cfg, seed)
    start = day_number(cfg.simulation.start_date)
    with undo_on_error(db.rollback, db.drop_all):  # never leave a half-made schema behind
        db.create_schema()
        base = make_chain_base(model.cfg, seed) if model.cfg.sharded else make_base(model.cfg, seed)
        db.write_base(base, sim_state_row(seed, start, start - 1, "generator", base.counters,
                                          cfg.simulation_dict()), log=model.cfg.late_changes.change_log)
    return model, load_state(db, model)


@dataclass
class ChainStart:
    """Where a sharded chain starts from: its snapshot, which the stores split among themselves
    (`chain.split`) wherever they run."""
    snap: Snapshot

    @property
    def day(self) -> int:
        return self.snap.last_day


def load_state(db: Database, model: Model, sim_state: dict | None = None) -> SimState | ChainStart:
    snap = read_snapshot(db, sim_state or db.require_sim_state(), model.window)
    if not model.cfg.sharded:
        return SimState.from_snapshot(snap, model)
    if not any("@" in key for key in snap.counters):  # its stores' ids were never numbered store by store
        raise StateError(f"{db.url.display()} was not made as a sharded chain: its stores cannot be simulated apart",
                         hint="leave simulation.sharded false (or null) for it")
    return ChainStart(snap)


def new_exports(cfg: Config, export_dir: Path | None, resumable: bool = False) -> Target | None:
    """The export target of a database about to be created (checked before anything is written).

    `resumable` (generator.py, before it opens the database): the folder may also hold this very
    database's exports, which a killed run resumes; `generate` checks the days once it knows."""
    if export_dir is None:
        return None
    ident = identity(cfg.simulation.seed, cfg.simulation.start_date.isoformat(), "generator")
    if resumable:
        check_dir(export_dir, ident, (exported_days(export_dir) or [None])[-1])
        return Target(export_dir, ident)
    return open_target(export_dir, ident, None)


def existing_exports(st: dict, export_dir: Path | None) -> Target | None:
    """The export target of an existing database, continuing where its exports end."""
    if export_dir is None:
        return None
    ident = identity(st["seed"], day_text(st["start_date"]), st.get("origin", "generator"))
    return open_target(export_dir, ident, day_text(st["last_day"]))


def generate(db: Database, cfg: Config, reset: bool = False, on_day: OnDay | None = None,
             exports: Target | None = None, workers: int | None = None) -> RunSummary:
    """generator.py: a new database with base data and `simulation.initial_weeks` of activity
    (`exports`: from `new_exports(..., resumable=True)`, checked before the database is opened).

    Like master_simulation, the same command run again after an interruption (a kill, a server
    fault) finishes the job: a database this simulation made and has not taken past its starter
    weeks is resumed; anything else that is not empty is refused unless `reset`."""
    summary = RunSummary()
    t = time.perf_counter()
    last = day_number(cfg.simulation.start_date) - 1 + 7 * cfg.simulation.initial_weeks
    with db.lock():
        st = None if reset else _resumable(db, cfg, last)
        if st is None:
            if exports is not None:
                exports = open_target(exports.root, exports.ident, None)  # a new database: no folders yet
            model, state = create(db, cfg, reset)
        else:
            if exports is not None:  # first: publishes what a killed run committed
                exports = open_target(exports.root, exports.ident, day_text(st["last_day"]))
            model = build_model(cfg, cfg.simulation.seed)
            state = load_state(db, model, st)
            summary.resumed_from, summary.already_done = st["last_day"], st["last_day"] == last
        summary.timings["setup"] = time.perf_counter() - t
        simulate(db, model, state, last, summary, on_day, exports=exports, workers=workers)
    return summary


def _resumable(db: Database, cfg: Config, last: int) -> dict | None:
    """The sim_state of a database generator.py may finish with `cfg`: this simulation, made by
    generator.py or master_simulation.py, not past `last`. None for an empty or half-created database
    (`create` makes it); any other database is refused."""
    st = db.read_sim_state()
    if st is None:
        return None
    if db.upgrade():  # a database made by an older version
        st = db.require_sim_state()
    if st.get("origin", "generator") != "generator" or not same_simulation(st, cfg):
        what = "it holds another simulation: seed, settings or origin differ"
    elif st["last_day"] > last:
        what = f"it is simulated past the starter weeks asked for: {cfg.simulation.initial_weeks}"
    else:
        return st
    raise StateError(f"{db.url.display()} is not empty ({what})",
                     hint="pass --reset to delete its dvdrental-live tables and start over")


def _store_config(db: Database, cfg: Config) -> None:
    """Keep a new config (--config, --late-changes) in sim_state: called only once it has built the
    model and simulated a day, so a config that fails can never be stored and poison the database."""
    db.execute("UPDATE sim_state SET config = ? WHERE id = 1",
               (json.dumps(cfg.simulation_dict(), sort_keys=True),))


@dataclass(frozen=True)
class Span:
    """How far an incremental run goes: weeks, days, or up to a date (exactly one is set)."""
    weeks: int | None = None
    days: int | None = None
    until: dt.date | None = None

    def __post_init__(self) -> None:
        if self.until is not None:  # refused before any database is opened
            check_last_day(self.until, f"--until {self.until}")

    def reached(self, after: int) -> bool:
        """Whether a database at day `after` is already at or past --until: nothing to do, which is no
        error (cron runs `--until today` whether or not an earlier run caught up)."""
        return self.until is not None and day_number(self.until) <= after

    def last_day(self, after: int) -> int:
        """The run's last day after day `after`; never past the last date a simulation can reach."""
        if self.until is not None:
            return max(after, day_number(self.until))
        last = after + (self.days if self.days is not None else 7 * (self.weeks or 1))
        check_last_day(date_of(last), f"this run (from {date_of(after + 1)} to {date_of(last)})")
        return last


#: Days per transaction when building history in bulk (master_simulation, an incremental catch-up
#: longer than BULK_AFTER_DAYS): whole days, committed with their sim_state. Shorter runs commit daily.
COMMIT_DAYS = 28
BULK_AFTER_DAYS = 28


def commit_days(days: int) -> int:
    return COMMIT_DAYS if days > BULK_AFTER_DAYS else 1


@dataclass(frozen=True)
class Position:
    """Where an existing database stands: what incremental runs start from."""
    sim_state: dict
    config: Config
    seed: int
    start_day: int
    last_day: int


def position(db: Database, cfg_override: Config | None = None, seed: int | None = None) -> Position:
    """Read sim_state; a given config replaces the stored one, keeping the database's seed and start."""
    st = db.require_sim_state()
    if seed is not None and seed != st["seed"]:
        raise StateError(f"--seed {seed} differs from the database's seed {st['seed']}",
                         hint="a database keeps the seed it was generated with; leave --seed out")
    kept = stored(st)
    cfg = kept if cfg_override is None else cfg_override.override(
        {"simulation": {"seed": st["seed"], "start_date": kept.simulation.start_date.isoformat()}})
    return Position(st, cfg, st["seed"], st["start_date"], st["last_day"])


def advance(db: Database, span: Span, cfg_override: Config | None = None, seed: int | None = None,
            on_start: Callable[[int, int], None] | None = None, on_day: OnDay | None = None,
            on_notice: Callable[[str], None] | None = None, export_dir: Path | None = None,
            late_changes: bool | None = None, yes: bool = False, workers: int | None = None) -> RunSummary:
    """incremental_update.py: simulate the days after the last simulated one, as far as `span` says.

    A standard Sakila database (MySQL's scripts, the SQLite port, Pagila's scripts) is adopted first: migrated where
    needed, continuing its business. Only with `yes`: otherwise the changes it would make go to
    `on_notice` and AdoptionRefused is raised. A database already at or past --until is left as it is
    (`already_done`). Catch-ups longer than BULK_AFTER_DAYS commit COMMIT_DAYS days at a time.
    """
    summary = RunSummary()
    t = time.perf_counter()
    say = on_notice or (lambda line: None)
    with db.lock():
        if db.read_sim_state() is None:
            from .adoption import is_legacy_sakila
            if is_legacy_sakila(db):
                if _adopt(db, span, cfg_override, seed, say, export_dir, yes, summary):
                    return summary
                cfg_override = None  # the adopted config is stored; it already includes the override
        if db.read_sim_state() is not None:
            for line in db.upgrade():  # a database made by an older version
                say(line)
        pos = position(db, cfg_override, seed)
        exports = existing_exports(pos.sim_state, export_dir)  # first: finishes what a killed run left
        if span.reached(pos.last_day):
            summary.already_done, summary.last_day = True, pos.last_day
            return summary
        last_day = span.last_day(pos.last_day)
        if late_changes is not None and late_changes != pos.config.late_changes.enabled:
            pos = replace(pos, config=pos.config.override({"late_changes": {"enabled": late_changes}}))
            cfg_override = pos.config  # stored from now on, like --config
        model = build_model(pos.config, pos.seed)
        state = load_state(db, model, pos.sim_state)
        summary.timings["setup"] = time.perf_counter() - t
        if last_day - pos.last_day > 366:
            say(f"catching up {(last_day - pos.last_day) / 365.25:.1f} years: {date_of(pos.last_day + 1)} to "
                f"{date_of(last_day)}, committed {COMMIT_DAYS} days at a time (an interrupted run resumes)")
        if on_start:
            on_start(pos.last_day + 1, last_day)
        store = None if cfg_override is None else lambda: _store_config(db, pos.config)
        simulate(db, model, state, last_day, summary, on_day, commit_days(last_day - pos.last_day),
                 exports=exports, on_first_day=store, workers=workers)
    return summary


def _adopt(db: Database, span: Span, cfg_override: Config | None, seed: int | None, say: Callable[[str], None],
           export_dir: Path | None, yes: bool, summary: RunSummary) -> bool:
    """Adopt the Sakila database `db` (with `yes`; else list the changes and refuse). True when the
    span is already reached: then nothing is adopted or changed."""
    from .adoption import AdoptionRefused, adopt, plan, read_history
    history = read_history(db)
    after = day_number(history.last_day)
    if span.reached(after):
        summary.already_done, summary.last_day = True, after
        return True
    if export_dir is not None:
        check_writable(export_dir)  # refuse a bad folder before migrating anything
    span.last_day(after)  # refuse a bad span before migrating anything
    if not yes:  # say what would change, change nothing
        changes = plan(db, cfg_override, seed, history)
        say(f"Adopting {db.url.display()} as a dvdrental-live database would:")
        for line in changes:
            say(f"  - {line}")
        raise AdoptionRefused(db, changes)
    for line in adopt(db, cfg_override, seed, history):
        say(line)
    return False
