"""`opsanalytics status`: the JSON contract on a tiny hand-made warehouse."""

from __future__ import annotations

import json

import pytest

from eventrows import Log, contract
from opsanalytics import facts, warehouse
from opsanalytics.cli import main

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
    log.line(10, "REJECTED Receive SMS - black-list SMS", service="", sender="+33612345679", receiver="36180", text="x")
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
