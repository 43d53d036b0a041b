"""`opsanalytics ingest FILE... --db DB --config CONTRACT.toml [--format ...]`: load logs.

Everything is checked before the warehouse is touched (the contract, every file); the load
itself is one transaction, so bad input leaves nothing half-written, and a database this
command created for a load that failed is removed again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from opsanalytics import warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import Contract, load_contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import FORMATS, LoadResult, check_paths, ingest_files, reading_warning, rejected_reasons
from opsanalytics.ingest.kannel_format import lost_fields
from opsanalytics.report.insights import clock_offsets, clock_warnings, services_not_in_contract


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
                        help="auto (default): .csv/.csv.gz -> csv, .parquet -> parquet, anything else -> kannel")
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
            try:  # the load is committed: failing to summarise it must not undo it
                reasons = [rejected_reasons(con, r) for r in results]
                cautions = _cautions(con, contract, results, args.config)
            except duckdb.Error as exc:
                if warehouse.is_interrupt(exc):
                    raise
                reasons, cautions = [([], 0) for _ in results], []
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
        print(caution, file=sys.stderr)


def _cautions(con: duckdb.DuckDBPyConnection, contract: Contract, results: list[LoadResult],
              config: str) -> list[str]:
    """What the audits cannot see in the warehouse, said at load time rather than found out
    from an empty audit: lines already loaded with another log_timezone or access-log
    format than the contract's (kept as they were read), services the contract does not
    name, a log_timezone that the SMSC's receipts contradict, and what a custom access-log
    format leaves out."""
    cautions = [w for w in (reading_warning(r, contract) for r in results) if w]
    unnamed = services_not_in_contract(con, contract, Filters())
    if len(unnamed):
        cautions.append(_services_warning(unnamed, config))
    skewed = clock_warnings(clock_offsets(con, contract, Filters()))
    if len(skewed):
        cautions.append(_clock_warning(skewed, contract.log_timezone, config))
    lost = lost_fields(contract.access_log_format, contract.access_log_clean)
    if lost and any(r.format == "kannel" and r.state == "loaded" for r in results):
        cautions.append(f"warning: the access_log_format of {config} leaves out:\n"
                        + "\n".join(f"  {why}" for why in lost))
    return cautions


def _services_warning(unnamed, config: str) -> str:
    """Services the contract does not name: their MTs escape every marketing rule."""
    listed = ", ".join(f"{r.service} ({r.mt_lines:,} MT)" for r in unnamed.head(10).itertuples())
    more = f" and {len(unnamed) - 10} more" if len(unnamed) > 10 else ""
    return (f"warning: {len(unnamed)} service(s) sending MTs are not in {config}'s [[services]]: "
            f"{listed}{more}; their MTs have no brand and no category, so no marketing rule "
            "(R1-R4) applies to them. Name them in [[services]] and run ingest again: the facts "
            "are rebuilt for the new contract.")


def _clock_warning(skewed, log_timezone: str, config: str) -> str:
    """The SMSC's receipts date the MTs hours away from the log: most likely log_timezone is
    wrong, which shifts every R2 judgement by as much."""
    listed = ", ".join(f"{r.smsc} {r.median_offset_minutes:+g} min ({r.receipts:,} receipts)"
                       for r in skewed.head(10).itertuples())
    return (f"warning: the SMSC receipts' submit dates differ from the log's times on {listed}: is "
            f"log_timezone = \"{log_timezone}\" in {config} how the log is written (Kannel writes local "
            "time unless access-log-time = gmt)? Or does the SMSC keep another time zone (then set "
            "receipt_timezone)? A wrong log_timezone shifts the R2 window by as much.")


def _rejected_summary(result: LoadResult, reasons: list, count: int) -> str:
    """The rejected lines of one file by reason, with an example line of each."""
    lines = [f"{result.path}: {result.rejected} rejected line(s), by reason (every one, with its "
             f"raw text, in the rejected_lines table):"]
    width = len(str(reasons[0].lines)) if reasons else 1
    lines += [f"  {r.lines:>{width}}  e.g. line {r.first_line}: {r.example}" for r in reasons]
    if count > len(reasons):
        lines.append(f"  ... and {count - len(reasons)} other reason(s)")
    return "\n".join(lines)
