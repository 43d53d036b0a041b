"""What the report notebooks used to compute in their cells, now functions of
opsanalytics.report.insights: R2's messages per day and holidays (page 20), R4's delays
(page 30), R10's non-Orange share (page 40), R9's history beside the next forecast (page 60).
Hand-made frames whose answers can be read off them, and one log run through the queries."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from eventrows import Log, contract, new_db
from opsanalytics import facts
from opsanalytics.audits.result import AuditResult, Filters
from opsanalytics.report import charts, insights

DAY = 86400
# BASE is Wednesday 25 November 2026, 10:00 UTC = 11:00 in Paris


def test_sends_per_day_adds_up_the_hours_of_the_heatmap():
    """Each message once a day: the one of the 12h cell also left a line at 11h."""
    cells = pd.DataFrame({
        "day": [dt.date(2026, 11, 25), dt.date(2026, 11, 25), dt.date(2026, 11, 29)],
        "weekday": [3, 3, 7], "hour": [11, 12, 11], "messages": [2, 2, 5], "day_messages": [2, 1, 5],
        "holiday": [None, None, None], "day_kind": ["working", "working", "sunday"]})
    daily = insights.sends_per_day(cells)
    assert list(daily.columns) == ["day", "messages"]
    assert list(zip(daily.day, daily.messages)) == [(dt.date(2026, 11, 25), 3), (dt.date(2026, 11, 29), 5)]
    assert insights.sends_per_day(cells.iloc[:0]).empty


def test_sends_per_day_from_a_log():
    """Three marketing MTs on Wednesday 25 November (11h and 12h in Paris), two on Sunday
    29th, one transactional (not marketing: not counted), one marketing on 1 December at
    00:30 in Paris (23:30 UTC the day before: a local day)."""
    log = Log()
    log.line(0, "Sent SMS", fid="A", receiver="33612345671")
    log.line(60, "Sent SMS", fid="B", receiver="33612345672")
    log.line(3600, "Sent SMS", fid="C", receiver="33612345673")
    log.line(4 * DAY, "Sent SMS", fid="D", receiver="33612345674")
    log.line(4 * DAY + 1, "Sent SMS", fid="E", receiver="33612345675")
    log.line(4 * DAY + 2, "Sent SMS", service="otp", fid="F", receiver="33612345676")
    log.line(5 * DAY + 13.5 * 3600, "Sent SMS", fid="G", receiver="33612345677")
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    cells = insights.send_heatmap(con, contract(), Filters(dt.date(2026, 11, 1), dt.date(2026, 12, 31)))
    daily = insights.sends_per_day(cells)
    assert [(f"{d:%Y-%m-%d}", m) for d, m in zip(daily.day, daily.messages)] == [
        ("2026-11-25", 3), ("2026-11-29", 2), ("2026-12-01", 1)]
    con.close()


def _days_off(*rows):
    return pd.DataFrame(rows, columns=["day", "weekday", "name", "day_kind"])


def test_public_holidays_and_the_sundays_besides():
    christmas_week = _days_off((dt.date(2026, 12, 20), 7, None, "sunday"),
                               (dt.date(2026, 12, 25), 5, "Noël", "holiday"),
                               (dt.date(2026, 12, 27), 7, None, "sunday"))
    holidays, note = insights.public_holidays(christmas_week)
    assert list(zip(holidays.day, holidays.name)) == [(dt.date(2026, 12, 25), "Noël")]
    assert list(holidays.index) == [0]
    assert note == "Nor on the period's 2 other Sundays."
    # a holiday and no Sunday: no note; nothing at all: an empty table, no note
    holidays, note = insights.public_holidays(christmas_week.iloc[[1]])
    assert len(holidays) == 1 and note is None
    holidays, note = insights.public_holidays(_days_off())
    assert holidays.empty and note is None
    holidays, note = insights.public_holidays(christmas_week.iloc[[0]])
    assert holidays.empty and note == "Nor on the period's other Sunday."


def test_public_holidays_of_the_query():
    """non_working_days of 20-27 December 2026: Sundays 20th and 27th, Christmas."""
    con = new_db()
    Log().write(con)
    facts.build(con, contract())
    days_off = insights.non_working_days(con, contract(), Filters(dt.date(2026, 12, 20), dt.date(2026, 12, 27)))
    holidays, note = insights.public_holidays(days_off)
    assert [(f"{d:%Y-%m-%d}", w) for d, w in zip(holidays.day, holidays.weekday)] == [("2026-12-25", "Friday")]
    assert note == "Nor on the period's 2 other Sundays."
    con.close()


def test_hours_after_stop():
    rows = pd.DataFrame({"mt_id": [1, 2, 3], "seconds_after_stop": [7200, 1800, 90]})
    hours = insights.hours_after_stop(AuditResult("R4", "stop-honour", 3, rows))
    assert hours.tolist() == [2.0, 0.5, 0.025]
    none = insights.hours_after_stop(AuditResult("R4", "stop-honour", 0, rows.iloc[:0]))
    assert none.empty and none.dtype == float
    # an audit without rows at all (no columns) is no breach either; the chart says so
    assert insights.hours_after_stop(AuditResult("R4", "stop-honour", 0, pd.DataFrame())).empty
    figure = charts.histogram(none, "R4 delays", "hours after the STOP")
    assert figure.layout.annotations[0].text == "No data in the period"


def _r10(share):
    return AuditResult("R10", "dest", 0, pd.DataFrame(), details={"non_orange_share": share})


def test_non_orange_shares_in_percent_highest_first():
    share = pd.DataFrame({
        "short_code": ["36180", "36180", "36181", "36200", "36100"], "brand": ["Acme", "Club", "Acme", "Acme", "Acme"],
        "mt": [4, 10, 3, 8, 5], "non_orange": [1, 0, 2, 0, 0], "other_failed": [0, 1, 0, 0, 0],
        "delivered": [3, 9, 1, 8, 0], "without_final_status": [0, 0, 0, 0, 5],
        "non_orange_share": [0.25, 0.0, 0.666667, 0.0, 0.0]})
    table = insights.non_orange_shares(_r10(share))
    assert list(table.columns) == ["short_code", "brand", "mt", "non_orange", "other_failed", "delivered",
                                   "without_final_status", "non_orange_pct"]
    # ties (0 %) keep the audit's order: by short code and brand; no final receipt at all: no
    # share (0.00 % would read as clean), last
    assert list(zip(table.short_code, table.brand, table.non_orange_pct.fillna(-1))) == [
        ("36181", "Acme", 66.67), ("36180", "Acme", 25.0), ("36180", "Club", 0.0), ("36200", "Acme", 0.0),
        ("36100", "Acme", -1)]
    assert list(table.index) == [0, 1, 2, 3, 4]
    assert insights.non_orange_shares(_r10(share.iloc[:0])).empty
    assert insights.non_orange_shares(AuditResult("R10", "dest", 0, pd.DataFrame())).empty


def test_non_orange_headline_says_when_the_share_is_a_lower_bound():
    def r10(share, unknown, lines=80, no_final=0):
        return AuditResult("R10", "dest", 0, pd.DataFrame(), summary={
            "non_orange_share": share, "failed_error_unknown": unknown, "non_orange_errors": "GSM 1 or 11",
            "mt_lines": lines, "mt_without_final_status": no_final})

    assert insights.non_orange_headline(r10(0.0125, 0)) == ("1.25%", "Errors counted: GSM 1 or 11.")
    figure, note = insights.non_orange_headline(r10(0.0, 4))
    assert figure == "≥ 0.00%"
    assert note.startswith("Errors counted: GSM 1 or 11. 4 failed MT line(s) have no error in the log")
    assert insights.non_orange_headline(r10(None, 0, lines=0))[0] == "no MT"
    # receipts missing for some lines: a lower bound; for every line: nothing to say
    figure, note = insights.non_orange_headline(r10(0.0125, 0, no_final=30))
    assert figure == "≥ 1.25%"
    assert note.endswith("30 of 80 MT line(s) have no final delivery report (none asked, lost, or still "
                         "pending): the log cannot say whether they reached an Orange subscriber, so the share "
                         "is a lower bound; it is left empty where no line has one.")
    assert insights.non_orange_headline(r10(0.0, 0, no_final=80))[0] == "no final DLR"


def test_forecast_history_is_one_short_code_under_the_forecast_s_column_name():
    from opsanalytics.forecast import NextForecast

    months = [dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
    history = pd.DataFrame({"short_code": ["36180", "36181", "36180", "36181"],
                            "month": [months[0], months[0], months[1], months[1]],
                            "actual_segments": [1000, 50, 1200, 60], "actual_peak": [3.0, 1.0, 4.0, 1.0],
                            "busy_seconds": [10, 1, 12, 1]})
    upcoming = NextForecast("Acme", "2027H1", dt.date(2026, 11, 14), 0.8, months[1], pd.DataFrame(),
                            pd.DataFrame(), history)
    mine = insights.forecast_history(upcoming, "36180")
    assert list(zip(mine.month, mine.mt_segments)) == [(months[0], 1000), (months[1], 1200)]
    assert "actual_segments" not in mine.columns and list(mine.index) == [0, 1]
    assert insights.forecast_history(upcoming, "36999").empty
    assert "actual_segments" in upcoming.history.columns  # the forecast's own frame is left as it was


def test_r3_texts_note_explains_the_dots_of_gsm_texts():
    """A reader of the R3 texts ('R..pondez STOP') took the dots for the sender's typing."""
    def r3(*lossy):
        rows = pd.DataFrame({"text": ["R..pondez STOP", "Promo"][:len(lossy)], "text_lossy": list(lossy)})
        return AuditResult("R3", "stop-mention", len(rows), rows, summary={"exempt_services": ["otp"]})

    assert insights.r3_texts_note(r3(False, False)) == "Exempt services (informed at collection): otp."
    note = insights.r3_texts_note(r3(True, False))
    assert note.startswith("Exempt services (informed at collection): otp. Dots in a text: Kannel's access log")
    assert "(R..pondez: Répondez)" in note
    empty = AuditResult("R3", "stop-mention", 0, pd.DataFrame(), summary={"exempt_services": []})
    assert insights.r3_texts_note(empty) == "Exempt services (informed at collection): none."


def test_page_kpis_of_files_unsent_lines_and_r2():
    files = pd.DataFrame({"state": ["loaded", "skipped", "loaded"], "lines": [10, 0, 5], "events": [8, 0, 5],
                          "rejected": [1, 0, 0], "balanced": [True, True, False]})
    assert insights.file_kpis(files) == {"files loaded (all periods)": 2, "files skipped (already loaded)": 1,
                                         "lines (all periods)": 15, "events (all periods)": 13,
                                         "rejected lines (all periods)": 1, "unbalanced files": 1}
    assert insights.file_kpis(files.iloc[:0])["unbalanced files"] == 0
    not_sent = pd.DataFrame({"label": ["REJECTED Send SMS", "DISCARDED SMS"], "lines": [3, 2], "partly_sent": [1, 0]})
    assert insights.not_sent_kpis(not_sent) == {"MT lines not sent": 5, "of which part 1 reached the number": 1}

    late = pd.DataFrame({"mt_id": [1, 2], "delay_seconds": [5400, 36]})
    r2 = AuditResult("R2", "window", 4, pd.DataFrame(),
                     summary={"window": ["08:00", "22:00"], "by_reason": {"hour": 2, "sunday": 1, "holiday": 1},
                              "late_deliveries": 2},
                     details={"late_deliveries": late})
    assert insights.r2_kpis(r2) == {"window": "08:00 - 22:00", "messages outside": 4, "outside the hours": 2,
                                    "on a sunday": 1, "on a holiday": 1, "delivered late (informative)": 2}
    assert insights.late_delivery_hours(r2).tolist() == [1.5, 0.01]


def test_the_throughput_page_says_a_brand_shares_its_short_codes_rate():
    assert insights.throughput_scope_note(Filters()) is None
    note = insights.throughput_scope_note(Filters(brand="Acme"))
    assert note.startswith("Filtered on the brand Acme: the peaks below are its own segments.")


def test_reason_bars_read_in_words_and_other_columns_as_written():
    rows = pd.DataFrame({"reason": ["missing_short_code", "missing_short_code", "hour", "new_code"],
                         "brand": ["Acme", "Acme", None, "Acme"]})
    assert insights.count_by(rows, "reason").values.tolist() == [
        ["STOP without its short code", 2], ["outside the hours", 1], ["new_code", 1]]
    assert insights.count_by(rows, "brand").values.tolist() == [["Acme", 3], ["(none)", 1]]


def test_the_tier_table_puts_its_note_beside_the_short_code_and_needs_first():
    from types import SimpleNamespace

    throughput = pd.DataFrame({"short_code": ["36180", "36181"], "forecast_peak": [12.0, 30.0],
                               "needs_higher_tier": [False, True], "eur_10": [0, 0], "note": ["fits", "exceeds"]})
    table = insights.throughput_table(SimpleNamespace(throughput=throughput))
    assert list(table.columns) == ["short_code", "note", "forecast_peak", "needs_higher_tier", "eur_10"]
    assert table["short_code"].tolist() == ["36181", "36180"]


def test_invoice_by_item_stacks_each_months_amounts_in_bill_order():
    from opsanalytics.report.insights import invoice_by_item

    lines = pd.DataFrame({
        "month": ["2026-10", "2026-10", "2026-11", "2026-11", "2026-11"],
        "item": ["short_code_monthly", "mt_delivered", "mt_delivered", "mt_delivered", "oadc_option"],
        "amount_eur": [150.0, 0.09, 0.03, 0.06, 150.0],
    })
    table = invoice_by_item(lines)
    assert list(table.columns) == ["month", "mt_delivered", "short_code_setup", "short_code_monthly",
                                   "throughput_option", "oadc_option", "geo_presence_option"]
    assert table.values.tolist() == [["2026-10", 0.09, 0.0, 150.0, 0.0, 0.0, 0.0],
                                     ["2026-11", 0.09, 0.0, 0.0, 0.0, 150.0, 0.0]]
    assert invoice_by_item(lines.iloc[:0]).empty


def test_invoice_brands_sums_months_and_short_codes_and_applies_the_brand_filter():
    from opsanalytics.audits.result import Filters
    from opsanalytics.report.insights import invoice_brands

    brands = pd.DataFrame({
        "month": ["2026-10", "2026-11", "2026-11", "2026-11"],
        "short_code": ["36180", "36180", "36181", "36181"],
        "brand": ["Acme", "Acme", "Acme", None],
        "delivered_lines": [1, 2, 3, 4],
        "delivered_segments": [1, 3, 5, 7],
        "amount_eur": [0.03, 0.09, 0.15, 0.21],
        "unknown_segments": [0, 1, 0, 2],
    })
    table = invoice_brands(brands, Filters())
    assert table.values.tolist() == [["Acme", 9, 0.27, 1], ["(service not in the contract)", 7, 0.21, 2]]
    assert invoice_brands(brands, Filters(brand="Acme"))["brand"].tolist() == ["Acme"]
