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
    # load 1 read lines 1-3, load 2 (its continuation) line 4: no id names line 5, nor load 1's line 4
    assert found[1]["found"] is False
    assert found[1]["problem"] == (f"load 1 read lines 1-3 of {found[1]['recorded_path']}: no event id of it "
                                   "names line 5")
    code, found = _trace(capsys, "1:4", "2:4", "--db", str(db))
    assert code == 1 and [f["found"] for f in found] == [False, True]


def test_many_ids_read_each_file_once(rotated, monkeypatch, capsys):
    """A probe: every id hashed its log's prefix and read it again from the start (50 ids of
    one load opened the rotated log 300 times)."""
    from opsanalytics import provenance

    db, logs, yesterday, _ = rotated
    calls = []
    real = provenance.prefix_sha256
    monkeypatch.setattr(provenance, "prefix_sha256", lambda path, sizes: calls.append(path) or real(path, sizes))
    lines = [k % 4 + 1 for k in range(40)]   # lines 1-3 of load 1, line 4 of load 2 (its continuation)
    code, found = _trace(capsys, *[f"{2 if n == 4 else 1}:{n}" for n in lines], "--db", str(db))
    assert code == 0 and [f["line"] for f in found] == [yesterday[n - 1] for n in lines]
    # the recorded path (today's log) is ruled out by its first line, the rotated log hashed once
    assert calls == [logs / "access.log.1.gz"]


def test_a_search_place_must_exist_and_may_be_the_file_itself(rotated, tmp_path, capsys):
    db, logs, yesterday, _ = rotated
    kept = tmp_path / "kept.log.gz"
    (logs / "access.log.1.gz").rename(kept)
    assert main(["trace", "1:1", "--db", str(db), "--search", str(tmp_path / "nowhere")]) == 2
    assert "--search" in capsys.readouterr().err
    code, found = _trace(capsys, "1:1", "--db", str(db), "--search", str(kept))
    assert code == 0 and (found[0]["path"], found[0]["line"]) == (str(kept), yesterday[0])


def test_a_file_with_no_line_end_in_its_first_mebibyte_is_no_log(tmp_path):
    from opsanalytics import provenance

    dump = tmp_path / "core"
    dump.write_bytes(b"\0" * (provenance.HEAD_LIMIT + 10) + b"\n")
    short = tmp_path / "short"
    short.write_bytes(b"no line end")
    files = provenance._Files([])
    assert files.head(dump) is None
    import hashlib
    assert files.head(short) == hashlib.sha256(b"no line end").hexdigest()


def test_a_line_that_is_not_utf8_says_so(tmp_path, capsys):
    config, db, log = tmp_path / "contract.toml", tmp_path / "w.duckdb", tmp_path / "access.log"
    config.write_text(ONE_CODE_CONTRACT, encoding="utf-8")
    line = mt("2026-11-10 10:00:00", "ora_36180", "A1", "+33612000001", "caf\\xe9")
    log.write_bytes(line.encode() + b"\n" + line.replace("caf\\xe9", "caf\xe9 ").encode("latin-1") + b"\n")
    _ingest(db, config, [log])
    code, found = _trace(capsys, "1:1", "1:2", "--db", str(db))
    assert code == 0
    assert [(f["line"].count("caf\\xe9"), f["utf8"]) for f in found] == [(1, True), (1, False)]


@pytest.mark.parametrize("bad", ["abc", "0:3", "1:0", "12", "1:10000000000", "1_0000000001", "\uff11:1", "1:2:3"])
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
    many = pd.DataFrame({column: [rows[column][1]] * 400 for column in rows.columns})
    many["receiver"] = [f"+336120{k:05d}" for k in range(400)]
    many.to_parquet(tmp_path / "many.parquet", index=False)
    _ingest(db, config, [tmp_path / "export.csv", tmp_path / "export.parquet", tmp_path / "many.parquet"])
    code, found = _trace(capsys, "1:1", "1:2", "2:2", "3:37", "3:400", "--db", str(db))
    assert code == 0
    assert [(f["path"], f["row"]["receiver"], f["row"]["text"], f["line"]) for f in found] == [
        (str(tmp_path / "export.csv"), "+33612000001", "deux\nlignes", None),
        (str(tmp_path / "export.csv"), "+33612000002", "une", None),
        (str(tmp_path / "export.parquet"), "+33612000002", "une", None),
        # (a probe: rows past the Parquet file's count of 0x0A bytes read as not found)
        (str(tmp_path / "many.parquet"), "+33612000036", "une", None),
        (str(tmp_path / "many.parquet"), "+33612000399", "une", None)]
