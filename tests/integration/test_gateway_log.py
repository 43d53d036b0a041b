"""What a real Kannel 1.4.5 writes for the scenario's message matrix (raw access log).

These checks pin the gateway's behaviour that the loader relies on (KANNEL.md) on every CI
run: labels per outcome, one line per message Kannel split itself, the DLR chain per mask,
lossy coding-0 text, hex texts, MO reassembly, and the time written in each variant.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from . import checks, scenario
from .kannel_harness import GATEWAY_TZ

pytestmark = pytest.mark.integration


def test_sendsms_answers(gateway_run):
    for mt in scenario.MTS:
        allowed = mt.http_status if isinstance(mt.http_status, tuple) else (mt.http_status,)
        assert gateway_run.played.http[mt.ref] in allowed, mt.ref


def test_one_line_per_mt_with_its_fields(gateway_run):
    lines = gateway_run.played.parsed()
    problems = [p for mt in gateway_run.played.mts for p in checks.mt_in_log(gateway_run, lines, mt)]
    assert problems == []


def test_segments_are_what_the_smsc_received(gateway_run):
    """A text Kannel splits is logged once; the SMSC got the parts the formula says."""
    problems = [p for mt in gateway_run.played.mts for p in checks.mt_at_smsc(gateway_run, mt)]
    assert problems == []
    split = [mt.ref for mt in gateway_run.played.mts
             if not mt.udh and len(gateway_run.accepted_submits(mt.to)) > 1]
    assert split == ["T07", "T08", "T09", "T30"]


def test_fid_of_a_message_kannel_split_without_a_receipt_is_empty(gateway_run):
    """The FID links a DLR to its MT; a message Kannel split itself with no receipt asked
    has none in its `Sent SMS` line, although the SMSC gave every part an id."""
    [t30] = [mt for mt in gateway_run.played.mts if mt.ref == "T30"]
    [line] = checks.mt_lines(gateway_run.played.parsed(), t30)
    assert line.label == "Sent SMS" and line["FID"] == ""
    assert len(gateway_run.accepted_submits(t30.to)) == t30.expected_segments() > 1
    assert all(s.message_id for s in gateway_run.accepted_submits(t30.to))


def test_dlr_chain_per_mask(gateway_run):
    parsed = gateway_run.played.parsed()
    by_to: dict[str, list[int]] = {}
    for line in parsed:
        if line.label == "Receive DLR":
            by_to.setdefault(line["to"], []).append(line.dlr)
    expected: dict[str, list[int]] = {}
    for mt in gateway_run.played.mts:
        if mt.expected_dlrs():
            expected.setdefault(mt.to, []).extend(mt.expected_dlrs())
    assert {k: Counter(v) for k, v in by_to.items()} == {k: Counter(v) for k, v in expected.items()}
    unmatched = [l for l in parsed if l.label == "FAILED Receive DLR"]
    assert len(unmatched) == sum(mt.expected_unmatched() for mt in gateway_run.played.mts)
    assert all("stat:DELIVRD" in l.text for l in unmatched)   # a duplicate, not a failure


def test_mo_lines(gateway_run):
    lines = gateway_run.played.parsed()
    problems = [p for mo in gateway_run.played.mos for p in checks.mo_in_log(gateway_run, lines, mo)]
    assert problems == []


def test_time_written_per_variant(gateway_run):
    """Local time by default, GMT with access-log-time, the format's %t when clean."""
    played, variant = gateway_run.played, gateway_run.variant
    zone = ZoneInfo("UTC") if variant.access_log_time == "gmt" or variant.access_log_clean else ZoneInfo(GATEWAY_TZ)
    lo, hi = (dt.datetime.fromtimestamp(s, dt.timezone.utc) for s in played.seconds())
    lines = played.parsed()
    if variant.access_log_clean:
        # %t is the message's time: an SMPP receipt that matched no MT has none, and Kannel
        # prints time -1 (1969-12-31 23:59:59) for it (measured on 1.4.5)
        undated = [l for l in lines if l.time == "1969-12-31 23:59:59"]
        assert {l.label for l in undated} == {"FAILED Receive DLR"}
        lines = [l for l in lines if l not in undated]
    times = [dt.datetime.strptime(l.time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone) for l in lines]
    assert times and all(lo <= t <= hi for t in times), (lo, hi, min(times), max(times))
    markers = [l for l in played.lines if l.endswith("Log begins") or l.endswith("Log ends")]
    assert (len(markers) == 0) == variant.access_log_clean


def test_every_line_accounted_for(gateway_run):
    """Nothing but what the scenario implies: the counts the warehouse must reproduce."""
    played = gateway_run.played
    labels = Counter(l.label for l in played.parsed())
    mt = Counter(m.label for m in played.mts)
    expected = Counter({label: n for label, n in mt.items()})
    expected["Receive SMS"] = sum(1 for mo in played.mos if not mo.refused)
    expected["REJECTED Receive SMS - black-regex-listed SMS"] = sum(1 for mo in played.mos if mo.refused)
    expected["Receive DLR"] = sum(len(m.expected_dlrs()) for m in played.mts)
    expected["FAILED Receive DLR"] = sum(m.expected_unmatched() for m in played.mts)
    assert labels == +expected
