"""validate.py on sharded chains: every store faces the chain's tolerances (checks/stores.py), the chain-level
checks know that each store draws its own spike days, and the chain-100 scenario is a valid chain."""

from __future__ import annotations

import shutil
from dataclasses import asdict

import pytest

from dvdrental.checks import stores
from dvdrental.checks.validation import validate
from dvdrental.config import LOCALES, load_config
from dvdrental.master import run_master
from dvdrental.sim.stores import store_sizes
from dvdrental.storage import connect

from conftest import tiny_config

STORES, WEEKS = 6, 16
#: The per-store checks: each must judge every store of the small chain below.
NAMES = ("store_volume", "store_weekend_share", "store_spikes", "store_spike_size", "store_late_share",
         "store_lost_share", "store_utilisation", "store_new_release_share", "store_baskets", "store_repeat_rentals",
         "store_one_time_renters", "store_rentals_per_customer")


def chain(weeks: int, seed: int = 9):
    """Six small stores (about 45 rentals a week each at the start), long enough for every check: the late
    and lost windows and 90 days of new releases."""
    return tiny_config(simulation={"weeks": weeks, "seed": seed},
                       catalog={"stores": STORES, "films": 120, "cities": 30},
                       customers={"initial": 70 * STORES, "baseline_new_per_week": 1.5 * STORES},
                       demand={"base_weekly_rentals": 45.0 * STORES, "capacity_weekly_rentals": 70.0 * STORES})


@pytest.fixture(scope="module")
def chain_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("chain") / "chain.db"
    with connect(f"sqlite:///{path}") as db:
        run_master(db, chain(WEEKS), reset=True, workers=1)
    return str(path)


def _report(url: str) -> dict[str, stores.Result]:
    with connect(url, create=False) as db:
        return {r.name: r for r in stores.report(db, db.require_sim_state())}


def _copy(chain_db: str, tmp_path) -> str:
    path = tmp_path / "broken.db"
    shutil.copy(chain_db, path)
    return f"sqlite:///{path}"


def test_every_store_of_a_small_chain_passes_and_so_does_the_chain(chain_db):
    got = _report(f"sqlite:///{chain_db}")
    assert set(got) == set(NAMES)
    for name in NAMES:
        r = got[name]
        assert r.status == "pass", (name, r.measured)
        assert len(r.details) == STORES and f"over {STORES} stores" in r.measured, (name, r.measured)
    with connect(f"sqlite:///{chain_db}", create=False) as db:
        out = validate(db)
    assert out["ok"], out["failed"]
    realism = {r["name"]: r for r in out["realism"]}
    # the chain's days show no spike: each store has its own, judged store by store
    assert realism["spike_frequency"]["status"] == "skip" and "store_spikes" in realism["spike_frequency"]["measured"]
    assert realism["late_change_rates"]["status"] == "pass"  # a chain changes no prices late
    assert realism["signups_in_opening_hours"]["status"] == "pass"  # members' ids interleave with new ones


def _store_rentals(store: int, where: str = "1 = 1") -> str:
    """SQL for the ids of one store's rentals."""
    return (f"SELECT r.rental_id FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id "
            f"WHERE i.store_id = {store} AND {where}")


def test_a_store_whose_copies_do_not_come_back_fails_by_name(chain_db, tmp_path):
    url = _copy(chain_db, tmp_path)
    with connect(url, create=False) as db, db.transaction():
        # one returned rental in ten at store 3 never came back: its copy written off at the return
        returned = sorted(r[0] for r in db.query(_store_rentals(3, "r.return_date IS NOT NULL")))
        marks = ", ".join(map(str, returned[::10]))
        db.execute(f"UPDATE inventory SET retired_at = (SELECT MAX(return_date) FROM rental r WHERE "
                   f"r.inventory_id = inventory.inventory_id) WHERE inventory_id IN "
                   f"(SELECT inventory_id FROM rental WHERE rental_id IN ({marks}))")
        db.execute(f"UPDATE rental SET return_date = NULL WHERE rental_id IN ({marks})")
    r = _report(url)["store_lost_share"]
    assert r.status == "fail"
    assert "1 outside: store 3 " in r.measured
    assert [d["store"] for d in r.details if d["status"] == "fail"] == [3]
    assert _report(url)["store_baskets"].status == "pass"


def test_a_store_whose_returns_come_late_fails_by_name(chain_db, tmp_path):
    url = _copy(chain_db, tmp_path)
    with connect(url, create=False) as db, db.transaction():
        db.execute(f"UPDATE rental SET return_date = datetime(return_date, '+1 day') WHERE return_date IS NOT NULL "
                   f"AND rental_id IN ({_store_rentals(5)})")
    got = _report(url)
    assert got["store_late_share"].status == "fail"
    assert "1 outside: store 5 " in got["store_late_share"].measured
    assert got["store_lost_share"].status == "pass"


def test_a_store_whose_customers_come_one_film_at_a_time_fails_baskets(chain_db, tmp_path):
    url = _copy(chain_db, tmp_path)
    with connect(url, create=False) as db, db.transaction():
        # store 2's rentals moved apart, each by 20 minutes more than its predecessor (in the store's own
        # numbering): no two of a visit within ten minutes any more
        db.execute(f"UPDATE rental SET rental_date = datetime(rental_date, '-' || ((rental_id / {STORES}) % 20 * 1200) "
                   f"|| ' seconds') WHERE rental_id IN ({_store_rentals(2)})")
    r = _report(url)["store_baskets"]
    assert r.status == "fail" and "1 outside: store 2 " in r.measured


def test_a_two_store_shop_is_skipped(tmp_path):
    url = f"sqlite:///{tmp_path}/two.db"
    with connect(url) as db:
        run_master(db, tiny_config(simulation={"weeks": 2}), reset=True)
        got = stores.report(db, db.require_sim_state())
    assert [(r.name, r.status) for r in got] == [("stores", "skip")]
    assert "2 store(s)" in got[0].measured


def test_the_chain_100_scenario_is_a_hundred_neighbourhood_stores():
    cfg = load_config(scenario="chain-100")
    cat = cfg.catalog
    assert cfg.sharded and cat.stores == 100 and cfg.simulation.weeks == 52
    assert cat.stores * cat.staff_per_store <= 255 and cat.staff_per_store == 2
    places = cat.store_places
    assert len({p.country for p in places}) >= 5 and len({(p.country, p.city) for p in places}) == len(places)
    assert all(p.locale in LOCALES and len(p.district) <= 20 for p in places)
    assert cat.cities >= 10 * len(places)
    # every store a neighbourhood shop: 80 to 550 rentals a week before seasons and spike days
    size = store_sizes(cfg.simulation.seed, cat.stores, cat.store_size_sigma) / cat.stores
    assert 60 < cfg.demand.base_weekly_rentals * size.min() and cfg.demand.capacity_weekly_rentals * size.max() < 700
    assert 200 <= cfg.demand.capacity_weekly_rentals / cat.stores <= 400
    # as many customers and sign-ups per rental as the default shop
    default = load_config()
    per_rental = lambda c: c.customers.initial / c.demand.base_weekly_rentals  # noqa: E731
    assert per_rental(cfg) == pytest.approx(per_rental(default), rel=0.1)


@pytest.mark.parametrize("engine", ["mysql", "postgresql"])
def test_the_server_engines_measure_each_store_as_sqlite_does(engine, request, chain_db):
    url = request.getfixturevalue("mysql_url" if engine == "mysql" else "pg_url")("stores")
    with connect(url) as db:
        run_master(db, chain(WEEKS), reset=True, workers=2)
    here, there = _report(f"sqlite:///{chain_db}"), _report(url)
    assert {k: asdict(v) for k, v in here.items()} == {k: asdict(v) for k, v in there.items()}
