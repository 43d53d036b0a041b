"""Hand-made edge cases of R1-R8 and R10 (issue 3), each answer checkable by eye."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from opsanalytics.audits import RULES, check_facts, resolve_rule, run, run_all
from opsanalytics.audits.result import Filters
from opsanalytics import facts, pricing
from opsanalytics.errors import UsageError, WarehouseError
from auditrows import CONTRACT, Traffic, paris

A = "+33612345678"
B = "+33698765432"


def ids(result, column="message_id"):
    return sorted(int(v) for v in result.rows[column])


# ---------------------------------------------------------------- registry

def test_registry_order_ids_and_names():
    assert [s.id for s in RULES.values()] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10"]
    assert resolve_rule("freq").id == "R1"
    assert resolve_rule("r10").name == "dest"
    assert resolve_rule("stop-honour").id == "R4"
    with pytest.raises(UsageError, match="unknown rule 'R11'"):
        resolve_rule("R11")


def test_run_all_runs_r9_and_a_forecast_module_that_does_not_import_fails_it(monkeypatch):
    """R9 is part of the package: `audit all` and the executive summary (both run_all) always
    hold it, here with no forecast loaded; a broken opsanalytics.forecast is an ImportError,
    not R9 left out of an otherwise successful run."""
    import sys

    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"))
    con = t.warehouse()
    results = run_all(con, CONTRACT)
    assert [r.rule for r in results] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10"]
    r9 = results[8]
    assert (r9.name, r9.violations) == ("forecast", 0)
    assert (r9.summary["forecast_versions"], r9.summary["months_partial"]) == (0, 1)  # November is not over
    for module in ("opsanalytics.forecast", "opsanalytics.forecast.compare"):  # as if they failed to import
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match="opsanalytics.forecast"):
        run_all(con, CONTRACT)


def test_facts_of_an_earlier_version_say_how_to_rebuild_them():
    """A warehouse whose facts lack a table or view added since (fct_accepted_attempts): the
    audits say so and how to rebuild; the next ingest does rebuild them."""
    con = Traffic().warehouse()
    con.execute("DROP VIEW fct_accepted_attempts")
    with pytest.raises(WarehouseError, match="built by an earlier version.*run `opsanalytics ingest` again"):
        check_facts(con, CONTRACT)   # what `audit` and `report` call first
    assert facts.refresh(con, CONTRACT) is True
    assert run(con, CONTRACT, "R2").violations == 0


# ---------------------------------------------------------------- R1

def test_r1_counts_logical_messages_per_brand_and_local_day():
    t = Traffic()
    first = t.send(A, paris("2026-11-10 09:00:00"))
    second = t.send(A, paris("2026-11-10 12:00:00"), segments=3)       # 3 parts, one message
    t.send(A, paris("2026-11-10 13:00:00"), accepted=False)             # refused: not counted
    t.send(A, paris("2026-11-10 14:00:00"), service="bravo")            # other brand
    t.send(A, paris("2026-11-10 15:00:00"), service="acme_tx")          # transactional
    t.send(B, paris("2026-11-10 09:00:00"), segments=4)                 # one long message only
    result = run(t.warehouse(), CONTRACT, "R1")
    assert result.violations == 1
    row = result.rows.iloc[0]
    assert (row.msisdn, row.brand, row.day, row.messages) == (A, "Acme", dt.date(2026, 11, 10), 2)
    assert list(row.message_ids) == [first, second]
    assert len(row.mt_ids) == 4  # provenance: every line of both messages


def test_r1_resubmission_and_number_formats_count_once():
    t = Traffic()
    t.send("0612345678", paris("2026-11-10 09:00:00"), text="Promo STOP au 36180", accepted=False)
    resent = t.send("0033612345678", paris("2026-11-10 09:05:00"), text="Promo STOP au 36180")
    t.send("+33698765432", paris("2026-11-10 09:00:00"), text="Promo STOP au 36180", accepted=False)
    assert run(t.warehouse(), CONTRACT, "R1").violations == 0   # one message each
    other = t.send("33612345678", paris("2026-11-10 18:00:00"), text="Autre promo STOP au 36180")
    rows = run(t.warehouse(), CONTRACT, "R1").rows
    assert rows.msisdn.tolist() == [A] and rows.messages.tolist() == [2]
    assert list(rows.message_ids[0]) == [resent - 1, other]  # the logical id is its first line
    assert len(rows.mt_ids[0]) == 3                          # the refused attempt is provenance


def test_r1_pressure_across_brands_per_day_and_week():
    t = Traffic()
    t.send(A, paris("2026-11-09 09:00:00"))                     # Monday
    t.send(A, paris("2026-11-09 10:00:00"), service="bravo")
    t.send(A, paris("2026-11-09 11:00:00"), service="club")
    t.send(A, paris("2026-11-14 11:00:00"), service="club")     # Saturday, same ISO week
    t.send(B, paris("2026-11-16 11:00:00"), service="bravo")    # next week
    t.send(B, paris("2026-11-16 12:00:00"), service="acme_tx")  # not marketing
    result = run(t.warehouse(), CONTRACT, "R1")
    assert result.violations == 0  # one per brand and day
    day = result.details["pressure_day"]
    assert dict(zip(day.messages, day.units)) == {1: 2, 3: 1}
    week = result.details["pressure_week"]
    assert dict(zip(week.messages, week.units)) == {1: 1, 4: 1}
    assert result.summary["max_per_number_day_all_brands"] == 3
    assert result.summary["max_per_number_week_all_brands"] == 4


def test_r1_day_is_the_local_calendar_day():
    t = Traffic()
    # 23:30 and 00:30 Paris (winter, UTC+1): same UTC day, two local days -> no breach
    t.send(A, paris("2026-11-10 23:30:00"))
    t.send(A, paris("2026-11-11 00:30:00"))
    # 00:30 and 23:30 Paris: two UTC days (23:30Z the day before), one local day -> breach
    t.send(B, paris("2026-11-12 00:30:00"))
    t.send(B, paris("2026-11-12 23:30:00"))
    result = run(t.warehouse(), CONTRACT, "R1")
    assert [(r.msisdn, r.day) for r in result.rows.itertuples()] == [(B, dt.date(2026, 11, 12))]


def test_r1_filters_and_cap_setting():
    t = Traffic()
    for hour in (9, 10, 11):
        t.send(A, paris(f"2026-11-10 {hour:02d}:00:00"), short_code="36180" if hour < 11 else "36200")
    t.send(B, paris("2026-11-13 09:00:00"), service="bravo")
    t.send(B, paris("2026-11-13 10:00:00"), service="bravo")
    con = t.warehouse()
    assert run(con, CONTRACT, "R1").violations == 2
    assert run(con, CONTRACT, "R1", Filters(brand="Bravo")).rows.msisdn.tolist() == [B]
    assert run(con, CONTRACT, "R1", Filters(date_to=dt.date(2026, 11, 12))).rows.msisdn.tolist() == [A]
    assert run(con, CONTRACT, "R1", Filters(date_from=dt.date(2026, 11, 11))).rows.msisdn.tolist() == [B]
    # a group involving 36200 still counts the brand's messages on every code
    by_code = run(con, CONTRACT, "R1", Filters(short_code="36200")).rows
    assert by_code.messages.tolist() == [3]
    cap3 = CONTRACT.model_copy(update={"rules": CONTRACT.rules.model_copy(update={"frequency_cap": 2})})
    assert run(con, cap3, "R1").rows.msisdn.tolist() == [A]


def test_sql_in_a_filter_is_just_a_value():
    t = Traffic()
    t.send(A, paris("2026-11-10 09:00:00"))
    t.send(A, paris("2026-11-10 10:00:00"))
    con = t.warehouse()
    evil = "36180' OR '1'='1"
    for spec in RULES.values():
        if spec.id == "R9":
            continue
        assert run(con, CONTRACT, spec.id, Filters(short_code=evil)).violations == 0
        assert run(con, CONTRACT, spec.id, Filters(brand="x'); DROP TABLE fct_mt; --")).violations == 0
    assert con.execute("SELECT count(*) FROM fct_mt").fetchall() == [(2,)]


# ---------------------------------------------------------------- R2

def test_r2_window_edges_weekend_holiday_and_local_time():
    t = Traffic()
    expect = {
        t.send(A, paris("2026-11-10 07:59:59")): "hour",
        t.send(A, paris("2026-11-10 22:00:00")): "hour",
        t.send(A, paris("2026-11-08 12:00:00")): "sunday",         # Sunday
        t.send(A, paris("2026-11-11 12:00:00")): "holiday",        # Armistice (a Wednesday)
        t.send(A, paris("2026-11-08 00:30:00")): "sunday",         # Saturday 23:30 in UTC
        t.send(A, paris("2026-10-23 22:00:00")): "hour",           # summer: 20:00 UTC
        t.send(A, paris("2026-10-26 07:30:00")): "hour",           # day after the change: 06:30 UTC
        t.send(A, paris("2026-10-25 12:00:00")): "sunday",         # the DST night's Sunday
        t.send(A, paris("2026-11-01 23:00:00")): "sunday",         # Toussaint on a Sunday: sunday first
    }
    legal = [
        t.send(B, paris("2026-11-10 08:00:00")),
        t.send(B, paris("2026-11-10 21:59:59")),
        t.send(B, paris("2026-11-07 12:00:00")),                   # Saturday is a jour ouvrable
        t.send(B, paris("2026-10-26 08:30:00")),                   # 07:30 UTC, but 08:30 local
        t.send(B, paris("2026-10-24 21:30:00")),                   # Saturday before the change
    ]
    t.send(A, paris("2026-11-10 23:00:00"), service="acme_tx")    # not marketing
    result = run(t.warehouse(), CONTRACT, "R2")
    got = dict(zip(result.rows.message_id.astype(int), result.rows.reason))
    assert got == expect
    assert not set(legal) & set(got)
    assert result.summary["by_reason"] == {"hour": 4, "sunday": 4, "holiday": 1}
    toussaint = result.rows.set_index("message_id").loc[list(expect)[-1]]
    assert toussaint.holiday == "Toussaint"


def test_r2_dst_night_and_late_deliveries():
    t = Traffic()
    # 2026-10-25 01:30 UTC is 02:30 CET (the second 02:30 of the night): a Sunday anyway;
    # the Monday after, 06:59:59 UTC is 07:59:59 CET
    sunday = t.send(A, dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.timezone.utc))
    early = t.send(A, dt.datetime(2026, 10, 26, 6, 59, 59, tzinfo=dt.timezone.utc))
    ok = t.send(A, dt.datetime(2026, 10, 26, 7, 0, 0, tzinfo=dt.timezone.utc))
    late = t.send(B, paris("2026-11-10 21:50:00"), final_status="delivered",
                  final_at=paris("2026-11-11 08:10:00"))            # delivered on a holiday
    t.send(B, paris("2026-11-12 21:50:00"), final_status="delivered", final_at=paris("2026-11-12 21:55:00"))
    result = run(t.warehouse(), CONTRACT, "R2")
    assert dict(zip(result.rows.message_id.astype(int), result.rows.reason)) == {sunday: "sunday", early: "hour"}
    assert ok not in set(result.rows.message_id)
    lates = result.details["late_deliveries"]
    assert lates.message_id.tolist() == [late]
    assert lates.delay_seconds.tolist() == [(10 * 60 + 20) * 60]
    assert lates.reason.tolist() == ["holiday"]
    # and scripts get each one in the JSON, not only the count (RULES.md: "reported separately")
    [listed] = result.to_json(CONTRACT.timezone)["summary"]["late_delivery_messages"]
    assert listed == {"message_id": late, "msisdn": B, "short_code": "36180", "brand": "Acme",
                      "submitted_at": "2026-11-10T21:50:00+01:00", "delivered_at": "2026-11-11T08:10:00+01:00",
                      "delay_seconds": (10 * 60 + 20) * 60.0, "reason": "holiday"}


def test_r2_late_delivery_across_the_spring_dst_night():
    # Saturday 21:59 CET, delivered Sunday 08:00 CEST: 9 h 01 min later, on a Sunday
    t = Traffic()
    late = t.send(A, paris("2027-03-27 21:59:00"), final_status="delivered", final_at=paris("2027-03-28 08:00:00"))
    t.send(B, paris("2027-03-26 12:00:00"), final_status="delivered", final_at=paris("2027-03-26 21:59:59"))
    evening = t.send(B, paris("2027-03-26 21:00:00"), final_status="delivered",
                     final_at=paris("2027-03-26 22:00:00"))
    lates = run(t.warehouse(), CONTRACT, "R2").details["late_deliveries"]
    assert dict(zip(lates.message_id, lates.reason)) == {late: "sunday", evening: "hour"}
    assert dict(zip(lates.message_id, lates.delay_seconds)) == {late: (9 * 60 + 1) * 60.0, evening: 3600.0}


# ---------------------------------------------------------------- R3

@pytest.mark.parametrize("text", [
    "Soldes ! STOP au 36180",
    "Soldes ! stop 36180",
    "Soldes ! STOP SMS 36180",
    "Soldes ! Stop: 36180",
    "Soldes ! STOP au 36 180",
    "R..pondez STOP au 36180 pour ne plus recevoir",     # lossy accents
    "Répondez Stop au numéro 36180",
    "STOP\u00a0à 36180",                                    # non-breaking space, accent
    "STOP .. 36180",                                        # lossy 'à'
    "Soldes ! STOP36180",                                   # no space at all
    "Soldes ! stop36 180",
    "Soldes ! STOP au 36\u00a0180",                         # no-break spaces in the number
    "Soldes ! STOP au 36\u202f180",
])
def test_r3_lenient_mentions_pass(text):
    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"), text=text)
    assert run(t.warehouse(), CONTRACT, "R3").violations == 0


@pytest.mark.parametrize("text,reason", [
    ("Soldes -20% ce week-end", "missing_stop"),
    ("Soldes ! ST0P au 36180", "missing_stop"),
    ("Soldes ! STOPPEZ tout au 36180", "missing_stop"),
    ("Soldes ! Répondez STOP", "missing_short_code"),
    ("Offre 36180 : répondez STOP", "missing_short_code"),   # the code is not where to send STOP
    ("Soldes ! STOP au 36200", "wrong_number"),
    ("Soldes ! STOP au 06 12 34 56 78", "wrong_number"),
    ("Code 36180 ; STOP SMS au 36999", "wrong_number"),
    ("Soldes ! STOP36200", "wrong_number"),
    ("Soldes ! STOPPEZ36180", "missing_stop"),
    ("", "missing_stop"),
])
def test_r3_breaches_and_reasons(text, reason):
    t = Traffic()
    mid = t.send(A, paris("2026-11-10 10:00:00"), text=text)
    rows = run(t.warehouse(), CONTRACT, "R3").rows
    assert rows.message_id.tolist() == [mid]
    assert rows.reason.tolist() == [reason]


def test_r3_skips_exempt_and_non_marketing_and_checks_own_code():
    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"), service="club", text="Club news")          # exempt
    t.send(A, paris("2026-11-10 10:00:00"), service="acme_tx", text="Your code: 1234")  # transactional
    same_text = "Soldes ! STOP au 36180"
    t.send(A, paris("2026-11-10 11:00:00"), text=same_text)
    wrong = t.send(B, paris("2026-11-10 11:00:00"), text=same_text, short_code="36200")
    rows = run(t.warehouse(), CONTRACT, "R3").rows
    assert rows.message_id.tolist() == [wrong]
    assert rows.reason.tolist() == ["wrong_number"]
    assert list(rows.numbers_named[0]) == ["36180"]


def test_r3_texts_not_logged_are_counted_not_judged():
    """A gateway that keeps texts out of its log (no %b): R3 cannot judge those messages,
    so it reports how many went unchecked instead of calling each one a breach."""
    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"), text_logged=False)
    t.send(B, paris("2026-11-10 10:00:00"), text_logged=False, segments=3)   # one message
    t.send(B, paris("2026-11-10 11:00:00"), text_logged=False, service="acme_tx")  # not marketing
    breach = t.send(A, paris("2026-11-10 12:00:00"), text="Soldes -20%")
    result = run(t.warehouse(), CONTRACT, "R3")
    assert ids(result) == [breach]
    assert result.summary["texts_not_logged"] == 2
    other_day = run(t.warehouse(), CONTRACT, "R3", Filters(date_from=dt.date(2026, 11, 11)))
    assert other_day.summary["texts_not_logged"] == 0


# ---------------------------------------------------------------- R4

def test_r4_grace_ack_start_and_brand_scope():
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"), short_code="36180")                  # Acme seen on 36180
    t.send(B, paris("2026-11-02 10:00:00"), short_code="36200", service="bravo")  # Bravo only on 36200
    t.receive(A, paris("2026-11-10 10:00:00"), "Stop merci", keyword="STOP")
    ack = t.send(A, paris("2026-11-10 10:05:00"), text="Vous ne recevrez plus nos SMS. STOP au 36180")
    t.send(A, paris("2026-11-10 10:05:30"), service="acme_tx", text="Desinscription prise en compte")
    second = t.send(A, paris("2026-11-10 10:06:00"))                              # second within grace
    other_code = t.send(A, paris("2026-11-12 10:00:00"), short_code="36200")      # Acme's other code
    t.send(A, paris("2026-11-12 11:00:00"), short_code="36200", service="bravo")  # Bravo: not concerned
    t.send(A, paris("2026-11-12 12:00:00"), service="acme_tx")                    # transactional
    t.receive(A, paris("2026-11-13 10:00:00"), "START", keyword="START")
    t.send(A, paris("2026-11-14 10:00:00"))                                       # re-opted in
    result = run(t.warehouse(), CONTRACT, "R4")
    assert ids(result) == sorted([second, other_code])
    assert ack not in ids(result)
    row = result.rows.set_index("message_id").loc[other_code]
    assert row.stop_at == paris("2026-11-10 10:00:00")
    assert row.sent_at == paris("2026-11-12 10:00:00")
    stats = result.details["stop_stats"].set_index("brand")
    assert stats.loc["Acme", "stops"] == 1
    assert stats.loc["Acme", "starts"] == 1
    assert stats.loc["Acme", "max_seconds_to_last_mt"] == 2 * 86400 + 2 * 3600  # last MT: tx at 12:00
    assert "Bravo" not in stats.index


def test_r4_late_first_message_and_declared_brands():
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-10 10:00:00"), "ARR..T", keyword="STOP")
    late_ack = t.send(A, paris("2026-11-10 10:11:00"))           # first, but after the grace
    same_second = t.send(B, paris("2026-11-10 10:00:00"))
    t.receive(B, paris("2026-11-10 10:00:00"), "STOP", keyword="STOP")
    t.receive(B, paris("2026-11-10 09:00:00"), "AUTOSTOP", keyword=None)
    result = run(t.warehouse(), CONTRACT, "R4")
    assert ids(result) == [late_ack]
    assert same_second not in ids(result)

    # a `brands` list on the short code replaces the brands seen in traffic
    declared = CONTRACT.model_copy(update={"short_codes": [
        s.model_copy(update={"brands": ["Bravo"]}) if s.code == "36180" else s for s in CONTRACT.short_codes]})
    t2 = Traffic()
    t2.receive(A, paris("2026-11-10 10:00:00"), "STOP", keyword="STOP")
    acme = t2.send(A, paris("2026-11-11 10:00:00"))
    bravo = t2.send(A, paris("2026-11-11 10:00:00"), service="bravo", short_code="36200")
    assert ids(run(t2.warehouse(declared), declared, "R4")) == [bravo]
    assert ids(run(t2.warehouse(), CONTRACT, "R4")) == [acme]
    # an empty list is a list: a STOP to that code concerns no brand
    nobody = CONTRACT.model_copy(update={"short_codes": [
        s.model_copy(update={"brands": []}) if s.code == "36180" else s for s in CONTRACT.short_codes]})
    assert ids(run(t2.warehouse(nobody), nobody, "R4")) == []


def test_r4_a_stop_concerning_two_brands_is_one_stop_message_and_two_opt_outs():
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))                                  # Acme on 36180
    t.send(B, paris("2026-11-02 10:00:00"), service="bravo")                 # Bravo on 36180 too
    t.receive(A, paris("2026-11-10 10:00:00"), "STOP", keyword="STOP")
    t.receive(B, paris("2026-11-10 11:00:00"), "STOP", keyword="STOP", short_code="36200")  # no brand sends there
    con = t.warehouse()
    summary = run(con, CONTRACT, "R4").summary
    assert (summary["stops"], summary["stop_messages"]) == (2, 1)
    assert run(con, CONTRACT, "R4", Filters(brand="Bravo")).summary["stop_messages"] == 1
    assert run(con, CONTRACT, "R4", Filters(date_from=dt.date(2026, 11, 11))).summary["stop_messages"] == 0


def test_r3_exempt_services_are_those_the_facts_skipped_not_an_edited_contract_s():
    exempt = CONTRACT.model_copy(update={"services": [
        s.model_copy(update={"stop_notice_exempt": True}) if s.name == "bravo" else s for s in CONTRACT.services]})
    t = Traffic()
    t.send(B, paris("2026-11-10 10:00:00"), service="bravo", text="Promo sans mention")
    con = t.warehouse(exempt)                              # facts built with bravo exempt
    result = run(con, CONTRACT, "R3")                      # audited with the file that says otherwise
    assert result.violations == 0 and "bravo" in result.summary["exempt_services"]
    assert "bravo" not in run(t.warehouse(), CONTRACT, "R3").summary["exempt_services"]


def test_r4_mo_without_text_is_counted_as_unseen():
    """An MO whose text is not logged may have been a STOP: R4 cannot see it (no breach
    follows from it) and says how many such MOs there were."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-10 10:00:00"), None, keyword=None)
    t.receive(B, paris("2026-11-10 10:00:00"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-11 10:00:00"))
    late = t.send(B, paris("2026-11-11 10:00:00"))
    result = run(t.warehouse(), CONTRACT, "R4")
    assert ids(result) == [late]
    assert result.summary["mo_texts_not_logged"] == 1
    assert run(t.warehouse(), CONTRACT, "R4", Filters(short_code="36200")).summary["mo_texts_not_logged"] == 0


# ---------------------------------------------------------------- R5

def test_r5_session_mo_within_hours_before():
    t = Traffic()
    t.receive(A, paris("2026-11-10 10:00:00"), "JEU", short_code="34100")
    ok = t.send(A, paris("2026-11-11 09:59:59"), short_code="34100", service="acme_tx")
    expired = t.send(A, paris("2026-11-11 10:00:01"), short_code="34100", service="acme_tx")
    none = t.send(B, paris("2026-11-11 10:00:00"), short_code="34100", service="acme_tx")
    t.receive(B, paris("2026-11-11 09:00:00"), "JEU", short_code="36180")       # other code
    t.receive(A, paris("2026-11-12 10:00:00"), "JEU", short_code="34100")      # same second, line before
    same = t.send(A, paris("2026-11-12 10:00:00"), short_code="34100", service="acme_tx")
    # same second, but the MT's line comes before the MO's: sent before the MO arrived (a reply is
    # always logged after the MO it answers), so that MO opens no session for it
    c = "+33611223344"
    before_mo = t.send(c, paris("2026-11-13 10:00:00"), short_code="34100", service="acme_tx")
    t.receive(c, paris("2026-11-13 10:00:00"), "JEU", short_code="34100")
    rows = run(t.warehouse(), CONTRACT, "R5").rows
    assert dict(zip(rows.message_id, rows.reason)) == {expired: "session_expired", none: "no_mo", before_mo: "no_mo"}
    assert ok not in set(rows.message_id) and same not in set(rows.message_id)


# ---------------------------------------------------------------- R6, R7

def test_r6_ranges():
    t = Traffic()
    m2m = "+337001234567890"
    expect = {
        t.send(A, paris("2026-11-10 10:00:00"), short_code="37100"): "marketing_outside_35_36",
        t.send(A, paris("2026-11-10 10:00:00"), short_code="35100"): "no_geo_presence",
        t.send(A, paris("2026-11-10 10:00:00"), short_code="36999"): "unknown_short_code",
        t.send(A, paris("2026-11-10 10:00:00"), short_code="38100", service="meter"): "not_m2m_number",
        t.send(A, paris("2026-11-10 10:00:00"), short_code="38100"): "marketing_outside_35_36",
    }
    t.send(A, paris("2026-11-10 10:00:00"), short_code="35200")                      # geo presence
    t.send(m2m, paris("2026-11-10 10:00:00"), short_code="38100", service="meter")   # M2M SIM
    t.send(A, paris("2026-11-10 10:00:00"), short_code="37100", service="chat")      # interpersonal
    t.send(A, paris("2026-11-10 10:00:00"), short_code="34100", accepted=False)      # refused
    rows = run(t.warehouse(), CONTRACT, "R6").rows
    assert dict(zip(rows.message_id, rows.reason)) == expect


def test_r7_oadc():
    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"), oadc="ACME")                   # declared name
    t.send(A, paris("2026-11-10 10:00:00"))                                # the code itself
    promo = t.send(A, paris("2026-11-10 10:00:00"), oadc="PROMO")
    other = t.send(A, paris("2026-11-10 10:00:00"), oadc="ACME", short_code="36200")
    # Kannel's '+' of an address of type international: the short code as the SMSC gets it
    t.send(A, paris("2026-11-10 10:00:00"), oadc="+36180")
    # the short code behind a country code is another OAdC
    country = t.send(A, paris("2026-11-10 10:00:00"), oadc="+3336180")
    # a space around the short code: Kannel sends it as written, an alphanumeric sender (TON 5)
    # no one can reply to (real Kannel 1.4.5, a probe); around a declared name it is harmless
    spaced = t.send(A, paris("2026-11-10 10:00:00"), oadc="36200 ", short_code="36200")
    t.send(A, paris("2026-11-10 10:00:00"), oadc="ACME ")
    rows = run(t.warehouse(), CONTRACT, "R7").rows
    assert dict(zip(rows.message_id, rows.reason)) == {promo: "not_declared", other: "not_short_code",
                                                      country: "not_declared", spaced: "not_short_code"}



def test_r7_declared_names_match_whatever_spaces_or_unicode_form_the_contract_wrote():
    """A probe: a name declared `"ACME "` matched no sender, itself included, and `Café` pasted
    decomposed (e + U+0301) matched no `Café` sent: false not_declared breaches that looked
    identical on screen. An empty name is refused: it would pass every MT with no sender logged."""
    from auditrows import CONTRACT_TOML
    from opsanalytics.config import parse_contract
    from opsanalytics.errors import ConfigError

    written = parse_contract(CONTRACT_TOML.replace('oadc = ["ACME"]', 'oadc = ["ACME ", "Cafe\u0301"]'), "c.toml")
    assert written.short_codes[0].oadc == ["ACME", "Caf\u00e9"]
    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"), oadc="ACME")
    t.send(A, paris("2026-11-10 10:00:00"), oadc="ACME ")
    t.send(A, paris("2026-11-10 10:00:00"), oadc="Caf\u00e9")
    t.send(A, paris("2026-11-10 10:00:00"), oadc="Cafe\u0301")
    cafe = t.send(A, paris("2026-11-10 10:00:00"), oadc="Cafe")
    rows = run(t.warehouse(written), written, "R7").rows
    assert dict(zip(rows.message_id, rows.reason)) == {cafe: "not_declared"}
    with pytest.raises(ConfigError, match="expected OAdC sender names, got an empty one"):
        parse_contract(CONTRACT_TOML.replace('oadc = ["ACME"]', 'oadc = ["ACME", " "]'), "c.toml")


# ---------------------------------------------------------------- resends: every accepted attempt

def _resend_after_failed_delivery(t: Traffic, first: str, again: str, **second) -> int:
    """A marketing message accepted at `first` whose delivery failed, resent at `again` (the
    same text, number and service, within retry_minutes): one logical message (R1 counts it
    once) of two accepted attempts; returns its id."""
    text = "Soldes -20% ce week-end ! STOP au 36180"
    mid = t.send(A, paris(first), text=text, final_status="failed", final_at=paris(first) + dt.timedelta(minutes=1))
    t.send(A, paris(again), text=text, final_status="delivered", **second)
    return mid


def test_resend_of_a_failed_message_is_one_message_whose_every_attempt_is_judged():
    """A resend after a failed delivery folds into the first attempt (R1 counts one message),
    but it is sent again: each rule on what was sent judges it at its own time, on its own
    short code and OAdC. The breach is the message's, dated by its attempt in breach."""
    t = Traffic()
    late = _resend_after_failed_delivery(t, "2026-11-10 21:50:00", "2026-11-10 22:40:00")           # R2
    after_stop = _resend_after_failed_delivery(t, "2026-11-12 10:00:00", "2026-11-12 10:30:00")     # R4
    t.receive(A, paris("2026-11-12 10:05:00"), "STOP", keyword="STOP")
    t.receive(A, paris("2026-11-12 12:00:00"), "START", keyword="START")
    other_oadc = _resend_after_failed_delivery(t, "2026-11-13 10:00:00", "2026-11-13 10:20:00", oadc="PROMO")
    db = t.warehouse()
    assert db.execute("SELECT count(*) FROM fct_logical_messages WHERE attempts = 2").fetchone()[0] == 3
    assert run(db, CONTRACT, "R1").violations == 0
    r2 = run(db, CONTRACT, "R2").rows
    assert r2.message_id.tolist() == [late] and r2.reason.tolist() == ["hour"]
    assert r2.local_time.tolist() == ["2026-11-10 22:40:00"]
    r4 = run(db, CONTRACT, "R4").rows
    assert r4.message_id.tolist() == [after_stop] and r4.seconds_after_stop.tolist() == [25 * 60]
    r7 = run(db, CONTRACT, "R7").rows
    assert r7.message_id.tolist() == [other_oadc] and r7.oadc.tolist() == ["PROMO"]
    assert run(db, CONTRACT, "R3").violations == 0


def test_resend_on_another_short_code_is_judged_on_it():
    """R3, R5, R6: the attempt's own short code (a resend routed through another link)."""
    t = Traffic()
    text = "Soldes -20% ce week-end ! STOP au 36180"
    moved = t.send(A, paris("2026-11-10 10:00:00"), text=text, final_status="failed",
                   final_at=paris("2026-11-10 10:01:00"))
    t.send(A, paris("2026-11-10 10:20:00"), text=text, short_code="37100")
    db = t.warehouse()
    assert db.execute("SELECT attempts FROM fct_logical_messages WHERE logical_id = $id", {"id": moved}).fetchone() == (2,)
    r3 = run(db, CONTRACT, "R3").rows
    assert r3.message_id.tolist() == [moved] and r3.short_code.tolist() == ["37100"]
    assert r3.reason.tolist() == ["wrong_number"]
    r6 = run(db, CONTRACT, "R6").rows
    assert r6.message_id.tolist() == [moved] and r6.reason.tolist() == ["marketing_outside_35_36"]
    # R5: a session open at the first attempt, closed at the resend
    s = Traffic()
    s.receive(B, paris("2026-11-10 10:00:00"), "JEU", short_code="34100")
    session = s.send(B, paris("2026-11-11 09:50:00"), short_code="34100", service="chat", text="Q1",
                     final_status="failed", final_at=paris("2026-11-11 09:51:00"))
    s.send(B, paris("2026-11-11 10:20:00"), short_code="34100", service="chat", text="Q1")
    r5 = run(s.warehouse(), CONTRACT, "R5").rows
    assert r5.message_id.tolist() == [session] and r5.reason.tolist() == ["session_expired"]


# ---------------------------------------------------------------- R8

def test_r8_seconds_over_the_rate_and_tiers():
    t = Traffic()
    burst = paris("2026-11-10 10:00:00")
    for _ in range(7):
        t.send(A, burst, segments=3)                         # 21 segments on 36180 (rate 20)
    t.send(A, burst, segments=5, accepted=False)             # refused by the SMSC: 5 submitted
    t._line(burst, "DISCARDED SMS", "mt", "discarded", smsc="", service="acme", sender="36180",
            receiver=A, text="never submitted", segments=4)      # Kannel gave up: never submitted
    for _ in range(10):
        t.send(A, paris("2026-11-10 10:00:01"), segments=2)  # 20: at the rate
    for _ in range(11):
        t.send(A, burst, short_code="36200")                 # 11 on 36200 (rate 10)
    result = run(t.warehouse(), CONTRACT, "R8")
    assert [(r.short_code, r.segments, r.rate) for r in result.rows.itertuples()] == [
        ("36180", 26, 20), ("36200", 11, 10)]
    assert result.violations == 2
    code = result.summary["per_short_code"]["36180"]
    assert code["peak"] == 26 and code["seconds_over"] == 1 and code["busy_seconds"] == 2
    assert code["cheapest_tier"] == 50 and code["cheapest_tier_monthly_eur"] == 1600.0
    assert code["segments"] == 46   # 21 + 5 refused at 10:00:00, 20 at 10:00:01
    assert result.summary["per_short_code"]["36200"]["cheapest_tier"] == 20
    assert run(t.warehouse(), CONTRACT, "R8", Filters(short_code="36200")).violations == 1
    assert run(t.warehouse(), CONTRACT, "R8", Filters(brand="Bravo")).violations == 0


def test_r8_campaign_fits_the_contracts_window_with_its_headroom():
    """RULES.md: 500,000 segments at 10/s take 13.9 h and do not fit one 8h-22h window (at
    exactly the subscribed rate nothing is left for throttling or retries: window_headroom).
    The window is the contract's, not a fixed 14 h."""
    assert pricing.campaign_hours(500_000, 10) == pytest.approx(13.889, abs=1e-3)
    assert CONTRACT.rules.window_hours == 14.0
    assert not pricing.fits_window(500_000, 10, CONTRACT.rules.window_hours, CONTRACT.rules.window_headroom)
    assert pricing.fits_window(450_000, 10, CONTRACT.rules.window_hours, CONTRACT.rules.window_headroom)
    # what page 50 prints as the hours a campaign may fill: 14 h less the 5 % headroom
    assert pricing.usable_hours(CONTRACT.rules.window_hours, CONTRACT.rules.window_headroom) == pytest.approx(13.3)
    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"), segments=1300)        # 65 s at 20/s
    db = t.warehouse()
    code = run(db, CONTRACT, "R8").summary["per_short_code"]["36180"]
    assert code["window_hours"] == 14.0 and code["busiest_day_fits_window_at_rate"]
    minute = CONTRACT.model_copy(update={"rules": CONTRACT.rules.model_copy(update={"window": ("08:00", "08:01")})})
    code = run(db, minute, "R8").summary["per_short_code"]["36180"]
    assert code["window_hours"] == pytest.approx(1 / 60) and not code["busiest_day_fits_window_at_rate"]


# ---------------------------------------------------------------- R10

def test_r10_destinations():
    t = Traffic()
    expect = {
        t.send("+590690123456", paris("2026-11-10 10:00:00")): "overseas",
        t.send("0690123457", paris("2026-11-10 10:00:00")): "overseas",      # 0690 in national form
        t.send("0639123456", paris("2026-11-10 10:00:00")): "overseas",      # Mayotte, national form
        t.send("+262692123456", paris("2026-11-10 10:00:00")): "overseas",
        t.send("+262639123456", paris("2026-11-10 10:00:00")): "overseas",   # Mayotte
        t.send("+33694123456", paris("2026-11-10 10:00:00")): "overseas",    # 0694 written after +33
        t.send("+447911123456", paris("2026-11-10 10:00:00")): "foreign",
        t.send("0612", paris("2026-11-10 10:00:00")): "malformed",
        t.send("+3361234567", paris("2026-11-10 10:00:00")): "malformed",    # one digit short
        t.send("+33140000000", paris("2026-11-10 10:00:00")): "not_mobile",  # Paris landline
        t.send("+337001234567890", paris("2026-11-10 10:00:00")): "not_mobile",  # M2M SIM, marketing
        # m2m traffic to an M2M SIM, but on a 36ABC code: "valid only for m2m traffic, 38ABC"
        t.send("+337001234567891", paris("2026-11-10 10:00:00"), short_code="36180", service="meter"): "not_mobile",
    }
    t.send("+337001234567890", paris("2026-11-10 10:00:00"), short_code="38100", service="meter")
    t.send(A, paris("2026-11-10 10:00:00"))
    t.send("+33745123456", paris("2026-11-10 10:00:00"))
    t.send("+447911123456", paris("2026-11-10 10:00:00"), accepted=False)
    result = run(t.warehouse(), CONTRACT, "R10")
    assert dict(zip(result.rows.message_id, result.rows.reason)) == expect
    assert {"+590690123457", "+262639123456"} <= set(result.rows.msisdn)


def test_r10_non_orange_share():
    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"), final_status="failed", dlr_err="030001")
    t.send(A, paris("2026-11-10 10:00:00"), final_status="failed", dlr_err="011")
    t.send(A, paris("2026-11-10 10:00:00"), final_status="failed", dlr_err="03000B")
    t.send(A, paris("2026-11-10 10:00:00"), final_status="failed", dlr_err="03001B")  # absent
    t.send(A, paris("2026-11-10 10:00:00"), final_status="delivered")
    t.send(B, paris("2026-11-10 10:00:00"), service="bravo", short_code="36200", final_status="delivered")
    # no final receipt: none asked, only an intermediate one (the share cannot count them)
    t.send(B, paris("2026-11-10 10:00:00"), service="bravo", short_code="36200")
    t.send(B, paris("2026-11-10 10:00:00"), service="bravo", short_code="36200", final_status="pending")
    t.send(B, paris("2026-11-10 10:00:00"), service="bravo", short_code="36200", final_status="expired")
    result = run(t.warehouse(), CONTRACT, "R10")
    share = result.details["non_orange_share"]
    row = share.iloc[0]
    assert (row.mt, row.non_orange, row.other_failed, row.delivered, row.without_final_status) == (5, 3, 1, 1, 0)
    assert row.non_orange_share == 0.6
    # per short code and brand in the JSON as well (RULES.md R10), JSON-ready
    summary = json.loads(json.dumps(result.to_json(CONTRACT.timezone)))["summary"]
    assert summary["non_orange_by_short_code_brand"] == [
        {"short_code": "36180", "brand": "Acme", "mt_lines": 5, "non_orange_failed": 3, "non_orange_share": 0.6,
         "failed_error_unknown": 0, "without_final_status": 0, "expired_or_rejected": 0},
        {"short_code": "36200", "brand": "Bravo", "mt_lines": 4, "non_orange_failed": 0, "non_orange_share": 0.0,
         "failed_error_unknown": 0, "without_final_status": 2, "expired_or_rejected": 1}]
    assert (summary["mt_lines"], summary["mt_without_final_status"]) == (9, 2)
    # every accepted line is in one column of the page's table (an expired one was in none)
    assert (share.non_orange + share.other_failed + share.delivered + share.without_final_status
            + share.expired_or_rejected == share.mt).all()


def test_run_all_and_json_contract():
    t = Traffic()
    t.send(A, paris("2026-11-08 10:00:00"))
    t.send(A, paris("2026-11-08 11:00:00"))
    results = run_all(t.warehouse(), CONTRACT)
    assert [r.rule for r in results][:8] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"]
    out = {r.rule: r.to_json("Europe/Paris") for r in results}
    assert out["R1"]["violations"] == 1 and out["R2"]["violations"] == 2
    assert out["R1"]["rows"][0]["day"] == "2026-11-08"
    assert out["R2"]["rows"][0]["submitted_at"] == "2026-11-08T10:00:00+01:00"
    assert set(out["R2"]["rows"][0]) >= {"message_id", "msisdn", "short_code", "brand", "submitted_at", "reason"}


# ---------------------------------------------------------------- facts built with another contract

def test_an_edited_contract_names_exactly_the_values_taken_from_the_facts():
    """Facts built with one contract, audited with an edited copy: the thresholds read at
    audit time apply (no warning for them, nor for a comment); the values built into the
    facts are named one by one, and apply once the facts are rebuilt."""
    from opsanalytics.config import parse_contract
    from auditrows import CONTRACT_TOML

    t = Traffic()
    t.send(A, paris("2026-04-03 10:00:00"))            # Good Friday: a holiday in Alsace-Moselle only
    con = t.warehouse()
    assert run(con, CONTRACT, "R2").violations == 0
    thresholds = parse_contract("# edited\n" + CONTRACT_TOML.replace("frequency_cap = 1", "frequency_cap = 2")
                                .replace("session_hours = 24", "session_hours = 1"), "edited.toml")
    assert thresholds.digest != CONTRACT.digest
    assert check_facts(con, thresholds) is None
    edited = parse_contract(
        CONTRACT_TOML.replace("session_hours = 24", "session_hours = 24\nalsace_moselle = true\nretry_minutes = 0")
        .replace('code = "36200"', 'code = "36200"\noadc = ["PROMO"]')
        .replace('name = "club"\nbrand = "Club"\ncategory = "marketing"\nstop_notice_exempt = true',
                 'name = "club"\nbrand = "Club"\ncategory = "marketing"')
        + '\n[[short_codes]]\ncode = "36300"\nsmsc = "orange_36300"\n', "edited.toml")
    warning = check_facts(con, edited)
    listed = [line.strip() for line in warning.splitlines() if line.startswith("  ") and " in the facts, " in line]
    assert listed == [
        "rules.retry_minutes: 60 in the facts, 0 in this file",
        "rules.alsace_moselle: false in the facts, true in this file",
        'short_codes[36200].oadc: [] in the facts, ["PROMO"] in this file',
        "short_codes[36300]: absent in the facts, declared in this file",
        "services[club].stop_notice_exempt: true in the facts, false in this file",
    ]
    assert "`opsanalytics ingest --db DB --config edited.toml LOG`" in warning
    assert run(con, edited, "R2").violations == 0      # the holidays of the facts
    facts.build(con, edited)
    assert check_facts(con, edited) is None
    assert run(con, edited, "R2").violations == 1


def test_facts_built_before_the_values_were_recorded_fall_back_to_the_digest():
    from opsanalytics.config import parse_contract
    from auditrows import CONTRACT_TOML

    con = Traffic().warehouse()
    con.execute("DELETE FROM ref_settings WHERE key = 'contract_values'")
    assert check_facts(con, CONTRACT) is None
    edited = parse_contract(CONTRACT_TOML + "\n# a comment\n", "edited.toml")
    warning = check_facts(con, edited)
    assert "differs from the one the facts were built with" in warning and "cannot be told" in warning
    assert "alsace_moselle" in warning and "stop_notice_exempt" in warning


def test_every_contract_key_is_read_at_audit_time_from_the_facts_or_elsewhere():
    """The keys the warning names (facts.FACT_KEYS) and the ones it says apply (AUDIT_KEYS)
    are read as they say: every key of the contract is in exactly one of them, or in the
    keys no audit reads (read into the events at load, or by other commands)."""
    from opsanalytics.audits import AUDIT_KEYS
    from opsanalytics.config import Contract

    elsewhere = ("log_timezone", "access_log_format", "access_log_clean",  # into the events, at load
                 "receipt_timezone",                                      # ingest's clock check
                 "forecast.contractor", "report.pseudonymise_salt",
                 # R11's word lists, read by `opsanalytics content` from the contract
                 *(f"content.{k}" for k in ("adult_words", "service_words", "free_words", "cost_words",
                                            "reply_words", "interpersonal_words", "brand_names")))
    keys = []
    for name, field in Contract.model_fields.items():
        if field.exclude:
            continue
        sub = getattr(field.annotation, "model_fields", None)
        keys += [f"{name}.{k}" for k in sub] if sub and name not in ("short_codes", "services") else [name]
    groups = [*facts.FACT_KEYS, *AUDIT_KEYS, *elsewhere]
    assert sorted(groups) == sorted(keys) and len(set(groups)) == len(groups)


def test_the_audit_time_keys_change_nothing_in_the_facts():
    """AUDIT_KEYS are not built into the facts: facts built with every one of them changed
    are the same tables (ref_settings aside, which records them)."""
    from opsanalytics.audits import FACT_TABLES
    from opsanalytics.config import parse_contract
    from auditrows import CONTRACT_TOML

    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"), segments=2)
    t.send(B, paris("2026-11-10 23:00:00"), short_code="34100", final_status="failed")
    t.receive(A, paris("2026-11-10 09:00:00"), "Stop", keyword="STOP", short_code="34100")
    other = parse_contract(CONTRACT_TOML.replace('\ntimezone = "Europe/Paris"', '\ntimezone = "America/Cayenne"')
                           .replace("frequency_cap = 1", "frequency_cap = 3\nwindow = [\"09:00\", \"20:00\"]\n"
                                    "window_headroom = 0.5\nforecast_tolerance = 0.5")
                           .replace("stop_grace_minutes = 10", "stop_grace_minutes = 99")
                           .replace("session_hours = 24", "session_hours = 2"), "other.toml")
    tables = [t for t in FACT_TABLES if t != "ref_settings"] + ["fct_dlr", "fct_mt_status", "int_msisdn", "ref_keywords"]
    dumps = []
    for contract in (CONTRACT, other):
        con = t.warehouse(contract)
        dumps.append({name: sorted(map(repr, con.execute(f"SELECT * FROM {name}").fetchall())) for name in tables})
    assert dumps[0] == dumps[1]


def test_numbers_the_log_does_not_carry_are_not_judged_by_r1_r5_r10_and_are_counted():
    """A custom access-log-format without %P loads recipients as NULL: two messages to
    'nobody' are not two messages to one number (R1), nor a malformed number (R10), nor an
    MT with no session MO (R5)."""
    t = Traffic()
    t.send(None, paris("2026-11-10 10:00:00"))
    t.send(None, paris("2026-11-10 11:00:00"))
    t.send(None, paris("2026-11-10 12:00:00"), short_code="34100")
    t.send(A, paris("2026-11-10 10:00:00"))
    t.send(A, paris("2026-11-10 11:00:00"))                 # a real breach still found
    con = t.warehouse()
    r1, r5, r10 = (run(con, CONTRACT, rule) for rule in ("R1", "R5", "R10"))
    assert (r1.violations, r5.violations, r10.violations) == (1, 0, 0)
    assert r1.rows["msisdn"].tolist() == [A]
    assert [r.summary["numbers_not_logged"] for r in (r1, r5, r10)] == [3, 3, 3]
    assert run(con, CONTRACT, "R1", Filters(short_code="34100")).summary["numbers_not_logged"] == 1


def test_numbers_the_log_does_not_carry_are_not_judged_by_r6_and_counted_by_r4_and_r6():
    """A probe: a canonical export without its receiver column gave 548 R6 not_m2m_number
    breaches (a number not logged read as a malformed one), and R4, which judged nothing,
    did not say that its MTs had no number."""
    t = Traffic()
    t.send(None, paris("2026-11-10 10:00:00"), short_code="38100", service="meter")
    wrong = t.send(A, paris("2026-11-10 10:00:00"), short_code="38100", service="meter")   # still found
    t.send(None, paris("2026-11-10 11:00:00"))
    con = t.warehouse()
    r4, r6 = (run(con, CONTRACT, rule) for rule in ("R4", "R6"))
    assert dict(zip(r6.rows.message_id, r6.rows.reason)) == {wrong: "not_m2m_number"}
    assert (r4.summary["numbers_not_logged"], r6.summary["numbers_not_logged"]) == (2, 2)
    assert run(con, CONTRACT, "R6", Filters(short_code="38100")).summary["numbers_not_logged"] == 1
