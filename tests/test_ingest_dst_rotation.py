"""The repeated autumn hour across the files of one log: a rotation inside 02:00-02:59 of
25 October 2026 (Europe/Paris) leaves the old file ending in the first run (summer time,
UTC+2) and the new one starting in the second (winter time, UTC+1), neither folding back on
its own. The new file's lines of the hour are the second run whichever file is loaded first
(docs/KANNEL.md, "The repeated autumn hour"; queries/staging/kannel_dst_rotation.sql)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.audits import run
from opsanalytics.cli import main
from opsanalytics.config import load_contract
from opsanalytics.simulate.contract import write_contract

UTC = dt.timezone.utc
TEXT = ("Ventes priv..es ACME : jusqu'.. -21% sur la mode. D..s 62... d'achat, livraison offerte. "
        "stop: 36180")


def mt(at: str, fid: str, to: str) -> str:
    return (f"2026-10-25 {at} Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [FID:{fid}] "
            f"[META:?smpp_resp?] [from:36180] [to:{to}] [flags:-1:0:-1:-1:31] [msg:{len(TEXT)}:{TEXT}] [udh:0:]")


def stop(at: str) -> str:
    return (f"2026-10-25 {at} Receive SMS [SMSC:ora_36180] [SVC:] [ACT:acme36180] [BINF:] [FID:] "
            "[META:?smpp?] [from:+33698000999] [to:36180] [flags:-1:0:-1:0:-1] [msg:4:STOP] [udh:0:]")


# the reviewer's reproduction: the STOP at 02:50 summer time, the MT to that number at 02:20
# winter time, half an hour later (a breach of R4), in the file after the rotation
OLD = ["2026-10-25 01:59:00 Log begins", mt("02:10:00", "5E000001", "33612345001"), stop("02:50:00")]
NEW = [mt("02:20:00", "5E000002", "33698000999"), mt("02:55:00", "5E000003", "33612345002")]
RIGHT = {  # as the whole log, one file, is read
    "5E000001": dt.datetime(2026, 10, 25, 0, 10, tzinfo=UTC),   # 02:10 CEST
    "": dt.datetime(2026, 10, 25, 0, 50, tzinfo=UTC),           # the STOP, 02:50 CEST
    "5E000002": dt.datetime(2026, 10, 25, 1, 20, tzinfo=UTC),   # 02:20 CET
    "5E000003": dt.datetime(2026, 10, 25, 1, 55, tzinfo=UTC),   # 02:55 CET
}


@pytest.fixture
def setup(tmp_path):
    config = write_contract(tmp_path / "contract.toml", "Europe/Paris")
    folder = tmp_path / "logs"
    folder.mkdir()
    return tmp_path / "wh.duckdb", config, folder


def write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ingest(db: Path, config: Path, *paths: Path) -> None:
    assert main(["ingest", *map(str, paths), "--db", str(db), "--config", str(config), "--quiet"]) == 0


def times(db: Path) -> dict[str, dt.datetime]:
    con = warehouse.connect(db, read_only=True)
    try:
        return dict(con.execute("SELECT fid, logged_at FROM events").fetchall())
    finally:
        con.close()


def r4_breaches(db: Path, config: Path) -> list[tuple]:
    con = warehouse.connect(db, read_only=True)
    try:
        result = run(con, load_contract(config), "R4")
        return [(row["msisdn"], row["sent_at"]) for row in result.rows.to_dict("records")]
    finally:
        con.close()


@pytest.mark.parametrize("calls", [
    pytest.param([["old"], ["new"]], id="old-then-new"),
    pytest.param([["new"], ["old"]], id="new-then-old"),
    pytest.param([["old", "new"]], id="one-call"),
    pytest.param([["new", "old"]], id="one-call-new-first"),
])
def test_a_rotation_in_the_second_run_reads_the_new_file_as_winter_time(setup, capsys, calls):
    db, config, folder = setup
    files = {"old": write(folder, "access.log.1", OLD), "new": write(folder, "access.log", NEW)}
    for call in calls:
        ingest(db, config, *(files[name] for name in call))
    assert times(db) == RIGHT
    # the MT at 02:20 CET is 30 minutes after the STOP at 02:50 CEST: a breach
    assert len(r4_breaches(db, config)) == 1
    err = capsys.readouterr().err
    assert "2 line(s) of the repeated hour 2026-10-25 02:00-02:59 (Europe/Paris)" in err
    assert "SECOND run (UTC+01:00" in err
    assert f"{files['new']}" in err
    assert f"{files['old']} is older (it has lines before that hour)" in err
    assert "2026-10-25 02:50:00+02:00" in err  # the old file's last line of the first run


def test_the_same_as_the_whole_log(setup):
    db, config, folder = setup
    whole = write(folder, "whole.log", OLD + NEW)
    ingest(db.with_name("whole.duckdb"), config, whole)
    assert times(db.with_name("whole.duckdb")) == RIGHT
    assert len(r4_breaches(db.with_name("whole.duckdb"), config)) == 1


@pytest.mark.parametrize("order", [["old", "live", "new"], ["live", "new", "old"], ["live", "old", "new"]])
def test_a_new_file_read_live_then_continued(setup, capsys, order):
    # the new access.log read while the gateway wrote it (one line), then whole: a log
    # continued is one file (every load of it moves), and a continuation's lines of the hour
    # follow the moved ones
    db, config, folder = setup
    (folder.parent / "live").mkdir()
    files = {"old": write(folder, "access.log.1", OLD), "live": write(folder.parent / "live", "access.log", NEW[:1])}
    files["new"] = write(folder, "access.log", NEW)
    for name in order:
        ingest(db, config, files[name])
    assert times(db) == RIGHT
    assert len(r4_breaches(db, config)) == 1
    err = capsys.readouterr().err
    if order == ["old", "live", "new"]:
        assert f"{files['live']} is older (this file continues it)" in err


def test_a_rotation_in_the_first_run_is_read_as_before(setup, capsys):
    # cut at 02:30 summer time: the new file holds the rest of the first run and the clock
    # going back (its own fold), nothing is moved and nothing said
    db, config, folder = setup
    old = write(folder, "access.log.1", OLD[:2] + [mt("02:25:00", "5E000004", "33612345004")])
    new = write(folder, "access.log", [stop("02:50:00"), mt("02:05:00", "5E000005", "33612345005")] + NEW
                + [mt("03:10:00", "5E000006", "33612345006")])
    right = {
        "5E000001": dt.datetime(2026, 10, 25, 0, 10, tzinfo=UTC),
        "5E000004": dt.datetime(2026, 10, 25, 0, 25, tzinfo=UTC),
        "": dt.datetime(2026, 10, 25, 0, 50, tzinfo=UTC),
        "5E000005": dt.datetime(2026, 10, 25, 1, 5, tzinfo=UTC),   # 02:05 CET: the fold
        "5E000002": dt.datetime(2026, 10, 25, 1, 20, tzinfo=UTC),
        "5E000003": dt.datetime(2026, 10, 25, 1, 55, tzinfo=UTC),
        "5E000006": dt.datetime(2026, 10, 25, 2, 10, tzinfo=UTC),
    }
    said = []
    for order in ([old, new], [new, old]):
        target = db.with_name(f"{order[0].name}.duckdb")
        for path in order:
            ingest(target, config, path)
            said.append((path.name, "repeated hour" in capsys.readouterr().err))
        assert times(target) == right
        assert len(r4_breaches(target, config)) == 1
    # the old file alone cannot show where the first run ended (said); once the new one is
    # loaded, before or after it, its fold places the hour (nothing said)
    assert said == [("access.log.1", True), ("access.log", False), ("access.log", False), ("access.log.1", False)]


def test_files_away_from_the_hour_are_unchanged(setup, capsys):
    db, config, folder = setup
    before = write(folder, "access.log.2", [line.replace("2026-10-25", "2026-10-24") for line in OLD])
    after = write(folder, "access.log.1", [line.replace("2026-10-25", "2026-10-26") for line in NEW])
    ingest(db, config, after, before)
    assert times(db) == {
        "5E000001": dt.datetime(2026, 10, 24, 0, 10, tzinfo=UTC),  # 02:10 CEST
        "": dt.datetime(2026, 10, 24, 0, 50, tzinfo=UTC),
        "5E000002": dt.datetime(2026, 10, 26, 1, 20, tzinfo=UTC),  # 02:20 CET
        "5E000003": dt.datetime(2026, 10, 26, 1, 55, tzinfo=UTC),
    }
    assert "repeated hour" not in capsys.readouterr().err


def test_a_file_starting_in_the_second_run_alone_keeps_the_first_run_reading_and_says_so(setup, capsys):
    # the known limit: nothing in the file, and no other file, shows that its lines of the
    # hour follow the clock going back; they read as the first run (1 h early), and ingest
    # says the log cannot place them
    db, config, folder = setup
    path = write(folder, "access.log", NEW)
    ingest(db, config, path)
    assert times(db) == {"5E000002": dt.datetime(2026, 10, 25, 0, 20, tzinfo=UTC),
                         "5E000003": dt.datetime(2026, 10, 25, 0, 55, tzinfo=UTC)}
    assert (f"warning: 2 line(s) of the repeated hour 2026-10-25 02:00-02:59 (Europe/Paris) in {path}, from "
            "02:20:00 to 02:55:00, were read as its first run (UTC+02:00)") in capsys.readouterr().err


def test_two_files_whose_order_their_lines_cannot_tell_are_left_and_said(setup, capsys):
    # both wholly inside the hour, neither folding back, overlapping: either could be the
    # older (hourly rotation at 02:00 of both runs): not guessed, said with what to do
    db, config, folder = setup
    first = write(folder, "access.log.1", OLD[1:])
    second = write(folder, "access.log", NEW)
    ingest(db, config, first, second)
    assert times(db) == {**RIGHT, "5E000002": dt.datetime(2026, 10, 25, 0, 20, tzinfo=UTC),
                         "5E000003": dt.datetime(2026, 10, 25, 0, 55, tzinfo=UTC)}
    err = capsys.readouterr().err
    assert f"warning: {second} and {first} both have lines of the repeated hour" in err
    assert "cat OLDER NEWER > whole.log" in err
