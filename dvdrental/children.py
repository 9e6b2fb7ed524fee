"""Child processes that never outlive the process that started them (the writer, mysqldump)."""

from __future__ import annotations

import ctypes
import os
import signal
from typing import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a child: get SIGKILL when `parent` dies, however it dies (Linux PR_SET_PDEATHSIG); exit at
    once if it is gone already. Elsewhere the child relies on its pipes closing."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        pass
    if os.getppid() != parent:
        os._exit(1)


def dies_with_us() -> Callable[[], None]:
    """A subprocess preexec_fn: the child dies with this process (a killed backup leaves no mysqldump)."""
    parent = os.getpid()
    return lambda: die_with_parent(parent)
