"""R4 when a number already opted out sends STOP again (real Kannel 1.4.5,
tests/fixtures/kannel-1.4.5/repeated-stop, README there): the grace period allows one
acknowledgement, that of the STOP that opened the opt-out; a repeated STOP the gateway did not
answer must not let the next promotion through as its acknowledgement."""

from __future__ import annotations

from pathlib import Path

from eventrows import ingested
from opsanalytics.audits import run
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "repeated-stop"


def _breaches(log: str) -> list[tuple]:
    contract = load_contract(FIXTURE / "contract.toml")
    con, _ = ingested(contract, [FIXTURE / log])
    result = run(con, contract, "R4")
    rows = result.to_json(contract.timezone)["rows"]
    return [(r["msisdn"], r["stop_at"], r["sent_at"]) for r in rows]


def test_a_promotion_after_a_repeated_unanswered_stop_is_a_breach():
    assert _breaches("access.log") == [
        ("+33612000087", "2026-11-26T23:50:51+01:00", "2026-11-26T23:51:57+01:00"),   # past the grace
        # after ARRÊT again: dated from the STOP that opened the opt-out, not the repeated one
        ("+33612000087", "2026-11-26T23:50:51+01:00", "2026-11-26T23:52:00+01:00"),
    ]


def test_stop_and_start_sequences():
    assert _breaches("start-stop.log") == [
        ("+33612000092", "2026-11-26T23:49:31+01:00", "2026-11-26T23:49:38+01:00"),   # STOP, START, Stop
        # stop, START STOP (a STOP: repeated, the opt-out dates from the first)
        ("+33612000095", "2026-11-26T23:49:33+01:00", "2026-11-26T23:49:38+01:00"),
        ("+33612000096", "2026-11-26T23:49:35+01:00", "2026-11-26T23:49:39+01:00"),   # STOP to 34180
    ]
