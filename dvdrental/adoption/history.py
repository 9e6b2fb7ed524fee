"""The history an adopted Sakila database holds: where its business began and ended, and its pace.

The business ends on the last day with a rental, a return or a payment. Reference tables carry edit
stamps of their own (the official Sakila data has `address.last_update` = 2014-09-25, eight years after
its last rental): those are not business, and continuing from them would simulate a gap of years in
which nothing was recorded, with every open rental owing years of fees. They are reported, not used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import StateError
from ..sim.calendar import day_number
from ..storage import Database
from ..storage.tables import SAKILA_TABLES

#: The business's own dates: what decides where the history ends.
BUSINESS = (("rental", "rental_date"), ("rental", "return_date"), ("payment", "payment_date"))


@dataclass(frozen=True)
class History:
    first_day: dt.date  # first rental day
    last_rental: dt.datetime
    last_day: dt.date  # the last day with a rental, return or payment: the business's last day
    latest_in: str  # 'table.column' that holds it
    weekly: tuple[int, ...]  # rentals per Monday-first week, weeks without rentals left out
    active_customers: int
    later_stamps: tuple[tuple[str, dt.date], ...] = ()  # ('table.column', date) past last_day + 1
    open_rentals: int = 0
    staff_per_store: int = 2  # the fewest active staff any store has


def as_datetime(value: object) -> dt.datetime | None:
    """A date or time as MySQL returns it, or as SQLite's text ('YYYY-MM-DD HH:MM:SS[.fff]')."""
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = value.decode() if isinstance(value, (bytes, bytearray)) else str(value)
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise StateError(f"cannot read {text[:40]!r} as a date and time",
                         hint="adoption reads Sakila's dates as 'YYYY-MM-DD HH:MM:SS'") from None


def read_history(db: Database) -> History:
    """What the adopted business did: its first and last days, its weekly volume, its customers."""
    first, last = (as_datetime(v) for v in db.query("SELECT MIN(rental_date), MAX(rental_date) FROM rental")[0])
    if first is None or last is None:
        raise StateError(f"{db.url.display()} is a Sakila database without rentals: there is no business "
                         "to continue", hint="run generator.py --reset to start a new one")
    latest, latest_in = last, "rental.rental_date"
    for table, col in BUSINESS[1:]:
        value = as_datetime(db.query(f"SELECT MAX({col}) FROM {table}")[0][0])
        if value is not None and value > latest:
            latest, latest_in = value, f"{table}.{col}"
    weeks: dict[int, int] = {}
    for day, n in db.query("SELECT DATE(rental_date), COUNT(*) FROM rental GROUP BY DATE(rental_date)"):
        week = (day_number(as_datetime(day).date()) + 3) // 7  # Monday-first (1970-01-01 was a Thursday)
        weeks[week] = weeks.get(week, 0) + int(n)
    active = db.query("SELECT COUNT(*), SUM(CASE WHEN active = 1 THEN 1 ELSE 0 END) FROM customer")[0]
    open_rentals = int(db.query("SELECT COUNT(*) FROM rental WHERE return_date IS NULL")[0][0])
    staff = db.query("SELECT MIN(n) FROM (SELECT s.store_id, SUM(CASE WHEN st.active = 1 THEN 1 ELSE 0 END) n "
                     "FROM store s LEFT JOIN staff st ON st.store_id = s.store_id GROUP BY s.store_id) x")[0][0]
    return History(first.date(), last, latest.date(), latest_in, tuple(weeks[w] for w in sorted(weeks)),
                   int(active[1] or 0) or int(active[0]) or 1, _later_stamps(db, latest.date()), open_rentals,
                   max(1, int(staff or 0)))


def _later_stamps(db: Database, last_day: dt.date) -> tuple[tuple[str, dt.date], ...]:
    """Dates in the data later than the day after the history (Sakila's own load stamps fall on it)."""
    out = []
    for table in SAKILA_TABLES:
        for col in table.column_names:
            if col != "last_update" and (table.name, col) != ("customer", "create_date"):
                continue
            value = as_datetime(db.query(f"SELECT MAX({col}) FROM {table.name}")[0][0])
            if value is not None and value.date() > last_day + dt.timedelta(days=1):
                out.append((f"{table.name}.{col}", value.date()))
    return tuple(out)
