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
from ..sim.calendar import DAY, date_of, day_number, parse_ts
from ..storage import Database
from ..storage.tables import SAKILA_TABLES

#: The business's own dates: what decides where the history ends.
BUSINESS = (("rental", "rental_date"), ("rental", "return_date"), ("payment", "payment_date"))


@dataclass(frozen=True)
class History:
    first_day: dt.date  # first rental day
    last_rental: dt.date  # last rental day
    last_day: dt.date  # the last day with a rental, return or payment: the business's last day
    latest_in: str  # 'table.column' that holds it
    weekly: tuple[int, ...]  # rentals per Monday-first week, weeks without rentals left out
    active_customers: int
    later_stamps: tuple[tuple[str, dt.date], ...] = ()  # ('table.column', date) past last_day + 1
    open_rentals: int = 0
    staff_per_store: int = 2  # the fewest active staff any store has


#: Edit stamps that may lie after the business (Sakila's load stamps, its 2014 address edits).
STAMPS = tuple((t.name, c) for t in SAKILA_TABLES for c in t.column_names
               if c == "last_update" or (t.name, c) == ("customer", "create_date"))


def _day(value: object) -> dt.date | None:
    """A date or time as either engine returns it (SQLite: text) as a day; refused when unreadable."""
    try:
        ts = parse_ts(value.decode() if isinstance(value, (bytes, bytearray)) else value)
    except (ValueError, TypeError):
        raise StateError(f"cannot read {str(value)[:40]!r} as a date and time",
                         hint="adoption reads Sakila's dates as 'YYYY-MM-DD HH:MM:SS'") from None
    return None if ts is None else date_of(ts // DAY)


def read_history(db: Database) -> History:
    """What the adopted business did: its first and last days, its weekly volume, its customers."""
    row = db.query("SELECT MIN(rental_date), " + ", ".join(f"(SELECT MAX({c}) FROM {t})" for t, c in BUSINESS) +
                   ", (SELECT COUNT(*) FROM rental WHERE return_date IS NULL) FROM rental")[0]
    first, ends, open_rentals = _day(row[0]), [_day(v) for v in row[1:-1]], int(row[-1])
    if first is None:
        raise StateError(f"{db.url.display()} is a Sakila database without rentals: there is no business "
                         "to continue", hint="run generator.py --reset to start a new one")
    last_day, latest_in = max((d, f"{t}.{c}") for d, (t, c) in zip(ends, BUSINESS) if d is not None)
    weeks: dict[int, int] = {}
    for day, n in db.query("SELECT DATE(rental_date), COUNT(*) FROM rental GROUP BY DATE(rental_date)"):
        week = (day_number(_day(day)) + 3) // 7  # Monday-first weeks (1970-01-01 was a Thursday)
        weeks[week] = weeks.get(week, 0) + int(n)
    active = db.query("SELECT COUNT(*), SUM(CASE WHEN active = 1 THEN 1 ELSE 0 END) FROM customer")[0]
    # staff.active is an integer (MySQL, SQLite) or a boolean (Pagila): counted here, not compared in SQL
    working: dict[int, int] = {}
    for store, on in db.query("SELECT s.store_id, st.active FROM store s LEFT JOIN staff st "
                              "ON st.store_id = s.store_id"):
        working[int(store)] = working.get(int(store), 0) + (1 if on else 0)
    staff = min(working.values(), default=0)
    # only the stamps there are: Pagila's payment has no last_update until adoption adds one
    columns = {t: set(db.table_columns(t)) for t in {t for t, _ in STAMPS}}
    stamped = [(t, c) for t, c in STAMPS if c in columns[t]]
    stamps = db.query("SELECT " + ", ".join(f"(SELECT MAX({c}) FROM {t})" for t, c in stamped))[0]
    later = tuple((f"{t}.{c}", d) for (t, c), d in zip(stamped, map(_day, stamps))
                  if d is not None and d > last_day + dt.timedelta(days=1))
    return History(first, ends[0], last_day, latest_in, tuple(weeks[w] for w in sorted(weeks)),
                   int(active[1] or 0) or int(active[0]) or 1, later, open_rentals, max(1, int(staff or 0)))
