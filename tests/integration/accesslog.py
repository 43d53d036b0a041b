"""A small, independent reader of Kannel access-log lines, for the suite's own checks.

Deliberately separate from opsanalytics' loader (the code under test): the suite uses it to
know when the gateway has written everything the scenario implies, and to assert on the raw
log before comparing with the warehouse. It reads any access-log-format (the default one
by default): the part before the text is matched with lazy free fields, the text is sliced
by its LEN (hex for codings 1 and 2), and the rest must match the part after it, as
KANNEL.md prescribes. Older tag sets are read with their own format string.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PREFIX = r"(?P<prefix>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) "
DEFAULT_FORMAT = ("%l [SMSC:%i] [SVC:%n] [ACT:%A] [BINF:%B] [FID:%F] [META:%D] [from:%p] [to:%P] "
                  "[flags:%m:%c:%M:%C:%d] [msg:%L:%b] [udh:%U:%u]")
#: escape -> (group name, pattern); free fields are lazy (they may hold spaces and `]`)
_ESCAPES = {"l": ("label", ".*?"), "i": ("SMSC", ".*?"), "n": ("SVC", ".*?"), "A": ("ACT", ".*?"),
            "B": ("BINF", ".*?"), "F": ("FID", ".*?"), "D": ("META", ".*?"), "p": ("from", ".*?"),
            "P": ("to", ".*?"), "m": ("mclass", "-?\\d+"), "c": ("coding", "-?\\d+"),
            "M": ("mwi", "-?\\d+"), "C": ("compress", "-?\\d+"), "d": ("dlr", "-?\\d+"),
            "L": ("length", "\\d+"), "U": ("udh_len", "\\d+"), "u": ("udh", "[0-9A-F]*"),
            "t": ("time", "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"), "T": ("epoch", "-?\\d+")}


def _pattern(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt) and fmt[i + 1] in _ESCAPES:
            name, pat = _ESCAPES[fmt[i + 1]]
            out.append(f"(?P<{name}>{pat})")
            i += 2
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return "".join(out)


@dataclass
class Line:
    time: str | None
    label: str
    fields: dict[str, str]
    flags: tuple[int, int, int, int, int]
    text: str          # as logged (hex for codings 1 and 2)
    length: int
    udh: str

    @property
    def coding(self) -> int:
        return self.flags[1]

    @property
    def dlr(self) -> int:
        return self.flags[4]

    def decoded(self) -> str | bytes:
        """Coding 2 -> str, coding 1 -> bytes, otherwise the logged (printable) text."""
        if self.coding == 2:
            return bytes.fromhex(self.text).decode("utf-16-be")
        if self.coding == 1:
            return bytes.fromhex(self.text)
        return self.text

    def __getitem__(self, key: str) -> str:
        return self.fields[key]


class Reader:
    """Lines of one gateway: its access-log-format and whether the prefix is written."""

    def __init__(self, fmt: str | None = None, clean: bool = False):
        fmt = fmt or DEFAULT_FORMAT
        head, _, tail = fmt.partition("%b")
        self.head = re.compile("^" + ("" if clean else _PREFIX) + _pattern(head))
        self.tail = re.compile("^" + _pattern(tail) + "$")
        self.clean = clean

    def parse(self, raw: str) -> Line | None:
        """One access-log line; None for markers (`Log begins`/`Log ends`)."""
        if not self.clean and raw[20:] in ("Log begins", "Log ends"):
            return None
        head = self.head.match(raw)
        assert head, raw
        fields = head.groupdict()
        coding = int(fields["coding"])
        length = int(fields["length"])
        width = 2 * length if coding in (1, 2) else length
        text, rest = raw[head.end():head.end() + width], raw[head.end() + width:]
        tail = self.tail.match(rest)
        assert tail, raw
        fields.update(tail.groupdict())
        time = fields.get("prefix") or fields.get("time")
        if time is None and fields.get("epoch") is not None:
            epoch = int(fields["epoch"])
            time = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        # (a format may leave a flag out: None)
        flags = tuple(int(fields[k]) if fields.get(k) is not None else None
                      for k in ("mclass", "coding", "mwi", "compress", "dlr"))
        tags = {k: v for k, v in fields.items() if k in _TAGS}
        return Line(time, fields["label"], tags, flags, text, length, fields.get("udh") or "")


_TAGS = ("SMSC", "SVC", "ACT", "BINF", "FID", "META", "from", "to")
DEFAULT = Reader()


def parse(raw: str, reader: Reader = DEFAULT) -> Line | None:
    return reader.parse(raw)


def parse_all(lines: list[str], reader: Reader = DEFAULT) -> list[Line]:
    return [p for p in (reader.parse(l) for l in lines if l.strip()) if p is not None]
