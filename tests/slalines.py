"""Hand-made Kannel 1.4.5 lines for the R13 (sla) tests: two connections of one contract, a
submit that went through (with its receipt) or failed for the platform's sake, at a time of
one day (`ok`, `failed`: "HH:MM:SS" of DAY) or at any instant (`ok_at`, `failed_at`)."""

from __future__ import annotations

from pathlib import Path

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
    """Delivered: its receipt 3 s later, within the same minute."""
    h, m, s = map(int, hhmmss.split(":"))
    return [mt(at(hhmmss), smsc, fid, to, TEXT), receipt(at(f"{h:02d}:{m:02d}:{min(s + 3, 59):02d}"), smsc, fid, to, "DELIVRD")]


def failed(hhmmss: str, smsc: str, to: str) -> list[str]:
    return failed_at(at(hhmmss), smsc, to)


def ok_at(stamp: str, smsc: str, fid: str, to: str) -> list[str]:
    """Delivered: its receipt 3 s later."""
    later = (pd.Timestamp(stamp) + pd.Timedelta(seconds=3)).strftime("%Y-%m-%d %H:%M:%S")
    return [mt(stamp, smsc, fid, to, TEXT), receipt(later, smsc, fid, to, "DELIVRD")]


def failed_at(stamp: str, smsc: str, to: str, nack: str = "NACK/Retries Exceeded") -> list[str]:
    return refused(stamp, smsc, to, TEXT, nack)


def written(root: Path, files: dict[str, list[str]]) -> list[Path]:
    """`files` (path relative to `root`: lines) written as logs, their folders made."""
    paths = []
    for name, lines in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
