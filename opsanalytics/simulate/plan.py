"""The simulation plan: the period, the random stream, and the placement of every MT so
that the invariants the ground truth relies on hold by construction:

- no two MT lines share (recipient, second): a logical message is named by them;
- background traffic stays below half the subscribed rate of its short code in every
  second and keeps off the seconds reserved by injected rate bursts (R8);
- nothing is sent while the gateway is down (log rotation, restart, crash).
Background messages that collide are moved forward by a second until they fit; injected
messages are placed exactly where their scenario says.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from opsanalytics.simulate.clock import epoch_at, is_ouvrable
from opsanalytics.simulate.contract import BY_CODE
from opsanalytics.simulate.gateway import MO, MT
from opsanalytics.simulate.numbers import Family


class Plan:
    def __init__(self, start: dt.date, days: int, scale: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.start = start
        self.days = days
        self.scale = scale
        self.day_list = [start + dt.timedelta(days=i) for i in range(days)]
        self.t0 = epoch_at(start, 0)
        self.t1 = epoch_at(start + dt.timedelta(days=days), 0)
        self.mts: list[MT] = []
        self.mos: list[MO] = []
        self.numsec: set[tuple[str, int]] = set()
        self.rate_used: Counter[tuple[str, int]] = Counter()
        self.reserved: set[tuple[str, int]] = set()
        self.blackouts: list[tuple[int, int]] = []
        self.injected = Family("33699", 6)
        self.stoppers = Family("33698", 6)

    # -- calendar --------------------------------------------------------------------------
    def ouvrables(self) -> list[dt.date]:
        return [d for d in self.day_list if is_ouvrable(d)]

    def weekdays(self) -> list[dt.date]:
        return [d for d in self.day_list if d.weekday() < 5 and is_ouvrable(d)]

    # -- placement -------------------------------------------------------------------------
    def _blackout_end(self, s: int, margin: int) -> int | None:
        for a, b in self.blackouts:
            if a - margin <= s < b + 2:
                return b + 2
        return None

    def _conflict(self, m: MT, background: bool) -> int | None:
        """None if `m` fits; else the epoch it should move to."""
        seconds = [e for e, _ in m.retries] + [e for _, e, _ in m.part_retries] \
            + ([m.t] if m.outcome != "accepted" else m.line_seconds)
        margin = 900 if background else 0
        for s in seconds:
            end = self._blackout_end(s, margin)
            if end is not None:
                return m.t + (end - s)
            if (m.msisdn, s) in self.numsec:
                return m.t + 1
        if m.outcome == "accepted" and background:
            cap = max(1, BY_CODE[m.code].rate // 2)
            for s, seg in zip(m.line_seconds, m.line_segments()):
                if (m.code, s) in self.reserved or self.rate_used[(m.code, s)] + seg > cap:
                    return m.t + 1
        return None

    def place(self, m: MT, background: bool = True) -> MT:
        """Register `m`; background messages move forward until they fit."""
        for _ in range(100_000):
            target = self._conflict(m, background)
            if target is None:
                break
            if not background:
                raise AssertionError(f"injected message does not fit: {m.tag} {m.msisdn} at {m.t}")
            shift = target - m.t
            m.t = target
            m.retries = tuple((e + shift, o) for e, o in m.retries)
        for e, _ in m.retries:
            self.numsec.add((m.msisdn, e))
        for _, e, _ in m.part_retries:
            self.numsec.add((m.msisdn, e))
        if m.outcome == "accepted":
            for s, seg in zip(m.line_seconds, m.line_segments()):
                self.numsec.add((m.msisdn, s))
                self.rate_used[(m.code, s)] += seg
        else:
            self.numsec.add((m.msisdn, m.t))
        self.mts.append(m)
        return m

    def add_mo(self, mo: MO) -> MO:
        end = self._blackout_end(mo.t, 0)
        if end is not None:
            mo.t = end
        self.mos.append(mo)
        return mo
