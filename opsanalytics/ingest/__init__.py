"""Load input files into the warehouse: one module per format, one manifest, all or nothing.

Each format module (`kannel`, `canonical`) exposes
``load(con, path, load_id, contract, progress) -> LoadCounts`` and inserts into `events`,
`log_markers` and `rejected_lines` inside the caller's transaction. This module owns what is
common to every format: choosing the format, the manifest (a file whose content, the
decompressed bytes, is already loaded, whatever its name and whether gzipped, is recorded
again as `skipped` and loads nothing; a log that starts with all the lines of a log loaded
while the gateway was still writing it loads only the lines after them; a Kannel log's reading,
log_timezone and access-log format, is recorded with it, and the lines such a file does not
load again keep it: `reading_warning` says so when the contract now differs; so is the loader that
read it, `loader_fingerprint`, and `reading_warning` says when such lines were read by another
version of opsanalytics), the accounting check
lines = events + markers + rejected, and atomicity: every file of one call and the rebuild of
the facts run in one transaction, so a failure or a kill half-way leaves the warehouse as it
was before the call.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import importlib.metadata
import json
import shlex
import struct
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest.lineblocks import (Identity, LineReadError, Start, head_sha256, identify, is_gzip,
                                             prefix_sha256)
from opsanalytics.ingest.overlap import overlap_warning
from opsanalytics.ingest.sniff import other_compression

#: formats `ingest` accepts; "auto" picks one from the file name
FORMATS = ("auto", "kannel", "csv", "parquet")

#: names of gzip files: one of 0 bytes is refused (check_paths), as a truncated gzip is
GZIP_NAMES = (".gz", ".gzip")

#: format -> module of opsanalytics.ingest that loads it
_MODULES = {"kannel": "kannel", "csv": "canonical", "parquet": "canonical"}

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


def detect_format(path: Path) -> str:
    """.csv/.csv.gz -> csv, .parquet -> parquet; a file of another name by what it holds: a
    Parquet file (PAR1), a canonical CSV (its header names the required columns), else a
    Kannel access log. (`export.pq` or `traffic.txt` were read as Kannel logs, and refused as
    such without a word of what they were.)"""
    name = path.name.lower()
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return "kannel"   # (check_paths says what is wrong with it)
    from opsanalytics.ingest.canonical import PARQUET_MAGIC, REQUIRED

    if head[:4] in PARQUET_MAGIC:
        return "parquet"
    header = head.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    if set(REQUIRED) <= {cell.strip().strip('"').strip().lower() for cell in header.split(",")}:
        return "csv"
    return "kannel"


def _format_module(fmt: str):
    name = f"opsanalytics.ingest.{_MODULES[fmt]}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise IngestError(f"format {fmt!r} is not available in this build ({name} missing)") from None
        raise


def check_paths(paths: Iterable[str | Path], fmt: str) -> list[tuple[Path, str]]:
    """Refuse the whole call before writing anything when a file is missing or unreadable."""
    if fmt not in FORMATS:
        raise IngestError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    checked = []
    for raw in paths:
        path = Path(raw).expanduser().resolve()
        if not path.exists():
            raise IngestError(f"{raw}: no such file")
        if not path.is_file():
            raise IngestError(f"{raw}: not a regular file")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise IngestError(f"{raw}: cannot read: {exc.strerror}") from None
        if path.name.lower().endswith(GZIP_NAMES) and path.stat().st_size == 0:
            # not even a gzip header: what a compression that failed leaves (a full disk at
            # rotation), a lost log, which read as an empty one would pass for a quiet day
            raise IngestError(f"{raw}: cannot be read: 0 bytes, though its name says gzip: not even a gzip "
                              "header (a compression that failed, or a copy cut short): the log it should "
                              "hold is not in it")
        compressed = other_compression(path)
        if compressed:
            name, command = compressed
            raise IngestError(f"{raw}: compressed with {name}; ingest reads plain and gzip files only: "
                              f"decompress it first ({command} {raw}), or set logrotate's compresscmd to gzip")
        checked.append((path, detect_format(path) if fmt == "auto" else fmt))
    return checked


def _next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(warehouse.execute(con, "staging/next_load_id").fetchone()[0])


def _already_loaded(con: duckdb.DuckDBPyConnection, identity: Identity) -> int | None:
    """The load that holds this content already, if any."""
    row = warehouse.execute(con, "staging/manifest_loaded", {
        "content_sha256": identity.content_sha256, "sha256": identity.sha256}).fetchone()
    return None if row is None else row[0]


def _content_size_hint(path: Path) -> tuple[int, bool]:
    """(content size, gzip): a plain file's size, or a gzip file's ISIZE trailer (content
    size modulo 2^32, of its last member), read without decompressing anything."""
    if not is_gzip(path):
        return path.stat().st_size, False
    if path.stat().st_size < 4:  # not even a trailer: no size matches, reading will say why
        return -1, True
    with path.open("rb") as handle:
        handle.seek(-4, 2)
        return struct.unpack("<I", handle.read(4))[0], True


def _size_loaded(con: duckdb.DuckDBPyConnection, path: Path, hint: tuple[int, bool]) -> bool:
    content_bytes, gzip_file = hint
    return warehouse.execute(con, "staging/manifest_size_loaded", {
        "size_bytes": path.stat().st_size, "content_bytes": content_bytes, "gzip": gzip_file,
    }).fetchone() is not None


def _unload(con: duckdb.DuckDBPyConnection, load_id: int, from_line: int = 0) -> None:
    for table in ("events", "markers", "rejects"):
        warehouse.execute(con, f"staging/unload_{table}", {"load_id": load_id, "from_line": from_line})


def _hand_over_last_line(con: duckdb.DuckDBPyConnection, earlier: int, line: int) -> None:
    """The line a continuation starts at, when the load it continues holds it too: that
    load read the log before the gateway finished the line (no line end yet) and loaded what
    it saw, as an event when it parsed. The continuation has it whole, so the earlier load
    gives it up (rows and counts): each line of the log is in the warehouse once."""
    held = warehouse.execute(con, "staging/load_lines_from", {"load_id": earlier, "from_line": line}).fetchone()
    if any(held):
        _unload(con, earlier, line)
        events, markers, rejected = held
        warehouse.execute(con, "staging/manifest_hand_over", {
            "load_id": earlier, "events": events, "markers": markers, "rejected": rejected})


def _record(con, load_id: int, path: Path, identity: Identity, fmt: str, contract: Contract,
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


def _loaded_within(con: duckdb.DuckDBPyConnection, load_id: int,
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
        chain = _earlier_loads(con, longer_id)
        differing = warehouse.execute(con, "staging/manifest_contained", {
            "load_id": load_id, "complete_lines": identity.complete_lines,
            "chain": list(chain)}).fetchone()[0]
        if differing == 0:
            return longer_path, chain
    return None


def _longer_copies(con: duckdb.DuckDBPyConnection, load_id: int, identity: Identity) -> tuple[int, ...]:
    """The loads of the longer copies of this log (same first line, more content) that
    _loaded_within found not to hold this load's lines."""
    if not identity.complete_lines:
        return ()
    return tuple(row[0] for row in warehouse.execute(con, "staging/manifest_containing", {
        "load_id": load_id, "head_sha256": identity.head_sha256,
        "content_bytes": identity.content_bytes}).fetchall())


def _identify(path: Path) -> Identity:
    try:
        return identify(path)
    except LineReadError as exc:
        raise IngestError(f"{path}: {exc}") from None


def _earlier_loads(con: duckdb.DuckDBPyConnection, continues: int | None) -> tuple[int, ...]:
    """The load a continuation continues, the one that load continues, and so on."""
    if continues is None:
        return ()
    return tuple(warehouse.execute(con, "staging/manifest_chain", {"load_id": continues}).fetchone()[0])


def _continuation(con: duckdb.DuckDBPyConnection, path: Path,
                  hint: tuple[int, bool]) -> tuple[int | None, Start]:
    """(load, start) when the file starts with every complete line of a log already loaded
    (a log read while the gateway was writing it, offered again longer or rotated): the
    lines after them are the ones to load. The longest such log wins. A load of only the
    line being written (no complete line) is continued from line 1. `hint`: from
    _content_size_hint."""
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


def _refresh_facts(con: duckdb.DuckDBPyConnection, contract: Contract, progress: bool, echo: bool,
                   loaded: bool = True) -> None:
    """Reference tables from the contract and the facts, rebuilt inside the same transaction
    unless they were built from these same loads, contract and code already (said on stderr
    with `progress` or `echo`; and so is a rebuild when nothing new was `loaded`: an upgrade, or
    a contract changed, whose ingest would otherwise print only its files' `(skipped)`)."""
    from opsanalytics import facts  # imported late: facts imports the reference layer

    started = time.perf_counter()
    rebuilt = facts.refresh(con, contract, progress)
    if not (progress or echo):
        return
    if not rebuilt:
        print("facts: kept (nothing new was loaded, and the contract and code are those they were "
              "built with)", file=sys.stderr, flush=True)
    elif not loaded:
        print("facts: rebuilt (nothing new was loaded, but the code or the contract changed since they "
              f"were built), {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def _warn_if_empty(path: Path, fmt: str, identity: Identity, contract: Contract) -> None:
    """An access log without a line loads (a log just rotated, not written to yet), with a
    warning: Kannel writes `Log begins` whenever it opens its access log (unless
    access-log-clean is set), so it may as well be a copy or a compression that failed."""
    if fmt != "kannel" or identity.content_bytes:
        return
    what = "its gzip holds 0 bytes" if identity.stored is not None else "0 bytes"
    if contract.access_log_clean:
        why = ("with access_log_clean Kannel writes no `Log begins`, so it may be a log just rotated and "
               "not written to yet, or a copy or a compression that failed (its lines lost)")
    else:
        why = ("Kannel writes `Log begins` whenever it opens its access log, so it is a log just rotated "
               "and not written to yet, or a copy or a compression that failed (its lines lost)")
    # a warning about the data, not progress: printed with --quiet too
    print(f"{path}: warning: the file is empty ({what}): {why}; loaded as an empty log", file=sys.stderr)


def load_file(con: duckdb.DuckDBPyConnection, contract: Contract, path: Path, fmt: str,
              progress: bool = True) -> LoadResult:
    """Load one file inside the caller's transaction; record it in the manifest."""
    load_id = _next_load_id(con)
    module = _format_module(fmt)
    hashing_load = getattr(module, "load_hashing", None)
    skipped = LoadCounts(0, 0, 0, 0)
    start, continues, identity = Start(), None, None
    hint = _content_size_hint(path)
    if not hashing_load or _size_loaded(con, path, hint):
        # a loaded content has this size: the file may be a duplicate, hashed before loading
        identity = _identify(path)
        holder = _already_loaded(con, identity)
        _warn_if_empty(path, fmt, identity, contract)
        if holder is not None:
            _record(con, load_id, path, identity, fmt, contract, skipped, "skipped", start, None)
            return LoadResult(str(path), identity.sha256, fmt, 0, 0, 0, 0, "skipped",
                              read_otherwise=_read_otherwise_of(con, contract, fmt, (holder,)),
                              other_loader=_other_loader(con, _earlier_loads(con, holder),
                                                         _file_lines(identity)))
    state = "loaded"
    held_by: tuple[int, ...] = ()  # the loads holding lines of this file it does not load
    if not hashing_load:
        counts = LoadCounts(*module.load(con, path, load_id, contract, progress, fmt=fmt))
    else:
        # a format loaded while hashing is a gateway log, which grows while it is written:
        # the file may continue a log loaded earlier
        continues, start = _continuation(con, path, hint)
        earlier = held_by = _earlier_loads(con, continues)
        if identity:
            counts = LoadCounts(*module.load(con, path, load_id, contract, progress, start=start,
                                             earlier_loads=earlier))
        else:
            # cannot be a duplicate by its size: the module hashes it while it loads it
            # (sha256 of a large log costs seconds of one core on its own)
            identity, counts = hashing_load(con, path, load_id, contract, progress, start=start,
                                            earlier_loads=earlier)
            counts = LoadCounts(*counts)
            _warn_if_empty(path, fmt, identity, contract)
            holder = _already_loaded(con, identity)
            if holder is not None:
                # only a multi-member gzip (its ISIZE trailer is its last member's) gets here
                _unload(con, load_id)
                counts, state, start, continues = skipped, "skipped", Start(), None
                held_by = (holder,)
    if counts.lines != counts.events + counts.markers + counts.rejected:
        raise IngestError(f"{path}: internal accounting error: {counts} "
                          "(lines != events + markers + rejected); nothing was loaded")
    within = _loaded_within(con, load_id, identity) if state == "loaded" and hashing_load else None
    if within:
        _unload(con, load_id)
        counts, state, start, continues = skipped, "skipped", Start(), None
        within, held_by = within
    elif state == "loaded" and hashing_load and continues is None:
        # a shorter copy of a log loaded before with another reading cannot be matched with
        # it line by line (the times or fields differ): it was loaded again, and says so
        held_by = _longer_copies(con, load_id, identity)
    if continues is not None:
        _hand_over_last_line(con, continues, start.line)
    _record(con, load_id, path, identity, fmt, contract, counts, state, start, continues)
    resolve = getattr(module, "resolve_rotation", None)
    if resolve and state == "loaded":
        # the repeated autumn hour across the files of the log (a rotation inside it): once
        # recorded, the load is one of the files the query compares
        resolve(con, contract, load_id, path)
    if state == "loaded":
        # (once the manifest has decided: a shorter copy of a log, skipped, overlaps nothing)
        overlap = overlap_warning(con, load_id, counts.events, "logs" if fmt == "kannel" else "exports")
        if overlap:   # a warning about the data, not progress: printed with --quiet too
            print(f"{path}: warning: {overlap}", file=sys.stderr)
    # the loads whose lines of this file were not read again: the lines before first_line, a
    # shorter copy's (within), or a multi-member gzip's holder and the loads it continues
    kept = held_by if within or start.line > 1 else _earlier_loads(con, held_by[0]) if state == "skipped" else ()
    last_line = start.line - 1 if state == "loaded" else _file_lines(identity)
    return LoadResult(str(path), identity.sha256, fmt, counts.lines, counts.events, counts.markers,
                      counts.rejected, state, start.line, within, load_id if state == "loaded" else None,
                      _read_otherwise_of(con, contract, fmt, held_by), continues,
                      other_loader=_other_loader(con, kept, last_line))


def _file_lines(identity: Identity) -> int:
    """The lines of a file: its complete lines, and a last one without a line end."""
    return identity.complete_lines + (identity.content_bytes > identity.complete_bytes)


def _other_loader(con: duckdb.DuckDBPyConnection, load_ids: Iterable[int],
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


def _read_otherwise_of(con: duckdb.DuckDBPyConnection, contract: Contract, fmt: str,
                       held_by: tuple[int, ...]) -> tuple[Reading, ...]:
    if fmt != "kannel" or not held_by:
        return ()
    return tuple(read_otherwise(con, contract, held_by))


def shown(key: str, value: object) -> str:
    """A reading's value as the contract writes it."""
    if key == "access_log_format" and value is None:
        return "absent (Kannel's default line)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def reading_warning(result: LoadResult, contract: Contract) -> str | None:
    """What `ingest` says on stderr when lines of `result`'s file were loaded before with
    another log_timezone or access-log format than `contract`'s, and were not read again:
    they keep the old reading (times, fields), while ref_settings shows the new one; and when
    another version's loader read them (loader_warning)."""
    warnings = [w for w in (_contract_warning(result, contract), loader_warning(result, contract)) if w]
    return "\n".join(warnings) or None


def _kept_lines(result: LoadResult) -> str:
    """Which lines of `result`'s file this call did not load again, and why."""
    if result.state == "skipped":
        return f"{result.path} was skipped: its lines are loaded already"
    return f"lines 1-{result.first_line - 1} of {result.path} were loaded already"


def loader_warning(result: LoadResult, contract: Contract) -> str | None:
    """What `ingest` says on stderr when lines of `result`'s file (or of the files of the call
    ingest_files grouped on it: other_loader_files) were not read again because a load made by
    another version of opsanalytics holds them: they keep that version's reading (a line it
    rejected that this one reads, segments it counted otherwise), and only a new warehouse
    reads them with this one. (Not the contract's business: putting old values back changes
    nothing.)"""
    files = result.other_loader_files
    if files is None:
        files = ((_kept_lines(result), result.other_loader),) if result.other_loader else ()
    if not files:
        return None
    lines = []
    for kept, loads in files:
        lines.append(f"  {kept}: " + "; ".join(
            f"lines {load.from_line}-{load.to_line} by load {load.load_id} ({load.path}"
            + (", read by a version that does not record its loader)" if load.loader_fingerprint is None else ")")
            for load in loads))
    return (f"warning: lines of {'these files' if len(files) > 1 else 'this file'} were loaded by another "
            "version of opsanalytics (or of "
            f"{', '.join(LOADER_LIBRARIES)}), and were not read again:\n" + "\n".join(lines) + "\n"
            "Their events keep the reading of the version that loaded them (the lines it parsed, "
            "rejected or took for markers, the segments it counted): a file already loaded is "
            "never read again. To read them with this version, ingest every log into a new "
            f"warehouse (`opsanalytics ingest --db NEW.duckdb --config {shlex.quote(contract.source)} "
            "LOG...`).")


def _contract_warning(result: LoadResult, contract: Contract) -> str | None:
    """reading_warning's part about the contract's values."""
    if not result.read_otherwise:
        return None
    if result.state == "loaded" and result.first_line == 1:
        # (a shorter copy of a longer log loaded before, which _loaded_within could not match)
        loads = "\n".join(
            f"  load {r.load_id} ({r.path}): "
            + "; ".join(f"{key} = {shown(key, old)} (the contract now: {shown(key, new)})"
                        for key, old, new in r.differences(contract))
            for r in result.read_otherwise)
        return (f"warning: {result.path} starts like a longer log loaded before with other values "
                f"than {contract.source} gives:\n{loads}\n"
                "If it is a shorter copy of that log, its lines are now in the warehouse twice, read "
                "two ways (its events could not be matched with that log's, whose times or fields "
                "differ). Load every log into a new warehouse with one contract (`opsanalytics "
                f"ingest --db NEW.duckdb --config {shlex.quote(contract.source)} LOG...`).")
    if result.state == "skipped":
        what = f"{result.path} was skipped: its lines are loaded already"
        after = ""
    else:
        what = f"lines 1-{result.first_line - 1} of {result.path} were loaded already"
        after = " (the lines after them were read with its values)"
    loads = []
    for reading in result.read_otherwise:
        read = "; ".join(f"{key} = {shown(key, old)} (the contract now: {shown(key, new)})"
                         for key, old, new in reading.differences(contract))
        loads.append(f"  load {reading.load_id} ({reading.path}): {read}")
    return (f"warning: {what}, but they were read with other values than {contract.source} "
            f"gives{after}:\n" + "\n".join(loads) + "\n"
            "Those lines keep the times and fields they were loaded with: ref_settings shows the new "
            "values, but a file already loaded is never read again, and the facts are rebuilt from "
            "the events as loaded. To apply the new values, load every log into a new warehouse with "
            f"this contract (`opsanalytics ingest --db NEW.duckdb --config {shlex.quote(contract.source)} "
            "LOG...`); to keep this warehouse consistent, put the old values back in the contract.")


class RejectReason(NamedTuple):
    """One reason lines of a load were rejected: how many lines, the first one, and its
    reason as written (reasons that differ only by a number, such as a LEN, count as one)."""

    lines: int
    first_line: int
    example: str


def rejected_reasons(con: duckdb.DuckDBPyConnection, result: LoadResult,
                     top: int = 5) -> tuple[list[RejectReason], int]:
    """The `top` most frequent reasons the lines of a loaded file were rejected, and how
    many reasons there are in all: what `ingest` says after the load, so that a damaged log
    or a wrong format shows without a query (every line stays in rejected_lines)."""
    if result.load_id is None or not result.rejected:
        return [], 0
    rows = warehouse.execute(con, "staging/rejected_reasons", {"load_id": result.load_id, "top": top}).fetchall()
    return [RejectReason(*row[:3]) for row in rows], (rows[0][3] if rows else 0)


def _whole_call(message: str, done: list[LoadResult]) -> str:
    """A refusal that comes after files of the call were read says that they are not kept
    either (all or nothing): a file's accounting line, or a warning about it, printed before
    the error read as if that file were loaded."""
    if not done:
        return message
    return (f"{message}\nnothing of this call was kept: the {len(done)} file(s) read before it are not "
            "loaded either (all or nothing); run it again once this file is fixed or left out")


def _recount_continued(con: duckdb.DuckDBPyConnection, results: list[LoadResult], echo: bool) -> None:
    """The last file of `results` may continue one loaded earlier in the same call (a cut
    copy of the log, then the whole log) and take its half-written last line: that file's
    result then says what its manifest now holds (what the call commits), not what it read."""
    continued = results[-1].continues
    for at, earlier in enumerate(results[:-1]):
        if continued is None or earlier.load_id != continued:
            continue
        counts = LoadCounts(*warehouse.execute(con, "staging/manifest_counts", {"load_id": continued}).fetchone())
        if counts != (earlier.lines, earlier.events, earlier.markers, earlier.rejected):
            results[at] = dataclasses.replace(earlier, **counts._asdict(), handed_over=results[-1].path)
            if echo:
                print(results[at].summary(), file=sys.stderr, flush=True)


def ingest_files(con: duckdb.DuckDBPyConnection, contract: Contract, paths: Iterable[str | Path],
                 fmt: str = "auto", progress: bool = True, echo: bool | None = None) -> list[LoadResult]:
    """Load every file, then rebuild the facts; all in one transaction (all or nothing).

    A file whose content is already in the manifest (loaded earlier, or earlier in this same
    call; plain or gzipped, under any name) is recorded as `skipped` and loads nothing, so
    ingesting twice, or again after the rotation compressed a log, changes nothing but the
    manifest; so is a shorter copy of a log whose longer copy is loaded already. When nothing
    new was loaded, the facts are kept as they are, unless the contract or the code changed
    since they were built (facts.refresh). `progress`:
    progress bars on stderr; `echo` (default: as `progress`): the accounting line of each
    file on stderr as soon as it is loaded.
    """
    echo = progress if echo is None else echo
    checked = check_paths(paths, fmt)
    results: list[LoadResult] = []
    with warehouse.transaction(con):
        for path, file_fmt in checked:
            try:
                result = load_file(con, contract, path, file_fmt, progress)
            except OSError as exc:
                # readable when the call began, gone or locked since: logrotate's compress
                # removes `access.log.1` while `ingest access.log*` runs (a traceback, exit 1)
                raise IngestError(_whole_call(
                    f"{path}: can no longer be read ({exc.strerror or exc}): it could when ingest "
                    "started (rotated, removed or its permissions changed meanwhile?)", results)) from None
            except IngestError as exc:
                raise IngestError(_whole_call(str(exc), results)) from None
            results.append(result)
            _recount_continued(con, results, echo)
            if echo:
                print(result.summary(), file=sys.stderr, flush=True)
                warning = _contract_warning(result, contract)
                if warning:
                    print(warning, file=sys.stderr, flush=True)
        _group_other_loader(results)
        warning = echo and next(filter(None, (loader_warning(r, contract) for r in results)), None)
        if warning:
            print(warning, file=sys.stderr, flush=True)
        _refresh_facts(con, contract, progress, echo, loaded=any(r.state == "loaded" for r in results))
    return results


def _group_other_loader(results: list[LoadResult]) -> None:
    """Several files of one call holding lines another loader read are said in one warning:
    the first of them carries all (other_loader_files), the others none."""
    concerned = [at for at, r in enumerate(results) if r.other_loader]
    if len(concerned) < 2:
        return
    files = tuple((_kept_lines(results[at]), results[at].other_loader) for at in concerned)
    for n, at in enumerate(concerned):
        results[at] = dataclasses.replace(results[at], other_loader_files=files if n == 0 else ())
