#!/usr/bin/env python3
"""A sharded chain's Parquet lake (master_simulation.py --lake): load it into a database."""

from __future__ import annotations

import dvdrental.startup  # noqa: F401 - first of all: Ctrl-C while starting up exits 130 quietly

import time

import click

from dvdrental import cli

HELP = {"help_option_names": ["-h", "--help"]}


@click.group(cls=cli.Group, context_settings=HELP)
def main():
    """Work with the Parquet lake of a sharded chain: the tables as Parquet files partitioned by
    table/store=S/month=YYYY-MM, in a folder or at an fsspec URL (file://, s3://, gs://), which Spark,
    DuckDB, Trino or a warehouse loader read as they are.

    load: put a lake into a database (SQLite, MySQL/MariaDB or PostgreSQL), the same database the
    chain's run would have made directly; incremental_update.py continues it. Errors exit with code 2.
    """


@main.command(context_settings=HELP)
@click.argument("lake_url", metavar="LAKE")
@click.option("--db", "db_url", metavar="URL",
              help="sqlite:///path.db, mysql://user:pass@host:port/name or postgresql://user:pass@host:port/name "
                   "(default: $DVDRENTAL_DB_URL, else the config).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Config file, for its default database URL (the lake keeps its own simulation settings).")
@click.option("--reset", is_flag=True, help="Delete the database's dvdrental-live tables first.")
@click.option("--quiet", "-q", is_flag=True, help="No summary.")
def load(lake_url, db_url, config_path, reset, quiet):
    """Load the lake LAKE (a folder or URL) into an empty database: schema, every row, sim_state.

    One transaction: a load that fails leaves no tables behind. sim_change_log stays empty (a lake does
    not keep it); its change counter is kept, so later runs log their changes as usual.
    """
    from dvdrental.lake import load_lake, read_lake
    with cli.errors():
        t = time.perf_counter()
        read_lake(lake_url)  # a missing or foreign lake is refused before the database is opened
        with cli.open_db(cli.load(config_path), db_url) as db:
            counts = load_lake(lake_url, db, reset)
            where = db.url.display()
    if not quiet:
        cli.table([(name, f"{n:,}") for name, n in counts.items() if n]
                  + [("seconds", f"{time.perf_counter() - t:.2f}")], f"Loaded {lake_url} into {where}:")


if __name__ == "__main__":
    main()
