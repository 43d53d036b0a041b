"""Simulator -> Kannel loader -> facts: the warehouse holds exactly what the simulator wrote.

Line counts per label, markers, logical messages, accepted segments, final DLR states per
line and every injected message (breach or trap) found by (msisdn, submitted_at), for a log
written in local time (with the repeated autumn hour) and one written in UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from opsanalytics import warehouse
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.simulate import simulate


@pytest.fixture(scope="module", params=["Europe/Paris", "UTC"])
def loaded(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("reconcile")
    res = simulate(out, days=12, scale=150, seed=11, log_timezone=request.param)
    con = warehouse.connect(out / "w.duckdb", create=True)
    ingest_files(con, load_contract(res.contract), res.logs, progress=False)
    yield con, json.loads(res.ground_truth.read_text())
    con.close()


def _epoch(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso).timestamp())


def test_lines_by_label_and_markers(loaded):
    con, gt = loaded
    labels = dict(con.execute("select label, count(*) from events group by label").fetchall())
    assert labels == gt["lines"]["by_label"]
    markers = dict(con.execute("select 'Log ' || marker, count(*) from log_markers group by marker").fetchall())
    assert markers == gt["lines"]["markers_by_label"]
    lines, rejected = con.execute("select sum(lines), sum(rejected) from load_manifest").fetchone()
    assert (lines, rejected) == (gt["lines"]["total"], 0)
    per_file = {r[0].rsplit("/", 1)[-1]: r[1] for r in con.execute("select path, lines from load_manifest").fetchall()}
    assert per_file == {f["path"]: f["lines"] for f in gt["files"]}


def test_messages_segments_and_final_states(loaded):
    con, gt = loaded
    msg = gt["messages"]
    n, accepted = con.execute("select count(*), count(*) filter (where accepted) from fct_logical_messages").fetchone()
    assert (n, accepted) == (msg["mt_logical"], msg["mt_logical_accepted"])
    lines, segments = con.execute(
        "select count(*), sum(segments) from fct_mt where outcome = 'accepted'").fetchone()
    assert (lines, segments) == (msg["mt_lines_accepted"], msg["mt_segments_accepted"])
    assert con.execute("select count(*) from fct_mt").fetchone()[0] == msg["mt_lines"]
    finals = Counter(dict(con.execute(
        "select coalesce(final_status, 'none'), count(*) from fct_mt where outcome = 'accepted' group by 1").fetchall()))
    assert {k: finals[k] for k in gt["dlr"]["final_by_line"]} == gt["dlr"]["final_by_line"]
    mo = dict(con.execute("select coalesce(keyword, '-'), count(*) from fct_mo group by 1").fetchall())
    assert sum(mo.values()) == msg["mo"]
    assert (mo.get("STOP", 0), mo.get("START", 0)) == (msg["mo_stop"], msg["mo_start"])
    # a duplicate receipt per line of the message: FAILED Receive DLR lines, counted as lines
    assert con.execute("select count(*) from events where label = 'FAILED Receive DLR'").fetchone()[0] \
        == gt["dlr"]["duplicate_receipts"]


def test_every_injected_message_is_found(loaded):
    con, gt = loaded
    logical = {
        (m, int(t)): (acc, sc, svc)
        for m, t, acc, sc, svc in con.execute(
            "select msisdn, epoch(submitted_at), accepted, short_code, service from fct_logical_messages").fetchall()
    }
    scenarios = [s for s in gt["scenarios"] if s["kind"] == "mt"]
    assert len(scenarios) > 100
    for s in scenarios:
        row = logical.get((s["msisdn"], _epoch(s["submitted_at"])))
        assert row is not None, s
        assert row[0] == (s["outcome"] == "accepted"), s
        assert (row[1], row[2]) == (s["short_code"], s["service"]), s
    # a breach at a message's last part (R2, R5: part 2 at 22:00:00) is named by that part's second
    last_parts = {(m, int(t)): acc for m, t, acc in con.execute(
        "select msisdn, epoch(last_accepted_at), accepted from fct_logical_messages "
        "where last_accepted_at > submitted_at").fetchall()}
    for rule, rows in gt["violations"].items():
        for r in rows:
            if "submitted_at" in r:
                key = (r["msisdn"], _epoch(r["submitted_at"]))
                assert logical[key][0] if key in logical else last_parts[key], (rule, r)
    mos = {(m, int(t)): kw for m, t, kw in con.execute(
        "select msisdn, epoch(received_at), keyword from fct_mo").fetchall()}
    for s in gt["scenarios"]:
        if s["kind"] == "mo":
            assert (s["msisdn"], _epoch(s["received_at"])) in mos, s
