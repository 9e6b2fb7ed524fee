"""Where the project's files live; relative paths resolve against the project root."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT / "shared"
CONFIG_PATH = SHARED / "configs" / "config.json"
SCENARIO_DIR = SHARED / "configs" / "scenarios"
SQL_DIR = SHARED / "sql"
MYSQL_SCHEMA = PROJECT_ROOT / "schema.sql"
SQLITE_SCHEMA = SQL_DIR / "sqlite_schema.sql"


def resolve(path: str | Path) -> Path:
    """A user path: absolute as given, relative against the project root (so level folders work)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else PROJECT_ROOT / p
