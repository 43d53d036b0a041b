"""A custom access-log format: a sender holding the format's separator, with a text short
enough that the first reading cuts it short, is read again with the separator in the sender,
never rejected (real Kannel 1.4.5: tests/fixtures/kannel-1.4.5/format-separators)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics.config import load_contract

FIXTURES = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "format-separators"


@pytest.mark.parametrize("case, sender, text", [
    ("semicolon", "Shop;Paris", "Code 1234"),
    ("tab", "Shop\tParis", "Hi"),
    ("pipe-clean", "A|B", "ok"),
    ("space", "Mon Shop", "Deux  espaces   et fin  "),
])
def test_sender_with_the_separator_and_a_short_text_reads(case, sender, text):
    contract = load_contract(FIXTURES / case / "contract.toml")
    con, _ = ingested(contract, [FIXTURES / case / "access.log"])
    assert con.execute("SELECT count(*) FROM rejected_lines").fetchone() == (0,)
    rows = con.execute("SELECT label, sender, text FROM events ORDER BY line_no").fetchall()
    assert rows[:2] == [("Sent SMS", sender, text), ("Receive DLR", sender, "ACK/")]
    assert rows[2][0:2] == ("Sent SMS", "ACME") and rows[2][2].startswith("Promo: -20% avec le code")
    # the ACK is its MT's
    assert con.execute("SELECT count(*) FROM fct_dlr WHERE mt_id IS NOT NULL").fetchone() == (1,)
