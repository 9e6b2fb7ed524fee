"""validate.py: passes good databases, and names exactly the broken check on each corrupted copy."""

import json
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

import validate
from dvdrental.run import Span, advance
from dvdrental.storage import connect
from dvdrental.checks.validation import validate as run_validate
from conftest import tiny_config
from helpers import build

# lost copies, late fees and churn all happen within a few weeks of this config
CFG = dict(simulation={"initial_weeks": 6, "level": 4},
           returns={"lost_share": 0.05, "lost_grace_days": 3, "late_share": 0.3})


def good(url, log=False):
    """Late changes off (each corruption must break one rule only); the change log only when asked for,
    since every hand-made corruption below is also a change the log does not know."""
    return build(tiny_config(**CFG, late_changes={"enabled": False, "change_log": log}), url)


def cli(url, *args):
    return CliRunner().invoke(validate.main, ["--db", url, *args])


def url_of(db):
    return db.url.display() if db.engine == "mysql" else f"sqlite:///{db.url.path}"


@contextmanager
def unchecked(db):
    """Write without foreign-key checks, as a careless ETL job would."""
    if db.engine == "sqlite":
        db.execute("PRAGMA foreign_keys = OFF")
    else:
        db.execute("SET foreign_key_checks = 0")
    try:
        with db.transaction():
            yield
    finally:
        db.execute("PRAGMA foreign_keys = ON" if db.engine == "sqlite" else "SET foreign_key_checks = 1")


def one(db, sql, *params):
    rows = db.query(sql, params)
    assert rows, sql
    return rows[0]


def ts(value):
    return str(value)[:19]


def shift(db, column, hours):
    """SQL for `column` moved by whole hours, in the engine's dialect."""
    if db.engine == "sqlite":
        return f"datetime({column}, '{hours:+d} hours')"
    return f"DATE_ADD({column}, INTERVAL {hours} HOUR)"


def returned_on_time(db):
    """A rental returned within its duration, with no late fee."""
    days = db.days_between("r.return_date", "r.rental_date")
    return one(db, f"""SELECT r.rental_id, r.rental_date, r.return_date, r.inventory_id, r.staff_id, r.customer_id
        FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id
        WHERE r.return_date IS NOT NULL AND {days} <= f.rental_duration AND i.retired_at IS NULL
          AND {db.epoch_seconds('r.return_date')} - {db.epoch_seconds('r.rental_date')} > 7200
        ORDER BY r.rental_id LIMIT 1""")


# ---- the corruptions: each breaks one invariant and nothing else --------------------------------------

def duplicate_id(db):
    if db.engine == "sqlite":
        db.execute("PRAGMA legacy_alter_table = ON")  # rename without re-checking the film triggers
        with unchecked(db):
            db.execute("CREATE TABLE film_text_copy AS SELECT * FROM film_text")
            db.execute("DROP TABLE film_text")
            db.execute("ALTER TABLE film_text_copy RENAME TO film_text")
            db.execute("INSERT INTO film_text SELECT * FROM film_text WHERE film_id = 1")
    else:
        db.execute("ALTER TABLE film_text DROP PRIMARY KEY")
        with db.transaction():
            db.execute("INSERT INTO film_text SELECT * FROM film_text WHERE film_id = 1")


def dangling_actor(db):
    with unchecked(db):
        db.execute("INSERT INTO film_actor (actor_id, film_id, last_update) VALUES (9999, 1, "
                   "(SELECT MIN(last_update) FROM film))")


def orphan_payment(db):
    p = one(db, "SELECT payment_id, customer_id, staff_id, amount, payment_date FROM payment ORDER BY payment_id LIMIT 1")
    top = one(db, "SELECT MAX(payment_id) FROM payment")[0]
    with unchecked(db):
        db.execute("INSERT INTO payment (payment_id, customer_id, staff_id, rental_id, amount, payment_date, "
                   "last_update) VALUES (?, ?, ?, 999999, ?, ?, ?)", (top + 1, p[1], p[2], p[3], ts(p[4]), ts(p[4])))


def double_booking(db):
    rid, rented, _, inv, staff, customer = returned_on_time(db)
    rate = one(db, "SELECT f.rental_rate FROM inventory i JOIN film f ON f.film_id = i.film_id "
                   "WHERE i.inventory_id = ?", inv)[0]
    start, end = one(db, f"SELECT {shift(db, 'rental_date', 1)}, {shift(db, 'rental_date', 2)} FROM rental "
                         "WHERE rental_id = ?", rid)
    new = one(db, "SELECT MAX(rental_id) FROM rental")[0] + 1
    pay = one(db, "SELECT MAX(payment_id) FROM payment")[0] + 1
    with db.transaction():
        db.execute("INSERT INTO rental (rental_id, rental_date, inventory_id, customer_id, return_date, staff_id, "
                   "last_update) VALUES (?, ?, ?, ?, ?, ?, ?)", (new, ts(start), inv, customer, ts(end), staff, ts(end)))
        db.execute("INSERT INTO payment (payment_id, customer_id, staff_id, rental_id, amount, payment_date, "
                   "last_update) VALUES (?, ?, ?, ?, ?, ?, ?)", (pay, customer, staff, new, rate, ts(start), ts(start)))


def return_before_rental(db):
    rid = returned_on_time(db)[0]
    with db.transaction():
        db.execute(f"UPDATE rental SET return_date = {shift(db, 'rental_date', -1)} WHERE rental_id = ?", (rid,))


def cross_store(db):
    rid, rented, *_ = returned_on_time(db)
    store = one(db, "SELECT c.store_id FROM rental r JOIN customer c ON c.customer_id = r.customer_id "
                    "WHERE r.rental_id = ?", rid)[0]
    other = one(db, "SELECT customer_id FROM customer WHERE store_id <> ? AND create_date < ? ORDER BY customer_id",
                store, ts(rented))[0]
    with db.transaction():
        db.execute("UPDATE rental SET customer_id = ? WHERE rental_id = ?", (other, rid))
        db.execute("UPDATE payment SET customer_id = ? WHERE rental_id = ?", (other, rid))


def missing_payment(db):
    rid = returned_on_time(db)[0]
    with db.transaction():
        db.execute("DELETE FROM payment WHERE rental_id = ? AND payment_date = "
                   "(SELECT rental_date FROM rental WHERE rental_id = ?)", (rid, rid))


def wrong_amount(db):
    rid = returned_on_time(db)[0]
    with db.transaction():
        db.execute("UPDATE payment SET amount = amount + 1 WHERE rental_id = ?", (rid,))


def missing_late_fee(db):
    days = db.days_between("r.return_date", "r.rental_date")
    pid = one(db, f"""SELECT p.payment_id FROM payment p JOIN rental r ON r.rental_id = p.rental_id
        JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id
        WHERE p.payment_date = r.return_date AND {days} > f.rental_duration LIMIT 1""")[0]
    with db.transaction():
        db.execute("DELETE FROM payment WHERE payment_id = ?", (pid,))


def missing_replacement_charge(db):
    pid = one(db, """SELECT p.payment_id FROM payment p JOIN rental r ON r.rental_id = p.rental_id
        JOIN inventory i ON i.inventory_id = r.inventory_id
        WHERE r.return_date IS NULL AND p.payment_date = i.retired_at LIMIT 1""")[0]
    with db.transaction():
        db.execute("DELETE FROM payment WHERE payment_id = ?", (pid,))


def returned_after_write_off(db):
    """A late return moved to the day its copy would have been written off (due + lost_grace_days), its
    late fee and stamps following, so that only the write-off rule breaks."""
    from dvdrental.sim.calendar import DAY, parse_ts, ts_text
    grace = db.require_sim_state()["config"]["returns"]["lost_grace_days"]
    last_end = (db.require_sim_state()["last_day"] + 1) * DAY
    days = db.days_between("r.return_date", "r.rental_date")
    for rid, rented, back, duration, inv, cost in db.query(f"""
            SELECT r.rental_id, r.rental_date, r.return_date, f.rental_duration, r.inventory_id, f.replacement_cost
            FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id
            WHERE r.return_date IS NOT NULL AND {days} > f.rental_duration ORDER BY r.rental_id"""):
        nxt = db.query("SELECT MIN(rental_date) FROM rental WHERE inventory_id = ? AND rental_date > ?",
                       (inv, ts(rented)))[0][0]
        was = ts(back)
        rented, back = parse_ts(rented), parse_ts(back)
        new = (rented // DAY + int(duration) + grace) * DAY + back % DAY
        if new < last_end and (nxt is None or new <= parse_ts(nxt)):
            when, fee = ts_text(new), min(grace * 1.00, float(cost))  # 1.00 a day, capped
            with db.transaction():
                db.execute("UPDATE payment SET payment_date = ?, amount = ?, last_update = ? "
                           "WHERE rental_id = ? AND payment_date = ?", (when, fee, when, rid, was))
                db.execute("UPDATE rental SET return_date = ?, last_update = ? WHERE rental_id = ?",
                           (when, when, rid))
            return
    raise AssertionError("no late return to move")


def rental_before_customer(db):
    cid, first = one(db, "SELECT customer_id, MIN(rental_date) FROM rental GROUP BY customer_id "
                         "ORDER BY customer_id LIMIT 1")
    with db.transaction():
        db.execute(f"UPDATE customer SET create_date = {shift(db, '?', 1)}, last_update = {shift(db, '?', 1)} "
                   "WHERE customer_id = ?", (ts(first), ts(first), cid))


def rental_before_copy(db):
    inv, first = one(db, "SELECT r.inventory_id, MIN(r.rental_date) FROM rental r JOIN inventory i "
                         "ON i.inventory_id = r.inventory_id WHERE i.retired_at IS NULL GROUP BY r.inventory_id "
                         "ORDER BY r.inventory_id LIMIT 1")
    with db.transaction():
        db.execute(f"UPDATE inventory SET created_at = {shift(db, '?', 1)}, last_update = {shift(db, '?', 1)} "
                   "WHERE inventory_id = ?", (ts(first), ts(first), inv))


def retired_copy_rented(db):
    inv, last = one(db, """SELECT r.inventory_id, MAX(r.rental_date) FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id WHERE i.retired_at IS NULL GROUP BY r.inventory_id
        HAVING SUM(CASE WHEN r.return_date IS NULL THEN 1 ELSE 0 END) = 0 ORDER BY r.inventory_id LIMIT 1""")
    with db.transaction():
        db.execute(f"UPDATE inventory SET retired_at = {shift(db, '?', -1)}, last_update = {shift(db, '?', -1)} "
                   "WHERE inventory_id = ?", (ts(last), ts(last), inv))


def dated_after_last_day(db):
    end = db.require_sim_state()["last_day"]
    from dvdrental.sim.calendar import date_of
    with db.transaction():
        db.execute("UPDATE payment SET last_update = ? WHERE payment_id = 1", (f"{date_of(end + 1)} 10:00:00",))


def stale_last_update(db):
    rid = returned_on_time(db)[0]
    with db.transaction():
        db.execute(f"UPDATE rental SET last_update = {shift(db, 'rental_date', -1)} WHERE rental_id = ?", (rid,))


def unlogged_change(db):
    end = db.require_sim_state()["last_day"]
    from dvdrental.sim.calendar import date_of
    with db.transaction():
        db.execute("UPDATE customer SET email = 'someone@example.org', last_update = ? WHERE customer_id = 1",
                   (f"{date_of(end)} 23:00:00",))


CORRUPTIONS = {
    "unique_ids": duplicate_id,
    "foreign_keys": dangling_actor,
    "double_booking": double_booking,
    "return_after_rental": return_before_rental,
    "one_store": cross_store,
    "rental_payment": missing_payment,
    "payment_rules": wrong_amount,
    "late_fee_charged": missing_late_fee,
    "lost_copy_charged": missing_replacement_charge,
    "returned_before_write_off": returned_after_write_off,
    "customer_existed": rental_before_customer,
    "rental_after_copy_created": rental_before_copy,
    "lost_copy_rented": retired_copy_rented,
    "not_after_last_day": dated_after_last_day,
    "last_update_after_creation": stale_last_update,
    "change_log": unlogged_change,
}


@pytest.mark.parametrize("check", sorted(CORRUPTIONS))
def test_each_corruption_is_named_exactly(db_url, check):
    db = good(db_url(check[:8]), log=check == "change_log")
    CORRUPTIONS[check](db)
    r = cli(url_of(db), "--no-realism", "--json")
    assert r.exit_code == 1, r.output
    result = json.loads(r.output)
    assert result["failed"] == [check]
    failing = next(c for c in result["invariants"] if c["name"] == check)
    assert failing["violations"] >= 1 and failing["examples"]


def test_orphan_payment_is_a_foreign_key_violation(db_url):
    db = good(db_url("orphan"))
    orphan_payment(db)
    result = run_validate(db, realism=False)
    assert result["failed"] == ["foreign_keys"]
    assert any("payment.rental_id" in e for e in next(c for c in result["invariants"]
                                                       if c["name"] == "foreign_keys")["examples"])


def test_every_invariant_has_a_corruption_test():
    from dvdrental.checks.invariants import CHECKS
    assert {c.name for c in CHECKS} == set(CORRUPTIONS)


def test_good_databases_pass_on_both_engines(db_url):
    db = good(db_url("good"))
    r = cli(url_of(db))
    assert r.exit_code == 0, r.output
    assert "Result: PASS" in r.output
    advance(db, Span(weeks=3))  # incremental_update's database too
    assert cli(url_of(db), "--quiet").exit_code == 0


def test_json_output_lists_every_check(tmp_path):
    db = good(f"sqlite:///{tmp_path}/j.db")
    result = json.loads(cli(url_of(db), "--json").output)
    assert result["ok"] is True and result["schema"]["status"] == "pass"
    assert len(result["invariants"]) == len(CORRUPTIONS)
    names = {c["name"] for c in result["realism"]}
    assert {"volume", "growth_early", "seasonality", "weekday_profile", "spike_frequency", "spike_size", "churn",
            "reactivation", "returns_by_weekday", "late_share", "lost_share", "copy_age"} <= names
    assert all(c["status"] in ("pass", "skip") for c in result["realism"])


def test_realism_fails_when_the_data_does_not_follow_the_config(tmp_path):
    db = build(tiny_config(simulation={"initial_weeks": 10, "level": 2},
                           catalog={"copies_per_film": {"min": 10, "max": 10}},
                           late_changes={"change_log": False}), f"sqlite:///{tmp_path}/r.db")
    with db.transaction():  # a shop that never opens on Saturdays
        db.execute("DELETE FROM payment WHERE rental_id IN "
                   "(SELECT rental_id FROM rental WHERE strftime('%w', rental_date) = '6')")
        db.execute("DELETE FROM rental WHERE strftime('%w', rental_date) = '6'")
        db.execute("UPDATE sim_day SET lost_demand = 0 WHERE strftime('%w', day) = '6'")
    result = run_validate(db)
    assert not result["ok"]
    # and customers whose first rental was on a Saturday now seem to have signed up without renting
    assert set(result["failed"]) <= {"weekday_profile", "signups_in_opening_hours"}
    assert "weekday_profile" in result["failed"]
    assert all(c["status"] == "pass" for c in result["invariants"])


def test_config_changes_are_measured_against_the_stored_config(tmp_path):
    db = good(f"sqlite:///{tmp_path}/c.db")
    with db.transaction():  # claim a much busier shop than the one simulated
        st = db.require_sim_state()
        cfg = st["config"]
        cfg["demand"]["base_weekly_rentals"] *= 2
        cfg["demand"]["capacity_weekly_rentals"] *= 2
        db.execute("UPDATE sim_state SET config = ? WHERE id = 1", (json.dumps(cfg),))
    result = run_validate(db)
    assert "volume" in result["failed"]


def test_missing_sakila_column_fails_the_schema_check(tmp_path):
    db = good(f"sqlite:///{tmp_path}/s.db")
    db.execute("DROP VIEW film_list")
    db.execute("DROP VIEW nicer_but_slower_film_list")
    db.execute("ALTER TABLE film DROP COLUMN special_features")
    r = cli(url_of(db), "--json")
    assert r.exit_code == 1
    result = json.loads(r.output)
    assert result["failed"] == ["schema"] and result["schema"]["missing"] == ["film.special_features"]


def test_databases_that_cannot_be_checked_exit_2(tmp_path):
    assert cli(f"sqlite:///{tmp_path}/none.db").exit_code == 2
    empty = f"sqlite:///{tmp_path}/empty.db"
    connect(empty).close()
    r = cli(empty)
    assert r.exit_code == 2 and "generator.py first" in r.output
    assert cli("mysql://root@127.0.0.1:1/x").exit_code == 2


def _count_idle_candidates(monkeypatch):
    from dvdrental.sim import customers
    seen = set()
    original = customers.Customers.idle_candidates

    def counting(self, now, weeks):
        found = original(self, now, weeks)
        seen.update((int(c), now) for c in found)
        return found
    monkeypatch.setattr(customers.Customers, "idle_candidates", counting)
    return seen


def _churn_details(db):
    result = run_validate(db)
    churn = next(c for c in result["realism"] if c["name"] == "churn")
    return result, churn["details"][0]


def test_churn_measurement_counts_exactly_what_the_simulation_saw(tmp_path, monkeypatch):
    seen = _count_idle_candidates(monkeypatch)
    # late changes off: a voided rental is activity the simulation saw but the tables no longer show
    db = build(tiny_config(simulation={"initial_weeks": 30}, late_changes={"enabled": False}),
               f"sqlite:///{tmp_path}/c.db")
    _, details = _churn_details(db)
    assert details["eligible_customer_mondays"] == len(seen)
    assert details["churned"] == db.query("SELECT COUNT(*) FROM sim_customer_event WHERE event = 'churn'")[0][0]


def test_adopted_sakila_database_passes_validation(mysql_url, monkeypatch):
    from sakila_legacy import build_legacy_sakila
    seen = _count_idle_candidates(monkeypatch)
    url = mysql_url("adopted")
    build_legacy_sakila(url, films=300)  # 60 films would not last 150 customers half a year unseen
    db = connect(url)
    advance(db, Span(weeks=26), late_changes=False, yes=True)  # exact churn count (see above)
    result, details = _churn_details(db)
    assert result["ok"], result["failed"]
    assert details["eligible_customer_mondays"] == len(seen)  # customers inactive at adoption excluded
