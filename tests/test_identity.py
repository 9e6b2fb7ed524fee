"""Who the customers are (dvdrental/checks/identity.py): one e-mail per customer, in a database that
keeps growing and being corrected, on both engines; validate.py names a shared e-mail."""

from dvdrental.checks.validation import validate
from dvdrental.run import Span, advance
from dvdrental.sim.people import email
from conftest import tiny_config
from helpers import build

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
    assert next(r for r in result["realism"] if r["name"] == "unique_emails")["status"] == "pass"


def test_validate_names_a_shared_email(tmp_path):
    db = build(CFG, f"sqlite:///{tmp_path}/dup.db")
    with db.transaction():
        db.execute("UPDATE customer SET email = (SELECT email FROM customer WHERE customer_id = 1) "
                   "WHERE customer_id = 2")
    result = validate(db)
    check = next(r for r in result["realism"] if r["name"] == "unique_emails")
    assert check["status"] == "fail" and "2 customers share 1 e-mails" in check["measured"]
    assert "unique_emails" in result["failed"]
