"""Rebuild the reference tables and every fact table from `events`, in dependency order.

Called by `ingest` after each load, inside its transaction, so that facts never disagree
with the events they come from. Each step is one `CREATE OR REPLACE TABLE ... AS` in
queries/facts/<name>.sql; the facts contract is docs/schema.md. Each rebuild records the
fingerprint of what it was built from (facts_builds), so that an ingest that brings nothing
new keeps the facts instead of rebuilding them (`refresh`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import sys
import time
from pathlib import Path
from typing import NamedTuple

import duckdb
from tqdm import tqdm

from opsanalytics import reference, warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import WarehouseError

#: queries/facts/<name>.sql, in the order they depend on each other
STEPS = (
    "int_msisdn",            # numbers as written -> E.164, numbering kind (R10)
    "int_line_connection",   # the connection of lines Kannel logs with an empty SMSC
    "int_dlr_links",         # the MT line each DLR line is linked to
    "fct_dlr",               # DLR lines with their link, status and receipt fields
    "fct_mt_status",         # final DLR status per MT line
    "fct_mt",                # MT lines: UDH concatenation, short code, brand, status
    "fct_logical_messages",  # parts reassembled, resubmissions folded
    "fct_mt_logical",        # fct_mt.logical_id of multi-line messages
    "fct_accepted_attempts", # (view) every accepted attempt of a logical message (R2-R7)
    "fct_accepted_sends",    # (view) each accepted line of a message: when it was sent (R2, R4, R5)
    "fct_mo",                # MO lines with their opt keyword (R4)
    "fct_opt_events",        # STOP/START per brand concerned (R4)
)

#: steps that update a table an earlier step wrote (every other step writes the table it names)
UPDATE_STEPS = ("fct_mt_logical",)
#: besides the events and the contract, the facts are a function of this code and of the
#: data these libraries hold (holiday calendar, numbering plan, SQL engine)
CODE = ("facts.py", "reference.py", "calendar.py", "numbering.py")
LIBRARIES = ("duckdb", "holidays", "phonenumbers")

#: a Kannel ACK/NACK with no FID links to the MT line without FID at most this long before it
CONTEXT_LINK = dt.timedelta(seconds=60)
#: a receipt whose FID matches no MT links to an MT line without FID at most this long before it
FALLBACK_LINK = dt.timedelta(hours=48)
#: a `FAILED Receive DLR` logged before the MT line of its (smsc, FID, number) links to it when
#: at most this long before it: the SMSC sent the receipt before its submit_sm_resp (real
#: Kannel 1.4.5: the receipt logged unmatched 1 s before the MT line), which Kannel waits for
#: `wait-ack` (60 s by default) at most
LOST_AFTER = dt.timedelta(seconds=60)
#: an MT line with no service, the numbers and text of an MO logged at most this long before it
#: in the same log, is that MO sent back out (Kannel's reroute: `Sent SMS` right after its
#: `Receive SMS`, same second on a real Kannel 1.4.5)
FORWARD_DELAY = dt.timedelta(seconds=60)
#: the parts of one concatenated message (same smsc, service, OAdC, number, reference and
#: part count) may lie this long apart at least; a longer gap starts a new message. The
#: gap allowed is the greater of this and `retry_minutes`: parts come within seconds, and a
#: part resent after a failure within `retry_minutes` still joins its message, but
#: `retry_minutes = 0` (no folding of resends) must not split every message into its parts
PART_GAP = dt.timedelta(minutes=10)


#: the contract's keys whose values are built into the facts and reference tables at ingest:
#: an audit reads them from the facts, whatever contract it is given, and `ingest` applies a
#: new value by rebuilding the facts (docs/audits.md). Short codes and services are compared
#: item by item (by code, by name), every key of each: smsc, rate, oadc, geo_presence,
#: brands; brand, category, stop_notice_exempt.
FACT_KEYS = ("rules.retry_minutes", "rules.alsace_moselle", "rules.stop_keywords", "rules.start_keywords",
             "short_codes", "services")
#: list keys of FACT_KEYS -> the key that names one of their items
_ITEM_KEYS = {"short_codes": "code", "services": "name"}


class StaleValue(NamedTuple):
    """A value the facts were built with (`built`) that the contract now gives otherwise
    (`now`); None for an item (a short code, a service) one of them does not declare."""

    key: str      # rules.alsace_moselle, short_codes[36180].oadc, services[acme]
    built: object
    now: object


def _same(a: object, b: object) -> bool:
    """Equal as the facts read them: lists of names (keywords, OAdC names, brands) as sets."""
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(v, str) for v in a + b):
        return sorted(a) == sorted(b)
    return a == b


def stale_values(built: dict[str, object], contract: Contract) -> list[StaleValue]:
    """The values of FACT_KEYS that differ between `built` (what the facts were built with:
    ref_settings.contract_values, reference.contract_values of that contract) and `contract`.
    Values read at audit time (thresholds, time zone) and at load time (log_timezone, the
    access-log format) are not compared here."""
    now = reference.contract_values(contract)
    stale = []
    for key in FACT_KEYS:
        if key in _ITEM_KEYS:
            name = _ITEM_KEYS[key]
            old = {item[name]: item for item in built.get(key) or []}
            new = {item[name]: item for item in now.get(key) or []}
            for ident in [*old, *(i for i in new if i not in old)]:
                a, b = old.get(ident), new.get(ident)
                if a is None or b is None:
                    stale.append(StaleValue(f"{key}[{ident}]", a, b))
                    continue
                stale += [StaleValue(f"{key}[{ident}].{field}", a.get(field), b.get(field))
                          for field in dict.fromkeys([*a, *b]) if not _same(a.get(field), b.get(field))]
        else:
            section, field = key.split(".")
            a, b = (built.get(section) or {}).get(field), now[section][field]
            if not _same(a, b):
                stale.append(StaleValue(key, a, b))
    return stale


def parameters(contract: Contract) -> dict[str, object]:
    """Every bound parameter the fact queries use (each file takes the ones it names)."""
    return {
        "retry_minutes": contract.rules.retry_minutes,
        "context_link": CONTEXT_LINK,
        "fallback_link": FALLBACK_LINK,
        "lost_after": LOST_AFTER,
        "forward_delay": FORWARD_DELAY,
        "part_gap": PART_GAP,
        **reference.keyword_patterns(contract).params(),
    }


def fingerprint(con: duckdb.DuckDBPyConnection, contract: Contract) -> str:
    """sha256 of everything the facts are computed from: the events (the loads that hold
    them, and their count), the contract (its values, and the text digest that ref_settings
    records, which `audit` compares), the SQL and Python that build them, and the versions
    of the libraries whose data they use. Equal fingerprints, equal facts. Not the contract's
    path: the same file named another way (`../sim/contract.toml` from another folder)
    rebuilt every fact of a nightly job that loaded nothing new."""
    loads, events = warehouse.execute(con, "facts/build_inputs").fetchone()
    return _digest([json.dumps(loads), str(events), contract.model_dump_json(), contract.digest,
                    code_fingerprint()])


def code_fingerprint() -> str:
    """sha256 of what builds the facts besides the events and the contract: the SQL and
    Python that compute them and the versions of the libraries whose data they use. Recorded
    with each rebuild, so that a reader can tell facts another version built (`check_code`)."""
    queries = warehouse.queries_dir()
    code = [*sorted((queries / "facts").glob("*.sql")), *sorted((queries / "reference").glob("*.sql")),
            *(Path(__file__).with_name(name) for name in CODE)]
    return _digest([*(f"{lib} {importlib.metadata.version(lib)}" for lib in LIBRARIES),
                    *(path.read_bytes() for path in code)])


def _digest(parts: list[str | bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(hashlib.sha256(data).digest())  # (hashed apart: no two inputs can run together)
    return digest.hexdigest()


def check_code(con: duckdb.DuckDBPyConnection) -> None:
    """Fail when the facts were built by other code than this: another version of
    opsanalytics (an upgrade, or a colleague's older copy ingesting into the same warehouse)
    or of the libraries in LIBRARIES. Their links, statuses and counts are that code's, and
    every reader would show them as this version's answers. Facts built before the code was
    recorded (no code_fingerprint) are another version's too."""
    if not warehouse.has_table(con, "fct_mt"):
        return  # no facts at all: each reader says they are not built
    recorded = ("facts_builds", "code_fingerprint") in warehouse.columns(con, "facts_builds")
    built_by = warehouse.execute(con, "facts/build_last_code").fetchone()[0] if recorded else None
    if built_by != code_fingerprint():
        raise WarehouseError(
            "the facts were built by another version of opsanalytics (or of "
            f"{', '.join(LIBRARIES)}): their DLR links, statuses and counts are that version's. "
            "Run `opsanalytics ingest` again, with any log already loaded, to rebuild them with this "
            "version (the log is skipped; only the facts are rebuilt). The rebuild writes the "
            "warehouse: it needs write access to the warehouse (its owner, or a user who may write "
            "the file)")


def refresh(con: duckdb.DuckDBPyConnection, contract: Contract, progress: bool = False) -> bool:
    """Rebuild the facts unless the last rebuild had the same fingerprint and its tables are
    all there; returns whether it rebuilt. An ingest that loaded nothing new (a nightly job
    offered the logs it already has) then costs the hashing of its files, not a rebuild
    from every event of the warehouse (5 M lines: about 25 s)."""
    tables = [step for step in STEPS if step not in UPDATE_STEPS]
    last, complete = warehouse.execute(con, "facts/build_last", {"tables": tables}).fetchone()
    current = fingerprint(con, contract)
    if complete and last == current:
        return False
    build(con, contract, progress, built_from=current)
    return True


def build(con: duckdb.DuckDBPyConnection, contract: Contract, progress: bool = False,
          built_from: str | None = None) -> None:
    """Write the ref_* tables, then rebuild every fact table (inside the caller's transaction),
    and record the rebuild with its fingerprint (`built_from`: already computed by the caller).

    `progress`: a bar on stderr naming the step (when stderr is a terminal): the rebuild
    takes longer than the load of a big log, and would otherwise look like a hang.
    """
    started = time.perf_counter()
    built_from = built_from or fingerprint(con, contract)
    reference.write(con, contract)
    params = parameters(contract)
    warehouse.execute(con, "facts/macros").fetchall()
    # fct_mt counts the segments a lossy text may stand for as the loaders count segments
    con.execute(warehouse.query_text("reference/segment_macros"))
    # fact rows carry their ids and every reader orders what it shows (5 M lines: the
    # rebuild 29.4 -> 27.7 s)
    with warehouse.unordered_writes(con), tqdm(STEPS, desc="facts", unit="step", file=sys.stderr, leave=False,
                                               dynamic_ncols=True, disable=None if progress else True) as steps:
        for step in steps:
            steps.set_postfix_str(step, refresh=True)
            warehouse.execute(con, f"facts/{step}", params).fetchall()
    warehouse.execute(con, "facts/build_record",
                      {"fingerprint": built_from, "code_fingerprint": code_fingerprint(),
                       "seconds": time.perf_counter() - started}).fetchall()
