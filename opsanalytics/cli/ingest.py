"""`opsanalytics ingest FILE... --db DB --config CONTRACT.toml [--format ...]`: load logs.

Everything is checked before the warehouse is touched (the contract, every file); the load
itself is one transaction, so bad input leaves nothing half-written, and a database this
command created for a load that failed is removed again. The checks that follow the commit
(why lines were rejected, opsanalytics.ingest.cautions) cannot undo it: when DuckDB fails
them, one warning line on stderr says so and why, and the exit status stays 0 (the load is in
the warehouse).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import Contract, load_contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import FORMATS, LoadResult, check_paths, ingest_files, rejected_reasons
from opsanalytics.ingest.cautions import cautions as load_cautions
from opsanalytics.ingest.kannel import OTHER_LOG_REASONS
from opsanalytics.safe_text import visible


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="load Kannel access logs (plain or .gz) or canonical CSV/Parquet into the warehouse",
        description="Load files into the warehouse, then rebuild the reference tables and facts "
                    "(kept as they are when nothing new was loaded and the contract is the same). "
                    "Each file is accounted for (lines = events + markers + rejected); a file "
                    "whose content was already loaded (under any name, plain or gzipped) is skipped, and "
                    "a longer copy of a log loaded while it was written loads only its new lines; "
                    "all or nothing.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="access.log, access.log.2.gz, events.csv, events.parquet ...")
    parser.add_argument("--db", required=True, help="warehouse DuckDB file (created if missing)")
    parser.add_argument("--config", required=True, help="contract TOML (log_timezone, access_log_format, ...)")
    parser.add_argument("--format", choices=FORMATS, default="auto",
                        help="auto (default): .csv/.csv.gz -> csv, .parquet -> parquet; another name by its content "
                             "(PAR1 -> parquet, a canonical CSV header -> csv), else kannel")
    parser.add_argument("--memory-limit", default=warehouse.LOAD_MEMORY_LIMIT, metavar="SIZE",
                        help=f"DuckDB memory for the load and the facts rebuild (default "
                             f"{warehouse.LOAD_MEMORY_LIMIT}: a 5 M-line log peaks at 1.3 GB of RAM; "
                             "beyond it DuckDB spills to DB.tmp/). The process takes about 0.3-0.7 GB "
                             "more: blocks of the log being read, Python. More rebuilds the facts of a "
                             "large warehouse faster (15 M lines: 83 s under 1GB, 52 s and 5.4 GB "
                             "with no limit); -1: no limit")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar, no 'facts: kept' note (warnings and the reasons of "
                             "rejected lines still go to stderr)")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    contract = load_contract(args.config)
    check_paths(args.files, args.format)
    db = Path(args.db)
    new_file = str(db) != ":memory:" and not db.exists()
    # ours to remove on failure only once this process has opened it: another ingest that
    # created it a moment before holds its lock, and its committed load must not vanish
    created = False
    results: list[LoadResult] | None = None
    try:
        con = warehouse.connect(db, create=True, memory_limit=args.memory_limit)
        created = new_file
        try:
            results = ingest_files(con, contract, args.files, fmt=args.format, progress=not args.quiet,
                                   echo=False)
            reasons, cautions = _post_load_checks(con, contract, results, args.config)
        except duckdb.OutOfMemoryException as exc:
            raise IngestError(f"out of memory under --memory-limit {args.memory_limit} "
                              f"({str(exc).splitlines()[0]}); nothing was loaded: give it more, "
                              "e.g. --memory-limit 4GB") from None
        except (duckdb.IOException, duckdb.TransactionException) as exc:
            if not _write_failure(exc):
                raise
            raise IngestError(f"{db}: cannot write the warehouse ({str(exc).splitlines()[0]}); nothing was "
                              "loaded. The file keeps the size the failed load gave it (DuckDB reuses that "
                              "space on the next load): free disk space where it lives, or move it") from None
        finally:
            con.close()
        _print_results(results, reasons, cautions)
    except BaseException as exc:
        committed = results is not None or isinstance(exc, warehouse.InterruptedAfterCommit)
        if not committed:
            if created:
                for leftover in (db, db.with_name(db.name + ".wal")):
                    leftover.unlink(missing_ok=True)
            raise
        if isinstance(exc, KeyboardInterrupt) or warehouse.is_interrupt(exc):
            # Ctrl-C after the COMMIT: the load is in the warehouse, say so
            raise warehouse.InterruptedAfterCommit(
                "interrupted after the load was committed: the warehouse keeps it "
                f"(`opsanalytics status --db {db}` shows it)") from None
        raise
    return 0


def _write_failure(exc: duckdb.Error) -> bool:
    """A full disk, a quota or a read-only mount, as DuckDB reports them while loading or at
    the commit (not a bug of ours, and not a lock: connect reports that one)."""
    return isinstance(exc, duckdb.IOException) or "Could not write" in str(exc)


def _post_load_checks(con: duckdb.DuckDBPyConnection, contract: Contract, results: list[LoadResult],
                      config: str) -> tuple[list, list[str]]:
    """Why lines were rejected, per file, and the cautions. The load is committed: DuckDB
    failing these must not undo it, nor pass unsaid: what could not be computed is replaced
    by one line saying so and why."""
    cautions = (f"the cautions (services and connections missing from {config}, receipts' clock against "
                "log_timezone, "
                "clock steps at restarts, lines of a repeated hour not placed, "
                "receipts without a status or matching no MT)")
    reasons: list = [([], 0) for _ in results]
    try:
        reasons = [rejected_reasons(con, r) for r in results]
    except duckdb.Error as exc:
        return reasons, [_checks_failed(exc, f"why lines were rejected, {cautions}")]
    try:
        return reasons, load_cautions(con, contract, results, config)
    except duckdb.Error as exc:
        return reasons, [_checks_failed(exc, cautions)]


def _checks_failed(exc: duckdb.Error, missing: str) -> str:
    """The one stderr line of a failed post-load check; an interrupt is no failure of it."""
    if warehouse.is_interrupt(exc):
        raise exc
    why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return (f"opsanalytics ingest: warning: the load is committed, but the post-load checks failed "
            f"({why}); not computed: {missing}")


def _print_results(results: list[LoadResult], reasons: list, cautions: list[str]) -> None:
    """Each file's accounting line on stdout; why lines were rejected and the cautions on stderr."""
    for result in results:
        print(result.summary())
    totals = [sum(getattr(r, k) for r in results) for k in ("lines", "events", "markers", "rejected")]
    if len(results) > 1:
        print("total: lines={} events={} markers={} rejected={}".format(*totals))
    for result, (top, count) in zip(results, reasons):
        if result.rejected:
            print(_rejected_summary(result, top, count), file=sys.stderr)
    for caution in cautions:
        print(visible(caution), file=sys.stderr)


#: a Kannel log of at least this many lines (of its own) mostly rejected points at the format;
#: a few lines mostly damaged say nothing of it
MOSTLY_REJECTED_MIN_LINES = 50


def _rejected_summary(result: LoadResult, reasons: list, count: int) -> str:
    """The rejected lines of one file by reason, with an example line of each. A canonical
    file's reasons name their row already (`row 3149: ...`, data rows, the header not
    counted): its example is not called a line, which would be another number."""
    lines = [f"{result.path}: {result.rejected} rejected line(s), by reason (every one, with its "
             f"raw text, in the rejected_lines table):"]
    width = len(str(reasons[0].lines)) if reasons else 1
    where = (lambda r: "e.g.") if result.format in ("csv", "parquet") else (lambda r: f"e.g. line {r.first_line}:")
    lines += [f"  {r.lines:>{width}}  {where(r)} {r.example}" for r in reasons]
    if count > len(reasons):
        lines.append(f"  ... and {count - len(reasons)} other reason(s)")
    # (lines of another log in the file are said by their reason: they say nothing of the format)
    other = sum(r.lines for r in reasons if r.example.startswith(OTHER_LOG_REASONS))
    if (result.format == "kannel" and result.lines - other >= MOSTLY_REJECTED_MIN_LINES
            and 2 * (result.rejected - other) > result.lines - other):
        lines.append("  most of its lines were rejected: unless the log is damaged, the contract's access_log_format "
                     "most likely does not match the gateway's access-log-format (field order, separators). The "
                     "lines that did read are loaded and kept: to read the file with another format, load it into "
                     "a new warehouse.")
    return "\n".join(lines)
