"""Chart builders: titles, axis titles with units, and what each chart draws."""

from __future__ import annotations

import pandas as pd

from opsanalytics.report import charts


def _titles(fig):
    return fig.layout.title.text, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text


def test_send_heatmap_rows_weekdays_and_holidays_with_window():
    cells = pd.DataFrame({
        "day": pd.to_datetime(["2026-11-25", "2026-11-25", "2026-11-29", "2026-12-25"]),
        "weekday": [3, 3, 7, 5], "hour": [11, 11, 23, 10], "messages": [4, 1, 2, 7],
        "day_kind": ["working", "working", "sunday", "holiday"]})
    fig = charts.send_heatmap(cells, ("08:00", "22:00"), "Sends", tz="Europe/Paris")
    heat = fig.data[0]
    assert list(heat.y) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Public holiday"]
    z = pd.DataFrame(heat.z, index=heat.y)
    assert z.loc["Wed", 11] == 5 and z.loc["Sun", 23] == 2 and z.loc["Public holiday", 10] == 7
    assert z.loc["Fri"].sum() == 0  # Christmas counted as a holiday, not as a Friday
    assert [s.x0 for s in fig.layout.shapes] == [7.5, 21.5]
    breaches = fig.data[1]  # labelled so that a handful of breaches stays visible
    assert list(zip(breaches.y, breaches.x, breaches.text)) == [("Sun", "23h", "2"), ("Public holiday", "10h", "7")]
    assert _titles(fig) == ("Sends", "local hour (Europe/Paris)", "day of the week")
    other = charts.send_heatmap(cells, ("09:00", "21:00"), "Sends", tz="America/Cayenne")  # the contract's
    assert [s.x0 for s in other.layout.shapes] == [8.5, 20.5]
    assert _titles(other)[1] == "local hour (America/Cayenne)"


def test_throughput_marks_hours_over_the_rate():
    hourly = pd.DataFrame({"short_code": ["36180"] * 3 + ["36181"],
                           "hour": pd.date_range("2026-11-25", periods=4, freq="h", tz="UTC"),
                           "peak_per_second": [4, 12, 10, 50], "seconds_over": [0, 3, 0, 9], "rate": [10, 10, 10, 20]})
    fig = charts.throughput_peaks(hourly, "36180", "Peaks")
    line, over = fig.data
    assert list(line.y) == [4, 12, 10] and list(over.y) == [12] and [tuple(c) for c in over.customdata] == [(3, "")]
    assert fig.layout.shapes[0].y0 == 10
    assert _titles(fig)[2] == "segments per second"


def test_forecast_band_colours_months_outside_tolerance():
    frame = pd.DataFrame({"month": ["2026-01", "2026-02"], "forecast_segments": [100, 100],
                          "actual_segments": [115, 130]})
    fig = charts.forecast_vs_actual(frame, "R9", 0.2)
    bars = fig.data[-1]
    assert list(bars.marker.color) == [charts.GREEN, charts.RED]
    assert list(fig.data[0].y) == [120, 120] and list(fig.data[1].y) == [80, 80]


def test_empty_data_gives_a_titled_message_not_a_blank_chart():
    fig = charts.hbar(pd.DataFrame(columns=["reason", "count"]), "reason", "count", "Rejects", "lines")
    assert fig.layout.title.text == "Rejects"
    assert fig.layout.annotations[0].text == "No data in the period"
    # a chart of breaches: no breach, in a period that may well have traffic
    fig = charts.hbar(pd.DataFrame(columns=["brand", "count"]), "brand", "count", "R3 breaches per brand",
                      "logical messages", color=charts.RED, nothing=charts.NO_BREACH)
    assert fig.layout.annotations[0].text == "No breach in the period"


def test_daily_bars_of_zeros_say_no_data():
    """A probe: a brand that sent no MT on a day its MOs came in got one 0-high bar and a
    legend entry, where every other empty chart says there is no data."""
    zeros = pd.DataFrame({"day": ["2026-10-25"], "short_code": ["36180"], "mt_messages": [0]})
    fig = charts.daily_bars(zeros, "day", "mt_messages", "short_code", "MT per day", "messages")
    assert not fig.data and fig.layout.annotations[0].text == "No data in the period"
    one = zeros.assign(mt_messages=[1])
    assert list(charts.daily_bars(one, "day", "mt_messages", "short_code", "MT per day", "messages").data[0].y) == [1]


def test_rule_trend_colours_breached_rules_red():
    summary = pd.DataFrame({"rule": ["R1", "R2"], "title": ["Frequency cap", "Send window"],
                            "violations": [3, 0], "previous": [1, 2]})
    fig = charts.rule_trend(summary, "Trend")
    assert list(fig.data[1].marker.color) == [charts.RED, charts.GREEN]
    assert list(fig.data[0].y) == [1, 2]
    assert _titles(fig)[1:] == ("rule", "violations (count the audit reports)")
    judged = summary.assign(status=["breach", "not_judged"])
    assert [(a.x, a.text) for a in charts.rule_trend(judged, "Trend").layout.annotations] == [
        ("R2 Send window", "not judged")]
    # nothing breached in either period: said, not an empty 0-1 axis
    clean = summary.assign(violations=0, previous=0)
    assert charts.rule_trend(clean, "Trend").layout.annotations[0].text == "No breach in this period or the previous one"
    # no rule judged (no traffic, a mistyped short code): not called clean (reported by a probe)
    unjudged = clean.assign(status="not_judged")
    assert charts.rule_trend(unjudged, "Trend").layout.annotations[0].text == (
        "No rule could be judged in this period: nothing was checked")


def test_distribution_marks_the_cap():
    frame = pd.DataFrame({"k": [1, 2, 3], "n": [900, 30, 2]})
    fig = charts.distribution(frame, "k", "n", None, "Pressure", "messages per day", "pairs", threshold=1,
                              threshold_label="cap")
    assert fig.layout.shapes[0].x0 == 1.5
    assert fig.layout.yaxis.type == "log"
    # a log axis is said, labelled at powers of ten only, and each bar prints its count
    # (Plotly's own ticks read '5, 2, 1000, 5, 2, 100': the tallest bar could not be read)
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickformat == ",d"
    assert _titles(fig)[1:] == ("messages per day", "pairs (log scale)")
    assert fig.data[0].texttemplate == "%{y:,}"
    flat = charts.distribution(frame.assign(n=[9, 3, 2]), "k", "n", None, "Pressure", "messages per day", "pairs")
    assert flat.layout.yaxis.type is None and _titles(flat)[2] == "pairs" and flat.data[0].texttemplate is None


def test_throughput_of_a_short_code_outside_the_contract_says_its_rate_is_assumed():
    hourly = pd.DataFrame({"short_code": ["36999"], "hour": [pd.Timestamp("2026-10-26 09:00", tz="UTC")],
                           "peak_per_second": [12], "seconds_over": [1], "rate": [10]})
    said = [a.text for a in charts.throughput_peaks(hourly, "36999", "Peaks").layout.annotations]
    assert said == ["subscribed 10 SMS/s"]
    said = [a.text for a in charts.throughput_peaks(hourly, "36999", "Peaks", declared=False).layout.annotations]
    assert said == ["10 SMS/s assumed: not in the contract"]


def test_throughput_fills_quiet_hours_over_the_period_in_local_time():
    hourly = pd.DataFrame({"short_code": ["36180"], "hour": [pd.Timestamp("2026-10-25 09:00", tz="UTC")],
                           "peak_per_second": [25], "seconds_over": [4], "rate": [20]})
    import datetime as dt

    fig = charts.throughput_peaks(hourly, "36180", "Peaks", period=(dt.date(2026, 10, 25), dt.date(2026, 10, 25)))
    line, over = fig.data
    # the autumn change of time: that local day has 25 hours, 02h twice; drawn once, so that
    # the line never runs back in time
    assert len(line.y) == 24 and list(pd.to_datetime(line.x)) == sorted(pd.to_datetime(line.x))
    assert sum(line.y) == 25 and list(over.y) == [25]
    assert pd.Timestamp(over.x[0]) == pd.Timestamp("2026-10-25 10:00")  # 09:00 UTC is 10:00 in Paris (CET)


def test_daily_bars_name_holidays_on_the_chart_over_a_month_on_hover_over_a_year():
    marked = pd.DataFrame({"day": pd.to_datetime(["2027-05-01", "2027-05-02", "2027-05-08"]),
                           "name": ["Fête du Travail", "Sunday", "Fête de la Victoire"]})
    month = pd.DataFrame({"day": pd.date_range("2027-04-20", "2027-05-19"), "n": range(30)})
    fig = charts.daily_bars(month, "day", "n", None, "Per day", "messages", marked_days=marked)
    assert len(fig.layout.shapes) == 3                                   # every day shaded, Sundays too
    assert [a.text for a in fig.layout.annotations] == ["Fête du Travail", "Fête de la Victoire"]
    assert [t.type for t in fig.data] == ["bar", "bar"] and not fig.data[0].showlegend
    # the shading is said in the legend
    assert (fig.data[1].name, fig.data[1].showlegend) == ("Sunday or public holiday (shaded)", True)
    year = pd.DataFrame({"day": pd.date_range("2026-10-15", "2027-10-14"), "n": 5})
    fig = charts.daily_bars(year, "day", "n", None, "Per day", "messages", marked_days=marked)
    assert len(fig.layout.shapes) == 3 and not fig.layout.annotations   # too close to label: on hover
    marks = fig.data[2]
    assert (marks.type, list(marks.text), marks.showlegend) == ("scatter", ["Fête du Travail", "Fête de la Victoire"], False)
    assert list(marks.y) == [5 * 1.04] * 2


def test_histogram_of_a_few_delays_never_goes_negative_and_counts_in_whole_cases():
    """One late delivery 4 s after submission: Plotly's own bins spread it over -0.4..0.4 h
    with ticks 0, 0.2, ... 1; the bins start at 0 and the counts read 0, 1."""
    fig = charts.histogram(pd.Series([4 / 3600]), "Delay", "hours")
    bars = fig.data[0]
    assert list(bars.y) == [0, 0, 1]
    assert fig.layout.xaxis.range[0] == 0 and min(x - w / 2 for x, w in zip(bars.x, bars.width)) >= 0
    assert fig.layout.yaxis.dtick == 1
    many = charts.histogram(pd.Series([0.5, 1.0, 1.5, 2.0, 2.0, 0.3] * 30), "Delay", "hours")
    counts = many.data[0]
    assert sum(counts.y) == 180 and many.layout.yaxis.tickformat == ",d"
    assert counts.x[0] - counts.width[0] / 2 == 0
    assert charts.histogram(pd.Series([], dtype=float), "Delay", "hours").layout.annotations
    quiet = charts.histogram(pd.Series([], dtype=float), "Delay", "hours", nothing="No late delivery in the period")
    assert quiet.layout.annotations[0].text == "No late delivery in the period"


def test_daily_bars_run_over_the_sundays_and_holidays_of_the_period_without_traffic():
    """A week of 25 Oct to 1 Nov 2026 whose marketing went out on 26-31 Oct only: the axis
    stopped at the bars, and the two Sundays (1 Nov, Toussaint, too) that show the window kept
    fell off the chart, their labels floating past the last bar."""
    frame = pd.DataFrame({"day": pd.date_range("2026-10-26", "2026-10-31"), "n": 4})
    marked = pd.DataFrame({"day": pd.to_datetime(["2026-10-25", "2026-11-01"]), "name": ["Sunday", "Toussaint"]})
    fig = charts.daily_bars(frame, "day", "n", None, "Per day", "messages", marked_days=marked)
    assert [pd.Timestamp(v) for v in fig.layout.xaxis.range] == [pd.Timestamp("2026-10-24 12:00"),
                                                                 pd.Timestamp("2026-11-01 12:00")]


def test_daily_bars_label_each_bar_with_its_day():
    frame = pd.DataFrame({"day": pd.to_datetime(["2026-10-19", "2026-10-20"]), "n": [3, 1]})
    fig = charts.daily_bars(frame, "day", "n", None, "Per day", "messages")
    axis = fig.layout.xaxis
    assert axis.dtick == 86_400_000 and axis.tickformat == "%a %d %b"
    assert [pd.Timestamp(v) for v in axis.range] == [pd.Timestamp("2026-10-18 12:00"), pd.Timestamp("2026-10-20 12:00")]
    assert fig.layout.yaxis.dtick == 1


def test_counts_never_get_half_ticks_and_months_are_labelled_as_months():
    stops = pd.DataFrame({"brand": ["Acme", "Fournil"], "stops": [2, 1], "followed": [1, 0]})
    assert charts.grouped_bars(stops, "brand", ["stops", "followed"], "STOP", "brand", "STOP").layout.yaxis.dtick == 1
    months = pd.DataFrame({"month": pd.to_datetime(["2026-10-01", "2026-11-01"]), "forecast_segments": [100, 100],
                           "actual_segments": [90, 130]})
    for fig in (charts.forecast_vs_actual(months, "R9", 0.2),
                charts.forecast_intervals(months, "Next", value="actual_segments")):
        assert (fig.layout.xaxis.dtick, fig.layout.xaxis.tickformat) == ("M1", "%b %Y")
    band = charts.forecast_intervals(months.assign(lower=80, upper=140), "Next", value="actual_segments", level=0.8)
    assert "80% prediction interval" in [t.name for t in band.data]


def test_throughput_draws_the_repeated_autumn_hour_once_with_the_busiest_second_of_both():
    """25 Oct 2026: 00:00 and 01:00 UTC are both 02h in Paris (CEST, then CET)."""
    hourly = pd.DataFrame({"short_code": ["36180"] * 2,
                           "hour": [pd.Timestamp("2026-10-25 00:00", tz="UTC"), pd.Timestamp("2026-10-25 01:00", tz="UTC")],
                           "peak_per_second": [30, 5], "seconds_over": [2, 1], "rate": [20, 20]})
    fig = charts.throughput_peaks(hourly, "36180", "Peaks")
    line, over = fig.data
    assert [pd.Timestamp(x) for x in line.x] == [pd.Timestamp("2026-10-25 02:00")]
    assert list(line.y) == [30] and list(over.y) == [30]
    assert [tuple(c) for c in over.customdata] == [(3, " (this hour came twice: the clock went back)")]


def test_forecasts_vs_actuals_one_chart_per_code_or_one_note():
    """With no forecast loaded page 60 drew one empty frame per short code (eight in the demo)."""
    months = pd.DataFrame({"short_code": ["36180", "36180", "36181"],
                           "month": pd.to_datetime(["2026-10-01", "2026-11-01", "2026-10-01"]),
                           "actual_segments": [100, 120, 10], "forecast_segments": [None, None, None]})
    none = charts.forecasts_vs_actuals(months, 0.2)
    assert len(none) == 1
    assert none[0].layout.title.text == "Every short code: actual MT segments against the forecast (±20%)"
    assert none[0].layout.annotations[0].text == "No submitted forecast covers this period"
    some = charts.forecasts_vs_actuals(months.assign(forecast_segments=[90.0, 100.0, None]), 0.2)
    assert [f.layout.title.text for f in some] == ["36180: actual MT segments against the forecast (±20%)",
                                                   "36181: actual MT segments against the forecast (±20%)"]


def test_log_text_on_a_chart_is_shown_as_written_never_drawn_as_markup():
    """A sender name `<a href="https://evil.example">ACME</a>` from a log became, on page 40,
    a live link labelled ACME on the R7 chart, hiding the breaching value; a brand's `<span
    style>` restyled a chart (a probe). What reaches the page is escaped: Plotly shows it as
    written. Hover templates, ours, keep their markup; the caller's figure is left alone."""
    from opsanalytics.report.notebook import figure_bundle

    sender = '<a href="https://evil.example/phish">ACME</a>'
    frame = pd.DataFrame({"oadc": [sender, "36180"], "messages": [3, 1]})
    fig = charts.hbar(frame, "oadc", "messages", "R7: OAdC values in breach", "messages")
    fig.add_annotation(x=sender, y=1, text=sender)
    shown = charts.inert_labels(fig)
    escaped = '&lt;a href="https://evil.example/phish"&gt;ACME&lt;/a&gt;'
    assert escaped in list(shown.data[0].y) and shown.layout.annotations[0].x == escaped
    assert shown.layout.annotations[0].text == escaped
    assert sender in list(fig.data[0].y)
    page = figure_bundle(fig)["text/html"]
    assert "\\u003ca href" not in page and "&lt;a href" in page   # (Plotly's JSON writes < as \\u003c)
