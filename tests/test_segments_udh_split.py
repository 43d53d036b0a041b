"""A message carrying the application's own UDH, too long for one segment: Kannel splits it
again, adding its concatenation element, and cuts the payload in BYTES (140 less the new UDH),
UCS-2 as 8-bit, so a UTF-16 unit may be cut in half (tests/fixtures/kannel-1.4.5/udh-split,
README there: a real Kannel 1.4.5 whose SMSC recorded every submit_sm, the ground truth).
UCS-2 parts were counted in whole UTF-16 units (64 under a 6-byte UDH, where Kannel puts 129
bytes): one segment too many. The Kannel loader and the canonical CSV/Parquet loader count
alike (one schema)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from eventrows import contract, ingested, new_db
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "udh-split"
SENT = re.compile(r"Sent SMS .*\[to:\+?(\d+)\] \[flags:-?\d+:(\d):.*\] \[msg:(\d+):([0-9A-F]*)\] "
                  r"\[udh:\d+:([0-9A-F]*)\]$")


def submits() -> Counter:
    """submit_sm PDUs per receiver, as the SMSC received them."""
    return Counter(json.loads(line)["dst"] for line in (FIXTURE / "submits.jsonl").read_text().splitlines())


def sent_lines() -> list[tuple[str, int, int, str, str]]:
    """(receiver, coding, LEN, payload hex, udh hex) of each `Sent SMS` line of the fixture."""
    out = []
    for line in (FIXTURE / "access.log").read_text().splitlines():
        m = SENT.search(line)
        if m:
            out.append((m[1], int(m[2]), int(m[3]), m[4], m[5]))
    return out


def test_the_fixture_is_what_the_readme_says():
    sent = submits()
    assert sent == {"33612300001": 2, "33612300002": 3, "33612300003": 3, "33612300004": 4,
                    "33612300005": 2, "33612300006": 3, "33612300007": 2}
    # the parts: 140 bytes less the new UDH (6 + 5 or 4 + 5 bytes), odd for UCS-2
    lengths = {}
    for line in (FIXTURE / "submits.jsonl").read_text().splitlines():
        r = json.loads(line)
        lengths.setdefault(r["dst"], []).append(len(r["payload"]) // 2)
    assert lengths["33612300001"] == [129, 129]
    assert lengths["33612300003"] == [129, 129, 128]
    assert lengths["33612300007"] == [131, 131]
    assert [(to, coding, n) for to, coding, n, _, _ in sent_lines()] == [
        ("33612300001", 2, 258), ("33612300002", 2, 260), ("33612300003", 2, 386), ("33612300004", 2, 388),
        ("33612300005", 1, 258), ("33612300006", 1, 259), ("33612300007", 2, 262)]


def test_the_kannel_load_counts_what_the_smsc_received():
    con = ingested(load_contract(FIXTURE / "contract.toml"), [FIXTURE / "access.log"])[0]
    rows = con.execute("SELECT msisdn_raw, segments, segments_exact, segments_max FROM fct_mt "
                       "ORDER BY mt_id").fetchall()
    sent = submits()
    assert [(to.lstrip("+"), n, exact, most) for to, n, exact, most in rows] == [
        (to, sent[to], True, sent[to]) for to, *_ in sent_lines()]
    # ucs_udh6_129: 2 (was 3); ucs_udh6_193: 3 (was 4); ucs_udh4_131: 2 (was 3)
    assert sum(r[1] for r in rows) == sum(sent.values()) == 19


def _canonical_csv(path: Path, with_text: bool) -> None:
    """The fixture's MT lines as a canonical export: UCS-2 as its text (no text_len) or as
    text_len only (Kannel's LEN, 2 x UTF-16 units); 8-bit as text_len only."""
    rows = []
    for i, (to, coding, n, payload, udh) in enumerate(sent_lines()):
        text = bytes.fromhex(payload).decode("utf-16-be") if coding == 2 and with_text else ""
        # the text quoted (it holds commas); none at all (not an empty text) beside text_len
        cells = f',,"{text}"' if text else f",{n},"
        rows.append(f"2026-11-28T00:19:{10 + i:02d}Z,mt,accepted,{to},{coding}{cells},{udh}\n")
    path.write_text("logged_at,kind,outcome,receiver,coding,text_len,text,udh\n" + "".join(rows), encoding="utf-8")


@pytest.mark.parametrize("with_text", [True, False], ids=["text", "text_len"])
def test_the_canonical_load_counts_alike_csv_and_parquet(tmp_path, with_text):
    csv_path = tmp_path / "export.csv"
    _canonical_csv(csv_path, with_text)
    parquet = tmp_path / "export.parquet"
    with duckdb.connect() as scratch:
        scratch.read_csv(str(csv_path), all_varchar=True).write_parquet(str(parquet))
    sent = submits()
    want = [(sent[to], True) for to, *_ in sent_lines()]
    for path in (csv_path, parquet):
        con = new_db()
        [result] = ingest_files(con, contract(), [path], progress=False)
        assert result.rejected == 0
        assert con.execute("SELECT segments, segments_exact FROM events ORDER BY line_no").fetchall() == want, path.name


def _segments(tmp_path, rows):
    """rows: (coding, text_len, udh) -> events.segments of a canonical CSV and of the same
    lines in a Kannel log (LEN, payload of that many bytes), which must agree."""
    csv_path = tmp_path / "seg.csv"
    csv_path.write_text("logged_at,kind,outcome,receiver,coding,text_len,udh\n" + "".join(
        f"2026-11-25T09:00:{i:02d}Z,mt,accepted,0612345678,{c},{n},{u}\n" for i, (c, n, u) in enumerate(rows)),
        encoding="utf-8")
    log = tmp_path / "access.log"
    log.write_text("".join(
        f"2026-11-25 09:00:{i:02d} Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [FID:{i + 1}] [META:] "
        f"[from:36180] [to:33612345678] [flags:-1:{c}:-1:-1:31] [msg:{n}:{'00E9' * (n // 2) + '00' * (n % 2)}] "
        f"[udh:{len(u) // 2}:{u}]\n" for i, (c, n, u) in enumerate(rows)), encoding="utf-8")
    counts = []
    for path in (csv_path, log):
        con = new_db()
        [result] = ingest_files(con, contract(), [path], progress=False)
        assert result.rejected == 0
        counts.append(con.execute("SELECT segments FROM events WHERE kind = 'mt' ORDER BY line_no").fetchall())
    assert counts[0] == counts[1]
    return [n for (n,) in counts[0]]


def test_ucs2_under_an_application_udh_is_cut_in_bytes(tmp_path):
    assert _segments(tmp_path, [
        ("2", 258, "050003D10101"),   # 129 units: 129 + 129 bytes (was 3: 64 units a part)
        ("2", 260, "050003D10101"),   # 130 units: 129 + 129 + 2
        ("2", 386, "050003D10101"),   # 193 units: 129 + 129 + 128 (was 4)
        ("2", 262, "03240100"),       # 131 units under 4 bytes: 131 + 131 (was 3)
        ("2", 264, "03240100"),       # 132 units: 3
        ("2", 258, "0605040B8423F0"),  # 7-byte port UDH: 128 bytes a part, 3 (64 units, as before)
    ]) == [2, 3, 3, 2, 3, 3]


def test_what_did_not_change(tmp_path):
    """No application UDH: Kannel's own 6-byte concatenation UDH, 134 bytes = 67 units a
    part; one segment: 140 bytes less the UDH; 8-bit in bytes as before."""
    assert _segments(tmp_path, [
        ("2", 140, ""), ("2", 142, ""),                    # 70 units alone; 71: 2
        ("2", 268, ""), ("2", 270, ""),                    # 134 units: 2 of 67; 135: 3
        ("2", 134, "050003D10101"), ("2", 136, "050003D10101"),  # 67 units beside 6 bytes: 1; 68: 2
        ("2", 136, "03240100"),                            # 68 units beside 4 bytes: 1
        ("1", 258, "050003D50101"), ("1", 259, "050003D50101"),  # 8-bit: 129 a part: 2, 3
        ("1", 268, ""), ("1", 269, ""),                    # 8-bit, no UDH: 134 a part: 2, 3
    ]) == [1, 2, 2, 3, 1, 2, 1, 2, 3, 2, 3]
