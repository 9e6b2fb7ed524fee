"""Classic Sakila exercises (tests/tutorial_queries.py) on the `sakila-2005` scenario, on both engines:
every query runs unchanged, and the ones that name Sakila's 2005 dates find rows."""

import re

import pytest
from click.testing import CliRunner

import master_simulation
from dvdrental.storage import connect
from tutorial_queries import NEEDS, QUERIES, run_all, selected

# Engine-specific spellings a portable query must not use.
NOT_PORTABLE = [r"\|\|", "`", '"', r"\bCONCAT\b", r"\bGROUP_CONCAT\b", r"\bSTRFTIME\b", r"\bJULIANDAY\b",
                r"\bDATE_FORMAT\b", r"\bDATEDIFF\b", r"\bDATE_ADD\b", r"\bINTERVAL\b", r"\bNOW\s*\(",
                r"\bCURDATE\b", r"\bIFNULL\b", r"\bDATE\s*\(", r"\bYEAR\s*\(", r"\bMONTH\s*\(", r"\bHOUR\s*\(",
                r"\bEXTRACT\b", r"\bTOP\b", r"\bILIKE\b"]


def build(url, *args):
    r = CliRunner().invoke(master_simulation.main, ["--db", url, "--quiet", "--reset", *args],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return connect(url)


def test_the_query_list_is_portable_and_well_formed():
    names = [q.name for q in QUERIES]
    assert len(set(names)) == len(names) and 40 <= len(names) <= 50
    assert {q.needs for q in QUERIES} == set(NEEDS)
    for q in QUERIES:
        for pattern in NOT_PORTABLE:
            assert not re.search(pattern, q.sql, re.I), (q.name, pattern)
        assert ("'2005-" in q.sql) == (q.needs == "dates"), q.name
    assert [q.name for q in selected(["dates", "names"])] == [q.name for q in QUERIES if q.needs != "schema"]
    with pytest.raises(ValueError, match="nope"):
        selected("nope")


def test_tutorial_queries_run_on_the_sakila_2005_scenario(db_url):
    """10 weeks of the scenario (2005-05-24 .. 2005-08-01): Sakila's shape, and every exercise runs;
    the date-based ones find rows, the ones naming Sakila's films and people run (and find nothing)."""
    db = build(db_url("tut"), "--scenario", "sakila-2005", "--weeks", "10")
    assert db.query("SELECT store_id, COUNT(*) FROM staff GROUP BY store_id ORDER BY store_id") == [(1, 1), (2, 1)]
    first, last = (str(v) for v in db.query("SELECT MIN(rental_date), MAX(rental_date) FROM rental")[0])
    assert first.startswith("2005-05-24") and last.startswith("2005-08-01")

    counts = run_all(db)
    assert set(counts) == {q.name for q in QUERIES}
    empty = [q.name for q in selected("dates") if counts[q.name] == 0]
    assert not empty, f"date-based exercises found no rows: {empty}"
    assert counts["view_sales_by_store"] == 2 and counts["rentals_and_revenue_per_staff"] == 2
    rentals = db.query("SELECT COUNT(*) FROM rental")[0][0]
    assert counts["late_evening_rentals_2005"] > 0.05 * rentals  # open until midnight: ~10% after 22:00
    assert counts["films_of_penelope_guiness"] == 0  # Sakila's names are not the simulation's
    db.close()


def test_date_queries_find_nothing_outside_sakilas_period(tmp_path):
    """A run in 2001 gives every date-based exercise 0 rows: they list rows or groups, so their 'found
    rows' on the 2005 run is a real finding, not an aggregate's single row."""
    db = build(f"sqlite:///{tmp_path}/2001.db", "--weeks", "2")
    assert run_all(db, "dates") == {q.name: 0 for q in selected("dates")}
    db.close()
