"""Server faults: a frozen MySQL/MariaDB server ends a run with one line (every connection has a read/write
timeout, DVDRENTAL_DB_TIMEOUT), and a server that dies at any moment of generator.py's schema
creation and base data gives one line and exit 2, never a traceback from a cleanup path.

Each test starts a server of its own (tests/servers.py): freezing or killing the session's shared
binlog server would break the tests that use it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from conftest import own_server as conftest_own_server
from helpers import ROOT

TIMEOUT = 3  # seconds: DVDRENTAL_DB_TIMEOUT for the frozen-server runs


@contextmanager
def own_server() -> Iterator:
    with conftest_own_server("server-fault tests") as server:
        try:
            yield server
        finally:
            if server.proc.poll() is None:
                os.kill(server.proc.pid, signal.SIGCONT)  # a stopped server ignores SIGTERM


@contextmanager
def frozen(server) -> Iterator[None]:
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)


def start(script: str, *args: str, timeout: int | str = TIMEOUT) -> subprocess.Popen:
    env = dict(os.environ, DVDRENTAL_DB_TIMEOUT=str(timeout))
    return subprocess.Popen([sys.executable, script, *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def one_error(proc: subprocess.Popen, within: float) -> str:
    """The command exits 2 within `within` seconds, with at most two lines (error, hint) and no traceback."""
    try:
        _, err = proc.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"still running {within} s after the fault")
    lines = err.strip().splitlines()
    assert proc.returncode == 2 and 1 <= len(lines) <= 2 and "Traceback" not in err, (proc.returncode, err[-3000:])
    assert lines[0].startswith("Error: "), err
    return err


def test_frozen_server_ends_a_run_with_one_line():
    """SIGSTOP the server mid-run: master_simulation.py (writer process: its connection times out, the
    main one too) exits 2 with one line within a few timeouts, instead of blocking for ever."""
    with own_server() as server:
        url = server.url("frozen")
        proc = start("master_simulation.py", "--db", url, "--weeks", "520", "-q")
        deadline = time.monotonic() + 60
        while not _has_days(url) and time.monotonic() < deadline:  # mid-run: days are being written
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        with frozen(server):
            t0 = time.monotonic()
            one_error(proc, within=15)
            assert time.monotonic() - t0 < 15


def test_frozen_server_ends_validate_with_one_line():
    """validate.py connected and reading when the server freezes gives up after the timeout, one line."""
    import mysql.connector
    with own_server() as server:
        url = server.url("frozen_validate")
        subprocess.run([sys.executable, "generator.py", "--db", url, "--weeks", "8", "-q"], cwd=ROOT, check=True)
        watch = mysql.connector.connect(host="127.0.0.1", port=server.port, user="root", autocommit=True)
        proc = start("validate.py", "--db", url, "-q")
        deadline = time.monotonic() + 30
        while not _connected(watch, "frozen_validate"):  # freeze once validate.py is connected
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.01)
        with frozen(server):
            one_error(proc, within=15)
        watch.close()
        ok = subprocess.run([sys.executable, "validate.py", "--db", url, "-q", "--no-realism"], cwd=ROOT,
                            capture_output=True, text=True, env=dict(os.environ, DVDRENTAL_DB_TIMEOUT="3"))
        assert ok.returncode == 0, ok.stderr  # a short timeout is no problem for a server that answers


def test_frozen_server_ends_the_binlog_reader():
    """The binary-log reader (PyMySQL) has the same timeouts: a frozen server raises, it never blocks."""
    import pymysql
    from dvdrental.etl.cdc import binlog_settings
    from dvdrental.storage.url import parse_url
    with own_server() as server:
        os.environ["DVDRENTAL_DB_TIMEOUT"] = str(TIMEOUT)
        try:
            settings = binlog_settings(parse_url(server.url("cdc")))
        finally:
            del os.environ["DVDRENTAL_DB_TIMEOUT"]
        assert settings["read_timeout"] == settings["write_timeout"] == TIMEOUT
        conn = pymysql.connect(**settings)
        try:
            with frozen(server):
                t0 = time.monotonic()
                with pytest.raises(pymysql.err.OperationalError):
                    conn.cursor().execute("SELECT 1")
                assert time.monotonic() - t0 < TIMEOUT + 5
        finally:
            try:
                conn.close()
            except Exception:
                pass


def test_timeout_default_and_range(monkeypatch):
    from dvdrental.errors import ConfigError
    from dvdrental.storage.timeout import DEFAULT_TIMEOUT, timeout_seconds
    monkeypatch.delenv("DVDRENTAL_DB_TIMEOUT", raising=False)
    assert timeout_seconds() == DEFAULT_TIMEOUT == 600
    for bad in ("0", "-5", "nan", "inf", "1e9", "2.5", "abc", "99999999999"):
        monkeypatch.setenv("DVDRENTAL_DB_TIMEOUT", bad)
        with pytest.raises(ConfigError):
            timeout_seconds()
    monkeypatch.setenv("DVDRENTAL_DB_TIMEOUT", " 42 ")
    assert timeout_seconds() == 42


@pytest.mark.parametrize("bad", ["0", "nan", "abc", "-1", "100000000"])
def test_bad_timeout_is_one_line(mysql_url, bad):
    proc = start("validate.py", "--db", mysql_url("tmo"), "-q", timeout=bad)
    assert "DVDRENTAL_DB_TIMEOUT" in one_error(proc, within=30)


@pytest.mark.slow
def test_server_killed_during_creation_is_one_line():
    """SIGKILL the server at random moments of generator.py (connect, schema, base data, first days):
    always exit 2 with one line, never a traceback from a rollback or another cleanup path."""
    rnd = random.Random(10)
    # how long the command takes on this machine, so the kills spread over its whole run
    with own_server() as server:
        t0 = time.monotonic()
        subprocess.run([sys.executable, "generator.py", "--db", server.url("yard"), "--weeks", "1", "-q"],
                       cwd=ROOT, check=True, capture_output=True)
        yardstick = time.monotonic() - t0
    killed = 0
    for trial in range(8):
        with own_server() as server:
            proc = start("generator.py", "--db", server.url(f"g{trial}"), "--weeks", "1", "-q", timeout=600)
            time.sleep(rnd.uniform(0.35, 0.95) * yardstick)
            server.proc.kill()
            server.proc.wait()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                pass  # one_error below fails it
            if proc.returncode == 0:  # its work was done before the kill (it was only exiting): not a kill
                proc.communicate()
                continue
            killed += 1
            one_error(proc, within=30)
    assert killed >= 5


def _connected(watch, database: str) -> bool:
    cur = watch.cursor()
    cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> CONNECTION_ID()",
                (database,))
    return cur.fetchall()[0][0] > 0


def _has_days(url: str) -> bool:
    from dvdrental.storage import connect
    try:
        with connect(url, create=False) as db:
            return bool(db.query("SELECT COUNT(*) FROM sim_day")[0][0] > 5)
    except Exception:
        return False


def _server_processes(server) -> list[int]:
    """The PostgreSQL test server's postmaster and every backend and helper process it forked."""
    postmaster = int((server.dir / "data" / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            children.append(int(stat.parent.name))
    return [postmaster, *children]


def test_frozen_postgresql_server_ends_a_run_with_one_line(logical_server):
    """psycopg has no read timeout: the watchdog (storage/timeout.py) cuts a connection whose statement
    waits longer than DVDRENTAL_DB_TIMEOUT, so a frozen PostgreSQL ends master_simulation.py (writer
    process and main one) with one line and exit 2."""
    url = logical_server.url("frozen")
    proc = start("master_simulation.py", "--db", url, "--weeks", "520", "-q")
    deadline = time.monotonic() + 60
    while not _has_days(url) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    stopped = _server_processes(logical_server)
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        err = one_error(proc, within=15)
        assert time.monotonic() - t0 < 15
        assert f"no answer from the database server for {TIMEOUT} s (DVDRENTAL_DB_TIMEOUT)" in err, err
    finally:
        for pid in [*stopped, logical_server.proc.pid]:  # runuser stops itself when its child stops
            os.kill(pid, signal.SIGCONT)
