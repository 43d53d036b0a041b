"""R3 as the compliance review read it (s19): the mention the contract asks for is "STOP au
<short code>", the code after the keyword, a few filler words or signs apart at most; the
code named elsewhere in the text says nothing about where to send STOP.
"""

from __future__ import annotations

import pytest

from auditrows import CONTRACT, Traffic, paris
from opsanalytics.audits import run

A = "+33612345678"


def judged(text: str) -> list[tuple[str, list[str]]]:
    t = Traffic()
    t.send(A, paris("2026-11-10 15:00:00"), text=text)
    rows = run(t.warehouse(), CONTRACT, "R3").rows
    return [(r.reason, list(r.numbers_named)) for r in rows.itertuples()]


@pytest.mark.parametrize("text", [
    "Offre Acme au 36180. Répondez STOP",
    "Appelez le 36180 ! Pour ne plus recevoir: STOP",
    "Acme 36180: soldes. STOP",
    "STOP les prix ! Offre Acme au 36180",
    "Soldes au 36180, répondez STOP pour ne plus recevoir nos offres, merci de votre fidélité",
])
def test_the_short_code_elsewhere_than_after_stop_is_missing(text):
    assert judged(text) == [("missing_short_code", [])]


@pytest.mark.parametrize("text", [
    "Acme soldes. STOP au 36180 (gratuit)",
    "Soldes ! STOP au 36180",
    "Soldes ! STOP SMS au 36 180",
    "Soldes ! STOP au 3 6 1 8 0",     # RULES.md R3: any spacing
    "Soldes ! STOP au 3.6.1.8.0",
    "Soldes ! STOP: 36180",
    "Soldes ! STOP n°36180",
    "Soldes ! STOP36180",
    "Soldes ! Stop au 36180",
    "Soldes ! Stop SMS 36180",
    "Soldes ! STOP par SMS au 36180",
    "Désinscription : STOP au 36180",
    "Répondez STOP au 36180",
    "STOP pour ne plus recevoir ? Non : STOP au 36180",    # one mention names the code
    # Kannel's split-suffix `+` written at the space where it split the text (real 1.4.5)
    "Soldes ! Promo STOP au +36180",
    "Soldes ! Promo STOP +au 36180",
    # no-break spaces (a word processor's) sent in GSM: Kannel writes `?` for them (real 1.4.5)
    "Soldes ! STOP?au?36180",
    "Soldes ! STOP?36180",
    "Soldes ! Stop SMS?36180",
    "Soldes ! STOP au 36?180",
    # the code against the filler word, `numéro` as a lossy log writes it (real Kannel 1.4.5:
    # `STOP au num..ro 36180` in GSM, reported missing_short_code with `STOP au36180`)
    "Promo. STOP au36180",
    "Promo. Stop SMS au36180",
    "Promo. STOP au num..ro 36180",
    "Promo. STOP au numéro 36180",
    "Promo. STOP au num.ro 36180",
    "Promo. STOP au num?ro 36180",
    "Promo. STOP au n..36180",
    # brackets, quotes, `=` between them
    "Promo. STOP (36180)",
    "Promo. STOP au « 36180 »",
    'Promo. Envoyez "STOP" au 36180',
    "Promo. STOP=36180",
    "Promo. STOP/SMS au 36180",
])
def test_stop_followed_by_the_short_code_passes(text):
    assert judged(text) == []


def test_another_number_after_stop_is_still_the_wrong_number():
    assert judged("Offre au 36180. STOP au 36999") == [("wrong_number", ["36999"])]
    assert judged("Offre au 36180. STOP au36999") == [("wrong_number", ["36999"])]
    assert judged("Offre au 36180. STOP au num..ro 36999") == [("wrong_number", ["36999"])]
    assert judged("Offre au 36180. STOP au 3 6 9 9 9") == [("wrong_number", ["36999"])]
    # beside the right one too: RULES.md R3, "a STOP mention that names another number is a
    # breach" (real Kannel 1.4.5, a probe: it passed)
    assert judged("Soldes Acme STOP au 36180 ou STOP au 36181") == [("wrong_number", ["36180", "36181"])]


def test_no_break_spaces_kannel_sent_as_question_marks_are_spacing():
    """Real Kannel 1.4.5 (tests/fixtures/kannel-1.4.5/nbsp): a mention written with no-break
    spaces and sent in GSM is logged `STOP?au?36180`; R3 reported five such promotions
    missing_short_code."""
    from pathlib import Path

    from eventrows import ingested
    from opsanalytics.audits import run
    from opsanalytics.config import load_contract

    fixture = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "nbsp"
    contract = load_contract(fixture / "contract.toml")
    con, _ = ingested(contract, [fixture / "access.log"])
    texts = [t for (t,) in con.execute("SELECT text FROM fct_logical_messages WHERE text LIKE '%?%36180'").fetchall()]
    assert len(texts) == 5
    assert run(con, contract, "R3").rows.empty
