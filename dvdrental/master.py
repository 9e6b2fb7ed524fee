"""master_simulation: generator + releases + scheduled stock + weekly activity for years, resumable."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .config import Config
from .errors import StateError
from .run import (COMMIT_DAYS, OnDay, RunSummary, build_model, create, existing_exports, load_state, new_exports,
                  same_simulation, simulate)
from .sim.calendar import day_number
from .storage import Database
from .storage.url import parse_url


def seed_for(name: str, base_seed: int) -> int:
    """A classroom database's seed: stable, different per name, reproducible from the base seed."""
    digest = hashlib.sha256(f"{base_seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


def url_for(pattern: str, name: str) -> str:
    """The database URL for one name: `{name}` in the pattern, else a suffix on the file or database."""
    if "{name}" in pattern:
        return pattern.replace("{name}", name)
    target = parse_url(pattern)
    if target.engine == "sqlite":
        if target.path is None:
            raise StateError("--databases needs files, not an in-memory SQLite database")
        return f"sqlite:///{target.path.with_name(f'{target.path.stem}_{name}{target.path.suffix}')}"
    base, _, _ = pattern.rpartition("/")
    return f"{base}/{target.database}_{name}"


@dataclass
class MasterResult:
    summary: RunSummary
    resumed_from: int | None  # last simulated day found, when the run resumed
    already_done: bool = False


def run_master(db: Database, cfg: Config, reset: bool = False,
               on_start: Callable[[int, int], None] | None = None, on_day: OnDay | None = None,
               commit_days: int = COMMIT_DAYS, export_dir: Path | None = None,
               workers: int | None = None) -> MasterResult:
    """Simulate `simulation.weeks` weeks from the start date, resuming a run that was interrupted (a
    sharded chain's stores in `workers` processes; None: `chain.run.default_workers`)."""
    summary = RunSummary()
    t = time.perf_counter()
    start = day_number(cfg.simulation.start_date)
    last = start + 7 * cfg.simulation.weeks - 1
    with db.lock():
        st = None if reset else db.read_sim_state()
        if st is not None and db.upgrade():  # a database made by an older version
            st = db.read_sim_state()
        resumed = None
        if st is not None:
            if not same_simulation(st, cfg):
                raise StateError(f"{db.url.display()} holds a different simulation (seed or settings differ)",
                                 hint="pass --reset to start over, or use the same config, seed and scenario")
            if st["last_day"] >= last:
                existing_exports(st, export_dir)  # a run killed after its last commit left folders to publish
                summary.timings["setup"] = time.perf_counter() - t
                return MasterResult(summary, st["last_day"], already_done=True)
            exports = existing_exports(st, export_dir)
            model = build_model(cfg, cfg.simulation.seed)
            state = load_state(db, model, st)
            resumed = st["last_day"]
        else:
            exports = new_exports(cfg, export_dir)
            model, state = create(db, cfg, reset)
        summary.timings["setup"] = time.perf_counter() - t
        if on_start:
            on_start(state.day + 1, last)
        simulate(db, model, state, last, summary, on_day, commit_days, exports, workers=workers)
    return MasterResult(summary, resumed)
