"""Ctrl-C (and a scheduler's SIGTERM) held back while something must happen whole, and
never lost.

DuckDB notices a SIGINT only when it next checks, which for a COMMIT can be after the commit
took effect: the user would be told it failed while the data was kept (warehouse.transaction).
A report moved into place half-way would leave an index listing a mix of old and new pages
(report.runner.publish). Both hold Ctrl-C back and act on it once done.

Inside some long queries DuckDB swallows the KeyboardInterrupt and lets the query finish: an
ingest interrupted while it rebuilt the facts then committed and exited 0. The command line's
handler (`install`) remembers every interrupt, and warehouse.transaction refuses to commit
after one.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

#: the signals `install` turns into KeyboardInterrupt, remembered for `received`
HANDLED = (signal.SIGINT, signal.SIGTERM)
_received: list[int] = []


def install() -> Callable[[], None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt (what DuckDB turns into an interrupted
    query) and are remembered; one a process inherited ignored (`nohup`, `cmd &`) stays
    ignored. Returns what puts the previous handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in HANDLED}
    for sig, handler in previous.items():
        if handler is not signal.SIG_IGN and handler is not None:
            signal.signal(sig, _interrupted)

    def restore() -> None:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)
        _received.clear()
    return restore


def _interrupted(signum, frame) -> None:
    _received.append(signum)
    raise KeyboardInterrupt


def received() -> int | None:
    """The last signal `install`'s handler got (even one DuckDB swallowed), None if none."""
    return _received[-1] if _received else None


@contextmanager
def sigint_held() -> Iterator[list[int]]:
    """Ctrl-C held back while the block runs; the list it yields says whether one came.
    Python handles signals in the main thread only, so elsewhere (and when SIGINT is
    ignored or not Python's) nothing is held."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return
    previous = {sig: signal.getsignal(sig) for sig in HANDLED}

    def hold(signum, frame) -> None:
        held.append(signum)
        if previous[signum] is _interrupted:
            # remembered as `install`'s handler would: the command line exits 143 for a
            # SIGTERM by `received` (one held through a COMMIT exited 130, as Ctrl-C)
            _received.append(signum)

    for sig, handler in previous.items():
        # (SIGTERM held too when the command line handles it: a scheduler's stop is Ctrl-C's)
        if handler is not None and handler is not signal.SIG_IGN and (sig == signal.SIGINT or handler is _interrupted):
            signal.signal(sig, hold)
    try:
        yield held
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)
