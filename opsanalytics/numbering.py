"""French numbering facts -> the longest-prefix table `ref_numbering` (R10).

Built from the `phonenumbers` metadata (a maintained source, not a hand-written list) where
the library knows the answer, plus the facts of RULES.md it cannot know:

* M2M SIM cards: 0700 + 10 digits (E.164 +33 700 + 10 digits, 15 digits);
* overseas mobiles written in French *national* format start with 06 and look metropolitan
  (0690 12 34 56 is +590 690 12 34 56): the library calls them invalid French numbers, so the
  mapping national prefix -> country code is explicit here (`OVERSEAS_NATIONAL`) and used by
  the msisdn normalisation in SQL (queries/facts/int_msisdn.sql);
* the same overseas prefixes written after +33 (+33 690 ...) are not valid French numbers
  either; they are classified `overseas_mobile` too (flagged `via_33`), because that is what
  the sender meant;
* overseas fixed lines in national format (0590 ..., 0262 ...: `OVERSEAS_FIXED_NATIONAL`) are
  mapped likewise, as `overseas_fixed`.

The table is derived by splitting prefixes until every sample number below a prefix has the
same type and territory, so it follows the library's ranges without parsing its regexes.
Numbers are classified against it in SQL only, once, by the facts (queries/facts/int_msisdn.sql,
fct_mt.number_kind): the audits (R6, R10) read that kind and look nothing up again.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneNumberType as T

#: RULES.md "French numbering facts": national prefix -> (E.164 country code, territory)
OVERSEAS_NATIONAL: dict[str, tuple[str, str]] = {
    "0690": ("590", "GP"),  # Guadeloupe, Saint-Martin, Saint-Barthélemy
    "0691": ("590", "GP"),
    "0694": ("594", "GF"),  # French Guiana
    "0696": ("596", "MQ"),  # Martinique
    "0697": ("596", "MQ"),
    "0692": ("262", "RE"),  # Réunion
    "0693": ("262", "RE"),
    "0639": ("262", "YT"),  # Mayotte
}

#: overseas *fixed* lines written in French national format (ARCEP's plan: 0590 Guadeloupe,
#: 0594 French Guiana, 0596 Martinique, 0262/0263 Réunion, 0269 Mayotte): they look like
#: metropolitan fixed numbers (05, 02) but are +590 590..., +262 262...; the library knows the
#: numbers under their own country code only. Not mobiles, overseas all the same (R10)
OVERSEAS_FIXED_NATIONAL: dict[str, tuple[str, str]] = {
    "0590": ("590", "GP"),
    "0594": ("594", "GF"),
    "0596": ("596", "MQ"),
    "0262": ("262", "RE"),
    "0263": ("262", "RE"),
    "0269": ("262", "YT"),
}

#: French overseas regions with their own country code (not metropolitan, not foreign)
OVERSEAS_REGIONS = ("GP", "BL", "MF", "GF", "MQ", "RE", "YT", "PM", "WF", "NC", "PF")

_KIND_BY_TYPE = {
    T.MOBILE: "mobile",
    T.FIXED_LINE: "fixed",
    T.FIXED_LINE_OR_MOBILE: "fixed",
    T.VOIP: "voip",
    T.TOLL_FREE: "special",
    T.PREMIUM_RATE: "special",
    T.SHARED_COST: "special",
    T.UAN: "special",
    T.VOICEMAIL: "special",
    T.PERSONAL_NUMBER: "special",
    T.PAGER: "special",
}
_MAX_DEPTH = 6  # digits of national number explored below the country code
_MIN_DEPTH = 3  # explored exhaustively: sampling alone misses ranges such as 639 or 690-694


class Prefix(NamedTuple):
    """One row of ref_numbering."""

    prefix: str               # E.164 digits without '+'; the longest match wins
    kind: str                 # metro_mobile, metro_fixed, m2m, overseas_mobile, foreign, ...
    territory: str | None     # ISO region (FR, GP, RE, YT, GB ...)
    digits: int | None        # expected E.164 digit count; None when the plan varies
    national_prefix: str | None  # French national form that maps here ('0690'), if any
    source: str               # phonenumbers | RULES.md


def _classify(cc: int, national: str) -> tuple[str, str | None]:
    number = phonenumbers.PhoneNumber(country_code=cc, national_number=int(national))
    kind = _KIND_BY_TYPE.get(phonenumbers.number_type(number), "invalid")
    # unassigned ranges keep the plan's territory so that siblings merge
    return kind, (None if kind == "invalid" else phonenumbers.region_code_for_number(number))


def _samples(prefix: str, length: int) -> list[str]:
    rest = length - len(prefix)
    if rest <= 0:
        return [prefix[:length]]
    fills = [str(d) * rest for d in range(10)] + [("1234567890" * 3)[:rest], ("9876543210" * 3)[:rest]]
    return [prefix + fill for fill in fills]


def _split(cc: int, prefix: str, length: int, out: list[tuple[str, str, str | None]]) -> None:
    """Recurse until all samples below `prefix` agree (or the depth limit is reached)."""
    found = set() if len(prefix) < _MIN_DEPTH else {_classify(cc, s) for s in _samples(prefix, length)}
    if len(found) == 1 or (found and len(prefix) >= min(_MAX_DEPTH, length - 1)):
        kind, region = max(found, key=lambda kr: kr[0] != "invalid") if len(found) > 1 else found.pop()
        out.append((prefix, kind, region))
        return
    children: list[tuple[str, str, str | None]] = []
    for digit in "0123456789":
        _split(cc, prefix + digit, length, children)
    # merge children back when they all agree (keeps the table short)
    if len({(k, r) for _, k, r in children}) == 1:
        out.append((prefix, children[0][1], children[0][2]))
    else:
        out.extend(children)


def _national_length(region: str) -> int:
    example = phonenumbers.example_number_for_type(region, T.MOBILE) or phonenumbers.example_number(region)
    return len(str(example.national_number))


def _scope(kind: str, overseas: bool) -> str:
    if kind == "invalid":
        return "invalid"
    if kind == "special":
        return "special"
    return f"{'overseas' if overseas else 'metro'}_{kind}"


@lru_cache(maxsize=1)
def prefix_table() -> tuple[Prefix, ...]:
    """Every row of ref_numbering, longest-prefix semantics (computed once per process)."""
    rows: dict[str, Prefix] = {}
    # every country code: foreign unless France or a French overseas code (refined below)
    plans = [(33, "FR", False)] + [
        (phonenumbers.country_code_for_region(r), r, True) for r in OVERSEAS_REGIONS
    ]
    french = {cc for cc, _, _ in plans}
    for cc, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        if regions and regions[0] != "001" and cc not in french:
            rows[str(cc)] = Prefix(str(cc), "foreign", regions[0], None, None, "phonenumbers")
    # France and the overseas codes, split by number type
    done: set[int] = set()
    for cc, region, overseas in plans:
        if cc in done:
            continue
        done.add(cc)
        length = _national_length(region)
        leaves: list[tuple[str, str, str | None]] = []
        _split(cc, "", length, leaves)
        for national, kind, territory in leaves:
            prefix = f"{cc}{national}"
            rows[prefix] = Prefix(prefix, _scope(kind, overseas), territory or region,
                                  len(str(cc)) + length, None, "phonenumbers")
    # RULES.md facts the library does not know; they cover their whole range
    national_forms = [(OVERSEAS_NATIONAL, "overseas_mobile", "RULES.md"),
                      (OVERSEAS_FIXED_NATIONAL, "overseas_fixed", "ARCEP numbering plan")]
    explicit = ["33700"] + [prefix for table, _, _ in national_forms for n, (cc, _) in table.items()
                            for prefix in (cc + n[1:], "33" + n[1:])]
    for prefix in [p for p in rows if any(p.startswith(e) and p != e for e in explicit)]:
        del rows[prefix]
    rows["33700"] = Prefix("33700", "m2m", "FR", 15, "0700", "RULES.md")
    for table, kind, source in national_forms:
        for national, (cc, territory) in table.items():
            target = cc + national[1:]
            rows[target] = Prefix(target, kind, territory, len(cc) + 9, national, source)
            via33 = "33" + national[1:]
            rows[via33] = Prefix(via33, kind, territory, 11, None, f"{source} (written after +33)")
    return tuple(sorted(rows.values()))

