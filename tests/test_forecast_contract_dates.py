"""R9 next forecast against the contract's dates and declarations, on a small hand-made
warehouse (fct_mt rows only): planned campaigns outside a short code's since/until, months
held in part, codes outside the contract in the notes for Orange, codes without history,
and silences before a code's `since` (defects found by a probe of the file sent to Orange).

The history: 36180 sends 10 segments a day, 36181 20, on days 1 to 30 of October,
November and December 2026 (300 and 600 segments a month, peaks 10/s and 20/s); the
forecast of 2027H1 is mean_last_3 for both: 300 and 600 segments a month. A refused line on
31 December (not traffic) makes the data cover December whole."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import pytest

from opsanalytics.config import parse_contract
from opsanalytics.errors import ForecastFileError
from opsanalytics.forecast import next_forecast, read_adjustments

PARIS = ZoneInfo("Europe/Paris")
MADE_ON = dt.date(2026, 12, 31)
HISTORY = [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]

CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "UTC"
[[short_codes]]
code = "36180"
rate = 20
{36180}
[[short_codes]]
code = "36181"
rate = 20
{36181}
[[short_codes]]
code = "36200"
rate = 20
{36200}
"""


def contract_text(**dates: str) -> str:
    """The test contract's TOML; c36180='until = 2027-03-15' adds lines to a code."""
    text = CONTRACT
    for code in ("36180", "36181", "36200"):
        text = text.replace("{" + code + "}", dates.get(f"c{code}", ""))
    return text


def contract(**dates: str):
    return parse_contract(contract_text(**dates), "contract.toml")


def warehouse(days: dict[str, list[tuple[dt.date, int]]],
              last_day: dt.date = dt.date(2026, 12, 31)) -> duckdb.DuckDBPyConnection:
    """fct_mt with one accepted line at noon (Paris) per (day, segments) of each short code,
    and a refused one on `last_day` (the data's last day)."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE fct_mt (short_code VARCHAR, submitted_at TIMESTAMPTZ, outcome VARCHAR, segments INTEGER)")
    rows = [(code, dt.datetime.combine(day, dt.time(12), PARIS), "accepted", segments)
            for code, lines in days.items() for day, segments in lines]
    rows.append(("36180", dt.datetime.combine(last_day, dt.time(12), PARIS), "refused", 1))
    con.executemany("INSERT INTO fct_mt VALUES (?, ?, ?, ?)", rows)
    return con


def daily(segments: int, months=HISTORY, first: int = 1, last: int = 30) -> list[tuple[dt.date, int]]:
    return [(month.replace(day=d), segments) for month in months for d in range(first, last + 1)]


@pytest.fixture
def con():
    con = warehouse({"36180": daily(10), "36181": daily(20)})
    yield con
    con.close()


def _row(plan, code: str, month: str):
    rows = plan.figures[(plan.figures["short_code"] == code)
                        & (plan.figures["month"] == dt.date.fromisoformat(month + "-01"))]
    assert len(rows) == 1, (code, month)
    return rows.iloc[0]


def test_the_hand_made_history_gives_flat_forecasts(con):
    plan = next_forecast(con, contract(), "2027H1", made_on=MADE_ON)
    assert set(plan.figures["method"]) == {"mean_last_3", "no_history"}
    assert _row(plan, "36180", "2027-03")["mt_segments"] == 300 and _row(plan, "36181", "2027-02")["mt_segments"] == 600
    assert _row(plan, "36180", "2027-03")["peak_sms_per_s"] == 10


def test_a_planned_campaign_outside_the_codes_since_until_is_an_error_naming_its_row(con, tmp_path):
    """A probe: 36200 (since 2027-04-01) +5000 in February and 36181 (until 2027-03-15) +1000
    in May were dropped from the file without a word (exit 0), 6,000 of the 11,000 segments
    asked; the docs promise a planned campaign is never dropped unseen."""
    dated = contract(c36181="until = 2027-03-15", c36200="since = 2027-04-01")
    path = tmp_path / "adj.csv"
    path.write_text("short_code,month,extra_segments,peak_sms_per_s\n"
                    "36200,2027-04,5000,5\n36200,2027-02,5000,5\n36181,2027-05,1000,\n36181,2027-03,1000,\n")
    with pytest.raises(ForecastFileError) as caught:
        next_forecast(con, dated, "2027H1", read_adjustments(path, "2027H1"), MADE_ON)
    # as read_adjustments says a month outside the semester: the file, then a line per row
    assert str(caught.value) == (
        f"{path}: malformed:\n"
        "  row 3, column month: 2027-02 is outside the months the contract holds short code 36200 "
        "in (since 2027-04-01): fix the month, or the code's since/until in the contract\n"
        "  row 4, column month: 2027-05 is outside the months the contract holds short code 36181 "
        "in (until 2027-03-15): fix the month, or the code's since/until in the contract")
    # the rows inside (April for 36200, March, held in part, for 36181) are accepted
    path.write_text("short_code,month,extra_segments,peak_sms_per_s\n36200,2027-04,5000,5\n36181,2027-03,1000,\n")
    plan = next_forecast(con, dated, "2027H1", read_adjustments(path, "2027H1"), MADE_ON)
    assert int(plan.figures["adjustment_segments"].sum()) == 6000


def test_a_month_held_in_part_is_forecast_for_the_days_held(con):
    """A probe: 36181 `until = 2027-03-15` got March's whole 18,961 segments, as January and
    February; R9 would then flag the month at about -52 %. The month's segments and interval
    are scaled by the days held over the days of the month; the peak rate stays as forecast.

    36180, until 2027-03-15: 15 of March's 31 days; mean_last_3 of 300 in March (the third
    month ahead: sigma 0.15 x sqrt(3) on the log scale, z = 1.2816 at 80 %): 300 x 15/31 =
    145.16 -> 145; low expm1(log 301 - z sigma) = 214.757 x 15/31 = 103.9 -> 103; high
    418.921 x 15/31 = 202.7 -> 203. 36181, since 2027-02-10: 19 of February's 28 days,
    600 x 19/28 = 407.1 -> 407; low 456.939 x 19/28 = 310.07 -> 310; high 787.753 x 19/28 =
    534.5 -> 535."""
    plan = next_forecast(con, contract(c36180="until = 2027-03-15", c36181="since = 2027-02-10"), "2027H1",
                         made_on=MADE_ON)
    march, feb = _row(plan, "36180", "2027-03"), _row(plan, "36181", "2027-02")
    assert (march["mt_segments"], march["segments_low"], march["segments_high"]) == (145, 103, 203)
    assert (feb["mt_segments"], feb["segments_low"], feb["segments_high"]) == (407, 310, 535)
    assert (march["peak_sms_per_s"], feb["peak_sms_per_s"]) == (10, 20)  # a rate: as forecast
    # the whole months around them untouched
    assert _row(plan, "36180", "2027-02")["mt_segments"] == 300 and _row(plan, "36181", "2027-03")["mt_segments"] == 600
    assert "36180: held 15 of the 31 days of 2027-03 (until 2027-03-15 in the contract): that month's segments " \
           "and their interval are the whole month's forecast x 15/31; its peak rate is as forecast" in plan.notes
    assert "36181: held 19 of the 28 days of 2027-02 (since 2027-02-10 in the contract): that month's segments " \
           "and their interval are the whole month's forecast x 19/28; its peak rate is as forecast" in plan.notes
    assert plan.totals()["mt_segments"] == 300 * 2 + 145 + 600 * 4 + 407


def test_a_planned_campaign_in_a_month_held_in_part_is_added_whole(con, tmp_path):
    """Planned segments are what the analyst knows will be sent: added to the scaled forecast,
    not scaled themselves. 145 + 1,000."""
    path = tmp_path / "adj.csv"
    path.write_text("short_code,month,extra_segments\n36180,2027-03,1000\n")
    plan = next_forecast(con, contract(c36180="until = 2027-03-15"), "2027H1", read_adjustments(path, "2027H1"),
                         MADE_ON)
    march = _row(plan, "36180", "2027-03")
    assert (march["mt_segments"], march["adjustment_segments"]) == (1145, 1000)
    assert (march["segments_low"], march["segments_high"]) == (1103, 1203)


def _cover_notes(path) -> list[str]:
    from openpyxl import load_workbook

    rows = [row[0] for row in load_workbook(path)["Cover"].iter_rows(values_only=True)]
    return [str(r) for r in rows[rows.index("Notes") + 1:] if r] if "Notes" in rows else []


def test_a_short_code_outside_the_contract_is_in_no_note_for_orange(con, tmp_path):
    """A probe: the Cover's Notes said '36999: no MT traffic in 2 of its months ... its
    forecast is unreliable', telling Orange of traffic on a code the contract does not declare
    (an R6 matter), where the docs say none of the three files mentions it. Its notes are for
    the analyst (NextForecast.left_out(), which `forecast` prints and page 60 shows), never in
    NextForecast.notes, which the Cover carries."""
    from opsanalytics.forecast import make_forecast

    stray = [(m.replace(day=d), 10) for m in (HISTORY[0], HISTORY[2]) for d in range(1, 31)]  # November silent
    con.executemany("INSERT INTO fct_mt VALUES ('36999', ?, 'accepted', ?)",
                    [(dt.datetime.combine(day, dt.time(12), PARIS), n) for day, n in stray])
    plan, paths = make_forecast(con, contract(c36181="until = 2027-03-15"), "2027H1", tmp_path / "out",
                                made_on=MADE_ON)
    assert plan.notes and not [n for n in plan.notes if "36999" in n]
    assert ("36999: no MT traffic in 2026-11: treated as missing for the forecast (not as zero traffic); logs not "
            "loaded? Load them and forecast again; if the short code was paused, its forecast assumes it sends "
            "as before") in plan.left_out()
    assert plan.only("36999").left_out()[1:] == plan.left_out()[1:] and plan.only("36180").left_out() == []
    for kind in ("csv", "throughput"):
        assert "36999" not in paths[kind].read_text(encoding="utf-8"), kind
    notes = _cover_notes(paths["xlsx"])
    assert notes == plan.notes and not [n for n in notes if "36999" in n]


def test_the_run_rate_and_season_notes_name_no_code_outside_the_contract():
    """The same for the run-rate note (36999 opened after the last complete month) and the
    note naming the codes whose seasons a new code borrows (36998, two years, undeclared)."""
    two_years = [dt.date(2025 + i // 12, i % 12 + 1, 1) for i in range(24)]
    # the data runs to 3 January 2027; 36999 sends on 2 January only
    con = warehouse({"36180": daily(10), "36998": daily(5, two_years, last=28), "36999": [(dt.date(2027, 1, 2), 7)]},
                    last_day=dt.date(2027, 1, 3))
    plan = next_forecast(con, contract(), "2027H2", made_on=dt.date(2027, 1, 3))
    assert set(plan.figures.loc[plan.figures["short_code"] == "36180", "method"]) == {"seasonal_mean_last_3"}
    assert not [n for n in plan.notes if "36999" in n or "36998" in n], plan.notes
    assert ("36180: less than a year of history: forecast with the seasons of other short codes of the logs (two "
            "years or more), not by carrying its last months' level into the semester (a code opened in autumn "
            "would carry December into January)") in plan.notes
    assert any(n.startswith("36999: MT traffic only after the last complete month (2026-12)") for n in plan.left_out())
    con.close()


def test_a_code_without_history_is_said_a_placeholder_with_no_tier_advice(con, tmp_path):
    """A probe: 36200, in the contract without traffic, went to Orange as 0 segments and 0/s
    with no note, and stdout advised the 10/s tier, '800 EUR/month less', on no data at all."""
    plan = next_forecast(con, contract(), "2027H1", made_on=MADE_ON)
    rows = plan.figures[plan.figures["short_code"] == "36200"]
    assert set(rows["method"]) == {"no_history"} and rows["mt_segments"].sum() == 0
    assert ("36200: no MT traffic in the history ('no_history'): its 0 segments and 0/s are a placeholder, not a "
            "forecast; give its planned campaigns with --adjustments") in plan.notes
    tiers = plan.throughput.set_index("short_code")["note"]
    assert tiers["36200"] == ("no history: forecast peak 0/s is a placeholder, not a forecast; no tier advice "
                              "(give its planned campaigns with --adjustments)")
    assert tiers["36180"] == "forecast peak 10/s fits the subscribed 20/s"  # a code with history: as before
    # planned campaigns in April: the other months are still placeholders; the planned peak
    # fits the subscription, but no cheaper tier is advised on two campaigns
    path = tmp_path / "adj.csv"
    path.write_text("short_code,month,extra_segments,peak_sms_per_s\n36200,2027-04,5000,5\n36200,2027-05,3000,\n")
    plan = next_forecast(con, contract(), "2027H1", read_adjustments(path, "2027H1"), MADE_ON)
    assert ("36200: no MT traffic in the history ('no_history'): its 0 segments and 0/s in 2027-01, 2027-02, "
            "2027-03, 2027-06 are a placeholder, not a forecast; give its planned campaigns with --adjustments"
            ) in plan.notes
    assert plan.throughput.set_index("short_code").loc["36200", "note"] == (
        "forecast peak 5/s (planned campaigns only, no history) fits the subscribed 20/s")
    # a planned peak above the subscription still asks for the tier it needs
    path.write_text("short_code,month,extra_segments,peak_sms_per_s\n36200,2027-04,5000,30\n")
    plan = next_forecast(con, contract(), "2027H1", read_adjustments(path, "2027H1"), MADE_ON)
    assert plan.throughput.set_index("short_code").loc["36200", "note"].startswith(
        "forecast peak 30/s exceeds the subscribed 20/s: the 50/s tier")


def test_days_before_a_codes_since_are_not_a_silence_blamed_on_missing_logs():
    """A probe: 36181, subscribed from 12 October (since), sent nothing before it; the note
    said '2026-10 (11 days without MT traffic in a row) ... (part of the month's logs not
    loaded, or an outage?); load them and forecast again'. A silence counts only over the
    days the contract holds the code; the month, held in part, is still not learnt as a whole
    month (19 days' 380 segments would pull the forecast to 527): it is treated as missing,
    and the note gives the contract's reason. 36181's forecast: the last value of November
    and December, 600 (two months observed: last_value)."""
    late = [(day, n) for day, n in daily(20) if day >= dt.date(2026, 10, 12)]
    con = warehouse({"36180": daily(10), "36181": late})
    try:
        plan = next_forecast(con, contract(c36181="since = 2026-10-12"), "2027H1", made_on=MADE_ON)
    finally:
        con.close()
    assert not [n for n in plan.notes if "in a row" in n or "logs not loaded" in n], plan.notes
    assert ("36181: 2026-10 held in part in the contract (since 2026-10-12): treated as missing for the forecast "
            "(not a whole month of traffic)") in plan.notes
    rows = plan.figures[plan.figures["short_code"] == "36181"]
    assert set(rows["method"]) == {"last_value"} and set(rows["mt_segments"]) == {600}
    # a silence inside the days held is still one: 36181 silent from 1 to 15 November
    con = warehouse({"36180": daily(10), "36181": [(d, n) for d, n in late if not dt.date(2026, 11, 1) <= d
                                                   <= dt.date(2026, 11, 15)]})
    try:
        plan = next_forecast(con, contract(c36181="since = 2026-10-12"), "2027H1", made_on=MADE_ON)
    finally:
        con.close()
    # (usual: the median of the months wholly held, November's 15 days and December's 30)
    assert [n for n in plan.notes if "in a row" in n] == [
        "36181: 2026-11 (15 days without MT traffic in a row): it sends on 22 days of a usual month; treated as "
        "missing for the forecast (part of the month's logs not loaded, or an outage?); load them and forecast again"]


def test_a_code_without_history_held_in_part_gets_no_scaling_note(con):
    """A probe: 36200, since 2027-01-15 and no history, got 'held 17 of the 31 days of 2027-01:
    that month's segments ... are the whole month's forecast x 17/31' beside the note that its
    0 is a placeholder: there was no forecast to scale. A code with history keeps its note."""
    plan = next_forecast(con, contract(c36200="since = 2027-01-15", c36180="until = 2027-03-15"), "2027H1",
                         made_on=MADE_ON)
    held = [n for n in plan.notes if ": held " in n]
    assert held == ["36180: held 15 of the 31 days of 2027-03 (until 2027-03-15 in the contract): that month's "
                    "segments and their interval are the whole month's forecast x 15/31; its peak rate is as forecast"]
    assert any(n.startswith("36200: no MT traffic in the history ('no_history')") for n in plan.notes)


def test_forecast_load_warns_of_no_month_the_contract_does_not_hold(tmp_path):
    """A probe: loading the file the forecast command had just written, --config given, warned
    that R9 would report no_forecast for the months after a code's until, which the command
    leaves out on purpose (and R9 judges no month without traffic)."""
    from opsanalytics import warehouse as wh
    from opsanalytics.forecast import load_forecast_file

    path = tmp_path / "forecast.csv"
    path.write_text("short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
                    + "".join(f"36180,2027-0{m},300,10,20,2027H1,2026-12-31\n" for m in (1, 2, 3))
                    + "".join(f"36181,2027-0{m},600,20,20,2027H1,2026-12-31\n" for m in range(1, 7))
                    + "".join(f"36200,2027-0{m},0,0,20,2027H1,2026-12-31\n" for m in range(1, 7)), encoding="utf-8")
    db = wh.connect(tmp_path / "w.duckdb", create=True)
    try:
        loaded = load_forecast_file(db, path, contract(c36180="until = 2027-03-15"))
        again = tmp_path / "again.csv"
        again.write_text(path.read_text(encoding="utf-8").replace("2026-12-31", "2026-12-30"), encoding="utf-8")
        unchecked = load_forecast_file(wh.connect(tmp_path / "other.duckdb", create=True), again)
    finally:
        db.close()
    assert loaded.warnings == ()
    assert unchecked.warnings == ("short code 36180: no version covers 2027-04, 2027-05, 2027-06 of semester "
                                  "2027H1: R9 would report them as no_forecast once the code sends MT "
                                  "traffic there",)
