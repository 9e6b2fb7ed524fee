"""etl.py --mode cdc from PostgreSQL: logical decoding from a replication slot follows a source through
late changes, moved keys, TOASTed values and kills, and refuses a server or user that cannot do it.

The source runs on a PostgreSQL server of the tests' own with wal_level=logical (tests/servers.py
OwnPostgres); the machine's server (wal_level=replica) is the one CDC must refuse."""

from __future__ import annotations

import json
import random
import string
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import etl as etl_cli
import validate as validate_cli
from dvdrental.etl.cdc import logical
from dvdrental.etl.compare import compare
from dvdrental.etl.run import EtlOptions, run_etl
from dvdrental.run import Span, advance, generate
from dvdrental.storage import connect
from dvdrental.storage.tables import SAKILA_TABLES
from conftest import tiny_config
from helpers import kill_at_random, timed_run
from test_etl import CFG, SHORT, independent_equal

def cdc(wh: Path, db):
    return run_etl(EtlOptions(mode="cdc", warehouse=wh), db)


def slot_state(wh: Path) -> list:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return json.loads(con.execute("SELECT value FROM etl_state WHERE name = 'slot'").fetchone()[0])
    finally:
        con.close()


def confirmed(db, slot: str) -> str:
    return db.query("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", (slot,))[0][0]


def _error(args: list[str]) -> str:
    r = CliRunner().invoke(etl_cli.main, args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) <= 2, r.output
    return r.output


# ---- the must-show: 21 days of late changes ----------------------------------------------------

def test_cdc_follows_21_days_of_late_changes_to_equal(logical_url, tmp_path):
    url = logical_url("src")
    db = connect(url)
    generate(db, CFG)
    wh = tmp_path / "cdc.duckdb"
    first = cdc(wh, db)
    assert first.position.startswith("slot dvdrental_etl_")
    slot = slot_state(wh)[0]
    published = {r[0] for r in db.query("SELECT tablename FROM pg_publication_tables WHERE pubname = ?",
                                        (logical.PUBLICATION,))}
    assert published == {t.name for t in SAKILA_TABLES}
    identities = dict(db.query("SELECT relname, relreplident FROM pg_class WHERE relname = ANY(?)",
                               ([t.name for t in SAKILA_TABLES],)))
    assert set(identities.values()) == {"f"}, identities
    for step in range(7):  # 21 days, read every third day
        advance(db, Span(days=3))
        summary = cdc(wh, db)
        assert summary.rows_read > 0, step
        assert confirmed(db, slot) == slot_state(wh)[1]  # the slot moves with the warehouse
    deletes = db.query("SELECT table_name, COUNT(*) FROM sim_change_log WHERE op = 'D' AND kind <> 'base' "
                       "GROUP BY table_name")
    assert {t for t, _ in deletes} >= {"rental", "payment"}, deletes
    assert compare(db, wh)["ok"]
    assert independent_equal(db, wh)
    r = CliRunner().invoke(validate_cli.main, ["--db", url, "--warehouse", str(wh)])
    assert r.exit_code == 0, r.output
    # nothing new: a run reads nothing and leaves the slot where it was
    at = confirmed(db, slot)
    assert cdc(wh, db).rows_read == 0 and confirmed(db, slot) == at
    db.close()


def test_moved_keys_toasted_values_and_hand_deletes(logical_url, tmp_path):
    """What the simulation never does but a person at the source might: an actor's id changed (cascading
    to film_actor), a description too long to stay in the row, then an update that leaves it alone
    (pgoutput leaves such a value out; the FULL old row has it), and deletes."""
    db = connect(logical_url("hand"))
    generate(db, SHORT)
    wh = tmp_path / "w.duckdb"
    cdc(wh, db)
    rnd = random.Random(5)
    long_text = "".join(rnd.choice(string.ascii_letters) for _ in range(20_000))
    db.execute("UPDATE actor SET actor_id = 9001 WHERE actor_id = 1")
    db.execute("UPDATE film SET description = ? WHERE film_id = 2", (long_text,))
    cdc(wh, db)
    db.execute("UPDATE film SET rental_rate = 1.99 WHERE film_id = 2")
    db.execute("DELETE FROM film_actor WHERE actor_id = 9001")
    db.execute("DELETE FROM actor WHERE actor_id = 9001")
    db.execute("INSERT INTO actor (actor_id, first_name, last_name, last_update) "
               "VALUES (1, 'NEW', 'ACTOR', '2020-01-01')")
    summary = cdc(wh, db)
    assert summary.tables["film_actor"]["deleted"] > 0 and summary.tables["film"]["written"] == 1
    assert compare(db, wh)["ok"]
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT description, rental_rate FROM film WHERE film_id = 2").fetchone() == (
        long_text, Decimal("1.99"))
    assert con.execute("SELECT first_name FROM actor WHERE actor_id = 1").fetchone() == ("NEW",)
    con.close()
    db.close()


# ---- restartable ---------------------------------------------------------------------------------------

def test_a_run_stopped_between_warehouse_and_slot_carries_on(logical_url, tmp_path, monkeypatch):
    db = connect(logical_url("gap"))
    generate(db, SHORT)
    wh = tmp_path / "w.duckdb"
    cdc(wh, db)
    slot = slot_state(wh)[0]
    advance(db, Span(days=3))
    real = logical._commit

    def warehouse_only(ctx, folded, slot, lsn):
        logical.apply(ctx, folded, slot=[slot, logical.pgoutput.lsn_text(lsn)])
        raise KeyboardInterrupt  # killed before the slot moved
    monkeypatch.setattr(logical, "_commit", warehouse_only)
    with pytest.raises(KeyboardInterrupt):
        cdc(wh, db)
    assert confirmed(db, slot) != slot_state(wh)[1]
    monkeypatch.setattr(logical, "_commit", real)
    advance(db, Span(days=2))
    cdc(wh, db)
    assert confirmed(db, slot) == slot_state(wh)[1]
    assert compare(db, wh)["ok"] and independent_equal(db, wh)
    db.close()


@pytest.mark.slow
def test_a_killed_cdc_run_resumes_to_the_same_warehouse(logical_url, tmp_path):
    url = logical_url("kill")
    cfg = tiny_config(simulation={"initial_weeks": 2}, catalog={"films": 200, "actors": 100},
                      customers={"initial": 600}, demand={"base_weekly_rentals": 900.0,
                                                          "capacity_weekly_rentals": 1500.0})
    db = connect(url)
    generate(db, cfg)
    yardstick, wh = tmp_path / "yardstick.duckdb", tmp_path / "w.duckdb"
    cdc(yardstick, db)
    cdc(wh, db)
    advance(db, Span(weeks=8))
    args = [sys.executable, "etl.py", "--db", url, "--mode", "cdc", "-q"]
    took = timed_run(args + ["--warehouse", str(yardstick)])
    kills = kill_at_random(args + ["--warehouse", str(wh)], seed=3, tries=4, low=0.45 * took, high=0.9 * took)
    assert kills >= 1, "the run finished before any kill: make the source bigger"
    r = CliRunner().invoke(etl_cli.main, ["--db", url, "--mode", "cdc", "-q", "--warehouse", str(wh)])
    assert r.exit_code == 0, r.output
    assert compare(db, wh)["ok"]
    db.close()


# ---- refused: one line, exit 2 -------------------------------------------------------------------------

def test_a_server_without_logical_decoding_is_refused(pg_url, tmp_path):
    url = pg_url("nolog")
    db = connect(url)
    generate(db, SHORT)
    level = db.query("SHOW wal_level")[0][0]
    if level == "logical":
        pytest.fail("the machine's server was expected to run with wal_level below logical")
    wh = tmp_path / "w.duckdb"
    out = _error(["--db", url, "--mode", "cdc", "--warehouse", str(wh)])
    assert f"wal_level is {level}, CDC needs wal_level = logical" in out and "ALTER SYSTEM" in out
    assert not wh.exists()
    db.close()


def test_a_user_without_replication_and_a_lost_slot_are_refused(logical_url, tmp_path):
    url = logical_url("refuse")
    db = connect(url)
    generate(db, SHORT)
    db.execute("CREATE ROLE etl_reader LOGIN")  # may read everything, but not replicate
    db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO etl_reader")
    reader_url = url.replace("postgres@", "etl_reader@")
    wh = tmp_path / "w.duckdb"
    out = _error(["--db", reader_url, "--mode", "cdc", "--warehouse", str(wh)])
    assert "user etl_reader may not use replication slots" in out and "ALTER ROLE etl_reader REPLICATION" in out
    assert not wh.exists()
    cdc(wh, db)
    slot = slot_state(wh)[0]
    db.execute("SELECT pg_drop_replication_slot(?)", (slot,))
    before = wh.read_bytes()
    out = _error(["--db", url, "--mode", "cdc", "--warehouse", str(wh)])
    assert f"the replication slot {slot} the warehouse follows is gone" in out and "rebuild" in out
    db.execute("SELECT pg_create_logical_replication_slot(?, 'test_decoding')", (slot,))  # someone else's
    out = _error(["--db", url, "--mode", "cdc", "--warehouse", str(wh)])
    assert f"the replication slot {slot} decodes with test_decoding" in out
    db.execute("SELECT pg_drop_replication_slot(?)", (slot,))
    assert wh.read_bytes() == before
    db.close()
