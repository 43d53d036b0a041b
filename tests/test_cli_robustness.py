"""The command line when things go wrong around the work: Ctrl-C (DuckDB's form of it too, and
one landing on COMMIT), a reader that closed stdout, an output folder that cannot be made, and
option values that would silently mean something else."""

from __future__ import annotations

import json
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


@pytest.fixture
def ctrl_c_is_python_s():
    """Ctrl-C handled by Python, as in a terminal: a test run started in the background (a
    CI job, `cmd &`) inherits SIGINT ignored, and then there is nothing to hold back."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_during_commit_says_the_changes_are_kept(ctrl_c_is_python_s):
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


def test_ctrl_c_that_duckdb_swallows_still_stops_the_commit(files, capsys, monkeypatch, ctrl_c_is_python_s):
    """Inside some long queries (the facts' rebuild of 2 M lines) DuckDB swallows the
    KeyboardInterrupt and lets the query finish: `ingest` committed and exited 0, silent."""
    from opsanalytics import facts

    db, config, export = files
    assert main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    capsys.readouterr()
    other = export.with_name("other.csv")
    other.write_text(CSV.replace("A1", "A2"), encoding="utf-8")
    real = facts.refresh

    def swallowed(*args, **kwargs):
        result = real(*args, **kwargs)
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:  # as DuckDB does in such a query
            pass
        return result

    monkeypatch.setattr(facts, "refresh", swallowed)
    code = main(["ingest", str(other), "--db", str(db), "--config", str(config), "--quiet"])
    assert (code, capsys.readouterr().err) == (130, "opsanalytics ingest: interrupted; nothing half-written was kept\n")
    assert _lines(db) == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_sigterm_stops_ingest_like_ctrl_c_and_removes_the_warehouse_it_created(files, capsys, monkeypatch):
    """A cron timeout or a systemd stop sends SIGTERM: it killed `ingest` silently (143) and left
    the new warehouse file it had begun."""
    db, config, export = files
    real = ingest_cli.ingest_files

    def stopped(*args, **kwargs):
        signal.raise_signal(signal.SIGTERM)
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest_cli, "ingest_files", stopped)
    code = main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"])
    assert (code, capsys.readouterr().err) == (143, "opsanalytics ingest: interrupted (SIGTERM); nothing half-written was kept\n")
    assert not db.exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


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


def _ingested(files, capsys):
    db, config, export = files
    assert main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    capsys.readouterr()
    return db, config


@pytest.mark.parametrize("out", ["afile", "afile/sub"])
def test_simulate_into_a_file_is_a_usage_error(tmp_path, capsys, out):
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    code = main(["simulate", "--out", str(tmp_path / out), "--days", "1", "--scale", "5"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"opsanalytics simulate: error: --out {tmp_path / out}: cannot write there: "
                   f"{tmp_path / 'afile'} is a file, not a folder\n")


def test_simulate_into_a_read_only_folder_is_a_usage_error(tmp_path, capsys, monkeypatch):
    def refused(self, *args, **kwargs):  # as chmod 555 would, even for root
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr("pathlib.Path.mkdir", refused)
    code = main(["simulate", "--out", str(tmp_path / "ro" / "sim"), "--days", "1", "--scale", "5"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"--out {tmp_path / 'ro' / 'sim'}: cannot write there: {tmp_path / 'ro' / 'sim'}: Permission denied" in err


def test_report_into_a_file_is_a_usage_error(files, capsys, tmp_path):
    db, config = _ingested(files, capsys)
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    code = main(["report", "--db", str(db), "--config", str(config), "--from", "2026-11-25",
                 "--to", "2026-11-25", "--out", str(tmp_path / "afile" / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"cannot write there: {tmp_path / 'afile'} is a file, not a folder" in err


def test_report_into_a_read_only_folder_is_a_usage_error(tmp_path, capsys, monkeypatch):
    out = tmp_path / "ro" / "r"

    def refused(*args, **kwargs):  # the runner preparing its work folder beside --out
        raise PermissionError(13, "Permission denied", str(out.parent / ".r.partial-x1"))

    monkeypatch.setattr("opsanalytics.report.runner.run_report", refused)
    code = main(["report", "--db", "w.duckdb", "--config", "c.toml", "--from", "2026-11-25",
                 "--to", "2026-11-25", "--out", str(out)])
    assert code == 2
    assert capsys.readouterr().err == (f"opsanalytics report: error: --out {out}: cannot write there: "
                                       f"{out.parent}: Permission denied\n")


def test_an_os_error_about_another_file_keeps_its_traceback(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/somewhere/else/kernel.json")

    monkeypatch.setattr("opsanalytics.report.runner.run_report", broken)
    with pytest.raises(PermissionError):
        main(["report", "--db", "w.duckdb", "--config", "c.toml", "--from", "2026-11-25",
              "--to", "2026-11-25", "--out", str(tmp_path / "r")])


@pytest.mark.parametrize("args,message", [
    (["--jobs", "0"], "--jobs 0: at least 1"),
    (["--jobs", "-2"], "--jobs -2: at least 1"),
    (["--only", ","], "--only ',' names no notebook"),
    (["--only", ""], "--only '' names no notebook"),
])
def test_report_options_that_would_mean_something_else(capsys, monkeypatch, args, message):
    monkeypatch.setattr("opsanalytics.report.runner.run_report", pytest.fail)  # never reached
    code = main(["report", "--db", "w.duckdb", "--config", "c.toml", "--from", "2026-11-25",
                 "--to", "2026-11-25", *args])
    assert code == 2 and message in capsys.readouterr().err


def test_ctrl_c_during_simulate_says_the_files_may_be_incomplete(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("opsanalytics.simulate.simulate", interrupted)
    code = main(["simulate", "--out", str(tmp_path / "sim"), "--days", "1"])
    assert code == 130
    assert capsys.readouterr().err == (f"opsanalytics simulate: interrupted; the files in {tmp_path / 'sim'} "
                                       "may be incomplete (simulate again to write them whole)\n")


def test_an_ingest_that_cannot_take_the_lock_leaves_the_others_new_warehouse(files, capsys, monkeypatch):
    """Two ingests start on a warehouse that does not exist yet: both see no file; the other
    one creates it first and holds its lock. This one fails to open it, and must not remove
    the file the other created (and commits into)."""
    db, config, export = files
    holder = ("import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); "
              "con.execute('CREATE TABLE committed_by_the_other (x INTEGER)'); print('ready', flush=True); "
              "time.sleep(30)")
    real_connect = warehouse.connect
    other = []

    def connect_after_the_other(path, **kwargs):
        other.append(subprocess.Popen([sys.executable, "-c", holder, str(db)], stdout=subprocess.PIPE, text=True))
        assert other[0].stdout.readline().strip() == "ready"
        return real_connect(path, **kwargs)

    monkeypatch.setattr(ingest_cli.warehouse, "connect", connect_after_the_other)
    try:
        # 75 (EX_TEMPFAIL): a lock held is no bad input; a scheduler retries later
        assert main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"]) == 75
        err = capsys.readouterr().err
        assert "cannot open the database: another process holds it" in err and "try again" in err
        # the process named by its command line, not DuckDB's bare interpreter and PID, and not
        # DuckDB's advice for its own CLI (`-readonly`), which no opsanalytics command takes (a
        # session-34 probe: a report held the file, the message named only python3.11)
        pid = other[0].pid
        assert f"process {pid} ({sys.executable} -c import sys, time, duckdb;" in err
        assert "-readonly" not in err and "in the CLI" not in err
        assert db.exists()
    finally:
        for process in other:
            process.kill()
            process.wait()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM committed_by_the_other").fetchone() == (0,)


def test_a_full_disk_is_one_line_and_nothing_loaded(files, capsys, monkeypatch):
    db, config, export = files
    assert main(["ingest", str(export), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    capsys.readouterr()

    def full(*args, **kwargs):
        raise duckdb.IOException(f'IO Error: Could not write file "{db}": No space left on device')

    monkeypatch.setattr("opsanalytics.ingest._refresh_facts", full)
    other = export.with_name("other.csv")
    other.write_text(CSV.replace("A1", "A2"), encoding="utf-8")
    assert main(["ingest", str(other), "--db", str(db), "--config", str(config), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot write the warehouse (IO Error: Could not write file" in err and "nothing was loaded" in err
    assert "Traceback" not in err
    assert _lines(db) == 1


def test_every_subcommand_is_registered_and_a_missing_module_is_an_error(monkeypatch):
    """Each subcommand module is part of the package: one that does not import stops the
    command with its error, rather than leaving the subcommand out of `--help` without a word."""
    import argparse

    import opsanalytics.cli as cli

    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert list(commands) == ["simulate", "ingest", "status", "audit", "trace", "content", "invoice", "quality", "sla", "forecast", "simulate-history", "report", "demo"]
    monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, "not_built"))
    with pytest.raises(ModuleNotFoundError, match="opsanalytics.cli.not_built"):
        cli.build_parser()


def test_audit_all_holds_every_rule_r9_too(files, capsys):
    """R9 with no forecast loaded is in `audit all`, no note on stderr: nothing is left out."""
    db, config = _ingested(files, capsys)
    assert main(["audit", "all", "--db", str(db), "--config", str(config), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    payload = json.loads(out)
    assert [p["rule"] for p in payload] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10"]
    assert payload[8]["name"] == "forecast" and payload[8]["summary"]["forecast_versions"] == 0
    assert err == ""


def test_an_out_folder_the_system_will_not_create_is_said_plainly(tmp_path):
    """`report --out /proc/nope`: /proc exists but takes no new folder, and the system answers
    ENOENT; the message said '/proc: No such file or directory' about a folder that is there."""
    from opsanalytics.cli import unwritable

    out = tmp_path / "nope"
    hidden = FileNotFoundError(2, "No such file or directory", str(tmp_path / ".nope.tmp"))
    assert str(unwritable(out, hidden)) == (f"--out {out}: cannot write there: no folder can be created in "
                                            f"{tmp_path} (the system says: No such file or directory)")
    missing = tmp_path / "absent" / "nope"
    gone = FileNotFoundError(2, "No such file or directory", str(missing))
    assert str(unwritable(missing, gone)) == f"--out {missing}: cannot write there: {missing}: No such file or directory"


class _CommitTerminated(_CommitInterrupted):
    """A scheduler's SIGTERM arriving while COMMIT runs."""

    def execute(self, sql, *args):
        result = self.con.execute(sql, *args)
        if sql == "COMMIT":
            signal.raise_signal(signal.SIGTERM)
        return result


def test_sigterm_during_commit_is_remembered_as_sigterm():
    """A probe: a SIGTERM held through the COMMIT was kept in the hold's own list only, and the
    command line, which tells SIGTERM (143) from Ctrl-C (130) by `interrupts.received`, exited
    130 to the scheduler that had stopped it."""
    from opsanalytics import interrupts

    restore = interrupts.install()
    try:
        con = duckdb.connect()
        con.execute("CREATE TABLE t (x INTEGER)")
        with pytest.raises(warehouse.InterruptedAfterCommit):
            with warehouse.transaction(_CommitTerminated(con)):
                con.execute("INSERT INTO t VALUES (1)")
        assert interrupts.received() == signal.SIGTERM
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        restore()


def test_a_file_that_vanishes_during_the_call_is_refused_with_its_name_and_nothing_kept(tmp_path, monkeypatch):
    """A probe: logrotate's compress removed `access.log.1` while `ingest access.log*` read the
    files before it: a traceback and exit 1. Now exit 2's message, saying that the file read
    before it is not kept either."""
    from pathlib import Path

    import opsanalytics.ingest as ingest
    from opsanalytics.config import parse_contract

    real = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log"
    gone = tmp_path / "access.log.1"
    monkeypatch.setattr(ingest, "check_paths", lambda paths, fmt: [(real, "kannel"), (gone, "kannel")])
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    contract = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n', "c.toml")
    with pytest.raises(ingest.IngestError) as refused:
        ingest.ingest_files(con, contract, [real, gone], progress=False)
    assert str(refused.value) == (
        f"{gone}: can no longer be read (No such file or directory): it could when ingest started (rotated, "
        "removed or its permissions changed meanwhile?)\nnothing of this call was kept: the 1 file(s) read "
        "before it are not loaded either (all or nothing); run it again once this file is fixed or left out")
    assert con.execute("SELECT count(*) FROM load_manifest").fetchone() == (0,)
