"""What a file looks like from its first bytes, for error messages that say what was given
instead of what was expected (a probe: an xz-compressed rotation was refused as 'no line is a
Kannel access-log line ... check the contract's access_log_format', a Kannel log given to
--format parquet was said to look like a CSV)."""

from __future__ import annotations

import re
from pathlib import Path

#: compressions Kannel's logrotate may be set to use that ingest does not read (gzip it does),
#: by their magic bytes, with the command that undoes each
OTHER_COMPRESSIONS = ((b"\xfd7zXZ\x00", "xz", "xz -d"), (b"BZh", "bzip2", "bunzip2"),
                      (b"\x28\xb5\x2f\xfd", "zstd", "zstd -d"), (b"PK\x03\x04", "zip", "unzip"),
                      (b"\x04\x22\x4d\x18", "lz4", "lz4 -d"))
#: how a Kannel access-log line starts (its time prefix)
KANNEL_LINE = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")


def head(path: Path, size: int = 4096) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def other_compression(path: Path) -> tuple[str, str] | None:
    """(name, command to decompress) when the file is compressed otherwise than with gzip."""
    start = head(path, 8)
    return next(((name, command) for magic, name, command in OTHER_COMPRESSIONS if start.startswith(magic)), None)


def looks_like(path: Path) -> str | None:
    """'a Kannel access log', 'a Parquet file', 'a gzip file', 'a CSV' or None (unknown)."""
    start = head(path)
    if start[:4] in (b"PAR1", b"PARE"):
        return "a Parquet file"
    if start[:2] == b"\x1f\x8b":
        return "a gzip file"
    first = start.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf")
    if KANNEL_LINE.match(first):
        return "a Kannel access log"
    if b"," in first or b";" in first:
        return "a CSV"
    return None
