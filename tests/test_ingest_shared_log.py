"""A Kannel whose own log (log-file) and access log are one file (real Kannel 1.4.5,
tests/fixtures/kannel-1.4.5/shared-log, README there): the access-log events load as they
would from a file of their own, and every line of the gateway's log is rejected as what it
is, so that `ingest` tells the operator why, instead of reporting damaged lines."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from eventrows import contract, ingested, new_db
from opsanalytics.ingest import ingest_files
from opsanalytics.cli import main as cli
from opsanalytics.config import load_contract
from opsanalytics.errors import IngestError

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "shared-log"
#: bearerbox's process id in the recorded run: each line of its own log carries it
BEARERBOX_PID = 21368
EVENT_COLUMNS = ("kind, label, outcome, logged_at, smsc, service, account, fid, meta, sender, receiver, "
                 "coding, udh, text, segments, dlr_mask")


def _lines() -> list[str]:
    return gzip.decompress((FIXTURE / "access.log.gz").read_bytes()).decode().splitlines()


def _gateway_log_line(line: str) -> bool:
    return f" [{BEARERBOX_PID}] [" in line[19:40]


def test_the_events_are_those_of_the_access_log_alone(tmp_path):
    lines = _lines()
    own = [line for line in lines if not _gateway_log_line(line)]
    assert (len(lines), len(own)) == (4272, 78)
    alone = tmp_path / "access-alone.log"
    alone.write_text("\n".join(own) + "\n")
    contract = load_contract(FIXTURE / "contract.toml")
    shared_con, [shared] = ingested(contract, [FIXTURE / "access.log.gz"])
    alone_con, [only] = ingested(contract, [alone])
    assert (shared.lines, shared.events, shared.markers, shared.rejected) == (4272, 76, 2, 4194)
    assert (only.lines, only.events, only.markers, only.rejected) == (78, 76, 2, 0)
    query = f"SELECT {EVENT_COLUMNS} FROM events ORDER BY line_no"
    assert shared_con.execute(query).fetchall() == alone_con.execute(query).fetchall()
    facts = "SELECT msisdn, short_code, brand, text, segments, final_status FROM fct_mt ORDER BY submitted_at, msisdn, text"
    assert shared_con.execute(facts).fetchall() == alone_con.execute(facts).fetchall()
    assert len(shared_con.execute(facts).fetchall()) == 28


def test_each_line_of_the_gateway_log_is_rejected_as_such():
    contract = load_contract(FIXTURE / "contract.toml")
    con, _ = ingested(contract, [FIXTURE / "access.log.gz"])
    rejected = con.execute("SELECT line_no, reason FROM rejected_lines ORDER BY line_no").fetchall()
    expected = [n for n, line in enumerate(_lines(), start=1) if _gateway_log_line(line)]
    assert [n for n, _ in rejected] == expected
    assert {reason for _, reason in rejected} == {
        "a line of the gateway's own log (\"[pid] [thread] LEVEL:\"), not an access-log event: "
        "its log-file and access-log are the same file?"}


def test_ingest_says_why_the_lines_were_rejected(tmp_path, capsys):
    assert cli(["ingest", str(FIXTURE / "access.log.gz"), "--db", str(tmp_path / "w.duckdb"),
                "--config", str(FIXTURE / "contract.toml"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "4194 rejected line(s), by reason" in err
    assert "4194  e.g. line 1: a line of the gateway's own log" in err


def test_the_gateway_log_alone_is_refused_with_a_pointer_to_the_access_log(tmp_path):
    log = tmp_path / "bearerbox.log"
    log.write_text("\n".join(line for line in _lines() if _gateway_log_line(line)) + "\n")
    contract = load_contract(FIXTURE / "contract.toml")
    with pytest.raises(IngestError, match=r"line 1: a line of the gateway's own log .*; this is the gateway's "
                                          r"own log \(log-file\); the traffic is in its access log"):
        ingested(contract, [log])


def test_audit_does_not_count_the_gateway_log_among_lines_that_may_hide_a_breach(tmp_path, capsys):
    """`audit` warns when rejected lines fall in its period (a damaged line may have been a
    breach); the lines of the gateway's own log are certainly none."""
    db, config = str(tmp_path / "w.duckdb"), str(FIXTURE / "contract.toml")
    assert cli(["ingest", str(FIXTURE / "access.log.gz"), "--db", db, "--config", config, "--quiet"]) == 0
    capsys.readouterr()
    assert cli(["audit", "all", "--db", db, "--config", config, "--format", "json"]) == 0
    assert "rejected at load" not in capsys.readouterr().err
    # a damaged access-log line in the same period is still said
    sent = next(line for line in _lines() if " Sent SMS [" in line)
    damaged = tmp_path / "damaged.log"
    damaged.write_text(f"{sent}\n{sent[:80]}\n")
    assert cli(["ingest", str(damaged), "--db", db, "--config", config, "--quiet"]) == 0
    capsys.readouterr()
    assert cli(["audit", "all", "--db", db, "--config", config, "--format", "json"]) == 0
    assert "1 log line(s) in the period were rejected at load" in capsys.readouterr().err


def test_day_files_and_the_whole_log_they_were_cut_from_are_said_to_overlap(tmp_path, capsys):
    """Probe (session 27): a gateway's day files, then its unsplit log. The manifest continued
    the log from the end of the first day file (a shorter copy of it) and loaded its other
    lines, all of them in the second day file already: every shared event twice, every
    audit doubled (R1 breaches invented, R8 seconds at twice their segments), and no word.
    The canonical loader said so for overlapping exports; the Kannel loader now does too."""
    lines = (Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log").read_bytes().splitlines(True)
    day1, day2, whole = tmp_path / "access.log-1", tmp_path / "access.log-2", tmp_path / "access.log"
    day1.write_bytes(b"".join(lines[:60]))
    day2.write_bytes(b"".join(lines[60:]))
    whole.write_bytes(b"".join(lines))
    con = new_db()
    try:
        results = [ingest_files(con, contract(), [path], progress=False)[0] for path in (day1, day2)]
        assert "overlap" not in capsys.readouterr().err
        [again] = ingest_files(con, contract(), [whole], progress=False)
        err = capsys.readouterr().err
    finally:
        con.close()
    assert again.first_line == 61 and again.events == results[1].events > 0
    assert (f"{whole}: warning: {again.events:,} of its {again.events:,} events are in the warehouse already "
            f"(the same line: logged_at, label, smsc, service, fid, sender, receiver, text, udh and every other "
            f"field equal), loaded from {day2}: overlapping logs of the same traffic? They are now in the "
            "warehouse twice and counted twice; load each event once (load either a gateway's day files or its "
            "whole log, not both, into a new warehouse)") in err


def test_a_shorter_copy_of_a_log_loaded_already_is_skipped_without_an_overlap_warning(tmp_path, capsys):
    """Review (session 27): the overlap check ran inside the Kannel loader, before the manifest
    found the file to be a shorter copy of a log it holds and skipped it: 'in the warehouse
    twice and counted twice' was said of lines it then did not keep."""
    lines = (Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log").read_bytes()
    whole, older = tmp_path / "access.log", tmp_path / "access.log.old"
    whole.write_bytes(lines)
    older.write_bytes(b"".join(lines.splitlines(True)[:50]))
    con = new_db()
    try:
        ingest_files(con, contract(), [whole], progress=False)
        capsys.readouterr()
        [copy] = ingest_files(con, contract(), [older], progress=False)
        err = capsys.readouterr().err
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 126
    finally:
        con.close()
    assert copy.state == "skipped" and copy.within == str(whole.resolve())
    assert "in the warehouse already" not in err
