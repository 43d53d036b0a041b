"""The Kannel loader on hand-made lines (tests/fixtures/kannel-cases, see its README): every
tag set, odd values and texts, damaged lines, the autumn hour, custom and clean formats,
bytes that are not UTF-8, carriage returns, gzip; and the fast path against the positional
path on every line of the real logs."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import random
import re
import shutil
from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import kannel, kannel_format

CASES = Path(__file__).parent / "fixtures" / "kannel-cases"
REAL = Path(__file__).parent / "fixtures" / "kannel-1.4.5"
UTC = dt.timezone.utc
CUSTOM = "%l from=%p to=%P smsc=%i svc=%n fid=%F coding=%c mask=%d len=%L udh=%u text=%b"


def load(path: Path, contract_text: str = 'log_timezone = "Europe/Paris"\n', load_id: int = 1, con=None):
    con = con or warehouse.connect(":memory:")
    with warehouse.transaction(con):
        counts = kannel.load(con, path, load_id, parse_contract(contract_text), progress=False)
    return con, counts


def rows(con, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def test_tag_set_1_4_0():
    con, counts = load(CASES / "v140.log")
    assert counts == (6, 4, 2, 0)
    assert rows(con, "SELECT line_no, label, kind, outcome, fid, meta FROM events ORDER BY line_no") == [
        (2, "Sent SMS", "mt", "accepted", "", ""),
        (3, "DLR SMS", "dlr", "accepted", "", ""),
        (4, "REJECTED - black-listed SMS", "mo", "refused", "", ""),
        (5, "Receive SMS", "mo", "accepted", "", ""),
    ]
    assert rows(con, "SELECT text, text_lossy FROM events WHERE line_no = 5") == [("ARR..T", True)]


def test_tag_set_1_4_2():
    con, counts = load(CASES / "v142.log")
    assert counts == (6, 6, 0, 0)
    assert rows(con, "SELECT line_no, label, kind, outcome, fid FROM events ORDER BY line_no") == [
        (1, "Sent SMS", "mt", "accepted", "4100000001"),
        (2, "Receive DLR", "dlr", "accepted", "4100000001"),
        (3, "FAILED DLR SMS", "dlr", "unmatched", "4100000001"),
        (4, "DROPPED Received SMS", "dropped", "mo", ""),
        (5, "Sent DLR", "dlr_out", "sent", "77"),
        (6, "DROPPED Received DLR", "dropped", "dlr", "4100000002"),
    ]
    assert rows(con, "SELECT dlr_mask, text_len FROM events WHERE line_no = 2") == [(1, 96)]


def test_odd_lines_parsed_or_rejected_with_reason():
    con, counts = load(CASES / "odd.log")
    assert counts == (12, 3, 1, 8)
    assert rows(con, "SELECT line_no, service, sender, text FROM events WHERE kind = 'mt' ORDER BY line_no") == [
        (1, "acme", "ACME", "a] [b] [udh:0:] c [msg:1:x] d"),   # text sliced by LEN, not by tags
        (2, "acme] [promo", "Ma] Banque", "Hello"),              # values with ']' and '] ['
    ]
    assert rows(con, "SELECT line_no, text FROM events WHERE kind = 'mo'") == [(10, " Stop merci")]
    assert rows(con, "SELECT line_no, marker FROM log_markers") == [(12, "ends")]
    reasons = dict(rows(con, "SELECT line_no, reason FROM rejected_lines"))
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 11]
    assert reasons[3] == "truncated: the text is shorter than its LEN (40 bytes)"
    assert "truncated" in reasons[4]
    assert reasons[5] == 'unknown label "Teleported SMS"'
    assert reasons[6] == "empty line"
    assert reasons[7].startswith("no \"YYYY-MM-DD HH:MM:SS \" time")
    assert "LEN (3 bytes)" in reasons[8]
    assert reasons[11] == "coding 2 text is not hex"
    raw = dict(rows(con, "SELECT line_no, raw FROM rejected_lines"))
    assert raw[7] == "garbage that is not a Kannel line"
    assert raw[6] == ""


def test_autumn_hour_resolved_from_line_order():
    con, counts = load(CASES / "dst.log")
    assert counts == (8, 7, 1, 0)
    got = dict(rows(con, "SELECT fid, logged_at FROM events"))
    at = lambda h, m, s=0: dt.datetime(2026, 10, 25, h, m, s, tzinfo=UTC)  # noqa: E731
    assert got == {
        "D1": dt.datetime(2026, 10, 24, 23, 59, 58, tzinfo=UTC),  # 01:59:58 CEST
        "D2": at(0, 10),   # 02:10 CEST
        "D3": at(0, 50),   # 02:50 CEST
        "D4": at(0, 49, 58),  # 02:49:58 CEST: two seconds of jitter, still the first run
        "D5": at(1, 5),    # 02:05 CET: the clock went back
        "D6": at(1, 55),   # 02:55 CET: after the change, even though later than 02:50
        "D7": at(2, 0, 1),  # 03:00:01 CET
    }
    assert rows(con, "SELECT logged_at FROM log_markers") == [(at(1, 4, 59),)]  # 02:04:59 CET


def test_autumn_hour_without_change_is_first_occurrence(tmp_path):
    path = tmp_path / "access.log"
    path.write_text("\n".join(CASES.joinpath("dst.log").read_text().splitlines()[:3]) + "\n")
    con, _ = load(path)
    assert [r[0] for r in rows(con, "SELECT logged_at FROM events ORDER BY line_no")] == [
        dt.datetime(2026, 10, 24, 23, 59, 58, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 0, 10, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 0, 50, tzinfo=UTC),
    ]


def test_gmt_log_has_no_autumn_ambiguity():
    con, _ = load(CASES / "dst.log", 'log_timezone = "UTC"\n')
    assert rows(con, "SELECT logged_at FROM events WHERE fid = 'D5'") == [(dt.datetime(2026, 10, 25, 2, 5, tzinfo=UTC),)]


def test_custom_format():
    con, counts = load(CASES / "custom.log", f'log_timezone = "Europe/Paris"\naccess_log_format = "{CUSTOM}"\n')
    assert counts == (4, 2, 1, 1)
    assert rows(con, "SELECT line_no, kind, sender, receiver, smsc, service, fid, coding, dlr_mask, text, logged_at "
                     "FROM events ORDER BY line_no") == [
        (2, "mt", "36180", "33612345678", "ora_36180", "acme", "AB12", 0, 31, "Hello] [ you",
         dt.datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC)),
        (3, "mo", "+33612345678", "36180", "ora_36180", "", "", 2, -1, "ST",
         dt.datetime(2026, 3, 2, 12, 0, 2, tzinfo=UTC)),
    ]
    assert rows(con, "SELECT line_no, reason FROM rejected_lines") == [
        (4, "truncated: the text is shorter than its LEN (9 bytes)")]


def test_clean_log_takes_time_from_the_format():
    contract = ('log_timezone = "Europe/Paris"\naccess_log_clean = true\n'
                'access_log_format = "%l %t [%i] [%n] %p -> %P: %L:%b"\n')
    con, counts = load(CASES / "clean.log", contract)
    assert counts == (2, 2, 0, 0)
    # %t is the message time in UTC, whatever log_timezone says
    assert rows(con, "SELECT label, logged_at, text, smsc, service FROM events ORDER BY line_no") == [
        ("Sent SMS", dt.datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC), "Hello", "ora_36180", "acme"),
        ("Receive SMS", dt.datetime(2026, 3, 2, 12, 0, 2, tzinfo=UTC), "STOP", "ora_36180", ""),
    ]


def test_clean_log_with_epoch(tmp_path):
    path = tmp_path / "clean.log"
    path.write_text("1772452801 Sent SMS 36180 33612345678 2:Hi\n")
    con, counts = load(path, 'access_log_clean = true\naccess_log_format = "%T %l %p %P %L:%b"\n')
    assert counts == (1, 1, 0, 0)
    assert rows(con, "SELECT logged_at FROM events") == [(dt.datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC),)]


def test_clean_log_unset_message_time_takes_the_previous_lines_time(tmp_path):
    # Kannel 1.4.5 prints %t = 1969-12-31 23:59:59 (%T = -1) on lines whose message has no
    # time, e.g. an unmatched receipt (seen on a real gateway, tests/integration): the line
    # loads, dated like the line written before it, never in 1969.
    path = tmp_path / "clean.log"
    path.write_text(
        "2026-03-02 12:00:01 Sent SMS [ora_36180] [acme] 36180 -> 33612345678: 2:Hi\n"
        "1969-12-31 23:59:59 FAILED Receive DLR [ora_36180] [] 33612345678 -> 36180: 2:id\n"
        "2026-03-02 12:00:05 Receive SMS [ora_36180] [] 33612345678 -> 36180: 4:STOP\n")
    contract = ('access_log_clean = true\n'
                'access_log_format = "%t %l [%i] [%n] %p -> %P: %L:%b"\n')
    con, counts = load(path, contract)
    assert counts == (3, 3, 0, 0)
    assert rows(con, "SELECT label, logged_at FROM events ORDER BY line_no") == [
        ("Sent SMS", dt.datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC)),
        ("FAILED Receive DLR", dt.datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC)),
        ("Receive SMS", dt.datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)),
    ]
    # the same with %T (epoch -1), the unset line first: it takes the next line's time
    path.write_text("-1 FAILED Receive DLR 33612345678 36180 2:id\n"
                    "1772452801 Sent SMS 36180 33612345678 2:Hi\n")
    con, counts = load(path, 'access_log_clean = true\naccess_log_format = "%T %l %p %P %L:%b"\n')
    assert counts == (2, 2, 0, 0)
    assert rows(con, "SELECT logged_at FROM events ORDER BY line_no") == [
        (dt.datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC),), (dt.datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC),)]
    # what 1.4.5 really prints for an unset %T: nothing (gw/bb_alog.c), so the line starts
    # with the space that follows the escape
    path.write_text("1772452801 Sent SMS 36180 33612345678 2:Hi\n"
                    " FAILED Receive DLR 33612345678 36180 2:id\n")
    con, counts = load(path, 'access_log_clean = true\naccess_log_format = "%T %l %p %P %L:%b"\n')
    assert counts == (2, 2, 0, 0)
    assert rows(con, "SELECT label, logged_at FROM events ORDER BY line_no") == [
        ("Sent SMS", dt.datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC)),
        ("FAILED Receive DLR", dt.datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC))]


def test_custom_format_with_coding_after_the_text(tmp_path):
    """%c after %b: the text's length (LEN bytes: 2 x LEN hex digits for codings 1 and 2)
    is known only from what follows it; every coding loads."""
    path = tmp_path / "access.log"
    path.write_text(
        "2026-03-02 13:00:01 Sent SMS [to:33612345678] [msg:5:Hello] [flags:-1:0:-1:-1:31]\n"
        "2026-03-02 13:00:02 Sent SMS [to:33612345678] [msg:4:00480069] [flags:-1:2:-1:-1:31]\n"
        "2026-03-02 13:00:03 Sent SMS [to:33612345678] [msg:3:C3A941] [flags:-1:1:-1:-1:31]\n"
        # a GSM text holding what looks like the tail of a hex one
        "2026-03-02 13:00:04 Sent SMS [to:33612345678] [msg:27:a] [flags:-1:2:-1:-1:31] [b] [flags:-1:0:-1:-1:31]\n")
    con, counts = load(path, 'access_log_format = "%l [to:%P] [msg:%L:%b] [flags:%m:%c:%M:%C:%d]"\n')
    assert counts == (4, 4, 0, 0)
    assert rows(con, "SELECT coding, text, text_lossy FROM events ORDER BY line_no") == [
        (0, "Hello", False), (2, "Hi", False), (1, "éA", False), (0, "a] [flags:-1:2:-1:-1:31] [b", False)]


def test_custom_format_keeps_its_spaces(tmp_path):
    """Kannel prints the format's literal text as it is: a format ending (or starting) with
    a space writes it on every line, and the contract's copy of the format says so."""
    path = tmp_path / "access.log"
    path.write_text("2026-03-02 13:00:01  Sent SMS 36180 33612345678 2:Hi \n")
    con, counts = load(path, 'access_log_format = " %l %p %P %L:%b "\n')
    assert counts == (1, 1, 0, 0)
    assert rows(con, "SELECT label, sender, receiver, text FROM events") == [("Sent SMS", "36180", "33612345678", "Hi")]


def test_clean_log_without_time_is_refused():
    con = warehouse.connect(":memory:")
    with pytest.raises(IngestError, match="no time at all"):
        with warehouse.transaction(con):
            kannel.load(con, CASES / "clean.log", 1, parse_contract("access_log_clean = true\n"), progress=False)
    assert rows(con, "SELECT count(*) FROM events") == [(0,)]


def test_invalid_utf8_and_carriage_returns_keep_every_line():
    con, counts = load(CASES / "bytes.log")
    assert counts == (4, 4, 0, 0)
    assert rows(con, "SELECT line_no, sender, text FROM events ORDER BY line_no") == [
        (1, "Société", "Hi"),             # a line that is not UTF-8 is read as Latin-1
        (2, "AC\rME", "Hi"),              # a carriage return inside a line is part of it
        (3, "ACME", "Yo"),                # CRLF line end
        (4, "Café", "Ok"),
    ]


def test_gzip_loads_like_plain(tmp_path):
    rotated = tmp_path / "access.log.2.gz"
    with (REAL / "main" / "access.log").open("rb") as src, gzip.open(rotated, "wb") as dst:
        shutil.copyfileobj(src, dst)
    # the loader computes, in the same read as the decompression, the sha256 of the bytes
    # as stored (compressed) and of the content, which is the plain log's
    con = warehouse.connect(":memory:")
    with warehouse.transaction(con):
        identity, _ = kannel.load_hashing(con, rotated, 1, parse_contract('log_timezone = "Europe/Paris"\n'),
                                          progress=False)
    plain_bytes = (REAL / "main" / "access.log").read_bytes()
    assert identity.sha256 == hashlib.sha256(rotated.read_bytes()).hexdigest()
    assert identity.content_sha256 == hashlib.sha256(plain_bytes).hexdigest() != identity.sha256
    assert identity.content_bytes == len(plain_bytes)
    plain_con, plain = load(REAL / "main" / "access.log")
    gz_con, gz = load(rotated)
    assert gz == plain
    sql = "SELECT * EXCLUDE (load_id) FROM events ORDER BY line_no"
    assert rows(gz_con, sql) == rows(plain_con, sql)
    # bytes that need cleaning inside a gzip file
    dirty = tmp_path / "bytes.log.gz"
    dirty.write_bytes(gzip.compress(CASES.joinpath("bytes.log").read_bytes()))
    _, counts = load(dirty)
    assert counts == (4, 4, 0, 0)


def test_log_saved_with_a_byte_order_mark_loads_like_the_original(tmp_path):
    """A log opened and saved in a Windows editor starts with a UTF-8 mark: same events,
    the `Log begins` marker still a marker, nothing rejected."""
    original = REAL / "main" / "access.log"
    marked = tmp_path / "access.log"
    marked.write_bytes(b"\xef\xbb\xbf" + original.read_bytes())
    plain_con, plain = load(original)
    marked_con, counts = load(marked)
    assert counts == plain and counts.rejected == 0
    for sql in ("SELECT * EXCLUDE (load_id) FROM events ORDER BY line_no",
                "SELECT * EXCLUDE (load_id) FROM log_markers ORDER BY line_no"):
        assert rows(marked_con, sql) == rows(plain_con, sql)


@pytest.mark.parametrize("path", [REAL / "main" / "access.log", REAL / "gmt" / "access.log",
                                  CASES / "v140.log", CASES / "v142.log", CASES / "odd.log"])
def test_fast_path_agrees_with_positional_path(path, monkeypatch):
    """Every line the fast path reads, the positional path reads the same way."""
    fast_con, fast = load(path)
    monkeypatch.setattr(kannel, "plan_for", lambda c: kannel.build_plan(None, False).__class__(
        **{**kannel.build_plan(None, False).__dict__, "fast": False}))
    slow_con, slow = load(path)
    assert slow == fast
    sql = "SELECT * EXCLUDE (load_id) FROM events ORDER BY line_no"
    assert rows(slow_con, sql) == rows(fast_con, sql)


def test_segments_of_split_messages(tmp_path):
    def mt(i: int, coding: int, text: str, udh: str = "") -> str:
        length = len(text) // 2 if coding in (1, 2) else len(text)
        return (f"2026-03-02 12:00:{i:02d} Sent SMS [SMSC:s] [SVC:a] [ACT:] [BINF:] [FID:{i}] [META:] "
                f"[from:36180] [to:336000000{i:02d}] [flags:-1:{coding}:-1:-1:31] [msg:{length}:{text}] "
                f"[udh:{len(udh) // 2}:{udh}]")
    cases = [
        (mt(1, 0, "a" * 160), 1, True),                     # 160 septets: one segment
        (mt(2, 0, "a" * 161), 2, True),
        (mt(3, 0, "a" * 306), 2, True),                     # 2 x 153
        (mt(4, 0, "a" * 307), 3, True),
        (mt(5, 0, "[" * 80), 1, True),                      # extension characters count 2: 160
        (mt(6, 0, "[" * 81), 2, True),
        (mt(17, 0, "^{}\\[]~|" * 10), 1, True),            # each of the eight counts 2: 160
        (mt(18, 0, "^{}\\[]~|" * 10 + "a"), 2, True),
        (mt(19, 0, "a" * 159 + "\\"), 2, True),              # 161
        (mt(7, 0, "a" * 150 + ".." * 10), 1, False),        # 150 + 10..20 septets: best 1 (2-byte letters), maybe 2
        (mt(8, 0, "a" * 100 + ".." * 10), 1, True),         # at most 120: surely one
        (mt(9, 2, "0041" * 70), 1, True),                   # UCS-2: 70 units
        (mt(10, 2, "0041" * 71), 2, True),
        (mt(11, 2, "0041" * 135), 3, True),                 # 67 per part
        (mt(12, 1, "41" * 140), 1, True),                   # 8-bit: 140 octets
        (mt(13, 1, "41" * 141), 2, True),
        (mt(14, 0, "a" * 153, "050003AA0201"), 1, True),    # a part: 1
        (mt(15, 1, "41" * 133, "0605040B8423F0"), 1, True),  # 7-octet UDH: 133 octets left
        (mt(16, 1, "41" * 134, "0605040B8423F0"), 2, True),
    ]
    path = tmp_path / "access.log"
    path.write_text("\n".join(c[0] for c in cases) + "\n")
    con, counts = load(path)
    assert counts.rejected == 0
    got = rows(con, "SELECT segments, segments_exact FROM events ORDER BY line_no")
    assert got == [(n, exact) for _, n, exact in cases]


def test_only_blocks_with_odd_lines_go_to_the_positional_path(tmp_path, monkeypatch):
    """A block the fast path made an event of every line of has no leftovers to set aside;
    a damaged line in another block is still found, rejected with its reason."""
    from opsanalytics.ingest import lineblocks

    line = ("2026-03-02 12:00:{s:02d} Sent SMS [SMSC:s] [SVC:a] [ACT:] [BINF:] [FID:{s}] [META:] "
            "[from:36180] [to:33600000000] [flags:-1:0:-1:-1:31] [msg:5:hello] [udh:0:]")
    lines = [line.format(s=s) for s in range(40)]
    lines[25] = lines[25][:-30]  # truncated inside the text
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(lineblocks, "FIRST_BLOCK_BYTES", 1500)   # blocks of 8-9 lines
    monkeypatch.setattr(lineblocks, "BLOCK_BYTES", 1500)
    read = []
    real_query_text = kannel.warehouse.query_text
    monkeypatch.setattr(kannel.warehouse, "query_text", lambda name: read.append(name) or real_query_text(name))
    con, counts = load(path)
    assert read.count("staging/kannel_events_fast") == 5
    assert read.count("staging/kannel_leftover") == 1
    assert counts == (40, 39, 0, 1)
    assert rows(con, "SELECT line_no FROM rejected_lines") == [(26,)]


def test_label_list_of_the_parser_is_the_one_the_sql_maps():
    con = warehouse.connect(":memory:")
    con.execute(warehouse.query_text("staging/kannel_macros"))
    mapped = rows(con, "SELECT label, kind, outcome, kannel_kind(label), kannel_outcome(label) "
                       "FROM (SELECT unnest(kannel_labels(), recursive := true))")
    assert {r[0] for r in mapped} == set(kannel_format.KNOWN_LABELS)
    assert all(r[1:3] == r[3:5] for r in mapped), [r for r in mapped if r[1:3] != r[3:5]]
    assert rows(con, "SELECT kannel_kind('Sent  SMS'), kannel_outcome('REJECTED Send SMSX')") == [(None, "refused")]


def test_custom_format_label_followed_by_free_field(tmp_path):
    path = tmp_path / "access.log"
    path.write_text("2026-03-02 12:00:00 REJECTED Receive SMS - black-listed SMS ACME 36180 4:STOP\n"
                    "2026-03-02 12:00:01 Beamed SMS x y 1:a\n")
    con, counts = load(path, 'access_log_format = "%l %p %P %L:%b"\n')
    assert counts == (2, 1, 0, 1)
    assert rows(con, "SELECT label, sender, receiver, text FROM events") == [
        ("REJECTED Receive SMS - black-listed SMS", "ACME", "36180", "STOP")]
    assert rows(con, "SELECT reason FROM rejected_lines") == [('unknown label "Beamed"',)]


def test_custom_format_whose_text_is_its_words(tmp_path):
    """%a instead of %b: Kannel joins the words of the printable text by one space. The text
    is read; where spaces went (LEN says more) it is lossy and LEN, not the shortened text,
    gives the segments; hex words (UCS-2) lose nothing."""
    fmt = "%l [SMSC:%i] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d] [len:%L] [words:%a] [udh:%U:%u]"
    long_text = "A  B  C  " + "x" * 142 + " STOP 36180"   # 162 bytes; its words: 159
    words = " ".join(long_text.split())
    ucs2 = "Arrêt 😀".encode("utf-16-be").hex().upper()
    path = tmp_path / "access.log"
    path.write_text(
        f"2026-03-02 12:00:00 Sent SMS [SMSC:ora] [from:ACME] [to:33612345678] [flags:-1:0:-1:-1:31] "
        f"[len:{len(long_text)}] [words:{words}] [udh:0:]\n"
        "2026-03-02 12:00:01 Sent SMS [SMSC:ora] [from:ACME] [to:33612345679] [flags:-1:0:-1:-1:31] "
        "[len:18] [words:Bonjour STOP 36180] [udh:0:]\n"
        "2026-03-02 12:00:02 Receive SMS [SMSC:ora] [from:33612345678] [to:36180] [flags:-1:2:-1:-1:0] "
        f"[len:{len(ucs2) // 2}] [words:{ucs2}] [udh:0:]\n"
        "2026-03-02 12:00:03 Sent SMS [SMSC:ora] [from:ACME] [to:33612345670] [flags:-1:0:-1:-1:31] "
        "[len:3] [words:too long] [udh:0:]\n")
    con, counts = load(path, f'access_log_format = "{fmt}"\n')
    assert counts == (4, 3, 0, 1)
    assert rows(con, "SELECT text, text_lossy, segments, segments_exact FROM events ORDER BY line_no") == [
        (words, True, 2, True),                 # 162 septets: 2 segments, though 159 are logged
        ("Bonjour STOP 36180", False, 1, True),
        ("Arrêt 😀", False, None, None),
    ]
    assert rows(con, "SELECT reason FROM rejected_lines") == [("the text has 8 characters but its LEN says 3 bytes",)]


def test_custom_format_without_text_loads_texts_as_unknown(tmp_path):
    """A gateway that keeps texts out of its log (no %b, no %a): the text is NULL, not an
    empty text; segments come from LEN, exact only while LEN cannot reach a second one."""
    fmt = "%l [SMSC:%i] [FID:%F] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d] [len:%L] [udh:%U:%u]"
    path = tmp_path / "access.log"
    path.write_text(
        "2026-03-02 12:00:00 Sent SMS [SMSC:ora] [FID:1] [from:ACME] [to:33612345678] [flags:-1:0:-1:-1:31] [len:40] [udh:0:]\n"
        "2026-03-02 12:00:01 Sent SMS [SMSC:ora] [FID:2] [from:ACME] [to:33612345678] [flags:-1:0:-1:-1:31] [len:250] [udh:0:]\n"
        "2026-03-02 12:00:02 Sent SMS [SMSC:ora] [FID:3] [from:ACME] [to:33612345678] [flags:-1:2:-1:-1:31] [len:200] [udh:0:]\n"
        "2026-03-02 12:00:03 Receive SMS [SMSC:ora] [FID:] [from:33612345678] [to:36180] [flags:-1:0:-1:-1:0] [len:4] [udh:0:]\n"
        "2026-03-02 12:00:04 Sent SMS [SMSC:ora] [FID:4] [from:ACME] [to:33612345678] [flags:-1:0:-1:-1:31] [len:2000000000] [udh:0:]\n")
    con, counts = load(path, f'access_log_format = "{fmt}"\n')
    assert counts == (5, 5, 0, 0)
    assert rows(con, "SELECT text, text_len, text_lossy, segments, segments_exact FROM events ORDER BY line_no") == [
        (None, 40, False, 1, True),
        (None, 250, False, 2, False),    # 250 bytes: 2 segments as plain GSM, 1 if they were 2-byte letters
        (None, 200, False, 2, True),     # UCS-2: 100 units
        (None, 4, False, None, None),
        (None, 2000000000, False, 429, False),   # a damaged LEN: capped, never spelt out in memory
    ]


def test_custom_format_without_coding_or_len_reads_text_as_gsm(tmp_path):
    path = tmp_path / "access.log"
    path.write_text("2026-03-02 12:00:00 Sent SMS 36180 33612345678 " + "x" * 200 + "\n"
                    "2026-03-02 12:00:01 Sent SMS 36180 33612345678 short.\n")
    con, counts = load(path, 'access_log_format = "%l %p %P %b"\n')
    assert counts == (2, 2, 0, 0)
    assert rows(con, "SELECT coding, text_len, segments, text_lossy FROM events ORDER BY line_no") == [
        (None, None, 2, False), (None, None, 1, True)]


def test_ucs2_replacement_character_sent_is_exact_a_lone_surrogate_is_lossy(tmp_path):
    # U+FFFD is a character a sender may write (Unicode "So"): only a U+FFFD that decoding
    # made (a lone surrogate, an incomplete code unit) makes the text lossy; the fourth line
    # (a sender holding '] [') goes through the positional path
    line = ("2026-03-02 12:00:0{n} Sent SMS [SMSC:ora] [SVC:acme] [ACT:] [BINF:] [FID:{n}] "
            "[META:?smpp_resp?] [from:{sender}] [to:33612345678] [flags:-1:2:-1:-1:31] "
            "[msg:{length}:{hex}] [udh:0:]\n")
    texts = [("36180", "0061FFFD0062"), ("36180", "0061D83D0062"), ("36180", "FFFDD83D0062"),
             ("A] [B", "0061FFFD0062"), ("36180", "0061FFFD00")]
    path = tmp_path / "access.log"
    path.write_text("".join(line.format(n=n, sender=sender, length=len(hex_text) // 2, hex=hex_text)
                            for n, (sender, hex_text) in enumerate(texts)))
    con, counts = load(path)
    assert counts == (5, 5, 0, 0)
    assert rows(con, "SELECT text, text_lossy FROM events ORDER BY line_no") == [
        ("a\ufffdb", False), ("a\ufffdb", True), ("\ufffd\ufffdb", True), ("a\ufffdb", False),
        ("a\ufffd", True)]


MUTANT_NUMBERS = ["99999999999", "2147483648", "1073741824", "40000", "-0", "", "-", "00", "+1", "1e1",
                  "1_0", "1.5", " 4"]
MUTANT_PIECES = ["] [", "]", "[", ":", " ", "\t", "%", "é", "\x01", "[msg:", "[udh:2:"]


def mutate(line: str, rng) -> str:
    """One random damage of the kind a disk, a patched gateway or a bad copy does."""
    what = rng.randrange(5)
    if what == 4 and line:  # a character changed
        at = rng.randrange(len(line))
        return line[:at] + rng.choice("aZ09 -:[]+.\t") + line[at + 1:]
    if what == 0:  # a number changed: huge, at a type's limit, signed, empty
        runs = [m for m in re.finditer(r"\d+", line)]
        if runs:
            run = rng.choice(runs)
            return line[:run.start()] + rng.choice(MUTANT_NUMBERS) + line[run.end():]
    if what == 1 and line:  # a character lost
        at = rng.randrange(len(line))
        return line[:at] + line[at + 1:]
    if what == 2:  # a piece inserted
        at = rng.randrange(len(line) + 1)
        return line[:at] + rng.choice(MUTANT_PIECES) + line[at:]
    return line[:rng.randrange(len(line) + 1)]  # cut


@pytest.mark.parametrize("seed", range(6))
def test_damaged_lines_never_stop_a_load_and_both_paths_agree(tmp_path, seed, monkeypatch):
    """Real lines, each damaged at random: every line is still an event, a marker or a
    reject (never an error that stops the load), and the fast and positional paths agree."""
    rng = random.Random(seed)
    real = [line for path in (REAL / "main" / "access.log", CASES / "v140.log", CASES / "v142.log")
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    damaged = [mutate(line, rng) if rng.random() < 0.7 else line for line in real * 3]
    path = tmp_path / "damaged.log"
    path.write_text("\n".join(damaged) + "\n", encoding="utf-8")
    fast_con, fast = load(path)
    assert fast.lines == len(damaged) == fast.events + fast.markers + fast.rejected
    assert fast.rejected > 0 and fast.events > 0
    monkeypatch.setattr(kannel, "plan_for", lambda c: kannel.build_plan(None, False).__class__(
        **{**kannel.build_plan(None, False).__dict__, "fast": False}))
    slow_con, slow = load(path)
    assert slow == fast
    for sql in ("SELECT * EXCLUDE (load_id) FROM events ORDER BY line_no",
                "SELECT line_no, reason FROM rejected_lines ORDER BY line_no"):
        assert rows(slow_con, sql) == rows(fast_con, sql)


#: a `Sent SMS` line up to its flags, for tests that vary the rest
SENT_FIELDS = ("Sent SMS [SMSC:ora] [SVC:acme] [ACT:] [BINF:] [FID:1] [META:?smpp_resp?] [from:36180] "
               "[to:33612345678] ")


def test_numbers_too_large_for_their_column_are_rejected_with_a_reason(tmp_path):
    """A damaged number (a flag beyond SMALLINT, a LEN near the INTEGER limit) rejects its
    line with a reason; it used to stop the whole load with a conversion error."""
    head = "2026-11-25 10:00:00 " + SENT_FIELDS
    path = tmp_path / "big.log"
    path.write_text(
        head + "[flags:40000:0:-1:-1:31] [msg:5:hello] [udh:0:]\n"
        + head + "[flags:-1:0:-1:-1:99999999999] [msg:5:hello] [udh:0:]\n"
        + head + "[flags:-1:1:-1:-1:31] [msg:1500000000:AB] [udh:0:]\n"
        + head + "[flags:-1:0:-1:-1:31] [msg:2:AB] [udh:1500000000:0A]\n"
        + head + "[flags:-1:0:-1:-1:31] [msg:5:hello] [udh:0:]\n")
    con, counts = load(path)
    assert counts == (5, 1, 0, 4)
    assert rows(con, "SELECT line_no, reason FROM rejected_lines ORDER BY line_no") == [
        (1, "a flag is out of range (mclass:coding:mwi:compress:dlr_mask = 40000:0:-1:-1:31)"),
        (2, "a flag is out of range (mclass:coding:mwi:compress:dlr_mask = -1:0:-1:-1:99999999999)"),
        (3, "truncated: the text is shorter than its LEN (1500000000 bytes)"),
        (4, "the UDH has 2 hex digits but its length says 1500000000 bytes"),
    ]
    assert rows(con, "SELECT line_no, text FROM events") == [(5, "hello")]


def test_a_date_no_gateway_clock_writes_is_rejected(tmp_path):
    """A damaged year (0026, 0000, 2150) rejects its line: year 0 stopped the facts rebuild
    (Python has no year 0) and year 26 asked the holiday calendar for two thousand years."""
    body = " " + SENT_FIELDS + "[flags:-1:0:-1:-1:31] [msg:5:hello] [udh:0:]\n"
    path = tmp_path / "dates.log"
    path.write_text("".join(day + body for day in (
        "0026-11-25 10:00:00", "0000-11-25 10:00:00", "2150-01-01 10:00:00", "2026-11-25 10:00:00",
        "1970-01-01 01:00:00")))
    con, counts = load(path)
    assert counts == (5, 2, 0, 3)
    assert rows(con, "SELECT line_no, reason FROM rejected_lines ORDER BY line_no") == [
        (1, "the time (0026-11-25 09:50:39 UTC) is outside 1970-2099: a damaged date"),
        (2, "the time (0000-11-25 09:50:39 UTC) is outside 1970-2099: a damaged date"),
        (3, "the time (2150-01-01 09:00:00 UTC) is outside 1970-2099: a damaged date"),
    ]
    # a gateway whose clock was not set yet (01:00 in Paris is the epoch) still counts
    assert rows(con, "SELECT line_no, logged_at FROM events ORDER BY line_no") == [
        (4, dt.datetime(2026, 11, 25, 9, tzinfo=UTC)), (5, dt.datetime(1970, 1, 1, tzinfo=UTC))]
