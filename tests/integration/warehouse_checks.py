"""Ingest a gateway run's access log and compare the warehouse with what really happened.

"What really happened" is the scenario (what was sent, received, and how the simulated SMSC
answered) and the SMSC's own record of every submit_sm: the warehouse must hold every MT
with its receiver, sender, coding, text (exact where the log is not lossy), segments and
final status, every MO with its keyword, no rejected line, and `opsanalytics status` must
give the scenario's counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from . import scenario


def ingest_cli(run, folder: Path) -> Path:
    """`opsanalytics ingest LOG --db DB --config CONTRACT` (the user's command), once."""
    db = folder / "warehouse.duckdb"
    if not db.exists():
        subprocess.run([sys.executable, "-m", "opsanalytics", "ingest", str(run.access_log),
                        "--db", str(db), "--config", str(run.contract_path())],
                       check=True, capture_output=True, text=True, timeout=120)
    return db


def status_json(db: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "opsanalytics", "status", "--db", str(db),
                          "--format", "json"], check=True, capture_output=True, text=True, timeout=60)
    return json.loads(out.stdout)


def query(db: Path, sql: str) -> list[dict]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        con.close()


def expected_warehouse_text(mt: scenario.MT) -> tuple[str, bool]:
    """(text, text_lossy) the warehouse must hold for an MT (events.text, docs/schema.md)."""
    if mt.coding_used == 1:
        raw = mt.expected_text()
        try:
            return raw.decode("utf-8"), False
        except UnicodeDecodeError:
            return "".join(chr(b) if 0x20 <= b <= 0x7E else "." for b in raw), True
    return mt.expected_text(), mt.text_lossy()


def mt_problems(run, rows: list[dict], mt: scenario.MT) -> list[str]:
    found = [r for r in rows if r["msisdn_raw"] == mt.to and (r["udh"] or "") == mt.udh.hex().upper()]
    if len(found) != 1:
        return [f"{mt.ref}: {len(found)} rows in fct_mt"]
    row = found[0]
    text, lossy = expected_warehouse_text(mt)
    expected = {"outcome": mt.outcome, "smsc": mt.line_smsc, "service": mt.service, "oadc": mt.sender,
                "coding": mt.coding_used, "text": text, "text_lossy": lossy,
                "final_status": mt.expected_final(), "brand": scenario.SERVICES[mt.user][0]}
    if mt.line_smsc in scenario.SHORT_CODES:
        expected["short_code"] = scenario.SHORT_CODES[mt.line_smsc]
    problems = [f"{mt.ref}: fct_mt.{k} {row[k]!r} != expected {v!r}" for k, v in expected.items() if row[k] != v]
    if mt.outcome == "accepted" and mt.line_smsc in scenario.SHORT_CODES:
        submits = run.accepted_submits(mt.to)
        truth = 1 if mt.udh else len(submits)
        if row["segments_exact"] and row["segments"] != truth:
            problems.append(f"{mt.ref}: fct_mt.segments {row['segments']} (exact) but the SMSC got {truth}")
        if not row["segments_exact"] and abs(row["segments"] - truth) > 1:
            problems.append(f"{mt.ref}: fct_mt.segments {row['segments']} (estimate) far from the SMSC's {truth}")
        if not mt.text_lossy() and not row["segments_exact"]:
            problems.append(f"{mt.ref}: segments marked inexact for a text the log shows exactly")
    return problems


def mo_problems(rows: list[dict], mo: scenario.MO) -> list[str]:
    found = [r for r in rows if r["msisdn_raw"] == "+" + mo.sender]
    if len(found) != 1:
        return [f"{mo.ref}: {len(found)} rows in fct_mo"]
    row = found[0]
    expected = {"outcome": "refused" if mo.refused else "accepted", "short_code": mo.short_code,
                "smsc": mo.smsc, "coding": mo.coding_logged, "text": mo.expected_text(),
                "text_lossy": mo.text_lossy(), "keyword": mo.keyword}
    return [f"{mo.ref}: fct_mo.{k} {row[k]!r} != expected {v!r}" for k, v in expected.items() if row[k] != v]


def expected_status(run) -> dict:
    """The status counts the scenario implies (issue 7's JSON contract)."""
    played = run.played
    mts = played.mts
    raw_lines = [l for l in played.lines if l.strip()]
    markers = sum(1 for l in raw_lines if l.endswith(("Log begins", "Log ends")))
    accepted = [mt for mt in mts if mt.outcome == "accepted"]
    segments = sum(1 if mt.udh else len(run.accepted_submits(mt.to)) for mt in accepted
                   if mt.line_smsc in scenario.SHORT_CODES)
    return {
        "lines": len(raw_lines), "events": len(raw_lines) - markers, "markers": markers, "rejected": 0,
        "mt": {"accepted": len(accepted), "refused": len(mts) - len(accepted), "segments": segments},
        "mo": {"accepted": sum(1 for mo in played.mos if not mo.refused),
               "refused": sum(1 for mo in played.mos if mo.refused)},
        "dlr": {"lines": sum(len(mt.expected_dlrs()) for mt in mts),
                "unmatched": sum(mt.expected_unmatched() for mt in mts),
                "delivered": sum(1 for mt in accepted if mt.expected_final() == "delivered"),
                "failed": sum(1 for mt in accepted if mt.expected_final() in ("failed", "expired"))},
        "dropped": 0,
    }


def all_problems(run, folder: Path) -> list[str]:
    """Ingest the run's log and list every difference with the scenario."""
    db = ingest_cli(run, folder)
    problems = []
    rejected = query(db, "SELECT line_no, reason, raw FROM rejected_lines ORDER BY line_no")
    problems += [f"rejected line {r['line_no']}: {r['reason']}: {r['raw']!r}" for r in rejected]
    mt_rows = query(db, "SELECT * FROM fct_mt")
    for mt in run.played.mts:
        problems += mt_problems(run, mt_rows, mt)
    if len(mt_rows) != len(run.played.mts):
        problems.append(f"fct_mt has {len(mt_rows)} rows for {len(run.played.mts)} MTs")
    mo_rows = query(db, "SELECT * FROM fct_mo")
    for mo in run.played.mos:
        problems += mo_problems(mo_rows, mo)
    status = status_json(db)
    want = expected_status(run)
    got = {k: status[k] for k in want}
    if got != want:
        problems.append(f"status JSON {got} != scenario {want}")
    return problems

