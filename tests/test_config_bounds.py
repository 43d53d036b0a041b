"""Upper bounds of the contract's numbers (docs/config.md): beyond them a value is refused at
load, where it overflowed DuckDB's intervals later (ingest, audit R4/R5 exited 1 with a
traceback); at them every audit still runs."""

from __future__ import annotations

import re

import pytest

from opsanalytics.audits import run_all
from opsanalytics.config import parse_contract
from opsanalytics.errors import ConfigError
from auditrows import CONTRACT_TOML, Traffic, paris

MAXIMA = {"frequency_cap": 1000, "retry_minutes": 10080, "stop_grace_minutes": 10080, "session_hours": 8760}


@pytest.mark.parametrize("key, maximum", MAXIMA.items())
def test_a_value_beyond_its_maximum_is_refused(key, maximum):
    assert getattr(parse_contract(f"[rules]\n{key} = {maximum}\n").rules, key) == maximum
    for value in (maximum + 1, 9223372036854775807):
        with pytest.raises(ConfigError) as caught:
            parse_contract(f"[rules]\n{key} = {value}\n", "c.toml")
        assert str(caught.value).startswith(f"c.toml: rules.{key}: expected at most {maximum:,} (")
        assert str(caught.value).endswith(f"got {value}")


def test_every_audit_runs_at_the_maxima():
    text = re.sub(r"^(frequency_cap|retry_minutes|stop_grace_minutes|session_hours) = .*\n", "", CONTRACT_TOML,
                  flags=re.M)
    rules = "".join(f"{key} = {value}\n" for key, value in MAXIMA.items())
    contract = parse_contract(text.replace("[rules]\n", "[rules]\n" + rules, 1))
    assert contract.rules.session_hours == 8760
    t = Traffic()
    number = "+33612345678"
    t.send(number, paris("2026-11-10 10:00:00"), final_status="failed", final_at=paris("2026-11-10 10:01:00"))
    t.send(number, paris("2026-11-12 10:00:00"))
    t.receive(number, paris("2026-11-12 11:00:00"), "STOP", keyword="STOP")
    t.send(number, paris("2026-11-13 10:00:00"))
    t.receive(number, paris("2026-11-13 11:00:00"), "quiz", short_code="34100")
    t.send(number, paris("2026-11-14 10:00:00"), service="acme_tx", short_code="34100", text="Réponse")
    results = run_all(t.warehouse(contract), contract)
    assert {r.rule for r in results} >= {"R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R10"}


@pytest.mark.parametrize("key", ["forecast_tolerance", "window_headroom"])
@pytest.mark.parametrize("value", ["nan", "inf"])
def test_numbers_are_finite(key, value):
    with pytest.raises(ConfigError, match=rf"^c\.toml: rules\.{key}: expected a finite number, got {value}$"):
        parse_contract(f"[rules]\n{key} = {value}\n", "c.toml")
