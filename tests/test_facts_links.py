"""Facts from a real Kannel 1.4.5 log over HTTP (kannel, generic) and CIMD2 links
(tests/fixtures/kannel-1.4.5/links, README there): scenario.json says what each SMSC did."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics import status
from opsanalytics.audits import run
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "links"

#: the final status the log can show for what the SMSC did with a message that asked for receipts
FINAL = {"delivered": "delivered", "buffered_delivered": "delivered", "retry_once": "delivered",
         "failed": "failed", "expired": "expired", "refuse": "rejected", "remote_nack": "rejected",
         "none": "pending",
         # `OK queued` without an id: no FID, so the SMSC's receipt matched nothing and Kannel
         # wrote no line for it; only Kannel's own ACK is logged
         "queued_noid": "pending"}


@pytest.fixture(scope="module")
def con():
    return ingested(load_contract(FIXTURE / "contract.toml"), [FIXTURE / "access.log"])[0]


def scenario() -> list[dict]:
    return json.loads((FIXTURE / "scenario.json").read_text())


def e164(number: str) -> str:
    return "+33" + number[1:] if number.startswith("0") else "+" + number.lstrip("+")


def test_every_message_gets_the_final_status_of_its_own_receipts(con):
    expected = defaultdict(list)
    for entry in scenario():
        if entry["kind"] == "mt":
            expected[(entry["smsc"], e164(entry["to"]))].append(FINAL[entry["behaviour"]] if entry["dlr"] else None)
    got = defaultdict(list)
    for smsc, msisdn, final in con.execute("SELECT smsc, msisdn, final_status FROM fct_mt WHERE service <> 'stop'"
                                           " ORDER BY line_no").fetchall():
        got[(smsc, msisdn)].append(final)
    assert {k: sorted(v, key=str) for k, v in got.items()} == {k: sorted(v, key=str) for k, v in expected.items()}


def test_every_receipt_links_to_the_message_to_its_own_number(con):
    assert con.execute("SELECT count(*) FROM rejected_lines").fetchone() == (0,)
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE unmatched) FROM fct_dlr").fetchone() == (206, 0)
    assert con.execute("SELECT count(*) FROM fct_dlr AS d JOIN fct_mt AS m USING (mt_id) "
                       "WHERE d.receiver <> m.msisdn_raw").fetchone() == (0,)
    # CIMD2's FID is a second's timestamp: 15 MTs share one, each receipt still finds its own
    assert con.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM fct_mt WHERE smsc = 'cim_36182' "
                       "AND fid <> '' GROUP BY fid)").fetchone() == (15,)


def test_status_counts(con):
    doc = status.summary(con)
    assert doc["mt"] == {"accepted": 99, "refused": 3, "segments": 108}
    assert doc["mo"] == {"accepted": 16, "refused": 0}
    assert doc["dlr"] == {"lines": 206, "unmatched": 0, "delivered": 70, "failed": 13}


def test_every_opt_out_is_read_on_every_link(con):
    """Including `ARRÊT` in Latin-1 over CIMD2, which Kannel logs `ARRT` (the Ê dropped)."""
    sent = sorted((e["smsc"], e164(e["frm"])) for e in scenario() if e["kind"] == "mo")
    got = con.execute("SELECT smsc, msisdn, keyword FROM fct_mo ORDER BY smsc, msisdn").fetchall()
    assert [(s, m) for s, m, _ in got] == sent
    assert [k for _, _, k in got] == ["STOP"] * 16
    assert con.execute("SELECT text, text_lossy FROM fct_mo WHERE msisdn = '+33612343024'").fetchall() == [
        ("ARRT", False)]


def test_r4_finds_the_promotion_after_each_acknowledgement(con):
    """Two promotions to each of the 16 numbers that opted out: the first within the grace
    period (the allowed acknowledgement), the second a breach; 9 numbers also got smsbox's
    own reply first, then both promotions are breaches."""
    r4 = run(con, load_contract(FIXTURE / "contract.toml"), "R4")
    assert (r4.summary["stops"], r4.summary["numbers"], r4.violations) == (16, 16, 25)
