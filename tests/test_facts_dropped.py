"""Receipts Kannel matched to their MT and then dropped (no box to take them): a real Kannel
1.4.5 log (tests/fixtures/kannel-1.4.5/dropped, README there). The receipt's word on the
handset stands: the MT is delivered, whatever became of the application's callback."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics import status
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "dropped"


@pytest.fixture(scope="module")
def con():
    return ingested(load_contract(FIXTURE / "contract.toml"), [FIXTURE / "access.log"])[0]


def test_a_message_whose_receipts_were_dropped_has_their_final_status(con):
    rows = con.execute("SELECT msisdn_raw, final_status, final_stat, dlr_lines FROM fct_mt "
                       "WHERE service = 'acme' ORDER BY line_no").fetchall()
    assert rows == [
        ("33610000000", "delivered", "DELIVRD", 3),
        ("33630000001", "delivered", "DELIVRD", 3),
        ("33630000002", "delivered", "DELIVRD", 3),
        # its ACK logged `Receive DLR`, its ENROUTE and DELIVRD receipts `DROPPED Received DLR`
        ("33640000001", "delivered", "DELIVRD", 3),
    ]


def test_dropped_receipts_link_on_their_fid_and_stay_apart_from_dlr_lines(con):
    rows = con.execute("SELECT line_no, outcome, source, status, stat, link, unmatched FROM fct_dlr "
                       "WHERE outcome = 'dropped' ORDER BY line_no").fetchall()
    assert rows == [(20, "dropped", "receipt", 4, "ENROUTE", "fid", False),
                    (21, "dropped", "receipt", 1, "DELIVRD", "fid", False)]
    mt_line = con.execute("SELECT DISTINCT m.line_no FROM fct_dlr AS d JOIN fct_mt AS m USING (mt_id) "
                          "WHERE d.outcome = 'dropped'").fetchall()
    assert mt_line == [(18,)]


def test_status_counts_dropped_receipts_as_dropped_and_their_message_as_delivered(con):
    summary = status.summary(con)
    assert summary["dlr"] == {"lines": 10, "unmatched": 0, "delivered": 4, "failed": 0}
    assert summary["dropped"] == 3
    assert summary["mt"]["accepted"] == 6


def test_a_dropped_receipt_linked_to_no_mt_is_not_an_unmatched_dlr_line(tmp_path):
    """status's dlr.unmatched counts FAILED Receive DLR and Receive DLR lines linked to no MT
    (issue 7's contract); a dropped receipt of an unknown FID is in `dropped` already."""
    line = ("2026-11-26 16:17:11 DROPPED Received DLR [SMSC:ora_a] [SVC:acme] [ACT:uora_a] [BINF:] "
            "[FID:999] [META:] [from:36180] [to:33640000009] [flags:-1:-1:-1:-1:1] "
            "[msg:12:stat:DELIVRD] [udh:0:]\n")
    log = (FIXTURE / "access.log").read_text()
    path = tmp_path / "access.log"
    path.write_text(log.replace("2026-11-26 16:17:14 Log ends", line.rstrip("\n") + "\n2026-11-26 16:17:14 Log ends"))
    other, _ = ingested(load_contract(FIXTURE / "contract.toml"), [path])
    assert other.execute("SELECT unmatched, mt_id FROM fct_dlr WHERE line_no = 23").fetchall() == [(True, None)]
    summary = status.summary(other)
    assert summary["dlr"]["unmatched"] == 0
    assert summary["dropped"] == 4
