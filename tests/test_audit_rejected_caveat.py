"""`opsanalytics audit` says when lines rejected at load fall in the audited period: a restart
into another access-log format leaves its lines rejected, and R1 and R4 then find 0 breaches
where a real Kannel 1.4.5 run (fixtures/kannel-1.4.5/restart-format) made one each."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsanalytics.cli import main as cli

HERE = Path(__file__).parent / "fixtures" / "kannel-1.4.5"
CONTRACT = HERE / "restart-format" / "contract.toml"


@pytest.fixture(scope="module")
def dbs(tmp_path_factory):
    made = {}
    for name in ("restart-format", "restart-gmt"):
        db = tmp_path_factory.mktemp(name) / "w.duckdb"
        log = HERE / name / ("ordinary.log" if name == "restart-gmt" else "access.log")
        assert cli(["ingest", str(log), "--db", str(db), "--config", str(CONTRACT), "--quiet"]) == 0
        made[name] = (db, log.resolve())
    return made


@pytest.mark.parametrize("rule", ["R1", "R4"])
def test_rejected_lines_in_the_period_are_said_with_the_audit(dbs, capsys, rule):
    db, log = dbs["restart-format"]
    capsys.readouterr()
    assert cli(["audit", rule, "--db", str(db), "--config", str(CONTRACT), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert '"violations": 0' in out
    assert err == (
        f"opsanalytics audit: warning: 9 log line(s) in the period were rejected at load, and no rule sees "
        f"them (a breach on them is not counted): {log} (9, from line 8). Why each was rejected is in the "
        "rejected_lines table (ingest said so): a damaged or cut line, or another access-log format after a "
        "restart (then split the file there and load the part after it with that format as "
        "access_log_format).\n")


@pytest.mark.parametrize("period", [["--from", "2026-11-27"], ["--to", "2026-11-25"]])
def test_rejected_lines_outside_the_period_are_not_said(dbs, capsys, period):
    db, _ = dbs["restart-format"]
    capsys.readouterr()
    assert cli(["audit", "R4", "--db", str(db), "--config", str(CONTRACT), *period]) == 0
    err = capsys.readouterr().err
    # (both periods lie outside the log: the audit says that instead)
    assert "rejected at load" not in err and "no MT message was accepted in the period" in err


def test_a_log_with_no_rejected_line_gets_no_warning(dbs, capsys):
    db, _ = dbs["restart-gmt"]
    capsys.readouterr()
    assert cli(["audit", "all", "--db", str(db), "--config", str(CONTRACT)]) == 0
    assert capsys.readouterr().err == ""


def test_rejected_canonical_rows_are_said_as_rows_with_the_canonical_advice(tmp_path, capsys):
    """A probe: a CSV row rejected after a text holding a line break was said 'from line 3'
    (it is row 3, file line 5), with advice about Kannel access-log formats."""
    csv = tmp_path / "export.csv"
    csv.write_text('logged_at,kind,outcome,receiver,text\n'
                   '2026-11-25T09:00:00Z,mt,accepted,0612345678,"Promo\nsur deux lignes, STOP au 36180"\n'
                   '2026-11-25T09:00:01Z,mt,accepted,0612345679,"Promo\nencore, STOP au 36180"\n'
                   '2026-11-25T09:00:02Z,bogus,accepted,0612345677,Promo STOP au 36180\n', encoding="utf-8")
    db = tmp_path / "w.duckdb"
    assert cli(["ingest", str(csv), "--db", str(db), "--config", str(CONTRACT), "--quiet"]) == 0
    capsys.readouterr()
    assert cli(["audit", "R1", "--db", str(db), "--config", str(CONTRACT)]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "rejected at load" in line]
    assert said == [
        f"opsanalytics audit: warning: 1 canonical row(s) in the period were rejected at load, and no rule sees them "
        f"(a breach on them is not counted): {csv.resolve()} (1, from row 3). Why each was rejected, with its column, "
        "is in the rejected_lines table (ingest said so): a value the canonical format refuses "
        "(docs/canonical-format.md)."]
