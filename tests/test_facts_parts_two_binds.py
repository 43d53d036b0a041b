"""The parts of a message the application split, sent through two connections the contract
lists for one short code (two binds, or two gateways side by side): the handset joins them on
the sender and the concatenation reference, whichever bind each came through, so they are
one logical message (RULES.md vocabulary) for R1 and R3. A session-32 probe: two messages,
an R1 breach and an R3 `missing_stop` on part 1 alone."""

from __future__ import annotations

from eventrows import ingested
from opsanalytics.audits import run as run_audit
from opsanalytics.config import parse_contract

CONTRACT = ('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'
            '[[short_codes]]\ncode = "36180"\nsmsc = ["orange_36180_a", "orange_36180_b"]\n'
            '[[services]]\nname = "acme"\nbrand = "Acme"\ncategory = "marketing"\n')

PART_1 = "Acme: -30% sur tout le magasin ce week-end, et la livraison offerte des 20 euros d'achat. Venez vite, l'offre "
PART_2 = "se termine dimanche soir. STOP au 36180"
LOG = f"""\
2026-11-17 10:00:00 Sent SMS [SMSC:orange_36180_a] [SVC:acme] [ACT:] [BINF:] [FID:A1] [META:?smpp_resp?] [from:36180] [to:+33610000004] [flags:-1:0:-1:-1:31] [msg:{len(PART_1)}:{PART_1}] [udh:6:0500033F0201]
2026-11-17 10:00:01 Sent SMS [SMSC:orange_36180_b] [SVC:acme] [ACT:] [BINF:] [FID:B1] [META:?smpp_resp?] [from:36180] [to:+33610000004] [flags:-1:0:-1:-1:31] [msg:{len(PART_2)}:{PART_2}] [udh:6:0500033F0202]
"""


def test_parts_sent_through_two_connections_of_one_code_are_one_message(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(LOG, encoding="utf-8")
    contract = parse_contract(CONTRACT, "c.toml")
    con, [result] = ingested(contract, [log])
    assert result.rejected == 0
    assert con.execute("SELECT segments, smsc, short_code, text FROM fct_logical_messages").fetchall() == [
        (2, "orange_36180_a", "36180", PART_1 + PART_2)]
    assert run_audit(con, contract, "R1").violations == 0
    assert run_audit(con, contract, "R3").violations == 0
