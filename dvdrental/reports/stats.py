"""Headline statistics of a database, read from the tables themselves (master_simulation, maintain)."""

from __future__ import annotations

from ..sim.calendar import day_text
from ..storage import Database


def statistics(db: Database) -> dict:
    st = db.require_sim_state()
    start, last = st["start_date"], st["last_day"]
    one = lambda sql, *p: db.query(sql, p)[0][0]  # noqa: E731
    start_ts = f"{day_text(start)} 00:00:00"
    rentals = one("SELECT COUNT(*) FROM rental")
    simulated = one("SELECT COUNT(*) FROM rental WHERE rental_date >= ?", start_ts)
    weeks = max((last - start + 1) / 7, 1 / 7)
    return {
        "first_day": day_text(start),
        "last_day": day_text(last),
        "weeks": round(weeks, 2),
        "rentals": rentals,
        "rentals_simulated": simulated,
        "average_rentals_per_week": round(simulated / weeks, 1),
        "payments": one("SELECT COUNT(*) FROM payment"),
        "revenue": round(float(one("SELECT COALESCE(SUM(amount), 0) FROM payment")), 2),
        "customers": one("SELECT COUNT(*) FROM customer"),
        "active_customers": one("SELECT COUNT(*) FROM customer WHERE active = 1"),
        "films": one("SELECT COUNT(*) FROM film"),
        "inventory_total": one("SELECT COUNT(*) FROM inventory"),
        "inventory_added": one("SELECT COUNT(*) FROM inventory WHERE created_at > ?", start_ts),
        "inventory_retired": one("SELECT COUNT(*) FROM inventory WHERE retired_at IS NOT NULL"),
        "checked_out": one("SELECT COUNT(*) FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id "
                           "WHERE r.return_date IS NULL AND i.retired_at IS NULL"),
        "lost_demand": int(one("SELECT COALESCE(SUM(lost_demand), 0) FROM sim_day")),
    }


def rows(stats: dict) -> list[tuple[str, str]]:
    return [
        ("date range", f"{stats['first_day']} .. {stats['last_day']} ({stats['weeks']:g} weeks)"),
        ("total rentals", f"{stats['rentals']:,}"),
        ("average rentals per week", f"{stats['average_rentals_per_week']:,.1f}"),
        ("revenue", f"{stats['revenue']:,.2f}"),
        ("customers (active)", f"{stats['customers']:,} ({stats['active_customers']:,})"),
        ("films", f"{stats['films']:,}"),
        ("inventory total", f"{stats['inventory_total']:,}"),
        ("inventory added", f"{stats['inventory_added']:,}"),
        ("inventory retired (lost, sold off)", f"{stats['inventory_retired']:,}"),
        ("currently checked out", f"{stats['checked_out']:,}"),
        ("demand lost to empty shelves", f"{stats['lost_demand']:,}"),
    ]

