"""PostgreSQL, the third engine: Pagila's shape, the same content as the other engines (checksum), split
invariance, SIGKILL and resume, locking, validation of good and corrupted databases, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from click.testing import CliRunner

import test_validate as tv
import validate
from conftest import _MYSQL_PROBLEM, ROOT, tiny_config
from dvdrental.checksum import checksum
from dvdrental.errors import DatabaseError, LockedError
from dvdrental.run import Span, advance, generate
from dvdrental.sim.calendar import date_of
from dvdrental.sim.events import INSERT_COLUMNS
from dvdrental.storage import connect
from dvdrental.storage.pg_bulk import BULK_CHECK_MIN_ROWS
from dvdrental.storage.rows import Insert
from helpers import kill_at_random, violations

CFG = dict(demand={"base_weekly_rentals": 160.0, "capacity_weekly_rentals": 240.0})


def fresh(url, cfg=None):
    db = connect(url)
    generate(db, cfg or tiny_config(**CFG))
    return db


def last_day(db):
    return db.require_sim_state()["last_day"]


def run(*args, **kw):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, **kw)


# ---- the same database on every engine -------------------------------------------------------------

def test_same_seed_and_config_give_the_same_checksum_as_sqlite_and_mariadb(pg_url, tmp_path, request):
    """30 weeks after the starter weeks: long enough for the writer process (and late changes, level 4)."""
    urls = [pg_url("same"), f"sqlite:///{tmp_path}/same.db"]
    if not _MYSQL_PROBLEM:
        urls.append(request.getfixturevalue("mysql_url")("pgsame"))
    sums = []
    for url in urls:
        with connect(url) as db:
            generate(db, tiny_config(**CFG))
            advance(db, Span(weeks=30))
            sums.append(checksum(db))
    assert len(set(sums)) == 1, dict(zip(urls, sums))


def test_the_commands_work_end_to_end_and_match_sqlite(pg_url, tmp_path):
    pg, lite = pg_url("cli"), f"sqlite:///{tmp_path}/cli.db"
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps({"simulation": {"initial_weeks": 2, "seed": 5},
                                  "catalog": {"films": 30, "actors": 40, "countries": 5, "cities": 12},
                                  "customers": {"initial": 80}}))
    for url in (pg, lite):
        assert run("generator.py", "--db", url, "--config", str(config), "--quiet").returncode == 0
        r = run("incremental_update.py", "1", "--db", url, "--quiet", "--export-dir", str(tmp_path / url[:6]))
        assert r.returncode == 0, r.stderr
    sums = [run("maintain.py", "checksum", "--db", url).stdout.strip() for url in (pg, lite)]
    assert sums[0] and sums[0] == sums[1]
    from helpers import same_tree
    assert same_tree(tmp_path / pg[:6], tmp_path / lite[:6])  # the daily exports too


# ---- split invariance and resumption --------------------------------------------------------------

def test_a_run_split_into_pieces_equals_one_run(pg_url):
    a, b = fresh(pg_url("a")), fresh(pg_url("b"))
    for _ in range(3):
        advance(a, Span(weeks=1))
    for _ in range(5):
        advance(a, Span(days=1))
    advance(a, Span(days=2))
    advance(b, Span(weeks=4))
    assert last_day(a) == last_day(b)
    assert checksum(a) == checksum(b)


def test_a_killed_run_resumes_to_the_same_database(pg_url):
    cfg = tiny_config(demand={"base_weekly_rentals": 300.0, "capacity_weekly_rentals": 400.0})
    reference, victim = fresh(pg_url("ref"), cfg), fresh(pg_url("kill"), cfg)
    target = last_day(reference) + 7 * 30
    until = date_of(target).isoformat()
    advance(reference, Span(until=date_of(target)))
    url = victim.url.display()
    victim.close()

    def finished() -> bool:
        with connect(url) as db:
            return last_day(db) == target

    kills = kill_at_random([sys.executable, "incremental_update.py", "--db", url, "--quiet", "--until", until],
                           seed=11, tries=6, done=finished)
    with connect(url) as db:
        if last_day(db) < target:
            advance(db, Span(until=date_of(target)))
        assert kills >= 1
        assert checksum(db) == checksum(reference)
        assert violations(db) == {}


def test_a_second_concurrent_run_is_refused(pg_url):
    db = fresh(pg_url("lock"))
    url = db.url.display()
    with db.lock():
        r = run("incremental_update.py", "--db", url, "--quiet", "2", timeout=60)
        assert r.returncode == 2 and "in use by another dvdrental-live run" in r.stderr
        with pytest.raises(LockedError), connect(url) as other:
            advance(other, Span(weeks=1))
    advance(db, Span(weeks=1))  # free again


# ---- Pagila's shape ---------------------------------------------------------------------------------

def test_pagila_types_triggers_and_sequences(pg_url):
    db = fresh(pg_url("shape"))
    types = dict(db.query("SELECT column_name, udt_name FROM information_schema.columns "
                          "WHERE table_name = 'film' AND table_schema = current_schema()"))
    assert types["rating"] == "mpaa_rating" and types["special_features"] == "_text"
    assert types["fulltext"] == "tsvector"
    assert db.query("SELECT domain_name FROM information_schema.columns WHERE table_name = 'film' "
                    "AND column_name = 'release_year'")[0][0] == "year"
    # text[] holds what MySQL's SET holds, in order
    feats = db.query("SELECT special_features FROM film WHERE special_features IS NOT NULL "
                     "AND cardinality(special_features) > 1 LIMIT 1")[0][0]
    assert isinstance(feats, list) and all(isinstance(f, str) for f in feats)
    # fulltext follows title and description, on insert and on update
    assert db.query("SELECT COUNT(*) FROM film WHERE fulltext <> "
                    "to_tsvector('english', title || ' ' || coalesce(description, ''))")[0][0] == 0
    assert db.query("SELECT COUNT(*) FROM customer WHERE activebool <> (active <> 0)")[0][0] == 0
    # identity sequences are past every id inserted: a plain INSERT gets a fresh id
    for table, key in (("rental", "rental_id"), ("payment", "payment_id"), ("customer", "customer_id"),
                       ("inventory", "inventory_id"), ("film", "film_id"), ("address", "address_id")):
        top = db.query(f"SELECT MAX({key}) FROM {table}")[0][0]
        last = db.query(f"SELECT last_value FROM {table}_{key}_seq")[0][0]
        assert last >= top, table
    db.begin()
    try:
        db.execute("INSERT INTO actor (first_name, last_name, last_update) VALUES ('A', 'B', '2001-01-01 00:00:00')")
        db.execute("UPDATE film SET title = 'A NEW TITLE' WHERE film_id = 1")
        db.execute("UPDATE customer SET active = 0 WHERE customer_id = 1")
        new_id = db.query("SELECT MAX(actor_id) FROM actor")[0][0]
        assert db.query("SELECT COUNT(*) FROM actor")[0][0] == new_id
        assert db.query("SELECT fulltext @@ to_tsquery('english', 'new') FROM film WHERE film_id = 1")[0][0]
        assert db.query("SELECT title FROM film_text WHERE film_id = 1")[0][0] == "A NEW TITLE"
        assert db.query("SELECT activebool FROM customer WHERE customer_id = 1")[0][0] is False
    finally:
        db.rollback()
    # no trigger stamps the wall clock: an UPDATE keeps the simulated last_update
    before = db.query("SELECT last_update FROM customer WHERE customer_id = 2")[0][0]
    with db.transaction():
        db.execute("UPDATE customer SET email = email WHERE customer_id = 2")
    assert db.query("SELECT last_update FROM customer WHERE customer_id = 2")[0][0] == before
    assert before.year < 2010


# ---- validation -------------------------------------------------------------------------------------

def _pg_shift(db, column, hours):
    return f"({column} + INTERVAL '{hours} hours')"


@contextmanager
def _pg_unchecked(db):
    """Write without foreign-key checks (the triggers behind them off for this session)."""
    db.execute("SET session_replication_role = replica")
    try:
        with db.transaction():
            yield
    finally:
        db.execute("SET session_replication_role = DEFAULT")


PG_CORRUPTIONS = ("double_booking", "foreign_keys", "payment_rules", "late_fee_charged", "lost_copy_charged",
                  "not_after_last_day")


def test_validate_passes_a_good_database_and_names_each_corruption(pg_url, monkeypatch):
    monkeypatch.setattr(tv, "shift", _pg_shift)
    monkeypatch.setattr(tv, "unchecked", _pg_unchecked)
    good = tv.good(pg_url("good"))
    r = CliRunner().invoke(validate.main, ["--db", good.url.display()])
    assert r.exit_code == 0, r.output
    assert "Result: PASS" in r.output
    template = good.url.database
    good.close()
    for check in PG_CORRUPTIONS:
        url = pg_url(check[:8])
        name = url.rsplit("/", 1)[1]
        with connect(f"{url.rsplit('/', 1)[0]}/postgres") as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        with connect(url) as db:
            tv.CORRUPTIONS[check](db)
        r = CliRunner().invoke(validate.main, ["--db", url, "--no-realism", "--json"])
        assert r.exit_code == 1, (check, r.output)
        result = json.loads(r.output)
        assert result["failed"] == [check]


# ---- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["generator.py", "validate.py", "incremental_update.py"])
def test_an_unreachable_server_is_one_line_and_exit_2(command):
    r = run(command, "--db", "postgresql://postgres:secret@127.0.0.1:1/dvdbad", timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("Error: cannot reach the PostgreSQL server at 127.0.0.1:1")
    assert all(line.startswith(("Error:", "Hint:")) for line in lines) and len(lines) <= 2
    assert "secret" not in r.stderr + r.stdout


def test_a_missing_database_and_a_foreign_one_are_refused(pg_url):
    missing = pg_url("missing")
    r = run("validate.py", "--db", missing)
    assert r.returncode == 2 and "does not exist" in r.stderr
    with connect(missing) as db:  # created now: a database of someone else's
        db.execute("CREATE TABLE things (id integer)")
    r = run("incremental_update.py", "--db", missing, "--quiet")
    assert r.returncode == 2 and "not a dvdrental-live database" in r.stderr


# ---- what the other engines' tests check, on PostgreSQL -----------------------------------------------

PAGILA_EXTRAS = {"film": {"fulltext"}, "customer": {"activebool"}}


def test_schema_matches_table_metadata_plus_pagilas_columns(pg_url):
    from dvdrental.storage.tables import TABLES
    from helpers import build
    db = build(tiny_config(simulation={"initial_weeks": 0}), pg_url("meta"))
    assert db.missing_sakila() == []
    for table in TABLES.values():
        assert set(db.table_columns(table.name)) == set(table.column_names) | PAGILA_EXTRAS.get(table.name, set())


@pytest.mark.parametrize("name", ["test_generated_database_keeps_every_invariant", "test_foreign_keys_are_enforced",
                                  "test_film_text_follows_film_through_triggers",
                                  "test_a_creation_killed_halfway_is_cleared_by_the_next_run",
                                  "test_other_peoples_tables_are_never_taken_for_a_leftover"])
def test_engine_behaviour_on_postgresql(pg_url, name):
    import test_engines
    getattr(test_engines, name)(pg_url)


# ---- Pagila's views -----------------------------------------------------------------------------------

PAGILA_VIEW_COLUMNS = {
    "customer_list": ["id", "name", "address", "zip code", "phone", "city", "country", "notes", "sid"],
    "film_list": ["fid", "title", "description", "category", "price", "length", "rating", "actors"],
    "nicer_but_slower_film_list": ["fid", "title", "description", "category", "price", "length", "rating",
                                   "actors"],
    "staff_list": ["id", "name", "address", "zip code", "phone", "city", "country", "sid"],
    "sales_by_store": ["store", "manager", "total_sales"],
    "sales_by_film_category": ["category", "total_sales"],
    "actor_info": ["actor_id", "first_name", "last_name", "film_info"],
}


def test_pagilas_views_exist_with_pagilas_columns(pg_url):
    from dvdrental.storage.tables import SAKILA_VIEWS
    from helpers import build
    db = build(tiny_config(simulation={"initial_weeks": 0}), pg_url("views"))
    names = {r[0] for r in db.query("SELECT table_name FROM information_schema.views "
                                    "WHERE table_schema = current_schema()")}
    assert names == set(SAKILA_VIEWS) == set(PAGILA_VIEW_COLUMNS)
    for view, columns in PAGILA_VIEW_COLUMNS.items():
        assert db.table_columns(view) == columns, view
    assert not db.table_names() & set(SAKILA_VIEWS)
    db.drop_objects()  # --reset's first step
    assert db.query("SELECT COUNT(*) FROM information_schema.views WHERE table_schema = current_schema()")[0][0] == 0


@pytest.fixture(scope="module")
def views_db(pg_url_module):
    """One database for the view checks (building it is most of their cost)."""
    import test_views
    db = test_views.built(pg_url_module("views"))
    yield db
    db.close()


@pytest.mark.parametrize("name", ["test_customer_and_staff_lists", "test_film_lists_have_every_film_with_its_cast",
                                  "test_actor_info_lists_each_actors_films_by_category",
                                  "test_sales_views_sum_the_payments"])
def test_pagilas_views_return_what_an_independent_query_computes(views_db, name, monkeypatch):
    """test_views' checks (each value recomputed in Python from the base tables), on PostgreSQL."""
    import test_views
    monkeypatch.setattr(test_views, "built", lambda url: views_db)
    getattr(test_views, name)(lambda tag="t": "unused")


def test_pagilas_views_hold_what_sqlites_hold(views_db, tmp_path):
    import test_views
    from dvdrental.storage.tables import SAKILA_VIEWS
    lite = test_views.built(f"sqlite:///{tmp_path}/same.db")
    for view in SAKILA_VIEWS:
        a = sorted((tuple(test_views.normalise(v) for v in row) for row in test_views.view_rows(lite, view)), key=repr)
        b = sorted((tuple(test_views.normalise(v) for v in row) for row in test_views.view_rows(views_db, view)),
                   key=repr)
        assert len(a) > 1
        assert a == b, view


def test_etl_full_and_watermark_from_postgresql_end_equal_to_the_source(pg_url, tmp_path):
    """Not CDC (a later phase): the full reload and the watermark with change-log deletes."""
    db = fresh(pg_url("etl"))
    url = db.url.display()
    warehouse = str(tmp_path / "w.duckdb")
    assert run("etl.py", "--mode", "full", "--warehouse", warehouse, "--db", url, "--quiet").returncode == 0
    advance(db, Span(weeks=1))
    r = run("etl.py", "--mode", "incremental", "--deletes", "changelog", "--warehouse", warehouse, "--db", url,
            "--quiet")
    assert r.returncode == 0, r.stderr
    r = run("validate.py", "--warehouse", warehouse, "--db", url)
    assert r.returncode == 0 and "Result: equal" in r.stdout, r.stdout


def test_backup_is_a_pg_dump_with_the_password_off_the_command_line(pg_url, tmp_path, monkeypatch):
    import shutil
    from dvdrental.backup import backup
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    db = fresh(pg_url("backup"))
    seen = []
    real_run = subprocess.run

    def spy(cmd, *a, **kw):
        seen.append((list(cmd), kw.get("env") or {}))
        return real_run(cmd, *a, **kw)
    monkeypatch.setattr(subprocess, "run", spy)
    object.__setattr__(db.url, "password", "pw-not-on-argv")  # trust auth ignores it; it must not show
    path = backup(db, tmp_path / "b.sql")
    text = path.read_text()
    assert "CREATE TABLE public.rental" in text and "COPY public.payment" in text
    assert "CREATE TYPE public.mpaa_rating" in text
    (cmd, env), = seen
    assert not any("pw-not-on-argv" in part for part in cmd) and env.get("PGPASSWORD") == "pw-not-on-argv"


# ---- bulk writes: foreign keys checked once per key, with the triggers' locks ------------------------------

def _rentals(db, customer, n=BULK_CHECK_MIN_ROWS):
    """n new rentals, enough for the bulk path, of `customer` and copies and a clerk the database has."""
    top = db.query("SELECT MAX(rental_id) FROM rental")[0][0]
    copies = [r[0] for r in db.query("SELECT inventory_id FROM inventory ORDER BY inventory_id LIMIT ?", (n,))]
    return Insert("rental", INSERT_COLUMNS["rental"],
                  [(top + 1 + i, "2030-01-01 10:00:00", inv, customer, None, 1, "2030-01-01 10:00:00")
                   for i, inv in enumerate(copies)])


def _rental_count(db):
    return db.query("SELECT COUNT(*) FROM rental")[0][0]


def test_a_bulk_copy_fails_on_a_missing_key_and_leaves_the_triggers_on(pg_url):
    db = fresh(pg_url("bulkfk"))
    assert db.catalog.may_skip_triggers()  # the test server's postgres is a superuser: the bulk path is taken
    before = _rental_count(db)
    with pytest.raises(DatabaseError, match=r'"rental_customer_id_fkey": key \(customer_id\)=\(999999\)'):
        with db.transaction():
            db.insert(_rentals(db, 999999))
    assert _rental_count(db) == before
    with db.transaction():
        db.insert(_rentals(db, 1))
        assert db.query("SHOW session_replication_role")[0][0] == "origin"  # what follows is checked per row
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            db.execute("SAVEPOINT s")
            db.execute("UPDATE rental SET customer_id = 999999 WHERE rental_id = ?", (before + 1,))
        db.execute("ROLLBACK TO SAVEPOINT s")
    assert _rental_count(db) == before + BULK_CHECK_MIN_ROWS


def test_a_bulk_copy_locks_the_parents_it_names_as_the_triggers_do(pg_url):
    """Rows not yet committed are invisible to others: without the lock, a concurrent DELETE of their customer
    would succeed and leave them orphaned once committed. It must wait instead."""
    db = fresh(pg_url("bulklock"))
    new = db.query("SELECT MAX(customer_id) + 1 FROM customer")[0][0]
    with db.transaction():
        db.execute("INSERT INTO customer (customer_id, store_id, first_name, last_name, address_id, create_date, "
                   "last_update, active) VALUES (?, 1, 'A', 'B', 1, '2030-01-01', '2030-01-01', 1)", (new,))
    other = psycopg.connect(host=db.url.host, port=db.url.port, user=db.url.user, dbname=db.url.database,
                            autocommit=True)
    try:
        other.execute("SET lock_timeout = '300ms'")
        db.begin()
        db.insert(_rentals(db, new))
        with pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute("DELETE FROM customer WHERE customer_id = %s", (new,))
        db.rollback()
        other.execute("DELETE FROM customer WHERE customer_id = %s", (new,))  # nothing refers to it now
    finally:
        other.close()


def test_a_table_with_a_trigger_of_its_own_keeps_every_trigger(pg_url):
    """Someone's audit trigger on rental, added between two runs' transactions: it fires for every bulk row."""
    db = fresh(pg_url("bulkaudit"))
    with db.transaction():
        db.execute("CREATE TABLE audit (rental_id integer)")
        db.execute("CREATE FUNCTION audit_rental() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN INSERT INTO audit VALUES (NEW.rental_id); RETURN NULL; END $$")
        db.execute("CREATE TRIGGER audit_rental AFTER INSERT ON rental FOR EACH ROW EXECUTE FUNCTION audit_rental()")
    with db.transaction():
        db.insert(_rentals(db, 1))
    assert db.query("SELECT COUNT(*) FROM audit")[0][0] == BULK_CHECK_MIN_ROWS


def test_a_role_that_may_not_switch_triggers_off_keeps_them(pg_url):
    url = pg_url("bulkplain")
    fresh(url).close()
    role = f"dvdtest_plain_{uuid.uuid4().hex[:8]}"
    with connect(url) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        admin.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
        u = admin.url
    try:
        with connect(f"postgresql://{role}@{u.host}:{u.port}/{u.database}", create=False) as db:
            assert not db.catalog.may_skip_triggers()
            before = _rental_count(db)
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                with db.transaction():
                    db.insert(_rentals(db, 999999))
            with db.transaction():
                db.insert(_rentals(db, 1))
            assert _rental_count(db) == before + BULK_CHECK_MIN_ROWS
    finally:
        with connect(url) as admin:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")
