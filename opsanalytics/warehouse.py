"""The DuckDB warehouse: connect, apply the schema, run the SQL files of queries/.

SQL lives in queries/<layer>/<name>.sql, one query per file. Values reach it only as bound
parameters (`$name`); this module passes each file exactly the parameters it names, so a
caller can hand every audit the same dictionary of filters.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from opsanalytics import interrupts
from opsanalytics.errors import WarehouseBusy, WarehouseError
from opsanalytics.interrupts import sigint_held
from opsanalytics.paths import queries_dir

DEFAULT_DB = "opsanalytics.duckdb"
#: instants an event may carry ($earliest_event <= logged_at < $latest_event): a line dated
#: outside is damaged (no gateway clock writes a year before 1970 or after 2099; a year 0026
#: read from a damaged line would also widen the holiday calendar to two thousand years)
EVENT_TIMES = {
    "earliest_event": dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc),
    "latest_event": dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc),
}
#: DuckDB memory for a load and the facts rebuild (`ingest --memory-limit`): bounded, so that
#: the nightly ingest of a growing warehouse does not take the memory of the machine it shares;
#: past it DuckDB spills to `<db>.tmp/`. Measured (bench/bench_ingest.py logs): at 5 M lines
#: peak RSS 1.3 GB (3.4 GB with no limit), the facts rebuild ~20 % slower; at 15 M lines
#: 1.35 GB against 5.4 GB, the rebuild 83 s against 52 s. A big warehouse on a machine of its
#: own rebuilds faster with more (`--memory-limit 8GB`).
LOAD_MEMORY_LIMIT = "1GB"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    """The SQL of queries/<name>.sql (name like 'facts/fct_mt')."""
    path = queries_dir() / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WarehouseError(f"no query file {path}") from None


def _names_used(sql: str) -> set[str]:
    return set(_PARAM.findall(_COMMENT.sub("", sql)))


def bind(sql: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The subset of `params` that `sql` names; a missing one is a programming error."""
    used = _names_used(sql)
    params = params or {}
    missing = used - params.keys()
    if missing:
        raise KeyError(f"query needs parameters {sorted(missing)}")
    return {k: params[k] for k in used}


def execute(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None):
    """Run queries/<name>.sql with its bound parameters; returns the cursor."""
    sql = query_text(name)
    return con.execute(sql, bind(sql, params))


def fetch_df(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    return execute(con, name, params).df()


def check_memory_limit(value: str) -> str:
    """A memory size as DuckDB reads it (`1GB`, `512MB`, `8GiB`; `-1`: no limit), or a
    clear error naming the value, before any database is opened."""
    try:
        with duckdb.connect(":memory:") as probe:
            probe.execute("SET memory_limit = $limit", {"limit": value})
    except duckdb.Error as exc:
        raise WarehouseError(f"memory limit {value!r} is not a size such as 1GB, 512MB or 8GiB "
                             f"({str(exc).splitlines()[0]})") from None
    return value


#: how the system refuses to open a file for writing: its permissions, an immutable file
#: (`chattr +i`), a read-only file system
_WRITE_REFUSALS = ("Permission denied", "Operation not permitted", "Read-only file system")


def lock_holder(message: str) -> str | None:
    """The process a DuckDB lock error names ('Conflicting lock is held in /usr/bin/python3
    (PID 4842)'), with its command line when this system shows it: 'process 4842
    (python -m ipykernel_launcher -f ...: a Jupyter kernel)'. None: not a lock error."""
    found = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", message)
    if not found:
        return None
    program, pid = found.group(1), found.group(2)
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = ""
    command = " ".join((command or program).split())
    shown = command if len(command) <= 120 else command[:117] + "..."
    kernel = ": a Jupyter kernel" if "ipykernel" in command else ""
    return f"process {pid} ({shown}{kernel})"



def connect(path: str | Path = DEFAULT_DB, *, read_only: bool = False, create: bool = False,
            threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. Reports and audits open read-only; loaders hold the one writer.

    `create` allows a new file; otherwise a missing database is a clear error, not a new
    empty warehouse that would make every audit silently pass. `memory_limit`: DuckDB's, for
    this connection (loaders pass LOAD_MEMORY_LIMIT); None leaves DuckDB's default.
    """
    path = Path(path)
    if memory_limit is not None:
        check_memory_limit(memory_limit)
    if str(path) != ":memory:" and not path.exists() and not create:
        raise WarehouseError(f"{path}: no such database (run `opsanalytics ingest` first)")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():  # "Could not set lock on file ...: Conflicting lock is held in ..."
            # the holder by its command line (`opsanalytics report ...`, a Jupyter kernel), not
            # DuckDB's words, which name a bare interpreter and advise its own CLI's -readonly
            holder = lock_holder(str(exc))
            raise WarehouseBusy(f"{path}: cannot open the database: another process holds it "
                                f"({holder or exc}); try again when it is done", holder=holder) from None
        denied = next((reason for reason in _WRITE_REFUSALS if reason.lower() in str(exc).lower()), None)
        if denied and not read_only:
            # the file's permissions, `chattr +i`, a read-only mount: DuckDB's words name none of
            # what to do (a probe: the readers advised `ingest`, which then said only this)
            raise WarehouseError(
                f"{path}: the warehouse file cannot be written ({denied}): `opsanalytics ingest` needs "
                "write access to it (it loads the logs and rebuilds the facts there); run it as the "
                "file's owner or a user who may write it. The readers (status, audit, report, ...) "
                "can still open it read-only") from None
        raise WarehouseError(f"{path}: cannot open the database: {exc}") from None
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute("SET threads = $threads", {"threads": int(threads)})
    if memory_limit is not None:
        con.execute("SET memory_limit = $limit", {"limit": memory_limit})
    if not read_only:
        ensure_schema(con)
    elif not has_table(con, "events"):
        raise WarehouseError(f"{path}: not an opsanalytics warehouse (no events table)")
    return con


def tables_present(con: duckdb.DuckDBPyConnection, names) -> set[str]:
    """Which of `names` (tables or views) the warehouse has: one made by an earlier version
    and opened read-only has neither the newer schema files applied nor the newer facts."""
    return {row[0] for row in execute(con, "catalog/tables_present", {"names": list(names)}).fetchall()}


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return name in tables_present(con, [name])


def columns(con: duckdb.DuckDBPyConnection, table: str | None = None) -> set[tuple[str, str]]:
    """(table, column) of every table of the warehouse, or of `table` only."""
    return set(execute(con, "catalog/columns", {"table": table}).fetchall())


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the canonical tables (idempotent): queries/schema/*.sql in name order."""
    for path in sorted((queries_dir() / "schema").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


@contextmanager
def unordered_writes(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Let the tables written inside drop the order of their rows, so that both threads write
    at once (bench/PERF-NOTES.md: -12 % on a load): only for tables whose rows carry their
    own ids or line numbers. The setting is put back afterwards, quietly: an aborted
    transaction refuses every statement, and the error that aborted it must be the one seen."""
    [(kept,)] = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
    con.execute("SET preserve_insertion_order = false")
    try:
        yield con
    finally:
        try:
            con.execute("SET preserve_insertion_order = $kept", {"kept": bool(kept)})
        except duckdb.Error:
            pass


class InterruptedAfterCommit(KeyboardInterrupt):
    """Ctrl-C that arrived while a transaction committed: the COMMIT was let finish, so its
    changes are kept, and the caller must not say that nothing was written."""


def is_interrupt(exc: BaseException) -> bool:
    """Ctrl-C as DuckDB reports it: the Python client turns a SIGINT that lands in a query
    into `RuntimeError: Query interrupted` (the KeyboardInterrupt itself is swallowed);
    `con.interrupt()` raises InterruptException."""
    return isinstance(exc, duckdb.InterruptException) or (
        type(exc) is RuntimeError and str(exc) == "Query interrupted")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failure (or a kill) half-way leaves the warehouse as before. Ctrl-C
    during COMMIT raises InterruptedAfterCommit once the commit is done (see sigint_held);
    during ROLLBACK it is dropped, the reason for the rollback being raised anyway."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        if interrupts.received():  # one DuckDB swallowed in a long query: still no commit
            raise KeyboardInterrupt
    except BaseException:
        with sigint_held():
            con.execute("ROLLBACK")
        raise
    with sigint_held() as held:
        con.execute("COMMIT")
    if held:
        raise InterruptedAfterCommit("interrupted after the changes were committed: they are kept")
