"""What the read-only commands of R11, R13 and R14 (`content`, `sla`, `quality`) share with
`audit`: the same period and filter options, the warehouse opened read-only with audit's
warnings (facts built with another contract, a short code or brand nothing matches), and one
JSON document on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

from opsanalytics import warehouse
from opsanalytics.audits import Filters, facts_warnings
from opsanalytics.audits.scope import unmatched_filters
from opsanalytics.cli.options import FORMATS, add_scope_arguments, filters_from
from opsanalytics.config import Contract, load_contract
from opsanalytics.safe_text import visible

__all__ = ["FORMATS", "add_scope_arguments", "read", "write_json"]


def read(args: argparse.Namespace, command: str,
         compute: Callable[[Any, Contract, Filters], Any]) -> Any:
    """compute(con, contract, filters) on the warehouse opened read-only, after the warnings
    `audit` gives, on stderr and named after `command`."""
    filters = filters_from(args)
    contract = load_contract(args.config)
    con = warehouse.connect(args.db, read_only=True)
    try:
        for warning in [*facts_warnings(con, contract), *unmatched_filters(con, contract, filters, args.config)]:
            print(f"opsanalytics {command}: warning: {visible(warning)}", file=sys.stderr)
        return compute(con, contract, filters)
    finally:
        con.close()


def write_json(doc: dict[str, Any]) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
