"""R9 next forecast: from history to the file for Orange (CSV + XLSX), adjustments, tiers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from opsanalytics import pricing, warehouse
from opsanalytics.config import parse_contract
from opsanalytics.errors import ForecastFileError, UsageError
from opsanalytics.forecast import (backtest, load_forecast_file, make_forecast, monthly_history, next_forecast,
                                   read_adjustments, read_forecast_file)
from opsanalytics.simulate.history import generate_history, load_history

MADE_ON = dt.date(2026, 12, 18)


@pytest.fixture(scope="module")
def history():
    return generate_history(months=24, seed=11)


@pytest.fixture(scope="module")
def contract(history):
    return parse_contract(history.contract_toml, "history contract")


@pytest.fixture(scope="module")
def con(history, contract):
    con = warehouse.connect(":memory:")
    load_history(con, history, contract)
    yield con
    con.close()


@pytest.fixture(scope="module")
def forecast(con, contract):
    return next_forecast(con, contract, "2027H1", made_on=MADE_ON)


def _expected(history, code: str, month: dt.date) -> tuple[float, float]:
    """The noise-free level x seasonality x growth the simulator would draw that month from."""
    spec = next(c for c in history.codes if c.code == code)
    from opsanalytics.simulate.history import SEASONALITY, _sending_days
    t = (month.year - history.start.year) * 12 + month.month - history.start.month
    season, trend = SEASONALITY[month.month - 1], (1 + spec.growth) ** t
    return (spec.daily_segments * len(_sending_days(month, spec)) * season * trend, spec.peak * season * trend)


def test_history_is_complete_months_with_gaps_as_zero(con, contract, history):
    frame = monthly_history(con, contract)
    assert len(frame) == len(history.truth_months)
    assert frame.groupby("short_code")["month"].min().to_dict() == {
        "36180": dt.date(2025, 1, 1), "36181": dt.date(2025, 1, 1), "36190": dt.date(2026, 9, 1)}


def test_forecast_follows_seasonality_and_growth(forecast, history):
    figures = forecast.figures
    assert len(figures) == 3 * 6 and set(figures["semester"]) == {"2027H1"}
    assert (figures["made_on"] == MADE_ON).all()
    for code in ("36180", "36181"):
        rows = figures[figures["short_code"] == code]
        assert set(rows["method"]) == {"sarima_airline"}
        expected = np.array([_expected(history, code, m)[0] for m in rows["month"]])
        assert np.max(np.abs(rows["mt_segments"].to_numpy() / expected - 1)) < 0.15
        assert (rows["segments_low"] <= rows["mt_segments"]).all() and (rows["mt_segments"] <= rows["segments_high"]).all()


def test_new_short_code_uses_a_labelled_fallback(forecast):
    rows = forecast.figures[forecast.figures["short_code"] == "36190"]
    assert set(rows["method"]) == {"seasonal_mean_last_3"}
    # widened with the horizon, on the log scale the interval is built on (the seasons move
    # the level, hence the width in segments, up and down)
    width = (np.log1p(rows["segments_high"].astype(float)) - np.log1p(rows["segments_low"].astype(float))).to_numpy()
    assert np.all(np.diff(width) > 0)


def test_a_code_too_new_for_its_own_seasons_borrows_the_other_codes(con, contract, forecast, history):
    """36190 opened in September: the mean of its last three months (October-December)
    carried December's level into January, +46 % and +71 % in January and February against
    what came (a probe, on the simulator's truth). The seasons of the codes with two years,
    taken out of its history and put back for each month, follow the year instead; the note
    names the codes lent from."""
    rows = forecast.figures[forecast.figures["short_code"] == "36190"].reset_index(drop=True)
    expected = np.array([_expected(history, "36190", m)[0] for m in rows["month"]])
    borrowed = np.abs(rows["mt_segments"].to_numpy() / expected - 1)
    from opsanalytics.forecast.model import forecast_series
    own = monthly_history(con, contract)
    flat = forecast_series(own.loc[own["short_code"] == "36190", "actual_segments"].to_numpy(dtype=float), 6).mean
    assert borrowed.mean() < 0.5 * np.abs(flat / expected - 1).mean()
    assert rows["mt_segments"][0] < rows["mt_segments"][2]  # January under March, as the other codes' years go
    assert ("36190: less than a year of history: forecast with the seasons of 36180, 36181 (two years or more), "
            "not by carrying its last months' level into the semester (a code opened in autumn would carry "
            "December into January)") in forecast.notes


def test_months_the_contract_does_not_hold_a_short_code_get_no_row(con, history):
    """A short code given up (`until`) got its six rows all the same, and a tier request for
    it; R9 then judged the months after it against traffic it never meant to carry (found by
    a probe). The months outside `since`/`until` get no row, and a note says so."""
    toml = (history.contract_toml.replace('code = "36181"\n', 'code = "36181"\nuntil = 2027-03-31\n', 1)
            .replace('code = "36190"\n', 'code = "36190"\nsince = 2027-02-01\n', 1))
    assert toml.count("until = ") == 1 and toml.count("since = ") == 1
    contract = parse_contract(toml, "c.toml")
    plan = next_forecast(con, contract, "2027H1", made_on=MADE_ON)
    months = plan.figures.groupby("short_code")["month"].apply(lambda m: [x.month for x in m]).to_dict()
    assert months == {"36180": [1, 2, 3, 4, 5, 6], "36181": [1, 2, 3], "36190": [2, 3, 4, 5, 6]}
    assert "36181: subscribed until 2027-03-31 in the contract: no forecast for 2027-04, 2027-05, 2027-06" in plan.notes
    assert "36190: subscribed since 2027-02-01 in the contract: no forecast for 2027-01" in plan.notes
    gone = parse_contract(history.contract_toml.replace('code = "36181"\n', 'code = "36181"\nuntil = 2026-12-31\n', 1),
                          "c.toml")
    assert "36181" not in set(next_forecast(con, gone, "2027H1", made_on=MADE_ON).figures["short_code"])


def test_a_month_silent_for_weeks_is_missing_not_low_traffic(history, contract, forecast):
    """Three weeks of 36180's logs missing in March 2026 (a probe): the month was learnt as
    real, and the March 2027 forecast fell from 1,449 to 528 segments, without a word. A code
    that sends every day and falls silent for 10 days or more in a month: that month is
    treated as missing, as a month without traffic, and a note says so."""
    con = warehouse.connect(":memory:")
    try:
        load_history(con, history, contract)
        con.execute("DELETE FROM fct_mt WHERE short_code = '36180' AND submitted_at >= TIMESTAMPTZ '2026-03-05 00:00+01' "
                    "AND submitted_at < TIMESTAMPTZ '2026-03-26 00:00+01'")
        plan = next_forecast(con, contract, "2027H1", made_on=MADE_ON)
    finally:
        con.close()
    assert [n for n in plan.notes if "in a row" in n] == [
        "36180: 2026-03 (21 days without MT traffic in a row): it sends on 31 days of a usual month; treated as "
        "missing for the forecast (part of the month's logs not loaded, or an outage?); load them and forecast again"]
    march = dt.date(2027, 3, 1)
    def segments(f):
        return int(f.figures.set_index(["short_code", "month"]).loc[("36180", march), "mt_segments"])
    assert abs(segments(plan) / segments(forecast) - 1) < 0.1  # as with the whole month, not a third of it


def test_a_silence_that_comes_back_every_year_is_a_season_not_missing_logs(history, contract):
    """The same three weeks silent in March of both years: the code's own pause, kept."""
    con = warehouse.connect(":memory:")
    try:
        load_history(con, history, contract)
        for year in (2025, 2026):
            con.execute("DELETE FROM fct_mt WHERE short_code = '36180' AND submitted_at >= make_timestamptz($y, 3, 5, 0, 0, 0) "
                        "AND submitted_at < make_timestamptz($y, 3, 26, 0, 0, 0)", {"y": year})
        plan = next_forecast(con, contract, "2027H1", made_on=MADE_ON)
    finally:
        con.close()
    assert [n for n in plan.notes if "in a row" in n] == []


def test_throughput_tiers_and_costs(forecast):
    tiers = forecast.throughput.set_index("short_code")
    promo = tiers.loc["36181"]  # peaks in the 30s/s on a 20/s subscription
    assert promo["subscribed_rate"] == 20 and promo["required_rate"] == 50
    assert bool(promo["needs_higher_tier"]) and bool(promo["must_request"])
    assert promo["required_monthly_eur"] == pricing.THROUGHPUT_MONTHLY_EUR[50] == 1600
    assert "must be requested from Orange" in promo["note"]
    assert [promo[f"eur_{r}"] for r in (10, 20, 50, 100, 150)] == [0, 800, 1600, 2500, 3000]
    acme = tiers.loc["36180"]
    assert acme["required_rate"] == pricing.cheapest_tier(acme["forecast_peak"]).rate
    assert bool(acme["must_request"]) is False


def test_adjustments_add_planned_campaigns(con, contract, history, forecast, tmp_path):
    path = tmp_path / "adj.csv"
    path.write_text("short_code,month,extra_segments,peak_sms_per_s\n"
                    "36180,2027-03,5000,90\n36180,2027-03,1000,\n36199,2027-05,20000,40\n")
    with pytest.raises(ForecastFileError, match="row 4, column short_code: 36199 is not in the contract"):
        next_forecast(con, contract, "2027H1", read_adjustments(path), MADE_ON)  # its rate is unknown
    launching = parse_contract(history.contract_toml + '\n[[short_codes]]\ncode = "36199"\nrate = 50\n', "with 36199")
    adjusted = next_forecast(con, launching, "2027H1", read_adjustments(path), MADE_ON)
    before = forecast.figures.set_index(["short_code", "month"])
    after = adjusted.figures.set_index(["short_code", "month"])
    march = ("36180", dt.date(2027, 3, 1))
    assert after.loc[march, "mt_segments"] == before.loc[march, "mt_segments"] + 6000
    assert after.loc[march, "adjustment_segments"] == 6000 and after.loc[march, "peak_sms_per_s"] == 90
    assert after.loc[march, "method"].endswith("+ adjustment")
    new = after.loc[("36199", dt.date(2027, 5, 1))]  # a short code history has never seen
    assert new["mt_segments"] == 20000 and new["method"] == "no_history + adjustment"
    assert new["subscribed_rate"] == 50  # the contract's, never a default
    assert adjusted.throughput.set_index("short_code").loc["36180", "required_rate"] == 100
    path.write_text("short_code,month,extra_segments\n36180,2027-09,5000\n")
    with pytest.raises(ForecastFileError, match="adj.csv: malformed:\n  row 2, column month: 2027-09 is not in semester 2027H1"):
        make_forecast(con, contract, "2027H1", tmp_path / "out", adjustments_path=path)
    assert not (tmp_path / "out").exists()
    with pytest.raises(ForecastFileError, match="row 2, column month: 2027-09 is not in semester 2027H1"):
        next_forecast(con, contract, "2027H1", read_adjustments(path), MADE_ON)


def test_semester_must_be_ahead_of_the_data(con, contract):
    with pytest.raises(UsageError, match="2026-12, the last complete month"):
        next_forecast(con, contract, "2026H2")
    with pytest.raises(UsageError, match="expected a semester"):
        next_forecast(con, contract, "2027-1")
    later = next_forecast(con, contract, "2027H2", made_on=MADE_ON)  # 7 to 12 months ahead
    assert [m.month for m in later.figures["month"].unique()] == [7, 8, 9, 10, 11, 12]


def test_files_written_round_trip_and_workbook(con, contract, forecast, tmp_path):
    result, paths = make_forecast(con, contract, "2027H1", tmp_path / "out", made_on=MADE_ON)
    pd.testing.assert_frame_equal(result.figures, forecast.figures)
    csv, xlsx = read_forecast_file(paths["csv"]), read_forecast_file(paths["xlsx"])
    pd.testing.assert_frame_equal(csv, xlsx, check_dtype=False)
    expected = forecast.figures.sort_values(["short_code", "month"]).reset_index(drop=True)
    for column in ("short_code", "month", "mt_segments", "peak_sms_per_s", "subscribed_rate", "semester", "made_on"):
        assert csv[column].tolist() == expected[column].tolist(), column

    book = load_workbook(paths["xlsx"])
    assert book.sheetnames == ["Cover", "Forecast", "Throughput"]
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True) if row[0]}
    assert cover["Contractor"] == "Acme Messaging SAS" and cover["Semester"] == "2027H1"
    assert cover["Made on"].date() == MADE_ON
    assert cover["Total MT segments"] == int(forecast.figures["mt_segments"].sum())
    assert cover["Highest monthly peak (SMS/s)"] == forecast.figures["peak_sms_per_s"].max()
    # the sums of the monthly bounds, labelled as such (not an 80 % interval of the total)
    assert cover["Total MT segments, sum of the monthly 80% low bounds"] == int(forecast.figures["segments_low"].sum())
    assert cover["Total MT segments, sum of the monthly 80% high bounds"] == int(forecast.figures["segments_high"].sum())
    assert not [label for label in cover if "interval" in str(label)]
    sheet = book["Forecast"]
    assert sum(r[2] for r in sheet.iter_rows(min_row=2, values_only=True)) == cover["Total MT segments"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert [c.value for c in book["Throughput"][1]][:3] == ["short_code", "subscribed_rate", "forecast_peak"]

    # review defect 4: the throughput CSV writes whole numbers as integers, missing values empty
    throughput = paths["throughput"].read_text(encoding="utf-8").splitlines()
    columns = throughput[0].split(",")
    promo = dict(zip(columns, next(line for line in throughput if line.startswith("36181,")).split(",")))
    tiers = forecast.throughput.set_index("short_code").loc["36181"]
    assert promo["forecast_peak"] == f"{tiers['forecast_peak']:.0f}" and promo["eur_20"] == "800"
    assert (promo["subscribed_rate"], promo["required_rate"], promo["required_monthly_eur"]) == ("20", "50", "1600")
    assert promo["change_fee_eur"] == "150" and not [line for line in throughput if ".0," in line]
    back = pd.read_csv(paths["throughput"])
    assert back["forecast_peak"].tolist() == forecast.throughput["forecast_peak"].tolist()

    # the file sent to Orange loads back as a submitted version
    loaded = load_forecast_file(con, paths["xlsx"])
    assert loaded.state == "loaded" and loaded.rows == len(forecast.figures)


def test_backtest_through_the_warehouse(con, contract):
    scores = backtest(con, contract)
    chosen = scores[scores["method"] == "chosen"]
    assert set(chosen["metric"]) == {"segments", "peak"}
    assert chosen["beats_seasonal_naive"].all()
    # page 60's table: the same scores, on the report's short code when it has one
    from opsanalytics.audits.result import Filters
    from opsanalytics.report import insights
    pd.testing.assert_frame_equal(insights.backtest_scores(con, contract, Filters()), scores)
    code = scores["short_code"].iloc[0]
    one = insights.backtest_scores(con, contract, Filters(short_code=code))
    assert len(one) and set(one["short_code"]) == {code}


def _forecast_from_part(history, contract, keep, semester: str):
    """The history cut to the events `keep` selects (a boolean over their local time), loaded
    into a fresh warehouse: (the cut history, its next forecast)."""
    local = history.events["logged_at"].dt.tz_convert("Europe/Paris")
    short = type(history)(**{**history.__dict__, "events": history.events[keep(local)].reset_index(drop=True)})
    con = warehouse.connect(":memory:")
    try:
        load_history(con, short, contract)
        return short, next_forecast(con, contract, semester, made_on=MADE_ON)
    finally:
        con.close()


def test_less_than_a_month_of_logs_uses_the_run_rate(history, contract):
    """Logs from 5 to 24 January: no complete month; segments per day x days of each month."""
    short, result = _forecast_from_part(
        history, contract, lambda local: (local >= pd.Timestamp("2025-01-05", tz="Europe/Paris"))
        & (local < pd.Timestamp("2025-01-25", tz="Europe/Paris")), "2025H2")
    accepted = short.events[(short.events["outcome"] == "accepted") & (short.events["sender"] == "36180")]
    per_day = accepted["segments"].sum() / 20
    rows = result.figures[result.figures["short_code"] == "36180"].set_index("month")
    assert set(rows["method"]) == {"run_rate"}
    assert rows.loc[dt.date(2025, 7, 1), "mt_segments"] == round(per_day * 31)
    assert rows.loc[dt.date(2025, 9, 1), "mt_segments"] == round(per_day * 30)
    assert rows["peak_sms_per_s"].max() == history.truth_months.iloc[0]["peak"]
    assert set(result.figures[result.figures["short_code"] == "36190"]["method"]) == {"no_history"}
    assert "run rate" in result.notes[0]


def test_a_code_opened_after_the_last_complete_month_uses_its_run_rate(history, contract):
    """Logs to 4 September 2026: August is the last complete month, and 36190 opened on 1
    September. It is forecast from its run rate over those days, not as a code without
    history (a zero file that R9 would flag every month)."""
    short, result = _forecast_from_part(
        history, contract, lambda local: local < pd.Timestamp("2026-09-05", tz="Europe/Paris"), "2027H1")
    new = short.events[(short.events["outcome"] == "accepted") & (short.events["sender"] == "36190")]
    assert len(new) > 0
    rows = result.figures[result.figures["short_code"] == "36190"].set_index("month")
    assert set(rows["method"]) == {"run_rate"}
    assert rows.loc[dt.date(2027, 1, 1), "mt_segments"] == round(new["segments"].sum() / 4 * 31)
    assert set(result.figures[result.figures["short_code"] == "36180"]["method"]) != {"run_rate"}
    assert any(note.startswith("36190: MT traffic only after the last complete month (2026-08)")
               for note in result.notes)


def test_a_forecast_shown_for_one_short_code(forecast):
    """A report filtered on a short code shows that code's forecast (the file for Orange
    stays the whole contract's)."""
    one = forecast.only("36181")
    assert set(one.figures["short_code"]) == {"36181"} and set(one.throughput["short_code"]) == {"36181"}
    assert set(one.history["short_code"]) == {"36181"}
    assert one.totals()["mt_segments"] == int(forecast.figures.loc[forecast.figures.short_code == "36181",
                                                                   "mt_segments"].sum())
    assert forecast.only(None) is forecast and forecast.figures["short_code"].nunique() > 1


def _without(history, code: str, months: list[tuple[int, int]]):
    """`keep` for _forecast_from_part: every event but those of `code` in the (year, month)s
    given: a month of one short code's logs never loaded."""
    def keep(local):
        gone = pd.Series(False, index=local.index)
        for year, month in months:
            gone |= (local.dt.year == year) & (local.dt.month == month)
        return ~(gone & (history.events["sender"] == code))
    return keep


def test_a_month_of_logs_never_loaded_is_missing_not_zero(history, contract, forecast, tmp_path):
    """Review defect 1: 36180's February 2026 without traffic made its February 2027 forecast 0
    segments (peak 1/s) and pulled the other months 25 % down (log1p fit, seasonal difference)."""
    _, gap = _forecast_from_part(history, contract, _without(history, "36180", [(2026, 2)]), "2027H1")
    whole = forecast.figures.set_index(["short_code", "month"])
    cut = gap.figures.set_index(["short_code", "month"])
    for month in forecast.figures["month"].unique():
        key = ("36180", month)
        assert cut.loc[key, "mt_segments"] == pytest.approx(whole.loc[key, "mt_segments"], rel=0.35), month
        assert cut.loc[key, "peak_sms_per_s"] == pytest.approx(whole.loc[key, "peak_sms_per_s"], rel=0.35), month
    feb = ("36180", dt.date(2027, 2, 1))
    assert cut.loc[feb, "segments_high"] < 2 * whole.loc[feb, "segments_high"]  # not an interval to 13,000
    # the other short codes are untouched, and the note names the code and the month
    other = forecast.figures["short_code"] == "36181"
    assert gap.figures[other]["mt_segments"].tolist() == forecast.figures[other]["mt_segments"].tolist()
    [note] = [n for n in gap.notes if n.startswith("36180:")]
    assert "no MT traffic in 2026-02: treated as missing" in note and "logs not loaded?" in note


def test_a_missing_month_with_a_year_of_history_is_not_a_tenfold_growth(contract):
    """Review defect 1 with seasonal_naive_growth (15 months, November 2025 gone): the mean
    year-on-year log growth took log(x) - log(1), about 7, and forecast 10x the traffic."""
    short = generate_history(months=15, start=dt.date(2025, 10, 1), seed=7)
    _, whole = _forecast_from_part(short, contract, lambda local: local.notna(), "2027H1")
    _, gap = _forecast_from_part(short, contract, _without(short, "36180", [(2025, 11), (2026, 2)]), "2027H1")
    rows = {name: f.figures[f.figures["short_code"] == "36180"].set_index("month")
            for name, f in (("whole", whole), ("gap", gap))}
    assert set(rows["gap"]["method"]) == {"seasonal_naive_growth"}
    ratio = rows["gap"]["mt_segments"] / rows["whole"]["mt_segments"]
    assert ratio.between(0.65, 1.35).all(), ratio  # February 2027: from January and March 2026
    assert (rows["gap"]["peak_sms_per_s"] <= rows["whole"]["peak_sms_per_s"] + 2).all()
    assert any("36180: no MT traffic in 2025-11, 2026-02: treated as missing" in n for n in gap.notes)


def test_a_code_that_sends_now_and_then_keeps_its_zeros(history, contract):
    """Months without traffic are missing only when they are few: a short code silent in 12 of
    its 24 months sends campaigns, and forecasting it every month would be wrong the other way."""
    silent = [(2025, m) for m in range(2, 13, 2)] + [(2026, m) for m in range(2, 13, 2)]
    _, result = _forecast_from_part(history, contract, _without(history, "36180", silent), "2027H1")
    [note] = [n for n in result.notes if n.startswith("36180:")]
    assert "no MT traffic in 12 of its months" in note and "kept as zeros" in note


def test_the_missing_month_note_reaches_the_cli_and_the_workbook(history, contract, tmp_path, capsys):
    from opsanalytics.cli import main

    local = history.events["logged_at"].dt.tz_convert("Europe/Paris")
    cut = type(history)(**{**history.__dict__,
                           "events": history.events[_without(history, "36181", [(2026, 5)])(local)]})
    db = tmp_path / "gap.duckdb"
    con = warehouse.connect(str(db), create=True)
    try:
        load_history(con, cut, contract)
    finally:
        con.close()
    (tmp_path / "contract.toml").write_text(history.contract_toml, encoding="utf-8")
    assert main(["forecast", "--db", str(db), "--config", str(tmp_path / "contract.toml"), "--semester", "2027H1",
                 "--out", str(tmp_path / "out"), "--made-on", MADE_ON.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "  note: 36181: no MT traffic in 2026-05: treated as missing" in out
    cover = [row[0] for row in load_workbook(tmp_path / "out" / "forecast_2027H1.xlsx")["Cover"].iter_rows(values_only=True)]
    assert any(str(c).startswith("36181: no MT traffic in 2026-05: treated as missing") for c in cover)
    assert main(["forecast", "backtest", "--db", str(db), "--config", str(tmp_path / "contract.toml")]) == 0
    out = capsys.readouterr().out
    assert "36181: no MT traffic in 2026-05: treated as missing" in out


def test_a_removal_larger_than_the_forecast_shows_what_was_applied(con, contract, forecast, tmp_path):
    """Review defect 6: -100000 on a month forecast at ~1,500 wrote 0 segments beside
    adjustment_segments -100000; the file now says what was taken off, and a note says why."""
    path = tmp_path / "adj.csv"
    path.write_text("short_code,month,extra_segments\n36180,2027-03,-100000\n36180,2027-04,-100\n")
    adjusted = next_forecast(con, contract, "2027H1", read_adjustments(path), MADE_ON)
    before = forecast.figures.set_index(["short_code", "month"])
    after = adjusted.figures.set_index(["short_code", "month"])
    march, april = ("36180", dt.date(2027, 3, 1)), ("36180", dt.date(2027, 4, 1))
    base = int(before.loc[march, "mt_segments"])
    assert base > 1000
    assert after.loc[march, "mt_segments"] == 0 and after.loc[march, "adjustment_segments"] == -base
    assert after.loc[april, "mt_segments"] == before.loc[april, "mt_segments"] - 100
    assert after.loc[april, "adjustment_segments"] == -100
    assert f"36180 2027-03: adjustment of -100,000 segments applied as {-base:,}: the forecast ({base:,}) cannot " \
           "go below 0 segments" in adjusted.notes
    assert not [n for n in adjusted.notes if "2027-04" in n]


def test_workbook_stores_text_that_looks_like_a_formula_as_text(forecast, tmp_path):
    """A contractor or note starting with '=' must not become a formula in Orange's Excel."""
    import dataclasses

    from opsanalytics.forecast.workbook import write_workbook

    odd = dataclasses.replace(forecast, contractor='=HYPERLINK("http://x.example","Acme")',
                              notes=["=1+1 is a note"])
    book = load_workbook(write_workbook(odd, tmp_path / "odd.xlsx"))
    cells = {c.value: c.data_type for row in book["Cover"].iter_rows() for c in row if c.value is not None}
    assert cells['=HYPERLINK("http://x.example","Acme")'] == "s" and cells["=1+1 is a note"] == "s"
    assert not [c for s in book.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"]


def test_the_page_headline_labels_the_summed_bounds_for_what_they_are(forecast):
    headline = forecast.headline()
    assert headline["semester"] == "2027H1" and headline["MT segments"] == int(forecast.figures["mt_segments"].sum())
    assert headline["sum of the monthly 80% low bounds"] == int(forecast.figures["segments_low"].sum())
    assert headline["sum of the monthly 80% high bounds"] == int(forecast.figures["segments_high"].sum())
    assert not [label for label in headline if "interval" in label]


def test_the_tier_note_says_when_a_cheaper_tier_carries_even_the_high_peak():
    """A short code on 50/s whose forecast peak, high bound included, is 2/s pays 1,600 EUR a
    month for nothing: the note says which tier carries it and what it saves."""
    from opsanalytics.forecast.plan import throughput_options

    def figures(code, peak, high, rate):
        return pd.DataFrame({"short_code": [code] * 2, "month": pd.to_datetime(["2027-01-01", "2027-02-01"]),
                             "peak_sms_per_s": [peak, peak - 1], "peak_high": [high, high - 1],
                             "subscribed_rate": [rate] * 2})

    notes = throughput_options(pd.concat([figures("38500", 2, 4, 50), figures("36180", 12, 25, 20),
                                          figures("36181", 30, 40, 20)])).set_index("short_code")["note"]
    assert notes["38500"] == ("forecast peak 2/s fits the subscribed 50/s; the 10/s tier would carry even the "
                              "high peak 4/s, 1,600 EUR/month less (150 EUR change fee)")
    assert notes["36180"] == "forecast peak 12/s fits the subscribed 20/s"   # its high peak needs 50/s
    assert notes["36181"].startswith("forecast peak 30/s exceeds the subscribed 20/s: the 50/s tier")


def test_a_back_dated_or_hindsight_made_on_is_noted(con, contract):
    """`--made-on 2026-06-01` for a file learnt from logs up to December ran without a word,
    and loaded later as a genuine forecast; a date inside the semester likewise."""
    # the history runs to 31 December 2026: a file made that day is neither
    clean = next_forecast(con, contract, "2027H1", made_on=dt.date(2026, 12, 31))
    assert [n for n in clean.notes if n.startswith("made on")] == []
    early = next_forecast(con, contract, "2027H1", made_on=dt.date(2026, 6, 1))
    assert any(n.startswith("made on 2026-06-01, before the last day of the logs it was learnt from")
               for n in early.notes)
    late = next_forecast(con, contract, "2027H1", made_on=dt.date(2027, 3, 15))
    assert any(n.startswith("made on 2027-03-15, once 2027H1 has begun") for n in late.notes)


def test_a_code_sending_now_and_then_lends_no_seasons():
    """Its zero months, kept as zeros (more than a third of its months), would read on the log
    scale as seasons of their own and drag every borrowed profile down: only codes without
    such zeros lend theirs."""
    from opsanalytics.forecast.model import seasonal_profile
    from opsanalytics.forecast.plan import _profiles

    months = [dt.date(2025 + i // 12, i % 12 + 1, 1) for i in range(24)]
    season = [1.0, 0.9, 1.0, 1.0, 1.1, 1.0, 0.8, 0.6, 1.0, 1.1, 1.2, 1.6] * 2
    steady = [round(1000 * s) for s in season]
    sporadic = [0 if i % 3 else 5000 for i in range(24)]   # a campaign every third month
    history = pd.DataFrame({"short_code": ["36180"] * 24 + ["36181"] * 24, "month": months * 2,
                            "actual_segments": steady + sporadic, "actual_peak": [5] * 24 + [0 if i % 3 else 40
                                                                                               for i in range(24)]})
    profiles, lenders = _profiles(history, {})
    assert lenders == ["36180"]
    expected = seasonal_profile([(months, np.array(steady, dtype=float))])
    assert np.allclose(profiles["segments"], expected)
