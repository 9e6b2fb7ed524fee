"""The catalogue a store carried: weekly releases in depth at a higher price, purchasing by expected
demand within a budget, and the sell-off of copies as films age (docs/simulation.md)."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from dvdrental.run import build_model, load_state
from dvdrental.sim.calendar import DAY
from dvdrental.sim.events import DayEvents, DayStats
from dvdrental.sim.restock import LAUNCH_DAYS, SELL_AFTER_DAYS, copies_needed, purchase, sell_off, store_shares
from helpers import build, violations
from conftest import tiny_config

WEEKS = 20


def _db(weeks: int = WEEKS, **sections):
    cfg = tiny_config(**sections)
    return cfg, build(cfg, days=7 * weeks)


def _state(db):
    st = db.require_sim_state()
    from dvdrental.config import effective, stored
    model = build_model(effective(stored(st)), st["seed"])
    return model, load_state(db, model, st)


def test_initial_catalogue_is_stocked_by_expected_demand():
    cfg = tiny_config(catalog={"films": 400, "copies_per_film": {"min": 1, "max": 3}})
    db = build(cfg, days=0)
    per_film = db.query("SELECT film_id, store_id, COUNT(*) FROM inventory GROUP BY film_id, store_id")
    copies = np.array([n for _, _, n in per_film])
    assert len(per_film) == 400 * 2  # every film at every store
    assert copies.min() >= 1 and copies.max() <= 3 and (copies > 1).any()
    model, state = _state(db)
    pop = state.films.popularity(state.day + 1)
    owned = state.stock.owned[1, :len(pop)]
    top, bottom = np.argsort(-pop)[:20], np.argsort(pop)[-100:]
    bottom = bottom[pop[bottom] > 0]
    assert owned[top].mean() > owned[bottom].mean()


def test_weekly_releases_come_in_depth_at_the_new_release_price():
    cfg, db = _db()
    rows = db.query("""SELECT f.film_id, f.rental_rate, f.rental_duration, MIN(i.created_at), COUNT(*)
                       FROM film f JOIN inventory i ON i.film_id = f.film_id
                       WHERE f.film_id > 30 GROUP BY f.film_id, f.rental_rate, f.rental_duration""")
    assert len(rows) >= WEEKS  # about 2.8 a week
    fr = cfg.film_releases
    changed = {r[0] for r in db.query("SELECT film_id FROM sim_film_price")}
    for film, rate, days, _, _ in rows:
        if film not in changed:
            assert float(rate) == fr.rental_rate and days == fr.rental_duration
    launch = db.query("""SELECT i.film_id, i.store_id, COUNT(*) FROM inventory i
                         JOIN (SELECT film_id, MIN(created_at) AS c FROM inventory GROUP BY film_id) m
                           ON m.film_id = i.film_id AND i.created_at = m.c
                         WHERE i.film_id > 30 GROUP BY i.film_id, i.store_id""")
    depth = np.array([n for _, _, n in launch])
    assert depth.min() >= fr.copies_per_store.min and depth.max() <= fr.copies_per_store.max
    assert depth.mean() > fr.copies_per_store.min  # bought by demand, not at the floor
    assert not violations(db)


def test_releases_arrive_on_the_release_weekday_every_week():
    cfg, db = _db()
    days = {r[0] for r in db.query("""SELECT DISTINCT SUBSTR(created_at, 1, 10) FROM inventory i
                                      JOIN film f ON f.film_id = i.film_id
                                      WHERE f.film_id > 30 AND i.created_at = f.last_update""")}
    import datetime as dt
    assert {dt.date.fromisoformat(d).weekday() for d in days} == {cfg.film_releases.release_weekday}
    assert len(days) >= WEEKS - 3


def test_demand_purchase_buys_the_largest_shortfalls_within_the_budget():
    cfg, db = _db()
    model, state = _state(db)
    day = state.day + 1
    plan = purchase(state, model, day, "demand", 5)
    per_store = {s: sum(1 for st, _ in plan if st == s) for s in state.stores}
    assert all(n <= 5 for n in per_store.values())
    f = state.films
    for store, film in plan:
        assert day - f.release_day[film] >= LAUNCH_DAYS  # a launch is bought as a whole
    # with no budget limit the store ends at the need, never above it
    full = purchase(state, model, day, "demand", 10_000)
    pop = f.popularity(day + 3)
    shares = dict(zip(state.stores, store_shares(state)))
    for store in state.stores:
        want = np.ceil(copies_needed(f, pop, model.demand.weekly_expected(day + 3), shares[store],
                                     cfg.inventory_schedule.target_utilisation) - 1e-9)
        bought = np.bincount([fl for s, fl in full if s == store], minlength=len(pop))
        owned = state.stock.owned[store, :len(pop)]
        settled = day - f.release_day[:len(pop)] >= LAUNCH_DAYS
        assert np.all((owned + bought)[settled & (bought > 0)] == want[settled & (bought > 0)])


def test_sell_off_thins_aged_films_from_the_shelf_and_keeps_the_back_catalogue():
    cfg, db = _db(weeks=30)
    model, state = _state(db)
    day = state.day + 1
    # make every copy look surplus: the need of a film falls to nothing once demand collapses
    from dataclasses import replace
    model = replace(model, demand=replace(model.demand, cfg=replace(model.demand.cfg, base_weekly_rentals=0.01,
                                                                     capacity_weekly_rentals=0.01)))
    before = state.stock.owned.copy()
    out = {r.inventory_id for r in state.open.values()}
    ev = DayEvents(day, stats=DayStats(day))
    sell_off(state, model, day, ev)
    sold = [inv for inv, _ in ev.retirements]
    assert sold and not set(sold) & out  # only copies on the shelf
    f, stock = state.films, state.stock
    for inv in sold:
        film = int(stock.film[inv])
        assert day - f.release_day[film] >= SELL_AFTER_DAYS
    keep = cfg.inventory_schedule.keep_copies
    after = stock.owned
    changed = np.argwhere(after != before)
    assert all(after[s, film] >= keep for s, film in changed)
    assert all(ts == ev.retirements[0][1] and ts % DAY < cfg.demand.open_hour * 3600 for _, ts in ev.retirements)


def test_stock_follows_the_season_and_little_demand_is_lost():
    cfg, db = _db(weeks=52, simulation={"start_date": "2002-01-07"})
    live = dict(db.query("""SELECT m, COUNT(*) FROM (
                              SELECT i.inventory_id, d.m FROM inventory i
                              JOIN (SELECT '2002-02-25' AS m UNION ALL SELECT '2002-07-29') d
                                ON i.created_at <= d.m AND (i.retired_at IS NULL OR i.retired_at > d.m)) x
                            GROUP BY m"""))
    assert live["2002-07-29"] > live["2002-02-25"]  # bought for the summer
    rentals = db.query("SELECT COUNT(*) FROM rental")[0][0]
    lost = db.query("SELECT SUM(lost_demand) FROM sim_day")[0][0]
    assert lost / (rentals + lost) < 0.05
    assert db.query("SELECT COUNT(*) FROM inventory WHERE retired_at IS NOT NULL")[0][0] > 0
    assert not violations(db)


def test_inventory_manager_buys_by_demand(tmp_path):
    import inventory_manager
    # a weekly budget of one copy leaves shortfalls for the purchase by hand to fill
    cfg = tiny_config(inventory_schedule={"amount": 1.0})
    url = f"sqlite:///{tmp_path / 'im.db'}"
    build(cfg, url, days=7 * 8).close()
    res = CliRunner().invoke(inventory_manager.main, ["add", "--db", url, "--strategy", "demand", "--amount",
                                                      "10000"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("added "), res.output
    res = CliRunner().invoke(inventory_manager.main, ["add", "--db", url, "--strategy", "demand", "--amount",
                                                      "10000"])
    assert res.exit_code == 0 and "nothing to buy" in res.output  # the need is met
