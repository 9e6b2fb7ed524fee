"""Small helpers for tests: build a database, read columns, run checks."""

from __future__ import annotations

from dvdrental.config import Config
from dvdrental.checks.invariants import context_for, run_all
from dvdrental.run import RunSummary, create, simulate
from dvdrental.storage import Database, connect


def build(cfg: Config, url: str = "sqlite:///:memory:", days: int | None = None) -> Database:
    """A database with base data and `days` (default: initial_weeks * 7) simulated days."""
    db = connect(url)
    model, state = create(db, cfg)
    simulate(db, model, state, state.day + (7 * cfg.simulation.initial_weeks if days is None else days),
             RunSummary())
    return db


def violations(db: Database) -> dict[str, list[str]]:
    return {k: v for k, v in run_all(db, context_for(db, db.require_sim_state())).items() if v}
