"""The simulated aggregator's contract: short codes of every range, the services routed on
them, and the TOML file `opsanalytics` reads (docs/config.md keys only).

The same tables drive the traffic generator, so the contract and the logs agree by
construction: a short code's smsc-id is the Kannel link that carries it, a service's brand
and category say which rules its traffic falls under.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ShortCodeSpec:
    code: str
    smsc: str
    login: str          # SMPP system_id of the link: Kannel's ACT on MO and receipts
    rate: int = 10
    oadc: tuple[str, ...] = ()
    geo_presence: bool = False
    fid_style: str = "hex"   # how the SMSC numbers its message ids: hex, dec, scts (UCP/EMI: the second)
    fid_base: int = 0


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    brand: str
    category: str
    codes: tuple[str, ...] = ()
    stop_notice_exempt: bool = False
    senders: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> OAdC used


SHORT_CODES: tuple[ShortCodeSpec, ...] = (
    ShortCodeSpec("36180", "ora_36180", "acme36180", rate=20, oadc=("ACME", "Acme Shop"),
                  fid_style="hex", fid_base=0x5EA70000),
    ShortCodeSpec("36181", "ora_36181", "acme36181", rate=10, fid_style="scts"),   # a UCP/EMI link
    ShortCodeSpec("35200", "ora_35200", "fournil35200", rate=10, geo_presence=True,
                  fid_style="hex", fid_base=0x35200000),
    ShortCodeSpec("35300", "ora_35300", "fournil35300", rate=10, fid_style="hex", fid_base=0x35300000),
    ShortCodeSpec("34100", "ora_34100", "quiz34100", rate=10, fid_style="dec", fid_base=3410000000),
    ShortCodeSpec("38500", "ora_38500", "telem38500", rate=50, fid_style="hex", fid_base=0x38500000),
    ShortCodeSpec("37200", "ora_37200", "chat37200", rate=10, fid_style="dec", fid_base=3720000000),
)

#: A link the gateway has but the contract does not declare (R6 unknown_short_code).
UNDECLARED = ShortCodeSpec("36999", "ora_36999", "old36999", rate=10, fid_style="hex", fid_base=0x36999000)

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("acme", "Acme", "marketing", ("36180", "36181"),
                senders={"36180": ("ACME", "Acme Shop", "36180"), "36181": ("36181",)}),
    ServiceSpec("acme_tx", "Acme", "transactional", ("36180", "36181"),
                senders={"36180": ("ACME", "36180"), "36181": ("36181",)}),
    ServiceSpec("bellemode", "BelleMode", "marketing", ("36181",), senders={"36181": ("36181",)}),
    ServiceSpec("club", "ClubPrivilege", "marketing", ("36180",), stop_notice_exempt=True,
                senders={"36180": ("36180",)}),
    ServiceSpec("fournil", "Fournil", "marketing", ("35200",), senders={"35200": ("35200",)}),
    ServiceSpec("fournil_tx", "Fournil", "transactional", ("35300",), senders={"35300": ("35300",)}),
    ServiceSpec("quiz", "QuizMedia", "transactional", ("34100",), senders={"34100": ("34100",)}),
    ServiceSpec("telemetry", "Telemetrix", "m2m", ("38500",), senders={"38500": ("38500",)}),
    ServiceSpec("chatplus", "ChatPlus", "interpersonal", ("37200",), senders={"37200": ("37200",)}),
    ServiceSpec("stop", "SMSPro", "transactional", ("36180", "36181", "35200"),
                senders={"36180": ("36180",), "36181": ("36181",), "35200": ("35200",)}),
    ServiceSpec("start", "SMSPro", "transactional", ("36180", "36181", "35200"),
                senders={"36180": ("36180",), "36181": ("36181",), "35200": ("35200",)}),
)

BY_CODE = {s.code: s for s in SHORT_CODES + (UNDECLARED,)}
BY_SERVICE = {s.name: s for s in SERVICES}
DECLARED_CODES = {s.code for s in SHORT_CODES}


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: the contract's resend delay (a resend after a failure within it is the same message)
RETRY_MINUTES = 60


#: the simulated aggregator's name (the contract's [forecast] contractor)
CONTRACTOR = "Démo Agrégateur SAS"


def contract_toml(log_timezone: str) -> str:
    """The contract file text (defaults for [rules], spelled out so analysts can edit them)."""
    out = [
        "# Contract of the simulated aggregator (opsanalytics simulate). Keys: docs/config.md.",
        'timezone = "Europe/Paris"',
        f"log_timezone = {_q(log_timezone)}",
        "",
        "[rules]",
        "frequency_cap = 1",
        f"retry_minutes = {RETRY_MINUTES}",
        'window = ["08:00", "22:00"]',
        "alsace_moselle = false",
        'stop_keywords = ["STOP", "ARRET", "STOP SMS", "UNSUBSCRIBE"]',
        'start_keywords = ["START"]',
        "stop_grace_minutes = 10",
        "session_hours = 24",
        "forecast_tolerance = 0.20",
        "window_headroom = 0.05",
    ]
    for sc in SHORT_CODES:
        out += ["", "[[short_codes]]", f"code = {_q(sc.code)}", f"smsc = {_q(sc.smsc)}", f"rate = {sc.rate}"]
        if sc.oadc:
            out.append("oadc = [" + ", ".join(_q(o) for o in sc.oadc) + "]")
        out.append(f"geo_presence = {'true' if sc.geo_presence else 'false'}")
    for sv in SERVICES:
        out += [
            "", "[[services]]", f"name = {_q(sv.name)}", f"brand = {_q(sv.brand)}",
            f"category = {_q(sv.category)}",
            f"stop_notice_exempt = {'true' if sv.stop_notice_exempt else 'false'}",
        ]
    # the cover sheet of the R9 file for Orange names the aggregator
    out += ["", "[forecast]", f"contractor = {_q(CONTRACTOR)}"]
    return "\n".join(out) + "\n"


def write_contract(path: Path, log_timezone: str) -> Path:
    path.write_text(contract_toml(log_timezone), encoding="utf-8")
    return path
