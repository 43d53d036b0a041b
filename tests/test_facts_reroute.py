"""Delivery reports Kannel forwards as MTs (`reroute-dlr`) on a real Kannel 1.4.5
(tests/fixtures/kannel-1.4.5/reroute, README there): the submits they are, not messages of a
brand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics import status
from opsanalytics.audits import run
from opsanalytics.cli import main as cli
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "reroute"
CONTRACT = load_contract(FIXTURE / "contract.toml")
TRUTH = json.loads((FIXTURE / "truth.json").read_text())


@pytest.fixture(scope="module")
def con():
    return ingested(CONTRACT, [FIXTURE / "access.log"])[0]


def test_forwarded_reports_are_flagged_and_are_no_messages(con):
    forwarded_submits = [s for s in TRUTH["submits"]["ORB"] if s["text"] == "ACK/" or s["text"].startswith("id:")]
    rows = con.execute("SELECT smsc, text FROM fct_mt WHERE forwarded = 'dlr' ORDER BY line_no").fetchall()
    assert [(smsc, text[:12]) for smsc, text in rows] == [("ora_36181", s["text"][:12]) for s in forwarded_submits]
    assert len(rows) == 6
    assert con.execute("SELECT count(*) FROM fct_logical_messages l JOIN fct_mt m ON m.mt_id = l.logical_id "
                       "WHERE m.forwarded IS NOT NULL").fetchall() == [(0,)]


def test_rerouted_mos_are_flagged_and_are_no_messages(con):
    """Three MOs went back out (one from ora_36184 to ora_36181, two on ora_mo with reroute =
    true): each a `Sent SMS` with the MO's numbers and text. They were judged R7 not_short_code
    and R10 malformed (to a short code)."""
    rows = con.execute("SELECT smsc, oadc, msisdn_raw, text FROM fct_mt WHERE forwarded = 'mo' ORDER BY line_no").fetchall()
    forwarded = [(s["source"], s["dest"], s["text"]) for s in TRUTH["submits"]["ORB"] + TRUTH["submits"]["ORD"]
                 if s["dest"] in ("36184", "36181")]
    assert [(o.lstrip("+"), r, t) for _, o, r, t in rows] == [(s.lstrip("+"), d, t) for s, d, t in forwarded]
    assert [smsc for smsc, *_ in rows] == ["ora_36181", "ora_mo", "ora_mo"]
    judged = set()
    for rule in ("R7", "R10"):
        result = run(con, CONTRACT, rule)
        judged |= set(result.rows["msisdn"]) if len(result.rows) else set()
    assert not judged & {"36184", "36181"}


def test_rules_judge_only_the_brand_s_messages(con):
    """One message to each number (truth): R1 finds nothing; R3 judges no `ACK/` or receipt."""
    assert run(con, CONTRACT, "R1").violations == 0
    r3 = run(con, CONTRACT, "R3").rows
    judged = set(con.execute("SELECT text FROM fct_mt WHERE mt_id IN (SELECT unnest($ids))",
                             {"ids": [int(i) for i in r3["breach_mt_id"]]}).fetchall()) if len(r3) else set()
    assert not any(t == "ACK/" or t.startswith("id:") for (t,) in judged)


def test_status_counts_every_sent_sms_line(con):
    """status's contract: mt.accepted counts `Sent SMS` lines, the forwarded reports included."""
    sent = sum(1 for line in (FIXTURE / "access.log").read_text().splitlines() if " Sent SMS [" in line)
    assert status.summary(con)["mt"]["accepted"] == sent == 13


def test_ingest_says_what_the_forwarded_reports_are(tmp_path, capsys):
    assert cli(["ingest", str(FIXTURE / "access.log"), "--db", str(tmp_path / "w.duckdb"),
                "--config", str(FIXTURE / "contract.toml"), "--quiet"]) == 0
    assert ("note: `Sent SMS` lines that Kannel forwarded: 6 delivery reports (reroute-dlr: their META holds the "
            "DLR's orig_msg), on ora_36181 (6); 3 MOs sent back out (reroute: no service, the numbers and text of "
            "the MO just before), on ora_mo (2), ora_36181 (1).") in capsys.readouterr().err
