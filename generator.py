#!/usr/bin/env python3
"""Level 1: create a dvdrental-live database with base data and starter weeks of activity."""

import dvdrental.startup  # noqa: F401 - first of all: Ctrl-C while starting up exits 130 quietly

import click

from dvdrental import cli
from dvdrental.config import MAX_WEEKS
from dvdrental.run import generate, new_exports


@click.command(cls=cli.Command, context_settings={"help_option_names": ["-h", "--help"]})
@cli.common_options
@click.option("--start-date", type=click.DateTime(["%Y-%m-%d"]), help="First business day (YYYY-MM-DD).")
@click.option("--weeks", type=click.IntRange(0, MAX_WEEKS), help="Starter weeks to simulate (default 12).")
@click.option("--level", type=click.IntRange(1, 4), help="Feature level 1-4 (default from the config).")
@click.option("--reset", is_flag=True, help="Delete the dvdrental-live tables of an existing database first.")
@cli.stores_option
@cli.simulation_options
def main(db_url, config_path, seed, quiet, start_date, weeks, level, reset, late_changes, export_dir, workers, stores):
    """Create the schema, the base data (films, actors, stores, staff, customers, copies) and
    simulation.initial_weeks weeks of rentals, returns and payments.

    Run the same command again after an interruption and it finishes the job; any other non-empty
    database is refused unless --reset is given.
    """
    with cli.errors(run=True):
        cfg = cli.load(config_path, seed, {"simulation": {
            "start_date": start_date, "initial_weeks": weeks, "level": level},
            "late_changes": {"enabled": late_changes}})
        if stores is not None:
            cfg = cfg.with_stores(stores)
        # refused before anything is written; may hold this database's folders, which a rerun resumes
        exports = new_exports(cfg, cli.export_dir(cfg, export_dir), resumable=True)
        with cli.open_db(cfg, db_url) as db:
            with cli.progress(7 * cfg.simulation.initial_weeks, quiet) as bar:
                summary = generate(db, cfg, reset=reset, on_day=bar.on_day, exports=exports, workers=workers)
            if not quiet and summary.already_done:
                click.echo(f"{db.url.display()} (seed {cfg.simulation.seed}) is already complete; nothing to do.")
            elif not quiet:
                done = "Created" if summary.resumed_from is None else "Resumed after an interruption and finished"
                cli.table(summary.rows(), f"{done} {db.url.display()} (seed {cfg.simulation.seed}):")


if __name__ == "__main__":
    main()
