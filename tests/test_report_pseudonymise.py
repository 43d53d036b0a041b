"""Numbers in reports: salted, stable within a salt, unlinkable across salts."""

from __future__ import annotations

import pandas as pd

from opsanalytics.config import parse_contract
from opsanalytics.report import pseudonymise as ps

CONTRACT = parse_contract('[report]\npseudonymise_salt = "from-contract"\n')


def test_token_is_stable_per_salt_and_hides_the_number():
    a = ps.token("+33612345678", "s1")
    assert a == ps.token("+33612345678", "s1")
    assert a != ps.token("+33612345678", "s2")
    assert a != ps.token("+33612345679", "s1")
    assert a.startswith("+336") and "12345678" not in a


def test_environment_wins_over_contract(monkeypatch):
    monkeypatch.delenv(ps.SALT_ENV, raising=False)
    assert ps.salt_for(CONTRACT) == "from-contract"
    assert ps.salt_for(parse_contract("")) is None
    monkeypatch.setenv(ps.SALT_ENV, "from-env")
    assert ps.salt_for(CONTRACT) == "from-env"


def test_ensure_salt_sets_one_salt_for_the_run(monkeypatch):
    monkeypatch.delenv(ps.SALT_ENV, raising=False)
    monkeypatch.delenv(ps.ONE_OFF_ENV, raising=False)
    assert not ps.one_off()
    salt, configured = ps.ensure_salt(parse_contract(""))
    assert not configured and len(salt) == 32
    assert ps.ensure_salt(parse_contract("")) == (salt, True)  # kernels inherit it from the environment
    assert ps.one_off()  # and are told the salt is this run's own


def test_pages_say_when_their_hashes_are_this_reports_own(monkeypatch):
    """A reader comparing two reports of one number saw two hashes and no word why."""
    from opsanalytics.report.notebook import Filters, ReportContext

    monkeypatch.delenv(ps.SALT_ENV, raising=False)
    monkeypatch.delenv(ps.ONE_OFF_ENV, raising=False)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    context = ReportContext(None, CONTRACT, Filters(None, None, None, None), True, "from-contract")
    context.header("R1")
    ps.ensure_salt(parse_contract(""))
    context.header("R1")
    assert "(salted hash)" in shown[0]
    assert "this report's own salt: the same number has another hash in other reports" in shown[1]


def test_frame_hashes_number_columns_only():
    frame = pd.DataFrame({"msisdn": ["+33612345678", None, "+33612345678"], "brand": ["A", "B", "C"],
                          "messages": [1, 2, 3]})
    out = ps.pseudonymise_frame(frame, "salt")
    assert out.msisdn[0] == out.msisdn[2] == ps.token("+33612345678", "salt")
    assert pd.isna(out.msisdn[1])
    assert out.brand.tolist() == ["A", "B", "C"] and out.messages.tolist() == [1, 2, 3]
    assert frame.msisdn[0] == "+33612345678"  # the caller's frame is untouched


def test_numbers_inside_rejected_log_lines_are_hashed():
    raw = "2026-11-25 10:00:00 Sent SMS [SMSC:x] [from:36180] [to:+33612345678] [msg:5:Hello] 0033699887766"
    frame = pd.DataFrame({"example_raw": [raw], "reason": ["bad tag"]})
    out = ps.pseudonymise_frame(frame, "salt").example_raw[0]
    assert "33612345678" not in out and "0033699887766" not in out
    assert ps.token("+33612345678", "salt") in out
    assert "[from:36180]" in out and "2026-11-25 10:00:00" in out  # short codes and times stay readable
