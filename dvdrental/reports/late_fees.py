"""Late returns, late-fee revenue, lost copies and replacement charges (maintain.py late-fees).

Sakila's rule: a rental is late by the whole calendar days between rental and return beyond the
film's rental_duration, and pays returns.late_fee_per_day for each, at the moment of return, but never
more than the film's replacement_cost in force then (our cap: losing the copy would cost no more). So
a late-fee payment is one dated at its rental's return_date. A lost copy is a rental never returned
whose copy was retired; its replacement charge is the payment dated at inventory.retired_at.
The fees the rule asks for are reported next to the fees paid: they differ only if payments are off.
"""

from __future__ import annotations

from collections import defaultdict

from ..checks.invariants import capped_late_fee_cents, price_at
from ..config import stored
from ..sim.calendar import date_of
from ..storage import Database

#: Buckets of days late: (lowest, highest or None, label).
DAYS_LATE_BUCKETS = ((1, 1, "1 day"), (2, 2, "2 days"), (3, 3, "3 days"), (4, 7, "4-7 days"),
                     (8, 14, "8-14 days"), (15, 30, "15-30 days"), (31, None, "31+ days"))


def bucket_of(days: int) -> str:
    for lo, hi, label in DAYS_LATE_BUCKETS:
        if days >= lo and (hi is None or days <= hi):
            return label
    raise ValueError(f"not late: {days}")


def late_fee_report(db: Database) -> dict:
    """Per month of return: returns, late returns, fees due (capped at the replacement cost) and paid;
    lost copies per month retired."""
    st = db.require_sim_state()
    fee = stored(st).returns.late_fee_per_day
    # compare before subtracting: MySQL's rental_duration is UNSIGNED, and a negative difference is an error
    days = db.days_between("r.return_date", "r.rental_date")
    late = f"CASE WHEN {days} > f.rental_duration THEN {days} - f.rental_duration ELSE 0 END"
    due = capped_late_fee_cents(late, str(int(round(fee * 100))),
                                price_at("replacement_cost", "f", "r.return_date"))
    returned = db.query(f"""
        SELECT {db.join_in_order} {db.substr('r.return_date', 1, 7)} AS m, {late} AS late, COUNT(*), SUM({due})
        FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN film f ON f.film_id = i.film_id
        WHERE r.return_date IS NOT NULL
        GROUP BY m, late""")
    paid = db.query(f"""
        SELECT {db.substr('p.payment_date', 1, 7)}, COUNT(*), SUM(p.amount)
        FROM payment p JOIN rental r ON r.rental_id = p.rental_id
        WHERE r.return_date IS NOT NULL AND p.payment_date = r.return_date
        GROUP BY {db.substr('p.payment_date', 1, 7)}""")
    lost = db.query(f"""
        SELECT {db.substr('i.retired_at', 1, 7)}, COUNT(DISTINCT r.rental_id), SUM(p.amount)
        FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id
        LEFT JOIN payment p ON p.rental_id = r.rental_id AND p.payment_date = i.retired_at
        WHERE r.return_date IS NULL AND i.retired_at IS NOT NULL
        GROUP BY {db.substr('i.retired_at', 1, 7)}""")
    overdue = db.query(f"""
        SELECT COUNT(*) FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN film f ON f.film_id = i.film_id
        WHERE r.return_date IS NULL AND i.retired_at IS NULL
          AND {db.days_between('?', 'r.rental_date')} > f.rental_duration""",
                       (date_of(st["last_day"]).isoformat(),))[0][0]

    months: dict[str, dict] = defaultdict(lambda: {"returns": 0, "late": 0, "due_cents": 0, "late_fee_payments": 0,
                                                  "late_fee_revenue": 0.0, "lost": 0, "replacement_revenue": 0.0})
    buckets = {label: 0 for _, _, label in DAYS_LATE_BUCKETS}
    for m, late, n, due_cents in returned:
        late, n = int(late), int(n)
        row = months[str(m)]
        row["returns"] += n
        if late > 0:
            row["late"] += n
            row["due_cents"] += int(due_cents or 0)
            buckets[bucket_of(late)] += n
    for m, n, amount in paid:
        months[str(m)]["late_fee_payments"] += int(n)
        months[str(m)]["late_fee_revenue"] += float(amount or 0)
    for m, n, amount in lost:
        months[str(m)]["lost"] += int(n)
        months[str(m)]["replacement_revenue"] += float(amount or 0)

    rows = []
    for m in sorted(months):
        r = months[m]
        rows.append({"month": m, "returns": r["returns"], "late": r["late"],
                     "late_share": round(r["late"] / r["returns"], 4) if r["returns"] else None,
                     "late_fees_due": round(r["due_cents"] / 100, 2),
                     "late_fee_payments": r["late_fee_payments"],
                     "late_fee_revenue": round(r["late_fee_revenue"], 2),
                     "lost": r["lost"], "replacement_revenue": round(r["replacement_revenue"], 2)})
    total = lambda key: sum(r[key] for r in rows)  # noqa: E731
    late_total, returns_total = total("late"), total("returns")
    return {
        "last_day": date_of(st["last_day"]).isoformat(),
        "fee_per_day": fee,
        "months": rows,
        "totals": {
            "returns": returns_total,
            "late": late_total,
            "late_share": round(late_total / returns_total, 4) if returns_total else None,
            "late_fees_due": round(total("late_fees_due"), 2),
            "late_fee_payments": total("late_fee_payments"),
            "late_fee_revenue": round(total("late_fee_revenue"), 2),
            "lost": total("lost"),
            "replacement_revenue": round(total("replacement_revenue"), 2),
            "overdue_now": int(overdue),
        },
        "days_late": [{"days": label, "rentals": n, "share": round(n / late_total, 4) if late_total else None}
                      for label, n in buckets.items()],
    }

