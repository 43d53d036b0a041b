"""Lines Kannel logs with an empty SMSC when bearerbox gives up on a message (retries run out)
although it went out on a connection (real Kannel 1.4.5, tests/fixtures/kannel-1.4.5/discarded,
README there): their connection is the one the lines of their FID, or their other parts,
name. Read as the empty connection, part 1's receipts linked to no MT, a sender name got no
short code (false R6/R7 breaches) and a discarded part did not join its message (a false R3
breach)."""

from __future__ import annotations

from pathlib import Path

from eventrows import ingested
from opsanalytics.audits import run
from opsanalytics.config import load_contract
from opsanalytics.status import summary

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "discarded"


def _load(log: str, contract: str = "contract.toml"):
    ctr = load_contract(FIXTURE / contract)
    con, _ = ingested(ctr, [FIXTURE / log])
    return ctr, con


def test_part_ones_receipts_link_to_the_discarded_line_of_a_message_kannel_split():
    _, con = _load("split.log")
    assert con.execute("""
        SELECT label, smsc, fid, short_code, msisdn, final_status, partly_sent, dlr_lines
        FROM fct_mt ORDER BY mt_id""").fetchall() == [
        ("Sent SMS", "ora_36180", "E000001", "36180", "+33615000001", "delivered", False, 3),
        ("DISCARDED SMS", "ora_36180", "E000002", "36180", "+33615000002", "rejected", True, 3),
        ("DISCARDED SMS", "ora_36180", "E000003", "36180", "+33615000003", "rejected", True, 3),
        ("Sent SMS", "ora_36180", "E000005", "36180", "+33615000003", "delivered", False, 3)]
    # ENROUTE and DELIVRD on ora_36180, then Kannel's NACK logged with an empty SMSC
    assert con.execute("""
        SELECT d.fid, d.status, d.link, m.label FROM fct_dlr AS d JOIN fct_mt AS m USING (mt_id)
        WHERE d.fid = 'E000002' ORDER BY d.dlr_id""").fetchall() == [
        ("E000002", 4, "fid_after", "DISCARDED SMS"), ("E000002", 1, "fid_after", "DISCARDED SMS"),
        ("E000002", 16, "fid", "DISCARDED SMS")]
    counts = summary(con)
    assert counts["dlr"] == {"lines": 12, "unmatched": 0, "delivered": 2, "failed": 0}
    assert counts["mt"] == {"accepted": 2, "refused": 2, "segments": 4}
    # the log's own words are kept
    assert con.execute("SELECT count(*) FROM events WHERE smsc = '' AND kind IN ('mt', 'dlr')").fetchall() == [(4,)]


def test_a_partly_sent_message_under_a_declared_oadc_is_no_r6_or_r7_breach():
    ctr, con = _load("oadc.log", "contract-oadc.toml")
    assert con.execute("SELECT msisdn, label, fid, short_code FROM fct_mt ORDER BY mt_id").fetchall() == [
        ("+33616000003", "Sent SMS", "F000002", "36180"),
        ("+33616000001", "DISCARDED SMS", "", None),        # never on the link
        ("+33616000002", "DISCARDED SMS", "F000001", "36180")]
    assert run(con, ctr, "R6").rows.empty
    assert run(con, ctr, "R7").rows.empty
    assert summary(con)["dlr"]["unmatched"] == 0


def test_a_discarded_part_joins_the_message_the_application_split():
    ctr, con = _load("parts.log")
    rows = con.execute("""
        SELECT msisdn, length(text), text LIKE '%STOP au 36180', len(mt_ids), short_code
        FROM fct_logical_messages ORDER BY msisdn""").fetchall()
    assert rows == [("+33622000001", 159, True, 2, "36180"), ("+33622000002", 159, True, 3, "36180")]
    assert run(con, ctr, "R3").rows.empty
    assert run(con, ctr, "R1").rows.empty
