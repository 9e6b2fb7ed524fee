"""The same behaviour on SQLite and MySQL/MariaDB: schema, foreign keys, invariants, identical content."""

import pytest

from dvdrental.checksum import checksum, table_digests
from dvdrental.storage import connect
from dvdrental.storage.tables import SAKILA_TABLES, TABLES
from helpers import build, violations
from conftest import tiny_config


def test_schema_matches_table_metadata(db_url):
    db = build(tiny_config(simulation={"initial_weeks": 0}), db_url())
    assert db.missing_sakila() == []
    for table in TABLES.values():
        assert db.table_columns(table.name) == list(table.column_names), table.name


def test_generated_database_keeps_every_invariant(db_url):
    db = build(tiny_config(), db_url())
    assert db.query("SELECT COUNT(*) FROM rental")[0][0] > 100
    assert violations(db) == {}


def test_foreign_keys_are_enforced(db_url):
    db = build(tiny_config(simulation={"initial_weeks": 0}), db_url())
    with pytest.raises(Exception) as err:
        with db.transaction():
            db.execute("INSERT INTO rental (rental_id, rental_date, inventory_id, customer_id, staff_id, "
                       "last_update) VALUES (999999, '2001-10-02 10:00:00', 999999, 1, 1, "
                       "'2001-10-02 10:00:00')")
    assert "foreign key" in str(err.value).lower()
    assert db.query("SELECT COUNT(*) FROM rental")[0][0] == 0


def test_film_text_follows_film_through_triggers(db_url):
    db = build(tiny_config(simulation={"initial_weeks": 0}), db_url())
    assert db.query("SELECT COUNT(*) FROM film_text")[0][0] == db.query("SELECT COUNT(*) FROM film")[0][0]
    with db.transaction():
        db.execute("UPDATE film SET title = 'RENAMED FILM' WHERE film_id = 1")
    assert db.query("SELECT title FROM film_text WHERE film_id = 1")[0][0] == "RENAMED FILM"


def test_sqlite_and_mysql_hold_identical_content(tmp_path, mysql_url):
    cfg = tiny_config(simulation={"initial_weeks": 4})
    lite = build(cfg, f"sqlite:///{tmp_path}/a.db")
    my = build(cfg, mysql_url("same"))
    assert table_digests(lite) == table_digests(my)
    assert checksum(lite) == checksum(my)


def test_sakila_table_list_is_the_sakila_sixteen():
    assert sorted(t.name for t in SAKILA_TABLES) == sorted([
        "actor", "address", "category", "city", "country", "customer", "film", "film_actor", "film_category",
        "film_text", "inventory", "language", "payment", "rental", "staff", "store"])


def test_mysql_database_is_created_if_missing(mysql_url):
    url = mysql_url("create")
    db = connect(url)
    assert db.is_empty()
    db.close()


def test_a_creation_killed_halfway_is_cleared_by_the_next_run(db_url):
    from dvdrental.errors import StateError
    from dvdrental.run import generate
    url = db_url("half")
    db = connect(url)
    db.create_schema()  # schema committed, base data not: what a kill between the two leaves
    assert db.is_unfinished()
    summary = generate(db, tiny_config())  # no --reset needed
    assert summary.rentals > 0 and not db.is_unfinished()
    with pytest.raises(StateError, match="not empty"):  # a real database is never replaced silently
        generate(db, tiny_config(simulation={"seed": 8}))  # (the same simulation would be complete)


def test_other_peoples_tables_are_never_taken_for_a_leftover(db_url):
    from dvdrental.errors import StateError
    from dvdrental.run import generate
    db = connect(db_url("other"))
    db.execute("CREATE TABLE customer_notes (id INT PRIMARY KEY)")
    assert not db.is_unfinished()
    with pytest.raises(StateError, match="not empty"):
        generate(db, tiny_config())
    assert db.table_names() == {"customer_notes"}
