"""Realism of who the customers are: what a person who opens the customer table notices first.

A shop's customer list has one e-mail per customer (two MARY SMITHs get two addresses). These checks
hold the whole table, imported Sakila rows included: Sakila's own customers pass them.
"""

from __future__ import annotations

from ..storage import Database
from .realism import Result, _status

EXAMPLES = 5


def unique_emails(db: Database) -> Result:
    desc = "every customer has an e-mail of their own (compared without case)"
    shared = db.query("SELECT UPPER(email), COUNT(*) FROM customer WHERE email IS NOT NULL "
                      "GROUP BY UPPER(email) HAVING COUNT(*) > 1 ORDER BY COUNT(*) DESC, UPPER(email)")
    customers = sum(int(n) for _, n in shared)
    examples = ", ".join(f"{e} x{n}" for e, n in shared[:EXAMPLES])
    measured = f"{customers:,} customers share {len(shared):,} e-mails" + (f" (e.g. {examples})" if shared else "")
    return Result("unique_emails", desc, "one e-mail per customer", measured, "none shared", _status(not shared),
                  [{"email": e, "customers": int(n)} for e, n in shared[:EXAMPLES]])


def report(db: Database, sim_state: dict) -> list[Result]:
    return [unique_emails(db)]
