"""incremental_update.py on a standard Sakila database (MySQL/MariaDB): adopted, migrated, continued.

The fixture (tests/sakila_legacy.py) has the official scripts' shape and Sakila's quirks; these tests
prove the migration keeps every existing value, the business continues after its last day under the
simulation's invariants, runs split and resume exactly, and anything else is refused untouched.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from click.testing import CliRunner

import incremental_update
from dvdrental import adoption
from dvdrental.adoption import mysql as adopt_mysql
from dvdrental.checksum import checksum
from dvdrental.config import load_config
from dvdrental.errors import StateError
from dvdrental.run import Span, advance
from dvdrental.sim.calendar import day_number
from dvdrental.storage import Database, connect
from dvdrental.storage.tables import SAKILA_TABLES, TABLES
from helpers import sakila_rows, violations
from sakila_legacy import LegacyFacts, build_legacy_sakila

FILM_TRIGGERS = {"ins_film", "upd_film", "del_film"}


def legacy(mysql_url, tag: str = "sakila") -> tuple[str, LegacyFacts]:
    url = mysql_url(tag)
    return url, build_legacy_sakila(url)


def shape(db: Database) -> list[tuple]:
    """The columns of every table (not view) as information_schema describes them."""
    return db.query(
        "SELECT c.table_name, c.column_name, c.ordinal_position, c.column_type, c.is_nullable, "
        "c.column_default, c.extra FROM information_schema.columns c JOIN information_schema.tables t "
        "ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
        "WHERE c.table_schema = DATABASE() ORDER BY c.table_name, c.ordinal_position")


def triggers(db: Database) -> set[str]:
    return {r[0] for r in db.query("SELECT trigger_name FROM information_schema.triggers "
                                   "WHERE trigger_schema = DATABASE()")}


def ts(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59))


def changed(before: dict, after: dict, last_day: dt.date) -> tuple[list, int]:
    """Old rows that differ, bar rentals still out on the last day that came back later; and how
    many came back (only their return_date and last_update change, to a simulated time)."""
    diff, returned = [], 0
    for table, rows in before.items():
        for key, row in rows.items():
            new = after[table][key]
            if table == "rental" and row[4] is None and new[4] is not None:
                if new[:4] + new[5:6] != row[:4] + row[5:6] or not ts(last_day) < new[4] == new[6]:
                    diff.append((table, key))
                returned += 1
            elif new != row:
                diff.append((table, key))
    return diff, returned


def test_fixture_has_the_shape_and_quirks_of_the_official_scripts(mysql_url):
    url = mysql_url("quirks")
    started = time.perf_counter()
    facts = build_legacy_sakila(url)
    assert time.perf_counter() - started < 3
    db = connect(url)
    q = lambda sql: db.query(sql)[0][0]  # noqa: E731
    assert adoption.is_legacy_sakila(db) and set(db.missing_sakila()) == {"inventory.created_at",
                                                                          "inventory.retired_at"}
    assert triggers(db) == FILM_TRIGGERS | {"customer_create_date", "payment_date", "rental_date"}
    assert q("SELECT column_type FROM information_schema.columns WHERE table_schema = DATABASE() "
             "AND table_name = 'payment' AND column_name = 'payment_id'") == "smallint(5) unsigned"
    assert q("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() "
             "AND column_name = 'last_update' AND data_type = 'timestamp'") == 15
    assert q("SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() "
             "AND index_type = 'SPATIAL'") == 1
    assert 1000 < facts.rentals < 5000 and q("SELECT COUNT(DISTINCT store_id) FROM store") == 2
    assert 65_000 < q("SELECT MAX(payment_id) FROM payment") <= 65_535
    assert q("SELECT COUNT(DISTINCT create_date) FROM customer") == 1
    assert q("SELECT COUNT(*) FROM rental r JOIN customer c USING (customer_id) "
             "WHERE r.rental_date >= c.create_date") == 0
    assert q("SELECT COUNT(*) FROM rental r JOIN customer c USING (customer_id) "
             "JOIN inventory i USING (inventory_id) WHERE c.store_id <> i.store_id") > 100
    assert q("SELECT COUNT(*) FROM film WHERE film_id NOT IN (SELECT film_id FROM inventory)") > 0
    assert q("SELECT COUNT(*) FROM payment WHERE rental_id IS NULL") > 0
    assert q("SELECT COUNT(DISTINCT DATE(rental_date)) FROM rental WHERE return_date IS NULL") == 1
    assert q("SELECT DATE(MAX(rental_date)) FROM rental WHERE return_date IS NULL") == facts.last_rental_day
    assert facts.stamped > facts.last_day == facts.last_rental_day  # Sakila's rows were stamped the days after
    db.begin()  # the official triggers really do stamp the wall clock over given dates
    db.execute("INSERT INTO payment (customer_id, staff_id, amount, payment_date) "
               "VALUES (1, 1, 1.00, '2005-06-01 10:00:00')")
    assert q("SELECT ABS(TIMESTAMPDIFF(SECOND, payment_date, NOW())) FROM payment "
             "WHERE payment_id = LAST_INSERT_ID()") < 60
    db.rollback()


def test_adoption_migrates_without_changing_a_value(mysql_url):
    url, facts = legacy(mysql_url)
    db = connect(url)
    assert adoption.is_legacy_sakila(db)
    before, fks = sakila_rows(db), adopt_mysql.foreign_keys(db)
    old_cols = {t.name: db.table_columns(t.name) for t in SAKILA_TABLES}

    lines = adoption.adopt(db, None, 99)
    text = "\n".join(lines)
    for words in ("dropped trigger customer_create_date", "dropped trigger payment_date",
                  "dropped trigger rental_date", "payment.payment_id (smallint)",
                  "inventory.inventory_id (mediumint)",
                  "re-created 9 foreign keys", "last_update is DATETIME", "address.location accepts NULL",
                  f"inventory.created_at, set to {facts.first_day} 00:00:00", "inventory.retired_at",
                  "index rental.idx_return_date", "created sim_state, sim_customer_event, sim_day",
                  f"last day {facts.last_day}", f"rental.last_update {facts.stamped}",
                  "continues on " + str(facts.last_day + dt.timedelta(days=1))):
        assert words in text, words

    assert sakila_rows(db, old_cols) == before  # every existing value reads back as it was, all columns
    assert db.query("SELECT COUNT(*) FROM inventory WHERE created_at <> ? OR retired_at IS NOT NULL",
                    (f"{facts.first_day} 00:00:00",))[0][0] == 0
    assert triggers(db) == FILM_TRIGGERS
    after = adopt_mysql.foreign_keys(db)
    assert {k: v for k, v in after.items() if k[0] in old_cols} == fks  # re-created exactly
    assert ("sim_customer_event", "fk_sim_customer_event_customer") in after
    assert not adoption.is_legacy_sakila(db)
    assert adopt_mysql.FK_SAVE not in db.table_names()

    # the migrated columns are those of schema.sql: a generator-made schema has the same shape
    ref = connect(mysql_url("ref"))
    ref.create_schema()
    assert [c for c in shape(db) if c[0] != "sim_imported"] == shape(ref)  # bar the record of the import

    st = db.require_sim_state()
    assert (st["origin"], st["seed"]) == ("sakila", 99)
    assert st["last_day"] == day_number(facts.last_day) == st["start_date"] - 1
    assert st["counters"]["payment"] == 65_501
    demand, customers = st["config"]["demand"], st["config"]["customers"]
    assert 100 < demand["base_weekly_rentals"] < 300
    default = load_config().demand
    ratio = default.capacity_weekly_rentals / default.base_weekly_rentals
    assert demand["capacity_weekly_rentals"] == pytest.approx(demand["base_weekly_rentals"] * ratio, abs=0.01)
    assert customers["rentals_per_active_week"] == pytest.approx(
        demand["base_weekly_rentals"] / facts.active_customers, abs=1e-3)

    # adopting again is a no-op: every step finds its work done, and nothing changes
    digest, layout = checksum(db), shape(db)
    history = adoption.read_history(db)
    assert [step(db, history) for step in adopt_mysql.STEPS] == [[]] * len(adopt_mysql.STEPS)
    with pytest.raises(StateError, match="not a standard Sakila database"):
        adoption.adopt(db)
    assert checksum(db) == digest and shape(db) == layout


def test_incremental_update_continues_the_business(mysql_url):
    url, facts = legacy(mysql_url)
    db = connect(url)
    before = sakila_rows(db)
    old_cols = {t.name: db.table_columns(t.name) for t in SAKILA_TABLES}
    notices: list[str] = []
    # late changes off: the counts below compare the tables with what the days' business did
    summary = advance(db, Span(weeks=2), on_notice=notices.append, late_changes=False, yes=True)
    assert any("adopted as a dvdrental-live database" in n for n in notices)
    st = db.require_sim_state()
    first, last = facts.last_day + dt.timedelta(days=1), facts.last_day + dt.timedelta(days=14)
    assert day_number(last) == st["last_day"] and summary.days == 14 and summary.rentals > 100

    # old rows are untouched, except that rentals still out on the last day come back now
    diff, returned = changed(before, sakila_rows(db, old_cols), facts.last_day)
    assert diff == [] and 0 < returned <= facts.open_rentals

    # new rows carry simulated dates after the last business day (not the wall clock)
    span = db.query("SELECT MIN(rental_date), MAX(rental_date), MIN(last_update), COUNT(*) FROM rental "
                    "WHERE rental_id > ?", (facts.rentals,))[0]
    assert dt.datetime.combine(first, dt.time()) <= span[0] and span[1] <= ts(last) and span[2] >= span[0]
    pay = db.query("SELECT MIN(payment_date), MAX(payment_date), MAX(payment_id), COUNT(*) FROM payment "
                   "WHERE payment_id > 65500")[0]
    assert dt.datetime.combine(first, dt.time()) <= pay[0] and pay[1] <= ts(last)
    assert pay[2] > 65_535 and pay[3] == summary.payments
    assert db.query("SELECT COUNT(*) FROM customer WHERE create_date > ? OR last_update > ?",
                    (ts(last), ts(last)))[0][0] == 0

    # every invariant holds for the simulated period; new rentals are single-store
    assert violations(db) == {}
    assert db.query("""
        SELECT COUNT(*) FROM rental r JOIN customer c ON c.customer_id = r.customer_id
        JOIN inventory i ON i.inventory_id = r.inventory_id JOIN staff s ON s.staff_id = r.staff_id
        WHERE r.rental_id > ? AND (c.store_id <> i.store_id OR s.store_id <> i.store_id)""",
                    (facts.rentals,))[0][0] == 0
    # ... while the imported history keeps its cross-store rentals
    assert db.query("SELECT COUNT(*) FROM rental r JOIN customer c ON c.customer_id = r.customer_id "
                    "JOIN inventory i ON i.inventory_id = r.inventory_id "
                    "WHERE r.rental_id <= ? AND c.store_id <> i.store_id", (facts.rentals,))[0][0] > 0
    assert triggers(db) == FILM_TRIGGERS
    assert db.query("SELECT COUNT(*) FROM film f LEFT JOIN film_text t ON t.film_id = f.film_id "
                    "WHERE t.film_id IS NULL")[0][0] == 0

    # a second run continues where the first stopped, without adopting again
    notices.clear()
    advance(db, Span(days=3), on_notice=notices.append)
    assert notices == [] and db.require_sim_state()["last_day"] == day_number(last) + 3
    assert violations(db) == {}


def test_cli_prints_the_changes_and_continues(mysql_url):
    url, facts = legacy(mysql_url)
    r = CliRunner().invoke(incremental_update.main, ["--db", url, "--yes", "1"])
    assert r.exit_code == 0, r.output
    for words in ("dropped trigger rental_date", "widened to INT UNSIGNED", "address.location accepts NULL",
                  "added inventory.created_at", "demand.base_weekly_rentals = ",
                  "adopted as a dvdrental-live",
                  "Updated mysql://", "days simulated"):
        assert words in r.output, words
    r = CliRunner().invoke(incremental_update.main, ["--db", url, "--quiet", "1"])
    assert r.exit_code == 0 and "adopted" not in r.output and "dropped" not in r.output
    with connect(url) as db:
        assert db.require_sim_state()["last_day"] == day_number(facts.last_day) + 14
        assert violations(db) == {}


def test_two_single_weeks_equal_one_run_of_two_weeks(mysql_url):
    (a, _), (b, _) = legacy(mysql_url, "a"), legacy(mysql_url, "b")
    with connect(a) as db:
        advance(db, Span(weeks=1), yes=True)
    with connect(a) as db:
        advance(db, Span(weeks=1))
        one_by_one = checksum(db)
    with connect(b) as db:
        advance(db, Span(weeks=2), yes=True)
        assert checksum(db) == one_by_one


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("when, fks_saved", [
    ("ALTER TABLE `payment` MODIFY", True),  # ids half widened, their foreign keys dropped
    ("ALTER TABLE `rental` ADD CONSTRAINT", True),  # foreign keys half re-created
    ("ALTER TABLE `customer` MODIFY `last_update`", False),  # last_update half converted
    ("ALTER TABLE inventory MODIFY created_at", False),  # created_at added and filled, still nullable
    ("INSERT INTO sim_state", False),  # everything done but the sim_state row
])
def test_interrupted_adoption_completes_on_the_next_run(mysql_url, when, fks_saved):
    url, facts = legacy(mysql_url, "cut")
    ref_url, _ = legacy(mysql_url, "ref")
    with connect(url) as db:
        before, fks = sakila_rows(db), adopt_mysql.foreign_keys(db)
        old_cols = {t.name: db.table_columns(t.name) for t in SAKILA_TABLES}
        real = db.execute

        def execute(sql, params=()):
            if sql.startswith(when):
                raise Interrupted(sql)
            real(sql, params)

        db.execute = execute  # type: ignore[method-assign]
        with pytest.raises(Interrupted):
            advance(db, Span(weeks=1), yes=True)
    with connect(url) as db:
        assert db.read_sim_state() is None and adoption.is_legacy_sakila(db)
        # where widening stopped, foreign keys are missing: only the saved definitions know them
        assert (adopt_mysql.FK_SAVE in db.table_names()) == fks_saved
        assert ({k for k in adopt_mysql.foreign_keys(db) if k[0] in old_cols} != set(fks)) == fks_saved
        notices: list[str] = []
        advance(db, Span(weeks=1), on_notice=notices.append, yes=True)
        assert any("adopted as a dvdrental-live database" in n for n in notices)
        assert changed(before, sakila_rows(db, old_cols), facts.last_day)[0] == []
        with connect(ref_url) as ref:
            advance(ref, Span(weeks=1), yes=True)
            assert shape(db) == shape(ref)
            assert triggers(db) == triggers(ref) == FILM_TRIGGERS
            assert checksum(db) == checksum(ref)
        assert {k: v for k, v in adopt_mysql.foreign_keys(db).items() if k[0] in old_cols} == fks
        assert adopt_mysql.FK_SAVE not in db.table_names()
        assert violations(db) == {}


@pytest.mark.parametrize("until", ["last", "before"])
def test_until_reached_leaves_a_sakila_database_untouched(mysql_url, until):
    """cron runs `--until DATE` whatever the database holds: at or before Sakila's last day there is
    nothing to do, so nothing is adopted (not even with --yes) and the run says so in one line."""
    url, facts = legacy(mysql_url)
    day = facts.last_rental_day - dt.timedelta(days=0 if until == "last" else 30)
    with connect(url) as db:
        layout, trig, rows = shape(db), triggers(db), sakila_rows(db)
    for _ in range(2):
        r = CliRunner().invoke(incremental_update.main, ["--db", url, "--until", str(day), "--yes"])
        assert r.exit_code == 0, r.output
        assert r.output.splitlines() == [f"{url} is already simulated to {facts.last_day} (--until {day}): "
                                         "nothing to do"]
    with connect(url) as db:
        assert shape(db) == layout and triggers(db) == trig and sakila_rows(db) == rows
        assert adoption.is_legacy_sakila(db)


def test_sakila_without_rentals_is_refused_untouched(mysql_url):
    url, _ = legacy(mysql_url)
    with connect(url) as db:
        db.execute("SET foreign_key_checks = 0")
        db.execute("DELETE FROM payment")
        db.execute("DELETE FROM rental")
        db.execute("SET foreign_key_checks = 1")
        layout, trig = shape(db), triggers(db)
    r = CliRunner().invoke(incremental_update.main, ["--db", url])
    assert r.exit_code == 2 and "without rentals" in r.output, r.output
    with connect(url) as db:
        assert shape(db) == layout and triggers(db) == trig


def test_other_databases_are_refused_untouched(mysql_url):
    url = mysql_url("other")
    with connect(url) as db:
        db.execute("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT) ENGINE=InnoDB")
        db.execute("INSERT INTO notes VALUES (1, 'keep me')")
        assert not adoption.is_legacy_sakila(db)
    r = CliRunner().invoke(incremental_update.main, ["--db", url, "2"])
    assert r.exit_code == 2, r.output
    assert "not a dvdrental-live database" in r.output and "run generator.py first" in r.output
    with connect(url) as db:
        assert db.table_names() == {"notes"}
        assert db.query("SELECT id, body FROM notes") == [(1, "keep me")]
        with pytest.raises(StateError):
            adoption.adopt(db)
        assert db.table_names() == {"notes"}


def test_sakila_tables_list_matches_the_adopted_ones(mysql_url, tmp_path):
    """Adoption migrates exactly the tables the rest of the tool knows as Sakila's, and both engines'
    schema files define every sim_ table."""
    assert set(adoption.SAKILA_NAMES) == {t.name for t in SAKILA_TABLES}
    sims = {n for n in TABLES if n.startswith("sim_")}
    assert set(connect(mysql_url("ddl")).sim_table_ddl()) == sims
    assert set(connect(f"sqlite:///{tmp_path}/d.db").sim_table_ddl()) == sims


def test_a_bad_export_dir_is_refused_before_adopting(mysql_url, tmp_path):
    from dvdrental.errors import ConfigError
    url, _ = legacy(mysql_url)
    db = connect(url)
    before = sakila_rows(db)
    a_file = tmp_path / "exports"
    a_file.write_text("not a folder")
    with pytest.raises(ConfigError, match="is a file"):
        advance(db, Span(weeks=1), export_dir=a_file, yes=True)
    assert db.read_sim_state() is None and sakila_rows(db) == before
