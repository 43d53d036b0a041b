"""`opsanalytics ingest` fed damaged or wrong files (a probe's findings): an empty file
named as gzip (a compression that failed), an empty plain log, a log whose lines end with a
carriage return only, a cut copy of a log and the whole log in one call, a crash's NUL block
before Kannel's `Log begins`. Each answer checked exactly against the real 1.4.5 log
(132 lines = 126 events + 6 markers)."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from eventrows import CONTRACT_TOML
from opsanalytics.cli import main

LOG = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log"


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "contract.toml"
    path.write_text(CONTRACT_TOML, encoding="utf-8")
    return path


def ingest(db: Path, config: Path, *files: Path) -> int:
    return main(["ingest", *map(str, files), "--db", str(db), "--config", str(config), "--quiet"])


def manifest(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT path, lines, events, markers, rejected, state FROM load_manifest "
                           "ORDER BY load_id").fetchall()


def warehouse_counts(db: Path) -> tuple[int, int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("events", "log_markers", "rejected_lines"))


@pytest.mark.parametrize("name", ["access.log.1.gz", "access.log.2.gzip", "access.log.1.GZ"])
def test_an_empty_file_named_gzip_is_refused_as_a_failed_compression(tmp_path, config, capsys, name):
    empty = tmp_path / name
    empty.write_bytes(b"")
    db = tmp_path / "w.duckdb"
    assert ingest(db, config, empty) == 2
    err = capsys.readouterr().err
    assert f"{empty}: cannot be read: 0 bytes, though its name says gzip" in err
    assert "Traceback" not in err
    assert not db.exists()   # (a new warehouse for a refused load is removed)


def test_an_empty_gzip_among_good_logs_refuses_the_whole_call(tmp_path, config, capsys):
    empty = tmp_path / "access.log.1.gz"
    empty.write_bytes(b"")
    db = tmp_path / "w.duckdb"
    assert ingest(db, config, LOG) == 0
    capsys.readouterr()
    assert ingest(db, config, LOG, empty) == 2
    assert f"{empty}: cannot be read: 0 bytes" in capsys.readouterr().err
    assert [row[5] for row in manifest(db)] == ["loaded"]


def test_an_empty_plain_log_loads_with_a_warning(tmp_path, config, capsys):
    empty = tmp_path / "access.log"
    empty.write_bytes(b"")
    db = tmp_path / "w.duckdb"
    assert ingest(db, config, empty) == 0
    out, err = capsys.readouterr()
    assert out == f"{empty}: lines=0 events=0 markers=0 rejected=0 (loaded)\n"
    assert err.startswith(f"{empty}: warning: the file is empty (0 bytes): Kannel writes `Log begins` "
                          "whenever it opens its access log")
    assert manifest(db) == [(str(empty), 0, 0, 0, 0, "loaded")]


def test_an_empty_gzip_stream_is_an_empty_log_with_the_warning(tmp_path, config, capsys):
    """A valid gzip of nothing (`gzip < /dev/null`): the compression worked, the log was empty."""
    empty = tmp_path / "access.log.1.gz"
    empty.write_bytes(gzip.compress(b""))
    db = tmp_path / "w.duckdb"
    assert ingest(db, config, empty) == 0
    out, err = capsys.readouterr()
    assert out == f"{empty}: lines=0 events=0 markers=0 rejected=0 (loaded)\n"
    assert err.startswith(f"{empty}: warning: the file is empty (its gzip holds 0 bytes): Kannel writes "
                          "`Log begins` whenever it opens its access log")


def test_cr_only_line_ends_are_refused(tmp_path, config, capsys):
    mac = tmp_path / "access.log"
    mac.write_bytes(LOG.read_bytes().replace(b"\n", b"\r"))
    db = tmp_path / "w.duckdb"
    assert ingest(db, config, mac) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{mac}: its lines end with a carriage return only (CR, as on old Macs)" in err
    assert "no line end yet" not in err
    assert not db.exists()


@pytest.mark.parametrize("cr", [False, True])
def test_the_line_being_written_still_loads_for_now(tmp_path, config, capsys, cr):
    """What the CR-only refusal must keep: the live log just after a rotation, `Log begins`
    and a half-written line (its text may hold a carriage return written raw)."""
    live = tmp_path / "access.log"
    data = LOG.read_bytes()[:LOG.read_bytes().index(b"\n", 40) - 20]
    live.write_bytes(data.replace(b"[msg:57:Promo:", b"[msg:57:Promo\r") if cr else data)
    assert (b"\r" in live.read_bytes()) == cr
    db = tmp_path / "w.duckdb"
    assert ingest(db, config, live) == 0
    out, err = capsys.readouterr()
    assert out == f"{live}: lines=2 events=0 markers=1 rejected=1 (loaded)\n"
    assert "line 2 has no line end yet (the gateway was writing it)" in err


def test_a_cut_copy_and_the_whole_log_in_one_call_print_what_is_committed(tmp_path, config, capsys):
    data = LOG.read_bytes()
    at = 0
    for _ in range(70):
        at = data.index(b"\n", at) + 1
    partial = tmp_path / "partial70.log"
    partial.write_bytes(data[:at + 25])   # 70 lines, then line 71 cut
    whole = tmp_path / "access.log"
    whole.write_bytes(data)
    db = tmp_path / "w.duckdb"
    assert ingest(db, config, partial, whole) == 0
    out, err = capsys.readouterr()
    rows = manifest(db)
    assert rows == [(str(partial), 70, 69, 1, 0, "loaded"), (str(whole), 62, 57, 5, 0, "loaded")]
    assert warehouse_counts(db) == (126, 6, 0)
    lines = out.splitlines()
    assert lines[0].startswith(f"{partial}: lines=70 events=69 markers=1 rejected=0 (loaded")
    assert "line 71, cut short, is loaded whole from" in lines[0]
    assert lines[1].startswith(f"{whole}: lines=62 events=57 markers=5 rejected=0 (loaded from line 71")
    assert lines[2] == "total: lines=132 events=126 markers=6 rejected=0"
    assert "rejected line(s)" not in err


def test_a_restart_marker_after_a_crash_s_nul_block_is_a_marker(tmp_path, config, capsys):
    data = LOG.read_bytes().split(b"\n")
    marker = b"2026-11-25 17:40:00 Log begins"
    crashed = data[:59] + [b"\0" * 4096 + marker] + data[59:]
    log = tmp_path / "access.log"
    log.write_bytes(b"\n".join(crashed))
    db = tmp_path / "w.duckdb"
    assert ingest(db, config, log) == 0
    out, err = capsys.readouterr()
    assert out == f"{log}: lines=133 events=126 markers=7 rejected=0 (loaded)\n"
    assert "4096 NUL byte(s) were loaded as U+FFFD" in err
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT line_no, marker FROM log_markers WHERE line_no = 60").fetchall() == \
            [(60, "begins")]


def test_an_event_after_a_nul_block_is_the_event_and_a_line_of_nuls_stays_rejected(tmp_path, config, capsys):
    data = LOG.read_bytes().split(b"\n")
    damaged = data[:59] + [b"\0" * 300 + data[59], b"\0" * 50] + data[60:]
    log = tmp_path / "access.log"
    log.write_bytes(b"\n".join(damaged))
    db = tmp_path / "w.duckdb"
    assert ingest(db, config, log) == 0
    out, err = capsys.readouterr()
    assert out == f"{log}: lines=133 events=126 markers=6 rejected=1 (loaded)\n"
    assert "350 NUL byte(s) were loaded as U+FFFD" in err
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT line_no FROM rejected_lines").fetchall() == [(61,)]
        assert con.execute("SELECT count(*) FROM events WHERE line_no = 60").fetchone()[0] == 1
