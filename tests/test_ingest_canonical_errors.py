"""A canonical CSV that cannot be read is refused saying where, in the file's own lines, and
what is wrong in plain words: without DuckDB's hints about options `ingest` does not have
(encoding=, max_line_size=), and without pages of the row."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from eventrows import CONTRACT_TOML, contract, new_db
from opsanalytics import warehouse
from opsanalytics.errors import IngestError
from opsanalytics.ingest import canonical, ingest_files

HEADER = "logged_at,kind,outcome,receiver,text\n"
MULTILINE = '2026-11-25T10:00:00Z,mt,accepted,0612345678,"one\ntwo\nthree"\n'
GOOD = "2026-11-25T10:00:01Z,mt,accepted,0612345678,ok\n"
SHORT = "2026-11-25T10:00:02Z,mt,accepted\n"
NO_TEXT = "2026-11-25T10:00:04Z,mt,accepted,0612345678,\n"


def refusal(path: Path) -> str:
    con = new_db()
    with pytest.raises(IngestError) as caught:
        ingest_files(con, contract(), [path], progress=False)
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(0,)]
    return str(caught.value)


def test_a_latin1_file_is_said_not_utf8_without_duckdbs_encoding_option(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + GOOD).encode() + "2026-11-25T10:00:03Z,mt,accepted,0612345678,Été\n".encode("latin-1"))
    message = refusal(path)
    # (DuckDB shows the bytes that are not UTF-8 as ?)
    assert message.startswith(f"{path}: not a readable canonical CSV file: line 3: the row that starts there is "
                              "not UTF-8 (canonical CSV is UTF-8: convert the file, e.g. `iconv -f WINDOWS-1252 -t "
                              "UTF-8`); the row as read: 2026-11-25T10:00:03Z,mt,accepted,0612345678,?")
    assert "encoding=" not in message and "Possible" not in message


def test_a_row_over_the_size_limit_is_said_in_plain_words_and_short(tmp_path):
    """A 3 MB text gave a 10 KB message ending `max_line_size=3000095`."""
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + MULTILINE + f"2026-11-25T10:00:01Z,mt,accepted,0612345678,{'B' * 3_000_000}\n",
                    encoding="utf-8")
    message = refusal(path)
    assert message.startswith(f"{path}: not a readable canonical CSV file: line 5: the row that starts there is "
                              "3,000,044 bytes, over the limit of 2,000,000 bytes (2 MB) a row of a canonical CSV "
                              "may take; the row as read: 2026-11-25T10:00:01Z,mt,accepted,0612345678,BBB")
    assert message.endswith("BBB...") and len(message) < 600
    assert "max_line_size" not in message and "Possible" not in message


@pytest.mark.parametrize("opener", [Path.write_bytes, lambda path, data: path.write_bytes(gzip.compress(data))])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_the_line_named_is_the_files_own_after_quoted_line_breaks(tmp_path, opener, bom, ending):
    """DuckDB said `CSV Error on Line: 4` for the row on line 6: its count skips the line
    breaks inside quoted fields (and counts blank lines). The line is counted in the file.
    With CRLF line ends DuckDB's row started at the LF before it: the line before was named."""
    path = tmp_path / "export.csv"
    opener(path, (bom + HEADER + MULTILINE + "\n" + GOOD + SHORT + GOOD).replace("\n", ending).encode())
    message = refusal(path)
    assert message == (f"{path}: not a readable canonical CSV file: line 7: Expected Number of Columns: 5 Found: 3; "
                       "the row as read: 2026-11-25T10:00:02Z,mt,accepted")


def test_an_unterminated_quote_names_the_line_where_its_row_starts(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text(HEADER + MULTILINE + GOOD + '2026-11-25T10:00:02Z,mt,accepted,0612345678,"open\n' + GOOD,
                    encoding="utf-8")
    message = refusal(path)
    assert message == (f"{path}: not a readable canonical CSV file: line 6: Value with unterminated quote found.; "
                       "the row as read: 2026-11-25T10:00:02Z,mt,accepted,0612345678,\"open\\n"
                       "2026-11-25T10:00:01Z,mt,accepted,0612345678,ok\\n")


def test_duckdbs_hints_are_cut_whatever_their_heading():
    """Any other error is said as DuckDB says it, up to its hints: `Possible fixes:` was
    cut, `Possible Solution:` was not; its CSV line number is not called a line."""
    error = duckdb.InvalidInputException(
        "Invalid Input Error: CSV Error on Line: 4\nOriginal Line: " + "x" * 500 + "\nSomething is wrong.\n\n"
        "Possible Solution: Set the correct encoding, if available, to read this CSV File (e.g., encoding='UTF-16')")
    message = str(canonical._unreadable(Path("f.csv"), "csv", error))
    assert message == ("f.csv: not a readable canonical CSV file: Invalid Input Error: CSV error (on record 4 as "
                       "DuckDB counts them, not a line of the file); Original Line: " + "x" * 185 + "...; "
                       "Something is wrong.")


WITH_SERVICE = "logged_at,kind,outcome,receiver,text,service\n"


@pytest.mark.parametrize("opener", [Path.write_bytes, lambda path, data: path.write_bytes(gzip.compress(data))])
@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
@pytest.mark.parametrize("header, before, after, line", [
    # DuckDB 2.0.1 loads these rows, one field dropped...
    (WITH_SERVICE, [], [], 2),
    (WITH_SERVICE, ['2026-11-25T10:00:00Z,mt,accepted,0612345678,"one\ntwo",acme\n', "\n"], [], 5),
    (WITH_SERVICE, [], ["2026-11-25T10:00:04Z,mt,accepted,0612345678,x,\n"], 2),
    # ... and refuses these
    (HEADER, [], [], 2),
    (HEADER, [MULTILINE, NO_TEXT, "\n", GOOD], [NO_TEXT], 8),
], ids=["loaded-alone", "loaded-after-line-breaks", "loaded-before-an-empty-last", "refused-alone",
        "refused-after-line-breaks"])
def test_a_row_with_an_empty_field_beyond_the_header_is_refused_not_shifted(tmp_path, opener, ending, header,
                                                                            before, after, line):
    """DuckDB's reader drops an empty last field that the header has no column for and loads
    the row: `...,Promo -20%, STOP au 36180,` (an unquoted text holding a comma) was stored as
    the text `Promo -20%` and the service ` STOP au 36180`, the STOP mention gone (R3). (It
    refuses such a row at other times, depending on the columns and the rows around it: said
    alike.) The file is refused, naming the line where the row starts and saying why."""
    shifted = "2026-11-25T10:00:03Z,mt,accepted,0612345678,Promo -20%, STOP au 36180,"
    path = tmp_path / "export.csv"
    text = header + "".join(before) + shifted + ("\n" + "".join(after) if ending else "")
    opener(path, text.replace("\n", ending or "\n").encode())
    message = refusal(path)
    columns = header.count(",") + 1
    assert message == (f"{path}: not a readable canonical CSV file: line {line}: the row has a field more than the "
                       f"header's {columns}, and it is empty (a trailing comma, or a comma in an unquoted value: "
                       "quote values that hold a comma); the row as read: " + shifted)


def test_rows_whose_last_field_is_empty_load_as_they_are(tmp_path):
    """Lines that end with a comma because the last column is empty are not refused: the
    check reads the file again only to tell the two apart."""
    path = tmp_path / "export.csv"
    path.write_text(HEADER + MULTILINE + "2026-11-25T10:00:01Z,mt,accepted,0612345678,\n"
                    '2026-11-25T10:00:02Z,mt,accepted,0612345678,""\n', encoding="utf-8")
    con = new_db()
    [result] = ingest_files(con, contract(), [path], progress=False)
    assert (result.events, result.rejected) == (3, 0)
    assert con.execute("SELECT line_no, text FROM events ORDER BY line_no").fetchall() == [
        (1, "one\ntwo\nthree"), (2, None), (3, "")]


def test_a_file_whose_every_row_is_rejected_is_refused_and_a_header_alone_loads(tmp_path, capsys):
    """Epoch-second times refused every row, and the file still stood in the manifest as
    'loaded' (exit 0): a wrong export, not traffic, as a Kannel log none of whose lines reads
    is refused. A header alone (a day without traffic) still loads, as 0 rows."""
    from opsanalytics.cli import main

    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT_TOML, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    epoch = tmp_path / "epoch.csv"
    epoch.write_text("logged_at,kind,outcome,receiver\n1795510800,mt,accepted,0612345678\n"
                     "1795510801,mt,accepted,0612345679\n", encoding="utf-8")
    quiet = tmp_path / "quiet.csv"
    quiet.write_text("logged_at,kind,outcome,receiver\n", encoding="utf-8")
    assert main(["ingest", str(epoch), "--db", str(db), "--config", str(config), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (f"{epoch.resolve()}: no row could be loaded: all 2 were rejected (the first: row 1: unparseable "
            "timestamp in logged_at: 1795510800); nothing was kept") in err
    assert main(["ingest", str(quiet), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    assert "lines=0 events=0 markers=0 rejected=0 (loaded)" in capsys.readouterr().out
    con = warehouse.connect(db, read_only=True)
    try:
        assert con.execute("SELECT path, state FROM load_manifest").fetchall() == [(str(quiet.resolve()), "loaded")]
    finally:
        con.close()


CR_ROWS = ("logged_at,kind,outcome,receiver,coding,text\n"
           '2026-10-27T10:00:00Z,mt,accepted,0611117001,0,"a\nb"\n'
           '2026-10-27T10:00:01Z,mt,accepted,0611117001,1,"x\ry"\n'
           "2026-10-27T10:00:02Z,mt,accepted,0611117001,1,x\ry\n"
           "2026-10-27T10:00:03Z,mt,accepted,0611117001,0,ok\n")


@pytest.mark.parametrize("opener", [Path.write_bytes, lambda path, data: path.write_bytes(gzip.compress(data))])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_carriage_return_in_an_unquoted_field_names_its_line(tmp_path, opener, ending):
    """pandas to_csv(index=False) writes an 8-bit payload holding byte 0x0D (a lone CR) in an
    unquoted field: DuckDB said only `The CSV Parser state machine reached an invalid state`,
    no line (a probe bisected a month's export to find the row). A CR inside quotes is data
    and loads; outside them it is refused, naming the line where its row starts."""
    path = tmp_path / "pandas.csv"
    lines = CR_ROWS.split("\n")
    opener(path, "\n".join(lines[:2]).replace("\n", ending).encode() + b"\n"
           + ending.join(lines[2:]).encode())
    message = refusal(path)
    assert message == (f"{path}: not a readable canonical CSV file: line 5: the row that starts there holds a carriage "
                       "return (CR, \\r) in an unquoted field, which is no line end in a canonical CSV (LF or CRLF): "
                       "quote the field (pandas writes a text holding a CR unquoted: "
                       "to_csv(quoting=csv.QUOTE_NONNUMERIC) quotes every text); the row as read: "
                       "2026-10-27T10:00:02Z,mt,accepted,0611117001,1,x\\ry")
    quoted = tmp_path / "quoted.csv"
    quoted.write_bytes(CR_ROWS.replace("x\ry\n", '"x\ry"\n').encode())
    con = new_db()
    [result] = ingest_files(con, contract(), [quoted], progress=False)
    assert con.execute("SELECT text FROM events ORDER BY line_no").fetchall() == [
        ("a\nb",), ("x\ry",), ("x\ry",), ("ok",)]
    assert (result.events, result.rejected) == (4, 0)


@pytest.mark.parametrize("header_end, row_end", [("\n", "\r\n"), ("\r\n", "\n")])
def test_line_ends_that_change_within_the_file_name_the_line(tmp_path, header_end, row_end):
    """DuckDB refuses a file whose lines end in LF and CRLF both (two exports pasted
    together) with the same words as a lone CR, or as an unterminated quote: the line where
    the line ends change is named."""
    path = tmp_path / "mixed.csv"
    path.write_bytes((HEADER.rstrip("\n") + header_end + GOOD.rstrip("\n") + header_end
                      + MULTILINE.rstrip("\n") + row_end + GOOD.rstrip("\n") + row_end).encode())
    message = refusal(path)
    want = {"\n": "LF", "\r\n": "CRLF"}
    assert message == (f"{path}: not a readable canonical CSV file: line 3: the row that starts there ends with "
                       f"{want[row_end]} and line 1 (the header) with {want[header_end]}: the lines of a canonical "
                       "CSV all end alike (two files pasted together? convert it, e.g. with dos2unix); the row as "
                       "read: 2026-11-25T10:00:00Z,mt,accepted,0612345678,\"one\\ntwo\\nthree\"")


def _parquet(path: Path, **columns) -> Path:
    """A small Parquet file of these columns (pyarrow arrays or lists), as an exporter writes it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = {"logged_at": ["2026-10-27T10:00:00+01:00", "2026-10-27T10:01:00+01:00"], "kind": ["mt", "mt"],
            "outcome": ["accepted", "accepted"], "receiver": ["0611112006", "0611112007"]}
    pq.write_table(pa.table({**base, **columns}), path)
    return path


@pytest.mark.parametrize("column, values, shown", [
    # udh as the header's bytes, not hex text: the probe's pq_udh_bytes.parquet
    ("udh", [b"", b"\x05\x00\x03\xa1\x02\x01"], "its bytes in hex: 050003A10201"),
    # an 8-bit text as Latin-1 bytes (pq_text_latin1_binary.parquet)
    ("text", [b"ok STOP au 36180", b"Caf\xe9 STOP au 36180"], "as read: Caf\\xE9 STOP au 36180"),
])
def test_a_parquet_binary_column_that_is_not_utf8_names_column_and_row(tmp_path, column, values, shown):
    """DuckDB said `value "\\x05\\x00\\x03\\xA1\\x02\\x01" is not valid UTF8!`: no column, no row."""
    import pyarrow as pa

    path = _parquet(tmp_path / "bytes.parquet", **{"text": ["a", "b"], column: pa.array(values, pa.binary())})
    message = refusal(path)
    expected = {"udh": "udh is the header as hexadecimal text (050003A10201), not its bytes",
                "text": ("text columns hold UTF-8 text: write the characters (an 8-bit payload that is not UTF-8 "
                         "one character a byte, with its text_len; docs/canonical-format.md)")}[column]
    assert message == (f"{path}: not a readable canonical PARQUET file: column {column}, row 2: not UTF-8 ({shown}); "
                       + expected)


def test_a_parquet_utf8_column_that_is_not_utf8_names_the_column(tmp_path):
    """A column the file calls UTF-8 text whose bytes are not (a writer that did not check):
    DuckDB cannot read it as bytes, so its row is not found, but its column is named."""
    import pyarrow as pa

    texts = pa.array([b"ok", b"Caf\xe9"]).view(pa.string())
    path = _parquet(tmp_path / "bad.parquet", smsc=["a", "b"], text=texts)
    assert refusal(path) == (f"{path}: not a readable canonical PARQUET file: column text: not UTF-8; text columns "
                             "hold UTF-8 text: write the characters (an 8-bit payload that is not UTF-8 one character "
                             "a byte, with its text_len; docs/canonical-format.md)")


@pytest.mark.parametrize("column, value, reason", [
    ("coding", 2 ** 40, "coding is out of range (-1, 0, 1 or 2): 1099511627776"),
    ("mclass", 2 ** 15, "mclass is out of range (-32768 to 32767): 32768"),
    ("mwi", -2 ** 40, "mwi is out of range (-32768 to 32767): -1099511627776"),
    ("compress", 2 ** 16, "compress is out of range (-32768 to 32767): 65536"),
    ("dlr_mask", 2 ** 31, "dlr_mask is out of range (-2147483648 to 2147483647): 2147483648"),
    ("text_len", 2 ** 40, "text_len is out of range (-2147483648 to 2147483647): 1099511627776"),
    ("segments", 2 ** 40, "segments is out of range (1 to 2147483647): 1099511627776"),
])
def test_an_integer_out_of_range_is_said_so_not_called_no_integer(tmp_path, column, value, reason):
    """A Parquet coding of 2**40 was rejected as `coding is not an integer: 1099511627776`."""
    path = _parquet(tmp_path / "huge.parquet", **{column: [value, 0 if column != "segments" else 1]})
    con = new_db()
    [result] = ingest_files(con, contract(), [path], progress=False)
    assert (result.events, result.rejected) == (1, 1)
    assert con.execute("SELECT reason FROM rejected_lines").fetchall() == [(f"row 1: {reason}",)]
