"""The compliance audits, by rule id and name: `run(con, contract, "R1", filters)`.

Each rule is a function (con, contract, Filters) -> AuditResult over the facts tables
(docs/schema.md). R9 lives in opsanalytics.forecast and is imported lazily, so that the
registry works before (and without) it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import duckdb

from opsanalytics.audits import rules
from opsanalytics.audits.result import AuditResult, Filters
from opsanalytics.config import Contract
from opsanalytics.errors import OpsError, UsageError, WarehouseError

AuditFunction = Callable[[duckdb.DuckDBPyConnection, Contract, Filters], AuditResult]

#: the tables every audit reads; built by opsanalytics.facts.build after each load
FACT_TABLES = ("fct_mt", "fct_logical_messages", "fct_accepted_attempts", "fct_dlr", "fct_mo", "fct_opt_events",
               "ref_short_codes", "ref_services", "ref_holidays", "ref_numbering", "ref_settings")


class AuditUnavailable(OpsError):
    """A rule whose implementation is not installed (R9 before opsanalytics.forecast)."""


@dataclass(frozen=True)
class RuleSpec:
    id: str
    name: str
    function: AuditFunction


def _r9_forecast(con: duckdb.DuckDBPyConnection, contract: Contract, filters: Filters) -> AuditResult:
    """R9 is helper module opsanalytics.forecast's; imported only when asked for."""
    try:
        from opsanalytics.forecast import audit_r9
    except ImportError as exc:
        raise AuditUnavailable(f"R9 forecast: not available in this installation ({exc})") from None
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


def check_facts(con: duckdb.DuckDBPyConnection, contract: Contract) -> str | None:
    """Fail when the facts are missing; return a warning when they were built with another
    contract than `contract` (its digest differs from ref_settings.config_digest)."""
    present = {
        r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name IN "
            "(SELECT unnest($names))", {"names": list(FACT_TABLES)}
        ).fetchall()
    }
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
    row = con.execute("SELECT value FROM ref_settings WHERE key = 'config_digest'").fetchone()
    built_with = row[0] if row else None
    if contract.digest and built_with and built_with != contract.digest:
        return (f"{contract.source}: this contract differs from the one the facts were built with "
                f"(digest {built_with[:12]} vs {contract.digest[:12]}); brands, categories and short "
                "codes come from the facts: re-run `opsanalytics ingest` with this contract to rebuild them")
    return None


def run(con: duckdb.DuckDBPyConnection, contract: Contract, rule: str,
        filters: Filters | None = None) -> AuditResult:
    """Run one rule, given by id or name."""
    return resolve_rule(rule).function(con, contract, filters or Filters())


def run_all(con: duckdb.DuckDBPyConnection, contract: Contract, filters: Filters | None = None,
            *, skipped: list[str] | None = None) -> list[AuditResult]:
    """Every rule in id order. A rule not installed (R9 before opsanalytics.forecast) is
    left out; its message is appended to `skipped` when a list is given."""
    results = []
    for spec in RULES.values():
        try:
            results.append(spec.function(con, contract, filters or Filters()))
        except AuditUnavailable as exc:
            if skipped is not None:
                skipped.append(str(exc))
    return results


__all__ = ["RULES", "RuleSpec", "AuditResult", "Filters", "AuditUnavailable", "run", "run_all",
           "resolve_rule", "check_facts"]
