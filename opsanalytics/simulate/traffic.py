"""Background traffic: a compliant month of an aggregator's life, by construction.

Marketing goes out in campaigns (Monday to Saturday, not on public holidays, 09:00-21:00
local, each recipient at most once per brand and local day, a STOP mention naming the short
code, the declared OAdC, half the subscribed rate at most); transactional, M2M and
interpersonal traffic runs day and night (including the repeated hour of the autumn change);
34ABC traffic answers an MO; opt-outs come from numbers that never get marketing again.
Failures are realistic: refused and discarded MTs, undelivered and expired receipts,
non-Orange subscribers, duplicate receipts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from opsanalytics.simulate import texts
from opsanalytics.simulate.clock import PARIS, epoch_at
from opsanalytics.simulate.contract import BY_CODE, BY_SERVICE
from opsanalytics.simulate.gateway import MO, MT
from opsanalytics.simulate.numbers import e164, m2m_pool, metro_pool
from opsanalytics.simulate.plan import Plan

#: share of the day's marketing per (service, short code) campaign slot
CAMPAIGNS = (
    ("acme", "36180", 0.35), ("acme", "36181", 0.15), ("bellemode", "36181", 0.22),
    ("club", "36180", 0.10), ("fournil", "35200", 0.18),
)
#: relative traffic per local hour for day-and-night services
HOUR_WEIGHTS = np.array([2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 12, 12, 12, 12, 12, 12, 12, 11, 10, 8, 6, 4, 3], float)
HOUR_WEIGHTS /= HOUR_WEIGHTS.sum()

STOP_VARIANTS = (  # (text, coding)
    ("STOP", 0), ("stop", 0), ("Stop", 0), (" Stop merci ", 0), ("STOP SMS", 0), ("ARRET", 0),
    ("arret", 0), ("ARRÊT", 2), ("ARRÊT", 0), ("Stop.", 0), ("UNSUBSCRIBE", 0),
)


def _local_time(plan: Plan, day: dt.date, hour: int) -> int:
    rng = plan.rng
    mm, ss = int(rng.integers(60)), int(rng.integers(60))
    fold = int(rng.integers(2))
    t = epoch_at(day, hour, mm, ss, fold=fold)
    # a wall-clock time that does not exist (spring change) is pushed to a real one
    if dt.datetime.fromtimestamp(t, PARIS).hour != hour and hour == 2:
        t = epoch_at(day, 3, mm, ss)
    return t


def _final(plan: Plan, m: MT, long_delay: bool = True) -> MT:
    """Draw how an accepted MT ends: delivered mostly, some failures and expiries."""
    r = plan.rng.random()
    if r < 0.925:
        m.final, m.err = "DELIVRD", "000"
        m.delay = int(2 + plan.rng.exponential(8)) if (r > 0.02 or not long_delay) else int(plan.rng.integers(300, 1800))
        m.duplicate_receipt = plan.rng.random() < 0.006
    elif r < 0.945:
        m.final, m.err, m.delay = "UNDELIV", "027", int(plan.rng.integers(600, 7200))  # absent subscriber
    elif r < 0.96:
        m.final, m.err, m.delay = "UNDELIV", "001", int(plan.rng.integers(3, 60))      # unknown subscriber
    elif r < 0.98:
        m.final, m.err, m.delay = "UNDELIV", "011", int(plan.rng.integers(2, 20))      # teleservice not provisioned
    elif r < 0.99:
        m.final, m.err, m.delay = "EXPIRED", "000", 86_400 + int(plan.rng.integers(0, 600))
    else:
        m.final = None   # no final receipt ever came
    if m.final and m.t + m.delay > plan.t1 + 3600:
        m.final = None
    return m


def _refusal(plan: Plan, m: MT) -> MT:
    r = plan.rng.random()
    if r < 0.008:
        m.outcome = "rejected"
    elif r < 0.012:
        m.outcome = "discarded"
    return m


def _sender(plan: Plan, service: str, code: str) -> str:
    options = BY_SERVICE[service].senders[code]
    return options[int(plan.rng.integers(len(options)))]


def marketing(plan: Plan, pool: list[str]) -> None:
    rng = plan.rng
    for day in plan.ouvrables():
        factor = 0.8 if day.weekday() == 5 else 1.0
        total = int(plan.scale * 0.55 * factor * rng.uniform(0.85, 1.15))
        by_brand: dict[str, list[tuple[str, str, int]]] = {}
        for service, code, share in CAMPAIGNS:
            by_brand.setdefault(BY_SERVICE[service].brand, []).append((service, code, int(total * share)))
        for brand, slots in by_brand.items():
            n_brand = sum(n for _, _, n in slots)
            if n_brand == 0:
                continue
            idx = rng.choice(len(pool), size=min(n_brand, len(pool)), replace=False)
            recipients = [pool[i] for i in idx.tolist()]
            k = 0
            for service, code, n in slots:
                n = min(n, len(recipients) - k)
                rate = max(1, BY_CODE[code].rate // 4)
                duration = n // rate + 1
                latest = epoch_at(day, 20, 30) - duration
                start = int(rng.integers(epoch_at(day, 9), max(epoch_at(day, 9) + 1, latest)))
                exempt = BY_SERVICE[service].stop_notice_exempt
                styles = rng.choice(["single", "ucs2", "gateway", "app"], size=n, p=[0.8, 0.07, 0.08, 0.05])
                for i in range(n):
                    to = recipients[k]
                    k += 1
                    with_mention = (not exempt) or rng.random() < 0.3
                    style = str(styles[i])
                    text = texts.marketing_text(brand, code if with_mention else None, rng, style)
                    m = MT(t=start + i // rate, service=service, code=code, oadc=_sender(plan, service, code),
                           to_raw=to, msisdn=e164(to), text=text, coding=2 if style == "ucs2" else 0,
                           split="gateway" if style == "gateway" else ("app" if style == "app" else "single"),
                           mention="ok")
                    _refusal(plan, m)
                    if m.outcome == "accepted":
                        _final(plan, m, long_delay=False)
                    else:
                        m.final = None
                    plan.place(m)


def _day_and_night(plan: Plan, n: int, day: dt.date, hours: np.ndarray | None = None) -> list[int]:
    p = HOUR_WEIGHTS if hours is None else hours
    hs = plan.rng.choice(24, size=n, p=p)
    return sorted(_local_time(plan, day, int(h)) for h in hs)


def transactional(plan: Plan, pool: list[str], m2m: list[str]) -> None:
    rng = plan.rng
    day_hours = np.zeros(24)
    day_hours[7:20] = 1
    day_hours /= day_hours.sum()
    for day in plan.day_list:
        n = int(plan.scale * 0.28 * rng.uniform(0.85, 1.15))
        for t in _day_and_night(plan, n, day):
            code = "36180" if rng.random() < 0.6 else "36181"
            to = pool[int(rng.integers(len(pool)))]
            text = texts.fill(texts.TRANSACTIONAL["acme_tx"][int(rng.integers(3))], rng)
            m = MT(t=t, service="acme_tx", code=code, oadc=_sender(plan, "acme_tx", code), to_raw=to,
                   msisdn=e164(to), text=text, dlr_mask=31 if rng.random() < 0.7 else 3)
            _refusal(plan, m)
            if m.outcome == "accepted":
                _final(plan, m)
            plan.place(m)
        for t in _day_and_night(plan, max(1, int(plan.scale * 0.03)), day, day_hours):
            to = pool[int(rng.integers(len(pool)))]
            m = MT(t=t, service="fournil_tx", code="35300", oadc="35300", to_raw=to, msisdn=e164(to),
                   text=texts.fill(texts.TRANSACTIONAL["fournil_tx"][0], rng), dlr_mask=3)
            plan.place(_final(plan, m))
        for t in _day_and_night(plan, max(1, int(plan.scale * 0.04)), day, np.full(24, 1 / 24)):
            to = m2m[int(rng.integers(len(m2m)))]
            if rng.random() < 0.5:
                text, coding = "CFG;INT=300;APN=m2m.orange.fr;ACK=1", 0
            else:
                text, coding = bytes(rng.integers(0, 256, size=int(rng.integers(8, 40))).tolist()).decode("latin-1"), 1
            m = MT(t=t, service="telemetry", code="38500", oadc="38500", to_raw=to, msisdn=e164(to), text=text,
                   coding=coding, dlr_mask=3, number_kind="m2m")
            plan.place(_final(plan, m))
        for t in _day_and_night(plan, max(1, int(plan.scale * 0.04)), day):
            to = pool[int(rng.integers(len(pool)))]
            text = texts.fill(texts.TRANSACTIONAL["chatplus"][int(rng.integers(3))], rng)
            coding = 2 if any(ord(c) > 0xFFFF for c in text) else 0
            m = MT(t=t, service="chatplus", code="37200", oadc="37200", to_raw=to, msisdn=e164(to), text=text,
                   coding=coding, dlr_mask=-1 if rng.random() < 0.5 else 1)
            plan.place(_final(plan, m))
            if rng.random() < 0.3:
                mo_text = texts.CHAT_MO[int(rng.integers(len(texts.CHAT_MO)))]
                plan.add_mo(MO(t=m.t + int(rng.integers(30, 900)), code="37200", msisdn=e164(to), text=mo_text))


def quiz_sessions(plan: Plan, pool: list[str]) -> None:
    """34ABC: every MT answers an MO of the same number to the same code, minutes before."""
    rng = plan.rng
    hours = np.zeros(24)
    hours[8:23] = 1
    hours /= hours.sum()
    for day in plan.day_list:
        for t in _day_and_night(plan, max(1, int(plan.scale * 0.03)), day, hours):
            to = pool[int(rng.integers(len(pool)))]
            msisdn = e164(to)
            rounds = 1 + int(rng.integers(0, 3))
            for _ in range(rounds):
                mo_text = texts.QUIZ_MO[int(rng.integers(len(texts.QUIZ_MO)))]
                mo = plan.add_mo(MO(t=t, code="34100", msisdn=msisdn, text=mo_text))
                text = texts.fill(texts.TRANSACTIONAL["quiz"][int(rng.integers(3))], rng)
                m = MT(t=mo.t + int(rng.integers(2, 15)), service="quiz", code="34100", oadc="34100",
                       to_raw=msisdn, msisdn=msisdn, text=text, dlr_mask=3)
                plan.place(_final(plan, m))
                t = m.t + int(rng.integers(60, 900))


def opt_outs(plan: Plan) -> None:
    """STOP (and a few START) MOs from numbers that never receive marketing afterwards; the
    gateway's `stop`/`start` services acknowledge them (transactional)."""
    rng = plan.rng
    for day in plan.day_list:
        n = 1 + int(plan.scale * 0.004)
        for t in _day_and_night(plan, n, day):
            msisdn = "+" + plan.stoppers.next()
            code = ("36180", "36181", "35200")[int(rng.integers(3))]
            text, coding = STOP_VARIANTS[int(rng.integers(len(STOP_VARIANTS)))]
            mo = plan.add_mo(MO(t=t, code=code, msisdn=msisdn, text=text, coding=coding, keyword="STOP"))
            ack = MT(t=mo.t + int(rng.integers(2, 10)), service="stop", code=code, oadc=code, to_raw=msisdn,
                     msisdn=msisdn, text=texts.STOP_ACK.format(code=code), dlr_mask=-1, final=None)
            plan.place(ack)
            if rng.random() < 0.2:
                back_at = ack.t + int(rng.integers(3600, 86_400))
                if back_at + 3 < plan.t1:
                    # (within the period: a START and its reply after its last day made the demo's
                    # traffic run one day more, and the forecast's run rate 31/32 of the truth)
                    mo2 = plan.add_mo(MO(t=back_at, code=code, msisdn=msisdn, text="START", keyword="START"))
                    plan.place(MT(t=mo2.t + 3, service="start", code=code, oadc=code, to_raw=msisdn,
                                  msisdn=msisdn, text=texts.START_ACK.format(code=code), dlr_mask=-1, final=None))
        for t in _day_and_night(plan, 1 + int(plan.scale * 0.002), day):
            plan.add_mo(MO(t=t, code="36180", msisdn="+" + plan.stoppers.next(),
                           text=texts.OTHER_MO[int(rng.integers(len(texts.OTHER_MO)))]))


def dst_night(plan: Plan, pool: list[str]) -> None:
    """Transactional traffic in both runs of the repeated 02:xx hour of an autumn change."""
    for day in plan.day_list:
        if epoch_at(day, 2, 30, fold=0) == epoch_at(day, 2, 30, fold=1):
            continue
        for fold in (0, 1):
            for minute in (5, 20, 35, 50):
                to = pool[int(plan.rng.integers(len(pool)))]
                text = texts.fill(texts.TRANSACTIONAL["acme_tx"][1], plan.rng)
                m = MT(t=epoch_at(day, 2, minute, int(plan.rng.integers(60)), fold=fold), service="acme_tx",
                       code="36180", oadc="36180", to_raw=to, msisdn=e164(to), text=text)
                plan.place(_final(plan, m, long_delay=False))


def background(plan: Plan) -> None:
    pool = metro_pool(plan.rng, max(3000, plan.scale * 8))
    m2m = m2m_pool(plan.rng, max(20, plan.scale // 20))
    dst_night(plan, pool)
    marketing(plan, pool)
    transactional(plan, pool, m2m)
    quiz_sessions(plan, pool)
    opt_outs(plan)
