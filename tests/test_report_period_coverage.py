"""A report's period coverage reads the logs' observed time, as R13 does: a period with a
stretch of days no log covers is 'partial'. A session-35 probe (s35/pA): the October report's
previous period, September, read 'full' (and its R2 count a baseline for the trend, 3 to 16)
while its only log began on 20 September, the earlier one having ended with `Log ends` on
1 April: period_coverage compared the period with the warehouse's first and last instants
only. A rotation (a reopen within a second) or a restart of seconds is no gap in the data."""

from __future__ import annotations

import datetime as dt

import pytest
from slalines import CONTRACT, ok_at, written

from opsanalytics import warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.report.summary import executive_summary, period_coverage

SEPTEMBER, OCTOBER = Filters(dt.date(2026, 9, 1), dt.date(2026, 9, 30)), Filters(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def _traffic(days: list[str]) -> list[str]:
    """One delivered MT on ora_36180 at noon (UTC) each day."""
    return [line for i, day in enumerate(days) for line in ok_at(f"{day} 12:00:00", "ora_36180", f"A{i:07d}", f"336120{i:05d}")]


def _coverage(tmp_path, files: dict[str, list[str]], filters: list[Filters]) -> list[str]:
    (tmp_path / "contract.toml").write_text(CONTRACT, encoding="utf-8")
    contract = load_contract(tmp_path / "contract.toml")
    con = warehouse.connect(":memory:", create=True)
    try:
        ingest_files(con, contract, written(tmp_path, files), progress=False)
        return [period_coverage(con, contract, f) for f in filters]
    finally:
        con.close()


#: August to 5 September, then 20 September to the end of October (pA's shape, shorter)
EARLY = ["2026-08-01 00:00:00 Log begins", *_traffic(["2026-08-01", "2026-08-20", "2026-09-02"]),
         "2026-09-05 10:00:00 Log ends"]
LATE = ["2026-09-20 10:00:00 Log begins", *_traffic(["2026-09-21", "2026-10-01", "2026-10-15", "2026-10-31"]),
        "2026-10-31 22:59:59 Log ends"]


@pytest.mark.parametrize("names", [("gw/access-m08.log", "gw/access-m09.log"), ("gw/access.log.1", "gw/access.log")],
                         ids=["separate", "rotated"])
def test_a_period_with_days_no_log_covers_is_partial(tmp_path, names):
    """September: 5 September 10:00 to 20 September 10:00 without a log (separate files: no log
    at all; rotations of one log: the gateway down). October is covered throughout."""
    assert _coverage(tmp_path, dict(zip(names, [EARLY, LATE])), [SEPTEMBER, OCTOBER]) == ["partial", "full"]


def test_rotations_and_short_restarts_are_no_gap(tmp_path):
    """Every night a new file: reopened within the second (separate names), or the gateway
    restarted in 5 s; September stays 'full'."""
    days = [dt.date(2026, 8, 31) + dt.timedelta(days=k) for k in range(31)]
    files = {}
    for k, day in enumerate(days):
        begins = f"{day} 00:00:05" if k % 2 else f"{day} 00:00:00"   # odd days: a 5 s restart
        # (named so that no rotation suffix ties them: separate logs, a second or 5 s apart)
        files[f"gw/access-{day:%Y%m%d}x.log"] = [f"{begins} Log begins", *_traffic([str(day)]),
                                                   f"{day} 23:59:59 Log ends"]
    assert _coverage(tmp_path, files, [SEPTEMBER]) == ["full"]


def test_the_summary_calls_the_previous_period_partial(tmp_path):
    """The October report: its previous period, September, 'partial' (the index says 'data
    covers only part of the previous period' beside its counts)."""
    (tmp_path / "contract.toml").write_text(CONTRACT, encoding="utf-8")
    contract = load_contract(tmp_path / "contract.toml")
    con = warehouse.connect(":memory:", create=True)
    try:
        ingest_files(con, contract, written(tmp_path, {"gw/access-m08.log": EARLY, "gw/access-m09.log": LATE}),
                     progress=False)
        summary = executive_summary(con, contract, OCTOBER).to_json()
    finally:
        con.close()
    assert summary["period"] == {"from": "2026-10-01", "to": "2026-10-31", "coverage": "full"}
    assert summary["previous"] == {"from": "2026-09-01", "to": "2026-09-30", "coverage": "partial"}
