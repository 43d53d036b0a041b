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


def ingest(run, folder: Path) -> tuple[Path, str]:
    """`opsanalytics ingest LOG... --db DB --config CONTRACT`: the user's command, once;
    the warehouse and what the command said on stderr."""
    db = folder / "warehouse.duckdb"
    done = _run("ingest", *map(str, run.log_files), "--db", str(db), "--config", str(run.contract_path()))
    return db, done.stderr


def _run(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "opsanalytics", *args], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"opsanalytics {' '.join(args)} exited {done.returncode}: {done.stderr}"
    return done


def _cli(*args: str) -> str:
    return _run(*args).stdout


def audit_json(db: Path, contract: Path) -> dict:
    """`opsanalytics audit all --format json`, by rule."""
    return {r["rule"]: r for r in json.loads(_cli("audit", "all", "--db", str(db), "--config", str(contract),
                                                  "--format", "json"))}


def status_json(db: Path) -> dict:
    return json.loads(_cli("status", "--db", str(db), "--format", "json"))


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
    # coding 0: any '.' may stand for a replaced byte, so a text holding one is flagged lossy
    # (queries/staging/kannel_macros.sql, kannel_lossy), even when every dot was a full stop
    text = mt.expected_text()
    return text, mt.coding_used == 0 and "." in text


def mt_problems(run, rows: list[dict], mt: scenario.MT) -> list[str]:
    found = [r for r in rows if r["msisdn_raw"] == mt.to and (r["udh"] or "") == mt.udh.hex().upper()]
    if len(found) > 1:  # a resubmission to the same receiver: told apart by its outcome
        found = [r for r in found if r["outcome"] == mt.outcome]
    if len(found) != 1:
        return [f"{mt.ref}: {len(found)} rows in fct_mt"]
    row = found[0]
    text, lossy = expected_warehouse_text(mt)
    expected = {"outcome": mt.outcome, "smsc": mt.line_smsc, "service": mt.service, "oadc": mt.sender,
                "coding": mt.coding_used, "text": text, "text_lossy": lossy,
                "final_status": mt.expected_final(), "brand": scenario.SERVICES[mt.user][0]}
    if mt.to.lstrip("+").startswith("33"):
        expected["msisdn"] = "+" + mt.to.lstrip("+")
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
        if "." not in row["text"] and not row["segments_exact"]:
            problems.append(f"{mt.ref}: segments marked inexact for a text the log shows exactly")
    return problems


def mo_problems(rows: list[dict], mo: scenario.MO) -> list[str]:
    found = [r for r in rows if r["msisdn_raw"] == "+" + mo.sender]
    if len(found) != 1:
        return [f"{mo.ref}: {len(found)} rows in fct_mo"]
    row = found[0]
    expected = {"outcome": "refused" if mo.refused else "accepted", "short_code": mo.short_code,
                "msisdn": "+" + mo.sender, "udh": mo.logged_udh,
                "smsc": mo.smsc, "coding": mo.coding_logged, "text": mo.expected_text(),
                "text_lossy": mo.coding_logged != 2 and "." in mo.expected_text(), "keyword": mo.keyword}
    if not mo.keyword_known:
        del expected["keyword"]
    return [f"{mo.ref}: fct_mo.{k} {row[k]!r} != expected {v!r}" for k, v in expected.items() if row[k] != v]


def dlr_problems(run, db: Path, mt_rows: list[dict]) -> list[str]:
    """Every DLR line linked to its own MT with the status bits, source and `stat:` expected;
    only the duplicated receipts left unmatched."""
    dlrs = query(db, "SELECT mt_id, status, source, stat, unmatched FROM fct_dlr")
    by_mt: dict[int, list[dict]] = {}
    for d in dlrs:
        by_mt.setdefault(d["mt_id"], []).append(d)
    problems = []
    for mt in run.played.mts:
        rows = [r for r in mt_rows if r["msisdn_raw"] == mt.to and (r["udh"] or "") == mt.udh.hex().upper()]
        if len(rows) > 1:
            rows = [r for r in rows if r["outcome"] == mt.outcome]
        if len(rows) != 1:
            continue  # reported by mt_problems
        linked = by_mt.get(rows[0]["mt_id"], [])
        got = sorted(d["status"] for d in linked if not d["unmatched"])
        if got != sorted(mt.expected_dlrs()):
            problems.append(f"{mt.ref}: linked DLR statuses {got} != expected {sorted(mt.expected_dlrs())}")
        sources = {d["status"]: d["source"] for d in linked}
        want = {8: "kannel_ack", 16: "kannel_nack"}
        problems += [f"{mt.ref}: DLR {st} source {sources[st]!r}" for st, src in want.items()
                     if st in sources and sources[st] != src]
        receipt = mt.final_receipt()
        finals = [d for d in linked if d["source"] == "receipt" and d["status"] & 3]
        if finals and receipt and finals[-1]["stat"] != receipt.stat:
            problems.append(f"{mt.ref}: receipt stat {finals[-1]['stat']!r} != {receipt.stat!r}")
    unmatched = sum(1 for d in dlrs if d["unmatched"])
    expected = sum(mt.expected_unmatched() for mt in run.played.mts)
    if unmatched != expected:
        problems.append(f"fct_dlr: {unmatched} unmatched DLR lines, expected {expected} (duplicates)")
    return problems


def logical_groups(mts: list[scenario.MT]) -> list[list[scenario.MT]]:
    """The logical messages the scenario sent: application parts (concatenation UDH) to one
    receiver are one; a resend of the same text to the same receiver after a refusal is the
    same one; every other MT (even one Kannel split itself) is one on its own."""
    groups: dict[tuple, list[scenario.MT]] = {}
    for mt in mts:
        concat = mt.udh[:3] in (b"\x05\x00\x03", b"\x06\x08\x04")
        key = (mt.line_smsc, mt.to, "concat") if concat else (mt.line_smsc, mt.to, mt.text)
        groups.setdefault(key, []).append(mt)
    return list(groups.values())


def logical_problems(run, db: Path, mt_rows: list[dict]) -> list[str]:
    logical = {r["logical_id"]: r for r in query(db, "SELECT * FROM fct_logical_messages")}
    problems, seen = [], set()
    groups = logical_groups(run.played.mts)
    for group in groups:
        rows = [r for r in mt_rows if r["msisdn_raw"] == group[0].to]
        ids = {r["logical_id"] for r in rows}
        ref = "+".join(mt.ref for mt in group)
        if len(ids) != 1 or len(rows) != len(group):
            problems.append(f"{ref}: {len(rows)} MT rows in {len(ids)} logical messages")
            continue
        row = logical[ids.pop()]
        seen.add(row["logical_id"])
        parts = [mt for mt in group if mt.udh]
        accepted = [mt for mt in group if mt.outcome == "accepted"]
        expected = {"attempts": 1 if parts else len(group), "accepted": bool(accepted),
                    "parts_expected": len(parts) or 1, "parts_seen": len(parts) or 1}
        if parts:
            expected["text"] = "".join(expected_warehouse_text(mt)[0] for mt in parts)
            expected["segments"] = len(parts)
            finals = {mt.expected_final() for mt in parts}
            expected["final_status"] = finals.pop() if len(finals) == 1 else None
        elif accepted:
            expected["text"] = expected_warehouse_text(accepted[0])[0]
            expected["final_status"] = accepted[0].expected_final()
            if accepted[0].line_smsc in scenario.SHORT_CODES:
                expected["segments"] = len(run.accepted_submits(accepted[0].to))
        problems += [f"{ref}: fct_logical_messages.{k} {row[k]!r} != expected {v!r}"
                     for k, v in expected.items() if row[k] != v]
    if len(logical) != len(groups):
        problems.append(f"fct_logical_messages has {len(logical)} rows for {len(groups)} logical messages")
    return problems


def time_problems(run, db: Path) -> list[str]:
    """Every event's instant falls within the seconds the scenario ran, whatever the variant
    wrote (local time, GMT, or the format's %t): log_timezone and the format were honoured."""
    lo, hi = run.played.seconds()
    rows = query(db, "SELECT line_no, label, epoch(logged_at) AS t FROM events ORDER BY line_no")
    return [f"line {r['line_no']} ({r['label']}): logged_at {r['t']} outside [{lo}, {hi}]"
            for r in rows if not lo <= r["t"] <= hi]


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


def caution_problems(run, said: str, left_out: tuple[str, ...] = ()) -> list[str]:
    """`ingest`'s stderr against what it should say: the contract names every service, the
    SMSC's receipt dates (French time) agree with the log's times read with log_timezone,
    and the format leaves out nothing but `left_out` (the starts of the lines that list it)
    and, for a clean log, the time of its lines."""
    expected = [*left_out, *(["the time of each line (access-log-clean)"] if run.variant.access_log_clean else [])]
    lines = said.splitlines()
    if expected:
        header = f"warning: the access_log_format of {run.contract_path()} leaves out:"
        listed = lines[lines.index(header) + 1:] if header in lines else []
        listed = listed[:next((i for i, line in enumerate(listed) if not line.startswith("  ")), len(listed))]
        if [line.strip()[:len(want)] for line, want in zip(listed, expected)] != expected or len(listed) != len(expected):
            return [f"ingest should say the format leaves out {expected}, said: {said!r}"]
        lines = [line for line in lines if line != header and line not in listed]
    return [f"ingest warned: {line}" for line in lines if line.startswith("warning:")]


def all_problems(run, folder: Path, left_out: tuple[str, ...] = ()) -> list[str]:
    """Ingest the run's log and list every difference with the scenario (`left_out`: what
    the run's access-log format is expected to leave out, see caution_problems)."""
    db, said = ingest(run, folder)
    problems = caution_problems(run, said, left_out)
    status = status_json(db)
    files = status["files"]
    if [(f["path"], f["state"], f["rejected"]) for f in files] != [(str(p), "loaded", 0) for p in run.log_files]:
        problems.append(f"status files {files} != the run's logs {run.log_files}")
    rejected = query(db, "SELECT line_no, reason, raw FROM rejected_lines ORDER BY line_no")
    problems += [f"rejected line {r['line_no']}: {r['reason']}: {r['raw']!r}" for r in rejected]
    problems += time_problems(run, db)
    mt_rows = query(db, "SELECT * FROM fct_mt")
    for mt in run.played.mts:
        problems += mt_problems(run, mt_rows, mt)
    if len(mt_rows) != len(run.played.mts):
        problems.append(f"fct_mt has {len(mt_rows)} rows for {len(run.played.mts)} MTs")
    problems += logical_problems(run, db, mt_rows)
    problems += dlr_problems(run, db, mt_rows)
    mo_rows = query(db, "SELECT * FROM fct_mo")
    for mo in run.played.mos:
        problems += mo_problems(mo_rows, mo)
    want = expected_status(run)
    got = {k: status[k] for k in want}
    if got != want:
        problems.append(f"status JSON {got} != scenario {want}")
    return problems

