"""One policy for late and lost copies, and returns over the day (issue 12): the simulation keeps them and
validate.py catches a database that does not (late fees above the replacement cost, returns spread flat
over the day, a return after the write-off point)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from dvdrental.checks.validation import validate
from dvdrental.config import load_config
from dvdrental.sim.calendar import DAY, parse_ts
from dvdrental.sim.returns import late_fee, plan_returns, seconds_of_day
from dvdrental.storage import connect
from conftest import tiny_config
from helpers import build, realism

#: Busy enough for 1,000+ returns; a heavy late tail and frequent price changes, so that many late fees
#: are capped, some at a replacement cost that changed after the rental.
CFG = tiny_config(simulation={"initial_weeks": 10, "level": 4},
                  catalog={"films": 200}, customers={"initial": 300},  # enough films not yet seen
                  demand={"base_weekly_rentals": 300.0, "capacity_weekly_rentals": 400.0},
                  returns={"late_share": 0.4, "late_tail": 0.7, "lost_share": 0.02, "lost_grace_days": 20,
                           "late_fee_per_day": 3.0},
                  late_changes={"price_changes": 40.0, "return_corrections": 40.0, "change_log": False})


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    path = tmp_path_factory.mktemp("returns") / "shop.db"
    build(CFG, f"sqlite:///{path}").close()
    return path


def copy_of(shop, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(shop, path)
    return connect(f"sqlite:///{path}", create=False)


def test_the_policy_holds_and_validate_passes(db_url):
    db = build(CFG, db_url("policy"))
    result = validate(db)
    assert result["ok"], result["failed"]
    cap = realism(result, "late_fee_cap")
    assert cap["status"] == "pass" and cap["details"][0]["capped"] >= 10, cap  # the cap is exercised
    assert realism(result, "return_times")["status"] == "pass"
    days = db.days_between("r.return_date", "r.rental_date")
    latest = db.query(f"SELECT MAX({days} - CAST(f.rental_duration AS SIGNED)) FROM rental r JOIN inventory i ON "
                      "i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id "
                      "WHERE r.return_date IS NOT NULL")[0][0]
    assert latest == CFG.returns.latest_late_days == 19  # the tail reaches the day before the write-off


def test_a_late_fee_above_the_replacement_cost_fails(shop, tmp_path):
    db = copy_of(shop, tmp_path)
    with db.transaction():
        db.execute("""UPDATE payment SET amount = (SELECT f.replacement_cost + 5 FROM rental r
                        JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id
                        WHERE r.rental_id = payment.rental_id)
                      WHERE payment_id = (SELECT MIN(p.payment_id) FROM payment p JOIN rental r
                        ON r.rental_id = p.rental_id WHERE p.payment_date = r.return_date)""")
    result = validate(db)
    assert realism(result, "late_fee_cap")["status"] == "fail"
    assert "payment_rules" in result["failed"]  # the invariant holds fees to the exact capped amount


def test_returns_spread_flat_over_the_day_fail(shop, tmp_path):
    db = copy_of(shop, tmp_path)
    d = CFG.demand
    span = int((d.close_hour - d.open_hour) * 3600)
    with db.transaction():  # every return at an even spread of opening hours (rental_id picks the second)
        db.execute(f"UPDATE rental SET return_date = datetime(date(return_date), "
                   f"'+' || ({int(d.open_hour * 3600)} + (rental_id * 7919) % {span}) || ' seconds') "
                   "WHERE return_date IS NOT NULL")
    result = validate(db)
    times = realism(result, "return_times")
    assert times["status"] == "fail", times
    assert realism(validate(connect(f"sqlite:///{shop}", create=False)), "return_times")["status"] == "pass"


def test_a_return_after_the_write_off_point_fails(shop, tmp_path):
    db = copy_of(shop, tmp_path)
    rid = db.query("SELECT MIN(rental_id) FROM rental WHERE return_date IS NOT NULL")[0][0]
    with db.transaction():
        db.execute("UPDATE rental SET return_date = datetime(rental_date, '+60 days') WHERE rental_id = ?", (rid,))
    result = validate(db)
    assert "returned_before_write_off" in result["failed"]


def test_return_times_follow_the_rush_profile():
    """The plan's time of day is the rentals' intraday mixture: most returns in the busiest hours, none
    outside opening hours, and still a pure function of (seed, rental_id)."""
    cfg = load_config()
    d = cfg.demand
    ids = np.arange(1, 200_001)
    rented = np.full(len(ids), 12_000 * DAY + 15 * 3600)
    when, lost = plan_returns(7, cfg.returns, d, ids, rented, np.full(len(ids), 3))
    secs = when % DAY
    assert secs.min() >= d.open_hour * 3600 and secs.max() < d.close_hour * 3600
    hours = secs // 3600
    rush = np.isin(hours, [17, 18, 19, 20]).mean()
    assert 0.55 < rush < 0.62  # a flat spread would put a third there
    # the same draw as the rentals' own sampler, in distribution
    from dvdrental.sim.demand import Demand
    from dvdrental.sim.rng import day_rng
    from dvdrental.sim.calendar import day_number
    demand = Demand.build(d, cfg.seasonality, day_number(cfg.simulation.start_date))
    rentals = demand.draw_seconds(day_rng(7, "demand", 1), len(ids)) // 3600
    for h in range(int(d.open_hour), int(d.close_hour)):
        assert abs((hours == h).mean() - (rentals == h).mean()) < 0.005, h
    again, _ = plan_returns(7, cfg.returns, d, ids[::-1], rented, np.full(len(ids), 3))
    assert np.array_equal(again[::-1], when)
    assert np.array_equal(seconds_of_day(d, np.array([0.0, 1 - 1e-16])),
                          [int(d.open_hour * 3600), int(d.close_hour * 3600) - 1])


def test_late_returns_never_reach_the_write_off_and_keep_the_late_share():
    cfg = load_config()
    r = cfg.returns
    ids = np.arange(1, 400_001)
    rented = (12_000 + ids % 7) * DAY + 15 * 3600
    when, lost = plan_returns(7, r, cfg.demand, ids, rented, np.full(len(ids), 3))
    late = (when // DAY - rented // DAY - 3)[~lost]
    assert late.max() == r.latest_late_days < r.lost_grace_days
    assert abs((late > 0).mean() - r.late_share / (1 - r.lost_share)) < 0.005
    # a shorter grace period shortens the tail with it: never a return on or after the write-off day
    short = r.__class__(**{**r.__dict__, "lost_grace_days": 5})
    when, lost = plan_returns(7, short, cfg.demand, ids, rented, np.full(len(ids), 3))
    assert (when // DAY - rented // DAY - 3)[~lost].max() == 4


def test_late_fee_is_capped_at_the_replacement_cost():
    assert late_fee(0, 100, 999) == 0
    assert late_fee(3, 100, 999) == 300
    assert late_fee(25, 100, 999) == 999
    assert late_fee(5, 0, 999) == 0


def test_a_rebuilt_state_knows_the_prices_of_the_window(shop):
    """Return corrections cap the fee at the replacement cost in force at the corrected return, so the
    state rebuilt from the database keeps the window's price history exactly as the running one."""
    from dvdrental.sim.state import Model, SimState
    from dvdrental.storage.snapshot import read_snapshot
    with connect(f"sqlite:///{shop}", create=False) as db:
        st = db.require_sim_state()
        model = Model.build(CFG)
        state = SimState.from_snapshot(read_snapshot(db, st, model.window), model)
        prices = db.query("SELECT film_id, valid_until, replacement_cost FROM sim_film_price")
    assert prices and state.history.prices
    kept = {(f, until) for f, items in state.history.prices.items() for until, _ in items}
    first = (st["last_day"] + 1 - model.window) * DAY
    assert kept == {(f, parse_ts(u)) for f, u, _ in prices if parse_ts(u) >= first}
