"""`opsanalytics audit RULE|all --db DB --config CONTRACT.toml [...]`: run compliance audits.

The JSON output is a contract for scripts (issue 3): one object per rule
`{"rule", "name", "violations", "rows", "summary"}`, a list of them for `all`. Exit 0 whether
or not breaches were found. The database is opened read-only; when the facts were built with
other values of the contract than the given one's, or logs were loaded with another
log_timezone or access-log format, a warning goes to stderr (the audit still runs on the
facts as built: rebuilding is `opsanalytics ingest`'s job, the one writer); so does one when
lines rejected at load fall in the period (no rule sees them), and one when the period holds no
accepted MT message under the filters (nothing was judged).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import pandas as pd

from opsanalytics import warehouse
from opsanalytics.audits import AuditResult, Filters, facts_warnings, resolve_rule, run, run_all
from opsanalytics.audits.result import flat_frame
from opsanalytics.audits.scope import nothing_to_judge, unmatched_filters
from opsanalytics.cli.options import add_scope_arguments, filters_from
from opsanalytics.config import Contract, load_contract
from opsanalytics.ingest.kannel import OTHER_LOG_REASONS
from opsanalytics.safe_text import for_spreadsheet, for_terminal, visible

#: rows shown per rule by --format table (the JSON and CSV outputs have them all)
TABLE_ROWS = 50


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="run compliance audits (R1-R10) over the warehouse",
        description="Run one audit (by id such as R1 or name such as freq) or all of them. "
                    "Rules: R1 freq, R2 window, R3 stop-mention, R4 stop-honour, R5 range-34, "
                    "R6 range, R7 oadc, R8 rate, R9 forecast, R10 dest. Exit 0 whether or not "
                    "breaches were found.",
    )
    parser.add_argument("rule", metavar="RULE", help="rule id (R1), name (freq) or 'all'")
    add_scope_arguments(parser)
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    everything = args.rule.strip().lower() == "all"
    spec = None if everything else resolve_rule(args.rule)
    filters = filters_from(args)
    contract = load_contract(args.config)
    con = warehouse.connect(args.db, read_only=True)
    try:
        for warning in facts_warnings(con, contract):
            print(f"opsanalytics audit: warning: {visible(warning)}", file=sys.stderr)
        unmatched = unmatched_filters(con, contract, filters, args.config)
        for warning in unmatched or nothing_to_judge(con, contract, filters):
            print(f"opsanalytics audit: warning: {visible(warning)}", file=sys.stderr)
        for warning in rejected_in_period(con, contract, filters):
            print(f"opsanalytics audit: warning: {visible(warning)}", file=sys.stderr)
        if everything:
            results = run_all(con, contract, filters)
        else:
            results = [run(con, contract, spec.id, filters)]
    finally:
        con.close()
    write(results, args.format, contract.timezone, as_list=everything)
    return 0


def rejected_in_period(con, contract: Contract, filters: Filters) -> list[str]:
    """Log lines rejected at load in the audited period: no rule sees them, so an audit
    finding 0 there may have missed breaches (a restart into another access-log format leaves
    every line after it rejected)."""
    found = warehouse.execute(con, "reports/rejected_in_period",
                              {**filters.params(contract), "other_logs": list(OTHER_LOG_REASONS)}).fetchall()
    out = []
    logs = [(path, n, first) for path, fmt, n, first in found if fmt == "kannel"]
    exports = [(path, n, first) for path, fmt, n, first in found if fmt != "kannel"]
    if logs:
        out.append(f"{_rejected_said(logs, 'log line', 'line')}. Why each was rejected is in the rejected_lines "
                   "table (ingest said so): a damaged or cut line, or another access-log format after a restart "
                   "(then split the file there and load the part after it with that format as access_log_format).")
    if exports:
        # (a CSV row may span lines: its number counts rows, the header aside)
        out.append(f"{_rejected_said(exports, 'canonical row', 'row')}. Why each was rejected, with its column, is "
                   "in the rejected_lines table (ingest said so): a value the canonical format refuses "
                   "(docs/canonical-format.md).")
    return out


def _rejected_said(files: list[tuple], what: str, unit: str) -> str:
    total = sum(n for _, n, _ in files)
    listed = ", ".join(f"{path} ({n:,}, from {unit} {first:,})" for path, n, first in files[:5])
    more = f" and {len(files) - 5} more file(s)" if len(files) > 5 else ""
    return (f"{total:,} {what}(s) in the period were rejected at load, and no rule sees them (a breach on them "
            f"is not counted): {listed}{more}")


def write(results: list[AuditResult], fmt: str, timezone: str, *, as_list: bool,
          out=None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        payload: Any = [r.to_json(timezone) for r in results]
        json.dump(payload if as_list else payload[0], out, ensure_ascii=False)
        out.write("\n")
    elif fmt == "csv":
        _write_csv(results, timezone, out)
    else:
        _write_table(results, timezone, out)


def _write_csv(results: list[AuditResult], timezone: str, out) -> None:
    """One table for all rules: a column a rule does not have is empty on its rows. Its
    integers stay integers (nullable Int64): a plain int64 column turns to floats (2.0)
    wherever the concatenation leaves it empty, and `all` must print what one rule prints."""
    frames = []
    for r in results:
        flat = flat_frame(r.rows, timezone)
        flat.insert(0, "rule", r.rule)
        integers = [c for c in flat.columns if pd.api.types.is_integer_dtype(flat[c])]
        frames.append(flat.astype({c: "Int64" for c in integers}))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["rule"])
    for_spreadsheet(frame).to_csv(out, index=False)


def _write_table(results: list[AuditResult], timezone: str, out) -> None:
    for r in results:
        out.write(f"{r.rule} {r.name}: {r.violations} violation{'s' if r.violations != 1 else ''}\n")
        for key, value in r.summary_json(timezone).items():
            if value is None or value == {} or value == []:
                continue
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
            out.write(f"  {key}: {visible(text, in_cell=True)}\n")
        if len(r.rows):
            shown = flat_frame(r.rows.head(TABLE_ROWS), timezone).drop(columns=["mt_ids"], errors="ignore")
            shown = shown.astype(object).where(shown.notna(), "")   # a missing value prints blank, not NaN
            with pd.option_context("display.width", 200, "display.max_columns", 20,
                                   "display.max_colwidth", 40):
                out.write(for_terminal(shown).to_string(index=False) + "\n")
            if len(r.rows) > TABLE_ROWS:
                out.write(f"  ... {len(r.rows) - TABLE_ROWS} more rows (use --format json or csv)\n")
        out.write("\n")
