"""Logs of custom access-log formats loaded end to end (opsanalytics.ingest.kannel with the
plan of opsanalytics.ingest.kannel_format): what a format leaves out, and lines whose free
fields hold the format's own delimiters. Cases from the review of real Kannel 1.4.5 gateways
with custom `access-log-format`s."""

from __future__ import annotations

from pathlib import Path

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import kannel


def load(path: Path, log_format: str, clean: bool = False, tz: str = "UTC"):
    contract = f'log_timezone = "{tz}"\naccess_log_format = "{log_format}"\n'
    if clean:
        contract += "access_log_clean = true\n"
    con = warehouse.connect(":memory:")
    with warehouse.transaction(con):
        counts = kannel.load(con, path, 1, parse_contract(contract), progress=False)
    return con, counts


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_numbers_a_format_does_not_carry_are_null(tmp_path):
    """Without %p and %P the sender and receiver are unknown: NULL, not '' (an empty number
    made R1 see 3 marketing MTs to 'one number' and R10 3 malformed destinations)."""
    path = tmp_path / "access.log"
    path.write_text("".join(
        f"2026-11-26 09:00:0{i} Sent SMS [SMSC:ora] [SVC:acme] [FID:F{i}] [flags:-1:0:-1:-1:31] "
        f"[msg:Promo {c} STOP au 36180] [udh:]\n" for i, c in ((1, "A"), (2, "B"), (3, "C"))))
    con, counts = load(path, "%l [SMSC:%i] [SVC:%n] [FID:%F] [flags:%m:%c:%M:%C:%d] [msg:%b] [udh:%u]")
    assert counts == (3, 3, 0, 0)
    assert rows(con, "SELECT fid, sender, receiver FROM events ORDER BY line_no") == [
        ("F1", None, None), ("F2", None, None), ("F3", None, None)]
    # with them, an empty value as logged stays ''
    path.write_text("2026-11-26 09:00:01 Receive SMS [SMSC:ora] [from:] [to:36180] [msg:STOP]\n")
    con, _ = load(path, "%l [SMSC:%i] [from:%p] [to:%P] [msg:%b]")
    assert rows(con, "SELECT sender, receiver FROM events") == [("", "36180")]
