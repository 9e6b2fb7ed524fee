"""Customer cohorts, retention, churn and reactivation (maintain.py customers, report).

A cohort is the customers created in one calendar month; those created before the simulation's start
(the store's members at the start, or an adopted database's customers) form one cohort, "before
<start date>", counted from the month before the start date. Retention at +k is the share of the cohort
that rented at least once in the k-th month after; it is only given once that month is fully
simulated, so young cohorts do not look disloyal. Churn and reactivation come from the simulation's
own log (sim_customer_event), so they count what happened, not what the active flag says now.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..sim.calendar import DAY, date_of, day_text
from ..storage import Database

OFFSETS = (1, 2, 3, 6, 12)
YEAR_DAYS = 365


def month_index(text: str) -> int:
    """'YYYY-MM' as a count of months, so that offsets are plain subtraction."""
    return int(text[:4]) * 12 + int(text[5:7]) - 1


def last_full_month(last_day: int) -> int:
    """The last calendar month whose every day is simulated."""
    d = date_of(last_day)
    idx = d.year * 12 + d.month - 1
    return idx if (d + dt.timedelta(days=1)).day == 1 else idx - 1


def reactivations_within_a_year(db: Database, last_day: int) -> tuple[int, int]:
    """(churns at least a year before the end of `last_day`, how many of them came back within a year).

    A churn less than a year old cannot be judged yet, so it is not counted at all.
    """
    ep = db.epoch_seconds
    churns: list[tuple[int, int]] = []
    backs: dict[int, list[int]] = defaultdict(list)
    for cid, ts, event in db.query(f"SELECT customer_id, {ep('event_date')}, event FROM sim_customer_event"):
        if event == "churn":
            churns.append((int(cid), int(ts)))
        else:
            backs[int(cid)].append(int(ts))
    year, horizon = YEAR_DAYS * DAY, (last_day + 1) * DAY
    old = [(cid, ts) for cid, ts in churns if ts + year <= horizon]
    back = sum(1 for cid, ts in old if any(ts < b <= ts + year for b in backs.get(cid, ())))
    return len(old), back


def customer_report(db: Database) -> dict:
    st = db.require_sim_state()
    last_day = st["last_day"]
    start = int(st["start_date"])
    before = f"before {date_of(start).isoformat()}"
    # the cohort of a create_date: its month, or `before` (a literal made here, not user input)
    cohort_of = (lambda col: f"CASE WHEN {col} < '{day_text(start)} 00:00:00' THEN '{before}' "  # noqa: E731
                 f"ELSE {db.substr(col, 1, 7)} END")
    sizes = {str(m): int(n) for m, n in db.query(
        f"SELECT {cohort_of('create_date')} AS m, COUNT(*) FROM customer GROUP BY m")}
    renting = db.query(f"""
        SELECT {cohort_of('c.create_date')} AS cm, {db.substr('r.rental_date', 1, 7)} AS rm, COUNT(DISTINCT r.customer_id)
        FROM rental r JOIN customer c ON c.customer_id = r.customer_id
        GROUP BY cm, rm""")
    index = lambda m: month_index(m) if m != before else month_index(day_text(start - 1))  # noqa: E731
    order = lambda m: (index(m), m != before)  # noqa: E731
    active = {int(a): int(n) for a, n in db.query("SELECT active, COUNT(*) FROM customer GROUP BY active")}
    events = db.query(f"SELECT {db.substr('event_date', 1, 7)} AS m, event, COUNT(*) FROM sim_customer_event "
                      f"GROUP BY {db.substr('event_date', 1, 7)}, event")

    full = last_full_month(last_day)
    renters: dict[tuple[str, int], int] = {}
    for cm, rm, n in renting:
        renters[(str(cm), month_index(str(rm)) - index(str(cm)))] = int(n)
    cohorts = []
    for m in sorted(sizes, key=order):
        idx = index(m)
        retention = {f"+{k}": (round(renters.get((m, k), 0) / sizes[m], 4) if idx + k <= full else None)
                     for k in OFFSETS}
        cohorts.append({"cohort": m, "size": sizes[m], "retention": retention})

    per_month: dict[str, dict[str, int]] = defaultdict(
        lambda: {"new_customers": 0, "churned": 0, "reactivated": 0, "closed": 0})
    for m, n in sizes.items():
        per_month[m]["new_customers"] = n
    for m, event, n in events:
        per_month[str(m)][{"churn": "churned", "reactivate": "reactivated", "close": "closed"}[event]] += int(n)
    observed, came_back = reactivations_within_a_year(db, last_day)
    return {
        "last_day": date_of(last_day).isoformat(),
        "customers": sum(sizes.values()),
        "active": active.get(1, 0),
        "inactive": active.get(0, 0),
        "churn_events": sum(int(n) for _, e, n in events if e == "churn"),
        "reactivation_events": sum(int(n) for _, e, n in events if e == "reactivate"),
        "closure_events": sum(int(n) for _, e, n in events if e == "close"),
        "churned_a_year_ago_or_more": observed,
        "reactivated_within_a_year": came_back,
        "reactivation_share": round(came_back / observed, 4) if observed else None,
        "cohorts": cohorts,
        "months": [{"month": m, **per_month[m]} for m in sorted(per_month, key=order)],
    }
