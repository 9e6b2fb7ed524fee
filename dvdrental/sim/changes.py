"""A day's events as one ordered list of row changes (ops): what is written, logged and exported.

Ordinary business comes from the day's event lists; late changes arrive as ops already. Ops are
sorted by time (stable, so simultaneous ones keep the order they were made in) and numbered from the
`change` counter: change ids follow commit order across runs however they are split.
"""

from __future__ import annotations

from .events import DayEvents, Op

#: The counter that numbers changes (sim_change_log.change_id); it has no Sakila table of its own.
LOG_COUNTER = "change"


def business_ops(ev: DayEvents) -> list[Op]:
    """The ordinary business of a day (inserts and updates), in the order it was produced."""
    ops: list[Op] = [(r[7], "signup", "address", "I", r[0], r, None) for r in ev.addresses]
    ops += [(r[7], "signup", "customer", "I", r[0], r, None) for r in ev.customers]
    ops += [(r[12], "release", "film", "I", r[0], r, None) for r in ev.films]
    ops += [(ts, "release", "film_actor", "I", (a, f), (a, f, ts), None) for a, f, ts in ev.film_actors]
    ops += [(ts, "release", "film_category", "I", (f, c), (f, c, ts), None) for f, c, ts in ev.film_categories]
    ops += [(ts, "stock", "inventory", "I", i, (i, f, s, ts, None, ts), None) for i, f, s, ts in ev.inventory]
    ops += [(ts, "rental", "rental", "I", r, (r, ts, i, c, None, s, ts), None) for r, ts, i, c, s in ev.rentals]
    ops += [(ts, "payment", "payment", "I", p, (p, c, s, r, a, ts, ts), None) for p, c, s, r, a, ts in ev.payments]
    ops += [(ts, "return", "rental", "U", r, {"return_date": ts, "last_update": ts}, None) for r, ts in ev.returns]
    ops += [(ts, "reactivate" if a else "churn", "customer", "U", c, {"active": a, "last_update": ts}, None)
            for c, a, ts in ev.customer_updates]
    ops += [(ts, "retire", "inventory", "U", i, {"retired_at": ts, "last_update": ts}, None)
            for i, ts in ev.retirements]
    return ops


def ordered_ops(ev: DayEvents) -> list[Op]:
    """The day's business and late changes in time order (stable: simultaneous ones keep the order
    they were made in)."""
    ops = business_ops(ev) + ev.late
    ops.sort(key=_time)
    return ops


def finish(ev: DayEvents, counters: dict[str, int]) -> DayEvents:
    """Fill `ev.ops` (`ordered_ops`) and number them."""
    ops = ev.ops = ordered_ops(ev)
    ev.first_change_id = counters.get(LOG_COUNTER, 1)
    counters[LOG_COUNTER] = ev.first_change_id + len(ops)
    return ev


def _time(op: Op) -> int:
    return op[0]
