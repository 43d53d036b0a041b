"""A real Kannel 1.4.5 run against an SMSC that misbehaves as operators' do (fixtures/
kannel-1.4.5/smsc-errors, a session-32 probe's: its README.md): throttling, permanent
errors, a submit_sm_resp that never came, a dropped connection, receipts before their
submit_sm_resp, duplicated receipts. truth.json is the probe's own account of every request,
built from what its SMSC received and answered, without opsanalytics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics.config import load_contract
from opsanalytics.status import summary as status_summary

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "smsc-errors"
TRUTH = json.loads((FIXTURE / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def con():
    connection, [result] = ingested(load_contract(FIXTURE / "contract.toml"), [FIXTURE / "access.log"])
    assert result.rejected == 0
    yield connection
    connection.close()


def test_every_accepted_message_has_the_final_status_the_smsc_gave(con):
    # m11 and m12: their receipts came before the submit_sm_resp, with TON unknown
    # (`from:33612340011`), for MTs sent to `+33612340011`: the same number written otherwise
    expected = sorted((r["dst"], r["fid"], r["final"] or "pending") for r in TRUTH["requests"]
                      if r["outcome"] == "accepted")
    got = sorted(con.execute("SELECT msisdn_raw, fid, final_status FROM fct_mt WHERE outcome = 'accepted'").fetchall())
    assert got == expected


def test_the_receipt_sent_before_its_response_links_to_its_mt_as_fid_lost(con):
    rows = con.execute("""SELECT d.sender, d.link, m.msisdn_raw FROM fct_dlr AS d JOIN fct_mt AS m USING (mt_id)
                          WHERE d.fid IN ('A000005', 'A000006') AND d.outcome = 'unmatched'
                          ORDER BY d.fid""").fetchall()
    assert rows == [("33612340011", "fid_lost", "+33612340011"), ("33612340012", "fid_lost", "+33612340012")]


def test_status_counts_the_final_statuses_the_smsc_gave(con):
    summary = TRUTH["summary"]
    dlr = status_summary(con)["dlr"]
    assert (dlr["delivered"], dlr["failed"]) == (summary["dlr_delivered"], summary["dlr_failed"]) == (18, 6)


def test_r8_counts_the_submits_the_smsc_refused_in_the_second(con):
    """21:29:05: 9 `Sent SMS` lines (10 segments) and 3 `REJECTED Send SMS` (4 segments: m04,
    m05 and m17, which Kannel split in 2) on ora_36180, rate 10 (RULES.md R8: submitted
    segments). The 0x58 answers of that second Kannel retried without a line: not counted."""
    from opsanalytics.audits import run
    from opsanalytics.config import load_contract

    rows = run(con, load_contract(FIXTURE / "contract.toml"), "R8").rows
    got = [(r.short_code, str(r.second.tz_convert("Europe/Paris"))[:19], r.segments) for r in rows.itertuples()]
    assert got == [("36180", "2026-11-27 21:29:05", 14)]
