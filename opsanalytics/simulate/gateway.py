"""What the simulated Kannel gateway writes for each message: the MT line(s), Kannel's ACK,
the SMSC's ENROUTE and final receipts, NACKs of refused MTs, MO lines, unmatched duplicate
receipts. Messages are plain records (`MT`, `MO`); `Gateway` turns them into log lines and
keeps the counts the ground truth reports (segments per short code and second for R8).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from opsanalytics.simulate import kannel_writer as kw, texts
from opsanalytics.simulate.contract import BY_CODE, BY_SERVICE

PARIS = ZoneInfo("Europe/Paris")

NACK_TEXT = {
    "rejected": "NACK/0x0000000b/Invalid Destination Address",
    "rejected_source": "NACK/0x0000000a/Invalid Source Address",
    "discarded": "NACK/Retries Exceeded",
    "expired": "NACK/validity expired",
    "failed": "NACK/MALFORMED SMS",
}
LABEL = {
    "accepted": "Sent SMS",
    "rejected": "REJECTED Send SMS",
    "rejected_source": "REJECTED Send SMS",
    "discarded": "DISCARDED SMS",
    "failed": "FAILED Send SMS",
    "expired": "EXPIRED SMS",
}
FINAL_STATUS = {"DELIVRD": 1, "UNDELIV": 2, "EXPIRED": 34}


@dataclass(slots=True)
class MT:
    """One logical MT message and how it fared. `t` is the epoch second of its accepted line
    (first part for application-split messages; the only line otherwise)."""

    t: int
    service: str
    code: str
    oadc: str
    to_raw: str
    msisdn: str
    text: str | tuple[str, ...]      # a tuple = parts of an application-split message
    coding: int = 0
    split: str = "single"            # single | app | gateway
    outcome: str = "accepted"        # accepted | rejected[_throttled|_source] | discarded | failed | expired
    final: str | None = "DELIVRD"    # DELIVRD | UNDELIV | EXPIRED | None (no receipt)
    err: str = "000"
    delay: int = 5                   # seconds from the accepted line to the final receipt
    dlr_mask: int = 31
    retries: tuple[tuple[int, str], ...] = ()   # earlier failed attempts (epoch, outcome)
    mention: str = "ok"              # R3 intent: ok | missing_stop | missing_short_code | wrong_number
    number_kind: str = "metro"       # metro | m2m | overseas | foreign | malformed | not_mobile
    duplicate_receipt: bool = False  # the SMSC sends the final receipt twice
    tag: str = ""                    # scenario of an injected message; '' = background
    concat_ref: int | None = None    # application-split: this 8-bit reference (None: the link's next one)
    part_offsets: tuple[int, ...] | None = None  # application-split: seconds from t of each part's
                                                 # accepted line (None: one part a second)
    part_retries: tuple[tuple[int, int, str], ...] = ()  # application-split: earlier refused attempts
                                                         # of one part (part index, epoch, outcome)
    _segs: tuple[int, ...] | None = None


    @property
    def full_text(self) -> str:
        return "".join(self.text) if isinstance(self.text, tuple) else self.text

    @property
    def line_seconds(self) -> list[int]:
        """Epoch of each accepted MT line (one per part for application-split)."""
        n = len(self.text) if isinstance(self.text, tuple) else 1
        if self.part_offsets is not None:
            return [self.t + d for d in self.part_offsets]
        return [self.t + i for i in range(n)]

    def line_segments(self) -> tuple[int, ...]:
        """Segments each accepted line stands for (computed once: the text never changes)."""
        if self._segs is None:
            if isinstance(self.text, tuple):
                self._segs = (1,) * len(self.text)
            else:
                self._segs = (kw.segments_of(self.text, self.coding),)
        return self._segs

    @property
    def segments(self) -> int:
        return sum(self.line_segments())

    @property
    def brand(self) -> str:
        return BY_SERVICE[self.service].brand

    @property
    def category(self) -> str:
        return BY_SERVICE[self.service].category

    @property
    def final_at(self) -> int | None:
        return self.line_seconds[-1] + self.delay if self.final else None


@dataclass(slots=True)
class MO:
    """One MO message received on a short code."""

    t: int
    code: str
    msisdn: str          # E.164, as Kannel logs SMPP MO senders (+33...)
    text: str
    coding: int = 0
    keyword: str | None = None   # STOP | START | None: what the rulebook reads in it
    tag: str = ""


_RECEIPT_DATES: dict[int, str] = {}


def receipt_date(epoch: int) -> str:
    """SMSC receipt dates: YYMMDDhhmm in the SMSC's local time (Europe/Paris)."""
    minute = epoch // 60
    text = _RECEIPT_DATES.get(minute)
    if text is None:
        text = _RECEIPT_DATES[minute] = dt.datetime.fromtimestamp(minute * 60, PARIS).strftime("%y%m%d%H%M")
    return text


def receipt_head(text: str, coding: int, utf8: bool = False) -> str:
    """First 20 characters of the message as the SMSC echoes them in its receipt: empty for
    binary and UCS-2; one '.' per non-ASCII character (two per byte for unmatched receipts,
    which Kannel decodes as UTF-8)."""
    if coding in (1, 2):
        return ""
    head = kw.gsm_filter(text[:20])
    if utf8:
        return kw.lossy(head)[1]
    return "".join(c if " " <= c <= "~" else "." for c in head)


class Gateway:
    """Turns MT/MO records into access-log lines in a LogBook."""

    def __init__(self, book: kw.LogBook, blackouts: list[tuple[int, int]] | None = None) -> None:
        self.book = book
        self.fids: dict[str, int] = {}
        self.scts_next: dict[tuple[str, str], int] = {}
        self.refs: dict[str, int] = {}
        self.blackouts = blackouts or []
        self.rate_seconds: Counter[tuple[str, int]] = Counter()
        #: the same with each line's upper bound as the log shows it (a lossy GSM text whose
        #: dots may be literal: R8's seconds_possibly_over)
        self.rate_seconds_max: Counter[tuple[str, int]] = Counter()

    # -- helpers -------------------------------------------------------------------------
    def _add(self, epoch: int, body: str) -> None:
        for start, end in self.blackouts:
            if start <= epoch < end:
                epoch = end   # the gateway was down: what was pending is written on restart
        self.book.add(epoch, body)

    def _fid(self, smsc: str, code: str, epoch: int, receiver: str, n: int = 1) -> str:
        """The SMSC's id of a submit (of its first part, when it takes `n` submits)."""
        spec = BY_CODE[code]
        if spec.fid_style == "scts":
            # UCP/EMI: the SMSC's timestamp of the submit, DDMMYYhhmmss in its local time, unique
            # only per recipient (an SMSC moves a second submit to one number to the next
            # second): every MT acknowledged in one second shares it
            t = max(epoch, self.scts_next.get((smsc, receiver), epoch))
            self.scts_next[(smsc, receiver)] = t + n
            return dt.datetime.fromtimestamp(t, PARIS).strftime("%d%m%y%H%M%S")
        i = self.fids.get(smsc, 0) + 1
        self.fids[smsc] = i + n - 1
        value = spec.fid_base + i
        return f"{value:08X}" if spec.fid_style == "hex" else str(value)

    def _ref(self, smsc: str) -> int:
        r = (self.refs.get(smsc, 0) + 1) % 256
        self.refs[smsc] = r
        return r

    @staticmethod
    def _flags(coding: int, mask: int) -> str:
        return f"-1:{coding}:-1:-1:{mask}"

    # -- MT --------------------------------------------------------------------------------
    def emit_mt(self, m: MT) -> None:
        spec = BY_CODE[m.code]
        smsc = spec.smsc
        svc = m.service
        for epoch, outcome in m.retries:
            self._refused(m, smsc, epoch, outcome)
        if m.outcome != "accepted":
            self._refused(m, smsc, m.t, m.outcome)
            return
        if isinstance(m.text, tuple):
            total = len(m.text)
            ref = self._ref(smsc) if m.concat_ref is None else m.concat_ref
            seconds = m.line_seconds

            def udh(i: int) -> str:
                return f"050003{ref:02X}{total:02X}{i + 1:02X}"

            for i, epoch, outcome in m.part_retries:   # a part refused, resent below with its text
                self._refused(m, smsc, epoch, outcome, text=m.text[i], udh=udh(i))
            for i, part in enumerate(m.text):
                self._accepted(m, smsc, svc, seconds[i], part, udh(i), meta="?smpp_resp?",
                               final_epoch=seconds[-1] + m.delay)
                self.rate_seconds[(m.code, seconds[i])] += 1
                self.rate_seconds_max[(m.code, seconds[i])] += 1
        else:
            # Kannel split it: one line, written when the last part is acknowledged, then the
            # ACK of part 1 (as the real 1.4.5 log shows); its receipts may come before the line
            gateway_split = m.line_segments()[0] > 1
            self._accepted(m, smsc, svc, m.t, m.text, "", meta="" if gateway_split else "?smpp_resp?",
                           final_epoch=m.t + m.delay,
                           fid_parts=m.line_segments()[0])
            self.rate_seconds[(m.code, m.t)] += m.line_segments()[0]
            most = texts.gsm_segment_bounds(m.text)[1] if m.coding == 0 else 0
            self.rate_seconds_max[(m.code, m.t)] += max(m.line_segments()[0], most)

    def _accepted(self, m: MT, smsc: str, svc: str, epoch: int, text: str, udh: str, meta: str,
                  final_epoch: int, fid_parts: int = 1) -> None:
        fid = self._fid(smsc, m.code, epoch, m.to_raw, fid_parts)
        n, shown = kw.msg_field(kw.gsm_filter(text) if m.coding == 0 else text, m.coding)
        sent = kw.line("Sent SMS", smsc, svc, "", fid, meta, m.oadc, m.to_raw,
                       self._flags(m.coding, m.dlr_mask), n, shown, udh)
        mask = m.dlr_mask
        ack = None
        if mask > 0 and mask & 8:
            ack_meta = f"{meta}?orig_msg?dlr_mask={mask}&"
            ack = kw.line("Receive DLR", smsc, svc, "", fid, ack_meta, m.oadc, m.to_raw,
                          "-1:-1:-1:-1:8", 4, "ACK/")
        self._add(epoch, sent)
        if ack:
            self._add(epoch, ack)
        if mask <= 0 or m.final is None:
            return
        login = BY_CODE[m.code].login
        head = receipt_head(text, m.coding)
        submit = receipt_date(epoch)
        rmeta_ok = f"?orig_msg?dlr_mask={mask}&?smpp?dlr_err=%03%00%00&"
        if mask & 4:
            enroute_at = min(epoch + 1, final_epoch)
            body = kw.receipt_text(fid, False, "ENROUTE", "000", submit, receipt_date(enroute_at), head)
            self._add(enroute_at, kw.line("Receive DLR", smsc, svc, login, fid, rmeta_ok, m.oadc, m.to_raw,
                                          "-1:-1:-1:-1:4", len(body), body))
        status = FINAL_STATUS[m.final]
        if not mask & (status & 3):
            return   # the sender did not ask for this final state
        err = m.err if m.final != "DELIVRD" else "000"
        rmeta = f"?orig_msg?dlr_mask={mask}&?smpp?dlr_err=%03%00%{int(err):02X}&"
        body = kw.receipt_text(fid, m.final == "DELIVRD", m.final, err, submit, receipt_date(final_epoch), head)
        self._add(final_epoch, kw.line("Receive DLR", smsc, svc, login, fid, rmeta, m.oadc, m.to_raw,
                                       f"-1:-1:-1:-1:{status}", len(body), body))
        if m.duplicate_receipt:
            dup_head = receipt_head(text, m.coding, utf8=True)
            body = kw.receipt_text(fid, m.final == "DELIVRD", m.final, err, submit, receipt_date(final_epoch),
                                   dup_head)
            self._add(final_epoch + 3, kw.line("FAILED Receive DLR", smsc, "", "", fid, "?smpp?", m.to_raw,
                                               m.oadc, "-1:0:-1:0:-1", len(body), body))

    def _refused(self, m: MT, smsc: str, epoch: int, outcome: str, text: str | None = None, udh: str = "") -> None:
        text = m.full_text if text is None else text
        n, shown = kw.msg_field(kw.gsm_filter(text) if m.coding == 0 else text, m.coding)
        meta = "" if outcome in ("failed", "expired") else "?smpp_resp?"
        if outcome in ("discarded", "expired"):
            # bearerbox gives up on these outside any connection (bb_smscconn_send_failed with
            # no SMSCConn) and logs the smsc-id the sendsms request named: none here, as with
            # routing choosing the link (real Kannel 1.4.5: tests/fixtures/kannel-1.4.5/discarded)
            smsc = ""
        self._add(epoch, kw.line(LABEL[outcome], smsc, m.service, "", "", meta, m.oadc, m.to_raw,
                                 self._flags(m.coding, m.dlr_mask), n, shown, udh))
        if LABEL[outcome] == "REJECTED Send SMS":
            # the SMSC refused the submit: an operation on Orange's equipment all the same (R8)
            segs = 1 if udh else kw.segments_of(text, m.coding)
            most = 1 if udh else max(segs, texts.gsm_segment_bounds(text)[1] if m.coding == 0 else 0)
            self.rate_seconds[(m.code, epoch)] += segs
            self.rate_seconds_max[(m.code, epoch)] += most
        if m.dlr_mask > 0 and m.dlr_mask & 16:
            nack = NACK_TEXT.get(outcome, "NACK/MALFORMED SMS")
            self._add(epoch, kw.line("Receive DLR", smsc, m.service, "", "", f"{meta}?orig_msg?dlr_mask={m.dlr_mask}&",
                                     m.oadc, m.to_raw, "-1:-1:-1:-1:16", len(nack), nack))

    # -- MO --------------------------------------------------------------------------------
    def emit_mo(self, mo: MO) -> None:
        spec = BY_CODE[mo.code]
        n, shown = kw.msg_field(mo.text, mo.coding)
        self._add(mo.t, kw.line("Receive SMS", spec.smsc, "", spec.login, "", "?smpp?", mo.msisdn, mo.code,
                                f"-1:{mo.coding}:-1:0:-1", n, shown))
