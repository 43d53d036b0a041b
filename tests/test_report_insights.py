"""The report tables of queries/reports/ on a hand-made log whose answers can be read off it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from eventrows import Log, contract, new_db
from opsanalytics import facts
from opsanalytics.audits import run, run_all
from opsanalytics.audits.result import AuditResult, Filters
from opsanalytics.report import insights
from opsanalytics.report.summary import (executive_summary, headline, judgement, period_coverage,
                                       previous_period, unjudged)

DAY = 86400
# BASE is Wednesday 25 November 2026, 10:00 UTC = 11:00 in Paris
SUNDAY = 4 * DAY                       # 29 November 2026
CHRISTMAS = 30 * DAY - 3600            # 25 December 2026, 09:00 UTC = 10:00 in Paris
RECEIPT = "id:{fid} sub:001 dlvrd:001 submit date:2611251000 done date:2611251001 stat:{stat} err:000 text:x"


@pytest.fixture(scope="module")
def con():
    log = Log()
    # marketing on 36180 (smsc ora_36180): two on Wednesday at 11h and 12h local
    log.line(0, "Sent SMS", fid="A", text="Promo STOP au 36180", receiver="33612345671", dlr_mask=31)
    log.line(5, "Receive DLR", fid="A", dlr_mask=1, text=RECEIPT.format(fid="A", stat="DELIVRD"))
    log.line(3600, "Sent SMS", fid="B", text="Promo 2 STOP au 36180", receiver="33612345672", dlr_mask=31)
    log.line(3605, "Receive DLR", fid="B", dlr_mask=2, text=RECEIPT.format(fid="B", stat="UNDELIV"))
    # a burst of 15 single-segment MTs in one second at 14h local: 5 over the default 10/s
    for i in range(15):
        log.line(3 * 3600 + i * 0.05, "Sent SMS", fid=f"S{i}", text="Flash STOP au 36180",
                 receiver=f"336200000{i:02d}")
    # opt-outs: two STOP and one START on Wednesday, one unread word
    log.line(4 * 3600, "Receive SMS", service="", sender="33612345671", receiver="36180", text="STOP")
    log.line(4 * 3600 + 60, "Receive SMS", service="", sender="33612345672", receiver="36180", text="stop merci")
    log.line(4 * 3600 + 120, "Receive SMS", service="", sender="33612345673", receiver="36180", text="START")
    log.line(4 * 3600 + 180, "Receive SMS", service="", sender="33612345674", receiver="36180", text="Bonjour")
    # Sunday: two marketing messages at 11h local (R2 breaches), Christmas: one at 10h
    log.line(SUNDAY, "Sent SMS", fid="C", text="Dimanche STOP au 36180", receiver="33612345675")
    log.line(SUNDAY + 1, "Sent SMS", fid="D", text="Dimanche STOP au 36180", receiver="33612345676")
    log.line(CHRISTMAS, "Sent SMS", fid="E", text="Noel STOP au 36180", receiver="33612345677")
    # a transactional message (not marketing: not in the heatmap, but in the traffic)
    log.line(CHRISTMAS + 10, "Sent SMS", service="otp", fid="F", text="Code 1234", receiver="33612345677")
    connection = new_db()
    log.write(connection)
    connection.execute(
        "INSERT INTO load_manifest "
        "(load_id, path, sha256, size_bytes, format, log_timezone, lines, events, markers, rejected, state, loaded_at) "
        "VALUES (1, '/logs/access.log', 'ab', 10, 'kannel', 'UTC', $n, $n, 0, 0, "
        "'loaded', TIMESTAMPTZ '2026-12-26 10:00:00+00')", {"n": len(log.rows)})
    connection.execute("""INSERT INTO rejected_lines VALUES
        (1, 40, 'garbage 1', 'no timestamp'), (1, 41, 'garbage 2', 'no timestamp'),
        (1, 7, 'garbage 3', 'no timestamp'), (1, 50, '2026-11-25 x', 'unknown label')""")
    connection.execute("""INSERT INTO log_markers VALUES
        (1, 1, TIMESTAMPTZ '2026-11-25 09:00:00+00', 'begins'),
        (1, 30, TIMESTAMPTZ '2026-11-26 10:00:00+00', 'ends'),
        (1, 31, TIMESTAMPTZ '2026-11-27 10:00:00+00', 'begins'),
        (1, 60, TIMESTAMPTZ '2026-11-28 10:00:00+00', 'begins')""")
    facts.build(connection, contract())
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def ctr():
    return contract()


ALL = Filters(dt.date(2026, 11, 1), dt.date(2026, 12, 31))


def test_send_heatmap_counts_marketing_by_local_hour_and_kind_of_day(con, ctr):
    cells = insights.send_heatmap(con, ctr, ALL)
    got = {(f"{r.day:%Y-%m-%d}", r.weekday, r.hour, r.day_kind): r.messages for r in cells.itertuples()}
    assert got == {
        ("2026-11-25", 3, 11, "working"): 1,
        ("2026-11-25", 3, 12, "working"): 1,
        ("2026-11-25", 3, 14, "working"): 15,
        ("2026-11-29", 7, 11, "sunday"): 2,
        ("2026-12-25", 5, 10, "holiday"): 1,
    }
    assert cells.loc[cells.day_kind == "holiday", "holiday"].str.contains("No", case=False).all()


def test_send_heatmap_shows_a_message_in_every_hour_one_of_its_lines_left(ctr):
    """Part 2 of a message at 22:00:00 after part 1 at 21:59:59 (Paris) is an R2 breach, but
    the heatmap filed the message under its first line's hour alone: the 22h cell stayed
    empty on the page that reported the breach. Now the message counts in both hours, and in
    each hour once, however many of its lines left in it."""
    log = Log()
    evening = 10 * 3600 + 59 * 60 + 59                     # 20:59:59 UTC = 21:59:59 in Paris
    for seq, at in ((1, evening), (2, evening + 1)):
        log.line(at, "Sent SMS", fid=f"P{seq}", text=f"Partie {seq} STOP au 36180", receiver="33612345671",
                 udh=f"0500034C020{seq}")
    for seq in (1, 2, 3):                                  # three parts within 21h: one message there
        log.line(3600 + seq, "Sent SMS", fid=f"Q{seq}", text=f"Partie {seq} STOP au 36180",
                 receiver="33612345672", udh=f"0500034D030{seq}")
    connection = new_db()
    log.write(connection)
    facts.build(connection, ctr)
    cells = insights.send_heatmap(connection, ctr, ALL)
    assert {(r.hour, r.messages) for r in cells.itertuples()} == {(12, 1), (21, 1), (22, 1)}
    assert insights.sends_per_day(cells)["messages"].tolist() == [2]  # the day's bar: each message once
    r2 = run(connection, ctr, "R2", ALL)
    assert r2.violations == 1 and r2.rows["local_time"].astype(str).str.endswith("22:00:00").all()


def test_filters_are_bound(con, ctr):
    none = Filters(ALL.date_from, ALL.date_to, short_code="36180' OR 1=1 --")
    assert insights.send_heatmap(con, ctr, none).empty
    wednesday = Filters(dt.date(2026, 11, 25), dt.date(2026, 11, 25))
    assert insights.send_heatmap(con, ctr, wednesday)["messages"].sum() == 17
    assert insights.send_heatmap(con, ctr, Filters(ALL.date_from, ALL.date_to, brand="Nobody")).empty


def test_daily_traffic(con, ctr):
    traffic = insights.daily_traffic(con, ctr, ALL).set_index("day")
    wed = traffic.loc[pd.Timestamp("2026-11-25")]
    assert (wed.mt_messages, wed.mt_segments, wed.mo_messages, wed.stops) == (17, 17, 4, 2)
    assert traffic.loc[pd.Timestamp("2026-12-25")].mt_messages == 2  # marketing + transactional
    assert traffic.mt_messages.sum() == 21


def test_throughput_hourly_peak_and_seconds_over(con, ctr):
    hourly = insights.throughput_hourly(con, ctr, ALL)
    busiest = hourly.sort_values("peak_per_second").iloc[-1]
    assert (busiest.short_code, busiest.peak_per_second, busiest.seconds_over, busiest.rate) == ("36180", 15, 1, 10)
    assert busiest.hour == pd.Timestamp("2026-11-25 13:00", tz="UTC")
    assert hourly.segments.sum() == 21
    assert hourly.seconds_over.sum() == run_all(con, ctr, ALL)[7].violations  # R8 counts the same seconds


def test_dlr_coverage(con, ctr):
    cov = insights.dlr_coverage(con, ctr, ALL).set_index("short_code").loc["36180"]
    assert (cov.mt_accepted, cov.delivered, cov.failed, cov.no_dlr) == (21, 1, 1, 19)
    assert cov.final_dlr_pct == pytest.approx(round(200 / 21, 2))


def test_rejects_by_reason_commonest_first_with_first_example(con, ctr):
    rejects = insights.rejects_by_reason(con, ctr, ALL)
    assert list(rejects.reason) == ["no timestamp", "unknown label"]
    first = rejects.iloc[0]
    assert (first.lines, first.files, first.example_line, first.example_raw) == (3, 1, 7, "garbage 3")


def test_log_restarts_unclean_first(con, ctr):
    restarts = insights.log_restarts(con, ctr, ALL)
    assert list(zip(restarts.line_no, restarts.clean)) == [(60, False), (1, True), (31, True)]


def test_log_gaps_are_silences_over_the_threshold(con, ctr):
    gaps = insights.log_gaps(con, ctr, ALL, gap_minutes=60 * 24)
    # the silences over a day: Wednesday -> Sunday, Sunday -> Christmas
    assert len(gaps) == 2
    assert gaps.iloc[0].gap_start == pd.Timestamp("2026-11-29 10:00:01", tz="UTC")
    assert gaps.restarts.sum() == 2 and gaps.clean_stops.sum() == 1  # markers of 26-28 Nov


def test_stop_daily_and_mo_words(con, ctr):
    stops = insights.stop_daily(con, ctr, ALL)
    assert stops[["stops", "starts"]].sum().tolist() == [2, 1]
    words = insights.mo_words(con, ctr, ALL).set_index("first_word")
    assert words.loc["BONJOUR", "keyword"] == "-"
    assert words.loc["STOP", "messages"] == 2
    # with a brand: the MOs to the short codes it sends on (36180 for Acme), none for a brand
    # that sends nowhere (they were every brand's, under a page filtered on one)
    acme = Filters(ALL.date_from, ALL.date_to, brand="Acme")
    nobody = Filters(ALL.date_from, ALL.date_to, brand="Nobody")
    assert insights.stop_daily(con, ctr, acme)[["stops", "starts"]].sum().tolist() == [2, 1]
    assert insights.stop_daily(con, ctr, nobody).empty and insights.mo_words(con, ctr, nobody).empty
    assert insights.daily_traffic(con, ctr, nobody).empty
    assert insights.daily_traffic(con, ctr, acme).mo_messages.sum() == 4


def test_non_working_days_lists_sundays_and_holidays(con, ctr):
    days = insights.non_working_days(con, ctr, Filters(dt.date(2026, 12, 20), dt.date(2026, 12, 27)))
    assert [(f"{d:%Y-%m-%d}", k) for d, k in zip(days.day, days.day_kind)] == [
        ("2026-12-20", "sunday"), ("2026-12-25", "holiday"), ("2026-12-27", "sunday")]


def test_previous_period_has_the_same_length():
    before = previous_period(Filters(dt.date(2026, 10, 15), dt.date(2026, 11, 14), "36180"))
    assert (before.date_from, before.date_to, before.short_code) == (dt.date(2026, 9, 14), dt.date(2026, 10, 14), "36180")
    with pytest.raises(ValueError):
        previous_period(Filters())


def test_a_period_of_whole_months_is_compared_with_the_months_before():
    """April was compared with 2-31 March: R9, judging whole months only, could judge
    nothing there, so a monthly report never had R9's trend. Whole months now take as many
    calendar months before; any other period the days before."""
    def before(start, end):
        p = previous_period(Filters(start, end, brand="Acme"))
        return p.date_from, p.date_to, p.brand

    assert before(dt.date(2026, 4, 1), dt.date(2026, 4, 30)) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31), "Acme")
    assert before(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "Acme")
    assert before(dt.date(2027, 1, 1), dt.date(2027, 3, 31)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31), "Acme")
    assert before(dt.date(2026, 4, 1), dt.date(2026, 4, 29)) == (dt.date(2026, 3, 3), dt.date(2026, 3, 31), "Acme")
    assert before(dt.date(2026, 4, 2), dt.date(2026, 4, 30)) == (dt.date(2026, 3, 4), dt.date(2026, 4, 1), "Acme")


def test_no_trend_for_a_rule_judged_now_but_not_in_the_previous_period(ctr, monkeypatch):
    """R9 judged this month (7 months without forecast) against a previous period in which
    it could judge no month: 'up +7' read as worse than a clean month."""
    from opsanalytics.report import summary as summary_module

    def r9(judged: int, violations: int) -> AuditResult:
        return AuditResult("R9", "forecast", violations, pd.DataFrame(),
                           summary={"months_judged": judged, "forecast_versions": 0, "months_partial": 1 - judged})

    current = Filters(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    results = {current.date_from: [r9(1, 7), AuditResult("R1", "frequency", 2, pd.DataFrame())],
               dt.date(2026, 3, 1): [r9(0, 0), AuditResult("R1", "frequency", 1, pd.DataFrame())]}
    monkeypatch.setattr(summary_module, "run_every_audit", lambda con, contract, f: results[f.date_from])
    monkeypatch.setattr(summary_module, "period_coverage", lambda con, contract, f: "full")
    table = executive_summary(None, ctr, current).table.set_index("rule")
    assert (table.loc["R9", "violations"], table.loc["R9", "status"], table.loc["R9", "trend"]) == (7, "breach", "n/a")
    assert table.loc["R1", "trend"] == "up"
    results[dt.date(2026, 3, 1)][0] = r9(1, 3)     # judged before too: a trend
    assert executive_summary(None, ctr, current).table.set_index("rule").loc["R9", "trend"] == "up"


def test_executive_summary_counts_are_the_audits(con, ctr):
    period = Filters(dt.date(2026, 11, 29), dt.date(2026, 12, 31))
    summary = executive_summary(con, ctr, period)
    expected = {r.rule: r.violations for r in run_all(con, ctr, period)}
    assert dict(zip(summary.table.rule, summary.table.violations)) == expected
    before = {r.rule: r.violations for r in run_all(con, ctr, previous_period(period))}
    assert dict(zip(summary.table.rule, summary.table.previous)) == before
    r2 = summary.table.set_index("rule").loc["R2"]
    assert (r2.violations, r2.status, r2.notebook) == (3, "breach", "20-send-windows")  # 2 Sunday + Christmas
    assert r2.change == r2.violations - r2.previous
    assert summary.to_json()["period"] == {"from": "2026-11-29", "to": "2026-12-31", "coverage": "partial"}
    r9 = summary.table.set_index("rule").loc["R9"]  # no complete month of data: nothing to judge
    assert (r9.violations, r9.status) == (0, "not_judged")
    assert summary.table.set_index("rule").loc["R5"].status == "clean"


def test_rules_that_could_not_read_texts_are_not_judged_rather_than_clean():
    """A log without texts: R3 and R4 find no breach, but the summary says they could not
    judge, and why, instead of showing them clean."""
    from opsanalytics.report.index import summary_table
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    t.send("+33612345678", paris("2026-11-10 10:00:00"), text_logged=False)
    t.receive("+33698765432", paris("2026-11-10 11:00:00"), None)
    summary = executive_summary(t.warehouse(), CONTRACT, Filters(dt.date(2026, 11, 10), dt.date(2026, 11, 10)))
    table = summary.table.set_index("rule")
    assert (table.loc["R3"].violations, table.loc["R3"].status) == (0, "not_judged")
    assert table.loc["R3"].note.startswith("R3 could not read the text of 1 marketing messages")
    assert (table.loc["R4"].violations, table.loc["R4"].status) == (0, "not_judged")
    assert table.loc["R4"].note.startswith("R4 could not read 1 MO texts")
    assert (table.loc["R2"].status, table.loc["R2"].note) == ("clean", "")
    html = summary_table(summary.to_json(), {})
    assert "<b>R3 not judged</b>: R3 could not read the text of 1 marketing messages" in html
    assert "<b>R2 not judged</b>" not in html


def test_services_not_in_contract_are_listed_with_their_traffic():
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    t.send("+33612345678", paris("2026-11-10 10:00:00"), service="ghost", segments=2)
    t.send("+33698765432", paris("2026-11-11 10:00:00"), service="ghost")
    t.send("+33698765432", paris("2026-11-11 11:00:00"), service="ghost", accepted=False)   # refused
    t.send("+33698765432", paris("2026-11-11 12:00:00"))                                    # acme: named
    con = t.warehouse()
    rows = insights.services_not_in_contract(con, CONTRACT, Filters())
    assert rows[["service", "mt_lines", "segments", "numbers"]].values.tolist() == [["ghost", 3, 3, 2]]
    assert list(rows.short_codes[0]) == ["36180"]
    assert insights.services_not_in_contract(con, CONTRACT, Filters(dt.date(2026, 11, 11))).mt_lines.tolist() == [1]
    assert insights.services_not_in_contract(con, CONTRACT, Filters(brand="Acme")).empty


def test_clock_offsets_of_the_smsc_receipts_against_the_log():
    """Receipts dated in French time agree with a log read in the right time zone; a
    connection whose receipts sit an hour away is flagged (BASE: 10:00 UTC, 11:00 in Paris)."""
    receipt = "id:{fid} sub:001 dlvrd:001 submit date:{submit} done date:{submit} stat:DELIVRD err:000 text:x"
    log = Log()
    for i in range(25):
        log.line(i, "Sent SMS", fid=f"P{i}", text="t", receiver="33612345671")
        log.line(i + 5, "Receive DLR", fid=f"P{i}", dlr_mask=1, text=receipt.format(fid=f"P{i}", submit="2611251100"))
        log.line(i, "Sent SMS", smsc="ora_36181", fid=f"U{i}", text="t", receiver="33612345672")
        log.line(i + 5, "Receive DLR", smsc="ora_36181", fid=f"U{i}", dlr_mask=1,
                 text=receipt.format(fid=f"U{i}", submit="2611251000"))
    db = new_db()
    log.write(db)
    facts.build(db, contract())
    offsets = insights.clock_offsets(db, contract(), Filters())
    assert offsets.values.tolist() == [["ora_36181", 25, -60.2, 0.0], ["ora_36180", 25, -0.2, 100.0]]
    assert insights.clock_warnings(offsets).smsc.tolist() == ["ora_36181"]
    assert insights.clock_warnings(offsets, min_receipts=26).empty     # too few to prove anything
    # an SMSC that keeps UTC, declared so: its receipts agree, the French-time ones do not
    utc = contract().model_copy(update={"receipt_timezone": "UTC"})
    assert insights.clock_offsets(db, utc, Filters()).values.tolist() == [
        ["ora_36180", 25, 59.8, 0.0], ["ora_36181", 25, -0.2, 100.0]]


def test_by_severity_orders_reasons_then_time():
    rows = pd.DataFrame({"reason": ["hour", "holiday", "sunday", "hour"],
                         "submitted_at": pd.to_datetime(["2026-01-04", "2026-01-03", "2026-01-02", "2026-01-01"])})
    ordered = insights.by_severity(AuditResult("R2", "window", 4, rows))
    assert list(ordered.reason) == ["holiday", "sunday", "hour", "hour"]
    assert ordered.submitted_at.iloc[2] == pd.Timestamp("2026-01-01")
    r1 = pd.DataFrame({"over_cap": [1, 3, 2], "messages": [2, 4, 3], "day": [1, 2, 3]})
    assert list(insights.by_severity(AuditResult("R1", "freq", 3, r1)).over_cap) == [3, 2, 1]


def test_by_severity_puts_r8_seconds_beyond_the_ack_delay_first():
    """A second a few segments over may be an acknowledgement delay (docs/audits.md R8); one
    beyond it is a proven breach: shown first, even when less over the rate."""
    r8 = pd.DataFrame({"second": pd.to_datetime(["2026-01-01 10:00:00", "2026-01-01 10:00:01",
                                                 "2026-01-01 11:00:00", "2026-01-01 12:00:00"]),
                       "over_by": [2, 2, 9, 4], "beyond_ack_delay": [True, True, False, False]})
    ordered = insights.by_severity(AuditResult("R8", "rate", 4, r8))
    assert list(ordered.over_by) == [2, 2, 9, 4]
    assert list(ordered.beyond_ack_delay) == [True, True, False, False]
    assert ordered.second.iloc[0] == pd.Timestamp("2026-01-01 10:00:00")


def test_distinct_texts_groups_breaches_by_text():
    rows = pd.DataFrame({
        "message_id": [1, 2, 3], "reason": ["wrong_number", "missing_stop", "missing_stop"],
        "brand": ["A", "A", "A"], "short_code": ["36180"] * 3, "text": ["STOP 36999", "Hi", "Hi"],
        "submitted_at": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-01"])})
    texts = insights.distinct_texts(AuditResult("R3", "stop-mention", 3, rows))
    assert list(zip(texts.reason, texts.text, texts.messages)) == [("missing_stop", "Hi", 2), ("wrong_number", "STOP 36999", 1)]


def test_tier_options_price_and_durations():
    per_code = pd.DataFrame([{"short_code": "36180", "rate": 10, "peak": 35, "busiest_day_segments": 720_000}])
    tiers = insights.tier_options(AuditResult("R8", "rate", 0, pd.DataFrame(), details={"per_short_code": per_code}),
                                  contract())
    by_rate = tiers.set_index("tier_sms_per_s")
    assert list(by_rate.index) == [10, 20, 50, 100, 150]
    assert by_rate.loc[50].cheapest_carrying_peak and by_rate.loc[50].must_request
    assert by_rate.loc[50].monthly_eur == 1600.0
    assert not by_rate.loc[20].carries_peak
    assert by_rate.loc[10].busiest_day_hours == 20.0 and not by_rate.loc[10].fits_one_window
    assert by_rate.loc[20].busiest_day_hours == 10.0 and by_rate.loc[20].fits_one_window
    # the contract's own window: 10 h at 20/s does not fit 09:00-19:00 less its 5 % headroom
    short = contract('window = ["09:00", "19:00"]')
    tiers = insights.tier_options(AuditResult("R8", "rate", 0, pd.DataFrame(), details={"per_short_code": per_code}),
                                  short).set_index("tier_sms_per_s")
    assert not tiers.loc[20].fits_one_window and tiers.loc[50].fits_one_window


def test_tier_options_invent_no_subscription_for_a_code_not_in_the_contract():
    """R8 judges a code the contract does not name at the included 10 SMS/s; the tier table
    said it subscribed 10 SMS/s: it says 'not in the contract' on every tier."""
    per_code = pd.DataFrame([{"short_code": "36180", "rate": 10, "peak": 3, "busiest_day_segments": 100},
                             {"short_code": "36999", "rate": 10, "peak": 3, "busiest_day_segments": 100}])
    tiers = insights.tier_options(AuditResult("R8", "rate", 0, pd.DataFrame(), details={"per_short_code": per_code}),
                                  contract())
    subscribed = tiers.groupby("short_code")["subscribed"].apply(list).to_dict()
    assert subscribed["36180"] == [True, False, False, False, False]
    assert subscribed["36999"] == ["not in the contract"] * 5


def test_no_trend_against_a_period_without_data(con, ctr):
    # the log starts on 25 November: the week before holds no traffic, the fortnight before part
    summary = executive_summary(con, ctr, Filters(dt.date(2026, 11, 25), dt.date(2026, 12, 1)))
    assert summary.previous_coverage == "none"
    assert set(summary.table.trend) == {"n/a"}
    assert summary.to_json()["previous"]["coverage"] == "none"
    # no count of a period without traffic (a probe: summary.json said previous 0, change +7)
    assert {(r["previous"], r["change"]) for r in summary.to_json()["rules"]} == {(None, None)}
    from opsanalytics.report.charts import rule_trend
    from opsanalytics.report.index import summary_table

    rule_trend(summary.table, "trend")   # draws with no previous counts
    table = summary_table(summary.to_json(), {})
    assert "no traffic in the previous period (for the filters)" in table and "&ndash;" in table
    later = executive_summary(con, ctr, Filters(dt.date(2026, 11, 29), dt.date(2026, 12, 25)))
    assert later.previous_coverage == "partial"  # 2-28 November: the data starts on the 25th
    trends = dict(zip(later.table.rule, later.table.trend))
    assert (trends["R2"], trends["R7"], trends["R8"], trends["R1"]) == ("up", "down", "down", "same")
    # a rule judged in neither period (R9: no complete month) has no trend, not 'same'
    assert trends["R9"] == "n/a" and set(trends.values()) - {"n/a"} == {"up", "down", "same"}


def test_no_trend_where_either_period_was_not_judged(con, ctr):
    """A period with no traffic (every rule not judged) showed green 'down' trends against
    the counts of the period before: a 0 that was never a clean bill. (The same holds the
    other way: a count against a previous period the rule could not judge, such as R9's.)"""
    empty = executive_summary(con, ctr, Filters(dt.date(2026, 12, 26), dt.date(2027, 1, 25)))
    assert empty.coverage == "none" and empty.previous_coverage != "none"
    assert set(empty.table.status) == {"not_judged"} and set(empty.table.trend) == {"n/a"}
    before = executive_summary(con, ctr, Filters(dt.date(2026, 11, 25), dt.date(2026, 12, 25)))
    r2 = before.table.set_index("rule").loc["R2"]
    assert r2.violations == 3 and empty.table.set_index("rule").loc["R2"].previous == 3
    full = period_coverage(con, ctr, Filters(dt.date(2026, 11, 26), dt.date(2026, 12, 24)))
    assert full == "full"


@pytest.mark.parametrize("filters", [
    Filters(dt.date(2030, 1, 1), dt.date(2030, 1, 31)),                         # after the data
    Filters(dt.date(2026, 11, 25), dt.date(2026, 12, 31), short_code="99999"),  # no such short code
    Filters(dt.date(2026, 11, 25), dt.date(2026, 12, 31), brand="Nope"),        # no such brand
], ids=["period", "short_code", "brand"])
def test_a_period_without_traffic_is_not_judged_rather_than_clean(con, ctr, filters):
    """0 breaches where nothing was sent is not a clean bill: every rule is amber with the
    reason, the headline says 'no traffic', and the counts stay audit all's."""
    from opsanalytics.report.index import summary_table

    summary = executive_summary(con, ctr, filters)
    assert summary.coverage == "none"
    assert dict(zip(summary.table.rule, summary.table.violations)) == {r.rule: r.violations
                                                                      for r in run_all(con, ctr, filters)}
    table = summary.table.set_index("rule")
    assert set(table.status) == {"not_judged"}
    assert table.loc["R1"].note.startswith("No MT was accepted in this period")
    if filters.short_code:
        assert "for short code 99999" in table.loc["R1"].note
    values, tones = headline(summary.to_json())
    assert "rules breached" not in values
    assert values["rules judged: no traffic in the period"] == "none"
    assert tones["rules judged: no traffic in the period"] == "ops-unjudged"
    html = summary_table(summary.to_json(), {})
    assert "id='no-traffic'" in html and "ops-status clean" not in html


def test_headline_of_a_period_with_traffic(con, ctr):
    summary = executive_summary(con, ctr, Filters(dt.date(2026, 11, 29), dt.date(2026, 12, 31)))
    values, tones = summary.headline()
    assert values["rules breached"] == f"{(summary.table.status == 'breach').sum()} / 10"
    assert tones["rules breached"] == "ops-breach"
    assert values["rule not judged"] == 1  # R9: no complete month
    assert values["violations (each rule counts in its own unit: see the table)"] == int(summary.table.violations.sum())


def _r9(months_judged=0, months_partial=0, forecast_versions=0, violations=0):
    return AuditResult("R9", "forecast", violations, pd.DataFrame(),
                       summary={"months_judged": months_judged, "months_partial": months_partial,
                                "forecast_versions": forecast_versions})


def test_r9_says_why_it_judged_nothing():
    """Not always 'no complete month': a whole month with no data, or only part of it in the
    logs, is a different reason; and a warehouse without any forecast says so too."""
    ten_days = Filters(dt.date(2026, 10, 15), dt.date(2026, 10, 24))
    november = Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    straddling = Filters(dt.date(2026, 10, 15), dt.date(2026, 12, 14))  # holds November
    assert "this period holds no complete month" in unjudged(_r9(forecast_versions=1), ten_days)
    assert "no complete month" not in unjudged(_r9(forecast_versions=1), straddling)
    none = unjudged(_r9(forecast_versions=1), november, "none")
    assert "holds no traffic in this period's months" in none and "No forecast" not in none
    assert "for short code 36180" in unjudged(_r9(forecast_versions=1), replace_code(november, "36180"))
    partial = unjudged(_r9(months_partial=1, forecast_versions=1), november)
    assert "cover only part of this period's months" in partial
    assert unjudged(_r9(), november).endswith(
        "No forecast has been loaded either (opsanalytics forecast load --db DB FILE).")
    assert judgement(_r9(months_judged=1), november) == ("clean", "")
    assert judgement(_r9(violations=2), november) == ("breach", "")
    # R9 is per short code and month, brand aside: a brand without traffic does not blank it
    assert judgement(_r9(months_judged=3), november, "none") == ("clean", "")


def replace_code(filters, code):
    from dataclasses import replace

    return replace(filters, short_code=code)


def test_stops_received_count_each_stop_once_however_many_brands_it_concerns():
    """A STOP to a short code that two brands send marketing on is one STOP received (page
    30's headline, as page 00) and one opt-out from each brand (R4's per-brand figures)."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    t.send("+33612345678", paris("2026-11-10 10:00:00"), service="acme")
    t.send("+33612345678", paris("2026-11-10 10:05:00"), service="bravo")
    t.receive("+33612345678", paris("2026-11-10 11:00:00"), "STOP", keyword="STOP")
    con = t.warehouse()
    period = Filters(dt.date(2026, 11, 10), dt.date(2026, 11, 10))
    r4 = next(r for r in run_all(con, CONTRACT, period) if r.rule == "R4")
    per_brand = insights.opt_outs_per_brand(r4)
    assert dict(zip(per_brand.brand, per_brand.opt_outs)) == {"Acme": 1, "Bravo": 1}
    assert insights.stops_received(con, CONTRACT, period) == 1
    assert int(insights.daily_traffic(con, CONTRACT, period).stops.sum()) == 1  # page 00 agrees
    assert insights.stops_received(con, CONTRACT, Filters(period.date_from, period.date_to, brand="Acme")) == 1
    assert insights.stops_received(con, CONTRACT, Filters(period.date_from, period.date_to, brand="Club")) == 0
    assert insights.stops_received(con, CONTRACT, Filters(period.date_from, period.date_to, "36200")) == 0
    assert insights.stops_received(con, CONTRACT, Filters(dt.date(2026, 11, 11), dt.date(2026, 11, 11))) == 0


def test_unmatched_dlrs_follow_the_short_code_and_brand_filters():
    """Page 01 listed every connection's unmatched DLRs under a short-code or brand filter.
    A DLR is attributed through its MT, else the contract's code of its smsc (or its 5-digit
    sender) and the brand of its service; one that cannot be is counted apart, in a note."""
    log = Log()
    log.line(0, "Sent SMS", fid="A", text="t", receiver="33612345671")
    log.line(5, "Receive DLR", fid="A", dlr_mask=1, text=RECEIPT.format(fid="A", stat="DELIVRD"))
    log.line(6, "FAILED Receive DLR", fid="X1", dlr_mask=1, text="x")                       # 36180 by its smsc
    log.line(7, "FAILED Receive DLR", smsc="ora_36999", sender="36999", fid="X2", text="x")  # 36999 by its sender
    log.line(8, "FAILED Receive DLR", smsc="ora_x", sender="ACME", fid="X3", text="x")      # no code: not attributable
    log.line(9, "FAILED Receive DLR", smsc="ora_x", sender="ACME", service="ghost", fid="X4", text="x")
    db = new_db()
    log.write(db)
    facts.build(db, contract())

    def table(**filters):
        rows, note = insights.dlr_unmatched_table(insights.dlr_unmatched(db, contract(), Filters(**filters)),
                                                  Filters(**filters))
        return {(r.smsc, r.dlr_lines, r.unmatched) for r in rows.itertuples()}, note

    assert table() == ({("ora_36180", 2, 1), ("ora_36999", 1, 1), ("ora_x", 2, 2)}, None)
    rows, note = table(short_code="36180")
    assert rows == {("ora_36180", 2, 1)}
    assert note.startswith("Not counted above: 2 DLR lines (2 linked to no MT) whose short code cannot be told")
    assert table(short_code="36999") == ({("ora_36999", 1, 1)}, note)
    rows, note = table(brand="Acme")  # service acme on every line but X4's
    assert rows == {("ora_36180", 2, 1), ("ora_36999", 1, 1), ("ora_x", 1, 1)}
    assert note.startswith("Not counted above: 1 DLR line (1 linked to no MT) whose brand cannot be told")
    assert table(brand="Nobody")[0] == set()


def test_a_table_cut_by_its_query_says_top_n_of_how_many(con, ctr):
    """pressure_top and mo_words keep the first `limit` rows: the page said '25 rows' as if
    that were all; it says 'top 2 of 3 rows'."""
    from opsanalytics.report.notebook import ReportContext

    words = insights.mo_words(con, ctr, ALL, limit=2)
    assert len(words) == 2 and words.attrs["total_rows"] == 3 and "total_rows" not in words.columns
    page = ReportContext(con, ctr, ALL, pseudonymise=False)
    assert "<p class='ops-count'>top 2 of 3 rows</p>" in page.table_html(words, "Words")
    assert "<p class='ops-count'>3 rows</p>" in page.table_html(insights.mo_words(con, ctr, ALL), "Words")
    pressure = insights.pressure_top(con, ctr, ALL, limit=1)
    assert pressure.empty and pressure.attrs["total_rows"] == 0


def test_a_clean_restart_read_across_a_live_load_and_its_continuation_stays_clean(tmp_path):
    """Nightly review: the noon load of the live log ends on `Log ends`; the night's longer
    copy continues it from the `Log begins` after: the restart is clean, as in one load."""
    from opsanalytics import warehouse
    from opsanalytics.config import parse_contract
    from opsanalytics.ingest import ingest_files

    mt = ("{t} Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [FID:F{n}] [META:?smpp_resp?] "
          "[from:36180] [to:33612345678] [flags:-1:0:-1:-1:31] [msg:5:Hello] [udh:0:]\n")
    head = mt.format(t="2026-11-04 03:49:45", n=1) + "2026-11-04 04:10:00 Log ends\n"
    whole = head + "2026-11-04 04:10:45 Log begins\n" + mt.format(t="2026-11-04 04:11:46", n=2)
    log = tmp_path / "access.log"
    ctr = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n')
    con = warehouse.connect(tmp_path / "wh.duckdb", create=True)
    for text in (head, whole):       # noon, then night
        log.write_text(text, encoding="utf-8")
        ingest_files(con, ctr, [log], progress=False)
    restarts = insights.log_restarts(con, ctr, ALL)
    assert list(zip(restarts.line_no, restarts.clean)) == [(3, True)]
    con.close()


def test_a_log_reopened_by_its_rotation_is_not_a_restart(tmp_path):
    """The daily rotation (Kannel reopens its log: `Log ends` in the old file, `Log begins`
    in the new one, in the same second) was listed among the gateway's restarts, a row a
    day. Told apart by the seconds between the two markers, in one file or across the
    rotation; a clean restart (a stop, then a start) and a crash stay restarts."""
    from opsanalytics import warehouse
    from opsanalytics.config import parse_contract
    from opsanalytics.ingest import ingest_files

    mt = ("{t} Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [FID:F{n}] [META:?smpp_resp?] "
          "[from:36180] [to:33612345678] [flags:-1:0:-1:-1:31] [msg:5:Hello] [udh:0:]\n")
    # another gateway's log, rotated the same second: its `Log ends` is not this log's
    other = tmp_path / "other" / "access.log.1"
    other.parent.mkdir()
    other.write_text("2026-11-03 06:00:00 Log begins\n2026-11-04 06:25:00 Log ends\n")
    fresh = tmp_path / "other" / "gw2.log"
    fresh.write_text("2026-11-04 06:25:00 Log begins\n" + mt.format(t="2026-11-04 09:00:00", n=4))
    ctr = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n')
    # the rotated file as logrotate names it (`.1`, or `-YYYYMMDD` with dateext), loaded
    # before or after the current one (`ingest access.log*` loads the current file first:
    # its `Log begins` and the rotated file's `Log ends` of the same second come the other way)
    for name in ("access.log.1", "access.log-20261104"):
        folder = tmp_path / name
        folder.mkdir()
        rotated = folder / name
        rotated.write_text("2026-11-03 06:25:00 Log begins\n" + mt.format(t="2026-11-03 09:00:00", n=1)
                           + "2026-11-04 06:24:59 Log ends\n")
        current = folder / "access.log"
        current.write_text("2026-11-04 06:25:00 Log begins\n" + mt.format(t="2026-11-04 09:00:00", n=2)
                           + "2026-11-04 10:00:00 Log ends\n2026-11-04 10:00:00 Log begins\n"   # SIGHUP
                           + "2026-11-04 11:00:00 Log ends\n2026-11-04 11:00:40 Log begins\n"   # stop, start
                           + mt.format(t="2026-11-04 11:01:00", n=3) + "2026-11-04 12:00:00 Log begins\n")  # crash
        for order in ([rotated, current, other, fresh], [current, rotated, fresh, other]):
            con = warehouse.connect(folder / f"wh{order[0].name}.duckdb", create=True)
            ingest_files(con, ctr, order, progress=False)
            restarts = insights.log_restarts(con, ctr, ALL)
            got = [(path.rsplit("/", 2)[1] + "/" + path.rsplit("/", 1)[1], line, clean, reopened)
                   for path, line, clean, reopened in zip(restarts.path, restarts.line_no, restarts.clean,
                                                          restarts.reopened)]
            assert got == [(f"{name}/access.log", 8, False, False),
                           ("other/access.log.1", 1, True, False),
                           (f"{name}/{name}", 1, True, False),      # the first of the logs: nothing before it
                           ("other/gw2.log", 1, True, False),       # a new log, not the other one's rotation
                           (f"{name}/access.log", 6, True, False),
                           (f"{name}/access.log", 1, True, True),
                           (f"{name}/access.log", 4, True, True)], order
            con.close()


def test_a_brand_filter_counts_the_stops_that_concern_the_brand_as_r4_does():
    """With --brand, page 00 counted every STOP to the codes the brand sends on (4) while
    page 30's headline and R4 counted 0 for a brand sending no marketing there, and page 30's
    chart drew the 4: one figure now, R4's (fct_opt_events)."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    t.send("+33612345678", paris("2026-11-10 10:00:00"), service="acme")
    t.send("+33612345679", paris("2026-11-10 10:00:00"), service="meter")   # m2m, same code
    t.receive("+33612345678", paris("2026-11-10 11:00:00"), "STOP", keyword="STOP")
    t.receive("+33612345677", paris("2026-11-10 11:05:00"), "START", keyword="START")
    t.receive("+33612345676", paris("2026-11-10 11:10:00"), "Bonjour")
    con = t.warehouse()
    period = dict(date_from=dt.date(2026, 11, 10), date_to=dt.date(2026, 11, 10))
    for brand, stops, starts in (("Acme", 1, 1), ("Meter", 0, 0), (None, 1, 1)):
        filters = Filters(**period, brand=brand)
        r4 = next(r for r in run_all(con, CONTRACT, filters) if r.rule == "R4")
        assert insights.stops_received(con, CONTRACT, filters) == stops
        assert int(insights.daily_traffic(con, CONTRACT, filters).stops.sum()) == stops
        assert insights.stop_daily(con, CONTRACT, filters)[["stops", "starts"]].sum().tolist() == [stops, starts]
        assert r4.summary["stops"] == stops
    # the MOs themselves are still those to the brand's codes
    assert int(insights.daily_traffic(con, CONTRACT, Filters(**period, brand="Meter")).mo_messages.sum()) == 3


def test_a_brand_filter_names_the_codes_whose_mos_it_counts():
    """With --brand, pages 00 and 01 counted every MO to a code the brand sends on without
    saying so: one stray Acme message on another brand's code (an R6 breach) brought that
    code's 84 MOs into Acme's 164 (a session-34 probe). The codes are now named, with the
    brand's messages on each, so a code it sent one message on shows."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    for k in range(3):
        t.send(f"+3361234560{k}", paris(f"2026-11-10 10:0{k}:00"), service="acme")
    t.send("+33612345610", paris("2026-11-10 10:30:00"), service="acme", short_code="37200")
    t.send("+33612345620", paris("2026-11-10 10:40:00"), service="meter")
    t.receive("+33612345699", paris("2026-11-10 11:00:00"), "Bonjour", short_code="37200")
    con = t.warehouse()
    period = dict(date_from=dt.date(2026, 11, 10), date_to=dt.date(2026, 11, 10))
    note = insights.brand_mo_note(con, CONTRACT, Filters(**period, brand="Acme"))
    assert "the short codes Acme sends on (36180 (3 messages), 37200 (1 message), all days)" in note
    assert int(insights.daily_traffic(con, CONTRACT, Filters(**period, brand="Acme")).mo_messages.sum()) == 1
    assert insights.brand_mo_note(con, CONTRACT, Filters(**period)) is None
    assert "sends on no short code" in insights.brand_mo_note(con, CONTRACT, Filters(**period, brand="Nobody"))


def test_traffic_kpis_count_short_codes_without_the_placeholder_of_messages_without_one():
    traffic = pd.DataFrame({
        "day": [dt.date(2026, 11, 25)] * 4,
        "short_code": ["36180", "36181", insights.NO_SHORT_CODE, "36182"],
        "mt_messages": [3, 2, 1, 0], "mt_segments": [4, 2, 1, 0], "mo_messages": [1, 0, 0, 2], "stops": [1, 0, 0, 0]})
    assert insights.traffic_kpis(traffic) == {
        "MT messages": 6, "MT segments (a resubmission counted once)": 7, "MO received": 3, "STOP received": 1,
        "short codes": 3}
    assert insights.traffic_kpis(traffic.iloc[0:0])["short codes"] == 0


def test_mt_not_sent_lists_what_the_gateway_refused_discarded_or_let_expire():
    """Page 01 said nothing of MTs that were never sent (status's mt.refused): a warehouse of
    refused MTs only read "No traffic" on every page. Real Kannel 1.4.5 log, two messages
    discarded after their part 1 reached the number (tests/fixtures/kannel-1.4.5/discarded)."""
    from pathlib import Path

    from eventrows import ingested
    from opsanalytics.config import load_contract

    fixture = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "discarded"
    ctr = load_contract(fixture / "contract-oadc.toml")
    con, _ = ingested(ctr, [fixture / "oadc.log"])
    day = Filters(dt.date(2026, 11, 27), dt.date(2026, 11, 27))
    rows = insights.mt_not_sent(con, ctr, day)
    assert rows[["label", "short_code", "brand", "lines", "partly_sent"]].values.tolist() == [
        ["DISCARDED SMS", "(none)", "Acme", 1, 0],     # refused on every attempt: never on the link
        ["DISCARDED SMS", "36180", "Acme", 1, 1]]
    assert insights.mt_not_sent(con, ctr, Filters(dt.date(2026, 11, 27), dt.date(2026, 11, 27), "36180")).lines.sum() == 1
    assert insights.mt_not_sent(con, ctr, Filters(dt.date(2026, 11, 28), dt.date(2026, 11, 28))).empty


def test_the_index_says_the_brand_filter_does_not_narrow_r9(con, ctr):
    """A --brand report counted R9's months of every short code, those the brand never uses
    included, and only the audit JSON said why: the index and page 60 say it now."""
    from opsanalytics.report.index import summary_table

    period = (dt.date(2026, 11, 25), dt.date(2026, 12, 25))
    acme = executive_summary(con, ctr, Filters(*period, brand="Acme"))
    scopes = dict(zip(acme.table.rule, acme.table.scope))
    assert scopes["R9"] == "forecasts are per short code: the brand filter does not apply to R9"
    assert {rule for rule, scope in scopes.items() if scope} == {"R9"}
    assert ("<p class='ops-note'><b>R9</b>: forecasts are per short code: the brand filter does not apply "
            "to R9</p>") in summary_table(acme.to_json(), {})
    unfiltered = executive_summary(con, ctr, Filters(*period))
    assert set(unfiltered.table.scope) == {""}
    assert "does not apply" not in summary_table(unfiltered.to_json(), {})


def test_a_period_whose_last_day_the_logs_were_read_before_the_end_of_is_partial(ctr):
    """A probe: a nightly ingest killed before its commit left the warehouse at 02:20 on the
    report's own day; its days reached the period's last one, so coverage read 'full' and
    every rule green. The logs read before the period's end cover part of it only; read
    after it (a quiet night: nothing logged after 22:30), all of it."""
    log = Log()
    log.line(0, "Sent SMS", fid="A", text="Promo STOP au 36180", receiver="33612345671")
    log.line(86400 + 3600, "Sent SMS", fid="B", text="Promo STOP au 36180", receiver="33612345672")
    db = new_db()
    log.write(db)
    facts.build(db, ctr)
    tz = ctr.timezone
    first, last = (pd.Timestamp(t).tz_convert(tz) for t in db.execute("SELECT min(logged_at), max(logged_at) FROM events").fetchone())
    period = Filters(first.date(), last.date())
    assert period_coverage(db, ctr, period) == "full"  # no load recorded: the days decide
    db.execute("INSERT INTO load_manifest (load_id, path, sha256, size_bytes, format, lines, events, markers, "
               "rejected, state, loaded_at) VALUES (1, '/var/log/kannel/access.log', 'x', 1, 'kannel', 2, 2, 0, 0, "
               "'loaded', $at)", {"at": last + pd.Timedelta(minutes=10)})
    assert period_coverage(db, ctr, period) == "partial"
    assert period_coverage(db, ctr, Filters(first.date(), first.date())) == "full"
    db.execute("UPDATE load_manifest SET loaded_at = $at",
               {"at": pd.Timestamp(last.date() + dt.timedelta(days=1)).tz_localize(tz) + pd.Timedelta(hours=2)})
    assert period_coverage(db, ctr, period) == "full"
    # logs dated after they were read (a simulated period ahead of the machine's clock): the
    # read time says nothing of them, the days decide
    db.execute("UPDATE load_manifest SET loaded_at = $at", {"at": first - pd.Timedelta(days=30)})
    assert period_coverage(db, ctr, period) == "full"
