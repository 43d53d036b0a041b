"""The contract configuration: one TOML file, validated, the only place settings are read.

Every key is documented in docs/config.md. Errors name the file, the key (dotted path, with
list indexes) and what was expected, so an analyst can fix the file without reading code.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import tomllib
import unicodedata
import zoneinfo
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from opsanalytics.errors import ConfigError
from opsanalytics.textfiles import decode_utf8

Category = Literal["marketing", "transactional", "interpersonal", "m2m"]

#: Throughput tiers Orange sells per short code (SMS/s), 10 included (RULES.md price grid).
RATE_TIERS = (10, 20, 50, 100, 150)


class _Strict(BaseModel):
    # strict: TOML has types, so a value of the wrong one is refused, never converted
    # (pydantic's lax mode read `true` as 1, "2" as 2 and 2.0 as 2); an integer is still a number
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _KeyProblems(ValueError):
    """Problems a whole-contract check finds, each at its own key: (location, message) pairs,
    a location as pydantic gives one, e.g. ("short_codes", 1, "brands", 0)."""

    def __init__(self, problems: list[tuple[tuple, str]]):
        super().__init__("; ".join(msg for _, msg in problems))
        self.problems = problems


#: names the system's zone database holds that are not zones of a place: the machine's own zone
#: (a copy or link), the POSIX-rules template, and tzdata's placeholder for "zone not set"
_NOT_ZONES = {
    "localtime": "the machine's own zone file, not an IANA name: write the zone it stands for, "
                 "e.g. 'Europe/Paris' (`timedatectl` shows it)",
    "posixrules": "the machine's own zone file (the rules of POSIX TZ strings), not an IANA name: "
                  "write the zone itself, e.g. 'Europe/Paris'",
    "Factory": "tzdata's placeholder for a machine whose zone is not set, not the IANA zone of a place: "
               "write the zone itself, e.g. 'Europe/Paris' or 'UTC'",
}


@functools.cache
def iana_zones() -> frozenset[str]:
    """The zone names a contract may use: the canonical IANA names (and their official aliases,
    such as 'UTC' or 'Europe/Monaco') that zoneinfo finds, without the system's `posix/` and
    `right/` copies and the names of `_NOT_ZONES`, which DuckDB (ICU) does not know."""
    return frozenset(z for z in zoneinfo.available_timezones()
                     if not z.startswith(("posix/", "right/")) and z not in _NOT_ZONES)


def _check_timezone(value: str) -> str:
    zones = iana_zones()
    if value in zones:
        return value
    tree, _, rest = value.partition("/")
    if value in _NOT_ZONES:
        why = _NOT_ZONES[value]
    elif tree in ("posix", "right") and rest:
        why = (f"the system's {tree}/ copy of the zone files ("
               + ("with leap seconds" if tree == "right" else "the same zones") + "), not an IANA name")
        why += f": write {rest!r}" if rest in zones else ": expected an IANA name such as 'Europe/Paris' or 'UTC'"
    else:
        why = "expected an IANA name such as 'Europe/Paris' or 'UTC'"
        close = [z for z in sorted(zones) if z.casefold() == value.strip().casefold()]
        if close:
            why += f" (did you mean {close[0]!r}?)"
    raise ValueError(f"unknown time zone {value!r}: {why}")


def _check_hhmm(value: str) -> str:
    try:
        dt.time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a time 'HH:MM', got {value!r}")
    return value


class Rules(_Strict):
    """Thresholds of the rulebook; defaults are the contract's."""

    frequency_cap: int = Field(1, ge=1, le=1000, description="R1: logical marketing messages per number, brand, local day")
    retry_minutes: int = Field(60, ge=0, le=10080, description="resend of the same text after a failure within this delay = same message")
    window: tuple[str, str] = Field(("08:00", "22:00"), strict=False,  # a TOML array, not a tuple
                                    description="R2: [start, end) local time")
    alsace_moselle: bool = Field(False, description="R2: Good Friday and 26 December are holidays too")
    stop_keywords: list[str] = Field(["STOP", "ARRET", "STOP SMS", "UNSUBSCRIBE"], min_length=1)
    start_keywords: list[str] = Field(["START"], min_length=1)
    stop_grace_minutes: int = Field(10, ge=0, le=10080, description="R4: one acknowledgement allowed within this delay")
    session_hours: int = Field(24, ge=1, le=8760, description="R5: MO-to-MT session window on 34ABC")
    forecast_tolerance: float = Field(0.20, gt=0, lt=10, allow_inf_nan=False, description="R9: relative deviation allowed")
    window_headroom: float = Field(0.05, ge=0, lt=1, allow_inf_nan=False, description="R8: share of the send window a campaign "
                                   "must leave free to fit it (retries, throttling)")
    ack_delay_seconds: int = Field(1, ge=0, le=60, description="R8: the SMSC's slowest answer to a submit "
                                   "(submit_sm_resp), in whole seconds rounded up: a `Sent SMS` line is stamped then")

    @property
    def window_hours(self) -> float:
        """Length of the R2 send window, in hours (what an R8 campaign must fit in)."""
        start, end = (dt.datetime.combine(dt.date.min, dt.time.fromisoformat(v)) for v in self.window)
        return (end - start).total_seconds() / 3600

    @field_validator("window")
    @classmethod
    def _window(cls, value: tuple[str, str]) -> tuple[str, str]:
        start, end = (_check_hhmm(v) for v in value)
        if dt.time.fromisoformat(start) >= dt.time.fromisoformat(end):
            raise ValueError(f"window start {start} must be before its end {end}")
        return (start, end)

    @field_validator("stop_keywords", "start_keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value]
        if any(not v for v in cleaned):
            raise ValueError("keywords must not be empty")
        return cleaned


class ShortCode(_Strict):
    """One short code (numéro court) of the contract and its options."""

    code: str = Field(description="5 digits; its range (34-38) says what it may carry (R5, R6)")
    smsc: str | list[str] | None = Field(None, description="gateway connection (Kannel smsc-id) carrying it; a list "
                                         "when several binds with their own smsc-id carry it")
    rate: int = Field(10, description="subscribed throughput, SMS/s (R8)")
    oadc: list[str] = Field([], description="sender names of the OAdC option; empty = no option (R7)")
    geo_presence: bool = Field(False, description="Géo Présence option, needed for marketing on 35ABC (R6)")
    brands: list[str] | None = Field(None, description="R4: brands an opt-out on this code applies to; default: seen in traffic")
    since: dt.date | None = Field(None, description="R12, R9: first day of the subscription (a TOML date): monthly fees "
                                  "and forecast rows from its month, the set-up fee in it; absent: every month")
    until: dt.date | None = Field(None, description="R12, R9: last day of the subscription (a TOML date): monthly fees "
                                  "and forecast rows through its month; absent: still held")

    def held_in(self, first: dt.date, last: dt.date) -> bool:
        """Whether the short code is subscribed on some day of [first, last] (a month)."""
        return (self.since is None or self.since <= last) and (self.until is None or self.until >= first)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9]{5}", value):  # not isdigit(): full-width '３６１８０' is a digit
            raise ValueError(f"expected a 5-digit short code such as '36180', got {value!r}")
        return value

    @field_validator("oadc")
    @classmethod
    def _oadc(cls, value: list[str]) -> list[str]:
        """Names as the recipient reads them: spaces around one dropped (R7 ignores them in the
        logged sender too: a name declared `"ACME "` matched no sender, itself included), in one
        Unicode form (NFC: `Café` pasted decomposed matched the `Café` sent). An empty name is
        refused: it would pass every MT whose log carries no sender."""
        cleaned = [unicodedata.normalize("NFC", name.strip()) for name in value]
        if any(not name for name in cleaned):
            raise ValueError("expected OAdC sender names, got an empty one")
        return cleaned

    @field_validator("smsc")
    @classmethod
    def _smsc(cls, value: str | list[str] | None) -> str | list[str] | None:
        names = [value] if isinstance(value, str) else value or []
        if any(not name.strip() for name in names):
            raise ValueError("expected Kannel smsc-id names, got an empty one")
        if isinstance(value, list) and (not value or len(set(value)) < len(value)):
            raise ValueError(f"expected one or more distinct smsc-id names, got {value!r}")
        return value

    @property
    def connections(self) -> list[str]:
        """The gateway connections (smsc-ids) that carry this short code: none, one or several."""
        return [self.smsc] if isinstance(self.smsc, str) else list(self.smsc or [])

    @model_validator(mode="after")
    def _subscription(self) -> "ShortCode":
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValueError(f"until {self.until} is before since {self.since}")
        return self

    @field_validator("rate")
    @classmethod
    def _rate(cls, value: int) -> int:
        if value not in RATE_TIERS:
            raise ValueError(f"expected one of Orange's throughput tiers {list(RATE_TIERS)}, got {value}")
        return value

    @property
    def range(self) -> str:
        """'34' ... '38': the ABC range of the short code."""
        return self.code[:2]


class Service(_Strict):
    """A gateway service/user name (Kannel SVC) and whose traffic it carries."""

    name: str
    brand: str
    category: Category
    stop_notice_exempt: bool = Field(False, description="R3: users were told at collection")


class Forecast(_Strict):
    """R9 settings for the forecast file sent to Orange."""

    contractor: str = Field("", description="the aggregator's name, on the cover sheet")


class Content(_Strict):
    """R11: the words that flag a text for review, each matched as a whole word or phrase,
    in any case, accents or not, a lossy log's `..` standing for an accented letter. Every
    list replaces the default when given."""

    adult_words: list[str] = Field(
        ["sexe", "sexy", "porno", "pornos", "porn", "pornographique", "xxx", "erotique", "erotiques", "coquin",
         "coquins", "coquine", "coquines", "libertin", "libertins", "libertine", "libertines", "escort", "escorts"],
        description="R11: adult content, in any text")
    service_words: list[str] = Field(
        ["service", "sms", "jeu", "concours", "inscription", "participation", "abonnement", "acces", "appel",
         "numero", "offre", "essai"], description="R11: what a 'free' claim is about when it claims the service is free")
    free_words: list[str] = Field(["gratuit", "gratuite", "gratuits", "gratuites", "gratis", "free"],
                                  description="R11: a claim of gratuity")
    cost_words: list[str] = Field(
        ["prix d un sms", "cout d un sms", "prix d un sms standard", "non surtaxe", "sms non surtaxe", "gratuit",
         "gratuite", "euro", "euros", "eur", "cts", "centimes", "cout", "tarif"],
        description="R11: a disclosure of what replying costs")
    reply_words: list[str] = Field(["repondez", "reponds", "envoyez", "envoie", "tapez", "tape", "textez"],
                                   description="R11: a call to send an SMS (the word after it is the keyword asked)")
    interpersonal_words: list[str] = Field(
        ["coucou", "salut", "bisous", "bisou", "bises", "tu me manques", "je t aime", "c est moi", "rappelle moi",
         "rappelez moi", "tu te souviens"],
        description="R11: an interpersonal tone, in a marketing text")
    brand_names: dict[str, list[str]] = Field(
        {}, description="R11: how a brand names itself in its texts (default: the brand's own name)")

    @field_validator("adult_words", "service_words", "free_words", "cost_words", "reply_words", "interpersonal_words")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("expected at least one word")
        if any(not re.search(r"[^\W_]", v) for v in value):
            raise ValueError(f"expected words with a letter or digit, got {value!r}")
        return value

    @field_validator("brand_names")
    @classmethod
    def _names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for brand, names in value.items():
            if not names or any(not re.search(r"[^\W_]", n) for n in names):
                raise ValueError(f"brand {brand!r}: expected one or more names with a letter or digit, got {names!r}")
        return value

    def names_of(self, brand: str) -> list[str]:
        return self.brand_names.get(brand) or [brand]


class Report(_Strict):
    """Report settings."""

    pseudonymise_salt: str | None = Field(
        None, description="salt of the hashed numbers in reports; env OPSANALYTICS_SALT wins"
    )


class Contract(_Strict):
    """The whole contract configuration."""

    timezone: str = "Europe/Paris"
    log_timezone: str = "Europe/Paris"
    #: the zone of the SMSC's receipt dates (`submit date:`), against which log_timezone is
    #: checked after each load; absent: `timezone` (Orange's SMSC keeps French time)
    receipt_timezone: str | None = None
    access_log_format: str | None = None
    access_log_clean: bool = False
    rules: Rules = Rules()
    short_codes: list[ShortCode] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    forecast: Forecast = Forecast()
    content: Content = Content()
    report: Report = Report()
    #: where the file was read from, and a digest of its text (not TOML keys)
    source: str = Field("<memory>", exclude=True)
    digest: str = Field("", exclude=True)

    _tz = field_validator("timezone", "log_timezone")(classmethod(lambda cls, v: _check_timezone(v)))
    _receipt_tz = field_validator("receipt_timezone")(
        classmethod(lambda cls, v: v if v is None else _check_timezone(v)))

    @model_validator(mode="after")
    def _whole(self) -> "Contract":
        """Checks across entries, each problem named at its key."""
        problems = self._duplicate_problems() + self._brand_problems() + self._content_brand_problems()
        if problems:
            raise _KeyProblems(problems)
        return self

    def _duplicate_problems(self) -> list[tuple[tuple, str]]:
        problems = []
        for attr, key, what in (("short_codes", "code", "short code"), ("services", "name", "service")):
            first: dict[str, int] = {}
            for i, item in enumerate(getattr(self, attr)):
                value = getattr(item, key)
                if value in first:
                    problems.append(((attr, i, key), f"{what} {value!r} is declared twice (also "
                                     f"{attr}[{first[value]}].{key}); expected one [[{attr}]] table per {key}"))
                else:
                    first[value] = i
        sharing: dict[str, list[int]] = {}
        for i, sc in enumerate(self.short_codes):
            for smsc in sc.connections:
                sharing.setdefault(smsc, []).append(i)
        for smsc, indexes in sharing.items():
            if len(indexes) > 1:
                entries = ", ".join(f"short_codes[{i}].code {self.short_codes[i].code!r}" for i in indexes)
                problems.append((("short_codes", indexes[1], "smsc"),
                                 f"smsc {smsc!r} is given to {len(indexes)} short codes: {entries}; expected each "
                                 "smsc (Kannel smsc-id) to carry one short code, which is how a line on it gets "
                                 "its short code"))
        return problems

    def _brand_problems(self) -> list[tuple[tuple, str]]:
        """R4 matches `short_codes[].brands` against the brand of each MT, which is the brand of
        its service: a name no [[services]] entry has can never match (a typo makes R4 0)."""
        known = sorted({s.brand for s in self.services})
        problems = []
        for i, sc in enumerate(self.short_codes):
            for j, brand in enumerate(sc.brands or ()):
                if brand in known:
                    continue
                msg = (f"brand {brand!r} of short code {sc.code} is the brand of no [[services]] entry, "
                       "so no MT can match it and R4 would find nothing for it")
                if not known:
                    msg += ("; no [[services]] entry is declared, so no MT has a brand: declare the "
                            "services (name, brand, category) or leave `brands` out")
                else:
                    close = [k for k in known if k.casefold().strip() == brand.casefold().strip()]
                    if close:
                        msg += " (did you mean " + " or ".join(repr(k) for k in close) + "?)"
                    msg += "; expected one of the brands of [[services]]: " + ", ".join(repr(k) for k in known)
                problems.append((("short_codes", i, "brands", j), msg))
        return problems

    def _content_brand_problems(self) -> list[tuple[tuple, str]]:
        """`content.brand_names` names brands of [[services]]: a misspelt one would name no
        message's brand, and R11 would go on flagging that brand's texts without a word."""
        known = sorted({s.brand for s in self.services})
        return [(("content", "brand_names", brand), f"brand {brand!r} is the brand of no [[services]] entry; expected "
                 "one of " + (", ".join(repr(k) for k in known) or "the brands of [[services]] (none declared)"))
                for brand in self.content.brand_names if brand not in known]

    def short_code(self, code: str) -> ShortCode | None:
        return next((s for s in self.short_codes if s.code == code), None)


#: list keys whose items a reader finds by this key of theirs (an index alone, `short_codes[4]`,
#: makes them count blocks in the file)
_ITEM_NAMES = {"short_codes": "code", "services": "name"}


def _format_location(loc: tuple, data: object = None) -> str:
    """`short_codes[4].geo_presense`; with the file's `data`, followed by the item's own name
    when the file gives it and the error is not about that key:
    `short_codes[4].geo_presense (code "35200")`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return (out + _item_name(loc, data)) if out else "(top level)"


def _item_name(loc: tuple, data: object) -> str:
    """` (code "35200")` for an error inside the item `loc` points into (a [[short_codes]] or
    [[services]] block of `data`), when it has that name and the error is not about it."""
    if len(loc) < 2 or loc[0] not in _ITEM_NAMES or not isinstance(loc[1], int) or not isinstance(data, dict):
        return ""
    key, items = _ITEM_NAMES[loc[0]], data.get(loc[0])
    item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
    if not isinstance(item, dict) or not isinstance(item.get(key), str) or loc[2:3] == (key,):
        return ""
    return f" ({key} {json.dumps(item[key], ensure_ascii=False)})"


#: pydantic's type errors, said as what the key expects
_EXPECTED = {"int_type": "expected an integer", "float_type": "expected a number",
             "bool_type": "expected true or false", "string_type": "expected a string",
             "list_type": "expected a list (array)", "tuple_type": "expected a list (array)",
             "model_type": "expected a table", "dict_type": "expected a table",
             "finite_number": "expected a finite number"}


#: why each upper bound is what it is (said when a value is beyond it); a larger value either
#: means nothing more (a cap no sender reaches) or overflows DuckDB's intervals in the audits
_MAXIMUM_IS = {"frequency_cap": "per number, brand and day; a larger cap is no cap",
               "retry_minutes": "minutes: a week", "stop_grace_minutes": "minutes: a week",
               "session_hours": "hours: a year"}


#: pydantic's range errors: the words and the name of the limit in the error's context
_BOUNDS = {"greater_than": ("more than", "gt"), "greater_than_equal": ("at least", "ge"),
           "less_than": ("less than", "lt"), "less_than_equal": ("at most", "le")}


def _as_toml(value: object) -> str:
    """A value as the TOML file wrote it, for 'got ...' in an error."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def parse_contract(text: str, source: str = "<memory>") -> Contract:
    """Validate TOML text; errors say `source: key: what is expected`."""
    text = text.removeprefix("\ufeff")  # a UTF-8 byte order mark (Windows editors)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    # (source and digest are set from the file below, never from its keys)
    internal = [f"{source}: {key}: unknown key (see docs/config.md for the keys)"
                for key in ("source", "digest") if key in data]
    if internal:
        raise ConfigError("\n".join(internal))
    try:
        contract = Contract.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            found = (err.get("ctx") or {}).get("error")
            if isinstance(found, _KeyProblems):
                problems += [f"{source}: {_format_location(err['loc'] + loc)}: {msg}" for loc, msg in found.problems]
                continue
            # (a check of ours names the short code or service in its message; pydantic's
            # do not: an unknown key or a wrong type gets the item's own name)
            where = _format_location(err["loc"], None if err["type"] == "value_error" else data)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (see docs/config.md for the keys)"
            elif err["type"] in _EXPECTED:
                msg = f"{_EXPECTED[err['type']]}, got {_as_toml(err['input'])}"
            elif err["type"] == "less_than_equal" and err["loc"][-1] in _MAXIMUM_IS:
                msg = (f"expected at most {err['ctx']['le']:,} ({_MAXIMUM_IS[err['loc'][-1]]}), "
                       f"got {_as_toml(err['input'])}")
            elif err["type"] in _BOUNDS:
                words, limit = _BOUNDS[err["type"]]
                msg = f"expected {words} {err['ctx'][limit]}, got {_as_toml(err['input'])}"
            elif err["type"] == "literal_error":
                msg = f"expected {err['ctx']['expected']}, got {_as_toml(err['input'])}"
            problems.append(f"{source}: {where}: {msg}")
        raise ConfigError("\n".join(problems)) from None
    digest = hashlib.sha256(text.encode()).hexdigest()
    return contract.model_copy(update={"source": source, "digest": digest})


def load_contract(path: str | Path) -> Contract:
    """Read and validate the contract TOML at `path` (UTF-8, with or without a BOM)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: contract file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the contract file: {exc}") from None
    return parse_contract(decode_utf8(data, path, "expected a contract file saved as UTF-8 (the editor's encoding "
                                      "setting)", ConfigError), str(path))
