"""Provenance and stability of the audit JSON (review /tmp/s18/reports/provenance.md): every
breach row leads to the raw lines that prove it, the R8 summary is the same from one run to
the next, and every key the JSON carries is documented in docs/audit-json.md.

Known answers: small Kannel logs written here (line numbers are ids: load 1, line n is
10_000_000_000 + n), and hand-made events (test_audit_support.Traffic)."""

from __future__ import annotations

import json

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


def test_r8_mt_ids_are_every_accepted_line_of_the_second_whoever_sent_it():
    """A line the gateway split itself stands for 3 segments (lines != segments); another
    brand's line and a refused line in the same second: the accepted lines are the
    provenance, sorted, refused ones are not (they are not counted)."""
    from test_audit_support import Traffic, paris

    t = Traffic()
    at = paris("2026-11-10 10:00:00")
    ids = [t.send(f"+336120000{n:02d}", at, short_code="36200") for n in range(8)]
    ids.append(t.send("+33612000099", at, short_code="36200", service="bravo"))
    t.send("+33612000098", at, short_code="36200", accepted=False)
    line = len(t.rows) + 1
    t._line(at, "Sent SMS", "mt", "accepted", smsc="orange_36200", service="acme", fid="FSPLIT",
            sender="36200", receiver="+33612000097", dlr_mask=31, text="x" * 400, segments=3)
    ids.append(LOAD_1 + line)
    t.send("+33612000096", paris("2026-11-10 10:00:01"), short_code="36200")   # next second
    from test_audit_support import CONTRACT
    result = run(t.warehouse(), CONTRACT, "R8")
    rows = result.to_json(CONTRACT.timezone)["rows"]
    assert [(r["short_code"], r["segments"], r["lines"], r["over_by"]) for r in rows] == [("36200", 12, 10, 2)]
    assert rows[0]["mt_ids"] == sorted(ids)
