"""A custom access-log format: a sender holding the format's separator, with a text short
enough that the first reading cuts it short, is read again with the separator in the sender,
never rejected (real Kannel 1.4.5: tests/fixtures/kannel-1.4.5/format-separators)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from eventrows import ingested
from opsanalytics.config import load_contract

FIXTURES = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "format-separators"


@pytest.mark.parametrize("case, sender, text", [
    ("semicolon", "Shop;Paris", "Code 1234"),
    ("tab", "Shop\tParis", "Hi"),
    ("pipe-clean", "A|B", "ok"),
    ("space", "Mon Shop", "Deux  espaces   et fin  "),
])
def test_sender_with_the_separator_and_a_short_text_reads(case, sender, text):
    contract = load_contract(FIXTURES / case / "contract.toml")
    con, _ = ingested(contract, [FIXTURES / case / "access.log"])
    assert con.execute("SELECT count(*) FROM rejected_lines").fetchone() == (0,)
    rows = con.execute("SELECT label, sender, text FROM events ORDER BY line_no").fetchall()
    assert rows[:2] == [("Sent SMS", sender, text), ("Receive DLR", sender, "ACK/")]
    assert rows[2][0:2] == ("Sent SMS", "ACME") and rows[2][2].startswith("Promo: -20% avec le code")
    # the ACK is its MT's
    assert con.execute("SELECT count(*) FROM fct_dlr WHERE mt_id IS NOT NULL").fetchone() == (1,)


FIELDS = FIXTURES / "fields"


@pytest.mark.parametrize("case, field, value, lines", [
    ("service", "service", "a;b", 4),          # the MT, its ACK and receipts
    ("account", "account", "acc;x", 1),        # (receipts carry the link's login)
    ("smsc", "smsc", "ora;36180", 6),          # and the MO and smsbox's answer
    ("sender-first", "service", "a;b", 4),
])
def test_the_separator_inside_another_free_field_stays_in_it(case, field, value, lines):
    """(real Kannel 1.4.5: the separator in a service name, an account, a link's smsc-id,
    with a format that puts %p first too)"""
    contract = load_contract(FIELDS / case / "contract.toml")
    con, _ = ingested(contract, [FIELDS / case / "access.log"])
    assert con.execute("SELECT count(*) FROM rejected_lines").fetchone() == (0,)
    # the MT and its receipts: the field holds the value, the FID and META where Kannel wrote them
    mt = con.execute(f"SELECT {field}, fid, meta, sender FROM events WHERE line_no = 2").fetchone()
    assert mt[0] == value and mt[1] in ("41000001", "41000004", "5EA7000001")
    assert mt[2] == "?smpp_resp?" and mt[3] == "ACME"
    assert con.execute(f"SELECT count(*) FROM events WHERE {field} = ?", [value]).fetchone() == (lines,)
    assert con.execute("SELECT count(*) FILTER (WHERE unmatched), count(*) FROM fct_dlr").fetchone() == (0, 3)
    assert con.execute("SELECT final_status FROM fct_mt WHERE line_no = 2").fetchone() == ("delivered",)
    # an MO on the link: the STOP of the number, read as one
    mo = con.execute("SELECT msisdn, keyword FROM fct_mo").fetchall()
    assert mo in ([], [("+33670000001", "STOP")])


def test_a_megabyte_of_nul_bytes_inside_a_line_is_read_in_seconds(tmp_path):
    """What a crash leaves in a log: zeroed blocks between two lines, on one physical line that
    then holds '] [' more often than the layout writes it, so it is read again. Finding the
    literal's positions cost the square of the line's length: `ingest` spun for minutes. (A
    hang detector: the bound is far above the few seconds it takes, far below the hang.)"""
    import subprocess
    import sys

    main = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main"
    lines = (main / "access.log").read_bytes().splitlines(keepends=True)
    log = tmp_path / "access.log"
    log.write_bytes(b"".join(lines[:50]) + lines[50].rstrip(b"\n") + b"\x00" * 400_000 + b"".join(lines[51:]))
    contract = tmp_path / "contract.toml"
    contract.write_text('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n')
    done = subprocess.run([sys.executable, "-m", "opsanalytics", "ingest", str(log), "--db", str(tmp_path / "w.duckdb"),
                           "--config", str(contract), "--quiet"], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        lines_read, = con.execute("SELECT sum(lines) FROM load_manifest").fetchone()
        counted, = con.execute("SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM log_markers)"
                               " + (SELECT count(*) FROM rejected_lines)").fetchone()
    assert lines_read == counted == len(lines) - 1


def test_a_reading_that_joins_two_known_values_loses():
    """An account `acc;x` and a binfo `bi;nf` on two lines both fit the link id
    `ora_36181;acme` (a smsc and a service other lines hold), which two lines then 'share':
    the MTs lost their connection, short code and brand."""
    case = FIELDS / "account-binfo"
    con, _ = ingested(load_contract(case / "contract.toml"), [case / "access.log"])
    rows = con.execute("SELECT smsc, service, account, binfo, fid FROM events WHERE kind = 'mt' ORDER BY line_no").fetchall()
    assert rows == [("ora_36181", "acme", "", "bi;nf", "41000008"), ("ora_36181", "acme", "acc;x", "", "41000004")]
