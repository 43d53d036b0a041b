"""Access-log lines that gateway operators published (tests/fixtures/kannel-published/SOURCES.md):
real output of gateways the project has never run, read as their own format says, every line
an event but those their posters damaged."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files

HERE = Path(__file__).parent / "fixtures" / "kannel-published"
ID_FORMAT = ("%l [SMSC:%i] [SVC:%n] [ACT:%A] [BINF:%B] [ID:%I] [FID:%F] [from:%p] [to:%P] "
             "[flags:%m:%c:%M:%C:%d] [msg:%L:%b] [udh:%U:%u]")
PERL_FORMAT = "%l [SMSC:%i] [ACT:%A] [FID:%F] [from:%p] [to:%P] [msg:%L:%b] [udh:%U:%u]"


def load(name: str, log_timezone: str = "UTC", log_format: str | None = None):
    text = f'log_timezone = "{log_timezone}"\n'
    if log_format:
        text += f'access_log_format = "{log_format}"\n'
    con = warehouse.connect(":memory:")
    (result,) = ingest_files(con, parse_contract(text), [HERE / name], progress=False)
    return con, (result.lines, result.events, result.markers, result.rejected)


@pytest.mark.parametrize("name, log_timezone, log_format, counts, rejected", [
    ("malitel-2012.log", "Africa/Bamako", None, (5, 5, 0, 0), []),
    ("foxbox-2011.log", "UTC", None, (2, 2, 0, 0), []),
    ("textme.log", "UTC", None, (6, 6, 0, 0), []),
    ("tyntec-2018.log", "UTC", None, (2, 2, 0, 0), []),
    ("ksmppd-issues.log", "UTC", None, (5, 2, 0, 3), [1, 3, 5]),
    ("id-format-2014.log", "Asia/Dubai", ID_FORMAT, (11, 11, 0, 0), []),
    ("perl-format-2015.log", "Asia/Riyadh", PERL_FORMAT, (5, 3, 1, 1), [3]),
])
def test_published_lines_load_but_those_their_posters_damaged(name, log_timezone, log_format, counts, rejected):
    con, got = load(name, log_timezone, log_format)
    assert got == counts
    assert [n for (n,) in con.execute("SELECT line_no FROM rejected_lines ORDER BY line_no").fetchall()] == rejected


def test_published_texts_and_fields_read_as_written():
    con, _ = load("malitel-2012.log", "Africa/Bamako")
    assert con.execute("SELECT line_no, kind, outcome, coding, text, binfo FROM events WHERE line_no <= 3 "
                       "ORDER BY line_no").fetchall() == [
        (1, "mo", "accepted", 0, "Wmk7 +v o 2 sh +k 1 0", "1001"),
        (2, "mt", "failed", 2, "de de contraception moderne]", ""),
        (3, "mt", "accepted", 2, "dèmes.]", "")]
    # a custom format with [ID:%I]: read with it, the FID and status are the FID and status
    con, _ = load("id-format-2014.log", "Asia/Dubai", ID_FORMAT)
    assert con.execute("SELECT fid, dlr_mask, binfo FROM events WHERE line_no IN (1, 3) ORDER BY line_no").fetchall() == [
        ("120245073730", 1, ""), ("121245073003", 2, "")]
    # no %c: the UCS-2 MT and its receipt's copy of the text, decoded
    con, _ = load("perl-format-2015.log", "Asia/Riyadh", PERL_FORMAT)
    mt = con.execute("SELECT coding, text, text_lossy, udh, segments FROM events WHERE line_no = 2").fetchone()
    assert mt[0] == 2 and mt[1].startswith("6020\r\nقد تم تنفيذه بنجاح بتاريخ: 2015-07-06 14:57:53")
    assert mt[2:] == (True, "050003F10402", 1)
