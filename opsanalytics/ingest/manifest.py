"""The load manifest of `ingest`: which file a load read, whether its content is loaded
already (a file whose content, the decompressed bytes, is already loaded, whatever its name
and whether gzipped, is recorded again as `skipped` and loads nothing), whether it continues a
log loaded while the gateway was still writing it (then only the lines after those load), and
how its lines were read: a Kannel log's log_timezone and access-log format, and the loader
that read it (`loader_fingerprint`). A loaded file is never read again, so its lines keep that
reading; notices.reading_warning says so when it differs from today's.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest.lineblocks import (Identity, LineReadError, Start, head_sha256, identify, is_gzip,
                                             prefix_sha256)

#: the modules of opsanalytics.ingest that decide how lines become events, markers and rejected
#: lines (with the queries of queries/staging/ and the segment macros): this module's manifest
#: and warnings are not part of it, so that a reworded message does not call every file loaded
#: before it another version's
LOADER_CODE = ("kannel.py", "kannel_format.py", "lineblocks.py", "canonical.py", "sniff.py")
#: the libraries the loaders hand the lines to
LOADER_LIBRARIES = ("duckdb", "pyarrow", "numpy")
#: queries of queries/staging/ that only read the manifest for this module's warnings: not part
#: of the loader either (a probe: naming the lines each load read, a change of the warning's
#: query, called every load made before it another version's)
WARNING_QUERIES = ("manifest_other_loader.sql", "manifest_read_otherwise.sql",
                   "manifest_read_otherwise_timezone.sql")


def loader_files() -> list[Path]:
    """The files loader_fingerprint hashes, besides the libraries' versions."""
    queries = warehouse.queries_dir()
    return [*(Path(__file__).with_name(name) for name in LOADER_CODE),
            *(path for path in sorted((queries / "staging").glob("*.sql")) if path.name not in WARNING_QUERIES),
            queries / "reference" / "segment_macros.sql"]


@functools.cache
def loader_fingerprint() -> str:
    """sha256 of what reads a file into events, markers and rejected lines: the loader modules
    (LOADER_CODE), the SQL they run (queries/staging/*.sql but WARNING_QUERIES,
    reference/segment_macros.sql) and the versions of LOADER_LIBRARIES. Recorded with each load (load_manifest.loader_fingerprint):
    a file is never read again, so its events keep the reading of the version that loaded it,
    and `ingest` says so when it skips lines another loader read. Computed once per process."""
    digest = hashlib.sha256()
    for part in [*(f"{lib} {importlib.metadata.version(lib)}" for lib in LOADER_LIBRARIES),
                 *(f"{path.name}\0".encode() + path.read_bytes() for path in loader_files())]:
        data = part.encode() if isinstance(part, str) else part
        digest.update(hashlib.sha256(data).digest())  # (hashed apart: no two inputs can run together)
    return digest.hexdigest()


class LoadCounts(NamedTuple):
    """What one format module loaded from one file."""

    lines: int
    events: int
    markers: int
    rejected: int


class Reading(NamedTuple):
    """How a loaded Kannel log was read (load_manifest): what its events keep."""

    load_id: int
    path: str
    log_timezone: str | None
    access_log_format: str | None   # None: Kannel's default line
    access_log_clean: bool | None   # None: not recorded (loaded before it was)

    def differences(self, contract: Contract) -> list[tuple[str, object, object]]:
        """(key, value it was read with, value of `contract`) for each key that differs."""
        out = []
        if self.log_timezone != contract.log_timezone:
            out.append(("log_timezone", self.log_timezone, contract.log_timezone))
        if self.access_log_clean is not None:
            if self.access_log_format != contract.access_log_format:
                out.append(("access_log_format", self.access_log_format, contract.access_log_format))
            if self.access_log_clean != contract.access_log_clean:
                out.append(("access_log_clean", self.access_log_clean, contract.access_log_clean))
        return out


class OtherLoader(NamedTuple):
    """A load read by another loader than this version's (load_manifest.loader_fingerprint):
    its events, markers and rejected lines keep that loader's reading."""

    load_id: int
    path: str
    loader_fingerprint: str | None   # None: by a version that does not record its loader
    #: the lines of the file being ingested this load read (the file's numbering)
    from_line: int = 1
    to_line: int = 0


@dataclass(frozen=True)
class LoadResult:
    """One file offered to `ingest`, as recorded in load_manifest."""

    path: str
    sha256: str
    format: str
    lines: int
    events: int
    markers: int
    rejected: int
    state: str  # loaded | skipped
    #: first line loaded: after 1 when the file continues a log loaded while it was written
    first_line: int = 1
    #: skipped because a longer copy of the same log, loaded before, holds all its lines
    within: str | None = None
    #: the manifest's load_id of this file's lines (rejected_lines, events and markers hold it)
    load_id: int | None = None
    #: the earlier loads that hold lines of this file this call did not load again (the file
    #: skipped, or the lines before first_line), when they were read otherwise than the
    #: contract now says: those lines keep that reading (reading_warning)
    read_otherwise: tuple[Reading, ...] = ()
    #: the load this file continues (a shorter copy of the log, loaded before)
    continues: int | None = None
    #: the later file of the call that took this file's half-written last line, whole there
    handed_over: str | None = None
    #: the earlier loads that hold lines of this file this call did not load again (the file
    #: skipped, or the lines before first_line), when another loader read them (another
    #: version of opsanalytics): those lines keep its reading (reading_warning)
    other_loader: tuple[OtherLoader, ...] = ()
    #: set by ingest_files when several files of the call have other_loader: on the first of
    #: them, (file, loads) of each, said in one warning; () on the others. None: this file's own.
    other_loader_files: tuple[tuple[str, tuple[OtherLoader, ...]], ...] | None = None

    def summary(self) -> str:
        """The accounting line printed after each file."""
        state = self.state if self.first_line == 1 else f"{self.state} from line {self.first_line}: " \
            f"lines 1-{self.first_line - 1} were loaded from an earlier, shorter copy"
        if self.handed_over:
            state += (f"; line {self.first_line + self.lines}, cut short, is loaded whole from "
                      f"{self.handed_over}")
        if self.within:
            state = f"{self.state}: a shorter copy of {self.within}, whose lines are loaded already"
        return (f"{self.path}: lines={self.lines} events={self.events} markers={self.markers} "
                f"rejected={self.rejected} ({state})")


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(warehouse.execute(con, "staging/next_load_id").fetchone()[0])


def already_loaded(con: duckdb.DuckDBPyConnection, identity: Identity) -> int | None:
    """The load that holds this content already, if any."""
    row = warehouse.execute(con, "staging/manifest_loaded", {
        "content_sha256": identity.content_sha256, "sha256": identity.sha256}).fetchone()
    return None if row is None else row[0]


def content_size_hint(path: Path) -> tuple[int, bool]:
    """(content size, gzip): a plain file's size, or a gzip file's ISIZE trailer (content
    size modulo 2^32, of its last member), read without decompressing anything."""
    if not is_gzip(path):
        return path.stat().st_size, False
    if path.stat().st_size < 4:  # not even a trailer: no size matches, reading will say why
        return -1, True
    with path.open("rb") as handle:
        handle.seek(-4, 2)
        return struct.unpack("<I", handle.read(4))[0], True


def size_loaded(con: duckdb.DuckDBPyConnection, path: Path, hint: tuple[int, bool]) -> bool:
    content_bytes, gzip_file = hint
    return warehouse.execute(con, "staging/manifest_size_loaded", {
        "size_bytes": path.stat().st_size, "content_bytes": content_bytes, "gzip": gzip_file,
    }).fetchone() is not None


def unload(con: duckdb.DuckDBPyConnection, load_id: int, from_line: int = 0) -> None:
    for table in ("events", "markers", "rejects"):
        warehouse.execute(con, f"staging/unload_{table}", {"load_id": load_id, "from_line": from_line})


def hand_over_last_line(con: duckdb.DuckDBPyConnection, earlier: int, line: int) -> None:
    """The line a continuation starts at, when the load it continues holds it too: that
    load read the log before the gateway finished the line (no line end yet) and loaded what
    it saw, as an event when it parsed. The continuation has it whole, so the earlier load
    gives it up (rows and counts): each line of the log is in the warehouse once."""
    held = warehouse.execute(con, "staging/load_lines_from", {"load_id": earlier, "from_line": line}).fetchone()
    if any(held):
        unload(con, earlier, line)
        events, markers, rejected = held
        warehouse.execute(con, "staging/manifest_hand_over", {
            "load_id": earlier, "events": events, "markers": markers, "rejected": rejected})


def record(con, load_id: int, path: Path, identity: Identity, fmt: str, contract: Contract,
            counts: LoadCounts, state: str, start: Start, continues: int | None) -> None:
    log_timezone = contract.log_timezone if fmt == "kannel" else None
    warehouse.execute(con, "staging/manifest_insert", {
        "load_id": load_id, "path": str(path), "sha256": identity.sha256,
        "size_bytes": path.stat().st_size, "format": fmt, "log_timezone": log_timezone,
        "lines": counts.lines, "events": counts.events, "markers": counts.markers,
        "rejected": counts.rejected, "state": state,
        "content_sha256": identity.content_sha256, "content_bytes": identity.content_bytes,
        "complete_sha256": identity.complete_sha256, "complete_bytes": identity.complete_bytes,
        "complete_lines": identity.complete_lines, "head_sha256": identity.head_sha256,
        "first_line": start.line if state == "loaded" else None, "continues_load_id": continues,
    })
    warehouse.execute(con, "staging/manifest_loader", {"load_id": load_id, "loader_fingerprint": loader_fingerprint()})
    if log_timezone is not None:  # a Kannel log: how it was read, besides its log_timezone
        warehouse.execute(con, "staging/manifest_reading", {
            "load_id": load_id, "access_log_format": contract.access_log_format,
            "access_log_clean": contract.access_log_clean})


def loaded_within(con: duckdb.DuckDBPyConnection, load_id: int,
                   identity: Identity) -> tuple[str, tuple[int, ...]] | None:
    """The path of a longer copy of the same log, loaded before, that already holds every
    complete line this load holds (a copy taken while the gateway was still writing the log,
    offered after the whole log), with the loads that hold its lines: then this load adds
    nothing. Its half-written last line, if any, is the start of the next line, which the
    longer copy holds whole."""
    if not identity.complete_lines:
        return None
    candidates = warehouse.execute(con, "staging/manifest_containing", {
        "load_id": load_id, "head_sha256": identity.head_sha256,
        "content_bytes": identity.content_bytes}).fetchall()
    for longer_id, longer_path in candidates:
        chain = earlier_loads(con, longer_id)
        differing = warehouse.execute(con, "staging/manifest_contained", {
            "load_id": load_id, "complete_lines": identity.complete_lines,
            "chain": list(chain)}).fetchone()[0]
        if differing == 0:
            return longer_path, chain
    return None


def longer_copies(con: duckdb.DuckDBPyConnection, load_id: int, identity: Identity) -> tuple[int, ...]:
    """The loads of the longer copies of this log (same first line, more content) that
    loaded_within found not to hold this load's lines."""
    if not identity.complete_lines:
        return ()
    return tuple(row[0] for row in warehouse.execute(con, "staging/manifest_containing", {
        "load_id": load_id, "head_sha256": identity.head_sha256,
        "content_bytes": identity.content_bytes}).fetchall())


def identify_file(path: Path) -> Identity:
    try:
        return identify(path)
    except LineReadError as exc:
        raise IngestError(f"{path}: {exc}") from None


def earlier_loads(con: duckdb.DuckDBPyConnection, continues: int | None) -> tuple[int, ...]:
    """The load a continuation continues, the one that load continues, and so on."""
    if continues is None:
        return ()
    return tuple(warehouse.execute(con, "staging/manifest_chain", {"load_id": continues}).fetchone()[0])


def continuation(con: duckdb.DuckDBPyConnection, path: Path,
                  hint: tuple[int, bool]) -> tuple[int | None, Start]:
    """(load, start) when the file starts with every complete line of a log already loaded
    (a log read while the gateway was writing it, offered again longer or rotated): the
    lines after them are the ones to load. The longest such log wins. A load of only the
    line being written (no complete line) is continued from line 1. `hint`: from
    content_size_hint."""
    content_bytes, gzip_file = hint
    try:
        candidates = warehouse.execute(con, "staging/manifest_continued", {
            "head_sha256": head_sha256(path), "content_bytes": content_bytes, "gzip": gzip_file,
        }).fetchall()
        if not candidates:
            return None, Start()
        prefixes = prefix_sha256(path, [row[1] for row in candidates])
    except LineReadError as exc:
        raise IngestError(f"{path}: {exc}") from None
    for load_id, prefix_bytes, prefix_digest, start_bytes, complete_lines in candidates:
        if prefixes.get(prefix_bytes) == prefix_digest:
            return load_id, Start(start_bytes, complete_lines + 1)
    return None, Start()


def file_lines(identity: Identity) -> int:
    """The lines of a file: its complete lines, and a last one without a line end."""
    return identity.complete_lines + (identity.content_bytes > identity.complete_bytes)


def other_loader(con: duckdb.DuckDBPyConnection, load_ids: Iterable[int],
                  last_line: int) -> tuple[OtherLoader, ...]:
    """The loads of `load_ids` (the loads of one log) another loader read (or one that did not
    record itself), with the lines of the file, up to `last_line`, each one read."""
    load_ids = list(load_ids)
    if not load_ids:
        return ()
    return tuple(OtherLoader(*row) for row in warehouse.execute(con, "staging/manifest_other_loader", {
        "load_ids": load_ids, "loader_fingerprint": loader_fingerprint(), "last_line": last_line}).fetchall())


def read_otherwise(con: duckdb.DuckDBPyConnection, contract: Contract,
                   load_ids: Iterable[int] | None = None) -> list[Reading]:
    """The loaded Kannel logs (of `load_ids`, or all) read with another log_timezone,
    access_log_format or access_log_clean than `contract`'s: their events keep that reading.
    A manifest older than the format columns (a warehouse opened read-only, never loaded
    into since) compares log_timezone only."""
    recorded = warehouse.columns(con, "load_manifest")
    query = ("staging/manifest_read_otherwise" if ("load_manifest", "access_log_clean") in recorded
             else "staging/manifest_read_otherwise_timezone")
    rows = warehouse.execute(con, query, {
        "load_ids": None if load_ids is None else list(load_ids), "log_timezone": contract.log_timezone,
        "access_log_format": contract.access_log_format, "access_log_clean": contract.access_log_clean,
    }).fetchall()
    return [Reading(*row) for row in rows]


def read_otherwise_of(con: duckdb.DuckDBPyConnection, contract: Contract, fmt: str,
                       held_by: tuple[int, ...]) -> tuple[Reading, ...]:
    if fmt != "kannel" or not held_by:
        return ()
    return tuple(read_otherwise(con, contract, held_by))
