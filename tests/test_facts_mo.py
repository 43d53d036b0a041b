"""MO keyword normalisation (R4): lenient on form, strict on meaning."""

from __future__ import annotations

import pytest

from eventrows import Log, contract, new_db
from opsanalytics import facts


def keywords(messages: list[tuple[str, bool]], rules: str = "") -> list[str | None]:
    con = new_db()
    log = Log()
    for i, (text, lossy) in enumerate(messages):
        log.line(i, "Receive SMS", service="", sender="+33612345678", receiver="36180", text=text, lossy=lossy)
    log.write(con)
    facts.build(con, contract(rules))
    return [r[0] for r in con.execute("SELECT keyword FROM fct_mo ORDER BY mo_id").fetchall()]


STOP_VARIANTS = [
    ("STOP", False),
    ("stop", False),
    (" Stop merci ", False),
    ("STOP SMS", False),
    ("Stop:", False),
    ("ARRÊT", False),          # UCS-2, decoded by the loader
    ("ARR..T", True),          # GSM text, Ê logged as two dots
    ("Arr..t !", True),
    ("arret", False),
    ("Arrêt !", False),
    ("ARR?T", True),           # a character the gateway could not convert
    ("STOP.", True),           # trailing dot in lossy text is punctuation
    ("stop.", True),
    ("Stop.merci", True),      # `Stop` + newline + `merci`: Kannel logs the newline as one '.'
    ("Merci.stop", True),      # short message, keyword anywhere
    ("Arr..t.svp", True),      # `Arrêt` (Ê: two bytes, two dots) + newline + `svp`
    ("Stop-moi ça", False),    # starts with the keyword as a whole word
    ("Stop-moi ..a", True),
    ("merci stop", False),     # short message, keyword anywhere
    ("unsubscribe", False),
    ("Stop je ne veux plus recevoir vos messages publicitaires, merci de me retirer", False),
    # a long message that ends with the keyword (trailing punctuation and emoji are spaces)
    ("Merci de ne plus m'envoyer de SMS STOP", False),
    ("Je ne veux plus recevoir vos messages, stop !", False),
    ("Bonjour je souhaite me désinscrire merci STOP", False),   # UCS-2
    ("Vous pouvez arrêter de m'envoyer des SMS svp ARRET", False),
    ("Je ne veux plus de vos pubs, STOP SMS 🙏", False),
    ("Merci de ne plus m'envoyer de SMS.STOP", True),          # newline before the keyword
    # Kannel 1.4.2-1.4.3 keep an MO sent in Latin-1 (data_coding 3) as Latin-1: ê one byte, one dot
    ("arr.t", True),
    ("ARR.TEZ", True),
    ("Arr.t svp", True),
    ("arr.t..merci", True),    # and CR LF after it
    # full-width forms (U+FF01-FF5E) read as ASCII
    ("ＳＴＯＰ", False),
    ("ｓｔｏｐ　ｍｅｒｃｉ", False),
    ("Merci de ne plus m'envoyer de messages ＳＴＯＰ！", False),
    # French verb forms of a single-word keyword (4+ letters)
    ("ARRETE", False),
    ("Arrête", False),
    ("arrêtez", False),
    ("Arrêtez svp", False),
    ("ARR..TEZ", True),
    ("STOPPEZ", False),
    ("stopper", False),
    ("Stopper.", True),
    ("STOPPE", False),
    ("ARRETER", False),
    ("Stoppez les SMS publicitaires merci beaucoup", False),
    # a long message whose stop keyword has words of politeness after it or greetings before
    # it (RULES.md R4: "surrounding words such as `stop merci`"; real Kannel 1.4.5 run of a probe)
    ("Je ne veux plus recevoir vos messages stop merci", False),
    ("Merci de ne plus m'envoyer de SMS STOP svp merci beaucoup", False),
    ("Je ne veux plus de vos pubs ARR..T S'IL VOUS PLA..T", True),
    ("Bonjour, STOP, je ne veux plus recevoir vos offres", False),
    # an accented letter dropped by the gateway (CIMD2: a Latin-1 `ARRÊT` logged `ARRT`, LEN 4)
    ("ARRT", False),
    ("Arrt svp", False),
    ("ARRTEZ", False),
]

NOT_STOP = [
    ("Bonjour, je voudrais arrêter de recevoir le jeu mais seulement après le tirage de demain soir", False),
    ("Je voudrais participer au jeu concours, pas stop, continuez à m'envoyer les questions svp merci", False),
    ("Je ne dis pas stop, continuez le jeu concours svp", False),   # a longer one: start or end only
    ("Je ne dis pas stop au jeu merci", False),                       # politeness after another word
    ("ARRETAGE", False),       # another word, not the keyword nor a verb form of it
    ("STOPS", False),
    ("STOPPAGE", False),
    ("AUTOSTOP", False),
    ("Le bus ne s'arrête plus devant chez moi", False),
    ("JEU", False),
    ("ST....", True),          # dots stand only for accented letters, not for S/T/O/P
    ("S.OP", True),            # a lone dot too
    ("a.rret", True),
    ("Je.voudrais.arr.ter.le.jeu.mais.seulement.apr..s.le.tirage.de.demain", True),
    ("STP", False),            # "s'il te plaît": a 4-letter keyword loses no letter
    ("Merci stp", False),
    ("RRET", False),           # nor its first one
    ("ART", False),            # nor two
    ("", False),
]


@pytest.fixture(scope="module")
def default_keywords():
    """One warehouse for every case below: {(text, lossy): keyword}."""
    cases = STOP_VARIANTS + NOT_STOP
    return dict(zip(cases, keywords(cases)))


@pytest.mark.parametrize("text, lossy", STOP_VARIANTS)
def test_stop_variants(default_keywords, text, lossy):
    assert default_keywords[(text, lossy)] == "STOP"


@pytest.mark.parametrize("text, lossy", NOT_STOP)
def test_not_stop(default_keywords, text, lossy):
    assert default_keywords[(text, lossy)] is None


def test_start_keywords():
    assert keywords([("start", False), ("Start !", False), ("Go", False)]) == ["START", "START", None]


def test_a_dropped_letter_is_read_in_stop_keywords_of_five_letters_or_more_only():
    """`DESABONNER` loses an accentable letter (not its first) as `ARRET` does; a start
    keyword never (`STRT`, `REPRENDR`: a false opt-in would hide the breaches after it)."""
    rules = 'stop_keywords = ["DESABONNER"]\nstart_keywords = ["START", "REPRENDRE"]'
    assert keywords([("DSABONNER", False), ("DESBONNER", False), ("DESABONNR", False), ("ESABONNER", False),
                     ("DESABNNR", False), ("STRT", False), ("REPRENDR", False), ("START", False)], rules) == [
        "STOP", "STOP", "STOP", None, None, None, None, "START"]


def test_a_long_message_ending_with_a_keyword_opts_in_or_out_stop_winning():
    """The last word counts as the first one does, whatever the length; a stop keyword wins
    over a start keyword wherever each stands."""
    assert keywords([("Je voudrais de nouveau recevoir vos offres START", False),
                     ("Je voudrais de nouveau recevoir vos offres merci START STOP", False),
                     ("STOP je voudrais de nouveau recevoir vos offres START", False),
                     ("START je voudrais de nouveau recevoir vos offres STOP", False)]) == [
        "START", "STOP", "STOP", "STOP"]


def test_verb_forms_are_for_single_word_stop_keywords_of_four_letters_or_more():
    """`DESABO` is a keyword of the contract: `DESABONNEZ` is not a verb form of it (the
    ending must follow the whole keyword), `DESABOER` would be; a 3-letter keyword (`FIN`)
    takes no ending (`FINE`, `FINES` are other words); `STOP SMS` is two words; start keywords
    take none (`STARTER`: a false opt-in would hide the breaches after it)."""
    rules = 'stop_keywords = ["STOP SMS", "FIN", "DESABO"]\nstart_keywords = ["START"]'
    assert keywords([("FIN", False), ("FINE", False), ("STOPPEZ SMS", False), ("DESABOEZ", False),
                     ("DESABONNEZ", False), ("STARTER", False), ("STOP SMS", False)], rules) == [
        "STOP", None, None, "STOP", None, None, "STOP"]


def test_stop_wins_over_start_in_a_short_message_holding_both():
    """Whichever comes first: a short message naming both is an opt-out (the safe reading)."""
    assert keywords([("start stop", False), ("START puis STOP", False), ("stop start", False)]) == ["STOP"] * 3


def test_keywords_come_from_the_contract():
    messages = [("DESABO", False), ("Désabonnement svp", False), ("Reprendre", False), ("STOP", False)]
    assert keywords(messages) == [None, None, None, "STOP"]
    rules = 'stop_keywords = ["désabo", "DÉSABONNEMENT"]\nstart_keywords = ["reprendre"]'
    assert keywords(messages, rules) == ["STOP", "STOP", "START", None]


def test_mo_first_word_short_code_and_number():
    con = new_db()
    log = Log()
    log.line(0, "Receive SMS", service="", sender="0612345678", receiver="36181", smsc="x", text="Jeu: réponse B")
    log.line(1, "REJECTED Receive SMS - black-listed SMS", service="", sender="+33611111111", receiver="36180", text="STOP")
    log.write(con)
    facts.build(con, contract())
    rows = con.execute("SELECT msisdn, short_code, first_word, keyword, outcome FROM fct_mo ORDER BY mo_id").fetchall()
    assert rows == [("+33612345678", "36181", "JEU", None, "accepted"), ("+33611111111", "36180", "STOP", "STOP", "refused")]


def normalised(messages: list[tuple[str, bool]]) -> list[str]:
    con = new_db()
    log = Log()
    for i, (text, lossy) in enumerate(messages):
        log.line(i, "Receive SMS", service="", sender="+33612345678", receiver="36180", text=text, lossy=lossy)
    log.write(con)
    facts.build(con, contract())
    return [r[0] for r in con.execute("SELECT text_normalised FROM fct_mo ORDER BY mo_id").fetchall()]


def test_a_lone_dot_in_lossy_text_is_a_word_break_and_a_run_of_dots_a_letter():
    """Kannel writes every byte outside 0x20-0x7E as one '.': a letter outside ASCII is 2+
    bytes in UTF-8, so a single dot is a 1-byte character (punctuation, newline, tab)."""
    assert normalised([("Stop.merci", True), ("Merci.stop", True), ("Arr..t.svp", True), ("ARR..T", True),
                       ("stop.", True), ("d...sinscription", True), ("a.b.c", True), ("Stop.merci", False)]) == [
        "STOP MERCI", "MERCI STOP", "ARR..T SVP", "ARR..T", "STOP", "D...SINSCRIPTION", "A B C", "STOP MERCI"]


def test_dots_between_words_are_read_both_as_a_lost_letter_and_as_a_word_break():
    """CR LF is logged `..`, as is a 2-byte letter such as é; `...` an ellipsis or a 3-byte
    character. Kept as a letter in the normalised text (`ARR..T`), read as a word break too
    for the keyword: `Stop` CR LF `merci` is an opt-out, as Kannel's own keyword service
    (which sees the real text) answers it on a real gateway."""
    assert keywords([("Stop..merci", True), ("STOP..", True), ("Merci..STOP", True), ("Stop...merci", True),
                     ("ARRET..SVP", True), ("Merci...STOP", True), ("ARR..T", True), ("Arr..te", True),
                     ("Start..merci", True), ("Autostop..merci", True), ("Je..pense que le stop de la ligne est cass..", True)]) == [
        "STOP", "STOP", "STOP", "STOP", "STOP", "STOP", "STOP", "STOP", "START", None, None]
    assert normalised([("Stop..merci", True)]) == ["STOP..MERCI"]


def test_short_code_written_behind_the_country_code_is_the_short_code():
    """With no connection mapped to it, an MO's short code is its receiver when that is five
    digits, also behind the French country code some SMSCs write (`+3336180`): a STOP to it
    must reach R4, not be lost with no short code."""
    con = new_db()
    log = Log()
    receivers = ["36180", "+3336180", "+33 36180", "0033 36180", "3336180", "+36180", "336180", "+33612345678", "3618"]
    for i, receiver in enumerate(receivers):
        log.line(i, "Receive SMS", smsc="unmapped", service="", sender="+33612345678", receiver=receiver, text="STOP")
    log.write(con)
    facts.build(con, contract())
    got = [code for (code,) in con.execute("SELECT short_code FROM fct_mo ORDER BY mo_id").fetchall()]
    # `+36180`: an SMSC sending the short code with type of number international (real Kannel
    # 1.4.5 logs the '+' it adds; an R5 session on 34180 was missed)
    assert got == ["36180"] * 6 + [None, None, None]


def test_a_question_mark_inside_a_word_is_a_letter_lost_with_or_without_a_dot():
    """A '?' in a GSM text is a character that could not be converted; on a real Kannel 1.4.5
    `ARR?T` was no opt-out while `ARR?T.` was (only a text with a '.' was read as lossy)."""
    assert keywords([("ARR?T", False), ("ARR?T.", True), ("Arr?t svp", False), ("Arr?t svp.", True),
                     ("Stop?", False), ("Pourquoi? STOP", False), ("C?est quoi ce message", False)]) == [
        "STOP", "STOP", "STOP", "STOP", "STOP", "STOP", None]
