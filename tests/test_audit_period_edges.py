"""R2, R4 and R5 at the edges of a period (--from/--to): a logical message is one breach,
dated by its first line in breach, and belongs to the one period holding that line, whatever
period its other lines (an earlier part, the failed attempt a resend is folded into) fall in.
The months' rows add up to the unfiltered audit's. A probe (s35/pA) found these messages in
both September and October, dated by the line each period held.

Also R4's provenance inside the grace period: a promotion sent 6 minutes after an `ARRÊT` is a
breach because the MT at 2 minutes was the one acknowledgement allowed; the row names that MT
(`acknowledgement_mt_id`), without which its own lines look compliant.

One log written with tests/kannellines.py, loaded through the real loader. Sep 30 2026 is a
Wednesday, Oct 1 a Thursday, Oct 14 a Wednesday (Europe/Paris, +02:00)."""

from __future__ import annotations

import datetime as dt

import pytest

from eventrows import event_id
from kannellines import ingested, mt, receipt

from opsanalytics import warehouse
from opsanalytics.audits import Filters, run

CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "Europe/Paris"
[rules]
retry_minutes = 60
stop_grace_minutes = 10
session_hours = 24
[[short_codes]]
code = "36180"
smsc = "ora_36180"
[[short_codes]]
code = "34100"
smsc = "ora_34100"
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
[[services]]
name = "chat"
brand = "Chat"
category = "transactional"
"""

SEPTEMBER = Filters(date_from=dt.date(2026, 9, 1), date_to=dt.date(2026, 9, 30))
OCTOBER = Filters(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
PERIODS = {"september": SEPTEMBER, "october": OCTOBER, "all": Filters()}

PROMO = "Promo Acme: -20% ce jour. STOP au 36180"


def mo(at: str, smsc: str, sender: str, text: str) -> str:
    """An MO line as Kannel 1.4.5 logs it (tests/fixtures/kannel-cases/late-parts)."""
    return (f"{at} Receive SMS [SMSC:{smsc}] [SVC:] [ACT:u{smsc}] [BINF:] [FID:] [META:?smpp?] "
            f"[from:+{sender}] [to:{smsc[4:]}] [flags:-1:0:-1:0:-1] [msg:{len(text)}:{text}] [udh:0:]")


def part(at: str, fid: str, to: str, text: str, udh: str) -> str:
    """One part of a concatenated MT from 36180 (UDH `udh`)."""
    return mt(at, "ora_36180", fid, to, text).replace("[udh:0:]", f"[udh:{len(udh) // 2}:{udh}]")


#: (line, name): the names of the lines a test looks up; the log is in time order
LOG = [
    (mo("2026-09-29 20:00:00", "ora_34100", "33610000702", "BONJOUR"), None),   # R5, below
    # +33610000701 (R4, R2): STOP at 10:00; promotion at 23:30, undelivered, resent at 00:20
    # within retry_minutes of the failure: one message, in breach at 23:30 (R2 hour, R4 13.5 h
    # after the STOP), its resend in October
    (mo("2026-09-30 10:00:00", "ora_36180", "33610000701", "STOP"), "stop701"),
    # +33610000702 (R5): MO on 34100 at 20:00 on Sep 29; the answer at 21:00 on Sep 30 is
    # 25 h later (session expired), undelivered at 23:40, resent at 00:30
    (mt("2026-09-30 21:00:00", "ora_34100", "C1", "33610000702", "Chat: votre reponse", svc="chat"), "chat702"),
    # +33610000706 (R2, resend in the next period): inside the window at 21:50, undelivered
    # at 23:30, resent at 00:10: its first line in breach is in October
    (mt("2026-09-30 21:50:00", "ora_36180", "A6", "33610000706", PROMO), "first706"),
    (mt("2026-09-30 23:30:00", "ora_36180", "A1", "33610000701", PROMO), "promo701"),
    (receipt("2026-09-30 23:30:00", "ora_36180", "A6", "33610000706", "UNDELIV"), None),
    (receipt("2026-09-30 23:35:00", "ora_36180", "A1", "33610000701", "UNDELIV"), None),
    (receipt("2026-09-30 23:40:00", "ora_34100", "C1", "33610000702", "UNDELIV", svc="chat"), None),
    # +33610000707 (R4, resend in the next period): accepted at 23:50 before the STOP of 23:55,
    # undelivered at 23:58, resent at 00:30 (35 min after the STOP): in breach in October
    (mt("2026-09-30 23:50:00", "ora_36180", "A7", "33610000707", PROMO), "first707"),
    (mo("2026-09-30 23:55:00", "ora_36180", "33610000707", "STOP"), "stop707"),
    (receipt("2026-09-30 23:58:00", "ora_36180", "A7", "33610000707", "UNDELIV"), None),
    # +33610000705 (R2): two parts, 23:59:59 and 00:00:00, both outside the window
    (part("2026-09-30 23:59:59", "A5", "33610000705", "Promo Acme partie 1 ", "050003A20201"), "part1_705"),
    (part("2026-10-01 00:00:00", "A8", "33610000705", "partie 2. STOP au 36180", "050003A20202"), "part2_705"),
    (mt("2026-10-01 00:10:00", "ora_36180", "A9", "33610000706", PROMO), "resend706"),
    (mt("2026-10-01 00:20:00", "ora_36180", "A2", "33610000701", PROMO), "resend701"),
    (receipt("2026-10-01 00:20:05", "ora_36180", "A2", "33610000701", "DELIVRD"), None),
    (mt("2026-10-01 00:30:00", "ora_34100", "C2", "33610000702", "Chat: votre reponse", svc="chat"), "resend702"),
    (mt("2026-10-01 00:30:00", "ora_36180", "AA", "33610000707", PROMO), "resend707"),
    # +33610000710 (R4 grace): ARRÊT (lossy, as KANNEL.md) at 14:00; the MT at 14:02 is the
    # acknowledgement, the one at 14:06 a breach inside the grace period
    (mo("2026-10-14 14:00:00", "ora_36180", "33610000710", "ARR..T"), "stop710"),
    (mt("2026-10-14 14:02:00", "ora_36180", "B1", "33610000710", "Vous ne recevrez plus de SMS Acme"), "ack710"),
    (mt("2026-10-14 14:06:00", "ora_36180", "B2", "33610000710", PROMO), "promo710"),
]
LINE = {name: event_id(1, n) for n, (_, name) in enumerate(LOG, start=1) if name}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """{(rule, period): rows as JSON}, each rule run for September, October and unfiltered."""
    db, _, contract = ingested(tmp_path_factory.mktemp("edges"), [line for line, _ in LOG], CONTRACT)
    con = warehouse.connect(db)
    try:
        loads = con.execute("SELECT load_id FROM load_manifest").fetchall()
        assert loads == [(1,)]
        out = {(rule, name): run(con, contract, rule, f).to_json(contract.timezone)
               for rule in ("R2", "R4", "R5") for name, f in PERIODS.items()}
        # the folds the cases rest on: each resend is one message with its first attempt
        folded = con.execute("SELECT msisdn, len(mt_ids) FROM fct_logical_messages "
                             "WHERE msisdn IN ('+33610000701', '+33610000702', '+33610000705', "
                             "'+33610000706', '+33610000707') ORDER BY msisdn").fetchall()
        assert folded == [("+33610000701", 2), ("+33610000702", 2), ("+33610000705", 2),
                          ("+33610000706", 2), ("+33610000707", 2)]
    finally:
        con.close()
    return out


def _dated(result: dict, at: str) -> list[tuple]:
    return [(r["msisdn"][-3:], r[at], r["breach_mt_id"]) for r in result["rows"]]


def test_r2_a_message_is_in_the_period_of_its_first_line_outside_the_window(results):
    """701 (23:30, resent 00:20) and 705 (parts at 23:59:59 and 00:00:00) are September's,
    dated by their September line; 706 (21:50 inside, resent 00:10) is October's."""
    september = [("701", "2026-09-30T23:30:00+02:00", LINE["promo701"]),
                 ("707", "2026-09-30T23:50:00+02:00", LINE["first707"]),
                 ("705", "2026-09-30T23:59:59+02:00", LINE["part1_705"])]
    october = [("706", "2026-10-01T00:10:00+02:00", LINE["resend706"])]   # 710's are inside
    assert _dated(results["R2", "september"], "submitted_at") == september
    assert _dated(results["R2", "october"], "submitted_at") == october
    assert _dated(results["R2", "all"], "submitted_at") == september + october
    assert results["R2", "september"]["violations"] + results["R2", "october"]["violations"] == 4


def test_r4_a_message_is_in_the_period_of_its_first_line_after_the_stop(results):
    """701 reached the number at 23:30 (September); 707, accepted before its STOP, reached it
    again at 00:30 (October); 710's 14:06 promotion is October's."""
    september = [("701", "2026-09-30T23:30:00+02:00", LINE["promo701"])]
    october = [("707", "2026-10-01T00:30:00+02:00", LINE["resend707"]),
               ("710", "2026-10-14T14:06:00+02:00", LINE["promo710"])]
    assert _dated(results["R4", "september"], "sent_at") == september
    assert _dated(results["R4", "october"], "sent_at") == october
    assert _dated(results["R4", "all"], "sent_at") == september + october


def test_r5_a_message_is_in_the_period_of_its_first_line_out_of_session(results):
    """702: 25 h after the MO at 21:00 on Sep 30, resent at 00:30: September's only."""
    september = [("702", "2026-09-30T21:00:00+02:00", LINE["chat702"])]
    assert _dated(results["R5", "september"], "submitted_at") == september
    assert _dated(results["R5", "october"], "submitted_at") == []
    assert _dated(results["R5", "all"], "submitted_at") == september


def test_r4_a_breach_inside_the_grace_period_names_the_acknowledgement(results):
    """710: STOP 14:00, acknowledgement 14:02, promotion 14:06: the row names the 14:02 MT.
    Beyond the grace period (701 at 13.5 h, 707 at 35 min) there is none to name."""
    rows = {r["msisdn"][-3:]: r for r in results["R4", "all"]["rows"]}
    assert {k: (r["stop_mo_id"], r["seconds_after_stop"], r["acknowledgement_mt_id"]) for k, r in rows.items()} == {
        "701": (LINE["stop701"], 13.5 * 3600, None),
        "707": (LINE["stop707"], 35 * 60, None),
        "710": (LINE["stop710"], 6 * 60, LINE["ack710"]),
    }
    [october_710] = [r for r in results["R4", "october"]["rows"] if r["msisdn"].endswith("710")]
    assert october_710["acknowledgement_mt_id"] == LINE["ack710"]
    assert type(october_710["acknowledgement_mt_id"]) is int   # a line id, not 1.000000002e+10
