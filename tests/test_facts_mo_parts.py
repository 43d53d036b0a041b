"""MO parts that Kannel did not combine (sms-combine-concatenated-mo = false) are judged as
the message they make (tests/fixtures/kannel-1.4.5/mo-parts, README there): the same opt-outs
as when Kannel combines them into one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventrows import Log, contract, ingested, new_db
from opsanalytics import facts
from opsanalytics.audits import run
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "mo-parts"
CONTRACT = load_contract(FIXTURE / "contract.toml")


def loaded(run_dir: str):
    return ingested(CONTRACT, [FIXTURE / run_dir / "access.log"])[0]


@pytest.mark.parametrize("run_dir", ["combined", "separate"])
def test_the_same_numbers_opt_out_whether_kannel_combines_the_parts_or_not(run_dir):
    con = loaded(run_dir)
    stops = con.execute("SELECT msisdn FROM fct_mo WHERE keyword = 'STOP' ORDER BY msisdn").fetchall()
    assert [m for (m,) in stops] == ["+33610000002", "+33610000003", "+33610000004", "+33610000005", "+33610000006"]
    assert "+33610000001" not in set(run(con, CONTRACT, "R4").rows["msisdn"])


def test_a_message_in_parts_is_judged_on_its_last_part():
    """separate/: each STOP is on the line of its message's last part to arrive (C2's part 1
    came after its part 2); the other parts have none, and their text is their own."""
    con = loaded("separate")
    rows = con.execute("SELECT msisdn, udh, keyword, left(text, 12) FROM fct_mo WHERE udh <> '' "
                       "AND msisdn IN ('+33610000001', '+33610000002') ORDER BY mo_id").fetchall()
    assert rows == [("+33610000001", "050003110201", None, "Bonjour, je "),
                    ("+33610000001", "050003110202", None, "STOP la sema"),
                    ("+33610000002", "06080412340202", None, "je vous reme"),
                    ("+33610000002", "06080412340201", "STOP", "Bonjour je n")]


def test_parts_far_apart_or_of_another_number_are_other_messages():
    """A reference is reused: parts more than facts.PART_GAP apart, or from another number,
    are not one message (each part is then judged alone)."""
    log = Log()
    for seconds, sender, udh, text in [(0, "+33611111111", "050003770201", "Bonjour, je voudrais savoir "),
                                       (1, "+33622222222", "050003770202", "STOP"),
                                       (2, "+33611111111", "050003990201", "Je ne veux plus de vos messages"),
                                       (3600, "+33611111111", "050003990202", "STOP")]:
        log.line(seconds, "Receive SMS", service="", sender=sender, receiver="36180", text=text, udh=udh)
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    assert [k for (k,) in con.execute("SELECT keyword FROM fct_mo ORDER BY mo_id").fetchall()] == [
        None, "STOP", None, "STOP"]
