"""What customers do (dvdrental/checks/behaviour.py): nobody rents a film they still hold."""

from dvdrental.checks.validation import validate
from dvdrental.run import Span, advance
from conftest import tiny_config
from helpers import build, realism

# a handful of films and busy customers: without the rule, second copies of a held film are certain
CFG = tiny_config(simulation={"initial_weeks": 8, "level": 4}, catalog={"films": 12, "copies_per_film":
                  {"min": 4, "max": 4}}, customers={"initial": 60, "rentals_per_active_week": 3.0})


def held_twice(db) -> int:
    """Rentals made while the same customer still held another copy of the film (SQL, independent)."""
    return db.query("""
        SELECT COUNT(DISTINCT r2.rental_id) FROM rental r1
        JOIN rental r2 ON r2.customer_id = r1.customer_id AND r2.rental_id <> r1.rental_id
          AND r2.rental_date >= r1.rental_date AND (r1.return_date IS NULL OR r2.rental_date < r1.return_date)
        JOIN inventory i1 ON i1.inventory_id = r1.inventory_id
        JOIN inventory i2 ON i2.inventory_id = r2.inventory_id AND i2.film_id = i1.film_id
        WHERE r1.return_date IS NOT NULL OR i1.retired_at IS NULL OR r2.rental_date < i1.retired_at""")[0][0]


def check(db) -> dict:
    return realism(validate(db), "same_film_held_twice")


def test_nobody_rents_a_film_they_hold(db_url):
    db = build(CFG, db_url("held"))
    advance(db, Span(weeks=3))  # the rule holds across an incremental run (rebuilt from open rentals)
    repeats = db.query("SELECT COUNT(*) - COUNT(DISTINCT customer_id * 100000 + i.film_id) FROM rental r "
                       "JOIN inventory i ON i.inventory_id = r.inventory_id")[0][0]
    assert repeats > 50  # customers do rent films again, once they have brought them back
    assert held_twice(db) == 0 and check(db)["status"] == "pass"


def test_validate_names_a_second_copy_of_a_held_film(tmp_path):
    db = build(CFG, f"sqlite:///{tmp_path}/twice.db")
    first, second, film, store = db.query("""
        SELECT r1.rental_id, r2.rental_id, i1.film_id, i1.store_id FROM rental r1
        JOIN rental r2 ON r2.customer_id = r1.customer_id AND r2.rental_date > r1.rental_date
          AND r2.rental_date < r1.return_date
        JOIN inventory i1 ON i1.inventory_id = r1.inventory_id
        ORDER BY r1.rental_id LIMIT 1""")[0]
    copy = db.query("SELECT inventory_id FROM inventory WHERE film_id = ? AND store_id = ? AND inventory_id <> "
                    "(SELECT inventory_id FROM rental WHERE rental_id = ?) LIMIT 1", (film, store, first))[0][0]
    with db.transaction():
        db.execute("UPDATE rental SET inventory_id = ? WHERE rental_id = ?", (copy, second))
    assert held_twice(db) >= 1
    found = check(db)
    assert found["status"] == "fail" and f"rental {second}" in found["measured"]
