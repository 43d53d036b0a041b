"""Load input files into the warehouse: one module per format, one manifest, all or nothing.

Each format module (`kannel`, `canonical`) exposes
``load(con, path, load_id, contract, progress) -> LoadCounts`` and inserts into `events`,
`log_markers` and `rejected_lines` inside the caller's transaction. This module owns what is
common to every format: choosing the format, the manifest (sha256 of the file's bytes; a file
already loaded is recorded again as `skipped` and loads nothing), the accounting check
lines = events + markers + rejected, and atomicity: every file of one call and the rebuild of
the facts run in one transaction, so a failure or a kill half-way leaves the warehouse as it
was before the call.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import IngestError

#: formats `ingest` accepts; "auto" picks one from the file name
FORMATS = ("auto", "kannel", "csv", "parquet")

#: format -> module of opsanalytics.ingest that loads it
_MODULES = {"kannel": "kannel", "csv": "canonical", "parquet": "canonical"}


class LoadCounts(NamedTuple):
    """What one format module loaded from one file."""

    lines: int
    events: int
    markers: int
    rejected: int


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

    def summary(self) -> str:
        """The accounting line printed after each file."""
        return (f"{self.path}: lines={self.lines} events={self.events} markers={self.markers} "
                f"rejected={self.rejected} ({self.state})")


def detect_format(path: Path) -> str:
    """.csv/.csv.gz -> csv, .parquet -> parquet, anything else is a Kannel access log."""
    name = path.name.lower()
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    return "kannel"


def file_sha256(path: Path, chunk: int = 1 << 22) -> str:
    """Checksum of the bytes as stored (compressed bytes for a .gz): the manifest's identity."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


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
        checked.append((path, detect_format(path) if fmt == "auto" else fmt))
    return checked


def _next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(warehouse.execute(con, "staging/next_load_id").fetchone()[0])


def _already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    return warehouse.execute(con, "staging/manifest_loaded", {"sha256": sha256}).fetchone() is not None


def _size_loaded(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    size = path.stat().st_size
    return warehouse.execute(con, "staging/manifest_size_loaded", {"size_bytes": size}).fetchone() is not None


def _record(con, load_id: int, path: Path, sha256: str, fmt: str, log_timezone: str | None,
            counts: LoadCounts, state: str) -> None:
    warehouse.execute(con, "staging/manifest_insert", {
        "load_id": load_id, "path": str(path), "sha256": sha256, "size_bytes": path.stat().st_size,
        "format": fmt, "log_timezone": log_timezone, "lines": counts.lines, "events": counts.events,
        "markers": counts.markers, "rejected": counts.rejected, "state": state,
    })


def _build_facts(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Reference tables from the contract and the facts, rebuilt inside the same transaction."""
    from opsanalytics import facts  # imported late: facts imports the reference layer

    facts.build(con, contract)


def load_file(con: duckdb.DuckDBPyConnection, contract: Contract, path: Path, fmt: str,
              progress: bool = True) -> LoadResult:
    """Load one file inside the caller's transaction; record it in the manifest."""
    load_id = _next_load_id(con)
    log_timezone = contract.log_timezone if fmt == "kannel" else None
    hashing_load = getattr(_format_module(fmt), "load_hashing", None)
    if hashing_load and not _size_loaded(con, path):
        # no loaded file has this size, so this one cannot be a duplicate: the module hashes
        # it while it loads (sha256 of a large log costs seconds of one core on its own)
        sha256, counts = hashing_load(con, path, load_id, contract, progress)
        counts, state = LoadCounts(*counts), "loaded"
        if _already_loaded(con, sha256):  # cannot happen (equal bytes, equal size): say so
            raise IngestError(f"{path}: internal error: a file of a size never loaded has a known sha256")
    else:
        sha256 = file_sha256(path)
        if _already_loaded(con, sha256):
            counts, state = LoadCounts(0, 0, 0, 0), "skipped"
        else:
            counts = LoadCounts(*_format_module(fmt).load(con, path, load_id, contract, progress))
            state = "loaded"
    if counts.lines != counts.events + counts.markers + counts.rejected:
        raise IngestError(f"{path}: internal accounting error: {counts} "
                          "(lines != events + markers + rejected); nothing was loaded")
    _record(con, load_id, path, sha256, fmt, log_timezone, counts, state)
    return LoadResult(str(path), sha256, fmt, counts.lines, counts.events, counts.markers,
                      counts.rejected, state)


def ingest_files(con: duckdb.DuckDBPyConnection, contract: Contract, paths: Iterable[str | Path],
                 fmt: str = "auto", progress: bool = True, echo: bool | None = None) -> list[LoadResult]:
    """Load every file, then rebuild the facts; all in one transaction (all or nothing).

    A file whose sha256 is already in the manifest (loaded earlier, or earlier in this same
    call) is recorded as `skipped` and loads nothing, so ingesting twice changes nothing but
    the manifest. `progress`: progress bars on stderr; `echo` (default: as `progress`): the
    accounting line of each file on stderr as soon as it is loaded.
    """
    echo = progress if echo is None else echo
    checked = check_paths(paths, fmt)
    results: list[LoadResult] = []
    with warehouse.transaction(con):
        for path, file_fmt in checked:
            result = load_file(con, contract, path, file_fmt, progress)
            results.append(result)
            if echo:
                print(result.summary(), file=sys.stderr, flush=True)
        _build_facts(con, contract)
    return results
