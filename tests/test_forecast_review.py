"""R9 review defects, through the command line: a semester the data has reached with no
complete month to learn from, a short code outside the contract, an unwritable --out, raw
pandas markers in the tables, and empty tables that did not say why."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from opsanalytics import warehouse
from opsanalytics.cli import main
from opsanalytics.config import parse_contract
from opsanalytics.errors import UsageError
from opsanalytics.forecast import compare_notes, next_forecast, read_forecast_file
from opsanalytics.simulate.history import generate_history, load_history

RAW_MARKERS = ("None", "<NA>", "NaN", "NaT")


def _warehouse(path: Path, history, contract) -> Path:
    con = warehouse.connect(str(path), create=True)
    try:
        load_history(con, history, contract)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def full():
    return generate_history(months=6, seed=5)


@pytest.fixture(scope="module")
def files(tmp_path_factory, full):
    """Two warehouses: logs of 5-24 January 2025 (no complete month) with a few lines on 36999,
    a short code the contract does not declare; and six complete months (2025-01 to 2025-06)."""
    out = tmp_path_factory.mktemp("review")
    contract_path = out / "contract.toml"
    contract_path.write_text(full.contract_toml, encoding="utf-8")
    contract = parse_contract(full.contract_toml, "history contract")
    events = full.events
    local = events["logged_at"].dt.tz_convert("Europe/Paris")
    keep = (local >= pd.Timestamp("2025-01-05", tz="Europe/Paris")) & (local < pd.Timestamp("2025-01-25", tz="Europe/Paris"))
    short_events = events[keep].reset_index(drop=True)
    stray = short_events[short_events["sender"] == "36180"].head(5).copy()
    stray["sender"], stray["smsc"] = "36999", "orange_36999"
    stray["fid"] = [f"feed{i:06d}" for i in range(len(stray))]
    short = type(full)(**{**full.__dict__, "events": pd.concat([short_events, stray], ignore_index=True)})
    return {"short": _warehouse(out / "short.duckdb", short, contract),
            "full": _warehouse(out / "full.duckdb", full, contract),
            "contract": contract_path, "out": out}


def _forecast(files, db: str, semester: str, out: Path) -> int:
    return main(["forecast", "--db", str(files[db]), "--config", str(files["contract"]), "--semester", semester,
                 "--out", str(out), "--made-on", "2025-01-30"])


@pytest.mark.parametrize("semester", ["2020H1", "2025H1"])
def test_a_semester_the_data_has_reached_is_refused_without_a_complete_month(files, semester, capsys, tmp_path):
    """Defect 1: the past, and the semester the logs are in, used to be 'forecast' from the run rate."""
    assert _forecast(files, "short", semester, tmp_path / "x") == 2
    err = capsys.readouterr().err
    assert f"semester {semester} starts on or before 2025-01-24, the last day of MT data" in err
    assert "no complete month of history to forecast from" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_a_future_semester_uses_the_run_rate_and_says_what_it_learnt_from(files, capsys, tmp_path):
    assert _forecast(files, "short", "2025H2", tmp_path / "x") == 0
    out = capsys.readouterr().out
    assert "history no complete month: run rate of 2025-01-05 to 2025-01-24" in out
    assert "history until none" not in out


def test_no_mt_data_at_all_is_refused(full):
    contract = parse_contract(full.contract_toml, "history contract")
    empty = type(full)(**{**full.__dict__, "events": full.events.iloc[:0]})
    con = warehouse.connect(":memory:")
    try:
        load_history(con, empty, contract)
        with pytest.raises(UsageError, match="no MT data in the warehouse: there is no complete month of history"):
            next_forecast(con, contract, "2027H1")
    finally:
        con.close()


def test_a_short_code_outside_the_contract_gets_no_invented_subscription(files, capsys, tmp_path):
    """Defect 2: 36999 was printed as fitting 'the subscribed 10/s' and written with rate 10."""
    assert _forecast(files, "short", "2025H2", tmp_path / "out") == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.strip().startswith("36999:"))
    assert "not in the contract" in line and "subscribed" not in line.replace("its subscribed rate", "")
    for path in (tmp_path / "out").glob("forecast_2025H2*.csv"):
        assert "36999" not in path.read_text(encoding="utf-8"), path.name
    xlsx = read_forecast_file(tmp_path / "out" / "forecast_2025H2.xlsx")
    assert "36999" not in set(xlsx["short_code"]) and set(xlsx["short_code"]) == {"36180", "36181", "36190"}
    assert main(["forecast", "load", str(tmp_path / "out" / "forecast_2025H2.csv"), "--db", str(tmp_path / "v.duckdb")]) == 0


def test_an_unwritable_out_folder_is_one_line_not_a_traceback(files, capsys, tmp_path, monkeypatch):
    """Defect 3: PermissionError from the temporary folder escaped as a traceback. (Simulated:
    the tests may run as root, whom a read-only mode does not stop.)"""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_mkdir = os.mkdir

    def refuse(path, *args, **kwargs):
        if Path(path).parent == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", refuse)
    assert _forecast(files, "full", "2025H2", locked) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"opsanalytics forecast: error: --out {locked}: cannot write into the folder: Permission denied"]
    assert list(locked.iterdir()) == []
    monkeypatch.undo()
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    assert _forecast(files, "full", "2025H2", not_a_folder) == 2
    assert capsys.readouterr().err.startswith(f"opsanalytics forecast: error: --out {not_a_folder}: ")


def test_compare_table_shows_blanks_and_months_and_says_why_the_summary_is_empty(files, capsys):
    """Defects 4 and 5: None/<NA>/NaN/NaT and 2025-01-01 in the table; a bare '(none)'."""
    args = ["forecast", "compare", "--db", str(files["short"]), "--config", str(files["contract"])]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert not [m for m in RAW_MARKERS if m in out], out
    assert " 2025-01 " in out and "2025-01-01" not in out and "(none)" not in out
    assert "no semester summary: no month is judged" in out
    assert "(2025-01-05 to 2025-01-24) holds no complete month" in out
    assert "no forecast is loaded" in out
    assert main([*args, "--format", "csv"]) == 0
    said = capsys.readouterr()
    assert said.out.startswith("short_code,month") and "no semester summary" in said.err


def test_compare_table_with_forecasts_and_gaps_has_no_raw_markers(files, full, capsys, tmp_path):
    db = tmp_path / "full.duckdb"
    db.write_bytes(files["full"].read_bytes())
    forecasts = tmp_path / "forecasts"
    full.write(tmp_path)
    assert main(["forecast", "load", *sorted(str(p) for p in forecasts.glob("*.csv")), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["forecast", "compare", "--db", str(db), "--config", str(files["contract"])]) == 0
    out = capsys.readouterr().out
    assert not [m for m in RAW_MARKERS if m in out], out
    assert " 2025-03 " in out and not re.search(r" 2025-0[1-6]-01 ", out)  # months, not first days
    assert "no forecast is loaded" not in out and "(none)" not in out
    assert main(["forecast", "compare", "--db", str(db), "--config", str(files["contract"]), "--from", "2025-07-01"]) == 0
    assert "no MT traffic in the period or short code asked (the data covers 2025-01-01 to 2025-06-30)" in \
        capsys.readouterr().out
    con = warehouse.connect(str(db), read_only=True)
    try:  # a period reaching only a partly covered month, while other months are complete
        partial = pd.DataFrame({"short_code": ["36180"], "month": [dt.date(2025, 6, 1)], "status": ["partial"]})
        notes = compare_notes(con, parse_contract(full.contract_toml, "c"), partial)
    finally:
        con.close()
    assert "the months asked lie only partly inside the data (2025-01-01 to 2025-06-30)" in notes["semesters"][0]
    assert main(["forecast", "versions", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert not [m for m in RAW_MARKERS if m in out] and "T00:00:00" not in out


def test_backtest_says_how_much_history_it_needs(files, capsys):
    """Defect 5: '(none)' when the history is too short."""
    base = ["forecast", "backtest", "--config", str(files["contract"])]
    assert main([*base, "--db", str(files["short"])]) == 0
    out = capsys.readouterr().out
    assert "(none)" not in out
    assert ("no backtest: a short code needs at least 13 complete months of history" in out
            and "(2025-01-05 to 2025-01-24) holds no complete month" in out)
    assert main([*base, "--db", str(files["full"])]) == 0
    out = capsys.readouterr().out
    assert "no backtest: a short code needs at least 13" in out and "36180: 6 complete months (2025-01 to 2025-06)" in out
    assert main([*base, "--db", str(files["full"]), "--format", "csv"]) == 0
    said = capsys.readouterr()
    assert said.out.startswith("short_code,metric") and "needs at least 13 complete months" in said.err
