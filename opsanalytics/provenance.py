"""Where the raw line behind an event id is today, so that a breach can be shown from the log.

An event id (`mt_id`, `dlr_id`, `mo_id`, every id an audit row cites) is
`load_id * 10^10 + line_no`. `load_manifest.path` is where the file was when it was loaded,
but logrotate renames and compresses logs (`access.log` -> `access.log.1` ->
`access.log.2.gz`), and a log loaded while the gateway wrote it was read again, longer, by
later loads: the checksum of the first load then matches no file. So a file is found by what
it begins with: the prefix of complete lines each load of the log read (its sha256 and size in
the manifest). The search looks at the recorded path first, then its rotations, then the other
files of its folder and of the folders given; a line is shown only from a file proven to be
that log.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import duckdb

from opsanalytics import warehouse
from opsanalytics.errors import UsageError
from opsanalytics.ingest.lineblocks import LineReadError, head_sha256, is_gzip, prefix_sha256

#: event_id = load_id * EVENT_ID_BASE + line_no (macro event_id, queries/facts/macros.sql)
EVENT_ID_BASE = 10_000_000_000


@dataclass(frozen=True)
class Located:
    """One event id and where its line is now."""

    event_id: int
    load_id: int
    line_no: int
    recorded_path: str | None   # load_manifest.path; None: no load of that id
    path: str | None = None     # the file found holding the line today; None: not found
    line: str | None = None     # the raw line (a Kannel log)
    row: dict | None = None     # the row (a canonical export), column -> value
    problem: str | None = None  # why it was not found

    def to_json(self) -> dict:
        return {"event_id": self.event_id, "load_id": self.load_id, "line_no": self.line_no,
                "recorded_path": self.recorded_path, "path": self.path, "line": self.line,
                "row": self.row, "found": self.path is not None, "problem": self.problem}


@dataclass(frozen=True)
class _Copy:
    load_id: int
    path: str
    format: str
    head_sha256: str | None
    prefixes: tuple[tuple[int, str, int], ...]   # (bytes, sha256, lines the prefix holds)


def parse_id(text: str) -> tuple[int, int]:
    """(load_id, line_no) from an event id (`10000000123`) or `LOAD:LINE` (`1:123`)."""
    value = text.strip()
    try:
        if ":" in value:
            load, line = value.split(":", 1)
            load_id, line_no = int(load), int(line)
        else:
            load_id, line_no = divmod(int(value), EVENT_ID_BASE)
    except ValueError:
        raise UsageError(f"{text!r} is not an event id (load_id * 10^10 + line_no, as audits print "
                         "mt_ids) nor LOAD:LINE") from None
    if load_id < 1 or line_no < 1:
        raise UsageError(f"{text!r} names no line: the load id and the line number start at 1")
    return load_id, line_no


def _copies(con: duckdb.DuckDBPyConnection, load_ids: list[int]) -> dict[int, list[_Copy]]:
    out: dict[int, list[_Copy]] = {}
    rows = warehouse.execute(con, "reports/provenance_copies", {"load_ids": load_ids}).fetchall()
    for origin, load_id, path, fmt, head, c_sha, c_bytes, c_lines, sha, size in rows:
        prefixes = []
        if c_sha and c_bytes:
            prefixes.append((int(c_bytes), c_sha, int(c_lines)))
        if sha and size is not None and size != c_bytes:
            # the whole content: also its last line, written without a line end yet
            prefixes.append((int(size), sha, int(c_lines or 0) + 1))
        out.setdefault(origin, []).append(_Copy(load_id, path, fmt, head, tuple(prefixes)))
    return out


def _candidates(copies: list[_Copy], folders: Iterable[Path]) -> Iterator[Path]:
    """The recorded paths, then their rotations (`access.log.1`, `access.log.2.gz`), then the
    other files of their folders and of `folders`: each once."""
    seen: set[Path] = set()
    recorded = [Path(c.path) for c in copies]

    def fresh(paths: Iterable[Path]) -> Iterator[Path]:
        for path in paths:
            if path not in seen and path.is_file():
                seen.add(path)
                yield path

    yield from fresh(recorded)
    for path in recorded:
        if path.parent.is_dir():
            yield from fresh(sorted(p for p in path.parent.iterdir() if p.name.startswith(path.name)))
    for folder in [*(p.parent for p in recorded), *folders]:
        if folder.is_dir():
            yield from fresh(sorted(folder.iterdir()))


def _holder(copies: list[_Copy], line_no: int, folders: list[Path]) -> tuple[Path, _Copy] | None:
    """The first file found that begins with a prefix, read by one of `copies`, long enough to
    hold `line_no`."""
    wanted = [(size, sha, c) for c in copies for size, sha, lines in c.prefixes if lines >= line_no]
    if not wanted:
        return None
    heads = {c.head_sha256 for _, _, c in wanted}
    for path in _candidates(copies, folders):
        try:
            if None not in heads and head_sha256(path) not in heads:
                continue   # another log: its first line differs
            found = prefix_sha256(path, sorted({size for size, _, _ in wanted}))
        except (OSError, LineReadError, EOFError, gzip.BadGzipFile, ValueError):
            continue   # unreadable or not a log: not the file
        for size, sha, copy in wanted:
            if found.get(size) == sha:
                return path, copy
    return None


def _open_text(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if is_gzip(path) else path.open("rb")


def _log_line(path: Path, line_no: int) -> str:
    """Line `line_no` of a log as its bytes are (UTF-8; any other byte as \\xNN), line end off."""
    with _open_text(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if number == line_no:
                return raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
    raise LookupError(line_no)


def _export_row(path: Path, fmt: str, row_no: int) -> dict:
    """Row `row_no` (1: the first row after the header) of a canonical export."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        if row_no > table.num_rows:
            raise LookupError(row_no)
        record = table.slice(row_no - 1, 1).to_pylist()[0]
    else:
        with _open_text(path) as handle:
            reader = csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
            record = next((r for n, r in enumerate(reader, start=1) if n == row_no), None)
        if record is None:
            raise LookupError(row_no)
    return {key: value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
            for key, value in record.items()}


def locate(con: duckdb.DuckDBPyConnection, ids: Iterable[str], folders: Iterable[str | Path] = ()) -> list[Located]:
    """Each id (as parse_id reads it) with the file that holds its line today and the line."""
    parsed = [parse_id(text) for text in ids]
    folders = [Path(f).expanduser().resolve() for f in folders]
    copies = _copies(con, sorted({load for load, _ in parsed}))
    out = []
    for load_id, line_no in parsed:
        event_id = load_id * EVENT_ID_BASE + line_no
        chain = copies.get(load_id)
        if not chain:
            out.append(Located(event_id, load_id, line_no, None,
                               problem=f"no file was loaded as load {load_id} (status lists the loads)"))
            continue
        recorded = next(c.path for c in chain if c.load_id == load_id)
        held = _holder(chain, line_no, folders)
        if held is None:
            where = ", ".join(sorted({str(Path(c.path).parent) for c in chain} | {str(f) for f in folders}))
            out.append(Located(event_id, load_id, line_no, recorded, problem=(
                f"no file in {where} begins with the lines load {load_id} read (moved elsewhere, "
                "or truncated? give its folder with --search)")))
            continue
        path, copy = held
        try:
            if copy.format == "kannel":
                found = Located(event_id, load_id, line_no, recorded, str(path), line=_log_line(path, line_no))
            else:
                found = Located(event_id, load_id, line_no, recorded, str(path),
                                row=_export_row(path, copy.format, line_no))
        except LookupError:
            found = Located(event_id, load_id, line_no, recorded,
                            problem=f"{path} is that file but has no line {line_no}")
        out.append(found)
    return out
