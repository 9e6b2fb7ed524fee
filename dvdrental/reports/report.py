"""The HTML report: one self-contained file (charts inlined as base64 PNG) plus each chart as a PNG.

Self-contained so it can be mailed or opened from a USB stick: no scripts, no external files, no
network. Data comes from the same modules as the maintain.py subcommands, so the report and the
command-line numbers agree.
"""

from __future__ import annotations

import base64
import html
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..inventory import stock_report
from ..sim.calendar import date_of, parse_day, weekday
from ..storage import Database
from . import charts, series
from .changes import late_ages
from .cohorts import OFFSETS, customer_report
from .growth import data_span
from .overview import overview
from .overview import rows as overview_rows
from .series import Series
from .utilisation import weekly_utilisation

#: Cohorts shown in the retention heatmap (the most recent ones; older ones add height, not insight).
MAX_COHORTS = 36


@dataclass
class Chart:
    name: str  # file stem of the PNG
    title: str
    caption: str
    png: bytes


@dataclass
class Report:
    html: Path
    pngs: list[Path] = field(default_factory=list)


def _weekly_activity(db: Database, first: int, last: int) -> Chart:
    rentals = series.weekly(series.daily_rentals(db, first, last))
    days = np.arange(first, last + 1)
    cols = {k: np.zeros(len(days)) for k in ("expected", "demand", "lost_demand")}
    for day, expected, demand, lost in db.query("SELECT day, expected, demand, lost_demand FROM sim_day"):
        i = parse_day(day) - first
        if 0 <= i < len(days):
            cols["expected"][i], cols["demand"][i], cols["lost_demand"][i] = float(expected), demand, lost
    week = {k: series.weekly(Series(days, v)).values for k, v in cols.items()}
    png = charts.weekly_rentals(rentals.labels(), rentals.values, week["demand"], week["lost_demand"],
                                week["expected"])
    return Chart("weekly_rentals", "Weekly rentals over time",
                 "Complete weeks only. Demand is the customers who came in; lost demand found nothing to rent "
                 "on the shelf (from sim_day, so zero before the simulation started).", png)


def _seasonality(db: Database, start: int, last: int) -> Chart:
    daily = series.daily_rentals(db, start, last)
    months = np.array([date_of(int(d)).month for d in daily.start])
    per_month = [float(daily.values[months == m].mean()) if (months == m).any() else None for m in range(1, 13)]
    return Chart("seasonality", "Seasonality", "Average rentals per simulated day in each month of the year "
                 "(growth is not removed: later years weigh more).", charts.seasonality(per_month))


def _weekdays(db: Database, start: int, last: int) -> Chart:
    out = series.daily_rentals(db, start, last)
    back = series.daily(db, "COUNT(*)", "rental", "return_date", start, last)
    wd = np.array([weekday(int(d)) for d in out.start])
    shares = []
    for s in (out, back):
        by_day = np.bincount(wd, weights=s.values, minlength=7)
        shares.append(by_day / by_day.sum() if by_day.sum() else by_day)
    return Chart("weekday_profile", "Weekday profile", "Share of the week's rentals and of its returns on each "
                 "weekday, over the simulated period.", charts.weekday_profile(shares[0], shares[1]))


def _cohorts(db: Database) -> Chart:
    data = customer_report(db)["cohorts"][-MAX_COHORTS:]
    keys = [f"+{k}" for k in OFFSETS]
    shares = np.array([[np.nan if c["retention"][k] is None else c["retention"][k] for k in keys] for c in data],
                      dtype=float).reshape(len(data), len(keys))
    return Chart("cohort_retention", "Cohort retention",
                 f"Customers grouped by the month they were created (the last {MAX_COHORTS} cohorts at most); each "
                 "cell is the share of the cohort that rented in that later month.",
                 charts.cohort_retention([f"{c['cohort']} (n={c['size']:,})" for c in data], OFFSETS, shares))


def _utilisation(db: Database) -> Chart:
    u = weekly_utilisation(db)
    return Chart("stock_utilisation", "Stock utilisation over time",
                 "Average copies out on rental and live (not retired) copies per complete week.",
                 charts.stock_utilisation(u["weeks"], u["copies_out"], u["live_copies"], u["utilisation"]))


def _copy_age(db: Database) -> Chart:
    rows = stock_report(db)["by_age"]
    return Chart("rentals_by_copy_age", "Rentals per copy by copy age",
                 "Rentals per copy-week for copies of each age; the index compares with an average copy in the "
                 "same month, which removes growth and seasons.",
                 charts.copy_age([r["age"] for r in rows], [r["rentals_per_copy_week"] for r in rows],
                                 [r["index"] for r in rows]))


def _late_change_ages(db: Database) -> Chart | None:
    """Only for a database with late changes (level 4 with the change log)."""
    h = late_ages(db)
    if not h["changes"]:
        return None
    rows = h["rows"]
    # up to the oldest age measured or still expected (the sigmoid's far tail is empty)
    shown = max([r["age"] for r in rows if r["changes"] or r["expected_share"] >= 1e-4] + [1])
    rows = rows[:shown]
    return Chart("late_change_ages", "Age of late changes",
                 f"Share of the {h['changes']:,} late changes (corrections, refunds, customer edits, price changes, "
                 "closures, voids) by the age in days of the record they changed, against the configured sigmoid "
                 "(late_changes.midpoint_days and steepness; each change's chances cut at the oldest age "
                 "possible that day). Films are released on a few days only, so price changes may be older.",
                 charts.late_change_ages([r["age"] for r in rows], [r["share"] for r in rows],
                                         [r["expected_share"] for r in rows], h["midpoint_days"], h["steepness"]))


def build_charts(db: Database) -> list[Chart]:
    st = db.require_sim_state()
    first, last = data_span(db)
    start = max(st["start_date"], first)
    optional = [_late_change_ages(db)]
    return [_weekly_activity(db, first, last), _seasonality(db, start, last), _weekdays(db, start, last),
            _cohorts(db), _utilisation(db), _copy_age(db), *(c for c in optional if c is not None)]


def render(info: dict, chart_list: list[Chart]) -> str:
    """The HTML page: a statistics table, row counts, then every chart inlined as a data URI."""
    e = html.escape
    stats = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in overview_rows(info))
    tables = "".join(f"<tr><th>{e(k)}</th><td>{'-' if v is None else f'{v:,}'}</td></tr>"
                     for k, v in info["tables"].items())
    figures = "".join(
        f'<section><h2>{e(c.title)}</h2><figure><img src="data:image/png;base64,'
        f'{base64.b64encode(c.png).decode("ascii")}" alt="{e(c.title)}"><figcaption>{e(c.caption)}'
        f"</figcaption></figure></section>\n" for c in chart_list)
    s = info["statistics"]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dvdrental-live report: {e(info['database'])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1040px; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
th, td {{ padding: .25em .8em; border-bottom: 1px solid #ddd; text-align: left; }}
td {{ text-align: right; font-variant-numeric: tabular-nums; }}
img {{ max-width: 100%; height: auto; }}
figcaption {{ color: #555; font-size: .9em; }}
.cols {{ display: flex; gap: 3em; flex-wrap: wrap; }}
</style>
</head>
<body>
<h1>dvdrental-live report</h1>
<p>{e(info['database'])} ({e(info['engine'])}), simulated {e(s['first_day'])} .. {e(s['last_day'])}.</p>
<div class="cols">
<div><h2>Statistics</h2><table>{stats}</table></div>
<div><h2>Rows per table</h2><table>{tables}</table></div>
</div>
{figures}</body>
</html>
"""


def _write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write every file to a temporary name first, then rename them all, so a reader never sees half a
    file and a failed write (a full disk, a folder that cannot be written) leaves no file, temporary
    or partial, and no folder it made behind."""
    made: list[Path] = []
    for folder in dict.fromkeys(path.parent for path, _ in files):
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        made += missing
    tmps: list[Path] = []
    try:
        for path, data in files:
            tmps.append(path.with_name(f".{path.name}.tmp"))
            try:
                tmps[-1].write_bytes(data)
            except OSError as exc:
                exc.filename = str(path)  # name the file asked for, not its temporary name
                raise
        for tmp, (path, _) in zip(tmps, files):
            os.replace(tmp, path)
    except BaseException:
        for leftover in [*tmps, *made]:  # folders deepest first (made lists each folder before its parents)
            try:
                leftover.rmdir() if leftover in made else leftover.unlink(missing_ok=True)
            except OSError:
                pass
        raise


def write_report(db: Database, html_path: Path, png_dir: Path | None = None) -> Report:
    """Write the HTML report and one PNG per chart (next to the HTML unless `png_dir` is given)."""
    info = overview(db)
    chart_list = build_charts(db)
    png_dir = png_dir or html_path.parent
    out = Report(html_path)
    out.pngs = [png_dir / f"{c.name}.png" for c in chart_list]
    _write_all([*zip(out.pngs, (c.png for c in chart_list)), (html_path, render(info, chart_list).encode("utf-8"))])
    return out
