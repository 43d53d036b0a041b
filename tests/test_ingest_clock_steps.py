"""A gateway restarted with another access-log-time (local <-> gmt) leaves a log in two time
zones that one log_timezone reads an hour or two off, silently: `ingest` says where the log's
clock steps at a `Log begins` (opsanalytics.ingest.cautions, queries/reports/log_clock_steps.sql),
and not at an ordinary restart, a crash or the autumn change of time."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.cli import main as cli
from opsanalytics.config import parse_contract
from opsanalytics.ingest import cautions as cautions_module
from opsanalytics.ingest import ingest_files

HERE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "restart-gmt"
CONTRACT = HERE / "contract.toml"
ADVICE = ("The lines after such a restart are probably written in another time zone (access-log-time changed "
          "between local time and gmt in kannel.conf), which log_timezone = \"Europe/Paris\" in c.toml reads "
          "hours off: the R2 window and R4 opt-out delays are judged on wrong times. Split the file at that "
          "line and load each part with the log_timezone it is written in (a contract each) into a new "
          "warehouse (a file loaded keeps its reading), and keep access-log-time the same across restarts. "
          "A step back may also be the server's clock set right (NTP), a jump forward the gateway stopped "
          "for whole hours.")
PREFIX = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ")


def _steps_said(*logs: Path, contract_text: str | None = None) -> list[str]:
    contract = parse_contract(contract_text or CONTRACT.read_text(encoding="utf-8"), "c.toml")
    con = warehouse.connect(":memory:")
    try:
        results = ingest_files(con, contract, list(logs), progress=False)
        said = cautions_module.cautions(con, contract, results, "c.toml")
    finally:
        con.close()
    return [w for w in said if w.startswith("warning: the log's clock steps")]


def _shifted(tmp_path: Path, name: str, lines: range, seconds: int, day: str | None = None) -> Path:
    """ordinary.log (a real run: restarts at lines 10, clean, and 27, after a kill -9) with the
    prefix of `lines` moved by `seconds`, and every line moved to `day` when given."""
    out = []
    for n, line in enumerate((HERE / "ordinary.log").read_text(encoding="utf-8").splitlines(keepends=True), 1):
        stamp = dt.datetime.fromisoformat(PREFIX.match(line).group(1))
        if day:
            stamp = dt.datetime.combine(dt.date.fromisoformat(day), stamp.time())
        if n in lines:
            stamp += dt.timedelta(seconds=seconds)
        out.append(PREFIX.sub(f"{stamp:%Y-%m-%d %H:%M:%S} ", line))
    path = tmp_path / name
    path.write_text("".join(out), encoding="utf-8")
    return path


def test_a_restart_into_gmt_and_back_in_a_real_log_is_said_with_its_lines():
    """Real Kannel 1.4.5 (README): run 2 with access-log-time = gmt, back to local time in run 3."""
    log = (HERE / "access.log").resolve()
    assert _steps_said(log) == [
        "warning: the log's clock steps at 2 gateway restart(s) (`Log begins`):\n"
        f"  {log} line 7: back 1 h 00 min 00 s (2026-11-26 16:53:06 on line 6, then 2026-11-26 15:53:06)\n"
        f"  {log} line 21: forward 1 h 00 min 00 s right after a clean stop (2026-11-26 15:53:16 on line 20, "
        "then 2026-11-26 16:53:16)\n" + ADVICE]


def test_the_evening_restart_that_hides_r2_and_r4_breaches_is_said():
    """The same lines in the evening: run 2 (GMT) starts 40 min of the log's clock before run 1 ended."""
    log = (HERE / "evening.log").resolve()
    assert _steps_said(log) == [
        "warning: the log's clock steps at 1 gateway restart(s) (`Log begins`):\n"
        f"  {log} line 7: back 40 min 00 s (2026-11-26 21:50:06 on line 6, then 2026-11-26 21:10:06)\n" + ADVICE]


def test_ordinary_restarts_clean_and_after_a_kill_are_not_said():
    assert _steps_said(HERE / "ordinary.log") == []


def test_the_autumn_change_across_a_restart_is_not_said():
    """Run 1 in the first 02:49 of 25 October 2026 (CEST), the restart 20 min later at the second
    02:09 (CET): the wall clock goes back 40 min, the instants the loader resolves go forward."""
    contract = parse_contract(CONTRACT.read_text(encoding="utf-8"), "c.toml")
    con = warehouse.connect(":memory:")
    try:
        ingest_files(con, contract, [HERE / "autumn.log"], progress=False)
        steps = cautions_module.clock_steps(con)
        times = con.execute("SELECT line_no, logged_at FROM log_markers WHERE line_no IN (9, 10) "
                            "ORDER BY line_no").fetchall()
    finally:
        con.close()
    assert steps == []
    assert [(n, t.astimezone(dt.timezone.utc).strftime("%H:%M:%S")) for n, t in times] == \
        [(9, "00:49:11"), (10, "01:09:13")]
    assert _steps_said(HERE / "autumn.log") == []


@pytest.mark.parametrize("lines, seconds, day, said", [
    (range(10, 38), 3600, None, "line 10: forward 1 h 00 min 02 s right after a clean stop"),  # gmt -> local
    (range(10, 38), 3600 + 8, None, "line 10: forward 1 h 00 min 10 s right after a clean stop"),
    (range(10, 38), 3600 + 9, None, None),        # a clean stop of an hour and 11 s: downtime
    (range(27, 38), 3600, None, None),            # after a kill -9: the last line is no stop time
    (range(27, 38), -3600, None, "line 27: back 59 min 45 s"),  # local -> gmt after a crash
    (range(10, 38), -7200, "2026-07-15", "line 10: back 1 h 59 min 58 s"),  # gmt in summer
    (range(10, 38), -1800 - 2, None, "line 10: back 30 min 00 s"),
    (range(10, 38), -1800 - 1, None, None),       # under half an hour: a clock set right, or unknown
])
def test_which_steps_at_a_restart_are_said(tmp_path, lines, seconds, day, said):
    log = _shifted(tmp_path, "access.log", lines, seconds, day)
    steps = _steps_said(log)
    if said is None:
        assert steps == []
    else:
        assert len(steps) == 1 and steps[0].splitlines()[1].startswith(f"  {log} {said} (")


def test_ingest_prints_it_on_stderr(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    log = (HERE / "evening.log").resolve()
    assert cli(["ingest", str(log), "--db", str(db), "--config", str(CONTRACT), "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert f"  {log} line 7: back 40 min 00 s (2026-11-26 21:50:06 on line 6, then 2026-11-26 21:10:06)" in err
