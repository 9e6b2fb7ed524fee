"""A day's events as one ordered list of row changes (ops): what is written, logged and exported.

Ordinary business comes from the day's event lists; late changes arrive as ops already. Ops are
sorted by time (stable, so simultaneous ones keep the order they were made in) and numbered from the
`change` counter: change ids follow commit order across runs however they are split.
"""

from __future__ import annotations

from .events import DayEvents, Op


def business_ops(ev: DayEvents) -> list[Op]:
    """The ordinary business of a day (inserts and updates), in the order it was produced."""
    ops: list[Op] = []
    add = ops.append
    for row in ev.addresses:
        add((row[7], "signup", "address", "I", row[0], row, None))
    for row in ev.customers:
        add((row[7], "signup", "customer", "I", row[0], row, None))
    for row in ev.films:
        add((row[12], "release", "film", "I", row[0], row, None))
    for actor, film, ts in ev.film_actors:
        add((ts, "release", "film_actor", "I", (actor, film), (actor, film, ts), None))
    for film, cat, ts in ev.film_categories:
        add((ts, "release", "film_category", "I", (film, cat), (film, cat, ts), None))
    for inv, film, store, ts in ev.inventory:
        add((ts, "stock", "inventory", "I", inv, (inv, film, store, ts, None, ts), None))
    for rid, ts, inv, cust, staff in ev.rentals:
        add((ts, "rental", "rental", "I", rid, (rid, ts, inv, cust, None, staff, ts), None))
    for pid, cust, staff, rid, cents, ts in ev.payments:
        add((ts, "payment", "payment", "I", pid, (pid, cust, staff, rid, cents, ts, ts), None))
    for rid, ts in ev.returns:
        add((ts, "return", "rental", "U", rid, {"return_date": ts, "last_update": ts}, None))
    for cid, active, ts in ev.customer_updates:
        add((ts, "reactivate" if active else "churn", "customer", "U", cid,
             {"active": active, "last_update": ts}, None))
    for inv, ts in ev.retirements:
        add((ts, "retire", "inventory", "U", inv, {"retired_at": ts, "last_update": ts}, None))
    return ops


def finish(ev: DayEvents, counters: dict[str, int]) -> DayEvents:
    """Fill `ev.ops` (business and late changes in time order) and number them."""
    ops = business_ops(ev) + ev.late
    ops.sort(key=_time)
    ev.ops = ops
    ev.first_change_id = counters.get("change", 1)
    counters["change"] = ev.first_change_id + len(ops)
    return ev


def _time(op: Op) -> int:
    return op[0]
