"""What report pages show besides the audits' own rows, in two kinds of function.

Queries, of (con, contract, filters): each runs one file of queries/reports/ with the period
and filters bound (files loaded, rejects, DLR coverage, log gaps and restarts, clock offsets,
traffic per day, the send heatmap, days off, the most pressured numbers, throughput per hour,
STOP volumes, MO words); next_semester alone reads R9's monthly history instead.
Shaping, of a frame or an AuditResult already fetched: no query, only the form a page shows
it in (breaches by severity, counts per value, per text, per brand, R2's days, R4's delays,
R8's throughput tiers, R10's non-Orange share, R9's history beside its forecast), so that a
test can hand them a frame made up for it.

The executive summary and every rule's verdict (breach, clean, not judged) are summary.py's.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from opsanalytics import warehouse
from opsanalytics.audits.result import AuditResult, Filters, counts_by
from opsanalytics.config import Contract
from opsanalytics.provenance import EVENT_ID_BASE

if TYPE_CHECKING:
    from opsanalytics.forecast import NextForecast


def _params(contract: Contract, filters: Filters, **extra: Any) -> dict[str, Any]:
    return {**filters.params(contract), **extra}


def _query(con: duckdb.DuckDBPyConnection, name: str, contract: Contract, filters: Filters,
           **extra: Any) -> pd.DataFrame:
    return warehouse.fetch_df(con, f"reports/{name}", _params(contract, filters, **extra))


def _top(frame: pd.DataFrame) -> pd.DataFrame:
    """A query cut at $limit rows: its `total_rows` column (the rows before the cut) moved to
    frame.attrs['total_rows'], from which tables say 'top 25 of 1,234 rows'."""
    total = int(frame["total_rows"].iloc[0]) if len(frame) else 0
    frame = frame.drop(columns="total_rows")
    frame.attrs["total_rows"] = total
    return frame


# --- data quality -------------------------------------------------------------------------

def load_files(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Files offered to ingest, newest first, with their line accounting."""
    return _query(con, "load_files", contract, filters)


def rejects_by_reason(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Rejected lines per reason, commonest first, with an example and where it is."""
    return _query(con, "rejects_by_reason", contract, filters)


def dlr_coverage(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Final DLR statuses of accepted MT per short code; weakest coverage first."""
    return _query(con, "dlr_coverage", contract, filters)


def mt_not_sent(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """MT lines the gateway refused, discarded or let expire, per label, short code and
    brand, most first (status's mt.refused, in the period)."""
    return _query(con, "mt_not_sent", contract, filters)


def dlr_unmatched(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """DLR lines that link to no MT, per connection and origin, of the filters' short code
    and brand (a DLR is attributed through its MT, else its smsc, sender and service);
    `attributed` False: the lines a filter could not attribute (see dlr_unmatched_table)."""
    return _query(con, "dlr_unmatched", contract, filters)


def dlr_unmatched_table(frame: pd.DataFrame, filters: Filters) -> tuple[pd.DataFrame, str | None]:
    """The rows of `dlr_unmatched` attributed to the filters, and a note on the lines that
    could not be attributed to a short code or brand (none without a filter)."""
    attributed = frame["attributed"].astype(bool) if len(frame) else pd.Series([], dtype=bool)
    rows = frame[attributed].drop(columns="attributed").reset_index(drop=True)
    apart = frame[~attributed]
    if apart.empty:
        return rows, None
    what = " or ".join(w for w, f in (("short code", filters.short_code), ("brand", filters.brand)) if f)
    lines, unmatched = int(apart.dlr_lines.sum()), int(apart.unmatched.sum())
    return rows, (f"Not counted above: {lines:,} DLR line{'s' if lines != 1 else ''} ({unmatched:,} linked to "
                  f"no MT) whose {what} cannot be told: no MT, and a connection, sender or service "
                  "that the contract does not tie to one.")


def log_gaps(con, contract: Contract, filters: Filters, gap_minutes: int = 30) -> pd.DataFrame:
    """Silences longer than `gap_minutes` in the logs, longest first, with restarts inside."""
    return _query(con, "log_gaps", contract, filters, gap_minutes=gap_minutes)


#: a `Log begins` this soon after the `Log ends` before it is Kannel reopening its log (a
#: rotation), not a restart: a reopen writes both in the same second (or across a second's
#: tick), while a restart takes the gateway's stop and start: 2 s for a real Kannel 1.4.5
#: against a local SMSC (tests/fixtures/kannel-1.4.5/restart-crash)
REOPEN_SECONDS = 1


def log_restarts(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Every `Log begins`; unclean restarts (no `Log ends` before) first, log reopens
    (rotations: `reopened`) last."""
    warehouse.execute(con, "reports/log_of_load").fetchall()  # the macro the query reads
    return _query(con, "log_restarts", contract, filters, reopen_seconds=REOPEN_SECONDS)


def services_not_in_contract(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Services sending accepted MTs that the contract does not name: no brand, no category,
    so no marketing rule sees their traffic."""
    return _query(con, "services_not_in_contract", contract, filters)


def connections_not_in_contract(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Connections (smsc-ids) carrying accepted MTs that the contract, which names some, does
    not: their lines get a short code from their sender only."""
    return _query(con, "connections_not_in_contract", contract, filters)


def clock_offsets(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Per connection, the median offset between the SMSC's receipt `submit date` and the
    log's time of the MT: about zero when log_timezone is right (R2 depends on it)."""
    return _query(con, "clock_offsets", contract, filters,
                  receipt_tz=contract.receipt_timezone or contract.timezone)


def clock_warnings(offsets: pd.DataFrame, min_receipts: int = 20, minutes: float = 30) -> pd.DataFrame:
    """The connections whose receipts put the log's clock `minutes` or more away from the
    SMSC's, over at least `min_receipts` receipts (fewer prove nothing)."""
    return offsets[(offsets.receipts >= min_receipts) & (offsets.median_offset_minutes.abs() >= minutes)]


# --- traffic pictures ---------------------------------------------------------------------

def daily_traffic(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """MT messages, segments, MO and STOPs per local day and short code."""
    return _query(con, "daily_traffic", contract, filters)


#: daily_traffic's short code of messages that have none (a sender name on an unmapped link)
NO_SHORT_CODE = "(none)"


def traffic_kpis(traffic: pd.DataFrame) -> dict[str, int]:
    """Page 00's traffic figures from daily_traffic. Short codes: those the traffic went out
    on or came in to, MOs included, but not the `(none)` of messages that have none, which
    was counted as one."""
    codes = traffic.loc[traffic.short_code != NO_SHORT_CODE, "short_code"]
    return {
        "MT messages": int(traffic.mt_messages.sum()),
        # (page 50 counts every submitted segment, resubmissions and SMSC-refused submits included, as R8 does)
        "MT segments (a resubmission counted once)": int(traffic.mt_segments.sum()),
        "MO received": int(traffic.mo_messages.sum()),
        "STOP received": int(traffic.stops.sum()),
        "short codes": int(codes.nunique()),
    }


def throughput_scope_note(filters: Filters) -> str | None:
    """R8 with --brand: the brand's segments are drawn against the whole short code's rate,
    which other brands' traffic fills too; said, or a quiet brand reads as a clean code."""
    if filters.brand is None:
        return None
    return (f"Filtered on the brand {filters.brand}: the peaks below are its own segments. The subscribed rate "
            "is the short code's, shared by every brand sending on it: a second over the rate may come "
            "from their traffic together (see the report without --brand).")


def brand_mo_note(con, contract: Contract, filters: Filters) -> str | None:
    """With --brand: whose MOs the page counts. An MO has no brand, so every MO to a code the
    brand sends on is counted, and one stray message on another brand's code (an R6 breach)
    brings all that code's MOs in (a probe: 84 of a brand's 164 MOs were another brand's);
    the codes are named with the brand's messages on each, so such a code shows."""
    if filters.brand is None:
        return None
    codes = _query(con, "brand_short_codes", contract, filters)
    if codes.empty:
        return f"Filtered on the brand {filters.brand}: it sends on no short code, so no MO is counted as its."
    listed = ", ".join(f"{code} ({messages:,} message{'s' if messages != 1 else ''})"
                       for code, messages in zip(codes.short_code, codes.messages))
    return (f"Filtered on the brand {filters.brand}: an MO carries no brand, so the MOs counted are all those "
            f"sent to the short codes {filters.brand} sends on ({listed}, all days), other brands' on a shared "
            "code included; a code it sent only a stray message on brings in every MO of that code. The STOPs "
            f"counted are those R4 reads as concerning {filters.brand} (sent to a code it sends marketing on).")


def file_kpis(files: pd.DataFrame) -> dict[str, int]:
    """Page 01's figures from load_files: every file of the warehouse, whatever the period
    (said in the labels: under a period's header they read as the period's); a skipped file
    (already loaded) read no line of its own."""
    return {
        "files loaded (all periods)": int((files.state == "loaded").sum()),
        "files skipped (already loaded)": int((files.state == "skipped").sum()),
        "lines (all periods)": int(files.lines.sum()),
        "events (all periods)": int(files.events.sum()),
        "rejected lines (all periods)": int(files.rejected.sum()),
        "unbalanced files": int((~files.balanced.astype(bool)).sum()),
    }


def not_sent_kpis(not_sent: pd.DataFrame) -> dict[str, int]:
    """Page 01's figures from mt_not_sent: MT lines the gateway did not send, and of those the
    ones whose first part had already gone out (the number got part of the message)."""
    return {"MT lines not sent": int(not_sent.lines.sum()),
            "of which part 1 reached the number": int(not_sent.partly_sent.sum())}


def r2_kpis(result: AuditResult) -> dict[str, object]:
    """Page 20's figures from R2's summary: the window, the messages outside it, by reason
    (`on a sunday`, `on a holiday`, `outside the hours`), and the late deliveries."""
    s = result.summary
    return {
        "window": " - ".join(s["window"]),
        "messages outside": result.violations,
        **{"outside the hours" if reason == "hour" else f"on a {reason}": n for reason, n in s["by_reason"].items()},
        "delivered late (informative)": s["late_deliveries"],
    }


def late_delivery_hours(result: AuditResult) -> pd.Series:
    """R2: hours from submission to delivery of each late delivery (informative)."""
    late = result.details["late_deliveries"]
    return (late["delay_seconds"] / 3600).rename("hours_to_delivery")


def send_heatmap(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Marketing sends per local day and hour with the kind of day (R2)."""
    return _query(con, "send_heatmap", contract, filters)


def non_working_days(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Sundays and public holidays of the period (R2)."""
    if filters.date_from is None or filters.date_to is None:
        return pd.DataFrame(columns=["day", "weekday", "name", "day_kind"])
    return _query(con, "holidays_in_period", contract, filters)


def sends_per_day(heatmap: pd.DataFrame) -> pd.DataFrame:
    """R2: marketing messages per local day (day, messages), from `send_heatmap`'s cells: the
    bars under the heatmap. A message whose lines left in two hours is in two cells, and
    once in its day (day_messages)."""
    return heatmap.groupby("day", as_index=False)["day_messages"].sum().rename(columns={"day_messages": "messages"})


def public_holidays(days_off: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """R2: the public holidays among `non_working_days`, and a note naming how many Sundays
    the period holds besides (None when it holds none)."""
    holidays = days_off[days_off["day_kind"] == "holiday"].reset_index(drop=True)
    sundays = int((days_off["day_kind"] == "sunday").sum())
    if not sundays:
        return holidays, None
    return holidays, ("Nor on the period's other Sunday." if sundays == 1 else
                      f"Nor on the period's {sundays} other Sundays.")


def pressure_top(con, contract: Contract, filters: Filters, limit: int = 20) -> pd.DataFrame:
    """Numbers with the most marketing messages in one local day, all brands together: the
    `limit` worst (attrs['total_rows']: how many there are)."""
    return _top(_query(con, "pressure_top", contract, filters, limit=limit))


def throughput_hourly(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """Per short code and hour: busiest second, segments, seconds over the rate (R8)."""
    return _query(con, "throughput_hourly", contract, filters)


def stop_daily(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """STOP and START MOs per local day and short code (R4)."""
    return _query(con, "stop_daily", contract, filters)


def stops_received(con, contract: Contract, filters: Filters) -> int:
    """STOP messages received (MO lines) for R4's headline: each STOP once, however many
    brands it concerns (R4's per-brand statistics count it once per brand concerned)."""
    return int(warehouse.execute(con, "reports/stops_received", _params(contract, filters)).fetchone()[0])


def mo_words(con, contract: Contract, filters: Filters, limit: int = 25) -> pd.DataFrame:
    """Commonest first words of MOs and the keyword each was read as (R4): the `limit`
    commonest (attrs['total_rows']: how many there are)."""
    return _top(_query(con, "mo_words", contract, filters, limit=limit))


# --- audit results in the order and form a page shows them --------------------------------

_REASON_ORDER = {
    "R2": ["holiday", "sunday", "hour"],
    "R3": ["missing_stop", "missing_short_code", "wrong_number"],
    "R5": ["no_mo", "session_expired"],
    "R10": ["foreign", "overseas", "malformed", "not_mobile"],
}


def by_severity(result: AuditResult) -> pd.DataFrame:
    """The breach rows of an audit, worst first, for reports (the audit itself orders them
    by time, which suits scripts): R1 most over the cap, R4 longest after the STOP, R8 the
    seconds beyond the acknowledgement delay first, then most over the rate, rules with
    reasons by the gravity of the reason, then by time."""
    rows = result.rows
    if rows.empty:
        return rows
    if result.rule == "R1":
        return rows.sort_values(["over_cap", "messages", "day"], ascending=[False, False, True], kind="stable")
    if result.rule == "R4":
        return rows.sort_values(["seconds_after_stop"], ascending=False, kind="stable")
    if result.rule == "R8":
        # seconds an acknowledgement delay cannot explain (proven breaches) before the others
        return rows.sort_values(["beyond_ack_delay", "over_by", "second"], ascending=[False, False, True],
                                kind="stable")
    if "reason" in rows.columns:
        order = _REASON_ORDER.get(result.rule, [])
        rank = rows["reason"].map(lambda r: order.index(r) if r in order else len(order))
        time = "submitted_at" if "submitted_at" in rows.columns else rows.columns[0]
        return (rows.assign(_rank=rank).sort_values(["_rank", time], kind="stable")
                .drop(columns="_rank"))
    return rows


#: the audit rows' columns of line ids (docs/audit-json.md, "Provenance keys") and the column
#: each is shown as on a page: the file's name and its lines ('access.log.1.gz:1-2 (load 1)';
#: not `lines`, R8's count of lines).
#: R1's message_ids are the first lines of its mt_ids, shown in `mt_lines`; message_id stays, the
#: key of the row in the JSON and CSV.
CITED = {"mt_ids": "mt_lines", "breach_mt_id": "breach_line", "stop_mo_id": "stop_line",
         "acknowledgement_mt_id": "acknowledgement_line", "last_mo_id": "last_mo_line"}


def where_logged(con, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Breach rows with their line ids (CITED) as the file's name and line numbers, and the
    files they cite (files_cited: the path of each load). Event ids alone could not be traced
    once page 01's table of files, 50 rows, no longer held every load (a probe: 61 loads)."""
    present = [c for c in CITED if c in rows.columns]
    if rows.empty or not present:
        return rows, files_cited(con, [])
    out = rows.reset_index(drop=True)
    ids = (out[present].rename_axis("row_no").reset_index()
           .melt(id_vars="row_no", var_name="column", value_name="id")
           .explode("id").dropna(subset=["id"]))
    decoded = warehouse.fetch_df(con, "reports/lines_cited", {
        "row_nos": ids["row_no"].astype("int64").tolist(), "columns": ids["column"].tolist(),
        "ids": ids["id"].astype("int64").tolist()})
    shown = (decoded.pivot(index="row_no", columns="column", values="lines")
             .reindex(index=out.index, columns=present).astype(object).fillna(""))
    out = out.drop(columns="message_ids", errors="ignore").assign(**{c: shown[c] for c in present})
    loads = (ids["id"].astype("int64") // EVENT_ID_BASE).tolist()
    return out.rename(columns=CITED), files_cited(con, loads)


def files_cited(con, load_ids) -> pd.DataFrame:
    """The loads of `load_ids` (each once, missing ones left out), by load id: their path as
    page 01 shows it and the lines each read."""
    ids = pd.Series(load_ids, dtype="float64").dropna().astype("int64").unique().tolist()
    return warehouse.fetch_df(con, "reports/files_cited", {"load_ids": ids})


#: the audits' reason codes (the JSON contract, docs/audit-json.md) in words, for the bars of
#: the pages; tables keep the codes, which match the JSON
REASON_WORDS = {
    "hour": "outside the hours", "sunday": "on a Sunday", "holiday": "on a public holiday",
    "missing_stop": "no STOP mention", "missing_short_code": "STOP without its short code",
    "wrong_number": "STOP with another number",
    "no_mo": "no MO from the number", "session_expired": "session expired",
    "unknown_short_code": "short code not in the contract", "marketing_outside_35_36": "marketing outside 35/36",
    "no_geo_presence": "35ABC without geo presence", "not_m2m_number": "38ABC to a non-M2M number",
    "not_short_code": "not the sending short code", "not_declared": "name not declared",
    "malformed": "malformed number", "overseas": "overseas number", "foreign": "foreign number",
    "not_mobile": "not a mobile number",
}


def count_by(frame: pd.DataFrame, column: str, label: str | None = None) -> pd.DataFrame:
    """Rows per value of `column`, most first: the data of a 'by reason' / 'by brand' bar
    (reason codes in words: `missing_short_code` reads 'STOP without its short code')."""
    counts = counts_by(frame, column)
    names = [REASON_WORDS.get(k, k) for k in counts] if column == "reason" else list(counts)
    return pd.DataFrame({label or column: names, "count": list(counts.values())})


def distinct_texts(result: AuditResult) -> pd.DataFrame:
    """R3: one row per breaching text (per reason, brand and short code) with how many
    messages carried it: campaigns are fixed by text, not message by message."""
    rows = result.rows
    columns = ["reason", "brand", "short_code", "text", "messages", "first_sent"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    grouped = (rows.groupby(["reason", "brand", "short_code", "text"], dropna=False)
               .agg(messages=("message_id", "count"), first_sent=("submitted_at", "min"))
               .reset_index())
    order = _REASON_ORDER["R3"]
    grouped["_rank"] = grouped["reason"].map(lambda r: order.index(r) if r in order else len(order))
    return (grouped.sort_values(["_rank", "messages"], ascending=[True, False], kind="stable")
            .drop(columns="_rank")[columns])


def r3_texts_note(result: AuditResult) -> str:
    """R3: the note under the texts in breach: the exempt services, and what the dots of a
    text logged in GSM are (`R..pondez`), when a text shown has them, so that a reader does
    not take them for the sender's typing."""
    note = f"Exempt services (informed at collection): {', '.join(result.summary.get('exempt_services', [])) or 'none'}."
    rows = result.rows
    if not rows.empty and "text_lossy" in rows.columns and rows["text_lossy"].fillna(False).astype(bool).any():
        note += (" Dots in a text: Kannel's access log writes each byte outside ASCII of a GSM text as '.', "
                 "so an accented letter shows as '..' (R..pondez: Répondez) and € as '...'; the message "
                 "itself went out with them.")
    return note


def opt_outs_per_brand(result: AuditResult) -> pd.DataFrame:
    """R4 per brand, most ignored first: the opt-outs from each brand (a STOP to a short code
    several brands share is one opt-out from each of them, so these add up to more than the
    STOPs received), the numbers, START, opt-outs followed by MT and by marketing, and the
    median and longest time to the last MT the brand still sent, in hours."""
    stats = result.details.get("stop_stats", pd.DataFrame())
    columns = ["brand", "opt_outs", "numbers_opted_out", "starts", "opt_outs_followed_by_mt",
               "opt_outs_followed_by_marketing", "median_hours_to_last_mt", "max_hours_to_last_mt"]
    if stats.empty:
        return pd.DataFrame(columns=columns)
    out = stats.rename(columns={"stops": "opt_outs", "stops_followed_by_mt": "opt_outs_followed_by_mt",
                                "stops_followed_by_marketing": "opt_outs_followed_by_marketing"})
    out = out.assign(median_hours_to_last_mt=(out["median_seconds_to_last_mt"] / 3600).round(2),
                     max_hours_to_last_mt=(out["max_seconds_to_last_mt"] / 3600).round(2))
    return (out.sort_values(["opt_outs_followed_by_marketing", "opt_outs"], ascending=False, kind="stable")
            [columns].reset_index(drop=True))


def hours_after_stop(result: AuditResult) -> pd.Series:
    """R4: hours from the STOP to each marketing MT sent after it (empty without a breach)."""
    rows = result.rows
    if rows.empty or "seconds_after_stop" not in rows.columns:
        return pd.Series([], dtype=float, name="hours_after_stop")
    return (rows["seconds_after_stop"] / 3600).rename("hours_after_stop")


def non_orange_shares(result: AuditResult) -> pd.DataFrame:
    """R10 (informative): per short code and brand, the MT lines, how many failed as not an
    Orange subscriber, and that share in percent (two decimals), highest share first. The
    share is left empty where no line has a final receipt: 0.00 % there would read as clean
    when the log says nothing (receipts not asked, or lost)."""
    share = result.details.get("non_orange_share", pd.DataFrame(columns=["non_orange_share", "mt",
                                                                           "without_final_status"]))
    pct = (share["non_orange_share"] * 100).round(2).astype(float)
    return (share.assign(non_orange_pct=pct.where(share["without_final_status"] < share["mt"]))
            .drop(columns="non_orange_share")
            .sort_values("non_orange_pct", ascending=False, kind="stable", na_position="last")
            .reset_index(drop=True))


def non_orange_headline(result: AuditResult) -> tuple[str, str]:
    """R10: the non-Orange share as a figure for the page's headline, and the note under its
    table. Failures the log gives no error for (a UCP/EMI link logs none) cannot be counted
    as non-Orange: the share is then a lower bound, and says so ('≥ 0.00%', not '0.00%')."""
    summary = result.summary
    share, unknown = summary.get("non_orange_share"), summary.get("failed_error_unknown", 0)
    lines, no_final = summary.get("mt_lines", 0), summary.get("mt_without_final_status", 0)
    if share is None:
        figure = "no MT"
    elif lines and no_final == lines:
        figure = "no final DLR"
    else:
        figure = f"{'≥ ' if unknown or no_final else ''}{share:.2%}"
    note = f"Errors counted: {summary.get('non_orange_errors', '')}."
    if unknown:
        note += (f" {unknown:,} failed MT line(s) have no error in the log (a UCP/EMI link logs none): "
                 "they may be non-Orange subscribers too, so the share is a lower bound.")
    if no_final:
        note += (f" {no_final:,} of {lines:,} MT line(s) have no final delivery report (none asked, lost, "
                 "or still pending): the log cannot say whether they reached an Orange subscriber, so "
                 "the share is a lower bound; it is left empty where no line has one.")
    return figure, note


def tier_options(result: AuditResult, contract: Contract) -> pd.DataFrame:
    """R8: per short code, every throughput tier with its monthly price, whether it carries
    the observed peak, whether Orange must be asked, and how long the busiest day's traffic
    takes at that rate (does it fit one of the contract's send windows, with its headroom?).
    `subscribed` of a short code the contract does not name is 'not in the contract' on every
    tier: nothing is subscribed for it (R8 judges its traffic at the included 10 SMS/s)."""
    from opsanalytics import pricing

    per_code = result.details.get("per_short_code", pd.DataFrame())
    in_contract = {sc.code for sc in contract.short_codes}
    rows = []
    for code in per_code.to_dict("records"):
        peak = float(code["peak"])
        busiest = int(code["busiest_day_segments"])
        cheapest = pricing.cheapest_tier(peak)
        for option in pricing.tier_options(peak):
            hours = pricing.campaign_hours(busiest, option.rate)
            rows.append({
                "short_code": code["short_code"],
                "tier_sms_per_s": option.rate,
                "subscribed": (option.rate == int(code["rate"]) if code["short_code"] in in_contract
                               else "not in the contract"),
                "cheapest_carrying_peak": cheapest is not None and option.rate == cheapest.rate,
                "carries_peak": option.carries_peak,
                "monthly_eur": option.monthly_eur,
                "must_request": option.must_request,
                "busiest_day_hours": round(hours, 2),
                "fits_one_window": pricing.fits_window(busiest, option.rate, contract.rules.window_hours,
                                                       contract.rules.window_headroom),
            })
    return pd.DataFrame(rows, columns=["short_code", "tier_sms_per_s", "subscribed", "cheapest_carrying_peak",
                                       "carries_peak", "monthly_eur", "must_request", "busiest_day_hours",
                                       "fits_one_window"])


# --- R9 forecasts -------------------------------------------------------------------------

def next_semester(con, contract: Contract, filters: Filters) -> str:
    """The semester to forecast next: the first one that starts after the report's period
    and after the last day of MT data, complete month or not (e.g. '2027H1'): a forecast is
    made for a semester that has not started, so a report of an earlier period forecasts
    the one after the data, not the one after its period."""
    from opsanalytics.forecast import monthly_history
    from opsanalytics.forecast.actuals import data_coverage
    from opsanalytics.forecast.periods import Semester, add_months

    history = monthly_history(con, contract)
    last = filters.date_to or dt.date.today()
    if len(history):
        last = max(last, history["month"].max())
    _, last_day = data_coverage(con, contract)
    if last_day is not None:
        last = max(last, last_day)
    semester = Semester.of(last)
    return Semester.of(add_months(semester.months[-1], 1)).label


def upcoming_forecast(con, contract: Contract, filters: Filters):
    """(the next semester's forecast, None), or (None, why there is none): a warehouse
    without MT data has no history to forecast from, which the page says rather than fail."""
    from opsanalytics.errors import UsageError
    from opsanalytics.forecast import next_forecast

    semester = next_semester(con, contract, filters)
    # made on the day `opsanalytics forecast` would date its file (plan.default_made_on:
    # today), not the report's or the data's last day: the page shows what the file says (a
    # probe: the page said 2026-10-29, the file made that day 2026-11-27)
    try:
        return next_forecast(con, contract, semester), None
    except UsageError as exc:
        return None, f"No forecast for {semester}: {exc}."


def forecast_file_table(upcoming: "NextForecast") -> pd.DataFrame:
    """Page 60's table of the file for Orange: its rows and columns as `opsanalytics forecast`
    writes them (files.file_frame: months as YYYY-MM, made_on as a date), not the frame they
    are computed in (the page showed months as 2027-01-01)."""
    from opsanalytics.forecast.files import file_frame

    return file_frame(upcoming.figures)


def backtest_scores(con, contract: Contract, filters: Filters) -> pd.DataFrame:
    """R9: the model's backtest scores (per short code, metric and method) for page 60, on
    the report's short code when it has one (forecasts are per short code, never per brand)."""
    from opsanalytics.forecast import backtest

    return backtest(con, contract, short_code=filters.short_code)


def throughput_table(upcoming: "NextForecast") -> pd.DataFrame:
    """Page 60's tier table: short codes needing a higher tier first, then by peak; the note,
    the one column in words, right after the short code (last, it sat past the page's edge
    beyond a dozen price columns)."""
    table = upcoming.throughput.sort_values(["needs_higher_tier", "forecast_peak"], ascending=False)
    first = [c for c in ("short_code", "note") if c in table.columns]
    return table[first + [c for c in table.columns if c not in first]].reset_index(drop=True)


def forecast_history(upcoming: "NextForecast", short_code: str) -> pd.DataFrame:
    """The monthly history one short code's forecast was learnt from (a NextForecast's
    `history`), its segments under the forecast's own column name, `mt_segments`, so that
    the chart draws the observed months and the forecast ones as one measure."""
    history = upcoming.history
    return (history[history["short_code"] == short_code]
            .rename(columns={"actual_segments": "mt_segments"}).reset_index(drop=True))


def invoice(con, contract: Contract, filters: Filters):
    """R12's bill of every month the period touches, for the filters' short code. A brand
    filter does not narrow it (Orange bills short codes): see invoice_brands."""
    from opsanalytics import billing

    return billing.invoice(con, contract, filters.date_from, filters.date_to, filters.short_code)


def invoice_by_item(lines: pd.DataFrame) -> pd.DataFrame:
    """A bill's amounts per month (rows) and item (columns, in the order a bill lists them),
    for a stacked bar of what each month costs."""
    from opsanalytics.billing import ITEMS

    if lines.empty:
        return pd.DataFrame(columns=["month", *ITEMS])
    table = lines.pivot_table(index="month", columns="item", values="amount_eur", aggfunc="sum", fill_value=0.0)
    return table.reindex(columns=list(ITEMS), fill_value=0.0).round(2).reset_index()


def invoice_brands(brands: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Delivered segments and what they cost per brand over the period (the brand filter
    applies here), most expensive first: what an aggregator re-bills each customer."""
    frame = brands if filters.brand is None else brands[brands["brand"] == filters.brand]
    frame = frame.assign(brand=frame["brand"].fillna("(service not in the contract)"))
    out = (frame.groupby("brand", as_index=False)[["delivered_segments", "amount_eur", "unknown_segments"]].sum()
           .sort_values(["amount_eur", "brand"], ascending=[False, True], kind="stable").reset_index(drop=True))
    out["amount_eur"] = out["amount_eur"].round(2)
    return out


def bill_and_delivery_kpis(con, contract: Contract, filters: Filters) -> dict[str, Any]:
    """The executive summary's money and delivery figures: R12's bill of the months the
    period touches (fees whole, segments of the period) and R14's delivery rate and receipt
    coverage of the period ('n/a' with nothing to divide). With a brand: the bill is still
    the short codes' (Orange bills no brand), labelled so, beside the brand's share."""
    from opsanalytics import quality

    bill = invoice(con, contract, filters)
    total = quality.quality(con, contract, filters).total
    rate, coverage = total.get("delivery_rate"), total.get("receipt_coverage") if total.get("accepted") else None
    if filters.brand is None:
        money = {"bill, EUR excl. VAT (R12)": bill.total_eur,
                 "of it, delivered segments": float(bill.lines.loc[bill.lines["item"] == "mt_delivered",
                                                                   "amount_eur"].sum())}
    else:  # Orange bills short codes, not brands: the whole bill, said so, and the brand's share
        share = invoice_brands(bill.brands, filters)["amount_eur"].sum()
        money = {"bill of the short codes, all brands, EUR excl. VAT (R12)": bill.total_eur,
                 f"of it, {filters.brand}'s delivered segments": round(float(share), 2)}
    return {
        **money,
        "delivery rate (R14)": "n/a" if rate is None else f"{rate:.2%}",
        "receipt coverage": "n/a" if coverage is None else f"{coverage:.2%}",
    }
