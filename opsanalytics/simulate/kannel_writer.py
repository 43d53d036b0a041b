"""Kannel 1.4.5 access-log lines, byte for byte as bearerbox writes them (docs/KANNEL.md).

Everything here is pure formatting: the simulator decides what happens, this module decides
how the gateway would print it. Lines are collected as (epoch second, sequence, body) and
written sorted, so the files are in the order the gateway writes them even though the
simulator creates them message by message; the prefix is rendered in the log's time zone,
which repeats the 02:00-03:00 hour at the autumn change exactly as a local log does.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

# GSM 03.38 default alphabet and its extension table: what a coding-0 MT can carry.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")

LOG_BEGINS = "Log begins"
LOG_ENDS = "Log ends"


_NOT_GSM = re.compile("[^" + re.escape("".join(sorted(GSM_BASIC | GSM_EXTENSION))) + "]")
_NOT_PRINTABLE = re.compile(rb"[^\x20-\x7e]")
_EXTENSION = tuple(GSM_EXTENSION)


def gsm_filter(text: str) -> str:
    """What survives GSM 03.38 conversion: characters outside the alphabet become '?'."""
    return _NOT_GSM.sub("?", text)


def lossy(text: str) -> tuple[int, str]:
    """Kannel's printable rendering of a non-hex text: (UTF-8 byte length, text with every
    byte outside 0x20-0x7E replaced by '.'). é -> '..', € -> '...'."""
    raw = text.encode("utf-8")
    return len(raw), _NOT_PRINTABLE.sub(b".", raw).decode("ascii")


def ucs2_hex(text: str) -> tuple[int, str]:
    """Coding 2: (bytes of UTF-16BE, upper-case hex)."""
    raw = text.encode("utf-16-be")
    return len(raw), raw.hex().upper()


def bin_hex(raw: bytes) -> tuple[int, str]:
    """Coding 1 (8-bit): (bytes, upper-case hex)."""
    return len(raw), raw.hex().upper()


def msg_field(text: str, coding: int) -> tuple[int, str]:
    """LEN and TEXT of `[msg:LEN:TEXT]` for an MT or MO in `coding`."""
    if coding == 2:
        return ucs2_hex(text)
    if coding == 1:
        return bin_hex(text.encode("latin-1"))
    return lossy(text)


def septets(text: str) -> int:
    """GSM septets of `text` (extension characters count two)."""
    return len(text) + sum(text.count(c) for c in _EXTENSION)


def segments_of(text: str, coding: int) -> int:
    """Segments a gateway needs for `text` (RULES.md, 'Counting segments')."""
    if coding == 2:
        units = len(text.encode("utf-16-be")) // 2
        return 1 if units <= 70 else -(-units // 67)
    if coding == 1:
        n = len(text.encode("latin-1"))
        return 1 if n <= 140 else -(-n // 134)
    if septets(text) <= 160:
        return 1
    # parts of 153 septets, an extension character never cut across two (Kannel's sms_split)
    parts, fill = 1, 0
    for char in text:
        width = 2 if char in GSM_EXTENSION else 1
        if fill + width > 153:
            parts, fill = parts + 1, 0
        fill += width
    return parts


def line(label: str, smsc: str, svc: str, act: str, fid: str, meta: str, frm: str, to: str,
         flags: str, msg_len: int, msg: str, udh: str = "") -> str:
    """One event line without its prefix."""
    return (
        f"{label} [SMSC:{smsc}] [SVC:{svc}] [ACT:{act}] [BINF:] [FID:{fid}] [META:{meta}] "
        f"[from:{frm}] [to:{to}] [flags:{flags}] [msg:{msg_len}:{msg}] [udh:{len(udh) // 2}:{udh}]"
    )


def receipt_text(fid: str, delivered: bool, stat: str, err: str, submit: str, done: str, head: str) -> str:
    """The SMPP receipt text an SMSC sends (`id:... stat:DELIVRD err:000 text:...`)."""
    return (
        f"id:{fid} sub:001 dlvrd:{'001' if delivered else '000'} submit date:{submit} "
        f"done date:{done} stat:{stat} err:{err} text:{head}"
    )


class LogBook:
    """Collects event and marker lines, then writes them in time order to one or more files.

    Each entry is (epoch second, sequence number, body): the sequence keeps the order in
    which the gateway would write lines stamped the same second (MT before its ACK)."""

    def __init__(self, log_timezone: str) -> None:
        self.tz = ZoneInfo(log_timezone)
        self.entries: list[tuple[int, int, str]] = []
        self._seq = 0

    def add(self, epoch: int, body: str, seq: int | None = None) -> None:
        """Queue a line; `seq` forces its place among lines of the same second (markers:
        -1 = first, a large number = last)."""
        self._seq += 1
        self.entries.append((epoch, self._seq if seq is None else seq, body))

    def sorted_entries(self) -> list[tuple[int, int, str]]:
        return sorted(self.entries)

    def prefix_renderer(self):
        """epoch -> 'YYYY-MM-DD HH:MM:SS ' in the log time zone. The offset is cached per UTC
        hour when it is the same at both ends of the hour; an hour in which it changes (a
        zone whose clock changes off the hour, such as America/St_Johns at 04:30 UTC) is
        worked out second by second."""
        tz = self.tz
        offsets: dict[int, int | None] = {}

        def offset_at(epoch: int) -> int:
            return int(dt.datetime.fromtimestamp(epoch, tz).utcoffset().total_seconds())

        def render(epoch: int) -> str:
            hour = epoch - epoch % 3600
            if hour not in offsets:
                first, last = offset_at(hour), offset_at(hour + 3599)
                offsets[hour] = first if first == last else None
            off = offsets[hour]
            if off is None:
                off = offset_at(epoch)
            return time.strftime("%Y-%m-%d %H:%M:%S ", time.gmtime(epoch + off))

        return render

    def write(self, files: list[tuple[Path, int | None]]) -> dict[str, list[str]]:
        """Write the entries to `files`: each (path, cut) takes the entries before epoch `cut`
        (None: the rest). A path ending in .gz is gzip-compressed, reproducibly (no name, no
        mtime in the header). Returns the body of every line written, per file, for counting."""
        render = self.prefix_renderer()
        entries = self.sorted_entries()
        written: dict[str, list[str]] = {}
        start = 0
        for path, cut in files:
            end = start
            while end < len(entries) and (cut is None or entries[end][0] < cut):
                end += 1
            chunk = entries[start:end]
            start = end
            buf = io.StringIO()
            last = None
            pre = ""
            for epoch, _, body in chunk:
                if epoch != last:
                    pre = render(epoch)
                    last = epoch
                buf.write(pre)
                buf.write(body)
                buf.write("\n")
            # surrogate escapes stand for raw bytes: a sender written in Latin-1 stays Latin-1
            data = buf.getvalue().encode("utf-8", errors="surrogateescape")
            if path.suffix == ".gz":
                with path.open("wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=6) as gz:
                    gz.write(data)
            else:
                path.write_bytes(data)
            written[path.name] = [body for _, _, body in chunk]
        return written
