"""R9 FORECAST against the simulated history's ground truth: the audit flags exactly the
injected deviations, actuals equal what was generated, every version is kept."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pandas as pd
import pytest

from opsanalytics import facts, warehouse
from opsanalytics.errors import WarehouseError
from opsanalytics.audits import run
from opsanalytics.audits.result import Filters
from opsanalytics.config import parse_contract
from opsanalytics.forecast import (audit_r9, forecast_versions, forecast_vs_actuals, load_forecast_file,
                                   semester_summary)
from opsanalytics.ingest import ingest_files
from opsanalytics.forecast.actuals import complete_months, monthly_actuals
from opsanalytics.simulate.history import generate_history, load_history


@pytest.fixture(scope="module")
def history():
    return generate_history(months=24, seed=7)


@pytest.fixture(scope="module")
def contract(history):
    return parse_contract(history.contract_toml, "history contract")


@pytest.fixture(scope="module")
def db(history, contract, tmp_path_factory):
    """The 24 months ingested as canonical Parquet (the way a user loads them) and every
    forecast file submitted, in name order."""
    out = tmp_path_factory.mktemp("history")
    paths = history.write(out)
    path = out / "w.duckdb"
    con = warehouse.connect(path, create=True)
    [loaded] = ingest_files(con, contract, [paths["events"]], progress=False)
    assert loaded.events == len(history.events) and loaded.rejected == 0
    for file in sorted((out / "forecasts").glob("*.csv")):
        assert load_forecast_file(con, file).state == "loaded"
    con.close()
    return path


@pytest.fixture()
def con(db):
    con = warehouse.connect(db, read_only=True)
    yield con
    con.close()


def _keys(frame: pd.DataFrame) -> set[tuple[str, dt.date, str]]:
    return {(r.short_code, r.month, r.reason) for r in frame.itertuples(index=False)}


def test_actuals_equal_the_generated_months(con, contract, history):
    """Refused lines in the busiest second count in neither volume nor peak; long messages
    logged once count their 2 segments."""
    actuals = monthly_actuals(con, contract)
    truth = history.truth_months
    merged = truth.merge(actuals, on=["short_code", "month"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["segments"] == merged["actual_segments"]).all()
    assert (merged["peak"] == merged["actual_peak"]).all()


def test_r9_flags_exactly_the_injected_deviations(con, contract, history):
    result = audit_r9(con, contract, Filters())
    assert _keys(result.rows) == _keys(history.truth_flags)
    assert result.violations == len(history.truth_flags) == 6
    months = result.details["months"]
    assert (months["status"] != "partial").all()
    assert result.summary["months_judged"] == len(history.truth_months)
    assert result.summary["forecast_versions"] == len(history.forecasts)


def test_latest_version_made_by_the_month_end_counts(con, contract):
    months = forecast_vs_actuals(con, contract).set_index(["short_code", "month"])
    # the March correction fixed May 2026 for 36181: compared with version 4, not the original
    fixed = months.loc[("36181", dt.date(2026, 5, 1))]
    assert fixed["status"] == "ok" and fixed["versions"] == 2 and fixed["source"].endswith("2026H1_v2.csv")
    # a restatement made in July for June is hindsight: June stays judged on the correction
    june = months.loc[("36180", dt.date(2026, 6, 1))]
    assert june["source"].endswith("2026H1_v2.csv") and june["status"] == "flagged"
    assert june["segments_deviation"] == pytest.approx(-0.35, abs=0.005)
    # within tolerance (+15 %) is not flagged
    assert months.loc[("36181", dt.date(2026, 9, 1)), "status"] == "ok"
    assert months.loc[("36181", dt.date(2026, 9, 1)), "segments_deviation"] == pytest.approx(0.15, abs=0.005)


def test_a_correction_never_erases_the_original(con):
    versions = forecast_versions(con)
    assert versions["version_id"].tolist() == list(range(1, 8))
    rows = con.execute(
        "SELECT version_id, mt_segments FROM forecasts WHERE short_code = '36181' AND month = DATE '2026-05-01' "
        "ORDER BY version_id").fetchall()
    assert [v for v, _ in rows] == [3, 4] and rows[0][1] != rows[1][1]


def test_same_file_twice_is_one_version(db, history, tmp_path):
    con = warehouse.connect(db)
    try:
        source = forecast_versions(con)["source"].iloc[0]
        again = load_forecast_file(con, source)
        assert again.state == "skipped" and again.version_id == 1
        assert len(forecast_versions(con)) == len(history.forecasts)
    finally:
        con.close()


def test_tolerance_comes_from_the_contract(con, history):
    loose = parse_contract(history.contract_toml.replace("forecast_tolerance = 0.20", "forecast_tolerance = 0.70"))
    result = audit_r9(con, loose, Filters())
    assert {r.reason for r in result.rows.itertuples()} == {"no_forecast"}
    strict = parse_contract(history.contract_toml.replace("forecast_tolerance = 0.20", "forecast_tolerance = 0.10"))
    keys = _keys(audit_r9(con, strict, Filters()).rows)
    assert {(k[0], k[1]) for k in _keys(history.truth_flags)} <= {(k[0], k[1]) for k in keys}
    assert ("36181", dt.date(2026, 9, 1), "segments") in keys  # the +15 % month now breaches


def test_filters_period_and_short_code(con, contract):
    rows = audit_r9(con, contract, Filters(dt.date(2026, 1, 15), dt.date(2026, 6, 30), "36180")).rows
    assert _keys(rows) == {("36180", dt.date(2026, 3, 1), "segments+peak"), ("36180", dt.date(2026, 6, 1), "segments")}
    assert audit_r9(con, contract, Filters(short_code="1' OR '1'='1")).violations == 0


def test_a_period_judges_only_the_months_it_holds_whole(con, contract):
    """A nightly report of 10 March judged all of March: every day of the month showed R9's
    breaches of the month, red, on a period that holds no complete month. The month is now
    listed as partial, not judged; the period of March, or one holding it, judges it."""
    day = audit_r9(con, contract, Filters(dt.date(2026, 3, 10), dt.date(2026, 3, 10), "36180"))
    assert day.violations == 0 and day.summary["months_judged"] == 0
    assert day.details["months"][["month", "status"]].values.tolist() == [[dt.date(2026, 3, 1), "partial"]]
    march = ("36180", dt.date(2026, 3, 1), "segments+peak")
    assert _keys(audit_r9(con, contract, Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "36180")).rows) == {march}
    assert _keys(audit_r9(con, contract, Filters(dt.date(2026, 2, 15), dt.date(2026, 4, 30), "36180")).rows) == {march}
    assert audit_r9(con, contract, Filters(dt.date(2026, 3, 2), dt.date(2026, 4, 30), "36180")).violations == 0


def test_semester_summary(con, contract, history):
    summary = semester_summary(forecast_vs_actuals(con, contract)).set_index("semester")
    assert summary["flagged"].to_dict() == {"2025H1": 1, "2025H2": 2, "2026H1": 2, "2026H2": 0}
    assert summary.loc["2026H2", "no_forecast"] == 1
    truth = history.truth_months
    h1_2025 = truth[(truth["month"] >= dt.date(2025, 1, 1)) & (truth["month"] < dt.date(2025, 7, 1))]
    assert summary.loc["2025H1", "actual_segments"] == h1_2025["segments"].sum()


def test_audit_registry_and_json_contract(con, contract, history):
    result = run(con, contract, "R9", Filters())
    payload = json.loads(json.dumps(result.to_json(contract.timezone)))
    assert payload["rule"] == "R9" and payload["name"] == "forecast"
    assert payload["violations"] == len(history.truth_flags)
    first = payload["rows"][0]
    assert {"short_code", "month", "reason", "forecast_segments", "actual_segments", "segments_deviation"} <= first.keys()
    assert first["month"] == "2025-04-01"


def test_partial_months_are_not_judged(history, contract, tmp_path):
    """Logs that start on the 10th of the first month and stop on the 20th of the last."""
    events = history.events
    local = events["logged_at"].dt.tz_convert("Europe/Paris")
    keep = (local >= pd.Timestamp("2025-01-10", tz="Europe/Paris")) & (local < pd.Timestamp("2026-12-21", tz="Europe/Paris"))
    trimmed = type(history)(**{**history.__dict__, "events": events[keep].reset_index(drop=True)})
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    try:
        load_history(con, trimmed, contract)
        out = tmp_path / "f"
        history.write(out)
        for file in sorted((out / "forecasts").glob("*.csv")):
            load_forecast_file(con, file)
        months = forecast_vs_actuals(con, contract)
        partial = months[months["status"] == "partial"]
        assert {(r.short_code, r.month) for r in partial.itertuples()} == {
            (c, m) for c in ("36180", "36181") for m in (dt.date(2025, 1, 1), dt.date(2026, 12, 1))} | {
            ("36190", dt.date(2026, 12, 1))}
        assert _keys(audit_r9(con, contract, Filters()).rows) == _keys(history.truth_flags)
    finally:
        con.close()


def test_complete_months():
    assert complete_months(dt.date(2025, 1, 10), dt.date(2025, 4, 30)) == [dt.date(2025, 2, 1), dt.date(2025, 3, 1),
                                                                         dt.date(2025, 4, 1)]
    assert complete_months(None, None) == []


def test_no_forecast_table_on_an_old_read_only_warehouse(db, history, contract, tmp_path):
    path = tmp_path / "old.duckdb"
    shutil.copy(db, path)
    con = duckdb.connect(str(path))  # as a warehouse from before R9: no forecasts table
    con.execute("DROP TABLE forecasts")
    con.close()
    con = warehouse.connect(path, read_only=True)
    try:
        result = audit_r9(con, contract, Filters())
        assert result.violations == result.summary["months_judged"] == len(history.truth_months)
        assert set(result.rows["reason"]) == {"no_forecast"}
        assert result.summary["forecast_versions"] == 0
    finally:
        con.close()


def test_empty_warehouse(contract, tmp_path):
    con = warehouse.connect(tmp_path / "empty.duckdb", create=True)
    try:
        with pytest.raises(WarehouseError, match="facts are not built"):
            audit_r9(con, contract, Filters())
        facts.build(con, contract)
        result = audit_r9(con, contract, Filters())
        assert result.violations == 0 and result.summary["months_judged"] == 0
    finally:
        con.close()


def test_actuals_local_months_and_peak_second_by_hand(tmp_path):
    """Month edges in Paris time on both sides of DST; parts of one second add up; refused lines do not count."""
    contract = parse_contract('[[short_codes]]\ncode = "36180"\n')
    rows = [  # logged_at (UTC), outcome, segments
        ("2025-10-31T22:30:00Z", "accepted", 1),      # 23:30 CET, 31 October
        ("2025-10-31T23:30:00Z", "accepted", 1),      # 00:30 CET, 1 November
        ("2026-03-31T21:59:59.900Z", "accepted", 1),  # 23:59:59.9 CEST, 31 March
        ("2026-03-31T22:00:00.100Z", "accepted", 2),  # 00:00:00.1 CEST, 1 April
        ("2026-03-31T22:00:00.500Z", "refused", 5),
        ("2026-03-31T22:00:00.900Z", "accepted", 1),  # same second as the 2 segments above
        ("2026-03-31T22:00:01.000Z", "accepted", 1),
    ]
    csv = tmp_path / "events.csv"
    csv.write_text("logged_at,kind,outcome,sender,receiver,text,segments\n" + "".join(
        f"{t},mt,{o},36180,+33612345678,Promo STOP au 36180,{s}\n" for t, o, s in rows))
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    try:
        ingest_files(con, contract, [csv], progress=False)
        got = monthly_actuals(con, contract)
    finally:
        con.close()
    assert [(m.isoformat()[:7], s, p) for m, s, p in zip(got["month"], got["actual_segments"], got["actual_peak"])] == [
        ("2025-10", 1, 1), ("2025-11", 1, 1), ("2026-03", 1, 1), ("2026-04", 4, 3)]


def test_a_version_made_during_its_month_is_loaded_with_a_warning(db, history, contract, tmp_path, capsys):
    """Review defect 2: a 'correction' dated 31 March for March, loaded months later, replaced
    the forecast R9 judges (36180 2026-03, flagged -30 % / peak +50 %) without a word."""
    from opsanalytics.cli import main

    path = tmp_path / "late.duckdb"
    shutil.copy(db, path)
    config = tmp_path / "contract.toml"
    config.write_text(history.contract_toml, encoding="utf-8")
    header = "short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
    old = tmp_path / "old.csv"  # an old forecast loaded late: made before its months, no warning
    old.write_text(header + "36181,2026-04,2000,30,20,2026H1,2025-12-20\n")
    corr = tmp_path / "corr.csv"
    corr.write_text(header + "36180,2026-03,1165,8,10,2026H1,2026-03-31\n36180,2026-02,845,6,10,2026H1,2026-03-31\n"
                             "36180,2026-01,1006,6,10,2026H1,2026-03-31\n36180,2026-04,1200,8,10,2026H1,2026-03-31\n")
    con = warehouse.connect(path, read_only=True)
    try:
        before = forecast_vs_actuals(con, contract).set_index(["short_code", "month"])
    finally:
        con.close()
    assert before.loc[("36180", dt.date(2026, 3, 1)), "status"] == "flagged"

    assert main(["forecast", "load", str(old), "--db", str(path)]) == 0
    assert capsys.readouterr().err == ""
    start = pd.Timestamp.now(tz="UTC").floor("s")
    assert main(["forecast", "load", str(corr), "--db", str(path)]) == 0  # loaded all the same
    said = capsys.readouterr()
    assert said.out.strip().endswith("version 9, 4 rows (loaded)")
    warnings = said.err.strip().splitlines()
    assert warnings == [
        f"opsanalytics forecast load: warning: {corr}: R9 judges 2026-03 against a forecast made on 2026-03-31, "
        "during that month: this version replaces any made before the month (a restatement, not a forecast; "
        "check made_on)",
        f"opsanalytics forecast load: warning: {corr}: made on 2026-03-31, after 2026-01, 2026-02 ended: kept, "
        "but R9 never judges those months against it (hindsight)"]

    # what R9 judges now, and when the version it judges against was loaded
    assert main(["audit", "R9", "--db", str(path), "--config", str(config), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert ("36180", "2026-03") not in {(r["short_code"], r["month"][:7]) for r in payload["rows"]}
    first = payload["rows"][0]
    assert list(first).index("loaded_at") == list(first).index("made_on") + 1
    assert first["made_on"] == "2024-12-15" and dt.datetime.fromisoformat(first["loaded_at"]).tzinfo is not None
    con = warehouse.connect(path, read_only=True)
    try:
        march = forecast_vs_actuals(con, contract).set_index(["short_code", "month"]).loc[("36180", dt.date(2026, 3, 1))]
        loaded = forecast_versions(con).set_index("version_id")
    finally:
        con.close()
    assert march["status"] == "ok" and march["version_id"] == 9 and march["made_on"] == dt.date(2026, 3, 31)
    assert march["loaded_at"] >= start  # loaded now, long after it was 'made'
    assert list(loaded.columns).index("loaded_at") == list(loaded.columns).index("made_on") + 1
    assert main(["forecast", "versions", "--db", str(path), "--format", "json"]) == 0
    assert all("loaded_at" in v for v in json.loads(capsys.readouterr().out))


def test_actuals_count_a_line_whose_segments_were_not_logged_as_r8_does(tmp_path):
    """A UCS-2 or 8-bit MT of a log format with neither text nor length has no segment count
    (events.segments NULL): R8 counted it as one submit, R9's actuals (and the history the
    forecast learns from) as none. fct_mt counts it 1, not exact, for every reader."""
    contract = parse_contract('log_timezone = "UTC"\n'
                              'access_log_format = "%l [SMSC:%i] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d]"\n'
                              '[[short_codes]]\ncode = "36180"\nsmsc = "ora"\n')
    log = tmp_path / "access.log"
    log.write_text("".join(
        f"2026-11-26 09:00:0{s} Sent SMS [SMSC:ora] [from:36180] [to:3361200000{i}] [flags:-1:{c}:-1:-1:31]\n"
        for i, (s, c) in enumerate([(1, 2), (1, 1), (1, 0), (2, 2)])))
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    try:
        ingest_files(con, contract, [log], progress=False)
        assert con.execute("SELECT count(*) FROM events WHERE segments IS NULL").fetchone() == (3,)
        assert con.execute("SELECT segments, segments_exact FROM fct_mt ORDER BY line_no").fetchall() == [
            (1, False), (1, False), (1, False), (1, False)]
        got = monthly_actuals(con, contract)
        r8 = run(con, contract, "R8").summary["per_short_code"]["36180"]
    finally:
        con.close()
    assert [(m.isoformat()[:7], s, p) for m, s, p in zip(got["month"], got["actual_segments"], got["actual_peak"])] == [
        ("2026-11", 4, 3)]
    assert (r8["segments"], r8["peak"]) == (4, 3)


def test_a_deviation_of_exactly_the_tolerance_is_within_it(db, contract, history, tmp_path):
    """468 / 360 - 1 is 0.30000000000000004 in floating point: with a tolerance of 0.30 a month
    exactly 30 % over its forecast was flagged (and `forecast compare` printed 0.3000 beside
    'flagged'). A forecast whose actuals are exactly `t` over it, for a `t` where the float
    quotient lands above, is within tolerance."""
    from fractions import Fraction

    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    con = warehouse.connect(copy)
    try:
        month = dt.date(2026, 5, 1)
        rows = forecast_vs_actuals(con, contract)
        row = rows[(rows.short_code == "36180") & (rows.month == month)].iloc[0]
        actual, peak = int(row.actual_segments), float(row.actual_peak)
        found = next((forecast, Fraction(actual, forecast) - 1)
                     for forecast in range(actual // 2, actual)
                     for percent in range(5, 100, 5)
                     if Fraction(actual, forecast) - 1 == Fraction(percent, 100)
                     and actual / forecast - 1 > percent / 100)
        forecast, exact = found
        tolerance = float(exact)
        rate = contract.short_code("36180").rate
        path = tmp_path / "exact.csv"
        path.write_text("short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
                        f"36180,2026-05,{forecast},{peak},{rate},2026H1,2026-04-30\n", encoding="utf-8")
        assert load_forecast_file(con, path).state == "loaded"
        at = parse_contract(history.contract_toml.replace("forecast_tolerance = 0.20",
                                                          f"forecast_tolerance = {tolerance}"))
        judged = forecast_vs_actuals(con, at)
        judged = judged[(judged.short_code == "36180") & (judged.month == month)].iloc[0]
        assert (int(judged.forecast_segments), judged.status) == (forecast, "ok")
        # a hair looser forecast is beyond it
        tighter = parse_contract(history.contract_toml.replace("forecast_tolerance = 0.20",
                                                               f"forecast_tolerance = {tolerance - 0.001}"))
        judged = forecast_vs_actuals(con, tighter)
        assert judged[(judged.short_code == "36180") & (judged.month == month)].iloc[0].status == "flagged"
    finally:
        con.close()


def test_a_semester_without_any_forecast_keeps_the_others_counts_whole():
    """Forecasts loaded from 2026H2 on, logs from 2026H1: the summary's counts came out as
    17573.0 for every semester (a join with nothing for 2026H1 made them float), and the
    table printed <NA> where a missing value reads '-'."""
    from opsanalytics.audits.result import frame_records
    from opsanalytics.cli.forecast import _readable

    months = pd.DataFrame({
        "semester": ["2026H1", "2026H2"], "short_code": ["36180"] * 2,
        "month": [dt.date(2026, 6, 1), dt.date(2026, 7, 1)], "status": ["no_forecast", "ok"],
        "forecast_segments": [None, 17478], "actual_segments": [9000, 17573],
        "segments_deviation": [None, 17573 / 17478 - 1], "peak_deviation": [None, 0.1]})
    summary = semester_summary(months)
    records = frame_records(summary, "Europe/Paris")
    assert [(r["forecast_segments"], r["actual_segments"]) for r in records] == [(None, None), (17478, 17573)]
    assert all(isinstance(r["actual_segments"], (int, type(None))) for r in records)
    shown = _readable(summary).to_string(na_rep="-")
    assert "<NA>" not in shown and "17573.0" not in shown and "17573" in shown


def test_a_file_with_several_made_on_dates_is_loaded_with_a_warning(tmp_path):
    """One forecast is made on one day: two dates in one file (a typo, or two versions pasted
    together) decide which version R9 judges each month against, and were loaded silently."""
    path = tmp_path / "pasted.csv"
    path.write_text("short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
                    "36180,2027-01,1000,8,10,2027H1,2026-11-20\n36180,2027-02,1100,8,10,2027H1,2026-12-02\n"
                    "36181,2027-01,900,6,10,2027H1,2026-11-20\n", encoding="utf-8")
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    try:
        loaded = load_forecast_file(con, path)
    finally:
        con.close()
    assert loaded.state == "loaded"
    assert loaded.warnings[0] == ("made_on gives 2 dates in one file: 2026-11-20 (first on row 2), 2026-12-02 "
                                  "(first on row 3); R9 takes each row's own date to choose the version it judges a "
                                  "month against (check made_on, or load each forecast as a file of its own)")
