#!/usr/bin/env python3
"""Prove the data is right: schema, invariants and a realism report. Exit 0 pass, 1 fail, 2 could not run."""

import dvdrental.startup  # noqa: F401 - first of all: Ctrl-C while starting up exits 130 quietly

import sys

import click

from dvdrental import cli
from dvdrental.checks.validation import validate

MARK = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}


@click.command(cls=cli.Command, context_settings={"help_option_names": ["-h", "--help"]})
@cli.common_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--no-realism", is_flag=True, help="Only the schema and the invariants.")
@click.option("--warehouse", metavar="PATH",
              help="Instead: compare this DuckDB warehouse (made by etl.py) with the database, table by "
                   "table. Exit 0 equal, 1 drift (each drifting table with keys missing, extra or changed).")
def main(db_url, config_path, seed, quiet, as_json, no_realism, warehouse):
    """Check a dvdrental-live database: (1) the Sakila tables and columns are there; (2) every
    invariant of the data holds (no double-booked copy, every rental paid, nothing before the customer
    existed, ...), each with its count of violations and example ids; (3) realism: what the stored
    configuration asks for against what the tables show, within statistical tolerance.

    Exit status: 0 all checks pass, 1 a check failed, 2 the database could not be checked.
    """
    if warehouse:
        return _warehouse(config_path, db_url, seed, quiet, as_json, warehouse)
    with cli.errors():
        with cli.open_existing(config_path, db_url, seed) as db:
            result = validate(db, realism=not no_realism)
    if as_json:
        cli.emit_json(result)
    elif not quiet:
        _print(result)
    sys.exit(0 if result["ok"] else 1)


def _warehouse(config_path, db_url, seed, quiet, as_json, warehouse) -> None:
    from dvdrental.etl.compare import compare
    from dvdrental.paths import resolve
    with cli.errors():
        with cli.open_existing(config_path, db_url, seed) as db:
            result = compare(db, resolve(warehouse))
    if as_json:
        cli.emit_json(result)
    elif not quiet:
        echo = click.echo
        echo(f"Comparing warehouse {result['warehouse']} with {result['source']}")
        for t in result["tables"]:
            rows = f"{t['source_rows']:>9,} rows in the source, {t['warehouse_rows']:>9,} in the warehouse"
            echo(f"  {'PASS' if t['status'] == 'equal' else 'FAIL'}  {t['table']:<14} {rows}")
            if t["status"] == "absent":
                echo("        the table is not in the warehouse")
            elif t["status"] == "drift":
                echo(f"        missing {t['missing']}, extra {t['extra']}, changed {t['changed']}")
                for e in t["examples"]:
                    cols = f" ({e['columns']})" if e.get("columns") else ""
                    echo(f"        {e['what']:<8} {', '.join(map(str, e['key']))}{cols}")
        verdict = "equal" if result["ok"] else f"DRIFT in {', '.join(result['drift'])}"
        echo(f"\nResult: {verdict} - {len(result['tables'])} tables, {result['seconds']} s")
    sys.exit(0 if result["ok"] else 1)


def _print(r: dict) -> None:
    echo = click.echo
    echo(f"Validating {r['database']} (last simulated day {r['last_day']})")
    schema = r["schema"]
    echo(f"\nSchema: {MARK[schema['status']]}" + (f"  missing: {', '.join(schema['missing'])}"
                                                    if schema["missing"] else "  16 Sakila tables with their "
                                                                              "columns, and the sim tables"))
    if r["invariants"]:
        echo("\nInvariants:")
        for c in r["invariants"]:
            examples = f"  e.g. {', '.join(c['examples'])}" if c["examples"] else ""
            echo(f"  {MARK[c['status']]}  {c['name']:<31} {c['violations']:>6}  {c['description']}{examples}")
    if r["realism"]:
        echo("\nRealism (configured vs measured):")
        for c in r["realism"]:
            echo(f"  {MARK[c['status']]}  {c['name']:<22} {c['description']}")
            if c["configured"] or c["measured"]:
                echo(f"        configured {c['configured'] or '-'}  |  measured {c['measured'] or '-'}"
                     + (f"  |  tolerance {c['tolerance']}" if c["tolerance"] else ""))
            for d in c["details"] if c["name"] == "seasonality" else ():
                if d["status"] == "fail":
                    echo(f"        {d['month']}: configured {d['configured']}, measured {d['measured']} "
                         f"(+-{d['tolerance']})")
    checks = r["invariants"] + r["realism"]
    skipped = sum(1 for c in checks if c["status"] == "skip")
    verdict = "PASS" if r["ok"] else f"FAIL ({', '.join(r['failed'])})"
    echo(f"\nResult: {verdict} - {len(checks) + 1} checks, {skipped} skipped, {r['seconds']} s")


if __name__ == "__main__":
    main()
