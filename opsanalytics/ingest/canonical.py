"""Canonical CSV and Parquet input: platforms that export their own traffic.

The columns are those of `events` (docs/canonical-format.md): `logged_at`, `kind` and
`outcome` are required, everything else optional. DuckDB reads the file (read_csv with every
column as text, or read_parquet), queries/staging/canonical_checked.sql types and checks each
row, good rows go to `events` and bad ones to `rejected_lines` with their row number and the
reason. A file that is not a readable CSV/Parquet at all, lacks a required column or has a
column that is not canonical is refused whole (IngestError), nothing written.
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import LoadCounts
from opsanalytics.ingest.lineblocks import is_gzip
from opsanalytics.ingest.progress import LoadProgress
from opsanalytics.ingest.sniff import KANNEL_LINE, looks_like

#: a longer first line is not a header
MAX_HEADER_BYTES = 1 << 16

REQUIRED = ("logged_at", "kind", "outcome")
OPTIONAL = ("label", "smsc", "service", "account", "binfo", "fid", "meta", "sender", "receiver",
            "mclass", "coding", "mwi", "compress", "dlr_mask", "text_len", "text", "text_lossy",
            "udh", "segments", "segments_exact")
COLUMNS = REQUIRED + OPTIONAL


#: the first bytes of a Parquet file (PARE: one whose footer is encrypted)
PARQUET_MAGIC = (b"PAR1", b"PARE")


def file_format(path: Path) -> str:
    """'parquet' for .parquet files, else 'csv' (.csv, .csv.gz)."""
    return "parquet" if path.name.lower().endswith(".parquet") else "csv"


def _check_kind(path: Path, fmt: str) -> None:
    """Refuse a file that is not what it is to be read as, saying so, before DuckDB says it
    in terms of its own SQL: a text file read as Parquet (`--format parquet`, or a .parquet
    name), a Parquet file read as CSV."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read: {exc}") from None
    named = file_format(path)
    if fmt == "parquet" and head not in PARQUET_MAGIC:
        seen = looks_like(path)
        given = {"a Kannel access log": "--format kannel", "a CSV": "--format csv"}.get(seen)
        why = (f"; --format parquet reads every file given as Parquet, and this one looks like {seen}"
               + (f": give {given}, or leave --format out (auto)" if given else "")) if named != fmt and seen else ""
        raise IngestError(f"{path}: not a Parquet file (a Parquet file starts with PAR1){why}")
    if fmt == "csv" and head in PARQUET_MAGIC:
        raise IngestError(f"{path}: a Parquet file, not a CSV: give --format parquet")


#: Parquet types a canonical column cannot hold: a list or a record is not one value
NESTED_TYPES = ("[]", "STRUCT(", "MAP(", "UNION(")


def _columns(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> list[tuple[str, str]]:
    """(name, type) of the file's columns: a CSV's are text, a Parquet file's as stored."""
    if fmt == "csv":
        return [(name, "VARCHAR") for name in _csv_header(path)]
    try:
        rows = warehouse.execute(con, f"staging/canonical_columns_{fmt}", {"path": str(path)}).fetchall()
    except duckdb.Error as exc:
        raise _unreadable(path, fmt, exc) from None
    nested = [f"{name} ({kind})" for name, kind in rows
              if name in COLUMNS and any(mark in kind for mark in NESTED_TYPES)]
    if nested:
        raise IngestError(f"{path}: column(s) {', '.join(nested)} hold lists or records; each canonical "
                          "column holds one value a row (see docs/canonical-format.md)")
    return [(name, kind) for name, kind in rows]


def _csv_header(path: Path) -> list[str]:
    """The column names of the header, line 1 (plain or gzip; a UTF-8 BOM and spaces
    around a name are allowed)."""
    try:
        with (gzip.open(path, "rb") if is_gzip(path) else path.open("rb")) as handle:
            first = handle.readline(MAX_HEADER_BYTES)
    except (OSError, EOFError) as exc:
        raise IngestError(f"{path}: cannot be read: {exc}") from None
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise IngestError(f"{path}: line 1 (the header) is not UTF-8") from None
    if not text.strip():
        raise IngestError(f"{path}: line 1 is empty; a canonical CSV starts with its column names "
                          "(see docs/canonical-format.md)")
    if "\r" in text:
        raise IngestError(f"{path}: line 1 (the header) holds a carriage return: its lines end with a lone "
                          "CR (an old Mac file?); canonical CSV lines end with LF or CRLF")
    try:
        return [name.strip() for name in next(csv.reader([text]))]
    except csv.Error as exc:
        raise IngestError(f"{path}: line 1 (the header) cannot be read as CSV: {exc}") from None


#: characters of a row or of a piece of DuckDB's message shown in an error
SHOWN = 200

#: DuckDB's limit on the size of one CSV row (its max_line_size), in bytes
MAX_ROW_BYTES = 2_000_000


def _shown(text: str, cut: bool = False) -> str:
    """A value in a message: its line breaks as \\n, at most SHOWN characters."""
    cut = cut or len(text) > SHOWN
    return text[:SHOWN].replace("\r", "\\r").replace("\n", "\\n") + ("..." if cut else "")


def _unreadable(path: Path, fmt: str, exc: duckdb.Error) -> IngestError:
    """What DuckDB says is wrong, without its hints (`Possible fixes:`, `Possible Solution:`:
    options of its reader, such as encoding= or max_line_size=, that ingest does not have),
    each piece cut to SHOWN characters. Its CSV line number counts rows, not the lines of
    the file (a line break inside quotes is not counted): said as what it is."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
    # DuckDB quotes the query it ran from `LINE n:` on: ours, not the file's (a cut Parquet file)
    hint = next((i for i, line in enumerate(lines) if line.startswith(("Possible ", "LINE "))), len(lines))
    record = r"CSV error (on record \1 as DuckDB counts them, not a line of the file)"
    lines = [re.sub(r"CSV Error on Line: (\d+)", record, line) for line in lines[:hint]]
    return IngestError(f"{path}: not a readable canonical {fmt.upper()} file: "
                       + "; ".join(_shown(line) for line in lines[:4]))


def _unreadable_csv(path: Path, params: dict, exc: duckdb.Error) -> IngestError:
    """A CSV DuckDB could not read, said by the physical line where the faulty row starts
    (DuckDB's own count of lines skips the line breaks inside quoted fields): the file is
    read again on a connection of its own (the load's transaction is aborted) with DuckDB's
    store_rejects, which gives the byte where the row starts. Any other failure: what DuckDB
    said (_unreadable)."""
    gzipped = params["compression"] == "gzip"
    try:
        with duckdb.connect(config={"threads": 1}) as diag:
            warehouse.execute(diag, "staging/canonical_csv_scan_errors", params).fetchall()
            first = warehouse.execute(diag, "staging/canonical_csv_first_error", {"shown": SHOWN}).fetchall()
    except duckdb.Error:
        # (a CR outside quotes: DuckDB's reader stops without recording the row)
        first = []
    if not first:
        line_end = _line_end_problem(path, gzipped)
        return _refused_at(path, *line_end) if line_end else _unreadable(path, "csv", exc)
    [(offset, kind, message, row, cut, size)] = first
    if row.startswith("\n"):
        # lines ending CRLF: DuckDB's row starts at the LF of the line before
        offset, row = offset + 1, row[1:]
    line = _line_at(path, offset, gzipped)
    line_end = _line_end_problem(path, gzipped, until=line)
    if line_end:
        # line ends that change mislead DuckDB into another error (an unterminated quote)
        return _refused_at(path, *line_end)
    if kind == "LINE SIZE OVER MAXIMUM":
        problem = (f"the row that starts there is {size or 0:,} bytes, over the limit of {MAX_ROW_BYTES:,} bytes "
                   "(2 MB) a row of a canonical CSV may take")
    elif kind == "INVALID ENCODING" or "not utf-8" in message.lower():
        problem = ("the row that starts there is not UTF-8 (canonical CSV is UTF-8: convert the file, e.g. "
                   "`iconv -f WINDOWS-1252 -t UTF-8`)")
    elif _is_surplus_empty_field(message, row, cut):
        problem = _surplus_problem(len(params["columns"]))
    else:
        problem = message.strip()
    return IngestError(f"{path}: not a readable canonical CSV file: line {line}: {problem}; "
                       f"the row as read: {_shown(row, cut)}")


def _refused_at(path: Path, line: int, problem: str, row: str) -> IngestError:
    return IngestError(f"{path}: not a readable canonical CSV file: line {line}: {problem}; "
                       f"the row as read: {_shown(row)}")


#: how a line ends, as said to the user
LINE_ENDS = {"\n": "LF", "\r\n": "CRLF"}


def _line_end_problem(path: Path, gzipped: bool, until: int | None = None) -> tuple[int, str, str] | None:
    """The first row whose line end DuckDB's reader refuses, saying only that its state
    machine `reached an invalid state` (or that a quote is unterminated), with no line: a
    carriage return outside quotes that is no CRLF (pandas to_csv writes a text holding one
    unquoted), or a row ending LF in a file whose header ends CRLF, or the other way round.
    (line where the row starts, what is wrong, the row as read) or None. The file is read as
    CSV with Python's reader, which ends a row at a lone CR too (an error path, reached once);
    it stops at a field over its size limit, an error DuckDB names itself, and past line
    `until` (where DuckDB found another error)."""
    with _csv_rows(path, gzipped, errors="replace") as (reader, consumed, handle):
        header_end = None
        line = 1
        while until is None or line <= until:
            consumed.clear()
            try:
                if next(reader, None) is None:
                    return None
            except csv.Error:
                # a field over Python's limit (131,072 characters): DuckDB says what it refuses
                return None
            text = "".join(consumed)
            end = "\r\n" if text.endswith("\r\n") else text[-1:] if text.endswith(("\r", "\n")) else ""
            if header_end is None:
                header_end = end
            elif end == "\r":
                # the row goes on after its CR: shown to the end of its line
                for rest in handle:
                    text += rest
                    if rest.endswith("\n"):
                        break
                return line, ("the row that starts there holds a carriage return (CR, \\r) in an unquoted field, "
                              "which is no line end in a canonical CSV (LF or CRLF): quote the field (pandas "
                              "writes a text holding a CR unquoted: to_csv(quoting=csv.QUOTE_NONNUMERIC) quotes "
                              "every text)"), text.rstrip("\r\n")
            elif end and end != header_end and header_end in LINE_ENDS:
                return line, (f"the row that starts there ends with {LINE_ENDS[end]} and line 1 (the header) with "
                              f"{LINE_ENDS[header_end]}: the lines of a canonical CSV all end alike (two files "
                              "pasted together? convert it, e.g. with dos2unix)"), text.rstrip("\r\n")
            line += text.count("\n")
    return None


def _unreadable_parquet(path: Path, exc: duckdb.Error) -> IngestError:
    """A Parquet text column whose bytes are not UTF-8, which DuckDB refuses naming only the
    value: said with its column and the first such row when the column is stored as plain
    binary (Latin-1 text, a UDH as its bytes), read again as bytes; with its column only when
    the file calls the column UTF-8 text (each column read alone). Otherwise what DuckDB said."""
    found = None
    try:
        with duckdb.connect(config={"threads": 1}) as diag:
            binary = [name for (name,) in warehouse.execute(diag, "staging/canonical_parquet_binary_columns",
                                                            {"path": str(path)}).fetchall() if name in COLUMNS]
            if binary:
                found = warehouse.execute(diag, "staging/canonical_parquet_first_non_utf8",
                                          {"path": str(path), "columns": binary, "shown": SHOWN}).fetchone()
            if found is None:
                for (name,) in warehouse.execute(diag, "staging/canonical_parquet_text_columns",
                                                 {"path": str(path)}).fetchall():
                    try:
                        warehouse.execute(diag, "staging/canonical_parquet_read_column",
                                          {"path": str(path), "column": name}).fetchall()
                    except duckdb.Error:
                        found = (name, None, None, None)
                        break
    except duckdb.Error:
        found = None
    if found is None:
        return _unreadable(path, "parquet", exc)
    column, row, hexed, shown = found
    where = f"column {column}" + (f", row {row}" if row else "")
    if row and column == "udh":
        where += f": not UTF-8 (its bytes in hex: {hexed})"
    elif row:
        where += f": not UTF-8 (as read: {_shown(shown)})"
    else:
        where += ": not UTF-8"
    expected = ("udh is the header as hexadecimal text (050003A10201), not its bytes" if column == "udh" else
                "text columns hold UTF-8 text: write the characters (an 8-bit payload that is not UTF-8 one "
                "character a byte, with its text_len; docs/canonical-format.md)")
    return IngestError(f"{path}: not a readable canonical PARQUET file: {where}; {expected}")


def _check_surplus_fields(path: Path, params: dict) -> None:
    """Refuse a CSV with a row one field longer than the header whose last field is empty
    (a trailing comma, or an unquoted value holding a comma): DuckDB's reader drops that field
    and loads the row, every value before it one column off (`...,Promo -20%, STOP au
    36180,acme,` stored the text `Promo -20%` and the service ` STOP au 36180`): the file is
    read again by DuckDB with a column beyond the header's (82 MB: 0.3 s)."""
    gzipped = params["compression"] == "gzip"
    columns = {**params["columns"], SURPLUS_COLUMN: "VARCHAR"}
    try:
        with duckdb.connect(config={"threads": 1}) as diag:
            found = warehouse.execute(diag, "staging/canonical_csv_surplus_row",
                                      {**params, "columns": columns, "absent": NEVER_A_CELL}).fetchall()
    except duckdb.Error:
        # more than one field more: the staging read refused those rows already
        return
    if not found:
        return
    line, raw = _row_at(path, gzipped, found[0][0])
    raise IngestError(f"{path}: not a readable canonical CSV file: line {line}: "
                      f"{_surplus_problem(len(params['columns']))}; the row as read: "
                      f"{_shown(raw.rstrip(chr(13) + chr(10)))}")


def _surplus_problem(columns: int) -> str:
    return (f"the row has a field more than the header's {columns}, and it is empty (a trailing comma, or a "
            "comma in an unquoted value: quote values that hold a comma)")


def _is_surplus_empty_field(message: str, row: str, cut: bool) -> bool:
    """Whether DuckDB refused a row for the one empty field too many that it loads at other
    times (depending on the rows before it): said as _check_surplus_fields says it."""
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
    return (counts is not None and int(counts[2]) == int(counts[1]) + 1 and not cut
            and row.rstrip("\r\n").endswith(","))


#: the column read beyond the header's, and a cell value no CSV holds (canonical_csv_surplus_row)
SURPLUS_COLUMN = "__beyond"
NEVER_A_CELL = "\x00\x01absent"


@contextmanager
def _csv_rows(path: Path, gzipped: bool, errors: str = "strict") -> Iterator[tuple[Any, list[str], IO[str]]]:
    """The file read as CSV (error paths only, to name a line): the reader, the physical lines
    the row just read took (`consumed`, which the caller clears before each row) and the
    open file, for reading on past a row."""
    with (gzip.open(path, "rt", encoding="utf-8-sig", errors=errors, newline="") if gzipped
          else path.open(encoding="utf-8-sig", errors=errors, newline="")) as handle:
        consumed: list[str] = []

        def lines() -> Iterator[str]:
            for text in handle:
                consumed.append(text)
                yield text

        yield csv.reader(lines()), consumed, handle


def _row_at(path: Path, gzipped: bool, row_no: int) -> tuple[int, str]:
    """The physical line where data row `row_no` (from 1, blank lines skipped) starts, and
    its raw text: the file read as CSV up to that row (an error path, reached once)."""
    with _csv_rows(path, gzipped) as (reader, consumed, _):
        next(reader, None)
        seen = 0
        while True:
            start = reader.line_num + 1
            consumed.clear()
            row = next(reader, None)
            if row is None:
                return start, ""
            seen += bool(row)
            if row and seen == row_no:
                return start, "".join(consumed)


def _line_at(path: Path, offset: int, gzipped: bool) -> int:
    """The physical line (from 1, the header's) of the byte `offset` of the content."""
    count, left = 1, offset
    with (gzip.open(path, "rb") if gzipped else path.open("rb")) as handle:
        while left > 0:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            count += block.count(b"\n")
            left -= len(block)
    return count


def check_columns(path: Path, columns: list[str], renamed_repeats: bool = False) -> None:
    """Refuse a file whose header misses a required column or names an unknown one.
    `renamed_repeats`: the names come from DuckDB, which renames a repeated name `kind` to
    `kind_1` (Parquet); a CSV header is read as written."""
    missing = [c for c in REQUIRED if c not in columns]
    renamed = {c for c in columns if renamed_repeats and c not in COLUMNS and c.rsplit("_", 1)[0] in COLUMNS
               and c.rsplit("_", 1)[-1].isdigit()}
    unknown = [c for c in columns if c not in COLUMNS and c not in renamed]
    duplicated = sorted({c for c in columns if columns.count(c) > 1} | {c.rsplit("_", 1)[0] for c in renamed})
    problems = []
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    unnamed = [str(i) for i, c in enumerate(columns, start=1) if not c]
    unknown = [c for c in unknown if c]
    if unnamed:
        problems.append(f"column(s) {', '.join(unnamed)} of the header have no name (a pandas index written "
                        "with to_csv(index=True)? a trailing comma?)")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)} (canonical columns: {', '.join(COLUMNS)};"
                        " see docs/canonical-format.md)")
        problems += _header_hints(columns, unknown)
    if duplicated:
        problems.append(f"duplicated column(s) {', '.join(duplicated)}")
    if problems and columns and KANNEL_LINE.match(columns[0].encode()):
        # a Kannel log named .csv: its first line is no header
        problems.insert(0, "line 1 is a Kannel access-log line, not a CSV header: give --format kannel")
    if problems:
        raise IngestError(f"{path}: " + "; ".join(problems))


def load(con: duckdb.DuckDBPyConnection, path: Path, load_id: int, contract: Contract,
         progress: bool = True, fmt: str | None = None) -> LoadCounts:
    """Load one canonical file into events/rejected_lines (inside the caller's transaction).
    `fmt`: 'csv' or 'parquet' as `ingest --format` forces it; None: by the file's name."""
    path = Path(path)
    fmt = fmt or file_format(path)
    if fmt not in ("csv", "parquet"):
        raise IngestError(f"{path}: format {fmt!r} is not canonical (csv or parquet)")
    _check_kind(path, fmt)
    typed = _columns(con, path, fmt)
    columns = [name for name, _ in typed]
    check_columns(path, columns, renamed_repeats=fmt == "parquet")
    warehouse.execute(con, "staging/canonical_template").fetchall()
    # segments are counted as the Kannel loader counts them (kannel_segments)
    con.execute(warehouse.query_text("reference/segment_macros"))
    con.execute(warehouse.query_text("staging/kannel_macros"))
    con.execute(warehouse.query_text("staging/canonical_macros"))
    bar = LoadProgress(progress, path, None, step="read")
    try:
        params = {"path": str(path)}
        if fmt == "csv":
            params["columns"] = {name: "VARCHAR" for name in columns}
            params["compression"] = "gzip" if is_gzip(path) else "none"
        try:
            bar.run(con, "read", f"staging/canonical_stage_{fmt}", params).fetchall()
        except duckdb.Error as exc:
            if fmt == "csv" and isinstance(exc, duckdb.InvalidInputException) and (
                    "CSV Error" in str(exc) or "CSV Parser state machine" in str(exc)):
                raise _unreadable_csv(path, params, exc) from None
            if fmt == "parquet" and "not valid UTF8" in str(exc):
                raise _unreadable_parquet(path, exc) from None
            raise
        if fmt == "csv":
            _check_surplus_fields(path, params)
        bar.run(con, "check", "staging/canonical_checked", warehouse.EVENT_TIMES).fetchall()
    except duckdb.Error as exc:
        raise _unreadable(path, fmt, exc) from None
    finally:
        bar.close()
    params = {"load_id": load_id}
    warehouse.execute(con, "staging/canonical_insert_events", params).fetchall()
    warehouse.execute(con, "staging/canonical_insert_rejects", params).fetchall()
    [(lines, events, rejected, naive, ucs2_hex, dotted)] = warehouse.execute(con, "staging/canonical_counts").fetchall()
    if rejected and not events:
        # as a Kannel log none of whose lines reads: a wrong export (epoch times, another
        # vocabulary), not traffic; kept, it would stand in the manifest as loaded
        [(_, reason, _)] = warehouse.execute(con, "staging/load_first_rejects", {"load_id": load_id, "n": 1}).fetchall()
        raise IngestError(f"{path}: no row could be loaded: all {int(rejected):,} were rejected (the first: "
                          f"{reason}); nothing was kept (docs/canonical-format.md)")
    # temporary tables: a failure above rolls back with the caller's transaction
    warehouse.execute(con, "staging/canonical_drop_checked").fetchall()
    warehouse.execute(con, "staging/canonical_drop_stage").fetchall()
    # warnings about the data, not progress: printed with --quiet too
    for warning in (_number_type_warnings(typed) + _naive_warnings(int(naive), int(events), contract)
                    + _hex_text_warnings(int(ucs2_hex)) + _dotted_text_warnings(int(dotted))):
        print(f"{path}: warning: {warning}", file=sys.stderr)
    return LoadCounts(int(lines), int(events), 0, int(rejected))


#: Parquet types of a column of numbers that is not text
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")

#: zone names of a log_timezone that is UTC
UTC_NAMES = {"UTC", "ETC/UTC", "GMT", "ETC/GMT", "UCT", "ETC/UCT", "UNIVERSAL", "ETC/UNIVERSAL", "ZULU",
             "ETC/ZULU", "ETC/GMT+0", "ETC/GMT-0", "ETC/GMT0", "GMT0", "GMT+0", "GMT-0"}


def _number_type_warnings(typed: list[tuple[str, str]]) -> list[str]:
    """A sender or receiver column of numbers (a Parquet integer or float): a number stored
    so has lost the leading 0 or 00 and the + that tell a national from an international
    number (0612345678 is stored 612345678), which no reading can put back."""
    numeric = [f"{name} ({kind})" for name, kind in typed
               if name in ("sender", "receiver") and kind.split("(")[0] in NUMERIC_TYPES]
    if not numeric:
        return []
    return [f"column(s) {', '.join(numeric)} hold numbers, not text: a phone number stored as a number has "
            "lost its leading 0 or 00 and its + (0612345678 reads 612345678), so it may not be recognised as "
            "the number it was; export sender and receiver as text (docs/canonical-format.md)"]


def _naive_warnings(naive: int, events: int, contract: Contract) -> list[str]:
    """Rows whose logged_at has no offset are read as UTC: said when the contract's
    log_timezone, how its gateway logs are written, is not UTC (a local-time export then
    reads 1-2 h off, and every time rule with it)."""
    if not naive or contract.log_timezone.upper() in UTC_NAMES:
        return []
    return [f"{naive:,} of {events:,} events have a logged_at without an offset, read as UTC (as the "
            f"canonical format says), while the contract's log_timezone is {contract.log_timezone}: if the "
            "export writes local time, write its offset (+01:00) or Z (docs/canonical-format.md)"]


def _hex_text_warnings(rows: int) -> list[str]:
    """UCS-2 texts written as Kannel logs them, in hex: loaded as written (a text may be
    digits), but no keyword, STOP above all, is read in them."""
    if not rows:
        return []
    return [f"{rows:,} row(s) of coding 2 hold a text of hexadecimal digits only, as Kannel logs UCS-2 "
            "(0050726F6D6F for Promo): the canonical text is the characters themselves, so no STOP mention "
            "(R3) or opt-out (R4) is read in these; export the decoded text (docs/canonical-format.md)"]


def _dotted_text_warnings(rows: int) -> list[str]:
    """GSM texts that look like Kannel's lossy log (`ARR..T`) with no text_lossy to say so:
    their dots are read as full stops, so an opt-out keyword or a mention may go unread."""
    if not rows:
        return []
    return [f"{rows:,} GSM row(s) have a text with two dots between letters (ARR..T, r..pondez), as Kannel logs "
            "an accented letter, and no text_lossy: their dots are read as full stops, so an opt-out ARR..T is "
            "no STOP; if they come from a Kannel log, set text_lossy to true (docs/canonical-format.md)"]


def _header_hints(columns: list[str], unknown: list[str]) -> list[str]:
    """What most likely went wrong with a header of unknown columns: another separator (the
    whole header read as one column), or names not in lower case."""
    hints = []
    if len(columns) == 1:
        separator = next((name for sep, name in ((";", "';'"), ("\t", "tabs"), ("|", "'|'"))
                          if sep in columns[0]), None)
        if separator:
            hints.append(f"the header is one column: the file looks separated by {separator}, "
                         "and canonical CSV is comma-separated")
    cased = [f"{c} -> {c.lower()}" for c in unknown if c != c.lower() and c.lower() in COLUMNS]
    if cased:
        hints.append(f"column names are lower case ({', '.join(cased)})")
    return hints
