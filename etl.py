#!/usr/bin/env python3
"""Keep a DuckDB warehouse in sync with a dvdrental-live database: full, incremental, files or cdc."""

import dvdrental.startup  # noqa: F401 - first of all: Ctrl-C while starting up exits 130 quietly

import click

from dvdrental import cli
from dvdrental.etl.run import MODES, EtlOptions, run_etl
from dvdrental.paths import resolve


@click.command(cls=cli.Command, context_settings={"help_option_names": ["-h", "--help"]})
@cli.common_options
@click.option("--mode", type=click.Choice(MODES), required=True,
              help="full: reload every table. incremental: rows at or after each table's last_update "
                   "watermark, upserted by key. files: the daily export folders not loaded yet. cdc: the "
                   "MySQL/MariaDB binary log from the stored position.")
@click.option("--warehouse", default="warehouse.duckdb", show_default=True, metavar="PATH",
              help="The DuckDB warehouse file (created if missing; relative paths from the project root).")
@click.option("--deletes", type=click.Choice(["none", "changelog"]), default="none", show_default=True,
              help="incremental only: also apply the hard deletes recorded in sim_change_log (a real "
                   "source would not have it).")
@click.option("--exports", "exports_dir", metavar="DIR",
              help="files only: the export folder (default: the config's exports.dir).")
@click.option("--server-id", type=click.IntRange(1, 2**32 - 1),
              help="cdc only: the replica id this reader announces to MySQL/MariaDB, which must be unique "
                   "among the server's readers; on PostgreSQL it names the slot, dvdrental_etl_ID "
                   "(default: derived from the warehouse path).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as JSON.")
def main(db_url, config_path, seed, quiet, mode, warehouse, deletes, exports_dir, server_id, as_json):
    """Bring a DuckDB warehouse of the 16 Sakila tables up to date with a dvdrental-live database.

    Every mode is restartable: a run killed at any moment leaves the warehouse as its last commit left
    it, and the next run ends in the same warehouse. validate.py --warehouse PATH proves the result
    equal to the source, or names the drift. docs/etl.md compares the modes.
    """
    with cli.errors():
        cfg = cli.load(config_path)
        exports = cli.export_dir(cfg, exports_dir) if mode == "files" else None
        options = EtlOptions(mode, resolve(warehouse), deletes, exports, server_id)
        bar = cli.StepBar(quiet or as_json)
        if mode == "files":
            summary = run_etl(options, None, bar)
        else:
            with cli.open_existing(config_path, db_url, seed) as db:
                summary = run_etl(options, db, bar)
        bar.end()
    if as_json:
        cli.emit_json(summary.as_dict())
    elif not quiet:
        rows = [("rows read", f"{summary.rows_read:,}"), ("rows written", f"{summary.rows_written:,}"),
                ("rows deleted", f"{summary.rows_deleted:,}"), ("seconds", f"{summary.seconds:.2f}"),
                ("next run starts at", summary.position or "-")]
        cli.table(rows + [("note", n) for n in summary.notes],
                  f"etl --mode {summary.mode}: {summary.source} -> {summary.warehouse}")


if __name__ == "__main__":
    main()
