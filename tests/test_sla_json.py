"""`opsanalytics sla --format json` as docs/sla.md describes it (a session-33 probe compared
them): every instant in UTC, the 12 rolling months' `from`/`to` and each month's too (they
carried the contract's offset, +01:00/+02:00); the 12 rolling months never an interval going
backwards when the period lies before the logs (`--from 2024-01-01 --to 2024-01-31` on logs
of 2026 gave `from` 2026-10-15, `to` 2024-02-01); `over_6h` null, not "", when an incident
is neither proven nor possibly over 6 hours (and empty in the CSV)."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from kannellines import ingested
from slalines import CONTRACT
from slalines import failed_at as failed
from slalines import ok_at as ok

from opsanalytics import sla, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.cli import main

# ora_36181 failing every half hour 09:00-16:00 (over 6 h proven); ora_36180 a system error
# between accepted submits a minute apart (over 6 h neither proven nor possible); in
# November (UTC+1) and on 20 October too (UTC+2), so that the months carry both offsets
LINES = [
    "2026-10-20 07:59:59 Log begins",
    *ok("2026-10-20 08:00:00", "ora_36180", "A0000001", "33612000001"),
    *ok("2026-11-10 08:00:00", "ora_36181", "B0000001", "33611000001"),
    *[line for k in range(15)
      for line in failed(f"2026-11-10 {9 + k // 2:02d}:{30 * (k % 2):02d}:00", "ora_36181", f"336110001{k:02d}")],
    *ok("2026-11-10 16:05:00", "ora_36181", "B0000002", "33611000002"),
    *ok("2026-11-10 10:00:00", "ora_36180", "A0000002", "33612000002"),
    *failed("2026-11-10 10:00:30", "ora_36180", "33612000003", "NACK/0x00000008/System Error"),
    *failed("2026-11-10 10:00:40", "ora_36180", "33612000004", "NACK/0x00000008/System Error"),
    *ok("2026-11-10 10:01:00", "ora_36180", "A0000003", "33612000005"),
]
LINES = LINES[:1] + sorted(LINES[1:])

FIRST, LAST = "2026-10-20T08:00:00+00:00", "2026-11-10T16:05:03+00:00"


@pytest.fixture(scope="module")
def warehouse_db(tmp_path_factory):
    return ingested(tmp_path_factory.mktemp("slajson"), LINES, CONTRACT)


def _json(warehouse_db, capsys, *extra: str) -> dict:
    db, config, _ = warehouse_db
    assert main(["sla", "--db", str(db), "--config", str(config), "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def _instants(value, path=""):
    """(path, text) of every string of `value` that reads as an instant with an offset."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _instants(item, f"{path}.{key}")
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from _instants(item, f"{path}[{k}]")
    elif isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        yield path, value


def test_every_instant_of_the_json_is_utc(warehouse_db, capsys):
    doc = _json(warehouse_db, capsys)
    instants = dict(_instants(doc))
    assert any(".rolling_12_months" in p for p in instants) and any(".availability_by_month" in p for p in instants)
    assert {p: v for p, v in instants.items() if not v.endswith("+00:00")} == {}
    # the same instants as before, only written in UTC: the months are local (Europe/Paris)
    months = {(r["month"], r["smsc"]): (r["from"], r["to"]) for r in doc["availability_by_month"]}
    assert months[("2026-10", "ora_36180")] == (FIRST, "2026-10-31T23:00:00+00:00")
    assert months[("2026-11", "ora_36180")] == ("2026-10-31T23:00:00+00:00", LAST)
    assert {(r["from"], r["to"]) for r in doc["rolling_12_months"]} == {(FIRST, LAST)}


def test_the_table_keeps_the_contracts_time(warehouse_db, capsys):
    """The frames (the table and the report page) keep the contract's zone; only the JSON
    writes UTC."""
    db, _, contract = warehouse_db
    con = warehouse.connect(db, read_only=True)
    try:
        result = sla.sla(con, contract, Filters())
    finally:
        con.close()
    assert str(result.rolling["from"].iloc[0].tz) == "Europe/Paris"
    assert result.rolling["from"].iloc[0] == pd.Timestamp(FIRST)


def test_a_period_before_the_logs_gives_the_12_months_own_bounds(warehouse_db, capsys):
    """The probe's `--from 2024-01-01 --to 2024-01-31` on later logs: the 12 months to
    2024-02-01 (local) do not overlap the logs: their own bounds, no observed time, no
    availability, `no log`; never `from` after `to`."""
    doc = _json(warehouse_db, capsys, "--from", "2024-01-01", "--to", "2024-01-31")
    assert doc["availability_by_month"] == [] and doc["incidents"] == []
    assert len(doc["rolling_12_months"]) == 2
    for row in doc["rolling_12_months"]:
        assert (row["from"], row["to"]) == ("2023-01-31T23:00:00+00:00", "2024-01-31T23:00:00+00:00")
        assert (row["observed_s"], row["down_seen_s"], row["down_at_most_s"]) == (0, 0, 0)
        assert (row["availability_seen"], row["availability_at_least"], row["verdict"]) == (None, None, "no log")


def test_the_12_months_are_those_to_the_periods_end_clipped_to_the_logs(warehouse_db, capsys):
    """A period after the logs whose 12 months reach back over them: the logs' span; a period
    ending inside the logs: the logs' start to the period's end (local midnight)."""
    after = _json(warehouse_db, capsys, "--from", "2027-01-01", "--to", "2027-01-31")
    assert {(r["from"], r["to"]) for r in after["rolling_12_months"]} == {(FIRST, LAST)}
    assert {r["smsc"]: r["verdict"] for r in after["rolling_12_months"]}["ora_36181"] == "breach proven"
    within = _json(warehouse_db, capsys, "--to", "2026-11-05")
    assert {(r["from"], r["to"]) for r in within["rolling_12_months"]} == {(FIRST, "2026-11-05T23:00:00+00:00")}
    # a period whose 12 months start inside the logs: from there (local midnight) to the logs' end
    late = _json(warehouse_db, capsys, "--to", "2027-11-05")
    assert {(r["from"], r["to"]) for r in late["rolling_12_months"]} == {("2026-11-05T23:00:00+00:00", LAST)}
    assert {r["smsc"]: r["verdict"] for r in late["rolling_12_months"]}["ora_36181"] == "breach proven"
    # a period whose 12 months begin after the logs' end: the window's own bounds, no log
    later = _json(warehouse_db, capsys, "--from", "2027-11-01", "--to", "2027-11-30")
    assert {(r["from"], r["to"], r["verdict"]) for r in later["rolling_12_months"]} == {
        ("2026-11-30T23:00:00+00:00", "2027-11-30T23:00:00+00:00", "no log")}
    for doc in (after, within, late, later):
        for row in doc["rolling_12_months"] + doc["availability_by_month"]:
            assert pd.Timestamp(row["from"]) <= pd.Timestamp(row["to"]), row


def test_over_6h_is_null_when_neither_proven_nor_possible(warehouse_db, capsys):
    doc = _json(warehouse_db, capsys)
    assert sorted((i["smsc"], i["over_6h"]) for i in doc["incidents"]) == [
        ("ora_36180", None), ("ora_36181", "proven")]
    db, config, _ = warehouse_db
    assert main(["sla", "--db", str(db), "--config", str(config), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted((r["smsc"], r["over_6h"]) for r in rows) == [("ora_36180", ""), ("ora_36181", "proven")]


def test_a_stalls_over_6h_is_null_too():
    """receipt_stalls[].over_6h follows the same convention."""
    frame = pd.DataFrame({"shortest_delay_s": [3700.0, 3700.0, 30000.0], "longest_delay_s": [4000.0, 30000.0, 30000.0]})
    result = sla.Sla(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), (None, None),
                     sla._judge_stalls(frame))
    assert [s["over_6h"] for s in result.to_json()["receipt_stalls"]] == [None, "possible", "proven"]


def test_the_table_shows_the_longest_stretch_and_no_none(warehouse_db, capsys):
    """A probe: the incidents table gave `seen_s` 25200 beside `over_6h possible` with no word
    of why (the longest proven stretch decides it), and a period with no log printed `None`
    for its availabilities; `sla --help` printed `99 %%`."""
    db, config, _ = warehouse_db
    assert main(["sla", "--db", str(db), "--config", str(config)]) == 0
    table = capsys.readouterr().out
    assert "longest_seen_s" in table.split("incidents, longest first")[1].splitlines()[1]
    assert main(["sla", "--db", str(db), "--config", str(config), "--from", "2024-01-01", "--to", "2024-01-31"]) == 0
    empty = capsys.readouterr().out
    assert "no log" in empty and "None" not in empty and "NaN" not in empty
    with pytest.raises(SystemExit):
        main(["sla", "--help"])
    assert "99 % promise" in capsys.readouterr().out
