"""The executive summary and every rule's verdict: each rule's count this period and the
previous one (by the audits themselves, so the counts are `opsanalytics audit all`'s), and
whether it breached, is clean, or could not judge (no traffic, texts not logged, R9 without a
whole month or a forecast). The index, page 00 and every rule page read their verdicts here,
so they never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from opsanalytics import sla, warehouse
from opsanalytics.audits.result import AuditResult, Filters
from opsanalytics.config import Contract

#: rule id -> (short title, notebook that details it)
RULE_PAGES: dict[str, tuple[str, str]] = {
    "R1": ("Frequency cap", "10-frequency-caps"),
    "R2": ("Send window", "20-send-windows"),
    "R3": ("STOP mention", "30-stop-compliance"),
    "R4": ("STOP honoured", "30-stop-compliance"),
    "R5": ("34ABC session", "40-ranges-oadc-destinations"),
    "R6": ("Range use", "40-ranges-oadc-destinations"),
    "R7": ("OAdC", "40-ranges-oadc-destinations"),
    "R8": ("Throughput", "50-throughput"),
    "R9": ("Forecasts", "60-forecasts"),
    "R10": ("Destinations", "40-ranges-oadc-destinations"),
}


def previous_period(filters: Filters) -> Filters:
    """The period of the same length that ends the day before this one starts; for a period
    of whole calendar months, as many calendar months before it (April against March, not
    against 2-31 March: R9 judges whole months only, and a monthly report compared with a
    window cut one day into its month would never have its trend)."""
    if filters.date_from is None or filters.date_to is None:
        raise ValueError("the executive summary needs a period with both dates")
    start, to = filters.date_from, filters.date_to
    end = start - dt.timedelta(days=1)
    if start.day == 1 and (to + dt.timedelta(days=1)).day == 1:
        months = (to.year - start.year) * 12 + to.month - start.month + 1
        first = start.year * 12 + start.month - 1 - months
        return replace(filters, date_from=dt.date(first // 12, first % 12 + 1, 1), date_to=end)
    days = (to - start).days + 1
    return replace(filters, date_from=end - dt.timedelta(days=days - 1), date_to=end)


def run_every_audit(con, contract: Contract, filters: Filters) -> list[AuditResult]:
    """Every rule `opsanalytics audit all` runs, in its order (the summary's counts are these)."""
    from opsanalytics.audits import run_all

    return list(run_all(con, contract, filters))


@dataclass
class ExecutiveSummary:
    """Every rule with its count this period and the previous one, for the index and 00."""

    table: pd.DataFrame        # rule, name, title, violations, previous, change, status, notebook
    current: list[AuditResult]
    date_from: dt.date
    date_to: dt.date
    previous_from: dt.date
    previous_to: dt.date
    previous_coverage: str = "full"   # full | partial | none: days of the previous period with data
    coverage: str = "full"            # the same for this period (none: no rule could judge anything)

    def headline(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The figures above the rule table and their colours (see `headline`)."""
        return headline(self.to_json())

    def to_json(self) -> dict[str, Any]:
        rows = self.table.to_dict("records")
        return {
            "period": {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                       "coverage": self.coverage},
            "previous": {"from": self.previous_from.isoformat(), "to": self.previous_to.isoformat(),
                         "coverage": self.previous_coverage},
            "rules": [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in rows],
        }


def executive_summary(con, contract: Contract, filters: Filters) -> ExecutiveSummary:
    """Counts per rule now and in the previous period (previous_period), red when any;
    amber (not judged) when a rule had nothing or not everything to judge."""
    before = previous_period(filters)
    current = run_every_audit(con, contract, filters)
    previous = {r.rule: r for r in run_every_audit(con, contract, before)}
    coverage = period_coverage(con, contract, filters)
    previous_coverage = period_coverage(con, contract, before)
    rows = []
    for result in current:
        title, notebook = RULE_PAGES.get(result.rule, (result.name, ""))
        earlier = previous.get(result.rule)
        prior = int(earlier.violations) if earlier is not None else 0
        now = int(result.violations)
        status, note = judgement(result, filters, coverage)
        # a count of a period a rule could not judge is no baseline (0 there is not clean),
        # nor one to compare (R9 breached now, not judged in the previous period: not 'worse')
        comparable = (status != "not_judged" and earlier is not None
                      and judgement(earlier, before, previous_coverage)[0] != "not_judged")
        rows.append({
            "rule": result.rule,
            "name": result.name,
            "title": title,
            "violations": now,
            "previous": prior,
            "change": now - prior,
            "trend": ("n/a" if not comparable else "up" if now > prior else "down" if now < prior else "same"),
            "status": status,
            "note": note,
            "notebook": notebook,
            # what a filter does not narrow (R9 with --brand: forecasts are per short code)
            "scope": result.summary.get("note") or "",
        })
    table = pd.DataFrame(rows, columns=["rule", "name", "title", "violations", "previous", "change",
                                        "trend", "status", "note", "notebook", "scope"])
    if previous_coverage == "none":  # no traffic to compare with: a trend would be an artefact
        table["trend"] = "n/a"
        # nor is 0 a count of that period: summary.json said "previous": 0, "change": 7 where
        # the pages show '-' and 'n/a' (a probe)
        table["previous"] = None
        table["change"] = None
    return ExecutiveSummary(table, current, filters.date_from, filters.date_to,
                            before.date_from, before.date_to, previous_coverage, coverage)


#: the headline's total of every rule's count, which are not one unit
VIOLATIONS_LABEL = "violations (each rule counts in its own unit: see the table)"


def headline(summary: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The figures above the rule table, label -> value, and the CSS class of each, from
    summary.json (the index and 00 show the same). With no traffic in the period
    '0 / 10 rules breached' would read as clean: it says 'no traffic' in amber instead."""
    rules = summary["rules"]
    breached = sum(r["status"] == "breach" for r in rules)
    unjudged = sum(r["status"] == "not_judged" for r in rules)
    values: dict[str, Any] = {}
    tones: dict[str, str] = {}
    if summary["period"].get("coverage") == "none":
        values["rules judged: no traffic in the period"] = "none"
        tones["rules judged: no traffic in the period"] = "ops-unjudged"
    else:
        values["rules breached"] = f"{breached} / {len(rules)}"
        tones["rules breached"] = "ops-breach" if breached else "ops-clean"
        if unjudged:
            label = "rule not judged" if unjudged == 1 else "rules not judged"
            values[label] = unjudged
            tones[label] = "ops-unjudged"
    # (a sum of R1 groups, R8 seconds and messages: the label says so, the table gives each)
    values[VIOLATIONS_LABEL] = sum(int(r["violations"]) for r in rules)
    if summary["previous"].get("coverage") == "none":
        values["no traffic in the previous period"] = "n/a"
        tones["no traffic in the previous period"] = "ops-trend-na"
    else:
        worse = sum(r["trend"] == "up" for r in rules)
        values["rules worse than the previous period"] = worse
        tones["rules worse than the previous period"] = "ops-breach" if worse else "ops-clean"
    return values, tones


def judgement(result: AuditResult, filters: Filters, coverage: str = "full") -> tuple[str, str]:
    """(status, why not judged) of a rule, shared by the index and the rule's own page so
    they never disagree: breach (red), clean (green), or not_judged (amber): no breach
    found, but not everything was judged, which is not the same as being clean."""
    if result.violations > 0:
        return "breach", ""
    note = unjudged(result, filters, coverage)
    return ("not_judged" if note else "clean"), note


def unjudged(result: AuditResult, filters: Filters, coverage: str = "full") -> str:
    """Why a rule could not judge everything in the period ('' when it could): no traffic
    at all (`coverage` 'none', see period_coverage); R9 with no complete month, no data in
    its months or no forecast; R3 and R4 cannot read texts the log does not carry."""
    summary = result.summary
    if result.rule == "R9":  # per short code and month, brand aside: its own reasons
        return _r9_unjudged(result, filters)
    if coverage == "none":
        return f"No MT was accepted in this period{_scope(filters)}: there was nothing to judge."
    if result.rule == "R3" and summary.get("texts_not_logged"):
        return (f"R3 could not read the text of {summary['texts_not_logged']:,} marketing messages: "
                "the log does not carry it (no %b in the gateway's access-log-format).")
    if result.rule == "R4" and summary.get("mo_texts_not_logged"):
        return (f"R4 could not read {summary['mo_texts_not_logged']:,} MO texts (not in the log): "
                "a STOP among them is unseen.")
    return ""


def _scope(filters: Filters) -> str:
    parts = [f"short code {filters.short_code}" if filters.short_code else "",
             f"brand {filters.brand}" if filters.brand else ""]
    scope = " and ".join(p for p in parts if p)
    return f" for {scope}" if scope else ""


def _r9_unjudged(result: AuditResult, filters: Filters) -> str:
    """R9 judges the calendar months that lie inside both the period and the data; say
    which of those is missing, and whether a forecast was ever loaded."""
    summary = result.summary
    if result.violations or summary.get("months_judged", 1):
        return ""
    from opsanalytics.forecast.actuals import complete_months  # (late, as the other R9 helpers here)

    if filters.date_from and filters.date_to and not complete_months(filters.date_from, filters.date_to):
        reason = "this period holds no complete month"
    elif summary.get("months_partial"):
        reason = "the logs cover only part of this period's months (they start or end inside them)"
    else:
        scope = f" for short code {filters.short_code}" if filters.short_code else ""
        reason = f"the warehouse holds no traffic{scope} in this period's months"
    note = f"R9 compares whole months with their forecast; {reason}."
    if not summary.get("forecast_versions"):
        note += " No forecast has been loaded either (opsanalytics forecast load --db DB FILE)."
    return note


#: a period is only partly covered when a stretch of it longer than this had no log up (R13's
#: observed time: audits/r13_unlogged.sql): days between two logs, or a gateway down for days.
#: A rotation's reopen (a second), a restart (seconds) or a night's maintenance (hours) is
#: no gap in the data; a session-35 probe's September, a log only from the 20th, is
UNLOGGED_TOLERANCE = dt.timedelta(days=1)


def period_coverage(con, contract: Contract, filters: Filters) -> str:
    """Whether the warehouse holds MT traffic over the whole period ('full'), part of it
    ('partial': the data starts or ends inside it, a stretch of it longer than
    UNLOGGED_TOLERANCE had no log (R13's observed time), or the logs were last read before the
    period's end: reports/logs_read_until.sql) or none of it ('none': no data, or no
    accepted MT for the short code and brand filters)."""
    from opsanalytics.forecast.actuals import data_coverage  # (late, as the other R9 helpers here)

    first, last = data_coverage(con, contract)
    start, end = filters.date_from or first, filters.date_to or last
    if first is None or last < start or first > end:
        return "none"
    (messages,) = warehouse.execute(con, "reports/period_traffic", filters.params(contract)).fetchone()
    if not messages:
        return "none"
    if first > start or last < end:
        return "partial"
    if _longest_unlogged(con, contract, filters) > UNLOGGED_TOLERANCE.total_seconds():
        return "partial"
    if filters.date_to is not None:
        last_line, last_read, loads = warehouse.execute(con, "reports/logs_read_until").fetchone()
        period_end = pd.Timestamp(filters.date_to + dt.timedelta(days=1)).tz_localize(contract.timezone)
        if loads and last_line is not None and last_read is not None and last_line <= last_read \
                and pd.Timestamp(last_read) < period_end:
            return "partial"
    return "full"


def _longest_unlogged(con, contract: Contract, filters: Filters) -> float:
    """Seconds of the longest stretch of the period no log covered, between the logs' start
    and end (R13's notion: a log is up from its first line or marker to its last, less its
    own downtime)."""
    # the temporary macros r13_unlogged reads, as sla.sla defines them
    for macro in ("reports/log_of_load", "audits/r13_downtime", "audits/r13_log_ups"):
        warehouse.execute(con, macro).fetchall()
    (longest,) = warehouse.execute(con, "audits/r13_unlogged",
                                   {**filters.params(contract), "reopen_seconds": sla.REOPEN_SECONDS}).fetchone()
    return float(longest)
