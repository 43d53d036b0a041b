"""A kill -9 inside a line's write leaves it cut, and the restart appends its `Log begins` to it:
the line is rejected, but the data-quality report of restarts (queries/reports/log_restarts.sql)
still lists that restart, unclean, at the appended stamp; the line accounting is unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from opsanalytics import warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.report import insights

HERE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "restart-crash"
UTC = dt.timezone.utc


def _restarts(*logs: Path):
    contract = parse_contract((HERE / "contract.toml").read_text(encoding="utf-8"), "c.toml")
    con = warehouse.connect(":memory:")
    try:
        results = []
        for log in logs:
            results += ingest_files(con, contract, [log], progress=False)
        restarts = insights.log_restarts(con, contract, Filters())
        counts = con.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM log_markers), "
                             "(SELECT count(*) FROM rejected_lines)").fetchone()
    finally:
        con.close()
    # (a real restart 2 s after its `Log ends` is no log reopen: `reopened` false throughout)
    assert not restarts["reopened"].any()
    said = [(Path(p).name, n, t.astimezone(UTC).replace(tzinfo=None), clean)
            for p, n, t, clean in restarts[["path", "line_no", "logged_at", "clean"]].itertuples(index=False)]
    return said, counts, [(r.lines, r.events, r.markers, r.rejected) for r in results]


def test_a_restart_appended_to_a_line_cut_by_a_crash_is_an_unclean_restart():
    said, counts, loads = _restarts(HERE / "access.log")
    assert said == [("access.log", 27, dt.datetime(2026, 11, 26, 15, 49, 39), False),
                    ("access.log", 1, dt.datetime(2026, 11, 26, 15, 49, 6), True),
                    ("access.log", 10, dt.datetime(2026, 11, 26, 15, 49, 13), True)]
    assert loads == [(37, 32, 4, 1)] and counts == (32, 4, 1)


def test_the_crashed_copy_then_the_restarted_log_list_the_restart_once(tmp_path):
    """The file as the crash left it (its last line cut, no line end), loaded first; then the
    log after the restart, which continues it."""
    text = (HERE / "access.log").read_text(encoding="utf-8")
    crashed = tmp_path / "access.log.crashed"
    crashed.write_text(text[:text.index("2026-11-26 16:49:39 Log begins")], encoding="utf-8")
    said, counts, loads = _restarts(crashed, HERE / "access.log")
    assert said == [("access.log", 27, dt.datetime(2026, 11, 26, 15, 49, 39), False),
                    ("access.log.crashed", 1, dt.datetime(2026, 11, 26, 15, 49, 6), True),
                    ("access.log.crashed", 10, dt.datetime(2026, 11, 26, 15, 49, 13), True)]
    assert counts == (32, 4, 1)
