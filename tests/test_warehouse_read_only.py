"""A warehouse file this user may not write (its permissions, or `chattr +i`). A session-33
probe: the readers refused another version's facts advising `opsanalytics ingest`, and that
ingest failed with DuckDB's words only ("cannot open the database: IO Error: Cannot open file
...: Permission denied"), an up-to-date warehouse too. Opening it for writing now says the
file cannot be written, that ingest (and the facts rebuild) need write access, and that the
readers can still open it read-only; and the readers' refusal says the rebuild needs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from opsanalytics import warehouse
from opsanalytics.cli import main
from opsanalytics.errors import WarehouseError

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "smsc-errors"
#: root writes any file whatever its mode: without these capabilities it is refused, as any user
NO_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
               "--inh-caps", "-dac_override,-dac_read_search", "--"]


@pytest.fixture()
def db(tmp_path):
    shutil.copy(FIXTURE / "contract.toml", tmp_path / "contract.toml")
    shutil.copy(FIXTURE / "access.log", tmp_path / "access.log")
    path = tmp_path / "w.duckdb"
    assert main(["ingest", "--quiet", "--db", str(path), "--config", str(tmp_path / "contract.toml"),
                 str(tmp_path / "access.log")]) == 0
    return path


def _said_plainly(message: str, db: Path) -> None:
    flat = " ".join(message.split())
    assert f"{db}: the warehouse file cannot be written" in flat
    assert "needs write access" in flat and "facts" in flat
    assert "read-only" in flat and "status" in flat
    assert "IO Error" not in flat


def _as_a_user(tmp_path: Path) -> list[str] | None:
    """The prefix that runs a command refused a file without write permission, as a user is:
    none for a user; for root, setpriv without the capabilities that override permissions.
    None when root cannot drop them here (no setpriv, or not allowed)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    probe = tmp_path / "probe"
    probe.write_text("")
    probe.chmod(0o444)
    tried = subprocess.run([*NO_OVERRIDE, sys.executable, "-c", f"open({str(probe)!r}, 'a')"],
                           capture_output=True)
    return NO_OVERRIDE if tried.returncode != 0 and b"PermissionError" in tried.stderr else None


def _run(prefix: list[str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "opsanalytics", *args], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def test_ingest_into_a_file_without_write_permission_says_it_plainly(db, monkeypatch, capsys):
    contract, log = str(db.parent / "contract.toml"), str(db.parent / "access.log")
    before = db.read_bytes()
    prefix = _as_a_user(db.parent)
    if prefix is None:   # root that cannot drop its capabilities: DuckDB's refusal, as it says it
        _refused_by_duckdb(db, monkeypatch, "Permission denied")
        return
    db.chmod(0o444)
    try:
        refused = _run(prefix, "ingest", "--db", str(db), "--config", contract, log)
        assert refused.returncode == 2, refused.stderr
        _said_plainly(refused.stderr, db)
        # the readers still open it
        read = _run(prefix, "status", "--db", str(db))
        assert read.returncode == 0, read.stderr
        assert "lines" in read.stdout
    finally:
        db.chmod(0o644)
    assert db.read_bytes() == before


@pytest.mark.parametrize("reason", ["Permission denied", "Operation not permitted"])
def test_a_permission_error_from_duckdb_is_said_plainly(db, monkeypatch, reason):
    """(Operation not permitted: a file made immutable, `chattr +i`.)"""
    _refused_by_duckdb(db, monkeypatch, reason)


def _refused_by_duckdb(db: Path, monkeypatch, reason: str) -> None:
    real = duckdb.connect

    def refused(database, read_only=False, **kwargs):
        if not read_only:
            raise duckdb.IOException(f'IO Error: Cannot open file "{database}": {reason}')
        return real(database, read_only=read_only, **kwargs)

    monkeypatch.setattr(duckdb, "connect", refused)
    with pytest.raises(WarehouseError) as refusal:
        warehouse.connect(db)
    _said_plainly(str(refusal.value), db)
    assert reason in str(refusal.value)
    warehouse.connect(db, read_only=True).close()   # the readers still open it


def test_another_error_opening_it_keeps_duckdb_s_words(db, monkeypatch):
    def broken(database, read_only=False, **kwargs):
        raise duckdb.IOException(f'IO Error: Cannot open file "{database}": Input/output error')

    monkeypatch.setattr(duckdb, "connect", broken)
    with pytest.raises(WarehouseError, match="cannot open the database: IO Error.*Input/output error"):
        warehouse.connect(db)
