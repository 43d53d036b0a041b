"""The line reader under the Kannel loader (opsanalytics.ingest.lineblocks): every physical
line exactly once, numbered, whatever the block and batch sizes; and a load split into many
tiny blocks equals the same load in one block."""

from __future__ import annotations

import gzip
import hashlib
import random
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from opsanalytics import warehouse
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files, lineblocks
from opsanalytics.simulate import simulate

PIECES = [b"a", b"] [", b"\r", b"\r\n", b"\n", b"\xe9", b"\xc3\xa9", b"\x00", b"x" * 17,
          b"\xef\xbf\xbd", b"1" * 11, b"1" * 12, b"1" * 13, b"\xf0\x9f\x98", b"\xf0\x9f\x98\x80"]


def reference_lines(raw: bytes) -> list[str]:
    """What the reader must give, written the slow, obvious way."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")   # a byte order mark opening the file
    parts = raw.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    lines = []
    for i, part in enumerate(parts):
        terminated = i < len(parts) - 1 or raw.endswith(b"\n")
        if terminated and part.endswith(b"\r"):  # CRLF; a lone '\r' stays
            part = part[:-1]
        try:
            text = part.decode("utf-8")
        except UnicodeDecodeError:  # Latin-1 as WHATWG reads it: Windows-1252, C1 where unassigned
            text = "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in part)
        lines.append(text.replace("\x00", "\ufffd"))
    return lines


def read_all(path: Path, **options) -> tuple[list[tuple[int, str]], str, int]:
    """Every line read_blocks yields (options: block_bytes, batch_rows, start), the file's
    sha256 and the count of replaced bytes; the identity is checked against the oracle
    (lines before `start` are hashed too)."""
    identity = lineblocks.Identity()
    con = duckdb.connect()
    got, replaced = [], 0
    for block in lineblocks.read_blocks(path, identity, **options):
        block_table = block.table  # noqa: F841 (read by name in the SQL)
        rows = con.execute("SELECT line_no, line FROM block_table ORDER BY line_no").fetchall()
        assert [r[0] for r in rows] == list(range(block.first_line, block.first_line + block.lines))
        got += rows
        replaced += block.replaced
    assert fields(identity) == content_identity(path)
    assert fields(lineblocks.identify(path)) == fields(identity)  # the same, without building lines
    assert lineblocks.head_sha256(path) == identity.head_sha256
    return got, identity.sha256, replaced


def fields(identity: lineblocks.Identity) -> tuple:
    return (identity.content_sha256, identity.content_bytes, identity.complete_sha256,
            identity.complete_bytes, identity.complete_lines, identity.head_sha256)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content(path: Path) -> bytes:
    """The content, decompressed the simple way (the oracle)."""
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def content_identity(path: Path) -> tuple:
    data = content(path)
    complete = data[:data.rfind(b"\n") + 1]
    head = data[:data.find(b"\n") + 1] if b"\n" in data else data
    return sha(data), len(data), sha(complete), len(complete), complete.count(b"\n"), sha(head)


def random_logs(tmp_path: Path, rng: random.Random, least_pieces: int) -> Iterator[tuple[bytes, Path]]:
    """Random log bytes, written plain then gzipped."""
    raw = b"".join(rng.choice(PIECES) for _ in range(rng.randint(least_pieces, 80)))
    for compressed in (False, True):
        path = tmp_path / ("log.gz" if compressed else "log")
        path.write_bytes(gzip.compress(raw) if compressed else raw)
        yield raw, path


@pytest.mark.parametrize("seed", range(40))
def test_random_bytes_give_every_line_once(tmp_path, seed):
    rng = random.Random(seed)
    for raw, path in random_logs(tmp_path, rng, 0):
        sizes = {"block_bytes": rng.choice([1, 5, 16, 1 << 16]), "batch_rows": rng.choice([1, 3, 1000]),
                 "first_block_bytes": rng.choice([1, 3, 1 << 16])}
        got, sha256, _ = read_all(path, **sizes)
        assert [line for _, line in got] == reference_lines(raw), sizes
        assert [n for n, _ in got] == list(range(1, len(got) + 1))
        assert sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("seed", range(20))
def test_reading_from_a_line_start_gives_the_lines_after_it(tmp_path, seed):
    rng = random.Random(seed)
    for raw, path in random_logs(tmp_path, rng, 1):
        starts = [0] + [i + 1 for i, b in enumerate(raw) if b == 10]
        k = rng.randrange(len(starts))  # lines 1..k are skipped
        # read_all also checks that the identity covers the skipped lines
        got, _, _ = read_all(path, block_bytes=rng.choice([1, 7, 1 << 16]), batch_rows=rng.choice([1, 1000]),
                             start=lineblocks.Start(starts[k], k + 1))
        assert got == list(enumerate(reference_lines(raw), 1))[k:]


def test_blocks_start_small_and_double(tmp_path):
    """The first block is small, so that parsing starts early; each next one is twice as
    large up to block_bytes (lines of 10 bytes: a block ends at the last line end it holds)."""
    path = tmp_path / "log"
    path.write_bytes(b"".join(b"line %04d\n" % i for i in range(300)))
    blocks = list(lineblocks.read_blocks(path, block_bytes=800, first_block_bytes=100))
    assert [b.lines for b in blocks] == [10, 20, 40, 80, 80, 70]
    assert [b.first_line for b in blocks] == [1, 11, 31, 71, 151, 231]


def test_prefix_hashes(tmp_path):
    path = tmp_path / "log.gz"
    path.write_bytes(gzip.compress(b"abc\ndef\n"))
    assert lineblocks.prefix_sha256(path, [8, 4, 0, 99]) == {
        0: sha(b""), 4: sha(b"abc\n"), 8: sha(b"abc\ndef\n")}


def test_known_file(tmp_path):
    path = tmp_path / "log"
    path.write_bytes(b"short\n" + b"x" * 40 + b"\r\n\n caf\xe9 \x00end\rmid\nlast")
    got, _, replaced = read_all(path, block_bytes=8)
    assert got == [(1, "short"), (2, "x" * 40), (3, ""), (4, " café \ufffdend\rmid"), (5, "last")]
    assert replaced == 1  # the NUL (the line with a Latin-1 byte is read as Latin-1)


def test_a_byte_order_mark_opening_the_file_is_not_text(tmp_path):
    """An editor's UTF-8 mark before line 1 is dropped (the line is read as written); the
    same bytes anywhere else are text. The file's checksum still covers them."""
    path = tmp_path / "saved-by-notepad.log"
    raw = b"\xef\xbb\xbf2026-01-02 03:04:05 Log begins\nx\xef\xbb\xbfy\n"
    path.write_bytes(raw)
    got, sha256, replaced = read_all(path, block_bytes=8)
    assert got == [(1, "2026-01-02 03:04:05 Log begins"), (2, "x\ufeffy")]
    assert sha256 == hashlib.sha256(raw).hexdigest()
    assert replaced == 0


def test_empty_file_has_no_line(tmp_path):
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    assert read_all(path) == ([], hashlib.sha256(b"").hexdigest(), 0)


def test_truncated_gzip_is_an_error(tmp_path):
    path = tmp_path / "cut.log.gz"
    path.write_bytes(gzip.compress(b"line\n" * 1000)[:-30])
    with pytest.raises(lineblocks.LineReadError, match="cannot be read"):
        read_all(path)


def test_blocks_the_caller_keeps_stay_intact(tmp_path):
    """Buffers are reused only once nothing points into them: blocks kept all at once
    still hold their own lines after the file is read."""
    raw = b"".join(b"line %d %s\n" % (i, b"x" * (i % 50)) for i in range(5000))
    path = tmp_path / "log"
    path.write_bytes(raw)
    kept = [block.table for block in lineblocks.read_blocks(path, block_bytes=1000, batch_rows=64)]
    assert len(kept) > 100
    assert [line for table in kept for line in table.column("line").to_pylist()] == reference_lines(raw)


def test_released_blocks_give_their_buffers_back(tmp_path, monkeypatch):
    """A reader whose blocks are dropped one by one reads the whole file into a few
    buffers, not one per block (a fresh buffer costs its page faults)."""
    taken: set[int] = set()
    take = lineblocks._BufferPool.take

    def counting_take(pool, size):
        buffer = take(pool, size)
        taken.add(id(buffer))
        return buffer

    monkeypatch.setattr(lineblocks._BufferPool, "take", counting_take)
    raw = b"".join(b"line %d\n" % i for i in range(20000))
    path = tmp_path / "log"
    path.write_bytes(raw)
    got, _, _ = read_all(path, block_bytes=1000)
    assert [line for _, line in got] == reference_lines(raw)
    assert len(raw) // 1000 > 100 and len(taken) <= lineblocks.SPARE_BUFFERS + 2


def test_a_lent_buffer_is_taken_again_only_once_arrow_releases_it():
    pool = lineblocks._BufferPool()
    buffer = pool.take(100)
    arrow = pool.lend(buffer, buffer[10:60])
    assert arrow.size == 50
    assert pool.take(100) is not buffer
    del arrow
    assert pool.take(100) is buffer


def test_tiny_blocks_load_the_same_warehouse(tmp_path, monkeypatch):
    """Blocks end on line ends anywhere in the file: a load in blocks of 4 kB and batches
    of 7 rows (hundreds of blocks, lines cut by none) equals the load in one block."""
    res = simulate(tmp_path / "sim", days=3, scale=80, seed=5, log_timezone="Europe/Paris")
    contract = load_contract(res.contract)
    tables = {"events": "line_no", "rejected_lines": "line_no", "log_markers": "line_no"}

    def load(name: str) -> dict:
        con = warehouse.connect(tmp_path / f"{name}.duckdb", create=True)
        results = ingest_files(con, contract, res.logs, progress=False)
        content = {t: con.execute(f"SELECT * FROM {t} ORDER BY load_id, {key}").fetchall()
                   for t, key in tables.items()}
        con.close()
        return content, [(r.lines, r.events, r.markers, r.rejected) for r in results]

    whole, whole_counts = load("whole")
    monkeypatch.setattr(lineblocks, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(lineblocks, "BATCH_ROWS", 7)
    tiny, tiny_counts = load("tiny")
    assert tiny_counts == whole_counts
    assert sum(c[1] for c in whole_counts) > 1000
    for table in tables:
        assert tiny[table] == whole[table], table
