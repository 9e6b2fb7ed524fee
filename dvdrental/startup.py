"""Ctrl-C before a command's body runs (imports, option parsing): exit 130 with one line.

Python turns SIGINT into KeyboardInterrupt wherever it lands: during a script's imports that is a
traceback, and while click parses the options it is "Aborted!" with exit 1. Every script imports this
module first. From then on SIGINT quits at once and quietly (nothing has been changed yet), unless a
command's body is running (click's `Context.invoke` is on the stack): there KeyboardInterrupt is raised
as usual, so the run cleans up (rolls back, stops its writer, releases its lock) and `cli.errors()`
prints its one line and exits 130.

Once the command has finished, while the interpreter shuts down, SIGINT is ignored: Python would
otherwise restore the default action at the very end, and a late Ctrl-C would kill the finished
process silently.

Only the script being run installs the handler; a test importing a script keeps its own Ctrl-C.
"""

from __future__ import annotations

import _thread
import atexit
import os
import signal
import sys
from types import FrameType

#: Exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


def _in_command(frame: FrameType | None) -> bool:
    while frame is not None:
        code = frame.f_code
        if code.co_qualname == "Context.invoke" and "click" in code.co_filename:
            return True
        frame = frame.f_back
    return False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    if _in_command(frame):
        if frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            # inside the import machinery, e.g. a module lock's weakref callback, where an exception is
            # printed and ignored: deliver the interrupt again as soon as that code has returned
            _thread.interrupt_main(signum)
            return
        raise KeyboardInterrupt
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - interrupted in the middle of a write: leave it
        pass
    os.write(2, b"Interrupted.\n")
    os._exit(INTERRUPTED)


def _imported_by_main() -> bool:
    frame = sys._getframe(2)  # past this function and the module's own code
    while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
        frame = frame.f_back
    return frame is not None and frame.f_globals.get("__name__") == "__main__"


if _imported_by_main() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _on_sigint)
    atexit.register(signal.signal, signal.SIGINT, signal.SIG_IGN)  # runs last of the exit hooks
