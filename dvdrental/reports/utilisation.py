"""Stock utilisation over time: copies out on rental vs live copies, per week (report chart).

Counted from daily flows rather than per rental, so a 10-year database costs a few grouped queries:
copies out at the end of a day = rentals so far - returns so far - lost copies retired so far;
live copies = copies bought so far - copies retired so far. Weeks average their days' values.
"""

from __future__ import annotations

import numpy as np

from ..sim.calendar import date_of, parse_day
from ..storage import Database
from . import series
from .series import Series

LOST = "inventory i JOIN rental r ON r.inventory_id = i.inventory_id AND r.return_date IS NULL"


def weekly_utilisation(db: Database) -> dict:
    """Per complete week: average copies out, average live copies, and their ratio."""
    st = db.require_sim_state()
    firsts = db.query("SELECT (SELECT MIN(rental_date) FROM rental), (SELECT MIN(created_at) FROM inventory)")[0]
    first = min([parse_day(v) for v in firsts if v is not None] + [st["start_date"]])
    last = st["last_day"]
    count = lambda table, column: series.daily(db, "COUNT(*)", table, column, first, last).values  # noqa: E731
    out = np.cumsum(count("rental", "rental_date") - count("rental", "return_date") - count(LOST, "i.retired_at"))
    live = np.cumsum(count("inventory", "created_at") - count("inventory", "retired_at"))
    days = np.arange(first, last + 1)
    out_w, live_w = series.weekly(Series(days, out)), series.weekly(Series(days, live))
    mean_out, mean_live = out_w.values / 7, live_w.values / 7
    share = np.divide(mean_out, mean_live, out=np.zeros(len(mean_out)), where=mean_live > 0)
    return {"weeks": [date_of(int(d)).isoformat() for d in out_w.start],
            "copies_out": [round(float(v), 2) for v in mean_out],
            "live_copies": [round(float(v), 2) for v in mean_live],
            "utilisation": [round(float(v), 4) for v in share]}
