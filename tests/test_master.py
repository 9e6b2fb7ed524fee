"""master_simulation.py: calibration, seasons, scenarios' shapes, classroom mode, resuming, bad input."""

import hashlib
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

import master_simulation
import validate as validate_cli
from dvdrental.checksum import checksum
from dvdrental.config import load_config
from dvdrental.master import seed_for, url_for
from dvdrental.reports.stats import statistics
from dvdrental.storage import connect
from conftest import ROOT
from helpers import violations


def url_of(db):
    return db.url.display() if db.engine == "mysql" else f"sqlite:///{db.url.path}"


def master(url, *args):
    r = CliRunner().invoke(master_simulation.main, ["--db", url, "--quiet", *args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return connect(url)


def weekly(db):
    rows = db.query("SELECT day, rentals, demand FROM sim_day ORDER BY day")
    n = len(rows) // 7
    return (np.array([sum(r[1] for r in rows[7 * i:7 * i + 7]) for i in range(n)]),
            np.array([sum(r[2] for r in rows[7 * i:7 * i + 7]) for i in range(n)]))


def monthly_daily_average(db):
    rows = db.query("SELECT SUBSTR(day, 6, 2), SUM(rentals), COUNT(*) FROM sim_day GROUP BY SUBSTR(day, 6, 2)")
    return {int(m): n / d for m, n, d in rows}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The default three-year run on SQLite, shared by the calibration tests."""
    return master(f"sqlite:///{tmp_path_factory.mktemp('m')}/default.db")


def test_default_run_matches_the_original_tools_three_years(default_run):
    s = statistics(default_run)
    assert s["first_day"] == "2001-10-01" and s["last_day"].startswith("2004-09")
    assert 65_000 * 0.85 <= s["rentals"] <= 65_000 * 1.15
    assert 415 * 0.85 <= s["average_rentals_per_week"] <= 415 * 1.15
    assert 1_200 * 0.8 <= s["active_customers"] <= 1_200 * 1.2
    # Sakila's 1,000 films to start, about 12 new ones a month, bought by demand and thinned
    assert 1_000 + 36 * 12 * 0.85 <= s["films"] <= 1_000 + 36 * 12 * 1.15
    assert 1_900 <= s["inventory_total"] - s["inventory_added"] <= 2_300  # about 2,000 initial copies
    assert 4_500 <= s["inventory_added"] <= 6_500  # new releases in depth, and top-ups
    assert 0.5 * s["inventory_added"] <= s["inventory_retired"] <= s["inventory_added"]  # sold off as they age
    assert 3_000 <= s["inventory_total"] - s["inventory_retired"] <= 4_000  # on the books at the end
    assert s["checked_out"] > 0


def test_default_run_passes_validate_with_realism(default_run):
    from dvdrental.checks.validation import validate
    result = validate(default_run)
    assert result["ok"], result["failed"]
    statuses = {c["name"]: c["status"] for c in result["realism"]}
    # three years are enough for every realism check to be measured, not skipped; a two-store shop has
    # no store-by-store checks (the chain-level ones are its stores')
    assert statuses.pop("stores") == "skip"
    assert all(v == "pass" for v in statuses.values()), statuses


def test_summer_is_clearly_busier_than_winter(default_run):
    m = monthly_daily_average(default_run)
    assert min(m[6], m[7], m[8]) > 1.3 * max(m[1], m[2], m[3])


def test_rentals_per_copy_fall_with_copy_age(default_run):
    from dvdrental.inventory import stock_report
    index = [row["index"] for row in stock_report(default_run)["by_age"] if row["index"] is not None]
    assert len(index) >= 4 and all(a > b for a, b in zip(index, index[1:])), index


def test_ten_years_do_not_explode(tmp_path):
    db = master(f"sqlite:///{tmp_path}/ten.db", "--scenario", "extended-10y")
    per_year = [n for _, n in db.query("SELECT SUBSTR(day, 1, 4), SUM(rentals) FROM sim_day "
                                       "WHERE day >= '2002-01-01' AND day < '2011-01-01' GROUP BY 1")]
    assert len(per_year) == 9
    assert max(per_year[3:]) < 1.15 * min(per_year[3:])  # saturated: years 2005-2010 level
    _passes_validate(db)  # every invariant and realism check, the shop's included


def _passes_validate(db) -> None:
    from dvdrental.checks.validation import validate
    result = validate(db)
    assert result["ok"], result["failed"]


def _quarters(db, column: str = "rentals"):
    """A sim_day column's weekly totals, averaged over the first and the last quarter of the weeks."""
    days = np.array([float(v) for (v,) in db.query(f"SELECT {column} FROM sim_day ORDER BY day")])
    w = days[:len(days) // 7 * 7].reshape(-1, 7).sum(axis=1)
    q = len(w) // 4
    return w[:q].mean(), w[-q:].mean()


def test_declining_business_falls(tmp_path):
    db = master(f"sqlite:///{tmp_path}/d.db", "--scenario", "declining-business")
    first, last = _quarters(db)
    assert last < 0.6 * first
    _passes_validate(db)


def test_high_growth_startup_rises(tmp_path):
    db = master(f"sqlite:///{tmp_path}/g.db", "--scenario", "high-growth-startup")
    first, last = _quarters(db)
    # the configured curve (growth, capacity and season, as sim_day.expected holds it) rises about 3.2x
    # from the first quarter to the last; the rentals must follow it, not stall on stock
    low, high = _quarters(db, "expected")
    curve = high / low
    assert curve > 3 and last > 2.75 * first and abs(last / first / curve - 1) < 0.1, (last / first, curve)
    _passes_validate(db)


def test_flat_demand_stays_within_15_percent(tmp_path):
    db = master(f"sqlite:///{tmp_path}/f.db", "--scenario", "flat-demand")
    m = np.array(list(monthly_daily_average(db).values()))
    assert np.all(np.abs(m / m.mean() - 1) < 0.15)
    w, demand = weekly(db)
    # single weeks: Poisson noise alone is +-5.8 % (1 sigma) at 300 a week, so over 150 weeks the
    # extremes reach about 3 sigma; allow 4 sigma
    tol = 4 / np.sqrt(demand[4:].mean())
    assert np.all(np.abs(demand[4:] / demand[4:].mean() - 1) < tol)
    assert np.all(np.abs(w[4:] / w[4:].mean() - 1) < tol + 0.05)  # and rentals, less lost demand
    _passes_validate(db)


def test_2020_lockdown_is_visible(tmp_path):
    db = master(f"sqlite:///{tmp_path}/c.db", "--scenario", "recent-2020-2023", "--weeks", "52")
    rate = lambda a, b: db.query("SELECT AVG(rentals) FROM sim_day WHERE day >= ? AND day < ?", (a, b))[0][0]  # noqa
    before, lockdown = rate("2020-01-06", "2020-03-16"), rate("2020-04-01", "2020-06-01")
    after = rate("2020-10-01", "2020-12-01")
    assert lockdown < 0.4 * before and after > 2 * lockdown


def test_aggressive_seasonality_is_more_seasonal_than_standard(tmp_path, default_run):
    db = master(f"sqlite:///{tmp_path}/s.db", "--scenario", "aggressive-seasonality", "--weeks", "104")
    strong, normal = monthly_daily_average(db), monthly_daily_average(default_run)
    assert strong[7] / strong[2] > 1.5 * normal[7] / normal[2]


def test_alternative_start_runs_across_the_millennium(tmp_path):
    db = master(f"sqlite:///{tmp_path}/a.db", "--scenario", "alt-start-5y", "--weeks", "70")
    assert db.query("SELECT MIN(rental_date) FROM rental")[0][0].startswith("1999-01-04")
    assert db.query("SELECT COUNT(*) FROM rental WHERE rental_date LIKE '2000-02-29%'")[0][0] > 0
    assert violations(db) == {}


def test_master_on_mysql_matches_sqlite(tmp_path, mysql_url):
    args = ["--weeks", "30", "--seed", "5"]
    lite = master(f"sqlite:///{tmp_path}/l.db", *args)
    my = master(mysql_url("master"), *args)
    assert checksum(lite) == checksum(my)
    r = CliRunner().invoke(validate_cli.main, ["--db", url_of(my)])
    assert r.exit_code == 0, r.output


def test_classroom_databases_differ_per_name_and_are_reproducible(tmp_path):
    pattern = f"sqlite:///{tmp_path}/class_{{name}}.db"
    r = CliRunner().invoke(master_simulation.main, ["--db", pattern, "--databases", "ana,ben", "--weeks", "6"])
    assert r.exit_code == 0, r.output
    assert r.output.count("Statistics for") == 2
    ana, ben = connect(pattern.format(name="ana")), connect(pattern.format(name="ben"))
    assert ana.require_sim_state()["seed"] == seed_for("ana", load_config().simulation.seed)
    assert checksum(ana) != checksum(ben)
    again = f"sqlite:///{tmp_path}/again_{{name}}.db"
    CliRunner().invoke(master_simulation.main, ["--db", again, "--databases", "ana", "--weeks", "6", "-q"])
    assert checksum(connect(again.format(name="ana"))) == checksum(ana)


def test_database_names_from_a_pattern():
    assert url_for("sqlite:////x/shop.db", "ana") == "sqlite:////x/shop_ana.db"
    assert url_for("mysql://u:p@h:3306/shop", "ben") == "mysql://u:p@h:3306/shop_ben"
    assert url_for("mysql://h/dvd_{name}", "cy") == "mysql://h/dvd_cy"
    assert seed_for("ana", 42) != seed_for("ana", 43) != seed_for("ben", 42)
    assert seed_for("ana", 42) == int.from_bytes(hashlib.sha256(b"42:ana").digest()[:8], "big") & (2**63 - 1)


def test_interrupted_master_resumes_to_the_same_database(tmp_path):
    weeks = 120
    args = ["--weeks", str(weeks), "--seed", "3"]
    reference = master(f"sqlite:///{tmp_path}/ref.db", *args)
    target = reference.require_sim_state()["last_day"]
    url = f"sqlite:///{tmp_path}/kill.db"
    proc = subprocess.Popen([sys.executable, "master_simulation.py", "--db", url, "-q", *args], cwd=ROOT)
    time.sleep(1.2)
    assert proc.poll() is None, f"{weeks} weeks should take longer than 1.2 s"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    st = connect(url).read_sim_state()  # None if the kill landed while the database was being made
    assert st is None or st["last_day"] < target, "the kill should land before the last commit"
    r = CliRunner().invoke(master_simulation.main, ["--db", url, *args])
    assert r.exit_code == 0, r.output
    assert ("Resumed" in r.output) == (st is not None)
    assert checksum(connect(url)) == checksum(reference)
    again = CliRunner().invoke(master_simulation.main, ["--db", url, *args])
    assert "already complete" in again.output


def test_a_different_simulation_is_not_resumed(tmp_path):
    url = f"sqlite:///{tmp_path}/x.db"
    master(url, "--weeks", "3")
    r = CliRunner().invoke(master_simulation.main, ["--db", url, "--weeks", "5", "--seed", "77"])
    assert r.exit_code == 2 and "different simulation" in r.output and "--reset" in r.output
    assert master(url, "--weeks", "5", "--seed", "77", "--reset").require_sim_state()["seed"] == 77


@pytest.mark.parametrize("args, words", [
    (["--scenario", "nope"], "nope"), (["--weeks", "0"], "0"), (["--level", "5"], "5"),
    (["--databases", ","], "distinct, non-empty"), (["--databases", "a,a"], "distinct"),
    (["--db", "sqlite:///:memory:", "--databases", "a"], "needs files"),
])
def test_bad_input_exits_2(tmp_path, args, words):
    r = CliRunner().invoke(master_simulation.main, ["--db", f"sqlite:///{tmp_path}/n.db", *args])
    assert r.exit_code == 2 and words in r.output, r.output
    assert not (tmp_path / "n.db").exists()


def test_progress_and_statistics_table(tmp_path):
    r = CliRunner().invoke(master_simulation.main, ["--db", f"sqlite:///{tmp_path}/p.db", "--weeks", "4"])
    assert r.exit_code == 0
    for words in ("total rentals", "active", "inventory total", "inventory added", "currently checked out",
                  "average rentals per week", "date range", "Where the time went", "simulate", "write"):
        assert words in r.output, words
