"""An outage of Orange's platform on one connection (R13): seven hours during which every
submit on the link of 35300 fails and Kannel, its retries spent, gives up on it (`DISCARDED
SMS`, `NACK/Retries Exceeded`): longer than the 6-hour restoration Orange promises.

Placed after the background traffic (so no other message of the simulation moves): the
background submits of the link in those hours fail too, and the application tries a message
every half hour, to numbers of its own, from the first minute to the last; one submit ten
minutes before and one ten minutes after frame it. Placed on a weekday of the period's second
half whose window holds no scenario of the link and no gateway restart; none when the period
has no such day (a short one).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from opsanalytics.simulate.clock import epoch_at, iso
from opsanalytics.simulate.contract import BY_CODE
from opsanalytics.simulate.gateway import MT
from opsanalytics.simulate.numbers import e164
from opsanalytics.simulate.plan import Plan

CODE = "35300"
SERVICE = "fournil_tx"
HOURS = (9, 16)                 # local wall clock: 09:00:00 to 16:00:00
EVERY = 30 * 60                 # the application's attempts during it
FRAME = 10 * 60                 # accepted submits this long before and after
TEXT = "Le Fournil : votre commande est prête, à retirer avant 18h."


@dataclasses.dataclass(frozen=True)
class Outage:
    code: str
    start: int      # epoch of the first failed submit
    end: int        # epoch of the last


def _free(plan: Plan, day: dt.date) -> tuple[int, int] | None:
    start, end = epoch_at(day, HOURS[0]), epoch_at(day, HOURS[1])
    lo, hi = start - FRAME, end + FRAME
    if any(lo <= m.t <= hi and m.code == CODE and m.tag for m in plan.mts):
        return None
    if any(a <= hi and lo < b for a, b in plan.blackouts):
        return None
    return start, end


def outage(plan: Plan) -> Outage | None:
    days = plan.weekdays()
    for day in days[len(days) // 2:]:
        window = _free(plan, day)
        if window:
            break
    else:
        return None
    start, end = window
    for m in plan.mts:
        if m.code == CODE and start <= m.t <= end and m.outcome == "accepted":
            m.outcome, m.final = "discarded", None
    for k, t in enumerate([start - FRAME, *range(start, end + 1, EVERY), end + FRAME]):
        failed = start <= t <= end
        to = plan.injected.next()
        plan.place(MT(t=t, service=SERVICE, code=CODE, oadc=CODE, to_raw=to, msisdn=e164(to), text=TEXT,
                      outcome="discarded" if failed else "accepted", final=None if failed else "DELIVRD",
                      tag="R13 outage" if failed else "R13 outage frame"), background=False)
    return Outage(CODE, start, end)


def truth(plan: Plan, found: Outage | None, logged_at) -> list[dict]:
    """The outage as the log shows it (R13 ground truth): its connection, the accepted
    submits around it, and the failed lines between them, first and last (a background
    failure just before it belongs to it: no accepted submit between them); `logged_at`:
    when the gateway writes a line due at an epoch."""
    if found is None:
        return []
    accepted, failed = [], []
    for m in plan.mts:
        if m.code != found.code:
            continue
        attempts = [(e, o) for e, o in m.retries] + [(e, o) for _, e, o in m.part_retries]
        if m.outcome == "accepted":
            accepted += [logged_at(t) for t in m.line_seconds]
        else:
            attempts.append((m.t, m.outcome))
        failed += [logged_at(e) for e, o in attempts if o in ("discarded", "expired")]
    before = max(t for t in accepted if t < logged_at(found.start))
    after = min(t for t in accepted if t > logged_at(found.end))
    run = sorted(t for t in failed if before < t < after)
    return [{
        "smsc": BY_CODE[found.code].smsc,
        "short_code": found.code,
        "first_failure_at": iso(run[0]),
        "last_failure_at": iso(run[-1]),
        "last_ok_before": iso(before),
        "restored_at": iso(after),
        "failed_lines": len(run),
        "hours_seen": (run[-1] - run[0]) / 3600,
    }]
