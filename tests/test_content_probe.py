"""R11 CONTENT: what a probe of 215 hand-labelled French texts found (session 32), each case
a Kannel 1.4.5 line as the gateway logs it (GSM text lossy: an accented letter `..`, `€`
`...`, a newline `.`, a character GSM lacks `?`; UCS-2 text as hex) and the exact reasons."""

from __future__ import annotations

from kannellines import ingested, mt
from opsanalytics import content, warehouse
from opsanalytics.audits.result import Filters

CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "UTC"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
oadc = ["ACME", "Free"]
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
[[services]]
name = "jeux"
brand = "JeuxMania"
category = "marketing"
[[services]]
name = "free"
brand = "Free Mobile"
category = "marketing"
[[services]]
name = "leroy"
brand = "Leroy Merlin"
category = "marketing"
[[services]]
name = "coeurlion"
brand = "Cœur de Lion"
category = "marketing"
[content.brand_names]
"Free Mobile" = ["Free Mobile", "Free"]
"""


def _ucs2(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def flagged(tmp_path, cases) -> dict[str, tuple[list[str], str]]:
    """cases: (text as sent, service, coding 'G' lossy GSM as written or 'U' UCS-2): per text,
    its reasons and hits ([] and '' when not flagged)."""
    lines = []
    for k, (text, svc, coding) in enumerate(cases):
        line = mt(f"2026-11-10 10:{k:02d}:00", "ora_36180", f"C{k:07d}", f"3361200{k:04d}", text, svc=svc)
        if coding == "U":
            hexed = _ucs2(text)
            line = line.replace("[flags:-1:0:", "[flags:-1:2:").replace(f"[msg:{len(text)}:{text}]",
                                                                       f"[msg:{len(hexed) // 2}:{hexed}]")
        lines.append(line)
    db, _, contract = ingested(tmp_path, lines, CONTRACT)
    con = warehouse.connect(db, read_only=True)
    try:
        result = content.content(con, contract, Filters())
    finally:
        con.close()
    got = {row["text"]: (list(row["reasons"]), row["hits"]) for row in result.texts.to_dict("records")}
    return {text: got.get(text, ([], "")) for text, _, _ in cases}


def reasons(tmp_path, cases) -> dict[str, list[str]]:
    return {text: r for text, (r, _) in flagged(tmp_path, cases).items()}


def test_a_lossy_line_break_between_two_words_still_reads_as_a_space(tmp_path):
    """GSM lossy text writes a newline `.` and CRLF `..`: `Jeu.GRATUIT` hid the free claim,
    `r..pondez.OUI` the call to reply (the UCS-2 copy was flagged)."""
    cases = [
        ("JeuxMania : Jeu.GRATUIT ! Envoie NOEL au 36201 (0,50.../SMS). STOP 36201", "jeux", "G"),
        ("JeuxMania : Jeu..GRATUIT ! Envoie NOEL au 36201 (0,50.../SMS). STOP 36201", "jeux", "G"),
        ("JeuxMania : pour jouer, r..pondez.OUI au 36201 ! STOP 36201", "jeux", "G"),
        ("JeuxMania..R..pondez..OUI au 36201 pour jouer !..STOP 36201", "jeux", "G"),
        ("JeuxMania : Jeu\r\nGRATUIT ! Envoie NOEL au 36201 (0,50€/SMS). STOP 36201", "jeux", "U"),
    ]
    assert reasons(tmp_path, cases) == {
        cases[0][0]: ["free_claim_priced"], cases[1][0]: ["free_claim_priced"],
        cases[2][0]: ["cost_not_disclosed"], cases[3][0]: ["cost_not_disclosed"],
        cases[4][0]: ["free_claim_priced"]}


def test_a_blank_line_after_a_number_is_no_euro_sign(tmp_path):
    """CRLF CRLF is logged `....`: `36201....STOP` read as `36201 €` hid the cost of a premium
    game and made free claims priced; `0,50...` and `12,90....` (`€.`) stay prices."""
    cases = [
        ("JeuxMania : gagnez une PS5 ! Envoyez JEU au 36201....STOP 36201", "jeux", "G"),
        ("JeuxMania : une PS5 .. gagner le 24....Envoyez PS5 au 36201 ! STOP 36201", "jeux", "G"),
        ("JeuxMania : jeu gratuit et sans obligation d'achat ! Envoyez NOEL au 36201....STOP 36201", "jeux", "G"),
        ("Leroy Merlin : atelier gratuit samedi 10h, inscription en magasin ou au 01 60 00 00 00....STOP au 36180",
         "leroy", "G"),
        # the euro sign, then a full stop or the end: a price
        ("JeuxMania : jeu gratuit ! Envoyez JEU au 36201, 0,50.... STOP 36201", "jeux", "G"),
        ("JeuxMania : jeu gratuit ! Envoyez JEU au 36201 pour 0,50...", "jeux", "G"),
    ]
    assert reasons(tmp_path, cases) == {
        cases[0][0]: ["cost_not_disclosed"], cases[1][0]: ["cost_not_disclosed"],
        cases[2][0]: [], cases[3][0]: [],
        cases[4][0]: ["free_claim_priced"], cases[5][0]: ["free_claim_priced"]}


def test_a_price_with_a_no_break_space_before_the_euro_sign(tmp_path):
    """French typography puts a no-break space (U+00A0, U+202F) before `€`, GSM writes it `?`:
    `0,50 €/SMS` was no price (a cost flag on a priced reply, no flag on a priced free claim)."""
    cases = [
        ("JeuxMania : réponds OUI au 36201 pour gagner une PS5 (0,50\u00a0€/SMS). STOP 36201", "jeux", "U"),
        ("JeuxMania : réponds OUI au 36201 pour gagner un iPad (0,50\u202f€/SMS). STOP 36201", "jeux", "U"),
        ("JeuxMania : r..ponds OUI au 36201 pour gagner une Switch (0,50?.../SMS). STOP 36201", "jeux", "G"),
        ("JeuxMania : jeu 100\u00a0% gratuit\u00a0! Envoie JEU au 36201 (0,50\u00a0€/SMS). STOP 36201", "jeux", "U"),
    ]
    assert reasons(tmp_path, cases) == {
        cases[0][0]: [], cases[1][0]: [], cases[2][0]: [], cases[3][0]: ["free_claim_priced"]}


def test_a_keyword_between_french_quotes_is_the_keyword_asked(tmp_path):
    """`envoyez « OUI » au 36201`, GSM `envoyez ? OUI ? au`: the lone `?` was taken for the
    keyword and dropped as punctuation, so no cost flag (the UCS-2 copy was flagged)."""
    cases = [
        ("JeuxMania : tentez votre chance, envoyez ? OUI ? au 36201 ! STOP 36201", "jeux", "G"),
        ("JeuxMania : tentez votre chance, envoyez « OUI » au 36201 ! STOP 36201", "jeux", "U"),
        ("JeuxMania : tentez votre chance, envoyez ? STOP ? au 36201", "jeux", "G"),
    ]
    assert flagged(tmp_path, cases) == {
        cases[0][0]: (["cost_not_disclosed"], "ENVOYEZ ? OUI"), cases[1][0]: (["cost_not_disclosed"], "ENVOYEZ OUI"),
        cases[2][0]: ([], "")}


def test_a_declared_brand_name_is_no_free_claim(tmp_path):
    """The brand `Free Mobile`, named `Free` (content.brand_names): `l'offre Free 5G à 9,99€`
    was a priced free claim (`FREE MOBILE L OFFRE`); a claim beside the name still is one."""
    cases = [
        ("Free Mobile : l'offre Free 5G .. 9,99.../mois pendant 1 an, sans engagement. Rendez-vous sur free.fr. "
         "STOP 36180", "free", "G"),
        ("Free : abonnement Freebox Pop .. 29,99.../mois, TV et appels illimit..s. STOP au 36180", "free", "G"),
        ("Free : SMS gratuits tout le mois puis 0,05.../SMS. STOP au 36180", "free", "G"),
        ("ACME : offre free ce mois, puis 2... le mois. STOP au 36180", "acme", "G"),
    ]
    assert flagged(tmp_path, cases) == {
        cases[0][0]: ([], ""), cases[1][0]: ([], ""), cases[2][0]: (["free_claim_priced"], "SMS GRATUITS"),
        cases[3][0]: (["free_claim_priced"], "OFFRE FREE")}


def test_an_adult_word_in_the_plural(tmp_path):
    """The list holds `pornographique`: `contenus pornographiques` went unflagged."""
    cases = [
        ("JeuxMania : contenus pornographiques r..serv..s aux adultes, 3.../SMS. STOP 36220", "jeux", "G"),
        ("JeuxMania : vid..os PORNOGRAPHIQUES en illimit.., 3.../SMS. STOP 36220", "jeux", "G"),
        ("JeuxMania : le sexes des anges, 3.../SMS. STOP 36220", "jeux", "G"),
    ]
    assert flagged(tmp_path, cases) == {
        cases[0][0]: (["adult"], "PORNOGRAPHIQUES"), cases[1][0]: (["adult"], "PORNOGRAPHIQUES"),
        cases[2][0]: (["adult"], "SEXES")}


def test_the_adverb_gratuitement_claims_and_discloses(tmp_path):
    """`gratuitement` was neither a free word (`inscrivez-vous gratuitement au jeu ... (2€/SMS)`
    unflagged) nor a cost disclosed (`répondez OUI gratuitement` flagged)."""
    cases = [
        ("JeuxMania : inscrivez-vous gratuitement au jeu de No..l ! Envoyez NOEL au 36201 (2.../SMS). STOP 36201",
         "jeux", "G"),
        ("ACME : r..pondez OUI gratuitement pour recevoir nos bons plans chaque semaine. STOP au 36180", "acme", "G"),
    ]
    assert flagged(tmp_path, cases) == {
        cases[0][0]: (["free_claim_priced"], "GRATUITEMENT AU JEU"), cases[1][0]: ([], "")}


def test_the_keyword_named_after_an_article_and_mot_or_code(tmp_path):
    """`envoyez le mot JEU au 36201`, `envoyez le code NOEL`: the article ended the check (it
    was meant for `il t'envoie un bon`), so no cost flag."""
    cases = [
        ("JeuxMania : pour participer, envoyez le mot JEU au 36201 ! Un iPad .. gagner ce soir. STOP 36201",
         "jeux", "G"),
        ("JeuxMania : envoyez le code NOEL au 36201 pour jouer ! STOP 36201", "jeux", "G"),
        ("JeuxMania : envoyez le mot-cl.. JEU au 36201 ! STOP 36201", "jeux", "G"),
        # a code to type elsewhere, or a code that is none
        ("ACME : tapez le code re..u par SMS sur acme.fr. STOP au 36180", "acme", "G"),
        ("ACME t'envoie le code de ta carte cadeau. STOP au 36180", "acme", "G"),
        ("ACME t'envoie un bon de -10%. STOP au 36180", "acme", "G"),
    ]
    assert flagged(tmp_path, cases) == {
        cases[0][0]: (["cost_not_disclosed"], "ENVOYEZ LE MOT JEU"),
        cases[1][0]: (["cost_not_disclosed"], "ENVOYEZ LE CODE NOEL"),
        cases[2][0]: (["cost_not_disclosed"], "ENVOYEZ LE MOT CL.. JEU"),
        cases[3][0]: ([], ""), cases[4][0]: ([], ""), cases[5][0]: ([], "")}


def test_a_brand_with_a_ligature_is_named_without_it(tmp_path):
    """The brand `Cœur de Lion`: `Coeur de Lion : le brie...` was flagged brand_not_named."""
    cases = [
        ("Coeur de Lion : le brie de Meaux AOP .. 3,49... cette semaine. STOP au 36180", "coeurlion", "G"),
        ("Cœur de Lion : le brie de Meaux AOP à 3,49€ cette semaine. STOP au 36180", "coeurlion", "U"),
        ("C..ur de Lion : le camembert .. 2,49... cette semaine. STOP au 36180", "coeurlion", "G"),
        ("Le brie de Meaux AOP .. 3,49... cette semaine. STOP au 36180", "coeurlion", "G"),
    ]
    assert reasons(tmp_path, cases) == {
        cases[0][0]: [], cases[1][0]: [], cases[2][0]: [], cases[3][0]: ["brand_not_named"]}


def test_a_hit_keeps_its_leading_accented_letter(tmp_path):
    """`..rotiques` (`érotiques` in a lossy log) was shown `ROTIQUES`: the trim of the edges
    took the accented letter's dots."""
    cases = [
        ("JeuxMania : vid..os ..rotiques exclusives, acc..s 4,99.../semaine. STOP 36220", "jeux", "G"),
        ("JeuxMania : ..ROTIQUE et COQUIN, le chat 100% libertin ! (1.../SMS). STOP 36220", "jeux", "G"),
        ("JeuxMania : un jeu gratuit.. ! (1.../SMS). STOP 36220", "jeux", "G"),
    ]
    assert flagged(tmp_path, cases) == {
        cases[0][0]: (["adult"], "..ROTIQUES"), cases[1][0]: (["adult"], "..ROTIQUE"),
        cases[2][0]: (["free_claim_priced"], "JEU GRATUIT")}


def test_a_sentence_end_or_a_full_stop_and_a_line_break_joins_nothing(tmp_path):
    """A second probe of 124 ordinary texts (session 32): a full stop and a space joined two
    sentences into a free claim (17 false alarms against 7 true ones), and `48213.` then CRLF
    (`48213...Envoyez`) read as a price, which hid the cost of a reply and priced a free claim.
    A full stop then a space ends a sentence; three dots or more straight before a letter are
    line breaks; a lone newline still joins two words (`Jeu.GRATUIT`)."""
    cases = [
        ("Acme : inscription confirm..e. Gratuit : le retrait en magasin. Total r..gl.. 12,90 ....", "acme", "G"),
        ("Acme : merci pour votre participation. Gratuit : les frais de port. Montant 25 ....", "acme", "G"),
        ("Acme : votre num..ro client : 774512...Gratuit : l'application. Frais 1 ... par virement", "acme", "G"),
        ("Acme : commande 48213...Envoyez AVIS pour noter votre livraison.", "acme", "G"),
        ("Acme : votre commande 48213...Jeu gratuit : tentez de gagner un bon d'achat sur acme.fr/jeu", "acme", "G"),
        ("Acme : besoin d'aide pour votre abonnement ? Gratuitement en ligne. Votre facture : 19,99 ....", "acme", "G"),
        # still joined: a lone newline, and the euro sign before a slash
        ("JeuxMania : Jeu.GRATUIT ! 0,50.../SMS. STOP 36201", "jeux", "G"),
    ]
    assert reasons(tmp_path, cases) == {
        cases[0][0]: [], cases[1][0]: [], cases[2][0]: [], cases[3][0]: ["cost_not_disclosed"], cases[4][0]: [],
        cases[5][0]: [], cases[6][0]: ["free_claim_priced"]}
