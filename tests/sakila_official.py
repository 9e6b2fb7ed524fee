"""The real Sakila, as users have it: MySQL's official data script and the SQLite port of Sakila.

Both live in the team's reference folder (../shared/ref/sakila, beside the repository; see its README),
never in the repository. Tests that need them skip when the folder is absent (a user's fresh clone),
but fail under CI=true, where the folder is always there.

The official data script needs Sakila's schema first; the schema is written in tests/sakila_legacy.py
from MySQL's documentation of Sakila (the official schema file is code and is not shipped). Sakila's
views are the product's own (shared/sql/mysql_views.sql: Sakila's names and meaning), created as the
official schema script does, before the data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dvdrental.paths import PROJECT_ROOT
from dvdrental.storage import connect, parse_url
from dvdrental.storage.mysql import split_script
from sakila_legacy import DDL

REF = Path(os.environ.get("DVDRENTAL_REF", PROJECT_ROOT.parent / "shared" / "ref")) / "sakila"
DATA_SQL = REF / "sakila-data.sql"
SQLITE_DB = REF / "sakila-sqlite.db"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# What the official data holds (MySQL's Sakila 1.x, and the SQLite port of the same data).
RENTALS = 16_044
OPEN_RENTALS = 183
FIRST_DAY = "2005-05-24"
LAST_DAY = "2006-02-14"


def need(path: Path) -> Path:
    """The reference file, or skip (fail under CI, where ../shared/ref is always present)."""
    if not path.exists():
        why = f"reference data {path} is absent (see ../shared/ref/README.md)"
        if IN_CI:
            pytest.fail(f"{why}: it is required under CI=true")
        pytest.skip(why)
    return path


def sqlite_port(tmp_path: Path) -> Path:
    """A writable copy of the SQLite port of Sakila."""
    target = tmp_path / "sakila.db"
    shutil.copyfile(need(SQLITE_DB), target)
    target.chmod(0o644)
    return target


def official(stmt: str) -> str:
    """A statement of the fixture's DDL as the official schema writes it: address.location and its
    SPATIAL key only for MySQL 5.7.5 and later (a versioned comment, which MariaDB skips, as it skips
    the location values in the data script)."""
    return stmt.replace("location GEOMETRY NOT NULL,", "/*!50705 location GEOMETRY NOT NULL,*/") \
        .replace("SPATIAL KEY idx_location (location),", "/*!50705 SPATIAL KEY idx_location (location),*/")


def load_official_mysql(url: str) -> None:
    """Sakila's schema (tests/sakila_legacy.py), its views, then the official data script run by the
    `mysql` client as published, only its `USE sakila;` pointed at the test's database."""
    data = need(DATA_SQL).read_text(encoding="utf-8")
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        pytest.fail("the mysql/mariadb command-line client is required to load the official Sakila data")
    target = parse_url(url)
    db = connect(url)  # creates the database
    try:
        db.execute("SET foreign_key_checks = 0")
        for stmt in DDL:
            db.execute(official(stmt))
        for stmt in split_script((PROJECT_ROOT / "shared" / "sql" / "mysql_views.sql").read_text()):
            db.execute(stmt)
    finally:
        db.close()
    assert data.count("USE sakila;") == 1
    env = {**os.environ, "MYSQL_PWD": target.password}
    subprocess.run([client, f"--host={target.host}", f"--port={target.port}", f"--user={target.user}",
                    "--default-character-set=utf8mb4", target.database],
                   input=data.replace("USE sakila;", f"USE `{target.database}`;").encode(), env=env,
                   check=True, capture_output=True)
