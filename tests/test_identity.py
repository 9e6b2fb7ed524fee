"""Who the customers are (dvdrental/checks/identity.py): one e-mail per customer, in a database that
keeps growing and being corrected, on both engines; validate.py names a shared e-mail."""

from dvdrental.checks.validation import validate
from dvdrental.run import Span, advance
from dvdrental.sim.people import email
from conftest import tiny_config
from helpers import build, realism

# few surnames and first names: namesakes are certain, and e-mail edits (late changes) are frequent
CFG = tiny_config(simulation={"initial_weeks": 6, "level": 4}, customers={"initial": 1500},
                  late_changes={"customer_edits": 200.0})


def test_namesakes_get_their_own_email():
    taken: set[str] = set()
    assert [email("MARY", "SMITH", taken=taken) for _ in range(3)] == [
        "MARY.SMITH@sakilacustomer.org", "MARY.SMITH2@sakilacustomer.org", "MARY.SMITH3@sakilacustomer.org"]
    assert email("mary", "smith", taken=taken) == "mary.smith4@sakilacustomer.org"  # case does not tell apart
    long = email("A" * 30, "B" * 30, taken=taken)
    assert len(long) == 50 and len(email("A" * 30, "B" * 30, taken=taken)) == 50


def test_every_customer_keeps_an_email_of_their_own(db_url):
    db = build(CFG, db_url("mail"))
    advance(db, Span(weeks=4))  # rebuilt from the database: new sign-ups and edits avoid what is taken
    names, mails = db.query("SELECT COUNT(*) - COUNT(DISTINCT first_name || ' ' || last_name) FROM customer"
                            if db.engine == "sqlite" else
                            "SELECT COUNT(*) - COUNT(DISTINCT CONCAT(first_name, ' ', last_name)) FROM customer")[0][0], \
        db.query("SELECT COUNT(*) - COUNT(DISTINCT UPPER(email)) FROM customer")[0][0]
    assert names > 5 and mails == 0  # namesakes there are, shared e-mails not
    edits = db.query("SELECT COUNT(*) FROM sim_change_log WHERE kind = 'customer_email'")[0][0]
    assert edits > 10
    result = validate(db)
    assert realism(result, "unique_emails")["status"] == "pass"


def test_validate_names_a_shared_email(tmp_path):
    db = build(CFG, f"sqlite:///{tmp_path}/dup.db")
    with db.transaction():
        db.execute("UPDATE customer SET email = (SELECT email FROM customer WHERE customer_id = 1) "
                   "WHERE customer_id = 2")
    result = validate(db)
    check = realism(result, "unique_emails")
    assert check["status"] == "fail" and "2 customers share 1 e-mails" in check["measured"]
    assert "unique_emails" in result["failed"]


def test_customers_live_in_their_stores_country(db_url):
    """Sakila's two stores by default: Lethbridge (Alberta, Canada) and Woodridge (QLD, Australia);
    each customer lives in the store's country and district, with that country's postcodes and phone
    numbers, and moves (a late change) stay there."""
    db = build(CFG, db_url("geo"))
    advance(db, Span(weeks=2))
    stores = dict(db.query("SELECT s.store_id, c.city FROM store s JOIN address a ON a.address_id = s.address_id "
                           "JOIN city c ON c.city_id = a.city_id"))
    assert stores == {1: "Lethbridge", 2: "Woodridge"}
    rows = db.query("""SELECT cu.store_id, co.country, a.district, a.postal_code, a.phone FROM customer cu
        JOIN address a ON a.address_id = cu.address_id JOIN city ci ON ci.city_id = a.city_id
        JOIN country co ON co.country_id = ci.country_id""")
    home = {1: ("Canada", "Alberta"), 2: ("Australia", "QLD")}
    assert all((country, district) == home[store] for store, country, district, _, _ in rows)
    assert all(len(postal.replace(" ", "")) == 6 for store, _, _, postal, _ in rows if store == 1)  # A1A 1A1
    assert all(len(postal) == 4 and postal.isdigit() for store, _, _, postal, _ in rows if store == 2)
    assert db.query("SELECT COUNT(*) FROM sim_change_log WHERE kind = 'customer_move'")[0][0] > 5
    check = realism(validate(db), "customers_in_store_country")
    assert check["status"] == "pass"


def test_validate_names_a_customer_living_abroad(tmp_path):
    db = build(CFG, f"sqlite:///{tmp_path}/abroad.db")
    with db.transaction():  # customer 1 of store 1 (Canada) moved to a city of Australia
        db.execute("UPDATE address SET city_id = 2 WHERE address_id = "
                   "(SELECT address_id FROM customer WHERE store_id = 1 ORDER BY customer_id LIMIT 1)")
    result = validate(db)
    check = realism(result, "customers_in_store_country")
    assert check["status"] == "fail" and "elsewhere: customer" in check["measured"]
    assert "customers_in_store_country" in result["failed"]
