"""Facts and status from the real Kannel 1.4.5 log (tests/fixtures/kannel-1.4.5/main).

The fixture is a real bearerbox access log; scenario.log beside it says what was sent. These
tests load it through `ingest` (the Kannel loader, then facts.build) and check what the
scenario implies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from opsanalytics import status, warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log"
CONTRACT = """
log_timezone = "Europe/Paris"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
[[short_codes]]
code = "36181"
smsc = "ora_36181"
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
"""


@pytest.fixture(scope="module")
def con():
    con = warehouse.connect(":memory:", create=True)
    ingest_files(con, parse_contract(CONTRACT, "contract.toml"), [FIXTURE], progress=False)
    return con


def final(con, smsc, fid):
    return con.execute("SELECT final_status FROM fct_mt WHERE smsc = $smsc AND fid = $fid",
                       {"smsc": smsc, "fid": fid}).fetchall()


def test_status_counts(con):
    doc = status.summary(con)
    doc.pop("files")
    assert doc == {
        "lines": 132, "events": 126, "markers": 6, "rejected": 0,
        # 36 accepted lines; T09 and T33 (209 GSM characters) take 2 segments, T10 (138 UCS-2 units) 3
        "mt": {"accepted": 36, "refused": 7, "segments": 40},
        "mo": {"accepted": 14, "refused": 1},
        "dlr": {"lines": 67, "unmatched": 1, "delivered": 20, "failed": 4},
        "dropped": 0,
    }


@pytest.mark.parametrize("smsc, fid, expected", [
    ("ora_36180", "5EA70001", "delivered"),   # T01: ACK, ENROUTE, DELIVRD
    ("ora_36181", "4100000001", "failed"),    # T03: UNDELIV err 001
    ("ora_36180", "5EA7000C", "expired"),     # T23: status 34
    ("ora_36181", "4100000008", "failed"),    # T24: stat REJECTD, status 2
    ("ora_36180", "5EA7000D", "delivered"),   # T25: the duplicate receipt changes nothing
    ("ora_36181", "4100000002", None),        # T04: no DLR asked
    ("ora_36181", "4100000012", "delivered"), # T32: final receipt 6 s late
    ("loop_test", "d230b708-31f8-4e10-948d-f43dd61d4e6d", "pending"),  # only Kannel's ACK
])
def test_final_statuses(con, smsc, fid, expected):
    assert final(con, smsc, fid) == [(expected,)]


def test_duplicate_failed_receive_dlr_is_unmatched(con):
    # linked to its MT on FID and number (fid_lost), which it leaves as its Receive DLRs made it
    rows = con.execute("SELECT d.fid, d.unmatched, d.link, m.fid, m.final_status, m.final_stat, m.dlr_lines "
                       "FROM fct_dlr AS d JOIN fct_mt AS m USING (mt_id) WHERE d.outcome = 'unmatched'").fetchall()
    assert rows == [("5EA7000D", True, "fid_lost", "5EA7000D", "delivered", "DELIVRD", 3)]


def test_refused_lines_carry_kannel_nack(con):
    rows = con.execute("SELECT outcome, msisdn_raw, final_status FROM fct_mt WHERE outcome <> 'accepted' "
                       "ORDER BY mt_id").fetchall()
    assert rows == [
        ("refused", "33699999999", "rejected"), ("failed", "336123456789012345678", "rejected"),
        ("discarded", "447700900123", "rejected"), ("expired", "33677778888", "rejected"),
        ("refused", "33600000000", "rejected"), ("discarded", "33688888888", "rejected"),
        ("refused", "33699999999", "rejected"),
    ]


def test_fakesmsc_receipt_links_by_fallback(con):
    rows = con.execute("SELECT source, link FROM fct_dlr WHERE smsc = 'fake_test' ORDER BY dlr_id").fetchall()
    assert rows == [("kannel_ack", "context"), ("receipt", "fallback")]
    assert con.execute("SELECT final_status FROM fct_mt WHERE smsc = 'fake_test'").fetchall() == [("delivered",)]


def test_three_part_message_is_one_logical_message(con):
    rows = con.execute("SELECT parts_expected, parts_seen, attempts, final_status, starts_with(text, 'Partie 1/3') "
                       "FROM fct_logical_messages WHERE msisdn = '+33614141414'").fetchall()
    assert rows == [(3, 3, 1, "delivered", True)]


def test_mo_keywords(con):
    rows = con.execute("SELECT msisdn, keyword FROM fct_mo WHERE keyword IS NOT NULL ORDER BY mo_id").fetchall()
    assert rows == [
        ("+33612345678", "STOP"), ("+33623456789", "STOP"), ("+33634567890", "STOP"),
        ("+33645678901", "START"), ("+33611111111", "STOP"), ("+33679000000", "STOP"), ("+33699000112", "STOP"),
    ]


def test_split_message_whose_later_part_failed_reached_the_number_then_failed():
    """fixtures/kannel-1.4.5/partial: part 1 of a message Kannel split itself was accepted and
    delivered, part 2 refused (REJECTED Send SMS) or given up (DISCARDED SMS): the failure line
    carries part 1's FID. Whatever the order of Kannel's NACK and part 1's receipts, the line
    is 'rejected' and partly sent; the message reached the number (R4: after a STOP)."""
    from opsanalytics.audits import run

    partial = FIXTURE.parent.parent / "partial" / "access.log"
    contract = parse_contract(CONTRACT.replace("ora_36180", "ora_err"), "contract.toml")
    con = warehouse.connect(":memory:", create=True)
    ingest_files(con, contract, [partial], progress=False)
    assert con.execute("SELECT msisdn, label, final_status, partly_sent FROM fct_mt ORDER BY line_no").fetchall() == [
        ("+33640000003", "REJECTED Send SMS", "rejected", True),
        ("+33640000007", "DISCARDED SMS", "rejected", True)]
    assert con.execute("SELECT accepted, final_status FROM fct_logical_messages").fetchall() == [
        (True, "rejected"), (True, "rejected")]
    r4 = run(con, contract, "R4")
    assert sorted(r4.rows.msisdn) == ["+33640000003", "+33640000007"]
    assert status.summary(con)["mt"] == {"accepted": 0, "refused": 2, "segments": 0}  # as the labels say


def test_opt_outs_typed_on_two_lines_reach_r4():
    """fixtures/kannel-1.4.5/mo-lines: nine STOPs typed with a line break or an ellipsis,
    logged `Stop..merci`, `Merci...STOP`..., then two promotions to each number."""
    from opsanalytics.audits import run
    from opsanalytics.config import load_contract

    folder = FIXTURE.parent.parent / "mo-lines"
    contract = load_contract(folder / "contract.toml")
    con = warehouse.connect(":memory:", create=True)
    ingest_files(con, contract, [folder / "access.log"], progress=False)
    assert [k for (k,) in con.execute("SELECT keyword FROM fct_mo ORDER BY line_no").fetchall()] == ["STOP"] * 9
    r4 = run(con, contract, "R4")
    promotions = con.execute("SELECT count(*) FROM fct_mt WHERE service = 'acme' "
                             "AND msisdn IN (SELECT msisdn FROM fct_mo)").fetchone()[0]
    assert promotions == 18
    # each number's first MT after its STOP is the allowed acknowledgement: smsbox's reply
    # where it sent one, else the first promotion
    acknowledged = con.execute("SELECT count(DISTINCT msisdn) FROM fct_mt WHERE service = 'stop'").fetchone()[0]
    assert acknowledged == 6
    assert r4.violations == promotions - (9 - acknowledged) == 15
