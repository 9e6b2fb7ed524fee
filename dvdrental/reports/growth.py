"""Weekly and monthly rentals and revenue with period-on-period growth (maintain.py growth, report).

Built on `series`: days come from SQL, weeks and months from numpy. Every rental and payment falls in
some period, so the periods add up to the table totals; partial periods at either end are flagged
and get no growth rate (a 3-day week is not a 57% drop).
"""

from __future__ import annotations

import math

import numpy as np

from ..sim.calendar import date_of, parse_day
from ..storage import Database
from . import series
from .series import Series

PERIODS = ("week", "month")


def data_span(db: Database) -> tuple[int, int]:
    """First day with a rental or payment (history before the simulation included), last simulated day."""
    st = db.require_sim_state()
    firsts = db.query("SELECT (SELECT MIN(rental_date) FROM rental), (SELECT MIN(payment_date) FROM payment)")[0]
    days = [parse_day(v) for v in firsts if v is not None]
    return min(days + [st["start_date"]]), st["last_day"]


def group(s: Series, period: str) -> tuple[Series, np.ndarray]:
    """Sums per week (Monday first) or calendar month, and the number of days each period covers."""
    ones = Series(s.start, np.ones(len(s.start)))
    if period == "week":
        return series.weekly(s, complete=False), series.weekly(ones, complete=False).values.astype(int)
    return series.monthly(s), series.monthly(ones).values.astype(int)


def full_days(start: int, period: str) -> int:
    if period == "week":
        return 7
    d = date_of(start)
    nxt = d.replace(year=d.year + d.month // 12, month=d.month % 12 + 1)
    return (nxt - d).days


def _rates(values: np.ndarray, full: np.ndarray) -> list[float | None]:
    """Growth on the previous period, only between two complete periods with a non-zero base."""
    raw = Series(np.zeros(len(values)), values).growth()
    out: list[float | None] = []
    for i, r in enumerate(raw):
        ok = i > 0 and full[i] and full[i - 1] and not math.isnan(r)
        out.append(round(float(r), 4) if ok else None)
    return out


def _average(values: np.ndarray, full: np.ndarray) -> float | None:
    """Compound average growth per period from the first to the last complete period."""
    idx = np.flatnonzero(full)
    if len(idx) < 2 or values[idx[0]] <= 0:
        return None
    return round(float((values[idx[-1]] / values[idx[0]]) ** (1 / (idx[-1] - idx[0])) - 1), 4)


def growth_table(db: Database, period: str = "week", last: int | None = None) -> dict:
    """Rentals and revenue per period with growth rates; `last` keeps only the most recent rows.

    Totals and the average growth always cover the whole history, whatever `last` shows.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    first, end = data_span(db)
    rentals, days = group(series.daily_rentals(db, first, end), period)
    revenue, _ = group(series.daily_revenue(db, first, end), period)
    full = np.array([d == full_days(int(s), period) for s, d in zip(rentals.start, days)])
    r_growth, v_growth = _rates(rentals.values, full), _rates(revenue.values, full)
    rows = [{"start": date_of(int(s)).isoformat(), "days": int(d), "complete": bool(f),
             "rentals": int(n), "rentals_growth": rg, "revenue": round(float(v), 2), "revenue_growth": vg}
            for s, d, f, n, rg, v, vg in zip(rentals.start, days, full, rentals.values, r_growth,
                                             revenue.values, v_growth)]
    return {
        "period": period,
        "first_day": date_of(first).isoformat(),
        "last_day": date_of(end).isoformat(),
        "periods": len(rows),
        "total_rentals": int(rentals.values.sum()),
        "total_revenue": round(float(revenue.values.sum()), 2),
        "average_rentals_growth": _average(rentals.values, full),
        "average_revenue_growth": _average(revenue.values, full),
        "rows": rows[-last:] if last else rows,
    }
