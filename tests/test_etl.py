"""etl.py and validate.py --warehouse: every mode follows a source through late changes, survives
SIGKILL, and refuses bad input with one line and exit 2, leaving the warehouse as it was."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import etl as etl_cli
import validate as validate_cli
from dvdrental.checksum import rows as canonical_rows
from dvdrental.errors import ConfigError
from dvdrental.etl.cdc import snapshot
from dvdrental.etl.fold import Folded
from dvdrental.etl.compare import compare
from dvdrental.etl.files import todo
from dvdrental.etl.run import EtlOptions, run_etl
from dvdrental.run import Span, advance, generate, new_exports
from dvdrental.storage import connect
from dvdrental.storage.tables import SAKILA_TABLES
from dvdrental.storage.values import canonical
from conftest import tiny_config
from helpers import kill_at_random, timed_run

#: Late changes often enough that 21 days of a tiny shop see every kind, hard deletes included.
LATE = {"return_corrections": 20.0, "refunds": 10.0, "voided_rentals": 25.0, "customer_edits": 20.0,
        "price_changes": 10.0, "account_closures": 10.0}
CFG = tiny_config(simulation={"initial_weeks": 13}, late_changes=LATE)
SHORT = tiny_config(late_changes=LATE)
MODES = {"full": {"mode": "full"}, "incremental": {"mode": "incremental"},
         "changelog": {"mode": "incremental", "deletes": "changelog"}, "files": {"mode": "files"},
         "cdc": {"mode": "cdc"}}


def sync(name: str, wh: Path, db, exports: Path | None = None):
    opts = EtlOptions(warehouse=wh, exports=exports if name == "files" else None, **MODES[name])
    return run_etl(opts, None if name == "files" else db)


def warehouse_rows(path: Path, table) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        got = con.execute(f"SELECT {', '.join(table.column_names)} FROM {table.name} "
                          f"ORDER BY {', '.join(table.key)}").fetchall()
    finally:
        con.close()
    return ["\t".join(canonical(k, v) for (_, k), v in zip(table.columns, r)) for r in got]


def independent_equal(db, path: Path) -> bool:
    """Equality by the checksum's canonical text of every row, not by the comparison under test."""
    return all(list(canonical_rows(db, t)) == warehouse_rows(path, t) for t in SAKILA_TABLES)


def url_of(db) -> str:
    return db.url.display() if db.engine == "mysql" else f"sqlite:///{db.url.path}"


# ---- the scenario: 21 days after a 3-month start, every mode --------------------------------

@pytest.mark.slow
def test_every_mode_follows_21_days_of_late_changes(binlog_url, tmp_path):
    out = tmp_path / "exports"
    db = connect(binlog_url("src"))
    generate(db, CFG, exports=new_exports(CFG, out))
    whs = {name: tmp_path / f"{name}.duckdb" for name in MODES}
    for _ in range(21):
        advance(db, Span(days=1), export_dir=out)
        for name, wh in whs.items():
            sync(name, wh, db, out)
    deletes = db.query("SELECT table_name, COUNT(*) FROM sim_change_log WHERE op = 'D' AND kind <> 'base' "
                       "GROUP BY table_name")
    assert {t for t, _ in deletes} >= {"rental", "payment"}, deletes
    for name, wh in whs.items():
        result = compare(db, wh)
        if name == "incremental":
            assert set(result["drift"]) == {"rental", "payment"}, result["drift"]
            for t in result["tables"]:
                if t["status"] == "drift":
                    assert t["extra"] > 0 and t["missing"] == t["changed"] == 0
                    assert {e["what"] for e in t["examples"]} == {"extra"}
        else:
            assert result["ok"], (name, result["drift"])
            assert independent_equal(db, wh), name
    # the same verdicts through the command line: exit 0 equal, 1 drift naming tables and keys
    for name, code in (("cdc", 0), ("files", 0), ("incremental", 1)):
        r = CliRunner().invoke(validate_cli.main, ["--db", url_of(db), "--warehouse", str(whs[name])])
        assert r.exit_code == code, r.output
    r = CliRunner().invoke(validate_cli.main, ["--db", url_of(db), "--warehouse", str(whs["incremental"]),
                                               "--json"])
    drifted = {t["table"]: t for t in json.loads(r.output)["tables"] if t["status"] == "drift"}
    assert set(drifted) == {"rental", "payment"} and drifted["rental"]["examples"][0]["what"] == "extra"
    db.close()


def test_full_incremental_and_files_on_each_engine(db_url, tmp_path):
    out = tmp_path / "exports"
    db = connect(db_url("src"))
    generate(db, SHORT, exports=new_exports(SHORT, out))
    whs = {name: tmp_path / f"{name}.duckdb" for name in ("full", "changelog", "files")}
    for _ in range(4):
        advance(db, Span(days=2), export_dir=out)
        for name, wh in whs.items():
            sync(name, wh, db, out)
    for name, wh in whs.items():
        assert compare(db, wh)["ok"], name
        assert independent_equal(db, wh), name
    # full hands over to incremental: the watermarks come with it
    advance(db, Span(days=3), export_dir=out)
    summary = sync("changelog", whs["full"], db)
    assert 0 < summary.rows_read < 2_000 and compare(db, whs["full"])["ok"]
    db.close()


def test_an_up_to_date_warehouse_reads_only_the_rows_at_the_watermark(tmp_path):
    from dvdrental.etl.watermark import STAMPED
    db = connect(f"sqlite:///{tmp_path}/s.db")
    generate(db, SHORT)
    wh = tmp_path / "w.duckdb"
    first = sync("changelog", wh, db)
    again = sync("changelog", wh, db)
    at_mark = {t.name: db.query(f"SELECT COUNT(*) FROM {t.name} WHERE last_update = "
                                f"(SELECT MAX(last_update) FROM {t.name})")[0][0] for t in STAMPED}
    assert {t: c["read"] for t, c in again.tables.items() if t in at_mark} == at_mark
    assert first.rows_read > 3 * again.rows_read and again.rows_deleted == 0


# ---- restartable: SIGKILL mid-run, run again, equal -----------------------------------------------------

@pytest.fixture(scope="module")
def big_source(binlog_server, tmp_path_factory):
    """A default-config source (4 weeks, a CDC warehouse synced there, then 22 more weeks) on the
    binary-logging server, with its export folders."""
    tmp = tmp_path_factory.mktemp("killsrc")
    cfg = tiny_config(simulation={"initial_weeks": 4}, catalog={"films": 200, "actors": 100},
                      customers={"initial": 600}, demand={"base_weekly_rentals": 900.0,
                                                          "capacity_weekly_rentals": 1500.0},
                      late_changes=LATE)
    db = connect(binlog_server.url("killsrc"))
    generate(db, cfg, exports=new_exports(cfg, tmp / "exports"))
    sync("cdc", tmp / "cdc_start.duckdb", db)
    advance(db, Span(weeks=22), export_dir=tmp / "exports")
    yield url_of(db), tmp, db
    db.close()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["full", "changelog", "files", "cdc"])
def test_a_killed_run_resumes_to_the_same_warehouse(big_source, mode, tmp_path):
    url, tmp, db = big_source

    def command(wh: Path) -> list[str]:
        if mode == "cdc":
            shutil.copy(tmp / "cdc_start.duckdb", wh)
        return [sys.executable, "etl.py", "--db", url, "--warehouse", str(wh), "-q", *{
            "full": ["--mode", "full"], "changelog": ["--mode", "incremental", "--deletes", "changelog"],
            "files": ["--mode", "files", "--exports", str(tmp / "exports")], "cdc": ["--mode", "cdc"]}[mode]]
    took = timed_run(command(tmp_path / "yardstick.duckdb"))
    wh = tmp_path / "w.duckdb"
    args = command(wh)
    kills = kill_at_random(args, seed=len(mode), tries=4, low=0.45 * took, high=0.9 * took)
    assert kills >= 1, "the run finished before any kill: make the source bigger"
    r = CliRunner().invoke(etl_cli.main, args[2:])
    assert r.exit_code == 0, r.output
    assert compare(db, wh)["ok"]


# ---- bad input: one line, exit 2, the warehouse unchanged ----------------------------------------------

def _error(args: list[str]) -> str:
    r = CliRunner().invoke(etl_cli.main, args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    return r.output


def _content(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT COUNT(*), SUM(hash(x)::HUGEINT) FROM {t} AS x").fetchone()
                for t in ["etl_state"] + [s.name for s in SAKILA_TABLES]}
    finally:
        con.close()


def test_cdc_refuses_a_server_without_a_binary_log(mysql_url, tmp_path):
    db = connect(mysql_url("nolog"))
    generate(db, SHORT)
    if db.query("SHOW GLOBAL VARIABLES LIKE 'log_bin'")[0][1] != "OFF":
        pytest.fail("the machine's server was expected to run without a binary log")
    wh = tmp_path / "w.duckdb"
    out = _error(["--db", url_of(db), "--mode", "cdc", "--warehouse", str(wh)])
    assert "binary log is off" in out and "log_bin" in out and not wh.exists()
    db.close()


def test_cdc_names_the_setting_that_is_wrong(binlog_server, binlog_url, tmp_path):
    db = connect(binlog_url("fmt"))
    generate(db, SHORT)
    wh = tmp_path / "w.duckdb"
    sync("cdc", wh, db)
    before = _content(wh)
    for name, bad in (("binlog_format", "STATEMENT"), ("binlog_row_image", "MINIMAL"),
                      ("binlog_row_metadata", "MINIMAL")):
        good = db.query(f"SELECT @@GLOBAL.{name}")[0][0]
        db.execute(f"SET GLOBAL {name} = '{bad}'")
        try:
            out = _error(["--db", url_of(db), "--mode", "cdc", "--warehouse", str(wh)])
        finally:
            db.execute(f"SET GLOBAL {name} = '{good}'")
        assert f"{name} is {bad}" in out, out
    assert _content(wh) == before
    db.close()


def test_a_file_that_is_not_duckdb_is_left_alone(tmp_path):
    db = connect(f"sqlite:///{tmp_path}/s.db")
    generate(db, SHORT)
    for junk in (b"just some text, not a warehouse" * 10, (tmp_path / "s.db").read_bytes()):
        wh = tmp_path / "junk.duckdb"
        wh.write_bytes(junk)
        out = _error(["--db", f"sqlite:///{tmp_path}/s.db", "--mode", "full", "--warehouse", str(wh)])
        assert "not a DuckDB database file" in out and wh.read_bytes() == junk
        r = CliRunner().invoke(validate_cli.main, ["--db", f"sqlite:///{tmp_path}/s.db", "--warehouse", str(wh)])
        assert r.exit_code == 2 and "not a DuckDB" in r.output
    db.close()


def test_an_exports_folder_with_a_missing_day(tmp_path):
    out = tmp_path / "exports"
    db = connect(f"sqlite:///{tmp_path}/s.db")
    generate(db, SHORT, exports=new_exports(SHORT, out))
    wh = tmp_path / "w.duckdb"
    sync("files", wh, db, out)
    advance(db, Span(days=4), export_dir=out)
    before = _content(wh)
    days = sorted(p.name for p in out.iterdir() if p.is_dir())
    shutil.rmtree(out / days[-2])
    msg = _error(["--mode", "files", "--exports", str(out), "--warehouse", str(wh)])
    assert f"misses day {days[-2]}" in msg
    assert _content(wh) == before
    fresh = tmp_path / "fresh.duckdb"
    shutil.rmtree(out / days[3])
    assert "misses day" in _error(["--mode", "files", "--exports", str(out), "--warehouse", str(fresh)])
    assert not fresh.exists()
    db.close()


def test_a_source_that_is_not_dvdrental_live(tmp_path):
    import sqlite3
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (a)").connection.commit()
    wh = tmp_path / "w.duckdb"
    out = _error(["--db", f"sqlite:///{other}", "--mode", "full", "--warehouse", str(wh)])
    assert "not a dvdrental-live database" in out and not wh.exists()
    assert "holds no dvdrental-live exports" in _error(
        ["--mode", "files", "--exports", str(tmp_path), "--warehouse", str(wh)])
    assert not wh.exists()


def test_a_warehouse_follows_one_source_and_one_kind_of_mode(tmp_path):
    a, b = connect(f"sqlite:///{tmp_path}/a.db"), connect(f"sqlite:///{tmp_path}/b.db")
    generate(a, SHORT)
    generate(b, tiny_config(simulation={"seed": 99}))
    wh = tmp_path / "w.duckdb"
    sync("full", wh, a)
    before = _content(wh)
    assert "holds another source" in _error(["--db", f"sqlite:///{tmp_path}/b.db", "--mode", "full",
                                             "--warehouse", str(wh)])
    assert "kept by --mode full" in _error(["--db", f"sqlite:///{tmp_path}/a.db", "--mode", "cdc",
                                            "--warehouse", str(wh)])
    assert "--deletes applies to --mode incremental" in _error(
        ["--db", f"sqlite:///{tmp_path}/a.db", "--mode", "full", "--deletes", "changelog", "--warehouse", str(wh)])
    assert _content(wh) == before
    for db in (a, b):
        db.close()


def test_cdc_needs_a_mysql_source(tmp_path):
    db = connect(f"sqlite:///{tmp_path}/s.db")
    generate(db, SHORT)
    assert "reads a MySQL/MariaDB binary log" in _error(
        ["--db", f"sqlite:///{tmp_path}/s.db", "--mode", "cdc", "--warehouse", str(tmp_path / "w.duckdb")])
    db.close()


# ---- validate.py --warehouse names what drifted ---------------------------------------------------------

def test_validate_names_missing_extra_and_changed_keys(tmp_path):
    db = connect(f"sqlite:///{tmp_path}/s.db")
    generate(db, SHORT)
    wh = tmp_path / "w.duckdb"
    sync("full", wh, db)
    con = duckdb.connect(str(wh))
    con.execute("DELETE FROM rental WHERE rental_id = 5")
    con.execute("UPDATE customer SET email = 'x@y.z', active = 0 WHERE customer_id = 3")
    con.execute("INSERT INTO film_actor SELECT 1, 999, last_update FROM film_actor LIMIT 1")
    con.close()
    r = CliRunner().invoke(validate_cli.main, ["--db", f"sqlite:///{tmp_path}/s.db", "--warehouse", str(wh)])
    assert r.exit_code == 1
    assert "missing  5" in r.output and "changed  3 (email, active)" in r.output and "extra    1, 999" in r.output
    assert "DRIFT in film_actor, customer, rental" in r.output
    result = compare(db, wh)
    assert result["drift"] == ["film_actor", "customer", "rental"]
    db.close()


def test_validate_warehouse_exit_2_when_it_cannot_compare(tmp_path):
    db = connect(f"sqlite:///{tmp_path}/s.db")
    generate(db, SHORT)
    r = CliRunner().invoke(validate_cli.main, ["--db", f"sqlite:///{tmp_path}/s.db",
                                               "--warehouse", str(tmp_path / "none.duckdb")])
    assert r.exit_code == 2 and "does not exist" in r.output
    db.close()


# ---- the parts, property-tested --------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(0, 30), min_size=1), st.one_of(st.none(), st.integers(-1, 30)))
def test_files_refuses_exactly_the_sequences_with_a_gap(present, done_at):
    import tempfile
    base = dt.date(2020, 1, 1)
    day = lambda i: (base + dt.timedelta(days=i)).isoformat()  # noqa: E731
    with tempfile.TemporaryDirectory() as d:
        for i in present:
            (Path(d) / day(i)).mkdir()
        done = None if done_at is None else day(done_at)
        after = sorted(i for i in present if done_at is None or i > done_at)
        start = (done_at + 1) if done_at is not None else (after[0] if after else 0)
        gap = bool(after) and set(range(start, after[-1] + 1)) != set(after)
        try:
            got = todo(Path(d), done)
        except ConfigError:
            assert gap
        else:
            assert not gap and got == [day(i) for i in after]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.booleans(), st.integers(0, 9)), max_size=40))
def test_folding_a_transaction_equals_applying_it_in_order(ops):
    applied: dict = {}
    folded = Folded()
    batch = []
    for key, delete, value in ops:
        image = None if delete else (key, value)
        batch.append(("rental", (key,), image))
        if delete:
            applied.pop((key,), None)
        else:
            applied[(key,)] = image
    folded.add(batch)
    state = {k: v for k, v in folded.rows["rental"].items() if v is not None}
    assert state == applied


def test_snapshot_position_by_lock_matches_mariadbs_snapshot_position(binlog_url):
    db = connect(binlog_url("pos"))
    generate(db, SHORT)
    with snapshot(db) as by_status:
        pass
    with snapshot(db, lock=True) as by_lock:
        pass
    assert by_status == by_lock and by_status[1] > 4
    db.close()


def test_etl_help_names_every_mode():
    r = CliRunner().invoke(etl_cli.main, ["--help"])
    assert r.exit_code == 0
    for mode in ("full", "incremental", "files", "cdc", "--deletes", "--warehouse", "--json"):
        assert mode in r.output


def test_json_summary(tmp_path):
    db = connect(f"sqlite:///{tmp_path}/s.db")
    generate(db, SHORT)
    r = CliRunner().invoke(etl_cli.main, ["--db", f"sqlite:///{tmp_path}/s.db", "--mode", "full", "--json",
                                          "--warehouse", str(tmp_path / "w.duckdb")])
    assert r.exit_code == 0, r.output
    s = json.loads(r.output)
    assert s["rows_read"] == s["rows_written"] > 0 and s["tables"]["rental"]["read"] > 0
    assert s["position"].startswith("watermark ")
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT mode, rows_read FROM etl_run").fetchall() == [("full", s["rows_read"])]
    con.close()
    db.close()



def test_a_first_files_run_that_fails_midway_keeps_what_it_committed(tmp_path, monkeypatch):
    from dvdrental.etl import files
    out = tmp_path / "exports"
    db = connect(f"sqlite:///{tmp_path}/s.db")
    generate(db, SHORT, exports=new_exports(SHORT, out))
    days = sorted(p.name for p in out.iterdir() if p.is_dir())
    (out / days[5] / "manifest.json").write_text("{broken")
    monkeypatch.setattr(files, "FLUSH_ROWS", 1)  # a commit per folder
    wh = tmp_path / "w.duckdb"
    msg = _error(["--mode", "files", "--exports", str(out), "--warehouse", str(wh)])
    assert "no readable manifest.json" in msg
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT value FROM etl_state WHERE name = 'last_export_day'").fetchone()[0] == f'"{days[4]}"'
    con.close()
    db.close()
