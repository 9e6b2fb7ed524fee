"""Late changes: every kind happens and keeps every invariant (the tool's check and an independent one),
ages follow the configured sigmoid, and runs are deterministic however they are split."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator
import incremental_update
from dvdrental.checks.late import change_ages, fit
from dvdrental.checks.validation import validate
from dvdrental.checksum import checksum
from dvdrental.run import Span, advance, generate
from dvdrental.sim.history import window_days
from dvdrental.sim.late import PRIMARY
from dvdrental.storage import connect
from conftest import tiny_config
from helpers import build, realism, violations
from independent import problems

#: Busy enough that 8 weeks of a tiny shop show every kind of change.
RATES = {"return_corrections": 40.0, "payment_corrections": 10.0, "refunds": 10.0, "customer_edits": 20.0,
         "price_changes": 10.0, "account_closures": 10.0, "voided_rentals": 10.0}
EIGHT_WEEKS = tiny_config(simulation={"initial_weeks": 8}, late_changes=RATES)


def kinds_logged(db) -> set[tuple[str, str, str]]:
    return {tuple(r) for r in db.query("SELECT DISTINCT kind, table_name, op FROM sim_change_log")}


def test_eight_weeks_show_every_kind_and_keep_every_invariant(db_url):
    db = build(EIGHT_WEEKS, db_url("late"))
    assert violations(db) == {}
    assert problems(db) == []
    logged = kinds_logged(db)
    for kind, (table, op) in PRIMARY.items():
        assert (kind, table, op) in logged, kind
    ops = {op for _, _, op in logged}
    assert ops == {"I", "U", "D"}
    # the late fee follows a corrected return: changed, added or dropped
    assert {(t, o) for k, t, o in logged if k == "return_correction"} >= {("rental", "U"), ("payment", "U")}
    result = validate(db)
    assert result["ok"], result["failed"]
    ages = realism(result, "late_change_ages")
    assert ages["status"] == "pass", ages


def test_every_change_bumps_last_update_to_its_simulated_time(db_url):
    db = build(EIGHT_WEEKS, db_url("lu"))
    rows = db.query("SELECT l.changed_at, r.last_update FROM sim_change_log l JOIN rental r ON r.rental_id = l.pk1 "
                    "WHERE l.table_name = 'rental' AND l.kind = 'return_correction'")
    assert rows and all(str(a)[:19] <= str(b)[:19] for a, b in rows)
    closed = db.query("SELECT c.active FROM customer c JOIN sim_customer_event e ON e.customer_id = c.customer_id "
                      "WHERE e.event = 'close'")
    assert closed and all(a == 0 for (a,) in closed)
    gone = db.query("SELECT COUNT(*) FROM sim_change_log l JOIN rental r ON r.rental_id = l.pk1 "
                    "WHERE l.table_name = 'rental' AND l.op = 'D'")[0][0]
    assert gone == 0


def test_late_changes_are_off_below_level_4_and_with_the_flag(tmp_path):
    low = build(tiny_config(simulation={"level": 3}), f"sqlite:///{tmp_path}/l3.db")
    assert not [k for k, _, _ in kinds_logged(low) if k in PRIMARY]
    r = CliRunner().invoke(generator.main, ["--db", f"sqlite:///{tmp_path}/off.db", "--no-late-changes", "-q"])
    assert r.exit_code == 0, r.output
    off = connect(f"sqlite:///{tmp_path}/off.db")
    assert not [k for k, _, _ in kinds_logged(off) if k in PRIMARY]
    assert json.loads(off.query("SELECT config FROM sim_state")[0][0])["late_changes"]["enabled"] is False


def test_the_measured_age_follows_the_configured_midpoint(tmp_path):
    fitted = {}
    for mid in (8.0, 40.0):
        cfg = tiny_config(simulation={"initial_weeks": 26},
                          late_changes={**RATES, "midpoint_days": mid, "steepness": 0.25})
        db = build(cfg, f"sqlite:///{tmp_path}/m{int(mid)}.db")
        ages, amax = change_ages(db, db.require_sim_state()["start_date"])
        fitted[mid] = fit(ages, amax, window_days(mid, 0.25), (20.0, 0.2))[0], float(np.median(ages))
        result = validate(db)
        check = realism(result, "late_change_ages")
        assert check["status"] == "pass", check
    # a short midpoint fits within 2.5 days of 8 (seeds 0-7: 6.5 .. 10.6, mean 9.2): few rentals a day old are
    # back yet, so age 1 is short of the sigmoid and the fit's spread is wide; the chi-square check above is
    # exact. The two midpoints must still come out apart and near what was asked.
    assert abs(fitted[8.0][0] - 8.0) < 3.5 and abs(fitted[40.0][0] - 40.0) < 6, fitted
    assert fitted[40.0][1] > 2 * fitted[8.0][1]


def test_a_different_sigmoid_fails_the_age_check(tmp_path):
    """The check can fail: the same changes measured against another midpoint."""
    db = build(tiny_config(simulation={"initial_weeks": 26}, late_changes={**RATES, "midpoint_days": 8.0}),
               f"sqlite:///{tmp_path}/a.db")
    with db.transaction():
        cfg = json.loads(db.query("SELECT config FROM sim_state")[0][0])
        cfg["late_changes"]["midpoint_days"] = 40.0
        db.execute("UPDATE sim_state SET config = ? WHERE id = 1", (json.dumps(cfg),))
    check = realism(validate(db), "late_change_ages")
    assert check["status"] == "fail", check


def test_same_seed_same_database_on_both_engines_and_however_split(tmp_path, mysql_url):
    cfg = tiny_config(simulation={"initial_weeks": 1}, late_changes=RATES)
    lite, mine, split = (connect(u) for u in (f"sqlite:///{tmp_path}/a.db", mysql_url("late"),
                                              f"sqlite:///{tmp_path}/b.db"))
    for db in (lite, mine, split):
        generate(db, cfg)
    advance(lite, Span(weeks=8))
    advance(mine, Span(weeks=8))
    for _ in range(8):
        advance(split, Span(weeks=1))
    assert checksum(lite) == checksum(mine) == checksum(split)
    assert violations(mine) == {}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(midpoint=st.floats(1, 60), steepness=st.floats(0.05, 2), days=st.integers(1, 40),
       seed=st.integers(0, 2**31))
def test_any_sigmoid_keeps_every_invariant(midpoint, steepness, days, seed):
    cfg = tiny_config(simulation={"initial_weeks": 2, "seed": seed},
                      late_changes={**RATES, "midpoint_days": midpoint, "steepness": steepness})
    db = build(cfg, days=14 + days)
    assert violations(db) == {}
    assert problems(db) == []


@pytest.mark.parametrize("changes, message", [
    ({"refunds": -1}, "late_changes.refunds must be >= 0"),
    ({"steepness": 0}, "late_changes.steepness must be >= 0.001"),
    ({"midpoint": 3}, "unknown config key 'late_changes.midpoint'"),
])
def test_a_bad_late_changes_section_is_one_line_and_exit_2(tmp_path, changes, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"late_changes": changes}))
    db = tmp_path / "never.db"
    for command, args in ((generator.main, []), (incremental_update.main, ["1"])):
        r = CliRunner().invoke(command, ["--db", f"sqlite:///{db}", "--config", str(path), *args])
        assert r.exit_code == 2, r.output
        assert message in r.output and "Traceback" not in r.output
        assert not db.exists()


def test_a_database_from_the_previous_version_is_upgraded_and_continues(db_url):
    db = build(tiny_config(), db_url("old"))
    with db.transaction():
        for table in ("sim_change_log", "sim_film_price"):
            db.execute(f"DROP TABLE {table}")
        db.execute("UPDATE sim_state SET schema_version = 1 WHERE id = 1")
    notices = []
    advance(db, Span(weeks=1), on_notice=notices.append)
    assert notices == ["upgraded to schema version 2: created sim_change_log, sim_film_price"]
    assert db.require_sim_state()["schema_version"] == 2
    assert db.query("SELECT COUNT(*) FROM sim_change_log")[0][0] > 0
    assert violations(db) == {}  # the log covers what changed since it began


def test_a_film_is_repriced_at_most_once_a_day():
    """Many price changes on a small catalogue pick the same film twice a day; the price history is
    keyed on (film, time), so a second change in the same second broke the write."""
    cfg = tiny_config(late_changes={"price_changes": 1000.0}, catalog={"films": 5})
    db = build(cfg, days=70)
    per_day = db.query("SELECT film_id, substr(valid_until, 1, 10), COUNT(*) FROM sim_film_price "
                       "GROUP BY 1, 2 HAVING COUNT(*) > 1")
    assert per_day == [] and db.query("SELECT COUNT(*) FROM sim_film_price")[0][0] > 20
    assert violations(db) == {}
