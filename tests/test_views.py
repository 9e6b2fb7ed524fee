"""Sakila's views (SQLite and MySQL/MariaDB) and stored routines (MySQL/MariaDB) on generated data.

Every value is checked against an independent computation from the base tables in Python, not only
that the SQL runs. The database has eight weeks of level-4 activity with a raised share of lost
copies, some films without copies, and (added by `_add_bare_rows`) a film without copies, cast or
category, an actor without films and a category without films.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from dvdrental.storage.tables import SAKILA_FUNCTIONS, SAKILA_PROCEDURES, SAKILA_VIEWS
from helpers import build
from conftest import tiny_config

CFG = tiny_config(simulation={"initial_weeks": 8},
                  # 100 films for the tiny demand: the least wanted get no copy (copies are rounded)
                  catalog={"films": 100, "copies_per_film": {"min": 0, "max": 3}},
                  returns={"lost_share": 0.05},
                  late_changes={"price_changes": 20.0, "refunds": 20.0})
START = dt.datetime.combine(CFG.simulation.start_date, dt.time())  # the first simulated day
LAST_DAY = CFG.simulation.start_date + dt.timedelta(days=7 * CFG.simulation.initial_weeks - 1)
CENT = Decimal("0.01")

VIEW_COLUMNS = {
    "customer_list": ["ID", "name", "address", "zip code", "phone", "city", "country", "notes", "SID"],
    "film_list": ["FID", "title", "description", "category", "price", "length", "rating", "actors"],
    "nicer_but_slower_film_list": ["FID", "title", "description", "category", "price", "length", "rating",
                                   "actors"],
    "staff_list": ["ID", "name", "address", "zip code", "phone", "city", "country", "SID"],
    "sales_by_store": ["store", "manager", "total_sales"],
    "sales_by_film_category": ["category", "total_sales"],
    "actor_info": ["actor_id", "first_name", "last_name", "film_info"],
}


# ---- helpers ---------------------------------------------------------------------------------------

def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def ts(value) -> dt.datetime | None:
    """A DATETIME from either engine as a datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def built(url: str):
    db = build(CFG, url)
    _add_bare_rows(db)
    return db


def _add_bare_rows(db) -> None:
    """A film with no copies, cast or category; an actor and a category with no films."""
    film_id = db.query("SELECT MAX(film_id) FROM film")[0][0] + 1
    actor_id = db.query("SELECT MAX(actor_id) FROM actor")[0][0] + 1
    category_id = db.query("SELECT MAX(category_id) FROM category")[0][0] + 1
    stamp = f"{START:%Y-%m-%d %H:%M:%S}"
    with db.transaction():
        db.execute("INSERT INTO film (film_id, title, description, release_year, language_id, rental_duration, "
                   "rental_rate, length, replacement_cost, rating, special_features, last_update) "
                   "VALUES (?, 'UNSEEN PREMIERE', NULL, 2001, 1, 3, '2.99', 90, '19.99', 'PG', NULL, ?)",
                   (film_id, stamp))
        db.execute("INSERT INTO actor (actor_id, first_name, last_name, last_update) VALUES (?, 'IDLE', 'EXTRA', ?)",
                   (actor_id, stamp))
        db.execute("INSERT INTO category (category_id, name, last_update) VALUES (?, 'Western', ?)",
                   (category_id, stamp))


def view_rows(db, view: str) -> list[tuple]:
    return db.query(f"SELECT * FROM {view}")


def view_dicts(db, view: str) -> list[dict]:
    return [dict(zip(VIEW_COLUMNS[view], row)) for row in view_rows(db, view)]


def normalise(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8")
    if isinstance(value, (float, Decimal)):
        return f"{money(value):.2f}"
    return value


def actor_names(db) -> dict[int, tuple[str, str]]:
    return {a: (f, l) for a, f, l in db.query("SELECT actor_id, first_name, last_name FROM actor")}


def cast_by_film(db) -> dict[int, list[int]]:
    cast = defaultdict(list)
    for actor_id, film_id in db.query("SELECT actor_id, film_id FROM film_actor"):
        cast[film_id].append(actor_id)
    return {f: sorted(a) for f, a in cast.items()}


def sales_by(db, key_sql: str) -> dict:
    """Payments summed in Python per a key of the rented copy (store_id, or film_id)."""
    copy_key = dict(db.query(f"SELECT inventory_id, {key_sql} FROM inventory"))
    rental_copy = dict(db.query("SELECT rental_id, inventory_id FROM rental"))
    out = defaultdict(Decimal)
    for rental_id, amount in db.query("SELECT rental_id, amount FROM payment"):
        if rental_id is not None:
            out[copy_key[rental_copy[rental_id]]] += money(amount)
    return out


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day of the month of `day`, first day of the next month)."""
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def call(db, proc: str, *args) -> tuple[list[tuple], object]:
    """CALL proc(args..., @out) on MySQL: (rows of its first result set, the OUT value)."""
    cur = db.conn.cursor()
    try:
        cur.execute(f"CALL {proc}({', '.join(['%s'] * len(args))}, @out)", args)
        sets = []
        while True:
            if cur.with_rows:
                sets.append(cur.fetchall())
            if not cur.nextset():
                break
        cur.execute("SELECT @out")
        return (sets[0] if sets else []), cur.fetchall()[0][0]
    finally:
        cur.close()


# ---- views on both engines ---------------------------------------------------------------------------

def test_views_exist_with_sakilas_columns(db_url):
    db = build(tiny_config(simulation={"initial_weeks": 0}), db_url())
    if db.engine == "sqlite":
        names = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'view'")}
    else:
        names = {r[0] for r in db.query("SELECT table_name FROM information_schema.views "
                                        "WHERE table_schema = DATABASE()")}
    assert names == set(SAKILA_VIEWS) == set(VIEW_COLUMNS)
    for view, columns in VIEW_COLUMNS.items():
        assert db.table_columns(view) == columns, view
    # views are not tables: the table list (schema checks, checksums) does not see them
    assert not db.table_names() & set(SAKILA_VIEWS)


def test_customer_and_staff_lists(db_url):
    db = built(db_url())
    place = {a: (addr, postal, phone, city, country) for a, addr, postal, phone, city, country in db.query(
        "SELECT a.address_id, a.address, a.postal_code, a.phone, ci.city, co.country FROM address a "
        "JOIN city ci ON ci.city_id = a.city_id JOIN country co ON co.country_id = ci.country_id")}

    customers = db.query("SELECT customer_id, first_name, last_name, address_id, active, store_id FROM customer")
    rows = {r["ID"]: r for r in view_dicts(db, "customer_list")}
    assert len(rows) == len(customers) == len(view_rows(db, "customer_list")) > 100
    assert {bool(c[4]) for c in customers} == {True, False}  # churn made some inactive
    for cid, first, last, address_id, active, store_id in customers:
        row = rows[cid]
        assert row["name"] == f"{first} {last}"
        assert (row["address"], row["zip code"], row["phone"], row["city"], row["country"]) == place[address_id]
        assert row["notes"] == ("active" if active else "")
        assert row["SID"] == store_id

    staff = db.query("SELECT staff_id, first_name, last_name, address_id, store_id FROM staff")
    rows = {r["ID"]: r for r in view_dicts(db, "staff_list")}
    assert len(rows) == len(staff) == 4
    for sid, first, last, address_id, store_id in staff:
        row = rows[sid]
        assert row["name"] == f"{first} {last}"
        assert (row["address"], row["zip code"], row["phone"], row["city"], row["country"]) == place[address_id]
        assert row["SID"] == store_id


def test_film_lists_have_every_film_with_its_cast(db_url):
    db = built(db_url())
    names = actor_names(db)
    cast = cast_by_film(db)
    genre = dict(db.query("SELECT fc.film_id, c.name FROM film_category fc JOIN category c "
                          "ON c.category_id = fc.category_id"))
    films = db.query("SELECT film_id, title, description, rental_rate, length, rating FROM film")
    uncopied = {r[0] for r in db.query("SELECT film_id FROM film WHERE film_id NOT IN "
                                       "(SELECT film_id FROM inventory)")}
    assert len(uncopied) >= 2  # copies_per_film min 0, and the bare film
    plain = {r["FID"]: r for r in view_dicts(db, "film_list")}
    nicer = {r["FID"]: r for r in view_dicts(db, "nicer_but_slower_film_list")}
    assert len(plain) == len(nicer) == len(films) == len(view_rows(db, "film_list")) > 30

    for film_id, title, description, rate, length, rating in films:
        for row in (plain[film_id], nicer[film_id]):
            assert (row["title"], row["description"], row["length"], row["rating"]) == \
                (title, description, length, rating)
            assert row["category"] == genre.get(film_id)
            assert money(row["price"]) == money(rate)
        actors = [names[a] for a in cast.get(film_id, [])]
        if not actors:
            assert plain[film_id]["actors"] is None and nicer[film_id]["actors"] is None
            continue
        assert plain[film_id]["actors"] == ", ".join(f"{f} {l}" for f, l in actors)
        assert nicer[film_id]["actors"] == ", ".join(f"{f.capitalize()} {l.capitalize()}" for f, l in actors)

    bare = max(plain)
    assert plain[bare]["title"] == "UNSEEN PREMIERE"
    assert plain[bare]["category"] is None and plain[bare]["actors"] is None


def test_actor_info_lists_each_actors_films_by_category(db_url):
    db = built(db_url())
    by_actor: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for actor_id, category, title in db.query(
            "SELECT fa.actor_id, c.name, f.title FROM film_actor fa JOIN film f ON f.film_id = fa.film_id "
            "JOIN film_category fc ON fc.film_id = f.film_id JOIN category c ON c.category_id = fc.category_id"):
        by_actor[actor_id][category].append(title)
    names = actor_names(db)
    rows = {r["actor_id"]: r for r in view_dicts(db, "actor_info")}
    assert len(rows) == len(names) == len(view_rows(db, "actor_info")) == 41

    for actor_id, (first, last) in names.items():
        row = rows[actor_id]
        assert (row["first_name"], row["last_name"]) == (first, last)
        films = by_actor.get(actor_id)
        if not films:
            assert row["film_info"] is None
            continue
        expected = "; ".join(f"{c}: {', '.join(sorted(films[c]))}" for c in sorted(films))
        assert row["film_info"] == expected
        # and read back the other way: every film of the actor, once, under its category
        parsed = {part.split(": ", 1)[0]: part.split(": ", 1)[1].split(", ")
                  for part in row["film_info"].split("; ")}
        assert {c: sorted(t) for c, t in parsed.items()} == {c: sorted(t) for c, t in films.items()}
    assert rows[max(names)]["film_info"] is None  # the actor without films


def test_sales_views_sum_the_payments(db_url):
    db = built(db_url())
    total = money(db.query("SELECT SUM(amount) FROM payment")[0][0])
    assert db.query("SELECT COUNT(*) FROM payment WHERE rental_id IS NULL")[0][0] == 0

    by_store = sales_by(db, "store_id")
    store_label = {s: f"{city},{country}" for s, city, country in db.query(
        "SELECT s.store_id, ci.city, co.country FROM store s JOIN address a ON a.address_id = s.address_id "
        "JOIN city ci ON ci.city_id = a.city_id JOIN country co ON co.country_id = ci.country_id")}
    manager = {s: f"{f} {l}" for s, f, l in db.query(
        "SELECT s.store_id, m.first_name, m.last_name FROM store s JOIN staff m ON m.staff_id = s.manager_staff_id")}
    rows = view_dicts(db, "sales_by_store")
    assert len(rows) == len(store_label) == 2
    assert sorted((r["store"], r["manager"], money(r["total_sales"])) for r in rows) == \
        sorted((store_label[s], manager[s], by_store[s]) for s in store_label)
    assert sum(money(r["total_sales"]) for r in rows) == total > 0

    by_film = sales_by(db, "film_id")
    by_category = defaultdict(Decimal)
    for film_id, category in db.query("SELECT fc.film_id, c.name FROM film_category fc JOIN category c "
                                      "ON c.category_id = fc.category_id"):
        by_category[category] += by_film.get(film_id, Decimal(0))
    categories = [r[0] for r in db.query("SELECT name FROM category")]
    rows = view_dicts(db, "sales_by_film_category")
    assert len(rows) == len(categories) == 17
    assert {r["category"]: money(r["total_sales"]) for r in rows} == \
        {c: money(by_category.get(c, 0)) for c in categories}
    assert money(dict((r["category"], r["total_sales"]) for r in rows)["Western"]) == 0
    # each film has one category here, so the categories share out all sales
    assert sum(money(r["total_sales"]) for r in rows) == total
    totals = [money(r["total_sales"]) for r in rows]
    assert totals == sorted(totals, reverse=True)


def test_views_are_identical_on_sqlite_and_mysql(tmp_path, mysql_url):
    lite = built(f"sqlite:///{tmp_path}/same.db")
    my = built(mysql_url("views"))
    for view in SAKILA_VIEWS:
        a = sorted((tuple(normalise(v) for v in row) for row in view_rows(lite, view)), key=repr)
        b = sorted((tuple(normalise(v) for v in row) for row in view_rows(my, view)), key=repr)
        assert len(a) > 1
        assert a == b, view


# ---- MySQL/MariaDB routines ----------------------------------------------------------------------------

def test_routines_exist_with_sakilas_parameters(mysql_url):
    db = build(tiny_config(simulation={"initial_weeks": 0}), mysql_url("routines"))
    routines = dict(db.query("SELECT routine_name, routine_type FROM information_schema.routines "
                             "WHERE routine_schema = DATABASE()"))
    assert routines == {**{f: "FUNCTION" for f in SAKILA_FUNCTIONS}, **{p: "PROCEDURE" for p in SAKILA_PROCEDURES}}
    access = dict(db.query("SELECT routine_name, sql_data_access FROM information_schema.routines "
                           "WHERE routine_schema = DATABASE() AND routine_type = 'FUNCTION'"))
    assert set(access.values()) == {"READS SQL DATA"}  # creatable with binary logging on
    params = defaultdict(list)
    for name, mode, pname, dtype in db.query(
            "SELECT specific_name, parameter_mode, parameter_name, data_type FROM information_schema.parameters "
            "WHERE specific_schema = DATABASE() ORDER BY specific_name, ordinal_position"):
        params[name].append((mode, pname, dtype))
    assert params["get_customer_balance"] == [(None, None, "decimal"), ("IN", "p_customer_id", "int"),
                                              ("IN", "p_effective_date", "datetime")]
    assert params["inventory_held_by_customer"] == [(None, None, "int"), ("IN", "p_inventory_id", "int")]
    assert params["inventory_in_stock"][1:] == [("IN", "p_inventory_id", "int")]
    assert params["rewards_report"] == [("IN", "min_monthly_purchases", "tinyint"),
                                        ("IN", "min_dollar_amount_purchased", "decimal"),
                                        ("OUT", "count_rewardees", "int")]
    for proc in ("film_in_stock", "film_not_in_stock"):
        assert params[proc] == [("IN", "p_film_id", "int"), ("IN", "p_store_id", "int"),
                                ("OUT", "p_film_count", "int")]
    # drop_objects (used by --reset) removes them all
    db.drop_objects()
    assert db.query("SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = DATABASE()")[0][0] == 0
    assert db.query("SELECT COUNT(*) FROM information_schema.views WHERE table_schema = DATABASE()")[0][0] == 0


def _expected_balances(db, when: dt.datetime) -> dict[int, Decimal]:
    """What each customer owes at `when`, from the tables: the charges so far minus the payments so far."""
    owed = {c: Decimal(0) for (c,) in db.query("SELECT customer_id FROM customer")}
    history: dict[int, list] = {}  # film -> [(valid_until, rate, cost)], the prices before each change
    for film, until, rate, cost in db.query("SELECT film_id, valid_until, rental_rate, replacement_cost "
                                            "FROM sim_film_price ORDER BY valid_until"):
        history.setdefault(film, []).append((ts(until), rate, cost))

    def price(film, at, rate, cost):
        return next(((r, c) for until, r, c in history.get(film, []) if until > at), (rate, cost))

    refunded = {r: ts(d) for r, d in db.query("SELECT rental_id, payment_date FROM payment WHERE amount < 0")}
    for rid, cust, rented, returned, retired, film, rate, duration, cost in db.query(
            "SELECT r.rental_id, r.customer_id, r.rental_date, r.return_date, i.retired_at, f.film_id, f.rental_rate, "
            "f.rental_duration, f.replacement_cost FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id "
            "JOIN film f ON f.film_id = i.film_id"):
        rented, returned, retired = ts(rented), ts(returned), ts(retired)
        if rented > when:
            continue
        if not (rid in refunded and refunded[rid] <= when):  # a refunded fee is waived
            owed[cust] += money(price(film, rented, rate, cost)[0])
        # a late fee is 1.00 a day, never more than the replacement cost in force at the return (or now)
        if returned is not None and returned <= when:  # back by then: late fee at the return
            days = (returned.date() - rented.date()).days - duration
            cap = money(price(film, returned, rate, cost)[1])
        elif returned is None and retired is not None and retired <= when:  # lost by then
            owed[cust] += money(price(film, retired, rate, cost)[1])
            days, cap = 0, Decimal(0)
        else:  # still out at `when`
            days = (when.date() - rented.date()).days - duration
            cap = money(price(film, when, rate, cost)[1])
        owed[cust] += min(max(days, 0) * Decimal("1.00"), cap)
    for cust, amount, paid in db.query("SELECT customer_id, amount, payment_date FROM payment"):
        if ts(paid) <= when:
            owed[cust] -= money(amount)
    return owed


def _overdue_at(db, when: dt.datetime) -> set[int]:
    """Customers with a rental out and overdue at `when` (not yet returned, not yet declared lost)."""
    out = set()
    for cust, rented, returned, retired, duration in db.query(
            "SELECT r.customer_id, r.rental_date, r.return_date, i.retired_at, f.rental_duration FROM rental r "
            "JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id"):
        rented, returned, retired = ts(rented), ts(returned), ts(retired)
        out_then = rented <= when and (returned is None or returned > when) and (retired is None or retired > when)
        if out_then and (when.date() - rented.date()).days > duration:
            out.add(cust)
    return out


def test_get_customer_balance_matches_the_tables(mysql_url):
    db = build(CFG, mysql_url("balance"))
    lost = db.query("SELECT MIN(i.retired_at), COUNT(*) FROM rental r JOIN inventory i "
                    "ON i.inventory_id = r.inventory_id WHERE r.return_date IS NULL AND i.retired_at IS NOT NULL")[0]
    assert lost[1] >= 3  # lost copies, charged at retirement
    # late changes: prices that changed after some rentals, and refunded rental fees
    assert db.query("SELECT COUNT(*) FROM sim_film_price")[0][0] >= 1
    assert db.query("SELECT COUNT(*) FROM payment WHERE amount < 0")[0][0] >= 1
    end_of_sim = dt.datetime.combine(LAST_DAY, dt.time(23, 59, 59))
    dates = [START - dt.timedelta(days=1), START + dt.timedelta(days=12, hours=14, minutes=30),
             START + dt.timedelta(days=30, hours=23, minutes=59, seconds=59), lost[0], end_of_sim]
    for when in dates:
        got = dict(db.query("SELECT customer_id, get_customer_balance(customer_id, ?) FROM customer", (when,)))
        expected = _expected_balances(db, when)
        assert {c: money(v) for c, v in got.items()} == expected, when
        # nobody owes anything unless a rental is out and overdue at that moment
        overdue = _overdue_at(db, when)
        assert {c for c, v in got.items() if v != 0} == overdue
        assert all(v >= 0 for v in got.values())
    assert _overdue_at(db, end_of_sim) and _overdue_at(db, dates[2])  # the dates do exercise late fees

    # an unpaid charge shows: drop one late fee and one replacement charge from the payments
    late = db.query("SELECT p.payment_id, p.customer_id, p.amount FROM payment p JOIN rental r "
                    "ON r.rental_id = p.rental_id WHERE p.payment_date = r.return_date "
                    "ORDER BY p.payment_id LIMIT 1")[0]
    repl = db.query("SELECT p.payment_id, p.customer_id, p.amount FROM payment p JOIN rental r "
                    "ON r.rental_id = p.rental_id JOIN inventory i ON i.inventory_id = r.inventory_id "
                    "WHERE r.return_date IS NULL AND p.payment_date = i.retired_at ORDER BY p.payment_id LIMIT 1")[0]
    before = {c: db.query("SELECT get_customer_balance(?, ?)", (c, end_of_sim))[0][0] for c in (late[1], repl[1])}
    with db.transaction():
        db.execute("DELETE FROM payment WHERE payment_id IN (?, ?)", (late[0], repl[0]))
    after = {c: db.query("SELECT get_customer_balance(?, ?)", (c, end_of_sim))[0][0] for c in (late[1], repl[1])}
    if late[1] == repl[1]:
        assert after[late[1]] - before[late[1]] == late[2] + repl[2]
    else:
        assert after[late[1]] - before[late[1]] == late[2]
        assert after[repl[1]] - before[repl[1]] == repl[2] > 5
    assert db.query("SELECT get_customer_balance(999999, ?)", (end_of_sim,))[0][0] == 0


def _retire_a_copy_on_the_shelf(db) -> int:
    """Retire (as damaged) a copy that is not out: it leaves the stock without any rental."""
    inv = db.query("SELECT MIN(inventory_id) FROM inventory WHERE retired_at IS NULL AND inventory_id NOT IN "
                   "(SELECT inventory_id FROM rental WHERE return_date IS NULL)")[0][0]
    with db.transaction():
        db.execute("UPDATE inventory SET retired_at = ? WHERE inventory_id = ?", (f"{LAST_DAY} 12:00:00", inv))
    return inv


def test_inventory_functions_agree_with_open_rentals(mysql_url):
    db = build(CFG, mysql_url("stock"))
    damaged = _retire_a_copy_on_the_shelf(db)
    holder = dict(db.query("SELECT inventory_id, customer_id FROM rental WHERE return_date IS NULL"))
    retired = {r[0] for r in db.query("SELECT inventory_id FROM inventory WHERE retired_at IS NOT NULL")}
    rows = db.query("SELECT inventory_id, inventory_in_stock(inventory_id), inventory_held_by_customer(inventory_id) "
                    "FROM inventory")
    kinds = defaultdict(int)
    for inv, in_stock, held_by in rows:
        assert bool(in_stock) == (inv not in retired and inv not in holder), inv
        assert held_by == holder.get(inv), inv
        kinds["lost" if inv in retired else "out" if inv in holder else "shelf"] += 1
    assert min(kinds["lost"], kinds["out"], kinds["shelf"]) > 0, kinds
    assert db.query("SELECT inventory_in_stock(?), inventory_held_by_customer(?)", (damaged, damaged))[0] == (0, None)
    assert db.query("SELECT inventory_in_stock(999999), inventory_held_by_customer(999999)")[0] == (0, None)
    # a return puts the copy back on the shelf
    inv = min(set(holder) - retired)
    with db.transaction():
        db.execute("UPDATE rental SET return_date = ? WHERE inventory_id = ? AND return_date IS NULL",
                   (f"{LAST_DAY} 23:59:59", inv))
    assert db.query("SELECT inventory_in_stock(?), inventory_held_by_customer(?)", (inv, inv))[0] == (1, None)


def test_film_in_stock_and_not_in_stock_split_the_live_copies(mysql_url):
    db = build(CFG, mysql_url("films"))
    _add_bare_rows(db)
    damaged = _retire_a_copy_on_the_shelf(db)
    film, store = db.query("SELECT film_id, store_id FROM inventory WHERE inventory_id = ?", (damaged,))[0]
    assert damaged not in {r[0] for r in call(db, "film_in_stock", film, store)[0]}
    assert damaged not in {r[0] for r in call(db, "film_not_in_stock", film, store)[0]}
    out = {r[0] for r in db.query("SELECT inventory_id FROM rental WHERE return_date IS NULL")}
    copies = defaultdict(lambda: (set(), set()))  # (film, store) -> (on the shelf, out)
    for inv, film, store, retired_at in db.query("SELECT inventory_id, film_id, store_id, retired_at FROM inventory"):
        if retired_at is None:
            copies[film, store][inv in out].add(inv)
    films = [r[0] for r in db.query("SELECT film_id FROM film")]
    stores = [r[0] for r in db.query("SELECT store_id FROM store")]
    live = db.query("SELECT COUNT(*) FROM inventory WHERE retired_at IS NULL")[0][0]
    total = {True: 0, False: 0}
    for film in films:
        for store in stores:
            shelf, away = copies[film, store]
            ids_in, n_in = call(db, "film_in_stock", film, store)
            ids_out, n_out = call(db, "film_not_in_stock", film, store)
            assert ({r[0] for r in ids_in}, n_in) == (shelf, len(shelf)), (film, store)
            assert ({r[0] for r in ids_out}, n_out) == (away, len(away)), (film, store)
            total[True] += n_in
            total[False] += n_out
    assert total[True] + total[False] == live
    assert total[True] > 0 and total[False] > 0
    assert call(db, "film_in_stock", max(films), stores[0]) == ([], 0)  # the film without copies


def _rewardees(db, month_start: dt.date, month_end: dt.date, purchases: int, dollars: Decimal) -> set[int]:
    count, spent = defaultdict(int), defaultdict(Decimal)
    for cust, amount, paid in db.query("SELECT customer_id, amount, payment_date FROM payment"):
        if month_start <= ts(paid).date() < month_end:
            count[cust] += 1
            spent[cust] += money(amount)
    return {c for c in count if count[c] >= purchases and spent[c] >= dollars}


def test_rewards_report_picks_last_months_best_customers(mysql_url):
    import mysql.connector

    db = build(CFG, mysql_url("rewards"))
    customer_columns = len(db.table_columns("customer"))
    assert db.require_sim_state()["last_day"] == (LAST_DAY - dt.date(1970, 1, 1)).days
    last_month = month_of(month_of(LAST_DAY)[0] - dt.timedelta(days=1))  # before the last simulated day's
    seen = []
    for purchases, dollars in ((1, Decimal("0.01")), (3, Decimal("10.00")), (5, Decimal("20.00"))):
        rows, n = call(db, "rewards_report", purchases, dollars)
        expected = _rewardees(db, *last_month, purchases, dollars)
        assert n == len(rows) == len(expected)
        assert {r[0] for r in rows} == expected
        assert all(len(r) == customer_columns for r in rows)  # whole customer rows, as in Sakila
        seen.append(n)
    customers = db.query("SELECT COUNT(*) FROM customer")[0][0]
    assert customers > seen[0] > seen[1] > seen[2] > 0

    for bad in ((0, "10.00"), (3, "0.00")):
        with pytest.raises(mysql.connector.Error) as err:
            call(db, "rewards_report", *bad)
        assert err.value.sqlstate == "45000" and "must be >" in err.value.msg

    # "last month" follows sim_state.last_day ...
    this_month = month_of(LAST_DAY)
    with db.transaction():
        db.execute("UPDATE sim_state SET last_day = ? WHERE id = 1", (this_month[1] + dt.timedelta(days=2),))
    rows, n = call(db, "rewards_report", 3, "10.00")
    assert {r[0] for r in rows} == _rewardees(db, *this_month, 3, Decimal("10.00")) and n == len(rows) > 0
    # ... and the clock when there is no sim_state row (nothing was rented last month in real time)
    with db.transaction():
        db.execute("DELETE FROM sim_state")
    assert call(db, "rewards_report", 1, "0.01") == ([], 0)
