"""Facts from a real Kannel 1.4.5 log over a UCP/EMI link (tests/fixtures/kannel-1.4.5/emi).

On EMI the FID is the SMSC's timestamp of the submit, to the second: all the MTs acknowledged
in one second share it, and only (smsc, FID, recipient) names one (Kannel matches receipts so).
scenario.json says what each message was and what the SMSC did with it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics import status
from opsanalytics.audits import run
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "emi"


@pytest.fixture(scope="module")
def con():
    return ingested(load_contract(FIXTURE / "contract.toml"), [FIXTURE / "access.log"])[0]


def scenario() -> list[dict]:
    return json.loads((FIXTURE / "scenario.json").read_text())


def expected_final(entry: dict) -> str | None:
    """The final status the log can show for a message the SMSC treated as `behaviour`."""
    if not entry["dlr"]:
        return None  # no receipt asked: none logged
    behaviour = entry["behaviour"]
    if behaviour.startswith("expired:"):
        # EMI's DST 2: Kannel logs an expiry as failed (2), never 34, but its text says
        # "(validity period expired)": the SMSC's word, as stat:EXPIRED is read
        return "expired"
    if behaviour.startswith("failed:"):
        return "failed"
    if behaviour.startswith("nack:"):
        return "rejected"  # refused at submit: Kannel's NACK on the REJECTED line
    return {"delivered": "delivered", "buffered_delivered": "delivered", "none": "pending"}[behaviour]


def test_every_message_gets_the_final_status_of_its_own_receipts(con):
    expected = defaultdict(list)
    for entry in scenario():
        if entry["kind"] == "mt":
            expected[entry["to"]].append(expected_final(entry))
    got = defaultdict(list)
    for receiver, final in con.execute("SELECT msisdn_raw, final_status FROM fct_mt WHERE service <> 'stop' "
                                       "ORDER BY line_no").fetchall():
        got[receiver].append(final)
    assert dict(got) == dict(expected)
    # 13 messages share one FID, one second's timestamp
    assert con.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM fct_mt WHERE fid <> '' "
                       "GROUP BY smsc, fid)").fetchone() == (13,)


def test_every_opt_out_and_opt_in_is_read(con):
    """STOP in GSM, ` Stop merci `, `ARRÉT` in GSM (logged `ARR..T`), `ARRÊT` in UCS-2 and in
    8-bit Latin-1 (logged `ARR.T`: one byte a letter), `Arrète`, then START."""
    sent = [(e["tag"], e["text"]) for e in scenario() if e["kind"] == "mo"]
    got = con.execute("SELECT keyword FROM fct_mo ORDER BY line_no").fetchall()
    assert len(got) == len(sent) == 8
    assert [k for (k,) in got] == ["START" if text == "START" else "STOP" for _, text in sent]
    assert con.execute("SELECT text, text_normalised FROM fct_mo WHERE coding = 1").fetchall() == [
        ("ARR.T", "ARR?T")]


def test_r10_says_the_failures_have_no_error_in_the_log(con):
    """Kannel's EMI driver drops the notification's reason code (the SMSC sent 101, 107 and
    115): 3 failures the share cannot judge, said, not read as 0 non-Orange failures (the
    fourth, reason 108, is an expiry: no failure to judge)."""
    r10 = run(con, load_contract(FIXTURE / "contract.toml"), "R10")
    assert (r10.summary["non_orange_failed"], r10.summary["failed_error_unknown"]) == (0, 3)
    per = {(r["short_code"], r["brand"]): r["failed_error_unknown"]
           for r in r10.summary["non_orange_by_short_code_brand"]}
    assert per == {("36180", "Acme"): 3, ("36180", "Banque"): 0}


def test_receipts_link_to_the_message_to_their_own_number(con):
    assert con.execute("SELECT count(*) FROM rejected_lines").fetchone() == (0,)
    rows = con.execute("SELECT d.receiver, m.msisdn_raw, d.link FROM fct_dlr AS d "
                       "JOIN fct_mt AS m USING (mt_id)").fetchall()
    assert len(rows) == 58
    assert [r for r in rows if r[0] != r[1]] == []
    doc = status.summary(con)
    assert doc["dlr"] == {"lines": 58, "unmatched": 0, "delivered": 23, "failed": 4}


def test_receipts_without_any_status_are_said_at_ingest():
    """maskless/: the same gateway with an access-log-format without %d. EMI notifications have
    no stat: either, so no receipt gives a status: ingest says so instead of letting every
    message look pending."""
    from opsanalytics.ingest.cautions import cautions

    contract = load_contract(FIXTURE / "maskless" / "contract.toml")
    con, results = ingested(contract, [FIXTURE / "maskless" / "access.log"])
    said = cautions(con, contract, results, "contract.toml")
    [warning] = [w for w in said if "carry no status" in w]
    assert "29 delivery receipt(s)" in warning and "orange_36180 (29)" in warning
    assert status.summary(con)["dlr"]["delivered"] == 0
    # with the status field, the same kind of log says nothing of the kind
    contract = load_contract(FIXTURE / "contract.toml")
    full, results = ingested(contract, [FIXTURE / "access.log"])
    assert [w for w in cautions(full, contract, results, "contract.toml") if "carry no status" in w] == []
