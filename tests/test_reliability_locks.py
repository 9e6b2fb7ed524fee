"""One run at a time, whatever the path to the database (issue 10, item 2), refused at once while the
holder lives, never blocked by a holder that died (item 9), on both engines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, TINY
from dvdrental.errors import LockedError
from dvdrental.run import generate
from dvdrental.storage import connect
from dvdrental.storage.url import parse_url

REFUSED = "is in use by another dvdrental-live run"


def aliases(url: str, tmp_path) -> list[str]:
    """Other ways to reach the same database: a hard link and a symlink to the SQLite file; another
    spelling of the MySQL server's address."""
    target = parse_url(url)
    if target.engine == "sqlite":
        hard, soft = tmp_path / "hard-link.db", tmp_path / "sub" / "sym-link.db"
        soft.parent.mkdir()
        os.link(target.path, hard)
        os.symlink(target.path, soft)
        return [f"sqlite:///{hard}", f"sqlite:///{soft}", f"sqlite:///{tmp_path}/./sub/../{target.path.name}"]
    swap = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}
    return [url.replace(f"@{target.host}:", f"@{swap.get(target.host, target.host)}:")]


@pytest.fixture
def tiny_file(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY))
    return str(path)


def _built(db_url, tiny, tag: str) -> str:
    url = db_url(tag)
    with connect(url) as db:
        generate(db, tiny)
    return url


def test_every_path_to_the_database_meets_the_same_lock(db_url, tiny, tmp_path):
    url = _built(db_url, tiny, "links")
    others = aliases(url, tmp_path)
    with connect(url) as holder, holder.lock():
        for other in others:
            with connect(other, create=False) as db:
                with pytest.raises(LockedError, match=REFUSED):
                    with db.lock():
                        pass
        r = subprocess.run([sys.executable, "incremental_update.py", "--db", others[0], "1", "-q"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and REFUSED in r.stderr and "Traceback" not in r.stderr, r.stderr
    for other in others:  # released: every path works again
        with connect(other, create=False) as db, db.lock():
            pass


def test_a_lock_held_by_a_live_run_is_refused_at_once(db_url, tiny):
    url = _built(db_url, tiny, "live")
    with connect(url) as holder, holder.lock(), connect(url) as second:
        started = time.monotonic()
        with pytest.raises(LockedError, match=REFUSED):
            with second.lock():
                pass
        assert time.monotonic() - started < 1.0  # not the 2 s kept for a holder that died


def test_two_simultaneous_runs_one_is_refused_and_the_span_is_done_once(db_url, tiny_file, tiny):
    """Two `incremental_update.py 30` started together: one runs, the other is refused with the
    clear message (it does not wait and then add 30 more weeks)."""
    url = _built(db_url, tiny, "twin")
    with connect(url) as db:
        first = db.require_sim_state()["last_day"]
    cmd = [sys.executable, "incremental_update.py", "--db", url, "30", "-q"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    done = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert sorted(code for code, _ in done) == [0, 2], done
    refused = next(err for code, err in done if code == 2)
    assert REFUSED in refused and "Traceback" not in refused and len(refused.strip().splitlines()) <= 2
    with connect(url) as db:
        assert db.require_sim_state()["last_day"] == first + 7 * 30


@pytest.mark.parametrize("weeks", ["40", "20"], ids=["writer-process", "in-process"])
def test_a_lock_left_by_a_killed_run_does_not_block_the_next(db_url, weeks):
    """SIGKILL the run mid-way (its writer process or its own connection busy writing); the same
    command run at once resumes and completes."""
    url = db_url("killed")
    cmd = [sys.executable, "master_simulation.py", "--db", url, "--weeks", weeks, "--commit-days", "1", "-q"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:  # until it has committed some days
        try:
            with connect(url, create=False) as db:
                st = db.read_sim_state()
            if st is not None and st["last_day"] > st["start_date"] + 14:
                break
        except Exception:  # noqa: BLE001 - not created yet
            pass
        time.sleep(0.02)
    assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read()}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    started = time.monotonic()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    with connect(url) as db:
        st = db.require_sim_state()
        assert st["last_day"] == st["start_date"] + 7 * int(weeks) - 1
    assert time.monotonic() - started < 60
