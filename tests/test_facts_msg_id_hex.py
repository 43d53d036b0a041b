"""Receipt ids in hexadecimal under Kannel's `msg-id-type = 0x03`: real Kannel 1.4.5 runs
(tests/fixtures/kannel-1.4.5/msg-id-type, README there; `*.smsc.jsonl` is the SMSC's record
of every submit_sm, response and receipt). Kannel logs `Sent SMS` with the id converted
(`000027` -> `[FID:39]`) but a `FAILED Receive DLR` with the receipt's id as it came
(`[FID:000027]`): such a receipt (before its MT line, after a restart) links to the MT whose
FID is its id read as Kannel reads it, on the same number, and gives it its status."""

from __future__ import annotations

import json
from pathlib import Path

from eventrows import Log, contract, ingested, new_db
from opsanalytics import facts, status
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "msg-id-type"
FINAL = {"DELIVRD": "delivered", "UNDELIV": "failed", "EXPIRED": "expired"}
RECEIPT = "id:{fid} sub:001 dlvrd:001 submit date:2612011500 done date:2612011501 stat:{stat} err:000 text:x"


def load(name: str):
    return ingested(load_contract(FIXTURE / "contract.toml"), [FIXTURE / name])[0]


def smsc_finals(name: str) -> dict[str, str]:
    """Each number's final status as the SMSC's record says: its last final receipt (every
    message of these runs goes to a number of its own)."""
    events = [json.loads(line) for line in (FIXTURE / name).read_text().splitlines()]
    receipts = sorted((e for e in events if e["ev"] == "receipt" and e["stat"] in FINAL), key=lambda e: e["t"])
    return {"+" + e["dst"]: FINAL[e["stat"]] for e in receipts}


def finals(con) -> list[tuple]:
    return con.execute("SELECT fid, msisdn_raw, final_status, final_stat FROM fct_mt ORDER BY line_no").fetchall()


def test_hex_receipts_every_message_has_the_status_the_smsc_gave_it():
    """hex-receipts.log: 7 MTs (4 split by Kannel, masks 1, 2, 31); the receipts of 1, 3 and 7
    came before their MT line, those of 9, 10 and 11 after a restart, all `FAILED Receive DLR`
    with the hex id (`000001`, `00000A`). Before: 5 of 7 NULL or pending."""
    con = load("hex-receipts.log")
    rows = finals(con)
    assert rows == [
        ("1", "+33612900001", "failed", "UNDELIV"),
        ("3", "+33612900002", "delivered", "DELIVRD"),
        ("5", "+33612900003", "delivered", "DELIVRD"),
        ("7", "+33612900004", "delivered", "DELIVRD"),
        ("9", "+33612900005", "delivered", "DELIVRD"),
        ("10", "+33612900006", "failed", "UNDELIV"),
        ("11", "+33612900007", "delivered", "DELIVRD"),
    ]
    assert {number: final for _, number, final, _ in rows} == smsc_finals("hex-receipts.smsc.jsonl")
    linked = con.execute("SELECT d.fid, m.fid, count(*) FROM fct_dlr AS d JOIN fct_mt AS m USING (mt_id) "
                         "WHERE d.link = 'fid_lost' GROUP BY ALL ORDER BY ALL").fetchall()
    assert linked == [("000001", "1", 2), ("000003", "3", 2), ("000007", "7", 1), ("000009", "9", 1),
                      ("00000A", "10", 1), ("00000B", "11", 1)]
    assert status.summary(con)["dlr"] == {"lines": 10, "unmatched": 8, "delivered": 5, "failed": 2}


def test_hex_restart_every_message_has_the_status_the_smsc_gave_it():
    """hex-restart.log: 6 MTs (mask 31); bearerbox restarted with 5 receipts pending, which came
    as `FAILED Receive DLR` `[FID:000002]`... for MTs logged `[FID:2]`. Before: 5 pending."""
    con = load("hex-restart.log")
    rows = finals(con)
    assert rows == [
        ("1", "+33612800001", "delivered", "DELIVRD"),
        ("2", "+33612800002", "delivered", "DELIVRD"),
        ("3", "+33612800003", "failed", "UNDELIV"),
        ("4", "+33612800004", "delivered", "DELIVRD"),
        ("5", "+33612800005", "delivered", "DELIVRD"),
        ("6", "+33612800006", "failed", "UNDELIV"),
    ]
    assert {number: final for _, number, final, _ in rows} == smsc_finals("hex-restart.smsc.jsonl")
    assert status.summary(con)["dlr"] == {"lines": 7, "unmatched": 5, "delivered": 4, "failed": 2}


def lost(log: Log, seconds: float, fid: str, number: str, stat: str = "DELIVRD") -> int:
    return log.line(seconds, "FAILED Receive DLR", fid=fid, service="", sender=number, receiver="36180",
                    text=RECEIPT.format(fid=fid, stat=stat))


def test_a_converted_id_links_only_on_its_number_and_a_literal_match_wins():
    """`000027` read as hex is 39: it links to MT 39 of its number, never to MT 39 of another
    number. `27` matches MT 27 as written, and keeps it though its hex reading (39) is an MT
    of its number logged nearer. `0000000099` read as hex (153) is no MT; read as decimal
    (Kannel does, for an id of digits, with msg-id-type 0x00 or 0x01) it is MT 99."""
    log = Log()
    a, b = "33612345678", "33698765432"
    mt27 = log.line(0, "Sent SMS", fid="27", receiver=a, text="t", dlr_mask=31)
    mt39 = log.line(10, "Sent SMS", fid="39", receiver=a, text="t", dlr_mask=31)
    mt99 = log.line(12, "Sent SMS", fid="99", receiver=a, text="t", dlr_mask=31)
    hex_a = lost(log, 20, "000027", a)
    hex_b = lost(log, 21, "000027", b, "UNDELIV")
    literal = lost(log, 22, "27", a, "UNDELIV")
    decimal = lost(log, 23, "0000000099", a)
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    rows = con.execute("SELECT dlr_id, mt_id, link FROM fct_dlr ORDER BY dlr_id").fetchall()
    assert rows == [(hex_a, mt39, "fid_lost"), (hex_b, None, None), (literal, mt27, "fid_lost"),
                    (decimal, mt99, "fid_lost")]
    assert con.execute("SELECT mt_id, final_status FROM fct_mt ORDER BY mt_id").fetchall() == [
        (mt27, "failed"), (mt39, "delivered"), (mt99, "delivered")]


def test_a_one_sided_mask_line_whose_final_status_is_known_counts_in_the_rate_unless_mask_2():
    """hex-receipts.log: mask 1 (`1`, failed; `7`, delivered) and mask 2 (`3`, delivered).
    Kannel 1.4.5 logs the receipt of the kind the mask left out as a `FAILED Receive DLR`
    (bearerbox: 'Ignoring DLR message because of mask type=2 dlr->mask=1'), which gives the
    line its status: a mask-1 line is in the rate like any other (Kannel asked the SMSC for
    both outcomes, registered_delivery 1). A mask-2 line is not: Kannel asked for failure
    receipts only (registered_delivery 2: the SMSC's record), so a delivered one mostly has
    none and the known ones lean to failure. Rate 4 delivered of 6 (`3` left out); before,
    3 of 4 (both mask-1 lines left out too)."""
    from opsanalytics.audits.result import Filters
    from opsanalytics.quality import quality

    con = load("hex-receipts.log")
    result = quality(con, load_contract(FIXTURE / "contract.toml"), Filters())
    total = result.total
    assert {k: total[k] for k in ("accepted", "delivered", "failed", "final_known", "one_sided_mask", "rate_lines",
                                  "delivery_rate", "receipt_coverage")} == {
        "accepted": 7, "delivered": 5, "failed": 2, "final_known": 7, "one_sided_mask": 3, "rate_lines": 6,
        "delivery_rate": 0.6667, "receipt_coverage": 1.0}
    assert result.daily[["short_code", "accepted", "delivered", "delivery_rate"]].values.tolist() == [
        ["36180", 7, 5, 0.6667]]
