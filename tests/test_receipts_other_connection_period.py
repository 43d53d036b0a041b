"""The warning about receipts that came in on another connection than their MT
(reports/receipts_on_another_connection.sql, ingest/cautions.py) speaks of the local days the
ingest loaded, as the other cautions about connections and receipts do: a probe (two Kannel
gateways side by side, three nightly ingests) was told on night 3, which loaded 18-19 Nov,
about a receipt of 17 Nov again."""

from __future__ import annotations

import re

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import cautions as cautions_module
from opsanalytics.ingest import ingest_files

CONTRACT = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'
                          '[[short_codes]]\ncode = "36182"\nsmsc = ["ora_c_tx", "ora_c_rx"]\n', "c.toml")


def sent(at: str, fid: str, to: str) -> str:
    return (f"{at} Sent SMS [SMSC:ora_c_tx] [SVC:banque] [ACT:] [BINF:] [FID:{fid}] [META:?smpp_resp?] [from:36182] "
            f"[to:{to}] [flags:-1:0:-1:-1:31] [msg:30:Ma Banque: votre code est 1234] [udh:0:]")


def crossed(at: str, fid: str, to: str) -> str:
    """The receipt of MT `fid`, which came in on the receiver bind ora_c_rx (an smsc-id of its
    own): Kannel 1.4.5 matched no MT (tests/test_ingest_cautions.py, CROSSED)."""
    body = (f"id:{fid} sub:001 dlvrd:001 submit date:{at[2:4]}{at[5:7]}{at[8:10]}{at[11:13]}{at[14:16]} done "
            f"date:{at[2:4]}{at[5:7]}{at[8:10]}{at[11:13]}{at[14:16]} stat:DELIVRD err:000 text:Ma Banque: votre cod")
    return (f"{at} FAILED Receive DLR [SMSC:ora_c_rx] [SVC:] [ACT:] [BINF:] [FID:{fid}] [META:?smpp?] [from:{to}] "
            f"[to:36182] [flags:-1:0:-1:0:-1] [msg:{len(body)}:{body}] [udh:0:]")


NIGHTS = {
    # night 1: 17 Nov, an MT and its receipt on the receiver bind; an MT of 23:58 whose receipt comes after midnight
    "n1.log": ["2026-11-17 08:00:00 Log begins",
               sent("2026-11-17 10:00:00", "CC000001", "33610000013"),
               crossed("2026-11-17 10:00:05", "CC000001", "33610000013"),
               sent("2026-11-17 23:58:00", "CC000002", "33610000014")],
    # night 2: 18 Nov, that receipt (its MT of the day before), and an MT whose receipt matched
    "n2.log": ["2026-11-18 00:00:00 Log begins",
               crossed("2026-11-18 00:00:10", "CC000002", "33610000014"),
               sent("2026-11-18 10:00:00", "CC000003", "33610000015")],
    # night 3: 18-19 Nov (the 18th again: the rest of its log), no new receipt on another connection
    "n3.log": ["2026-11-18 23:00:00 Log begins",
               sent("2026-11-18 23:30:00", "CC000004", "33610000016"),
               sent("2026-11-19 10:00:00", "CC000005", "33610000017")],
    # night 4: 20 Nov only
    "n4.log": ["2026-11-20 00:00:00 Log begins",
               sent("2026-11-20 10:00:00", "CC000006", "33610000018")],
}


def test_each_night_is_told_about_the_receipts_of_the_days_it_loaded_only(tmp_path):
    con = warehouse.connect(":memory:")
    said = []
    try:
        for name, lines in NIGHTS.items():
            path = tmp_path / name
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            results = ingest_files(con, CONTRACT, [path], progress=False)
            said.append([s.removeprefix("warning: ").split(". Kannel")[0]
                         for s in cautions_module.cautions(con, CONTRACT, results, "c.toml")
                         if "came in on another connection" in s])
    finally:
        con.close()
    # how many each night is told of: the receipts of its days, not every one the warehouse holds
    assert [[re.search(r": (\d+) on ora_c_rx", s)[1] for s in night] for night in said] == [["1"], ["1"], ["1"], []]
    assert said == [
        ["receipts on 2026-11-17 matched no MT because they came in on another connection than their message: "
         "1 on ora_c_rx for MTs sent on ora_c_tx"],
        ["receipts on 2026-11-18 matched no MT because they came in on another connection than their message: "
         "1 on ora_c_rx for MTs sent on ora_c_tx"],
        # the receipt of the 18th (a day it loaded too), not the one of the 17th
        ["receipts from 2026-11-18 to 2026-11-19 matched no MT because they came in on another connection than "
         "their message: 1 on ora_c_rx for MTs sent on ora_c_tx"],
        []]


def test_the_advice_names_both_causes_a_receiver_bind_and_another_gateway(tmp_path):
    path = tmp_path / "n1.log"
    path.write_text("\n".join(NIGHTS["n1.log"]) + "\n", encoding="utf-8")
    con = warehouse.connect(":memory:")
    try:
        results = ingest_files(con, CONTRACT, [path], progress=False)
        said = [s for s in cautions_module.cautions(con, CONTRACT, results, "c.toml")
                if "came in on another connection" in s]
    finally:
        con.close()
    assert said == [
        "warning: receipts on 2026-11-17 matched no MT because they came in on another connection than their "
        "message: 1 on ora_c_rx for MTs sent on ora_c_tx. Kannel looks a receipt up under the smsc-id of the "
        "connection it arrives on, in the DLR store of the gateway it arrives at, so the application got no "
        "delivery report for them (the facts give their MTs the receipts' status when the contract lists both "
        "connections for the short code). Either the transmitter and receiver binds of one account have "
        "smsc-ids of their own: give them the same smsc-id; or, with several gateways, the SMSC delivered the "
        "receipts to another gateway's bind than the one that sent the message: give the gateways' binds of "
        "one account the same smsc-id and one shared dlr-storage (mysql, redis...), or each gateway an account "
        "of its own (docs/gateway-setup.md)."]
