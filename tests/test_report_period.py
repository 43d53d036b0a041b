"""A report's period: the days with data when no date is given (one query, shared with R9's
complete months), and one way of writing a period on every page, chart title and the index."""

from __future__ import annotations

import datetime as dt

import pytest

from eventrows import CONTRACT_TOML, Log, contract, new_db
from opsanalytics import facts, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import parse_contract
from opsanalytics.errors import WarehouseError
from opsanalytics.forecast.actuals import data_coverage
from opsanalytics.report.index import summary_table
from opsanalytics.report.notebook import ReportContext, open_report, period_label

DAY = 86400
HOUR = 3600
# eventrows.BASE is Wednesday 25 November 2026, 10:00 UTC = 11:00 in Paris


def test_period_label():
    assert period_label(dt.date(2026, 10, 15), dt.date(2026, 11, 14)) == "15 Oct 2026 to 14 Nov 2026"
    assert period_label(dt.date(2026, 11, 10), dt.date(2026, 11, 10)) == "10 Nov 2026 to 10 Nov 2026"
    assert period_label(None, None) == "all data"          # a warehouse without MT
    assert period_label(dt.date(2026, 10, 15), None) == "all data"


def test_the_page_header_and_chart_titles_say_the_period_as_period_label():
    page = ReportContext(None, contract(), Filters(dt.date(2026, 10, 15), dt.date(2026, 11, 14)))
    assert page.period == "15 Oct 2026 to 14 Nov 2026"
    assert ReportContext(None, contract(), Filters()).period == "all data"


def test_the_index_says_the_previous_period_in_the_same_words():
    summary = {"period": {"from": "2026-10-15", "to": "2026-11-14", "coverage": "full"},
               "previous": {"from": "2026-09-14", "to": "2026-10-14", "coverage": "full"},
               "rules": [], "skipped": []}
    assert "<small>14 Sep 2026 to 14 Oct 2026</small>" in summary_table(summary, {})


def _log():
    """An MT at 23:30 UTC on 24 November (00:30 on the 25th in Paris) and one at 23:30 UTC on
    30 November (00:30 on 1 December in Paris)."""
    log = Log()
    log.line(-10.5 * HOUR, "Sent SMS", fid="A", receiver="33612345671")
    log.line(5 * DAY + 13.5 * HOUR, "Sent SMS", fid="B", receiver="33612345672")
    return log


def test_data_coverage_is_the_first_and_last_local_day():
    con = new_db()
    _log().write(con)
    facts.build(con, contract())
    assert data_coverage(con, contract()) == (dt.date(2026, 11, 25), dt.date(2026, 12, 1))
    # the same instants, in a contract whose days are UTC's: the day before each
    utc = parse_contract(CONTRACT_TOML.replace('\ntimezone = "Europe/Paris"', '\ntimezone = "UTC"'))
    assert utc.timezone == "UTC"
    assert data_coverage(con, utc) == (dt.date(2026, 11, 24), dt.date(2026, 11, 30))
    con.close()


def test_data_coverage_without_mt_and_without_facts():
    con = new_db()
    with pytest.raises(WarehouseError, match="facts are not built"):
        data_coverage(con, contract())
    Log().write(con)
    facts.build(con, contract())
    assert data_coverage(con, contract()) == (None, None)
    con.close()


def _file_warehouse(tmp_path, build=True):
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT_TOML, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    con = warehouse.connect(db, create=True)
    _log().write(con)
    if build:
        facts.build(con, contract())
    con.close()
    return str(db), str(config)


def test_a_notebook_opened_without_dates_covers_the_local_days_with_data(tmp_path):
    db, config = _file_warehouse(tmp_path)
    report = open_report(db, config, pseudonymise=False)
    assert (report.filters.date_from, report.filters.date_to) == (dt.date(2026, 11, 25), dt.date(2026, 12, 1))
    assert report.period == "25 Nov 2026 to 01 Dec 2026"
    report.close()


def test_a_notebook_opened_before_the_facts_are_built_says_so_and_lets_go_of_the_file(tmp_path):
    db, config = _file_warehouse(tmp_path, build=False)
    with pytest.raises(WarehouseError, match="run `opsanalytics ingest` first"):
        open_report(db, config, pseudonymise=False)
    warehouse.connect(db).close()  # not held: a loader may write to it
