"""Database URLs: sqlite:///path.db and mysql://user:pass@host:port/name."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError
from ..paths import resolve

_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
EXAMPLES = "sqlite:///dvdrental.db or mysql://user:pass@127.0.0.1:3306/dvdrental"


@dataclass(frozen=True)
class DbUrl:
    engine: str  # "sqlite" | "mysql"
    path: Path | None = None  # sqlite; None = in memory
    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = ""
    database: str = ""

    def display(self) -> str:
        """The URL without its password, for messages."""
        if self.engine == "sqlite":
            return f"sqlite:///{self.path}" if self.path else "sqlite:///:memory:"
        return f"mysql://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def label(self) -> str:
        return self.path.name if self.path else self.database or ":memory:"


def parse_url(url: str) -> DbUrl:
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise ConfigError(f"bad database URL '{url}': no scheme", hint=f"use {EXAMPLES}")
    if scheme == "sqlite":
        return _sqlite(url, rest)
    if scheme in ("mysql", "mariadb", "mysql+mysqlconnector"):
        return _mysql(url)
    raise ConfigError(f"bad database URL '{_mask(url)}': unsupported engine '{scheme}'",
                      hint=f"use {EXAMPLES}")


def _sqlite(url: str, rest: str) -> DbUrl:
    # sqlite:///relative.db, sqlite:////abs/path.db, sqlite:///:memory:, sqlite://:memory:
    if not rest.startswith("/") and rest != ":memory:":
        raise ConfigError(f"bad database URL '{url}': SQLite URLs look like sqlite:///path.db")
    path = rest[1:] if rest.startswith("/") else rest
    if path in ("", ":memory:"):
        return DbUrl("sqlite", None) if path == ":memory:" else _bad(url, "no file name")
    return DbUrl("sqlite", resolve(unquote(path)))


def _mysql(url: str) -> DbUrl:
    try:
        parts = urlsplit(url)
        port = parts.port or 3306
    except ValueError as exc:
        raise ConfigError(f"bad database URL '{_mask(url)}': {exc}", hint=f"use {EXAMPLES}") from None
    name = parts.path.lstrip("/")
    if not name:
        _bad(url, "no database name after the host")
    if not _NAME.match(name):
        _bad(url, f"database name '{name}' may only hold letters, digits and _ (at most 64)")
    if parts.query or parts.fragment:
        _bad(url, "query strings are not supported")
    password = unquote(parts.password) if parts.password is not None else \
        os.environ.get("DVDRENTAL_DB_PASSWORD", "")
    return DbUrl("mysql", None, parts.hostname or "127.0.0.1", port,
                 unquote(parts.username) if parts.username else "root", password, name)


def _bad(url: str, why: str) -> DbUrl:
    raise ConfigError(f"bad database URL '{_mask(url)}': {why}", hint=f"use {EXAMPLES}")


def _mask(url: str) -> str:
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)
