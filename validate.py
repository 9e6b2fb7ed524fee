#!/usr/bin/env python3
"""Prove the data is right: schema, invariants and a realism report. Exit 0 pass, 1 fail, 2 could not run."""

import sys

import click

from dvdrental import cli
from dvdrental.checks.validation import validate

MARK = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@cli.common_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--no-realism", is_flag=True, help="Only the schema and the invariants.")
def main(db_url, config_path, seed, quiet, as_json, no_realism):
    """Check a dvdrental-live database: (1) the Sakila tables and columns are there; (2) every
    invariant of the data holds (no double-booked copy, every rental paid, nothing before the customer
    existed, ...), each with its count of violations and example ids; (3) realism: what the stored
    configuration asks for against what the tables show, within statistical tolerance.

    Exit status: 0 all checks pass, 1 a check failed, 2 the database could not be checked.
    """
    with cli.errors():
        with cli.open_existing(config_path, db_url, seed) as db:
            result = validate(db, realism=not no_realism)
    if as_json:
        cli.emit_json(result)
    elif not quiet:
        _print(result)
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
