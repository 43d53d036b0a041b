"""Receipts Kannel matched to no MT because they came in on another connection of the short
code than their MT (a receiver bind with an smsc-id of its own, or a second gateway's bind the
SMSC delivered the receipt to): the facts link each on its FID and handset number to the MT
of the other connection the contract lists for the code (docs/schema.md "DLR linking" 4)."""

from __future__ import annotations

from eventrows import ingested
from opsanalytics.config import parse_contract

CONTRACT = ('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'
            '[[short_codes]]\ncode = "36180"\nsmsc = ["orange_36180_a", "orange_36180_b"]\n')

#: gateway A sent the message; the SMSC delivered its receipt to gateway B's bind, which had
#: sent a message with the same id to another number half an hour later (ids repeat)
TWO_GATEWAYS = """\
2026-11-17 10:00:00 Sent SMS [SMSC:orange_36180_a] [SVC:acme] [ACT:] [BINF:] [FID:5EA7025C] [META:?smpp_resp?] [from:36180] [to:+33640000030] [flags:-1:0:-1:-1:31] [msg:20:Acme: offre du jour.] [udh:0:]
2026-11-17 10:00:03 FAILED Receive DLR [SMSC:orange_36180_b] [SVC:] [ACT:] [BINF:] [FID:5EA7025C] [META:?smpp?] [from:+33640000030] [to:36180] [flags:-1:0:-1:0:-1] [msg:120:id:5EA7025C sub:001 dlvrd:001 submit date:2611171000 done date:2611171000 stat:DELIVRD err:000 text:Acme: offre du jour.] [udh:0:]
2026-11-17 10:30:00 Sent SMS [SMSC:orange_36180_b] [SVC:acme] [ACT:] [BINF:] [FID:5EA7025C] [META:?smpp_resp?] [from:36180] [to:+33680000275] [flags:-1:0:-1:-1:31] [msg:20:Acme: offre du soir.] [udh:0:]
"""


def test_a_receipt_on_the_other_gateway_links_though_that_gateway_sent_its_id_to_another_number(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(TWO_GATEWAYS, encoding="utf-8")
    con, [result] = ingested(parse_contract(CONTRACT, "c.toml"), [log])
    assert result.rejected == 0
    assert con.execute("SELECT smsc, msisdn_raw, final_status FROM fct_mt ORDER BY mt_id").fetchall() == [
        ("orange_36180_a", "+33640000030", "delivered"), ("orange_36180_b", "+33680000275", None)]
    assert con.execute("SELECT smsc, link FROM fct_dlr").fetchall() == [("orange_36180_b", "fid_lost")]
