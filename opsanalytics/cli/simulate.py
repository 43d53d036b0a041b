"""`opsanalytics simulate`: write simulated Kannel logs, a contract and their ground truth."""

from __future__ import annotations

import argparse
import datetime as dt

from opsanalytics.cli import unwritable
from opsanalytics.errors import UsageError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="write a realistic period of Kannel 1.4.5 access logs, a contract and the ground truth",
        description=(
            "Write Kannel 1.4.5 access logs (access.log and a rotated access.log.1.gz), contract.toml "
            "and ground_truth.json (every breach injected, per rule id, and line counts) into DIR. "
            "Deterministic for a seed. See docs/simulator.md."
        ),
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--days", type=int, default=31, help="length of the period in days (default 31)")
    p.add_argument("--scale", type=int, default=2000,
                   help="background MT messages per day (default 2000, at most 200,000, and days x scale at "
                        "most 2,000,000: the whole period is held in memory, about 4.8 KB a message; for "
                        "load tests bench/bench_ingest.py writes millions of lines)")
    p.add_argument("--seed", type=int, default=1, help="random seed, 0 or more: same seed, same bytes (default 1)")
    p.add_argument("--log-timezone", default="Europe/Paris", metavar="TZ",
                   help="time zone of the log prefix: Europe/Paris (Kannel's default, local), "
                        "UTC (access-log-time = gmt), or any IANA zone")
    p.add_argument("--start", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="first day (default 2026-10-15: the period holds the autumn DST change and 11 November)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from opsanalytics.simulate import DEFAULT_START, simulate

    if args.days > 3660:
        raise UsageError(f"--days {args.days}: at most ten years")
    try:
        result = simulate(args.out, days=args.days, scale=args.scale, seed=args.seed,
                          log_timezone=args.log_timezone, start=args.start or DEFAULT_START, progress=True)
    except KeyboardInterrupt:
        # the files are written in place: say so rather than that nothing was kept
        raise KeyboardInterrupt(f"interrupted; the files in {args.out} may be incomplete "
                                "(simulate again to write them whole)") from None
    except OSError as exc:
        error = unwritable(args.out, exc)  # an unwritable or impossible --out: the user's to fix
        if error is None:
            raise
        raise error from None
    import json

    gt = json.loads(result.ground_truth.read_text(encoding="utf-8"))
    counts = ", ".join(f"{rule} {len(rows)}" for rule, rows in gt["violations"].items())
    for path in result.logs:
        print(f"wrote {path}")
    print(f"wrote {result.contract}")
    print(f"wrote {result.ground_truth}")
    print(f"{gt['lines']['total']} lines ({gt['lines']['events']} events, {gt['lines']['markers']} markers), "
          f"{gt['messages']['mt_logical']} logical MT, {gt['messages']['mo']} MO; breaches: {counts}")
    return 0
