"""GSM 03.38 and Kannel's text rendering: the expectations a real gateway run is checked against.

Kept apart from the loader on purpose: the integration suite must not reuse the code it
tests. Three facts from KANNEL.md are encoded here:

- a coding-0 MT goes through GSM 03.38 first, so a character outside the GSM basic and
  extension tables becomes a real `?`;
- the access log writes coding-0 text as Kannel's internal UTF-8 with every byte outside
  0x20-0x7E replaced by `.`, LEN being the UTF-8 byte count;
- segments: GSM 160/153 septets (extension characters count 2), 8-bit 140/134 bytes,
  UCS-2 70/67 UTF-16 units.
"""

from __future__ import annotations

#: GSM 03.38 basic table, code -> character (0x1B is the escape to the extension table).
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: GSM 03.38 extension table (after 0x1B), character -> code.
EXTENSION = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D,
             "]": 0x3E, "|": 0x40, "€": 0x65}

assert len(BASIC) == 128
_BASIC_CODE = {ch: i for i, ch in enumerate(BASIC) if ch != "\x1b"}


def in_gsm(ch: str) -> bool:
    return ch in _BASIC_CODE or ch in EXTENSION


def gsm_encode(text: str) -> bytes:
    """Unpacked septets (one per octet), as an SMSC puts GSM text in an SMPP short_message."""
    out = bytearray()
    for ch in text:
        if ch in _BASIC_CODE:
            out.append(_BASIC_CODE[ch])
        elif ch in EXTENSION:
            out += bytes((0x1B, EXTENSION[ch]))
        else:
            raise ValueError(f"{ch!r} is not in GSM 03.38")
    return bytes(out)


def gsm_decode(data: bytes) -> str:
    out, escape = [], False
    inverse = {v: k for k, v in EXTENSION.items()}
    for b in data:
        if escape:
            out.append(inverse.get(b, "?"))
            escape = False
        elif b == 0x1B:
            escape = True
        else:
            out.append(BASIC[b])
    return "".join(out)


#: Kannel's utf8 -> GSM conversion folds these onto GSM characters (measured on 1.4.5)
_FOLD = {"ç": "Ç"}


def gsm_roundtrip(text: str) -> str:
    """What survives a coding-0 MT through Kannel 1.4.5 (measured against the real gateway):
    GSM characters stay, `ç` becomes `Ç`, any other BMP character becomes one `?`. Kannel's
    UTF-8 decoder stops at 3 bytes: a character outside the BMP (emoji, 4 UTF-8 bytes) comes
    out as its 4 bytes read as Latin-1, each kept if GSM has it and `?` otherwise, so 😀
    (F0 9F 98 80) is `????` but U+1E936 (F0 9E A4 B6) is `??¤?` (0xA4 is Latin-1 `¤`)."""
    out = []
    for ch in text:
        if ord(ch) > 0xFFFF:
            out.extend(c if in_gsm(c) else "?" for c in ch.encode("utf-8").decode("latin-1"))
            continue
        ch = _FOLD.get(ch, ch)
        out.append(ch if in_gsm(ch) else "?")
    return "".join(out)


def septets(text: str) -> int:
    return sum(2 if ch in EXTENSION else 1 for ch in text)


def kannel_printable(text: str) -> str:
    """Kannel's access-log rendering of non-hex text: UTF-8 bytes outside 0x20-0x7E -> '.'."""
    return "".join(chr(b) if 0x20 <= b <= 0x7E else "." for b in text.encode("utf-8"))


def segments(coding: int, text: str | bytes) -> int:
    """Segments of one message the gateway splits itself (RULES.md, Counting segments)."""
    if coding == 2:
        units = len(text.encode("utf-16-be")) // 2 if isinstance(text, str) else len(text) // 2
        single, multi = 70, 67
    elif coding == 1:
        units = len(text if isinstance(text, bytes) else text.encode("utf-8"))
        single, multi = 140, 134
    else:
        units = septets(gsm_roundtrip(text))
        single, multi = 160, 153
    if units <= single:
        return 1
    return -(-units // multi)
