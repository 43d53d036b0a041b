"""Ctrl-C held back while something must happen whole.

DuckDB notices a SIGINT only when it next checks, which for a COMMIT can be after the commit
took effect: the user would be told it failed while the data was kept (warehouse.transaction).
A report moved into place half-way would leave an index listing a mix of old and new pages
(report.runner.publish). Both hold Ctrl-C back and act on it once done.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def sigint_held() -> Iterator[list[int]]:
    """Ctrl-C held back while the block runs; the list it yields says whether one came.
    Python handles signals in the main thread only, so elsewhere (and when SIGINT is
    ignored or not Python's) nothing is held."""
    held: list[int] = []
    previous = signal.getsignal(signal.SIGINT)
    if (threading.current_thread() is not threading.main_thread()
            or previous is None or previous == signal.SIG_IGN):
        yield held
        return
    signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)
