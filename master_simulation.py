#!/usr/bin/env python3
"""Levels 1-4 in one go: years of history with releases, stock purchases, seasons and lost copies."""

import dvdrental.startup  # noqa: F401 - first of all: Ctrl-C while starting up exits 130 quietly

import time

import click

from dvdrental import cli
from dvdrental.config import MAX_WEEKS, database_url, scenario_names
from dvdrental.exports.daily import check_writable
from dvdrental.master import COMMIT_DAYS, run_master, seed_for, url_for
from dvdrental.reports.stats import rows as stat_rows
from dvdrental.reports.stats import statistics
from dvdrental.storage import connect, parse_url


@click.command(cls=cli.Command, context_settings={"help_option_names": ["-h", "--help"]})
@cli.common_options
@click.option("--weeks", type=click.IntRange(1, MAX_WEEKS), help="Weeks to simulate in all (default 156 = 3 years).")
@click.option("--start-date", type=click.DateTime(["%Y-%m-%d"]), help="First business day (YYYY-MM-DD).")
@click.option("--level", type=click.IntRange(1, 4), default=4, show_default=True,
              help="1-2 core, 3 + releases and stock schedule, 4 + seasons and lost copies.")
@click.option("--scenario", type=click.Choice(scenario_names()), help="A preset from shared/configs/scenarios/.")
@click.option("--databases", metavar="NAME,NAME,...",
              help="One database per name (a class of students), each with a seed derived from the name. "
                   "--db is the URL pattern: {name} is replaced, else the name is appended.")
@click.option("--reset", is_flag=True, help="Start over, deleting the dvdrental-live tables first.")
@click.option("--commit-days", type=click.IntRange(1, 366), default=COMMIT_DAYS, show_default=True,
              help="Whole days per transaction (each with sim_state); 1 commits every day.")
@cli.stores_option
@cli.lake_options
@cli.simulation_options
def main(db_url, config_path, seed, quiet, weeks, start_date, level, scenario, databases, reset, commit_days,
         late_changes, export_dir, workers, stores, lake, scheduler):
    """Build years of history: generator, then day after day of rentals, returns, payments, customers
    coming and going, film releases, scheduled stock and seasons, for --weeks weeks.

    Each day is committed as it is simulated: run the same command again after an interruption and it
    resumes where it stopped. At the end it prints the statistics and where the time went.
    """
    with cli.errors(run=True):
        cfg = cli.load(config_path, seed, {"simulation": {"weeks": weeks, "start_date": start_date,
                                                          "level": level},
                                           "late_changes": {"enabled": late_changes}}, scenario=scenario)
        if stores is not None:
            cfg = cfg.with_stores(stores)
        cfg.check_weeks(cfg.simulation.weeks)
        if lake is not None or scheduler is not None:
            cli.lake_run(lake, scheduler, db_url, export_dir, databases)
            from dvdrental.lake import build_lake
            t = time.perf_counter()
            with cli.store_progress(quiet) as bar:
                result = build_lake(cfg, lake, scheduler=scheduler, workers=workers, reset=reset, on_store=bar.on_store)
            cli.lake_summary(result, f"Built the lake {lake} (seed {cfg.simulation.seed})", quiet, time.perf_counter() - t)
            return
        names = cli.database_names(databases) if databases is not None else None
        exports = cli.export_dir(cfg, export_dir)
        if exports is not None:
            check_writable(exports)  # a bad folder is refused before any database is made
        targets = [(None, database_url(cfg, db_url), cfg)]
        if names is not None:
            pattern = database_url(cfg, db_url)
            targets = [(n, url_for(pattern, n), cfg.override({"simulation": {
                "seed": seed_for(n, cfg.simulation.seed)}})) for n in names]
            for _, url, _ in targets:  # every URL must be good before the first database is built
                parse_url(url)
        for name, url, one_cfg in targets:
            _build(name, url, one_cfg, reset, quiet, commit_days, exports / name if exports and name else exports,
                   workers)


def _build(name, url, cfg, reset, quiet, commit_days, exports, workers):
    with connect(url) as db, cli.progress(None, quiet, f"{name or 'Simulating'}") as bar:
        result = run_master(db, cfg, reset, on_start=bar.start, on_day=bar.on_day, commit_days=commit_days,
                            export_dir=exports, workers=workers)
        bar.close()
        if quiet:
            return
        t = time.perf_counter()
        stats = statistics(db)
        timings = result.summary.timings
        head = f"{db.url.display()} (seed {cfg.simulation.seed}, level {cfg.simulation.level})"
        if result.already_done:
            click.echo(f"{head} is already complete; nothing to do.")
        elif result.resumed_from is not None:
            click.echo(f"Resumed {head} after an interruption.")
        cli.table(stat_rows(stats), f"Statistics for {head}:")
        wall = [("setup (schema, base data, state)", timings.get("setup", 0.0)),
                ("simulate", timings.get("simulate", 0.0)),
                ("waiting for the database", timings.get("waiting for the database", 0.0)),
                ("statistics", time.perf_counter() - t)]
        total = sum(v for _, v in wall)
        cli.table([(k, f"{v:6.2f} s  {100 * v / max(total, 1e-9):5.1f} %") for k, v in wall]
                  + [("total", f"{total:6.2f} s"),
                     ("database writes (alongside)", f"{timings.get('write', 0.0):6.2f} s")]
                  + ([(f"stores simulated by {result.summary.workers} worker(s)",
                       f"peak memory {result.summary.worker_peak_mb:,.0f} MB each at most")]
                     if result.summary.workers else []),
                  "Where the time went:")

if __name__ == "__main__":
    main()
