"""`opsanalytics report --db DB --config C --from D --to D [--only NAMES] --out DIR`: run the
report notebooks with papermill and render them to offline HTML with an index.

Exit 0 when every notebook ran; 1 when one or more failed (the others are still rendered
and the index says which failed and why), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from opsanalytics.cli import unwritable
from opsanalytics.cli.options import parse_date
from opsanalytics.errors import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="run the report notebooks and render them to HTML with an index",
        description="Execute the notebooks of notebooks/ (papermill) for a period and render each "
                    "to a standalone HTML page without code that opens offline, plus index.html "
                    "with the executive summary. Executed notebooks are kept under OUT/notebooks/. "
                    "Exit 1 when a notebook failed (the others still render).",
    )
    parser.add_argument("--db", required=True, help="warehouse DuckDB file (opened read-only)")
    parser.add_argument("--config", required=True, help="contract TOML")
    parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD",
                        help="first local calendar day (inclusive)")
    parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD",
                        help="last local calendar day (inclusive)")
    parser.add_argument("--out", metavar="DIR",
                        help="report folder (default reports/FROM_TO)")
    parser.add_argument("--only", metavar="NAMES",
                        help="comma-separated notebooks: full name (20-send-windows), number (20) "
                             "or slug (send-windows); default all")
    parser.add_argument("--short-code", help="only this short code")
    parser.add_argument("--brand", help="only this brand")
    parser.add_argument("--no-pseudonymise", dest="pseudonymise", action="store_false",
                        help="show phone numbers in clear (default: salted hashes)")
    parser.add_argument("--embed-plotly", action="store_true",
                        help="inline Plotly's JavaScript in every page (single files to e-mail) "
                             "instead of one plotly.min.js next to them")
    parser.add_argument("--kernel", help="Jupyter kernel name (default: 'opsanalytics' when "
                                         "installed, else 'python3')")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="notebooks run at the same time, each in its own kernel (default 1)")
    parser.add_argument("--notebooks", metavar="DIR",
                        help="folder of report notebooks (default: the ones shipped with opsanalytics)")
    parser.set_defaults(func=main)


def default_out(date_from: dt.date, date_to: dt.date) -> Path:
    return Path("reports") / f"{date_from.isoformat()}_{date_to.isoformat()}"


def print_outcome(report, stream=None) -> None:
    """Where the index is, and what failed."""
    stream = stream or sys.stdout
    from opsanalytics.report.index import first_line

    index = (Path(report.out_dir) / "index.html").resolve()
    for run in report.failed:
        print(f"FAILED {run.name}: {first_line(run.error)}", file=sys.stderr)
    if report.summary_error:
        print(f"FAILED executive summary: {first_line(report.summary_error)}", file=sys.stderr)
    done = len(report.notebooks) - len(report.failed)
    print(f"{done}/{len(report.notebooks)} reports rendered in {report.seconds:.1f} s", file=stream)
    print(f"open {index}", file=stream)


def selection(value: str | None) -> list[str] | None:
    """The notebooks --only names; None (all) only when --only is not given: `--only ,`
    naming none is a mistake, not a request for every notebook."""
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise UsageError(f"--only {value!r} names no notebook (e.g. --only 20,send-windows; "
                         "leave --only out for all of them)")
    return names


def main(args: argparse.Namespace) -> int:
    from opsanalytics.report.runner import run_report

    date_from = parse_date(args.date_from, "--from")
    date_to = parse_date(args.date_to, "--to")
    if date_from > date_to:
        raise UsageError(f"--from {date_from} is after --to {date_to}")
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: at least 1 notebook at a time")
    out = Path(args.out) if args.out else default_out(date_from, date_to)
    only = selection(args.only)
    try:
        report = run_report(args.db, args.config, date_from, date_to, out, only=only,
                            short_code=args.short_code, brand=args.brand, pseudonymise=args.pseudonymise,
                            kernel=args.kernel, embed_plotly=args.embed_plotly,
                            notebooks=Path(args.notebooks) if args.notebooks else None,
                            jobs=args.jobs)
    except OSError as exc:
        error = unwritable(out, exc)  # an unwritable or impossible --out: the user's to fix
        if error is None:
            raise
        raise error from None
    print_outcome(report)
    return 0 if report.ok else 1
