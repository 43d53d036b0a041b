"""R4 dates a breach from the STOP that opened the opt-out in force (the first STOP of the
number for the brand since its last START), not from a STOP the number repeated while already
opted out (a probe on a real Kannel 1.4.5: STOP at 10:00:21, acknowledged, STOP again at
10:29:59, promotion at 10:30:00 reported "1 s after STOP" where the number had been opted out
for 1,779 s). stop_stats' time to the last MT is measured from that STOP too.

Each case is a hand-made log (tests/auditrows.Traffic: line numbers follow the calls).
"""

from __future__ import annotations

import datetime as dt

from auditrows import CONTRACT, Traffic, paris
from opsanalytics.audits import Filters, run

A = "+33612345678"


def _rows(t: Traffic, **filters) -> list[dict]:
    result = run(t.warehouse(), CONTRACT, "R4", Filters(**filters)) if filters else run(t.warehouse(), CONTRACT, "R4")
    return result.to_json(CONTRACT.timezone)["rows"]


def _stats(t: Traffic, **filters):
    result = run(t.warehouse(), CONTRACT, "R4", Filters(**filters)) if filters else run(t.warehouse(), CONTRACT, "R4")
    return result.to_json(CONTRACT.timezone)["summary"]


def _repeated_stop() -> tuple[Traffic, int, int]:
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))                                        # Acme seen on 36180
    first = t.receive(A, paris("2026-11-10 10:00:21"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-10 10:00:23"), text="Vous ne recevrez plus nos SMS. STOP au 36180")  # the ack
    t.receive(A, paris("2026-11-10 10:29:59"), "STOP", keyword="STOP")              # repeated
    promo = t.send(A, paris("2026-11-10 10:30:00"))
    return t, first, promo


def test_a_repeated_stop_does_not_restart_the_clock():
    t, first, promo = _repeated_stop()
    [row] = _rows(t)
    assert row["message_id"] == promo
    assert (row["stop_at"], row["stop_mo_id"], row["stop_short_code"], row["seconds_after_stop"]) == (
        "2026-11-10T10:00:21+01:00", first, "36180", 1779)


def test_the_stop_to_another_code_of_the_brand_a_second_later_opens_nothing():
    """STOP on 36180, STOP on 36200 (both Acme's) a second later, then Acme's promotion on
    36200: the opt-out in force is the 36180 one (its acknowledgement would have been on
    36180), 3 s before."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"), short_code="36180")
    t.send(A, paris("2026-11-02 10:00:00"), short_code="36200")
    first = t.receive(A, paris("2026-11-10 11:59:58"), "STOP", short_code="36180", keyword="STOP")
    t.receive(A, paris("2026-11-10 11:59:59"), "STOP", short_code="36200", keyword="STOP")
    promo = t.send(A, paris("2026-11-10 12:00:01"), short_code="36200")
    [row] = _rows(t)
    assert row["message_id"] == promo
    assert (row["stop_at"], row["stop_mo_id"], row["stop_short_code"], row["seconds_after_stop"]) == (
        "2026-11-10T11:59:58+01:00", first, "36180", 3)


def test_a_stop_after_a_start_opens_a_new_opt_out():
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-10 10:00:00"), "STOP", keyword="STOP")
    t.receive(A, paris("2026-11-10 11:00:00"), "START", keyword="START")
    again = t.receive(A, paris("2026-11-10 12:00:00"), "STOP", keyword="STOP")
    t.receive(A, paris("2026-11-10 12:05:00"), "STOP", keyword="STOP")              # repeated
    t.send(A, paris("2026-11-10 12:06:00"))           # the acknowledgement of the 12:00 STOP
    promo = t.send(A, paris("2026-11-10 12:45:00"))
    rows = _rows(t)
    assert [r["message_id"] for r in rows] == [promo]
    assert (rows[0]["stop_mo_id"], rows[0]["seconds_after_stop"]) == (again, 45 * 60)


def test_stop_stats_measure_from_the_stop_that_opened_the_opt_out():
    t, _, _ = _repeated_stop()
    acme = _stats(t)["per_brand"]["Acme"]
    assert acme["stops"] == 2                               # both STOP MOs
    assert acme["stops_followed_by_marketing"] == 2         # the promotion follows both
    assert acme["max_seconds_to_last_mt"] == 1779           # not 2 (ack) nor 1 (repeated STOP)
    assert acme["median_seconds_to_last_mt"] == 1779        # one opt-out, one measure


def test_stop_stats_of_a_period_count_the_opt_outs_opened_in_it():
    """--from/--to: rows are the MTs sent in the period, stop_stats the STOPs received in it,
    each followed to its last MT whatever the day (docs/audit-json.md)."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-10 23:59:50"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-10 23:59:52"), text="Vous ne recevrez plus nos SMS. STOP au 36180")  # the ack
    promo = t.send(A, paris("2026-11-11 00:00:05"))
    day1 = dt.date(2026, 11, 10)
    day2 = dt.date(2026, 11, 11)
    assert _rows(t, date_from=day1, date_to=day1) == []
    assert _stats(t, date_from=day1, date_to=day1)["per_brand"]["Acme"]["max_seconds_to_last_mt"] == 15
    [row] = _rows(t, date_from=day2, date_to=day2)
    assert row["message_id"] == promo and row["seconds_after_stop"] == 15
    summary = _stats(t, date_from=day2, date_to=day2)
    assert summary["stops"] == 0 and summary["messages"] == 1
    assert summary["messages_stop_before_period"] == 1   # the row whose STOP is not in `stops`
