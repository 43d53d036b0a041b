"""`opsanalytics forecast`: R9, the semiannual forecasts for Orange.

    opsanalytics forecast --db DB --config C --semester 2027H1 --out DIR [--adjustments FILE]
        make the next forecast (the default action): CSV + formatted XLSX + throughput options
    opsanalytics forecast load FILE... --db DB       store submitted forecasts, every version kept
    opsanalytics forecast versions --db DB           list the versions loaded
    opsanalytics forecast compare --db DB --config C forecast vs actuals per short code and month
    opsanalytics forecast backtest --db DB --config C the model against seasonal-naive and last-value
    opsanalytics simulate-history --out DIR [--months 24] [--db DB]
        24 months of seasonal traffic with past forecasts and the R9 ground truth

`opsanalytics audit R9` runs the same comparison with the JSON contract of every audit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import pandas as pd

from opsanalytics import facts, warehouse
from opsanalytics.audits.result import flat_frame, frame_records
from opsanalytics.audits.scope import unmatched_filters
from opsanalytics.cli.options import filters_from, parse_date
from opsanalytics.config import load_contract
from opsanalytics.errors import UsageError
from opsanalytics.safe_text import for_spreadsheet, for_terminal, visible

FORMATS = ("table", "csv", "json")
DB_HELP = "warehouse DuckDB file (opened read-only)"
SHORT_CODE_HELP = "one short code only (default: every one)"
FORMAT_HELP = "table for people (default), csv or json for scripts"
DEFAULT_LEVEL = 0.80
#: the options of making a forecast (given before any action), by dest
MAKE_OPTIONS = {"make_db": "--db", "make_config": "--config", "semester": "--semester", "out": "--out",
                "adjustments": "--adjustments", "made_on": "--made-on", "level": "--level"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="R9: make the semiannual forecast for Orange; load and check submitted ones",
        description="Without a sub-command: make the next semester's forecast (per short code and month: "
                    "MT segments, peak SMS/s, intervals, throughput tier) from the warehouse's history and "
                    "write forecast_<SEMESTER>.csv, .xlsx and _throughput.csv into --out. Sub-commands load "
                    "submitted forecast files, list their versions, compare them with actuals and backtest "
                    "the model.",
        epilog="Example: opsanalytics forecast --db ops.duckdb --config contract.toml --semester 2027H1 --out out/",
    )
    # (dests of their own: an action's --db/--config would otherwise overwrite these silently)
    parser.add_argument("--db", dest="make_db", metavar="DB", help="warehouse DuckDB file (opened read-only)")
    parser.add_argument("--config", dest="make_config", metavar="CONFIG", help="contract TOML")
    parser.add_argument("--semester", help="semester to forecast, e.g. 2027H1 (January-June) or 2027H2")
    parser.add_argument("--out", help="folder to write the forecast files into")
    parser.add_argument("--adjustments", metavar="FILE",
                        help="CSV/XLSX of planned campaigns: short_code, month, extra_segments[, peak_sms_per_s]")
    parser.add_argument("--made-on", metavar="YYYY-MM-DD", help="date written in the file (default: today)")
    parser.add_argument("--level", type=float, help=f"prediction interval level (default {DEFAULT_LEVEL})")
    parser.set_defaults(func=_make, forecast_action=None)
    actions = parser.add_subparsers(dest="forecast_action", metavar="[ACTION]",
                                    title="actions (optional: without one, the forecast is made)")

    load = actions.add_parser("load", help="store forecast files (CSV/XLSX) as new versions",
                              description="Validate and store forecast files; each file is a new version "
                                          "(a correction never erases the original); the same file twice, "
                                          "or the same rows in another file (the CSV and the XLSX of one "
                                          "forecast), is skipped, naming the version holding them. A "
                                          "malformed file is refused whole, with its row "
                                          "and column.")
    load.add_argument("files", nargs="+", metavar="FILE",
                      help="forecast CSV or XLSX: short_code, month, mt_segments, peak_sms_per_s, "
                           "subscribed_rate, semester, made_on (docs/forecast.md)")
    load.add_argument("--db", required=True, help="warehouse DuckDB file (created if missing)")
    load.add_argument("--config", help="contract TOML: warn about short codes it does not declare (typos)")
    load.set_defaults(func=_load)

    versions = actions.add_parser("versions", help="list the forecast versions loaded",
                                  description="Every forecast version loaded, oldest first: file, sha256, "
                                              "when loaded and made, semesters, months, short codes, rows "
                                              "and total segments.")
    versions.add_argument("--db", required=True, help=DB_HELP)
    versions.add_argument("--short-code", help=SHORT_CODE_HELP)
    versions.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    versions.set_defaults(func=_versions)

    compare = actions.add_parser("compare", help="forecast vs actuals per short code and month, and per semester",
                                 description="Every short code and month of the data: the forecast version "
                                             "current for it, actual segments and peak, deviations, status "
                                             "(ok, flagged, no_forecast, partial); then the semester summary.")
    compare.add_argument("--db", required=True, help=DB_HELP)
    compare.add_argument("--config", required=True, help="contract TOML (time zone, tolerance)")
    compare.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first local day (default: all data)")
    compare.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last local day, inclusive")
    compare.add_argument("--short-code", help=SHORT_CODE_HELP)
    compare.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    compare.set_defaults(func=_compare)

    backtest = actions.add_parser("backtest", help="rolling-origin backtest against seasonal-naive and last-value",
                                  description="Score the forecasting model on the warehouse's complete "
                                              "months: forecasts made at past origins against what came, "
                                              "per short code, metric and method, beside the naive forecasts.")
    backtest.add_argument("--db", required=True, help=DB_HELP)
    backtest.add_argument("--config", required=True, help="contract TOML (time zone)")
    backtest.add_argument("--horizon", type=int, default=6, help="months ahead scored at each origin (default 6)")
    backtest.add_argument("--short-code", help=SHORT_CODE_HELP)
    backtest.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    backtest.set_defaults(func=_backtest)

    history = subparsers.add_parser(
        "simulate-history",
        help="R9 test data: months of seasonal traffic, past forecast files, ground truth",
        description="Write events.parquet (canonical columns), contract.toml, forecasts/*.csv (the versions "
                    "'submitted' for past semesters, with known deviations) and truth.json. With --db, also "
                    "load the events into that warehouse (then: opsanalytics forecast load OUT/forecasts/*.csv).",
    )
    history.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created)")
    history.add_argument("--months", type=int, default=24, help="months of history (default 24)")
    history.add_argument("--start", default="2025-01", metavar="YYYY-MM", help="first month (default 2025-01)")
    history.add_argument("--seed", type=int, default=7, help="random seed: the same seed, the same files (default 7)")
    history.add_argument("--db", help="also load the events into this warehouse (created if missing)")
    history.set_defaults(func=_simulate_history)


def _print(frame: pd.DataFrame, fmt: str, timezone: str = "UTC", out=None, notes: list[str] | None = None) -> None:
    """`notes` say why rows are missing (nothing to show, short codes left out): after the
    table, in place of a bare '(none)', or on stderr for csv/json so that stdout stays data."""
    out = out or sys.stdout
    notes = notes or []
    if fmt == "json":
        json.dump(frame_records(frame, timezone), out, ensure_ascii=False)
        out.write("\n")
    elif fmt == "csv":
        for_spreadsheet(flat_frame(frame, timezone)).to_csv(out, index=False)
    else:
        with pd.option_context("display.width", 220, "display.max_columns", 30, "display.max_colwidth", 60):
            if len(frame):
                out.write(for_terminal(_readable(frame, timezone)).to_string(index=False, na_rep=MISSING) + "\n")
            elif not notes:
                out.write("(none)\n")
        for note in notes:
            out.write(f"{note}\n")
        return
    _notes_to_stderr(notes)


def _notes_to_stderr(notes: list[str]) -> None:
    for note in notes:
        print(f"opsanalytics forecast: note: {note}", file=sys.stderr)


#: how a table shows a missing value (no forecast, no deviation, no version)
MISSING = "-"


def _readable(frame: pd.DataFrame, timezone: str = "UTC") -> pd.DataFrame:
    """The frame as a person reads it: missing values as '-', months as YYYY-MM (not the raw
    None/<NA>/NaN/NaT markers and first-of-month dates pandas prints), instants in `timezone`."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_convert(timezone)
        is_month = column == "month" or str(column).endswith("_month")
        if isinstance(values.dtype, pd.Float64Dtype):
            values = out[column] = values.astype("float64")   # its <NA> as NaN, which na_rep shows
        if pd.api.types.is_float_dtype(values.dtype) and not is_month:
            continue  # na_rep shows its NaN; the float formatting stays pandas'
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            values = values.astype(object)
        out[column] = [_cell(v, is_month) for v in values]
    return out


def _cell(value, is_month: bool):
    if _missing(value):
        return MISSING
    if is_month and isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, dt.datetime):  # a date stored as a midnight timestamp reads as a date
        naive_midnight = value.tzinfo is None and value == value.replace(hour=0, minute=0, second=0, microsecond=0)
        return value.date().isoformat() if naive_midnight else str(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is not missing
        return False


def _make(args: argparse.Namespace) -> int:
    from opsanalytics.forecast import make_forecast
    from opsanalytics.forecast.plan import skipped_semesters

    missing = [MAKE_OPTIONS[n] for n in ("make_db", "make_config", "semester", "out") if getattr(args, n) is None]
    if missing:
        raise UsageError(f"making a forecast needs {', '.join(missing)} "
                         "(or use a sub-command: load, versions, compare, backtest)")
    level = DEFAULT_LEVEL if args.level is None else args.level
    if not 0 < level < 1:
        raise UsageError(f"--level: expected a fraction between 0 and 1, got {level}")
    contract = load_contract(args.make_config)
    made_on = parse_date(args.made_on, "--made-on")
    con = warehouse.connect(args.make_db, read_only=True)
    try:
        facts.check_code(con)  # the actuals are this version's, or none
        forecast, paths = make_forecast(con, contract, args.semester, args.out, args.adjustments, made_on, level)
    finally:
        con.close()
    totals = forecast.totals()
    print(f"forecast {forecast.semester} for {forecast.contractor or '(no contractor set)'}: "
          f"{totals['short_codes']} short codes, {totals['mt_segments']:,} MT segments "
          f"(sum of the monthly {forecast.level:.0%} bounds {totals['segments_low']:,}-{totals['segments_high']:,}: "
          f"wider than the total's {forecast.level:.0%} interval), "
          f"history {forecast.history_label()}")
    methods = forecast.figures.groupby("short_code")["method"].first()
    for row in forecast.throughput.itertuples(index=False):
        print(f"  {row.short_code}: {methods[row.short_code]}; {row.note}")
    for line in forecast.left_out():
        print(f"  {line}")
    for note in forecast.notes:
        print(f"  note: {note}")
    for path in paths.values():
        print(f"wrote {path}")
    _notes_to_stderr(skipped_semesters(forecast))   # the analyst's, not in the file
    return 0


def _action_options_only(args: argparse.Namespace) -> None:
    """Options written before the action word are the forecast-making ones: an action never
    reads them (`forecast --config C load F --db DB` loaded F without C's checks, silently)."""
    given = [option for dest, option in MAKE_OPTIONS.items() if getattr(args, dest, None) is not None]
    if given:
        action = args.forecast_action
        raise UsageError(f"forecast {action}: {', '.join(given)} given before `{action}`: write an action's "
                         f"options after it (opsanalytics forecast {action} --db DB ...); --semester, --out, "
                         "--adjustments, --made-on and --level are for making a forecast, without an action")


def _load(args: argparse.Namespace) -> int:
    from opsanalytics.forecast import load_forecast_file

    _action_options_only(args)
    contract = load_contract(args.config) if args.config else None
    con = warehouse.connect(args.db, create=True)
    try:
        for i, path in enumerate(args.files):
            try:
                result = load_forecast_file(con, path, contract)
            except Exception:
                if args.files[i + 1:]:  # each file is stored or not on its own: say which were never read
                    print(f"opsanalytics forecast load: not read, after the error below: "
                          f"{', '.join(args.files[i + 1:])}", file=sys.stderr)
                raise
            state = (f"{result.state}: the same rows as version {result.version_id}, {result.same_as}"
                     if result.same_as else result.state)
            print(f"{result.path}: version {result.version_id}, {result.rows} rows ({state})")
            for warning in result.warnings:
                print(f"opsanalytics forecast load: warning: {path}: {visible(warning)}", file=sys.stderr)
    finally:
        con.close()
    return 0


def _versions(args: argparse.Namespace) -> int:
    from opsanalytics.forecast import forecast_versions

    _action_options_only(args)
    con = warehouse.connect(args.db, read_only=True)
    try:
        _print(forecast_versions(con, args.short_code), args.format)
    finally:
        con.close()
    return 0


def _compare(args: argparse.Namespace) -> int:
    from opsanalytics.forecast.compare import compare_notes, forecast_vs_actuals, semester_summary

    _action_options_only(args)
    contract = load_contract(args.config)
    filters = filters_from(args)
    con = warehouse.connect(args.db, read_only=True)
    try:
        facts.check_code(con)  # the actuals are this version's, or none
        for warning in unmatched_filters(con, contract, filters, args.config):  # (a typo reads as no data)
            print(f"opsanalytics forecast compare: warning: {visible(warning)}", file=sys.stderr)
        months = forecast_vs_actuals(con, contract, filters)
        notes = compare_notes(con, contract, months, filters)
    finally:
        con.close()
    semesters = semester_summary(months)
    if args.format == "json":
        payload = {"tolerance": contract.rules.forecast_tolerance,
                   "months": frame_records(months, contract.timezone),
                   "semesters": frame_records(semesters, contract.timezone)}
        json.dump(payload, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "csv":
        _print(months, "csv", contract.timezone)
    else:
        _print(months.drop(columns=["source"]), "table", contract.timezone, notes=notes["months"])
        print()
        _print(semesters, "table", contract.timezone, notes=notes["semesters"])
        return 0
    _notes_to_stderr(notes["months"] + notes["semesters"])
    return 0


def _backtest(args: argparse.Namespace) -> int:
    from opsanalytics.forecast.plan import backtest, backtest_notes

    _action_options_only(args)
    if args.horizon < 1:
        raise UsageError(f"--horizon: expected at least 1 month, got {args.horizon}")
    contract = load_contract(args.config)
    con = warehouse.connect(args.db, read_only=True)
    try:
        facts.check_code(con)  # the actuals are this version's, or none
        scores = backtest(con, contract, args.horizon, args.short_code)
        notes = backtest_notes(con, contract, args.short_code)
    finally:
        con.close()
    _print(scores, args.format, notes=notes)
    return 0


def _simulate_history(args: argparse.Namespace) -> int:
    from opsanalytics.forecast.periods import parse_month
    from opsanalytics.simulate.history import generate_history, load_history

    try:
        start = parse_month(args.start)
    except ValueError as exc:
        raise UsageError(f"--start: {exc}") from None
    if not 6 <= args.months <= 120:
        raise UsageError(f"--months: expected 6 to 120, got {args.months}")
    if args.seed < 0:
        raise UsageError(f"--seed must be 0 or more, got {args.seed}")
    history = generate_history(args.months, start, args.seed)
    paths = history.write(args.out)
    print(f"{len(history.events):,} MT lines over {history.months} months from {args.start}; "
          f"{len(history.forecasts)} forecast files; {len(history.truth_flags)} R9 months to flag "
          f"(truth.json); next semester {history.next_semester}")
    for path in paths.values():
        print(f"wrote {path}")
    if args.db:
        con = warehouse.connect(args.db, create=True)
        try:
            load_id = load_history(con, history)
        finally:
            con.close()
        print(f"loaded the events into {args.db} (load {load_id})")
    return 0
