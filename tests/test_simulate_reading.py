"""The simulator's scenarios for how the audits read a message (1292fdc, 3ea1024, 0444913):
a concatenation key reused by two messages, a part refused and resent, a resend window that
counts from when the failure was known, opt-outs that end with their keyword or say it as a
verb, a long MO with 'stop' only in its middle, the short code named before STOP only.

The ground truth lists them in its own terms (truth.py, not the audits); here it is checked
that it does, that the folding of resends follows the failure-known rule, and that on a
period of one working day (every scenario on it) the audits still equal the truth.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from opsanalytics import warehouse
from opsanalytics.audits import run_all
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.simulate import simulate
from opsanalytics.simulate.gateway import MT
from opsanalytics.simulate.truth import logical_groups, logical_messages
from test_audit_simulator import KEYS, _keyed   # the fields a reported row must match, per rule

HOUR = 3600
NEW_SCENARIOS = {
    "R1 two multiparts with one reference", "trap R1 part refused and resent", "trap R1 resend after expiry",
    "R1 resend after the retry window", "R3 short code only before STOP", "trap R3 spaced code after STOP",
    "R4 long MO ending with STOP", "R4 long UCS-2 MO ending with ARRÊT", "R4 verb form Arrêtez",
    "R4 verb form STOPPEZ", "trap R4 stop in the middle of a long MO",
}


def _mt(t, text="ACME : -20% ce jour. STOP au 36180", final="DELIVRD", delay=5, outcome="accepted", **kw):
    return MT(t=t, service="acme", code="36180", oadc="36180", to_raw="33699000001", msisdn="+33699000001",
              text=text, final=final, delay=delay, outcome=outcome, **kw)


def test_resend_window_counts_from_when_the_failure_was_known():
    expired_then_resent = [_mt(0, final="EXPIRED", delay=4 * HOUR), _mt(4 * HOUR + 600)]
    assert logical_messages(expired_then_resent, 60) == (1, 1)
    failed_then_late = [_mt(0, final="UNDELIV", delay=120), _mt(120 + 61 * 60)]
    assert logical_messages(failed_then_late, 60) == (2, 2)
    failed_then_in_time = [_mt(0, final="UNDELIV", delay=120), _mt(120 + 60 * 60)]
    assert logical_messages(failed_then_in_time, 60) == (1, 1)
    # resent before the failure was known, within retry_minutes of the attempt (the
    # application timed out): it never reached the recipient, one message
    resent_before_expiry = [_mt(0, final="EXPIRED", delay=4 * HOUR), _mt(30 * 60)]
    assert logical_messages(resent_before_expiry, 60) == (1, 1)
    # later than that, still before the expiry came: "within this delay after a failed one"
    # it is not (RULES.md R1): two messages
    resent_hours_later = [_mt(0, final="EXPIRED", delay=4 * HOUR), _mt(2 * HOUR)]
    assert logical_messages(resent_hours_later, 60) == (2, 2)
    # a failure the log does not show (the sender asked for the delivered receipt only) is none
    unseen_failure = [_mt(0, final="UNDELIV", delay=120, dlr_mask=1), _mt(600)]
    assert logical_messages(unseen_failure, 60) == (2, 2)
    # a receipt due while the gateway was down is written at restart: known then
    blackout = [(3 * HOUR + 1000, 3 * HOUR + 1045)]
    at_restart = [_mt(0, final="EXPIRED", delay=3 * HOUR + 1010), _mt(3 * HOUR + 1045 + 3600)]
    assert logical_messages(at_restart, 60, blackout) == (1, 1)
    assert logical_messages(at_restart, 60) == (2, 2)


def test_a_part_refused_and_resent_is_part_of_its_message():
    m = _mt(100, text=("Partie une. ", "Partie deux. ", "STOP au 36180"), part_offsets=(0, 61, 62),
            part_retries=((1, 101, "discarded"),))
    assert m.line_seconds == [100, 161, 162]
    assert m.final_at == 162 + 5
    assert logical_groups([m], 60) == [[m]]


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    out = tmp_path_factory.mktemp("reading")
    sim = simulate(out, days=14, scale=100, seed=4)
    return json.loads(sim.ground_truth.read_text(encoding="utf-8"))


def _numbers(gt, scenario):
    found = sorted({s["msisdn"] for s in gt["scenarios"] if s["scenario"] == scenario})
    assert found, f"scenario {scenario!r} not injected"
    return found


def test_the_ground_truth_lists_the_new_breaches(truth):
    v = truth["violations"]
    r1 = {r["msisdn"]: r["messages"] for r in v["R1"]}
    for scenario in ("R1 two multiparts with one reference", "R1 resend after the retry window"):
        (number,) = _numbers(truth, scenario)
        assert r1.get(number) == 2, scenario
    (number,) = _numbers(truth, "R3 short code only before STOP")
    assert [r["reason"] for r in v["R3"] if r["msisdn"] == number] == ["missing_short_code"]
    r4 = {r["msisdn"]: r for r in v["R4"]}
    for scenario, code in (("R4 long MO ending with STOP", "36180"), ("R4 long UCS-2 MO ending with ARRÊT", "36181"),
                           ("R4 verb form Arrêtez", "35200"), ("R4 verb form STOPPEZ", "36181")):
        (number,) = _numbers(truth, scenario)
        assert r4[number]["short_code"] == code, scenario
        mo = next(s for s in truth["scenarios"] if s["scenario"] == scenario and s["kind"] == "mo")
        assert r4[number]["stop_at"] == mo["received_at"]


def test_the_new_traps_are_no_breach(truth):
    breached = {r["msisdn"] for rows in truth["violations"].values() for r in rows if "msisdn" in r}
    for scenario in ("trap R1 part refused and resent", "trap R1 resend after expiry", "trap R3 spaced code after STOP",
                     "trap R4 stop in the middle of a long MO"):
        assert not set(_numbers(truth, scenario)) & breached, scenario
    # the resend after the expiry is named by the message it folds into, and says its own line
    rows = [s for s in truth["scenarios"] if s["scenario"] == "trap R1 resend after expiry"]
    assert len({s["submitted_at"] for s in rows}) == 1 and len([s for s in rows if "attempt_at" in s]) == 1
    middle = next(s for s in truth["scenarios"] if s["scenario"] == "trap R4 stop in the middle of a long MO"
                  and s["kind"] == "mo")
    assert " stop " in middle["text"] and len(middle["text"].split()) > 5


@pytest.mark.parametrize("start, days", [(dt.date(2026, 11, 13), 2), (dt.date(2027, 3, 26), 3)],
                         ids=["one-weekday", "dst-spring"])
def test_on_a_period_of_few_working_days_the_audits_equal_the_truth(tmp_path, start, days):
    """Every scenario crowds onto the period's working day(s); none of these leaves the
    period, and every audit still reports exactly the truth."""
    sim = simulate(tmp_path, days=days, scale=60, seed=5, start=start)
    gt = json.loads(sim.ground_truth.read_text(encoding="utf-8"))
    new = [s for s in gt["scenarios"] if s["scenario"] in NEW_SCENARIOS]
    assert {s["scenario"] for s in new} == NEW_SCENARIOS and len(new) == 19   # 14 MTs, 5 MOs
    for s in new:
        when = dt.datetime.fromisoformat(s.get("attempt_at") or s.get("submitted_at") or s["received_at"])
        assert start <= when.date() < start + dt.timedelta(days=days), s
    contract = load_contract(sim.contract)
    con = warehouse.connect(tmp_path / "wh.duckdb", create=True)
    ingest_files(con, contract, sim.logs, progress=False)
    results = {r.rule: r for r in run_all(con, contract)}
    logical = con.execute("select count(*), count(*) filter (where accepted) from fct_logical_messages").fetchone()
    con.close()
    assert logical == (gt["messages"]["mt_logical"], gt["messages"]["mt_logical_accepted"])
    for rule, fields in KEYS.items():
        got = _keyed(results[rule].to_json(contract.timezone)["rows"], fields)
        assert got == _keyed(gt["violations"][rule], fields), rule
