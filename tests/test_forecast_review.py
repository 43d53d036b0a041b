"""R9 review defects, through the command line: a semester the data has reached with no
complete month to learn from, a short code outside the contract, an unwritable --out, raw
pandas markers in the tables, and empty tables that did not say why."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from opsanalytics import warehouse
from opsanalytics.cli import main
from opsanalytics.config import parse_contract
from opsanalytics.errors import UsageError
from opsanalytics.forecast import next_forecast, read_forecast_file
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