"""Logical messages: multipart reassembly and resubmission folding (RULES.md vocabulary)."""

from __future__ import annotations

from eventrows import Log, contract, new_db
from opsanalytics import facts


def build(log: Log):
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    return con


def logical(con):
    return con.execute(
        "SELECT logical_id, mt_ids, accepted, text, parts_expected, parts_seen, segments, attempts, final_status "
        "FROM fct_logical_messages ORDER BY logical_id").fetchall()


RECEIPT = "id:{fid} sub:001 dlvrd:001 submit date:2611251000 done date:2611251001 stat:{stat} err:000 text:x"


def test_three_parts_out_of_order_reassemble_in_seq_order():
    log = Log()
    p1 = log.line(0, "Sent SMS", fid="P1", text="Partie 1 ", udh="050003410301")
    p3 = log.line(1, "Sent SMS", fid="P3", text="partie 3.", udh="050003410303")
    p2 = log.line(2, "Sent SMS", fid="P2", text="partie 2 ", udh="050003410302")
    for i, fid in enumerate(("P1", "P2", "P3")):
        log.line(5 + i, "Receive DLR", fid=fid, dlr_mask=1, text=RECEIPT.format(fid=fid, stat="DELIVRD"))
    con = build(log)
    assert logical(con) == [(p1, [p1, p3, p2], True, "Partie 1 partie 2 partie 3.", 3, 3, 3, 1, "delivered")]
    assert con.execute("SELECT DISTINCT logical_id FROM fct_mt").fetchall() == [(p1,)]
    assert con.execute("SELECT concat_ref, concat_total, concat_seq FROM fct_mt WHERE mt_id = $id",
                       {"id": p2}).fetchall() == [(0x41, 3, 2)]


def test_sixteen_bit_reference_after_a_port_addressing_ie():
    log = Log()
    # UDHL 0C; IE 05 (ports, 4 bytes); IE 08 (ref 0x1234, 2 parts)
    a = log.line(0, "Sent SMS", fid="W1", text="a", udh="0C05040B8423F00804123402" + "01")
    b = log.line(1, "Sent SMS", fid="W2", text="b", udh="0C05040B8423F00804123402" + "02")
    other = log.line(2, "Sent SMS", fid="W3", text="c", udh="0C05040B8423F00804123502" + "01")
    con = build(log)
    rows = con.execute("SELECT mt_id, concat_ref, concat_total, concat_seq, logical_id FROM fct_mt ORDER BY mt_id").fetchall()
    assert rows == [(a, 0x1234, 2, 1, a), (b, 0x1234, 2, 2, a), (other, 0x1235, 2, 1, other)]


def test_missing_part_is_one_message_with_parts_seen_below_expected():
    log = Log()
    p1 = log.line(0, "Sent SMS", fid="Q1", text="un ", udh="050003070301")
    p2 = log.line(1, "Sent SMS", fid="Q2", text="deux", udh="050003070302")
    con = build(log)
    assert logical(con) == [(p1, [p1, p2], True, "un deux", 3, 2, 2, 1, None)]


def test_udh_without_concatenation_is_a_single_message():
    log = Log()
    wap = log.line(0, "Sent SMS", fid="X1", text="010603AE81EA", udh="0605040B8423F0", coding=1)
    con = build(log)
    assert con.execute("SELECT concat_ref, logical_id FROM fct_mt").fetchall() == [(None, wap)]


def test_refused_then_sent_within_retry_window_is_one_logical_message():
    log = Log()
    refused = log.line(0, "REJECTED Send SMS", text="Promo -20%")
    sent = log.line(30 * 60, "Sent SMS", fid="R1", text="Promo -20%")
    con = build(log)
    assert logical(con) == [(refused, [refused, sent], True, "Promo -20%", 1, 1, 1, 2, None)]
    assert con.execute("SELECT submitted_at FROM fct_logical_messages").fetchall() == \
        con.execute("SELECT submitted_at FROM fct_mt WHERE mt_id = $id", {"id": sent}).fetchall()


def test_text_not_logged_stays_unknown_and_folds_nothing():
    """A log without texts: a refused line and a later one to the same number cannot be told
    to be the same message, and parts of unknown text make a message of unknown text."""
    log = Log()
    refused = log.line(0, "REJECTED Send SMS", text=None)
    sent = log.line(30 * 60, "Sent SMS", fid="N1", text=None)
    p1 = log.line(60, "Sent SMS", fid="N2", text=None, receiver="33612345679", udh="050003090201")
    p2 = log.line(61, "Sent SMS", fid="N3", text=None, receiver="33612345679", udh="050003090202")
    con = build(log)
    assert logical(con) == [(refused, [refused], False, None, 1, 1, None, 1, None),
                            (sent, [sent], True, None, 1, 1, 1, 1, None),
                            (p1, [p1, p2], True, None, 2, 2, 2, 1, None)]


def test_resend_outside_retry_window_is_a_new_message():
    log = Log()
    refused = log.line(0, "REJECTED Send SMS", text="Promo -20%")
    sent = log.line(61 * 60, "Sent SMS", fid="R1", text="Promo -20%")
    con = build(log)
    assert [(r[0], r[2], r[7]) for r in logical(con)] == [(refused, False, 1), (sent, True, 1)]


def test_resend_with_different_text_is_a_new_message():
    log = Log()
    refused = log.line(0, "REJECTED Send SMS", text="Promo -20%")
    sent = log.line(60, "Sent SMS", fid="R1", text="Promo -30%")
    con = build(log)
    assert [r[0] for r in logical(con)] == [refused, sent]


def test_resend_after_a_failed_dlr_folds_but_after_delivery_does_not():
    log = Log()
    first = log.line(0, "Sent SMS", fid="F1", text="Hello")
    log.line(10, "Receive DLR", fid="F1", dlr_mask=2, text=RECEIPT.format(fid="F1", stat="UNDELIV"))
    second = log.line(600, "Sent SMS", fid="F2", text="Hello")
    log.line(610, "Receive DLR", fid="F2", dlr_mask=1, text=RECEIPT.format(fid="F2", stat="DELIVRD"))
    third = log.line(1200, "Sent SMS", fid="F3", text="Hello")  # after a delivered one: a new message
    con = build(log)
    assert logical(con) == [
        (first, [first, second], True, "Hello", 1, 1, 1, 2, "delivered"),
        (third, [third], True, "Hello", 1, 1, 1, 1, None),
    ]


def test_resend_after_a_delivered_multipart_message_whose_part_was_refused_once_is_new():
    """A part refused, then resent and delivered within its message, makes no failed
    attempt: the message was delivered whole, and the same text sent again later is a new
    message the recipient reads twice (the lines that lost to a resent part do not count)."""
    log = Log()
    p1 = log.line(0, "Sent SMS", fid="F1", text="Part one ", udh="050003200201")
    refused = log.line(1, "REJECTED Send SMS", text="part two", udh="050003200202")
    p2 = log.line(60, "Sent SMS", fid="F2", text="part two", udh="050003200202")
    for i, fid in enumerate(("F1", "F2")):
        log.line(65 + i, "Receive DLR", fid=fid, dlr_mask=1, text=RECEIPT.format(fid=fid, stat="DELIVRD"))
    again = log.line(660, "Sent SMS", fid="F3", text="Part one ", udh="050003210201")
    again2 = log.line(661, "Sent SMS", fid="F4", text="part two", udh="050003210202")
    con = build(log)
    assert logical(con) == [
        (p1, [p1, refused, p2], True, "Part one part two", 2, 2, 2, 1, "delivered"),
        (again, [again, again2], True, "Part one part two", 2, 2, 2, 1, None),
    ]


def test_resubmission_by_another_service_or_to_another_number_is_not_folded():
    log = Log()
    a = log.line(0, "FAILED Send SMS", text="Hi")
    b = log.line(5, "Sent SMS", fid="B", text="Hi", service="otp")
    c = log.line(6, "Sent SMS", fid="C", text="Hi", receiver="33611111111")
    con = build(log)
    assert [r[0] for r in logical(con)] == [a, b, c]


def test_short_code_brand_and_category():
    log = Log()
    by_smsc = log.line(0, "Sent SMS", fid="1", text="a", sender="ACME")
    by_sender = log.line(1, "Sent SMS", smsc="other", fid="2", text="b", sender="36181", service="otp")
    unknown = log.line(2, "Sent SMS", smsc="other", fid="3", text="c", sender="ACME", service="nobody")
    con = build(log)
    rows = con.execute("SELECT mt_id, short_code, brand, category FROM fct_mt ORDER BY mt_id").fetchall()
    assert rows == [(by_smsc, "36180", "Acme", "marketing"), (by_sender, "36181", "Acme", "transactional"),
                    (unknown, None, None, "unknown")]


def test_chosen_attempt_values_are_its_own_even_when_null():
    log = Log()
    first = log.line(0, "Sent SMS", fid="G1", text="Hello")
    log.line(10, "Receive DLR", fid="G1", dlr_mask=2, text=RECEIPT.format(fid="G1", stat="UNDELIV"))
    second = log.line(600, "Sent SMS", fid="G2", text="Hello")  # no DLR (yet)
    con = build(log)
    assert logical(con) == [(first, [first, second], True, "Hello", 1, 1, 1, 2, None)]


def _concat(log: Log, seconds: tuple[float, float, float], ref: str = "41") -> list[int]:
    """A 3-part message whose last part names STOP and the short code, parts at `seconds`."""
    texts = ("Soldes -20% ", "ce week-end ! ", "STOP au 36180")
    return [log.line(at, "Sent SMS", fid=f"C{ref}{seq}", text=text, udh=f"050003{ref}03{seq:02X}")
            for seq, (at, text) in enumerate(zip(seconds, texts), start=1)]


def _retry(minutes: int):
    from eventrows import CONTRACT_TOML
    from opsanalytics.config import parse_contract
    return parse_contract(CONTRACT_TOML.replace("retry_minutes = 60", f"retry_minutes = {minutes}"), "c.toml")


def test_retry_minutes_zero_still_assembles_parts_seconds_apart():
    """retry_minutes = 0 (resends never fold) must not cut a message into its parts: the
    parts of one message come seconds apart (here 0, 1 and 3 s), and one part alone names
    STOP: one logical message, no R1 breach (cap 1), no R3 `missing_stop`."""
    from opsanalytics.audits import run
    log = Log()
    ids = _concat(log, (0, 1, 3))
    con = new_db()
    log.write(con)
    contract0 = _retry(0)
    facts.build(con, contract0)
    assert logical(con) == [(ids[0], ids, True, "Soldes -20% ce week-end ! STOP au 36180", 3, 3, 3, 1, None)]
    assert run(con, contract0, "R1").violations == 0
    assert run(con, contract0, "R3").violations == 0


def test_parts_gap_is_the_greater_of_retry_minutes_and_ten_minutes():
    """Parts farther apart than both retry_minutes and facts.PART_GAP (10 min) are two
    messages; within either, one."""
    assert facts.PART_GAP.total_seconds() == 600
    for minutes, gap, messages in ((0, 9 * 60, 1), (0, 11 * 60, 2), (60, 30 * 60, 1), (60, 61 * 60, 2)):
        log = Log()
        _concat(log, (0, 1, 1 + gap))
        con = new_db()
        log.write(con)
        facts.build(con, _retry(minutes))
        assert con.execute("SELECT count(*) FROM fct_logical_messages").fetchone()[0] == messages, (minutes, gap)


def test_two_messages_with_one_concatenation_reference_are_two_messages():
    """Applications that always use one reference (or a cycle of 256) give two multipart
    messages to one number the same key minutes apart: a part number the message already
    holds, with another text, starts the next message (R1 counts two, R3 reads each)."""
    log = Log()
    a1 = log.line(0, "Sent SMS", fid="A1", text="Acme : offre sans ", udh="050003010201")
    a2 = log.line(1, "Sent SMS", fid="A2", text="mention, a bientot", udh="050003010202")
    b1 = log.line(40 * 60, "Sent SMS", fid="B1", text="Acme : offre du soir", udh="050003010201")
    b2 = log.line(40 * 60 + 1, "Sent SMS", fid="B2", text=", STOP au 36180", udh="050003010202")
    con = build(log)
    assert [(r[0], r[1], r[3], r[6]) for r in logical(con)] == [
        (a1, [a1, a2], "Acme : offre sans mention, a bientot", 2),
        (b1, [b1, b2], "Acme : offre du soir, STOP au 36180", 2),
    ]


def test_one_reference_three_messages_and_a_resent_part_inside_one():
    """The walk from message to message: B's second part repeats A's but follows B's first
    (same message); C starts again; a part of C refused and resent with its text stays in C;
    the same text sent again after a part that went through is another message (D)."""
    log = Log()
    a = [log.line(s, "Sent SMS", fid=f"A{s}", text=t, udh=f"05000377020{s + 1}")
         for s, t in ((0, "un "), (1, "deux"))]
    b = [log.line(600 + s, "Sent SMS", fid=f"B{s}", text=t, udh=f"05000377020{s + 1}")
         for s, t in ((0, "trois "), (1, "quatre"))]
    c1 = log.line(1200, "Sent SMS", fid="C1", text="cinq ", udh="050003770201")
    c2_refused = log.line(1201, "REJECTED Send SMS", text="six", udh="050003770202")
    c2 = log.line(1260, "Sent SMS", fid="C2", text="six", udh="050003770202")
    d1 = log.line(1800, "Sent SMS", fid="D1", text="cinq ", udh="050003770201")
    d2 = log.line(1801, "Sent SMS", fid="D2", text="six", udh="050003770202")
    con = build(log)
    assert [(r[0], r[1], r[3]) for r in logical(con)] == [
        (a[0], a, "un deux"),
        (b[0], b, "trois quatre"),
        (c1, [c1, c2_refused, c2], "cinq six"),
        (d1, [d1, d2], "cinq six"),
    ]


def test_resend_window_runs_from_when_the_failure_was_known():
    """retry_minutes (60) counts from the failure: an MT that expired 4 h after its
    submission, resent 10 min after the expiry, is one message; one resent 61 min after its
    failed DLR is a new one. A resend made before the failure was known folds too when it
    comes within 60 min of the attempt, not hours after it."""
    log = Log()
    expired = log.line(0, "Sent SMS", fid="E1", text="Votre code 1234", receiver="33612000501")
    log.line(4 * 3600, "Receive DLR", fid="E1", receiver="33612000501", dlr_mask=2,
             text=RECEIPT.format(fid="E1", stat="EXPIRED"))
    resent = log.line(4 * 3600 + 600, "Sent SMS", fid="E2", text="Votre code 1234", receiver="33612000501")
    late = log.line(0, "Sent SMS", fid="L1", text="Promo", receiver="33612000502")
    log.line(3600, "Receive DLR", fid="L1", receiver="33612000502", dlr_mask=2,
             text=RECEIPT.format(fid="L1", stat="UNDELIV"))
    too_late = log.line(3600 + 61 * 60, "Sent SMS", fid="L2", text="Promo", receiver="33612000502")
    early = log.line(0, "Sent SMS", fid="P1", text="Hello", receiver="33612000503")
    early_resend = log.line(1800, "Sent SMS", fid="P2", text="Hello", receiver="33612000503")
    log.line(3600, "Receive DLR", fid="P1", receiver="33612000503", dlr_mask=2,
             text=RECEIPT.format(fid="P1", stat="UNDELIV"))
    # resent 23.5 h after the attempt, 18 s before its expiry came (a probe's real Kannel
    # run): not "within this delay after a failed one" (RULES.md R1), a message of its own
    slow = log.line(0, "Sent SMS", fid="S1", text="Acme: offre X3", receiver="33612000504")
    next_day = log.line(int(23.5 * 3600), "Sent SMS", fid="S2", text="Acme: offre X3", receiver="33612000504")
    log.line(int(23.5 * 3600) + 18, "Receive DLR", fid="S1", receiver="33612000504", dlr_mask=2,
             text=RECEIPT.format(fid="S1", stat="EXPIRED"))
    con = build(log)
    assert sorted((r[0], r[1]) for r in logical(con)) == sorted([
        (expired, [expired, resent]), (late, [late]), (too_late, [too_late]), (early, [early, early_resend]),
        (slow, [slow]), (next_day, [next_day]),
    ])
