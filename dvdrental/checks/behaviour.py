"""Realism of what customers do, as a person reading the rental table would judge it.

Nobody rents a second copy of a film they have at home: a rental of a film the same customer still
holds (rented before, not yet returned or written off) is a fault of the model, not noise. Held over
the rentals the simulation made (an adopted database's history is the imported data's own).
"""

from __future__ import annotations

from ..storage import Database
from .invariants import imported_ids
from .realism import Result, _status

EXAMPLES = 5


def same_film_held_twice(db: Database, since_id: int = 0) -> Result:
    """One pass over the rentals by customer, film and time (a self-join takes seconds per year)."""
    desc = "no customer rents a film they still hold (a second copy of it, before the first is back)"
    found = []
    key, held_until, forever = None, None, False
    for rid, cust, film, start, end in db.stream(
            "SELECT r.rental_id, r.customer_id, i.film_id, r.rental_date, COALESCE(r.return_date, i.retired_at) "
            "FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id "
            "ORDER BY r.customer_id, i.film_id, r.rental_date, r.rental_id"):
        if (cust, film) != key:
            key, held_until, forever = (cust, film), None, False
        elif (forever or (held_until is not None and start < held_until)) and rid > since_id:
            found.append(int(rid))
        if end is None:
            forever = True
        elif held_until is None or end > held_until:
            held_until = end
    examples = ", ".join(map(str, sorted(found)[:EXAMPLES]))
    return Result("same_film_held_twice", desc, "none", f"{len(found):,} rentals"
                  + (f" (e.g. rental {examples})" if found else ""), "none", _status(not found))


def report(db: Database, sim_state: dict) -> list[Result]:
    return [same_film_held_twice(db, imported_ids(db, sim_state).get("rental", 0))]
