"""`opsanalytics trace`: the raw line behind an event id, from the file that holds it now. A
log read live in two loads, then rotated and compressed by logrotate, and another log written
under its old name: every id must come back with its own line (a probe found the first load's
checksum matching no file, and the recorded path holding another log's lines)."""

from __future__ import annotations

import gzip
import json
import shutil

import pandas as pd
import pytest

from kannellines import ONE_CODE_CONTRACT, mt
from opsanalytics import warehouse
from opsanalytics.cli import main
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files


def _ingest(db, config, paths) -> None:
    con = warehouse.connect(db, create=True)
    try:
        ingest_files(con, load_contract(config), paths, progress=False)
    finally:
        con.close()


def _trace(capsys, *args) -> tuple[int, list[dict]]:
    code = main(["trace", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture()
def rotated(tmp_path):
    """Yesterday's log, read at 3 lines then whole (4 lines), rotated to access.log.1.gz;
    today's log, another one, now written as access.log."""
    logs = tmp_path / "logs"
    logs.mkdir()
    config, db = tmp_path / "contract.toml", tmp_path / "w.duckdb"
    config.write_text(ONE_CODE_CONTRACT, encoding="utf-8")
    yesterday = [mt(f"2026-11-10 10:0{k}:00", "ora_36180", f"A{k}", f"+3361200000{k}", f"hier {k}") for k in range(4)]
    today = [mt(f"2026-11-11 10:0{k}:00", "ora_36180", f"B{k}", f"+3361299999{k}", f"aujourd'hui {k}")
             for k in range(5)]
    log = logs / "access.log"
    log.write_text("\n".join(yesterday[:3]) + "\n", encoding="utf-8")
    _ingest(db, config, [log])                       # load 1: lines 1-3
    log.write_text("\n".join(yesterday) + "\n", encoding="utf-8")
    _ingest(db, config, [log])                       # load 2 continues it: line 4
    with log.open("rb") as plain, gzip.open(logs / "access.log.1.gz", "wb") as packed:
        shutil.copyfileobj(plain, packed)
    log.write_text("\n".join(today) + "\n", encoding="utf-8")
    return db, logs, yesterday, today


def test_ids_of_a_live_log_rotated_since_come_back_with_their_lines(rotated, capsys):
    db, logs, yesterday, _ = rotated
    code, found = _trace(capsys, "10000000001", "10000000003", "20000000004", "--db", str(db))
    assert code == 0
    assert [(f["path"], f["line_no"], f["line"]) for f in found] == [
        (str(logs / "access.log.1.gz"), 1, yesterday[0]),
        (str(logs / "access.log.1.gz"), 3, yesterday[2]),
        (str(logs / "access.log.1.gz"), 4, yesterday[3])]
    # the recorded path holds today's log now: named, never read as the line
    assert {f["recorded_path"] for f in found} == {str(logs / "access.log")}


def test_a_log_moved_away_is_not_found_until_its_folder_is_given(rotated, tmp_path, capsys):
    db, logs, yesterday, _ = rotated
    archive = tmp_path / "archive"
    archive.mkdir()
    (logs / "access.log.1.gz").rename(archive / "2026-11-10.log.gz")
    code, found = _trace(capsys, "1:2", "--db", str(db))
    assert code == 1
    assert found[0]["found"] is False and found[0]["line"] is None
    assert "begins with the lines load 1 read" in found[0]["problem"]
    code, found = _trace(capsys, "1:2", "--db", str(db), "--search", str(archive))
    assert code == 0
    assert (found[0]["path"], found[0]["line"]) == (str(archive / "2026-11-10.log.gz"), yesterday[1])


def test_the_table_names_the_file_and_the_move(rotated, capsys):
    db, logs, yesterday, _ = rotated
    assert main(["trace", "1:1", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out == (f"10000000001 {logs / 'access.log.1.gz'}:1 (loaded as {logs / 'access.log'})\n"
                   f"  {yesterday[0]}\n")


def test_an_id_of_no_load_and_a_line_past_the_log_say_why(rotated, capsys):
    db, _, _, _ = rotated
    code, found = _trace(capsys, "9:1", "1:5", "--db", str(db))
    assert code == 1
    assert found[0]["problem"] == "no file was loaded as load 9 (status lists the loads)"
    # load 1 read 3 lines, load 2 (its continuation) 4: no file of that log holds a line 5
    assert found[1]["found"] is False and found[1]["recorded_path"] is not None


@pytest.mark.parametrize("bad", ["abc", "0:3", "1:0", "12"])
def test_a_bad_id_is_refused(rotated, bad, capsys):
    db, _, _, _ = rotated
    assert main(["trace", bad, "--db", str(db)]) == 2
    assert "trace: error:" in capsys.readouterr().err


def test_a_canonical_export_gives_its_row(tmp_path, capsys):
    config, db = tmp_path / "contract.toml", tmp_path / "w.duckdb"
    config.write_text(ONE_CODE_CONTRACT, encoding="utf-8")
    rows = pd.DataFrame({"logged_at": ["2026-11-10T10:00:00Z", "2026-11-10T10:01:00Z"], "kind": ["mt", "mt"],
                         "outcome": ["accepted", "accepted"], "sender": ["36180", "36180"],
                         "receiver": ["+33612000001", "+33612000002"], "service": ["acme", "acme"],
                         "text": ["deux\nlignes", "une"]})
    rows.to_csv(tmp_path / "export.csv", index=False)
    rows.to_parquet(tmp_path / "export.parquet", index=False)
    _ingest(db, config, [tmp_path / "export.csv", tmp_path / "export.parquet"])
    code, found = _trace(capsys, "1:1", "1:2", "2:2", "--db", str(db))
    assert code == 0
    assert [(f["path"], f["row"]["receiver"], f["row"]["text"], f["line"]) for f in found] == [
        (str(tmp_path / "export.csv"), "+33612000001", "deux\nlignes", None),
        (str(tmp_path / "export.csv"), "+33612000002", "une", None),
        (str(tmp_path / "export.parquet"), "+33612000002", "une", None)]
