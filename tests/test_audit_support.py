"""Small hand-made warehouses for the audit tests (no tests here).

`Traffic` writes facts-shaped tables (docs/schema.md: fct_mt, fct_logical_messages, fct_mo,
fct_dlr) from a few messages a reader can check by eye, and the reference tables from a
contract through opsanalytics.reference (the same code the ingest uses).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from opsanalytics import reference, warehouse
from opsanalytics.config import parse_contract

PARIS = ZoneInfo("Europe/Paris")

CONTRACT_TOML = """
timezone = "Europe/Paris"
log_timezone = "Europe/Paris"

[rules]
frequency_cap = 1
stop_grace_minutes = 10
session_hours = 24

[[short_codes]]
code = "36180"
smsc = "orange_36180"
rate = 20
oadc = ["ACME"]

[[short_codes]]
code = "36200"
smsc = "orange_36200"

[[short_codes]]
code = "35100"
smsc = "orange_35100"
geo_presence = false

[[short_codes]]
code = "35200"
smsc = "orange_35200"
geo_presence = true

[[short_codes]]
code = "34100"
smsc = "orange_34100"

[[short_codes]]
code = "38100"
smsc = "orange_38100"

[[short_codes]]
code = "37100"
smsc = "orange_37100"

[[services]]
name = "acme"
brand = "Acme"
category = "marketing"

[[services]]
name = "acme_tx"
brand = "Acme"
category = "transactional"

[[services]]
name = "bravo"
brand = "Bravo"
category = "marketing"

[[services]]
name = "club"
brand = "Club"
category = "marketing"
stop_notice_exempt = true

[[services]]
name = "meter"
brand = "Meter"
category = "m2m"

[[services]]
name = "chat"
brand = "Chat"
category = "interpersonal"
"""

CONTRACT = parse_contract(CONTRACT_TOML, "test-contract.toml")
SERVICES = {s.name: s for s in CONTRACT.services}
GOOD_TEXT = "Soldes -20% ce week-end ! STOP au {code}"


def paris(text: str) -> dt.datetime:
    """A local Paris wall-clock time ('2026-11-10 08:00:00') as an aware instant."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=PARIS)


@dataclass
class Traffic:
    """Accumulates logical messages (one MT line per segment) and MO, then writes facts."""

    mt: list[dict] = field(default_factory=list)
    logical: list[dict] = field(default_factory=list)
    mo: list[dict] = field(default_factory=list)
    _next_line: int = 1

    def _id(self) -> int:
        line = self._next_line
        self._next_line += 1
        return 1 * 10_000_000_000 + line

    def send(self, msisdn: str, at: dt.datetime, *, service: str = "acme", short_code: str = "36180",
             text: str | None = None, segments: int = 1, accepted: bool = True, oadc: str | None = None,
             final_status: str | None = None, final_at: dt.datetime | None = None,
             dlr_err: str | None = None, category: str | None = None, brand: str | None = None) -> int:
        """One logical message of `segments` parts (one MT line each); returns its logical_id."""
        svc = SERVICES.get(service)
        brand = brand if brand is not None else (svc.brand if svc else None)
        category = category or (svc.category if svc else "unknown")
        text = GOOD_TEXT.format(code=short_code) if text is None else text
        oadc = short_code if oadc is None else oadc
        ids = [self._id() for _ in range(segments)]
        for seq, mt_id in enumerate(ids, start=1):
            self.mt.append({
                "mt_id": mt_id, "load_id": 1, "line_no": mt_id % 10_000_000_000,
                "submitted_at": at, "outcome": "accepted" if accepted else "refused",
                "smsc": f"orange_{short_code}", "service": service, "brand": brand, "category": category,
                "short_code": short_code, "oadc": oadc, "msisdn": msisdn, "msisdn_raw": msisdn,
                "text": text, "text_lossy": ".." in text, "concat_ref": 7 if segments > 1 else None,
                "concat_total": segments if segments > 1 else None, "concat_seq": seq if segments > 1 else None,
                "segments": 1, "segments_exact": True, "logical_id": ids[0],
                "final_status": final_status, "final_at": final_at, "dlr_err": dlr_err,
            })
        self.logical.append({
            "logical_id": ids[0], "mt_ids": ids, "msisdn": msisdn, "service": service, "brand": brand,
            "category": category, "short_code": short_code, "oadc": oadc, "smsc": f"orange_{short_code}",
            "submitted_at": at, "accepted": accepted, "text": text, "text_lossy": ".." in text,
            "parts_expected": segments, "parts_seen": segments, "segments": segments, "attempts": 1,
            "final_status": final_status, "final_at": final_at,
        })
        return ids[0]

    def receive(self, msisdn: str, at: dt.datetime, text: str, *, short_code: str = "36180",
                keyword: str | None = None, accepted: bool = True) -> int:
        mo_id = self._id()
        self.mo.append({
            "mo_id": mo_id, "load_id": 1, "line_no": mo_id % 10_000_000_000, "received_at": at,
            "smsc": f"orange_{short_code}", "outcome": "accepted" if accepted else "refused",
            "msisdn": msisdn, "short_code": short_code, "text": text, "text_lossy": ".." in text,
            "keyword": keyword, "first_word": text.split()[0].upper() if text.split() else None,
        })
        return mo_id

    def warehouse(self, contract=CONTRACT) -> duckdb.DuckDBPyConnection:
        """An in-memory warehouse with these facts and the contract's reference tables."""
        con = warehouse.connect(":memory:", create=True)
        _write_reference(con, contract)
        _table(con, "fct_mt", self.mt, MT_COLUMNS)
        _table(con, "fct_logical_messages", self.logical, LOGICAL_COLUMNS)
        _table(con, "fct_mo", self.mo, MO_COLUMNS)
        _table(con, "fct_dlr", [], DLR_COLUMNS)
        return con


MT_COLUMNS = {
    "mt_id": "BIGINT", "load_id": "INTEGER", "line_no": "BIGINT", "submitted_at": "TIMESTAMPTZ",
    "outcome": "VARCHAR", "smsc": "VARCHAR", "service": "VARCHAR", "brand": "VARCHAR",
    "category": "VARCHAR", "short_code": "VARCHAR", "oadc": "VARCHAR", "msisdn": "VARCHAR",
    "msisdn_raw": "VARCHAR", "text": "VARCHAR", "text_lossy": "BOOLEAN", "concat_ref": "INTEGER",
    "concat_total": "INTEGER", "concat_seq": "INTEGER", "segments": "INTEGER",
    "segments_exact": "BOOLEAN", "logical_id": "BIGINT", "final_status": "VARCHAR",
    "final_at": "TIMESTAMPTZ", "dlr_err": "VARCHAR",
}
LOGICAL_COLUMNS = {
    "logical_id": "BIGINT", "mt_ids": "BIGINT[]", "msisdn": "VARCHAR", "service": "VARCHAR",
    "brand": "VARCHAR", "category": "VARCHAR", "short_code": "VARCHAR", "oadc": "VARCHAR",
    "smsc": "VARCHAR", "submitted_at": "TIMESTAMPTZ", "accepted": "BOOLEAN", "text": "VARCHAR",
    "text_lossy": "BOOLEAN", "parts_expected": "INTEGER", "parts_seen": "INTEGER",
    "segments": "INTEGER", "attempts": "INTEGER", "final_status": "VARCHAR", "final_at": "TIMESTAMPTZ",
}
MO_COLUMNS = {
    "mo_id": "BIGINT", "load_id": "INTEGER", "line_no": "BIGINT", "received_at": "TIMESTAMPTZ",
    "smsc": "VARCHAR", "outcome": "VARCHAR", "msisdn": "VARCHAR", "short_code": "VARCHAR",
    "text": "VARCHAR", "text_lossy": "BOOLEAN", "keyword": "VARCHAR", "first_word": "VARCHAR",
}
DLR_COLUMNS = {
    "dlr_id": "BIGINT", "load_id": "INTEGER", "line_no": "BIGINT", "logged_at": "TIMESTAMPTZ",
    "smsc": "VARCHAR", "fid": "VARCHAR", "service": "VARCHAR", "status": "INTEGER", "mt_id": "BIGINT",
}


def _write_reference(con: duckdb.DuckDBPyConnection, contract) -> None:
    """opsanalytics.reference.write; its data span is read with fetchone(), which DuckDB
    2.0.1 leaves open and which blocks the next register(), so fetch it completely here."""
    original = reference._data_span
    reference._data_span = lambda c: (2025, 2027)
    try:
        reference.write(con, contract)
    finally:
        reference._data_span = original


def _table(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], columns: dict[str, str]) -> None:
    cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TABLE {name} ({cols})")
    if rows:
        frame = pd.DataFrame(rows, columns=list(columns))
        con.register("rows_in", frame)
        select = ", ".join(f'CAST("{c}" AS {t})' for c, t in columns.items())
        con.execute(f"INSERT INTO {name} SELECT {select} FROM rows_in")
        con.unregister("rows_in")
