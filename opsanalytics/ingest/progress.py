"""The progress bar of a load: long loads must not look like a hang (issue 7)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import duckdb

from opsanalytics import warehouse


class LoadProgress:
    """A tqdm bar on stderr, none when stderr is not a terminal (a cron log must not fill
    with redraws): bytes of the file read, or DuckDB's own progress of a query it runs."""

    #: a bar in percent (DuckDB's progress of a query), not in bytes
    PERCENT = "{desc}{percentage:3.0f}%|{bar}| {elapsed}"  # {desc} ends with ": "

    def __init__(self, enabled: bool, path: Path, size: int | None, step: str = "parse"):
        """`size`: bytes of the file, for a bar advanced with at(); None for one that only
        shows the queries run()."""
        self.bar = None
        self.name = path.name
        if enabled:
            from tqdm import tqdm

            # (PERCENT prints desc as it is: set_description, as run() uses, ends it with ": ")
            desc = f"{path.name}: {step}" + (": " if size is None else "")
            bar = tqdm(total=size or 100, unit="B", unit_scale=size is not None, desc=desc,
                       bar_format=None if size is not None else self.PERCENT,
                       file=sys.stderr, leave=False, dynamic_ncols=True,
                       disable=None)  # None: no bar when stderr is not a terminal
            self.bar = None if bar.disable else bar

    def at(self, done: int) -> None:
        if self.bar:
            self.bar.update(done - self.bar.n)

    def run(self, con: duckdb.DuckDBPyConnection, step: str, name: str, params: dict):
        """Run one staging query, showing its progress (polled) as a percentage."""
        if not self.bar:
            return warehouse.execute(con, name, params)
        self.bar.reset(total=100)
        self.bar.unit_scale = False
        self.bar.bar_format = self.PERCENT
        self.bar.set_description(f"{self.name}: {step}")
        done = threading.Event()

        def poll() -> None:
            while not done.wait(0.25):
                try:
                    pct = con.query_progress()
                except Exception:  # progress is best effort, never a failure
                    return
                if pct and pct > 0:
                    self.bar.n = min(100, int(pct))
                    self.bar.refresh()

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            return warehouse.execute(con, name, params)
        finally:
            done.set()
            watcher.join()
            self.bar.n = 100
            self.bar.refresh()

    def close(self) -> None:
        if self.bar:
            self.bar.close()
