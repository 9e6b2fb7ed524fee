"""The Parquet lake: built by Dask, continued, loaded back into SQLite, read by DuckDB, never half-updated."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import tiny_config
from dvdrental.chain.shard import StoreSim
from dvdrental.chain.split import split_snapshot
from dvdrental.checksum import checksum
from dvdrental.config import Config, load_config
from dvdrental.errors import ConfigError, StateError
from dvdrental.lake import INLINE, build_lake, continue_lake, load_lake, snapshot_of
from dvdrental.master import run_master
from dvdrental.run import RunSummary, Span, create, simulate
from dvdrental.sim.state import SimState
from dvdrental.storage import connect

STORES, WEEKS = 6, 8


def chain_config(weeks: int = WEEKS) -> Config:
    """A small sharded chain, ~80 rentals per store and week; no change log (a lake does not keep it)."""
    return load_config().override({
        "catalog": {"stores": STORES, "films": 200}, "customers": {"initial": 100 * STORES},
        "simulation": {"weeks": weeks},
        "demand": {"base_weekly_rentals": 80 * STORES, "capacity_weekly_rentals": 130 * STORES},
        "late_changes": {"change_log": False}})


def loaded_checksum(lake: str) -> str:
    with connect("sqlite:///:memory:") as db:
        load_lake(lake, db)
        return checksum(db)


def files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def direct(tmp_path_factory) -> str:
    """The chain built straight into SQLite by master_simulation's run."""
    with connect(f"sqlite:///{tmp_path_factory.mktemp('direct')}/d.db") as db:
        run_master(db, chain_config(), workers=1)
        return checksum(db)


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    """The chain's lake, built on a local Dask cluster of 2 worker processes."""
    root = tmp_path_factory.mktemp("lake") / "chain"
    result = build_lake(chain_config(), str(root), workers=2)
    assert result.summary.days == 7 * WEEKS and result.summary.rentals > 0
    return root


@pytest.fixture(scope="module")
def scheduler():
    """A running Dask scheduler, for the --scheduler ADDRESS path."""
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def test_snapshot_of_rebuilds_the_same_state():
    cfg = chain_config()
    with connect("sqlite:///:memory:") as db:
        model, start = create(db, cfg)
    stores = sorted(int(s) for s in start.snap.stores)
    for store in stores[:2]:
        sim = StoreSim(model.cfg, model.seed, store, stores, split_snapshot(start.snap, store))
        sim.run(sim.day + 45)
        back = SimState.from_snapshot(snapshot_of(sim.state), sim.model)
        back.customers.subdomain = sim.state.customers.subdomain
        assert back.fingerprint() == sim.state.fingerprint()
    with connect("sqlite:///:memory:") as db:  # a chain simulated as one (Sakila's two stores)
        model, state = create(db, tiny_config())
        simulate(db, model, state, state.day + 30, RunSummary())
    assert SimState.from_snapshot(snapshot_of(state), model).fingerprint() == state.fingerprint()


def test_lake_built_by_dask_loads_as_the_database_built_directly(lake, direct):
    assert (lake / "rental" / "store=1").is_dir() and (lake / "_sim_state" / "chain.json").is_file()
    assert not (lake / "_staging").exists()
    assert loaded_checksum(str(lake)) == direct


def test_continued_lake_equals_the_lake_built_in_one_go(lake, direct, scheduler, tmp_path):
    half = tmp_path / "half"
    build_lake(chain_config(WEEKS // 2), f"file://{half}", scheduler=INLINE)
    result = continue_lake(str(half), Span(weeks=WEEKS - WEEKS // 2), scheduler=scheduler)
    assert result.summary.days == 7 * (WEEKS - WEEKS // 2)
    parquet = lambda root: {k: v for k, v in files(root).items() if k.endswith(".parquet")}  # noqa: E731
    assert parquet(half) == parquet(lake)  # the same files, byte for byte
    assert loaded_checksum(str(half)) == direct


def test_duckdb_reads_the_lake(lake):
    rental = f"read_parquet('{lake}/rental/*/*/*.parquet', hive_partitioning = true)"
    inventory = f"read_parquet('{lake}/inventory/*/*/*.parquet', hive_partitioning = true)"
    one = duckdb.connect().execute
    with connect("sqlite:///:memory:") as db:
        load_lake(str(lake), db)
        rentals = db.query("SELECT COUNT(*), SUM(return_date IS NULL) FROM rental")[0]
    assert one(f"SELECT COUNT(*), COUNT(*) - COUNT(return_date) FROM {rental}").fetchone() == tuple(rentals)
    # each row lies in the month of its rental_date, under the store of its copy
    assert one(f"SELECT COUNT(*) FROM {rental} WHERE strftime(rental_date, '%Y-%m') <> month").fetchone() == (0,)
    assert one(f"SELECT COUNT(*) FROM {rental} r JOIN {inventory} i USING (inventory_id) "
               "WHERE i.store_id <> r.store").fetchone() == (0,)


def test_failed_run_leaves_the_lake_as_it_was(lake, tmp_path, monkeypatch):
    copy = tmp_path / "copy"
    shutil.copytree(lake, copy)
    before = files(copy)

    def broken(state):
        raise RuntimeError("disk full")

    monkeypatch.setattr("dvdrental.lake.task.snapshot_of", broken)
    with pytest.raises(StateError, match="a lake task failed: RuntimeError: disk full"):
        continue_lake(str(copy), Span(days=2), scheduler=INLINE)
    assert files(copy) == before


def test_run_killed_after_its_commit_is_finished_by_the_next_reader(lake, tmp_path, monkeypatch):
    normal, killed = tmp_path / "normal", tmp_path / "killed"
    shutil.copytree(lake, normal)
    shutil.copytree(lake, killed)
    continue_lake(str(normal), Span(days=3), scheduler=INLINE)

    def killed_halfway(lake, run_id, record):
        raise KeyboardInterrupt

    monkeypatch.setattr("dvdrental.lake.files.roll_forward", killed_halfway)
    with pytest.raises(KeyboardInterrupt):
        continue_lake(str(killed), Span(days=3), scheduler=INLINE)
    monkeypatch.undo()
    assert (killed / "_staging").is_dir()
    assert loaded_checksum(str(killed)) == loaded_checksum(str(normal))
    assert files(killed) == files(normal)


def test_missing_or_foreign_lake_is_refused_in_one_line(lake, tmp_path):
    with connect("sqlite:///:memory:") as db:
        with pytest.raises(StateError, match="does not exist") as missing:
            load_lake(str(tmp_path / "nowhere"), db)
        assert missing.value.hint
        (tmp_path / "photos").mkdir()
        (tmp_path / "photos" / "cat.jpg").write_bytes(b"meow")
        with pytest.raises(StateError, match="is not a dvdrental-live lake"):
            load_lake(str(tmp_path / "photos"), db)
        assert db.is_empty()
    with pytest.raises(StateError, match="does not exist"):
        continue_lake(str(tmp_path / "nowhere"), Span(days=1), scheduler=INLINE)
    assert not (tmp_path / "nowhere").exists()
    with pytest.raises(StateError, match="is not empty"):
        build_lake(chain_config(1), str(tmp_path / "photos"), scheduler=INLINE)
    with pytest.raises(StateError, match="already holds a lake"):
        build_lake(chain_config(1), str(lake), scheduler=INLINE)
    with pytest.raises(ConfigError, match="sharded"):
        build_lake(tiny_config(), str(tmp_path / "new"), scheduler=INLINE)


def test_lake_load_command(lake, direct, tmp_path):
    import lake as command
    url = f"sqlite:///{tmp_path / 'loaded.db'}"
    load = lambda *args: CliRunner().invoke(command.main, ["load", *args, "--db", url])  # noqa: E731
    result = load(str(lake))
    assert result.exit_code == 0, result.output
    assert "rental" in result.output
    with connect(url) as loaded:
        assert checksum(loaded) == direct
    again = load(str(lake))
    assert again.exit_code == 2 and "is not empty" in again.output and "Hint: pass --reset" in again.output
    assert load(str(lake), "--reset", "-q").exit_code == 0
    gone = load(str(tmp_path / "nowhere"))
    assert gone.exit_code == 2 and len(gone.output.strip().splitlines()) == 2  # the error and its hint
