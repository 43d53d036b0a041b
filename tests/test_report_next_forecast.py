"""The forecasts page (60) forecasts the first semester that has not started by the end of
the data, whatever the report's period, and says why when there is nothing to forecast from:
a report of a past month, or of a warehouse holding only MOs, failed the whole run
(`opsanalytics report` exit 1, a traceback on the page)."""

from __future__ import annotations

import datetime as dt

from eventrows import Log, contract, new_db
from opsanalytics import facts
from opsanalytics.audits.result import Filters
from opsanalytics.report import insights

DAY = 86400


def warehouse(*lines):
    log = Log()
    for seconds, label, fields in lines:
        log.line(seconds, label, **fields)
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    return con


def test_a_report_of_an_earlier_period_forecasts_the_semester_after_the_data(monkeypatch):
    from opsanalytics.forecast import plan

    # made on the day the command would date its file (today; here after the data's end)
    monkeypatch.setattr(plan, "default_made_on", lambda: dt.date(2026, 12, 7))
    # MTs from 25 November 2026 to 4 December 2026: no complete month
    con = warehouse(*[(i * DAY, "Sent SMS", {"fid": f"M{i}", "text": "Promo STOP au 36180",
                                            "receiver": f"3361234567{i}"}) for i in range(10)])
    for period in (Filters(dt.date(2020, 1, 1), dt.date(2020, 1, 31)),
                   Filters(dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
                   Filters(dt.date(2026, 11, 25), dt.date(2026, 11, 30))):
        assert insights.next_semester(con, contract(), period) == "2027H1"
        upcoming, why_not = insights.upcoming_forecast(con, contract(), period)
        assert why_not is None and upcoming.semester == "2027H1"
        assert sorted(upcoming.figures["month"].unique()) == [dt.date(2027, m, 1) for m in range(1, 7)]
        # dated as `opsanalytics forecast` dates its file (today), whatever the report's period:
        # after every log it was learnt from (the data ends 4 December), so never 'back-dated'
        assert upcoming.made_on == dt.date(2026, 12, 7)
        assert not [n for n in upcoming.notes if "back-dated" in n]
    # a period after the data: the semester after the period
    assert insights.next_semester(con, contract(), Filters(dt.date(2027, 8, 1), dt.date(2027, 8, 31))) == "2028H1"


def test_a_warehouse_without_mt_says_why_there_is_no_forecast():
    con = warehouse((0, "Receive SMS", {"service": "", "sender": "33612345671", "receiver": "36180",
                                        "text": "STOP"}))
    upcoming, why_not = insights.upcoming_forecast(con, contract(), Filters(dt.date(2026, 11, 25),
                                                                            dt.date(2026, 11, 25)))
    assert upcoming is None
    assert why_not == ("No forecast for 2027H1: no MT data in the warehouse: there is no complete month of history "
                       "to forecast from (ingest the logs first).")


def test_a_short_code_outside_the_contract_is_said_left_out_not_dropped_silently():
    """A probe: page 60 counted and drew only the contract's codes and never named 36999,
    whose traffic `forecast` says it leaves out of the file for Orange."""
    con = warehouse(*[(i * DAY, "Sent SMS", {"fid": f"M{i}", "text": "Promo STOP au 36999", "smsc": "ora_36999",
                                            "sender": "36999", "receiver": f"3361234567{i}"}) for i in range(10)],
                    *[(i * DAY + 60, "Sent SMS", {"fid": f"N{i}", "text": "Promo STOP au 36180",
                                                  "receiver": f"3361234568{i}"}) for i in range(10)])
    upcoming, _ = insights.upcoming_forecast(con, contract(), Filters(dt.date(2026, 11, 25), dt.date(2026, 12, 4)))
    assert "36999" not in set(upcoming.figures["short_code"])
    [line] = upcoming.left_out()
    assert line.startswith("36999: run_rate; MT traffic but not in the contract: left out of the file for Orange")
    assert upcoming.only("36180").left_out() == []
    assert upcoming.only("36999").left_out() == [line]
