"""Consistency at the edges (issue 10, items 3, 4, 7, 8), on every engine.

- validate.py during a run reads one snapshot: never a violation that is only a race;
- generator.py resumes: killed in its starter weeks, the same command finishes the job, and the day-0
  state (--weeks 0, or stopped right after the base data) is valid;
- a build split in two runs gives the one-run checksum, bookkeeping included;
- a new config reaches sim_state only once it has built the model and simulated a day.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import generator
import incremental_update
import maintain
import master_simulation
from conftest import ROOT, TINY, tiny_config
from dvdrental.checks.validation import validate
from dvdrental.checksum import checksum
from dvdrental.run import Span, advance, create
from dvdrental.storage import connect
from helpers import kill_at_random, same_tree, timed_run, violations


def _config_file(tmp_path: Path, **sections: dict) -> str:
    from dvdrental.config import deep_merge
    path = tmp_path / f"cfg{len(list(tmp_path.glob('cfg*.json')))}.json"
    path.write_text(json.dumps(deep_merge(TINY, sections)))
    return str(path)


def _cli(main, *args: str) -> str:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def _sim_state(url: str) -> dict:
    with connect(url, create=False) as db:
        cols = [c for c in db.table_columns("sim_state") if c != "tool_version"]
        return dict(zip(cols, db.query(f"SELECT {', '.join(cols)} FROM sim_state")[0]))


# ---- item 4: validate.py reads one consistent snapshot --------------------------------------------

@pytest.mark.slow
def test_validate_during_a_run_never_reports_a_race(db_url, tmp_path):
    """Validations back to back while incremental_update commits day after day: every one passes,
    and they saw the database at several different days (they did run mid-run)."""
    url = db_url("live")
    _cli(generator.main, "--db", url, "--config", _config_file(tmp_path), "-q")
    run = subprocess.Popen([sys.executable, "incremental_update.py", "--db", url, "-q", "60"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    results = []
    with connect(url, create=False) as db:
        while run.poll() is None:
            results.append(validate(db, realism=False))
        assert run.wait() == 0, run.stderr.read()
        results.append(validate(db, realism=False))  # (realism is statistics: a tiny shop may miss)
    failed = [(r["last_day"], r["failed"]) for r in results if not r["ok"]]
    assert not failed, failed
    assert len({r["last_day"] for r in results}) >= 4


def test_validation_reads_inside_one_consistent_read(db_url, tmp_path, monkeypatch):
    """Every query validate makes happens inside the database's consistent read (a cheap guard that
    a new check cannot read outside the snapshot)."""
    url = db_url("one")
    _cli(generator.main, "--db", url, "--config", _config_file(tmp_path, simulation={"initial_weeks": 1}), "-q")
    with connect(url, create=False) as db:
        outside: list[str] = []
        query, stream = db.query, db.stream
        monkeypatch.setattr(db, "query", lambda sql, *a, **k: (
            outside.append(sql) if not db.conn.in_transaction else None, query(sql, *a, **k))[1])
        monkeypatch.setattr(db, "stream", lambda sql, *a, **k: (
            outside.append(sql) if not db.conn.in_transaction else None, stream(sql, *a, **k))[1])
        assert validate(db)["ok"]
    assert outside == []


# ---- item 7: generator.py resumes, and its day-0 state is valid ------------------------------------

def test_generator_weeks_0_and_a_run_stopped_after_the_base_data_validate_clean(db_url, tmp_path):
    cfg_file = _config_file(tmp_path)
    url = db_url("day0")
    _cli(generator.main, "--db", url, "--config", cfg_file, "--weeks", "0", "-q")
    with connect(url, create=False) as db:
        result = validate(db)
        assert result["ok"], result["failed"]
    stopped = connect(db_url("base"))  # what a run killed right after the base data leaves
    create(stopped, tiny_config())
    assert violations(stopped) == {} and validate(stopped)["ok"]
    stopped.close()
    # and the same command with more starter weeks finishes it like one run
    _cli(generator.main, "--db", url, "--config", cfg_file, "-q")
    ref = db_url("ref")
    _cli(generator.main, "--db", ref, "--config", cfg_file, "-q")
    with connect(url, create=False) as db, connect(ref, create=False) as one:
        assert checksum(db) == checksum(one)


@pytest.mark.slow
def test_a_killed_generator_is_finished_by_the_same_command(db_url, tmp_path):
    """SIGKILL at random moments inside the starter weeks, then the same command: the database and
    its export folders are those of one uninterrupted run."""
    cfg_file = _config_file(tmp_path, simulation={"initial_weeks": 30})

    def command(url: str, out: Path) -> list[str]:
        return [sys.executable, "generator.py", "--db", url, "--config", cfg_file, "-q", "--export-dir", str(out)]

    ref, ref_out = db_url("ref"), tmp_path / "ref"
    took = timed_run(command(ref, ref_out))
    url, out = db_url("kill"), tmp_path / "kill"
    kills = kill_at_random(command(url, out), seed=10, tries=8, low=0.25 * took, high=0.75 * took)
    again = subprocess.run(command(url, out), cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert kills >= 1
    with connect(url, create=False) as db, connect(ref, create=False) as one:
        assert checksum(db) == checksum(one)
        assert violations(db) == {}
    assert same_tree(out, ref_out)
    # once complete, the same command has nothing left to do; another simulation is refused
    done = subprocess.run(command(url, out)[:-2], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "" == done.stderr
    other = subprocess.run(command(url, out)[:-2] + ["--seed", "8"], cwd=ROOT, capture_output=True, text=True)
    assert other.returncode == 2 and "not empty" in other.stderr and "--reset" in other.stderr


def test_generator_resumes_a_run_stopped_in_its_starter_weeks(db_url, tmp_path):
    """Deterministic twin of the kill test: a database left at day 5 of 21 (as a kill leaves it)."""
    cfg_file = _config_file(tmp_path)
    url, ref = db_url("cut"), db_url("ref")
    _cli(generator.main, "--db", url, "--config", cfg_file, "--weeks", "0", "-q")
    with connect(url, create=False) as db:
        advance(db, Span(days=5))
    out = CliRunner().invoke(generator.main, ["--db", url, "--config", cfg_file], catch_exceptions=False)
    assert out.exit_code == 0 and "Resumed" in out.output, out.output
    _cli(generator.main, "--db", ref, "--config", cfg_file, "-q")
    with connect(url, create=False) as db, connect(ref, create=False) as one:
        assert checksum(db) == checksum(one)


# ---- item 8: a split build has the one-run checksum, bookkeeping included --------------------------

def test_a_split_master_build_gives_the_one_run_checksum(db_url, tmp_path):
    cfg_file = _config_file(tmp_path)
    one, split, started = db_url("one"), db_url("split"), db_url("gen")
    _cli(master_simulation.main, "--db", one, "--config", cfg_file, "-q", "--weeks", "16")
    _cli(master_simulation.main, "--db", split, "--config", cfg_file, "-q", "--weeks", "6")
    _cli(master_simulation.main, "--db", split, "--config", cfg_file, "-q", "--weeks", "16")
    _cli(generator.main, "--db", started, "--config", cfg_file, "-q")  # 3 starter weeks, then the rest
    _cli(master_simulation.main, "--db", started, "--config", cfg_file, "-q", "--weeks", "16")
    sums = {_cli(maintain.main, "checksum", "--db", url).strip() for url in (one, split, started)}
    assert len(sums) == 1
    assert _sim_state(one) == _sim_state(split) == _sim_state(started)
    assert "weeks" not in json.loads(_sim_state(one)["config"])["simulation"]


# ---- item 3 (ordering): a config is stored only once it has been used ----------------------------

@pytest.mark.parametrize("breaks", ["dvdrental.run.Model.build", "dvdrental.run.step"])
def test_a_config_that_fails_leaves_sim_state_untouched(db_url, tmp_path, monkeypatch, breaks):
    """A new config (--config on an existing database) that fails while building the model or
    simulating its first day is never stored: the database keeps running with its own."""
    url = db_url("keep")
    _cli(generator.main, "--db", url, "--config", _config_file(tmp_path), "-q")
    before = _sim_state(url)

    def boom(*args, **kwargs):
        raise RuntimeError("this config cannot be simulated")

    monkeypatch.setattr(breaks, boom)
    other = tiny_config(demand={"base_weekly_rentals": 150.0, "capacity_weekly_rentals": 250.0})
    with connect(url, create=False) as db:
        with pytest.raises(RuntimeError):
            advance(db, Span(weeks=1), cfg_override=other)
    assert _sim_state(url) == before
    monkeypatch.undo()
    _cli(incremental_update.main, "--db", url, "-q")
    with connect(url, create=False) as db:
        assert violations(db) == {}


def test_a_non_finite_config_never_poisons_the_database(db_url, tmp_path):
    """NaN in --config: refused (or failing) without a trace in sim_state; the next run works."""
    url = db_url("nan")
    _cli(generator.main, "--db", url, "--config", _config_file(tmp_path), "-q")
    before = _sim_state(url)
    bad = tmp_path / "nan.json"
    bad.write_text('{"demand": {"base_weekly_rentals": NaN}}')
    r = subprocess.run([sys.executable, "incremental_update.py", "--db", url, "--config", str(bad), "-q"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0
    assert _sim_state(url) == before
    again = subprocess.run([sys.executable, "incremental_update.py", "--db", url, "-q"], cwd=ROOT,
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
