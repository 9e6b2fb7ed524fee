"""The day-step simulation: timing, weekday profile, volume, determinism, state rebuild."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvdrental.checksum import checksum
from dvdrental.config import load_config
from dvdrental.run import RunSummary, create, load_state, simulate
from dvdrental.sim.demand import Demand
from dvdrental.storage import connect
from helpers import build, violations
from conftest import tiny_config


def _rental_times(db):
    return [dt.datetime.fromisoformat(r[0]) for r in db.query("SELECT rental_date FROM rental")]


def test_default_generator_volume_and_tables():
    db = build(load_config())
    n = db.query("SELECT COUNT(*) FROM rental")[0][0]
    assert 3000 <= n <= 7000
    assert len(db.table_names() & {"actor", "address", "category", "city", "country", "customer", "film",
                                   "film_actor", "film_category", "film_text", "inventory", "language",
                                   "payment", "rental", "staff", "store"}) == 16
    assert db.query("SELECT COUNT(*) FROM film_text")[0][0] == db.query("SELECT COUNT(*) FROM film")[0][0] > 100


def test_rentals_inside_opening_hours_with_two_rush_peaks():
    cfg = load_config()
    times = _rental_times(build(cfg))
    hours = np.array([t.hour + t.minute / 60 for t in times])
    assert hours.min() >= cfg.demand.open_hour and hours.max() < cfg.demand.close_hour
    hist = np.histogram(hours, bins=np.arange(10, 23))[0]
    # peaks at the configured rush hours, a dip between them
    assert hist[13 - 10] > hist[16 - 10] < hist[19 - 10]
    assert hist.argmax() in (8, 9)  # 18:00-20:00, the evening rush is the heavier one


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_friday_and_saturday_are_busiest(seed):
    # without spike days: one spike on a Sunday outweighs half a year of the profile's difference
    db = build(load_config().override({"simulation": {"seed": seed, "initial_weeks": 26},
                                       "demand": {"spike_probability": 0.0}}))
    counts = np.bincount([t.weekday() for t in _rental_times(db)], minlength=7)
    assert set(np.argsort(counts)[-2:]) == {4, 5}


def test_weekly_counts_follow_configured_volume_within_poisson_noise():
    # ample stock, no spikes, no growth, no season: weekly rentals ~ Poisson(base)
    base = 400.0
    cfg = tiny_config(
        simulation={"initial_weeks": 20, "level": 1},
        demand={"base_weekly_rentals": base, "capacity_weekly_rentals": base, "spike_probability": 0.0},
        catalog={"copies_per_film": {"min": 40, "max": 40}},
        # customers of a 30-film catalogue would soon have seen every film: here they may rent one again
        customers={"initial": 2000, "rewatch_chance": 1.0},
    )
    db = build(cfg)
    rows = db.query("SELECT day, rentals, lost_demand, expected FROM sim_day ORDER BY day")
    # all the films a customer considers out or already in their basket: rare even with ample stock
    # (the hits of a 30-film catalogue, in baskets of up to five)
    assert sum(r[2] for r in rows) <= 0.005 * sum(r[1] for r in rows)
    weekly = np.array([sum(r[1] for r in rows[i:i + 7]) for i in range(0, len(rows), 7)])
    expected = np.array([sum(float(r[3]) for r in rows[i:i + 7]) for i in range(0, len(rows), 7)])
    assert np.allclose(expected, base, rtol=1e-6)
    z = (weekly - base) / np.sqrt(base)
    assert np.all(np.abs(z) < 4), z
    assert abs(weekly.mean() - base) < 3 * np.sqrt(base / len(weekly))


def test_growth_is_logistic_and_saturates():
    cfg = load_config().demand
    d = Demand.build(cfg, load_config().seasonality, 0)
    early = d.trend(7) / d.trend(0) - 1
    assert early == pytest.approx(cfg.growth_rate, rel=0.05)
    assert d.trend(7 * 520) == pytest.approx(cfg.capacity_weekly_rentals, rel=0.01)
    assert d.trend(7 * 5200) <= cfg.capacity_weekly_rentals


def test_weekday_shift_moves_weekend_volume_to_weekdays():
    cfg = load_config()
    d = Demand.build(cfg.demand, cfg.seasonality, 0)
    young, mature = d.weekday_shares(0), d.weekday_shares(7 * 520)
    assert young.sum() == pytest.approx(1) and mature.sum() == pytest.approx(1)
    assert mature[4:].sum() < young[4:].sum() and mature[:4].sum() > young[:4].sum()
    assert mature[5] == mature.max()  # Saturday stays the busiest


def test_same_seed_same_database_different_seed_different():
    a = checksum(build(tiny_config()))
    b = checksum(build(tiny_config()))
    c = checksum(build(tiny_config(simulation={"seed": 8})))
    assert a == b != c


def test_customers_churn_and_come_back():
    db = build(load_config().override({"simulation": {"initial_weeks": 40, "level": 2},
                                       "catalog": {"copies_per_film": {"min": 4, "max": 8}}}))
    churned = db.query("SELECT COUNT(*) FROM sim_customer_event WHERE event = 'churn'")[0][0]
    back = db.query("SELECT COUNT(*) FROM sim_customer_event WHERE event = 'reactivate'")[0][0]
    inactive = db.query("SELECT COUNT(*) FROM customer WHERE active = 0")[0][0]
    assert churned > 0 and back > 0
    assert inactive == churned - back  # every flip is logged, none lost
    # a reactivated customer rents again on the day they come back (stock permitting)
    rented = db.query("""
        SELECT COUNT(*) FROM sim_customer_event e
        WHERE e.event = 'reactivate' AND EXISTS (
          SELECT 1 FROM rental r WHERE r.customer_id = e.customer_id AND r.rental_date >= e.event_date
             AND substr(r.rental_date, 1, 10) = substr(e.event_date, 1, 10))""")[0][0]
    assert rented >= 0.8 * back


def test_newer_copies_are_rented_first():
    db = build(load_config().override({"simulation": {"initial_weeks": 8},
                                       "catalog": {"copies_per_film": {"min": 4, "max": 4}}}))
    # within a film and store, the highest inventory_id (newest, all created together) rents most
    rows = db.query("""
        SELECT i.film_id, i.store_id, i.inventory_id, COUNT(r.rental_id)
        FROM inventory i LEFT JOIN rental r ON r.inventory_id = i.inventory_id
        GROUP BY i.film_id, i.store_id, i.inventory_id ORDER BY i.film_id, i.store_id, i.inventory_id""")
    first, last = 0, 0
    for k in range(0, len(rows), 4):
        group = rows[k:k + 4]
        first += group[0][3]
        last += group[-1][3]
    assert last > first


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), days=st.integers(1, 60), split=st.integers(1, 59))
def test_state_rebuilt_from_database_equals_state_in_memory(seed, days, split):
    cfg = tiny_config(simulation={"seed": seed}, customers={"initial": 30})
    db = connect("sqlite:///:memory:")
    model, state = create(db, cfg)
    for stop in sorted({min(split, days), days}):
        simulate(db, model, state, model.start_day - 1 + stop, RunSummary())
        assert state.fingerprint() == load_state(db, model).fingerprint()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**63 - 1), films=st.integers(1, 25), stores=st.integers(1, 3),
       staff=st.integers(1, 3), copies=st.integers(0, 3), customers=st.integers(1, 60),
       weeks=st.integers(1, 6), level=st.integers(1, 4), spike=st.floats(0, 0.5),
       lost=st.floats(0, 0.2), late=st.floats(0, 0.5), start=st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))
def test_every_invariant_holds_for_any_small_config(seed, films, stores, staff, copies, customers, weeks,
                                                     level, spike, lost, late, start):
    cfg = tiny_config(
        simulation={"seed": seed, "initial_weeks": weeks, "level": level, "start_date": start.isoformat()},
        catalog={"films": films, "stores": stores, "staff_per_store": staff, "actors": 10,
                 "actors_per_film_min": 1, "actors_per_film_max": 3,
                 "copies_per_film": {"min": 0, "max": copies}},
        customers={"initial": customers},
        demand={"spike_probability": spike},
        returns={"lost_share": lost, "late_share": late, "early_share": 0.2, "lost_grace_days": 3},
    )
    db = build(cfg)
    assert violations(db) == {}


#: Words a title in Sakila's style never holds (articles, pronouns, prepositions, auxiliaries).
FUNCTION_WORDS = {"A", "AN", "THE", "HE", "SHE", "IT", "WE", "YOU", "THEY", "I", "ME", "HIM", "HER", "US",
                  "THEM", "WHO", "WHOSE", "WHOM", "WHICH", "THAT", "THIS", "THESE", "THOSE", "OF", "IN", "ON",
                  "AT", "TO", "FOR", "WITH", "BY", "FROM", "AND", "OR", "BUT", "IS", "ARE", "WAS", "BE",
                  "HAVE", "HAS", "DO", "DOES", "WILL", "WOULD", "CAN", "COULD", "SHOULD", "MAY", "MIGHT",
                  "NOT", "NO", "SO", "IF", "THAN", "THEN", "YOUR", "MY", "OUR", "THEIR", "ITS", "HIS"}


def test_titles_read_like_sakilas():
    """A thousand films (Sakila's catalogue size) and a decade of releases: two words each, an adjective
    or noun then a noun, unique, and never a function word or pronoun ("HE PASS", "REDUCE WHOSE")."""
    from dvdrental.sim.basedata import make_base
    from dvdrental.sim.titles import ADJECTIVES, NOUNS
    cfg = load_config().override({"catalog": {"films": 1000, "actors": 200}})
    base = [row[1] for row in make_base(cfg, 7).rows["film"]]
    db = build(tiny_config(film_releases={"films_per_month": 20.0}), days=364)
    released = [t for (t,) in db.query("SELECT title FROM film")]
    assert len(set(base)) == len(base) == 1000 and len(set(released)) == len(released) > 200
    for title in base + released:
        first, second = title.split(" ")
        assert first in ADJECTIVES or first in NOUNS, title
        assert second in NOUNS and not {first, second} & FUNCTION_WORDS, title
