"""Hand-made Kannel 1.4.5 lines of one day for the R13 (sla) tests of restarts, HA pairs and log identity: two connections of one contract, a submit that went through (with its receipt) or failed for the platform's sake."""

from __future__ import annotations

import pandas as pd
from kannellines import mt, receipt, refused

CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "UTC"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
[[short_codes]]
code = "36181"
smsc = "ora_36181"
[[services]]
name = "acme"
brand = "Acme"
category = "transactional"
"""

TEXT = "Votre code 4821"
DAY = "2026-11-10"


def at(hhmmss: str) -> str:
    return f"{DAY} {hhmmss}"


def utc(hhmmss: str) -> pd.Timestamp:
    return pd.Timestamp(f"{DAY} {hhmmss}", tz="UTC")


def ok(hhmmss: str, smsc: str, fid: str, to: str) -> list[str]:
    h, m, s = map(int, hhmmss.split(":"))
    return [mt(at(hhmmss), smsc, fid, to, TEXT), receipt(at(f"{h:02d}:{m:02d}:{min(s + 3, 59):02d}"), smsc, fid, to, "DELIVRD")]


def failed(hhmmss: str, smsc: str, to: str) -> list[str]:
    return refused(at(hhmmss), smsc, to, TEXT, "NACK/Retries Exceeded")
