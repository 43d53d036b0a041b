"""R2, R4, R5 judge a message at each accepted line it left on (fct_accepted_sends). They
judged its first only: part 2 of a message submitted at 22:00:00 after part 1 at 21:59:59, a
refused part resent 50 minutes later at 22:20, a part resent after the STOP the number sent in
between, a part resent after the 34ABC session had closed, a middle part sent between a STOP
and a START all passed. The cases are tests/fixtures/kannel-cases/late-parts/ (README there);
each breach names the line that left late."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventrows import event_id, ingested
from opsanalytics.audits import Filters, run
from opsanalytics.config import parse_contract

LOG = Path(__file__).parent / "fixtures" / "kannel-cases" / "late-parts" / "access.log"
CONTRACT = parse_contract("""
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
name = "quiz"
brand = "Quiz"
category = "transactional"
""")


def line_id(line_no: int) -> int:
    return event_id(1, line_no)   # (one load: load 1)


@pytest.fixture(scope="module")
def con():
    con, results = ingested(CONTRACT, [LOG])
    assert [(r.lines, r.rejected) for r in results] == [(39, 0)]
    yield con
    con.close()


def _rows(con, rule: str) -> list[tuple]:
    result = run(con, CONTRACT, rule, Filters())
    return sorted((r["msisdn"], r["breach_mt_id"], r.get("reason")) for r in result.rows.to_dict("records"))


def test_r2_judges_the_part_that_left_at_or_after_22h(con):
    """+33699000037 (parts at 21:59:58 and 21:59:59) is legal; +33699000036's part 2 left at
    22:00:00 (line 7); +33699000304's refused part 1 was accepted at 22:20 (line 20), as
    +33699000306's part 1 resent after its UNDELIV receipt (line 24) and the one-part
    +33699000305 resent then (line 22, which was already flagged)."""
    assert _rows(con, "R2") == [
        ("+33699000036", line_id(7), "hour"),
        ("+33699000304", line_id(20), "hour"),
        ("+33699000305", line_id(22), "hour"),
        ("+33699000306", line_id(24), "hour"),
    ]
    [fact] = con.execute(
        "SELECT attempts, submitted_at = last_accepted_at, last_accepted_mt_id FROM fct_logical_messages "
        "WHERE msisdn = '+33699000304'").fetchall()
    assert fact == (1, False, line_id(20))   # one attempt: the message judged at both its lines


def test_r4_judges_a_part_resent_after_the_stop(con):
    """Part 2 left at 09:59:30, the STOP came at 10:00:00 (line 30), the refused part 1 was
    resent at 10:30 (line 31): the message reached the number 30 minutes after its STOP."""
    result = run(con, CONTRACT, "R4", Filters())
    assert [(r["msisdn"], r["breach_mt_id"], r["stop_mo_id"], r["seconds_after_stop"])
            for r in result.rows.to_dict("records")] == [("+33699000308", line_id(31), line_id(30), 1800.0)]


def test_r5_judges_a_part_resent_after_the_session_closed(con):
    """MO at 10:00 on 11 June (line 33): part 2 left 23 h 59 min later, inside the session;
    part 1, refused, was resent at 10:10 on 12 June (line 38), 24 h 10 min after it."""
    assert _rows(con, "R5") == [("+33699000310", line_id(38), "session_expired")]


def test_r4_judges_a_middle_part_sent_between_a_stop_and_a_start():
    """Review (session 27): parts at 09:30, 10:00 and 10:30 (one message: a part gap under an
    hour), a STOP at 09:35 (line 2) and a START at 10:20: the first and last parts are legal,
    part 2 (line 3) reached the number 25 minutes after its STOP. Judged at its first and
    last line only, the message passed."""
    con, results = ingested(CONTRACT, [LOG.with_name("stop-start-between-parts.log")])
    try:
        assert [(r.lines, r.rejected) for r in results] == [(5, 0)]
        assert con.execute("SELECT len(mt_ids) FROM fct_logical_messages").fetchall() == [(3,)]
        result = run(con, CONTRACT, "R4", Filters())
    finally:
        con.close()
    assert [(r["msisdn"], r["breach_mt_id"], r["stop_mo_id"], r["seconds_after_stop"])
            for r in result.rows.to_dict("records")] == [("+33699000002", line_id(3), line_id(2), 1500.0)]
