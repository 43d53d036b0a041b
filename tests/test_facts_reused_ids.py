"""Receipts of MT lines that share one (smsc, FID, number) at once: each MT its own, in the
order Kannel's DLR store hands them out (oldest entry first, removed on a final receipt).
Real Kannel 1.4.5: tests/fixtures/kannel-1.4.5/reused-ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics import status
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "reused-ids"
#: the callback type Kannel sent the application per final receipt: its status for the message
CALLBACK_STATUS = {"1": "delivered", "2": "failed", "34": "expired"}


@pytest.fixture(scope="module")
def con():
    contract = load_contract(FIXTURE / "contract.toml")
    con, _ = ingested(contract, [FIXTURE / "access.log"])
    return con


def test_every_message_gets_the_final_receipt_kannel_gave_it(con):
    truth = json.loads((FIXTURE / "truth.json").read_text())
    text_of = {r["ref"]: r["text"] for r in truth["requests"]}
    expected = {text_of[c["ref"]]: CALLBACK_STATUS[c["type"]]
                for c in truth["app_callbacks"] if c["type"] in CALLBACK_STATUS}
    got = dict(con.execute("SELECT text, final_status FROM fct_mt").fetchall())
    assert got == expected == {
        "reuse A first": "failed", "reuse A second": "delivered",
        "reuse B first": "delivered", "reuse B second": "failed",
        "reuse C other number": "expired",
    }


def test_each_receipt_quotes_the_message_it_links_to(con):
    """(the simulator's receipt text ends with `text:` and the message's text)"""
    rows = con.execute("""
        SELECT d.text, m.text FROM fct_dlr AS d JOIN fct_mt AS m USING (mt_id)
        WHERE d.source = 'receipt'""").fetchall()
    assert len(rows) == 5
    assert all(receipt.endswith("text:" + message) for receipt, message in rows)
    # Kannel's own ACK is logged with each Sent SMS line: one per message
    acks = con.execute("""
        SELECT m.line_no, count(*) FROM fct_dlr AS d JOIN fct_mt AS m USING (mt_id)
        WHERE d.source = 'kannel_ack' GROUP BY ALL ORDER BY 1""").fetchall()
    assert acks == [(2, 1), (4, 1), (6, 1), (8, 1), (11, 1)]


def test_status_counts_every_final(con):
    dlr = status.summary(con)["dlr"]
    assert dlr == {"lines": 10, "unmatched": 0, "delivered": 2, "failed": 3}


def _emi_line(at: str, label: str, to: str, flags: str, text: str, udh: str = "") -> str:
    udh_tag = f"[udh:{len(udh) // 2}:{udh}]"
    meta = "" if label == "Sent SMS" else "?orig_msg?dlr_mask=31&"
    return (f"{at} {label} [SMSC:orange_36180] [SVC:acme] [ACT:] [BINF:] [FID:{FID}] [META:{meta}] "
            f"[from:36180] [to:{to}] [flags:{flags}] [msg:{len(text)}:{text}] {udh_tag}")


#: a UCP/EMI FID: the SMSC's timestamp of the submit, to the second (tests/fixtures/kannel-1.4.5/emi)
FID = "261126150600"


def test_parts_sent_to_one_number_in_one_second_on_emi_get_a_receipt_each(tmp_path):
    """On UCP/EMI the parts of a message the application split, acknowledged in one second,
    share (smsc, FID, number): the first final notification is part 1's, the next part 2's (as
    Kannel's store hands them out), an intermediate one goes to the part still waiting. The
    same FID and number days later (a new burst) is another message: its receipt is its own."""
    to = "+33612340099"
    part1, part2 = "050003AB0201", "050003AB0202"
    log = tmp_path / "access.log"
    log.write_text("\n".join([
        "2026-11-26 15:06:00 Log begins",
        _emi_line("2026-11-26 15:06:00", "Sent SMS", to, "-1:0:-1:-1:31", "Acme: offre, partie une", part1),
        _emi_line("2026-11-26 15:06:00", "Receive DLR", to, "-1:-1:-1:-1:8", "ACK/"),
        _emi_line("2026-11-26 15:06:00", "Sent SMS", to, "-1:0:-1:-1:31", " STOP au 36180", part2),
        _emi_line("2026-11-26 15:06:00", "Receive DLR", to, "-1:-1:-1:-1:8", "ACK/"),
        _emi_line("2026-11-26 15:06:03", "Receive DLR", to, "-1:-1:-1:-1:4", "Message buffered"),
        _emi_line("2026-11-26 15:06:05", "Receive DLR", to, "-1:-1:-1:-1:1", "Message delivered"),
        _emi_line("2026-11-26 15:06:09", "Receive DLR", to, "-1:-1:-1:-1:4", "Message buffered"),
        _emi_line("2026-11-26 15:06:12", "Receive DLR", to, "-1:-1:-1:-1:2", "Message not delivered"),
        # the same timestamp id two days later (a clock set back): the nearest MT line
        _emi_line("2026-11-28 10:00:00", "Sent SMS", to, "-1:0:-1:-1:31", "Acme: autre offre. STOP au 36180"),
        _emi_line("2026-11-28 10:00:04", "Receive DLR", to, "-1:-1:-1:-1:1", "Message delivered"),
        "2026-11-28 10:00:05 Log ends",
    ]) + "\n")
    (tmp_path / "contract.toml").write_text(
        'timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'
        '[[short_codes]]\ncode = "36180"\nsmsc = "orange_36180"\n'
        '[[services]]\nname = "acme"\nbrand = "Acme"\ncategory = "marketing"\n')
    contract = load_contract(tmp_path / "contract.toml")
    con, _ = ingested(contract, [log])
    rows = con.execute("""
        SELECT m.line_no, list(d.status ORDER BY d.line_no), any_value(m.final_status)
        FROM fct_mt AS m JOIN fct_dlr AS d USING (mt_id) GROUP BY ALL ORDER BY 1""").fetchall()
    assert rows == [(2, [8, 4, 1], "delivered"), (4, [8, 4, 2], "failed"), (10, [1], "delivered")]


EMI = FIXTURE / "emi"
#: requests whose MT asked one final kind only (dlr-mask 1 or 2): Kannel drops the other kind
#: without a line and removes the entry, so which line a later receipt is the log cannot say
#: (docs/schema.md "DLR linking"); for them only the counts per number are compared
ONE_KIND_ONLY = {"E1long", "E1short", "E2m1", "E2m2", "E4p1", "E4p2"}


def _kannel_statuses(run: str) -> tuple[dict[str, str | None], dict[str, str]]:
    """Per request tag: the status Kannel's callbacks give its message (delivered, failed,
    pending: only ACK/buffered, None: no callback), and the number it was sent to."""
    truth = json.loads((EMI / "truth.json").read_text())[run]
    statuses: dict[str, str | None] = {r["tag"]: None for r in truth["requests"]}
    for call in truth["callbacks"]:
        kind = CALLBACK_STATUS.get(call["type"], "pending")
        if statuses[call["tag"]] in (None, "pending"):
            statuses[call["tag"]] = kind
    return statuses, {r["tag"]: r["to"] for r in truth["requests"]}


def _project_statuses(run: str) -> dict[str, str | None]:
    """Per request tag: the final status of its MT line (requests matched to lines by number
    and text, lines of one number and text in the order logged)."""
    truth = json.loads((EMI / "truth.json").read_text())[run]
    contract = load_contract(EMI / "contract.toml")
    con, _ = ingested(contract, [EMI / f"{run}.log"])
    lines = con.execute("SELECT msisdn, text, final_status FROM fct_mt ORDER BY line_no").fetchall()
    statuses = {}
    for request in truth["requests"]:
        line = next(line for line in lines if line[0] == request["to"] and line[1] == request["text"])
        lines.remove(line)
        statuses[request["tag"]] = line[2]
    assert lines == []
    return statuses


@pytest.mark.parametrize("run", ["run1", "run3", "run4"])
def test_emi_receipts_go_where_kannel_sent_them(run):
    """Real Kannel 1.4.5 over UCP/EMI, several MTs to one number acknowledged in one second
    (the FID is that second): application-split parts, two short messages, messages Kannel
    split itself, receipts in every order, buffered ones between; masks 31, 3, 1 and 2, and
    lines of one key asking different masks (the receipt's META names the mask of the entry)."""
    kannel, number = _kannel_statuses(run)
    project = _project_statuses(run)
    judged = {tag for tag in kannel if tag not in ONE_KIND_ONLY}
    assert {t: project[t] for t in judged} == {t: kannel[t] for t in judged}
    for to in {number[t] for t in kannel if t in ONE_KIND_ONLY}:
        tags = [t for t in kannel if number[t] == to]
        assert sorted(map(str, (project[t] for t in tags))) == sorted(map(str, (kannel[t] for t in tags)))
