"""Backups: SQLite through the sqlite3 backup API, MySQL/MariaDB through mysqldump.

The password never appears on a command line (where `ps` shows it to every user): mysqldump reads it
from a temporary option file, readable only by us and deleted afterwards. Backups are written to a
temporary name and renamed, so a failed or interrupted backup never leaves a file that looks good.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import DatabaseError, StateError
from .paths import resolve
from .sim.calendar import day_text
from .storage import Database, DbUrl

DUMP_TOOLS = ("mysqldump", "mariadb-dump")
CLIENT_TOOLS = ("mariadb", "mysql")


def default_path(db: Database) -> Path:
    """backups/<name>-<last simulated day>.db|.sql under the project root."""
    name = Path(db.url.label).stem if db.engine == "sqlite" else db.url.database
    suffix = ".db" if db.engine == "sqlite" else ".sql"
    return resolve(f"backups/{name}-{day_text(db.require_sim_state()['last_day'])}{suffix}")


def find_tool(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _option_value(text: str) -> str:
    """A value quoted for a MySQL option file (backslash and double quote escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def defaults_file(url: DbUrl) -> Iterator[str]:
    """A [client] option file with the connection settings and password: mode 0600, deleted after."""
    fd, path = tempfile.mkstemp(prefix="dvdrental-", suffix=".cnf")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("[client]\n"
                    f"host={_option_value(url.host)}\nport={url.port}\nuser={_option_value(url.user)}\n"
                    f"password={_option_value(url.password)}\n")
        yield path
    finally:
        os.unlink(path)


def client_command(tool: str, options: str, *args: str) -> list[str]:
    """A MySQL client command line; --defaults-extra-file must come first, and carries the password."""
    return [tool, f"--defaults-extra-file={options}", *args]


def backup(db: Database, output: Path | None = None) -> Path:
    """Back the database up to `output` (default: `default_path`); returns the file written."""
    db.require_sim_state()
    target = Path(output) if output else default_path(db)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        if db.engine == "sqlite":
            _sqlite(db, tmp)
        else:
            _mysql(db.url, tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def _sqlite(db: Database, tmp: Path) -> None:
    """Copy page by page with the online backup API: consistent even while others read."""
    source = getattr(db, "conn", None)
    if not isinstance(source, sqlite3.Connection):
        raise StateError("this SQLite database cannot be backed up (no connection)")
    if tmp.exists():
        tmp.unlink()
    dest = sqlite3.connect(str(tmp))
    try:
        source.backup(dest)
    finally:
        dest.close()


def _mysql(url: DbUrl, tmp: Path) -> None:
    tool = find_tool(DUMP_TOOLS)
    if tool is None:
        raise StateError("mysqldump not found (nor mariadb-dump): cannot back up a MySQL/MariaDB database",
                         hint="install the MySQL or MariaDB client tools, or put mysqldump on the PATH")
    with defaults_file(url) as options:
        cmd = client_command(tool, options, "--single-transaction", "--routines", "--triggers", "--hex-blob",
                             "--no-tablespaces", "--default-character-set=utf8mb4", f"--result-file={tmp}",
                             url.database)
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise DatabaseError(f"mysqldump failed: {why}")
