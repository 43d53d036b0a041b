"""A file loaded by another version of opsanalytics keeps that version's reading: its events
are never read again (ingest skips a file already loaded, and a longer copy of a log loads only
the lines after the ones loaded). A session-33 probe: an older version rejected the line after
a crash's NUL run (this one reads a restart marker there), loaded a CR-only file as one rejected
line (this one refuses it, exit 2, with the fix), or counted a lossy text's segments as exact;
after the upgrade, offering those files again printed "(skipped)" and nothing said the events
held the old reading. Each load now records the fingerprint of the loader that read it
(`loader_fingerprint`), and ingest warns, naming the files, when it skips lines another loader
read, with the command that reads them with this version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "kannel-1.4.5"
FIXTURE = FIXTURES / "smsc-errors"
OTHER = "0" * 64
TOLD = "another version of opsanalytics"


@pytest.fixture()
def files(tmp_path):
    shutil.copy(FIXTURE / "contract.toml", tmp_path / "contract.toml")
    shutil.copy(FIXTURE / "access.log", tmp_path / "access.log")
    return tmp_path


def _ingest(tmp_path: Path, *logs: Path) -> int:
    return main(["ingest", "--quiet", "--db", str(tmp_path / "w.duckdb"), "--config", str(tmp_path / "contract.toml"),
                 *(str(log) for log in logs)])


def _manifest(tmp_path: Path) -> list[tuple]:
    con = warehouse.connect(tmp_path / "w.duckdb", read_only=True)
    try:
        return con.execute("SELECT load_id, state, events, loader_fingerprint FROM load_manifest "
                           "ORDER BY load_id").fetchall()
    finally:
        con.close()


def _loaded_by(tmp_path: Path, fingerprint: str | None) -> None:
    """As a version older than this one left its loads: another fingerprint, or none."""
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        con.execute("UPDATE load_manifest SET loader_fingerprint = $fingerprint", {"fingerprint": fingerprint})
    finally:
        con.close()


def _events(tmp_path: Path) -> int:
    con = warehouse.connect(tmp_path / "w.duckdb", read_only=True)
    try:
        return con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()


def test_the_fingerprint_is_of_this_loader_and_computed_once():
    from opsanalytics.ingest import loader_fingerprint

    assert len(loader_fingerprint()) == 64 and int(loader_fingerprint(), 16) >= 0
    assert loader_fingerprint() is loader_fingerprint()


def test_every_load_records_the_loader_that_read_it(files, capsys):
    from opsanalytics.ingest import loader_fingerprint

    log = files / "access.log"
    assert _ingest(files, log) == 0
    assert _ingest(files, log) == 0
    manifest = _manifest(files)
    assert [row[:2] for row in manifest] == [(1, "loaded"), (2, "skipped")] and manifest[0][2] > 0
    assert manifest[0][3] == manifest[1][3] == loader_fingerprint()
    # the same loader: nothing to say about the skipped file's reading
    assert TOLD not in capsys.readouterr().err


@pytest.mark.parametrize("fingerprint", [OTHER, None], ids=["other-loader", "not-recorded"])
def test_a_file_skipped_that_another_loader_read_is_named_with_the_command_that_reads_it_again(
        files, capsys, fingerprint):
    log = files / "access.log"
    assert _ingest(files, log) == 0
    events = _events(files)
    _loaded_by(files, fingerprint)
    capsys.readouterr()

    assert _ingest(files, log) == 0   # a warning, not a failure
    err = capsys.readouterr().err
    assert TOLD in err and str(log) in err
    flat = " ".join(err.split())
    assert "keep the reading of the version that loaded them" in flat
    assert f"opsanalytics ingest --db NEW.duckdb --config {files / 'contract.toml'} LOG..." in flat
    assert "put the old values back" not in flat   # (the contract is not what differs)
    # nothing loaded twice: the file is skipped as before
    assert [row[:3] for row in _manifest(files)] == [(1, "loaded", events), (2, "skipped", 0)]
    assert _events(files) == events


def test_several_files_another_loader_read_are_named_in_one_warning(files, capsys):
    other = files / "other" / "access.log"
    other.parent.mkdir()
    shutil.copy(FIXTURES / "main" / "access.log", other)
    log = files / "access.log"
    assert _ingest(files, log, other) == 0
    _loaded_by(files, OTHER)
    capsys.readouterr()

    assert _ingest(files, log, other) == 0
    err = capsys.readouterr().err
    assert err.count(TOLD) == 1 and str(log) in err and str(other) in err
    assert [row[1] for row in _manifest(files)] == ["loaded", "loaded", "skipped", "skipped"]


def test_the_first_lines_of_a_continued_log_another_loader_read_are_named(files, capsys):
    from opsanalytics.ingest import loader_fingerprint

    log = files / "access.log"
    data = log.read_bytes()
    live = files / "live" / "access.log"
    live.parent.mkdir()
    at = [i for i, b in enumerate(data) if b == 10][39]   # 40 whole lines, as read while written
    live.write_bytes(data[:at + 1])
    assert _ingest(files, live) == 0
    _loaded_by(files, OTHER)
    capsys.readouterr()

    assert _ingest(files, log) == 0
    err = capsys.readouterr().err
    flat = " ".join(err.split())
    assert TOLD in err and str(live) in err and f"lines 1-40 of {log}" in flat
    assert "opsanalytics ingest --db NEW.duckdb" in flat
    assert [(row[1], row[3]) for row in _manifest(files)] == [("loaded", OTHER), ("loaded", loader_fingerprint())]
    # each line once: the continuation loaded the lines after the 40 only
    con = warehouse.connect(files / "w.duckdb", read_only=True)
    try:
        assert con.execute("SELECT first_line FROM load_manifest WHERE load_id = 2").fetchone()[0] == 41
    finally:
        con.close()


def test_a_continued_log_the_same_loader_read_says_nothing_of_versions(files, capsys):
    log = files / "access.log"
    data = log.read_bytes()
    live = files / "live" / "access.log"
    live.parent.mkdir()
    live.write_bytes(data[:[i for i, b in enumerate(data) if b == 10][39] + 1])
    assert _ingest(files, live) == 0
    assert _ingest(files, log) == 0
    assert TOLD not in capsys.readouterr().err


def _cut(log: Path, lines: int, to: Path) -> Path:
    """The first `lines` whole lines of `log`, as a copy read while the gateway wrote it."""
    data = log.read_bytes()
    to.parent.mkdir(exist_ok=True)
    to.write_bytes(data[:[i for i, b in enumerate(data) if b == 10][lines - 1] + 1])
    return to


def test_each_load_another_loader_read_is_named_with_the_lines_it_read(files, capsys):
    """A session-33 probe: an old version read lines 1-8745 of a live log (load 2), this one the
    lines after them up to 15981 (load 3); the next night's warning said "lines 1-15981 ... were
    loaded already, by load 2", and of the rotated log (24,164 lines, 8,745 read by the old
    version) "skipped: its lines are loaded already, by load 2". Each load is now named with the
    lines it read; and a load without a fingerprint is said to be a version's that does not
    record its loader (an older copy ingesting into a newer warehouse writes none either)."""
    import gzip

    log = files / "access.log"
    first = _cut(log, 40, files / "live1" / "access.log")
    assert _ingest(files, first) == 0
    _loaded_by(files, None)
    assert _ingest(files, _cut(log, 80, files / "live2" / "access.log")) == 0   # this version: 41-80
    capsys.readouterr()

    assert _ingest(files, log) == 0   # loads 81-101
    flat = " ".join(capsys.readouterr().err.split())
    assert f"lines 1-80 of {log} were loaded already: lines 1-40 by load 1 ({first}, " in flat
    assert "does not record its loader" in flat and "before the loader was recorded" not in flat
    assert "load 2" not in flat   # this version's

    rotated = files / "access.log.1.gz"
    rotated.write_bytes(gzip.compress(log.read_bytes()))
    assert _ingest(files, rotated) == 0
    flat = " ".join(capsys.readouterr().err.split())
    assert f"{rotated} was skipped: its lines are loaded already: lines 1-40 by load 1 ({first}, " in flat
    assert "load 2" not in flat and "load 3" not in flat


def test_a_shorter_copy_skipped_names_only_the_lines_it_holds(files, capsys):
    """A copy of the first 30 lines of a log whose first 40 lines another version read: the
    copy is skipped (the longer copy holds its lines), and the warning names lines 1-30."""
    log = files / "access.log"
    first = _cut(log, 40, files / "live1" / "access.log")
    assert _ingest(files, first) == 0
    _loaded_by(files, OTHER)
    assert _ingest(files, log) == 0
    capsys.readouterr()

    short = _cut(log, 30, files / "short" / "access.log")
    assert _ingest(files, short) == 0
    flat = " ".join(capsys.readouterr().err.split())
    assert f"{short} was skipped: its lines are loaded already: lines 1-30 by load 1 ({first})" in flat


def test_the_queries_of_the_warnings_are_not_part_of_the_loader():
    """The queries that only read the manifest for the warnings decide no line's reading: a
    change of the warning (naming each load's lines) must not call every load before it another
    version's, as the loader's own queries do."""
    from opsanalytics.ingest import loader_files

    names = {path.name for path in loader_files()}
    assert {"manifest_other_loader.sql", "manifest_read_otherwise.sql",
            "manifest_read_otherwise_timezone.sql"}.isdisjoint(names)
    assert {"kannel.py", "kannel_events_fast.sql", "kannel_rejects.sql", "canonical_insert_events.sql",
            "segment_macros.sql"} <= names
    assert all(path.is_file() for path in loader_files())
