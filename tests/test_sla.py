"""R13 SLA: outages of Orange's platform from Kannel 1.4.5 lines whose story is known: a
connection failing every submit for seven hours (Kannel gives up after retries), a system
error between two accepted submits, refusals for the message's own sake (no outage), and a
run of submits whose receipts stop coming."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from kannellines import ingested, mt, refused
from slalines import CONTRACT, DAY, TEXT, at, utc
from slalines import ok as delivered

from opsanalytics import sla, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.cli import main
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files

LINES = [
    # ora_36181: accepted at 08:00, every submit discarded after retries from 09:00 to 16:00
    # (15 lines, every half hour), accepted again at 16:05
    *delivered("08:00:00", "ora_36181", "B0000001", "33611000001"),
    *[line for k in range(15) for line in
      refused(at(f"{9 + k // 2:02d}:{30 * (k % 2):02d}:00"), "ora_36181", f"336110001{k:02d}", TEXT,
              "NACK/Retries Exceeded")],
    *delivered("16:05:00", "ora_36181", "B0000002", "33611000002"),
    # ora_36180: an invalid destination (the message's fault: no outage), then a system error
    # at 11:00 between accepted submits at 10:00 and 11:01
    *delivered("10:00:00", "ora_36180", "A0000001", "33612000001"),
    *refused(at("10:30:00"), "ora_36180", "33612000002", TEXT, "NACK/0x0000000b/Invalid Destination Address",
             label="REJECTED Send SMS"),
    *refused(at("11:00:00"), "ora_36180", "33612000003", TEXT, "NACK/0x00000008/System Error",
             label="REJECTED Send SMS"),
    *delivered("11:01:00", "ora_36180", "A0000002", "33612000004"),
    # ora_36180: 25 submits asking for receipts, none comes (12:00:00-12:00:24), then receipts again
    *[mt(at(f"12:00:{k:02d}"), "ora_36180", f"A00001{k:02d}", f"336120001{k:02d}", TEXT) for k in range(25)],
    *delivered("12:00:30", "ora_36180", "A0000200", "33612000200"),
    *delivered("14:00:00", "ora_36180", "A0000201", "33612000201"),
]


@pytest.fixture(scope="module")
def warehouse_db(tmp_path_factory):
    return ingested(tmp_path_factory.mktemp("sla"), LINES, CONTRACT)


@pytest.fixture(scope="module")
def result(warehouse_db):
    db, _, contract = warehouse_db
    con = warehouse.connect(db, read_only=True)
    yield sla.sla(con, contract, Filters())
    con.close()


def test_incidents_are_runs_of_platform_failures_between_accepted_submits(result):
    rows = result.incidents.set_index("smsc")
    assert sorted(result.incidents["smsc"]) == ["ora_36180", "ora_36181"]   # not the invalid destination
    long = rows.loc["ora_36181"]
    assert (long["first_failure_at"], long["last_failure_at"]) == (utc("09:00:00"), utc("16:00:00"))
    assert (long["last_ok_before"], long["restored_at"]) == (utc("08:00:00"), utc("16:05:00"))
    assert (long["seen_s"], long["at_most_s"], long["failed_lines"], long["discarded"]) == (25200, 29100, 15, 15)
    assert long["usual_reason"] == "NACK/Retries Exceeded" and long["over_6h"] == "proven"
    short = rows.loc["ora_36180"]
    # a lone failure: no evidence of anything beyond its own second (the successes around it
    # are an hour apart, and are kept to quote)
    assert (short["seen_s"], short["at_most_s"], short["failed_lines"], short["refused"]) == (0, 0, 1, 1)
    assert (short["last_ok_before"], short["restored_at"]) == (utc("10:00:00"), utc("11:01:00"))
    assert short["usual_reason"] == "NACK/0x00000008/System Error" and short["over_6h"] == ""
    # its first failure's provenance: the line of the log that proves it
    assert (short["first_load_id"], short["first_line_no"]) == (1, 39)
    assert LINES[38].startswith(f"{DAY} 11:00:00 REJECTED Send SMS [SMSC:ora_36180]")


def test_a_run_of_missing_receipts_is_a_receipt_gap(result):
    gaps = result.receipt_gaps
    assert gaps[["smsc", "lines", "seen_s"]].values.tolist() == [["ora_36180", 25, 24]]
    assert gaps.iloc[0]["first_line_at"] == utc("12:00:00")


def test_availability_over_the_time_the_logs_cover(result):
    """Logs from 08:00:00 to 16:05:03 (the last receipt): 29,103 s observed."""
    rolling = result.rolling.set_index("smsc")
    assert rolling["observed_s"].tolist() == [29103.0, 29103.0]
    down = rolling.loc["ora_36181"]
    assert (down["down_seen_s"], down["down_at_most_s"]) == (25200, 29100)
    assert down["availability_seen"] == round(1 - 25200 / 29103, 6) and down["verdict"] == "breach proven"
    other = rolling.loc["ora_36180"]
    assert (other["down_seen_s"], other["down_at_most_s"]) == (0, 0)
    assert other["availability_seen"] == 1.0 and other["verdict"] == "kept"
    # one local month, November: the same figures
    assert result.availability["month"].unique().tolist() == ["2026-11"]
    assert result.availability.set_index("smsc").loc["ora_36181", "down_seen_s"] == 25200


def test_period_and_short_code_filters(warehouse_db):
    db, _, contract = warehouse_db
    con = warehouse.connect(db, read_only=True)
    try:
        one = sla.sla(con, contract, Filters(short_code="36180"))
        before = sla.sla(con, contract, Filters(date_to=dt.date(2026, 11, 9)))
    finally:
        con.close()
    assert one.incidents["smsc"].tolist() == ["ora_36180"] and one.rolling["smsc"].tolist() == ["ora_36180"]
    assert before.incidents.empty and before.availability.empty


def test_sla_command_json_and_table(warehouse_db, capsys):
    db, config, _ = warehouse_db
    assert main(["sla", "--db", str(db), "--config", str(config), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["rule"], doc["promised_availability"], doc["restoration_hours"]) == ("R13", 0.99, 6.0)
    assert doc["logs_from"] == "2026-11-10T08:00:00+00:00"
    verdicts = {r["smsc"]: r["verdict"] for r in doc["rolling_12_months"]}
    assert verdicts == {"ora_36180": "kept", "ora_36181": "breach proven"}
    assert [i["over_6h"] for i in doc["incidents"]] == ["proven", None]
    assert main(["sla", "--db", str(db), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "incidents, longest first (2 in all)" in out and "receipt gaps" in out


def test_availability_is_shown_to_the_thousandth_of_a_percent():
    frame = pd.DataFrame({"smsc": ["a", "b"], "availability_seen": [0.99, 0.993606],
                          "availability_at_least": [None, 0.9899999]})
    # rounded down: a share under the promise never reads 99.000 %
    assert sla.shown(frame).values.tolist() == [["a", "99.000%", None], ["b", "99.360%", "98.999%"]]


def test_a_failure_logged_without_its_connection_goes_to_its_short_codes(tmp_path):
    """bearerbox logs a message it gives up on with an empty SMSC when routing chose the link
    (real Kannel 1.4.5: tests/fixtures/kannel-1.4.5/discarded), and no FID: the contract's one
    connection of its short code (the sender) is where it failed."""
    lines = [*delivered("08:00:00", "ora_36181", "B0000001", "33611000001"),
             *refused(at("09:00:00"), "ora_36181", "33611000002", TEXT, "NACK/Retries Exceeded", routed=True),
             *refused(at("09:40:00"), "ora_36181", "33611000003", TEXT, "NACK/Retries Exceeded", routed=True),
             *delivered("10:00:00", "ora_36181", "B0000002", "33611000004")]
    assert "[SMSC:] [SVC:acme]" in lines[2]
    db, _, contract = ingested(tmp_path, lines, CONTRACT)
    con = warehouse.connect(db, read_only=True)
    result = sla.sla(con, contract, Filters())
    con.close()
    # 40 minutes apart, nothing between them: two failing instants, none of the time between
    # proven (sla.MAX_FAILURE_GAP, 30 minutes)
    assert result.incidents[["smsc", "failed_lines", "seen_s", "at_most_s"]].values.tolist() == [
        ["ora_36181", 2, 0.0, 7200.0]]


@pytest.fixture(scope="module")
def simulated_outage(tmp_path_factory):
    """20 days of the simulator's traffic, its outage injected: (warehouse, contract, truth)."""
    from opsanalytics.simulate import simulate

    root = tmp_path_factory.mktemp("outage")
    sim = simulate(root / "sim", days=20, scale=150, seed=5, log_timezone="UTC", progress=False)
    truth = json.loads(sim.ground_truth.read_text(encoding="utf-8"))["outages"]
    contract = load_contract(sim.contract)
    con = warehouse.connect(root / "w.duckdb", create=True)
    ingest_files(con, contract, sim.logs, progress=False)
    con.close()
    return root / "w.duckdb", contract, truth


def test_the_simulators_outage_is_found_as_it_was_injected(simulated_outage):
    """The simulator fails every submit of the 35300 link for seven hours (Kannel gives up
    after its retries, logging the lines without their connection): found exactly, the only
    incident proven over 6 hours, and the link's availability a proven breach."""
    db, contract, truth = simulated_outage
    assert len(truth) == 1 and truth[0]["hours_seen"] == 7.0
    con = warehouse.connect(db, read_only=True)
    result = sla.sla(con, contract, Filters())
    con.close()
    expected = truth[0]
    found = result.incidents[result.incidents["first_failure_at"] == pd.Timestamp(expected["first_failure_at"])]
    assert len(found) == 1
    row = found.iloc[0]
    assert row["smsc"] == expected["smsc"] and row["failed_lines"] == expected["failed_lines"]
    for column in ("last_failure_at", "last_ok_before", "restored_at"):
        assert row[column] == pd.Timestamp(expected[column]), column
    assert result.incidents.loc[result.incidents["over_6h"] != "", "smsc"].tolist() == [expected["smsc"]]
    verdicts = result.rolling.set_index("smsc")["verdict"]
    assert verdicts[expected["smsc"]] == "breach proven"
    assert set(verdicts.drop(expected["smsc"])) == {"kept"}


def test_the_12_rolling_months_count_an_outage_before_the_period(simulated_outage):
    """A report of the days after the outage (reported by a probe: a monthly report read
    `kept` over 12 months the week after a proven 7-hour outage): the period's incidents and
    months leave it out, the 12 rolling months, which reach back before the period, do not."""
    db, contract, truth = simulated_outage
    outage_day = pd.Timestamp(truth[0]["first_failure_at"]).tz_convert(contract.timezone).date()
    con = warehouse.connect(db, read_only=True)
    try:
        after = sla.sla(con, contract, Filters(date_from=outage_day + dt.timedelta(days=2)))
        on_it = sla.sla(con, contract, Filters(date_from=outage_day, date_to=outage_day))
    finally:
        con.close()
    smsc = truth[0]["smsc"]
    assert smsc not in set(after.incidents["smsc"])
    assert set(after.availability.loc[after.availability["smsc"] == smsc, "down_seen_s"]) == {0.0}
    rolling = after.rolling.set_index("smsc").loc[smsc]
    assert (rolling["down_seen_s"], rolling["verdict"]) == (7 * 3600.0, "breach proven")
    assert on_it.rolling.set_index("smsc").loc[smsc, "down_seen_s"] == 7 * 3600.0
    assert on_it.incidents.loc[on_it.incidents["over_6h"] == "proven", "smsc"].tolist() == [smsc]


OUTAGES = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "outages"


def _real(folder: str):
    contract = load_contract(OUTAGES / "contract.toml")
    con = warehouse.connect(":memory:", create=True)
    ingest_files(con, contract, [OUTAGES / folder / "access.log"], progress=False)
    result = sla.sla(con, contract, Filters())
    con.close()
    events = {e["what"]: pd.Timestamp(e["at_utc"])
              for e in json.loads((OUTAGES / folder / "truth.json").read_text(encoding="utf-8"))["events"]}
    return result, events["fault start"], events["fault end"]


@pytest.mark.parametrize("folder, lines, column, reason, lag", [
    # retried 3 times 5 s apart before Kannel gives up: the first line comes ~18 s late
    ("system-error", 53, "discarded", "NACK/Retries Exceeded", 25),
    # each queued message expires one validity (1 min) after its request
    ("link-down", 36, "expired", "NACK/validity expired", 65),
    # a permanent error: logged at once
    ("submit-failed", 16, "refused", "NACK/0x00000045/Submit failed", 1),
])
def test_a_real_gateways_outage_is_found_on_its_link_within_the_truth(folder, lines, column, reason, lag):
    """Real Kannel 1.4.5 (tests/fixtures/kannel-1.4.5/outages): the outage on ora_36180, as
    long as the log can show it, restored within a second of the fault's end; the healthy
    link is clean."""
    result, start, end = _real(folder)
    assert result.incidents["smsc"].tolist() == ["ora_36180"]
    row = result.incidents.iloc[0]
    assert (row["failed_lines"], row[column], row["usual_reason"]) == (lines, lines, reason)
    assert start - pd.Timedelta(seconds=1) <= row["first_failure_at"] <= start + pd.Timedelta(seconds=lag)
    assert row["last_failure_at"] <= end and row["last_ok_before"] <= start
    assert abs(row["restored_at"] - end) <= pd.Timedelta(seconds=1.5)
    assert result.receipt_gaps.empty
    assert result.rolling.set_index("smsc")["verdict"].to_dict() == {"ora_36180": "breach proven", "ora_36181": "kept"}


def test_a_real_smsc_that_stops_sending_receipts_is_a_receipt_gap():
    """With dlr-mask 31 every MT still gets Kannel's own ACK/ (an intermediate status, no
    final receipt): the 60 MTs of the fault are a gap, and nothing else is."""
    result, start, end = _real("receipts")
    assert result.incidents.empty
    assert result.receipt_gaps[["smsc", "lines"]].values.tolist() == [["ora_36180", 60]]
    gap = result.receipt_gaps.iloc[0]
    assert start - pd.Timedelta(seconds=1) <= gap["first_line_at"] and gap["last_line_at"] <= end
