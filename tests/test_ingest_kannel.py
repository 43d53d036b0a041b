"""The Kannel loader on the real Kannel 1.4.5 logs (tests/fixtures/kannel-1.4.5, written by a
real bearerbox + smsbox run, scenario.log saying what was sent request by request).

Expected counts come from the files themselves, read here the simplest possible way (the
label is what stands between the time prefix and ' [SMSC:'), and from scenario.log (every
sendsms request gives exactly one MT line); expected texts and segments from what the
scenario sent (URL-decoded query) and RULES.md's segment arithmetic.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import kannel

FIXTURES = Path(__file__).parent / "fixtures" / "kannel-1.4.5"
UTC = dt.timezone.utc

MT_LABELS = {"Sent SMS": "accepted", "REJECTED Send SMS": "refused", "FAILED Send SMS": "failed",
             "DISCARDED SMS": "discarded", "EXPIRED SMS": "expired"}


def load(path: Path, log_timezone: str):
    con = warehouse.connect(":memory:")
    contract = parse_contract(f'log_timezone = "{log_timezone}"\n')
    with warehouse.transaction(con):
        counts = kannel.load(con, path, 1, contract, progress=False)
    return con, counts


@pytest.fixture(scope="module")
def main():
    return load(FIXTURES / "main" / "access.log", "Europe/Paris")


@pytest.fixture(scope="module")
def gmt():
    return load(FIXTURES / "gmt" / "access.log", "UTC")


def file_labels(path: Path) -> Counter:
    """Label of each non-marker line, read naively: fine for these well-formed files."""
    labels = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        body = line[20:]
        if body in ("Log begins", "Log ends"):
            labels["<marker>"] += 1
        else:
            labels[body.split(" [SMSC:")[0]] += 1
    return labels


def sendsms(path: Path) -> list[dict]:
    """The sendsms requests of scenario.log, as decoded query dictionaries."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if " sendsms " in line:
            query = line.split("| query: ", 1)[1]
            out.append({k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()})
    return out


def one(con, sql: str, params: dict | None = None):
    rows = con.execute(sql, params or {}).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize("variant", ["main", "gmt"])
def test_every_line_accounted_and_no_reject(variant, main, gmt):
    con, counts = {"main": main, "gmt": gmt}[variant]
    path = FIXTURES / variant / "access.log"
    physical = len(path.read_bytes().split(b"\n")) - 1
    assert counts.lines == physical
    assert counts.rejected == 0
    assert counts.lines == counts.events + counts.markers + counts.rejected
    labels = file_labels(path)
    assert counts.markers == labels.pop("<marker>")
    got = Counter(dict(con.execute("SELECT label, count(*) FROM events GROUP BY label").fetchall()))
    assert got == labels
    # line numbers: 1..N, each exactly once across events and markers
    nos = [r[0] for r in con.execute(
        "SELECT line_no FROM events UNION ALL SELECT line_no FROM log_markers ORDER BY 1").fetchall()]
    assert nos == list(range(1, physical + 1))


@pytest.mark.parametrize("variant", ["main", "gmt"])
def test_one_mt_line_per_sendsms_request(variant, main, gmt):
    con, _ = {"main": main, "gmt": gmt}[variant]
    requests = sendsms(FIXTURES / variant / "scenario.log")
    auto_replies = one(con, "SELECT count(*) FROM events WHERE kind = 'mt' AND service IN ('stop', 'start', 'jeu')")[0]
    assert one(con, "SELECT count(*) FROM events WHERE kind = 'mt'")[0] == len(requests) + auto_replies
    for req in requests:
        n = one(con, "SELECT count(*) FROM events WHERE kind = 'mt' AND receiver = $to", {"to": req["to"]})[0]
        assert n >= 1, req["to"]


def test_label_kind_outcome(main):
    con, _ = main
    rows = dict(((label, (kind, outcome)) for label, kind, outcome in con.execute(
        "SELECT DISTINCT label, kind, outcome FROM events").fetchall()))
    for label, outcome in MT_LABELS.items():
        assert rows[label] == ("mt", outcome)
    assert rows["Receive SMS"] == ("mo", "accepted")
    assert rows["REJECTED Receive SMS - black-regex-listed SMS"] == ("mo", "refused")
    assert rows["Receive DLR"] == ("dlr", "accepted")
    assert rows["FAILED Receive DLR"] == ("dlr", "unmatched")


def test_local_prefix_is_paris_time_and_gmt_prefix_is_utc(main, gmt):
    con, _ = main
    # line 2: '2026-11-25 17:19:46 Sent SMS ...' written in Paris time (CET, UTC+1)
    assert one(con, "SELECT logged_at FROM events WHERE line_no = 2")[0] == dt.datetime(2026, 11, 25, 16, 19, 46, tzinfo=UTC)
    assert one(con, "SELECT logged_at, marker FROM log_markers WHERE line_no = 1") == (
        dt.datetime(2026, 11, 25, 16, 19, 44, tzinfo=UTC), "begins")
    con, _ = gmt
    assert one(con, "SELECT logged_at FROM events WHERE line_no = 2")[0] == dt.datetime(2026, 11, 25, 16, 20, 15, tzinfo=UTC)


def test_markers_not_events(main):
    con, _ = main
    markers = con.execute("SELECT marker FROM log_markers ORDER BY line_no").fetchall()
    # start, then SIGUSR2 (1.4.5 writes the pair twice), then stop
    assert [m for (m,) in markers] == ["begins", "ends", "begins", "ends", "begins", "ends"]
    assert one(con, "SELECT count(*) FROM events WHERE label LIKE 'Log %'")[0] == 0


def test_lossy_gsm_text_with_brackets(main):
    con, _ = main
    text, lossy, coding, segments, exact, length = one(
        con, "SELECT text, text_lossy, coding, segments, segments_exact, text_len FROM events "
             "WHERE kind = 'mt' AND receiver = '33612345678'")
    assert text == "Promo: -20% avec le code [..T..] .. 5... {ok} ~ ^ | \\ fin"
    assert (lossy, coding, segments, exact, length) == (True, 0, 1, True, 57)


def test_long_gsm_text_split_by_kannel_is_two_segments(main):
    con, _ = main
    sent = sendsms(FIXTURES / "main" / "scenario.log")
    original = next(r["text"] for r in sent if r["to"] == "33612121212")
    gsm_septets = len(original) + sum(original.count(c) for c in "€[]{}^~\\|")
    assert 160 < gsm_septets <= 2 * 153  # what RULES.md makes of the original
    rows = con.execute("SELECT label, text_len, segments, segments_exact, text_lossy, udh FROM events "
                       "WHERE kind = 'mt' AND text_len = 209 ORDER BY line_no").fetchall()
    # T09 accepted, T33 (same text, no DLR asked) accepted, T34 refused by the SMSC
    assert [r[0] for r in rows] == ["Sent SMS", "Sent SMS", "REJECTED Send SMS"]
    assert all(r[1:] == (209, 2, True, True, "") for r in rows)
    assert len(original.encode("utf-8")) == 209


def test_ucs2_texts_decoded_and_counted(main):
    con, _ = main
    sent = {r["to"]: r["text"] for r in sendsms(FIXTURES / "main" / "scenario.log")}
    text, lossy, length, segments = one(
        con, "SELECT text, text_lossy, text_len, segments FROM events WHERE kind = 'mt' AND receiver = '33613131313'")
    assert text == sent["33613131313"]
    units = len(text.encode("utf-16-be")) // 2
    assert (length, units) == (276, 138)
    assert segments == -(-units // 67) == 3 and not lossy
    text, segments = one(con, "SELECT text, segments FROM events WHERE kind = 'mt' AND receiver = '33655556666'")
    assert text == "Été 😀 à bientôt ! 5€ [ok]" == sent["33655556666"] and segments == 1
    # an MO in UCS-2: ARRÊT, exact
    assert one(con, "SELECT text, text_lossy FROM events WHERE kind = 'mo' AND sender = '+33634567890'") == ("ARRÊT", False)


def test_eight_bit_texts(main):
    con, _ = main
    assert one(con, "SELECT text, text_lossy, segments FROM events WHERE kind = 'mt' AND receiver = '33644445555'") == (
        "été 😀", False, 1)
    # bytes 00 01 7F 80 FF 0D 0A 20 41 are not UTF-8: shown printable, flagged lossy
    assert one(con, "SELECT text, text_lossy, text_len FROM events WHERE kind = 'mt' AND receiver = '33644445556'") == (
        "....... A", True, 9)
    # WAP push: port-addressing UDH (not a concatenation), one segment
    assert one(con, "SELECT udh, segments, coding FROM events WHERE kind = 'mt' AND receiver = '33619191921'") == (
        "0605040B8423F0", 1, 1)


def test_application_split_message_is_three_lines_of_one_segment(main):
    con, _ = main
    rows = con.execute("SELECT udh, segments, segments_exact FROM events WHERE kind = 'mt' "
                       "AND receiver = '33614141414' ORDER BY line_no").fetchall()
    assert rows == [("050003410301", 1, True), ("050003410302", 1, True), ("050003410303", 1, True)]


def test_fields_as_logged(main):
    con, _ = main
    row = one(con, "SELECT smsc, service, sender, receiver, fid, meta, dlr_mask, mclass, coding, mwi, compress "
                   "FROM events WHERE sender = 'Ma Banque' AND kind = 'mt'")
    assert row == ("ora_36180", "acme", "Ma Banque", "33616161618", "5EA70013", "?smpp_resp?", 3, -1, 0, -1, -1)
    row = one(con, "SELECT account, binfo, meta FROM events WHERE kind = 'mt' AND receiver = '33615151515'")
    assert row == ("acme_fr", "campagne42", "?smpp?other=x+y&my_tag=abc&?smpp_resp?")
    # DLR status 34 = expired (32 + 2), read as a number
    assert one(con, "SELECT dlr_mask FROM events WHERE kind = 'dlr' AND fid = '5EA7000C' AND text LIKE '%stat:EXPIRED%'")[0] == 34
    # empty text
    assert one(con, "SELECT text, text_len, segments, text_lossy FROM events WHERE receiver = '33619191920'") == ("", 0, 1, False)
    # unmatched receipt: from/to as in the PDU (swapped)
    assert one(con, "SELECT sender, receiver, outcome FROM events WHERE label = 'FAILED Receive DLR'") == (
        "33611110003", "ACME", "unmatched")
    # only MT lines carry segments
    assert one(con, "SELECT count(*) FROM events WHERE kind <> 'mt' AND segments IS NOT NULL")[0] == 0


def test_flushed_mo_part_keeps_its_udh(main):
    con, _ = main
    assert one(con, "SELECT udh, text FROM events WHERE kind = 'mo' AND sender = '+33679000002'") == (
        "050003110201", "Moiti.. de message jamais compl..t..e")
