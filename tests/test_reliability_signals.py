"""Ctrl-C at any moment: the run stops within seconds with exit 130 and one line, never hangs, and the
next run resumes to the reference database (issue 10, item 1), on both engines."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import ROOT, TINY
from dvdrental.checksum import checksum
from dvdrental.storage import connect
from helpers import timed_run

#: A run long enough for the writer process (dvdrental.writer.SEPARATE_MIN_DAYS) on the tiny config.
WEEKS = "30"
#: A run short enough to write in-process.
IN_PROCESS_WEEKS = "20"


def _ctrl_c(proc: subprocess.Popen) -> None:
    """What a terminal does on Ctrl-C: SIGINT to the whole foreground process group."""
    os.killpg(proc.pid, signal.SIGINT)


def _one_line(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert len(stderr.splitlines()) == 1, stderr  # not even a blank line before it


@pytest.fixture
def tiny_file(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY))
    return str(path)


_CUT_OFF = textwrap.dedent("""
    import os, struct, sys
    from multiprocessing.connection import Connection, _ForkingPickler
    from dvdrental import writer
    from dvdrental.run import Span, advance
    from dvdrental.storage import connect

    class CutOff(Connection):
        '''A batch interrupted half-way into the pipe, as Ctrl-C during `send` leaves it.'''
        def send(self, obj):
            if isinstance(obj, tuple) and len(obj) == 3:
                data = bytes(_ForkingPickler.dumps(obj))
                self._send(struct.pack("!i", len(data)) + data[:len(data) // 2])
                raise KeyboardInterrupt
            super().send(obj)

    writer.SEPARATE_MIN_DAYS = 1
    writer.Connection = CutOff
    url = sys.argv[1]
    try:
        advance(connect(url), Span(weeks=2))
    except KeyboardInterrupt:
        pass
    with connect(url) as db, db.lock():  # released, and nothing half-written
        print("stopped", db.require_sim_state()["last_day"])
""")


def test_ctrl_c_cutting_a_batch_in_half_neither_hangs_nor_keeps_the_lock(db_url, tiny):
    from dvdrental.run import generate
    url = db_url("cut")
    with connect(url) as db:
        generate(db, tiny)
        before = db.require_sim_state()["last_day"]
        shown = url if db.engine == "mysql" else f"sqlite:///{db.url.path}"
    try:
        r = subprocess.run([sys.executable, "-c", _CUT_OFF, shown], cwd=ROOT, capture_output=True, text=True,
                           timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the run hung on a batch cut off by Ctrl-C")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["stopped", str(before)]  # the cut-off batch was never written
    assert "Traceback" not in r.stderr, r.stderr  # nor did the writer complain


def test_ctrl_c_during_the_imports_is_one_line_and_exit_130():
    """SIGINT while a script is still importing (here: while it imports click)."""
    code = textwrap.dedent("""
        import builtins, os, runpy, signal, sys
        real = builtins.__import__
        def hooked(name, *args, **kwargs):
            if name == "click":
                os.kill(os.getpid(), signal.SIGINT)
            return real(name, *args, **kwargs)
        builtins.__import__ = hooked
        sys.argv = ["master_simulation.py", "--help"]
        runpy.run_path("master_simulation.py", run_name="__main__")
    """)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 130, r.stderr
    assert r.stderr == "Interrupted.\n" and r.stdout == ""


def test_the_writer_is_out_of_reach_of_a_terminals_ctrl_c(db_url, tiny_file, monkeypatch):
    """The writer runs in its own process group, so only the run gets the terminal's SIGINT."""
    from dvdrental import writer
    seen = {}
    real = writer.BatchWriter.__enter__

    def spy(self):
        out = real(self)
        seen["groups"] = (os.getpgid(self.proc.pid), os.getpgid(0))
        return out

    monkeypatch.setattr(writer.BatchWriter, "__enter__", spy)
    from click.testing import CliRunner
    import master_simulation
    r = CliRunner().invoke(master_simulation.main, ["--db", db_url("pg"), "--config", tiny_file, "--weeks", WEEKS,
                                                    "-q"])
    assert r.exit_code == 0, r.output
    writer_group, run_group = seen["groups"]
    assert writer_group != run_group


@pytest.mark.slow
def test_ctrl_c_at_random_moments_exits_130_at_once_and_the_run_resumes_exactly(db_url, tiny_file):
    """10 trials per engine (20 in all): Ctrl-C at a random moment of a run (imports, setup, writing,
    the end), with the writer process and without, exits 130 within 5 s with one line and no
    traceback; the same command then completes the database to the reference checksum."""
    def command(url: str, weeks: str) -> list[str]:
        return [sys.executable, "master_simulation.py", "--db", url, "--config", tiny_file, "--weeks", weeks, "-q"]

    reference = {}
    for weeks in (WEEKS, IN_PROCESS_WEEKS):
        url = db_url(f"ref{weeks}")
        duration = timed_run(command(url, weeks))
        with connect(url) as db:
            reference[weeks] = (duration, checksum(db))
    # before this the interpreter itself is starting, and Python's own Ctrl-C handling applies
    started = 2 * timed_run([sys.executable, "-c", "import dvdrental"])
    rnd = random.Random(10)
    interrupted = 0
    for trial in range(10):
        weeks = (WEEKS, IN_PROCESS_WEEKS)[trial % 2]
        duration, expected = reference[weeks]
        moment = rnd.uniform(started, 0.85 * duration)
        for attempt in range(3):  # a run that finished before the signal (a busy machine) is tried again earlier
            url = db_url(f"trial{trial}_{attempt}")
            proc = subprocess.Popen(command(url, weeks), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, start_new_session=True)
            time.sleep(moment)
            sent = time.monotonic()
            _ctrl_c(proc)
            try:
                _, stderr = proc.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                pytest.fail(f"trial {trial}: still running 5 s after Ctrl-C at {moment:.2f} s")
            assert time.monotonic() - sent < 5
            if proc.returncode != 0:
                break
            assert stderr == ""  # it finished just before the signal
            moment = started + (moment - started) / 2
        if proc.returncode != 0:
            interrupted += 1
            assert proc.returncode == 130, f"trial {trial} at {moment:.2f} s: {stderr}"
            _one_line(stderr)
        resumed = subprocess.run(command(url, weeks), cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, f"trial {trial}: {resumed.stderr}"
        with connect(url) as db:
            assert checksum(db) == expected, f"trial {trial} (Ctrl-C at {moment:.2f} s)"
    assert interrupted >= 9  # the moments fell inside the runs
