"""Message texts of the simulation: French, with accents, euro signs and GSM extension
characters (lossy in the log), emoji (UCS-2), STOP mentions in their lenient variants.

Marketing texts never hold another 5-digit number than the short code in their mention, so
an R3 check that looks for the code cannot be fooled by a price or an order number.
"""

from __future__ import annotations

import string
import unicodedata

import numpy as np

from opsanalytics.simulate import kannel_writer as kw

MENTIONS = (
    "STOP au {code}",
    "Stop SMS {code}",
    "stop: {code}",
    "STOP {code}",
    "Désinscription : STOP au {code}",
    "Répondez STOP au {code}",
)

MARKETING = {
    "Acme": (
        "ACME : -{pct}% sur toute la boutique jusqu'à dimanche ! Code {promo} sur acme.example",
        "Ventes privées ACME : jusqu'à -{pct}% sur la mode. Dès {price}€ d'achat, livraison offerte.",
        "Nouveautés ACME en magasin [{promo}] : {pct}% de remise avec la carte fidélité.",
    ),
    "BelleMode": (
        "BelleMode : la nouvelle collection est arrivée ! -{pct}% ce week-end sur bellemode.example",
        "BelleMode : soldes privés, jusqu'à -{pct}% sur les robes et accessoires.",
    ),
    "ClubPrivilege": (
        "ClubPrivilege : votre offre membre du mois, -{pct}% chez nos partenaires.",
        "ClubPrivilege : {price}€ offerts sur votre prochaine réservation, code {promo}.",
    ),
    "Fournil": (
        "Le Fournil : croissants 2 achetés = 1 offert ce matin !",
        "Le Fournil : pain de campagne à {price}€ aujourd'hui seulement, venez vite.",
    ),
}

MARKETING_UCS2 = {
    "Acme": "🎉 ACME : ventes flash ! -{pct}% aujourd'hui ✨",
    "BelleMode": "👗 BelleMode : -{pct}% sur la collection ❤️",
    "ClubPrivilege": "⭐ ClubPrivilege : offre membre -{pct}%",
    "Fournil": "🥐 Le Fournil : viennoiseries -{pct}% ce matin",
}

LONG_PARTS = (
    "Profitez-en vite : l'offre est valable dans tous nos magasins et sur notre site, dans la"
    " limite des stocks disponibles. ",
    "Livraison gratuite et retours offerts pendant 30 jours, paiement en 3 fois sans frais. ",
)
LONG_TAIL = " " + "".join(LONG_PARTS).strip()

TRANSACTIONAL = {
    "acme_tx": (
        "Votre commande ACME n°{order} a été expédiée. Suivi : acme.example/suivi",
        "Votre code de vérification ACME : {otp}. Il expire dans 10 minutes.",
        "ACME : votre colis {order} sera livré demain entre {hh}h et {hh2}h.",
    ),
    "fournil_tx": ("Le Fournil : votre commande est prête, à retirer avant {hh}h.",),
    "quiz": (
        "Merci ! Vous participez au JEU. Question {q} : quelle est la capitale de l'Australie ? A, B ou C",
        "Bonne réponse ! Question {q} : combien de pattes a une araignée ? A, B ou C",
        "Dommage... Le JEU continue : question {q}, répondez A, B ou C",
    ),
    "chatplus": (
        "Julie : on se retrouve à {hh}h devant le ciné ?",
        "Marc : bien arrivé, bisous à tous !",
        "Léa : tu peux me rappeler quand tu as 5 min ? 😊",
    ),
}

STOP_ACK = "Vous êtes désinscrit du {code}. Plus aucun SMS ne vous sera envoyé."
START_ACK = "Bienvenue ! Répondez STOP au {code} pour ne plus recevoir nos offres."

QUIZ_MO = ("JEU", "jeu", "A", "B", "C", "Jeu concours")
CHAT_MO = ("Ok à tout à l'heure", "Merci !", "Je suis en retard de 10 min")
OTHER_MO = ("INFO", "Bonjour, c'est quoi ce numéro ?", "Merci")


_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_FIELDS = {
    "pct": lambda r: r.integers(10, 61),
    "price": lambda r: r.integers(10, 100),
    "promo": lambda r: "".join(_LETTERS[i] for i in r.integers(0, len(_LETTERS), 3)) + str(r.integers(10, 100)),
    "order": lambda r: r.integers(1_000_000, 99_999_999),
    "otp": lambda r: f"{int(r.integers(0, 1_000_000)):06d}",
    "hh": lambda r: r.integers(9, 14),
    "hh2": lambda r: r.integers(14, 19),
    "q": lambda r: r.integers(1, 4),
}
_USED: dict[str, tuple[str, ...]] = {}


def fill(template: str, rng: np.random.Generator) -> str:
    """The template with its fields drawn (only the fields it names, in a fixed order)."""
    used = _USED.get(template)
    if used is None:
        used = _USED[template] = tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)
    return template.format(**{name: _FIELDS[name](rng) for name in used})


def mention(code: str, rng: np.random.Generator) -> str:
    return MENTIONS[int(rng.integers(len(MENTIONS)))].format(code=code)


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


#: a gateway-split marketing text of 447 GSM septets (3 segments) whose 17 accented letters
#: Kannel logs as 34 dots (beside its 3 full stops): read as literal dots, 464 septets (4 segments). A reader of the log
#: counts 3 and cannot rule out 4 (R8 seconds_possibly_over).
LOSSY_UNCERTAIN = (
    "Ventes privées ACME : jusqu'à -50% sur les robes d'été brodées, les vestes légères et les écharpes en "
    "soie. Dès aujourd'hui et jusqu'à dimanche, profitez aussi de remises exceptionnelles sur la décoration, "
    "la literie et les accessoires de cuisine. Livraison offerte dès le premier article, retours gratuits "
    "pendant trente jours, paiement échelonné sans frais. Découvrez vite toutes nos nouveautés en "
    "magasin ou sur le site ! Répondez STOP au 36180")


def gsm_segments_certain(text: str) -> bool:
    """True when a reader of the lossy log line cannot get the segment count wrong: every
    run of dots read as literal dots or as 2-byte characters gives the same count."""
    low, high = gsm_segment_bounds(text)
    return low == high


def gsm_segment_bounds(text: str) -> tuple[int, int]:
    """The segments a reader of the lossy log line of GSM `text` can count: with every run of
    dots read as 2-byte characters (the fewest: what the loader counts) and as literal dots
    (the most: fct_mt.segments_max)."""
    _, shown = kw.lossy(kw.gsm_filter(text))
    n_max = len(shown) + sum(1 for c in shown if c in kw.GSM_EXTENSION)
    n_min = 0
    run = 0
    for c in shown + "x":
        if c == ".":
            run += 1
            continue
        n_min += -(-run // 2)
        run = 0
        n_min += 2 if c in kw.GSM_EXTENSION else 1
    n_min -= 1  # the sentinel

    def seg(n: int) -> int:
        return 1 if n <= 160 else -(-n // 153)

    return seg(n_min), seg(n_max)


def marketing_text(brand: str, code: str | None, rng: np.random.Generator, style: str = "single") -> str | tuple[str, ...]:
    """A marketing text of `brand`, with a STOP mention for `code` (None: no mention).

    style: single (one segment), ucs2 (one UCS-2 segment), gateway (2-3 segments, one line),
    app (a tuple of parts, the mention in the last part)."""
    tmpl = MARKETING[brand]
    body = fill(tmpl[int(rng.integers(len(tmpl)))], rng)
    tail = f" {mention(code, rng)}" if code else ""
    if style == "ucs2":
        return fill(MARKETING_UCS2[brand], rng) + tail
    if style == "single":
        return body + tail
    if style == "gateway":
        text = body + LONG_TAIL + tail
        return text if gsm_segments_certain(text) else ascii_fold(text)
    # app: two or three parts of one concatenated message
    parts = [body + " ", LONG_PARTS[0]]
    if rng.random() < 0.5:
        parts.append(LONG_PARTS[1] + tail.strip())
    else:
        parts[-1] = parts[-1] + tail.strip()
    return tuple(parts)
