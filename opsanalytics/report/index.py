"""index.html of a report folder: the executive summary (every rule, its count, the trend
against the previous period, red or green), links to every page, and which notebooks failed
and why. Plain HTML and CSS, no script: it opens anywhere, offline."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import TYPE_CHECKING

from opsanalytics.report.notebook import kpis_html, period_label
from opsanalytics.report.pseudonymise import describe
from opsanalytics.report.render import report_css
from opsanalytics.report.summary import headline

if TYPE_CHECKING:
    from opsanalytics.report.runner import ReportRun

_ARROWS = {"up": "&#9650;", "down": "&#9660;", "same": "&#9644;", "n/a": ""}
_COVERAGE = {"none": "no traffic in the previous period (for the filters)",
             "partial": "data covers only part of the previous period"}


def _e(value: object) -> str:
    return html.escape(str(value))


def _period(period: dict) -> str:
    """A period of summary.json (ISO dates) in the pages' words (period_label)."""
    return period_label(dt.date.fromisoformat(period["from"]), dt.date.fromisoformat(period["to"]))


def first_line(error: str | None, limit: int = 240) -> str:
    """The headline of an error (DuckDB's binder errors list dozens of candidate functions)."""
    line = (error or "").strip().splitlines()[0] if error and error.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _error_block(error: str | None) -> str:
    head = first_line(error)
    if (error or "").strip() == head:
        return f"<pre>{_e(head)}</pre>"
    return (f"<pre>{_e(head)}</pre><details><summary>full message</summary>"
            f"<pre>{_e(error)}</pre></details>")


def summary_table(summary: dict, pages: dict[str, str]) -> str:
    """The rule table: one row per rule, breaches first, linked to its detailed page."""
    rules = sorted(summary["rules"], key=lambda r: (r["status"] != "breach", -r["violations"], _rule_no(r["rule"])))
    prev = summary["previous"]
    coverage = prev.get("coverage", "full")
    caveat = f"<br><small class='ops-caveat'>{_e(_COVERAGE[coverage])}</small>" if coverage in _COVERAGE else ""
    head = ("<tr><th>rule</th><th>what</th><th>status</th><th>violations</th>"
            f"<th>previous period<br><small>{_e(_period(prev))}</small>{caveat}</th>"
            "<th>trend</th><th>details</th></tr>")
    body = []
    for r in rules:
        page = pages.get(r["notebook"])
        link = f"<a href='{_e(page)}#{_e(r['rule'])}'>{_e(r['notebook'])}</a>" if page else "<span>not rendered</span>"
        change = r["change"]
        sign = "n/a" if r["trend"] == "n/a" else (f"{change:+,}" if change else "0")
        before = "&ndash;" if r["previous"] is None else f"{r['previous']:,}"
        body.append(
            f"<tr id='rule-{_e(r['rule'])}'><td><b>{_e(r['rule'])}</b></td><td>{_e(r['title'])} "
            f"<small>({_e(r['name'])})</small></td>"
            f"<td class='ops-status {_e(r['status'])}'>{_e(r['status'].replace('_', ' '))}</td>"
            f"<td style='text-align:right'>{r['violations']:,}</td>"
            f"<td style='text-align:right'>{before}</td>"
            f"<td class='ops-trend-{_e(r['trend'].replace('/', ''))}'>{_ARROWS[r['trend']]} {sign}</td>"
            f"<td>{link}</td></tr>")
    why: dict[str, list[str]] = {}  # one line per reason: with no traffic, all ten share it
    for r in sorted(rules, key=lambda r: _rule_no(r["rule"])):
        if r["status"] == "not_judged" and r.get("note"):
            why.setdefault(r["note"], []).append(r["rule"])
    notes = "".join(f"<p class='ops-note'><b>{_e(', '.join(ids))} not judged</b>: {_e(note)}</p>"
                    for note, ids in why.items())
    notes += "".join(f"<p class='ops-note'><b>{_e(r['rule'])}</b>: {_e(r['scope'])}</p>"
                     for r in sorted(rules, key=lambda r: _rule_no(r["rule"])) if r.get("scope"))
    return f"{coverage_notice(summary)}<table class='ops-table ops-summary'>{head}{''.join(body)}</table>{notes}"


def coverage_notice(summary: dict) -> str:
    """Above the rule table when the period's own traffic is missing: zeros then mean that
    nothing was checked, not that the traffic was clean."""
    coverage = summary["period"].get("coverage", "full")
    if coverage == "none":
        return ("<p class='ops-unjudged' id='no-traffic'>No traffic: no MT was accepted in this period "
                "(for the report's short code and brand filters), so no rule had anything to judge. "
                "The zeros below mean that nothing was checked, not that the traffic was clean.</p>")
    if coverage == "partial":
        return ("<p class='ops-note' id='partial-data'>The logs cover only part of this period (the "
                "warehouse's data starts or ends inside it, or more than a day of it has no log): the rules "
                "judged the days the logs cover.</p>")
    return ""


def _rule_no(rule: str) -> int:
    return int(rule[1:]) if rule[1:].isdigit() else 99


def render_index(report: "ReportRun", period: str) -> str:
    pages = {n.name: n.html for n in report.notebooks if n.html}
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1.0'>",
        f"<title>opsanalytics report {_e(period)}</title>",
        f"<style>{report_css()}\nbody{{margin:0}} main{{max-width:1100px;margin:0 auto;padding:1em 1.5em}}</style>",
        "</head><body>",
        f"<nav class='ops-nav'><b>opsanalytics</b><span class='ops-nav-period'>{_e(period)}</span>"
        f"<span class='ops-nav-generated'>generated {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}</span></nav>",
        "<main>",
        f"<h1>Compliance report, {_e(period)}</h1>",
    ]
    if report.failed or report.summary_error:
        parts.append("<div class='ops-failed' id='failures'><h2>Some parts failed</h2><ul>")
        if report.summary_error:
            parts.append(f"<li><b>executive summary</b>: {_error_block(report.summary_error)}</li>")
        for n in report.failed:
            where = f" (cell {n.cell})" if n.cell is not None else ""
            page = f" &mdash; <a href='{_e(n.html)}'>partial page</a>" if n.html else ""
            parts.append(f"<li class='ops-failed-notebook' data-notebook='{_e(n.name)}'><b>{_e(n.name)}</b>"
                         f"{where}{page}{_error_block(n.error)}"
                         f"<small>executed copy: {_e(n.executed or 'none')}</small></li>")
        parts.append("</ul></div>")
    if report.warnings:
        parts.append("<div class='ops-warnings' id='warnings'><h2>Read with care</h2><ul>")
        parts.extend(f"<li>{_e(warning)}</li>" for warning in report.warnings)
        parts.append("</ul></div>")
    if report.summary:
        values, tones = headline(report.summary)
        parts.append("<h2>Executive summary</h2>")
        parts.append(kpis_html(values, tones=tones))
        parts.append(summary_table(report.summary, pages))
        parts.append("<p class='ops-note'>Counts are those of <code>opsanalytics audit all</code> "
                     "for the same period and filters: R1 counts (number, brand, day) groups, "
                     "R8 seconds over the subscribed rate, R9 short code-months out of tolerance, "
                     "every other rule logical messages in breach.</p>")
    parts.append("<h2>Reports</h2><table class='ops-table'><tr><th>report</th><th>status</th>"
                 "<th>time</th><th>executed notebook</th></tr>")
    for n in report.notebooks:
        link = f"<a href='{_e(n.html)}'>{_e(n.title)}</a>" if n.html else _e(n.title)
        status = "clean" if n.status == "ok" else "breach"
        parts.append(f"<tr><td>{link}</td><td class='ops-status {status}'>{_e(n.status)}</td>"
                     f"<td style='text-align:right'>{n.seconds:.1f} s</td>"
                     f"<td><a href='{_e(n.executed or '')}'>{_e(n.executed or '')}</a></td></tr>")
    parts.append("</table>")
    params = report.parameters
    filters = ", ".join(f"{k} = {params[k]}" for k in ("short_code", "brand") if params.get(k)) or "none"
    parts.append(f"<p class='ops-note'>Filters: {_e(filters)}. Numbers "
                 f"{describe(bool(params.get('pseudonymise')))}. "
                 f"Kernel {_e(report.kernel)}; {report.seconds:.1f} s in all.</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def write_index(report: "ReportRun", period: str) -> Path:
    path = Path(report.out_dir) / "index.html"
    tmp = path.with_suffix(".html.part")
    tmp.write_text(render_index(report, period), encoding="utf-8")
    tmp.replace(path)
    return path

