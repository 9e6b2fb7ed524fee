"""incremental_update.py: split invariance, kill-and-resume, locking, bad input, level folders."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import incremental_update
from dvdrental.checksum import checksum
from dvdrental.errors import LockedError, StateError
from dvdrental import run
from dvdrental.run import COMMIT_DAYS, Span, advance, generate
from dvdrental.sim.calendar import date_of, day_number
from dvdrental.storage import connect
from dvdrental.writer import BatchWriter
from conftest import ROOT, TINY, tiny_config
from helpers import kill_at_random, violations


def fresh(url, cfg=None):
    db = connect(url)
    generate(db, cfg or tiny_config())
    return db


def last_day(db):
    return db.require_sim_state()["last_day"]


def test_four_more_weeks_keep_invariants_and_customers_churn_and_return(db_url):
    cfg = tiny_config(customers={"initial": 200, "reactivation_per_year": 0.9},
                      demand={"base_weekly_rentals": 200.0, "capacity_weekly_rentals": 300.0})
    db = fresh(db_url(), cfg)
    before = last_day(db)
    summary = advance(db, Span(weeks=4))
    assert last_day(db) == before + 28 and summary.days == 28 and summary.rentals > 0
    assert violations(db) == {}
    assert db.query("SELECT COUNT(*) FROM customer WHERE active = 0")[0][0] > 0
    assert summary.churned > 0 and summary.reactivated > 0


def test_52_single_weeks_equal_one_run_of_52_weeks(db_url):
    cfg = tiny_config(catalog={"films": 15}, customers={"initial": 40},
                      demand={"base_weekly_rentals": 40.0, "capacity_weekly_rentals": 60.0})
    a, b = fresh(db_url("a"), cfg), fresh(db_url("b"), cfg)
    for _ in range(52):
        advance(a, Span(weeks=1))
    advance(b, Span(weeks=52))
    assert last_day(a) == last_day(b)
    assert checksum(a) == checksum(b)


def test_days_weeks_and_until_are_interchangeable(db_url):
    a, b, c = fresh(db_url("a")), fresh(db_url("b")), fresh(db_url("c"))
    for _ in range(17):
        advance(a, Span(days=1))
    advance(a, Span(days=4))
    advance(b, Span(weeks=3))
    advance(c, Span(until=date_of(last_day(c) + 10)))
    advance(c, Span(days=11))
    assert checksum(a) == checksum(b) == checksum(c)


def _incremental(url, *args, **kw):
    return subprocess.Popen([sys.executable, "incremental_update.py", "--db", url, "--quiet", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


@pytest.mark.parametrize("engine_seed", [11])
def test_killed_runs_resume_to_the_same_database(db_url, engine_seed):
    cfg = tiny_config(demand={"base_weekly_rentals": 300.0, "capacity_weekly_rentals": 400.0})
    reference, victim = fresh(db_url("ref"), cfg), fresh(db_url("kill"), cfg)
    target = last_day(reference) + 7 * 30
    until = date_of(target).isoformat()
    advance(reference, Span(until=date_of(target)))
    url = victim.url.display() if victim.engine == "mysql" else f"sqlite:///{victim.url.path}"
    victim.close()

    def finished() -> bool:
        with connect(url) as db:
            return last_day(db) == target

    kills = kill_at_random([sys.executable, "incremental_update.py", "--db", url, "--quiet", "--until", until],
                           seed=engine_seed, tries=6, done=finished)
    with connect(url) as db:
        if last_day(db) < target:
            advance(db, Span(until=date_of(target)))
        assert kills >= 1
        assert checksum(db) == checksum(reference)
        assert violations(db) == {}


def test_second_concurrent_run_is_refused(db_url):
    db = fresh(db_url())
    url = db.url.display() if db.engine == "mysql" else f"sqlite:///{db.url.path}"
    before = checksum(db)
    with db.lock():
        proc = _incremental(url, "2", text=True)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2
        assert "in use by another dvdrental-live run" in err
        with pytest.raises(LockedError):
            with connect(url) as other:
                advance(other, Span(weeks=1))
    assert checksum(db) == before
    advance(db, Span(weeks=1))  # the lock is free again


def test_uninitialised_databases_are_refused_and_left_alone(tmp_path, mysql_url):
    empty = tmp_path / "empty.db"
    connect(f"sqlite:///{empty}").close()
    size = empty.stat().st_size
    r = CliRunner().invoke(incremental_update.main, ["--db", f"sqlite:///{empty}"])
    assert r.exit_code == 2 and "run generator.py first" in r.output
    assert empty.stat().st_size == size
    r = CliRunner().invoke(incremental_update.main, ["--db", f"sqlite:///{tmp_path}/missing.db"])
    assert r.exit_code == 2 and "run generator.py first" in r.output
    assert not (tmp_path / "missing.db").exists()
    url = mysql_url("never")
    r = CliRunner().invoke(incremental_update.main, ["--db", url])
    assert r.exit_code == 2 and "generator.py first" in r.output
    connect(url).close()  # now it exists, empty
    r = CliRunner().invoke(incremental_update.main, ["--db", url])
    assert r.exit_code == 2 and "generator.py first" in r.output


def test_schema_newer_than_the_tool_is_refused(db_url):
    db = fresh(db_url())
    with db.transaction():
        db.execute("UPDATE sim_state SET schema_version = 999 WHERE id = 1")
    before = checksum(db)
    with pytest.raises(StateError, match="newer than this tool"):
        advance(db, Span(weeks=1))
    assert checksum(db) == before


@pytest.mark.parametrize("args, words", [
    (["0"], "0 is not in the range"), (["-3"], "No such option"), (["four"], "not a valid integer"),
    (["--days", "0"], "0 is not in the range"), (["--until", "yesterday"], "not a date"),
    (["1", "--days", "2"], "only one of"),
    (["--seed", "12345"], "differs from the database's seed"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, words):
    url = f"sqlite:///{tmp_path}/b.db"
    db = fresh(url)
    before = checksum(db)
    db.close()
    r = CliRunner().invoke(incremental_update.main, ["--db", url, *args])
    assert r.exit_code == 2, r.output
    assert words in r.output
    with connect(url) as db:
        assert checksum(db) == before


@pytest.mark.parametrize("until", ["2001-10-01", "2001-10-28", "1999-01-01"])
def test_until_reached_is_one_line_exit_0_and_no_write(tmp_path, until):
    """Safe from cron: a database at or past --until is left as it is, however often the job runs."""
    url = f"sqlite:///{tmp_path}/u.db"
    db = fresh(url)
    advance(db, Span(until=dt.date(2001, 10, 28)))
    before, last = checksum(db), date_of(db.require_sim_state()["last_day"])
    db.close()
    stamp = (tmp_path / "u.db").stat().st_mtime_ns
    for _ in range(2):
        r = CliRunner().invoke(incremental_update.main, ["--db", url, "--until", until])
        assert r.exit_code == 0, r.output
        assert r.output.splitlines() == [f"{url} is already simulated to {last} (--until {until}): nothing to do"]
    assert (tmp_path / "u.db").stat().st_mtime_ns == stamp
    with connect(url) as db:
        assert checksum(db) == before


def test_until_catches_up_in_bulk_commits_and_resumes_exactly(tmp_path, monkeypatch):
    """A catch-up of months commits 28 days at a time (not every day) and gives the database a run
    committing every day gives."""
    bulk, daily = fresh(f"sqlite:///{tmp_path}/bulk.db"), fresh(f"sqlite:///{tmp_path}/daily.db")
    commits = []
    real = BatchWriter.submit
    monkeypatch.setattr(BatchWriter, "submit", lambda self, *a: (commits.append(a[1]), real(self, *a))[1])
    days = day_number(dt.date(2002, 1, 31)) - bulk.require_sim_state()["last_day"]
    summary = advance(bulk, Span(until=dt.date(2002, 1, 31)))
    assert days > 60 and summary.days == days and days // COMMIT_DAYS <= len(commits) <= days // COMMIT_DAYS + 2
    commits.clear()
    monkeypatch.setattr(run, "BULK_AFTER_DAYS", 10**6)  # the same span, every day its own commit
    advance(daily, Span(until=dt.date(2002, 1, 31)))
    assert len(commits) == days
    assert checksum(bulk) == checksum(daily)


def test_a_catch_up_of_years_says_so_before_it_starts(tmp_path):
    db = fresh(f"sqlite:///{tmp_path}/y.db")
    first = db.require_sim_state()["last_day"] + 1
    notices: list[str] = []
    advance(db, Span(days=400), on_notice=notices.append)
    assert notices == [f"catching up 1.1 years: {date_of(first)} to {date_of(first + 399)}, committed "
                       f"{COMMIT_DAYS} days at a time (an interrupted run resumes)"]
    advance(db, Span(days=366), on_notice=notices.append)
    assert len(notices) == 1  # a year is no catch-up worth a line


def test_config_flag_replaces_stored_settings_from_now_on(tmp_path):
    url = f"sqlite:///{tmp_path}/c.db"
    fresh(url).close()
    cfg = tmp_path / "busy.json"
    cfg.write_text(json.dumps({**TINY, "demand": {"base_weekly_rentals": 900.0,
                                                   "capacity_weekly_rentals": 900.0}}))
    r = CliRunner().invoke(incremental_update.main, ["--db", url, "--config", str(cfg), "--quiet"])
    assert r.exit_code == 0, r.output
    with connect(url) as db:
        st = db.require_sim_state()
        assert st["config"]["demand"]["base_weekly_rentals"] == 900.0
        assert st["config"]["simulation"]["seed"] == TINY["simulation"]["seed"]  # seed is kept


def test_level_folder_works_like_the_root(tmp_path):
    rel = f".pytest-lvl-{os.getpid()}.db"
    env = {**os.environ, "DVDRENTAL_DB_URL": f"sqlite:///{rel}"}
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(TINY))
    try:
        for cwd, cmd in ((ROOT, ["generator.py"]), (ROOT / "level_2_incremental", ["../incremental_update.py", "2"]),
                         (ROOT, ["incremental_update.py", "1"])):
            p = subprocess.run([sys.executable, *cmd, "--config", str(cfg), "--quiet"], cwd=cwd, env=env,
                               capture_output=True, text=True)
            assert p.returncode == 0, p.stderr
        with connect(f"sqlite:///{rel}") as db:
            st = db.require_sim_state()
            assert st["last_day"] - st["start_date"] + 1 == 7 * (TINY["simulation"]["initial_weeks"] + 3)
    finally:
        for suffix in ("", "-wal", "-shm", ".lock"):
            (ROOT / (rel + suffix)).unlink(missing_ok=True)
