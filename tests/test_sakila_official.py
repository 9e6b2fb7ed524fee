"""Continuing the real Sakila: MySQL's official data on MariaDB, and the SQLite port of Sakila.

The data comes from ../shared/ref/sakila (tests/sakila_official.py): skipped when that folder is
absent, a failure under CI=true. Each test adopts the database with incremental_update.py --yes,
simulates weeks and checks what teachers rely on: validate.py passes, no row of Sakila's history
changed (bar open rentals coming back), the continuation starts the day after Sakila's last rental,
no 2006 rental owes years of fees, and the tutorial queries run and find Sakila's rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from click.testing import CliRunner

import incremental_update
import validate
from dvdrental.config import stored
from dvdrental.sim.calendar import DAY, date_of, day_number, parse_ts
from dvdrental.storage import connect
from dvdrental.storage.tables import SAKILA_TABLES, SAKILA_VIEWS
from sakila_official import (FIRST_DAY, LAST_DAY, OPEN_RENTALS, RENTALS, load_official_mysql, need,
                             sqlite_port, SQLITE_DB)
from helpers import sakila_rows
from tutorial_queries import run_all, selected

pytestmark = pytest.mark.slow

CONTINUES = dt.date.fromisoformat(LAST_DAY) + dt.timedelta(days=1)


def day(value: object) -> dt.date:
    return date_of(parse_ts(value) // DAY)


def run(cli, *args: str) -> str:
    r = CliRunner().invoke(cli.main, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def check_continuation(url: str, before: dict, cols: dict[str, list[str]], weeks: int) -> None:
    with connect(url) as db:
        st = db.require_sim_state()
        assert st["start_date"] == day_number(CONTINUES)  # the day after Sakila's last rental
        assert st["last_day"] == day_number(CONTINUES) + 7 * weeks - 1
        cfg = stored(st)
        fee_cap = cfg.returns.latest_late_days * cfg.returns.late_fee_per_day  # and never above the replacement cost
        after = sakila_rows(db, cols)

        # no row of the original history changed, bar rentals still out that came back since
        came_back = 0
        for table, old in before.items():
            for key, row in old.items():
                new = after[table][key]
                if table == "rental" and row[4] is None and new[4] is not None:
                    assert new[:4] + new[5:6] == row[:4] + row[5:6], (table, key)
                    assert day(new[4]) >= CONTINUES and new[4] == new[6]
                    came_back += 1
                elif table == "inventory" and new[:3] == row[:3]:
                    continue  # a copy lost since: only its last_update moves (retired_at is new)
                elif table == "customer" and new[:6] + new[7:8] == row[:6] + row[7:8]:
                    # a customer who churned or came back since: only active and last_update move
                    assert day(new[8]) >= CONTINUES, key
                else:
                    assert new == row, (table, key)
        assert came_back > OPEN_RENTALS // 2

        # the rentals open at adoption: back or written off within weeks, never years of fees
        charges = db.query(
            "SELECT r.rental_id, r.rental_date, r.return_date, p.amount, f.replacement_cost "
            "FROM rental r JOIN payment p ON p.rental_id = r.rental_id JOIN inventory i ON i.inventory_id = "
            "r.inventory_id JOIN film f ON f.film_id = i.film_id "
            f"WHERE r.rental_id <= {RENTALS + 5} AND p.payment_date >= ?", (f"{CONTINUES} 00:00:00",))
        assert charges
        for rid, _, returned, amount, cost in charges:
            if returned is None:  # written off: the replacement cost, as for a simulated loss
                assert float(amount) == pytest.approx(float(cost)), rid
            else:
                assert 0 < float(amount) <= fee_cap, rid
        # 2005 rentals still out at adoption, months past any return: written off on its first day
        stale = db.query("SELECT r.rental_id, i.retired_at FROM rental r JOIN inventory i ON i.inventory_id = "
                         "r.inventory_id WHERE r.return_date IS NULL AND r.rental_date < ?", ("2006-01-01 00:00:00",))
        assert stale and all(day(retired) == CONTINUES for _, retired in stale)

        new_days = db.query("SELECT MIN(rental_date) FROM rental WHERE rental_id > (SELECT max_id FROM "
                            "sim_imported WHERE table_name = 'rental')")[0][0]
        assert day(new_days) == CONTINUES

        # the tutorials: every query runs; those on Sakila's dates and names find rows
        counts = run_all(db)
        for q in selected(("dates", "names")):
            assert counts[q.name] > 0, q.name
        for view in SAKILA_VIEWS:
            assert db.query(f"SELECT COUNT(*) FROM {view}")[0][0] > 0, view
    assert "Result: PASS" in run(validate, "--db", url)


def test_official_sakila_on_mariadb_continues_for_eight_weeks(mysql_url):
    url = mysql_url("official")
    load_official_mysql(url)
    with connect(url) as db:
        assert db.query("SELECT COUNT(*), SUM(return_date IS NULL), MIN(DATE(rental_date)) FROM rental")[0] == \
            (RENTALS, OPEN_RENTALS, dt.date.fromisoformat(FIRST_DAY))
        cols = {t.name: db.table_columns(t.name) for t in SAKILA_TABLES}
        before = sakila_rows(db, cols)
    out = run(incremental_update, "8", "--db", url, "--yes", "-q")
    assert f"last day {LAST_DAY}" in out and "address.last_update 2014-09-25" in out
    check_continuation(url, before, cols, 8)


def test_sqlite_port_is_adopted_and_extended(tmp_path):
    path = sqlite_port(tmp_path)
    url = f"sqlite:///{path}"
    with connect(url) as db:
        cols = {t.name: db.table_columns(t.name) for t in SAKILA_TABLES}
        before = sakila_rows(db, cols)
        assert isinstance(before["rental"][(1,)][1], str)  # the port's dates are text
    out = run(incremental_update, "4", "--db", url, "--yes", "-q")
    assert "replaced views" in out and "dropped trigger" not in out
    assert "Result: PASS" in run(validate, "--db", url)
    run(incremental_update, "4", "--db", url, "-q")
    check_continuation(url, before, cols, 8)
    with connect(url) as db:  # the port's film_text triggers stay and keep film_text in step
        assert {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")} == \
            {"ins_film", "upd_film", "del_film"}
        assert db.query("SELECT COUNT(*) FROM film f JOIN film_text t ON t.film_id = f.film_id "
                        "AND t.title = f.title")[0][0] == db.query("SELECT COUNT(*) FROM film")[0][0] > 1000


def test_until_at_or_before_sakilas_last_day_changes_nothing(tmp_path):
    """cron's `--until` on the port, before and after adoption: one line, exit 0, not a byte written."""
    path = sqlite_port(tmp_path)
    url = f"sqlite:///{path}"
    digest = lambda: hashlib.sha256(path.read_bytes()).hexdigest()  # noqa: E731
    first = digest()
    for _ in range(2):
        out = run(incremental_update, "--db", url, "--until", LAST_DAY, "--yes")
        assert out.splitlines() == [f"{url} is already simulated to {LAST_DAY} (--until {LAST_DAY}): nothing to do"]
        assert digest() == first
    run(incremental_update, "--db", url, "--until", "2006-02-20", "--yes", "-q")
    adopted = digest()
    for _ in range(2):
        out = run(incremental_update, "--db", url, "--until", "2006-02-01")
        assert out.splitlines() == [f"{url} is already simulated to 2006-02-20 (--until 2006-02-01): nothing to do"]
        assert digest() == adopted


def test_reference_data_is_where_the_tests_expect_it():
    """Under CI the reference folder must be there (need() fails instead of skipping)."""
    assert need(SQLITE_DB).stat().st_size > 1_000_000
