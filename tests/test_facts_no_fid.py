"""A real Kannel 1.4.5 run whose access-log-format has no %F (fixtures/kannel-1.4.5/no-fid,
a probe's: its README.md): the DLR lines link to their MT lines by context only. Every MT's
final status is the one the SMSC simulator gave (truth.json); each Kannel ACK belongs to the
line just before it, even when the parts of a message share their second; a receipt whose
`text:` starts its MT's text belongs to that MT, not to the nearest line before it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "no-fid"


@pytest.fixture(scope="module")
def con():
    connection, [result] = ingested(load_contract(FIXTURE / "contract.toml"), [FIXTURE / "access.log"])
    assert result.rejected == 0
    yield connection
    connection.close()


def test_every_accepted_mt_has_the_final_status_the_smsc_gave(con):
    truth = json.loads((FIXTURE / "truth.json").read_text(encoding="utf-8"))
    expected = sorted((m["to"], m["final"]) for m in truth["mts"] if m.get("outcome") == "accepted")
    got = sorted(con.execute("SELECT msisdn_raw, final_status FROM fct_mt WHERE outcome = 'accepted' "
                             "AND service = 'acme'").fetchall())
    assert got == expected


def test_the_parts_of_a_message_sent_in_one_second_get_their_own_ack_and_receipts(con):
    parts = con.execute("""SELECT m.concat_seq, list(d.source ORDER BY d.dlr_id), list(d.status ORDER BY d.dlr_id)
                           FROM fct_mt AS m JOIN fct_dlr AS d ON d.mt_id = m.mt_id
                           WHERE m.msisdn_raw = '33612300010' GROUP BY m.concat_seq ORDER BY m.concat_seq""").fetchall()
    assert parts == [(seq, ["kannel_ack", "receipt", "receipt"], [8, 4, 1]) for seq in (1, 2, 3)]
    assert con.execute("SELECT final_status FROM fct_logical_messages WHERE msisdn = '+33612300010'").fetchall() == [
        ("delivered",)]
