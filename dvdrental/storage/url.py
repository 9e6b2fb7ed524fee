"""Database URLs: sqlite:///path.db, mysql://user:pass@host:port/name, postgresql://user:pass@host:port/name.

Anything surprising is refused with one clear error rather than guessed: an empty URL, port 0 or out
of range, an empty user name. A URL in an error is always shown through `mask_credentials`, so a
password never reaches the screen, however malformed the URL around it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError, mask_credentials, register_secret
from ..paths import resolve

_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
EXAMPLES = ("sqlite:///dvdrental.db, mysql://user:pass@127.0.0.1:3306/dvdrental or "
            "postgresql://user:pass@127.0.0.1:5432/dvdrental")
#: what to do with a password holding characters that end the user:password part of a URL
ENCODE = "percent-encode special characters in the user and password (/ as %2F, ? as %3F, # as %23)"


@dataclass(frozen=True)
class DbUrl:
    engine: str  # "sqlite" | "mysql" | "postgresql"
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
        return f"{self.engine}://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def label(self) -> str:
        return self.path.name if self.path else self.database or ":memory:"


def parse_url(url: str) -> DbUrl:
    url = url.strip()
    if not url:
        raise ConfigError("the database URL is empty", hint=f"use {EXAMPLES}, or leave --db out for the default")
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or not _SCHEME.match(scheme):
        _bad(url, "no scheme")
    if scheme == "sqlite":
        return _sqlite(url, rest)
    if scheme in ("mysql", "mariadb", "mysql+mysqlconnector"):
        return _server(url, "mysql")
    if scheme in ("postgresql", "postgres"):
        return _server(url, "postgresql")
    _bad(url, f"unsupported engine '{scheme}'")


def _sqlite(url: str, rest: str) -> DbUrl:
    # sqlite:///relative.db, sqlite:////abs/path.db, sqlite:///:memory:, sqlite://:memory:
    if not rest.startswith("/") and rest != ":memory:":
        _bad(url, "SQLite URLs look like sqlite:///path.db")
    path = rest[1:] if rest.startswith("/") else rest
    if path in ("", ":memory:"):
        return DbUrl("sqlite", None) if path == ":memory:" else _bad(url, "no file name")
    return DbUrl("sqlite", resolve(unquote(path)))


#: per server engine: its default port and user
SERVER_DEFAULTS = {"mysql": (3306, "root"), "postgresql": (5432, "postgres")}


def _server(url: str, engine: str) -> DbUrl:
    try:
        parts = urlsplit(url)
    except ValueError:
        _bad(url, "it cannot be parsed")
    after_host = parts.path + parts.query + parts.fragment
    if "@" in after_host:  # a raw / ? or # in the password cut the URL short: say so, echo nothing
        _bad(url, "the part before the host holds / ? or #", hint=ENCODE)
    default_port, default_user = SERVER_DEFAULTS[engine]
    try:
        port = parts.port
    except ValueError:  # not a number, or above 65535
        port = -1
    if port is not None and not 1 <= port <= 65535:
        _bad(url, f"the port must be a number from 1 to 65535 (or left out for {default_port})")
    if parts.username == "":
        _bad(url, "the user name before the @ is empty", hint=f"write {engine}://user@host/name, or leave "
                                                              f"user@ out for {default_user}")
    name = parts.path.lstrip("/")
    if not name:
        _bad(url, "no database name after the host")
    if not _NAME.match(name):
        _bad(url, f"database name '{name}' may only hold letters, digits and _ (at most 64)")
    if parts.query or parts.fragment:
        _bad(url, "query strings are not supported")
    password = unquote(parts.password) if parts.password is not None else \
        os.environ.get("DVDRENTAL_DB_PASSWORD", "")
    register_secret(password)
    return DbUrl(engine, None, parts.hostname or "127.0.0.1", default_port if port is None else port,
                 unquote(parts.username) if parts.username is not None else default_user, password, name)


def _bad(url: str, why: str, hint: str | None = None) -> DbUrl:
    raise ConfigError(f"bad database URL '{mask_credentials(url, url=True)}': {why}", hint=hint or f"use {EXAMPLES}")
