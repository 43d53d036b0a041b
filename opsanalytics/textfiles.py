"""Text files people edit by hand (the contract, forecast CSVs): read as UTF-8, and when they
are not, say where, the way an editor would show it, so that the one bad character can be
found and the file saved again in the right encoding."""

from __future__ import annotations

from pathlib import Path


def decode_utf8(data: bytes, path: Path | str, expected: str, error: type[Exception]) -> str:
    """The file's text: UTF-8, without the byte order mark Windows editors write first.

    Bytes that are not UTF-8 raise `error` naming line, column (in characters), the byte and the
    line as read, then `expected` (what the file should be and how to get it).
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        line = data[start:end if end >= 0 else len(data)].removeprefix(b"\xef\xbb\xbf")
        shown = line.decode("utf-8", "replace").replace("\ufffd", "?").strip()
        column = len(data[start:exc.start].decode("utf-8-sig", "replace")) + 1
        number = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{path}: line {number}, column {column}: the file is not UTF-8 "
                    f"(byte 0x{data[exc.start]:02x} in: {shown}); {expected}") from None
