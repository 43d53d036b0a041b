"""A log read while the gateway was still writing it (an hourly ingest of the live
access.log), then offered again longer, or rotated whole: only the lines after the ones
already loaded are loaded, numbered as in the file, so the warehouse ends up holding each
line of the log once, exactly as one load of the whole log would."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from opsanalytics import status, warehouse
from opsanalytics.config import parse_contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import ingest_files

LOG = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log"
CONTRACT = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n')
EVENTS = "SELECT * EXCLUDE (load_id) FROM events ORDER BY line_no"


def connect(path: Path):
    return warehouse.connect(path, create=True)


def cut_mid_line(data: bytes, fraction: float) -> bytes:
    """The log as a reader saw it while the gateway was writing: its last line half written."""
    at = data.index(b"\n", int(len(data) * fraction))
    return data[:at - 20]


def live_copies(tmp_path: Path, data: bytes, fractions) -> list[Path]:
    """The live access.log as read at each fraction of the log, each in a folder of its own."""
    copies = []
    for n, fraction in enumerate(fractions):
        copy = tmp_path / f"live-{n}" / "access.log"
        copy.parent.mkdir()
        copy.write_bytes(cut_mid_line(data, fraction))
        copies.append(copy)
    return copies


@pytest.fixture
def whole(tmp_path):
    con = connect(tmp_path / "whole.duckdb")
    ingest_files(con, CONTRACT, [LOG], progress=False)
    yield con
    con.close()


@pytest.mark.parametrize("rotated_name", ["access.log.1", "access.log.2.gz"])
def test_live_copies_then_the_rotated_log_load_each_line_once(tmp_path, whole, rotated_name):
    data = LOG.read_bytes()
    copies = live_copies(tmp_path, data, (0.3, 0.6))
    rotated = tmp_path / rotated_name
    rotated.write_bytes(gzip.compress(data) if rotated_name.endswith(".gz") else data)

    con = connect(tmp_path / "w.duckdb")
    try:
        results = [ingest_files(con, CONTRACT, [f], progress=False)[0] for f in (*copies, rotated)]
        again = ingest_files(con, CONTRACT, [rotated], progress=False)[0]

        # each copy starts at the line the one before it was writing (its half-written last
        # line is loaded again whole); the lines of the copies add up to the whole log
        complete_lines = [c.read_bytes().count(b"\n") for c in copies]
        assert [r.first_line for r in results] == [1, complete_lines[0] + 1, complete_lines[1] + 1]
        assert [r.state for r in results] == ["loaded"] * 3 and again.state == "skipped"
        assert sum(r.events for r in results) == whole.execute("SELECT count(*) FROM events").fetchone()[0]
        assert con.execute(EVENTS).fetchall() == whole.execute(EVENTS).fetchall()
        # the half-written lines went to the copy that holds them whole: nothing is rejected
        # (the whole log has no damaged line), and each copy's manifest holds its lines only
        assert con.execute("SELECT count(*) FROM rejected_lines").fetchone()[0] == 0
        manifest = con.execute("SELECT load_id, first_line, continues_load_id, lines, events + markers + rejected "
                               "FROM load_manifest ORDER BY load_id").fetchall()
        total = data.count(b"\n")
        assert manifest == [(1, 1, None, complete_lines[0], complete_lines[0]),
                            (2, complete_lines[0] + 1, 1, complete_lines[1] - complete_lines[0],
                             complete_lines[1] - complete_lines[0]),
                            (3, complete_lines[1] + 1, 2, total - complete_lines[1], total - complete_lines[1]),
                            (4, None, None, 0, 0)]
        assert f"loaded from line {complete_lines[1] + 1}" in results[2].summary()
        # every loaded line is accounted for, once: lines = events + markers + rejected
        for r in results:
            assert r.lines == r.events + r.markers + r.rejected
    finally:
        con.close()


@pytest.mark.parametrize("cut", ["before its line end", "mid-line"])
def test_a_last_line_read_before_its_line_end_is_in_the_warehouse_once(tmp_path, whole, cut):
    """A read that caught a line whole but before Kannel wrote its '\\n' loads it as an event
    (a finished log may end without one); the longer copy loads it again, whole: the earlier
    load gives it up, so status and the facts count it once, as one load of the whole log
    would. A line caught mid-way (rejected as truncated) is handed over the same way."""
    data = LOG.read_bytes()
    line_27_end = [i for i, b in enumerate(data) if b == 10][26]   # line 27: a `Sent SMS`
    early = tmp_path / "live" / "access.log"
    early.parent.mkdir()
    early.write_bytes(data[:line_27_end] if cut == "before its line end" else data[:line_27_end - 30])
    con = connect(tmp_path / "w.duckdb")
    try:
        first = ingest_files(con, CONTRACT, [early], progress=False)[0]
        assert (first.lines, first.events + first.markers, first.rejected) == (
            (27, 27, 0) if cut == "before its line end" else (27, 26, 1))
        later = ingest_files(con, CONTRACT, [LOG], progress=False)[0]
        assert later.first_line == 27
        assert con.execute(EVENTS).fetchall() == whole.execute(EVENTS).fetchall()
        assert con.execute("SELECT count(*) FROM rejected_lines").fetchone()[0] == 0
        assert con.execute("SELECT load_id, lines, events, markers, rejected FROM load_manifest ORDER BY load_id"
                           ).fetchall() == [(1, 26, 25, 1, 0), (2, later.lines, later.events, later.markers, 0)]
        counts = {k: v for k, v in status.summary(con).items() if k != "files"}
        assert counts == {k: v for k, v in status.summary(whole).items() if k != "files"}
    finally:
        con.close()


@pytest.mark.parametrize("lines, cut_at", [(2, 10), (2, 60), (1, 10), (1, 25)])
def test_a_live_log_holding_only_the_line_being_written_loads_and_is_continued(tmp_path, whole, lines, cut_at):
    """Just after a rotation (SIGHUP) or a copytruncate, the live access.log holds a `Log
    begins` at most and the line Kannel is writing: `2026-11-2`, or a line cut after its
    SMSC (or the `Log begins` itself, cut). No event parses, yet it is no wrong file nor format: it loads (that line rejected
    for now, said on stderr), the other logs of the same nightly ingest with it, and the
    longer copy reads the line whole. A one-line file of anything else is still refused."""
    data = LOG.read_bytes()
    ends = [i for i, b in enumerate(data) if b == 10]
    start = ends[lines - 2] + 1 if lines == 2 else 0
    live = tmp_path / "live" / "access.log"
    live.parent.mkdir()
    live.write_bytes(data[:start + cut_at])
    con = connect(tmp_path / "w.duckdb")
    try:
        first = ingest_files(con, CONTRACT, [live], progress=False)[0]
        assert (first.state, first.lines, first.events, first.markers, first.rejected) == (
            "loaded", lines, 0, lines - 1, 1)
        later = ingest_files(con, CONTRACT, [LOG], progress=False)[0]
        assert later.state == "loaded"
        assert con.execute(EVENTS).fetchall() == whole.execute(EVENTS).fetchall()
        assert con.execute("SELECT count(*) FROM rejected_lines").fetchone()[0] == 0
        counts = {k: v for k, v in status.summary(con).items() if k != "files"}
        assert counts == {k: v for k, v in status.summary(whole).items() if k != "files"}
    finally:
        con.close()

    other = tmp_path / "notes.txt"
    other.write_bytes(b"hello world")   # one line, no line end: not a log being written
    con = connect(tmp_path / "other.duckdb")
    try:
        with pytest.raises(IngestError, match="no line is a Kannel access-log line"):
            ingest_files(con, CONTRACT, [other], progress=False)
    finally:
        con.close()


def test_same_first_line_but_other_content_loads_whole(tmp_path):
    data = LOG.read_bytes()
    first_end = data.index(b"\n") + 1
    second = data.index(b"\n", first_end) + 1
    other = tmp_path / "other.log"  # same first line ('Log begins'), other lines after it
    other.write_bytes(data[:first_end] + data[second:])
    con = connect(tmp_path / "w.duckdb")
    try:
        first, later = ingest_files(con, CONTRACT, [LOG, other], progress=False)
        assert (first.first_line, later.first_line) == (1, 1)
        assert later.lines == data.count(b"\n") - 1
    finally:
        con.close()


def test_a_later_copy_sees_the_autumn_clock_go_back_before_its_first_line(tmp_path):
    # dst.log: lines 2-4 at 02:10, 02:50, 02:49:58 (summer time), then 02:05 (winter time:
    # the clock went back), read first while the gateway had written 4 lines only
    dst = Path(__file__).parent / "fixtures" / "kannel-cases" / "dst.log"
    data = dst.read_bytes()
    live = tmp_path / "live.log"
    live.write_bytes(data[:data.index(b"D5")].rsplit(b"\n", 1)[0] + b"\n")
    whole = connect(tmp_path / "whole.duckdb")
    con = connect(tmp_path / "w.duckdb")
    try:
        ingest_files(whole, CONTRACT, [dst], progress=False)
        first, later = ingest_files(con, CONTRACT, [live, dst], progress=False)
        assert (first.lines, later.first_line) == (4, 5)
        sql = "SELECT line_no, logged_at FROM events UNION ALL SELECT line_no, logged_at FROM log_markers ORDER BY 1"
        assert con.execute(sql).fetchall() == whole.execute(sql).fetchall()
        d5 = con.execute("SELECT logged_at FROM events WHERE fid = 'D5'").fetchone()[0]
        assert d5 == dt.datetime(2026, 10, 25, 1, 5, tzinfo=dt.timezone.utc)  # 02:05 CET, not CEST
    finally:
        whole.close()
        con.close()


@pytest.mark.parametrize("cut", ["mid_line", "line_end"])
def test_a_shorter_copy_offered_after_the_whole_log_is_skipped(tmp_path, whole, cut):
    data = LOG.read_bytes()
    copy = tmp_path / "live" / "access.log"
    copy.parent.mkdir()
    if cut == "mid_line":
        copy.write_bytes(cut_mid_line(data, 0.5))
    else:
        copy.write_bytes(data[:data.index(b"\n", len(data) // 2) + 1])
    con = connect(tmp_path / "w.duckdb")
    try:
        full, shorter = ingest_files(con, CONTRACT, [LOG, copy], progress=False)
        assert full.state == "loaded" and shorter.state == "skipped"
        assert shorter.within == str(LOG.resolve())
        assert (shorter.lines, shorter.events, shorter.rejected) == (0, 0, 0)
        assert f"a shorter copy of {LOG.resolve()}" in shorter.summary()
        assert con.execute(EVENTS).fetchall() == whole.execute(EVENTS).fetchall()
        assert con.execute("SELECT count(*) FROM rejected_lines").fetchone()[0] == 0
        states = con.execute("SELECT state, lines FROM load_manifest ORDER BY load_id").fetchall()
        assert states == [("loaded", data.count(b"\n")), ("skipped", 0)]
    finally:
        con.close()


def test_a_copy_inside_a_continued_log_is_skipped(tmp_path, whole):
    # read at 30 %, then whole (loaded from the line after the first copy), then a copy read
    # at 60 %: it continues the first copy, but the whole log holds its lines already
    data = LOG.read_bytes()
    copies = live_copies(tmp_path, data, (0.3, 0.6))
    con = connect(tmp_path / "w.duckdb")
    try:
        results = [ingest_files(con, CONTRACT, [f], progress=False)[0] for f in (copies[0], LOG, copies[1])]
        assert [r.state for r in results] == ["loaded", "loaded", "skipped"]
        assert results[2].within == str(LOG.resolve())
        assert con.execute(EVENTS).fetchall() == whole.execute(EVENTS).fetchall()
    finally:
        con.close()


def test_a_shorter_log_that_differs_in_one_line_is_loaded(tmp_path):
    data = LOG.read_bytes()
    shorter = data[:data.index(b"\n", len(data) // 2) + 1]
    assert shorter.count(b"[FID:") > 2
    # the same first line and length, one FID changed in the middle: another log
    at = shorter.index(b"[FID:", len(shorter) // 2) + 5
    other = tmp_path / "other.log"
    other.write_bytes(shorter[:at] + (b"Z" if shorter[at:at + 1] != b"Z" else b"Y") + shorter[at + 1:])
    con = connect(tmp_path / "w.duckdb")
    try:
        full, later = ingest_files(con, CONTRACT, [LOG, other], progress=False)
        assert (later.state, later.first_line, later.within) == ("loaded", 1, None)
        assert later.lines == shorter.count(b"\n")
    finally:
        con.close()
