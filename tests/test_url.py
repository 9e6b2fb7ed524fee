import pytest

from dvdrental.errors import ConfigError
from dvdrental.paths import PROJECT_ROOT
from dvdrental.storage.url import parse_url


def test_sqlite_relative_resolves_against_project_root():
    assert parse_url("sqlite:///x/y.db").path == PROJECT_ROOT / "x" / "y.db"


def test_sqlite_absolute_and_memory():
    assert str(parse_url("sqlite:////tmp/a.db").path) == "/tmp/a.db"
    assert parse_url("sqlite:///:memory:").path is None


def test_mysql_parts(monkeypatch):
    monkeypatch.delenv("DVDRENTAL_DB_PASSWORD", raising=False)
    u = parse_url("mysql://bob:s%3Acret@db.example:3307/shop_1")
    assert (u.user, u.password, u.host, u.port, u.database) == ("bob", "s:cret", "db.example", 3307, "shop_1")
    assert "s:cret" not in u.display()
    monkeypatch.setenv("DVDRENTAL_DB_PASSWORD", "fromenv")
    assert parse_url("mysql://bob@h/d").password == "fromenv"


def test_postgresql_parts(monkeypatch):
    monkeypatch.delenv("DVDRENTAL_DB_PASSWORD", raising=False)
    u = parse_url("postgresql://bob:s%3Acret@db.example:5433/shop_1")
    assert (u.engine, u.user, u.password, u.host, u.port, u.database) == \
        ("postgresql", "bob", "s:cret", "db.example", 5433, "shop_1")
    assert "s:cret" not in u.display() and u.display().startswith("postgresql://bob@")
    v = parse_url("postgres://h/d")  # the short scheme; Pagila's defaults: port 5432, user postgres
    assert (v.engine, v.user, v.port) == ("postgresql", "postgres", 5432)
    monkeypatch.setenv("DVDRENTAL_DB_PASSWORD", "fromenv")
    assert parse_url("postgresql://bob@h/d").password == "fromenv"


@pytest.mark.parametrize("url", ["dvdrental.db", "oracle://x/y", "mysql://h:99999/d", "mysql://h/",
                                 "mysql://h/bad-name", "mysql://h/x;drop", "sqlite://", "sqlite://rel.db",
                                 "postgresql://h:0/d", "postgresql://h/", "postgres://@h/d",
                                 "postgresql://h/x;drop"])
def test_bad_urls(url):
    with pytest.raises(ConfigError):
        parse_url(url)


def test_password_masked_in_errors():
    with pytest.raises(ConfigError) as err:
        parse_url("mysql://u:topsecret@h/bad-name")
    assert "topsecret" not in str(err.value)
