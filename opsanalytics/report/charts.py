"""Plotly figures of the reports: every one with a title, axis titles and units.

Builders take the DataFrames of `insights` and the audits and return a `go.Figure`, so a
test can check what a chart says without a browser, and notebooks stay one line per chart.
"""

from __future__ import annotations

import datetime as dt
import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

#: status colours shared with the index and tables
RED = "#c62828"
GREEN = "#2e7d32"
AMBER = "#ef6c00"
BLUE = "#1565c0"
GREY = "#9e9e9e"

STATUS_COLOURS = {"flagged": RED, "no_forecast": AMBER, "partial": GREY, "ok": GREEN}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOLIDAY_ROW = "Public holiday"


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, *, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        height=height,
        # r: room for the last label of a day axis (rotated, it runs past the plot; Plotly drops it)
        margin={"l": 70, "r": 70, "t": 70, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
    )
    return fig


#: the figure keys whose strings Plotly draws as its subset of HTML (`<a href>`, `<span
#: style>`, `<br>`): in traces their values, in the layout its texts, category orders and the
#: positions of annotations on a category axis
_DRAWN_TRACE_KEYS = {"x", "y", "text", "hovertext", "customdata", "name", "labels", "ids", "parents"}
_DRAWN_LAYOUT_KEYS = {"text", "ticktext", "tickvals", "categoryarray", "x", "y"}


def inert_labels(fig: go.Figure) -> go.Figure:
    """A copy of `fig` whose strings Plotly would draw as markup are escaped, so that it shows
    them as written: a sender name `<a href="https://...">ACME</a>` from a log became a live
    link labelled ACME on a chart (a probe). The charts write no markup of their own in those
    places; hover templates (ours, with `<extra>`) are left as they are."""
    spec = fig.to_dict()
    data = [_escaped(trace, _DRAWN_TRACE_KEYS) for trace in spec.get("data", [])]
    layout = _escaped(spec.get("layout", {}), _DRAWN_LAYOUT_KEYS)
    return go.Figure({"data": data, "layout": layout})


def _escaped(value, keys: set[str], drawn: bool = False):
    """`value` with the strings under `keys` (at any depth) HTML-escaped."""
    if isinstance(value, str):
        return html.escape(value, quote=False) if drawn else value
    if isinstance(value, dict):
        return {k: _escaped(v, keys, drawn or k in keys) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped(v, keys, drawn) for v in value]
    if isinstance(value, np.ndarray) and value.dtype == object:
        return [_escaped(v, keys, drawn) for v in value.tolist()]
    return value


#: what an empty chart says: no data at all, or data without a breach in it
NO_DATA = "No data in the period"
NO_BREACH = "No breach in the period"
NO_FORECAST = "No submitted forecast covers this period"


def empty(title: str, message: str = NO_DATA) -> go.Figure:
    """A titled figure that says there is nothing to show (instead of a blank chart)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 16, "color": GREY},
                       xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(title={"text": title, "x": 0.01}, template="plotly_white", height=240)
    return fig


def send_heatmap(cells: pd.DataFrame, window: tuple[str, str], title: str, *, tz: str | None = None) -> go.Figure:
    """Marketing sends by local hour (x) and weekday (y), public holidays as their own row.

    `cells` has day, weekday (ISO 1-7), hour, messages, day_kind (working/sunday/holiday):
    the rows of queries/reports/send_heatmap.sql. The window [start, end) is outlined; `tz`:
    the contract's zone, named on the hour axis (pages pass report.tz).
    """
    if cells.empty:
        return empty(title)
    rows = list(WEEKDAYS) + [HOLIDAY_ROW]
    frame = cells.assign(
        row=[HOLIDAY_ROW if kind == "holiday" else WEEKDAYS[int(w) - 1]
             for kind, w in zip(cells["day_kind"], cells["weekday"])]
    )
    grid = (frame.groupby(["row", "hour"])["messages"].sum().unstack("hour")
            .reindex(index=rows, columns=range(24)).fillna(0))
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=[f"{h:02d}h" for h in range(24)], y=rows,
        colorscale="Blues", colorbar={"title": "messages"},
        hovertemplate="%{y} %{x}: %{z:,.0f} messages<extra></extra>",
    ))
    start = int(window[0][:2]) + int(window[0][3:5]) / 60
    end = int(window[1][:2]) + int(window[1][3:5]) / 60
    # breaches are a handful of messages next to thousands: the colour scale cannot show
    # them, so every cell holding sends on a day off or outside the window is labelled
    hours = pd.Series(range(24))
    outside_hours = set(hours[(hours + 1 <= start) | (hours >= end)])
    marked = [(row, hour, int(grid.loc[row, hour])) for row in rows for hour in range(24)
              if grid.loc[row, hour] > 0 and (row in ("Sun", HOLIDAY_ROW) or hour in outside_hours)]
    if marked:
        fig.add_scatter(x=[f"{h:02d}h" for _, h, _ in marked], y=[r for r, _, _ in marked],
                        mode="markers+text", text=[f"{n:,}" for _, _, n in marked], textposition="middle center",
                        marker={"symbol": "square-open", "size": 22, "color": RED, "line": {"width": 2}},
                        textfont={"color": RED, "size": 11}, name="sends on a day off or outside the window",
                        hovertemplate="%{y} %{x}: %{text} messages (breach)<extra></extra>")
    for edge in (start, end):  # category axis: hour h is centred on index h
        fig.add_vline(x=edge - 0.5, line={"color": RED, "width": 2, "dash": "dash"})
    fig.add_annotation(text=f"window {window[0]}-{window[1]}", x=(start + end) / 2 - 0.5, y=1.06,
                       yref="paper", showarrow=False, font={"color": RED})
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, f"local hour ({tz})" if tz else "local hour", "day of the week", height=380)


def daily_bars(frame: pd.DataFrame, x: str, y: str, color: str | None, title: str,
               y_title: str, marked_days: pd.DataFrame | None = None) -> go.Figure:
    """Stacked bars per local day (one colour per `color` value), non-working days shaded and
    said so in the legend. The axis runs over the marked days too: a Sunday or a holiday at
    the edge of the period, without traffic, is the day that shows the window kept. Rows
    that are all zero (a brand that sent no MT, on days its MOs came in) are no data either:
    not a legend entry over a bar of height 0."""
    if frame.empty or not frame[y].fillna(0).any():
        return empty(title)
    fig = go.Figure()
    groups = [(None, frame)] if color is None else list(frame.groupby(color, sort=True))
    for name, part in groups:
        fig.add_bar(x=pd.to_datetime(part[x]), y=part[y], name=str(name) if name is not None else y,
                    showlegend=color is not None,
                    width=0.8 * 86_400_000,  # one day in ms: bars stay one day wide when days are missing
                    hovertemplate="%{x|%a %d %b}: %{y:,.0f}<extra>" + (str(name) if name else "") + "</extra>")
    axis_days = pd.to_datetime(frame[x])
    if marked_days is not None and len(marked_days):
        axis_days = pd.concat([axis_days, pd.to_datetime(marked_days["day"])], ignore_index=True)
        # (a legend entry for the shading: nothing else says what the amber days are)
        fig.add_bar(x=[None], y=[None], name="Sunday or public holiday (shaded)", showlegend=True,
                    marker={"color": AMBER, "opacity": 0.35}, hoverinfo="skip")
    if marked_days is not None:
        days = pd.to_datetime(frame[x])
        # over more than two months holidays sit too close to label (May: four in three
        # weeks): they are then marked above the bars and named on hover
        labelled = (days.max() - days.min()).days <= 62
        for day, label in zip(marked_days["day"], marked_days["name"]):
            start = pd.Timestamp(day) - pd.Timedelta(hours=12)
            note = ({"annotation_text": label, "annotation_position": "top left", "annotation_font_size": 10}
                    if labelled and label != "Sunday" else {})
            fig.add_vrect(x0=start, x1=start + pd.Timedelta(days=1), fillcolor=AMBER, opacity=0.12,
                          line_width=0, **note)
        holidays = marked_days[marked_days["name"] != "Sunday"]
        if not labelled and len(holidays):
            top = frame.groupby(x)[y].sum().max()
            fig.add_scatter(x=pd.to_datetime(holidays["day"]), y=[top * 1.04] * len(holidays), mode="markers",
                            marker={"symbol": "triangle-down", "color": AMBER, "size": 9}, name="public holiday",
                            text=list(holidays["name"]), hovertemplate="%{x|%a %d %b}: %{text}<extra></extra>",
                            showlegend=False)
    fig.update_layout(barmode="stack")
    _day_axis(fig, axis_days)
    _integer_ticks(fig.update_yaxes, frame.groupby(x)[y].sum().max())
    return _layout(fig, title, "local day", y_title)


def daily_lines(frame: pd.DataFrame, x: str, y: str, color: str, title: str, y_title: str, *,
                percent: bool = False) -> go.Figure:
    """One line per `color` value over local days (a rate or a latency per short code): a
    day without a value is a gap, not a fall to zero."""
    if frame.empty or frame[y].isna().all():
        return empty(title)
    fig = go.Figure()
    for name, part in frame.groupby(color, sort=True, dropna=False):
        label = "(none)" if pd.isna(name) else str(name)
        fig.add_scatter(x=pd.to_datetime(part[x]), y=part[y], mode="lines+markers", name=label,
                        connectgaps=False,
                        hovertemplate="%{x|%a %d %b}: %{y" + (":.2%" if percent else ":,") + "}<extra>" + label
                                      + "</extra>")
    if percent:
        fig.update_yaxes(tickformat=".0%")
    _day_axis(fig, pd.to_datetime(frame[x]))
    return _layout(fig, title, "local day", y_title)


def incident_timeline(incidents: pd.DataFrame, title: str, tz: str) -> go.Figure:
    """R13: each incident of each connection on a time axis, the most it can have lasted
    (light) under the failures the log shows (dark; a lone failure drawn as a tick)."""
    if incidents.empty:
        return empty(title, "No incident in the period")
    fig = go.Figure()
    spans = [("the most it can have lasted", "from_at_most", "to_at_most", RED, 0.25, 14),
             ("failures seen", "first_failure_at", "last_failure_at", RED, 1.0, 14)]
    for name, start, end, colour, opacity, width in spans:
        xs, ys = [], []
        for smsc, a, b in zip(incidents["smsc"], incidents[start], incidents[end]):
            a, b = pd.Timestamp(a).tz_convert(tz), pd.Timestamp(b).tz_convert(tz)
            if b - a < pd.Timedelta(minutes=2):  # a lone failure: still visible
                b = a + pd.Timedelta(minutes=2)
            xs += [a.tz_localize(None), b.tz_localize(None), None]
            ys += [smsc, smsc, None]
        fig.add_scatter(x=xs, y=ys, mode="lines", name=name, opacity=opacity,
                        line={"color": colour, "width": width}, hoverinfo="x+y")
    fig.update_yaxes(type="category")
    return _layout(fig, title, f"local time ({tz})", "connection",
                   height=max(260, 90 + 40 * incidents["smsc"].nunique()))


DAY_MS = 86_400_000


def _day_axis(fig: go.Figure, days: pd.Series) -> None:
    """Each bar (centred on its day's midnight) labelled by its date: over a few days
    Plotly's own ticks are hours, and one day's bar then seems to straddle two."""
    first, last = days.min(), days.max()
    fig.update_xaxes(range=[first - pd.Timedelta(hours=12), last + pd.Timedelta(hours=12)])
    if (last - first).days <= 31:
        fig.update_xaxes(tick0=first, dtick=DAY_MS, tickformat="%a %d %b")
    else:  # Plotly picks days, weeks or months; never hours over such a span
        fig.update_xaxes(tickformat="%d %b %Y")


def _month_axis(fig: go.Figure) -> None:
    """Monthly values labelled 'Oct 2026', one tick a month (Plotly's own ticks fall on
    days such as 'Oct 4' when there are few months)."""
    fig.update_xaxes(dtick="M1", tickformat="%b %Y")


def distribution(frame: pd.DataFrame, x: str, y: str, color: str | None, title: str,
                 x_title: str, y_title: str, threshold: float | None = None,
                 threshold_label: str = "") -> go.Figure:
    """Bars of a distribution (e.g. numbers by messages received per day), log y when skewed."""
    if frame.empty:
        return empty(title)
    fig = go.Figure()
    groups = [(None, frame)] if color is None else list(frame.groupby(color, sort=True))
    log = bool(frame[y].max() > 50 * max(frame[y].min(), 1))
    for name, part in groups:
        # on a log axis a bar's height cannot be read off it: one series prints its counts
        fig.add_bar(x=part[x], y=part[y], name=f"{name} {color}" if name is not None else y,
                    **({"texttemplate": "%{y:,}", "textposition": "outside", "cliponaxis": False}
                       if log and color is None else {}))
    fig.update_layout(barmode="stack")
    if threshold is not None:
        fig.add_vline(x=threshold + 0.5, line={"color": RED, "dash": "dash"},
                      annotation_text=threshold_label, annotation_position="top right")
    if log:
        _log_ticks(fig.update_yaxes)
    else:
        _integer_ticks(fig.update_yaxes, frame.groupby(x)[y].sum().max())
    fig.update_xaxes(dtick=1)
    return _layout(fig, title, x_title, f"{y_title} (log scale)" if log else y_title)


def histogram(values: pd.Series, title: str, x_title: str, *, bins: int = 40,
              nothing: str | None = None) -> go.Figure:
    """Histogram of one measure (e.g. hours from a STOP to each MT after it): counts on
    whole-number ticks, and bins from 0 for a measure that cannot be negative (a delay),
    which Plotly's own binning of a single case spreads either side of it."""
    values = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if values.empty:
        return empty(title, nothing) if nothing else empty(title)
    edges = _bin_edges(values.to_numpy(dtype=float), min(bins, max(5, len(values))))
    counts, _ = np.histogram(values, edges)
    fig = go.Figure(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges), marker_color=BLUE,
                           customdata=np.column_stack([edges[:-1], edges[1:]]),
                           hovertemplate="%{customdata[0]:,.4g} to %{customdata[1]:,.4g}: %{y:,} cases<extra></extra>"))
    fig.update_xaxes(range=[edges[0], edges[-1]])
    _integer_ticks(fig.update_yaxes, counts.max())
    return _layout(fig, title, x_title, "cases")


def _bin_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """About `bins` bins of a round width (1, 2 or 5 times a power of ten), from 0 when no
    value is negative, wide enough to hold a single value."""
    low = 0.0 if values.min() >= 0 else float(values.min())
    high = float(values.max())
    span = high - low if high > low else (abs(high) or 1.0)
    raw = span / bins
    power = 10 ** np.floor(np.log10(raw))
    width = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = np.floor(low / width) * width
    count = int(np.floor((high - start) / width)) + 1  # the last bin holds the maximum
    edges = start + width * np.arange(count + 1)
    if edges[-1] < high:  # rounding: 0.3 / 0.1 is 2.999...
        edges = np.append(edges, edges[-1] + width)
    return edges


def hbar(frame: pd.DataFrame, label: str, value: str, title: str, x_title: str,
         color: str = BLUE, nothing: str = NO_DATA) -> go.Figure:
    """Horizontal bars, largest at the top (for counts by reason, brand, short code).
    `nothing`: what an empty frame means (breaches: NO_BREACH, not a period without data)."""
    if frame.empty:
        return empty(title, nothing)
    ordered = frame.sort_values(value)
    fig = go.Figure(go.Bar(x=ordered[value], y=ordered[label].astype(str), orientation="h",
                           marker_color=color, hovertemplate="%{y}: %{x:,}<extra></extra>"))
    _integer_ticks(fig.update_xaxes, ordered[value].max())
    return _layout(fig, title, x_title, "", height=max(260, 60 + 28 * len(ordered)))


def _integer_ticks(update, largest: float) -> None:
    """Counts never read 0.5: small ranges get a tick per unit, large ones integer labels."""
    if pd.notna(largest) and largest <= 10:
        update(dtick=1, rangemode="tozero")
    else:
        update(tickformat=",d", rangemode="tozero")


def _log_ticks(update) -> None:
    """A log axis labelled at powers of ten only (1, 10, 100, 1,000): Plotly's default adds
    unlabelled-looking 2 and 5 ticks between them ('5, 2, 1000, 5, 2, 100')."""
    update(type="log", dtick=1, tickformat=",d")


def throughput_peaks(hourly: pd.DataFrame, short_code: str, title: str,
                     period: tuple[dt.date, dt.date] | None = None, tz: str = "Europe/Paris",
                     declared: bool = True) -> go.Figure:
    """Busiest second of each hour for one short code, against its subscribed rate.

    Hours without traffic are drawn as zero (the query only returns busy hours), over the
    whole period when given; the x axis is local wall-clock time. A short code the contract
    does not declare (`declared` False) is held to the included 10/s, said as assumed."""
    part = hourly[hourly["short_code"] == short_code]
    if part.empty:
        return empty(title)
    rate = float(part["rate"].iloc[0])
    series = part.set_index(pd.DatetimeIndex(part["hour"]).tz_convert("UTC"))
    if period is not None:
        start = pd.Timestamp(period[0]).tz_localize(tz).tz_convert("UTC")
        end = (pd.Timestamp(period[1]) + pd.Timedelta(days=1)).tz_localize(tz).tz_convert("UTC") - pd.Timedelta(hours=1)
    else:
        start, end = series.index.min(), series.index.max()
    hours = pd.date_range(start.floor("h"), end.floor("h"), freq="h")
    grid = series[["peak_per_second", "seconds_over"]].reindex(hours.union(series.index), fill_value=0)
    # On the wall clock the hour the clock goes back comes twice: drawn twice, the line would
    # run back in time. The two are one point: the busiest second of both, their seconds over.
    grid.index = grid.index.tz_convert(tz).tz_localize(None)
    grid = grid.groupby(level=0).agg(peak_per_second=("peak_per_second", "max"),
                                     seconds_over=("seconds_over", "sum"),
                                     times=("peak_per_second", "size"))
    grid["note"] = np.where(grid["times"] > 1, " (this hour came twice: the clock went back)", "")
    local = grid.index
    over = (grid["peak_per_second"] > rate).to_numpy()
    fig = go.Figure()
    fig.add_scatter(x=local, y=grid["peak_per_second"], mode="lines", name="peak in the hour",
                    line={"color": BLUE, "width": 1}, line_shape="hv", customdata=grid["note"],
                    hovertemplate="%{x|%d %b %Hh}: %{y} segments/s%{customdata}<extra></extra>")
    fig.add_scatter(x=local[over], y=grid["peak_per_second"][over], mode="markers",
                    name="hours with seconds over the rate", marker={"color": RED, "size": 7},
                    customdata=list(zip(grid["seconds_over"][over].tolist(), grid["note"][over].tolist())),
                    hovertemplate="%{x|%d %b %Hh}: %{y} segments/s, %{customdata[0]} s over"
                                  "%{customdata[1]}<extra></extra>")
    fig.add_hline(y=rate, line={"color": RED, "dash": "dash"},
                  annotation_text=(f"subscribed {rate:g} SMS/s" if declared
                                   else f"{rate:g} SMS/s assumed: not in the contract"),
                  annotation_position="top left")
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, title, f"local time ({tz}), one point per hour", "segments per second")


def forecast_vs_actual(frame: pd.DataFrame, title: str, tolerance: float,
                       actual: str = "actual_segments", forecast: str = "forecast_segments",
                       month: str = "month") -> go.Figure:
    """Monthly actuals as bars against the forecast line with its ±tolerance band."""
    if _no_forecast(frame, forecast):
        return empty(title, NO_FORECAST)
    frame = frame.sort_values(month)
    planned = pd.to_numeric(frame[forecast], errors="coerce").astype("float64")
    upper = planned * (1 + tolerance)
    lower = planned * (1 - tolerance)
    fig = go.Figure()
    fig.add_scatter(x=frame[month], y=upper, mode="lines", line={"width": 0}, showlegend=False,
                    hoverinfo="skip")
    fig.add_scatter(x=frame[month], y=lower, mode="lines", line={"width": 0}, fill="tonexty",
                    fillcolor="rgba(21,101,192,0.15)", name=f"tolerance ±{tolerance:.0%}", hoverinfo="skip")
    fig.add_scatter(x=frame[month], y=planned, mode="lines+markers", name="forecast",
                    line={"color": BLUE})
    if "status" in frame:  # R9's own verdict: flagged, no_forecast, partial (not judged), ok
        colours = [STATUS_COLOURS.get(s, GREEN) for s in frame["status"]]
    else:
        got = pd.to_numeric(frame[actual], errors="coerce").astype("float64")
        colours = [RED if o else GREEN for o in ((got > upper) | (got < lower)).fillna(False)]
    fig.add_bar(x=frame[month], y=frame[actual], name="actual (red: out of tolerance, amber: no forecast, "
                "grey: month not complete)", marker_color=colours, opacity=0.8)
    _month_axis(fig)
    return _layout(fig, title, "month", "MT segments per month")


def forecasts_vs_actuals(months: pd.DataFrame, tolerance: float) -> list[go.Figure]:
    """R9: one `forecast_vs_actual` per short code, or one empty figure when no submitted
    forecast covers any of their months (not one empty frame per code)."""
    title = "{}: actual MT segments against the forecast (±" + f"{tolerance:.0%})"
    if _no_forecast(months, "forecast_segments"):
        return [empty(title.format("Every short code"), NO_FORECAST)]
    return [forecast_vs_actual(part, title.format(code), tolerance)
            for code, part in months.groupby("short_code", sort=True)]


def _no_forecast(frame: pd.DataFrame, forecast: str) -> bool:
    return frame.empty or forecast not in frame or frame[forecast].isna().all()


def forecast_intervals(frame: pd.DataFrame, title: str, history: pd.DataFrame | None = None,
                       month: str = "month", value: str = "segments", lower: str = "lower",
                       upper: str = "upper", y_title: str = "MT segments per month",
                       level: float | None = None) -> go.Figure:
    """Next semester's forecast with its prediction interval (its `level` in the legend),
    after the observed history."""
    if frame.empty:
        return empty(title)
    frame = frame.sort_values(month)
    fig = go.Figure()
    if history is not None and not history.empty:
        fig.add_scatter(x=history[month], y=history[value], mode="lines+markers", name="observed",
                        line={"color": GREY})
    if lower in frame and upper in frame:
        fig.add_scatter(x=frame[month], y=frame[upper], mode="lines", line={"width": 0},
                        showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=frame[month], y=frame[lower], mode="lines", line={"width": 0}, fill="tonexty",
                        fillcolor="rgba(21,101,192,0.18)",
                        name=f"{level:.0%} prediction interval" if level else "prediction interval", hoverinfo="skip")
    fig.add_scatter(x=frame[month], y=frame[value], mode="lines+markers", name="forecast",
                    line={"color": BLUE, "dash": "dash"})
    _month_axis(fig)
    return _layout(fig, title, "month", y_title)


def grouped_bars(frame: pd.DataFrame, x: str, columns: list[str], title: str, x_title: str,
                 y_title: str, *, stacked: bool = False, colors: dict[str, str] | None = None) -> go.Figure:
    """Several measures per category (e.g. DLR final statuses per short code)."""
    if frame.empty:
        return empty(title)
    fig = go.Figure()
    for column in columns:
        fig.add_bar(x=frame[x].astype(str), y=frame[column], name=column.replace("_", " "),
                    marker_color=(colors or {}).get(column))
    fig.update_layout(barmode="stack" if stacked else "group")
    # categories as written: a month '2026-10' is not the date 1 Oct, a short code not a number
    fig.update_xaxes(type="category")
    values = frame[columns].apply(pd.to_numeric, errors="coerce")
    largest = (values.sum(axis=1) if stacked else values.max(axis=1)).max()
    if (values.fillna(0) % 1 == 0).all().all():  # counts: never a 0.5 tick
        _integer_ticks(fig.update_yaxes, largest)
    return _layout(fig, title, x_title, y_title)


def rule_trend(summary: pd.DataFrame, title: str) -> go.Figure:
    """Breaches per rule, this period against the previous one (executive summary); no
    breach in either says so rather than draw an axis without bars."""
    if summary.empty:
        return empty(title)
    # (previous: None when the previous period had no traffic, no count to draw)
    counts = summary[["violations", "previous"]].astype(float).fillna(0)
    if not counts.to_numpy().any():
        if "status" in summary.columns and (summary["status"] == "not_judged").all():
            return empty(title, "No rule could be judged in this period: nothing was checked")
        return empty(title, "No breach in this period or the previous one")
    labels = summary["rule"] + " " + summary["title"]
    fig = go.Figure()
    fig.add_bar(x=labels, y=summary["previous"], name="previous period", marker_color=GREY)
    fig.add_bar(x=labels, y=summary["violations"], name="this period",
                marker_color=[RED if v > 0 else GREEN for v in summary["violations"]])
    fig.update_layout(barmode="group")
    if "status" in summary.columns:
        # a rule with no bar because it could not be judged (R9 without a complete month) is
        # not a clean one: its slot says so
        for label in labels[summary["status"] == "not_judged"]:
            fig.add_annotation(x=label, y=0, yref="y", text="not judged", showarrow=False, yshift=18,
                               textangle=-90, font={"size": 10, "color": AMBER})
    log = bool(counts.max().max() > 100)
    if log:
        _log_ticks(fig.update_yaxes)
    else:
        _integer_ticks(fig.update_yaxes, counts.max().max())
    return _layout(fig, title, "rule", "violations (count the audit reports)" + (" (log scale)" if log else ""))

