"""`opsanalytics status`: the JSON contract on a tiny hand-made warehouse, and the line
accounting it checks (the manifest's lines read against the rows the tables hold)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from eventrows import Log, contract
from opsanalytics import facts, warehouse
from opsanalytics.cli import main
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files

RECEIPT = "id:{fid} sub:001 dlvrd:001 submit date:2611251000 done date:2611251001 stat:{stat} err:000 text:x"


def _manifest(con, load_id, path, sha, lines, events, markers, rejected, state):
    con.execute(
        "INSERT INTO load_manifest "
        "(load_id, path, sha256, size_bytes, format, log_timezone, lines, events, markers, rejected, state, loaded_at) VALUES ($id, $path, $sha, 100, 'kannel', 'UTC', $lines, $events, $markers, "
        "$rejected, $state, now())",
        {"id": load_id, "path": path, "sha": sha, "lines": lines, "events": events, "markers": markers,
         "rejected": rejected, "state": state})


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    con = warehouse.connect(path, create=True)
    log = Log()
    log.line(0, "Sent SMS", fid="A", text="a", segments=2)
    log.line(1, "Receive DLR", fid="A", dlr_mask=8, text="ACK/")
    log.line(2, "Receive DLR", fid="A", dlr_mask=1, text=RECEIPT.format(fid="A", stat="DELIVRD"))
    log.line(3, "Sent SMS", fid="B", text="b", receiver="33622222222")
    log.line(4, "Receive DLR", fid="B", dlr_mask=34, text=RECEIPT.format(fid="B", stat="EXPIRED"), receiver="33622222222")
    log.line(5, "Sent SMS", fid="C", text="c", receiver="33633333333")
    log.line(6, "REJECTED Send SMS", text="d", receiver="33644444444")
    log.line(6, "Receive DLR", dlr_mask=16, text="NACK/", receiver="33644444444")
    log.line(7, "FAILED Receive DLR", fid="A", service="", dlr_mask=-1, text="dup")
    log.line(8, "Receive DLR", fid="ZZZ", dlr_mask=1, text="unknown id")
    log.line(9, "Receive SMS", service="", sender="+33612345678", receiver="36180", text="STOP")
    log.line(10, "REJECTED Receive SMS - black-listed SMS", service="", sender="+33612345679", receiver="36180", text="x")
    log.line(11, "DROPPED Received SMS", service="", text="y")
    log.write(con)
    con.execute("INSERT INTO log_markers VALUES (1, 14, now(), 'begins'), (1, 15, now(), 'ends')")
    con.execute("INSERT INTO rejected_lines VALUES (1, 16, 'garbage', 'no label')")
    _manifest(con, 1, "/logs/access.log", "ab" * 32, 16, 13, 2, 1, "loaded")
    _manifest(con, 2, "/logs/copy.log", "ab" * 32, 0, 0, 0, 0, "skipped")
    facts.build(con, contract())
    con.close()
    return path


def test_status_json_contract(db, capsys):
    assert main(["status", "--db", str(db), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == {
        "lines": 16, "events": 13, "markers": 2, "rejected": 1,
        "mt": {"accepted": 3, "refused": 1, "segments": 4},
        "mo": {"accepted": 1, "refused": 1},
        "dlr": {"lines": 5, "unmatched": 2, "delivered": 1, "failed": 1},
        "dropped": 1,
        "files": [
            {"path": "/logs/access.log", "sha256": "ab" * 32, "lines": 16, "loaded": 15, "rejected": 1, "state": "loaded"},
            {"path": "/logs/copy.log", "sha256": "ab" * 32, "lines": 0, "loaded": 0, "rejected": 0, "state": "skipped"},
        ],
    }


def test_status_table_is_readable(db, capsys):
    assert main(["status", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "lines" in out and "= events 13 + markers 2 + rejected 1" in out
    assert "/logs/copy.log" in out and "skipped" in out


def test_status_of_an_empty_warehouse(tmp_path, capsys):
    path = tmp_path / "empty.duckdb"
    warehouse.connect(path, create=True).close()
    assert main(["status", "--db", str(path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["lines"] == 0 and doc["files"] == [] and doc["dlr"]["unmatched"] == 0


def test_status_of_a_missing_database(tmp_path, capsys):
    assert main(["status", "--db", str(tmp_path / "nope.duckdb")]) == 2
    assert "no such database" in capsys.readouterr().err


@pytest.fixture()
def tampered(db):
    """The warehouse of `db` with one event row deleted after its load (the manifest still
    records the line as read)."""
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM events WHERE load_id = 1 AND line_no = 4")  # the second 'Sent SMS'
    con.close()
    return db


def test_status_flags_a_line_the_tables_no_longer_hold(tampered, capsys):
    """`lines` is what the manifest recorded as read; the tables hold one row less: the JSON
    keeps its keys and meanings, adds accounting_mismatch naming the load, and status exits 1
    with a message on stderr (before, it printed lines 15 = 12 + 2 + 1 and exited 0)."""
    assert main(["status", "--db", str(tampered), "--format", "json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert (doc["lines"], doc["events"], doc["markers"], doc["rejected"]) == (16, 12, 2, 1)
    assert doc["accounting_mismatch"] == {
        "lines_in_tables": 15, "difference": 1,
        "files": [{"load_id": 1, "path": "/logs/access.log", "state": "loaded", "lines": 16,
                   "events": 12, "markers": 2, "rejected": 1}],
    }
    assert doc["files"][0] == {"path": "/logs/access.log", "sha256": "ab" * 32, "lines": 16, "loaded": 15,
                               "rejected": 1, "state": "loaded"}
    assert "lines != events + markers + rejected" in captured.err
    assert "16 lines" in captured.err and "15" in captured.err


def test_status_table_warns_of_the_difference(tampered, capsys):
    assert main(["status", "--db", str(tampered)]) == 1
    out = capsys.readouterr().out
    assert "lines               16  != events 12 + markers 2 + rejected 1" in out
    assert "WARNING   the tables hold 15 lines, the manifest recorded 16 read (1 missing)" in out
    assert "/logs/access.log (load 1): the manifest records 16 lines read, the tables hold 15 " \
           "(events 12, markers 2, rejected 1)" in out


def test_status_flags_rows_of_no_load(db, capsys):
    """Rows whose load_id no manifest row names are lines no file was recorded to hold."""
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO rejected_lines VALUES (7, 1, 'stray', 'no label')")
    con.close()
    assert main(["status", "--db", str(db), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert (doc["lines"], doc["rejected"]) == (16, 2)
    assert doc["accounting_mismatch"] == {
        "lines_in_tables": 17, "difference": -1,
        "files": [{"load_id": 7, "path": None, "state": None, "lines": 0,
                   "events": 0, "markers": 0, "rejected": 1}],
    }


def test_status_flags_rows_moved_between_loads(db, capsys):
    """The totals still add up, but a load holds lines of another: the manifest no longer
    says which file holds which line."""
    con = duckdb.connect(str(db))
    con.execute("UPDATE rejected_lines SET load_id = 2")   # to the skipped copy
    con.close()
    assert main(["status", "--db", str(db), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["lines"] == doc["events"] + doc["markers"] + doc["rejected"] == 16
    mismatch = doc["accounting_mismatch"]
    assert (mismatch["lines_in_tables"], mismatch["difference"]) == (16, 0)
    assert [(f["load_id"], f["lines"], f["rejected"]) for f in mismatch["files"]] == [(1, 16, 0), (2, 0, 1)]


def test_status_of_a_warehouse_without_events_checks_too(tmp_path, capsys):
    """A warehouse whose only file held markers (no facts built): lines come from the
    manifest as well; a marker deleted since is flagged."""
    path = tmp_path / "markers.duckdb"
    con = warehouse.connect(path, create=True)
    con.execute("INSERT INTO log_markers VALUES (1, 1, now(), 'begins'), (1, 2, now(), 'ends')")
    _manifest(con, 1, "/logs/quiet.log", "cd" * 32, 2, 0, 2, 0, "loaded")
    con.close()
    assert main(["status", "--db", str(path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["lines"], doc["markers"]) == (2, 2) and "accounting_mismatch" not in doc
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM log_markers WHERE line_no = 2")
    con.close()
    assert main(["status", "--db", str(path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert (doc["lines"], doc["markers"]) == (2, 1)
    assert doc["accounting_mismatch"]["difference"] == 1


FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log"


def test_status_of_real_loads_has_no_mismatch(tmp_path, capsys):
    """A log loaded while it was written (its first lines), its continuation, and a copy
    skipped as already loaded: the manifest's lines of the loaded files add up to the log's
    lines, once each, and the tables hold exactly them."""
    data = FIXTURE.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    (tmp_path / "live").mkdir()
    early = tmp_path / "live" / "access.log"
    early.write_bytes(data[:cut])
    whole = tmp_path / "access.log"
    whole.write_bytes(data)
    copy = tmp_path / "access.log.copy"
    shutil.copyfile(whole, copy)
    db = tmp_path / "w.duckdb"
    con = warehouse.connect(db, create=True)
    contract_ = parse_contract('log_timezone = "Europe/Paris"\n', "contract.toml")
    results = ingest_files(con, contract_, [early, whole, copy], progress=False)
    con.close()
    assert [(r.state, r.first_line) for r in results] == [
        ("loaded", 1), ("loaded", data[:cut].count(b"\n") + 1), ("skipped", 1)]
    assert main(["status", "--db", str(db), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["lines"] == data.count(b"\n") == 132
    assert doc["lines"] == doc["events"] + doc["markers"] + doc["rejected"]
    assert "accounting_mismatch" not in doc
    assert main(["status", "--db", str(db)]) == 0
    assert "WARNING" not in capsys.readouterr().out
