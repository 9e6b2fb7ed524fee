"""Servers of the tests' own, started from the installed server binaries with the settings CDC needs:
MariaDB/MySQL with the binary log on (ROW format, FULL row image and metadata), PostgreSQL with
wal_level=logical. Each has its own data dir and port, and the machine's servers are never
reconfigured. Used by the CDC tests and by benchmarks/bench.py etl."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

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


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _await(proc: subprocess.Popen, log: Path, ready: Callable[[], bool]) -> None:
    """Until the started server is `ready` (60 s at most); its log's end if it exits or never is."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the test server exited: {log.read_text()[-2000:]}")
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"the test server did not answer in 60 s: {log.read_text()[-2000:]}")


class _Server:
    """What both test servers share: a context manager that stops the server and removes its files."""

    dir: Path
    proc: subprocess.Popen | None

    def start(self) -> "_Server":
        raise NotImplementedError

    def _shut_down(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self._shut_down()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class OwnServer(_Server):
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
        _await(self.proc, self.log, lambda: _answers(self.port))
        return self

    def url(self, name: str) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{name}"

    def _shut_down(self) -> None:
        self.proc.terminate()


def _postgres_bin() -> str | None:
    """The newest installed PostgreSQL server's bin folder (Debian keeps it off the PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    on_path = shutil.which("postgres")
    return os.path.dirname(on_path) if on_path else None


class OwnPostgres(_Server):
    """`with OwnPostgres() as server: server.url("name")` -> postgresql://postgres@127.0.0.1:PORT/name, a
    server with wal_level=logical. As root, the server runs as the `postgres` user (PostgreSQL refuses
    root)."""

    SETTINGS = ("wal_level=logical", "max_replication_slots=20", "max_wal_senders=20", "fsync=off",
                "full_page_writes=off", "shared_buffers=128MB")

    def __init__(self, settings: tuple[str, ...] = SETTINGS) -> None:
        self.settings = settings
        self.dir = Path(tempfile.mkdtemp(prefix="dvdtest-postgres-"))
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.bin = _postgres_bin()

    def problem(self) -> str | None:
        """Why no server can be started here (None: it can)."""
        if not self.bin or not os.path.exists(os.path.join(self.bin, "initdb")):
            return "no PostgreSQL server binaries installed (postgres, initdb)"
        if os.geteuid() == 0:
            try:
                import pwd
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to run the server as"
        return None

    def _as_server_user(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args

    def start(self) -> "OwnPostgres":
        data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        subprocess.run(self._as_server_user([os.path.join(self.bin, "initdb"), "-D", str(data), "-U", "postgres",
                                             "--auth=trust", "--encoding=UTF8", "--no-sync"]),
                       check=True, capture_output=True)
        self.log = self.dir / "server.log"
        settings = [arg for s in self.settings for arg in ("-c", s)]
        self.proc = subprocess.Popen(
            self._as_server_user([os.path.join(self.bin, "postgres"), "-D", str(data), "-p", str(self.port),
                                  "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.dir}",
                                  *settings]),
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)
        ready = [os.path.join(self.bin, "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)]
        _await(self.proc, self.log, lambda: subprocess.run(ready, capture_output=True).returncode == 0)
        return self

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _shut_down(self) -> None:
        # fast shutdown: open sessions are ended rather than waited for
        subprocess.run(self._as_server_user([os.path.join(self.bin, "pg_ctl"), "-D", str(self.dir / "data"),
                                             "stop", "-m", "fast", "-w", "-t", "30"]), capture_output=True)
