"""The command line when things go wrong around the work: Ctrl-C (DuckDB's form of it too, and
one landing on COMMIT), a reader that closed stdout, an output folder that cannot be made, and
option values that would silently mean something else."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import duckdb
import pytest

from eventrows import CONTRACT_TOML
from opsanalytics import warehouse
from opsanalytics.cli import main
from opsanalytics.cli import ingest as ingest_cli

CSV = ("logged_at,kind,outcome,smsc,service,sender,receiver,coding,dlr_mask,fid,text\n"
       "2026-11-25T10:00:00+01:00,mt,accepted,ora_36180,acme,ACME,0612345678,0,31,A1,Promo STOP 36180\n")


@pytest.fixture
def files(tmp_path):
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT_TOML, encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_text(CSV, encoding="utf-8")
    return tmp_path / "wh.duckdb", config, export


def _lines(db) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM load_manifest").fetchone()[0]


class _CommitInterrupted:
    """A connection on which Ctrl-C arrives while COMMIT runs, noticed once it is done, as
    DuckDB notices a SIGINT only when it next checks."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql, *args):
        result = self.con.execute(sql, *args)
        if sql == "COMMIT":
            signal.raise_signal(signal.SIGINT)
        return result


def test_ctrl_c_during_commit_says_the_changes_are_kept():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(warehouse.InterruptedAfterCommit):
        with warehouse.transaction(_CommitInterrupted(con)):
            con.execute("INSERT INTO t VALUES (1)")
    assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("interrupt", [RuntimeError("Query interrupted"),
                                       duckdb.InterruptException("INTERRUPT Error: Interrupted!")])
def test_duckdb_interrupt_in_ingest_exits_130_and_keeps_the_warehouse(files, capsys, monkeypatch, interrupt):
    db, config, export = files
    assert main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    capsys.readouterr()

    def interrupted(*args, **kwargs):
        raise interrupt

    monkeypatch.setattr(ingest_cli, "ingest_files", interrupted)
    code = main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"])
    err = capsys.readouterr().err
    assert code == 130
    assert err == "opsanalytics ingest: interrupted; nothing half-written was kept\n"
    assert _lines(db) == 1


def test_ctrl_c_after_the_commit_of_a_new_warehouse_keeps_it_and_says_so(files, capsys, monkeypatch):
    db, config, export = files

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest_cli, "rejected_reasons", interrupted)  # summarising, after COMMIT
    code = main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"])
    err = capsys.readouterr().err
    assert code == 130
    assert "interrupted after the load was committed: the warehouse keeps it" in err
    assert _lines(db) == 1


def test_ctrl_c_during_the_commit_of_a_new_warehouse_keeps_it(files, capsys, monkeypatch):
    db, config, export = files
    real = ingest_cli.ingest_files

    def committed_then_interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise warehouse.InterruptedAfterCommit("interrupted after the changes were committed")

    monkeypatch.setattr(ingest_cli, "ingest_files", committed_then_interrupted)
    code = main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"])
    assert code == 130 and "the warehouse keeps it" in capsys.readouterr().err
    assert _lines(db) == 1


def test_closed_stdout_exits_quietly(files):
    db, config, export = files
    assert main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written, as after `| head` read enough
    try:
        done = subprocess.run([sys.executable, "-m", "opsanalytics", "audit", "all", "--db", str(db),
                               "--config", str(config), "--format", "json"],
                              stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert done.stderr == "" and done.returncode == 141
