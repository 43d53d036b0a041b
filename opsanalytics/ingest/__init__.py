"""Load input files into the warehouse: one module per format, one manifest, all or nothing.

Each format module (`kannel`, `canonical`) exposes
``load(con, path, load_id, contract, progress) -> LoadCounts`` and inserts into `events`,
`log_markers` and `rejected_lines` inside the caller's transaction. This module owns what is
common to every format: choosing the format, the accounting check
lines = events + markers + rejected, and atomicity: every file of one call and the rebuild of
the facts run in one transaction, so a failure or a kill half-way leaves the warehouse as it
was before the call. What the manifest knows of each file (duplicates, continuations, how
and by which loader its lines were read) is in `manifest`; what `ingest` says about it, in
`notices`.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import time
from pathlib import Path
from typing import Iterable

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import manifest, notices
from opsanalytics.ingest.lineblocks import Start
# the public names of the manifest and of what ingest says, where callers have always found them
from opsanalytics.ingest.manifest import (LOADER_LIBRARIES, LoadCounts, LoadResult, OtherLoader, Reading,  # noqa: F401
                                          loader_files, loader_fingerprint, read_otherwise)
from opsanalytics.ingest.notices import (RejectReason, loader_warning, reading_warning,  # noqa: F401
                                         rejected_reasons, shown)
from opsanalytics.ingest.overlap import overlap_warning
from opsanalytics.ingest.sniff import other_compression

#: formats `ingest` accepts; "auto" picks one from the file name
FORMATS = ("auto", "kannel", "csv", "parquet")

#: names of gzip files: one of 0 bytes is refused (check_paths), as a truncated gzip is
GZIP_NAMES = (".gz", ".gzip")

#: format -> module of opsanalytics.ingest that loads it
_MODULES = {"kannel": "kannel", "csv": "canonical", "parquet": "canonical"}


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


def load_file(con: duckdb.DuckDBPyConnection, contract: Contract, path: Path, fmt: str,
              progress: bool = True) -> LoadResult:
    """Load one file inside the caller's transaction; record it in the manifest."""
    load_id = manifest.next_load_id(con)
    module = _format_module(fmt)
    hashing_load = getattr(module, "load_hashing", None)
    skipped = LoadCounts(0, 0, 0, 0)
    start, continues, identity = Start(), None, None
    hint = manifest.content_size_hint(path)
    if not hashing_load or manifest.size_loaded(con, path, hint):
        # a loaded content has this size: the file may be a duplicate, hashed before loading
        identity = manifest.identify_file(path)
        holder = manifest.already_loaded(con, identity)
        notices.warn_if_empty(path, fmt, identity, contract)
        if holder is not None:
            manifest.record(con, load_id, path, identity, fmt, contract, skipped, "skipped", start, None)
            return LoadResult(str(path), identity.sha256, fmt, 0, 0, 0, 0, "skipped",
                              read_otherwise=manifest.read_otherwise_of(con, contract, fmt, (holder,)),
                              other_loader=manifest.other_loader(con, manifest.earlier_loads(con, holder),
                                                         manifest.file_lines(identity)))
    state = "loaded"
    held_by: tuple[int, ...] = ()  # the loads holding lines of this file it does not load
    if not hashing_load:
        counts = LoadCounts(*module.load(con, path, load_id, contract, progress, fmt=fmt))
    else:
        # a format loaded while hashing is a gateway log, which grows while it is written:
        # the file may continue a log loaded earlier
        continues, start = manifest.continuation(con, path, hint)
        earlier = held_by = manifest.earlier_loads(con, continues)
        if identity:
            counts = LoadCounts(*module.load(con, path, load_id, contract, progress, start=start,
                                             earlier_loads=earlier))
        else:
            # cannot be a duplicate by its size: the module hashes it while it loads it
            # (sha256 of a large log costs seconds of one core on its own)
            identity, counts = hashing_load(con, path, load_id, contract, progress, start=start,
                                            earlier_loads=earlier)
            counts = LoadCounts(*counts)
            notices.warn_if_empty(path, fmt, identity, contract)
            holder = manifest.already_loaded(con, identity)
            if holder is not None:
                # only a multi-member gzip (its ISIZE trailer is its last member's) gets here
                manifest.unload(con, load_id)
                counts, state, start, continues = skipped, "skipped", Start(), None
                held_by = (holder,)
    if counts.lines != counts.events + counts.markers + counts.rejected:
        raise IngestError(f"{path}: internal accounting error: {counts} "
                          "(lines != events + markers + rejected); nothing was loaded")
    within = manifest.loaded_within(con, load_id, identity) if state == "loaded" and hashing_load else None
    if within:
        manifest.unload(con, load_id)
        counts, state, start, continues = skipped, "skipped", Start(), None
        within, held_by = within
    elif state == "loaded" and hashing_load and continues is None:
        # a shorter copy of a log loaded before with another reading cannot be matched with
        # it line by line (the times or fields differ): it was loaded again, and says so
        held_by = manifest.longer_copies(con, load_id, identity)
    if continues is not None:
        manifest.hand_over_last_line(con, continues, start.line)
    manifest.record(con, load_id, path, identity, fmt, contract, counts, state, start, continues)
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
    kept = held_by if within or start.line > 1 else manifest.earlier_loads(con, held_by[0]) if state == "skipped" else ()
    last_line = start.line - 1 if state == "loaded" else manifest.file_lines(identity)
    return LoadResult(str(path), identity.sha256, fmt, counts.lines, counts.events, counts.markers,
                      counts.rejected, state, start.line, within, load_id if state == "loaded" else None,
                      manifest.read_otherwise_of(con, contract, fmt, held_by), continues,
                      other_loader=manifest.other_loader(con, kept, last_line))


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
                raise IngestError(notices.whole_call(
                    f"{path}: can no longer be read ({exc.strerror or exc}): it could when ingest "
                    "started (rotated, removed or its permissions changed meanwhile?)", results)) from None
            except IngestError as exc:
                raise IngestError(notices.whole_call(str(exc), results)) from None
            results.append(result)
            _recount_continued(con, results, echo)
            if echo:
                print(result.summary(), file=sys.stderr, flush=True)
                warning = notices.contract_warning(result, contract)
                if warning:
                    print(warning, file=sys.stderr, flush=True)
        notices.group_other_loader(results)
        warning = echo and next(filter(None, (notices.loader_warning(r, contract) for r in results)), None)
        if warning:
            print(warning, file=sys.stderr, flush=True)
        _refresh_facts(con, contract, progress, echo, loaded=any(r.state == "loaded" for r in results))
    return results


