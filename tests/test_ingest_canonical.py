"""Canonical CSV / Parquet input (docs/canonical-format.md): round trip, types, rejects."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import duckdb
import pytest

from eventrows import Log, contract, new_db
from opsanalytics import warehouse
from opsanalytics.errors import IngestError
from opsanalytics.ingest import canonical, ingest_files

COLUMNS = ", ".join(canonical.COLUMNS)

HEADER = "logged_at,kind,outcome,smsc,service,sender,receiver,coding,dlr_mask,fid,text,udh\n"
GOOD = (
    '2026-11-25T10:00:00+01:00,mt,accepted,ora_36180,acme,ACME,0612345678,0,31,A1,"Promo, -20% {ok}",\n'
    "2026-11-25T09:00:05Z,dlr,accepted,ora_36180,acme,ACME,0612345678,,1,A1,id:A1 stat:DELIVRD err:000,\n"
    "2026-11-25 09:01:00,mo,accepted,ora_36180,,+33612345678,36180,2,,,ARRÊT,\n"
)


def ingest(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    con = new_db()
    results = ingest_files(con, contract(), [path], progress=False)
    return con, results


def ingest_path(path):
    con = new_db()
    return con, ingest_files(con, contract(), [path], progress=False)


def test_csv_loads_typed_events_and_builds_facts(tmp_path):
    con, [result] = ingest(tmp_path, "export.csv", HEADER + GOOD)
    assert (result.format, result.lines, result.events, result.rejected, result.state) == ("csv", 3, 3, 0, "loaded")
    rows = con.execute("SELECT line_no, logged_at, label, kind, outcome, coding, text, segments, text_len, udh "
                       "FROM events ORDER BY line_no").fetchall()
    utc = dt.timezone.utc
    assert [(r[0], r[1].astimezone(utc).replace(tzinfo=None), *r[2:]) for r in rows] == [
        (1, dt.datetime(2026, 11, 25, 9, 0, 0), "Sent SMS", "mt", "accepted", 0, "Promo, -20% {ok}", 1, 16, ""),
        (2, dt.datetime(2026, 11, 25, 9, 0, 5), "Receive DLR", "dlr", "accepted", 0, "id:A1 stat:DELIVRD err:000", None, 26, ""),
        (3, dt.datetime(2026, 11, 25, 9, 1, 0), "Receive SMS", "mo", "accepted", 2, "ARRÊT", None, 10, ""),
    ]
    assert con.execute("SELECT final_status, msisdn FROM fct_mt").fetchall() == [("delivered", "+33612345678")]
    assert con.execute("SELECT keyword FROM fct_mo").fetchall() == [("STOP",)]


def test_auto_tells_an_export_by_its_content_when_its_name_does_not(tmp_path):
    """`export.pq` (Parquet) and `traffic.txt` (a canonical CSV with a BOM and quoted header)
    were read as Kannel logs under --format auto and refused as such ("no line is a Kannel
    access-log line"), never saying what they were; a Kannel log of any name stays one."""
    from opsanalytics.ingest import detect_format

    csv_path = tmp_path / "traffic.txt"
    csv_path.write_text("\ufeff" + ",".join(f'"{c}"' for c in HEADER.strip().split(",")) + "\n" + GOOD,
                        encoding="utf-8")
    parquet = tmp_path / "export.pq"
    with duckdb.connect() as scratch:
        scratch.read_csv(str(csv_path), all_varchar=True).write_parquet(str(parquet))
    kannel_log = tmp_path / "gateway.txt"
    kannel_log.write_text("2026-11-25 10:00:00 Receive SMS [SMSC:ora_36180] [SVC:] [ACT:] [BINF:] [FID:] [META:] "
                          "[from:+33612345678] [to:36180] [flags:-1:0:-1:0:-1] [msg:4:STOP] [udh:0:]\n")
    assert [detect_format(p) for p in (csv_path, parquet, kannel_log)] == ["csv", "parquet", "kannel"]
    con = new_db()
    results = ingest_files(con, contract(), [csv_path, parquet, kannel_log], progress=False)
    assert [(r.format, r.lines, r.events, r.rejected) for r in results] == [
        ("csv", 3, 3, 0), ("parquet", 3, 3, 0), ("kannel", 1, 1, 0)]


def test_bad_rows_are_rejected_with_row_number_and_reason(tmp_path):
    bad = (
        "yesterday,mt,accepted,ora_36180,acme,ACME,0612345678,0,31,A2,x,\n"
        "2026-11-25T09:02:00Z,sms,accepted,ora_36180,acme,ACME,0612345678,0,31,A2,x,\n"
        "2026-11-25T09:02:00Z,mt,sent,ora_36180,acme,ACME,0612345678,0,31,A2,x,\n"
        "2026-11-25T09:02:00Z,mt,accepted,ora_36180,acme,ACME,0612345678,zero,31,A2,x,\n"
        "2026-11-25T09:02:00Z,mt,accepted,ora_36180,acme,ACME,,0,31,A2,x,\n"
        "2026-11-25T09:02:00Z,mt,accepted,ora_36180,acme,ACME,0612345678,0,31,A2,x,05000\n"
        # a concatenation header without its length byte, and one cut short (a probe: both
        # loaded as no concatenation, a 3-part message counted as 3 messages)
        "2026-11-25T09:02:00Z,mt,accepted,ora_36180,acme,ACME,0612345678,0,31,A2,x,0003A10301\n"
        "2026-11-25T09:02:00Z,mt,accepted,ora_36180,acme,ACME,0612345678,0,31,A2,x,050003A302\n"
    )
    con, [result] = ingest(tmp_path, "export.csv", HEADER + GOOD + bad)
    assert (result.lines, result.events, result.rejected) == (11, 4, 7)
    rejects = con.execute("SELECT line_no, reason FROM rejected_lines ORDER BY line_no").fetchall()
    assert rejects == [
        (4, "row 4: unparseable timestamp in logged_at: yesterday"),
        (5, "row 5: unknown kind 'sms' (expected mt, mo, dlr, dlr_out or dropped)"),
        (6, "row 6: unknown outcome 'sent' for kind mt"),
        (7, "row 7: coding is not an integer: zero"),
        (9, "row 9: udh is not hexadecimal: 05000"),
        (10, "row 10: udh: its length byte 00 announces 0 byte(s) after it, 4 follow (the header with its "
             "length byte, as 050003A10301): 0003A10301"),
        (11, "row 11: udh: its length byte 05 announces 5 byte(s) after it, 4 follow (the header with its "
             "length byte, as 050003A10301): 050003A302"),
    ]
    # an empty receiver is a number not logged (NULL), not a refused row
    assert con.execute("SELECT receiver FROM events WHERE line_no = 8").fetchall() == [(None,)]
    raw = con.execute("SELECT raw FROM rejected_lines WHERE line_no = 4").fetchall()[0][0]
    assert '"logged_at":"yesterday"' in raw


def test_segments_derived_from_coding_and_length(tmp_path):
    header = "logged_at,kind,outcome,receiver,coding,text,udh,segments\n"
    rows = [
        ("0", "a" * 160, "", ""), ("0", "a" * 161, "", ""), ("0", "€" * 80, "", ""), ("0", "€" * 81, "", ""),
        ("2", "é" * 70, "", ""), ("2", "é" * 71, "", ""), ("2", "😀" * 35, "", ""), ("2", "😀" * 36, "", ""),
        ("1", "x" * 140, "", ""), ("1", "x" * 141, "", ""), ("0", "a" * 300, "050003410201", ""), ("0", "a", "", "4"),
    ]
    # (a part too long for one segment is split again by the gateway: 300 septets, 147 a piece)
    body = "".join(f"2026-11-25T09:00:00Z,mt,accepted,0612345678,{c},{t},{u},{s}\n" for c, t, u, s in rows)
    con, _ = ingest(tmp_path, "seg.csv", header + body)
    got = [r[0] for r in con.execute("SELECT segments FROM events ORDER BY line_no").fetchall()]
    assert got == [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 3, 4]


def test_parquet_round_trip_of_events(tmp_path):
    source = new_db()
    log = Log()
    log.line(0, "Sent SMS", fid="A", text="Bonjour été", udh="050003410201", dlr_mask=31)
    log.line(1, "Receive DLR", fid="A", dlr_mask=1, text="id:A stat:DELIVRD", meta="?smpp?dlr_err=%03%00%00&")
    log.line(2, "Receive SMS", service="", sender="+33612345678", receiver="36180", text="ARR..T", lossy=True)
    log.line(3, "DROPPED Received SMS", service="", text="y")
    log.write(source)
    path = tmp_path / "events.parquet"
    source.execute(f"COPY (SELECT {COLUMNS} FROM events ORDER BY line_no) TO '{path}' (FORMAT parquet)")
    con = new_db()
    [result] = ingest_files(con, contract(), [path], progress=False)
    assert (result.format, result.lines, result.events, result.rejected) == ("parquet", 4, 4, 0)
    query = f"SELECT line_no, {COLUMNS} FROM events ORDER BY line_no"
    assert con.execute(query).fetchall() == source.execute(query).fetchall()


def test_csv_round_trip_of_events_and_gzip(tmp_path):
    source = new_db()
    log = Log()
    log.line(0, "Sent SMS", fid="A", text='Texte avec "guillemets", virgule\net saut de ligne', dlr_mask=31)
    log.line(1, "REJECTED Send SMS", text="refus", receiver="0690123456")
    log.write(source)
    plain = tmp_path / "events.csv"
    source.execute(f"COPY (SELECT {COLUMNS} FROM events ORDER BY line_no) TO '{plain}' (HEADER, DELIMITER ',')")
    zipped = tmp_path / "events.csv.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    query = f"SELECT line_no, {COLUMNS} FROM events ORDER BY line_no"
    for path in (plain, zipped):
        con = new_db()
        [result] = ingest_files(con, contract(), [path], progress=False)
        assert (result.lines, result.events, result.rejected) == (2, 2, 0)
        assert con.execute(query).fetchall() == source.execute(query).fetchall()


def test_same_file_twice_is_skipped(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    con = new_db()
    ingest_files(con, contract(), [path], progress=False)
    [again] = ingest_files(con, contract(), [path], progress=False)
    assert again.state == "skipped"
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(3,)]


@pytest.mark.parametrize("header, message", [
    ("logged_at,kind,receiver\n2026-11-25T09:00:00Z,mt,x\n", "missing required column(s) outcome"),
    ("logged_at,kind,outcome,recever\n2026-11-25T09:00:00Z,mt,accepted,x\n", "unknown column(s) recever"),
    ("logged_at,kind,outcome,kind\n2026-11-25T09:00:00Z,mt,accepted,mo\n", "duplicated column(s) kind"),
    # a spreadsheet export in the French locale, a tab-separated export, capitalised names
    ("logged_at;kind;outcome\n2026-11-25T09:00:00Z;mt;accepted\n",
     "the header is one column: the file looks separated by ';', and canonical CSV is comma-separated"),
    ("logged_at\tkind\toutcome\n2026-11-25T09:00:00Z\tmt\taccepted\n", "the file looks separated by tabs"),
    ("Logged_At,Kind,outcome,Recever\n2026-11-25T09:00:00Z,mt,accepted,x\n",
     "column names are lower case (Logged_At -> logged_at, Kind -> kind)"),
])
def test_bad_header_refuses_the_file(tmp_path, header, message):
    path = tmp_path / "bad.csv"
    path.write_text(header, encoding="utf-8")
    con = new_db()
    with pytest.raises(IngestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ingest_files(con, contract(), [path], progress=False)
    assert con.execute("SELECT count(*) FROM load_manifest").fetchall() == [(0,)]


def test_not_a_parquet_file_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet at all")
    con = new_db()
    with pytest.raises(IngestError, match=r"broken.parquet: not a Parquet file \(a Parquet file starts with PAR1\)$"):
        ingest_files(con, contract(), [path], progress=False)


def _parquet(tmp_path, name: str):
    source = new_db()
    csv = tmp_path / "export.csv"
    csv.write_text(HEADER + GOOD, encoding="utf-8")
    path = tmp_path / name
    source.execute("COPY (SELECT * FROM read_csv($csv, all_varchar = true)) TO '" + str(path) + "' (FORMAT parquet)",
                   {"csv": str(csv)})
    return path


def test_a_forced_format_wins_over_the_name(tmp_path):
    """`ingest --format parquet|csv` (docs/canonical-format.md): the format module is given it."""
    con = new_db()
    with warehouse.transaction(con):
        counts = canonical.load(con, _parquet(tmp_path, "canon.pq"), 1, contract(), False, fmt="parquet")
    assert (counts.lines, counts.events, counts.rejected) == (3, 3, 0)
    text = tmp_path / "export.parquet"
    text.write_text(HEADER + GOOD, encoding="utf-8")
    with warehouse.transaction(con):
        counts = canonical.load(con, text, 2, contract(), False, fmt="csv")
    assert (counts.lines, counts.events, counts.rejected) == (3, 3, 0)


@pytest.mark.parametrize("name, content, fmt, message", [
    ("export.csv", "text", "parquet", "export.csv: not a Parquet file (a Parquet file starts with PAR1); "
                                      "--format parquet reads every file given as Parquet, and this one looks like a CSV"),
    ("export.txt", "text", "parquet", "export.txt: not a Parquet file"),
    ("canon.csv", "parquet", "csv", "canon.csv: a Parquet file, not a CSV: give --format parquet"),
    ("canon.csv", "parquet", None, "canon.csv: a Parquet file, not a CSV: give --format parquet"),
])
def test_a_file_that_is_not_what_it_is_read_as_is_refused_saying_so(tmp_path, name, content, fmt, message):
    if content == "parquet":
        path = _parquet(tmp_path, name)
    else:
        path = tmp_path / name
        path.write_text(HEADER + GOOD, encoding="utf-8")
    con = new_db()
    with pytest.raises(IngestError, match=re.escape(message)):
        with warehouse.transaction(con):
            canonical.load(con, path, 1, contract(), False, fmt=fmt)
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(0,)]


def test_ingest_format_parquet_loads_a_parquet_file_of_any_name(tmp_path):
    con = new_db()
    [result] = ingest_files(con, contract(), [_parquet(tmp_path, "canon.pq")], fmt="parquet", progress=False)
    assert (result.format, result.lines, result.events) == ("parquet", 3, 3)


def test_values_a_cast_would_bend_are_refused_not_rounded(tmp_path):
    """A cast would round 1.5 to 2 (a failed DLR read as delivered), read 0x1 and 1e3, take
    BST for Bangladesh time and a bare date for midnight UTC: each refuses its row. A pandas
    float such as 31.0 is the integer it stands for."""
    header = "logged_at,kind,outcome,smsc,fid,sender,receiver,coding,dlr_mask,text\n"
    rows = (
        "2026-11-25T10:00:00Z,mt,accepted,s1,a,36180,+33612345678,0.0,31.0,ok\n"
        "2026-11-25T10:00:01Z,dlr,accepted,s1,a,36180,+33612345678,,1.5,id:a stat:UNDELIV\n"
        "2026-11-25T10:00:02Z,mt,accepted,s1,b,36180,+33612345678,0x1,31,x\n"
        "2026-11-25T10:00:03Z,mt,accepted,s1,c,36180,+33612345678,0,1e3,x\n"
        "2026-07-01 10:00:00 BST,mt,accepted,s1,d,36180,+33612345678,0,31,x\n"
        "2026-11-25 10:00:00 Europe/Paris,mt,accepted,s1,e,36180,+33612345678,0,31,x\n"
        "2026-11-25,mt,accepted,s1,f,36180,+33612345678,0,31,x\n"
    )
    con, [result] = ingest(tmp_path, "export.csv", header + rows)
    assert (result.lines, result.events, result.rejected) == (7, 1, 6)
    assert con.execute("SELECT coding, dlr_mask FROM events").fetchall() == [(0, 31)]
    assert con.execute("SELECT line_no, reason FROM rejected_lines ORDER BY line_no").fetchall() == [
        (2, "row 2: dlr_mask is not an integer: 1.5"),
        (3, "row 3: coding is not an integer: 0x1"),
        (4, "row 4: dlr_mask is not an integer: 1e3"),
        (5, "row 5: unparseable timestamp in logged_at: 2026-07-01 10:00:00 BST"),
        (6, "row 6: unparseable timestamp in logged_at: 2026-11-25 10:00:00 Europe/Paris"),
        (7, "row 7: logged_at has a date but no time of day: 2026-11-25"),
    ]


def test_parquet_text_stored_as_binary_loads_and_nested_columns_are_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    binary = tmp_path / "hive.parquet"
    pq.write_table(pa.table({"logged_at": ["2026-11-25T10:00:00Z"], "kind": [b"mt"], "outcome": ["accepted"],
                             "receiver": ["+33612345678"], "text": pa.array([b"caf\xc3\xa9"], pa.binary())}), binary)
    con, [result] = ingest_path(binary)
    assert (result.events, result.rejected) == (1, 0)
    assert con.execute("SELECT kind, text FROM events").fetchall() == [("mt", "café")]
    nested = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"logged_at": ["2026-11-25T10:00:00Z"], "kind": ["mt"], "outcome": ["accepted"],
                             "receiver": ["+33612345678"], "text": [["a", "b"]]}), nested)
    with pytest.raises(IngestError, match=r"column\(s\) text \(VARCHAR\[\]\) hold lists or records"):
        ingest_path(nested)


@pytest.mark.parametrize("content, message", [
    ("logged_at,kind,outcome,receiver\r2026-11-25T10:00:00Z,mt,accepted,+33612345678\r",
     "lines end with a lone CR"),
    (",logged_at,kind,outcome,receiver\n0,2026-11-25T10:00:00Z,mt,accepted,+33612345678\n",
     r"column\(s\) 1 of the header have no name \(a pandas index"),
    ("logged_at,kind,outcome,receiver,text_2\n2026-11-25T10:00:00Z,mt,accepted,+33612345678,x\n",
     r"unknown column\(s\) text_2 \("),
])
def test_csv_headers_refused_saying_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "export.csv"
    path.write_bytes(content.encode())
    with pytest.raises(IngestError, match=message):
        ingest_path(path)


def test_gzip_csv_loads_whatever_its_name(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(gzip.compress((HEADER + GOOD).encode()))
    con, [result] = ingest_path(path)
    assert (result.lines, result.events, result.rejected) == (3, 3, 0)


def test_warehouse_unchanged_when_a_later_file_fails(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("logged_at,kind\n", encoding="utf-8")
    path = tmp_path / "w.duckdb"
    con = warehouse.connect(path, create=True)
    with pytest.raises(IngestError):
        ingest_files(con, contract(), [good, bad], progress=False)
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM load_manifest").fetchall() == [(0,)]


def test_invalid_utf8_csv_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"logged_at,kind,outcome,receiver,text\n2026-11-25T09:00:00Z,mt,accepted,0612345678,caf\xe9\n")
    con = new_db()
    with pytest.raises(IngestError, match="latin1.csv: not a readable canonical CSV file: line 2: the row that "
                                          "starts there is not UTF-8"):
        ingest_files(con, contract(), [path], progress=False)


@pytest.mark.parametrize("row, problem", [
    ("2026-11-25T10:00:00Z,mt,accepted\n", "Expected Number of Columns: 12 Found: 3"),
    ("2026-11-25T10:00:00Z,mt,accepted,o,acme,ACME,0612345678,0,31,A1,x,,extra\n",
     "Expected Number of Columns: 12 Found: 13"),
    ('2026-11-25T10:00:00Z,mt,accepted,o,acme,ACME,0612345678,0,31,A1,"unclosed,\n', "unterminated quote"),
])
def test_a_row_that_breaks_the_csv_refuses_the_file_naming_its_line(tmp_path, row, problem):
    """The header is read as the header (DuckDB's sniffer took a wider damaged row for it,
    and named no line when rows disagreed): the error gives the line of the file where the
    row starts, what is wrong and the row as read."""
    path = tmp_path / "broken.csv"
    path.write_text(HEADER + GOOD + row + GOOD, encoding="utf-8")
    con = new_db()
    with pytest.raises(IngestError) as caught:
        ingest_files(con, contract(), [path], progress=False)
    message = str(caught.value)
    assert message.startswith(f"{path}: not a readable canonical CSV file: line 5: ")
    assert f"the row as read: {row.strip()}" in message and problem in message and "Possible" not in message
    assert con.execute("SELECT count(*) FROM load_manifest").fetchall() == [(0,)]


def test_empty_text_cell_is_unknown_and_quoted_empty_text_is_empty(tmp_path):
    con, [result] = ingest(tmp_path, "export.csv", HEADER
                           + "2026-11-25T10:00:00Z,mt,accepted,ora_36180,acme,ACME,0612345678,0,31,A1,,\n"
                           + '2026-11-25T10:00:01Z,mt,accepted,ora_36180,acme,ACME,0612345678,0,31,A2,"",\n')
    assert result.rejected == 0
    assert con.execute("SELECT text, text_len, segments FROM events ORDER BY line_no").fetchall() == [
        (None, None, 1), ("", 0, 1)]


def test_header_with_a_byte_order_mark_spaces_and_crlf_lines(tmp_path):
    header = "\ufeff" + HEADER.replace(",", " , ")
    con, [result] = ingest(tmp_path, "excel.csv", (header + GOOD).replace("\n", "\r\n"))
    assert (result.lines, result.events, result.rejected) == (3, 3, 0)
    assert con.execute("SELECT text FROM events ORDER BY line_no").fetchall() == [
        ("Promo, -20% {ok}",), ("id:A1 stat:DELIVRD err:000",), ("ARRÊT",)]


def test_empty_file_is_refused(tmp_path):
    with pytest.raises(IngestError, match="empty.csv: line 1 is empty"):
        ingest(tmp_path, "empty.csv", "")


def test_a_damaged_date_is_a_rejected_row(tmp_path):
    row = "0026-11-25T10:00:00Z,mt,accepted,ora_36180,acme,ACME,0612345678,0,31,A2,hello,\n"
    con, [result] = ingest(tmp_path, "export.csv", HEADER + GOOD + row)
    assert (result.lines, result.events, result.rejected) == (4, 3, 1)
    assert con.execute("SELECT line_no, reason FROM rejected_lines").fetchall() == [
        (4, "row 4: logged_at is outside 1970-2099 (a damaged date): 0026-11-25T10:00:00Z")]
