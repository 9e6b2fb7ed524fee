"""incremental_update.py on a Pagila database (PostgreSQL): planned, adopted, continued.

The database is built once per module in Pagila 3's shape with Sakila's data (tests/pagila_shape.py) and cloned
for each test. These tests prove the plan changes nothing, adoption keeps every existing value and Pagila's
objects, the business continues after its last day under the simulation's invariants (payments landing past
Pagila's last monthly partition, simulated times where Pagila's triggers stamped the wall clock), and runs split,
interrupted or in another server time zone give the same database.
"""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

import incremental_update
import validate
from dvdrental import adoption
from dvdrental.checksum import checksum
from dvdrental.run import Span, advance
from dvdrental.sim.calendar import day_number
from dvdrental.storage import Database, connect
from dvdrental.storage.tables import SAKILA_TABLES, SAKILA_VIEWS
from helpers import violations
from pagila_shape import LAST_UPDATED, build_pagila, clone

#: Columns of imported rows the continuing business may change: rentals still out come back, copies are lost,
#: customers churn and come back.
MAY_CHANGE = {"rental": {"return_date", "last_update"}, "inventory": {"last_update"},
              "customer": {"active", "activebool", "last_update"}}


@pytest.fixture(scope="module")
def pagila(pg_url_module):
    """(a factory of fresh copies, the facts of the database, its URL): built once, cloned per test that writes."""
    template = pg_url_module("pagila")
    facts = build_pagila(template)

    def fresh(tag: str = "p") -> str:
        url = pg_url_module(tag)
        clone(template, url)
        return url
    return fresh, facts, template


def run(*args: str, code: int = 0) -> str:
    r = CliRunner().invoke(incremental_update.main, list(args))
    assert r.exit_code == code, r.output
    return r.output


def rows(db: Database) -> dict[str, dict[tuple, dict]]:
    """Every row of the Sakila tables there are, by key, as {column: value} (old columns only)."""
    out = {}
    for table in SAKILA_TABLES:
        if table.name not in db.table_names():
            continue
        cols = db.table_columns(table.name)
        found = db.query('SELECT "' + '", "'.join(cols) + f'" FROM {table.name}')
        out[table.name] = {tuple(r[cols.index(k)] for k in table.key): dict(zip(cols, r)) for r in found}
    return out


def catalogue(db: Database) -> list:
    """The schema as PostgreSQL describes it: relations, columns, constraints, indexes, triggers, functions."""
    return [db.query(sql) for sql in (
        "SELECT relname, relkind FROM pg_class WHERE relnamespace = current_schema()::regnamespace ORDER BY 1",
        "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY 1, 2",
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2",
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1",
        "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
        "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace ORDER BY 1",
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1")]


def triggers(db: Database) -> set[tuple[str, str]]:
    return set(db.query("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"))


def simulated(value: dt.datetime, first: dt.date, last: dt.date) -> bool:
    return dt.datetime.combine(first, dt.time()) <= value <= dt.datetime.combine(last, dt.time(23, 59, 59))


def test_fixture_has_pagilas_shape(pagila):
    _, facts, template = pagila
    with connect(template) as db:
        q = lambda sql: db.query(sql)[0][0]  # noqa: E731
        assert adoption.is_legacy_sakila(db)
        assert set(db.missing_sakila()) == {"film_text", "payment.last_update", "address.location",
                                            "inventory.created_at", "inventory.retired_at"}
        assert triggers(db) == {(t, "last_updated") for t in LAST_UPDATED} | {("film", "film_fulltext_trigger")}
        assert q("SELECT relkind FROM pg_class WHERE relname = 'payment'") == "p"
        assert facts.partitions == tuple(f"payment_p2022_{m:02d}" for m in range(1, 9))
        assert q("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND "
                 "table_name IN ('rental', 'payment') AND data_type = 'timestamp with time zone'") == 4
        assert q("SELECT data_type FROM information_schema.columns WHERE table_name = 'customer' "
                 "AND column_name = 'create_date'") == "date"
        assert q("SELECT pg_get_serial_sequence('rental', 'rental_id')") is None  # a dump's serials: unowned
        assert (facts.first_day, facts.last_day) == (dt.date(2022, 2, 14), dt.date(2022, 9, 2))
        assert facts.rentals == 16_044 and facts.open_rentals == 183 and facts.max_payment_id == 16_049
        assert q("SELECT COUNT(*) FROM rental WHERE rental_date::date = '2022-05-24'") > 0
        db.begin()  # Pagila's trigger really does stamp the wall clock over a given last_update
        db.execute("UPDATE rental SET return_date = return_date, last_update = '2022-09-03 10:00:00' "
                   "WHERE rental_id = 1")
        assert q("SELECT last_update > now() - interval '1 minute' FROM rental WHERE rental_id = 1")
        db.rollback()


def test_plan_lists_the_changes_and_changes_nothing(pagila):
    fresh, facts, _ = pagila
    url = fresh("plan")
    with connect(url) as db:
        layout, before = catalogue(db), rows(db)
    out = run("--db", url, "2", code=2)
    for words in ("would:", "drop trigger last_updated on actor, address, category", "CURRENT_TIMESTAMP",
                  "add Sakila's film_text", "add payment.last_update (timestamp with time zone)",
                  "add inventory.created_at (timestamp with time zone), set to 2022-02-14 00:00:00",
                  "make customer.create_date a timestamp", "trigger customer_activebool_sync",
                  "add partition payment_default (DEFAULT) to payment, whose 8 partitions",
                  "owned by their columns", "rental.idx_return_date (return_date)", "payment.idx_payment_payment_id",
                  "extend index rental.idx_fk_inventory_id (inventory_id) to (inventory_id, rental_date)",
                  f"last day {facts.last_day}", "continuing on 2022-09-03", "nothing was changed", "--yes"):
        assert words in out, words
    with connect(url) as db:
        assert catalogue(db) == layout and rows(db) == before
        assert adoption.is_legacy_sakila(db) and db.read_sim_state() is None


def test_adoption_keeps_every_value_and_continues_the_business(pagila):
    fresh, facts, _ = pagila
    url = fresh("adopt")
    with connect(url) as db:
        before = rows(db)
    out = run("--db", url, "2", "--yes")
    for words in ("dropped trigger last_updated", "added partition payment_default", "adopted as a dvdrental-live",
                  "Updated postgresql://", "days simulated"):
        assert words in out, words
    first, last = facts.last_day + dt.timedelta(days=1), facts.last_day + dt.timedelta(days=14)
    with connect(url) as db:
        assert db.require_sim_state()["last_day"] == day_number(last)
        after = rows(db)

        # every imported value reads back as it was, bar what the business changed since, at simulated times
        came_back = 0
        for table, old in before.items():
            for key, row in old.items():
                new = after[table][key]
                moved = {c for c, v in row.items() if new[c] != (
                    dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v)}
                assert moved <= MAY_CHANGE.get(table, set()), (table, key, moved)
                if moved:
                    assert simulated(new["last_update"], first, last), (table, key)
                if table == "rental" and "return_date" in moved:
                    assert row["return_date"] is None and new["return_date"] == new["last_update"]
                    came_back += 1
        assert 0 < came_back <= facts.open_rentals
        assert after["customer"][(1,)]["create_date"] == dt.datetime(2022, 2, 14)

        # the continuation's payments land past Pagila's partitions, in the DEFAULT one, at simulated times
        where = db.query("SELECT tableoid::regclass::text, COUNT(*), MIN(payment_date), MAX(payment_date), "
                         "MIN(last_update) FROM payment WHERE payment_id > ? GROUP BY 1", (facts.max_payment_id,))
        assert [w[0] for w in where] == ["payment_default"] and where[0][1] > 1000
        assert simulated(where[0][2], first, last) and simulated(where[0][3], first, last)
        assert where[0][4] >= where[0][2]
        assert db.query("SELECT COUNT(*) FROM payment WHERE last_update IS DISTINCT FROM payment_date "
                        "AND payment_id <= ?", (facts.max_payment_id,))[0][0] == 0

        # no wall-clock stamp anywhere: every last_update that is not an imported row's own is simulated
        for table, now in after.items():
            for key, new in now.items():
                old = before.get(table, {}).get(key)
                if "last_update" in new and (old is None or "last_update" in old and old["last_update"] !=
                                             new["last_update"]):
                    assert simulated(new["last_update"], first, last), (table, key)
        # Pagila's triggers are gone, its other objects stay
        assert triggers(db) == {("film", "film_fulltext_trigger"), ("film", "film_text_sync"),
                                ("customer", "customer_activebool_sync")}
        assert db.query("SELECT COUNT(*) FROM pg_proc WHERE proname = 'last_updated'")[0][0] == 1
        new_films = db.query("SELECT COUNT(*), COUNT(*) FILTER (WHERE fulltext @@ to_tsquery('english', "
                             "split_part(lower(title), ' ', 1))) FROM film WHERE film_id > 1000")[0]
        assert new_films[0] > 0 and new_films[0] == new_films[1]  # Pagila's full-text trigger covers new films
        assert db.query("SELECT COUNT(*) FROM film f JOIN film_text t ON t.film_id = f.film_id AND t.title = f.title "
                        "AND t.description IS NOT DISTINCT FROM f.description")[0][0] == \
            db.query("SELECT COUNT(*) FROM film")[0][0] == db.query("SELECT COUNT(*) FROM film_text")[0][0]
        for table, key in (("rental", "rental_id"), ("payment", "payment_id"), ("customer", "customer_id")):
            seq = db.query(f"SELECT pg_get_serial_sequence('{table}', '{key}')")[0][0]  # owned now, and moved
            assert db.query(f"SELECT last_value FROM {seq}")[0][0] >= db.query(f"SELECT MAX({key}) FROM {table}")[0][0]
        for view in SAKILA_VIEWS:  # Pagila's views run on the continued data
            assert db.query(f"SELECT COUNT(*) FROM {view}")[0][0] > 0, view
        db.execute("REFRESH MATERIALIZED VIEW rental_by_category")
        assert db.query("SELECT SUM(total_sales) FROM rental_by_category")[0][0] > \
            sum(r["amount"] for r in before["payment"].values())
        assert db.query("SELECT COUNT(*) FROM rewards_report(20, 50)")[0][0] > 0

        assert violations(db) == {}
    r = CliRunner().invoke(validate.main, ["--db", url, "--no-realism"])
    assert r.exit_code == 0 and "Result: PASS" in r.output, r.output

    # a second run continues without adopting again. Four weeks in, the realism report passes too (after two,
    # returns_by_weekday does not yet: Pagila's history ends with nothing out, so the first Monday has few returns)
    out = run("--db", url, "2")
    assert "adopted" not in out and "dropped" not in out and "days simulated" in out
    r = CliRunner().invoke(validate.main, ["--db", url])
    assert r.exit_code == 0 and "Result: PASS" in r.output, r.output
    with connect(url) as db:  # activebool follows active wherever the business wrote it; Pagila's own stay
        assert db.query("SELECT COUNT(*) FROM customer WHERE activebool <> (active <> 0) AND "
                        "(customer_id > 599 OR last_update >= ?)", (f"{first} 00:00:00",))[0][0] == 0
        assert db.query("SELECT COUNT(*) FROM customer WHERE customer_id > 599 AND NOT activebool")[0][0] > 0
        assert db.query("SELECT COUNT(*) FROM customer WHERE customer_id <= 599 AND active = 0 "
                        "AND activebool")[0][0] == 15  # Pagila's inactive customers, activebool true as Pagila has them


def test_two_single_weeks_equal_one_run_of_two_weeks_in_any_server_time_zone(pagila):
    fresh, *_ = pagila
    a, b = fresh("a"), fresh("b")
    with connect(b) as db:  # sessions on b default to a zone with daylight saving; the tool's run in UTC
        db.execute(f'ALTER DATABASE "{db.url.database}" SET TimeZone = \'America/New_York\'')
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


def test_interrupted_adoption_completes_on_the_next_run(pagila):
    fresh, *_ = pagila
    cut, ref = fresh("cut"), fresh("ref")
    with connect(cut) as db:
        real = db.execute

        def execute(sql, params=()):
            if sql.startswith("ALTER SEQUENCE"):  # triggers, film_text, columns, partition done; sequences not
                raise Interrupted(sql)
            real(sql, params)

        db.execute = execute  # type: ignore[method-assign]
        with pytest.raises(Interrupted):
            advance(db, Span(days=1), yes=True)
    with connect(cut) as db:
        assert db.read_sim_state() is None and adoption.is_legacy_sakila(db)
        notices: list[str] = []
        advance(db, Span(days=1), on_notice=notices.append, yes=True)
        text = "\n".join(notices)
        assert "adopted as a dvdrental-live" in text and "dropped trigger" not in text and "owned by" in text
        with connect(ref) as other:
            advance(other, Span(days=1), yes=True)
            assert catalogue(db) == catalogue(other) and checksum(db) == checksum(other)
