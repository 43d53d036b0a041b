"""Receipt ids in another base than the FIDs: real Kannel 1.4.5 runs under `msg-id-type =
0x03` (tests/fixtures/kannel-1.4.5/msg-id-type, README there; `*.smsc.jsonl` is the SMSC's
record of every submit_sm, response and receipt) and constructed logs
(tests/fixtures/kannel-cases/msg-id-evidence). Kannel logs `Sent SMS` and a matched `Receive
DLR` with the id converted (`000027` -> `[FID:39]`) but a `FAILED Receive DLR` with the
receipt's id as it came (`[FID:000027]`): such a receipt (before its MT line, after a
restart) links to the MT whose FID is its id read as the connection's matched receipts show
Kannel reads ids there, on the same number; as written where they show no conversion."""

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


def matched(log: Log, seconds: float, fid: str, receipt_id: str, number: str, smsc: str = "ora_36180") -> int:
    """A receipt Kannel matched: `[FID:` the id it looked up `]`, the receipt's own `id:` in its text."""
    return log.line(seconds, "Receive DLR", smsc=smsc, fid=fid, receiver=number, dlr_mask=1,
                    meta="?orig_msg?dlr_mask=31&", text=RECEIPT.format(fid=receipt_id, stat="DELIVRD"))


def links_of(log: Log) -> tuple[list[tuple], list[tuple]]:
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    return (con.execute("SELECT dlr_id, mt_id, link FROM fct_dlr WHERE outcome = 'unmatched' ORDER BY dlr_id").fetchall(),
            con.execute("SELECT mt_id, final_status FROM fct_mt ORDER BY mt_id").fetchall())


A, B, C = "33612345678", "33698765432", "33611111111"


def test_without_evidence_a_failed_receipt_id_is_read_as_written_only():
    """No receipt Kannel matched shows its connection converting ids (msg-id-type unset is the
    default): `000027` is no MT, though 0x27 is MT 39 of its number, and `0000000016` none,
    though 16 is; `27` is MT 27. Before: `000027` went to MT 39, `0000000016` to MT 22."""
    log = Log()
    mt16 = log.line(0, "Sent SMS", fid="16", receiver=A, text="t", dlr_mask=31)
    mt22 = log.line(1, "Sent SMS", fid="22", receiver=A, text="t", dlr_mask=31)
    mt27 = log.line(2, "Sent SMS", fid="27", receiver=A, text="t", dlr_mask=31)
    mt39 = log.line(3, "Sent SMS", fid="39", receiver=A, text="t", dlr_mask=31)
    literal_evidence = matched(log, 4, "5", "5", C)   # id as FID: says nothing of a conversion
    padded = lost(log, 20, "0000000016", A, "UNDELIV")
    hexa = lost(log, 21, "000027", A)
    literal = lost(log, 22, "27", A, "UNDELIV")
    links, finals = links_of(log)
    assert literal_evidence
    assert links == [(padded, None, None), (hexa, None, None), (literal, mt27, "fid_lost")]
    assert finals == [(mt16, None), (mt22, None), (mt27, "failed"), (mt39, None)]


def test_hex_evidence_reads_a_failed_id_as_hex_only_on_its_number_and_connection():
    """A matched receipt `[FID:16]` with `id:000010` (read as hex 16, as decimal 10) shows
    ora_36180 reading receipt ids in hex (msg-id-type 0x02/0x03): its `000027` is MT 39 of its
    number, never MT 39 of another number; `00001B` is MT 27; `0000000099` is 0x99 = 153, no
    MT (MT 99 is its decimal reading, which Kannel did not use). ora_36181 shows no
    conversion: its `000027` is read as written, and is no MT."""
    log = Log()
    mt27 = log.line(0, "Sent SMS", fid="27", receiver=A, text="t", dlr_mask=31)
    mt39 = log.line(10, "Sent SMS", fid="39", receiver=A, text="t", dlr_mask=31)
    mt99 = log.line(12, "Sent SMS", fid="99", receiver=A, text="t", dlr_mask=31)
    mt16 = log.line(13, "Sent SMS", fid="16", receiver=C, text="t", dlr_mask=31)
    matched(log, 14, "16", "000010", C)
    other39 = log.line(15, "Sent SMS", smsc="ora_36181", fid="39", receiver=A, text="t", dlr_mask=31)
    hex_a = lost(log, 20, "000027", A)
    hex_b = lost(log, 21, "000027", B, "UNDELIV")
    letters = lost(log, 22, "00001B", A, "UNDELIV")
    decimal = lost(log, 23, "0000000099", A)
    other = log.line(24, "FAILED Receive DLR", smsc="ora_36181", fid="000027", service="", sender=A,
                     receiver="36181", text=RECEIPT.format(fid="000027", stat="DELIVRD"))
    links, finals = links_of(log)
    assert links == [(hex_a, mt39, "fid_lost"), (hex_b, None, None), (letters, mt27, "fid_lost"),
                     (decimal, None, None), (other, None, None)]
    assert finals == [(mt27, "failed"), (mt39, "delivered"), (mt99, None), (mt16, "delivered"), (other39, None)]


def test_ambiguous_evidence_reads_a_failed_id_only_where_hex_and_decimal_agree():
    """`[FID:5]` with `id:000005` shows ids converted, not whether from hex or decimal:
    `000008` (8 either way) is MT 8; `000027` (hex 39, decimal 27) is neither; `00000A` has
    letters, which Kannel reads as hex under any msg-id-type: MT 10."""
    log = Log()
    mt8 = log.line(0, "Sent SMS", fid="8", receiver=A, text="t", dlr_mask=31)
    mt10 = log.line(1, "Sent SMS", fid="10", receiver=A, text="t", dlr_mask=31)
    mt27 = log.line(2, "Sent SMS", fid="27", receiver=A, text="t", dlr_mask=31)
    mt39 = log.line(3, "Sent SMS", fid="39", receiver=A, text="t", dlr_mask=31)
    mt5 = log.line(4, "Sent SMS", fid="5", receiver=C, text="t", dlr_mask=31)
    matched(log, 5, "5", "000005", C)
    agree = lost(log, 20, "000008", A)
    disagree = lost(log, 21, "000027", A)
    letters = lost(log, 22, "00000A", A, "UNDELIV")
    links, finals = links_of(log)
    assert links == [(agree, mt8, "fid_lost"), (disagree, None, None), (letters, mt10, "fid_lost")]
    assert finals == [(mt8, "delivered"), (mt10, "failed"), (mt27, None), (mt39, None), (mt5, "delivered")]


CASES = Path(__file__).parent / "fixtures" / "kannel-cases" / "msg-id-evidence"


def case(name: str):
    return ingested(load_contract(CASES / "contract.toml"), [CASES / name])[0]


def lost_links(con) -> list[tuple]:
    return con.execute("SELECT d.fid, m.fid FROM fct_dlr AS d LEFT JOIN fct_mt AS m USING (mt_id) "
                       "WHERE d.outcome = 'unmatched' ORDER BY d.line_no").fetchall()


def test_padded_decimal_ids_without_evidence_link_to_no_other_message():
    """padded-0x01.log (a probe's, msg-id-type 0x01: receipt ids decimal, zero-padded): no
    receipt was matched before the restart, so nothing shows how its ids are read: neither
    `0000000016` nor `0000000022` links (before: `0000000016` went to MT 22, 0x16, and made
    it failed; `0000000022` to nothing, 0x22 being 34)."""
    con = case("padded-0x01.log")
    assert lost_links(con) == [("0000000016", None), ("0000000022", None)]
    assert finals(con) == [("16", "+33612400002", "pending", None), ("22", "+33612400002", "pending", None)]


def test_padded_decimal_ids_with_decimal_evidence_link_to_their_own_message():
    """padded-0x01-evidence.log: the same with one receipt matched first, `[FID:23]` with
    `id:0000000023` (decimal 23, hex 35): the connection reads ids as decimal, so
    `0000000016` is MT 16 (failed) and `0000000022` MT 22 (delivered)."""
    con = case("padded-0x01-evidence.log")
    assert lost_links(con) == [("0000000016", "16"), ("0000000022", "22")]
    assert finals(con) == [("16", "+33612400002", "failed", "UNDELIV"), ("22", "+33612400002", "delivered", "DELIVRD"),
                           ("23", "+33612400003", "delivered", "DELIVRD")]


def test_a_duplicate_receipt_without_evidence_gives_another_message_no_status_nor_bill():
    """decimal-dup.log (msg-id-type unset): a duplicate receipt `[FID:100] DELIVRD` of an MT
    outside the warehouse; MT 256 (0x100) of the same number had only Kannel's ACK. Before:
    it linked to MT 256, which became delivered and billed."""
    from opsanalytics import billing

    con = case("decimal-dup.log")
    assert lost_links(con) == [("100", None)]
    assert finals(con) == [("256", "+33612400002", "pending", None)]
    bill = billing.invoice(con, load_contract(CASES / "contract.toml"))
    assert int(bill.lines.loc[bill.lines["item"] == "mt_delivered", "quantity"].sum()) == 0


def test_one_sided_mask_lines_stay_out_of_the_rate_though_their_status_is_known():
    """hex-receipts.log: mask 1 (`1`, failed; `7`, delivered) and mask 2 (`3`, delivered).
    On SMPP Kannel 1.4.5 logs the receipt of the kind the mask left out as a `FAILED Receive
    DLR` (bearerbox: 'Ignoring DLR message because of mask type=2 dlr->mask=1'), which gives
    the line its status; on UCP/EMI it writes no line for it (reused-ids/README.md), and the
    log does not name the driver: the known outcomes of a one-sided mask are no sample of its
    outcomes, so both masks stay out. Rate 3 delivered (`5`, `9`, `11`) of 4 (`10` failed)."""
    from opsanalytics.audits.result import Filters
    from opsanalytics.quality import quality

    con = load("hex-receipts.log")
    result = quality(con, load_contract(FIXTURE / "contract.toml"), Filters())
    total = result.total
    assert {k: total[k] for k in ("accepted", "delivered", "failed", "final_known", "one_sided_mask", "rate_lines",
                                  "delivery_rate", "receipt_coverage")} == {
        "accepted": 7, "delivered": 5, "failed": 2, "final_known": 7, "one_sided_mask": 3, "rate_lines": 4,
        "delivery_rate": 0.75, "receipt_coverage": 1.0}
    assert result.daily[["short_code", "accepted", "delivered", "delivery_rate"]].values.tolist() == [
        ["36180", 7, 5, 0.75]]
