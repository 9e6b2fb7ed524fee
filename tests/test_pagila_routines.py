"""Pagila's functions on PostgreSQL (shared/sql/postgresql_routines.sql) return what an independent
computation from the tables gives: the same expectations as Sakila's routines on MySQL (test_views)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from helpers import build
from test_views import (CFG, LAST_DAY, START, _add_bare_rows, _expected_balances, _overdue_at,
                        _retire_a_copy_on_the_shelf, _rewardees, money, month_of)


@pytest.fixture(scope="module")
def shop(pg_url_module):
    """One PostgreSQL database for the read-only tests (built once: 8 weeks of a tiny shop)."""
    return build(CFG, pg_url_module("routines"))


def test_functions_exist_with_pagilas_signatures(shop):
    rows = shop.query("""SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid)
                         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                         WHERE n.nspname = current_schema()""")
    found = {name: (args, result) for name, args, result in rows}
    assert found["get_customer_balance"] == ("p_customer_id integer, p_effective_date timestamp with time zone",
                                             "numeric")
    assert found["inventory_held_by_customer"] == ("p_inventory_id integer", "integer")
    assert found["inventory_in_stock"] == ("p_inventory_id integer", "boolean")
    for name in ("film_in_stock", "film_not_in_stock"):
        assert found[name] == ("p_film_id integer, p_store_id integer, OUT p_film_count integer", "SETOF integer")
    assert found["rewards_report"] == ("min_monthly_purchases integer, min_dollar_amount_purchased numeric",
                                       "SETOF customer")
    assert found["last_day"][1] == "date" and "group_concat" in found


def test_get_customer_balance_matches_the_tables(shop):
    assert shop.query("SELECT COUNT(*) FROM payment WHERE amount < 0")[0][0] >= 1  # refunds exercised
    lost = shop.query("SELECT MIN(i.retired_at) FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id "
                      "WHERE r.return_date IS NULL AND i.retired_at IS NOT NULL")[0][0]
    end_of_sim = dt.datetime.combine(LAST_DAY, dt.time(23, 59, 59))
    dates = [START - dt.timedelta(days=1), START + dt.timedelta(days=30, hours=23, minutes=59, seconds=59),
             lost, end_of_sim]
    for when in dates:
        got = dict(shop.query("SELECT customer_id, get_customer_balance(customer_id, ?) FROM customer", (when,)))
        assert {c: money(v) for c, v in got.items()} == _expected_balances(shop, when), when
        assert {c for c, v in got.items() if v != 0} == _overdue_at(shop, when)
    assert _overdue_at(shop, end_of_sim)  # late fees of rentals still out are exercised
    assert shop.query("SELECT get_customer_balance(999999, ?)", (end_of_sim,))[0][0] == 0


def test_inventory_functions_and_film_stock_split_the_live_copies(pg_url):
    db = build(CFG, pg_url("stock"))
    _add_bare_rows(db)
    damaged = _retire_a_copy_on_the_shelf(db)
    holder = dict(db.query("SELECT inventory_id, customer_id FROM rental WHERE return_date IS NULL"))
    retired = {r[0] for r in db.query("SELECT inventory_id FROM inventory WHERE retired_at IS NOT NULL")}
    for inv, in_stock, held_by in db.query("SELECT inventory_id, inventory_in_stock(inventory_id), "
                                           "inventory_held_by_customer(inventory_id) FROM inventory"):
        assert in_stock == (inv not in retired and inv not in holder), inv
        assert held_by == holder.get(inv), inv
    assert db.query("SELECT inventory_in_stock(?), inventory_held_by_customer(?)",
                    (damaged, damaged))[0] == (False, None)
    copies = defaultdict(lambda: (set(), set()))  # (film, store) -> (on the shelf, out)
    for inv, film, store, retired_at in db.query("SELECT inventory_id, film_id, store_id, retired_at FROM inventory"):
        if retired_at is None:
            copies[film, store][inv in holder].add(inv)
    stores = [r[0] for r in db.query("SELECT store_id FROM store")]
    films = [r[0] for r in db.query("SELECT film_id FROM film")]
    for film in films:
        for store in stores:
            shelf, away = copies[film, store]
            assert {r[0] for r in db.query("SELECT * FROM film_in_stock(?, ?)", (film, store))} == shelf
            assert {r[0] for r in db.query("SELECT * FROM film_not_in_stock(?, ?)", (film, store))} == away
    assert db.query("SELECT COUNT(*) FROM film_in_stock(?, ?)", (max(films), stores[0]))[0][0] == 0


def test_rewards_report_picks_last_months_best_customers(shop):
    last_month = month_of(month_of(LAST_DAY)[0] - dt.timedelta(days=1))
    seen = []
    for purchases, dollars in ((1, Decimal("0.01")), (3, Decimal("10.00"))):
        rows = shop.query("SELECT customer_id FROM rewards_report(?, ?)", (purchases, dollars))
        assert {r[0] for r in rows} == _rewardees(shop, *last_month, purchases, dollars)
        seen.append(len(rows))
    assert seen[0] > seen[1] > 0
    with pytest.raises(Exception, match="must be >"):
        shop.query("SELECT * FROM rewards_report(0, 10.00)")


def test_last_day_and_group_concat(shop):
    assert shop.query("SELECT last_day('2004-02-10 12:00')")[0][0] == dt.date(2004, 2, 29)
    names = shop.query("SELECT group_concat(name) FROM (SELECT name FROM category ORDER BY category_id LIMIT 3) c")
    assert names[0][0] == ", ".join(r[0] for r in shop.query("SELECT name FROM category ORDER BY category_id LIMIT 3"))
