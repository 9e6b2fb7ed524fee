"""Adopting a standard Sakila database asks first, and trusts no name it reads from the database.

Without --yes, incremental_update.py lists every change adoption would make (dropped triggers, the
SPATIAL index, widened ids, ...) and exits 2 with the database untouched; with --yes it adopts. Every
identifier read from the schema (trigger, index, constraint, column names) is quoted in SQL, so
hostile names (a backtick, a space, a semicolon) are handled like any other.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import incremental_update
from dvdrental import adoption
from dvdrental.adoption import mysql as adopt_mysql
from dvdrental.errors import StateError
from dvdrental.run import Span, advance
from dvdrental.storage import Database, connect
from helpers import violations
from sakila_legacy import build_legacy_sakila

#: names that break out of a backtick-quoted identifier unless the backtick is doubled
TRIGGER = "stamp` ; DROP TABLE `film"
INDEX = "loc`; x y"
FOREIGN_KEY = "fk`; rental inv"
COLUMN = "seen` ; on"


def q(name: str) -> str:
    """Quoted for the test's own DDL (written out here, independent of the code under test)."""
    return "`" + name.replace("`", "``") + "`"


def snapshot(db: Database) -> tuple:
    """Everything adoption may change: columns, triggers, indexes, foreign keys, tables."""
    def rows(sql: str) -> list[tuple]:
        return sorted(tuple(map(str, r)) for r in db.query(sql))
    return (
        rows("SELECT table_name, column_name, column_type, is_nullable, column_default, extra "
             "FROM information_schema.columns WHERE table_schema = DATABASE()"),
        rows("SELECT trigger_name, action_statement FROM information_schema.triggers "
             "WHERE trigger_schema = DATABASE()"),
        rows("SELECT table_name, index_name, column_name, index_type FROM information_schema.statistics "
             "WHERE table_schema = DATABASE()"),
        rows("SELECT table_name, constraint_name FROM information_schema.referential_constraints "
             "WHERE constraint_schema = DATABASE()"),
        sorted(db.table_names()),
    )


def names(db: Database, sql: str) -> set[str]:
    return {r[0].decode() if isinstance(r[0], bytes) else r[0] for r in db.query(sql)}


def test_without_yes_the_changes_are_listed_and_nothing_changes(mysql_url):
    url = mysql_url("ask")
    build_legacy_sakila(url)
    with connect(url) as db:
        before = snapshot(db)
    r = CliRunner().invoke(incremental_update.main, ["--db", url, "2"])
    assert r.exit_code == 2, r.output
    for words in ("would:", "drop trigger rental_date (BEFORE INSERT ON rental sets rental_date = NOW())",
                  "drop trigger payment_date", "drop trigger customer_create_date",
                  "drop SPATIAL index idx_location on address.location",
                  "widen to INT UNSIGNED", "payment.payment_id (smallint)", "drop and re-create 9 foreign keys",
                  "make last_update DATETIME", "let address.location accept NULL",
                  "add inventory.created_at", "create sim_state", "write sim_state"):
        assert words in r.output, words
    last = r.output.strip().splitlines()
    assert "is a standard Sakila database" in last[-2] and "nothing was changed" in last[-2]
    assert "run again with --yes to adopt it" in last[-1]
    assert "Traceback" not in r.output and "dropped" not in r.output
    with connect(url) as db:
        assert snapshot(db) == before and adoption.is_legacy_sakila(db) and db.read_sim_state() is None

    r = CliRunner().invoke(incremental_update.main, ["--db", url, "--yes", "2"])
    assert r.exit_code == 0, r.output
    assert "dropped trigger rental_date" in r.output and "dropped SPATIAL index idx_location" in r.output
    r = CliRunner().invoke(incremental_update.main, ["--db", url, "--quiet", "1"])  # adopted: no --yes
    assert r.exit_code == 0 and r.output == "", r.output
    with connect(url) as db:
        assert violations(db) == {}


def test_advance_refuses_with_the_plan_and_plans_without_writing(mysql_url, monkeypatch):
    url = mysql_url("api")
    build_legacy_sakila(url)
    db = connect(url)
    before = snapshot(db)
    notices: list[str] = []
    with pytest.raises(StateError, match="is a standard Sakila database") as refused:
        advance(db, Span(weeks=1), on_notice=notices.append)
    assert refused.value.hint == "run again with --yes to adopt it"
    changes = refused.value.changes  # type: ignore[attr-defined]
    assert notices[1:] == [f"  - {c}" for c in changes] and len(changes) > 10
    assert snapshot(db) == before

    def no(*args, **kwargs):
        raise AssertionError("planning wrote to the database")
    for method in ("execute", "executemany", "write_sim_state", "begin"):
        monkeypatch.setattr(db, method, no)
    assert adoption.plan(db) == changes  # reads only
    monkeypatch.undo()

    done = adoption.adopt(db)
    assert len(done) == len(changes)  # one line per planned change, in the same order
    assert [d.split()[0] for d in done[:4]] == ["dropped"] * 3 + ["widened"]
    assert [c.split()[0] for c in changes[:4]] == ["drop"] * 3 + ["widen"]


def test_hostile_names_read_from_the_database_are_quoted(mysql_url):
    url = mysql_url("hostile")
    build_legacy_sakila(url)
    with connect(url) as db:
        db.execute(f"CREATE TRIGGER {q(TRIGGER)} BEFORE UPDATE ON rental FOR EACH ROW "
                   "SET NEW.last_update = NOW()")
        db.execute(f"ALTER TABLE address DROP INDEX idx_location, ADD SPATIAL INDEX {q(INDEX)} (location)")
        db.execute("ALTER TABLE rental DROP FOREIGN KEY fk_rental_inventory")
        db.execute(f"ALTER TABLE rental ADD CONSTRAINT {q(FOREIGN_KEY)} FOREIGN KEY (inventory_id) "
                   "REFERENCES inventory (inventory_id) ON DELETE RESTRICT ON UPDATE CASCADE")
        db.execute(f"ALTER TABLE film ADD COLUMN {q(COLUMN)} DATE NULL")
        tables = db.table_names()
        before = snapshot(db)
    r = CliRunner().invoke(incremental_update.main, ["--db", url, "1"])
    assert r.exit_code == 2, r.output
    assert "drop trigger `stamp`` ; DROP TABLE ``film` (BEFORE UPDATE ON rental" in r.output
    assert "drop SPATIAL index `loc``; x y` on address.location" in r.output
    with connect(url) as db:
        assert snapshot(db) == before

    r = CliRunner().invoke(incremental_update.main, ["--db", url, "--yes", "1"])
    assert r.exit_code == 0, r.output
    with connect(url) as db:
        assert tables <= db.table_names()  # film (and everything else) still there
        assert TRIGGER not in names(db, "SELECT trigger_name FROM information_schema.triggers "
                                        "WHERE trigger_schema = DATABASE()")
        assert INDEX not in names(db, "SELECT index_name FROM information_schema.statistics "
                                      "WHERE table_schema = DATABASE()")
        fks = adopt_mysql.foreign_keys(db)
        assert fks[("rental", FOREIGN_KEY)].ref_table == "inventory"  # re-created under its own name
        assert db.query("SELECT data_type FROM information_schema.columns WHERE table_schema = DATABASE() "
                        "AND table_name = 'rental' AND column_name = 'inventory_id'")[0][0] == "int"
        assert db.require_sim_state()["origin"] == "sakila"
        assert violations(db) == {}


def test_ident_doubles_backticks():
    assert adopt_mysql.ident("plain") == "`plain`"
    assert adopt_mysql.ident("a`b; c") == "`a``b; c`"
    assert adopt_mysql.ident("``") == "``````"
