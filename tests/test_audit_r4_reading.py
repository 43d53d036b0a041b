"""R4 as the compliance review read it (s19): every opt-out an MO expresses is honoured, and
the grace period allows the acknowledgement only, the first MT of the STOP's short code.

Each case is a hand-made log (tests/auditrows.Traffic: line numbers follow the calls), its
answer checkable by eye.
"""

from __future__ import annotations

import pytest

from auditrows import CONTRACT, Traffic, paris
from opsanalytics.audits import run

A = "+33612345678"
B = "+33698765432"


def breaches(t: Traffic) -> list[int]:
    return sorted(int(v) for v in run(t.warehouse(), CONTRACT, "R4").rows.message_id)


@pytest.mark.parametrize("text", [
    "Merci de ne plus m'envoyer de SMS STOP",
    "Je ne veux plus recevoir vos messages, stop !",
    "Bonjour je souhaite me désinscrire merci STOP",
    "Vous pouvez arrêter de m'envoyer des SMS svp ARRET",
    "ＳＴＯＰ",
    "Arrête",
    "arrêtez",
    "STOPPEZ",
])
def test_marketing_after_an_opt_out_mo_is_a_breach(text):
    """Long MOs ending with the keyword, full-width letters and French verb forms are
    opt-outs: the marketing sent the next day is a breach (it was not flagged)."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))                               # Acme seen on 36180
    t.receive(A, paris("2026-11-11 09:00:00"), text, keyword="STOP")
    promo = t.send(A, paris("2026-11-12 10:00:00"))
    assert breaches(t) == [promo]


def test_an_mo_naming_the_keyword_mid_sentence_is_no_opt_out():
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-11 09:00:00"), "Je ne dis pas stop, continuez le jeu concours svp", keyword=None)
    t.send(A, paris("2026-11-12 10:00:00"))
    assert breaches(t) == []


def test_a_promotion_after_another_service_s_acknowledgement_is_a_breach():
    """The acknowledgement is the first MT to the number on the STOP's short code, whatever
    its service (here the gateway's transactional one): a promotion 5 minutes later, within
    the grace period, is not the acknowledgement (it was allowed as the first marketing MT)."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-04 12:00:00"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-04 12:00:05"), service="acme_tx", text="Vous ne recevrez plus de SMS. START au 36180")
    promo = t.send(A, paris("2026-11-04 12:05:00"))
    assert breaches(t) == [promo]


def test_another_brand_s_message_first_after_the_stop_is_no_acknowledgement():
    """A message of a brand the STOP does not concern (here Chat's, which sends no marketing
    on 36180; on a real gateway a bank's one-time code) was taken for the acknowledgement, so
    Acme's own acknowledgement 3 s later read as a breach (a real Kannel 1.4.5 run, found by a
    probe). Acme's is the acknowledgement; its next promotion is the breach."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-04 12:00:00"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-04 12:00:02"), service="chat", text="Ton code: 1234")
    t.send(A, paris("2026-11-04 12:00:03"), text="Acme: désinscription prise en compte. STOP au 36180")
    promo = t.send(A, paris("2026-11-04 12:05:00"))
    assert breaches(t) == [promo]


def test_the_brand_s_own_acknowledgement_within_the_grace_period_is_allowed():
    """Its marketing MT is the first MT after the STOP on that code: the acknowledgement; the
    next one, even within the grace period, is a breach, as is a first marketing MT of the
    brand on another of its codes (not the STOP's: no acknowledgement there)."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.send(A, paris("2026-11-02 10:00:00"), short_code="36200")            # Acme's other code
    t.send(B, paris("2026-11-02 11:00:00"))
    t.send(B, paris("2026-11-02 11:00:00"), short_code="36200")
    t.receive(A, paris("2026-11-04 12:00:00"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-04 12:03:00"), text="Vous ne recevrez plus nos offres. STOP au 36180")
    second = t.send(A, paris("2026-11-04 12:04:00"))
    t.receive(B, paris("2026-11-04 12:00:00"), "STOP", keyword="STOP")
    elsewhere = t.send(B, paris("2026-11-04 12:02:00"), short_code="36200")
    assert breaches(t) == sorted([second, elsewhere])


def test_the_acknowledgement_is_the_first_mt_even_after_the_grace_period():
    """A transactional acknowledgement sent late is still the first MT: a promotion after it
    is a breach; a marketing acknowledgement sent after the grace period is one too."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-04 12:00:00"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-04 12:07:00"), service="acme_tx", text="Désinscription prise en compte")
    promo = t.send(A, paris("2026-11-04 12:08:00"))
    t.send(B, paris("2026-11-02 10:00:00"))
    t.receive(B, paris("2026-11-04 12:00:00"), "STOP", keyword="STOP")
    late = t.send(B, paris("2026-11-04 12:10:01"), text="Vous ne recevrez plus nos offres. STOP au 36180")
    assert breaches(t) == sorted([promo, late])


def test_an_mt_in_the_same_second_on_a_later_line_is_after_the_stop():
    """Same second, same load: the log's line order says what came first. The MT on the line
    after the STOP is its acknowledgement (allowed), the next one 30 s later a breach; the MT
    on the line before the STOP is not after it."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-04 10:00:00"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-04 10:00:00"))                                # the acknowledgement
    again = t.send(A, paris("2026-11-04 10:00:30"))
    t.send(B, paris("2026-11-02 10:00:00"))
    before = t.send(B, paris("2026-11-04 11:00:00"))
    t.receive(B, paris("2026-11-04 11:00:00"), "STOP", keyword="STOP")
    assert breaches(t) == [again]
    assert before not in breaches(t)


def test_a_marketing_mt_in_the_same_second_after_the_acknowledgement_is_a_breach():
    """The reviewer's +33612000504 read the other way round: the STOP line, then a gateway
    acknowledgement and a promotion in the same second."""
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-04 10:00:00"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-04 10:00:00"), service="acme_tx", text="Désinscription prise en compte")
    promo = t.send(A, paris("2026-11-04 10:00:00"))
    assert breaches(t) == [promo]


def test_stop_stats_count_the_mt_of_the_same_second_after_the_stop():
    t = Traffic()
    t.send(A, paris("2026-11-02 10:00:00"))
    t.receive(A, paris("2026-11-04 10:00:00"), "STOP", keyword="STOP")
    t.send(A, paris("2026-11-04 10:00:00"))
    stats = run(t.warehouse(), CONTRACT, "R4").details["stop_stats"].set_index("brand")
    assert stats.loc["Acme", "stops_followed_by_marketing"] == 1
    assert stats.loc["Acme", "max_seconds_to_last_mt"] == 0
