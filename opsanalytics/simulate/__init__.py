"""The traffic simulator: a realistic period of an aggregator's traffic as Kannel 1.4.5
access logs, the contract that goes with it, and the ground truth of every breach it holds.

It is the demo data and the oracle of every audit test: `simulate()` is deterministic for a
seed (same bytes), and `ground_truth.json` lists every breach present in the logs, per rule
id, with counts that reconcile a warehouse with what was written (docs/simulator.md).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from opsanalytics.config import iana_zones
from opsanalytics.errors import UsageError
from opsanalytics.simulate import content, outages, truth
from opsanalytics.simulate.clock import epoch_at
from opsanalytics.simulate.contract import RETRY_MINUTES, write_contract
from opsanalytics.simulate.gateway import Gateway
from opsanalytics.simulate.kannel_writer import LOG_BEGINS, LOG_ENDS, LogBook
from opsanalytics.simulate.plan import Plan
from opsanalytics.simulate.traffic import background
from opsanalytics.simulate.violations import inject
from opsanalytics.simulate.content import inject_content
from opsanalytics.simulate.outages import outage

DEFAULT_START = dt.date(2026, 10, 15)   # the period holds the autumn DST change and 11 November
MT_LABELS = ("Sent SMS", "REJECTED Send SMS", "DISCARDED SMS", "FAILED Send SMS", "EXPIRED SMS")

__all__ = ["SimulationResult", "simulate", "DEFAULT_START"]


@dataclass(frozen=True)
class SimulationResult:
    logs: list[Path]        # oldest first: the rotated gzip log, then the live one
    contract: Path
    ground_truth: Path


#: most messages a day, and over the period (days x scale): the simulator keeps the whole
#: period's plan and log lines in memory, about 4.8 KB a message (a probe: 31 days at 60,000
#: a day, 6 M log lines, peaked at 8.85 GB); volume for load tests comes from
#: bench/bench_ingest.py, which writes lines straight from DuckDB
MAX_SCALE = 200_000
MAX_MESSAGES = 2_000_000


def _check(days: int, scale: int, log_timezone: str, seed: int = 1, start: dt.date | None = None) -> None:
    if days < 1:
        raise UsageError(f"--days must be at least 1, got {days}")
    if scale < 1:
        raise UsageError(f"--scale must be at least 1 message a day, got {scale}")
    if scale > MAX_SCALE:
        raise UsageError(f"--scale must be at most {MAX_SCALE:,} messages a day, got {scale:,} (for volume, "
                         "bench/bench_ingest.py generates millions of log lines directly)")
    if days * scale > MAX_MESSAGES:
        raise UsageError(f"--days x --scale must be at most {MAX_MESSAGES:,} messages, got {days * scale:,}: the "
                         "simulator holds the whole period in memory (about 4.8 KB a message, 9.5 GB at the "
                         "limit); simulate fewer days, or generate volume with bench/bench_ingest.py")
    if seed < 0:
        raise UsageError(f"--seed must be 0 or more, got {seed}")
    if start is not None and start + dt.timedelta(days=days) > dt.date(2099, 12, 31):
        raise UsageError(f"--start {start} and --days {days} end after 2099, which no gateway clock writes")
    if log_timezone not in iana_zones():  # the contract it writes accepts no other name
        raise UsageError(f"--log-timezone: unknown time zone {log_timezone!r} (an IANA zone such as 'Europe/Paris' or 'UTC')") from None


def _gateway_life(plan: Plan) -> dict[str, int]:
    """When the log is rotated, the gateway restarted, and when it crashed (no `Log ends`)."""
    days = plan.day_list
    rotate = epoch_at(days[len(days) // 3], 6, 25)
    crash = epoch_at(days[len(days) // 2], 3, 50)
    restart = epoch_at(days[(2 * len(days)) // 3], 4, 10)
    plan.blackouts += [(rotate - 1, rotate + 1), (crash - 20, crash + 1), (restart, restart + 45)]
    return {"rotate": rotate, "crash": crash, "restart": restart}


def simulate(out_dir: str | Path, days: int = 31, scale: int = 2000, seed: int = 1,
             log_timezone: str = "Europe/Paris", start: dt.date = DEFAULT_START,
             progress: bool = False) -> SimulationResult:
    """Write access logs, contract.toml and ground_truth.json into `out_dir`. `progress`: a
    bar on stderr when it is a terminal (a year at the default scale takes about 40 s)."""
    _check(days, scale, log_timezone, seed, start)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tqdm(total=4, desc="simulate", unit="step", file=sys.stderr, leave=False, dynamic_ncols=True,
              disable=None if progress else True) as bar:
        return _simulate(out, days, scale, seed, log_timezone, start, bar)


def _simulate(out: Path, days: int, scale: int, seed: int, log_timezone: str, start: dt.date,
              bar: tqdm) -> SimulationResult:
    bar.set_postfix_str("traffic and breaches", refresh=True)
    plan = Plan(start, days, scale, seed)
    life = _gateway_life(plan)
    inject(plan)
    background(plan)
    found = outage(plan)   # (last: it draws nothing, and fails what the background placed)
    inject_content(plan)   # (drawing nothing either)
    bar.update()

    bar.set_postfix_str("gateway", refresh=True)
    book = LogBook(log_timezone)
    gw = Gateway(book, plan.blackouts)
    events = [(m.t, 1, i) for i, m in enumerate(plan.mts)] + [(mo.t, 0, i) for i, mo in enumerate(plan.mos)]
    for _, kind, i in sorted(events):
        if kind:
            gw.emit_mt(plan.mts[i])
        else:
            gw.emit_mo(plan.mos[i])
    first = min(e[0] for e in book.entries) if book.entries else plan.t0
    book.add(min(first, plan.t0) - 1, LOG_BEGINS, seq=-1)
    book.add(life["rotate"] - 1, LOG_ENDS, seq=10**12)
    book.add(life["rotate"], LOG_BEGINS, seq=-1)
    book.add(life["crash"], LOG_BEGINS, seq=-1)
    book.add(life["restart"], LOG_ENDS, seq=10**12)
    book.add(life["restart"] + 45, LOG_BEGINS, seq=-1)

    bar.update()

    bar.set_postfix_str("logs", refresh=True)
    rotated, live = out / "access.log.1.gz", out / "access.log"
    written = book.write([(rotated, life["rotate"]), (live, None)])
    contract = write_contract(out / "contract.toml", log_timezone)
    bar.update()
    bar.set_postfix_str("ground truth", refresh=True)
    gt = ground_truth(plan, gw, written, log_timezone)
    gt["outages"] = outages.truth(plan, found, lambda t: truth.logged_at(t, plan.blackouts))
    gt["content"] = content.truth(plan)
    gt_path = out / "ground_truth.json"
    gt_path.write_text(json.dumps(gt, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    bar.update()
    return SimulationResult(logs=[rotated, live], contract=contract, ground_truth=gt_path)


def _label(body: str) -> str:
    cut = body.find(" [SMSC:")
    return body if cut < 0 else body[:cut]


def ground_truth(plan: Plan, gw: Gateway, written: dict[str, list[str]], log_timezone: str) -> dict:
    by_label: Counter[str] = Counter()
    files = []
    for name, bodies in written.items():
        labels = Counter(_label(b) for b in bodies)
        markers = labels[LOG_BEGINS] + labels[LOG_ENDS]
        files.append({"path": name, "lines": len(bodies), "events": len(bodies) - markers, "markers": markers})
        by_label.update(labels)
    markers = {k: by_label.pop(k) for k in (LOG_BEGINS, LOG_ENDS) if k in by_label}
    accepted = [m for m in plan.mts if m.outcome == "accepted"]
    logical, logical_accepted = truth.logical_messages(plan.mts, RETRY_MINUTES, plan.blackouts)
    total = sum(f["lines"] for f in files)
    return {
        "seed": plan.seed,
        "period": {"from": plan.start.isoformat(), "to": plan.day_list[-1].isoformat()},
        "timezone": "Europe/Paris",
        "log_timezone": log_timezone,
        "scale": plan.scale,
        "files": files,
        "lines": {
            "total": total,
            "events": total - sum(markers.values()),
            "markers": sum(markers.values()),
            "markers_by_label": markers,
            "by_label": dict(sorted(by_label.items())),
        },
        "messages": {
            "mt_logical": logical,
            "mt_logical_accepted": logical_accepted,
            "mt_lines": sum(by_label[k] for k in MT_LABELS),
            "mt_lines_accepted": by_label["Sent SMS"],
            "mt_segments_accepted": sum(m.segments for m in accepted),
            "mo": len(plan.mos),
            "mo_stop": sum(1 for mo in plan.mos if mo.keyword == "STOP"),
            "mo_start": sum(1 for mo in plan.mos if mo.keyword == "START"),
        },
        "dlr": truth.dlr_summary(plan.mts),
        "billing": truth.billing(plan.mts),
        "violations": truth.violations(plan.mts, plan.mos, gw.rate_seconds, plan.blackouts, gw.rate_seconds_max),
        "scenarios": truth.scenarios(plan.mts, plan.mos, plan.blackouts),
    }
