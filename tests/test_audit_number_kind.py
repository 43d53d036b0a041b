"""R6 and R10 judge a recipient by the facts' number kind (fct_mt.number_kind, from
queries/facts/int_msisdn.sql: longest ref_numbering prefix, 'malformed' when the length does not
fit the plan), not by a lookup of their own: R6 had one that called a short 0700 number 'm2m'
where the facts and R10 say 'malformed'."""

from __future__ import annotations

from opsanalytics.audits import run
from auditrows import CONTRACT, Traffic, paris

A = "+33612345678"
M2M = "+337001234567890"          # 0700 + 10 digits
SHORT_M2M = "+33700123456"        # 0700 + 6 digits: no M2M SIM


def test_r6_a_38abc_code_sends_only_to_m2m_numbers_of_the_right_length():
    t = Traffic()
    at = paris("2026-11-10 10:00:00")
    short = t.send(SHORT_M2M, at, short_code="38100", service="meter")
    metro = t.send(A, at, short_code="38100", service="meter")
    too_long = t.send(M2M + "1", at, short_code="38100", service="meter")
    t.send(M2M, at, short_code="38100", service="meter")                 # an M2M SIM
    t.send("07001234567890", at, short_code="38100", service="meter")    # the same, national form
    db = t.warehouse()
    rows = run(db, CONTRACT, "R6").rows
    assert {r.message_id: (r.reason, r.number_kind) for r in rows.itertuples()} == {
        short: ("not_m2m_number", "malformed"),
        metro: ("not_m2m_number", "metro_mobile"),
        too_long: ("not_m2m_number", "malformed"),
    }
    # the row and its lines agree, and R10 says the same of the number
    kinds = dict(db.execute("SELECT mt_id, number_kind FROM fct_mt").fetchall())
    for r in rows.itertuples():
        assert {kinds[i] for i in r.mt_ids} == {r.number_kind}
    r10 = run(db, CONTRACT, "R10").rows
    assert {r.message_id: (r.reason, r.number_kind) for r in r10.itertuples()} == {
        short: ("malformed", "malformed"), too_long: ("malformed", "malformed")}


def test_r6_number_kind_only_for_38abc_codes():
    """docs/audit-json.md: number_kind is given for 38ABC codes only (null elsewhere)."""
    t = Traffic()
    outside = t.send(A, paris("2026-11-10 10:00:00"), short_code="37100")
    rows = run(t.warehouse(), CONTRACT, "R6").rows
    assert rows.message_id.tolist() == [outside] and rows.number_kind.isna().all()


def test_r6_and_r10_judge_the_kind_the_facts_give():
    """Change a kind in the facts and both verdicts follow it: neither audit looks the
    number up again (R6 did, over ref_numbering; R10 did, by 6-digit heads)."""
    t = Traffic()
    at = paris("2026-11-10 10:00:00")
    m2m = t.send(M2M, at, short_code="38100", service="meter")
    mobile = t.send(A, at)
    db = t.warehouse()
    assert run(db, CONTRACT, "R6").violations == 0 and run(db, CONTRACT, "R10").violations == 0
    db.execute("UPDATE fct_mt SET number_kind = 'malformed' WHERE msisdn = $m", {"m": M2M})
    db.execute("UPDATE fct_mt SET number_kind = 'foreign', number_territory = 'GB' WHERE msisdn = $m", {"m": A})
    r6 = run(db, CONTRACT, "R6").rows
    assert list(zip(r6.message_id, r6.reason, r6.number_kind)) == [(m2m, "not_m2m_number", "malformed")]
    r10 = run(db, CONTRACT, "R10").rows
    assert {r.message_id: (r.reason, r.number_kind, r.territory) for r in r10.itertuples()} == {
        m2m: ("malformed", "malformed", "FR"), mobile: ("foreign", "foreign", "GB")}
