"""Receipts Kannel logged `FAILED Receive DLR` because a restart had emptied its internal DLR
store: a real Kannel 1.4.5 log (tests/fixtures/kannel-1.4.5/restart-dlr, README there; sim.log
is what the SMSC did). Such a receipt gives its MT the status no other receipt gives it; a
duplicate of a final receipt, or one of an MT the warehouse does not hold, changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventrows import Log, contract, ingested, new_db
from opsanalytics import facts, status
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "restart-dlr"
RECEIPT = "id:{fid} sub:001 dlvrd:001 submit date:2611251000 done date:2611251001 stat:{stat} err:000 text:x"


def load(path: Path):
    return ingested(load_contract(FIXTURE / "contract.toml"), [path])[0]


@pytest.fixture(scope="module")
def con():
    return load(FIXTURE / "access.log")


def with_lines(tmp_path: Path, *lines: str) -> Path:
    """The fixture with `lines` added before its last line (`Log ends`)."""
    log = (FIXTURE / "access.log").read_text().splitlines(keepends=True)
    path = tmp_path / "access.log"
    path.write_text("".join(log[:-1]) + "".join(line + "\n" for line in lines) + log[-1])
    return path


def failed_receipt(at: str, fid: str, number: str, stat: str) -> str:
    return (f"2026-11-26 {at} FAILED Receive DLR [SMSC:ora1] [SVC:] [ACT:] [BINF:] [FID:{fid}] [META:?smpp?] "
            f"[from:{number}] [to:36180] [flags:-1:0:-1:0:-1] [msg:119:id:{fid} sub:001 dlvrd:001 submit "
            f"date:2611261649 done date:2611261649 stat:{stat} err:000 text:Promo B STOP au 3618] [udh:0:]")


def test_every_message_the_smsc_delivered_is_delivered(con):
    # sim.log: DELIVRD for all 8; A000001's came after the SIGTERM restart, A000006's after
    # the kill -9 restart, each logged only as FAILED Receive DLR
    rows = con.execute("SELECT fid, msisdn_raw, final_status, final_stat, dlr_lines, strftime(final_at, '%H:%M:%S') "
                       "FROM fct_mt ORDER BY line_no").fetchall()
    assert rows == [
        ("A000001", "33610000001", "delivered", "DELIVRD", 3, "15:49:14"),
        ("A000002", "33610000002", "delivered", "DELIVRD", 3, "15:49:07"),
        ("A000003", "33610000004", "delivered", "DELIVRD", 3, "15:49:13"),
        ("A000005", "33610000003", "delivered", "DELIVRD", 3, "15:49:13"),
        ("A000006", "33610000005", "delivered", "DELIVRD", 3, "15:49:39"),
        ("A000007", "33610000002", "delivered", "DELIVRD", 3, "15:49:24"),
        ("A000008", "33610000007", "delivered", "DELIVRD", 3, "15:49:39"),
        ("A00000A", "33610000006", "delivered", "DELIVRD", 3, "15:49:39"),
    ]


def test_receipts_after_a_restart_link_as_fid_lost_and_stay_unmatched(con):
    rows = con.execute("SELECT d.line_no, d.fid, d.status, d.is_final, d.link, d.unmatched, m.line_no "
                       "FROM fct_dlr AS d LEFT JOIN fct_mt AS m USING (mt_id) "
                       "WHERE d.outcome = 'unmatched' ORDER BY d.line_no").fetchall()
    assert rows == [(19, "A000001", -1, False, "fid_lost", True, 2),
                    (34, "A000006", -1, False, "fid_lost", True, 20)]
    links = con.execute("SELECT outcome, link, unmatched, count(*) FROM fct_dlr GROUP BY ALL ORDER BY ALL").fetchall()
    assert links == [("accepted", "fid", False, 22), ("unmatched", "fid_lost", True, 2)]


def test_status_counts_eight_delivered_and_the_two_lines_still_unmatched(con):
    summary = status.summary(con)
    assert summary["dlr"] == {"lines": 22, "unmatched": 2, "delivered": 8, "failed": 0}
    assert summary["mt"] == {"accepted": 8, "refused": 0, "segments": 10}
    assert (summary["lines"], summary["events"], summary["markers"], summary["rejected"]) == (37, 32, 5, 0)


def test_a_failed_receipt_for_a_message_already_final_changes_nothing(tmp_path):
    """A000002 was delivered (Receive DLR DELIVRD); a FAILED UNDELIV for it, from its number,
    is a duplicate: linked, unmatched, and its MT keeps status, stat, time and line count."""
    con = load(with_lines(tmp_path, failed_receipt("16:49:50", "A000002", "33610000002", "UNDELIV")))
    assert con.execute("SELECT d.link, d.unmatched, m.fid FROM fct_dlr AS d JOIN fct_mt AS m USING (mt_id) "
                       "WHERE d.line_no = 37").fetchall() == [("fid_lost", True, "A000002")]
    assert con.execute("SELECT final_status, final_stat, dlr_lines, strftime(final_at, '%H:%M:%S') FROM fct_mt "
                       "WHERE fid = 'A000002'").fetchall() == [("delivered", "DELIVRD", 3, "15:49:07")]
    assert status.summary(con)["dlr"] == {"lines": 22, "unmatched": 3, "delivered": 8, "failed": 0}


def test_a_failed_receipt_whose_fid_or_number_matches_no_message_stays_unlinked(tmp_path):
    """An unknown FID (an MT outside the warehouse, a wrong msg-id-type), and a known FID from
    another number (a wrong msg-id-type's id equal to another MT's FID): no link, no status."""
    con = load(with_lines(tmp_path,
                          failed_receipt("16:49:50", "A0000FF", "33610000002", "DELIVRD"),
                          failed_receipt("16:49:51", "A000007", "33619999999", "UNDELIV")))
    assert con.execute("SELECT line_no, mt_id, link, unmatched FROM fct_dlr WHERE line_no IN (37, 38) "
                       "ORDER BY line_no").fetchall() == [(37, None, None, True), (38, None, None, True)]
    assert con.execute("SELECT final_status, dlr_lines FROM fct_mt WHERE fid = 'A000007'").fetchall() == [("delivered", 3)]
    assert status.summary(con)["dlr"] == {"lines": 22, "unmatched": 4, "delivered": 8, "failed": 0}


def build(log: Log):
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    return con


def test_a_failed_receipt_links_to_the_nearest_message_before_it_or_just_after():
    """FIDs repeat over time: the MT line of that FID and number just before the receipt is
    its message; one after it only within facts.LOST_AFTER (60 s), nearer than any before: a
    receipt the SMSC sent before its submit_sm_resp is logged before its MT line (receipt-first/)."""
    log = Log()
    first = log.line(0, "Sent SMS", fid="R1", text="t")
    ack1 = log.line(0, "Receive DLR", fid="R1", dlr_mask=8, text="ACK/")
    early = log.line(600, "FAILED Receive DLR", fid="R1", service="", sender="33612345678", receiver="36180",
                     text=RECEIPT.format(fid="R1", stat="UNDELIV"))
    second = log.line(1000, "Sent SMS", fid="R1", text="t")
    late = log.line(1005, "FAILED Receive DLR", fid="R1", service="", sender="33612345678", receiver="36180",
                    text=RECEIPT.format(fid="R1", stat="DELIVRD"))
    before_any = log.line(1010, "FAILED Receive DLR", fid="R2", service="", sender="33612345678", receiver="36180",
                          text=RECEIPT.format(fid="R2", stat="DELIVRD"))
    just_after = log.line(1020, "Sent SMS", fid="R2", text="t")
    too_early = log.line(1100, "FAILED Receive DLR", fid="R3", service="", sender="33612345678", receiver="36180",
                         text=RECEIPT.format(fid="R3", stat="DELIVRD"))
    log.line(1161, "Sent SMS", fid="R3", text="t")
    con = build(log)
    rows = con.execute("SELECT dlr_id, mt_id, link FROM fct_dlr WHERE outcome = 'unmatched' ORDER BY dlr_id").fetchall()
    assert rows == [(early, first, "fid_lost"), (late, second, "fid_lost"), (before_any, just_after, "fid_lost"),
                    (too_early, None, None)]
    assert con.execute("SELECT mt_id, final_status, final_stat, dlr_lines FROM fct_mt WHERE fid = 'R1' "
                       "ORDER BY mt_id").fetchall() == [(first, "failed", "UNDELIV", 2), (second, "delivered", "DELIVRD", 1)]
    assert con.execute("SELECT fid, final_status FROM fct_mt WHERE fid IN ('R2', 'R3') ORDER BY fid").fetchall() == [
        ("R2", "delivered"), ("R3", None)]
    assert con.execute("SELECT mt_id FROM fct_dlr WHERE dlr_id = $id", {"id": ack1}).fetchall() == [(first,)]


def test_a_failed_receipt_whose_numbers_are_not_swapped_links_on_its_receiver():
    """Kannel writes a `FAILED Receive DLR` with the PDU's numbers, usually swapped (from =
    the handset; docs/KANNEL.md), but an SMSC may address a receipt from the short code to
    the handset: its `to` is then the MT's number. Such a receipt stayed unlinked, its MT
    without a status and the bill one delivered segment short (a session-34 probe). It now
    links on its receiver when its sender matches no MT line of its FID, as fid_lost; the
    sender still comes first, and a receipt whose numbers match neither stays unlinked."""
    log = Log()
    mt = log.line(0, "Sent SMS", fid="U1", text="t")
    unswapped = log.line(10, "FAILED Receive DLR", fid="U1", service="", sender="36180", receiver="33612345678",
                         text=RECEIPT.format(fid="U1", stat="DELIVRD"))
    to_a = log.line(20, "Sent SMS", fid="U2", receiver="33612345601", text="t")
    to_b = log.line(21, "Sent SMS", fid="U2", receiver="33612345602", text="t")
    # from B, to A: the sender (swapped, the usual way) decides
    both = log.line(30, "FAILED Receive DLR", fid="U2", service="", sender="33612345602", receiver="33612345601",
                    text=RECEIPT.format(fid="U2", stat="DELIVRD"))
    neither = log.line(40, "FAILED Receive DLR", fid="U1", service="", sender="36180", receiver="33612345699",
                       text=RECEIPT.format(fid="U1", stat="DELIVRD"))
    con = build(log)
    rows = con.execute("SELECT dlr_id, mt_id, link FROM fct_dlr WHERE outcome = 'unmatched' ORDER BY dlr_id").fetchall()
    assert rows == [(unswapped, mt, "fid_lost"), (both, to_b, "fid_lost"), (neither, None, None)]
    assert con.execute("SELECT mt_id, final_status FROM fct_mt ORDER BY mt_id").fetchall() == [
        (mt, "delivered"), (to_a, None), (to_b, "delivered")]


@pytest.mark.parametrize("stat, expected", [
    ("DELIVRD", "delivered"), ("UNDELIV", "failed"), ("EXPIRED", "expired"), ("ENROUTE", "pending"),
])
def test_a_lost_receipt_s_stat_gives_the_status_kannel_would_have_logged(stat, expected):
    """Kannel logs -1 on a FAILED Receive DLR: its stat: is read as Kannel maps it."""
    log = Log()
    mt = log.line(0, "Sent SMS", fid="S1", text="t")
    log.line(0, "Receive DLR", fid="S1", dlr_mask=8, text="ACK/")
    log.line(9, "FAILED Receive DLR", fid="S1", service="", sender="33612345678", receiver="36180",
             text=RECEIPT.format(fid="S1", stat=stat))
    con = build(log)
    assert con.execute("SELECT final_status, dlr_lines FROM fct_mt WHERE mt_id = $id", {"id": mt}).fetchall() == [
        (expected, 2)]


RECEIPT_FIRST = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "receipt-first"


@pytest.mark.parametrize("log, config", [("access.log", "contract.toml"), ("access-clean.log", "contract-clean.toml")])
def test_receipts_sent_before_the_submit_response_give_their_messages_a_status(log, config):
    """Real Kannel 1.4.5 (receipt-first/): each receipt came before its submit_sm_resp and was
    logged FAILED Receive DLR before its MT line, 0 to 2 s before; it is the only status the MT
    gets. In the clean log those lines borrow a neighbour's time. Truth: G1 delivered, G2 and G3
    failed (err 001)."""
    con, _ = ingested(load_contract(RECEIPT_FIRST / config), [RECEIPT_FIRST / log])
    assert con.execute("SELECT msisdn, final_status, final_stat FROM fct_mt ORDER BY msisdn").fetchall() == [
        ("+33614100001", "delivered", "DELIVRD"), ("+33614100002", "failed", "UNDELIV"),
        ("+33614100003", "failed", "UNDELIV")]
    assert con.execute("SELECT count(*) FROM fct_dlr WHERE link = 'fid_lost'").fetchall() == [(3,)]
    assert status.summary(con)["dlr"] == {"lines": 2, "unmatched": 3, "delivered": 1, "failed": 2}
