"""Time series read from the tables: rentals and revenue per day, week (Monday first) and month.

Days are grouped in SQL (portable SUBSTR on the timestamp text) and weeks and months in numpy, so
the same code serves both engines and a 10-year database returns ~3,650 rows, not its rentals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..sim.calendar import date_of, day_number, weekday
from ..storage import Database


@dataclass(frozen=True)
class Series:
    """Values per period; `start` holds each period's first day number."""
    start: np.ndarray
    values: np.ndarray

    def labels(self, fmt: str = "%Y-%m-%d") -> list[str]:
        return [date_of(int(d)).strftime(fmt) for d in self.start]

    def growth(self) -> np.ndarray:
        """Period-on-period growth rates (NaN where the previous value is 0)."""
        prev = self.values[:-1].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(prev > 0, self.values[1:] / prev - 1, np.nan)
        return np.concatenate([[np.nan], rate])


def daily(db: Database, sql_value: str, table: str, column: str, first: int, last: int) -> Series:
    """A dense daily series of an aggregate (e.g. COUNT(*)) over rows dated first..last (day numbers)."""
    rows = db.query(f"SELECT {db.substr(column, 1, 10)} AS d, {sql_value} FROM {table} "
                    f"WHERE {column} >= ? AND {column} < ? GROUP BY {db.substr(column, 1, 10)}",
                    (f"{date_of(first)} 00:00:00", f"{date_of(last + 1)} 00:00:00"))
    days = np.arange(first, last + 1)
    values = np.zeros(len(days))
    for d, v in rows:
        values[day_number(dt.date.fromisoformat(str(d)[:10])) - first] = float(v or 0)
    return Series(days, values)


def daily_rentals(db: Database, first: int, last: int) -> Series:
    return daily(db, "COUNT(*)", "rental", "rental_date", first, last)


def daily_revenue(db: Database, first: int, last: int) -> Series:
    return daily(db, "SUM(amount)", "payment", "payment_date", first, last)


def weekly(s: Series, complete: bool = True) -> Series:
    """Sum by week, Monday first; `complete` drops partial weeks at either end."""
    week = s.start - np.array([weekday(int(d)) for d in s.start])
    starts, idx = np.unique(week, return_inverse=True)
    sums = np.bincount(idx, weights=s.values, minlength=len(starts))
    if complete:
        full = np.bincount(idx, minlength=len(starts)) == 7
        starts, sums = starts[full], sums[full]
    return Series(starts, sums)


def monthly(s: Series) -> Series:
    """Sum by calendar month (partial months at the ends included)."""
    dates = [date_of(int(d)) for d in s.start]
    month = np.array([day_number(d.replace(day=1)) for d in dates])
    starts, idx = np.unique(month, return_inverse=True)
    return Series(starts, np.bincount(idx, weights=s.values, minlength=len(starts)))
