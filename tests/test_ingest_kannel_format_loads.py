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


NO_LEN = "%l [SMSC:%i] [SVC:%n] [FID:%F] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d] [msg:%b] [udh:%u]"


def test_a_format_without_len_counts_segments_from_hex_texts(tmp_path):
    """Without %L, an 8-bit or UCS-2 MT had no segment count (NULL, yet 'exact') and no
    text_len, so R8, R9 and R12 undercounted it; the hex text gives its length exactly."""
    def mt(i: int, coding: int, text: str) -> str:
        return (f"2026-11-26 09:00:{i:02d} Sent SMS [SMSC:ora] [SVC:acme] [FID:F{i}] [from:ACME] "
                f"[to:336120000{i:02d}] [flags:-1:{coding}:-1:-1:31] [msg:{text}] [udh:]\n")
    path = tmp_path / "access.log"
    path.write_text(
        mt(1, 2, "00E9" * 100)       # 100 UCS-2 units: 2 segments of 67
        + mt(2, 2, "00E9" * 70)      # 70 units: one
        + mt(3, 1, "41" * 140)       # 140 octets: one
        + mt(4, 1, "41" * 141)       # 141 octets: 2 of 134
        + mt(5, 1, "41" * 300)       # 300 octets: 3
        + mt(6, 0, "a" * 161)        # GSM: from the text already (161 septets: 2)
        + mt(7, 2, "00E9" * 70 + "00"))  # half a unit: the text is damaged, the count a guess
    con, counts = load(path, NO_LEN)
    assert counts == (7, 7, 0, 0)
    assert rows(con, "SELECT coding, text_len, segments, segments_exact FROM events ORDER BY line_no") == [
        (2, 200, 2, True), (2, 140, 1, True), (1, 140, 1, True), (1, 141, 2, True), (1, 300, 3, True),
        (0, 161, 2, True), (2, 141, 1, False)]


def test_segments_never_exact_when_not_counted(tmp_path):
    """No text and no LEN: a UCS-2 MT's segments cannot be counted (NULL), never 'exact'."""
    path = tmp_path / "access.log"
    path.write_text("2026-11-26 09:00:01 Sent SMS [SMSC:ora] [from:ACME] [to:33612000001] [flags:-1:2:-1:-1:31]\n"
                    "2026-11-26 09:00:02 Sent SMS [SMSC:ora] [from:ACME] [to:33612000002] [flags:-1:0:-1:-1:31]\n")
    con, counts = load(path, "%l [SMSC:%i] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d]")
    assert counts == (2, 2, 0, 0)
    assert rows(con, "SELECT text_len, segments, segments_exact FROM events ORDER BY line_no") == [
        (None, None, False), (None, 1, False)]


def test_udh_length_from_its_hex_when_the_format_has_no_udh_length(tmp_path):
    """%u without %U: a 7-octet WAP-push UDH leaves 133 octets a segment, so 135 octets are 2
    segments (the built-in layout says so); the UDH was taken as 0 octets long: 1 segment."""
    text = "".join(f"{b:02X}" for b in range(135))
    path = tmp_path / "access.log"
    path.write_text(
        f"2026-11-26 09:00:01 Sent SMS [SMSC:ora] [from:ACME] [to:33612000001] [flags:-1:1:-1:-1:31] "
        f"[msg:135:{text}] [udh:0605040B8423F0]\n"
        f"2026-11-26 09:00:02 Sent SMS [SMSC:ora] [from:ACME] [to:33612000002] [flags:-1:1:-1:-1:31] "
        f"[msg:133:{text[:266]}] [udh:0605040B8423F0]\n"
        f"2026-11-26 09:00:03 Sent SMS [SMSC:ora] [from:ACME] [to:33612000003] [flags:-1:1:-1:-1:31] "
        f"[msg:135:{text}] [udh:]\n")
    con, counts = load(path, "%l [SMSC:%i] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d] [msg:%L:%b] [udh:%u]")
    assert counts == (3, 3, 0, 0)
    assert rows(con, "SELECT udh, segments, segments_exact FROM events ORDER BY line_no") == [
        ("0605040B8423F0", 2, True), ("0605040B8423F0", 1, True), ("", 1, True)]
