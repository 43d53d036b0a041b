"""Reference tables from the contract, the holiday calendar and the numbering plan.

Values travel as registered Arrow tables with explicit types (never formatted into SQL);
each queries/reference/<table>.sql turns its input into the table the facts and audits
read. Also builds the opt-out/opt-in keyword patterns (R4) from the contract's short keyword
lists, so that the per-row matching stays in SQL (queries/facts/fct_mo.sql).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from opsanalytics import calendar, numbering, warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import ConfigError

#: a short message (at most this many words) is an opt-out when it holds a stop keyword anywhere
#: (a longer one when it starts or ends with one, POLITE_WORDS aside)
KEYWORD_MAX_WORDS = 5
#: French verb endings a single-word stop keyword of at least VERB_MIN_LETTERS letters may
#: carry: `ARRETE`, `ARRETEZ`, `ARRETER` (Arrête ! / arrêtez / arrêter), with the final
#: consonant doubled too (`STOPPE`, `STOPPEZ`, `STOPPER`). Shorter keywords are too easily
#: the start of another word. Not for start keywords: a false opt-in would hide the breaches
#: after it, a false opt-out only shows more.
VERB_ENDINGS = ("E", "ES", "EZ", "ER")
VERB_MIN_LETTERS = 4
#: a single-word stop keyword of at least this many letters also matches with one of its
#: accentable letters (not the first) missing: a gateway may drop a byte it cannot convert
#: (Kannel 1.4.5 over CIMD2 logs a Latin-1 `ARRÊT` as `ARRT`, LEN 4, no dot: gwlib/charset.c
#: charset_gsm_to_utf8 skips bytes above 127). Not `STOP` (`STP` is "s'il te plaît"), not
#: start keywords (a false opt-in hides breaches).
DROPPED_MIN_LETTERS = 5
#: words of politeness or greeting a subscriber puts around a stop keyword that opens or ends
#: a long message (`Je ne veux plus recevoir vos messages stop merci`, `Bonjour, STOP ...`:
#: RULES.md R4 names `stop merci`); not for start keywords (a false opt-in hides breaches)
POLITE_WORDS = ("MERCI", "MERCI BEAUCOUP", "BEAUCOUP", "SVP", "STP", "S IL VOUS PLAIT", "S IL TE PLAIT",
                "BONJOUR", "BONSOIR", "SALUT", "PLEASE", "THANKS", "THANK YOU", "HELLO")
#: letters that may carry an accent, hence be logged as '..' (2-3 bytes) or '?' in lossy text
_ACCENTABLE = set("ACEINOUY")
_VOWELS = set("AEIOUY")


def normalise_keyword(text: str) -> str:
    """Upper case, accents removed, anything but letters and digits -> one space (as SQL does)."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", plain).split())


def keyword_pattern(keyword: str, verb_forms: bool = False) -> str:
    """RE2 pattern of one normalised keyword, tolerant of lossy logging (`ARR..T`, `ARR?T`);
    with `verb_forms` (stop keywords), a single word of VERB_MIN_LETTERS letters or more also
    matches followed by a French verb ending (VERB_ENDINGS), its last consonant maybe doubled
    (`STOPPEZ`), and one of DROPPED_MIN_LETTERS letters or more with an accentable letter
    dropped by the gateway (`ARRT`)."""
    normalised = normalise_keyword(keyword)
    single_word = re.fullmatch("[A-Z]+", normalised) is not None
    spellings = [normalised]
    if verb_forms and single_word and len(normalised) >= DROPPED_MIN_LETTERS:
        spellings += [normalised[:i] + normalised[i + 1:] for i in range(1, len(normalised))
                      if normalised[i] in _ACCENTABLE]
    patterns = list(dict.fromkeys(_letters_pattern(spelling) for spelling in spellings))
    pattern = patterns[0] if len(patterns) == 1 else "(?:" + "|".join(patterns) + ")"
    if verb_forms and single_word and len(normalised) >= VERB_MIN_LETTERS:
        doubled = "" if normalised[-1] in _VOWELS else f"{normalised[-1]}?"
        pattern += f"(?:{doubled}(?:{'|'.join(VERB_ENDINGS)}))?"
    return pattern


def _letters_pattern(normalised: str) -> str:
    """A normalised spelling, each accentable letter also matching what a lossy log wrote
    for it (`..`, `...`, `?`)."""
    parts = []
    for char in normalised:
        if char in _ACCENTABLE:
            parts.append(f"(?:{char}|\\.{{2,3}}|\\?)")
        elif char == " ":
            parts.append(" ")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


@dataclass(frozen=True)
class KeywordPatterns:
    """Bound parameters of queries/facts/fct_mo.sql (R4)."""

    stop_lead: str    # the message starts with a stop keyword (greetings before it aside: `Bonjour, STOP`)
    stop_tail: str    # it ends with one (`Merci de ne plus m'envoyer de SMS STOP`, `... stop merci`)
    stop_any: str     # a stop keyword anywhere (only for short messages)
    start_lead: str
    start_tail: str
    start_any: str
    max_words: int = KEYWORD_MAX_WORDS

    def params(self) -> dict[str, object]:
        return {"stop_lead": self.stop_lead, "stop_tail": self.stop_tail, "stop_any": self.stop_any,
                "start_lead": self.start_lead, "start_tail": self.start_tail, "start_any": self.start_any,
                "keyword_max_words": self.max_words}


def _alternation(keywords: list[str], key: str, source: str) -> str:
    for keyword in keywords:
        if not normalise_keyword(keyword):
            raise ConfigError(f"{source}: rules.{key}: keyword {keyword!r} has no letter or digit to match")
    verb_forms = key == "stop_keywords"
    patterns = sorted({keyword_pattern(k, verb_forms) for k in keywords}, key=len, reverse=True)
    return "(?:" + "|".join(patterns) + ")"


def keyword_patterns(contract: Contract) -> KeywordPatterns:
    """The R4 patterns of the contract's keyword lists (see docs/schema.md, "MO keywords"):
    whole words at the start, at the end (a stop keyword with words of politeness or greeting
    before or after it, POLITE_WORDS), or anywhere in a short message."""
    stop = _alternation(contract.rules.stop_keywords, "stop_keywords", contract.source)
    start = _alternation(contract.rules.start_keywords, "start_keywords", contract.source)
    polite = "(?:" + "|".join(sorted({keyword_pattern(w) for w in POLITE_WORDS}, key=len, reverse=True)) + ")"
    return KeywordPatterns(f"^(?:{polite} )*{stop}(?: |$)", f"(?:^| ){stop}(?: {polite})*$", f"(?:^| ){stop}(?: |$)",
                           f"^{start}(?: |$)", f"(?:^| ){start}$", f"(?:^| ){start}(?: |$)")


def _short_codes(contract: Contract) -> pa.Table:
    codes = contract.short_codes
    return pa.table({
        "code": pa.array([s.code for s in codes], pa.string()),
        "smsc": pa.array([s.connections for s in codes], pa.list_(pa.string())),
        "rate": pa.array([s.rate for s in codes], pa.int32()),
        "oadc": pa.array([list(s.oadc) for s in codes], pa.list_(pa.string())),
        "geo_presence": pa.array([s.geo_presence for s in codes], pa.bool_()),
        "brands": pa.array([list(s.brands) if s.brands is not None else None for s in codes],
                           pa.list_(pa.string())),
    })


def _services(contract: Contract) -> pa.Table:
    svcs = contract.services
    return pa.table({
        "name": pa.array([s.name for s in svcs], pa.string()),
        "brand": pa.array([s.brand for s in svcs], pa.string()),
        "category": pa.array([s.category for s in svcs], pa.string()),
        "stop_notice_exempt": pa.array([s.stop_notice_exempt for s in svcs], pa.bool_()),
    })


def _holidays(contract: Contract, span: tuple[int, int]) -> pa.Table:
    rows = calendar.holiday_rows(span[0], span[1], contract.rules.alsace_moselle)
    return pa.table({
        "day": pa.array([d for d, _ in rows], pa.date32()),
        "name": pa.array([n for _, n in rows], pa.string()),
    })


def _numbering() -> pa.Table:
    rows = numbering.prefix_table()
    return pa.table({
        "prefix": pa.array([r.prefix for r in rows], pa.string()),
        "kind": pa.array([r.kind for r in rows], pa.string()),
        "territory": pa.array([r.territory for r in rows], pa.string()),
        "digits": pa.array([r.digits for r in rows], pa.int32()),
        "national_prefix": pa.array([r.national_prefix for r in rows], pa.string()),
        "source": pa.array([r.source for r in rows], pa.string()),
    })


def contract_values(contract: Contract) -> dict[str, object]:
    """The contract's values as JSON-ready data, `[report]` left out (its salt pseudonymises
    the numbers of reports: it has no business in the warehouse, and no fact depends on it).
    ref_settings keeps them (`contract_values`): what the facts were built with, which
    `audit` compares key by key with the contract it is given (facts.stale_values)."""
    return contract.model_dump(mode="json", exclude={"report"})


def settings(contract: Contract) -> dict[str, str]:
    """key -> value (text; lists as JSON) of ref_settings."""
    out = {}
    for key, value in contract.rules.model_dump().items():
        if isinstance(value, (list, tuple)):
            out[key] = json.dumps(list(value), ensure_ascii=False)
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    out.update({
        "timezone": contract.timezone,
        "log_timezone": contract.log_timezone,
        "config_source": contract.source,
        "config_digest": contract.digest,
        "contract_values": json.dumps(contract_values(contract), ensure_ascii=False, sort_keys=True),
        "keyword_max_words": str(KEYWORD_MAX_WORDS),
    })
    return out


def _settings(contract: Contract) -> pa.Table:
    items = sorted(settings(contract).items())
    return pa.table({"key": pa.array([k for k, _ in items], pa.string()),
                     "value": pa.array([v for _, v in items], pa.string())})


def _keywords(contract: Contract) -> pa.Table:
    rows = [(k, "STOP") for k in contract.rules.stop_keywords] + [(k, "START") for k in contract.rules.start_keywords]
    return pa.table({
        "keyword": pa.array([k for k, _ in rows], pa.string()),
        "kind": pa.array([kind for _, kind in rows], pa.string()),
        "normalised": pa.array([normalise_keyword(k) for k, _ in rows], pa.string()),
        "pattern": pa.array([keyword_pattern(k, kind == "STOP") for k, kind in rows], pa.string()),
    })


def _data_span(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    [(first, last)] = warehouse.execute(con, "reference/event_dates", warehouse.EVENT_TIMES).fetchall()
    return calendar.year_span(first, last)


def write(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """(Re)write every ref_* table from the contract, inside the caller's transaction.

    queries/reference/<table>.sql reads the registered Arrow table `<table>_input`.
    """
    inputs = {
        "ref_short_codes": _short_codes(contract),
        "ref_services": _services(contract),
        "ref_holidays": _holidays(contract, _data_span(con)),
        "ref_numbering": _numbering(),
        "ref_settings": _settings(contract),
        "ref_keywords": _keywords(contract),
    }
    for table, data in inputs.items():
        name = f"{table}_input"
        con.register(name, data)
        try:
            warehouse.execute(con, f"reference/{table}").fetchall()
        finally:
            con.unregister(name)
    warehouse.execute(con, "reference/ref_connections").fetchall()  # (from ref_short_codes)


#: around a word of a normalised text: a space, a text's end, or a lossy log's `.`/`?` (a
#: full stop after the word, or an accented letter of the next word)
_EDGE_BEFORE, _EDGE_AFTER = "(?:^|[ .?])", "(?:[ .?]|$)"
#: between two words of a normalised text: spaces, a lossy log's `.` or `..` with no space
#: around it (a newline, CRLF: `JEU.GRATUIT`), or a `?` with no space around it (an apostrophe
#: GSM lacks: `d?un`). Not a full stop and a space (`Inscription confirmée. Gratuit : le
#: retrait`: two sentences, a probe's false free claims), nor a longer run of dots.
_GAP = r"(?: +|\?|\.{1,2})"
#: between a call to reply and its keyword also ` ? ` (French quotes GSM lacks:
#: `envoyez ? OUI ? au`); not in a free claim, where ` ? ` is a question mark (`votre
#: abonnement ? Gratuitement en ligne`)
_REPLY_GAP = r"(?: ?\? ?| +|\.{1,2})"   # (` ? ` first: the leftmost alternative wins)
#: a word between two of a phrase: it ends with a letter or digit (a token ending with a
#: full stop would join two sentences: `CONFIRM..E. GRATUIT`)
_FILLER = r"[A-Z0-9.?]*[A-Z0-9]"
#: words that may stand between a call to reply and the keyword it asks (`répondez par OUI`)
_REPLY_FILLERS = ("AU", "PAR", "AVEC", "SIMPLEMENT", "DIRECTEMENT", "VITE")
#: what names the keyword after the verb (`envoyez le mot JEU`, `envoyez le code NOEL`): an
#: article or determiner before it is no end of the check
_KEYWORD_NAMES = ("le mot cle", "le mot", "le code", "un mot", "un code", "ce mot", "ce code", "mot cle", "mot",
                  "code")
#: what follows `le code` without being a keyword to send (`tapez le code reçu par SMS`)
_CODE_NOT_KEYWORDS = ("recu", "suivant", "ci", "indique", "affiche", "secret", "confidentiel")
#: what follows a reply verb without being a keyword it asks: a negation (`ne répondez pas`),
#: a French article or determiner (`il t'envoie un bon`), a number (`répondez au 36180`: where,
#: not what)
#: (not `A`: `répondez A, B ou C` asks for an answer; a GSM log writes `à` `..` anyway)
NOT_KEYWORDS = r"^(?:[0-9]+|PAS|JAMAIS|PLUS|RIEN|UN|UNE|DES|DU|DE|D|LE|LA|LES|L|CE|CET|CETTE|CES|VOTRE|VOS|TON|TA|TES|" \
               r"SON|SA|SES|MON|MA|MES|NOTRE|NOS|LEUR|LEURS|QUE|QU|MOI|NOUS|VOUS|LUI)$"
#: a price written in a text (before normalisation: `5€`, `€0,50`, `0,50 EUR`, `2 euros`,
#: `50cts`, `99 centimes`, or a lossy GSM log's `5...`, the euro sign's three bytes, which an
#: ellipsis after a number cannot be told from). In a lossy log a newline is `.` and CRLF
#: `..`: after a number, a run of three dots or more followed straight by a letter is read as
#: line breaks (`36201....STOP`, a blank line in CRLF; `48213...Envoyez`, a full stop then CRLF:
#: a probe's missed cost and false free claim), any other as the euro sign (`0,50...`,
#: `0,50.../SMS`, `12,90....` the sign then a full stop; `5€` then CRLF, `5.....STOP`, is missed)
_EURO_DOTS = r"\.{3,}(?:[^.A-Z]|$)"
#: between the number and the sign a space, a no-break one (U+00A0, U+202F: French typography,
#: `0,50 €`) or the `?` GSM writes for it
_PRICE_SPACE = r"[ \x{00A0}\x{202F}?]?"
PRICE_PATTERN = (r"[0-9](?:[.,][0-9]{1,2})?" + _PRICE_SPACE + r"(?:€|EUROS?\b|EUR\b|CTS?\b|CENTIMES?\b|"
                 + _EURO_DOTS + r")|(?:€|\.\.\.)" + _PRICE_SPACE + "[0-9]")


#: what stands for `œ` and `æ` while a word's pattern is built (letters no word holds, none
#: accentable): the pattern then takes `oe`/`ae`, or the `..`/`?` of a lossy log
_LIGATURE_MARKS = ("QXZQ", "QXZA")


def _unligated(word: str, spelling: tuple[str, str] = ("oe", "ae")) -> str:
    """`Cœur` -> `Coeur` (NFKD leaves the ligatures whole; the SQL spells them out too)."""
    for ligatures, letters in zip(("œŒ", "æÆ"), spelling):
        for ligature in ligatures:
            word = word.replace(ligature, letters)
    return word


def _words_pattern(words: list[str], plural: bool = False) -> str:
    """RE2 alternation of normalised words or phrases, tolerant of lossy logging, longest
    first; between a phrase's words what _GAP allows (`d?un`, a line break); with `plural`, a
    single word not ending in S or X also with a final S (`pornographique` -> `pornographiques`)."""
    def pattern(word: str) -> str:
        normalised = normalise_keyword(_unligated(word))
        single = plural and " " not in normalised and normalised[-1] not in "SX"
        spelled = keyword_pattern(_unligated(word, _LIGATURE_MARKS)).replace(" ", _GAP)
        for mark, letters in zip(_LIGATURE_MARKS, ("OE", "AE")):
            spelled = spelled.replace(mark, f"(?:{letters}|\\.{{2,3}}|\\?)")
        return spelled + ("S?" if single else "")

    patterns = {pattern(w) for w in words if normalise_keyword(w)}
    return "(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + ")"


def _names_pattern(names: list[str]) -> str:
    """A brand's names, each also written without its spaces (an alphanumeric sender of 11
    characters drops them: `LeFournil`)."""
    spelled = {n for name in names for n in (name, re.sub(r"\s+", "", name))}
    return _words_pattern(sorted(spelled))


def _with_adverbs(words: list[str]) -> list[str]:
    """The words, and the adverb of each single word in E (`gratuite` -> `gratuitement`)."""
    adverbs = [w + "ment" for w in words if re.fullmatch("[A-Z]+E", normalise_keyword(w))]
    return [*words, *adverbs]


def content_patterns(contract: Contract) -> dict[str, object]:
    """Bound parameters of queries/audits/r11_*.sql: RE2 patterns over a text
    normalised as normalise_keyword does, dots and `?` kept (see docs/content.md)."""
    c = contract.content
    # each check's words in group 1, its edges outside (the hit shown: `..ROTIQUES`, not `ROTIQUES`)
    words = lambda ws, plural=False: _EDGE_BEFORE + "(" + _words_pattern(ws, plural) + ")" + _EDGE_AFTER  # noqa: E731
    keywords = [*contract.rules.stop_keywords, *contract.rules.start_keywords]
    brands = sorted({s.brand for s in contract.services} | set(c.brand_names))
    # `gratuitement` claims the service free (`inscrivez-vous gratuitement au jeu`) and says a
    # reply costs nothing (`répondez OUI gratuitement`)
    service, free = _words_pattern(c.service_words), _words_pattern(_with_adverbs(c.free_words))
    return {
        # an adult word in the plural too (the default list has `pornographique` only)
        "adult": words(c.adult_words, plural=True),
        # the service then the free word (`jeu gratuit`), or the free word then the service
        # (`100 % GRATUIT ! Jeu concours`), at most two words apart
        "free_claim": _EDGE_BEFORE + f"({service}(?:{_GAP}{_FILLER}){{0,2}}{_GAP}{free}|{free}"
                      f"(?:{_GAP}{_FILLER}){{0,2}}{_GAP}{service})" + _EDGE_AFTER,
        "price": PRICE_PATTERN,
        "cost": words(_with_adverbs(c.cost_words)),
        # group 1 the call, group 2 the keyword asked
        "reply": _EDGE_BEFORE + "(" + _words_pattern(c.reply_words) + _REPLY_GAP + "(?:(?:" + "|".join(_REPLY_FILLERS)
                 + "|" + _words_pattern(list(_KEYWORD_NAMES)) + ")" + _REPLY_GAP + ")*([A-Z0-9.?]+))",
        "opt_keyword": "^" + _words_pattern([k for k in keywords if " " not in normalise_keyword(k)]) + "$",
        "not_keyword": NOT_KEYWORDS + "|^" + _words_pattern(list(_CODE_NOT_KEYWORDS)) + "$",
        "interpersonal": words(c.interpersonal_words),
        "brand_names": [{"brand": b, "pattern": _EDGE_BEFORE + _names_pattern(c.names_of(b)) + _EDGE_AFTER}
                        for b in brands],
    }
