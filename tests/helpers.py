"""Small helpers for tests: build a database, read columns, run checks."""

from __future__ import annotations

import filecmp
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable

from dvdrental.config import Config
from dvdrental.checks.invariants import context_for, run_all
from dvdrental.run import RunSummary, create, simulate
from dvdrental.storage import Database, connect


ROOT = Path(__file__).resolve().parent.parent


def build(cfg: Config, url: str = "sqlite:///:memory:", days: int | None = None) -> Database:
    """A database with base data and `days` (default: initial_weeks * 7) simulated days."""
    db = connect(url)
    model, state = create(db, cfg)
    simulate(db, model, state, state.day + (7 * cfg.simulation.initial_weeks if days is None else days),
             RunSummary())
    return db


def violations(db: Database) -> dict[str, list[str]]:
    return {k: v for k, v in run_all(db, context_for(db, db.require_sim_state())).items() if v}


def timed_run(args: list[str]) -> float:
    """Wall seconds of a command run to the end from the project root (it must succeed): the yardstick
    for when to kill the same command, so kills land mid-run however fast the machine is."""
    started = time.perf_counter()
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return time.perf_counter() - started


def kill_at_random(args: list[str], seed: int, tries: int, done: Callable[[], bool] = lambda: False,
                   low: float = 0.3, high: float = 1.2) -> int:
    """Run a command (from the project root) up to `tries` times, each one killed with SIGKILL at a
    random moment unless it finished first; stop once it exits 0 or `done()`. Returns the kills."""
    rnd = random.Random(seed)
    kills = 0
    for _ in range(tries):
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(low, high))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        if proc.returncode == 0 or done():
            break
    return kills


def same_tree(a: Path, b: Path) -> bool:
    """Two folder trees with the same names and byte-identical files (export folders compared)."""
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    return not mismatch and not errors and all(same_tree(a / d, b / d) for d in cmp.common_dirs)


def sakila_rows(db: Database, cols: dict[str, list[str]] | None = None) -> dict[str, dict[tuple, tuple]]:
    """Every row of the Sakila tables by key, all columns (or the given ones, to compare old rows)."""
    from dvdrental.storage.tables import SAKILA_TABLES
    quote = '"' if db.engine == "sqlite" else "`"
    out = {}
    for table in SAKILA_TABLES:
        names = cols[table.name] if cols else db.table_columns(table.name)
        key = [names.index(k) for k in table.key]
        found = db.query(f"SELECT {', '.join(quote + c + quote for c in names)} FROM {table.name}")
        out[table.name] = {tuple(r[i] for i in key): tuple(r) for r in found}
    return out


def realism(result: dict, name: str) -> dict:
    """One check of validate()'s realism report, by name."""
    return next(r for r in result["realism"] if r["name"] == name)

