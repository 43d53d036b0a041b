"""R13 SLA: a stretch with no log at all is no observed time, whatever the files are named. A
session-35 probe (s35/pA) loaded one gateway's months as separate files (access-m03.log
ending with `Log ends` on 1 April, access-m09.log beginning with `Log begins` on 20 September):
June read 2,592,000 s observed and `kept`, as did every month between, while the same files
named as rotations of one log (access.log.3 ... access.log) gave June `no log` and the stretch
as the gateway's downtime. Separate files are no rotation of one log: the stretch between
them is no log (unobserved, not `gateway_down`); rotated files keep their restart. Either way
an incident is not read across it, and the 12 rolling months of a later period do not count
it (the downtime before `--from` was left out of them)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from slalines import CONTRACT, failed_at, ok_at, written

from opsanalytics import sla, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files

#: the gateway's three files: 2-3 Nov, 6 Nov, 7 Nov (UTC, the contract's log_timezone); the
#: first ends 3 Nov 10:00 (`Log ends`), the second begins 6 Nov 12:00; the third begins one
#: second after the second ends (a rotation: no gap)
FILES = [
    ["2026-11-02 08:00:00 Log begins",
     *ok_at("2026-11-02 08:00:10", "ora_36180", "A0000001", "33612000001"),
     *ok_at("2026-11-02 09:00:00", "ora_36181", "B0000001", "33611000001"),
     *ok_at("2026-11-03 08:50:00", "ora_36181", "B0000002", "33611000002"),
     *failed_at("2026-11-03 09:00:00", "ora_36181", "33611000003"),
     *failed_at("2026-11-03 09:20:00", "ora_36181", "33611000004"),
     "2026-11-03 10:00:00 Log ends"],
    ["2026-11-06 12:00:00 Log begins",
     *ok_at("2026-11-06 12:00:05", "ora_36180", "A0000002", "33612000002"),
     *ok_at("2026-11-06 12:10:00", "ora_36181", "B0000003", "33611000005"),
     "2026-11-06 23:59:59 Log ends"],
    ["2026-11-07 00:00:00 Log begins",
     *ok_at("2026-11-07 10:00:00", "ora_36180", "A0000003", "33612000003"),
     *ok_at("2026-11-07 10:00:30", "ora_36181", "B0000004", "33611000006"),
     "2026-11-07 11:00:00 Log ends"],
]
SEPARATE = ["gw/access-a.log", "gw/access-b.log", "gw/access-c.log"]
ROTATED = ["gw/access.log.2", "gw/access.log.1", "gw/access.log"]

GAP_FROM, GAP_TO = pd.Timestamp("2026-11-03 10:00:00", tz="UTC"), pd.Timestamp("2026-11-06 12:00:00", tz="UTC")
GAP_S = 266400.0                     # 3 days 2 hours
FIRST = pd.Timestamp("2026-11-02 08:00:10", tz="UTC")   # the first event (r13_log_span)
LAST = pd.Timestamp("2026-11-07 10:00:33", tz="UTC")    # the last: ora_36181's receipt
assert (GAP_TO - GAP_FROM).total_seconds() == GAP_S
#: 5 days 2 h 0 min 23 s of logs, less the gap
OBSERVED_ALL = 439223.0 - GAP_S
assert (LAST - FIRST).total_seconds() - GAP_S == OBSERVED_ALL


def _sla(tmp_path, names: list[str], filters: Filters, files: list = FILES, contract_text: str = CONTRACT) -> sla.Sla:
    paths = written(tmp_path, dict(zip(names, files)))
    (tmp_path / "contract.toml").write_text(contract_text, encoding="utf-8")
    contract = load_contract(tmp_path / "contract.toml")
    con = warehouse.connect(":memory:", create=True)
    try:
        ingest_files(con, contract, paths, progress=False)
        return sla.sla(con, contract, filters)
    finally:
        con.close()


def _observed(table: pd.DataFrame) -> dict:
    return {smsc: (observed, verdict) for smsc, observed, verdict
            in zip(table["smsc"], table["observed_s"], table["verdict"])}


def _down(result: sla.Sla) -> list[list]:
    return result.gateway_down[["smsc", "down_from", "down_to", "clean"]].values.tolist()


def test_days_with_no_log_between_separate_files_are_not_observed(tmp_path):
    """4-5 November (Paris): no file covers them. Both connections `no log`, observed 0, and
    no gateway_down: nothing says the gateway was down (no marker of one log), only that no log
    was loaded. Named as rotations of one log the same days are the gateway's restart (its
    `Log ends` to its `Log begins`): no log either, and listed as gateway_down."""
    period = Filters(dt.date(2026, 11, 4), dt.date(2026, 11, 5))
    separate = _sla(tmp_path / "S", SEPARATE, period)
    rotated = _sla(tmp_path / "R", ROTATED, period)
    for result in (separate, rotated):
        assert _observed(result.availability) == {"ora_36180": (0.0, "no log"), "ora_36181": (0.0, "no log")}
        assert result.availability["month"].tolist() == ["2026-11", "2026-11"]
        # the 12 months to 5 Nov: the logs up to the gap, 26 h less the 10 s before the first
        # event; ora_36181's incident proven 1200 s of them (98.7 %)
        assert _observed(result.rolling) == {"ora_36180": (93590.0, "kept"), "ora_36181": (93590.0, "breach proven")}
    assert _down(separate) == []
    assert _down(rotated) == [["ora_36180", GAP_FROM, GAP_TO, True], ["ora_36181", GAP_FROM, GAP_TO, True]]


def test_the_whole_logs_observe_the_same_time_whatever_the_file_names(tmp_path):
    """The logs' span less the gap, per connection and in November; the files a second apart
    (`Log ends` 23:59:59, `Log begins` 00:00:00) lose nothing, as a rotation's reopen."""
    for name, names in (("S", SEPARATE), ("R", ROTATED)):
        result = _sla(tmp_path / name, names, Filters())
        assert result.span == (FIRST, LAST)
        # ora_36181: 1200 s proven (99.3 %), 4200 s at most (97.6 %)
        expected = {"ora_36180": (OBSERVED_ALL, "kept"), "ora_36181": (OBSERVED_ALL, "breach possible")}
        assert _observed(result.rolling) == expected, name
        assert _observed(result.availability) == expected, name


def test_the_rolling_months_of_a_later_period_leave_the_earlier_gap_out(tmp_path):
    """7 November only: the period's own month is its logged 11 h 0 min 33 s; its 12 rolling
    months reach back over the gap, which they do not count (gateway_down filtered to the
    period was all the availability subtracted: the rotated logs' restart of 3-6 November was
    counted as observed in the 12 months of a later period)."""
    period = Filters(dt.date(2026, 11, 7), dt.date(2026, 11, 7))
    for name, names in (("S", SEPARATE), ("R", ROTATED)):
        result = _sla(tmp_path / name, names, period)
        assert _observed(result.availability) == {"ora_36180": (39633.0, "kept"), "ora_36181": (39633.0, "kept")}, name
        assert _observed(result.rolling) == {"ora_36180": (OBSERVED_ALL, "kept"),
                                             "ora_36181": (OBSERVED_ALL, "breach possible")}, name
        assert _down(result) == []


def test_an_incident_is_not_read_across_days_with_no_log(tmp_path):
    """ora_36181 accepted 08:50 on 3 November, failed 09:00 and 09:20, and the log ends at
    10:00; its next accepted line is 6 November. Read across the gap it lasted up to 3 days
    ('possible' over 6 h); the log proves nothing after 10:00: at most 70 min, ended at the
    log's end (log_stopped_at), as the rotated log's restart ends it."""
    for name, names in (("S", SEPARATE), ("R", ROTATED)):
        incidents = _sla(tmp_path / name, names, Filters()).incidents
        row = incidents.iloc[0]
        assert len(incidents) == 1, name
        assert (row["smsc"], row["seen_s"], row["at_most_s"], row["over_6h"]) == ("ora_36181", 1200.0, 4200.0, ""), name
        assert row["last_ok_before"] == pd.Timestamp("2026-11-03 08:50:00", tz="UTC")
        assert pd.isna(row["restored_at"]) and row["log_stopped_at"] == GAP_FROM, name


#: a third connection with lines only in the last file (a session-35 probe, s35/pD: ora_36182,
#: only in the Oct/Nov file, read April-August observed and `kept`, while the others read
#: `no log`): the days no log at all covers are before its first log, still no observed time
LATE = CONTRACT + """
[[short_codes]]
code = "36182"
smsc = "ora_36182"
"""
LATE_FILES = [*FILES[:2], [*FILES[2][:-1], *ok_at("2026-11-07 10:00:20", "ora_36182", "C0000001", "33613000001"),
                           FILES[2][-1]]]


def _late_sla(tmp_path, names: list[str], filters: Filters) -> sla.Sla:
    return _sla(tmp_path, names, filters, LATE_FILES, LATE)


def test_days_with_no_log_at_all_are_not_observed_for_a_connection_seen_only_later(tmp_path):
    """ora_36182 has lines only in the last file (7 November). 4-5 November no log at all was
    up: `no log` for it as for the others, whatever the file names; over the whole logs it
    observes the same time as they do (the warehouse's span, less the gap: before its first log
    the logs of the others still count, as the docs say of the warehouse's span)."""
    period = Filters(dt.date(2026, 11, 4), dt.date(2026, 11, 5))
    for name, names in (("S", SEPARATE), ("R", ROTATED)):
        result = _late_sla(tmp_path / f"p{name}", names, period)
        assert _observed(result.availability) == {"ora_36180": (0.0, "no log"), "ora_36181": (0.0, "no log"),
                                                  "ora_36182": (0.0, "no log")}, name
        # the 12 months to 5 Nov: the logs up to the gap (26 h less the 10 s before the first event)
        assert _observed(result.rolling) == {"ora_36180": (93590.0, "kept"), "ora_36181": (93590.0, "breach proven"),
                                             "ora_36182": (93590.0, "kept")}, name
        whole = _late_sla(tmp_path / f"w{name}", names, Filters())
        assert whole.span == (FIRST, LAST)
        assert _observed(whole.rolling) == {"ora_36180": (OBSERVED_ALL, "kept"),
                                            "ora_36181": (OBSERVED_ALL, "breach possible"),
                                            "ora_36182": (OBSERVED_ALL, "kept")}, name
        assert _down(whole) == ([] if name == "S" else
                                [["ora_36180", GAP_FROM, GAP_TO, True], ["ora_36181", GAP_FROM, GAP_TO, True],
                                 ["ora_36182", GAP_FROM, GAP_TO, True]])
        assert len(whole.incidents) == 1, name
