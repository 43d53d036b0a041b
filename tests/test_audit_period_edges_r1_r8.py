"""R1 and R8 at the edges of a period (--from/--to): what a rule defines over windows that
cross an edge (R8's runs of seconds, R1's ISO weeks) is judged on the whole window, read
around the period, and only the period's seconds / numbers are reported. October 2026
(Europe/Paris): Oct 1 is a Thursday (ISO week Sep 28-Oct 4), Oct 31 a Saturday (Oct 26-Nov 1).
Logs written with tests/kannellines.py, loaded through the real loader."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kannellines import ONE_CODE_CONTRACT, ingested, mt

from opsanalytics import warehouse
from opsanalytics.audits import Filters, run

PARIS = ZoneInfo("Europe/Paris")
OCTOBER = Filters(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))


#: a second marketing service on 36180, of another brand
TWO_BRANDS = ONE_CODE_CONTRACT + """[[services]]
name = "bolt"
brand = "Bolt"
category = "marketing"
"""


def burst(at: str, count: int, first: int, svc: str = "acme") -> list[str]:
    """`count` one-segment MTs from 36180, all logged at `at` (local time)."""
    return [mt(at, "ora_36180", f"F{first + i:06d}", f"3361{first + i:07d}", "Promo STOP 36180", svc=svc)
            for i in range(count)]


def audit(root, lines: list[str], rule: str, *filters: Filters | None):
    """`lines` loaded under `root`, then `rule` run once per filters given."""
    root.mkdir(exist_ok=True)
    db, _, contract = ingested(root, lines, TWO_BRANDS)
    con = warehouse.connect(db)
    try:
        return [run(con, contract, rule, f) for f in filters]
    finally:
        con.close()


def r8_rows(result) -> list[tuple[str, int, bool]]:
    return [(str(r.second.astimezone(PARIS))[:19], r.segments, bool(r.beyond_ack_delay))
            for r in result.rows.itertuples()]


#: rate 10, L = 1 s: a window of k seconds proves a breach past 10 x (k + 1) segments
EDGES = [*burst("2026-09-30 23:59:58", 16, 0), *burst("2026-09-30 23:59:59", 18, 100),
         *burst("2026-10-01 00:00:00", 18, 200),
         *burst("2026-10-31 23:59:59", 17, 300), *burst("2026-11-01 00:00:00", 18, 400),
         *burst("2026-11-01 00:00:01", 16, 500)]


def test_r8_windows_crossing_the_period_edges_count_the_seconds_outside(tmp_path):
    """Sep 30 23:59:59 + Oct 1 00:00:00 hold 36 > 10 x (2 + 1), and Oct 31 23:59:59 +
    Nov 1 00:00:00 hold 35 > 30: both October seconds are beyond the delay, as in the
    unfiltered audit; alone (18, 17 <= 20) neither would be. Only October's seconds are
    rows and only they are summed per short code."""
    october, whole = audit(tmp_path, EDGES, "R8", OCTOBER, None)
    assert r8_rows(october) == [("2026-10-01 00:00:00", 18, True), ("2026-10-31 23:59:59", 17, True)]
    assert (october.violations, october.summary["seconds_over_beyond_ack_delay"]) == (2, 2)
    code = october.summary["per_short_code"]["36180"]
    assert (code["segments"], code["busy_seconds"], code["peak"], code["seconds_over"]) == (35, 2, 18, 2)

    assert r8_rows(whole) == [("2026-09-30 23:59:58", 16, True), ("2026-09-30 23:59:59", 18, True),
                              ("2026-10-01 00:00:00", 18, True), ("2026-10-31 23:59:59", 17, True),
                              ("2026-11-01 00:00:00", 18, True), ("2026-11-01 00:00:01", 16, True)]


def test_r8_a_window_reaches_as_far_past_the_edge_as_the_run_goes(tmp_path):
    """Windows are of any length: Oct 31 23:59:59 holds 12 (excess 2), then 11 a second for
    9 s of Nov 1 (excess 1 each): the 10 s hold 111 > 10 x (10 + 1). With 8 s of Nov 1 the
    longest run holds 100 = 10 x (9 + 1), no shorter window more: not beyond."""
    nine = [*burst("2026-10-31 23:59:59", 12, 0),
            *[line for s in range(9) for line in burst(f"2026-11-01 00:00:0{s}", 11, 100 * (s + 1))]]
    [october] = audit(tmp_path / "nine", nine, "R8", OCTOBER)
    assert r8_rows(october) == [("2026-10-31 23:59:59", 12, True)]
    assert october.summary["seconds_over_beyond_ack_delay"] == 1

    eight = nine[:12 + 8 * 11]
    [shorter] = audit(tmp_path / "eight", eight, "R8", OCTOBER)
    assert r8_rows(shorter) == [("2026-10-31 23:59:59", 12, False)]
    assert shorter.summary["seconds_over_beyond_ack_delay"] == 0


def test_r8_under_a_brand_the_seconds_outside_are_those_it_sent_in(tmp_path):
    """--brand Acme sums the seconds Acme sent in (all brands' segments in them), outside the
    period as inside. Oct 1 00:00:00: 18 of Acme. Sep 30 23:59:59 holding 18 of Bolt only
    is not summed: 18 <= 20, not beyond (beyond without --brand: 36 > 30); holding 17 of
    Bolt and 1 of Acme it is: 36 > 30, beyond."""
    acme = Filters(date_from=OCTOBER.date_from, date_to=OCTOBER.date_to, brand="Acme")
    oct1 = burst("2026-10-01 00:00:00", 18, 200)
    bolt_only, everyone = audit(tmp_path / "bolt", [*burst("2026-09-30 23:59:59", 18, 100, "bolt"), *oct1],
                                "R8", acme, OCTOBER)
    assert r8_rows(bolt_only) == [("2026-10-01 00:00:00", 18, False)]
    assert r8_rows(everyone) == [("2026-10-01 00:00:00", 18, True)]
    [shared] = audit(tmp_path / "shared", [*burst("2026-09-30 23:59:59", 17, 100, "bolt"),
                                           *burst("2026-09-30 23:59:59", 1, 150), *oct1], "R8", acme)
    assert r8_rows(shared) == [("2026-10-01 00:00:00", 18, True)]


def marketing(at: str, msisdn: str, fid: str) -> str:
    return mt(at, "ora_36180", fid, msisdn, "Promo STOP 36180")


def test_r1_week_pressure_counts_whole_iso_weeks_that_meet_the_period(tmp_path):
    """One message a day (no R1 breach). 33611000001: Sep 27 (week 39), Sep 29, Sep 30, Oct 1
    (week 40, 3 messages); 33611000002: Oct 30, Oct 31, Nov 1 (week 44, 3); 33611000003:
    Oct 14, 15 (week 42, 2), Nov 2 (week 45); 33611000004: Sep 28 only (week 40, 1).
    October's weeks, 40 to 44, are counted whole (the unfiltered figures for those weeks):
    3 is the most, as unfiltered; weeks 39 and 45 do not meet October. The days stay
    October's (5 number-days of 1 message)."""
    lines = [marketing("2026-09-27 10:00:00", "33611000001", "A0"),
             marketing("2026-09-29 10:00:00", "33611000001", "A1"),
             marketing("2026-09-30 10:00:00", "33611000001", "A2"),
             marketing("2026-10-01 10:00:00", "33611000001", "A3"),
             marketing("2026-10-30 10:00:00", "33611000002", "B1"),
             marketing("2026-10-31 10:00:00", "33611000002", "B2"),
             marketing("2026-11-01 10:00:00", "33611000002", "B3"),
             marketing("2026-10-14 10:00:00", "33611000003", "C1"),
             marketing("2026-10-15 10:00:00", "33611000003", "C2"),
             marketing("2026-11-02 10:00:00", "33611000003", "C3"),
             marketing("2026-09-28 10:00:00", "33611000004", "D1")]
    october, whole = audit(tmp_path, lines, "R1", OCTOBER, None)
    assert october.violations == 0
    week = october.details["pressure_week"]
    assert list(zip(week["messages"], week["units"])) == [(1, 1), (2, 1), (3, 2)]
    day = october.details["pressure_day"]
    assert list(zip(day["messages"], day["units"])) == [(1, 5)]
    assert (october.summary["max_per_number_week_all_brands"], october.summary["max_per_number_day_all_brands"]) == (3, 1)
    assert whole.summary["max_per_number_week_all_brands"] == 3
