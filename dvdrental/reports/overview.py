"""What a database holds: headline statistics, row counts per table, and the dates it spans.

Shared by `maintain.py stats` and the HTML report, so both show the same numbers.
"""

from __future__ import annotations

from ..sim.calendar import parse_ts, ts_text
from ..storage import Database
from ..storage.tables import SAKILA_TABLES, SIM_TABLES
from .stats import rows as stat_rows
from .stats import statistics


def table_counts(db: Database) -> dict[str, int | None]:
    """Rows per Sakila and sim_ table, in schema order; None for a table that is not there."""
    present = db.table_names()
    return {t.name: (int(db.query(f"SELECT COUNT(*) FROM {t.name}")[0][0]) if t.name in present else None)
            for t in SAKILA_TABLES + SIM_TABLES}


def overview(db: Database) -> dict:
    stats = statistics(db)
    lo, hi = db.query("SELECT MIN(rental_date), MAX(rental_date) FROM rental")[0]
    return {
        "database": db.url.display(),
        "engine": db.engine,
        "statistics": stats,
        "rental_dates": {"first": None if lo is None else ts_text(parse_ts(lo)),
                         "last": None if hi is None else ts_text(parse_ts(hi))},
        "tables": table_counts(db),
    }


def rows(data: dict) -> list[tuple[str, str]]:
    """(label, value) pairs: the headline statistics, then the rental dates."""
    dates = data["rental_dates"]
    span = "-" if dates["first"] is None else f"{dates['first']} .. {dates['last']}"
    return [*stat_rows(data["statistics"]), ("first and last rental", span)]
