"""`opsanalytics trace ID... --db DB [--search DIR]... [--format table|json]`: the raw lines
behind the ids an audit row cites, from the files as they are now (opsanalytics.provenance).

Exit 0 when every line was found, 1 when some were not (each says why), 2 for a bad id, a
missing --search place or database, 75 while another process writes the warehouse (as every
command).
"""

from __future__ import annotations

import argparse
import json

from opsanalytics import provenance, warehouse
from opsanalytics.safe_text import visible


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "trace",
        help="the raw log lines behind event ids (mt_ids of audit rows), wherever logrotate moved them",
        description="Print the raw line of each event id an audit, content, sla or report row cites "
                    "(mt_id, dlr_id, mo_id: load_id * 10^10 + line_no; or LOAD:LINE), read from the file "
                    "that holds it now. A log renamed or compressed by logrotate, or read in several "
                    "loads while the gateway wrote it, is found by the lines each load read (their "
                    "checksum in the load manifest), not by its old name: the recorded path first, then "
                    "its rotations, then the other files of its folder and of each --search folder. For "
                    "a canonical export the id names its row (1: the first after the header), shown as "
                    "JSON. Opens the database read-only.",
    )
    parser.add_argument("ids", nargs="+", metavar="ID", help="event id, as audits print them, or LOAD:LINE")
    parser.add_argument("--db", required=True, help="warehouse DuckDB file")
    parser.add_argument("--search", action="append", default=[], metavar="DIR",
                        help="another folder (or file) to look in (repeatable): where old logs were archived")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people (default), json for scripts")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    con = warehouse.connect(args.db, read_only=True)
    try:
        found = provenance.locate(con, args.ids, args.search)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps([f.to_json() for f in found], indent=2, ensure_ascii=False))
    else:
        for f in found:
            if f.path is None:
                print(f"{f.event_id} (load {f.load_id}, line {f.line_no}): not found: {f.problem}")
            else:
                moved = "" if f.path == f.recorded_path else f" (loaded as {f.recorded_path})"
                shown = f.line if f.row is None else json.dumps(f.row, ensure_ascii=False)
                where = f"{f.path}:{f.line_no}" if f.row is None else f"{f.path}, row {f.line_no}"
                print(f"{f.event_id} {where}{moved}\n  {visible(shown, in_cell=True)}")
    return 0 if all(f.path is not None for f in found) else 1
