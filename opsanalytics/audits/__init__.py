"""The compliance audits, by rule id and name: `run(con, contract, "R1", filters)`.

Each rule is a function (con, contract, Filters) -> AuditResult over the facts tables
(docs/schema.md). R9 lives in opsanalytics.forecast, a required part of the package: a
forecast module that does not import fails R9, `audit all` and the reports with its
ImportError, never leaves a rule out.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Callable

import duckdb

from opsanalytics import facts, warehouse
from opsanalytics.audits import rules
from opsanalytics.audits.result import AuditResult, Filters
from opsanalytics.config import Contract
from opsanalytics.errors import UsageError, WarehouseError
from opsanalytics.ingest import read_otherwise, shown

AuditFunction = Callable[[duckdb.DuckDBPyConnection, Contract, Filters], AuditResult]

#: the tables every audit reads; built by opsanalytics.facts.build after each load
FACT_TABLES = ("fct_mt", "fct_logical_messages", "fct_accepted_attempts", "fct_accepted_sends", "fct_dlr", "fct_mo", "fct_opt_events",
               "ref_short_codes", "ref_connections", "ref_services", "ref_holidays", "ref_numbering", "ref_settings")


@dataclass(frozen=True)
class RuleSpec:
    id: str
    name: str
    function: AuditFunction


def _r9_forecast(con: duckdb.DuckDBPyConnection, contract: Contract, filters: Filters) -> AuditResult:
    """R9 is opsanalytics.forecast's, imported when R9 runs and never caught: importing it
    with this module would cost every command (ingest, status) 1.2 s of scipy, and
    forecast.compare imports .result, so a top-level import would also be circular."""
    from opsanalytics.forecast.compare import audit_r9

    return audit_r9(con, contract, filters)


RULES: dict[str, RuleSpec] = {
    spec.id: spec
    for spec in (
        RuleSpec("R1", "freq", rules.r1_freq),
        RuleSpec("R2", "window", rules.r2_window),
        RuleSpec("R3", "stop-mention", rules.r3_stop_mention),
        RuleSpec("R4", "stop-honour", rules.r4_stop_honour),
        RuleSpec("R5", "range-34", rules.r5_range34),
        RuleSpec("R6", "range", rules.r6_range),
        RuleSpec("R7", "oadc", rules.r7_oadc),
        RuleSpec("R8", "rate", rules.r8_rate),
        RuleSpec("R9", "forecast", _r9_forecast),
        RuleSpec("R10", "dest", rules.r10_dest),
    )
}


def resolve_rule(rule: str) -> RuleSpec:
    """The spec of a rule given by id (`R1`, `r1`) or name (`freq`); UsageError otherwise."""
    key = rule.strip()
    by_id = {spec.id.lower(): spec for spec in RULES.values()}
    by_name = {spec.name: spec for spec in RULES.values()}
    spec = by_id.get(key.lower()) or by_name.get(key.lower())
    if spec is None:
        known = ", ".join(f"{s.id} ({s.name})" for s in RULES.values())
        raise UsageError(f"unknown rule {rule!r}: expected one of {known}, or 'all'")
    return spec


#: the contract's keys the audits read from the contract they are given (bound parameters
#: of queries/audits/, and the summaries): a new value applies at once, without an ingest.
#: Every other key of [rules], [[short_codes]] and [[services]] is built into the facts
#: (facts.FACT_KEYS); log_timezone and the access-log format into the events (at load).
AUDIT_KEYS = ("timezone", "rules.frequency_cap", "rules.window", "rules.stop_grace_minutes",
              "rules.session_hours", "rules.window_headroom", "rules.forecast_tolerance",
              "rules.ack_delay_seconds")


def check_facts(con: duckdb.DuckDBPyConnection, contract: Contract) -> str | None:
    """Fail when the facts are missing; else the warnings of `facts_warnings`, one after the
    other (None when there is none)."""
    warnings = facts_warnings(con, contract)
    return "\n".join(warnings) if warnings else None


def facts_warnings(con: duckdb.DuckDBPyConnection, contract: Contract) -> list[str]:
    """Fail when the facts are missing; return what makes the audits with `contract` read
    other values than its own: facts built with values of facts.FACT_KEYS other than
    `contract`'s (`_built_with`), and loaded logs read with another log_timezone or
    access-log format (`_read_otherwise`)."""
    _require_facts(con)
    return [w for w in (_built_with(con, contract), _read_otherwise(con, contract)) if w]


def _require_facts(con: duckdb.DuckDBPyConnection) -> None:
    present = warehouse.tables_present(con, FACT_TABLES)
    missing = [t for t in FACT_TABLES if t not in present]
    if missing and "fct_mt" in present:
        # facts built by an earlier version (a table or view added since): ingest rebuilds
        # them when offered a log it already holds, which it then skips
        raise WarehouseError(
            f"the facts were built by an earlier version of opsanalytics (missing {', '.join(missing)}): "
            "run `opsanalytics ingest` again, with any log already loaded, to rebuild them")
    if missing:
        raise WarehouseError(
            f"the facts are not built (missing {', '.join(missing)}): run `opsanalytics ingest` first"
        )
    facts.check_code(con)


def _built_with(con: duckdb.DuckDBPyConnection, contract: Contract) -> str | None:
    """A warning when the facts were built with values of facts.FACT_KEYS other than
    `contract`'s, naming each (key, value in the facts, value in `contract`) and the command
    that rebuilds them. Facts built before their contract's values were recorded
    (ref_settings.contract_values) can only be compared by the digest of the contract's
    text (ref_settings.config_digest)."""
    built = warehouse.execute(con, "reference/built_with").fetchone()
    values, digest, source, db, log = built
    rebuild = (f"`opsanalytics ingest --db {shlex.quote(db) if db else 'DB'} --config "
               f"{shlex.quote(contract.source)} {shlex.quote(log) if log else 'LOG'}` rebuilds the facts "
               "with this file (any log already loaded will do: it is skipped, and only the facts are rebuilt)")
    if values is None:
        # facts built before the values were recorded: only the text can be compared
        if contract.digest and digest and digest != contract.digest:
            return (f"{contract.source}: this contract differs from the one the facts were built with "
                    f"(digest {digest[:12]} vs {contract.digest[:12]}; built before opsanalytics recorded "
                    f"the values, so which ones differ cannot be told). The audits take {_FROM_FACTS} "
                    f"from the facts as built, and this file's other values from the file. {rebuild}")
        return None
    stale = facts.stale_values(json.loads(values), contract)
    if not stale:
        return None
    listed = "\n".join(f"  {s.key}: {_shown(s.built)} in the facts, {_shown(s.now)} in this file"
                        for s in stale)
    return (f"{contract.source}: the facts were built with other values of the contract"
            f"{f' ({source})' if source and source != contract.source else ''}. The audits take these "
            f"from the facts, not from this file:\n{listed}\n"
            f"This file's {', '.join(k.removeprefix('rules.') for k in AUDIT_KEYS)} are read at audit "
            f"time and do apply. {rebuild}")


def _read_otherwise(con: duckdb.DuckDBPyConnection, contract: Contract) -> str | None:
    """A warning when loaded Kannel logs were read with another log_timezone,
    access_log_format or access_log_clean than `contract`'s (load_manifest): their events
    keep that reading, which no rebuild of the facts changes."""
    readings = read_otherwise(con, contract)
    if not readings:
        return None
    groups: dict[tuple, list[str]] = {}
    for reading in readings:
        groups.setdefault(tuple(reading.differences(contract)), []).append(reading.path)
    lines = []
    for differences, paths in groups.items():
        read = "; ".join(f"{key} = {shown(key, old)}" for key, old, _ in differences)
        named = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        lines.append(f"  {len(paths)} log(s) read with {read}: {named}")
    now = "; ".join(f"{key} = {shown(key, getattr(contract, key))}"
                    for key in dict.fromkeys(k for d in groups for k, _, _ in d))
    return (f"{contract.source}: loaded logs were read with other values than this file's ({now}):\n"
            + "\n".join(lines) + "\n"
            "Their events keep the times and fields they were loaded with, and the audits judge them "
            "so. To read them with this file's values, load every log into a new warehouse with it "
            f"(`opsanalytics ingest --db NEW.duckdb --config {shlex.quote(contract.source)} LOG...`); "
            "or put back the values this warehouse was loaded with.")


#: what the facts hold of the contract, in words (facts.FACT_KEYS)
_FROM_FACTS = ("retry_minutes, alsace_moselle, stop_keywords, start_keywords, the short codes (smsc, "
               "rate, oadc, geo_presence, brands) and the services (brand, category, stop_notice_exempt)")


def _shown(value: object) -> str:
    """A contract value as TOML writes it; a whole short code or service: 'declared' or
    'absent' (a key left out, such as `brands`: 'absent')."""
    if value is None:
        return "absent"
    if isinstance(value, dict):
        return "declared"
    return json.dumps(value, ensure_ascii=False)


def run(con: duckdb.DuckDBPyConnection, contract: Contract, rule: str,
        filters: Filters | None = None) -> AuditResult:
    """Run one rule, given by id or name."""
    return resolve_rule(rule).function(con, contract, filters or Filters())


def run_all(con: duckdb.DuckDBPyConnection, contract: Contract, filters: Filters | None = None) -> list[AuditResult]:
    """Every rule in id order, R1 ... R10: none is ever left out, and an error in one is
    raised (a compliance run that quietly drops a rule would read as compliant)."""
    return [spec.function(con, contract, filters or Filters()) for spec in RULES.values()]


__all__ = ["RULES", "RuleSpec", "AuditResult", "Filters", "run", "run_all",
           "resolve_rule", "check_facts", "facts_warnings", "AUDIT_KEYS"]
