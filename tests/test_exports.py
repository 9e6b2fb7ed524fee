"""Daily exports: replaying the folders rebuilds the database, a killed run leaves the same folders as
an uninterrupted one, and a folder that cannot continue a database's exports is refused up front."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator
import incremental_update
import master_simulation
from dvdrental.checksum import checksum, table_digests
from dvdrental.exports.daily import MARKER, exported_days, recover
from dvdrental.exports.replay import read_folder, replay
from dvdrental.run import Span, advance, generate, new_exports
from dvdrental.storage import connect
from dvdrental.storage.tables import SAKILA_TABLES
from conftest import ROOT, tiny_config
from helpers import kill_at_random, same_tree, timed_run, violations

CFG = tiny_config(late_changes={"return_corrections": 20.0, "refunds": 10.0, "voided_rentals": 10.0,
                                "customer_edits": 20.0, "price_changes": 10.0, "account_closures": 10.0})


def url_of(db):
    return db.url.display() if db.engine == "mysql" else f"sqlite:///{db.url.path}"


def sakila_digests(db):
    digests = table_digests(db)
    return {t.name: digests[t.name] for t in SAKILA_TABLES}


def test_replaying_the_folders_rebuilds_the_database(db_url, tmp_path):
    out = tmp_path / "exports"
    db = connect(db_url("src"))
    generate(db, CFG, exports=new_exports(CFG, out))
    url = url_of(db)
    # changes by hand between runs are logged, and picked up by the next folder
    for args in (["add", "--strategy", "fixed", "--amount", "2"], ["retire", "--damaged", "2"]):
        r = subprocess.run([sys.executable, "inventory_manager.py", *args, "--db", url, "-q"], cwd=ROOT,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    advance(db, Span(weeks=2), export_dir=out)
    days = exported_days(out)
    assert len(days) == 7 * 5 and days[0] == "2001-10-01"
    manifest, upserts, deletes = read_folder(out / days[0])
    assert manifest["snapshot"] and len(upserts["film"]) == 30 and len(upserts["language"]) >= 1
    assert any(read_folder(out / d)[2]["rental"] for d in days[1:]), "hard deletes show in .deletes.csv"
    target = connect(db_url("replica"))
    target.create_schema()
    replay(target, out)
    assert sakila_digests(target) == sakila_digests(db)


def test_the_export_format(tmp_path):
    out = tmp_path / "e"
    db = connect(f"sqlite:///{tmp_path}/f.db")
    generate(db, CFG, exports=new_exports(CFG, out))
    day = exported_days(out)[-1]
    manifest = json.loads((out / day / "manifest.json").read_text())
    assert manifest["day"] == day and manifest["null"] == "\\N" and not manifest["snapshot"]
    rental = (out / day / "rental.csv").read_text().splitlines()
    assert rental[0] == "rental_id,rental_date,inventory_id,customer_id,return_date,staff_id,last_update"
    assert len(rental) - 1 == manifest["tables"]["rental"]["upserts"] > 0
    assert "\\N" in (out / day / "rental.csv").read_text()  # rentals still out
    ids = [int(line.split(",")[0]) for line in rental[1:]]
    assert ids == sorted(ids)
    # rows as they stood at the end of that day: changed that day, last_update within it
    assert all(line.split(",")[-1].startswith(day) for line in rental[1:])
    deleted = [d for d in exported_days(out) if (out / d / "payment.deletes.csv").exists()]
    assert deleted and (out / deleted[0] / "payment.deletes.csv").read_text().splitlines()[0] == "payment_id"
    assert not (out / day / "actor.csv").exists() and manifest["tables"]["actor"] == {"upserts": 0, "deletes": 0}
    assert json.loads((out / MARKER).read_text())["database"]["seed"] == "7"


def _master_30_weeks(url, out):
    return [sys.executable, "master_simulation.py", "--db", url, "--weeks", "30", "--seed", "3", "-q",
            "--export-dir", str(out), "--commit-days", "7"]


@pytest.mark.slow
def test_a_killed_run_leaves_the_same_database_and_folders(db_url, tmp_path):
    ref_db, ref_out = db_url("ref"), tmp_path / "ref"
    took = timed_run(_master_30_weeks(ref_db, ref_out))
    url, out = db_url("kill"), tmp_path / "kill"
    args = _master_30_weeks(url, out)
    kills = kill_at_random(args, seed=5, tries=8, low=0.25 * took, high=0.7 * took)  # a loaded machine: earlier
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert kills >= 1
    with connect(url) as db, connect(ref_db) as ref:
        assert checksum(db) == checksum(ref)
        assert violations(db) == {}
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]
    assert same_tree(out, ref_out)


def test_partial_folders_are_published_or_dropped_by_the_next_run(tmp_path):
    for name in (".2001-10-01.partial", ".2001-10-02.partial"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text("{}")
    recover(tmp_path, "2001-10-01")  # the database committed the first day only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2001-10-01"]


def test_folders_that_cannot_continue_are_refused_before_anything_is_written(tmp_path):
    db_path = tmp_path / "shop.db"
    url = f"sqlite:///{db_path}"
    a_file = tmp_path / "file"
    a_file.write_text("x")
    r = CliRunner().invoke(generator.main, ["--db", url, "--export-dir", str(a_file), "-q"])
    assert r.exit_code == 2 and "is a file" in r.output and not db_path.exists()

    locked = Path("/proc/dvdrental-exports") if os.geteuid() == 0 else tmp_path / "ro" / "x"
    if os.geteuid() != 0:
        (tmp_path / "ro").mkdir(mode=0o555)
    r = CliRunner().invoke(generator.main, ["--db", url, "--export-dir", str(locked), "-q"])
    assert r.exit_code == 2 and "not writable" in r.output and not db_path.exists()

    stuff = tmp_path / "stuff"
    stuff.mkdir()
    (stuff / "notes.txt").write_text("mine")
    r = CliRunner().invoke(generator.main, ["--db", url, "--export-dir", str(stuff), "-q"])
    assert r.exit_code == 2 and "not empty" in r.output and not db_path.exists()

    # another database's exports
    out = tmp_path / "out"
    assert CliRunner().invoke(generator.main, ["--db", url, "--export-dir", str(out), "-q", "--weeks", "1"]
                              ).exit_code == 0
    other = f"sqlite:///{tmp_path}/other.db"
    r = CliRunner().invoke(generator.main, ["--db", other, "--seed", "99", "--export-dir", str(out), "-q"])
    assert r.exit_code == 2 and "another database's exports" in r.output
    assert not (tmp_path / "other.db").exists()

    # a gap: days simulated without --export-dir cannot be exported any more
    before = exported_days(out)
    assert CliRunner().invoke(incremental_update.main, ["--db", url, "--days", "2", "-q"]).exit_code == 0
    with connect(url) as db:
        digest = checksum(db)
    r = CliRunner().invoke(incremental_update.main, ["--db", url, "--export-dir", str(out), "-q"])
    assert r.exit_code == 2 and "behind the database's last day" in r.output, r.output
    assert exported_days(out) == before
    with connect(url) as db:
        assert checksum(db) == digest


def test_folders_committed_but_not_published_are_published_by_any_later_run(tmp_path):
    """A run killed after its last commit, before renaming its folders: the next run publishes them,
    even when it has no day left to simulate."""
    url, out = f"sqlite:///{tmp_path}/m.db", tmp_path / "out"
    args = ["--db", url, "--weeks", "2", "-q", "--export-dir", str(out)]
    assert CliRunner().invoke(master_simulation.main, args).exit_code == 0
    last = exported_days(out)[-1]
    os.rename(out / last, out / f".{last}.partial")
    assert CliRunner().invoke(master_simulation.main, args).exit_code == 0  # already complete
    assert exported_days(out)[-1] == last
    os.rename(out / last, out / f".{last}.partial")
    r = CliRunner().invoke(incremental_update.main, ["--db", url, "--until", last, "--export-dir", str(out)])
    assert r.exit_code == 0 and "nothing to do" in r.output, r.output
    assert exported_days(out)[-1] == last


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), days=st.lists(st.integers(1, 9), min_size=1, max_size=4),
       rates=st.fixed_dictionaries({k: st.floats(0, 60) for k in (
           "return_corrections", "payment_corrections", "refunds", "customer_edits", "price_changes",
           "account_closures", "voided_rentals")}))
def test_replay_rebuilds_any_run_however_split(tmp_path_factory, seed, days, rates):
    tmp = tmp_path_factory.mktemp("any")
    cfg = tiny_config(simulation={"initial_weeks": 1, "seed": seed}, late_changes=rates)
    out = tmp / "out"
    db = connect(f"sqlite:///{tmp}/src.db")
    generate(db, cfg, exports=new_exports(cfg, out))
    for n in days:
        advance(db, Span(days=n), export_dir=out)
    assert len(exported_days(out)) == 7 + sum(days)
    target = connect(f"sqlite:///{tmp}/replica.db")
    target.create_schema()
    replay(target, out)
    assert sakila_digests(target) == sakila_digests(db)


def test_a_killed_daily_update_leaves_the_same_folders(tmp_path):
    """The cron case: incremental_update.py commits (and exports) day by day in-process."""
    ref_url, ref_out = f"sqlite:///{tmp_path}/ref.db", tmp_path / "ref"
    url, out = f"sqlite:///{tmp_path}/kill.db", tmp_path / "kill"
    for u, o in ((ref_url, ref_out), (url, out)):
        assert CliRunner().invoke(generator.main, ["--db", u, "--weeks", "1", "-q", "--export-dir", str(o)]
                                  ).exit_code == 0
    assert CliRunner().invoke(incremental_update.main, ["--db", ref_url, "--days", "150", "-q", "--export-dir",
                                                        str(ref_out)]).exit_code == 0
    with connect(ref_url) as ref:
        until = ref.require_sim_state()["last_day"]
    from dvdrental.sim.calendar import date_of
    args = [sys.executable, "incremental_update.py", "--db", url, "--until", date_of(until).isoformat(), "-q",
            "--export-dir", str(out)]

    def finished() -> bool:
        with connect(url) as db:
            return db.require_sim_state()["last_day"] == until

    kills = kill_at_random(args, seed=9, tries=6, done=finished, low=0.4)
    with connect(url) as db:
        if db.require_sim_state()["last_day"] < until:
            advance(db, Span(until=date_of(until)), export_dir=out)
        advance(db, Span(days=1), export_dir=out)  # and one more day on both: a run after a finished one
        assert kills >= 1
        with connect(ref_url) as ref:
            advance(ref, Span(days=1), export_dir=ref_out)
            assert checksum(db) == checksum(ref)
    assert same_tree(out, ref_out)
