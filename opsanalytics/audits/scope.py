"""Whether a --short-code or --brand filter can match anything, and whether the period holds
any message to judge: `audit` and `report` warn about a filter that cannot (a typo reads as a
clean period) and a period without traffic (0 violations that checked nothing)."""

from __future__ import annotations

import difflib

from opsanalytics import warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import Contract


def unmatched_filters(con, contract: Contract, filters: Filters, config: str,
                      names: tuple[str, str] = ("--short-code", "--brand")) -> list[str]:
    """A --short-code or --brand that nothing can match: named neither by the contract nor by
    any accepted message of the warehouse, so every rule finds 0 violations (most likely a
    typo). A warning, not an error: the audit still runs and its output is unchanged.
    `names`: how the caller's user gave them (a notebook's parameters: short_code, brand)."""
    warnings = []
    code, brand = filters.short_code, filters.brand
    if code is not None and contract.short_code(code) is None and not _traffic(con, contract, Filters(short_code=code)):
        warnings.append(f"{names[0]} {code!r} is not a short code of {config} and no accepted MT "
                        "or MO of the warehouse has it: no message can match it")
    brands = {s.brand for s in contract.services} | {b for sc in contract.short_codes for b in sc.brands or ()}
    if brand is not None and brand not in brands and not _traffic(con, contract, Filters(brand=brand)):
        warnings.append(f"{names[1]} {brand!r} is not a brand of {config}'s [[services]] and no accepted "
                        f"MT of the warehouse has it: no message can match it{_did_you_mean(brand, brands)}")
    return warnings


def _did_you_mean(value: str, known: set[str]) -> str:
    """` (did you mean 'Acme'?)` when `value` is one of `known` but for case or a letter or
    two (a brand matches as written: `acme` is not `Acme`); empty otherwise."""
    folded = {k.casefold(): k for k in known}
    match = folded.get(value.casefold())
    if match is None:
        close = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.8)
        match = folded[close[0]] if close else None
    return f" (did you mean {match!r}? brands match as written, case included)" if match else ""


def _traffic(con, contract: Contract, filters: Filters) -> bool:
    """Whether any accepted message of the warehouse, whatever its date, passes `filters`
    (MOs count for a short code; they have no brand)."""
    days = warehouse.fetch_df(con, "reports/daily_traffic", filters.params(contract))
    column = "mt_messages" if filters.brand is not None else None
    return bool(len(days) and (column is None or days[column].sum() > 0))


def nothing_to_judge(con, contract: Contract, filters: Filters) -> list[str]:
    """A warning when no MT message was accepted in the period under the filters: the rules
    on messages then report 0 violations having checked nothing (the report says `not
    judged`; reports/period_traffic.sql)."""
    (messages,) = warehouse.execute(con, "reports/period_traffic", filters.params(contract)).fetchone()
    if messages:
        return []
    scope = ", ".join(part for part in (
        f"from {filters.date_from}" if filters.date_from else "", f"to {filters.date_to}" if filters.date_to else "",
        f"short code {filters.short_code}" if filters.short_code else "",
        f"brand {filters.brand}" if filters.brand else "") if part)
    return [f"no MT message was accepted in the period{f' ({scope})' if scope else ''}: the rules on messages "
            "had nothing to judge, and their 0 violations do not mean the traffic was clean"]
