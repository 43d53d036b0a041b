"""Injected breaches of R1-R8 and R10, and the traps next to them that must NOT be read as
breaches (multipart, resubmissions, 08:00:00 and 21:59:59, Saturday, the acknowledgement
after a STOP, START, bursts exactly at the rate, refused MTs to bad numbers).

Every injected message goes to a number of the 33699 family, never used by background
traffic, so each scenario's outcome depends only on the messages it writes. Scenarios are
placed on the first suitable days of the period and skipped when the period has none (a
short period may have no Sunday or holiday).
"""

from __future__ import annotations

import datetime as dt

from opsanalytics.simulate import texts
from opsanalytics.simulate.clock import epoch_at as at
from opsanalytics.simulate.clock import is_holiday
from opsanalytics.simulate.contract import BY_SERVICE
from opsanalytics.simulate.gateway import MO, MT
from opsanalytics.simulate.numbers import e164
from opsanalytics.simulate.plan import Plan


class Injector:
    """Places injected messages exactly where a scenario says (never moved)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rng = plan.rng

    def number(self) -> str:
        return self.plan.injected.next()

    def mt(self, tag: str, t: int, service: str, code: str, to: str | None = None, *, text=None, oadc=None,
           mention_code: str | None | bool = True, style: str = "single", coding: int = 0, delay: int = 4,
           **fields) -> MT:
        """Place one injected MT, accepted and delivered unless `fields` say otherwise. A
        marketing text gets a STOP mention for `code` (mention_code=True), for another number,
        or none (None)."""
        to = to or self.number()
        sv = BY_SERVICE[service]
        if text is None:
            if sv.category == "marketing":
                code_in_text = code if mention_code is True else (mention_code or None)
                text = texts.marketing_text(sv.brand, code_in_text, self.rng, style)
            else:
                text = texts.fill(texts.TRANSACTIONAL.get(service, texts.TRANSACTIONAL["acme_tx"])[0], self.rng)
        m = MT(t=t, service=service, code=code, oadc=oadc or code, to_raw=to, msisdn=e164(to), text=text,
               coding=2 if style == "ucs2" else coding, split=style if style in ("gateway", "app") else "single",
               tag=tag, delay=delay, **fields)
        return self.plan.place(m, background=False)

    def mo(self, tag: str, t: int, code: str, msisdn: str, text: str, coding: int = 0, keyword: str | None = None) -> MO:
        return self.plan.add_mo(MO(t=t, code=code, msisdn=msisdn, text=text, coding=coding, keyword=keyword, tag=tag))


class Scenarios:
    """The calendar scenarios are placed on: weekdays of the period (cycled when short)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rng = plan.rng
        self.inj = Injector(plan)
        self.wd = plan.weekdays()

    def day(self, i: int) -> dt.date:
        return self.wd[i % len(self.wd)]

    def later(self, d: dt.date, n: int) -> dt.date:
        """The n-th weekday after d within the period (scenario days leave room for it)."""
        after = [x for x in self.wd if x > d]
        return after[min(n, len(after)) - 1]

    def room(self, i: int, need: int) -> dt.date:
        """A weekday with at least `need` weekdays after it (cycling on i)."""
        usable = self.wd[: max(1, len(self.wd) - need)]
        return usable[i % len(usable)]


def r1_frequency(sc: Scenarios) -> None:
    """R1: frequency cap, and what must not count."""
    inj, rng, day = sc.inj, sc.rng, sc.day
    a = inj.number()
    inj.mt("R1 two singles", at(day(0), 10), "acme", "36180", a, oadc="ACME")
    inj.mt("R1 two singles", at(day(0), 16, 30), "acme", "36180", a, oadc="Acme Shop")
    b = inj.number()
    inj.mt("R1 multipart + single", at(day(1), 11), "bellemode", "36181", b, style="app")
    inj.mt("R1 multipart + single", at(day(1), 18), "bellemode", "36181", b)
    c = inj.number()
    inj.mt("R1 three on two codes", at(day(2), 9, 30), "acme", "36180", c, oadc="ACME")
    inj.mt("R1 three on two codes", at(day(2), 12), "acme", "36181", c)
    inj.mt("R1 three on two codes", at(day(2), 19, 45), "acme", "36180", c, style="gateway")
    d = inj.number()   # the local day, not the UTC day: 00:30 local is the day before in UTC
    inj.mt("R1 local day + R2 hour", at(day(3), 0, 30), "acme", "36180", d)
    inj.mt("R1 local day + R2 hour", at(day(3), 10), "acme", "36180", d)
    inj.mt("trap multipart only", at(day(4), 10), "acme", "36180", style="app")
    inj.mt("trap multipart only", at(day(4), 10, 5), "bellemode", "36181", style="app")
    # refused by the SMSC, resent 7 minutes later: one logical message (a refusal Kannel logs:
    # temporary errors such as throttling are retried by Kannel and never logged)
    f = inj.number()
    text = texts.marketing_text("Acme", "36180", rng)
    inj.mt("trap resubmission", at(day(5), 10, 7), "acme", "36180", f, text=text,
           retries=((at(day(5), 10), "rejected"),))
    g = inj.number()
    text = texts.marketing_text("BelleMode", "36181", rng)
    inj.mt("trap resubmission after discard", at(day(6), 14, 20), "bellemode", "36181", g, text=text,
           retries=((at(day(6), 14), "discarded"),))
    h = inj.number()   # a refused MT never reached Orange: it does not count
    inj.mt("trap refused + accepted", at(day(7), 9), "acme", "36180", h, outcome="rejected", final=None)
    inj.mt("trap refused + accepted", at(day(7), 15), "acme", "36180", h)
    y = inj.number()   # the cap is per brand
    inj.mt("trap two brands", at(day(8), 10), "acme", "36181", y)
    inj.mt("trap two brands", at(day(8), 10, 1), "bellemode", "36181", y)


def r2_window(sc: Scenarios) -> None:
    """R2: window, Sunday, holiday."""
    inj, plan, day = sc.inj, sc.plan, sc.day
    w = day(4)
    inj.mt("R2 hour 07:59:59", at(w, 7, 59, 59), "acme", "36180")
    inj.mt("trap R2 08:00:00", at(w, 8, 0, 0), "acme", "36180")
    inj.mt("trap R2 21:59:59", at(w, 21, 59, 59), "acme", "36180")
    inj.mt("R2 hour 22:00:00", at(w, 22, 0, 0), "bellemode", "36181")
    inj.mt("R2 hour 23:30", at(day(5), 23, 30), "fournil", "35200")
    sundays = [x for x in plan.day_list if x.weekday() == 6 and not is_holiday(x)]
    if sundays:
        inj.mt("R2 sunday", at(sundays[0], 11), "acme", "36180")
        inj.mt("R2 sunday", at(sundays[-1], 15, 45), "bellemode", "36181", style="ucs2")
    hols = [x for x in plan.day_list if is_holiday(x) and x.weekday() != 6]
    if hols:
        inj.mt("R2 holiday", at(hols[0], 10, 30), "acme", "36180")
        inj.mt("R2 holiday", at(hols[0], 17), "fournil", "35200")
    saturdays = [x for x in plan.day_list if x.weekday() == 5 and not is_holiday(x)]
    if saturdays:
        inj.mt("trap saturday", at(saturdays[0], 10), "acme", "36180")
    # submitted inside the window, delivered outside it (informative list)
    late_day = day(2)
    inj.mt("R2 late delivery", at(late_day, 21, 40), "acme", "36180",
           delay=at(late_day + dt.timedelta(days=1), 7, 15) - at(late_day, 21, 40))   # buffered overnight
    inj.mt("R2 late delivery", at(late_day, 21, 55), "bellemode", "36181", delay=15 * 60)


def r3_stop_mention(sc: Scenarios) -> None:
    """R3: STOP mention."""
    inj, rng, day = sc.inj, sc.rng, sc.day
    inj.mt("R3 missing_stop", at(day(1), 10), "acme", "36180", mention_code=None, mention="missing_stop")
    inj.mt("R3 missing_stop", at(day(3), 14), "fournil", "35200", mention_code=None, style="ucs2",
           mention="missing_stop")
    inj.mt("R3 missing_short_code", at(day(2), 11), "bellemode", "36181",
           text="BelleMode : -40% sur les manteaux ce week-end ! Répondez STOP pour vous désinscrire.",
           mention="missing_short_code")
    inj.mt("R3 wrong_number", at(day(3), 11), "acme", "36180", mention_code="36181", mention="wrong_number")
    inj.mt("trap R3 exempt", at(day(1), 12), "club", "36180", mention_code=None)
    inj.mt("trap R3 mention in last part", at(day(5), 12), "acme", "36181", style="app")
    for i, m in enumerate(texts.MENTIONS):
        body = texts.fill(texts.MARKETING["Acme"][i % 3], rng)
        inj.mt("trap R3 mention variant", at(day(6), 9, 10 + i), "acme", "36180", text=f"{body} {m.format(code='36180')}")


def r4_opt_outs(sc: Scenarios) -> None:
    """R4: opt-outs."""
    inj, later, room = sc.inj, sc.later, sc.room
    if len(sc.wd) < 4:   # each opt-out scenario needs weekdays after its STOP
        return
    d0 = room(0, 2)
    p = inj.number()
    # no reply of the gateway's `stop` service here: the brand's own message is the first MT
    # on the STOP's code after it, the acknowledgement (allowed within the grace period)
    inj.mo("R4 stop then brand on other code", at(d0, 12), "36180", e164(p), "STOP", keyword="STOP")
    inj.mt("trap R4 acknowledgement in grace", at(d0, 12, 3), "acme", "36180", p,
           text="ACME : votre désinscription est prise en compte, vous ne recevrez plus nos offres. STOP au 36180")
    inj.mt("R4 stop then brand on other code", at(later(d0, 2), 10), "acme", "36181", p)
    w = inj.number()   # the gateway acknowledged: a promotion within the grace period is no acknowledgement
    inj.mo("R4 promo after the gateway's acknowledgement", at(d0, 15), "36180", e164(w), "STOP", keyword="STOP")
    inj.mt("R4 promo after the gateway's acknowledgement", at(d0, 15, 0, 5), "stop", "36180", "+" + w,
           text=texts.STOP_ACK.format(code="36180"), dlr_mask=-1, final=None)
    inj.mt("R4 promo after the gateway's acknowledgement", at(d0, 15, 5), "acme", "36180", w,
           text="ACME : -20% sur tout le site ce jour. STOP au 36180")
    x = inj.number()   # a STOP repeated while opted out, left unanswered, grants no new acknowledgement
    inj.mo("R4 promo after a repeated stop", at(d0, 17), "36180", e164(x), "STOP", keyword="STOP")
    inj.mt("R4 promo after a repeated stop", at(d0, 17, 0, 5), "stop", "36180", "+" + x,
           text=texts.STOP_ACK.format(code="36180"), dlr_mask=-1, final=None)
    inj.mo("R4 promo after a repeated stop", at(d0, 17, 1), "36180", e164(x), "ARRÊT", coding=2, keyword="STOP")
    inj.mt("R4 promo after a repeated stop", at(d0, 17, 1, 5), "acme", "36180", x,
           text="ACME : -20% sur tout le site ce jour. STOP au 36180")

    d1 = room(1, 2)
    q = inj.number()
    inj.mo("R4 stop merci on shared code", at(d1, 11), "36181", e164(q), " Stop merci ", keyword="STOP")
    inj.mt("R4 stop merci on shared code", at(later(d1, 1), 10), "bellemode", "36181", q)
    inj.mt("R4 stop merci on shared code", at(later(d1, 2), 10), "acme", "36180", q, oadc="ACME")

    d2 = room(2, 0)
    r = inj.number()
    inj.mo("R4 two within grace", at(d2, 14), "36180", e164(r), "ARRÊT", coding=2, keyword="STOP")
    inj.mt("R4 two within grace", at(d2, 14, 2), "acme", "36180", r)
    inj.mt("R4 two within grace", at(d2, 14, 6), "acme", "36180", r)

    d3 = room(3, 1)
    s = inj.number()
    inj.mo("R4 ARRET lossy GSM", at(d3, 9), "35200", e164(s), "ARRÊT", coding=0, keyword="STOP")
    inj.mt("R4 ARRET lossy GSM", at(later(d3, 1), 10), "fournil", "35200", s)

    d4 = room(4, 3)
    t_ = inj.number()
    inj.mo("R4 START re-opt-in", at(d4, 10), "36180", e164(t_), "STOP", keyword="STOP")
    inj.mt("R4 START re-opt-in", at(later(d4, 1), 10), "acme", "36180", t_)
    inj.mo("trap R4 START re-opt-in", at(later(d4, 2), 9), "36180", e164(t_), "START", keyword="START")
    inj.mt("trap R4 START re-opt-in", at(later(d4, 2), 9, 0, 4), "start", "36180", "+" + t_,
           text=texts.START_ACK.format(code="36180"), dlr_mask=-1, final=None)
    inj.mt("trap R4 START re-opt-in", at(later(d4, 3), 10), "acme", "36180", t_)

    u = inj.number()
    inj.mo("trap R4 transactional after stop", at(room(5, 1), 10), "36180", e164(u), "stop", keyword="STOP")
    inj.mt("trap R4 transactional after stop", at(later(room(5, 1), 1), 10), "acme_tx", "36180", u)
    v = inj.number()
    inj.mo("trap R4 other brand", at(room(6, 1), 10), "35200", e164(v), "STOP SMS", keyword="STOP")
    inj.mt("trap R4 other brand", at(later(room(6, 1), 1), 10), "acme", "36180", v)
    z = inj.number()   # stop_notice_exempt is about R3 only: the club must honour STOP
    inj.mo("R4 exempt brand honours stop", at(room(7, 2), 10), "36180", e164(z), "Stop", keyword="STOP")
    inj.mt("R4 exempt brand honours stop", at(later(room(7, 2), 2), 10), "club", "36180", z, mention_code=None)


def r5_sessions(sc: Scenarios) -> None:
    """R5: 34ABC sessions."""
    inj, day = sc.inj, sc.day
    inj.mt("R5 no MO", at(day(1), 15), "quiz", "34100", dlr_mask=3)
    n5 = inj.number()
    inj.mo("R5 session expired", at(day(2), 10), "34100", e164(n5), "JEU")
    inj.mt("R5 session expired", at(day(2), 10) + 25 * 3600, "quiz", "34100", "+" + n5, dlr_mask=3)
    n6 = inj.number()
    inj.mo("trap R5 within session", at(day(3), 10), "34100", e164(n6), "JEU")
    inj.mt("trap R5 within session", at(day(3), 10) + 23 * 3600, "quiz", "34100", "+" + n6, dlr_mask=3)
    n7 = inj.number()
    inj.mo("R5 MO to another code", at(day(4), 16), "36180", e164(n7), "JEU")
    inj.mt("R5 MO to another code", at(day(4), 16, 10), "quiz", "34100", "+" + n7, dlr_mask=3)


def r6_ranges(sc: Scenarios) -> None:
    """R6: ranges."""
    inj, day = sc.inj, sc.day
    inj.mt("R6 marketing_outside_35_36", at(day(5), 11), "acme", "37200")
    inj.mt("R6 no_geo_presence", at(day(6), 11), "fournil", "35300")
    inj.mt("R6 not_m2m_number", at(day(7), 3, 15), "telemetry", "38500", text="CFG;INT=60;APN=m2m.orange.fr",
           dlr_mask=3)
    inj.mt("R6 unknown_short_code", at(day(8), 15), "acme_tx", "36999")


def r7_oadc(sc: Scenarios) -> None:
    """R7: OAdC."""
    inj, day = sc.inj, sc.day
    inj.mt("R7 name without option", at(day(9), 15), "acme", "36181", oadc="ACME")
    inj.mt("R7 undeclared name", at(day(10), 15), "acme", "36180", oadc="PROMO")
    inj.mt("R7 other short code", at(day(11), 15), "bellemode", "36181", oadc="36180")
    inj.mt("trap R7 declared name with a space", at(day(12), 15), "acme", "36180", oadc="Acme Shop")
    # an application gave its sender in Latin-1: Kannel logs the raw byte (invalid UTF-8 on
    # that line, KANNEL.md) and the SMSC refuses it, so it is no R7 breach
    inj.mt("trap R7 Latin-1 sender refused", at(day(13), 15, 20), "acme", "36180", oadc="Caf\udce9 Acme",
           outcome="rejected_source", final=None)


def r8_bursts(sc: Scenarios) -> None:
    """R8: bursts at and above the rate."""
    inj, plan, day = sc.inj, sc.plan, sc.day
    s80 = at(day(6), 16, 42)   # a time no other scenario uses
    for i in range(17):
        inj.mt("trap R8 at rate", s80, "acme", "36180")
    inj.mt("trap R8 at rate", s80, "acme", "36180", style="gateway")   # 3 segments: 20 in all
    for i in range(27):
        inj.mt("R8 above rate", s80 + 1, "acme", "36180")
    s81 = at(day(7), 16, 42)
    for i in range(10):
        inj.mt("trap R8 at rate", s81, "bellemode", "36181")
    for i in range(11):
        inj.mt("R8 above rate", s81 + 1, "bellemode", "36181")
    inj.mt("R8 above rate", s81 + 1, "bellemode", "36181", style="app")   # part 1 at +1, part 2 at +2
    # at the rate by the count (the dots of a lossy text read as accented letters, as they
    # are), over it if they were literal dots: not a breach, R8's seconds_possibly_over
    s82 = at(day(8), 16, 42)
    for i in range(17):
        inj.mt("trap R8 possibly over", s82, "acme", "36180")
    inj.mt("trap R8 possibly over", s82, "acme", "36180", style="gateway", text=texts.LOSSY_UNCERTAIN)
    for s_ in (s80 - 1, s80, s80 + 1, s80 + 2, s81 - 1, s81, s81 + 1, s81 + 2, s81 + 3, s82 - 1, s82, s82 + 1):
        for code in ("36180", "36181"):
            plan.reserved.add((code, s_))


def r10_destinations(sc: Scenarios) -> None:
    """R10: destinations."""
    inj, plan, day = sc.inj, sc.plan, sc.day
    dests = (
        ("R10 overseas", "590690" + f"{plan.injected.i:06d}", "overseas"),
        ("R10 overseas", "262692" + f"{plan.injected.i + 1:06d}", "overseas"),
        ("R10 overseas national format", "0694" + f"{plan.injected.i % 1_000_000:06d}", "overseas"),
        ("R10 overseas national format", "0639" + f"{(plan.injected.i + 7) % 1_000_000:06d}", "overseas"),
        ("R10 foreign", "447911" + f"{plan.injected.i % 1_000_000:06d}", "foreign"),
        ("R10 foreign", "4917012" + f"{plan.injected.i % 100_000:05d}", "foreign"),
        ("R10 malformed too long", "336" + f"{plan.injected.i:010d}", "malformed"),
        # 8 digits: nine would be a French national number without its 0 (int_msisdn.sql)
        ("R10 malformed too short", "3361" + f"{plan.injected.i % 10_000:04d}", "malformed"),
        ("R10 not_mobile", "33142" + f"{plan.injected.i % 1_000_000:06d}", "not_mobile"),
    )
    for i, (tag, raw, kind) in enumerate(dests):
        inj.mt(tag, at(day(i), 13, 17), "acme_tx", "36180", raw, number_kind=kind,
               final="UNDELIV" if kind in ("foreign", "malformed", "not_mobile") else "DELIVRD", err="011")
    inj.mt("trap R10 refused malformed", at(day(9), 13, 30), "acme_tx", "36180", "336123456789012345678",
           outcome="failed", final=None, number_kind="malformed")


def r1_concatenation_and_resends(sc: Scenarios) -> None:
    """R1: what a logical message is when a concatenation key repeats, and when a resend is
    one. Texts are written out (no draw from the random stream: the background stays as it
    was); every message is within one local day, so any period holds them."""
    inj, day = sc.inj, sc.day
    # an application that always uses one reference: two different messages, same key
    # (service, short code, OAdC, reference, part count), 40 minutes apart
    a = inj.number()
    inj.mt("R1 two multiparts with one reference", at(day(9), 10, 20), "acme", "36180", a, style="app", concat_ref=0x2A,
           text=("ACME : -30% sur les manteaux et les bottes jusqu'à samedi, dans tous nos magasins et sur"
                 " acme.example. ", "Livraison offerte dès 50€ d'achat. STOP au 36180"))
    inj.mt("R1 two multiparts with one reference", at(day(9), 11), "acme", "36180", a, style="app", concat_ref=0x2A,
           text=("ACME : ventes privées ce soir, jusqu'à -50% sur une sélection de robes, de chemises et de"
                 " pulls. ", "Accès réservé aux porteurs de la carte fidélité. STOP au 36180"))
    # a part refused by the SMSC and resent with its text a minute later: one message
    t = at(day(10), 11, 15)
    inj.mt("trap R1 part refused and resent", t, "bellemode", "36181", style="app",
           text=("BelleMode : la collection d'hiver est arrivée, manteaux, pulls et accessoires à"
                 " découvrir en boutique. ", "Profitez de -20% sur votre premier achat en ligne avec le code"
                 " HIVER. ", "Offre valable jusqu'à dimanche. STOP au 36181"),
           part_offsets=(0, 61, 62), part_retries=((1, t + 1, "discarded"),))
    # expired 4 hours after its submission, resent 10 minutes after the expiry receipt: one
    # message (the resend window counts from when the failure was known)
    e = inj.number()
    text = "ACME : dernier jour des soldes d'automne, jusqu'à -40% sur tout le rayon maison. STOP au 36180"
    inj.mt("trap R1 resend after expiry", at(day(11), 9, 5), "acme", "36180", e, text=text,
           final="EXPIRED", delay=4 * 3600)
    inj.mt("trap R1 resend after expiry", at(day(11), 13, 15), "acme", "36180", e, text=text)
    # undelivered, resent 61 minutes after the failed receipt: a second message that day
    f = inj.number()
    text = "BelleMode : -30% sur les robes de soirée ce week-end sur bellemode.example. STOP au 36181"
    inj.mt("R1 resend after the retry window", at(day(12), 10, 10), "bellemode", "36181", f, text=text,
           final="UNDELIV", err="027", delay=120)
    inj.mt("R1 resend after the retry window", at(day(12), 11, 13), "bellemode", "36181", f, text=text)


def r3_code_before_stop(sc: Scenarios) -> None:
    """R3: the short code must follow STOP; named only before it, it says nothing of where
    to send STOP. A spaced code after STOP is a mention."""
    inj, day = sc.inj, sc.day
    inj.mt("R3 short code only before STOP", at(day(13), 10, 25), "acme", "36180",
           text="Offre Acme au 36180. Répondez STOP", mention="missing_short_code")
    inj.mt("trap R3 spaced code after STOP", at(day(13), 10, 35), "acme", "36180",
           text="ACME : -25% sur les bottes cette semaine. STOP SMS au 36 180")


def r4_long_opt_outs(sc: Scenarios) -> None:
    """R4: opt-outs of any length that end with the keyword, and its verb forms; a long MO
    with 'stop' only in its middle is none. Each MO is followed the same day, after the
    grace period, by marketing of a brand it concerns."""
    inj, day = sc.inj, sc.day
    cases = (   # (scenario, code, MO text, coding, keyword, service, code of the marketing)
        ("R4 long MO ending with STOP", "36180", "Merci de ne plus m'envoyer de SMS STOP", 0, "STOP",
         "acme", "36180"),
        ("R4 long UCS-2 MO ending with ARRÊT", "36181",
         "Je ne veux plus recevoir vos promotions, svp ARRÊT", 2, "STOP", "bellemode", "36181"),
        ("R4 verb form Arrêtez", "35200", "Arrêtez", 2, "STOP", "fournil", "35200"),
        ("R4 verb form STOPPEZ", "36180", "STOPPEZ", 0, "STOP", "acme", "36181"),
        ("trap R4 stop in the middle of a long MO", "36180",
         "je ne veux pas que ça stop maintenant merci beaucoup", 0, None, "acme", "36180"),
    )
    promo = {
        "acme": "ACME : -15% sur les accessoires jusqu'à dimanche. STOP au {code}",
        "bellemode": "BelleMode : nouveaux manteaux en boutique, -20% cette semaine. STOP au {code}",
        "fournil": "Le Fournil : pain d'épices maison à 6€ ce week-end. STOP au {code}",
    }
    for i, (tag, code, text, coding, keyword, service, mt_code) in enumerate(cases):
        d = day(14 + i)
        n = inj.number()
        inj.mo(tag, at(d, 11, 40), code, e164(n), text, coding=coding, keyword=keyword)
        inj.mt(tag, at(d, 14, 40), service, mt_code, n, text=promo[service].format(code=mt_code))


def late_parts(sc: Scenarios) -> None:
    """R2, R4, R5 at a message's last part: the parts of an application-split message leave
    one a second, and a part refused is resent later with its text. The message is sent when
    its last part is: at 22:00:00, after the window closed, after a STOP, after the 34ABC
    session ended. Texts written out (no draw from the random stream: the background stays
    as it was)."""
    inj, day = sc.inj, sc.day
    promo = ("ACME : la vente privée de printemps commence, jusqu'à -40% sur les vestes, les robes et"
             " les chaussures. ", "Livraison offerte dès 50€ d'achat. STOP au 36180")
    inj.mt("R2 part 2 at 22:00:00", at(day(15), 21, 59, 59), "acme", "36180", style="app", text=promo)
    inj.mt("trap R2 parts at 21:59:58 and 21:59:59", at(day(15), 21, 59, 58), "acme", "36180", style="app",
           text=promo)
    t = at(day(16), 21, 30)
    inj.mt("R2 part refused and resent at 22:20", t, "acme", "36180", style="app", text=promo,
           part_offsets=(0, 50 * 60), part_retries=((1, t + 1, "discarded"),))
    p = inj.number()
    t = at(day(17), 9, 59, 30)
    inj.mt("R4 part resent after the STOP", t, "acme", "36180", p, style="app", text=promo,
           part_offsets=(0, 30 * 60 + 30), part_retries=((1, t + 1, "discarded"),))
    inj.mo("R4 part resent after the STOP", at(day(17), 10), "36180", e164(p), "STOP", keyword="STOP")
    q = inj.number()
    inj.mo("R5 part resent after the session", at(day(18), 10), "34100", e164(q), "JEU")
    t = at(day(18), 10) + 24 * 3600 - 60
    inj.mt("R5 part resent after the session", t, "quiz", "34100", "+" + q, style="app", dlr_mask=3,
           text=("Quiz : voici la question finale, en deux parties, pour le grand tirage de la semaine. ",
                 "Répondez A, B ou C avant ce soir minuit."),
           part_offsets=(0, 11 * 60), part_retries=((1, t + 1, "discarded"),))


STEPS = (r1_frequency, r2_window, r3_stop_mention, r4_opt_outs, r5_sessions, r6_ranges, r7_oadc, r8_bursts,
         r10_destinations, r1_concatenation_and_resends, r3_code_before_stop, r4_long_opt_outs, late_parts)


def inject(plan: Plan) -> None:
    """Write every scenario into the plan (before the background, which keeps off them)."""
    sc = Scenarios(plan)
    if not sc.wd:
        return
    for step in STEPS:
        step(sc)
