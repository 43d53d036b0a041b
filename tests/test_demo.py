"""`opsanalytics demo`: simulate, load, report; a second run reuses the data and the load
and regenerates the reports. The executive summary's counts are `audit all`'s."""

from __future__ import annotations

import json

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

    assert cli(args) == 0
    out, err = _read(capsys)
    assert "is up to date" in out and "ingest: " in out and "(skipped)" in out and "(loaded)" not in out
    assert {p: p.stat().st_mtime_ns for p in logs} == first_logs  # not simulated again
    assert index.stat().st_mtime_ns > first_index                 # reports regenerated
    assert (root / "reports" / "2026-10-15_2026-10-17" / "20-send-windows.html").exists()
    from opsanalytics import warehouse

    con = warehouse.connect(db, read_only=True)
    states = con.execute("SELECT state, count(*) FROM load_manifest GROUP BY state ORDER BY state").fetchall()
    con.close()
    assert states == [("loaded", 2), ("skipped", 2)]
    assert first_db  # the same database file was reused


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
