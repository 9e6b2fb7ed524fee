"""Adopting a standard Sakila database so it can live on: MySQL's official scripts, the SQLite port, or
Pagila (the PostgreSQL port, made by its published scripts).

incremental_update.py adopts a database that has Sakila's tables but no sim_state (Pagila: bar film_text and
payment.last_update, which its adoption adds). The engine's module (mysql.py, sqlite.py, postgresql.py)
changes the schema only where the simulation needs it, never an existing row's values; base.py then
creates the simulation's tables, records what was imported and writes sim_state last, in one
transaction: only then is the database adopted. The history decides where the
continuation starts (history.py): the day after its last rental, return or payment.

Nothing changes without consent: `plan` runs the same steps against a `DryRun` (reads go to the
database, writes are only recorded) and returns one line per change they would make; incremental_update.py
shows that list and adopts only with --yes.
"""

from __future__ import annotations

from ..config import Config
from ..errors import StateError
from ..storage import Database
from . import mysql, postgresql, sqlite
from .base import SAKILA_NAMES, DryRun, Step, is_sakila, write_state
from .history import History, read_history

__all__ = ["SAKILA_NAMES", "AdoptionRefused", "History", "adopt", "is_legacy_sakila", "plan", "read_history"]

_STEPS: dict[str, tuple[Step, ...]] = {"mysql": mysql.STEPS, "sqlite": sqlite.STEPS, "postgresql": postgresql.STEPS}
#: Sakila's tables and columns an engine's standard database lacks and its adoption adds.
_ADDS: dict[str, frozenset[str]] = {"postgresql": postgresql.ADDS}


def is_legacy_sakila(db: Database) -> bool:
    """A Sakila database (its tables and columns, bar the ones adoption adds) without sim_state, on an
    engine adoption knows."""
    return db.engine in _STEPS and is_sakila(db, _ADDS.get(db.engine, frozenset()))


class AdoptionRefused(StateError):
    """A Sakila database would be adopted, but that was not agreed to (--yes). `changes` lists them."""

    def __init__(self, db: Database, changes: list[str]) -> None:
        super().__init__(f"{db.url.display()} is a standard Sakila database: adopting it makes the "
                         "changes listed; nothing was changed",
                         hint="run again with --yes to adopt it")
        self.changes = changes


def plan(db: Database, cfg: Config | None = None, seed: int | None = None,
         history: History | None = None) -> list[str]:
    """One line per change `adopt` would make, worked out by the same steps without writing anything."""
    history = _check(db, history)
    return _migrate(DryRun(db), history, cfg, seed)  # type: ignore[arg-type]


def adopt(db: Database, cfg: Config | None = None, seed: int | None = None,
          history: History | None = None) -> list[str]:
    """Migrate a standard Sakila database in place and make it a dvdrental-live database.

    Returns one line per change made. The caller holds the database lock, and may pass the history
    it already read (to check a run's span before anything changes).
    """
    return _migrate(db, _check(db, history), cfg, seed)


def _migrate(db: Database, history: History, cfg: Config | None, seed: int | None) -> list[str]:
    lines: list[str] = []
    for step in _STEPS[db.engine]:
        lines += step(db, history)
    return lines + write_state(db, history, cfg, seed)


def _check(db: Database, history: History | None) -> History:
    """Refuse anything but a standard Sakila database; its history, read before any change."""
    if db.engine not in _STEPS:
        raise StateError(f"{db.url.display()} is not a dvdrental-live database",
                         hint="run generator.py first")
    if not is_sakila(db, _ADDS.get(db.engine, frozenset())):
        raise StateError(f"{db.url.display()} is not a standard Sakila database",
                         hint="run generator.py first")
    return history or read_history(db)  # before any change: one we cannot continue stays untouched
