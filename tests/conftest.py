"""Shared fixtures: tiny configs, and a database URL per engine (SQLite file, MariaDB/MySQL database,
PostgreSQL database).

MySQL tests use the server at $DVDRENTAL_TEST_MYSQL (default mysql://root@127.0.0.1:3306), PostgreSQL
tests the one at $DVDRENTAL_TEST_POSTGRESQL (default postgresql://postgres@127.0.0.1:5432). They skip
when it is unreachable, except under CI=true, where they fail: CI must run them.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dvdrental.config import Config, load_config  # noqa: E402

MYSQL_SERVER = os.environ.get("DVDRENTAL_TEST_MYSQL", "mysql://root@127.0.0.1:3306")
PG_SERVER = os.environ.get("DVDRENTAL_TEST_POSTGRESQL", "postgresql://postgres@127.0.0.1:5432")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

TINY = {
    "simulation": {"initial_weeks": 3, "seed": 7},
    "catalog": {"films": 30, "actors": 40, "countries": 5, "cities": 12},
    "customers": {"initial": 80},
    "demand": {"base_weekly_rentals": 120.0, "capacity_weekly_rentals": 200.0},
}


def tiny_config(**sections: dict) -> Config:
    from dvdrental.config import deep_merge
    return load_config().override(deep_merge(TINY, sections))


@pytest.fixture
def tiny() -> Config:
    return tiny_config()


def _mysql_available() -> str | None:
    try:
        import mysql.connector
        from dvdrental.storage.url import parse_url
        u = parse_url(MYSQL_SERVER + "/probe")
        conn = mysql.connector.connect(host=u.host, port=u.port, user=u.user, password=u.password,
                                       connection_timeout=3)
        conn.close()
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc)


_MYSQL_PROBLEM = _mysql_available()


def drop_mysql_database(name: str) -> None:
    import mysql.connector
    from dvdrental.storage.url import parse_url
    u = parse_url(MYSQL_SERVER + "/probe")
    conn = mysql.connector.connect(host=u.host, port=u.port, user=u.user, password=u.password)
    conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    conn.close()


@pytest.fixture
def mysql_url():
    """A fresh, uniquely named MySQL database URL, dropped afterwards."""
    yield from _fresh_databases("MySQL/MariaDB", _MYSQL_PROBLEM, MYSQL_SERVER, drop_mysql_database)


def _fresh_databases(engine: str, problem: str | None, server: str, drop) -> Iterator:
    """A factory of fresh, uniquely named database URLs on `server`, dropped afterwards; skipped when the
    server is unreachable (a failure under CI)."""
    if problem:
        if IN_CI:
            pytest.fail(f"{engine} is required under CI but unreachable: {problem}")
        pytest.skip(f"{engine} unreachable: {problem}")
    names = []

    def make(tag: str = "t") -> str:
        name = f"dvdtest_{tag}_{uuid.uuid4().hex[:10]}"
        names.append(name)
        return f"{server}/{name}"

    yield make
    for name in names:
        drop(name)


def _pg_admin():
    """An autocommit connection to the PostgreSQL test server's `postgres` database."""
    import psycopg
    from dvdrental.storage.url import parse_url
    u = parse_url(PG_SERVER + "/postgres")
    return psycopg.connect(host=u.host, port=u.port, user=u.user, password=u.password or None,
                           dbname="postgres", autocommit=True, connect_timeout=3)


def _pg_available() -> str | None:
    try:
        _pg_admin().close()
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


_PG_PROBLEM = _pg_available()


def drop_pg_database(name: str) -> None:
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_databases():
    """A factory of fresh, uniquely named PostgreSQL database URLs, dropped afterwards."""
    yield from _fresh_databases("PostgreSQL", _PG_PROBLEM, PG_SERVER, drop_pg_database)


@pytest.fixture
def pg_url():
    """A fresh, uniquely named PostgreSQL database URL (a factory), dropped afterwards."""
    yield from _pg_databases()


@pytest.fixture(scope="module")
def pg_url_module():
    """As pg_url, for a database a module's read-only tests share."""
    yield from _pg_databases()


@pytest.fixture(params=["sqlite", "mysql"])
def db_url(request, tmp_path):
    """A factory of fresh database URLs on each engine."""
    if request.param == "sqlite":
        counter = iter(range(1000))
        yield lambda tag="t": f"sqlite:///{tmp_path}/{tag}{next(counter)}.db"
    else:
        yield request.getfixturevalue("mysql_url")


def own_server(purpose: str, kind: str = "OwnServer"):
    """A not yet started server of the tests' own (tests/servers.py: OwnServer, MariaDB, or OwnPostgres), or
    skip the test when its binaries are missing (fail under CI, where `purpose` must run)."""
    import servers
    server = getattr(servers, kind)()
    problem = server.problem()
    if problem:
        if IN_CI:
            pytest.fail(f"{purpose} need the server binaries under CI: {problem}")
        pytest.skip(problem)
    return server


@pytest.fixture(scope="session")
def binlog_server():
    """A MariaDB server of the tests' own with the binary log on (for CDC), started once a session."""
    with own_server("CDC tests") as server:
        yield server


@pytest.fixture(scope="session")
def logical_server():
    """A PostgreSQL server of the tests' own with wal_level=logical (for CDC), started once a session."""
    with own_server("PostgreSQL CDC tests", "OwnPostgres") as server:
        yield server


@pytest.fixture
def logical_url(logical_server):
    """A factory of fresh database URLs on the logical-decoding test server."""
    counter = iter(range(1000))
    return lambda tag="t": logical_server.url(f"{tag}_{uuid.uuid4().hex[:8]}_{next(counter)}")


@pytest.fixture
def binlog_url(binlog_server):
    """A factory of fresh database URLs on the binary-logging test server."""
    counter = iter(range(1000))
    return lambda tag="t": binlog_server.url(f"{tag}_{uuid.uuid4().hex[:8]}_{next(counter)}")
