"""One function per rule id (R1-R8, R10): run the rule's SQL of queries/audits/ and shape
the breaches, summary and informative details into an AuditResult.

The SQL does the work (every filter a bound parameter); Python only adds what needs the
price grid (R8 tiers) or turns small per-group frames into summary dictionaries.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from opsanalytics import pricing, warehouse
from opsanalytics.audits.result import AuditResult, Filters, counts_by
from opsanalytics.config import RATE_TIERS, Contract

Connection = duckdb.DuckDBPyConnection


def _query(con: Connection, name: str, params: dict[str, Any]) -> pd.DataFrame:
    return warehouse.fetch_df(con, f"audits/{name}", params)


def _numbers_not_logged(con: Connection, params: dict[str, Any]) -> int:
    """Accepted messages whose recipient the log does not carry (no %P): R1, R5 and R10 judge
    a number, so these are not judged, and the summary says how many (not breaches)."""
    return int(_query(con, "numbers_not_logged", params)["messages"].iloc[0])


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """DATE columns back to dates (pandas reads them as midnight timestamps)."""
    for column in columns:
        if column in frame and len(frame):
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _period(filters: Filters) -> dict[str, Any]:
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "short_code": filters.short_code,
        "brand": filters.brand,
    }


def r1_freq(con: Connection, contract: Contract, filters: Filters) -> AuditResult:
    """R1: (number, brand, local day) groups over the frequency cap, plus the pressure
    across brands per day and per week as distributions."""
    params = filters.params(contract)
    rows = _dates(_query(con, "r01_freq", params), "day")
    pressure = _query(con, "r01_pressure", params)
    per_day = pressure[pressure["period"] == "day"].drop(columns="period").reset_index(drop=True)
    per_week = pressure[pressure["period"] == "week"].drop(columns="period").reset_index(drop=True)
    summary = {
        **_period(filters),
        "frequency_cap": contract.rules.frequency_cap,
        "groups_over_cap": len(rows),
        "messages_in_groups": int(rows["messages"].sum()) if len(rows) else 0,
        "messages_over_cap": int(rows["over_cap"].sum()) if len(rows) else 0,
        "numbers": int(rows["msisdn"].nunique()) if len(rows) else 0,
        "by_brand": counts_by(rows, "brand"),
        "max_per_number_day_all_brands": int(per_day["messages"].max()) if len(per_day) else 0,
        "max_per_number_week_all_brands": int(per_week["messages"].max()) if len(per_week) else 0,
        "numbers_not_logged": _numbers_not_logged(con, params),
    }
    return AuditResult("R1", "freq", len(rows), rows, summary,
                       {"pressure_day": per_day, "pressure_week": per_week})


def r2_window(con: Connection, contract: Contract, filters: Filters) -> AuditResult:
    """R2: marketing submitted outside the window or on a day that is not a jour ouvrable;
    messages delivered outside it although submitted inside are listed apart."""
    params = filters.params(contract)
    for macro in ("audits/r02_tz_offsets", "audits/r02_outside_reason"):  # the macros both queries read
        warehouse.execute(con, macro).fetchall()
    rows = _query(con, "r02_window", params)
    late = _query(con, "r02_late_deliveries", params)
    summary = {
        **_period(filters),
        "window": list(contract.rules.window),
        "timezone": contract.timezone,
        "reason_precedence": ["sunday", "holiday", "hour"],
        "messages": len(rows),
        "by_reason": counts_by(rows, "reason"),
        "by_brand": counts_by(rows, "brand"),
        "late_deliveries": len(late),
        "late_delivery_max_delay_seconds": float(late["delay_seconds"].max()) if len(late) else None,
        # RULES.md R2: late deliveries are "reported separately": each one, for scripts too
        "late_delivery_messages": late.drop(columns=["mt_ids"]).to_dict("records"),
    }
    return AuditResult("R2", "window", len(rows), rows, summary, {"late_deliveries": late})


def r3_stop_mention(con: Connection, contract: Contract, filters: Filters) -> AuditResult:
    """R3: marketing messages that do not name STOP and their own short code."""
    params = filters.params(contract)
    rows = _query(con, "r03_stop_mention", params)
    exempt = _query(con, "r03_exempt_services", {})["name"].tolist()   # what the rows skipped
    summary = {
        **_period(filters),
        "messages": len(rows),
        # not judged: the log does not carry their text (no %b in the access-log-format)
        "texts_not_logged": int(_query(con, "r03_texts_not_logged", params)["messages"].iloc[0]),
        "by_reason": counts_by(rows, "reason"),
        "by_brand": counts_by(rows, "brand"),
        "distinct_texts": int(rows["text"].nunique()) if len(rows) else 0,
        "exempt_services": exempt,
    }
    return AuditResult("R3", "stop-mention", len(rows), rows, summary)


def _r4_before_period(instants: pd.Series, filters: Filters, contract: Contract) -> int:
    """How many of `instants` fall before the local midnight starting `filters.date_from`."""
    if filters.date_from is None or instants.empty:
        return 0
    start = pd.Timestamp(filters.date_from).tz_localize(contract.timezone, ambiguous=True,
                                                        nonexistent="shift_forward")
    return int((pd.to_datetime(instants, utc=True) < start).sum())


def r4_stop_honour(con: Connection, contract: Contract, filters: Filters) -> AuditResult:
    """R4: marketing MT after an opt-out, per brand the STOP counts and delays."""
    params = filters.params(contract)
    warehouse.execute(con, "audits/logged_after").fetchall()  # the macro R4 and R5 read
    rows = _query(con, "r04_stop_honour", params)
    stats = _query(con, "r04_stop_stats", params)
    summary = {
        **_period(filters),
        "stop_grace_minutes": contract.rules.stop_grace_minutes,
        "messages": len(rows),
        "numbers": int(rows["msisdn"].nunique()) if len(rows) else 0,
        "by_brand": counts_by(rows, "brand"),
        "stops": int(stats["stops"].sum()) if len(stats) else 0,
        # rows (dated in the period by their first line in breach) whose STOP came before it:
        # not among `stops`, which counts the STOPs received in the period
        "messages_stop_before_period": _r4_before_period(rows["stop_at"], filters, contract),
        # each STOP MO once (`stops` counts it once per brand it concerns)
        "stop_messages": int(_query(con, "r04_stop_messages", params)["stop_messages"].iloc[0]),
        # MOs whose text (so whether they were a STOP) the log does not carry
        "mo_texts_not_logged": int(_query(con, "r04_mo_texts_not_logged", params)["messages"].iloc[0]),
        # MTs whose number (so whether it had opted out) the log does not carry
        "numbers_not_logged": _numbers_not_logged(con, params),
        "per_brand": {
            str(r["brand"]): {k: r[k] for k in stats.columns if k != "brand"}
            for r in stats.to_dict("records")
        },
    }
    return AuditResult("R4", "stop-honour", len(rows), rows, summary, {"stop_stats": stats})


def r5_range34(con: Connection, contract: Contract, filters: Filters) -> AuditResult:
    """R5: MT on 34ABC with no MO from the number to that code within the session."""
    params = filters.params(contract)
    warehouse.execute(con, "audits/logged_after").fetchall()  # the macro R4 and R5 read
    rows = _query(con, "r05_range34", params)
    summary = {
        **_period(filters),
        "session_hours": contract.rules.session_hours,
        "messages": len(rows),
        "by_reason": counts_by(rows, "reason"),
        "by_short_code": counts_by(rows, "short_code"),
        "numbers_not_logged": _numbers_not_logged(con, params),
    }
    return AuditResult("R5", "range-34", len(rows), rows, summary)


def r6_range(con: Connection, contract: Contract, filters: Filters) -> AuditResult:
    """R6: traffic whose category does not fit its short code's range."""
    params = filters.params(contract)
    rows = _query(con, "r06_range", params)
    summary = {
        **_period(filters),
        "messages": len(rows),
        "by_reason": counts_by(rows, "reason"),
        "by_short_code": counts_by(rows, "short_code"),
        # not_m2m_number judges a number: the messages without one go unjudged on it
        "numbers_not_logged": _numbers_not_logged(con, params),
    }
    return AuditResult("R6", "range", len(rows), rows, summary)


def r7_oadc(con: Connection, contract: Contract, filters: Filters) -> AuditResult:
    """R7: OAdC other than the short code or its declared sender names."""
    rows = _query(con, "r07_oadc", filters.params(contract))
    summary = {
        **_period(filters),
        "messages": len(rows),
        "by_short_code": counts_by(rows, "short_code"),
        "oadc_seen": counts_by(rows, "oadc"),
    }
    return AuditResult("R7", "oadc", len(rows), rows, summary)


def _tier_summary(row: dict[str, Any], contract: Contract) -> dict[str, Any]:
    """Cheapest tier carrying the peak, its monthly cost, and the busiest day's campaign
    duration at every tier (does it fit one of the contract's send windows?)."""
    peak = int(row["peak"])
    tier = pricing.cheapest_tier(peak)
    busiest = int(row["busiest_day_segments"])
    return {
        **row,
        "cheapest_tier": tier.rate if tier else None,
        "cheapest_tier_monthly_eur": tier.monthly_eur if tier else None,
        "cheapest_tier_must_request": tier.must_request if tier else None,
        "campaign_hours_busiest_day": {
            str(rate): round(pricing.campaign_hours(busiest, rate), 3) for rate in RATE_TIERS
        },
        "window_hours": contract.rules.window_hours,
        "busiest_day_fits_window_at_rate": pricing.fits_window(
            busiest, int(row["rate"]), contract.rules.window_hours, contract.rules.window_headroom),
    }


def r8_rate(con: Connection, contract: Contract, filters: Filters) -> AuditResult:
    """R8: seconds above the subscribed rate; per short code peak, p99, tier and cost."""
    # how long after its submit a `Sent SMS` line may be stamped (the SMSC's acknowledgement):
    # seconds over the rate that this delay can explain are rows, but not `beyond_ack_delay`
    params = {**filters.params(contract), "ack_delay_seconds": contract.rules.ack_delay_seconds}
    warehouse.execute(con, "audits/r08_seconds", params).fetchall()
    try:
        rows = _query(con, "r08_rate", params)
        per_code = _dates(_query(con, "r08_rate_summary", params), "busiest_day")
    finally:
        warehouse.execute(con, "audits/r08_seconds_drop").fetchall()
    codes = {str(r["short_code"]): _tier_summary(r, contract) for r in per_code.to_dict("records")}
    summary = {
        **_period(filters),
        "seconds_over": len(rows),
        "segments_over": int(rows["over_by"].sum()) if len(rows) else 0,
        "seconds_possibly_over": int(per_code["seconds_possibly_over"].sum()) if len(per_code) else 0,
        # seconds over that no acknowledgement delay of rules.ack_delay_seconds can explain
        "seconds_over_beyond_ack_delay": int(rows["beyond_ack_delay"].sum()) if len(rows) else 0,
        "ack_delay_seconds": contract.rules.ack_delay_seconds,
        "per_short_code": codes,
    }
    return AuditResult("R8", "rate", len(rows), rows, summary, {"per_short_code": per_code})


def r10_dest(con: Connection, contract: Contract, filters: Filters) -> AuditResult:
    """R10: recipients that are not valid metropolitan French mobiles; non-Orange share."""
    params = filters.params(contract)
    rows = _query(con, "r10_dest", params)
    share = _query(con, "r10_non_orange_share", params)
    total = int(share["mt"].sum()) if len(share) else 0
    non_orange = int(share["non_orange"].sum()) if len(share) else 0
    summary = {
        **_period(filters),
        "messages": len(rows),
        "numbers": int(rows["msisdn"].nunique()) if len(rows) else 0,
        "by_reason": counts_by(rows, "reason"),
        "mt_lines": total,
        "non_orange_failed": non_orange,
        "non_orange_share": round(non_orange / total, 6) if total else None,
        "non_orange_errors": "failed with GSM MAP error 1 (unknown subscriber) or 11 (teleservice not provisioned)",
        # failures the log gives no error for (a UCP/EMI link): the share cannot count them
        "failed_error_unknown": int(share["failed_error_unknown"].sum()) if len(share) else 0,
        # lines no final receipt came for: the share cannot count them either
        "mt_without_final_status": int(share["without_final_status"].sum()) if len(share) else 0,
        "numbers_not_logged": _numbers_not_logged(con, params),
        # RULES.md R10: the share per short code and brand, in the JSON too (not only the report)
        "non_orange_by_short_code_brand": [
            {"short_code": r["short_code"], "brand": r["brand"], "mt_lines": int(r["mt"]),
             "non_orange_failed": int(r["non_orange"]), "non_orange_share": float(r["non_orange_share"]),
             "failed_error_unknown": int(r["failed_error_unknown"]),
             "without_final_status": int(r["without_final_status"]),
             "expired_or_rejected": int(r["expired_or_rejected"])}
            for r in share.to_dict("records")],
    }
    return AuditResult("R10", "dest", len(rows), rows, summary, {"non_orange_share": share})
