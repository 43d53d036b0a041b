"""R13 SLA: the outages of Orange's platform the gateway's logs show, as evidence for a claim.

Orange promises 99 % availability of its SMS platforms over 12 rolling months and restoration
within 6 hours. The access log shows an outage as submits failing for the platform's sake
(queries/audits/r13_incidents.sql) and as receipts no longer coming (r13_receipt_gaps.sql), per
gateway connection. Each incident has two lengths: what the log proves (its failures that
follow each other at most MAX_FAILURE_GAP apart: two failures hours apart on a sparse link
prove two instants, not the hours between) and the most it can have lasted (last accepted
submit before it to the first after it). Availability is measured over the time the logs cover,
with both: `availability_seen` is at most what the platform gave (only the proven downtime
counted), `availability_at_least` the least it gave (every incident at its longest). A claim
stands when even the first is under the promise; it is worth examining when only the second is.
The gateway's own downtime (its stop, or a crash's last line, to its next `Log begins`:
r13_downtime.sql), while no other log of the connection was up (r13_connection_down.sql: an HA
pair's other gateway watches the link meanwhile), cuts an incident and a receipt stall and is
no observed time: the log proves nothing of the links then. So is a stretch between a
connection's logs that no log covers (separate files days apart): not the gateway's downtime,
nothing says it stopped, but nothing was logged either; and, before its first log or after its
last, a stretch in which no log at all (of any connection) was up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from opsanalytics import warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import Contract

#: Kannel's NACK of a submit the SMSC refused for its own sake (SMPP 3.4 command_status):
#: system error 0x08, message queue full 0x14, submit failed 0x45, temporary application
#: error 0x64, unknown error 0xFF. An invalid address or a refused content is the message's
#: fault, and throttling (0x58) the sender's, over its subscribed rate (R8): not outages
PLATFORM_NACK = r"(?i)^NACK/0x0*(8|14|45|64|ff)/"
#: a receipt gap: at least this many accepted lines in a row that asked for a final receipt
#: and got none (fewer is the network's usual loss)
MIN_GAP_LINES = 20
#: an incident of fewer failed submits is read no longer than the failures it shows
MIN_INCIDENT_LINES = 2
#: two consecutive failure lines of a run (no line of the connection between them) at most
#: this far apart prove the link failing between them; further apart, only at their instants.
#: A `DISCARDED SMS` is written when Kannel gives up on a message, sms-resend-retry times
#: sms-resend-freq after its first failing submit (an `EXPIRED SMS` a validity after the
#: request): a later failure within that span was a message already being retried, and
#: failing, when the earlier was given up. Half an hour: e.g. 30 retries at Kannel's default
#: sms-resend-freq of 60 s; the simulator's outage fails an attempt every half hour
#: (docs/sla.md). A session-33 probe: two DISCARDED lines 10 h apart, nothing between them,
#: read as 10 h proven and over 6 h proven
MAX_FAILURE_GAP = dt.timedelta(minutes=30)
#: a `Log begins` this soon after the `Log ends` before it is Kannel reopening its log (a
#: rotation), no restart and no downtime (as report/insights.py's REOPEN_SECONDS)
REOPEN_SECONDS = 1
#: a receipt stall: at least MIN_GAP_LINES accepted lines in a row whose final receipt came
#: later than this after the submit (a handset switched off delays one receipt, not a run)
STALL_DELAY = dt.timedelta(hours=1)
#: Orange's promises (RULES.md R13)
PROMISED_AVAILABILITY = 0.99
RESTORATION = dt.timedelta(hours=6)


@dataclass
class Sla:
    """`incidents` (submit failures), `receipt_gaps` (receipts that never came) and
    `receipt_stalls` (receipts held for hours), one row each; `availability` per connection
    and local month; `rolling` per connection over the 12 months to the period's end; `span`
    the instants the logs cover (first_at, last_at; None for an empty warehouse);
    `gateway_down` the gateway's own downtime per connection (no observed time)."""

    incidents: pd.DataFrame
    receipt_gaps: pd.DataFrame
    availability: pd.DataFrame
    rolling: pd.DataFrame
    span: tuple[Any, Any]
    receipt_stalls: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    gateway_down: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    def to_json(self) -> dict[str, Any]:
        """The JSON of `opsanalytics sla --format json` (docs/sla.md): every instant in UTC
        (the availability windows are local in the frames, for the table and the report page),
        `over_6h` null when neither proven nor possible (the frames keep "")."""
        return {
            "rule": "R13",
            "name": "sla",
            "promised_availability": PROMISED_AVAILABILITY,
            "restoration_hours": RESTORATION.total_seconds() / 3600,
            "logs_from": _plain(self.span[0]),
            "logs_to": _plain(self.span[1]),
            "rolling_12_months": _records(self.rolling),
            "availability_by_month": _records(self.availability),
            "incidents": _judged(_records(self.incidents)),
            "receipt_gaps": _records(self.receipt_gaps),
            "receipt_stalls": _judged(_records(self.receipt_stalls)),
            "gateway_down": _records(self.gateway_down),
        }


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)) and value.tzinfo is not None:
        return pd.Timestamp(value).tz_convert("UTC").isoformat()
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")]


def _judged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`over_6h` null, not "", when neither proven nor possible: a value that does not exist
    (docs/audit-json.md, "Conventions")."""
    return [{**row, "over_6h": row["over_6h"] or None} if "over_6h" in row else row for row in rows]


def parameters(contract: Contract, filters: Filters) -> dict[str, Any]:
    return {**filters.params(contract), "platform_nack": PLATFORM_NACK, "min_gap_lines": MIN_GAP_LINES,
            "reopen_seconds": REOPEN_SECONDS, "stall_seconds": STALL_DELAY.total_seconds(),
            "max_failure_gap": MAX_FAILURE_GAP.total_seconds()}


def sla(con: duckdb.DuckDBPyConnection, contract: Contract, filters: Filters) -> Sla:
    params = parameters(contract, filters)
    # the temporary macros r13_incidents, r13_receipt_stalls and r13_gateway_down read (the
    # gateway's downtime, per log, then per connection)
    warehouse.execute(con, "reports/log_of_load").fetchall()
    warehouse.execute(con, "audits/r13_downtime").fetchall()
    warehouse.execute(con, "audits/r13_log_ups").fetchall()
    warehouse.execute(con, "audits/r13_connection_down").fetchall()
    # the 12 rolling months reach back before `--from` (an outage of last month breaks this
    # month's 12-month availability): every incident up to the period's end is read once,
    # and the period's own are those not over before its first day (r13_incidents.sql's test)
    history = warehouse.fetch_df(con, "audits/r13_incidents", {**params, "date_from": None})
    incidents = history if filters.date_from is None else history[
        history["restored_at"].fillna(history["last_failure_at"])
        >= pd.Timestamp(filters.date_from).tz_localize(contract.timezone)].reset_index(drop=True)
    gaps = warehouse.fetch_df(con, "audits/r13_receipt_gaps", params)
    stalls = _judge_stalls(warehouse.fetch_df(con, "audits/r13_receipt_stalls", params))
    down = warehouse.fetch_df(con, "audits/r13_gateway_down", params)
    # what the availability leaves out of the observed time: the gateway's downtime before
    # --from too (the 12 rolling months reach back), and the stretches no log covers
    unobserved = warehouse.fetch_df(con, "audits/r13_unobserved", params)
    connections = warehouse.fetch_df(con, "audits/r13_connections", params)
    first_at, last_at = warehouse.execute(con, "audits/r13_log_span").fetchone()
    # the proven stretches of every incident, for the availability (not listed: the lists
    # give their total, seen_s, and the longest, longest_seen_s)
    proven = _stretches(history)
    incidents = _judge_incidents(incidents.drop(columns="proven_stretches"), first_at, last_at)
    history = _judge_incidents(history.drop(columns="proven_stretches"), first_at, last_at)
    if first_at is None:
        empty = pd.DataFrame(columns=["smsc", "short_codes", "from", "to", "observed_s", "down_seen_s",
                                      "down_at_most_s", "availability_seen", "availability_at_least", "verdict"])
        return Sla(incidents, gaps, empty.rename(columns={"from": "month"}), empty, (None, None), stalls, down)
    tz = contract.timezone
    start, end = _window(filters, tz, first_at, last_at)
    # the downtime counted against each window comes from every incident up to the period's
    # end (an incident that began before the period's first day still takes its share of it)
    months = _month_windows(start, end, tz)
    availability = pd.concat(
        [_availability(connections, history, unobserved, a, b, proven).assign(month=label) for label, a, b in months],
        ignore_index=True) if months else pd.DataFrame()
    if len(availability):
        availability = availability[["month", *[c for c in availability.columns if c != "month"]]]
    rolling = _rolling(connections, history, unobserved, proven, filters, tz, first_at, last_at)
    return Sla(incidents, gaps, availability.reset_index(drop=True), rolling, (first_at, last_at), stalls, down)


def _window(filters: Filters, tz: str, first_at, last_at) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period asked for, within what the logs cover."""
    start, end = pd.Timestamp(first_at), pd.Timestamp(last_at)
    if filters.date_from is not None:
        start = max(start, pd.Timestamp(filters.date_from).tz_localize(tz))
    if filters.date_to is not None:
        end = min(end, (pd.Timestamp(filters.date_to) + pd.Timedelta(days=1)).tz_localize(tz))
    return start, end


def _rolling(connections: pd.DataFrame, history: pd.DataFrame, down: pd.DataFrame, proven: pd.DataFrame,
             filters: Filters, tz: str, first_at, last_at) -> pd.DataFrame:
    """The 12 rolling months: the 12 months to the period's end (the local midnight after
    `--to`, else the logs' end), clipped to what the logs cover; when the logs do not overlap
    them (a period before the logs, or a year and more after them), the window's own bounds
    with no observed time (`no log`): never `from` after `to`."""
    end = pd.Timestamp(last_at) if filters.date_to is None else \
        (pd.Timestamp(filters.date_to) + pd.Timedelta(days=1)).tz_localize(tz)
    start = end - pd.DateOffset(months=12)
    if filters.date_to is not None:
        # 12 calendar months of local days (DST between them changes no day)
        start = (pd.Timestamp(filters.date_to) + pd.Timedelta(days=1) - pd.DateOffset(months=12)).tz_localize(tz)
    lo, hi = max(start, pd.Timestamp(first_at)), min(end, pd.Timestamp(last_at))
    if lo < hi:
        return _availability(connections, history, down, lo.tz_convert(tz), hi.tz_convert(tz), proven)
    # no log in the window: measured over nothing (no observed time), shown with its bounds
    rolling = _availability(connections, history, down, end, end, proven)
    return rolling.assign(**{"from": start.tz_convert(tz), "to": end.tz_convert(tz)})


def _month_windows(start: pd.Timestamp, end: pd.Timestamp, tz: str) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    if end <= start:
        return []
    out = []
    month = start.tz_convert(tz).tz_localize(None).to_period("M")
    while True:
        a = month.start_time.tz_localize(tz)
        b = (month + 1).start_time.tz_localize(tz)
        if a >= end:
            break
        out.append((str(month), max(a, start).tz_convert(tz), min(b, end).tz_convert(tz)))
        month += 1
    return out


def _stretches(incidents: pd.DataFrame) -> pd.DataFrame:
    """The proven stretches of the incidents (r13_incidents.sql's `proven_stretches`), one
    row each: smsc, proven_from, proven_to."""
    rows = [(smsc, pd.Timestamp(s["proven_from"]), pd.Timestamp(s["proven_to"]))
            for smsc, stretches in zip(incidents["smsc"], incidents["proven_stretches"])
            for s in (stretches if stretches is not None else [])]
    frame = pd.DataFrame(rows, columns=["smsc", "proven_from", "proven_to"])
    if not rows:
        frame = frame.astype({"proven_from": "datetime64[us, UTC]", "proven_to": "datetime64[us, UTC]"})
    return frame


def _judge_incidents(incidents: pd.DataFrame, first_at, last_at) -> pd.DataFrame:
    """Each incident's longest reading (`from_at_most`, `to_at_most`: the accepted submits
    around it, else the gateway's restart before it / stop after it, else the logs' start or
    end) and whether it breaks the 6-hour
    restoration promise: `proven` when one proven stretch of its failures (longest_seen_s:
    consecutive failures at most MAX_FAILURE_GAP apart) spans 6 h, `possible` when only its
    longest reading does. A lone failed submit is no evidence that anything lasted beyond its
    second (on a link with sparse traffic the last success may be a day old): its longest
    reading is its own second."""
    out = incidents.copy()
    lone = out["failed_lines"] < MIN_INCIDENT_LINES
    out["from_at_most"] = out["last_ok_before"].fillna(out["log_resumed_at"]).fillna(first_at) \
        .where(~lone, out["first_failure_at"]) if len(out) else out["last_ok_before"]
    out["to_at_most"] = out["restored_at"].fillna(out["log_stopped_at"]).fillna(last_at) \
        .where(~lone, out["last_failure_at"]) if len(out) else out["restored_at"]
    if len(out):
        # never shorter than the failures seen: a bound found inside the run (a stop or an
        # accepted line another log wrote meanwhile) would read a proven outage as shorter
        # than it was, at_most_s under seen_s
        out["from_at_most"] = out["from_at_most"].where(out["from_at_most"] <= out["first_failure_at"],
                                                        out["first_failure_at"])
        out["to_at_most"] = out["to_at_most"].where(out["to_at_most"] >= out["last_failure_at"],
                                                    out["last_failure_at"])
    limit = RESTORATION.total_seconds()
    longest = (out["to_at_most"] - out["from_at_most"]).dt.total_seconds() if len(out) else out["seen_s"]
    out["at_most_s"] = longest
    out["over_6h"] = [("proven" if seen >= limit else "possible" if most >= limit else "")
                      for seen, most in zip(out["longest_seen_s"], longest)]
    # the restart columns, then longest_seen_s, last: csv readers of the earlier columns find
    # them where they were
    later = ["log_resumed_at", "log_stopped_at", "longest_seen_s"]
    return out[[c for c in out.columns if c not in later] + [c for c in later if c in out.columns]]


def _judge_stalls(stalls: pd.DataFrame) -> pd.DataFrame:
    """A stall breaks the 6-hour restoration promise `proven` when every receipt of it was
    held 6 h (its shortest delay), `possible` when one was (its longest)."""
    out = stalls.copy()
    limit = RESTORATION.total_seconds()
    out["over_6h"] = [("proven" if short >= limit else "possible" if long >= limit else "")
                      for short, long in zip(out["shortest_delay_s"], out["longest_delay_s"])]
    return out


def _overlap(a_from: pd.Series, a_to: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    lo = a_from.where(a_from > start, start)
    hi = a_to.where(a_to < end, end)
    return (hi - lo).dt.total_seconds().clip(lower=0)


def _down_within(down: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Seconds of [start, end) inside the gateway's downtime, overlapping stretches once."""
    total, reach = 0.0, start
    for a, b in sorted(zip(down["down_from"], down["down_to"])) if len(down) else ():
        a, b = max(pd.Timestamp(a), reach), min(pd.Timestamp(b), end)
        if b > a:
            total += (b - a).total_seconds()
            reach = b
    return total


def _availability(connections: pd.DataFrame, incidents: pd.DataFrame, down: pd.DataFrame,
                  start: pd.Timestamp, end: pd.Timestamp, proven: pd.DataFrame) -> pd.DataFrame:
    """Per connection, over [start, end) less the time no log watched it (`down`: the
    gateway's own downtime and the stretches no log covers, r13_unobserved.sql): the downtime seen (the incidents' proven stretches, `proven`) and at
    most, and the availability each gives, with the verdict against the 99 % promise."""
    rows = []
    for smsc, codes in zip(connections["smsc"], connections["short_codes"]):
        gone = _down_within(down[down["smsc"] == smsc] if len(down) else down, start, end)
        observed = max((end - start).total_seconds() - gone, 0.0)
        mine = incidents[incidents["smsc"] == smsc]
        held = proven[proven["smsc"] == smsc]
        seen = float(_overlap(held["proven_from"], held["proven_to"], start, end).sum()) if len(held) else 0.0
        most = float(_overlap(mine["from_at_most"], mine["to_at_most"], start, end).sum()) if len(mine) else 0.0
        upper = None if not observed else 1 - seen / observed
        lower = None if not observed else 1 - most / observed
        # judged before rounding: 0.98999975 rounds to 0.99, yet is under the promise
        verdict = ("no log" if upper is None else "breach proven" if upper < PROMISED_AVAILABILITY
                   else "breach possible" if lower < PROMISED_AVAILABILITY else "kept")
        upper, lower = (None, None) if upper is None else (round(upper, 6), round(lower, 6))
        rows.append((smsc, codes, start, end, observed, seen, most, upper, lower, verdict))
    return pd.DataFrame(rows, columns=["smsc", "short_codes", "from", "to", "observed_s", "down_seen_s",
                                       "down_at_most_s", "availability_seen", "availability_at_least", "verdict"])


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """An availability table as a page shows it: shares as percentages to the thousandth
    (99 % is the line: 0.99 and 0.994 must not both read '0.99'), rounded down, so that a
    share under 99 % never reads 99.000 %."""
    out = frame.astype({c: object for c in ("availability_seen", "availability_at_least") if c in frame})
    for column in ("availability_seen", "availability_at_least"):
        if column in out:
            out[column] = pd.Series([None if pd.isna(v) else f"{math.floor(v * 100_000) / 1000:.3f}%"
                                     for v in out[column]], index=out.index, dtype=object)
    return out
