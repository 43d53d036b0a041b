"""R9 from the command line, end to end on a small history: simulate-history, forecast load,
audit R9 (JSON contract), forecast (default action), versions, compare, backtest."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from opsanalytics.cli import main


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    db = out / "w.duckdb"
    assert main(["simulate-history", "--out", str(out / "hist"), "--db", str(db), "--seed", "3"]) == 0
    return out, db, out / "hist" / "contract.toml", json.loads((out / "hist" / "truth.json").read_text())


def test_end_to_end(scenario, capsys):
    out, db, contract, truth = scenario
    files = sorted(str(p) for p in (out / "hist" / "forecasts").glob("*.csv"))
    assert main(["forecast", "load", *files, "--db", str(db)]) == 0
    assert main(["forecast", "load", files[0], "--db", str(db)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1].endswith("version 1, 12 rows (skipped)") and len(printed) == len(files) + 1

    assert main(["audit", "R9", "--db", str(db), "--config", str(contract), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["rule"] == "R9" and payload["violations"] == len(truth["r9_flags"])
    got = {(r["short_code"], r["month"][:7], r["reason"]) for r in payload["rows"]}
    assert got == {(f["short_code"], f["month"], f["reason"]) for f in truth["r9_flags"]}

    # the contract, as written: the default action makes the forecast
    assert main(["forecast", "--db", str(db), "--config", str(contract), "--semester", truth["next_semester"],
                 "--out", str(out / "next"), "--made-on", "2026-12-15", "--level", "0.9"]) == 0
    said = capsys.readouterr().out
    assert "must be requested from Orange" in said and "(90% interval" not in said
    # review defect 5: the sum of 18 monthly bounds is not a 90 % interval of the total
    assert "MT segments (sum of the monthly 90% bounds " in said and "wider than the total's 90% interval" in said
    xlsx = out / "next" / f"forecast_{truth['next_semester']}.xlsx"
    assert load_workbook(xlsx).sheetnames == ["Cover", "Forecast", "Throughput"]
    assert (out / "next" / f"forecast_{truth['next_semester']}.csv").exists()
    assert not [p for p in (out / "next").iterdir() if p.name.startswith(".")]  # no temp left

    assert main(["forecast", "load", str(xlsx), "--db", str(db)]) == 0
    assert main(["forecast", "versions", "--db", str(db), "--format", "json"]) == 0
    versions = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert len(versions) == len(files) + 1 and versions[-1]["semesters"] == truth["next_semester"]
    # dates as dates and whole segments as integers, as compare and audit print them
    first = versions[0]
    assert len(first["made_on"]) == 10 and first["first_month"].endswith("-01") and len(first["first_month"]) == 10
    assert isinstance(first["mt_segments"], int)

    assert main(["forecast", "compare", "--db", str(db), "--config", str(contract), "--format", "json"]) == 0
    compared = json.loads(capsys.readouterr().out)
    assert sum(s["flagged"] + s["no_forecast"] for s in compared["semesters"]) == len(truth["r9_flags"])

    assert main(["forecast", "backtest", "--db", str(db), "--config", str(contract), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("short_code,metric,method,smape,mape")


def test_errors_exit_2_with_a_clear_message(scenario, capsys, tmp_path):
    out, db, contract, _ = scenario
    bad = tmp_path / "bad.csv"
    bad.write_text("short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
                   "36180,2027-01,many,5,10,2027H1,2026-12-01\n")
    assert main(["forecast", "load", str(bad), "--db", str(db)]) == 2
    assert "row 2, column mt_segments: expected a number, got 'many'" in capsys.readouterr().err
    typo = tmp_path / "typo.csv"
    typo.write_text("short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
                    "36180,2027-01,100,5,10,2027H1,2026-12-01\n36108,2027-01,100,5,10,2027H1,2026-12-01\n")
    assert main(["forecast", "load", str(typo), "--db", str(tmp_path / "other.duckdb"), "--config", str(contract)]) == 0
    assert "row 3: short code 36108 is not in" in capsys.readouterr().err
    assert main(["forecast", "--db", str(db), "--config", str(contract)]) == 2
    assert "needs --semester, --out" in capsys.readouterr().err
    assert main(["forecast", "--db", str(db), "--config", str(contract), "--semester", "2026H2",
                 "--out", str(tmp_path / "x")]) == 2
    assert "has not started yet" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert main(["forecast", "--db", str(tmp_path / "none.duckdb"), "--config", str(contract), "--semester",
                 "2027H1", "--out", str(tmp_path / "y")]) == 2
    assert "no such database" in capsys.readouterr().err


def test_options_written_before_an_action_are_refused_not_dropped(scenario, capsys, tmp_path):
    """`forecast --config C load F --db DB` loaded F without C's checks, and `forecast
    --semester 2099H1 --out /nonexistent versions --db DB` listed the versions, exit 0: the
    options before the action were dropped without a word (found by a review)."""
    out, db, contract, _ = scenario
    typo = tmp_path / "typo.csv"
    typo.write_text("short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
                    "36108,2027-01,100,5,10,2027H1,2026-12-01\n")
    target = tmp_path / "t.duckdb"
    assert main(["forecast", "--config", str(contract), "load", str(typo), "--db", str(target)]) == 2
    assert ("forecast load: --config given before `load`: write an action's options after it"
            in capsys.readouterr().err) and not target.exists()
    assert main(["forecast", "--semester", "2099H1", "--out", str(tmp_path / "x"), "versions", "--db", str(db)]) == 2
    assert "forecast versions: --semester, --out given before `versions`" in capsys.readouterr().err
    assert main(["forecast", "versions", "--db", str(db)]) == 0


def test_compare_warns_of_a_short_code_nothing_can_match(scenario, capsys):
    _, db, contract, _ = scenario
    assert main(["forecast", "compare", "--db", str(db), "--config", str(contract), "--short-code", "36999"]) == 0
    assert (f"opsanalytics forecast compare: warning: --short-code '36999' is not a short code of {contract}"
            in capsys.readouterr().err)


def test_files_after_a_refused_one_are_said_not_read(scenario, capsys, tmp_path):
    """`forecast load a.csv bad.csv c.csv` stored a, refused bad and never read c, saying
    nothing of c (found by a probe)."""
    _, _, contract, _ = scenario
    header = "short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
    good, bad, after = tmp_path / "a.csv", tmp_path / "bad.csv", tmp_path / "c.csv"
    good.write_text(header + "36180,2027-01,100,5,10,2027H1,2026-12-01\n")
    bad.write_text(header + "36180,2027-01,many,5,10,2027H1,2026-12-01\n")
    after.write_text(header + "36181,2027-01,100,5,10,2027H1,2026-12-01\n")
    target = tmp_path / "t.duckdb"
    assert main(["forecast", "load", str(good), str(bad), str(after), "--db", str(target)]) == 2
    out, err = capsys.readouterr()
    assert f"{good}: version 1" in out
    assert f"opsanalytics forecast load: not read, after the error below: {after}\n" in err
    assert "row 2, column mt_segments" in err


def test_load_reads_each_file_once_and_its_warnings_name_undeclared_short_codes(scenario, tmp_path, capsys,
                                                                              monkeypatch):
    """--config: a short code the contract does not declare is among the loader's warnings
    (ForecastLoad.warnings), for the file it read once; a skipped file (already loaded, and
    warned about then) repeats no warning."""
    from opsanalytics import warehouse
    from opsanalytics.config import load_contract
    from opsanalytics.forecast import files, load_forecast_file

    _, _, contract, _ = scenario
    typo = tmp_path / "typo.csv"
    typo.write_text("short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
                    "36180,2027-01,100,5,10,2027H1,2026-12-01\n36108,2027-01,100,5,10,2027H1,2026-12-01\n"
                    "36108,2027-02,100,5,10,2027H1,2026-12-01\n")
    reads, real = [], files.read_table

    def read_table(path, *args, **kwargs):
        reads.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "read_table", read_table)
    db = tmp_path / "w.duckdb"
    warning = f"opsanalytics forecast load: warning: {typo}: row 3: short code 36108 is not in {contract}\n"
    # (no coverage warning for 36108, which the contract does not declare: the warning is that
    # it is not in the contract; the warehouse has no MT data: R9 would report them once it has)
    uncovered = (f"opsanalytics forecast load: warning: {typo}: short code 36180: no version covers 2027-02, "
                 "2027-03, 2027-04, 2027-05, 2027-06 of semester 2027H1: R9 would report them as no_forecast once "
                 "the code sends MT traffic there\n")
    # the contract's other codes, held all semester, that no version forecasts
    others = [s for s in load_contract(contract).short_codes if s.code not in ("36180", "36108")]
    assert others and all(s.since is None and s.until is None for s in others)
    uncovered += "".join(f"opsanalytics forecast load: warning: {typo}: short code {s.code} of {contract} is held in "
                         "2027-01, 2027-02, 2027-03, 2027-04, 2027-05, 2027-06 and no version forecasts it there: "
                         "R9 would report them as no_forecast once it sends MT traffic there\n" for s in others)
    for state in ("loaded", "skipped"):
        assert main(["forecast", "load", str(typo), "--db", str(db), "--config", str(contract)]) == 0
        out, err = capsys.readouterr()
        assert out == f"{typo.resolve()}: version 1, 3 rows ({state})\n"
        assert err == (uncovered + warning if state == "loaded" else "")   # a skipped file repeats none
    assert len(reads) == 2   # once per load
    con = warehouse.connect(db)
    try:
        again = load_forecast_file(con, typo, load_contract(contract))
        plain = load_forecast_file(con, typo)
    finally:
        con.close()
    assert again.state == "skipped" and again.warnings == () and plain.warnings == ()


def test_load_names_the_months_of_a_semester_no_version_covers(tmp_path):
    """A forecast file that leaves out a month (a row lost when the sheet was filtered) loaded
    without a word, and R9 then reported that month `no_forecast` months later. A file that
    restates a few months on purpose is not warned about the months earlier versions cover."""
    from opsanalytics import warehouse
    from opsanalytics.forecast import load_forecast_file

    header = "short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
    first = tmp_path / "2027H1.csv"
    first.write_text(header + "".join(f"36180,2027-0{m},100,5,10,2027H1,2026-12-01\n" for m in (1, 2, 3, 5, 6))
                     + "".join(f"36181,2027-0{m},100,5,10,2027H1,2026-12-01\n" for m in range(1, 7)))
    restated = tmp_path / "2027H1_v2.csv"
    restated.write_text(header + "36181,2027-02,150,5,10,2027H1,2027-01-10\n")
    april = tmp_path / "2027H1_v3.csv"
    april.write_text(header + "36180,2027-04,120,5,10,2027H1,2027-01-12\n")
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    try:
        loads = [load_forecast_file(con, path) for path in (first, restated, april)]
    finally:
        con.close()
    assert loads[0].warnings == ("short code 36180: no version covers 2027-04 of semester 2027H1: "
                                 "R9 would report it as no_forecast once the code sends MT traffic there",)
    assert loads[1].warnings == ()   # 36181 restated one month: the others are covered
    assert loads[2].warnings == ()


def test_compare_and_audit_r9_write_the_same_row_alike(scenario, capsys):
    """`forecast compare --format csv` wrote loaded_at in UTC with pandas' spacing
    ('2026-11-27 08:00:00.123456+00:00') while `audit R9 --format csv` wrote it in the
    contract's time zone as ISO 8601: one version looked loaded at two times. Both now print
    every shared column of a month alike, the table in the contract's time zone too."""
    import csv
    import io

    from opsanalytics.config import load_contract

    _, db, contract, _ = scenario
    timezone = load_contract(contract).timezone
    assert main(["forecast", "compare", "--db", str(db), "--config", str(contract), "--format", "csv"]) == 0
    compared = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert main(["audit", "R9", "--db", str(db), "--config", str(contract), "--format", "csv"]) == 0
    audited = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert audited and compared
    by_month = {(r["short_code"], r["month"]): r for r in compared}
    shared = [c for c in audited[0] if c in compared[0]]
    assert {"loaded_at", "made_on", "version_id", "segments_deviation"} <= set(shared)
    for row in audited:
        assert {c: row[c] for c in shared} == {c: by_month[(row["short_code"], row["month"])][c] for c in shared}
    loaded = dt.datetime.fromisoformat(audited[0]["loaded_at"])
    assert loaded.utcoffset() == loaded.astimezone(ZoneInfo(timezone)).utcoffset()
    assert main(["forecast", "compare", "--db", str(db), "--config", str(contract)]) == 0
    table = capsys.readouterr().out
    assert str(loaded.replace(tzinfo=None)).replace("T", " ") in table.replace("T", " ")


def test_load_warns_of_what_the_file_says_against_the_contract(tmp_path):
    """A probe: a subscribed rate other than the contract's, a peak above the subscribed rate
    and contract codes the file leaves out were all stored silently (R8 and R9 find them later)."""
    from opsanalytics import warehouse
    from opsanalytics.config import load_contract
    from opsanalytics.forecast import load_forecast_file

    contract = tmp_path / "contract.toml"
    contract.write_text('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'
                        '[[short_codes]]\ncode = "36180"\nrate = 10\n'
                        '[[short_codes]]\ncode = "36200"\nsince = 2027-04-01\n'
                        '[[short_codes]]\ncode = "36300"\nuntil = 2026-12-31\n', encoding="utf-8")
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
                        + "".join(f"36180,2027-0{m},100,{50 if m == 3 else 5},{20 if m == 2 else 10},2027H1,2026-12-01\n"
                                  for m in range(1, 7)), encoding="utf-8")
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    try:
        loaded = load_forecast_file(con, forecast, load_contract(contract))
    finally:
        con.close()
    assert loaded.warnings == (
        f"short code 36200 of {contract} is held in 2027-04, 2027-05, 2027-06 and no version forecasts it there: "
        "R9 would report them as no_forecast once it sends MT traffic there",
        f"row 3: short code 36180 subscribed_rate 20/s, the contract {contract} says 10/s",
        "row 4: short code 36180 peak 50/s above its subscribed 10/s (R8 would find it over; subscribe the tier "
        "it needs)")
