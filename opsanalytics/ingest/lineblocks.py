"""Read a log file as Arrow tables of numbered lines that DuckDB parses in place.

Why not DuckDB's `read_csv`: it gives no line numbers (`row_number()` serialises the
pipeline, and a temp table written in file order, whose rowid numbers the lines, costs a
full copy of the file: 1.7 s and 1.3 GB at 5 M lines), stops the whole load on bytes that
are not UTF-8 (a sender written in Latin-1) and splits a line at a lone carriage return
(bench/PERF-NOTES.md). Here the file is read in blocks of whole lines; numpy finds the line ends;
each block becomes an Arrow `string_view` column pointing into the block's bytes (no copy
per line) beside its line numbers, in record batches that DuckDB's threads scan in
parallel. Every physical ('\\n'-terminated) line is exactly one row, never merged or split:
  - a '\\r' just before '\\n' is dropped (CRLF files); any other '\\r' stays in its line;
  - a line whose bytes are not UTF-8 is read as Latin-1, every byte one character (WHATWG's
    `latin1`, i.e. Windows-1252 with its 5 unassigned bytes as the C1 controls): Kannel
    1.4.0-1.4.1 write texts unescaped in Latin-1 (`R\\xE9pondez`, `\\x80` for the euro sign),
    and senders reach any version's log as sent; LEN then counts the line's characters;
  - a NUL byte becomes U+FFFD;
  - the last line counts even without its '\\n'; an empty file has no line.
A gzip file (found by its magic number, not its name) is decompressed on the fly. The file's
identity (`Identity`: sha256 of its bytes as stored, and of its content, the decompressed
bytes) is computed in the same read. Blocks are read and built in a thread, one block ahead
of the caller, so reading overlaps DuckDB's parsing.

Memory is reused, not allocated per block: a fresh 128 MB array costs its page faults at
first touch, 6 to 10 times the cost of filling one already mapped (measured here: copying a
block into a fresh array 0.26 s, into a reused one 0.03 s). A block's buffer goes back to a
small pool when the last Arrow array pointing into it is released (`_BufferPool`), so a
caller that keeps blocks keeps valid ones.
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import queue
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator, NamedTuple

import numpy as np
import pyarrow as pa

#: bytes of lines per block (one Arrow table, one round of staging queries): large enough
#: that DuckDB's threads stay busy, small enough that memory does not grow with the file
BLOCK_BYTES = 1 << 27
#: bytes of the first block; each next one is twice as large, up to BLOCK_BYTES. DuckDB
#: parses nothing until the first block is built (0.9 s for a full one at 5 M lines), and the
#: reader builds a block about 3 times as fast as DuckDB parses it, so doubling keeps the next
#: block ready in time
FIRST_BLOCK_BYTES = 1 << 23
#: rows per Arrow record batch: DuckDB hands batches to its threads, so a block needs many
BATCH_ROWS = 16384
#: UTF-8 bytes of U+FFFD
REPLACEMENT = "\ufffd".encode()
#: what Windows editors put before the first line of a UTF-8 file
BYTE_ORDER_MARK = b"\xef\xbb\xbf"
#: a longer run of bytes without a line end is refused (as DuckDB's max_line_size did)
MAX_LINE_BYTES = 1 << 28
#: spare block buffers kept for reuse (a block is parsed while the next is queued and the
#: one after is read: three are in use at the steady state)
SPARE_BUFFERS = 2


@dataclass(frozen=True)
class LineBlock:
    """Consecutive lines of the file: `table` has columns line_no (1-based) and line."""

    table: pa.Table
    first_line: int
    lines: int
    #: NUL bytes of this block loaded as U+FFFD
    replaced: int
    #: bytes of the file (as stored: compressed for gzip) read so far
    file_bytes: int
    #: lines of this block that were not UTF-8, read as Latin-1
    latin1: int = 0


class LineReadError(Exception):
    """The file cannot be read as lines of text (truncated gzip, line too long...)."""


class Start(NamedTuple):
    """Where reading starts to yield lines: a byte offset of the content, at a line start,
    and that line's number. Bytes before it are read and hashed, not yielded (a log that
    continues one already loaded)."""

    offset: int = 0
    line: int = 1


@dataclass
class Identity:
    """What a file is, filled while it is read.

    sha256: of its bytes as stored (what `sha256sum` prints). content_sha256: of its
    content, the decompressed lines: a log is the same log plain or gzipped by the
    rotation, so the manifest recognises it by its content (a plain file's content is its
    bytes, hashed once). complete_*: the content up to its last line end, which a later,
    longer copy of a log still being written starts with; head_sha256: its first line, to
    find those copies cheaply."""

    content: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    stored: "hashlib._Hash | None" = None  # None: a plain file, its bytes are the content
    head: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    complete: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    content_bytes: int = 0
    complete_bytes: int = 0
    complete_lines: int = 0
    head_done: bool = False

    @property
    def sha256(self) -> str:
        return (self.stored or self.content).hexdigest()

    @property
    def content_sha256(self) -> str:
        return self.content.hexdigest()

    @property
    def complete_sha256(self) -> str:
        return self.complete.hexdigest()

    @property
    def head_sha256(self) -> str:
        return self.head.hexdigest()

    def feed(self, data, newlines: int, first_nl: int, last_nl: int) -> None:
        """The next bytes of the content, with their count of line ends and the positions
        of the first and last (-1: none)."""
        if not self.head_done:
            self.head.update(data[:first_nl + 1] if first_nl >= 0 else data)
            self.head_done = first_nl >= 0
        if last_nl >= 0:
            self.content.update(data[:last_nl + 1])
            self.complete = self.content.copy()
            self.complete_bytes = self.content_bytes + last_nl + 1
            self.complete_lines += newlines
            self.content.update(data[last_nl + 1:])
        else:
            self.content.update(data)
        self.content_bytes += len(data)


def _feed_bytes(identity: Identity, chunk: bytes) -> None:
    identity.feed(chunk, chunk.count(b"\n"), chunk.find(b"\n"), chunk.rfind(b"\n"))


def identify(path: Path, chunk: int = 1 << 22) -> Identity:
    """The identity of a file, read once without building lines (for a file that may be a
    duplicate, hashed before anything is loaded)."""
    identity = Identity()
    with _open_content(Path(path), identity) as (raw, source):
        while data := source.read(chunk):
            _feed_bytes(identity, data)
        raw.drain()
    return identity


def head_sha256(path: Path) -> str:
    """sha256 of the content's first line (with its line end): what identity.head_sha256
    is for the whole file, read from its first bytes only."""
    identity = Identity()
    with _open_content(Path(path), None) as (_, source):
        while not identity.head_done and (data := source.read(1 << 16)):
            _feed_bytes(identity, data)
    return identity.head_sha256


def prefix_sha256(path: Path, offsets: list[int], chunk: int = 1 << 22) -> dict[int, str]:
    """sha256 of the content's first `offset` bytes, for each offset the content reaches
    (read up to the largest offset only)."""
    digest, at, found = hashlib.sha256(), 0, {}
    pending = sorted(set(offsets))
    with _open_content(Path(path), None) as (_, source):
        while pending:
            data = source.read(min(chunk, pending[0] - at)) if pending[0] > at else b""
            digest.update(data)
            at += len(data)
            if at == pending[0]:
                found[pending.pop(0)] = digest.copy().hexdigest()
            elif not data:
                break
    return found


def is_gzip(path: Path) -> bool:
    with Path(path).open("rb") as probe:
        return probe.read(2) == b"\x1f\x8b"


class _HashingReader:
    """The raw file, feeding every byte read to `digest` and counting them."""

    def __init__(self, handle: BinaryIO, digest):
        self.handle, self.digest, self.read_bytes = handle, digest, 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self._seen(data)
        return data

    def readinto(self, buffer) -> int:
        n = self.handle.readinto(buffer)
        self._seen(memoryview(buffer)[:n])
        return n

    def _seen(self, data) -> None:
        if self.digest is not None:
            self.digest.update(data)
        self.read_bytes += len(data)

    def drain(self) -> None:
        """Hash what the decompressor left unread (bytes after the gzip stream); a no-op
        on a plain file read to its end."""
        while self.read(1 << 20):
            pass


class _BufferPool:
    """Block buffers, reused once nothing points into them any more. `lend` wraps a buffer
    in an Arrow buffer whose release (the last Arrow array over the block is gone, in
    Python and in DuckDB) puts it back here; `take` hands out a spare one that is large
    enough, else a new one."""

    def __init__(self) -> None:
        # deque: appends (from whichever thread releases a block) and pops are atomic
        self._spare: collections.deque = collections.deque(maxlen=SPARE_BUFFERS)

    def take(self, size: int) -> np.ndarray:
        while self._spare:
            buffer = self._spare.pop()
            if len(buffer) >= size:
                return buffer
        # room for a longer carried-over line than this one, so the buffer fits next time
        return np.empty(size + max(size >> 6, 4096), dtype=np.uint8)

    def give_back(self, buffer: np.ndarray) -> None:
        self._spare.append(buffer)

    def lend(self, buffer: np.ndarray, view: np.ndarray) -> pa.Buffer:
        """An Arrow buffer over `view` (a slice of `buffer`) that gives `buffer` back when
        Arrow releases it."""
        lease = _Lease()
        weakref.finalize(lease, self._spare.append, buffer)
        return pa.foreign_buffer(view.ctypes.data, view.nbytes, base=lease)


class _Lease:
    """What an Arrow buffer lent from the pool holds on to (see _BufferPool.lend)."""


def read_blocks(path: Path, identity: Identity | None = None, block_bytes: int | None = None,
                batch_rows: int | None = None, start: Start = Start(),
                first_block_bytes: int | None = None) -> Iterator[LineBlock]:
    """The file's lines from `start`, block by block (FIRST_BLOCK_BYTES doubling up to
    BLOCK_BYTES, BATCH_ROWS, unless given), read one block ahead in a thread. `identity`,
    when given, is filled as the file is read (all of it, lines before `start` included)."""
    block_bytes, batch_rows = block_bytes or BLOCK_BYTES, batch_rows or BATCH_ROWS
    first_block_bytes = min(first_block_bytes or FIRST_BLOCK_BYTES, block_bytes)
    ahead: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for block in _blocks(Path(path), identity, (first_block_bytes, block_bytes), batch_rows, start):
                while not stop.is_set():
                    try:
                        ahead.put(block, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ahead.put(None)
        except BaseException as exc:  # handed to the consumer, raised in its thread
            ahead.put(exc)

    worker = threading.Thread(target=produce, name="log-lines", daemon=True)
    worker.start()
    try:
        while True:
            item = ahead.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                ahead.get_nowait()
            except queue.Empty:
                pass
            worker.join(timeout=0.05)


@contextmanager
def _open_content(path: Path, identity: Identity | None) -> Iterator[tuple[_HashingReader, BinaryIO]]:
    """(raw, source): the file's bytes as stored and its content (decompressed when gzip).
    A gzip file's stored bytes are hashed into identity.stored as they are read; the
    content is fed to the identity by the reader of lines. A file that cannot be read to
    its end (a truncated or corrupt gzip) raises LineReadError."""
    compressed = is_gzip(path)
    if compressed and identity:
        identity.stored = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            raw = _HashingReader(handle, identity.stored if compressed and identity else None)
            yield raw, (gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LineReadError(f"cannot be read: {exc}") from None


def _blocks(path: Path, identity: Identity | None, block_sizes: tuple[int, int], batch_rows: int,
            start: Start) -> Iterator[LineBlock]:
    """`block_sizes`: bytes read for the first block and at most for any block."""
    identity = identity or Identity()
    pool, newlines = _BufferPool(), np.empty(0, dtype=bool)
    size, block_bytes = block_sizes
    with _open_content(path, identity) as (raw, source):
        first_line, carry, offset = start.line, np.empty(0, dtype=np.uint8), 0
        while True:
            buffer = pool.take(len(carry) + size)
            data, eof = _fill(source, carry, size, buffer)
            size = min(2 * size, block_bytes)
            if len(newlines) < len(data):
                newlines = np.empty(len(buffer), dtype=bool)
            ends = np.flatnonzero(np.equal(data, 10, out=newlines[:len(data)]))
            if eof:
                cut = len(data)
            elif len(ends):
                cut = int(ends[-1]) + 1
            else:  # no line end yet: a long line, keep reading
                if len(data) > MAX_LINE_BYTES:
                    raise LineReadError(f"line {first_line} is longer than {MAX_LINE_BYTES} bytes")
                carry = data.copy()
                pool.give_back(buffer)
                continue
            carry = data[cut:].copy()  # the start of the next block's first line
            identity.feed(data[:cut], len(ends), int(ends[0]) if len(ends) else -1,
                          int(ends[-1]) if len(ends) else -1)
            skip = min(max(start.offset - offset, 0), cut)  # bytes of lines already loaded
            if offset == 0 and data[:3].tobytes() == BYTE_ORDER_MARK:
                skip = max(skip, 3)   # an editor's mark, not text of line 1 (still hashed)
            offset += cut
            if cut > skip:
                kept = ends[ends >= skip] - skip if skip else ends
                block = _build(data[skip:cut], kept, first_line, batch_rows, raw.read_bytes, pool, buffer)
                first_line += block.lines
                yield block
            else:
                pool.give_back(buffer)
            if eof:
                break
        raw.drain()


def _fill(source, carry: np.ndarray, block_bytes: int, buffer: np.ndarray) -> tuple[np.ndarray, bool]:
    """`carry` followed by up to block_bytes more bytes, read in place into `buffer` (at
    least that long); eof when the source ran dry."""
    data = buffer[:len(carry) + block_bytes]
    data[:len(carry)] = carry
    view = memoryview(data)
    filled, eof = len(carry), False
    while filled < len(data):
        n = source.readinto(view[filled:])
        if not n:
            eof = True
            break
        filled += n
    view.release()
    return data[:filled], eof


def _build(a: np.ndarray, ends: np.ndarray, first_line: int, batch_rows: int, file_bytes: int,
           pool: _BufferPool, buffer: np.ndarray) -> LineBlock:
    """Arrow table of the lines in `a` (a slice of the pool's `buffer`): whole lines ending
    at `ends` (positions of '\n'), the last one without its '\n' only at the end of the
    file."""
    cleaned, replaced, latin1 = _clean(a)
    if cleaned is not a:  # the lines now live in a copy: the buffer is free again
        a = cleaned
        ends = np.flatnonzero(a == 10)
        data = pa.py_buffer(a)
        pool.give_back(buffer)
    else:
        data = pool.lend(buffer, a)
    unterminated = a[-1] != 10
    if unterminated:  # the last line of a file without a final '\n'
        ends = np.append(ends, len(a))
    n = len(ends)
    starts = np.empty(n, dtype=np.int64)
    starts[:1] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts
    # CRLF: drop the '\r' before a '\n' (not the one that may end an unterminated last line)
    crlf = (lengths > 0) & (a[np.maximum(ends - 1, 0)] == 13)
    if unterminated:
        crlf[-1] = False
    lengths -= crlf
    line_no = pa.array(np.arange(first_line, first_line + n, dtype=np.int64))
    line = _string_view(a, starts, lengths, data)
    # (from_arrays, not pa.table: that one re-validates every string, 0.2 s a block)
    batches = [pa.RecordBatch.from_arrays([line_no.slice(i, batch_rows), line.slice(i, batch_rows)],
                                          names=["line_no", "line"])
               for i in range(0, n, batch_rows)]
    return LineBlock(pa.Table.from_batches(batches), first_line, n, replaced, file_bytes, latin1)


def _clean(a: np.ndarray) -> tuple[np.ndarray, int, int]:
    """The block as valid UTF-8 without NUL bytes, the count of NULs replaced and of lines
    read as Latin-1 (checks are vectorised passes that allocate nothing; a copy is made
    only for a block that needs one)."""
    replaced = latin1 = 0
    if a.max() >= 0x80 and not _is_utf8(a):
        a, latin1 = _latin1_lines(a)
    if a.min() == 0:
        raw = a.tobytes()
        replaced += raw.count(b"\x00")
        a = np.frombuffer(raw.replace(b"\x00", REPLACEMENT), dtype=np.uint8)
    return a, replaced, latin1


#: Windows-1252 bytes 0x80-0x9F; the 5 it leaves unassigned are the C1 controls (WHATWG)
_LATIN1 = "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(0x80, 0x100))
#: per byte 0x80-0xFF: its character in UTF-8, padded to 3 bytes, and that UTF-8 length
_LATIN1_UTF8 = np.array([list(c.encode().ljust(3, b"\0")) for c in _LATIN1], dtype=np.uint8)
_LATIN1_LEN = np.array([len(c.encode()) for c in _LATIN1], dtype=np.int64)
#: continuation bytes a UTF-8 lead byte needs (0: not a lead), and the range of the first
#: one (E0, ED, F0, F4 narrow it: no overlong form, no surrogate, nothing past U+10FFFF)
_NEED = np.zeros(256, dtype=np.int64)
_NEED[0xC2:0xE0], _NEED[0xE0:0xF0], _NEED[0xF0:0xF5] = 1, 2, 3
_SECOND_LO = np.full(256, 0x80, dtype=np.int64)
_SECOND_HI = np.full(256, 0xBF, dtype=np.int64)
_SECOND_LO[0xE0], _SECOND_HI[0xED], _SECOND_LO[0xF0], _SECOND_HI[0xF4] = 0xA0, 0x9F, 0x90, 0x8F


def _latin1_lines(a: np.ndarray) -> tuple[np.ndarray, int]:
    """`a` (not valid UTF-8) with the lines that are not UTF-8 re-encoded from Latin-1, and
    their count. Only the bytes >= 0x80 are looked at (few in a log): a valid sequence is a
    lead byte followed by its continuation bytes at the next positions."""
    at = np.flatnonzero(a >= 0x80)
    v = a[at].astype(np.int64)
    cont = (v & 0xC0) == 0x80
    leads = np.flatnonzero(~cont)
    need = _NEED[v[leads]]
    ok = need > 0
    covered = np.zeros(len(at), dtype=bool)
    for k in (1, 2, 3):
        j = np.minimum(leads + k, len(at) - 1)
        has = ok & (need >= k)
        step = (leads + k < len(at)) & (at[j] == at[leads] + k) & cont[j]
        if k == 1:
            step &= (v[j] >= _SECOND_LO[v[leads]]) & (v[j] <= _SECOND_HI[v[leads]])
        ok &= ~has | step
    for k in (1, 2, 3):
        covered[leads[ok & (need >= k)] + k] = True
    bad_at = np.concatenate([at[leads[~ok]], at[cont & ~covered]])
    ends = np.flatnonzero(a == 10)
    line_of = np.searchsorted(ends, at)  # the line (0-based in the block) of each high byte
    bad_lines = np.unique(np.searchsorted(ends, bad_at))
    # every high byte of those lines becomes its character's UTF-8 bytes: the first in place,
    # the others inserted after it
    hit = np.isin(line_of, bad_lines)
    pos, b = at[hit], v[hit] - 0x80
    fixed = a.copy()
    fixed[pos] = _LATIN1_UTF8[b, 0]
    extra = _LATIN1_LEN[b] - 1
    first = np.cumsum(extra) - extra
    k = np.arange(int(extra.sum())) - np.repeat(first, extra)
    owner = np.repeat(np.arange(len(b)), extra)
    fixed = np.insert(fixed, pos[owner] + 1, _LATIN1_UTF8[b[owner], k + 1])
    return fixed, len(bad_lines)


def _is_utf8(a: np.ndarray) -> bool:
    """Arrow's UTF-8 validation of the bytes as one string (decoding them into a Python str
    would allocate the block again: 10 times slower)."""
    offsets = pa.py_buffer(np.array([0, len(a)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(a)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _string_view(a: np.ndarray, starts: np.ndarray, lengths: np.ndarray, data: pa.Buffer) -> pa.Array:
    """Arrow string_view array of the slices (starts, lengths) of `a` (`data`: the Arrow
    buffer over `a`), without copying
    the strings: each view is 16 bytes, (length, 12 inline bytes) for a string of at most
    12 bytes, else (length, 4-byte prefix, buffer 0, offset) (Arrow columnar format)."""
    n = len(starts)
    views = np.zeros((n, 4), dtype=np.int32)
    views[:, 0] = lengths
    long = lengths > 12
    at = starts[long]
    if len(at):
        padded_len = len(a) - 3  # every long string has 4 bytes from its start
        # the little-endian uint32 starting at every byte offset, as a strided view
        u32 = np.ndarray(shape=(padded_len,), dtype="<u4", buffer=a, strides=(1,))
        views[long, 1] = u32[at].view(np.int32)
        views[long, 3] = at
    short = np.flatnonzero(~long)
    if len(short):
        inline = views.view(np.uint8).reshape(n, 16)
        for k in range(12):
            has = short[lengths[short] > k]
            inline[has, 4 + k] = a[starts[has] + k]
    return pa.Array.from_buffers(pa.string_view(), n, [None, pa.py_buffer(views), data])
