"""Breach tables say where each breach's lines are: the file's name and line numbers, and the
file's path in a table of the files cited, whatever the number of loads (a probe: with 61
hourly loads, page 01's table of files, capped at 50 rows, left out 6 of the 24 loads the
breaches cited, and the pages showed only event ids, load_id * 10^10 + line_no)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from eventrows import Log, contract, event_id, new_db
from opsanalytics import facts
from opsanalytics.audits import run
from opsanalytics.audits.result import Filters
from opsanalytics.report import insights
from opsanalytics.report.notebook import ReportContext

DAY = 86400
SUNDAY = 4 * DAY                        # 29 November 2026, 10:00 UTC = 11:00 in Paris
PERIOD = Filters(dt.date(2026, 11, 25), dt.date(2026, 11, 30))
LOADS = 61                              # an hourly ingest: more than page 01's 50 rows


def _manifest(con, load_id: int, path: str, first_line: int, lines: int, hour: int) -> None:
    con.execute(
        "INSERT INTO load_manifest (load_id, path, sha256, size_bytes, format, log_timezone, lines, events, "
        "markers, rejected, state, loaded_at, first_line) VALUES ($id, $path, 'ab', 10, 'kannel', 'UTC', "
        "$lines, $lines, 0, 0, 'loaded', TIMESTAMPTZ '2026-11-30 00:00:00+00' + to_hours($hour), $first)",
        {"id": load_id, "path": path, "lines": lines, "hour": hour, "first": first_line})


@pytest.fixture(scope="module")
def con():
    connection = new_db()
    # load 1, the rotated log: a 2-part marketing message on a Sunday (R2), lines 1 and 2
    old = Log(load_id=1)
    old.line(SUNDAY, "Sent SMS", fid="A1", text="Dimanche STOP au 36180", receiver="33612345675",
             udh="0500030A0201")
    old.line(SUNDAY, "Sent SMS", fid="A2", text=" suite", receiver="33612345675", udh="0500030A0202")
    old.write(connection)
    _manifest(connection, 1, "/var/log/kannel/access.log.1.gz", 1, 2, 0)
    # load 2, the live log's first hour: a STOP (line 1), then marketing 2 h later (line 2): R4
    live = Log(load_id=2)
    live.line(0, "Receive SMS", service="", sender="33612345671", receiver="36180", text="STOP")
    live.line(7200, "Sent SMS", fid="B", text="Promo STOP au 36180", receiver="33612345671")
    live.write(connection)
    _manifest(connection, 2, "/var/log/kannel/access.log", 1, 2, 1)
    # loads 3..61: the live log's next hours, which continue it and cite nothing
    for load_id in range(3, LOADS + 1):
        _manifest(connection, load_id, "/var/log/kannel/access.log", 120 * load_id - 357, 120, load_id)
    facts.build(connection, contract())
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def ctx(con):
    return ReportContext(con, contract(), PERIOD, pseudonymise=False, _coverage="full")


def test_the_warehouse_holds_more_loads_than_page_01_shows(con):
    assert len(insights.load_files(con, contract(), PERIOD)) == LOADS
    assert list(insights.load_files(con, contract(), PERIOD).load_id[:50]).count(1) == 0  # newest first


def test_an_r2_breach_names_its_file_and_lines_and_the_path_of_its_load(ctx):
    html = ctx.breaches_html(insights.by_severity(ctx.audit("R2")), "R2 breaches")
    # the message's two parts, consecutive lines of load 1, as one range; the line in breach (part 1)
    assert "<td>access.log.1.gz:1-2 (load 1)</td>" in html
    assert "<td>access.log.1.gz:1 (load 1)</td>" in html
    assert ">breach_<wbr>line</th>" in html and ">mt_<wbr>lines</th>" in html
    # the raw lists of ids are gone (the message's id stays: it is the key of the JSON's row)
    assert "mt_<wbr>ids" not in html and "breach_<wbr>mt_<wbr>id" not in html
    assert f"<td class='num'>{event_id(1, 1)}</td>" in html
    # the files these rows cite, with their full path as page 01 writes it, and no other
    files = html.split("Files the rows above cite")[1]
    assert "<td>/var/log/kannel/access.log.1.gz</td>" in files
    assert files.count("<tr>") == 2  # (the header and load 1)


def test_an_r4_breach_names_the_stop_line_and_the_mt_line(ctx):
    html = ctx.breaches_html(insights.by_severity(ctx.audit("R4")), "R4 breaches", rule="R4")
    assert "<td>access.log:2 (load 2)</td>" in html       # the MT (mt_lines and breach_line)
    assert "<td>access.log:1 (load 2)</td>" in html       # the STOP (stop_line)
    assert ">stop_<wbr>line</th>" in html and "stop_<wbr>mo_<wbr>id" not in html
    files = html.split("Files the rows above cite")[1]
    assert "<td>/var/log/kannel/access.log</td>" in files and files.count("<tr>") == 2


def test_lines_are_decoded_per_file_with_runs_as_ranges(con):
    """An R8 second cites every line it holds (27 in a probe): runs of lines read as ranges,
    each load apart, in load order; a row without a line (R5's no_mo) stays empty."""
    rows = pd.DataFrame({"message_id": [1, 2],
                         "mt_ids": [[event_id(61, 6964), event_id(1, 5), event_id(1, 6), event_id(1, 7),
                                     event_id(1, 9)], [event_id(2, 2)]],
                         "last_mo_id": pd.array([event_id(2, 1), None], dtype="Int64")})
    shown, files = insights.where_logged(con, rows)
    assert list(shown.columns) == ["message_id", "mt_lines", "last_mo_line"]
    assert shown.mt_lines.tolist() == ["access.log.1.gz:5-7, 9 (load 1); access.log:6964 (load 61)",
                                    "access.log:2 (load 2)"]
    assert shown.last_mo_line.tolist() == ["access.log:1 (load 2)", ""]
    assert files.load_id.tolist() == [1, 2, 61]
    assert files.path.tolist() == ["/var/log/kannel/access.log.1.gz"] + ["/var/log/kannel/access.log"] * 2
    assert (files.first_line.tolist(), files.last_line.tolist()) == ([1, 1, 6963], [2, 2, 7082])


def test_a_page_citing_loads_by_number_lists_their_files(ctx):
    """Pages 35 and 90 show the load and line of their examples: their files are listed too."""
    html = ctx.files_cited_html(pd.Series([61, 1, None, 61]))
    assert "<td>/var/log/kannel/access.log.1.gz</td>" in html and html.count("<tr>") == 3
    # line numbers as written, as line_no is (6963, not 6,963)
    assert "<td class='num'>6963</td><td class='num'>7082</td>" in html
    assert ctx.files_cited_html(pd.Series([], dtype="Int64")) == ""


def test_a_table_without_breach_shows_no_list_of_files(ctx):
    html = ctx.breaches_html(insights.by_severity(ctx.audit("R5")), "R5 breaches")
    assert "Nothing to report in this period." in html and "Files the rows above cite" not in html
