#!/usr/bin/env python3
"""Level 3: stock by hand — add copies, release films, retire copies, report. Never interactive."""

import dvdrental.startup  # noqa: F401 - first of all: Ctrl-C while starting up exits 130 quietly

import click

from dvdrental import cli, inventory
from dvdrental.config import AMOUNT_MAX, MAX_DAYS, STRATEGIES
from dvdrental.inventory import MAX_COPIES, MAX_RELEASE
from dvdrental.reports.maintain_text import stock_lines

HELP = {"help_option_names": ["-h", "--help"]}


def _date():
    return click.option("--date", type=click.DateTime(["%Y-%m-%d"]),
                        help="Do it on this later day (planned; the simulation carries it out that morning). "
                             "Default: now, after closing on the last simulated day.")


def _dry_run(func):
    return click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")(func)


def _run(config_path, db_url, quiet, work):
    with cli.errors():
        cfg = cli.load(config_path)
        with cli.open_db(cfg, db_url, create=False) as db:
            lines = work(db)
            if not quiet:
                for line in lines:
                    click.echo(line)


def _range(value: str) -> tuple[int, int]:
    try:
        lo, _, hi = value.partition("-")
        low, high = int(lo), int(hi or lo)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not N or MIN-MAX", param_hint="'--copies'") from None
    if not 0 <= low <= high <= MAX_COPIES:
        raise click.BadParameter(f"'{value}' is not a range with 0 <= MIN <= MAX <= {MAX_COPIES}",
                                 param_hint="'--copies'")
    return low, high


@click.group(cls=cli.Group, context_settings=HELP)
def main():
    """Manage the stock of a dvdrental-live database: buy copies, release new films with their copies,
    retire lost or damaged copies, and report stock and utilisation.

    Changes are made after closing on the last simulated day (or planned for a later --date) and are
    seen by the next incremental_update.py or master_simulation.py run.
    """


@main.command(context_settings=HELP)
@cli.common_options
@click.option("--strategy", type=click.Choice(STRATEGIES), default="fixed", show_default=True,
              help="fixed: AMOUNT copies per store for the films that need them most; percent: grow each "
                   "store's stock by AMOUNT %; per_film: AMOUNT copies of each film; top_n: one copy of each "
                   "of the AMOUNT most popular films.")
@click.option("--amount", type=cli.Number(0, max(AMOUNT_MAX.values()), above=True), required=True,
              help="Copies, percent or N (see --strategy); at most "
                   + ", ".join(f"{v:,} for {k}" for k, v in AMOUNT_MAX.items()) + ".")
@click.option("--store", "stores", type=cli.ID, multiple=True, help="Only this store (repeatable).")
@click.option("--film", "films", type=cli.ID, multiple=True,
              help="Only this film (repeatable; not with top_n, which picks the films).")
@_date()
@_dry_run
def add(db_url, config_path, seed, quiet, strategy, amount, stores, films, date, dry_run):
    """Buy copies for the stores (and films) that need them."""
    _run(config_path, db_url, quiet, lambda db: inventory.add(
        db, strategy, amount, list(stores) or None, list(films) or None, date and date.date(), dry_run, seed))


@main.command(context_settings=HELP)
@click.argument("films", type=click.IntRange(1, MAX_RELEASE))
@cli.common_options
@click.option("--copies", default="1-2", show_default=True, help="Copies per store: N or MIN-MAX.")
@_date()
@_dry_run
def release(films, db_url, config_path, seed, quiet, copies, date, dry_run):
    """Release FILMS new films, each with copies at every store."""
    per_store = _range(copies)
    _run(config_path, db_url, quiet, lambda db: inventory.release(
        db, films, per_store, date and date.date(), dry_run, seed))


@main.command(context_settings=HELP)
@cli.common_options
@click.option("--damaged", type=click.IntRange(1, 1_000_000), help="Retire the N oldest copies on the shelf.")
@click.option("--inventory-id", "ids", type=cli.ID, multiple=True,
              help="Retire this copy (repeatable); one out on rental counts as lost.")
@click.option("--overdue-days", type=click.IntRange(0, MAX_DAYS),
              help="Copies overdue by more than D days are lost: retired, replacement cost charged.")
@click.option("--store", type=cli.ID, help="Only copies of this store.")
@_dry_run
def retire(db_url, config_path, seed, quiet, damaged, ids, overdue_days, store, dry_run):
    """Retire lost or damaged copies so they are never rented again."""
    _run(config_path, db_url, quiet, lambda db: inventory.retire(
        db, damaged, list(ids), overdue_days, store, dry_run, seed))


@main.command(context_settings=HELP)
@cli.common_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def report(db_url, config_path, seed, quiet, as_json):
    """Stock per store, utilisation, copies out, and rentals per copy-week by copy age."""
    with cli.errors():
        cfg = cli.load(config_path)
        with cli.open_db(cfg, db_url, create=False) as db:
            data = inventory.stock_report(db)
    if as_json:
        cli.emit_json(data)
        return
    for line in stock_lines(data):
        click.echo(line)

if __name__ == "__main__":
    main()
