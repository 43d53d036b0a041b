"""Facts from hand-made events: DLR linking, final status (docs/schema.md)."""

from __future__ import annotations

import io
import sys

import pytest

from eventrows import Log, contract, new_db
from opsanalytics import facts
from opsanalytics.config import parse_contract


def build(log: Log):
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    return con


def mt_status(con, mt_id):
    return con.execute("SELECT final_status FROM fct_mt WHERE mt_id = $id", {"id": mt_id}).fetchall()[0][0]


def dlr_link(con, dlr_id):
    return con.execute("SELECT mt_id, link, unmatched, source FROM fct_dlr WHERE dlr_id = $id",
                       {"id": dlr_id}).fetchall()[0]


RECEIPT = "id:{fid} sub:001 dlvrd:00{d} submit date:2611251000 done date:2611251001 stat:{stat} err:{err} text:x"


def test_ack_then_receipt_delivered():
    log = Log()
    mt = log.line(0, "Sent SMS", fid="A1", text="Hello", dlr_mask=31)
    ack = log.line(0, "Receive DLR", fid="A1", dlr_mask=8, text="ACK/")
    rcpt = log.line(5, "Receive DLR", fid="A1", dlr_mask=1, text=RECEIPT.format(fid="A1", d=1, stat="DELIVRD", err="000"),
                    meta="?orig_msg?dlr_mask=31&?smpp?dlr_err=%03%00%00&")
    con = build(log)
    assert dlr_link(con, ack) == (mt, "fid", False, "kannel_ack")
    assert dlr_link(con, rcpt) == (mt, "fid", False, "receipt")
    assert mt_status(con, mt) == "delivered"
    row = con.execute("SELECT stat, err, dlr_err, submit_date::VARCHAR, done_date::VARCHAR, is_final FROM fct_dlr "
                      "WHERE dlr_id = $id", {"id": rcpt}).fetchall()[0]
    assert row == ("DELIVRD", "000", "030000", "2026-11-25 10:00:00", "2026-11-25 10:01:00", True)


def test_dlr_written_before_its_mt_line_links_forward():
    # a message Kannel split itself: the ACK of part 1 is logged before the one MT line
    log = Log()
    ack = log.line(0, "Receive DLR", fid="S1", dlr_mask=8, text="ACK/")
    mt = log.line(2, "Sent SMS", fid="S1", text="x" * 300, segments=2)
    rcpt = log.line(9, "Receive DLR", fid="S1", dlr_mask=1, text=RECEIPT.format(fid="S1", d=1, stat="DELIVRD", err="000"))
    con = build(log)
    assert dlr_link(con, ack) == (mt, "fid_after", False, "kannel_ack")
    assert dlr_link(con, rcpt) == (mt, "fid", False, "receipt")
    assert mt_status(con, mt) == "delivered"


def test_receipts_without_fid_after_a_run_of_parts_are_paired_in_order():
    """A link that logs no FID (Kannel 1.4.0/1.4.1): the application's two parts, Kannel's ACK
    after each, then one receipt each. The receipts are the parts' in order (part 1 failed
    here); with the nearest MT before, both went to part 2 and part 1 had no status."""
    log = Log()
    part1 = log.line(0, "Sent SMS", text="Partie 1/2", udh="050003410201", dlr_mask=11)
    ack1 = log.line(0, "Receive DLR", dlr_mask=8, text="ACK/")
    part2 = log.line(1, "Sent SMS", text="Partie 2/2", udh="050003410202", dlr_mask=11)
    ack2 = log.line(1, "Receive DLR", dlr_mask=8, text="ACK/")
    rcpt1 = log.line(5, "Receive DLR", dlr_mask=2, text=RECEIPT.format(fid="X1", d=0, stat="UNDELIV", err="001"))
    rcpt2 = log.line(6, "Receive DLR", dlr_mask=1, text=RECEIPT.format(fid="X2", d=1, stat="DELIVRD", err="000"))
    con = build(log)
    assert [dlr_link(con, d)[:2] for d in (ack1, ack2, rcpt1, rcpt2)] == [
        (part1, "context"), (part2, "context"), (part1, "context"), (part2, "context")]
    assert (mt_status(con, part1), mt_status(con, part2)) == ("failed", "delivered")


def test_receipts_without_fid_not_one_per_part_go_to_the_nearest():
    """More receipts than parts (an intermediate one each): which is whose is not known; each
    goes to the nearest MT before, as before. A lone MT and its receipt are paired either way."""
    log = Log()
    part1 = log.line(0, "Sent SMS", text="Partie 1/2", udh="050003410201", dlr_mask=31)
    part2 = log.line(1, "Sent SMS", text="Partie 2/2", udh="050003410202", dlr_mask=31)
    receipts = [log.line(5 + i, "Receive DLR", dlr_mask=mask, text=RECEIPT.format(fid="X", d=0, stat=stat, err="000"))
                for i, (mask, stat) in enumerate([(4, "ENROUTE"), (4, "ENROUTE"), (1, "DELIVRD")])]
    lone = log.line(60, "Sent SMS", text="Seul", dlr_mask=31)
    lone_rcpt = log.line(65, "Receive DLR", dlr_mask=1, text=RECEIPT.format(fid="Y", d=1, stat="DELIVRD", err="000"))
    con = build(log)
    assert [dlr_link(con, d)[0] for d in receipts] == [part2, part2, part2]
    assert mt_status(con, part1) is None  # no receipt of its own
    assert dlr_link(con, lone_rcpt)[:2] == (lone, "context")


def test_reused_fid_links_to_the_nearest_mt():
    log = Log()
    old = log.line(0, "Sent SMS", fid="F9", text="old")
    old_rcpt = log.line(60, "Receive DLR", fid="F9", dlr_mask=2, text=RECEIPT.format(fid="F9", d=0, stat="UNDELIV", err="001"))
    new = log.line(30 * 86400, "Sent SMS", fid="F9", text="new")
    new_rcpt = log.line(30 * 86400 + 5, "Receive DLR", fid="F9", dlr_mask=1, text=RECEIPT.format(fid="F9", d=1, stat="DELIVRD", err="000"))
    other_smsc = log.line(30 * 86400 + 6, "Receive DLR", smsc="ora_36181", fid="F9", dlr_mask=1, text="x")
    early_ack = log.line(30 * 86400 - 1, "Receive DLR", fid="F9", dlr_mask=8, text="ACK/")  # nearer the new one
    con = build(log)
    assert dlr_link(con, old_rcpt)[:2] == (old, "fid")
    assert dlr_link(con, new_rcpt)[:2] == (new, "fid")
    assert dlr_link(con, early_ack)[:2] == (new, "fid_after")
    assert dlr_link(con, other_smsc)[:3] == (None, None, True)  # ids are unique per SMSC only
    assert mt_status(con, old) == "failed"
    assert mt_status(con, new) == "delivered"


def test_fid_shared_by_a_seconds_messages_links_on_the_number():
    """UCP/EMI: the FID is the SMSC's timestamp of the submit, to the second, shared by every
    MT acknowledged in that second; Kannel matches receipts on (smsc, timestamp, number)."""
    log = Log()
    first = log.line(0, "Sent SMS", fid="261125100000", receiver="+33612000001", text="a")
    second = log.line(0, "Sent SMS", fid="261125100000", receiver="+33612000002", text="b")
    third = log.line(0, "Sent SMS", fid="261125100000", receiver="+33612000003", text="c")
    failed_first = log.line(4, "Receive DLR", fid="261125100000", receiver="+33612000001", dlr_mask=2, text="x")
    delivered_second = log.line(5, "Receive DLR", fid="261125100000", receiver="+33612000002", dlr_mask=1, text="y")
    # the same number and timestamp a day later (timestamps repeat): the nearest one
    again = log.line(86400, "Sent SMS", fid="261125100000", receiver="+33612000001", text="d")
    delivered_again = log.line(86405, "Receive DLR", fid="261125100000", receiver="+33612000001", dlr_mask=1, text="z")
    # a receipt whose number is written otherwise than its MT's (a platform's export): the
    # nearest line of its (smsc, fid), as before the number was part of the key
    other_form = log.line(86406, "Receive DLR", fid="261125100000", receiver="0612000009", dlr_mask=1, text="w")
    con = build(log)
    assert dlr_link(con, failed_first)[:2] == (first, "fid")
    assert dlr_link(con, delivered_second)[:2] == (second, "fid")
    assert dlr_link(con, delivered_again)[:2] == (again, "fid")
    assert dlr_link(con, other_form)[:2] == (again, "fid")
    assert [mt_status(con, m) for m in (first, second, again)] == ["failed", "delivered", "delivered"]
    assert con.execute("SELECT count(*) FROM fct_mt_status WHERE mt_id = $id", {"id": third}).fetchone() == (0,)


@pytest.mark.parametrize("status, stat, expected", [
    (34, "EXPIRED", "expired"),
    (2, "UNDELIV", "failed"),
    (2, "REJECTD", "failed"),
    (1, "DELIVRD", "delivered"),
    (4, "ENROUTE", "pending"),
])
def test_final_status_reads_the_mask(status, stat, expected):
    log = Log()
    mt = log.line(0, "Sent SMS", fid="E1", text="t")
    log.line(0, "Receive DLR", fid="E1", dlr_mask=8, text="ACK/")
    log.line(3, "Receive DLR", fid="E1", dlr_mask=status, text=RECEIPT.format(fid="E1", d=0, stat=stat, err="000"))
    con = build(log)
    assert mt_status(con, mt) == expected


@pytest.mark.parametrize("stat, expected", [("delivrd", "delivered"), ("expired", "expired"), ("undeliv", "failed")])
def test_lower_case_receipt_state_is_read_as_the_smsc_wrote_it(stat, expected):
    """Without a message_state TLV Kannel compares stat: case-sensitively and logs any state it
    does not know, `delivrd` and `expired` too, as failed (2): the receipt says otherwise, and
    one rule reads both."""
    log = Log()
    mt = log.line(0, "Sent SMS", fid="L1", text="t")
    log.line(3, "Receive DLR", fid="L1", dlr_mask=2, text=RECEIPT.format(fid="L1", d=1, stat=stat, err="000"))
    con = build(log)
    assert mt_status(con, mt) == expected


@pytest.mark.parametrize("stat, status, expected", [
    ("DELIVRD", 1, "delivered"),
    ("EXPIRED", 34, "expired"),
    ("UNDELIV", 2, "failed"),
    ("DELETED", 2, "failed"),
    ("SOMETHING", 2, "failed"),     # Kannel: any other stat is a failure
    ("ENROUTE", 4, "pending"),
    ("ACCEPTD", 4, "pending"),
])
def test_without_a_logged_mask_the_receipt_stat_gives_the_status(stat, status, expected):
    """An access-log-format without %d logs no DLR mask (NULL): the status is read from the
    receipt's stat: the way Kannel maps it; the ACK stays an ACK."""
    log = Log()
    mt = log.line(0, "Sent SMS", fid="M1", text="t")
    ack = log.line(0, "Receive DLR", fid="M1", dlr_mask=None, text="ACK/")
    receipt = log.line(3, "Receive DLR", fid="M1", dlr_mask=None,
                       text=RECEIPT.format(fid="M1", d=0, stat=stat, err="000"))
    con = build(log)
    assert mt_status(con, mt) == expected
    rows = con.execute("SELECT dlr_id, status, source, is_final FROM fct_dlr ORDER BY dlr_id").fetchall()
    assert rows == [(ack, 8, "kannel_ack", False), (receipt, status, "receipt", status & 3 != 0)]


def test_without_a_logged_mask_a_failed_receive_dlr_is_what_kannel_writes():
    """Kannel writes -1 on a `FAILED Receive DLR` (it matched no entry): without %d the facts
    read its stat: DELIVRD as status 1, final, unlike the same line with %d. The MT still gets
    its status from it (fct_mt_status reads a lost receipt's stat itself)."""
    log = Log()
    mt = log.line(0, "Sent SMS", fid="F1", text="t", receiver="33611111111")
    lost = log.line(2, "FAILED Receive DLR", fid="F1", dlr_mask=None, sender="33611111111", receiver="36180",
                    text=RECEIPT.format(fid="F1", d=1, stat="DELIVRD", err="000"))
    con = build(log)
    assert con.execute("SELECT dlr_id, status, is_final, link FROM fct_dlr").fetchall() == [(lost, -1, False, "fid_lost")]
    assert mt_status(con, mt) == "delivered"


def test_no_dlr_is_null_and_ack_only_is_pending():
    log = Log()
    silent = log.line(0, "Sent SMS", fid="N1", text="t", receiver="33611111111")
    acked = log.line(0, "Sent SMS", fid="N2", text="t", receiver="33622222222")
    log.line(1, "Receive DLR", fid="N2", dlr_mask=8, text="ACK/", receiver="33622222222")
    con = build(log)
    assert mt_status(con, silent) is None
    assert mt_status(con, acked) == "pending"


def test_nack_links_to_the_refused_line_just_before():
    log = Log()
    ok = log.line(0, "Sent SMS", fid="K1", text="t", receiver="33699999999")
    refused = log.line(10, "REJECTED Send SMS", text="t", receiver="33699999999")
    nack = log.line(10, "Receive DLR", dlr_mask=16, text="NACK/0x0000000b/Invalid Destination Address", receiver="33699999999")
    discarded = log.line(20, "DISCARDED SMS", smsc="", text="u", receiver="447700900123")
    nack2 = log.line(20, "Receive DLR", smsc="", dlr_mask=16, text="NACK/no SMSC", receiver="447700900123")
    late = log.line(500, "Receive DLR", dlr_mask=16, text="NACK/", receiver="33699999999")
    con = build(log)
    assert dlr_link(con, nack) == (refused, "context", False, "kannel_nack")
    assert dlr_link(con, nack2) == (discarded, "context", False, "kannel_nack")
    assert dlr_link(con, late)[2] is True  # too long after any refused line
    assert mt_status(con, refused) == "rejected"
    assert mt_status(con, ok) is None


def test_failed_receive_dlr_is_unmatched_even_with_a_known_fid():
    log = Log()
    mt = log.line(0, "Sent SMS", fid="D1", text="t")
    log.line(2, "Receive DLR", fid="D1", dlr_mask=1, text=RECEIPT.format(fid="D1", d=1, stat="DELIVRD", err="000"))
    dup = log.line(3, "FAILED Receive DLR", fid="D1", service="", sender="33612345678", receiver="ACME",
                   dlr_mask=-1, text=RECEIPT.format(fid="D1", d=1, stat="DELIVRD", err="000"))
    con = build(log)
    # linked on its FID and number (fid_lost) but unmatched; status -1: no bit set, not a NACK
    assert dlr_link(con, dup) == (mt, "fid_lost", True, "receipt")
    assert con.execute("SELECT is_final FROM fct_dlr WHERE dlr_id = $id", {"id": dup}).fetchall() == [(False,)]
    assert mt_status(con, mt) == "delivered"


def test_fakesmsc_receipt_with_unknown_fid_falls_back_to_the_mt_without_fid():
    log = Log()
    mt = log.line(0, "Sent SMS", smsc="fake_test", text="Via fake", dlr_mask=31)
    ack = log.line(0, "Receive DLR", smsc="fake_test", dlr_mask=8, text="ACK/")
    rcpt = log.line(0, "Receive DLR", smsc="fake_test", fid="7495e1c5-1e54-4978-aff6-88668faf4986", dlr_mask=1)
    con = build(log)
    assert dlr_link(con, ack) == (mt, "context", False, "kannel_ack")
    assert dlr_link(con, rcpt) == (mt, "fallback", False, "receipt")
    assert mt_status(con, mt) == "delivered"


def test_dlr_err_from_meta_is_hex():
    log = Log()
    log.line(0, "Sent SMS", fid="M1", text="t")
    rcpt = log.line(1, "Receive DLR", fid="M1", dlr_mask=2, meta="?orig_msg?dlr_mask=3&?smpp?dlr_err=%03%000+&",
                    text=RECEIPT.format(fid="M1", d=0, stat="UNDELIV", err="001"))
    con = build(log)
    assert con.execute("SELECT dlr_err, err FROM fct_dlr WHERE dlr_id = $id", {"id": rcpt}).fetchall() == [("03003020", "001")]
    assert con.execute("SELECT dlr_err FROM fct_mt").fetchall() == [("03003020",)]


@pytest.mark.parametrize("text, expected", [
    ("id:X1 sub:001 dlvrd:001 submit date:2611251000 done date:2611251001 stat:DELIVRD err:000 text:stat:UNDELIV",
     ("X1", "001", "001", "2026-11-25 10:00:00", "2026-11-25 10:01:00", "DELIVRD", "000")),
    ("id:X1 submit date:261125100059 done date:261125100159 stat:UNDELIV err:0B1",  # another layout, seconds
     ("X1", None, None, "2026-11-25 10:00:59", "2026-11-25 10:01:59", "UNDELIV", "0B1")),
    ("stat:EXPIRED", (None, None, None, None, None, "EXPIRED", None)),
    ("", (None, None, None, None, None, None, None)),
])
def test_receipt_fields(text, expected):
    log = Log()
    log.line(0, "Sent SMS", fid="X1", text="t")
    rcpt = log.line(1, "Receive DLR", fid="X1", dlr_mask=1, text=text)
    con = build(log)
    row = con.execute("SELECT receipt_id, sub, dlvrd, submit_date::VARCHAR, done_date::VARCHAR, stat, err FROM fct_dlr "
                      "WHERE dlr_id = $id", {"id": rcpt}).fetchall()[0]
    assert row == expected


def test_empty_warehouse_builds_empty_facts():
    con = new_db()
    facts.build(con, contract())
    for table in ("fct_mt", "fct_dlr", "fct_mo", "fct_logical_messages", "fct_mt_status", "int_msisdn"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchall() == [(0,)], table
    assert con.execute("SELECT count(*) FROM ref_holidays").fetchall()[0][0] > 200


@pytest.mark.parametrize("progress", [True, False])
def test_rebuild_names_its_steps_on_a_terminal(monkeypatch, progress):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    facts.build(new_db(), contract(), progress=progress)
    shown = terminal.getvalue()
    if progress:
        # each step named as it starts, out of how many; the bar is wiped when done
        assert f"0/{len(facts.STEPS)}" in shown
        assert [step for step in facts.STEPS if f"step/s, {step}]" not in shown] == []
        assert shown.endswith("\r") and shown.rsplit("\r", 2)[-2].strip() == ""
    else:
        assert shown == ""


def test_dlr_in_the_next_rotated_file_links_to_the_mt_of_the_previous_one():
    first, second = Log(load_id=1), Log(load_id=2)
    mt = first.line(0, "Sent SMS", fid="R9", text="t")
    rcpt = second.line(3600, "Receive DLR", fid="R9", dlr_mask=1, text=RECEIPT.format(fid="R9", d=1, stat="DELIVRD", err="000"))
    con = new_db()
    first.write(con)
    second.write(con)
    facts.build(con, contract())
    assert dlr_link(con, rcpt) == (mt, "fid", False, "receipt")
    assert mt_status(con, mt) == "delivered"


def _short_codes_of(contract_toml: str, lines: list[tuple[str, str]]) -> list:
    log = Log()
    for smsc, sender in lines:
        log.line(0, "Sent SMS", smsc=smsc, sender=sender, text="Promo STOP au 36180")
    con = new_db()
    log.write(con)
    facts.build(con, parse_contract(contract_toml, "c.toml"))
    return [code for (code,) in con.execute("SELECT short_code FROM fct_mt ORDER BY line_no").fetchall()]


SERVICE = '[[services]]\nname = "acme"\nbrand = "Acme"\ncategory = "marketing"\n'


def test_a_sender_name_one_short_code_declares_is_its_short_code_without_a_connection_map():
    """No smsc in the contract: a line from `ACME`, which only 36180 declares (OAdC option),
    is 36180's (it was no short code's: false R6 and R7 breaches); a 5-digit sender is its own."""
    toml = ('[[short_codes]]\ncode = "36180"\noadc = ["ACME"]\n[[short_codes]]\ncode = "36181"\n'
            'oadc = ["Shared"]\n[[short_codes]]\ncode = "36182"\noadc = ["Shared"]\n' + SERVICE)
    lines = [("link", "ACME"), ("link", "36181"), ("link", "Shared"), ("link", "Other")]
    assert _short_codes_of(toml, lines) == ["36180", "36181", None, None]


def test_a_sender_name_gives_no_short_code_once_connections_are_mapped():
    """With connections mapped, a line on another connection may be the brand's traffic to
    another operator under the same name: not Orange's 36180."""
    toml = '[[short_codes]]\ncode = "36180"\nsmsc = "ora_36180"\noadc = ["ACME"]\n' + SERVICE
    assert _short_codes_of(toml, [("ora_36180", "ACME"), ("sfr", "ACME")]) == ["36180", None]


def test_a_short_code_on_several_connections_is_every_line_on_them():
    toml = '[[short_codes]]\ncode = "36180"\nsmsc = ["ora_a", "ora_b"]\n' + SERVICE
    assert _short_codes_of(toml, [("ora_a", "ACME"), ("ora_b", "ACME"), ("ora_c", "ACME")]) == ["36180", "36180", None]
