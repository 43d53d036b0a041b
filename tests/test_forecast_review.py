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