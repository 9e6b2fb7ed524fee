#!/usr/bin/env python3
"""Look after a dvdrental-live database: statistics, series, reports, checksum, optimize, backup, reset."""

from __future__ import annotations

import dvdrental.startup  # noqa: F401 - first of all: Ctrl-C while starting up exits 130 quietly

from pathlib import Path
from typing import Callable

import click

from dvdrental import cli
from dvdrental.config import MAX_DAYS, MAX_WEEKS
from dvdrental.reports import maintain_text as text
from dvdrental.storage import Database
from dvdrental.storage.tables import TABLES

HELP = {"help_option_names": ["-h", "--help"]}


def _json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(func)


def _show(config_path: str | None, db_url: str | None, seed: int | None, as_json: bool,
          compute: Callable[[Database], dict], lines: Callable[[dict], list[str]]) -> None:
    """Read-only subcommands: compute a dict, print it as JSON or as text lines."""
    with cli.errors():
        with cli.open_existing(config_path, db_url, seed) as db:
            data = compute(db)
    if as_json:
        cli.emit_json(data)
    else:
        click.echo("\n".join(lines(data)))


@click.group(cls=cli.Group, context_settings=HELP)
def main():
    """Inspect and look after a dvdrental-live database (SQLite or MySQL/MariaDB).

    Read-only reports: stats, growth, inventory, late-fees, customers, changes (each with --json),
    report (an HTML file with charts) and checksum. Maintenance: optimize, backup, reset --yes.
    Nothing here simulates or asks questions; errors exit with code 2.
    """


@main.command(context_settings=HELP)
@cli.common_options
@_json_option
def stats(db_url, config_path, seed, quiet, as_json):
    """Row counts of every Sakila and sim_ table, the simulated date range, rentals and revenue."""
    from dvdrental.reports.overview import overview
    _show(config_path, db_url, seed, as_json, overview, text.stats_lines)


@main.command(context_settings=HELP)
@cli.common_options
@click.option("--period", type=click.Choice(["week", "month"]), default="week", show_default=True,
              help="Weeks (Monday first) or calendar months.")
@click.option("--last", type=click.IntRange(1, MAX_WEEKS), help="Show only the last N periods (totals still cover all).")
@_json_option
def growth(db_url, config_path, seed, quiet, period, last, as_json):
    """Rentals and revenue per week or month with growth on the previous period.

    Partial periods at either end are marked and get no growth rate.
    """
    from dvdrental.reports.growth import growth_table
    _show(config_path, db_url, seed, as_json, lambda db: growth_table(db, period, last), text.growth_lines)


@main.command(context_settings=HELP)
@cli.common_options
@_json_option
def inventory(db_url, config_path, seed, quiet, as_json):
    """Stock per store, utilisation, copies out, and rentals per copy-week by copy age."""
    from dvdrental.inventory import stock_report
    _show(config_path, db_url, seed, as_json, stock_report, text.stock_lines)


@main.command("late-fees", context_settings=HELP)
@cli.common_options
@_json_option
def late_fees(db_url, config_path, seed, quiet, as_json):
    """Late returns and late-fee revenue per month, the share returned late, days late, lost copies
    and their replacement charges.

    A rental is late by the whole calendar days beyond the film's rental_duration and pays the
    configured fee (returns.late_fee_per_day) per day; 'fees due' applies that rule, 'fees paid'
    sums the payments made at return.
    """
    from dvdrental.reports.late_fees import late_fee_report
    _show(config_path, db_url, seed, as_json, late_fee_report, text.late_fee_lines)


@main.command(context_settings=HELP)
@cli.common_options
@_json_option
def customers(db_url, config_path, seed, quiet, as_json):
    """Monthly cohorts with retention (+1, +2, +3, +6, +12 months), churn and reactivation per month,
    active vs inactive customers, and the share of churns reactivated within a year."""
    from dvdrental.reports.cohorts import customer_report
    _show(config_path, db_url, seed, as_json, customer_report, text.customer_lines)


@main.command(context_settings=HELP)
@cli.common_options
@click.option("--days", type=click.IntRange(0, MAX_DAYS), default=14, show_default=True,
              help="Show the per-day table for the last N days (0: every day).")
@_json_option
def changes(db_url, config_path, seed, quiet, days, as_json):
    """What sim_change_log holds: inserts, updates and deletes in all; per kind of change the changes
    and the rows they touched, and for late changes (corrections to past records) their age in days
    (median, mean, 90th percentile, max); per table; per day; and the late changes' ages against the
    configured sigmoid (late_changes.midpoint_days, steepness).
    """
    from dvdrental.reports.changes import summary
    _show(config_path, db_url, seed, as_json, lambda db: summary(db, days or None), text.change_lines)


@main.command(context_settings=HELP)
@cli.common_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: reports/report.html under the project root).")
@click.option("--png-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the chart PNGs (default: the HTML file's folder).")
def report(db_url, config_path, seed, quiet, output, png_dir):
    """Write one self-contained HTML report (charts embedded as PNG images, no scripts or links) and
    each chart as a PNG: weekly rentals with demand and lost demand, seasonality, weekday profile and
    returns, cohort retention, stock utilisation, rentals per copy by copy age, the age of late changes
    against the configured sigmoid (when there are late changes), and the statistics."""
    from dvdrental.paths import resolve
    from dvdrental.reports.report import write_report
    with cli.errors():
        with cli.open_existing(config_path, db_url, seed) as db:
            done = write_report(db, output or resolve("reports/report.html"), png_dir)
    if not quiet:
        click.echo(f"Wrote {done.html} and {len(done.pngs)} charts:")
        for path in done.pngs:
            click.echo(f"  {path}")


@main.command(context_settings=HELP)
@cli.common_options
@click.option("--tables", "per_table", is_flag=True, help="Also show each table's row count and digest.")
@_json_option
def checksum(db_url, config_path, seed, quiet, per_table, as_json):
    """An engine-independent content hash: the same seed and config give the same value on SQLite and
    MySQL/MariaDB. Prints the hash alone on the first line."""
    from dvdrental.checksum import checksum as content_hash
    from dvdrental.checksum import table_digests

    def compute(db: Database) -> dict:
        data: dict = {"checksum": content_hash(db)}
        if per_table:
            data["tables"] = table_digests(db)
        return data

    _show(config_path, db_url, seed, as_json, compute, text.checksum_lines)


@main.command(context_settings=HELP)
@cli.common_options
def optimize(db_url, config_path, seed, quiet):
    """Refresh the query planner's statistics: SQLite ANALYZE and PRAGMA optimize; MySQL/MariaDB
    ANALYZE TABLE and OPTIMIZE TABLE on the Sakila and sim_ tables."""
    with cli.errors():
        with cli.open_existing(config_path, db_url, seed) as db, db.lock():
            present = db.table_names()
            lines = db.optimize([name for name in TABLES if name in present])
    if not quiet:
        click.echo("\n".join(lines))


@main.command(context_settings=HELP)
@cli.common_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Backup file (default: backups/<name>-<last simulated day>.db or .sql under the project root).")
def backup(db_url, config_path, seed, quiet, output):
    """Back the database up: SQLite with the online backup API to a database file; MySQL/MariaDB with
    mysqldump (routines, triggers, one consistent transaction) to a .sql file, PostgreSQL with pg_dump
    (one snapshot) to a .sql file. The password is passed in a temporary option file (MySQL) or the
    child's environment (PostgreSQL), never on a command line."""
    from dvdrental.backup import backup as make_backup
    with cli.errors():
        with cli.open_existing(config_path, db_url, seed) as db, db.lock():
            path = make_backup(db, output)
    if not quiet:
        click.echo(f"Backed up {db.url.display()} to {path} ({path.stat().st_size:,} bytes)")


@main.command(context_settings=HELP)
@cli.common_options
@click.option("--yes", is_flag=True, help="Really drop everything; required.")
def reset(db_url, config_path, seed, quiet, yes):
    """Drop every dvdrental-live table, view, function, procedure and trigger. Other tables are left
    alone. Refuses without --yes; never asks."""
    if not yes:
        raise cli.CommandError("reset drops every dvdrental-live table and all their data; nothing was changed",
                               hint="add --yes to really do it (back up first with: maintain.py backup)")
    with cli.errors():
        with cli.open_db(cli.load(config_path), db_url, create=False) as db, db.lock():
            before = db.table_names()
            db.drop_all()
            dropped = len(before - db.table_names())
    if not quiet:
        click.echo(f"Reset {db.url.display()}: " + (f"dropped {dropped} tables and the views and routines"
                                                     if dropped else "no dvdrental-live tables to drop"))


if __name__ == "__main__":
    main()
