"""Realism of who the customers are: what a person who opens the customer table notices first.

A shop's customer list has one e-mail per customer (two MARY SMITHs get two addresses), and its
customers live around the shop: in its country. Both hold the customers the simulation made: in an
adopted database, an e-mail shared among imported customers only, or an imported customer living
abroad (Sakila's live all over the world, which no real shop's do), is the imported data's own quirk;
a new customer who takes an imported customer's e-mail is not.
"""

from __future__ import annotations

from ..storage import Database
from .invariants import imported_ids
from .realism import Result, _status

EXAMPLES = 5


def unique_emails(db: Database, since_id: int = 0) -> Result:
    desc = "every customer has an e-mail of their own (compared without case)"
    shared = db.query("SELECT UPPER(email), COUNT(*) FROM customer WHERE email IS NOT NULL GROUP BY UPPER(email) "
                      "HAVING COUNT(*) > 1 AND MAX(customer_id) > ? ORDER BY COUNT(*) DESC, UPPER(email)",
                      (since_id,))
    customers = sum(int(n) for _, n in shared)
    examples = ", ".join(f"{e} x{n}" for e, n in shared[:EXAMPLES])
    measured = f"{customers:,} customers share {len(shared):,} e-mails" + (f" (e.g. {examples})" if shared else "")
    return Result("unique_emails", desc, "one e-mail per customer", measured, "none shared", _status(not shared),
                  [{"email": e, "customers": int(n)} for e, n in shared[:EXAMPLES]])


def customers_in_store_country(db: Database, since_id: int) -> Result:
    desc = "customers live in their store's country (customers the simulation made)"
    rows = db.query("""
        SELECT cu.customer_id, cc.country_id = sc.country_id
        FROM customer cu
        JOIN address a ON a.address_id = cu.address_id JOIN city cc ON cc.city_id = a.city_id
        JOIN store s ON s.store_id = cu.store_id JOIN address sa ON sa.address_id = s.address_id
        JOIN city sc ON sc.city_id = sa.city_id
        WHERE cu.customer_id > ? ORDER BY cu.customer_id""", (since_id,))
    if not rows:
        return Result("customers_in_store_country", desc, status="skip", measured="no customers made yet")
    away = [int(cid) for cid, home in rows if not home]
    examples = ", ".join(map(str, away[:EXAMPLES]))
    return Result("customers_in_store_country", desc, "all", f"{len(rows) - len(away):,} of {len(rows):,}"
                  + (f" (elsewhere: customer {examples})" if away else ""), "none elsewhere", _status(not away))


def report(db: Database, sim_state: dict) -> list[Result]:
    imported = imported_ids(db, sim_state).get("customer", 0)
    return [unique_emails(db, imported), customers_in_store_country(db, imported)]
