"""A MariaDB/MySQL server of the tests' own, started from the installed server binary with the settings
CDC needs (binary log on, ROW format, FULL row image and metadata): its own data dir and port, never
the machine's server reconfigured. Used by the CDC tests and by benchmarks/bench.py etl."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BINLOG_OPTIONS = ("--log-bin=binlog", "--server-id=1", "--binlog-format=ROW", "--binlog-row-image=FULL",
                  "--binlog-row-metadata=FULL")


def _binary(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}")
                                            if os.path.exists(p)), None)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnServer:
    """`with OwnServer() as server: server.url("name")` -> mysql://root@127.0.0.1:PORT/name."""

    def __init__(self, options: tuple[str, ...] = BINLOG_OPTIONS) -> None:
        self.options = options
        self.dir = Path(tempfile.mkdtemp(prefix="dvdtest-mariadb-"))
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    def problem(self) -> str | None:
        """Why no server can be started here (None: it can)."""
        if not _binary("mariadbd", "mysqld"):
            return "no MariaDB/MySQL server binary installed (mariadbd)"
        if not _binary("mariadb-install-db", "mysql_install_db"):
            return "no mariadb-install-db"
        return None

    def start(self) -> "OwnServer":
        data = self.dir / "data"
        user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run([_binary("mariadb-install-db", "mysql_install_db"), "--no-defaults", f"--datadir={data}",
                        "--auth-root-authentication-method=normal", "--skip-test-db", *user],
                       check=True, capture_output=True)
        self.log = self.dir / "error.log"
        self.proc = subprocess.Popen(
            [_binary("mariadbd", "mysqld"), "--no-defaults", f"--datadir={data}", f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--socket={self.dir / 'sock'}", f"--pid-file={self.dir / 'pid'}",
             f"--log-error={self.log}", "--skip-name-resolve", "--innodb-buffer-pool-size=128M",
             "--innodb-flush-log-at-trx-commit=2", "--local-infile=1", *user, *self.options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the test server exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the test server did not answer in 60 s: {self.log.read_text()[-2000:]}")

    def url(self, name: str) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "OwnServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
