"""What `ingest` says about the files it read, besides their accounting line: an empty log,
lines kept from an earlier reading (another contract, another version's loader), why lines
were rejected, and a refusal that undoes the whole call.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import sys
from pathlib import Path
from typing import NamedTuple

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import Contract
from opsanalytics.ingest.lineblocks import Identity
from opsanalytics.ingest.manifest import LOADER_LIBRARIES, LoadResult

def warn_if_empty(path: Path, fmt: str, identity: Identity, contract: Contract) -> None:
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
    warnings = [w for w in (contract_warning(result, contract), loader_warning(result, contract)) if w]
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


def contract_warning(result: LoadResult, contract: Contract) -> str | None:
    """reading_warning's part about the contract's values."""
    if not result.read_otherwise:
        return None
    if result.state == "loaded" and result.first_line == 1:
        # (a shorter copy of a longer log loaded before, which loaded_within could not match)
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


def whole_call(message: str, done: list[LoadResult]) -> str:
    """A refusal that comes after files of the call were read says that they are not kept
    either (all or nothing): a file's accounting line, or a warning about it, printed before
    the error read as if that file were loaded."""
    if not done:
        return message
    return (f"{message}\nnothing of this call was kept: the {len(done)} file(s) read before it are not "
            "loaded either (all or nothing); run it again once this file is fixed or left out")


def group_other_loader(results: list[LoadResult]) -> None:
    """Several files of one call holding lines another loader read are said in one warning:
    the first of them carries all (other_loader_files), the others none."""
    concerned = [at for at, r in enumerate(results) if r.other_loader]
    if len(concerned) < 2:
        return
    files = tuple((_kept_lines(results[at]), results[at].other_loader) for at in concerned)
    for n, at in enumerate(concerned):
        results[at] = dataclasses.replace(results[at], other_loader_files=files if n == 0 else ())
