"""Make a log file safe for DuckDB's line reader without losing or merging a line.

DuckDB's `read_csv` stops the whole load on bytes that are not UTF-8 (a sender written in
Latin-1 makes its line invalid: KANNEL.md), splits a line at a lone carriage return, and, read
without a delimiter, splits it at a NUL byte (PERF-NOTES). Kannel files almost never hold any
of these, so `scan` only looks (a streaming pass at memory speed, no per-line work); when it
finds one, `transcode` writes a cleaned copy, streaming, where
  - bytes that are not UTF-8 become U+FFFD (the line still loads, and shows the damage);
  - a carriage return inside a line becomes U+E00D, put back as '\\r' by the staging SQL;
  - '\\r\\n' line ends become '\\n';
  - a NUL byte becomes U+FFFD.
Physical lines ('\\n'-terminated) are never added, merged or dropped, so line numbers of the
copy are those of the original.
"""

from __future__ import annotations

import codecs
import gzip
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

CHUNK = 1 << 23
CR_MARK = "\ue00d"


@dataclass(frozen=True)
class Scan:
    """What `scan` found."""

    needs_transcoding: bool
    invalid_utf8: bool
    lone_cr: bool
    crlf: bool
    nul: bool


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, decompressed if it is gzip (by its magic number, not its name)."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")


def is_gzip(path: Path) -> bool:
    with path.open("rb") as probe:
        return probe.read(2) == b"\x1f\x8b"


def scan(path: Path, on_bytes: Callable[[int], None] | None = None, digest=None) -> Scan:
    """Look for invalid UTF-8, carriage returns and NUL bytes, streaming. `digest` (a hashlib
    object) is fed the same blocks when the file is not compressed: one read for both."""
    invalid = lone_cr = crlf = nul = False
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    last = b""
    compressed = is_gzip(path)
    if digest is not None and compressed:
        with path.open("rb") as raw:
            while block := raw.read(CHUNK):
                digest.update(block)
    with open_bytes(path) as handle:
        while block := handle.read(CHUNK):
            if digest is not None and not compressed:
                digest.update(block)
            if on_bytes:
                on_bytes(len(block))
            if not invalid and not block.isascii():
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    invalid = True
            if b"\r" in block:
                joined = last + block
                crs = joined.count(b"\r")
                pairs = joined.count(b"\r\n")
                crlf = crlf or pairs > 0
                # a '\r' at the very end of a block may pair with the next block's '\n'
                if crs > pairs + (1 if joined.endswith(b"\r") else 0):
                    lone_cr = True
            if b"\x00" in block:
                nul = True
            last = block[-1:]
        if last == b"\r":
            lone_cr = True
        if not invalid:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                invalid = True
    return Scan(invalid or lone_cr or crlf or nul, invalid, lone_cr, crlf, nul)


def transcode(path: Path, workdir: str | None = None,
              on_bytes: Callable[[int], None] | None = None) -> tuple[Path, int]:
    """Write the cleaned copy (plain text) to a temp file; returns it and the count of bytes
    sequences replaced by U+FFFD. The caller deletes the copy."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    replaced = 0
    fd, name = tempfile.mkstemp(prefix="opsanalytics-", suffix=".log", dir=workdir)
    out_path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, open_bytes(path) as handle:
            carry = ""
            while True:
                block = handle.read(CHUNK)
                final = not block
                if on_bytes and block:
                    on_bytes(len(block))
                text = carry + decoder.decode(block, final=final)
                carry = ""
                if not final and text.endswith("\r"):
                    carry, text = "\r", text[:-1]  # may be the first half of '\r\n'
                replaced += text.count("\ufffd")
                if "\x00" in text:
                    replaced += text.count("\x00")
                    text = text.replace("\x00", "\ufffd")
                if "\r" in text:
                    text = text.replace("\r\n", "\n").replace("\r", CR_MARK)
                out.write(text)
                if final:
                    break
    except BaseException:
        out_path.unlink(missing_ok=True)
        raise
    return out_path, replaced
