"""`opsanalytics demo`: simulate, load, report; a second run reuses the data and the load
(without opening the warehouse for writing: a notebook may hold it) and regenerates the
reports. The executive summary's counts are `audit all`'s."""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from opsanalytics.cli import main as cli

ARGS = ["--days", "3", "--scale", "150", "--seed", "5", "--only", "20"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from opsanalytics.report.runner import this_interpreter_kernel

    root = tmp_path_factory.mktemp("demo")
    kernel = this_interpreter_kernel(root / "jupyter")
    args = ["demo", "--dir", str(root / "data"), "--reports", str(root / "reports"), *ARGS, "--kernel", kernel]
    return root, args


def _read(capsys) -> tuple[str, str]:
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_demo_runs_then_is_idempotent(demo, capsys):
    root, args = demo
    assert cli(args) == 0
    out, err = _read(capsys)
    index = root / "reports" / "2026-10-15_2026-10-17" / "index.html"
    assert f"open {index.resolve()}" in out
    assert "(loaded)" in out and "time: simulate" in err
    db = root / "data" / "demo.duckdb"
    first_db = db.stat().st_mtime_ns
    first_index = index.stat().st_mtime_ns
    logs = sorted((root / "data").glob("access.log*"))
    first_logs = {p: p.stat().st_mtime_ns for p in logs}

    # again, with a notebook open on the warehouse (README: notebooks may stay open): nothing
    # new to load, so the warehouse is not opened for writing, which the notebook's lock forbids
    with notebook_open(db, Path(json.loads((root / "data" / "demo.json").read_text())["contract"])):
        assert cli(args) == 0
    out, err = _read(capsys)
    assert "is up to date" in out and f"ingest: {db} is up to date" in out and "(loaded)" not in out
    assert {p: p.stat().st_mtime_ns for p in logs} == first_logs  # not simulated again
    assert index.stat().st_mtime_ns > first_index                 # reports regenerated
    assert (root / "reports" / "2026-10-15_2026-10-17" / "20-send-windows.html").exists()
    from opsanalytics import warehouse

    con = warehouse.connect(db, read_only=True)
    states = con.execute("SELECT state, count(*) FROM load_manifest GROUP BY state ORDER BY state").fetchall()
    con.close()
    assert states == [("loaded", 2)]  # nothing written: not even 'skipped' rows
    assert first_db  # the same database file was reused


def test_a_demo_that_must_write_says_which_process_holds_the_warehouse(demo, capsys):
    """A changed contract means rebuilding the facts: with a notebook holding the warehouse,
    the error names the process and says how to release it; without, the demo rebuilds."""
    root, args = demo
    if not (root / "data" / "demo.duckdb").exists():
        assert cli(args) == 0
    contract = Path(json.loads((root / "data" / "demo.json").read_text())["contract"])
    text = contract.read_text(encoding="utf-8")
    db = root / "data" / "demo.duckdb"
    try:
        contract.write_text(text + "\n# a change: the facts must be rebuilt\n", encoding="utf-8")
        with notebook_open(db, contract) as holder:
            capsys.readouterr()
            assert cli(args) == 75   # busy: try again later (not bad input)
            out, err = _read(capsys)
        assert f"process {holder.pid} (" in err and "holds the warehouse open" in err
        assert "facts to rebuild" in err and "report.close()" in err and "Shut Down Kernel" in err
        assert cli(args) == 0  # released: the demo rebuilds the facts and reports
        out, err = _read(capsys)
        assert "(skipped)" in out and "is up to date (every log" not in out
    finally:
        contract.write_text(text, encoding="utf-8")


def test_lock_holder_reads_duckdb_s_lock_error():
    from opsanalytics.warehouse import lock_holder

    message = ('demo.duckdb: cannot open the database: IO Error: Could not set lock on file "demo.duckdb": '
               "Conflicting lock is held in /usr/bin/python3.11 (PID 999999999) by user ops. See also ...")
    assert lock_holder(message) == "process 999999999 (/usr/bin/python3.11)"  # (no such process to read)
    assert lock_holder("demo.duckdb: cannot open the database: IO Error: disk full") is None


@contextmanager
def notebook_open(db: Path, contract: Path):
    """Another process that does what a notebook's second cell does and keeps it open."""
    code = ("import sys, time\n"
            "from opsanalytics.report.notebook import open_report\n"
            "report = open_report(sys.argv[1], sys.argv[2])\n"
            "print('open', flush=True)\n"
            "time.sleep(300)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), str(contract)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "open"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_summary_counts_equal_audit_all_json(demo, capsys):
    root, args = demo
    report_dir = root / "reports" / "2026-10-15_2026-10-17"
    if not (report_dir / "summary.json").exists():
        assert cli(args) == 0
    capsys.readouterr()
    stamp = json.loads((root / "data" / "demo.json").read_text())
    assert cli(["audit", "all", "--db", str(root / "data" / "demo.duckdb"), "--config", stamp["contract"],
                "--from", "2026-10-15", "--to", "2026-10-17", "--format", "json"]) == 0
    audited = json.loads(capsys.readouterr().out)
    summary = json.loads((report_dir / "summary.json").read_text())
    assert {r["rule"]: r["violations"] for r in summary["rules"]} == {a["rule"]: a["violations"] for a in audited}
    assert sum(a["violations"] for a in audited) > 0  # the simulator injected breaches
    index = (report_dir / "index.html").read_text(encoding="utf-8")
    for rule in audited:
        row = index[index.index(f"id='rule-{rule['rule']}'"):]
        row = row[:row.index("</tr>")]
        assert f">{rule['violations']:,}</td>" in row
