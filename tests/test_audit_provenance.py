"""Provenance and stability of the audit JSON (review /tmp/s18/reports/provenance.md): every
breach row leads to the raw lines that prove it, the R8 summary is the same from one run to
the next, and every key the JSON carries is documented in docs/audit-json.md.

Known answers: small Kannel logs written here (line numbers are ids: load 1, line n is
10_000_000_000 + n), and hand-made events (auditrows.Traffic)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.audits import run
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files

LOAD_1 = 10_000_000_000

LOCAL_CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "Europe/Paris"

[rules]
retry_minutes = 60

[[short_codes]]
code = "36180"
smsc = "ora_36180"
rate = 20
oadc = ["ACME"]

[[short_codes]]
code = "36181"
smsc = "ora_36181"
rate = 10

[[services]]
name = "acme"
brand = "Acme"
category = "marketing"

[[services]]
name = "acme_tx"
brand = "Acme"
category = "transactional"
"""


def _sent(at: str, n: int, *, code: str = "36181", service: str = "acme_tx", sender: str | None = None,
          to: str | None = None, text: str = "Code 12345", label: str = "Sent SMS") -> str:
    fid = f"41{n:08d}" if label == "Sent SMS" else ""
    return (f"{at} {label} [SMSC:ora_{code}] [SVC:{service}] [ACT:] [BINF:] [FID:{fid}] [META:?smpp_resp?] "
            f"[from:{sender or code}] [to:{to or f'3361300{n:04d}'}] [flags:-1:0:-1:-1:31] "
            f"[msg:{len(text.encode())}:{text}] [udh:0:]")


def _ingest(tmp_path, lines: list[str], contract_text: str = LOCAL_CONTRACT):
    """A Kannel access log of `lines` (after a `Log begins` on line 1), ingested: the
    warehouse and its contract. The n-th line given is line n + 1 of the file."""
    log = tmp_path / "access.log"
    log.write_text("\n".join([f"{lines[0][:10]} 00:00:00 Log begins", *lines]) + "\n", encoding="utf-8")
    contract = parse_contract(contract_text, str(tmp_path / "contract.toml"))
    con = warehouse.connect(":memory:", create=True)
    ingest_files(con, contract, [log], progress=False)
    return con, contract


# ---------------------------------------------------------------- R8 provenance

def test_r8_rows_give_the_ids_of_the_lines_of_the_second_in_the_repeated_autumn_hour(tmp_path):
    """b/dst.log: a local-time log, 11 MTs at the first 02:30:00 of 25 Oct 2026 (CEST), then
    02:50, 02:10 (the clock went back), and 5 more at the second 02:30:00 (CET). The breach
    is the first 02:30:00: its mt_ids are those 11 lines, not the 16 a grep finds."""
    first = [_sent("2026-10-25 02:30:00", n) for n in range(1, 12)]           # lines 2-12
    between = [_sent("2026-10-25 02:50:00", 12), _sent("2026-10-25 02:10:00", 13)]
    second = [_sent("2026-10-25 02:30:00", n) for n in range(14, 19)]         # lines 15-19
    con, contract = _ingest(tmp_path, [*first, *between, *second])
    result = run(con, contract, "R8")
    rows = result.to_json(contract.timezone)["rows"]
    assert [(r["second"], r["segments"], r["lines"]) for r in rows] == [("2026-10-25T02:30:00+02:00", 11, 11)]
    assert rows[0]["mt_ids"] == [LOAD_1 + n for n in range(2, 13)]
    # the 5 lines of the second 02:30:00 (+01:00) are another second, under the rate
    line_no = dict(con.execute("SELECT mt_id, line_no FROM fct_mt").fetchall())
    assert sorted(line_no[i] for i in rows[0]["mt_ids"]) == list(range(2, 13))
    assert list(result.rows["mt_ids"][0]) == rows[0]["mt_ids"]


def test_r8_mt_ids_are_every_submitted_line_of_the_second_whoever_sent_it():
    """A line the gateway split itself stands for 3 segments (lines != segments); another
    brand's line and a line the SMSC refused in the same second: every submitted line is the
    provenance, sorted, the refused one too (RULES.md R8 counts submitted segments)."""
    from auditrows import Traffic, paris

    t = Traffic()
    at = paris("2026-11-10 10:00:00")
    ids = [t.send(f"+336120000{n:02d}", at, short_code="36200") for n in range(8)]
    ids.append(t.send("+33612000099", at, short_code="36200", service="bravo"))
    ids.append(t.send("+33612000098", at, short_code="36200", accepted=False))
    line = len(t.rows) + 1
    t._line(at, "Sent SMS", "mt", "accepted", smsc="orange_36200", service="acme", fid="FSPLIT",
            sender="36200", receiver="+33612000097", dlr_mask=31, text="x" * 400, segments=3)
    ids.append(LOAD_1 + line)
    t.send("+33612000096", paris("2026-11-10 10:00:01"), short_code="36200")   # next second
    from auditrows import CONTRACT
    result = run(t.warehouse(), CONTRACT, "R8")
    rows = result.to_json(CONTRACT.timezone)["rows"]
    assert [(r["short_code"], r["segments"], r["lines"], r["over_by"]) for r in rows] == [("36200", 13, 11, 3)]
    assert rows[0]["mt_ids"] == sorted(ids)


# ---------------------------------------------------------------- R8 summary: the same every run

@pytest.mark.parametrize("days", [("2026-11-10", "2026-11-12"), ("2026-11-12", "2026-11-10")],
                         ids=["earliest-logged-first", "latest-logged-first"])
def test_r8_summary_ties_go_to_the_earliest_second_and_day_and_the_mean_is_exact(days):
    """Two days of equal traffic, each with a second of 4 segments (the peak), logged in
    either order. The earliest second and day win; the mean over busy minutes is 14
    segments / (60 s x 4 minutes), rounded to 6 decimals."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    n = 0
    for day in days:
        for time, count in (("09:00:00", 4), ("11:00:00", 3)):
            for _ in range(count):
                n += 1
                t.send(f"+336120001{n:02d}", paris(f"{day} {time}"), short_code="36200")
    summary = run(t.warehouse(), CONTRACT, "R8").to_json(CONTRACT.timezone)["summary"]
    code = summary["per_short_code"]["36200"]
    assert (code["peak"], code["peak_second"]) == (4, "2026-11-10T09:00:00+01:00")
    assert (code["busiest_day"], code["busiest_day_segments"], code["active_days"]) == ("2026-11-10", 7, 2)
    assert (code["busy_minutes"], code["mean_rate_busy_minutes"]) == (4, 0.058333)


def test_r8_summary_is_byte_identical_across_runs():
    """200,000 lines over 3 short codes, with many seconds and days at the peak (ties) and
    means that a floating-point sum in thread order changes in the last digits: five runs
    print the same summary, and each peak is the earliest second at the peak."""
    from opsanalytics import facts
    from auditrows import CONTRACT, Traffic

    con = Traffic().warehouse()
    con.execute("""
        INSERT INTO events (load_id, line_no, logged_at, label, kind, outcome, smsc, service, account, binfo, fid,
                            meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask, text_len, text,
                            text_lossy, udh, segments, segments_exact)
        SELECT 1, i + 1, timestamptz '2026-11-02 08:00:00+01' + to_seconds((i * 7919) % 2000000),
               'Sent SMS', 'mt', 'accepted', 'orange_' || code, 'acme', '', '', 'F' || i, '', code,
               '+3361' || lpad(cast(i as varchar), 8, '0'), -1, 0, -1, -1, 31, 5, 'hello', false, '',
               1 + i % 2, true
        FROM (SELECT i, (['36180', '36200', '35200'])[1 + i % 3] AS code FROM range(200000) AS r(i))""")
    facts.build(con, CONTRACT)
    outputs = {json.dumps(run(con, CONTRACT, "R8").to_json(CONTRACT.timezone)["summary"]) for _ in range(5)}
    assert len(outputs) == 1
    summary = json.loads(outputs.pop())
    expected = dict(con.execute("""
        WITH s AS (SELECT short_code, epoch_ms(submitted_at) // 1000 AS second, sum(segments) AS segments
                   FROM fct_mt GROUP BY ALL)
        SELECT short_code, min(second) FROM s
        WHERE (short_code, segments) IN (SELECT (short_code, max(segments)) FROM s GROUP BY short_code)
        GROUP BY short_code""").fetchall())
    assert len(expected) == 3
    for code, second in expected.items():
        peak = summary["per_short_code"][code]["peak_second"]
        assert dt.datetime.fromisoformat(peak).timestamp() == second


# ---------------------------------------------------------------- R2-R7: the attempt in breach

def _row(result, message_id):
    rows = [r for r in result.to_json("Europe/Paris")["rows"] if r["message_id"] == message_id]
    assert len(rows) == 1, result.rows
    return rows[0]


def test_r2_r3_r7_name_the_resend_in_breach_not_the_compliant_first_attempt():
    """b/retry2.log: 21:50 on 36180 from 36180 (inside the window, the right code, the right
    OAdC), undelivered; 22:05 the same text resent on 36200 from ACME. One logical message:
    message_id is the 21:50 line, which proves nothing; breach_mt_id is the 22:05 line."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    text = "Promo ACME STOP au 36180"
    first = t.send("+33612000002", paris("2026-11-03 21:50:00"), text=text, final_status="failed",
                   final_at=paris("2026-11-03 21:51:00"))
    resend = t.send("+33612000002", paris("2026-11-03 22:05:00"), text=text, short_code="36200", oadc="ACME")
    con = t.warehouse()
    for rule, reason in (("R2", "hour"), ("R3", "wrong_number"), ("R7", "not_short_code")):
        row = _row(run(con, CONTRACT, rule), first)
        assert row["mt_ids"] == [first, resend]
        assert (row["reason"], row["short_code"], row["submitted_at"]) == (reason, "36200", "2026-11-03T22:05:00+01:00")
        assert row["breach_mt_id"] == resend != row["message_id"]


def test_r2_names_the_accepted_resend_after_a_refused_line():
    """b/retry.log: REJECTED at 21:58, Sent at 22:03: message_id is the refused line."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    refused = t.send("+33612000001", paris("2026-11-03 21:58:00"), accepted=False)
    sent = t.send("+33612000001", paris("2026-11-03 22:03:00"))
    row = _row(run(t.warehouse(), CONTRACT, "R2"), refused)
    assert row["mt_ids"] == [refused, sent]
    assert (row["submitted_at"], row["breach_mt_id"]) == ("2026-11-03T22:03:00+01:00", sent)


def test_r2_names_the_first_accepted_part_of_a_multipart_message():
    """A 2-part message on a Sunday whose part 1 was refused at 10:00:00 and sent again with
    part 2 at 10:00:02: the row's time is 10:00:02, breach_mt_id the accepted part 1 there."""
    from auditrows import Traffic, paris, CONTRACT

    t = Traffic()
    def part(at, seq, accepted=True):
        return t._line(paris(at), "Sent SMS" if accepted else "REJECTED Send SMS", "mt",
                       "accepted" if accepted else "refused", smsc="orange_36180", service="acme",
                       fid=f"FP{len(t.rows)}" if accepted else "", sender="36180", receiver="+33612000003",
                       dlr_mask=31, text=("Soldes ! " if seq == 1 else "STOP au 36180"), udh=f"0500037702{seq:02X}",
                       segments=1)
    refused = part("2026-11-08 10:00:00", 1, accepted=False)
    part1 = part("2026-11-08 10:00:02", 1)
    part2 = part("2026-11-08 10:00:02", 2)
    ordinary = t.send("+33612000004", paris("2026-11-08 11:00:00"))          # one line, the usual case
    result = run(t.warehouse(), CONTRACT, "R2")
    row = _row(result, refused)
    assert (row["reason"], row["mt_ids"]) == ("sunday", [refused, part1, part2])
    assert (row["submitted_at"], row["breach_mt_id"]) == ("2026-11-08T10:00:02+01:00", part1)
    assert _row(result, ordinary)["breach_mt_id"] == ordinary


def test_r4_names_the_resend_after_the_stop():
    """Accepted at 09:55, undelivered; STOP at 10:00; resent at 10:20 (past the grace): the
    message is a breach, message_id the 09:55 line sent before the STOP, breach_mt_id 10:20."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    number = "+33612000005"
    t.send(number, paris("2026-11-03 09:00:00"))   # Acme is seen on 36180
    first = t.send(number, paris("2026-11-03 09:55:00"), text="Offre STOP au 36180", final_status="failed",
                   final_at=paris("2026-11-03 09:56:00"))
    stop = t.receive(number, paris("2026-11-03 10:00:00"), "STOP", keyword="STOP")
    resend = t.send(number, paris("2026-11-03 10:20:00"), text="Offre STOP au 36180")
    row = _row(run(t.warehouse(), CONTRACT, "R4"), first)
    assert (row["stop_mo_id"], row["sent_at"]) == (stop, "2026-11-03T10:20:00+01:00")
    assert row["breach_mt_id"] == resend


def test_r5_names_the_resend_after_the_session_closed():
    """MO at 10:00 to 34100; the MT at 09:50 the next day is in the session, undelivered, and
    resent at 10:10, after it closed: breach_mt_id is the 10:10 line."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    number = "+33612000006"
    mo = t.receive(number, paris("2026-11-03 10:00:00"), "INFO", short_code="34100")
    first = t.send(number, paris("2026-11-04 09:50:00"), service="acme_tx", short_code="34100", text="Votre code 1",
                   final_status="failed", final_at=paris("2026-11-04 09:51:00"))
    resend = t.send(number, paris("2026-11-04 10:10:00"), service="acme_tx", short_code="34100", text="Votre code 1")
    row = _row(run(t.warehouse(), CONTRACT, "R5"), first)
    assert (row["reason"], row["last_mo_id"], row["breach_mt_id"]) == ("session_expired", mo, resend)


def test_r6_names_the_resend_on_the_wrong_range():
    """First attempt on 36180 (marketing fits 36), undelivered; resent on 35100, which has no
    Géo Présence: breach_mt_id is the line on 35100."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    text = "Promo STOP au 36180"
    first = t.send("+33612000007", paris("2026-11-03 10:00:00"), text=text, final_status="failed",
                   final_at=paris("2026-11-03 10:01:00"))
    resend = t.send("+33612000007", paris("2026-11-03 10:10:00"), text=text, short_code="35100")
    row = _row(run(t.warehouse(), CONTRACT, "R6"), first)
    assert (row["reason"], row["short_code"], row["breach_mt_id"]) == ("no_geo_presence", "35100", resend)


# ---------------------------------------------------------------- R10: number_kind as the facts say

def test_r10_number_kind_is_the_facts_number_kind():
    """A number of the wrong length under a mobile prefix is `malformed` in fct_mt, and so in
    the R10 row (it read `metro_mobile`, the kind of its prefix); letters read `alphanumeric`;
    the kinds of the other reasons are unchanged."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    expected = {"+3360000000122": ("malformed", "malformed"), "+336100122": ("malformed", "malformed"),
                "PROMO": ("malformed", "alphanumeric"), "+590690123456": ("overseas", "overseas_mobile"),
                "+447700900123": ("foreign", "foreign"), "+33140000000": ("not_mobile", "metro_fixed")}
    for n, number in enumerate(expected):
        t.send(number, paris(f"2026-11-10 10:00:{n:02d}"))
    t.send("+33612345678", paris("2026-11-10 11:00:00"))
    con = t.warehouse()
    result = run(con, CONTRACT, "R10")
    rows = result.to_json(CONTRACT.timezone)["rows"]
    assert {r["msisdn"]: (r["reason"], r["number_kind"]) for r in rows} == expected
    facts_kind = dict(con.execute("SELECT mt_id, number_kind FROM fct_mt").fetchall())
    facts_territory = dict(con.execute("SELECT mt_id, number_territory FROM fct_mt").fetchall())
    for r in rows:
        assert {facts_kind[i] for i in r["mt_ids"]} == {r["number_kind"]}
        assert {facts_territory[i] for i in r["mt_ids"]} == {r["territory"]}


# ---------------------------------------------------------------- the JSON contract: docs/audit-json.md

DOC = Path(__file__).resolve().parent.parent / "docs" / "audit-json.md"
#: November 2026 is complete in the simulated period (from 2026-10-15): R9 judges it
SIM_DAYS = 47
FORECAST_CSV = """short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on
36180,2026-11,5000,10,20,2026H2,2026-06-15
36181,2026-11,9000,5,10,2026H2,2026-06-15
"""


def documented_keys(text: str) -> dict[str, dict[str, set[str]]]:
    """{"top": {"keys": {...}}, "R1": {"rows": {...}, "summary": {...}}, ...}: the backticked
    keys of the first cell of each table row, under `## Top level` and under each rule's
    `### rows` / `### summary`."""
    keys: dict[str, dict[str, set[str]]] = {}
    section = part = None
    for line in text.splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            rule = re.match(r"(R\d+)\b", title)
            section = rule.group(1) if rule else ("top" if title == "Top level" else None)
            part = "keys" if section == "top" else None
        elif line.startswith("### "):
            part = line[4:].strip() if section not in (None, "top") else None
        elif line.startswith("|") and section and part:
            first = line.strip().strip("|").split("|")[0]
            keys.setdefault(section, {}).setdefault(part, set()).update(re.findall(r"`([^`]+)`", first))
    return keys


def produced_paths(value: dict, documented: set[str], prefix: str = "") -> set[str]:
    """Every key path of `value` (`a.b`, `a[].b` in lists of objects); a key under a map the
    doc writes with a placeholder (`by_reason.<reason>`) is read as that placeholder."""
    paths = set()
    for key, item in value.items():
        placeholders = {re.match(r"<[^>]+>", d[len(prefix):]).group(0) for d in documented
                        if d.startswith(prefix + "<")}
        assert len(placeholders) <= 1, placeholders
        path = prefix + (placeholders.pop() if placeholders else key)
        paths.add(path)
        if isinstance(item, dict):
            paths |= produced_paths(item, documented, path + ".")
        elif isinstance(item, list) and item and isinstance(item[0], dict):
            for element in item:
                paths |= produced_paths(element, documented, path + "[].")
    return paths


def _undocumented(produced: set[str], documented: set[str]) -> set[str]:
    """Produced paths neither documented nor an object holding documented keys."""
    return {p for p in produced
            if p not in documented and not any(d.startswith((p + ".", p + "[].")) for d in documented)}


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """A simulated period (the review's kind of data) with a forecast loaded, and `audit all
    --format json` on it, unfiltered and with --brand (R9 adds its note then)."""
    from opsanalytics.cli import main
    from opsanalytics.config import load_contract
    from opsanalytics.forecast import load_forecast_file
    from opsanalytics.simulate import simulate

    out = tmp_path_factory.mktemp("sim")
    sim = simulate(out, days=SIM_DAYS, scale=150)
    contract = load_contract(sim.contract)
    db = out / "wh.duckdb"
    con = warehouse.connect(db, create=True)
    ingest_files(con, contract, sim.logs, progress=False)
    forecast = out / "forecast.csv"
    forecast.write_text(FORECAST_CSV, encoding="utf-8")
    assert load_forecast_file(con, forecast).state == "loaded"
    con.close()
    outputs = []
    for extra in ([], ["--brand", "Acme"]):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main(["audit", "all", "--db", str(db), "--config", str(sim.contract), "--format", "json",
                         *extra]) == 0
        outputs.append(json.loads(buffer.getvalue()))
    return db, contract, outputs


def test_every_key_of_the_json_is_documented_and_every_documented_key_is_produced(simulated):
    _, _, outputs = simulated
    doc = documented_keys(DOC.read_text(encoding="utf-8"))
    rules = [r["rule"] for r in outputs[0]]
    assert rules == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10"]
    assert set(doc) == {"top", *rules}
    produced: dict[str, dict[str, set[str]]] = {}
    for n, payload in enumerate(outputs):
        for result in payload:
            assert set(result) == doc["top"]["keys"]
            assert n or result["rows"], f"{result['rule']} has no rows in the simulation: its keys are not checked"
            mine = produced.setdefault(result["rule"], {"rows": set(), "summary": set()})
            for row in result["rows"]:
                mine["rows"] |= set(row)
            mine["summary"] |= produced_paths(result["summary"], doc[result["rule"]]["summary"])
    for rule in rules:
        for part in ("rows", "summary"):
            documented, seen = doc[rule][part], produced[rule][part]
            assert _undocumented(seen, documented) == set(), f"{rule} {part}: keys missing from {DOC.name}"
            assert documented - seen == set(), f"{rule} {part}: documented in {DOC.name}, never produced"


def test_every_breach_of_the_simulation_leads_to_its_lines(simulated):
    """On the simulated period: breach_mt_id is one of the message's lines, accepted, at the
    row's time, on its short code; R8's mt_ids are the second's accepted lines on the code."""
    db, contract, outputs = simulated
    con = warehouse.connect(db, read_only=True)
    lines = {r[0]: r[1:] for r in con.execute(
        "SELECT mt_id, outcome, submitted_at, short_code, number_kind FROM fct_mt").fetchall()}
    con.close()
    checked = 0
    for result in outputs[0]:
        for row in result["rows"]:
            if "breach_mt_id" in row:
                outcome, at, code, _ = lines[row["breach_mt_id"]]
                assert row["breach_mt_id"] in row["mt_ids"] and outcome == "accepted"
                assert at == dt.datetime.fromisoformat(row.get("submitted_at") or row["sent_at"])
                assert code == row["short_code"]
                checked += 1
            elif result["rule"] == "R8":
                second = dt.datetime.fromisoformat(row["second"])
                assert len(row["mt_ids"]) == row["lines"] and row["mt_ids"] == sorted(row["mt_ids"])
                for mt_id in row["mt_ids"]:
                    outcome, at, code, _ = lines[mt_id]
                    assert (outcome, code) == ("accepted", row["short_code"])
                    assert second <= at < second + dt.timedelta(seconds=1)
            elif result["rule"] == "R10":
                assert {lines[i][3] for i in row["mt_ids"]} == {row["number_kind"]}
    assert checked >= 20
