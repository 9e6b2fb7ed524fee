"""How long the server may stay silent: DVDRENTAL_DB_TIMEOUT, and a watchdog for drivers without a read
timeout of their own, so a frozen server or network ends a run with an error instead of blocking it."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Callable

from ..config import check_number
from ..errors import ConfigError

#: Seconds any one read from or write to the server may take before the connection is given up: long
#: enough for the longest legitimate statement (a bulk load of a big batch, a validation query over
#: decades of rentals, an adoption ALTER). Set DVDRENTAL_DB_TIMEOUT to change it.
DEFAULT_TIMEOUT = 600
MAX_TIMEOUT = 7 * 24 * 3600
TIMEOUT_ENV = "DVDRENTAL_DB_TIMEOUT"
#: Seconds of the watchdog in this process that cut a connection (None: none did).
_cut_after: float | None = None


def timeout_seconds() -> int:
    """The read/write timeout of every server connection (this process, the writer, the log readers):
    DVDRENTAL_DB_TIMEOUT whole seconds (1 .. one week), else DEFAULT_TIMEOUT."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{TIMEOUT_ENV} must be a whole number of seconds, got {text[:40]!r}",
                          hint=f"unset it for the default {DEFAULT_TIMEOUT} s") from None
    return check_number(TIMEOUT_ENV, value, 1, MAX_TIMEOUT, whole=True)


class Watchdog:
    """Cuts a connection that has waited on its server for longer than `seconds`.

    A daemon thread looks at `waiting()` (a statement is in flight) a few times per timeout; once one
    has been in flight for `seconds`, it shuts the socket down, so the driver's blocked read fails
    at once with a lost connection, which ends the run like any database error. `closed()` ends the
    thread."""

    def __init__(self, seconds: float, waiting: Callable[[], bool], fileno: Callable[[], int],
                 closed: Callable[[], bool]) -> None:
        self.seconds = seconds
        self.fired = False
        self._waiting, self._fileno, self._closed = waiting, fileno, closed
        threading.Thread(target=self._watch, name="dvdrental-db-watchdog", daemon=True).start()

    def _watch(self) -> None:
        tick = min(1.0, self.seconds / 4)
        since: float | None = None
        while not self._closed():
            time.sleep(tick)
            try:
                busy = self._waiting()
            except Exception:  # noqa: BLE001  (a connection closing under us: nothing to watch)
                return
            now = time.monotonic()
            since = (since or now) if busy else None
            if since is not None and now - since >= self.seconds:
                global _cut_after
                self.fired, _cut_after = True, self.seconds
                self._cut()
                return

    def _cut(self) -> None:
        try:
            with socket.socket(fileno=os.dup(self._fileno())) as s:
                s.shutdown(socket.SHUT_RDWR)
        except OSError:  # already gone
            pass


def given_up() -> str | None:
    """Why this process lost its connection, when a watchdog cut it: the line an error should say."""
    if _cut_after is None:
        return None
    return f"no answer from the database server for {_cut_after:g} s ({TIMEOUT_ENV}): the connection was given up"
