"""The message matrix pushed through the real gateway, and what each message must become.

Every MT goes to its own receiver number, so that the SMSC simulator's record of what it
really received (how many submit_sm, which coding, which bytes) can be tied to the message;
the simulator's answer for a receiver (accept, refuse, temporary error, which receipts) is
set in the MT's `behaviour`. Expected results are derived from the request and the
behaviour with the rules of KANNEL.md, and, for what only the gateway decides (how it
split a text, what survived GSM 03.38), from what the SMSC received.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from . import gsm
from .accesslog import DEFAULT, Line, Reader, parse_all
from .kannel_harness import STOP_REPLY, USERS, Gateway, wait_for
from .smsc_sim import (ACCEPT, ESME_RINVDSTADR, ESME_RMSGQFUL, ESME_RTHROTTLED, Behaviour,
                       Receipt, SmscPool)

#: gateway connection -> short code (the contract's short_codes.smsc)
SHORT_CODES = {"ora_36180": "36180", "ora_36181": "36181"}
#: the link taken by an MT that names no smsc (ora_36181 is the preferred default route)
DEFAULT_SMSC = "ora_36181"
#: sendsms user -> (brand, category): the contract's [[services]]
SERVICES = {"acme": ("Acme", "marketing"), "banque": ("Ma Banque", "transactional"),
            "stop": ("Acme", "transactional")}

#: DLR status bits Kannel writes for a receipt `stat:` (measured on 1.4.5: EXPIRED = 32 + 2)
STAT_BITS = {"DELIVRD": 1, "UNDELIV": 2, "REJECTD": 2, "EXPIRED": 34, "DELETED": 2, "UNKNOWN": 2}
#: the warehouse's final status of an MT for its final receipt (docs/schema.md, fct_mt)
STAT_FINAL = {"DELIVRD": "delivered", "UNDELIV": "failed", "REJECTD": "failed", "EXPIRED": "expired",
              "DELETED": "failed", "UNKNOWN": "failed"}
#: Kannel label of each MT outcome
LABELS = {"accepted": "Sent SMS", "refused": "REJECTED Send SMS", "failed": "FAILED Send SMS",
          "discarded": "DISCARDED SMS", "expired": "EXPIRED SMS"}
MT_LABELS = set(LABELS.values())


@dataclass(frozen=True)
class MT:
    """One sendsms request and what the gateway and the SMSC make of it."""

    ref: str
    to: str
    text: str | bytes
    sender: str = "ACME"
    user: str = "acme"
    smsc: str | None = "ora_36180"
    coding: int | None = None
    dlr_mask: int | None = None
    udh: bytes = b""
    validity: int | None = None
    behaviour: Behaviour = ACCEPT
    http_status: int | tuple[int, ...] = 202    # several: the gateway's answer is racy
    outcome: str = "accepted"          # accepted | refused | failed | discarded | expired
    logged_smsc: str | None = None      # when the line's SMSC differs from `smsc` ('' = none)
    resend_of: str | None = None        # the failed MT this one resends: sent once its outcome is logged

    def params(self) -> dict:
        params = {"username": self.user, "password": USERS[self.user], "from": self.sender,
                  "to": self.to, "text": self.text}
        if isinstance(self.text, str):
            params["charset"] = "UTF-8"
        for key, value in (("smsc", self.smsc), ("coding", self.coding), ("dlr-mask", self.dlr_mask),
                           ("validity", self.validity)):
            if value is not None:
                params[key] = value
        if self.udh:
            params["udh"] = self.udh
        return params

    @property
    def service(self) -> str:
        return self.user

    @property
    def line_smsc(self) -> str:
        if self.logged_smsc is not None:
            return self.logged_smsc
        return self.smsc if self.smsc is not None else DEFAULT_SMSC

    @property
    def coding_used(self) -> int:
        if self.coding is None and self.udh:
            return 1  # smsbox makes a message with a UDH and no coding 8-bit
        return self.coding or 0

    @property
    def label(self) -> str:
        return LABELS[self.outcome]

    def final_receipt(self) -> Receipt | None:
        finals = [r for r in self.behaviour.receipts if r.stat not in ("ENROUTE", "ACCEPTD")]
        return finals[-1] if finals else None

    def expected_final(self) -> str | None:
        """fct_mt.final_status: from the last final receipt the mask asked for, or Kannel's NACK."""
        mask = self.dlr_mask or 0
        if self.outcome != "accepted":
            return "rejected" if mask & 18 else None
        receipt = self.final_receipt()
        if receipt is None or not mask & STAT_BITS[receipt.stat] & 3:
            return None
        return STAT_FINAL[receipt.stat]

    def expected_dlrs(self) -> list[int]:
        """Status of each `Receive DLR` line of this MT, in order."""
        mask = self.dlr_mask or 0
        if self.outcome != "accepted":
            # Kannel's NACK for an MT that was never accepted: asked by bit 16 or bit 2
            return [16] if mask & 18 else []
        out = [8] if mask & 8 else []
        if mask & 4 and any(r.stat == "ENROUTE" for r in self.behaviour.receipts):
            out.append(4)
        receipt = self.final_receipt()
        if receipt and mask & STAT_BITS[receipt.stat] & 3:
            out.append(STAT_BITS[receipt.stat])
        return out

    def expected_unmatched(self) -> int:
        """`FAILED Receive DLR` lines: the second copy of a duplicated receipt."""
        if self.outcome != "accepted" or not (self.dlr_mask or 0) & 3:
            return 0
        return sum(1 for r in self.behaviour.receipts if r.duplicate)

    def expected_text(self) -> str | bytes:
        """The text the warehouse must hold: exact for codings 1 and 2, GSM-folded for 0."""
        if self.coding_used == 2:
            return self.text if isinstance(self.text, str) else self.text.decode("utf-16-be")
        if self.coding_used == 1:
            return self.text if isinstance(self.text, bytes) else self.text.encode("utf-8")
        return gsm.kannel_printable(gsm.gsm_roundtrip(self.text))

    def expected_segments(self) -> int:
        if self.udh:
            return 1
        return gsm.segments(self.coding_used, self.text)

    def split_by_kannel_without_receipt(self) -> bool:
        """A text Kannel splits itself, with no handset receipt asked: its `Sent SMS` line has
        no FID. From 1.4.4 smsc_smpp.c gives the submit_sm_resp id to the part only; what
        copies it to the message the parts came from (the one logged) is dlr_add, called
        only when DLR_IS_ENABLED_DEVICE (mask bits 1, 2 or 4), for the first part."""
        return self.expected_segments() > 1 and not (self.dlr_mask or 0) & 7


@dataclass(frozen=True)
class MO:
    """One MO the SMSC simulator delivers (in one or several deliver_sm parts)."""

    ref: str
    sender: str
    text: str
    data_coding: int = 0                 # SMPP data_coding: 0 GSM, 3 Latin-1, 8 UCS-2
    smsc: str = "ora_36180"
    parts: int = 1                       # > 1: concatenated MO, reassembled by the gateway
    keyword: str | None = None           # fct_mo.keyword
    keyword_known: bool = True           # False: a random text whose keyword is not asserted
    reply: bool = False                  # the `stop` service acknowledges it
    refused: bool = False                # sender black-listed: `REJECTED Receive SMS`
    orphan: bool = False                 # only part 1 of `parts` is sent: the gateway flushes it
                                         # with its UDH when it stops

    @property
    def short_code(self) -> str:
        return SHORT_CODES[self.smsc]

    @property
    def coding_logged(self) -> int:
        return 2 if self.data_coding == 8 else 0

    def payloads(self) -> list[tuple[bytes, bytes]]:
        """(udh, payload) of each deliver_sm."""
        encode = {0: gsm.gsm_encode, 3: lambda t: t.encode("latin-1"),
                  8: lambda t: t.encode("utf-16-be")}[self.data_coding]
        if self.parts == 1:
            return [(b"", encode(self.text))]
        chunk = -(-len(self.text) // self.parts)
        pieces = [self.text[i:i + chunk] for i in range(0, len(self.text), chunk)]
        ref = int(self.ref.strip("MN")) & 0xFF
        parts = [(bytes((5, 0, 3, ref, len(pieces), i + 1)), encode(p)) for i, p in enumerate(pieces)]
        return parts[:1] if self.orphan else parts

    @property
    def logged_text(self) -> str:
        """What the gateway logs: the whole text, or the orphan part alone."""
        if not self.orphan:
            return self.text
        chunk = -(-len(self.text) // self.parts)
        return self.text[:chunk]

    @property
    def logged_udh(self) -> str:
        return self.payloads()[0][0].hex().upper() if self.orphan else ""

    def expected_text(self) -> str:
        return self.logged_text if self.coding_logged == 2 else gsm.kannel_printable(self.logged_text)


def _receipts(*stats: str, delay: float = 0.05, duplicate: bool = False) -> Behaviour:
    chain = tuple(Receipt(s, delay if i == len(stats) - 1 else 0.02, err=1 if s == "UNDELIV" else 0,
                          duplicate=duplicate and i == len(stats) - 1) for i, s in enumerate(stats))
    return Behaviour(receipts=chain)


_REFUSED_ONCE = Behaviour(first_status=ESME_RINVDSTADR, first_attempts=1)

LONG_GSM = ("Offre spéciale été : profitez de -30% sur toute la boutique jusqu'à dimanche minuit, "
            "code [ETE30] valable une fois, dès 20€ d'achat. Livraison offerte à partir de 50€. "
            "Conditions sur acme.example/cgv ~ merci ! STOP au 36180")
LONG_UCS2 = ("Bonne fête ! 🎉 Profitez de l'offre été 😀 : -30% sur tout, code [ETE30], dès 20€. "
             "Réponse STOP au 36180 pour ne plus recevoir nos offres.")
LONG_8BIT = bytes(range(256))[:200]

#: the MT matrix (receivers are unique: the simulator ties its records to them)
MTS: tuple[MT, ...] = (
    MT("T01", "33612300001", "Promo: -20% avec le code [ÉTÉ] ] [J-3] à 5€ {ok} ~ ^ | \\ fin",
       dlr_mask=31),
    MT("T02", "33612300002", "Votre code est 4821. Répondez STOP au 36180.", sender="36180",
       dlr_mask=3),
    MT("T03", "33612300003", "Route par défaut (sans smsc), accusé 19", smsc=None, dlr_mask=19),
    MT("T04", "33612300004", "Sans accusé de réception, texte simple"),
    MT("T05", "33612300005", "Été 😀 à bientôt ! 5€ [ok] ] [", coding=2, dlr_mask=31),
    MT("T06", "33612300006", b"\x00\x01\x7f\x80\xff\r\n A", coding=1, dlr_mask=31),
    MT("T07", "33612300007", LONG_GSM, dlr_mask=31),
    MT("T08", "33612300008", LONG_UCS2, coding=2, dlr_mask=31, smsc="ora_36181"),
    MT("T09", "33612300009", LONG_8BIT, coding=1, dlr_mask=19),
    MT("T10.1", "33612300010", "Partie 1/3 : votre commande n°4521 a été expédiée. ",
       udh=bytes.fromhex("0500034103" "01"), coding=0, dlr_mask=31),
    MT("T10.2", "33612300010", "Partie 2/3 : livraison prévue demain [suivi]. ",
       udh=bytes.fromhex("0500034103" "02"), coding=0, dlr_mask=31),
    MT("T10.3", "33612300010", "Partie 3/3 : merci, l'équipe ACME €",
       udh=bytes.fromhex("0500034103" "03"), coding=0, dlr_mask=31),
    MT("T11.1", "33612300011", "Première partie en UCS-2 😀 ", coding=2,
       udh=bytes.fromhex("060804BEEF02" "01")),
    MT("T11.2", "33612300011", "et la seconde [fin]", coding=2,
       udh=bytes.fromhex("060804BEEF02" "02")),
    MT("T12", "33612300012", b"\x01\x06\x03\xae\x81\xea", coding=1, udh=bytes.fromhex("0605040B8423F0"),
       dlr_mask=31),
    MT("T13", "33612300013", "Refusé par le SMSC (0x0B)", dlr_mask=31,
       behaviour=Behaviour(status=ESME_RINVDSTADR), outcome="refused"),
    MT("T14", "33612300014", "Refusé sans accusé demandé",
       behaviour=Behaviour(status=ESME_RINVDSTADR), outcome="refused"),
    MT("T15", "33612300015", "Erreur temporaire (0x14) jusqu'à l'abandon", smsc="ora_36181", dlr_mask=31,
       behaviour=Behaviour(first_status=ESME_RMSGQFUL, first_attempts=-1), outcome="discarded"),
    MT("T16", "33612300016", "Limité une fois (0x58) puis accepté", dlr_mask=19,
       behaviour=Behaviour(first_status=ESME_RTHROTTLED, first_attempts=1)),
    MT("T17", "33612300017", "File pleine une fois (0x14) puis accepté", dlr_mask=3,
       behaviour=Behaviour(first_status=ESME_RMSGQFUL, first_attempts=1)),
    MT("T18", "447700900123", "Pas de route vers un numéro britannique", smsc=None, dlr_mask=31,
       http_status=403, outcome="discarded", logged_smsc=""),
    MT("T19", "33600000000", "Destinataire en liste noire", dlr_mask=31, http_status=403,
       outcome="refused"),
    # a link that never connects: smsbox answers 202 '3: Queued for later delivery' or 403
    # 'Not routable' depending on the link's state at that instant; the log is the same
    MT("T20", "33612300020", "Lien coupé et validité nulle", smsc="ora_down", validity=0, dlr_mask=31,
       outcome="expired", http_status=(202, 403)),
    MT("T21", "33612300021", "Numéro injoignable", dlr_mask=31, behaviour=_receipts("ENROUTE", "UNDELIV")),
    MT("T22", "33612300022", "Le SMSC rend stat:EXPIRED", dlr_mask=31,
       behaviour=_receipts("ENROUTE", "EXPIRED")),
    MT("T23", "33612300023", "Le SMSC rend stat:REJECTD", smsc="ora_36181", dlr_mask=3,
       behaviour=_receipts("REJECTD")),
    MT("T24", "33612300024", "Accusé en double", dlr_mask=31,
       behaviour=_receipts("ENROUTE", "DELIVRD", duplicate=True)),
    MT("T25", "33612300025", "Accusé final tardif", smsc="ora_36181", dlr_mask=31,
       behaviour=_receipts("ENROUTE", "DELIVRD", delay=1.5)),
    MT("T26", "+33612300026", "Votre code Ma Banque : 123456", sender="Ma Banque", user="banque",
       dlr_mask=3),
    MT("T27", "33612300027", "Ligne 1\nLigne 2\r\nTab\tfin", dlr_mask=19),
    MT("T28", "33612300028", "Emoji en GSM 😀 et œuvre", dlr_mask=31),
    # refused, then resent as is by the application: one logical message, two attempts. The
    # resend waits for the refusal, as an application does: sent together, the two may leave
    # in either order (docs/KANNEL.md, custom format), and a log timed by `%t`, the message's
    # creation time, then shows the later message refused after the earlier one accepted.
    MT("T29", "33612300029", "Votre colis arrive demain", dlr_mask=31, behaviour=_REFUSED_ONCE,
       outcome="refused"),
    MT("T29b", "33612300029", "Votre colis arrive demain", dlr_mask=31, behaviour=_REFUSED_ONCE,
       resend_of="T29"),
    # split by Kannel with no receipt asked: logged once, with no FID (no dlr_add to copy it)
    MT("T30", "33612300030", LONG_GSM.replace("Offre", "Relance"), smsc="ora_36181"),
)

#: the MO matrix (senders are unique)
MOS: tuple[MO, ...] = (
    MO("M01", "33670000001", "stop", keyword="STOP", reply=True),
    MO("M02", "33670000002", " Stop merci ", keyword="STOP", reply=True),
    MO("M03", "33670000003", "ARRÊT", data_coding=8, smsc="ora_36181", keyword="STOP"),
    MO("M04", "33670000004", "ARRÉT", data_coding=0, keyword="STOP"),          # É is GSM 0x1F
    MO("M05", "33670000005", "ARRÊT", data_coding=3, keyword="STOP"),          # Latin-1
    MO("M06", "33670000006", "START", keyword="START"),
    MO("M07", "33670000007", "Bonjour 😀 [promo] ] [ 5€", data_coding=8),
    MO("M08", "33670000008", "Bonjour, quelle est l'adresse du magasin le plus proche ?", parts=2),
    MO("M09", "33670000009", "Merci pour l'info 😀 à bientôt", data_coding=8, parts=2, smsc="ora_36181"),
    MO("M10", "33611111111", "STOP", keyword="STOP", refused=True),
    MO("M11", "33670000011", "Moitié de message jamais complétée", parts=2, orphan=True),
)


def stop_replies(mos=MOS) -> list[MT]:
    """The acknowledgements the `stop` sms-service sends (an MT each, no DLR asked)."""
    return [MT(f"R{mo.ref}", "+" + mo.sender, STOP_REPLY, sender=mo.short_code, user="stop", smsc=mo.smsc)
            for mo in mos if mo.reply and not mo.refused]


def behaviours(mts=MTS) -> dict[str, Behaviour]:
    return {mt.to.lstrip("+"): mt.behaviour for mt in mts if mt.behaviour is not ACCEPT}


@dataclass
class Played:
    """What one run sent, received and logged."""

    mts: list[MT]
    mos: list[MO]
    http: dict[str, int] = field(default_factory=dict)
    started: float = 0.0               # epoch seconds, before the first request
    finished: float = 0.0              # epoch seconds, after the log settled
    lines: list[str] = field(default_factory=list)
    reader: Reader = DEFAULT

    def parsed(self) -> list[Line]:
        return parse_all(self.lines, self.reader)

    def seconds(self) -> tuple[int, int]:
        """The whole seconds a line of this run may be stamped with. Kannel writes the second
        of C's time(), read from the kernel's coarse clock, which lags the clock Python's
        time() reads by up to one tick: a line written a few milliseconds after `started`
        can still carry the second before it (seen once in CI, on a first MT and its ACK)."""
        return math.floor(self.started) - 1, math.ceil(self.finished) + 2


def _complete(played: Played, pool: SmscPool) -> "callable":
    """True once every line the scenario implies is in the log and the SMSCs are idle."""
    mt_lines = len(played.mts)
    mo_lines = sum(1 for mo in played.mos if not mo.orphan)   # orphans come at shutdown
    dlr_lines = sum(len(mt.expected_dlrs()) for mt in played.mts)
    unmatched = sum(mt.expected_unmatched() for mt in played.mts)

    def done(raw: list[str]) -> bool:
        lines = parse_all(raw, played.reader)
        labels = [l.label for l in lines]
        return (pool.idle()
                and sum(1 for l in labels if l in MT_LABELS) >= mt_lines
                and sum(1 for l in labels if "Receive SMS" in l) >= mo_lines
                and labels.count("Receive DLR") >= dlr_lines
                and labels.count("FAILED Receive DLR") >= unmatched)
    return done


def _outcome_logged(gateway: Gateway, reader: Reader, mt: MT) -> bool:
    """Whether the gateway has logged what became of `mt` (its MT line, whatever the label)."""
    to = mt.to.lstrip("+")
    return any(line.label in MT_LABELS and line["to"].lstrip("+") == to
               for line in parse_all(gateway.access_lines(), reader))


def play(gateway: Gateway, pool: SmscPool, mts=MTS, mos=MOS, timeout: float = 30,
         replies: bool = True) -> Played:
    """Send every MT through sendsms, deliver every MO, wait (bounded) for the log to settle."""
    variant = gateway.variant
    played = Played(list(mts), list(mos), started=time.time(),
                    reader=Reader(variant.access_log_format, variant.access_log_clean))
    for mt in mts:
        if mt.resend_of:
            failed = next(m for m in mts if m.ref == mt.resend_of)
            wait_for(lambda: _outcome_logged(gateway, played.reader, failed), timeout,
                     f"{failed.ref}'s outcome in the access log, before {mt.ref} resends it")
        result = gateway.sendsms(mt.params())
        played.http[mt.ref] = result.status
    if variant.rotate:
        gateway.rotate()   # the MTs' receipts and the MOs land in the new file
    for mo in mos:
        sim = pool[mo.smsc]
        for udh, payload in mo.payloads():
            sim.send_mo(mo.sender, mo.short_code, payload, data_coding=mo.data_coding, udh=udh)
    if replies:
        played.mts += stop_replies(mos)
    played.lines = gateway.wait_quiet(_complete(played, pool), timeout)
    played.finished = time.time()
    return played


def contract_toml(variant_keys: str) -> str:
    """The contract the run is ingested with: short codes per smsc, services per brand."""
    codes = "\n".join(f'[[short_codes]]\ncode = "{code}"\nsmsc = "{smsc}"\n'
                      for smsc, code in SHORT_CODES.items())
    services = "\n".join(f'[[services]]\nname = "{name}"\nbrand = "{brand}"\ncategory = "{category}"\n'
                         for name, (brand, category) in SERVICES.items())
    return f'timezone = "Europe/Paris"\n{variant_keys}\n\n{codes}\n{services}'
