"""The bound parameters every audit and report query may name (Filters.params) are each
named by at least one of them: a value offered there that no query reads looks like a knob
the audits honour, and is not. retry_minutes was one: it shapes the facts at ingest
(facts.parameters), never an audit; a contract edited since is reported as a fact value."""

from __future__ import annotations

import datetime as dt

from opsanalytics import facts, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import parse_contract
from opsanalytics.paths import queries_dir

CONTRACT = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n', "c.toml")
#: the query folders whose files are run with Filters.params (audits, reports, R9's forecast queries)
LAYERS = ("audits", "reports", "forecast")


def _named_by(layer: str) -> set[str]:
    names: set[str] = set()
    for path in sorted((queries_dir() / layer).glob("*.sql")):
        names |= warehouse._names_used(path.read_text(encoding="utf-8"))
    return names


def test_every_filter_parameter_is_read_by_some_audit_or_report_query():
    params = Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "36180", "Acme").params(CONTRACT)
    named = set().union(*(_named_by(layer) for layer in LAYERS))
    assert sorted(set(params) - named) == []


def test_retry_minutes_is_a_fact_parameter_not_an_audit_one():
    assert "retry_minutes" not in Filters().params(CONTRACT)
    assert facts.parameters(CONTRACT)["retry_minutes"] == 60 == CONTRACT.rules.retry_minutes
    assert "retry_minutes" in _named_by("facts")
