"""A small, independent reader of Kannel access-log lines, for the suite's own checks.

Deliberately separate from opsanalytics' loader (the code under test): the suite uses it to
know when the gateway has written everything the scenario implies, and to assert on the raw
log before comparing with the warehouse. It parses by tags in their fixed order and slices
the text by its LEN (hex for codings 1 and 2), as KANNEL.md prescribes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PREFIX = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\d{9,11}) ")
_TAGS = ("SMSC", "SVC", "ACT", "BINF", "FID", "META", "from", "to")


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


def parse(raw: str) -> Line | None:
    """One access-log line; None for markers (`Log begins`/`Log ends`)."""
    match = _PREFIX.match(raw)
    time = match.group(1) if match else None
    rest = raw[match.end():] if match else raw
    if rest in ("Log begins", "Log ends"):
        return None
    start = rest.index(" [SMSC:")
    label, pos = rest[:start], start + 1
    fields = {}
    for i, tag in enumerate(_TAGS):
        opener = f"[{tag}:"
        if not rest.startswith(opener, pos):
            continue  # a format without this tag (META before 1.4.4, FID before 1.4.2)
        following = [f"] [{t}:" for t in _TAGS[i + 1:]] + ["] [flags:"]
        end = min(e for e in (rest.find(f, pos) for f in following) if e >= 0)
        fields[tag] = rest[pos + len(opener):end]
        pos = end + 2
    assert rest.startswith("[flags:", pos), raw
    end = rest.index("]", pos)
    flags = tuple(int(v) for v in rest[pos + 7:end].split(":"))
    pos = end + 2
    assert rest.startswith("[msg:", pos), raw
    colon = rest.index(":", pos + 5)
    length = int(rest[pos + 5:colon])
    width = 2 * length if flags[1] in (1, 2) else length
    text = rest[colon + 1:colon + 1 + width]
    pos = colon + 1 + width
    assert rest.startswith("] [udh:", pos), raw
    udh_len, _, udh = rest[pos + 7:].rstrip("]").partition(":")
    return Line(time, label, fields, flags, text, length, udh)


def parse_all(lines: list[str]) -> list[Line]:
    return [p for p in (parse(l) for l in lines if l.strip()) if p is not None]
