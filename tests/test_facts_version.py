"""Facts built by another version of opsanalytics (an upgrade that kept its warehouse, or a
colleague's older copy ingesting into the same one) are refused by every reader, with the
command that rebuilds them: their DLR links, statuses and counts are that version's, and a
session-33 probe read them as this version's answers (44fe972's facts of the smsc-errors
log: `status` 17 delivered / 5 failed, where this version finds 18 / 6, with no word)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from opsanalytics import facts, warehouse
from opsanalytics.audits import check_facts
from opsanalytics.cli import main
from opsanalytics.config import load_contract
from opsanalytics.errors import WarehouseError
from opsanalytics.status import summary as status_summary

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "smsc-errors"


@pytest.fixture()
def db(tmp_path):
    shutil.copy(FIXTURE / "contract.toml", tmp_path / "contract.toml")
    shutil.copy(FIXTURE / "access.log", tmp_path / "access.log")
    path = tmp_path / "w.duckdb"
    assert main(["ingest", "--db", str(path), "--config", str(tmp_path / "contract.toml"),
                 str(tmp_path / "access.log")]) == 0
    return path


def _built_by_another_version(path: Path, code: str | None) -> None:
    """As that version records its rebuild: its code is part of the whole fingerprint too."""
    con = warehouse.connect(path)
    con.execute("UPDATE facts_builds SET code_fingerprint = $code, fingerprint = 'f' || coalesce($code, '')",
                {"code": code})
    con.close()


def _readers_refuse(path: Path, contract) -> None:
    con = warehouse.connect(path, read_only=True)
    try:
        for read in (status_summary, lambda c: check_facts(c, contract)):
            with pytest.raises(WarehouseError, match=r"built by another version of opsanalytics.*"
                                                     r"[Rr]un `opsanalytics ingest` again, with any log already loaded"):
                read(con)
    finally:
        con.close()


@pytest.mark.parametrize("code", ["0" * 64, None], ids=["other-code", "not-recorded"])
def test_every_reader_refuses_facts_another_version_built(db, code):
    contract = load_contract(db.parent / "contract.toml")
    con = warehouse.connect(db, read_only=True)
    assert (status_summary(con)["dlr"]["delivered"], status_summary(con)["dlr"]["failed"]) == (18, 6)
    con.close()
    _built_by_another_version(db, code)
    _readers_refuse(db, contract)


def test_the_commands_say_it_and_an_ingest_of_a_loaded_log_rebuilds_them(db, capsys):
    _built_by_another_version(db, "0" * 64)
    contract = str(db.parent / "contract.toml")
    for command in (["status", "--db", str(db), "--format", "json"],
                    ["audit", "all", "--db", str(db), "--config", contract, "--format", "json"],
                    ["quality", "--db", str(db), "--config", contract, "--format", "json"],
                    ["forecast", "--db", str(db), "--config", contract, "--semester", "2027H1",
                     "--out", str(db.parent / "forecast.csv")],
                    ["forecast", "compare", "--db", str(db), "--config", contract]):
        capsys.readouterr()
        assert main(command) == 2, command
        assert "built by another version of opsanalytics" in capsys.readouterr().err
    assert not (db.parent / "forecast.csv").exists()   # nothing written from another version's facts
    assert main(["ingest", "--db", str(db), "--config", contract, str(db.parent / "access.log")]) == 0
    capsys.readouterr()
    assert main(["status", "--db", str(db), "--format", "json"]) == 0
    con = warehouse.connect(db, read_only=True)
    assert con.execute("SELECT code_fingerprint FROM facts_builds ORDER BY built_at DESC, rowid DESC LIMIT 1"
                       ).fetchone()[0] == facts.code_fingerprint()
    con.close()


def test_a_warehouse_from_before_the_code_was_recorded_is_refused_read_only(db):
    """Its facts_builds has no code_fingerprint column (readers open it read-only: the column
    is added only by a writer)."""
    con = warehouse.connect(db)
    con.execute("ALTER TABLE facts_builds DROP COLUMN code_fingerprint")
    con.close()
    _readers_refuse(db, load_contract(db.parent / "contract.toml"))


def test_another_version_of_a_library_whose_data_the_facts_use_is_other_code(monkeypatch):
    """phonenumbers' numbering plan decides number kinds (R6, R10): its upgrade is other code."""
    import importlib.metadata

    current = facts.code_fingerprint()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "0.0.1" if name == "phonenumbers" else real(name))
    assert facts.code_fingerprint() != current


def test_a_notebook_opened_in_jupyterlab_says_it_and_releases_the_file(db):
    """open_report (every notebook's first cell) refuses them as `report` does, and leaves the
    database free for the ingest that rebuilds them."""
    from opsanalytics.report.notebook import open_report

    _built_by_another_version(db, "0" * 64)
    with pytest.raises(WarehouseError, match="built by another version of opsanalytics"):
        open_report(str(db), str(db.parent / "contract.toml"))
    warehouse.connect(db).close()   # a writer can open it: the notebook let go of it


def test_the_ingest_that_rebuilds_them_says_so(db, capsys):
    """A session-33 probe: the ingest that rebuilt another version's facts printed only the
    log's `(skipped)`, where an ingest that keeps them prints `facts: kept`: now a line says the
    facts were rebuilt although nothing new was loaded (not with --quiet, as `facts: kept`)."""
    contract, log = str(db.parent / "contract.toml"), str(db.parent / "access.log")
    capsys.readouterr()
    _built_by_another_version(db, "0" * 64)
    assert main(["ingest", "--db", str(db), "--config", contract, log]) == 0
    out, err = capsys.readouterr()
    assert "(skipped)" in out and "facts: kept" not in err
    assert re.search(r"facts: rebuilt \(nothing new was loaded, but the code or the contract changed "
                     r"since they were built\), \d+\.\d s", " ".join(err.split()))
    assert main(["ingest", "--db", str(db), "--config", contract, log]) == 0
    err = capsys.readouterr().err
    assert "facts: kept" in err and "facts: rebuilt" not in err
    _built_by_another_version(db, "0" * 64)
    assert main(["ingest", "--quiet", "--db", str(db), "--config", contract, log]) == 0
    assert "facts:" not in capsys.readouterr().err


def test_the_refusal_says_the_rebuild_needs_write_access(db):
    """The probe: a read-only warehouse's reader advised `opsanalytics ingest`, which then
    failed on the file's permissions with DuckDB's words only."""
    _built_by_another_version(db, None)
    con = warehouse.connect(db, read_only=True)
    try:
        with pytest.raises(WarehouseError, match=r"needs write access to the warehouse \(its owner"):
            facts.check_code(con)
    finally:
        con.close()
