"""Where the raw line behind an event id is today, so that a breach can be shown from the log.

An event id (`mt_id`, `dlr_id`, `mo_id`, every id an audit row cites) is
`load_id * 10^10 + line_no`. `load_manifest.path` is where the file was when it was loaded,
but logrotate renames and compresses logs (`access.log` -> `access.log.1` ->
`access.log.2.gz`), and a log loaded while the gateway wrote it was read again, longer, by
later loads: the checksum of the first load then matches no file. So a log is found by what
it begins with: the prefix of complete lines each load of it read (its sha256 and size in the
manifest); an export, which does not grow, by its whole content. The search looks at the
recorded path first, then its rotations, then the other files of its folder and those given;
a line is shown only from a file proven to be that log, and each file is read once per call
whatever the number of ids.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import duckdb

from opsanalytics import warehouse
from opsanalytics.errors import UsageError
from opsanalytics.ingest.lineblocks import LineReadError, is_gzip, prefix_sha256

#: event_id = load_id * EVENT_ID_BASE + line_no (macro event_id, queries/facts/macros.sql)
EVENT_ID_BASE = 10_000_000_000
#: a file whose first line is longer is no log (a Kannel line holds one message): a core dump
#: or an image in an archive folder is not read whole to find its first line end
HEAD_LIMIT = 1 << 20
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Located:
    """One event id and where its line is now."""

    event_id: int
    load_id: int
    line_no: int
    recorded_path: str | None   # load_manifest.path; None: no load of that id
    path: str | None = None     # the file found holding the line today; None: not found
    line: str | None = None     # the raw line (a Kannel log): UTF-8, any other byte as \xNN
    utf8: bool | None = None    # False: `line` held bytes that are not UTF-8 (written \xNN)
    row: dict | None = None     # the row (a canonical export), column -> value
    problem: str | None = None  # why it was not found

    def to_json(self) -> dict:
        return {"event_id": self.event_id, "load_id": self.load_id, "line_no": self.line_no,
                "recorded_path": self.recorded_path, "path": self.path, "line": self.line,
                "utf8": self.utf8, "row": self.row, "found": self.path is not None, "problem": self.problem}


@dataclass(frozen=True)
class _Copy:
    """One load of a log: what it read (prefixes: bytes, sha256, lines they hold)."""

    load_id: int
    path: str
    format: str
    head_sha256: str | None
    prefixes: tuple[tuple[int, str, int], ...]
    first_line: int
    lines: int


def parse_id(text: str) -> tuple[int, int]:
    """(load_id, line_no) from an event id (`10000000123`) or `LOAD:LINE` (`1:123`)."""
    parts = text.strip().split(":")
    if len(parts) > 2 or not all(_DIGITS.fullmatch(p) for p in parts):
        raise UsageError(f"{text!r} is not an event id (load_id * 10^10 + line_no, as audits print "
                         "mt_ids) nor LOAD:LINE (digits only)")
    load_id, line_no = (int(parts[0]), int(parts[1])) if len(parts) == 2 else divmod(int(parts[0]), EVENT_ID_BASE)
    if load_id < 1 or line_no < 1:
        raise UsageError(f"{text!r} names no line: the load id and the line number start at 1")
    if line_no >= EVENT_ID_BASE:
        raise UsageError(f"{text!r} names line {line_no:,}: an event id holds line numbers below 10^10")
    return load_id, line_no


def _copies(con: duckdb.DuckDBPyConnection, load_ids: list[int]) -> dict[int, list[_Copy]]:
    out: dict[int, list[_Copy]] = {}
    rows = warehouse.execute(con, "reports/provenance_copies", {"load_ids": load_ids}).fetchall()
    for origin, load_id, path, fmt, head, c_sha, c_bytes, c_lines, sha, size, first_line, lines in rows:
        prefixes = []
        if fmt == "kannel" and c_sha and c_bytes:
            prefixes.append((int(c_bytes), c_sha, int(c_lines)))
        if sha and size is not None and (fmt != "kannel" or size != c_bytes):
            # the whole content: a log's last line, written without a line end yet; an export
            # (whose line ends say nothing of its rows: a Parquet file is binary)
            prefixes.append((int(size), sha, int(c_lines or 0) + 1 if fmt == "kannel" else EVENT_ID_BASE))
        out.setdefault(origin, []).append(_Copy(load_id, path, fmt, head if fmt == "kannel" else None,
                                                tuple(prefixes), int(first_line or 1), int(lines or 0)))
    return out


def _open_content(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if is_gzip(path) else path.open("rb")


class _Files:
    """What this call read of each file: its first line's digest and its prefixes' digests,
    so that a file is read once whatever the number of ids."""

    def __init__(self, folders: list[Path]):
        self.folders = folders
        self.heads: dict[Path, str | None] = {}
        self.prefixes: dict[Path, dict[int, str]] = defaultdict(dict)

    def head(self, path: Path) -> str | None:
        """sha256 of the first line with its line end (the whole content without one), as
        Identity.head_sha256; None past HEAD_LIMIT without a line end: no log."""
        if path not in self.heads:
            digest, read, value = hashlib.sha256(), 0, None
            with _open_content(path) as handle:
                while read < HEAD_LIMIT:
                    data = handle.read(min(1 << 16, HEAD_LIMIT - read))
                    end = data.find(b"\n")
                    digest.update(data if end < 0 else data[:end + 1])
                    read += len(data)
                    if not data or end >= 0:
                        value = digest.hexdigest()
                        break
            self.heads[path] = value
        return self.heads[path]

    def prefix(self, path: Path, sizes: set[int]) -> dict[int, str]:
        known = self.prefixes[path]
        missing = sorted(s for s in sizes if s not in known)
        if missing:
            found = prefix_sha256(path, missing)
            known.update({s: found.get(s) for s in missing})
        return known

    def candidates(self, copies: list[_Copy]) -> Iterator[Path]:
        """The recorded paths, then their rotations (`access.log.1`, `access.log.2.gz`), then
        the other files of their folders and the --search files and folders: each once."""
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
        for place in [*(p.parent for p in recorded), *self.folders]:
            yield from fresh(sorted(place.iterdir()) if place.is_dir() else [place])

    def holder(self, copies: list[_Copy], line_no: int) -> tuple[Path, _Copy] | None:
        """The first file found that begins with a prefix one of `copies` read, long enough
        to hold `line_no`."""
        wanted = [(size, sha, c) for c in copies for size, sha, lines in c.prefixes if lines >= line_no]
        if not wanted:
            return None
        heads = {c.head_sha256 for _, _, c in wanted}
        for path in self.candidates(copies):
            try:
                if None not in heads and self.head(path) not in heads:
                    continue   # another log: its first line differs
                found = self.prefix(path, {size for size, _, _ in wanted})
            except (OSError, LineReadError, EOFError, gzip.BadGzipFile, ValueError):
                continue   # unreadable or not a log: not the file
            for size, sha, copy in wanted:
                if found.get(size) == sha:
                    return path, copy
        return None


def _log_lines(path: Path, numbers: set[int]) -> dict[int, bytes]:
    """The lines `numbers` of a log, in one pass, line ends off."""
    out, last = {}, max(numbers)
    with _open_content(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if number in numbers:
                out[number] = raw.rstrip(b"\r\n")
            if number >= last:
                break
    return out


def _export_rows(path: Path, fmt: str, numbers: set[int]) -> dict[int, dict]:
    """The rows `numbers` (1: the first after the header) of a canonical export, in one pass."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        records = {n: table.slice(n - 1, 1).to_pylist()[0] for n in numbers if n <= table.num_rows}
    else:
        records, last = {}, max(numbers)
        with _open_content(path) as handle:
            reader = csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
            for number, record in enumerate(reader, start=1):
                if number in numbers:
                    records[number] = record
                if number >= last:
                    break
    return {n: {k: v if v is None or isinstance(v, (str, int, float, bool)) else str(v) for k, v in r.items()}
            for n, r in records.items()}


def _search_places(folders: Iterable[str | Path]) -> list[Path]:
    places = []
    for given in folders:
        place = Path(given).expanduser().resolve()
        if not place.exists():
            raise UsageError(f"--search {given}: no such file or folder")
        places.append(place)
    return places


def locate(con: duckdb.DuckDBPyConnection, ids: Iterable[str], folders: Iterable[str | Path] = ()) -> list[Located]:
    """Each id (as parse_id reads it) with the file that holds its line today and the line,
    in the order given."""
    parsed = [parse_id(text) for text in ids]
    files = _Files(_search_places(folders))
    copies = _copies(con, sorted({load for load, _ in parsed}))
    answers: dict[tuple[int, int], Located] = {}
    for load_id in sorted({load for load, _ in parsed}):
        lines = sorted({line for load, line in parsed if load == load_id})
        chain = copies.get(load_id)
        if not chain:
            for line_no in lines:
                answers[load_id, line_no] = Located(load_id * EVENT_ID_BASE + line_no, load_id, line_no, None, problem=(
                    f"no file was loaded as load {load_id} (status lists the loads)"))
            continue
        own = next(c for c in chain if c.load_id == load_id)
        last_own = own.first_line + own.lines - 1
        inside = [n for n in lines if own.first_line <= n <= last_own]
        for line_no in lines:
            if line_no not in inside:
                answers[load_id, line_no] = Located(load_id * EVENT_ID_BASE + line_no, load_id, line_no, own.path, problem=(
                    f"load {load_id} read lines {own.first_line}-{last_own} of {own.path}: no event id of it "
                    f"names line {line_no}"))
        if not inside:
            continue
        held = files.holder(chain, max(inside))
        if held is None:
            places = sorted({str(Path(c.path).parent) for c in chain} | {str(f) for f in files.folders})
            for line_no in inside:
                answers[load_id, line_no] = Located(load_id * EVENT_ID_BASE + line_no, load_id, line_no, own.path, problem=(
                    f"no file in {', '.join(places)} begins with the lines load {load_id} read (moved "
                    "elsewhere, or truncated? give its folder with --search)"))
            continue
        path, copy = held
        if copy.format == "kannel":
            raw = _log_lines(path, set(inside))
            for line_no in inside:
                text = raw[line_no].decode("utf-8", "backslashreplace")
                answers[load_id, line_no] = Located(load_id * EVENT_ID_BASE + line_no, load_id, line_no, own.path,
                                                    str(path), line=text, utf8=text.encode() == raw[line_no])
        else:
            rows = _export_rows(path, copy.format, set(inside))
            for line_no in inside:
                answers[load_id, line_no] = (
                    Located(load_id * EVENT_ID_BASE + line_no, load_id, line_no, own.path, str(path), row=rows[line_no])
                    if line_no in rows else
                    Located(load_id * EVENT_ID_BASE + line_no, load_id, line_no, own.path,
                            problem=f"{path} is that file but has no row {line_no}"))
    return [answers[key] for key in parsed]
