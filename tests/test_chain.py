"""Sharded chains: every store on its own, the same database whatever the workers or the split."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dvdrental.checksum import checksum, table_digests
from dvdrental.config import Config
from dvdrental.master import run_master
from dvdrental.run import Span, advance
from dvdrental.sim.ids import StoreIds, chain_counters
from dvdrental.sim.stores import store_sizes
from dvdrental.storage import connect

from conftest import tiny_config
from helpers import violations


def chain(stores: int, weeks: int, weekly_per_store: float = 30.0, **sections) -> Config:
    """A chain of small stores: `weekly_per_store` rentals a week each at the start."""
    return tiny_config(**{
        "simulation": {"weeks": weeks, "seed": 11},
        "catalog": {"stores": stores, "films": 60, "cities": 40},
        "customers": {"initial": 25 * stores},
        "demand": {"base_weekly_rentals": weekly_per_store * stores,
                   "capacity_weekly_rentals": 1.6 * weekly_per_store * stores},
        **sections})


def build(url: str, cfg: Config, workers: int) -> str:
    with connect(url) as db:
        run_master(db, cfg, reset=True, workers=workers)
        return checksum(db)


@pytest.mark.slow
def test_a_20_store_year_is_the_same_for_1_2_and_4_workers_and_dask(tmp_path):
    from dvdrental.lake import build_lake, load_lake
    cfg = chain(20, 52, weekly_per_store=12.0, late_changes={"change_log": False})  # a lake keeps no change log
    sums = {w: build(f"sqlite:///{tmp_path}/w{w}.db", cfg, w) for w in (1, 2, 4)}
    assert sums[1] == sums[2] == sums[4]
    build_lake(cfg, str(tmp_path / "lake"), workers=2)  # a local Dask cluster of 2 workers
    with connect(f"sqlite:///{tmp_path}/lake.db") as db:
        load_lake(str(tmp_path / "lake"), db)
        assert checksum(db) == sums[1]
    with connect(f"sqlite:///{tmp_path}/w1.db") as db:
        rentals = db.query("SELECT COUNT(*), COUNT(DISTINCT i.store_id) FROM rental r "
                           "JOIN inventory i ON i.inventory_id = r.inventory_id")[0]
        assert rentals[0] > 8_000 and rentals[1] == 20
        assert violations(db) == {}


def test_a_split_run_equals_one_run_whatever_the_workers(tmp_path):
    cfg = chain(6, 8)
    whole = build(f"sqlite:///{tmp_path}/whole.db", cfg, 2)
    with connect(f"sqlite:///{tmp_path}/split.db") as db:
        run_master(db, cfg.override({"simulation": {"weeks": 3}}), workers=1)
        advance(db, Span(days=11), workers=3)
        advance(db, Span(days=24), workers=2)
        assert table_digests(db) == table_digests(connect(f"sqlite:///{tmp_path}/whole.db"))
        assert checksum(db) == whole


def test_every_engine_holds_the_same_chain(db_url, tmp_path):
    cfg = chain(5, 6, **{"late_changes": {"change_log": True}})
    assert build(db_url("chain"), cfg, 2) == build(f"sqlite:///{tmp_path}/ref.db", cfg, 1)


def test_postgresql_holds_the_same_chain(pg_url, tmp_path):
    cfg = chain(5, 6)
    assert build(pg_url("chain"), cfg, 2) == build(f"sqlite:///{tmp_path}/ref.db", cfg, 1)


def test_each_store_is_its_own_shop(tmp_path):
    cfg = chain(6, 10)
    url = f"sqlite:///{tmp_path}/c.db"
    build(url, cfg, 2)
    with connect(url) as db:
        assert violations(db) == {}
        # customers rent at their own store, from its own copies, served by its own staff
        assert db.query("SELECT COUNT(*) FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id "
                        "JOIN customer c ON c.customer_id = r.customer_id JOIN staff s ON s.staff_id = r.staff_id "
                        "WHERE i.store_id <> c.store_id OR s.store_id <> c.store_id")[0][0] == 0
        # stores differ in size, as their latent sizes say
        per = dict(db.query("SELECT i.store_id, COUNT(*) FROM rental r JOIN inventory i "
                            "ON i.inventory_id = r.inventory_id GROUP BY i.store_id"))
        sizes = store_sizes(cfg.simulation.seed, 6, cfg.catalog.store_size_sigma)
        big, small = int(sizes.argmax()) + 1, int(sizes.argmin()) + 1
        assert per[big] > per[small]
        # one shared catalogue: every store stocks the weekly releases
        released = db.query("SELECT COUNT(DISTINCT f.film_id), COUNT(DISTINCT i.store_id) FROM film f "
                            "JOIN inventory i ON i.film_id = f.film_id WHERE f.film_id > 60")[0]
        assert released[0] > 0 and released[1] == 6
        # ids: every store numbers its own, densely
        top, n = db.query("SELECT MAX(rental_id), COUNT(*) FROM rental")[0]
        assert top <= 6 * 1.05 * max(per.values()) + 6 and n == sum(per.values())  # a few rentals were voided


@given(st.integers(1, 255), st.data())
def test_store_ids_are_unique_and_invertible(stores, data):
    k = data.draw(st.integers(0, stores - 1))
    local = data.draw(st.integers(1, 10**6))
    ids = StoreIds(k, stores)
    g = ids.glob(local)
    assert ids.local(g) == local and ids.owns(g)
    assert not any(StoreIds(j, stores).owns(g) for j in range(stores) if j != k)


def test_chain_counters_are_above_every_id_given():
    counters = {StoreIds.key("rental", s): n for s, n in ((1, 5), (2, 1), (3, 9))}
    # store 3 (k = 2) gave local ids 1..8: its last is (8 - 1) * 3 + 3 = 24
    assert chain_counters(counters, [1, 2, 3])["rental"] == 25


def test_stores_flag_scales_the_chain_and_workers_flag_is_checked(tmp_path):
    import master_simulation
    url = f"sqlite:///{tmp_path}/cli.db"
    result = CliRunner().invoke(master_simulation.main, ["--db", url, "--stores", "4", "--weeks", "2", "--workers",
                                                         "2", "--quiet", "--config", str(tmp_path / "c.json")])
    assert result.exit_code == 2  # no such config file
    tiny = tiny_config(simulation={"weeks": 2})
    (tmp_path / "c.json").write_text(__import__("json").dumps(tiny.to_dict()))
    result = CliRunner().invoke(master_simulation.main, ["--db", url, "--stores", "4", "--workers", "2", "--quiet",
                                                         "--config", str(tmp_path / "c.json")])
    assert result.exit_code == 0, result.output
    with connect(url) as db:
        assert db.query("SELECT COUNT(*) FROM store")[0][0] == 4
        cfg = Config.from_dict(db.require_sim_state()["config"])
        assert cfg.sharded and cfg.demand.base_weekly_rentals == pytest.approx(2 * tiny.demand.base_weekly_rentals)
    bad = CliRunner().invoke(master_simulation.main, ["--db", url, "--workers", "0"])
    assert bad.exit_code == 2 and "--workers" in bad.output


def test_inventory_manager_refuses_a_chain_in_one_line(tmp_path):
    import inventory_manager
    url = f"sqlite:///{tmp_path}/c.db"
    build(url, chain(4, 2), 1)
    result = CliRunner().invoke(inventory_manager.main, ["add", "--db", url, "--amount", "3"])
    assert result.exit_code == 2 and "sharded chain" in result.output


def test_a_chain_killed_at_random_resumes_to_the_same_database(tmp_path):
    """SIGKILL mid-run (the workers and the writer die with the run), then the same command again:
    the database of one uninterrupted run."""
    import json
    import os
    from helpers import kill_at_random, timed_run
    cfg = chain(4, 16)
    (tmp_path / "c.json").write_text(json.dumps(cfg.to_dict()))
    args = ["python", "master_simulation.py", "--config", str(tmp_path / "c.json"), "--workers", "2", "-q",
            "--commit-days", "7"]
    took = timed_run(args + ["--db", f"sqlite:///{tmp_path}/ref.db"])
    killed = [*args, "--db", f"sqlite:///{tmp_path}/k.db"]
    kills = kill_at_random(killed, seed=5, tries=4, low=0.4 * took, high=0.9 * took)
    assert kills >= 1
    timed_run(killed)
    with connect(f"sqlite:///{tmp_path}/k.db") as a, connect(f"sqlite:///{tmp_path}/ref.db") as b:
        assert checksum(a) == checksum(b)
    # no worker outlived its run (one would be left to init)
    ps = os.popen("ps -eo ppid=,args=").read().splitlines()
    assert not [line for line in ps if "dvdrental.chain.workers" in line and line.split()[0] == "1"]


def test_a_lake_from_the_commands_loads_into_the_database_the_chain_makes(tmp_path):
    """master_simulation.py --lake, incremental_update.py --lake, lake.py load: the database of
    master_simulation.py --db for the same weeks (a lake keeps no change log: it is off here)."""
    import json
    import incremental_update
    import lake as lake_cli
    import master_simulation
    cfg = chain(4, 3, late_changes={"change_log": False})
    (tmp_path / "c.json").write_text(json.dumps(cfg.to_dict()))
    lake = str(tmp_path / "lake")
    run = CliRunner().invoke
    made = run(master_simulation.main, ["--config", str(tmp_path / "c.json"), "--lake", lake, "--workers", "2", "-q"])
    assert made.exit_code == 0, made.output
    more = run(incremental_update.main, ["2", "--lake", lake, "--workers", "1", "-q"])
    assert more.exit_code == 0, more.output
    loaded = run(lake_cli.main, ["load", lake, "--db", f"sqlite:///{tmp_path}/l.db", "-q"])
    assert loaded.exit_code == 0, loaded.output
    direct = build(f"sqlite:///{tmp_path}/d.db", cfg.override({"simulation": {"weeks": 5}}), 2)
    with connect(f"sqlite:///{tmp_path}/l.db") as db:
        assert checksum(db) == direct
    again = run(master_simulation.main, ["--config", str(tmp_path / "c.json"), "--lake", lake, "-q"])
    assert again.exit_code == 2 and "\n" not in again.output.split("Hint")[0].strip()
    for args in (["--lake", lake, "--db", "sqlite:///x.db"], ["--scheduler", "tcp://127.0.0.1:1"]):
        bad = run(incremental_update.main, args)
        assert bad.exit_code == 2 and ("--lake" in bad.output or "--db" in bad.output)


def test_a_database_of_two_stores_together_is_not_taken_for_a_chain(tmp_path):
    from dvdrental.errors import StateError
    url = f"sqlite:///{tmp_path}/two.db"
    with connect(url) as db:
        run_master(db, tiny_config(simulation={"weeks": 1}))
        with pytest.raises(StateError, match="not made as a sharded chain"):
            advance(db, Span(days=1), tiny_config(simulation={"sharded": True}))
