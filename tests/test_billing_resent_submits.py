"""R12's upper bound (at_most_eur) when Kannel resent submits the SMSC had accepted already
(fixtures/kannel-1.4.5/resent-submits, a real Kannel 1.4.5 run of a session-32 probe): the
copies reached the handsets and Orange may bill them, but the log holds one line each, and
their receipts match no MT. The bound counts them; the bill does not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics.billing.invoice import invoice
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "resent-submits"


def _smsc_record() -> tuple[set[str], set[str]]:
    """From the SMSC's own record and the log's MT lines: the submits it accepted that are in
    no line of the log and that it said delivered, and the delivered receipts of no submit."""
    events = [json.loads(line) for line in (FIXTURE / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    logged = {m.group(1) for line in (FIXTURE / "access.log").read_text(encoding="utf-8").splitlines()
              for m in [re.search(r" (?:Sent|REJECTED Send|FAILED Send) SMS .*?\[FID:([^\]]*)\]", line)] if m}
    accepted = {e["msgid"] for e in events if e["ev"] == "submit" and e.get("status") == 0}
    delivered = {e["msgid"] for e in events if e["ev"] == "receipt" and e["stat"] == "DELIVRD"}
    return (accepted - logged) & delivered, delivered - accepted


@pytest.fixture(scope="module")
def bill():
    contract = load_contract(FIXTURE / "contract.toml")
    con, [result] = ingested(contract, [FIXTURE / "access.log"])
    assert result.rejected == 0
    yield invoice(con, contract)
    con.close()


def test_the_bound_counts_the_delivered_copies_the_log_does_not_hold(bill):
    copies, unknown_ids = _smsc_record()
    assert (len(copies), len(unknown_ids)) == (11, 1)
    [month] = bill.months.to_dict("records")
    assert month["delivered_receipts_without_mt"] == len(copies) + len(unknown_ids)
    unknown_segments = int(bill.not_billed["unknown_segments"].sum())
    assert month["at_most_eur"] == pytest.approx(month["total_eur"] + (unknown_segments + 12) * 0.03)
    per_code = {r["short_code"]: r["delivered_receipts_without_mt"] for r in bill.not_billed.to_dict("records")}
    assert per_code == {"36180": 12, "36181": 0}
    assert any(note.startswith("12 receipt(s) say delivered and link to no MT line") for note in bill.notes)


def test_an_invoice_that_bills_the_copies_is_within_unknown_not_over(bill):
    import pandas as pd

    from opsanalytics.billing.reconcile import reconcile

    ours = bill.lines[(bill.lines["item"] == "mt_delivered") & (bill.lines["short_code"] == "36180")]
    [quantity] = ours["quantity"].tolist()
    invoiced = pd.DataFrame([{"month": "2026-11", "short_code": "36180", "item": "mt_delivered",
                                        "quantity": quantity + 12, "amount_cents": (quantity + 12) * 3, "line": 2}])
    verdicts = reconcile(bill, invoiced, totals=False)
    row = verdicts[(verdicts["short_code"] == "36180") & (verdicts["item"] == "mt_delivered")]
    assert row["verdict"].tolist() == ["within unknown"]
