"""`opsanalytics demo`: the README's first command. Simulates a month of Kannel traffic into
data/demo/, loads it into data/demo/demo.duckdb, runs every report into reports/<period>/
and prints where index.html is.

A second run is idempotent: the simulation is kept when its settings are unchanged (a
stamp file records them), and only the reports are regenerated. Whether the warehouse needs
a load is checked read-only first (`pending_load`): with every log loaded and the facts
current, it is not opened for writing at all, so notebooks left open in JupyterLab (each
holds a read-only connection) do not stop it. When it must write while another process holds
the file, the error names that process and how to release it. Changing a setting starts the
demo data afresh.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

STAMP = "demo.json"
DB_NAME = "demo.duckdb"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="simulate a month of traffic, load it and render every report (what `make demo` runs)",
        description="Simulate a month of Kannel 1.4.5 traffic with injected violations into DIR, "
                    "load it into DIR/demo.duckdb and render every report into REPORTS/FROM_TO/. "
                    "Run it again: nothing is simulated or loaded twice, the reports are redone.",
    )
    parser.add_argument("--dir", default="data/demo", help="demo data folder (default data/demo)")
    parser.add_argument("--reports", default="reports", help="reports root (default reports)")
    parser.add_argument("--days", type=int, default=31, help="days simulated (default 31)")
    parser.add_argument("--scale", type=int, default=2000, help="messages per day (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--log-timezone", default="Europe/Paris", metavar="TZ",
                        help="how the simulated gateway writes times (default Europe/Paris)")
    parser.add_argument("--only", metavar="NAMES", help="only these notebooks (see `report --only`)")
    parser.add_argument("--kernel", help="Jupyter kernel name (default 'opsanalytics' when installed)")
    parser.set_defaults(func=main)


def _settings(args: argparse.Namespace, start: dt.date) -> dict:
    return {"days": args.days, "scale": args.scale, "seed": args.seed,
            "log_timezone": args.log_timezone, "start": start.isoformat()}


def prepare_data(data_dir: Path, settings: dict, say=print) -> tuple[list[Path], Path, bool]:
    """Simulate unless the stamp says the same settings were simulated and the files exist;
    returns (logs, contract, simulated now). New settings drop the old demo database."""
    from opsanalytics.simulate import simulate

    stamp_path = data_dir / STAMP
    if stamp_path.exists():
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        logs = [Path(p) for p in stamp.get("logs", [])]
        contract = Path(stamp.get("contract", ""))
        if stamp.get("settings") == settings and logs and all(p.exists() for p in logs) and contract.exists():
            say(f"simulation: {data_dir} is up to date ({settings['days']} days, {settings['scale']} messages/day)")
            return logs, contract, False
    data_dir.mkdir(parents=True, exist_ok=True)
    for stale in (data_dir / DB_NAME, data_dir / f"{DB_NAME}.wal", stamp_path):
        stale.unlink(missing_ok=True)  # demo data only: a new simulation starts a new warehouse
    say(f"simulation: {settings['days']} days at {settings['scale']} messages/day into {data_dir}")
    result = simulate(data_dir, days=settings["days"], scale=settings["scale"], seed=settings["seed"],
                      log_timezone=settings["log_timezone"], start=dt.date.fromisoformat(settings["start"]),
                      progress=True)
    stamp_path.write_text(json.dumps({
        "settings": settings,
        "logs": [str(Path(p).resolve()) for p in result.logs],
        "contract": str(Path(result.contract).resolve()),
        "ground_truth": str(Path(result.ground_truth).resolve()),
    }, indent=2), encoding="utf-8")
    return [Path(p) for p in result.logs], Path(result.contract), True


def pending_load(db: Path, contract_path: Path, logs: list[Path]) -> str | None:
    """What a load would change in the warehouse, checked with a read-only connection (None:
    nothing, the warehouse need not be opened for writing): a missing database, a table or
    column this version of the schema adds, a log whose content is not loaded, or facts
    built from other loads, another contract or other code (facts.refresh's fingerprint)."""
    from opsanalytics import facts, warehouse
    from opsanalytics.config import load_contract
    from opsanalytics.errors import WarehouseError
    from opsanalytics.ingest.lineblocks import LineReadError, identify

    if not db.exists():
        return "a new warehouse"
    try:
        con = warehouse.connect(db, read_only=True)
    except WarehouseError as exc:
        return f"it could not be read: {exc}"
    try:
        if _schema_missing(con):
            return "tables or columns this version adds"
        for log in logs:
            try:
                identity = identify(log)
            except LineReadError:
                return f"{log} to load"  # (the load says what is wrong with it)
            loaded = warehouse.execute(con, "staging/manifest_loaded", {
                "content_sha256": identity.content_sha256, "sha256": identity.sha256}).fetchone()
            if loaded is None:
                return f"{log} to load"
        tables = [step for step in facts.STEPS if step not in facts.UPDATE_STEPS]
        last, complete = warehouse.execute(con, "facts/build_last", {"tables": tables}).fetchone()
        if not complete or last != facts.fingerprint(con, load_contract(contract_path)):
            return "facts to rebuild: the contract or the code changed since they were built"
        return None
    finally:
        con.close()


def _schema_missing(con) -> bool:
    """Whether the warehouse lacks a table or column that queries/schema/ creates (a newer
    version adds them when a loader connects): compared with the schema built in memory."""
    from opsanalytics import warehouse

    fresh = warehouse.connect(":memory:", create=True)
    try:
        wanted = warehouse.columns(fresh)
    finally:
        fresh.close()
    return not wanted <= warehouse.columns(con)


def load(db: Path, contract_path: Path, logs: list[Path], why: str = "logs to load") -> list:
    """Ingest the logs (files already in the manifest are skipped). `why`: what there is to
    write, said when another process holds the warehouse (warehouse.lock_holder)."""
    from opsanalytics import warehouse
    from opsanalytics.config import load_contract
    from opsanalytics.errors import WarehouseBusy
    from opsanalytics.ingest import ingest_files

    contract = load_contract(contract_path)
    try:
        con = warehouse.connect(db, create=True, memory_limit=warehouse.LOAD_MEMORY_LIMIT)
    except WarehouseBusy as exc:
        if exc.holder is None:
            raise
        holder = exc.holder
        raise WarehouseBusy(
            f"{db}: {holder} holds the warehouse open, and the demo must write to it ({why}). "
            "If it is a notebook in JupyterLab, run its last cell (report.close()) or shut its kernel down "
            "(Kernel > Shut Down Kernel); if it is a load or a report, let it finish. Then run the demo "
            "again (notebooks may stay open while the demo has nothing new to load).") from None
    try:
        return ingest_files(con, contract, [str(p) for p in logs], fmt="auto", progress=True)
    finally:
        con.close()


def main(args: argparse.Namespace) -> int:
    from opsanalytics.cli.report import print_outcome
    from opsanalytics.errors import UsageError
    from opsanalytics.report.runner import run_report
    from opsanalytics.simulate import DEFAULT_START

    if args.days < 1 or args.scale < 1:
        raise UsageError("--days and --scale must be at least 1")
    data_dir = Path(args.dir)
    settings = _settings(args, DEFAULT_START)
    timings: dict[str, float] = {}

    started = time.perf_counter()
    logs, contract, _ = prepare_data(data_dir, settings)
    timings["simulate"] = time.perf_counter() - started

    started = time.perf_counter()
    db = data_dir / DB_NAME
    why = pending_load(db, contract, logs)
    if why is None:
        timings["ingest"] = time.perf_counter() - started
        print(f"ingest: {db} is up to date (every log loaded, facts current: not opened for writing)")
    else:
        results = load(db, contract, logs, why)
        states = {r.state for r in results}
        timings["ingest"] = time.perf_counter() - started
        print(f"ingest: {db} ({', '.join(sorted(states))})")

    date_from = DEFAULT_START
    date_to = DEFAULT_START + dt.timedelta(days=args.days - 1)
    out = Path(args.reports) / f"{date_from.isoformat()}_{date_to.isoformat()}"
    only = [n for n in args.only.split(",") if n.strip()] if args.only else None
    started = time.perf_counter()
    report = run_report(str(db), str(contract), date_from, date_to, out, only=only, kernel=args.kernel)
    timings["reports"] = time.perf_counter() - started

    total = sum(timings.values())
    print_outcome(report)
    # (the report's own line gives its rendering; the run around it also starts the kernel
    # machinery, checks the warehouse and publishes the folder: one figure each, said so)
    steps = [f"{k} {v:.1f} s" + (f" (rendering {report.seconds:.1f} s of it)" if k == "reports" else "")
             for k, v in timings.items()]
    print("time: " + ", ".join(steps) + f", total {total:.1f} s", file=sys.stderr)
    return 0 if report.ok else 1
