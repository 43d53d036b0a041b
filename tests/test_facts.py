"""Facts from hand-made events: DLR linking, final status (docs/schema.md)."""

from __future__ import annotations

import pytest

from eventrows import Log, contract, new_db
from opsanalytics import facts


def build(log: Log):
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    return con


def mt_status(con, mt_id):
    return con.execute("SELECT final_status FROM fct_mt WHERE mt_id = $id", {"id": mt_id}).fetchall()[0][0]


def dlr_link(con, dlr_id):
    return con.execute("SELECT mt_id, link, unmatched, source FROM fct_dlr WHERE dlr_id = $id",
                       {"id": dlr_id}).fetchall()[0]


RECEIPT = "id:{fid} sub:001 dlvrd:00{d} submit date:2611251000 done date:2611251001 stat:{stat} err:{err} text:x"


def test_ack_then_receipt_delivered():
    log = Log()
    mt = log.line(0, "Sent SMS", fid="A1", text="Hello", dlr_mask=31)
    ack = log.line(0, "Receive DLR", fid="A1", dlr_mask=8, text="ACK/")
    rcpt = log.line(5, "Receive DLR", fid="A1", dlr_mask=1, text=RECEIPT.format(fid="A1", d=1, stat="DELIVRD", err="000"),
                    meta="?orig_msg?dlr_mask=31&?smpp?dlr_err=%03%00%00&")
    con = build(log)
    assert dlr_link(con, ack) == (mt, "fid", False, "kannel_ack")
    assert dlr_link(con, rcpt) == (mt, "fid", False, "receipt")
    assert mt_status(con, mt) == "delivered"
    row = con.execute("SELECT stat, err, dlr_err, submit_date::VARCHAR, done_date::VARCHAR, is_final FROM fct_dlr "
                      "WHERE dlr_id = $id", {"id": rcpt}).fetchall()[0]
    assert row == ("DELIVRD", "000", "030000", "2026-11-25 10:00:00", "2026-11-25 10:01:00", True)
