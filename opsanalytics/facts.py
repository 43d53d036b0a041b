"""Rebuild the reference tables and every fact table from `events`, in dependency order.

Called by `ingest` after each load, inside its transaction, so that facts never disagree
with the events they come from. Each step is one `CREATE OR REPLACE TABLE ... AS` in
queries/facts/<name>.sql; the facts contract is docs/schema.md.
"""

from __future__ import annotations

import datetime as dt
import sys

import duckdb
from tqdm import tqdm

from opsanalytics import reference, warehouse
from opsanalytics.config import Contract

#: queries/facts/<name>.sql, in the order they depend on each other
STEPS = (
    "int_msisdn",            # numbers as written -> E.164, numbering kind (R10)
    "fct_dlr",               # DLR lines linked to their MT
    "fct_mt_status",         # final DLR status per MT line
    "fct_mt",                # MT lines: UDH concatenation, short code, brand, status
    "fct_logical_messages",  # parts reassembled, resubmissions folded
    "fct_mt_logical",        # fct_mt.logical_id of multi-line messages
    "fct_mo",                # MO lines with their opt keyword (R4)
    "fct_opt_events",        # STOP/START per brand concerned (R4)
)

#: a Kannel ACK/NACK with no FID links to the MT line without FID at most this long before it
CONTEXT_LINK = dt.timedelta(seconds=60)
#: a receipt whose FID matches no MT links to an MT line without FID at most this long before it
FALLBACK_LINK = dt.timedelta(hours=48)


def parameters(contract: Contract) -> dict[str, object]:
    """Every bound parameter the fact queries use (each file takes the ones it names)."""
    return {
        "retry_minutes": contract.rules.retry_minutes,
        "context_link": CONTEXT_LINK,
        "fallback_link": FALLBACK_LINK,
        **reference.keyword_patterns(contract).params(),
    }


def build(con: duckdb.DuckDBPyConnection, contract: Contract, progress: bool = False) -> None:
    """Write the ref_* tables, then rebuild every fact table (inside the caller's transaction).

    `progress`: a bar on stderr naming the step (when stderr is a terminal): the rebuild
    takes longer than the load of a big log, and would otherwise look like a hang.
    """
    reference.write(con, contract)
    params = parameters(contract)
    warehouse.execute(con, "facts/macros").fetchall()
    with tqdm(STEPS, desc="facts", unit="step", file=sys.stderr, leave=False, dynamic_ncols=True,
              disable=None if progress else True) as steps:
        for step in steps:
            steps.set_postfix_str(step, refresh=True)
            warehouse.execute(con, f"facts/{step}", params).fetchall()
