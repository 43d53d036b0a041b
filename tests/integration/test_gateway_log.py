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

from . import gsm, scenario
from .kannel_harness import GATEWAY_TZ

pytestmark = pytest.mark.integration


def _mt_lines(run, mt):
    to = mt.to
    lines = [l for l in run.played.parsed() if l.label in scenario.MT_LABELS and l["to"] == to]
    if mt.udh:
        lines = [l for l in lines if l.udh == mt.udh.hex().upper()]
    return lines


def test_sendsms_answers(gateway_run):
    for mt in scenario.MTS:
        assert gateway_run.played.http[mt.ref] == mt.http_status, mt.ref


def test_one_line_per_mt_with_its_fields(gateway_run):
    for mt in gateway_run.played.mts:
        lines = _mt_lines(gateway_run, mt)
        assert len(lines) == 1, (mt.ref, [l.label for l in lines])
        line = lines[0]
        assert line.label == mt.label, mt.ref
        assert line["SMSC"] == mt.line_smsc, mt.ref
        assert line["SVC"] == mt.service, mt.ref
        assert line["from"] == mt.sender, mt.ref
        assert line.coding == mt.coding_used, mt.ref
        assert line.dlr == (mt.dlr_mask if mt.dlr_mask is not None else -1), mt.ref
        assert line.udh == mt.udh.hex().upper(), mt.ref
        assert line.decoded() == mt.expected_text(), mt.ref
        if mt.outcome == "accepted" and mt.line_smsc in scenario.SHORT_CODES:
            first = gateway_run.accepted_submits(mt.to)[0] if not mt.udh else None
            assert line["FID"] and (first is None or line["FID"] == first.message_id), mt.ref


def test_segments_are_what_the_smsc_received(gateway_run):
    """A text Kannel splits is logged once; the SMSC got the parts the formula says."""
    split = 0
    for mt in gateway_run.played.mts:
        if mt.outcome != "accepted" or mt.line_smsc not in scenario.SHORT_CODES:
            continue
        submits = gateway_run.accepted_submits(mt.to)
        if mt.udh:
            submits = [s for s in submits if s.udh == mt.udh]
            assert len(submits) == 1, mt.ref
            continue
        assert len(submits) == mt.expected_segments(), mt.ref
        assert {s.data_coding for s in submits} == {{0: 0, 1: 4, 2: 8}[mt.coding_used]}, mt.ref
        if len(submits) > 1:
            split += 1
            assert all(s.udh[:3] == b"\x05\x00\x03" and s.udh[4] == len(submits) for s in submits), mt.ref
            # a receipt is asked for part 1 only (KANNEL.md, Long messages)
            assert [bool(s.registered_delivery & 3) for s in submits][1:] == [False] * (len(submits) - 1)
        payload = b"".join(s.payload for s in submits)
        if mt.coding_used == 0:
            assert gsm.gsm_decode(payload) == gsm.gsm_roundtrip(mt.text), mt.ref
        elif mt.coding_used == 2:
            assert payload.decode("utf-16-be") == mt.expected_text(), mt.ref
        else:
            assert payload == mt.expected_text(), mt.ref
    assert split == 3  # T07, T08, T09


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
    parsed = gateway_run.played.parsed()
    for mo in scenario.MOS:
        lines = [l for l in parsed if "Receive SMS" in l.label and l["from"] == "+" + mo.sender]
        assert len(lines) == 1, mo.ref
        line = lines[0]
        assert line.label.startswith("REJECTED Receive SMS") == mo.refused, mo.ref
        assert line["to"] == mo.short_code and line["SMSC"] == mo.smsc, mo.ref
        assert line.coding == mo.coding_logged and line.udh == "", mo.ref
        assert line.decoded() == mo.expected_text(), mo.ref
        statuses = gateway_run.mo_status[mo.sender]
        # a black-listed MO is refused to the SMSC too (deliver_sm_resp with an error status)
        assert all((s != 0) == mo.refused for s in statuses), (mo.ref, statuses)


def test_time_written_per_variant(gateway_run):
    """Local time by default, GMT with access-log-time, the format's %t when clean."""
    played, variant = gateway_run.played, gateway_run.variant
    zone = ZoneInfo("UTC") if variant.access_log_time == "gmt" or variant.access_log_clean else ZoneInfo(GATEWAY_TZ)
    lo = dt.datetime.fromtimestamp(played.started - 1, dt.timezone.utc)
    hi = dt.datetime.fromtimestamp(played.finished + 2, dt.timezone.utc)
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
