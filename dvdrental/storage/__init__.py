"""Storage: one thin module per engine behind `connect(url)`."""

from __future__ import annotations

from .base import Database
from .url import DbUrl, parse_url


def connect(url: str | DbUrl, create: bool = True) -> Database:
    """Open the database at `url`; `create=False` refuses to make a missing MySQL or PostgreSQL database."""
    target = parse_url(url) if isinstance(url, str) else url
    if target.engine == "sqlite":
        from .sqlite import SQLiteDatabase
        if not create and target.path is not None and not target.path.exists():
            from ..errors import StateError
            raise StateError(f"{target.display()} does not exist", hint="run generator.py first")
        return SQLiteDatabase(target)
    if target.engine == "postgresql":
        from .postgresql import PostgreSQLDatabase
        return PostgreSQLDatabase(target, create=create)
    from .mysql import MySQLDatabase
    return MySQLDatabase(target, create=create)


__all__ = ["Database", "DbUrl", "connect", "parse_url"]
