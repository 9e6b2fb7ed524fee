"""The write path: batches of days, the writer process, LOAD DATA with its INSERT fallback."""

import pytest
from click.testing import CliRunner

import incremental_update
import master_simulation
from dvdrental.checksum import checksum
from dvdrental.run import Span, advance, generate
from dvdrental.storage import connect
from dvdrental.storage import mysql as mysql_storage
from dvdrental.storage.rows import Insert
from conftest import tiny_config
from helpers import violations


def url_of(db):
    return db.url.display() if db.engine == "mysql" else f"sqlite:///{db.url.path}"


def test_days_per_commit_do_not_change_the_database(db_url):
    args = ["--weeks", "12", "--seed", "9", "-q"]
    a, b = db_url("a"), db_url("b")
    for url, extra in ((a, ["--commit-days", "1"]), (b, ["--commit-days", "28"])):
        r = CliRunner().invoke(master_simulation.main, ["--db", url, *args, *extra])
        assert r.exit_code == 0, r.output
    assert checksum(connect(a)) == checksum(connect(b))


def test_load_data_and_inserts_store_the_same_values(mysql_url, monkeypatch):
    tricky = ["O'BRIEN", "TAB\tHERE", "LINE\nBREAK", "BACK\\SLASH", "NULL", "\\N", "ÅSA ØRN", 'QUOTE"S']
    rows = [(1000 + i, name, name[::-1], "2001-10-01 00:00:00") for i, name in enumerate(tricky * 80)]
    seen = {}
    for mode, minimum in (("load", 1), ("insert", 10**9)):
        monkeypatch.setattr(mysql_storage, "LOAD_MIN_ROWS", minimum)
        db = build_tiny(mysql_url(mode))
        with db.transaction():
            db.insert(Insert("actor", ("actor_id", "first_name", "last_name", "last_update"), rows))
        seen[mode] = db.query("SELECT actor_id, first_name, last_name FROM actor WHERE actor_id >= 1000 "
                              "ORDER BY actor_id")
    assert seen["load"] == seen["insert"] == [(r[0], r[1][:45], r[2][:45]) for r in rows]


def test_load_data_that_loses_rows_fails_the_transaction(mysql_url, monkeypatch):
    monkeypatch.setattr(mysql_storage, "LOAD_MIN_ROWS", 1)
    db = build_tiny(mysql_url("dup"))
    before = checksum(db)
    dup = [(1, "DUPLICATE", "ID", "2001-10-01 00:00:00")]  # actor 1 exists: LOCAL would just skip it
    with pytest.raises(Exception, match="loaded 0 of 1 rows"):
        with db.transaction():
            db.insert(Insert("actor", ("actor_id", "first_name", "last_name", "last_update"), dup))
    assert checksum(db) == before


def test_a_server_refusing_local_files_gets_inserts(mysql_url, monkeypatch):
    monkeypatch.setattr(mysql_storage, "LOAD_MIN_ROWS", 1)
    db = build_tiny(mysql_url("refuse"))
    db.local_infile = False
    with db.transaction():
        db.insert(Insert("actor", ("actor_id", "first_name", "last_name", "last_update"),
                         [(5000, "A", "B", "2001-10-01 00:00:00")]))
    assert db.query("SELECT first_name FROM actor WHERE actor_id = 5000") == [("A",)]


def build_tiny(url):
    db = connect(url)
    generate(db, tiny_config(simulation={"initial_weeks": 0}))
    return db


def _fail_after(db, day):
    """A trigger that makes every rental after `day` fail, as a broken server or disk would."""
    if db.engine == "sqlite":
        db.execute(f"CREATE TRIGGER boom BEFORE INSERT ON rental WHEN NEW.rental_date > '{day}' "
                   "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    else:
        db.execute(f"CREATE TRIGGER boom BEFORE INSERT ON rental FOR EACH ROW BEGIN "
                   f"IF NEW.rental_date > '{day}' THEN SIGNAL SQLSTATE '45000' "
                   f"SET MESSAGE_TEXT = 'disk on fire'; END IF; END")


@pytest.mark.parametrize("separate", [True, False], ids=["writer-process", "in-process"])
@pytest.mark.parametrize("command", ["incremental", "master"])
def test_a_failing_write_stops_cleanly_and_the_run_resumes_exactly(db_url, command, separate, monkeypatch):
    from dvdrental import writer
    monkeypatch.setattr(writer, "SEPARATE_MIN_DAYS", 1 if separate else 10**6)
    cfg = tiny_config()
    reference = connect(db_url("ref"))
    generate(reference, cfg)
    advance(reference, Span(weeks=8))
    broken = connect(db_url("broken"))
    generate(broken, cfg)
    _fail_after(broken, "2001-11-20")
    url = url_of(broken)
    if command == "incremental":
        r = CliRunner().invoke(incremental_update.main, ["--db", url, "8", "-q"])
    else:
        from dvdrental.master import run_master
        from dvdrental.errors import DatabaseError
        with pytest.raises(DatabaseError):
            run_master(broken, cfg.override({"simulation": {"weeks": 11}}), commit_days=5)
        r = None
    if r is not None:
        assert r.exit_code == 2 and "disk on fire" in r.output and "Traceback" not in r.output
    st = broken.require_sim_state()
    assert st["last_day"] < reference.require_sim_state()["last_day"]
    assert violations(broken) == {}  # whatever was committed is whole
    broken.execute("DROP TRIGGER boom")
    advance(broken, Span(until=__import__("dvdrental.sim.calendar", fromlist=["date_of"]).date_of(
        reference.require_sim_state()["last_day"])))
    assert checksum(broken) == checksum(reference)


def test_a_run_started_right_after_a_killed_one_is_not_refused(db_url):
    """Nothing of the killed run (its writer process, its MySQL session, its lock file) holds the lock
    for longer than the lock waits (LOCK_WAIT) for a run that was just killed to let go."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT
    from dvdrental.errors import LockedError
    url = db_url("killed")
    for attempt in range(4):
        proc = subprocess.Popen([sys.executable, "master_simulation.py", "--db", url, "--weeks", "300", "-q",
                                 "--seed", "3", "--commit-days", "7"], cwd=ROOT)
        time.sleep(0.9 + 0.1 * attempt)
        assert proc.poll() is None, "the run ended before it could be killed"  # also if it were refused
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        db = connect(url)
        try:
            with db.lock():
                pass
        except LockedError:
            pytest.fail(f"attempt {attempt}: the lock outlived the killed run")
        finally:
            db.close()
