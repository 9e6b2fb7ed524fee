#!/usr/bin/env python3
"""Level 2: add weeks or days of activity to an existing database."""

import dvdrental.startup  # noqa: F401 - first of all: Ctrl-C while starting up exits 130 quietly

import datetime as dt

import time

import click

from dvdrental import cli
from dvdrental.config import MAX_DAYS, MAX_WEEKS
from dvdrental.run import Span, advance
from dvdrental.sim.calendar import date_of


def _until(value: str | None) -> dt.date | None:
    if value is None:
        return None
    if value.lower() == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD or 'today'", param_hint="'--until'") from None


@click.command(cls=cli.Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("weeks", type=click.IntRange(1, MAX_WEEKS), required=False)
@cli.common_options
@click.option("--days", type=click.IntRange(1, MAX_DAYS), help="Add this many days instead of weeks.")
@click.option("--until", "until", metavar="DATE|today", help="Catch up to this date (inclusive).")
@click.option("--yes", is_flag=True, help="Adopt a standard Sakila or Pagila database (drops its date triggers, "
                                          "widens ids, ...); without it the changes are only listed.")
@cli.lake_options
@cli.simulation_options
def main(weeks, db_url, config_path, seed, quiet, days, until, yes, late_changes, export_dir, workers, lake, scheduler):
    """Add WEEKS weeks (default 1) of rentals, returns, payments and customer churn after the last
    simulated day. Runs of up to four weeks commit each day on its own, longer catch-ups 28 days at a
    time: a run that is interrupted resumes where it stopped, and any split of a period gives exactly
    the same database.

    --until today is safe from cron: a database already at or past that date is left as it is (one
    line, exit 0). A standard Sakila database (MySQL's scripts, the SQLite port, Pagila's scripts) is
    adopted first, with --yes. The simulation settings stored in the database are used; --config
    replaces them from now on.
    """
    given = [name for name, v in (("WEEKS", weeks), ("--days", days), ("--until", until)) if v is not None]
    if len(given) > 1:
        raise click.UsageError(f"give only one of WEEKS, --days and --until (got {', '.join(given)})")
    with cli.errors(run=True):
        span = Span(weeks=weeks, days=days, until=_until(until))
        if lake is not None or scheduler is not None:
            cli.lake_run(lake, scheduler, db_url, export_dir, None, config_path=config_path, seed=seed,
                         late_changes=late_changes)
            from dvdrental.lake import continue_lake
            t = time.perf_counter()
            with cli.store_progress(quiet) as bar:
                result = continue_lake(lake, span, scheduler=scheduler, workers=workers, on_store=bar.on_store)
            if result.summary.already_done:
                click.echo(f"{lake} is already simulated to {date_of(result.last_day)} (--until {span.until}): "
                           "nothing to do")
            else:
                cli.lake_summary(result, f"Updated the lake {lake}", quiet, time.perf_counter() - t)
            return
        override = cli.load(config_path) if config_path else None
        base = override or cli.load(None)
        exports = cli.export_dir(base, export_dir)
        with cli.open_db(base, db_url, create=False) as db, cli.progress(None, quiet) as bar:
            summary = advance(db, span, override, seed, on_start=bar.start, on_day=bar.on_day,
                              on_notice=lambda line: click.echo(line, err=True), export_dir=exports,
                              late_changes=late_changes, yes=yes, workers=workers)
            bar.close()
            if summary.already_done:
                click.echo(f"{db.url.display()} is already simulated to {date_of(summary.last_day)} "
                           f"(--until {span.until}): nothing to do")
            elif not quiet:
                cli.table(summary.rows(), f"Updated {db.url.display()}:")


if __name__ == "__main__":
    main()
