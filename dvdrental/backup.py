"""Backups: a consistent copy of the database next to the project (maintain.py backup).

Each engine makes its own copy (storage: SQLite's online backup API, mysqldump for MySQL/MariaDB,
with the password never on a command line nor on disk, and mysqldump killed with its parent). Here
the copy goes to a temporary name and is renamed, so a failed or interrupted backup never leaves a file
that looks good (a hidden .tmp left by a kill holds no password and is removed by the next backup).
"""

from __future__ import annotations

import os
from pathlib import Path

from .paths import resolve
from .sim.calendar import day_text
from .storage import Database


def default_path(db: Database) -> Path:
    """backups/<name>-<last simulated day>.db|.sql under the project root."""
    name = Path(db.url.label).stem if db.engine == "sqlite" else db.url.database
    suffix = ".db" if db.engine == "sqlite" else ".sql"
    return resolve(f"backups/{name}-{day_text(db.require_sim_state()['last_day'])}{suffix}")


def backup(db: Database, output: Path | None = None) -> Path:
    """Back the database up to `output` (default: `default_path`); returns the file written."""
    db.require_sim_state()
    target = Path(output) if output else default_path(db)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        if tmp.exists():
            tmp.unlink()
        db.backup_to(tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target
