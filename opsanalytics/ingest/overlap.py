"""Events a load brings that another load holds already. The manifest skips a file whose
content it has, and continues a longer copy of one; but two *different* files can hold the
same lines (a gateway's day files beside its unsplit log, a daily export beside a monthly
one, a CSV and its Parquet copy). Both load, and every rule would count their shared traffic
twice: `ingest` says so, with how many and from where."""

from __future__ import annotations

import duckdb

from opsanalytics import warehouse


#: what such files are, and how to load their events once, by loader
ADVICE = {
    "exports": "export without overlap, and load the files into a new warehouse",
    "logs": "load either a gateway's day files or its whole log, not both, into a new warehouse",
}


def overlap_warning(con: duckdb.DuckDBPyConnection, load_id: int, events: int, what: str) -> str | None:
    """The warning for load `load_id` (`events` events; `what`: "logs" or "exports", a key
    of ADVICE), or None when none of its events is in another load (load_overlap.sql): the
    same line, every field equal. Two gateways side by side log lines that differ only in
    their sender (two subscribers' STOP in one second), which are two events, not a copy."""
    if not events or load_id <= 1:   # (load ids count up: the first load has nothing to overlap)
        return None
    [(repeated, holders)] = warehouse.execute(con, "staging/load_overlap", {"load_id": load_id}).fetchall()
    if not repeated:
        return None
    holders = holders or []
    shown = ", ".join(holders[:3]) + (f" and {len(holders) - 3} more" if len(holders) > 3 else "")
    return (f"{repeated:,} of its {events:,} events are in the warehouse already (the same line: logged_at, "
            f"label, smsc, service, fid, sender, receiver, text, udh and every other field equal), loaded from "
            f"{shown}: overlapping {what} of the same traffic? They are now in the warehouse twice and counted "
            f"twice; load each event once ({ADVICE[what]})")
