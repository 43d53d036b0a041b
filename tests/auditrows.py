"""Small hand-made warehouses for the audit tests (no tests here).

`Traffic` writes gateway events (docs/schema.md `events`) for a few messages a reader can
check by eye, then builds reference and fact tables with opsanalytics.facts.build, the code
the ingest runs: each audit test goes events -> facts -> audit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import duckdb

from eventrows import insert_events
from opsanalytics import facts, warehouse
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


_DLR_STATUS = {"delivered": (1, "DELIVRD"), "failed": (2, "UNDELIV"), "expired": (34, "EXPIRED"),
               "pending": (4, "ENROUTE")}  # (an intermediate receipt only)


@dataclass
class Traffic:
    """Accumulates gateway events the way the Kannel loader stores them (one MT line per
    segment, UDH concatenation, DLR lines linked on (smsc, fid), MO lines), then builds the
    facts with opsanalytics.facts.build: the audits read exactly what an ingest produces.
    Rows are in eventrows.EVENT_COLUMNS order."""

    rows: list[tuple] = field(default_factory=list)
    expected_keywords: dict[int, str | None] = field(default_factory=dict)
    _next_ref: int = 1

    def _line(self, at: dt.datetime, label: str, kind: str, outcome: str, *, smsc: str, service: str = "",
              fid: str = "", meta: str = "", sender: str = "", receiver: str = "", dlr_mask: int = -1,
              text: str | None = "", udh: str = "", segments: int | None = None) -> int:
        """(text None: a log that does not carry texts)"""
        line_no = len(self.rows) + 1
        lossy = text is not None and ".." in text
        self.rows.append((1, line_no, at, label, kind, outcome, smsc, service, "", "", fid, meta, sender,
                          receiver, -1, 0, -1, -1, dlr_mask, None if text is None else len(text.encode()), text,
                          lossy, udh,
                          segments, True if kind == "mt" else None))
        return 10_000_000_000 + line_no

    def send(self, msisdn: str, at: dt.datetime, *, service: str = "acme", short_code: str = "36180",
             text: str | None = None, segments: int = 1, accepted: bool = True, oadc: str | None = None,
             final_status: str | None = None, final_at: dt.datetime | None = None,
             dlr_err: str | None = None, text_logged: bool = True) -> int:
        """One logical message: `segments` MT lines (concatenation UDH when more than one),
        each with a final DLR when `final_status` is given; returns its logical_id (the
        smallest mt_id of its lines). text_logged False: the lines carry no text (NULL)."""
        text = GOOD_TEXT.format(code=short_code) if text is None else text
        oadc = short_code if oadc is None else oadc
        smsc = f"orange_{short_code}"
        size = -(-len(text) // segments) if text else 0
        parts = [text[i * size:(i + 1) * size] for i in range(segments)] if segments > 1 else [text]
        ref = self._next_ref % 256
        self._next_ref += 1
        ids = []
        for seq, part in enumerate(parts, start=1):
            udh = f"050003{ref:02X}{segments:02X}{seq:02X}" if segments > 1 else ""
            fid = f"F{len(self.rows) + 1:08d}" if accepted else ""
            mt_id = self._line(at, "Sent SMS" if accepted else "REJECTED Send SMS", "mt",
                               "accepted" if accepted else "refused", smsc=smsc, service=service,
                               fid=fid, sender=oadc, receiver=msisdn, dlr_mask=31,
                               text=part if text_logged else None, udh=udh,
                               segments=1)
            ids.append(mt_id)
            if accepted and final_status:
                status, stat = _DLR_STATUS[final_status]
                err = "000"
                meta = ""
                if dlr_err and len(dlr_err) == 6:
                    meta = "?smpp?dlr_err=" + "".join(f"%{dlr_err[i:i + 2]}" for i in range(0, 6, 2)) + "&"
                elif dlr_err:
                    err = dlr_err
                receipt = (f"id:{fid} sub:001 dlvrd:{'001' if status == 1 else '000'} submit date:2611101000 "
                           f"done date:2611101000 stat:{stat} err:{err} text:")
                self._line(final_at or at, "Receive DLR", "dlr", "accepted", smsc=smsc, service=service,
                           fid=fid, meta=meta, sender=oadc, receiver=msisdn, dlr_mask=status, text=receipt)
        return ids[0]

    def receive(self, msisdn: str, at: dt.datetime, text: str | None, *, short_code: str = "36180",
                keyword: str | None = None, accepted: bool = True) -> int:
        """One MO line; `keyword` is what the facts must read in it (checked at build)."""
        mo_id = self._line(at, "Receive SMS" if accepted else "REJECTED Receive SMS - black-listed SMS", "mo",
                           "accepted" if accepted else "refused", smsc=f"orange_{short_code}",
                           sender=msisdn, receiver=short_code, text=text)
        self.expected_keywords[mo_id] = keyword
        return mo_id

    def warehouse(self, contract=CONTRACT) -> duckdb.DuckDBPyConnection:
        """An in-memory warehouse: these events, then reference and facts as ingest builds them."""
        con = warehouse.connect(":memory:", create=True)
        insert_events(con, self.rows)
        facts.build(con, contract)
        keywords = dict(con.execute("SELECT mo_id, keyword FROM fct_mo").fetchall())
        assert keywords == self.expected_keywords, "the facts read other opt keywords than the test expects"
        return con


