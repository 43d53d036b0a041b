"""`opsanalytics sla --db DB --config CONTRACT.toml [--from D] [--to D] [--short-code C]
[--format table|json|csv]`: R13, the outages of Orange's platform the logs show.

Read-only, with `audit`'s warnings. Exit 0: the verdicts say whether a claim stands.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from opsanalytics import sla
from opsanalytics.cli.reading import add_scope_arguments, read, write_json
from opsanalytics.safe_text import for_spreadsheet, for_terminal
#: incidents the table format lists, longest first (json and csv have them all)
TABLE_INCIDENTS = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sla",
        help="R13: outages of Orange's platform seen in the logs, availability against the 99 %% promise",
        description="List the outages the access logs show per gateway connection (R13): runs of submits "
                    "that failed for the platform's sake (Kannel gave up after temporary errors, queued "
                    "messages expired, SMPP system errors) and runs of receipts that stopped coming; each "
                    "incident with the length the log proves and the most it can have lasted, flagged when "
                    "it reaches the 6-hour restoration promise; availability per connection and month and "
                    "over the 12 months to the period's end, against the 99 % promise. --format csv prints "
                    "the incidents. Exit 0.",
    )
    # (no --brand: an outage is a connection's, not a brand's)
    add_scope_arguments(parser, brand=False,
                        to_help="last local calendar day (inclusive); the rolling 12 months end there")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    result, tz = read(args, "sla", lambda con, contract, filters: (sla.sla(con, contract, filters), contract.timezone))
    if args.format == "json":
        write_json(result.to_json())
    elif args.format == "csv":
        for_spreadsheet(result.incidents).to_csv(sys.stdout, index=False)
    else:
        _table(result, tz)
    return 0


def _table(result: sla.Sla, tz: str) -> None:
    out = sys.stdout
    if result.span[0] is None:
        out.write("R13 SLA: the warehouse holds no log\n")
        return
    out.write(f"R13 SLA: logs from {pd.Timestamp(result.span[0]).tz_convert(tz):%Y-%m-%d %H:%M} to "
              f"{pd.Timestamp(result.span[1]).tz_convert(tz):%Y-%m-%d %H:%M} ({tz}); promise: "
              f"{sla.PROMISED_AVAILABILITY:.0%} over 12 rolling months, restoration within "
              f"{sla.RESTORATION.total_seconds() / 3600:g} h\n")
    with pd.option_context("display.width", 220, "display.max_columns", 30, "display.max_colwidth", 40):
        rolling = result.rolling[["smsc", "short_codes", "availability_seen", "availability_at_least",
                                  "down_seen_s", "down_at_most_s", "verdict"]]
        out.write(f"\nover the 12 months to the period's end\n"
                  f"{for_terminal(rolling.astype(object).where(rolling.notna(), '')).to_string(index=False)}\n")
        incidents = result.incidents
        if len(incidents):
            longest = incidents.sort_values(["at_most_s", "seen_s"], ascending=False).head(TABLE_INCIDENTS)
            shown = _local(longest[["smsc", "first_failure_at", "last_failure_at", "restored_at", "seen_s",
                                    "longest_seen_s", "at_most_s", "failed_lines", "usual_reason", "over_6h"]], tz)
            out.write(f"\nincidents, longest first ({len(incidents)} in all)\n{for_terminal(shown).to_string(index=False)}\n")
        else:
            out.write("\nno submit incident\n")
        if len(result.receipt_gaps):
            out.write(f"\nreceipt gaps\n{for_terminal(_local(result.receipt_gaps, tz)).to_string(index=False)}\n")
        if len(result.receipt_stalls):
            out.write(f"\nreceipt stalls (receipts held over {sla.STALL_DELAY.total_seconds() / 3600:g} h)\n"
                      f"{for_terminal(_local(result.receipt_stalls, tz)).to_string(index=False)}\n")
        if len(result.gateway_down):
            out.write(f"\nthe gateway down (no observed time)\n"
                      f"{for_terminal(_local(result.gateway_down, tz)).to_string(index=False)}\n")


def _local(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Every instant of `frame` in the contract's zone, as the header says, without offset."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = [("" if pd.isna(v) else f"{pd.Timestamp(v).tz_convert(tz):%Y-%m-%d %H:%M:%S}")
                           for v in out[column]]
    return out
