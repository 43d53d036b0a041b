"""`opsanalytics status --db DB [--format table|json]`: what the warehouse holds.

The JSON output is a contract for scripts (issue 7); see opsanalytics/status.py. The
database is opened read-only, so status can run while nothing else writes. Exits 1 when the
tables do not hold the lines the manifest recorded as read (lines != events + markers +
rejected): a script that checks the exit status learns it without reading the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys

from opsanalytics import status, warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="counts of lines, events, MT/MO/DLR and loaded files in the warehouse",
        description="Show what the warehouse holds: the lines read (as the load manifest "
                    "recorded them) = events + markers + rejected (as the tables hold them; "
                    "a difference is a warning and exit status 1), MT "
                    "accepted/refused and segments, MO, DLR lines (unmatched) and final statuses, "
                    "dropped lines, and every file offered to ingest. Opens the database read-only. "
                    "The JSON keys: lines = lines read from the files loaded (skipped ones read none); "
                    "events, markers (Log begins/ends...), rejected = what the tables hold; "
                    "mt.accepted = Sent SMS lines; "
                    "mt.refused = REJECTED Send SMS, FAILED Send SMS, DISCARDED SMS and EXPIRED SMS lines; "
                    "mt.segments = segments of the accepted MT lines; mo.accepted = Receive SMS lines; "
                    "mo.refused = REJECTED Receive SMS lines (and 1.4.0-1.4.3's REJECTED - <list> SMS MOs); "
                    "dlr.lines = Receive DLR lines; dlr.unmatched = FAILED Receive DLR lines and Receive "
                    "DLR lines linked to no MT; dlr.delivered/dlr.failed = accepted MT lines by final "
                    "status (failed: failed, expired or rejected); dropped = DROPPED lines; files[] = path "
                    "(absolute), sha256, lines, loaded, rejected, state (loaded or skipped); "
                    "accounting_mismatch, only when lines differ from events + markers + rejected. "
                    "The README says each in full.",
    )
    parser.add_argument("--db", required=True, help="warehouse DuckDB file")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people (default), json for scripts (stable keys)")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    con = warehouse.connect(args.db, read_only=True)
    try:
        doc = status.summary(con)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(status.render_table(doc))
    message = status.mismatch_message(doc)
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0
