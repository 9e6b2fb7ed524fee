"""inventory_manager.py: strategies, releases, retirements, plans for later days, dry runs, bad input."""

import datetime as dt

import pytest
from click.testing import CliRunner

import inventory_manager
from dvdrental import inventory
from dvdrental.checksum import checksum
from dvdrental.errors import ConfigError
from dvdrental.run import Span, advance, generate
from dvdrental.sim.calendar import date_of
from dvdrental.storage import connect
from conftest import tiny_config
from helpers import violations


@pytest.fixture
def shop(tmp_path):
    db = connect(f"sqlite:///{tmp_path}/shop.db")
    generate(db, tiny_config(simulation={"level": 2}))
    yield db
    db.close()


def count(db, sql, *params):
    return db.query(sql, params)[0][0]


def last_day(db):
    return db.require_sim_state()["last_day"]


@pytest.mark.parametrize("strategy, amount, expect", [
    ("fixed", 3, lambda db: 3 * 2),
    ("percent", 10, lambda db: sum(round(n * 0.10) for (n,) in db.query(
        "SELECT COUNT(*) FROM inventory WHERE retired_at IS NULL GROUP BY store_id ORDER BY store_id"))),
    ("top_n", 4, lambda db: 4 * 2),
    ("per_film", 2, lambda db: 2 * 2 * count(db, "SELECT COUNT(*) FROM film")),
])
def test_add_strategies_buy_the_expected_number_of_copies(shop, strategy, amount, expect):
    before = count(shop, "SELECT COUNT(*) FROM inventory")
    wanted = expect(shop)
    lines = inventory.add(shop, strategy, amount)
    assert count(shop, "SELECT COUNT(*) FROM inventory") - before == wanted, lines
    assert violations(shop) == {}
    advance(shop, Span(weeks=2))
    assert violations(shop) == {}


def test_fixed_strategy_buys_for_the_films_in_demand(shop):
    inventory.add(shop, "fixed", 10, stores=[1])
    new = shop.query("SELECT film_id, COUNT(*) FROM inventory WHERE created_at > ? GROUP BY film_id",
                     (f"{date_of(last_day(shop))} 00:00:00",))
    assert sum(n for _, n in new) == 10
    # the films bought are rented more than the catalogue average
    rented = dict(shop.query("SELECT i.film_id, COUNT(*) FROM rental r JOIN inventory i "
                             "ON i.inventory_id = r.inventory_id GROUP BY i.film_id"))
    average = sum(rented.values()) / count(shop, "SELECT COUNT(*) FROM film")
    assert sum(rented.get(f, 0) for f, _ in new) / len(new) > average


def test_copies_for_chosen_films_and_stores(shop):
    inventory.add(shop, "per_film", 3, stores=[2], films=[5, 7])
    rows = shop.query("SELECT film_id, store_id, COUNT(*) FROM inventory WHERE created_at > ? "
                      "GROUP BY film_id, store_id", (f"{date_of(last_day(shop))} 00:00:00",))
    assert sorted(rows) == [(5, 2, 3), (7, 2, 3)]


def test_release_adds_films_with_text_cast_category_and_copies(shop):
    films = count(shop, "SELECT COUNT(*) FROM film")
    inventory.release(shop, 3, (2, 2))
    assert count(shop, "SELECT COUNT(*) FROM film") == films + 3
    assert count(shop, "SELECT COUNT(*) FROM film_text") == films + 3
    new = [f for (f,) in shop.query("SELECT film_id FROM film ORDER BY film_id DESC LIMIT 3")]
    for f in new:
        assert count(shop, "SELECT COUNT(*) FROM inventory WHERE film_id = ?", f) == 2 * 2
        assert count(shop, "SELECT COUNT(*) FROM film_actor WHERE film_id = ?", f) >= 1
        assert count(shop, "SELECT COUNT(*) FROM film_category WHERE film_id = ?", f) == 1
    advance(shop, Span(weeks=2))
    assert count(shop, "SELECT COUNT(*) FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id "
                       "WHERE i.film_id IN (?, ?, ?)", *new) > 0
    assert violations(shop) == {}


def test_retired_copies_are_never_rented_again_and_lost_ones_are_charged(shop):
    out = shop.query("SELECT inventory_id, rental_id, customer_id FROM rental WHERE return_date IS NULL "
                     "ORDER BY rental_id LIMIT 1")[0]
    lines = inventory.retire(shop, damaged=3, inventory_ids=[out[0]])
    assert count(shop, "SELECT COUNT(*) FROM inventory WHERE retired_at IS NOT NULL") >= 4, lines
    charge = shop.query("SELECT customer_id, amount FROM payment WHERE rental_id = ? ORDER BY payment_id DESC",
                        (out[1],))[0]
    assert charge[0] == out[2] and float(charge[1]) > 9
    advance(shop, Span(weeks=3))
    assert violations(shop) == {}  # lost_copy_rented, lost_copy_charged among them


def test_overdue_rentals_count_as_lost(shop):
    advance(shop, Span(weeks=1))
    lines = inventory.retire(shop, overdue_days=0)
    assert lines[0].startswith("retired")
    assert violations(shop) == {}


def test_plans_for_later_days_are_carried_out_that_morning(shop):
    day = date_of(last_day(shop) + 5)
    inventory.add(shop, "fixed", 2, date=day)
    inventory.release(shop, 1, (1, 1), date=day)
    before = count(shop, "SELECT COUNT(*) FROM inventory")
    advance(shop, Span(days=4))
    assert count(shop, "SELECT COUNT(*) FROM inventory") == before
    advance(shop, Span(days=1))
    assert count(shop, "SELECT COUNT(*) FROM inventory") == before + 2 * 2 + 1 * 2
    assert count(shop, "SELECT COUNT(*) FROM sim_stock_plan WHERE done_at IS NULL") == 0
    assert count(shop, "SELECT COUNT(*) FROM inventory WHERE created_at LIKE ?", f"{day}%") == 6
    assert violations(shop) == {}


def test_plans_give_the_same_database_however_the_run_is_split(tmp_path):
    dbs = []
    for name in ("a", "b"):
        db = connect(f"sqlite:///{tmp_path}/{name}.db")
        generate(db, tiny_config())
        inventory.add(db, "top_n", 3, date=date_of(last_day(db) + 3))
        inventory.release(db, 2, (1, 2), date=date_of(last_day(db) + 9))
        dbs.append(db)
    for _ in range(14):
        advance(dbs[0], Span(days=1))
    advance(dbs[1], Span(weeks=2))
    assert checksum(dbs[0]) == checksum(dbs[1])


def test_dry_run_writes_nothing(shop):
    before = checksum(shop)
    out = shop.query("SELECT inventory_id FROM rental WHERE return_date IS NULL LIMIT 1")[0][0]
    assert inventory.add(shop, "fixed", 5, dry_run=True)[0].startswith("would add 10")
    assert inventory.release(shop, 2, (1, 2), dry_run=True)[0].startswith("would release 2")
    assert inventory.retire(shop, damaged=2, inventory_ids=[out], dry_run=True)[0].startswith("would retire 3")
    inventory.add(shop, "fixed", 5, date=date_of(last_day(shop) + 3), dry_run=True)
    assert checksum(shop) == before


@pytest.mark.parametrize("call, words", [
    (lambda db: inventory.add(db, "fixed", 2, stores=[9]), "store 9 does not exist"),
    (lambda db: inventory.add(db, "per_film", 1, films=[99999]), "film 99999 does not exist"),
    (lambda db: inventory.add(db, "fixed", 0), "must be positive"),
    (lambda db: inventory.add(db, "fixed", 2, date=dt.date(2001, 10, 5)), "already simulated"),
    (lambda db: inventory.release(db, 1, (3, 1)), "not a range"),
    (lambda db: inventory.retire(db), "say what to retire"),
    (lambda db: inventory.retire(db, inventory_ids=[10**6]), "does not exist"),
    (lambda db: inventory.retire(db, damaged=10**6), "on the shelf"),
])
def test_bad_requests_are_refused_without_writing(shop, call, words):
    before = checksum(shop)
    with pytest.raises(ConfigError, match=words):
        call(shop)
    assert checksum(shop) == before


def test_report_counts_match_the_tables(shop):
    inventory.retire(shop, damaged=2)
    data = inventory.stock_report(shop)
    assert sum(s["copies"] for s in data["stores"]) == count(shop, "SELECT COUNT(*) FROM inventory")
    assert sum(s["retired"] for s in data["stores"]) == 2
    assert sum(s["out"] for s in data["stores"]) == count(
        shop, "SELECT COUNT(*) FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id "
              "WHERE r.return_date IS NULL AND i.retired_at IS NULL")
    assert sum(row["rentals"] for row in data["by_age"]) == count(shop, "SELECT COUNT(*) FROM rental")


def test_cli_on_both_engines(db_url):
    url = db_url("cli")
    db = connect(url)
    generate(db, tiny_config())
    before = checksum(db)
    runner = CliRunner()
    r = runner.invoke(inventory_manager.main, ["add", "--db", url, "--amount", "2", "--dry-run"])
    assert r.exit_code == 0 and "would add 4 copies" in r.output
    assert checksum(db) == before
    r = runner.invoke(inventory_manager.main, ["release", "2", "--db", url, "--copies", "1"])
    assert r.exit_code == 0 and "released 2 film(s)" in r.output, r.output
    r = runner.invoke(inventory_manager.main, ["retire", "--db", url, "--damaged", "1", "--store", "1"])
    assert r.exit_code == 0 and "retired 1 copies" in r.output
    r = runner.invoke(inventory_manager.main, ["report", "--db", url, "--json"])
    assert r.exit_code == 0 and '"utilisation"' in r.output
    r = runner.invoke(inventory_manager.main, ["add", "--db", url, "--amount", "2", "--store", "7"])
    assert r.exit_code == 2 and "store 7 does not exist" in r.output
    r = runner.invoke(inventory_manager.main, ["release", "1", "--db", url, "--copies", "x"])
    assert r.exit_code == 2
    assert violations(db) == {}


def test_cli_refuses_an_uninitialised_database(tmp_path):
    r = CliRunner().invoke(inventory_manager.main, ["report", "--db", f"sqlite:///{tmp_path}/none.db"])
    assert r.exit_code == 2 and "generator.py first" in r.output
    assert not (tmp_path / "none.db").exists()
