"""Hand-made `events` rows for fact tests: small, readable, one call per log line.

Tests of the facts insert what a loader would have stored, so that each case reads like the
log it stands for, without depending on a parser.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import parse_contract

UTC = dt.timezone.utc
BASE = dt.datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)

#: label -> (kind, outcome), as docs/schema.md maps Kannel's labels
LABELS = {
    "Sent SMS": ("mt", "accepted"),
    "REJECTED Send SMS": ("mt", "refused"),
    "FAILED Send SMS": ("mt", "failed"),
    "DISCARDED SMS": ("mt", "discarded"),
    "EXPIRED SMS": ("mt", "expired"),
    "Receive SMS": ("mo", "accepted"),
    "REJECTED Receive SMS - black-listed SMS": ("mo", "refused"),
    "Receive DLR": ("dlr", "accepted"),
    "FAILED Receive DLR": ("dlr", "unmatched"),
    "DROPPED Received SMS": ("dropped", "mo"),
}

CONTRACT_TOML = """
timezone = "Europe/Paris"
log_timezone = "UTC"
[rules]
retry_minutes = 60
[[short_codes]]
code = "36180"
smsc = "ora_36180"
[[short_codes]]
code = "36181"
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
[[services]]
name = "otp"
brand = "Acme"
category = "transactional"
"""

#: events columns (queries/schema/04_events.sql) in the order the builders here and in
#: auditrows.py write a row
EVENT_COLUMNS = ("load_id", "line_no", "logged_at", "label", "kind", "outcome", "smsc", "service",
                 "account", "binfo", "fid", "meta", "sender", "receiver", "mclass", "coding", "mwi",
                 "compress", "dlr_mask", "text_len", "text", "text_lossy", "udh", "segments",
                 "segments_exact")


def contract(rules: str = ""):
    """The test contract; `rules` adds lines to its [rules] table."""
    return parse_contract(CONTRACT_TOML.replace("[rules]\n", "[rules]\n" + rules + "\n"), "test-contract.toml")


def insert_events(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """Store hand-made rows (EVENT_COLUMNS order) as a loader would have."""
    if rows:
        marks = ", ".join("?" for _ in EVENT_COLUMNS)
        con.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})", rows)


def new_db() -> duckdb.DuckDBPyConnection:
    return warehouse.connect(":memory:", create=True)


def ingested(contract, paths) -> tuple[duckdb.DuckDBPyConnection, list]:
    """A new in-memory warehouse with the logs `paths` ingested under `contract` (facts built),
    as `opsanalytics ingest` would: the warehouse and the load results."""
    from opsanalytics.ingest import ingest_files

    con = new_db()
    return con, ingest_files(con, contract, list(paths), progress=False)


def event_id(load_id: int, line_no: int) -> int:
    """A line's id in the warehouse, as queries/facts/macros.sql event_id computes it."""
    return load_id * 10_000_000_000 + line_no


class Log:
    """Collects lines of one hand-made log; `write(con)` stores them as events."""

    def __init__(self, load_id: int = 1):
        self.load_id = load_id
        self.rows: list[tuple] = []

    def line(self, seconds: float, label: str, *, smsc: str | None = "ora_36180", service: str = "acme",
             fid: str = "", sender: str = "ACME", receiver: str = "33612345678", text: str | None = "",
             coding: int = 0, dlr_mask: int = -1, udh: str = "", meta: str = "", segments: int | None = 1,
             lossy: bool = False, account: str = "") -> int:
        """Add one line `seconds` after BASE; returns its event id (text None: not logged)."""
        kind, outcome = LABELS[label]
        line_no = len(self.rows) + 1
        at = BASE + dt.timedelta(seconds=seconds)
        self.rows.append((self.load_id, line_no, at, label, kind, outcome, smsc, service, account, "",
                          fid, meta, sender, receiver, -1, coding, -1, -1, dlr_mask,
                          None if text is None else len(text.encode()),
                          text, lossy, udh, segments if kind == "mt" else None,
                          True if kind == "mt" else None))
        return event_id(self.load_id, line_no)

    def write(self, con: duckdb.DuckDBPyConnection) -> None:
        insert_events(con, self.rows)
