"""Segments counted as a real Kannel 1.4.5 submits them (tests/fixtures/kannel-1.4.5/segments,
README there): the SMSC simulator's record of every submit_sm is the ground truth."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics import status
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "segments"
RUNS = ("escape_split", "app_part_overflow")
#: submits the log cannot show (README): a form feed logged as one '.', a link's max-sms-octets
BEYOND_THE_LOG = {"33620000021", "33650000006"}


def submits() -> Counter:
    """submit_sm PDUs per receiver, as the SMSC received them."""
    counts = Counter()
    for run in RUNS:
        for line in (FIXTURE / f"{run}.sim.log").read_text().splitlines():
            fields = line.split()
            if fields[1] == "SUBMIT":
                counts[fields[6]] += 1
    return counts


@pytest.fixture(scope="module")
def con():
    return ingested(load_contract(FIXTURE / "contract.toml"), [FIXTURE / f"{run}.access.log" for run in RUNS])[0]


def counted(con) -> dict[str, tuple[int, bool, int]]:
    rows = con.execute("SELECT msisdn_raw, sum(segments)::INT, bool_and(segments_exact), sum(segments_max)::INT "
                       "FROM fct_mt GROUP BY msisdn_raw").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_every_exact_count_is_what_the_smsc_received(con):
    got = counted(con)
    sent = submits()
    exact = {to: got[to][0] for to in sent if to not in BEYOND_THE_LOG and got[to][1]}
    assert exact == {to: sent[to] for to in exact}
    # an escape at septet 153 moves to the next part; parts of an application split again
    assert exact == {"33620000010": 3, "33650000003": 3, "33650000005": 2, "33650000008": 2}


def test_a_lossy_count_bounds_what_the_smsc_received(con):
    segments, exact, most = counted(con)["33620000009"]   # the '€' logged '...'
    assert (segments, exact, most) == (2, False, 3)
    assert segments <= submits()["33620000009"] <= most


def test_status_counts_those_segments(con):
    assert status.summary(con)["mt"]["segments"] == 2 + 3 + 1 + 3 + 2 + 1 + 2
