"""Lines of one second, where a fact or an audit picks one of them: the pick follows the
order of the lines (a total order), never DuckDB's scheduling. At scale (hundreds of
thousands of lines, several threads) each of these came out differently from run to run:
a pending MT's last error, R5's last MO, the attempt R2/R3/R7 report, R4's STOP pair. The
cases are tests/fixtures/kannel-cases/ties/ (README there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventrows import event_id, ingested
from opsanalytics.audits import Filters, run
from opsanalytics.config import parse_contract

TIES = Path(__file__).parent / "fixtures" / "kannel-cases" / "ties"
CONTRACT = parse_contract("""
timezone = "Europe/Paris"
log_timezone = "Europe/Paris"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
oadc = ["ACME"]
[[short_codes]]
code = "36181"
smsc = "ora_36181"
[[short_codes]]
code = "34100"
smsc = "ora_34100"
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
[[services]]
name = "acme_tx"
brand = "Acme"
category = "transactional"
[[services]]
name = "quiz"
brand = "Quiz"
category = "interpersonal"
""")


def line_id(line_no: int) -> int:
    return event_id(1, line_no)   # (one load: load 1)


@pytest.fixture
def mt_ties():
    con, _ = ingested(CONTRACT, [TIES / "same-second-mt.log"])
    yield con
    con.close()


def test_a_pending_mts_last_error_is_that_of_the_later_line_of_its_second(mt_ties):
    """C0 has two ENROUTE receipts in its second, err:011 then err:022: the last error is
    022 (it was 011 on a small log, either at scale)."""
    assert mt_ties.execute("SELECT final_status, dlr_err FROM fct_mt WHERE fid = 'C0'").fetchall() == [
        ("pending", "022")]


def test_of_two_attempts_in_one_second_each_rule_reports_the_first_line(mt_ties):
    """A0 (FOO on 36180) failed and its resend B0 (BAR on 36181) left in the same second:
    one message, two attempts; R3 and R7 report the same attempt, the first line."""
    first = line_id(2)
    r7 = run(mt_ties, CONTRACT, "R7", Filters()).rows
    assert r7[["breach_mt_id", "short_code", "oadc", "reason"]].values.tolist() == [
        [first, "36180", "FOO", "not_declared"]]
    r3 = run(mt_ties, CONTRACT, "R3", Filters()).rows
    assert r3["breach_mt_id"].tolist() == [first]


def test_r5_the_last_mo_of_a_second_is_its_later_line():
    """HELLO and INFO from one number to 34100 in one second, an MT three days later: the
    session's last MO is INFO, the later line, as the same-second check reads it."""
    con, _ = ingested(CONTRACT, [TIES / "same-second-mo.log"])
    try:
        rows = run(con, CONTRACT, "R5", Filters()).rows
        assert rows[["reason", "last_mo_id"]].values.tolist() == [["session_expired", line_id(3)]]
    finally:
        con.close()


def test_r4_a_stop_pair_of_one_second_is_one_mo_with_its_own_short_code():
    """STOP to 36181 (line 3) and to 36180 (line 4) in one second: the opt-out is the first
    line with its own code (min id and min code taken apart made a pair no MO had, 36181's
    line with 36180), so 36181's 10:01 message is the one acknowledgement and 36180's 10:02
    promotion the breach."""
    con, _ = ingested(CONTRACT, [TIES / "same-second-stops.log"])
    try:
        assert con.execute("SELECT mo_id, mo_short_code FROM fct_opt_events").fetchall() == [(line_id(3), "36181")]
        rows = run(con, CONTRACT, "R4", Filters()).rows
        assert rows[["short_code", "stop_mo_id"]].values.tolist() == [["36180", line_id(3)]]
    finally:
        con.close()
