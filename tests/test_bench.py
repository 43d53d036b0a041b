"""The benchmark scripts still run against the package as it is now: each is run at a tiny
size (the figures mean nothing there; bench/ is for measuring, not the tests). The audits
benchmark generates its own fact tables, so a column the audits start reading must be added
to it too (it once lacked fct_mt.segments_max, which R8 reads: the script stopped at R8)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_audits_benchmark_runs_every_rule(tmp_path):
    out = _run("bench_audits.py", "--segments", "20000", "--db", str(tmp_path / "audits.duckdb"),
               "--memory-limit", "1GB")
    timed = re.findall(r"^  (R\d+) ", out, flags=re.M)
    assert timed == [f"R{i}" for i in range(1, 11)] + ["R12", "R14", "R13", "R11"]
    assert re.search(r"^wall: suite [\d.]+ s .* ratio [\d.]+", out, flags=re.M)
    assert "no out-of-memory" in out


def test_the_ingest_benchmark_accounts_for_every_line(tmp_path):
    out = _run("bench_ingest.py", "--lines", "20000", "--keep", str(tmp_path))
    rows = dict(re.findall(r"^(floor|load|ingest|again)\s+[\d.]+\s+[\d,]+\s+[\d.]+ GB\s+([\d.]+)$", out, flags=re.M))
    assert sorted(rows) == ["again", "floor", "ingest", "load"]
    assert float(rows["floor"]) == 1.0
    accounting = re.search(r"accounting: lines=(\d+) events=(\d+) markers=(\d+) rejected=(\d+)", out)
    lines, events, markers, rejected = map(int, accounting.groups())
    assert lines == 20000 and events + markers + rejected == lines and events > 19000
