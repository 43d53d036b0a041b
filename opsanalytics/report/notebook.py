"""What a report notebook needs, so notebooks stay thin: open the warehouse read-only with the
papermill parameters, run audits and insights, and show tables and Plotly figures the same
way in JupyterLab and in the rendered HTML (no Plotly JavaScript per figure: the page loads
it once).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from opsanalytics import facts, warehouse
from opsanalytics.audits.result import AuditResult, Filters
from opsanalytics.config import Contract, load_contract
from opsanalytics.errors import OpsError, UsageError
from opsanalytics.report import insights, summary
from opsanalytics.report.pseudonymise import describe, ensure_salt, pseudonymise_frame
from opsanalytics.safe_text import visible

PLOTLY_MIME = "application/vnd.plotly.v1+json"
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def period_label(date_from: dt.date | None, date_to: dt.date | None) -> str:
    """'15 Oct 2026 to 14 Nov 2026': a period as every page, chart title and the index say it
    ('all data' without dates: a warehouse that holds no MT)."""
    if date_from and date_to:
        return f"{date_from:%d %b %Y} to {date_to:%d %b %Y}"
    return "all data"


def scope_label(period: str, short_code: str | None, brand: str | None) -> str:
    """'1 Nov 2026 to 18 Nov 2026; brand Acme': the period and the filters, as a report's
    browser titles and navigation bars name what the pages show."""
    parts = [period]
    if short_code:
        parts.append(f"short code {short_code}")
    if brand:
        parts.append(f"brand {brand}")
    return "; ".join(parts)


def parse_day(value: str | dt.date | None, what: str) -> dt.date | None:
    """A papermill parameter (string) as a date; a clear error names the parameter."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"parameter {what}: expected a date YYYY-MM-DD, got {value!r}") from None


class ReadOnlyWarehouse:
    """The report's read-only connection to the warehouse, opened again when used after
    `close()`. Every notebook's last cell closes it, so that a papermill run, or a notebook
    left open in JupyterLab after "Run all", holds the database file no longer than its
    cells; a cell re-run afterwards reopens it instead of failing with 'Connection already
    closed'. Anything else is the DuckDB connection's (execute, register, ...)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._con: Any = None

    @property
    def closed(self) -> bool:
        return self._con is None

    def connection(self) -> Any:
        """The open DuckDB connection (opened now when closed)."""
        if self._con is None:
            self._con = warehouse.connect(self.path, read_only=True)
        return self._con

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("path", "_con"):  # (copy, pickle: not a connection's)
            raise AttributeError(name)
        return getattr(self.connection(), name)

    def close(self) -> None:
        """Release the database file (idempotent); the next query reopens it."""
        con, self._con = self._con, None
        if con is not None:
            con.close()

    def __repr__(self) -> str:
        return f"<ReadOnlyWarehouse {self.path} ({'closed' if self.closed else 'open'})>"


@dataclass
class ReportContext:
    """The warehouse, contract and filters of one report, and how to show things."""

    con: Any
    contract: Contract
    filters: Filters
    pseudonymise: bool = True
    salt: str | None = None
    _audits: dict[str, AuditResult] = field(default_factory=dict)
    _coverage: str | None = None
    #: a short code or brand nothing can match (audits.scope): said under every page's title,
    #: as `report` says it on stderr, for a page run on its own (JupyterLab, papermill)
    filter_warnings: list[str] = field(default_factory=list)

    # --- data -------------------------------------------------------------------------
    @property
    def tz(self) -> str:
        return self.contract.timezone

    @property
    def window(self) -> str:
        """The contract's send window (R2), as '08:00-22:00': local time, in `tz`."""
        start, end = self.contract.rules.window
        return f"{start}-{end}"

    @property
    def period(self) -> str:
        """The report's period as the header, chart titles and index say it (period_label)."""
        return period_label(self.filters.date_from, self.filters.date_to)

    def audit(self, rule: str) -> AuditResult:
        """The audit result of `rule` (R1...R10) for this report's filters, run once."""
        if rule not in self._audits:
            from opsanalytics.audits import run

            self._audits[rule] = run(self.con, self.contract, rule, self.filters)
        return self._audits[rule]

    def coverage(self) -> str:
        """full | partial | none: whether the period holds traffic for the filters, run once."""
        if self._coverage is None:
            self._coverage = summary.period_coverage(self.con, self.contract, self.filters)
        return self._coverage

    def judgement(self, rule: str) -> tuple[str, str]:
        """(status, why not judged) of `rule`: the same as the index's, so the page and the
        executive summary never disagree (breach, clean or not_judged)."""
        return summary.judgement(self.audit(rule), self.filters, self.coverage())

    def unjudged(self, rule: str) -> str:
        """Why `rule` could not judge everything in this period ('' when it could)."""
        return self.judgement(rule)[1]

    def insight(self, name: str, **extra: Any) -> Any:
        """One of the functions of `opsanalytics.report.insights` with this report's filters
        (a table, or a figure such as `stops_received`)."""
        func: Callable[..., Any] = getattr(insights, name)
        return func(self.con, self.contract, self.filters, **extra)

    def executive_summary(self) -> summary.ExecutiveSummary:
        return summary.executive_summary(self.con, self.contract, self.filters)

    # --- display ----------------------------------------------------------------------
    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Numbers hashed (unless the report says not), instants shown in local time: the
        column's header names the zone (`submitted_at (Europe/Paris)`), and a time of the
        hour the clocks go back, which comes twice, carries its offset (see local_times)."""
        out = frame
        if self.pseudonymise and self.salt:
            out = pseudonymise_frame(out, self.salt)
        else:
            out = out.copy()
        renamed = {}
        for column in out.columns:
            series = out[column]
            if isinstance(series.dtype, pd.DatetimeTZDtype):
                out[column] = local_times(series, self.tz)
                renamed[column] = f"{column} ({self.tz})"
            elif column in DURATIONS and pd.api.types.is_numeric_dtype(series):
                # 342,000 (seconds) beside a chart in hours: shown as 3 d 23 h 00 min
                out[column] = series.map(duration_text)
                renamed[column] = DURATIONS[column]
            elif series.dtype == object:
                out[column] = series.map(_cell)
        return out.rename(columns=renamed)

    def table(self, frame: pd.DataFrame, title: str, *, max_rows: int = 50,
              note: str | None = None, empty: str = "Nothing to report in this period.",
              rule: str | None = None, gap: bool = False) -> None:
        """An HTML table under a heading, first `max_rows` rows (callers sort by severity).
        Empty is good news in green, unless there was no traffic or `rule` (whose breaches
        these are) could not judge: then it says so, in grey; `gap`: an empty table is
        something missing (no forecast loaded), in amber like a rule not judged."""
        from IPython.display import HTML, display

        display(HTML(self.table_html(frame, title, max_rows=max_rows, note=note, empty=empty, rule=rule, gap=gap)))

    def table_html(self, frame: pd.DataFrame, title: str, *, max_rows: int = 50, note: str | None = None,
                   empty: str = "Nothing to report in this period.", rule: str | None = None,
                   gap: bool = False) -> str:
        """What `table` shows."""
        css = "ops-empty"
        if frame.empty and gap:
            css = "ops-empty ops-unjudged"
        elif frame.empty and rule and self.unjudged(rule):
            empty, css = f"No breach found, but {rule} was not judged (why: above).", "ops-empty ops-no-traffic"
        elif self.coverage() == "none":
            css = "ops-empty ops-no-traffic"
        return table_html(self.prepare(frame), title, max_rows=max_rows, note=note, empty=empty, empty_class=css,
                          total=frame.attrs.get("total_rows"))

    def breaches(self, frame: pd.DataFrame, title: str, *, max_rows: int = 50, note: str | None = None,
                 empty: str = "Nothing to report in this period.", rule: str | None = None) -> None:
        """A table of audit rows (by_severity) whose line ids read as files and lines, and the
        files they cite under it (see breaches_html)."""
        from IPython.display import HTML, display

        display(HTML(self.breaches_html(frame, title, max_rows=max_rows, note=note, empty=empty, rule=rule)))

    def breaches_html(self, frame: pd.DataFrame, title: str, *, max_rows: int = 50, note: str | None = None,
                      empty: str = "Nothing to report in this period.", rule: str | None = None) -> str:
        """What `breaches` shows: the rows shown (the first `max_rows`) with their lines as
        'access.log.1.gz:1-2 (load 1)' (insights.where_logged), then the path of every load
        they cite: page 01 lists 50 files, and an hourly ingest makes more."""
        shown, files = insights.where_logged(self.con, frame.head(max_rows))
        if len(frame) > max_rows:
            shown.attrs["total_rows"] = len(frame)
        parts = [self.table_html(shown, title, max_rows=max_rows, note=note, empty=empty, rule=rule)]
        if len(files):
            parts.append(self._files_html(files, "Files the rows above cite"))
        return "\n".join(parts)

    def files_cited(self, load_ids: Any, title: str = "Files the rows above cite") -> None:
        """The files of the loads a page's rows name by number (pages 35, 90: load and line)."""
        from IPython.display import HTML, display

        display(HTML(self.files_cited_html(load_ids, title)))

    def files_cited_html(self, load_ids: Any, title: str = "Files the rows above cite") -> str:
        """What `files_cited` shows ('' when no load is cited)."""
        files = insights.files_cited(self.con, load_ids)
        return self._files_html(files, title) if len(files) else ""

    def _files_html(self, files: pd.DataFrame, title: str) -> str:
        return table_html(self.prepare(files), title, max_rows=len(files),
                          note="A line number is the file's own, from 1 (a .gz file's once uncompressed); "
                               "a log read in several loads (a live log read hourly) keeps them running on: "
                               "first_line-last_line are those each load read. `opsanalytics trace LOAD:LINE` "
                               "prints a line from wherever logrotate has since moved its file.")

    @property
    def brands(self) -> str:
        """'all brands', or the brand the page is filtered on, and the short code it is
        filtered on: for the titles of figures that add brands together when unfiltered.
        Filtered on a short code, such a figure counts that code's messages only, while R1's
        breaches count every message of a group the code is part of (a probe read 'most
        messages to one number in a day, all brands: 2' above a breach of 3 on two codes)."""
        brands = f"brand {self.filters.brand}" if self.filters.brand else "all brands"
        return f"{brands}, on {self.filters.short_code} only" if self.filters.short_code else brands

    def header(self, rules: str = "") -> None:
        """The period, filters and privacy setting of this page, under its title."""
        from IPython.display import HTML, display

        display(HTML(self.header_html(rules)))

    def header_html(self, rules: str = "") -> str:
        """What `header` shows, with a warning per filter nothing can match."""
        f = self.filters
        scope = ", ".join(f"{k} {v}" for k, v in (("short code", f.short_code), ("brand", f.brand)) if v)
        privacy = f"numbers {describe(self.pseudonymise)}"
        return (f"<p class='ops-note'><b>{html.escape(rules)}</b> Period {html.escape(self.period)} "
                f"(local days, {html.escape(self.tz)}); {html.escape(scope or 'all short codes and brands')}; "
                f"{privacy}.</p>"
                + "".join(f"<p class='ops-note ops-unjudged'>Warning: {html.escape(w)}.</p>"
                          for w in self.filter_warnings))

    def note(self, text: str | None) -> None:
        """A paragraph of the page's prose that depends on the contract (its window, its
        zone) or the filters, which a markdown cell would have to hard-code; none for None."""
        from IPython.display import HTML, display

        if not text:
            return
        display(HTML(f"<p class='ops-prose'>{html.escape(text)}</p>"))

    def kpis(self, values: dict[str, Any], *, bad: tuple[str, ...] = (),
             tones: dict[str, str] | None = None) -> None:
        """A row of headline figures; those named in `bad` turn red when not zero, those in
        `tones` take the CSS class given (e.g. summary.headline's)."""
        from IPython.display import HTML, display

        display(HTML(kpis_html(values, bad=bad, tones=tones)))

    def rule_section(self, rule: str, title: str) -> None:
        """A heading with the anchor the index links to (`page.html#R1`) and the index's
        verdict: red count, green 'no violation', or amber 'not judged' with the reason."""
        from IPython.display import HTML, display

        display(HTML(rule_heading(rule, title, self.audit(rule).violations, *self.judgement(rule))))

    def summary_table(self, executive: summary.ExecutiveSummary) -> None:
        """The rule table of the executive summary, linked to the detailed pages."""
        from IPython.display import HTML, display

        from opsanalytics.report.index import summary_table

        pages = {page: f"{page}.html" for _, page in summary.RULE_PAGES.values()}
        display(HTML(summary_table(executive.to_json(), pages)))

    def show(self, fig: go.Figure) -> None:
        """A Plotly figure: rendered natively in JupyterLab, as a div in the HTML report."""
        from IPython.display import display

        display(figure_bundle(fig), raw=True)

    def close(self) -> None:
        """Release the warehouse (the last cell of every notebook): a loader may write to it
        again. Re-running a cell afterwards reopens it (see ReadOnlyWarehouse)."""
        self.con.close()


def local_times(instants: pd.Series, tz: str) -> pd.Series:
    """Aware instants as local wall-clock text, `2026-10-25 14:05:00`; in the hour the clocks
    go back, which comes twice, with the offset that tells the two apart
    (`2026-10-25 02:30:00 +02:00`, then `... +01:00`)."""
    local = instants.dt.tz_convert(tz)
    text = local.dt.strftime("%Y-%m-%d %H:%M:%S")
    twice = local.dt.tz_localize(None).dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").isna()
    twice &= instants.notna()
    if twice.any():
        offset = local[twice].dt.strftime("%z")
        text[twice] = text[twice] + " " + offset.str[:3] + ":" + offset.str[3:]
    return text


def _cell(value: Any) -> Any:
    """Lists (e.g. mt_ids, brands) as comma-separated text in a table cell."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(map(str, list(value)))
    if value is None or value is pd.NA:
        return ""
    return value


def rule_heading(rule: str, title: str, violations: int, status: str, note: str = "") -> str:
    """`R1 frequency cap: 3 violations` (red), `no violation` (green) or `not judged`
    (amber, the reason under it)."""
    if status == "breach":
        css, verdict = "ops-breach", f"{violations:,} violation{'' if violations == 1 else 's'}"
    elif status == "not_judged":
        css, verdict = "ops-unjudged", "not judged"
    else:
        css, verdict = "ops-clean", "no violation"
    heading = (f"<h2 id='{html.escape(rule)}'>{html.escape(rule)} {html.escape(title)}: "
               f"<span class='{css}'>{verdict}</span></h2>")
    return heading + (f"<p class='ops-note ops-why-unjudged'>{html.escape(note)}</p>" if note else "")


def kpis_html(values: dict[str, Any], *, bad: tuple[str, ...] = (), tones: dict[str, str] | None = None) -> str:
    """Headline figures; `bad` ones red when not zero, `tones` a CSS class per label."""
    cells = []
    for label, value in values.items():
        shown = f"{value:,}" if isinstance(value, int) else (f"{value:,.2f}" if isinstance(value, float) else str(value))
        tone = (tones or {}).get(label) or ("ops-breach" if label in bad and isinstance(value, (int, float))
                                            and value != 0 else "")
        css = f" class='{html.escape(tone)}'" if tone else ""
        cells.append(f"<div class='ops-kpi'><b{css}>{html.escape(shown)}</b>{html.escape(label)}</div>")
    return "<div class='ops-kpis'>" + "".join(cells) + "</div>"


def table_html(frame: pd.DataFrame, title: str, *, max_rows: int = 50, note: str | None = None,
               empty: str = "Nothing to report in this period.", empty_class: str = "ops-empty",
               total: int | None = None) -> str:
    """A titled HTML table with its row count, numbers right-aligned with thousands
    separators; the caller decides the order (severity first). `total`: the rows there were
    before a query kept the top ones (`frame` is then 'top 25 of 1,234 rows')."""
    parts = [f"<h4 class='ops-table-title'>{html.escape(title)}</h4>"]
    if frame.empty:
        parts.append(f"<p class='{html.escape(empty_class)}'>{html.escape(empty)}</p>")
    else:
        shown = frame.head(max_rows)
        if total is not None and total > min(len(frame), max_rows):
            count = f"top {len(shown):,} of {total:,} rows"
        elif len(frame) > max_rows:
            count = f"first {max_rows:,} of {len(frame):,} rows"
        else:
            count = f"{len(frame):,} row{'' if len(frame) == 1 else 's'}"
        parts.append(f"<p class='ops-count'>{count}</p>")
        numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
                   for c in shown.columns]
        identifiers = [_is_identifier(str(c)) for c in shown.columns]
        decimals = [_decimals(shown.iloc[:, k]) for k in range(shown.shape[1])]
        # a column of sentences (a note, a reason) keeps a readable width: without it the
        # browser squeezes it to a word per line beside a dozen number columns
        # and a date or time never breaks at its hyphens ('2027-01-' over '01')
        prose = ["" if n else "long" if shown.iloc[:, k].map(lambda v: len(_text(v))).max() > LONG_TEXT
                 else "nowrap" if _is_dates(shown.iloc[:, k]) else ""
                 for k, n in enumerate(numeric)]
        # (a long column name may break after its underscores: a table of a dozen columns
        # then fits the page instead of running off it)
        head = "".join(f"<th class='{'num' if n else ''}'>{html.escape(str(c)).replace('_', '_<wbr>')}</th>"
                       for c, n in zip(shown.columns, numeric))
        body = []
        for row in shown.itertuples(index=False):
            cells = "".join(f"<td class='num'>{html.escape(_text(v) if i else _number(v, d))}</td>" if n
                            else f"<td class='{p}'>{html.escape(_text(v))}</td>" if p
                            else f"<td>{html.escape(_text(v))}</td>"
                            for v, n, i, d, p in zip(row, numeric, identifiers, decimals, prose))
            body.append(f"<tr>{cells}</tr>")
        parts.append(f"<div class='ops-table-wrap'><table class='ops-table'><thead><tr>{head}</tr></thead>"
                     f"<tbody>{''.join(body)}</tbody></table></div>")
    if note:
        parts.append(f"<p class='ops-note'>{html.escape(note)}</p>")
    return "\n".join(parts)


#: columns of seconds that are delays, shown as durations under these names (the JSON and
#: CSV keep the seconds)
DURATIONS = {"delay_seconds": "delay", "seconds_after_stop": "time_after_stop"}


def duration_text(seconds: Any) -> str:
    """45 s, 12 min 05 s, 9 h 35 min, 3 d 23 h 00 min; empty for none."""
    if seconds is None or pd.isna(seconds):
        return ""
    s = int(round(float(seconds)))
    days, rest = divmod(s, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if s < 60:
        return f"{s} s"
    if s < 3_600:
        return f"{minutes} min {secs:02d} s"
    if s < 86_400:
        return f"{hours} h {minutes:02d} min"
    return f"{days} d {hours:02d} h {minutes:02d} min"


#: a text column with a value longer than this many characters is prose (class `long`: kept
#: at least 24em wide, see report.css)
LONG_TEXT = 40


def _is_dates(values: pd.Series) -> bool:
    """A column of dates or times (typed, or written `2026-10-19...`)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    texts = values.dropna().map(_text)
    return bool(len(texts)) and bool(texts.str.match(r"\d{4}-\d\d-\d\d").all())


def _is_identifier(column: str) -> bool:
    """Ids and line numbers are shown as written (10000008230, not 10,000,008,230)."""
    return (column in ("id", "line_no", "row_no", "example_line", "first_line", "last_line")
            or column.endswith("_id") or column.endswith("_ids"))


def _decimals(column: pd.Series) -> int:
    """One format per column: whole numbers when every value of a float column is one
    (360 beside 342,000, not 360.00), else two decimals for all of them."""
    if not pd.api.types.is_float_dtype(column):
        return 0
    values = column.dropna().to_numpy(dtype=float)
    return 0 if np.all(np.mod(values, 1) == 0) else 2


def _number(value: Any, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.{decimals}f}"
    return str(value)


def _text(value: Any) -> str:
    # (NaT too: a missing date, such as made_on of a month without forecast, showed 'NaT')
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"   # (a column of True/False reads as code)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() and value.tzinfo is None else str(value)
    # (a log's control characters and bidi overrides as escapes: U+202E turned `txt.exe` into
    # `exe.txt` on the page, a probe)
    return visible(str(value))


def figure_bundle(fig: go.Figure) -> dict[str, Any]:
    """Mime bundle of a figure: Plotly JSON for JupyterLab, a div without the library for HTML;
    the logs' and the contract's texts in it shown as written, never drawn as markup."""
    from opsanalytics.report.charts import inert_labels

    fig = inert_labels(fig)
    return {
        PLOTLY_MIME: json.loads(fig.to_json()),
        "text/html": fig.to_html(full_html=False, include_plotlyjs=False, config=_PLOTLY_CONFIG),
    }


def open_report(db: str, config: str, date_from: str | None = None, date_to: str | None = None,
                short_code: str | None = None, brand: str | None = None,
                pseudonymise: bool = True) -> ReportContext:
    """Open the warehouse read-only with the notebook's parameters (`close()` releases it;
    anything run after that reopens it)."""
    contract = load_contract(config)
    filters = Filters(parse_day(date_from, "date_from"), parse_day(date_to, "date_to"),
                      # (papermill and a parameters cell may give 36180, a number)
                      str(short_code) if short_code else None, brand or None)
    _check_order(filters.date_from, filters.date_to)
    con = ReadOnlyWarehouse(db)
    con.connection()  # now: a missing or locked database is an error of this cell
    try:  # facts another version built: this cell says so, as `report` does (JupyterLab)
        facts.check_code(con.connection())
    except OpsError:
        con.close()
        raise
    if filters.date_from is None or filters.date_to is None:
        try:  # JupyterLab: the days with data (no facts yet: a clear error, the file released)
            first, last = traffic_days(con, contract)
            filters = Filters(filters.date_from or first, filters.date_to or last, filters.short_code, filters.brand)
            # one date given, the other the data's: the period may still come out reversed
            _check_order(filters.date_from, filters.date_to, filled=True)
        except OpsError:
            con.close()
            raise
    salt = ensure_salt(contract)[0] if pseudonymise else None
    from opsanalytics.audits.scope import unmatched_filters

    warnings = unmatched_filters(con, contract, filters, Path(config).name, names=("short_code", "brand"))
    return ReportContext(con, contract, filters, pseudonymise, salt, filter_warnings=warnings)


def traffic_days(con, contract) -> tuple[dt.date | None, dt.date | None]:
    """First and last local day with MT or MO traffic (None, None when there is none): a
    page opened without dates covers them. A warehouse of MOs only (MT days alone, as R9
    counts them) had no period, and page 00 failed for want of one."""
    from opsanalytics.forecast.actuals import day_range  # (late, as every R9 helper)

    return day_range(con, contract, "reports/traffic_day_range")


def _check_order(date_from: dt.date | None, date_to: dt.date | None, filled: bool = False) -> None:
    """A reversed period is an error, not pages that read '01 Jan 2027 to 14 Nov 2026';
    `filled`: one of the two is the first or last day with data (the parameter was None)."""
    if date_from and date_to and date_from > date_to:
        why = " (the data's first or last day, for the date left at None)" if filled else ""
        raise UsageError(f"date_from {date_from} is after date_to {date_to}{why}")
