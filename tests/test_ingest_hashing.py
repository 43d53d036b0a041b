"""The Kannel loader hashes a file while loading it when no loaded content has its size (it
cannot be a duplicate); a file of a size already loaded is hashed first. Both paths must
record the true sha256 and skip only true duplicates. A log's identity is its content: the
same log plain and gzipped by the rotation (access.log.1 -> access.log.2.gz) loads once."""

from __future__ import annotations

import hashlib
import gzip
import zlib
from pathlib import Path

import duckdb
import pytest

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import ingest_files, kannel


def sha256_of(path: Path) -> str:
    """sha256 of the bytes as stored: the oracle for the manifest's sha256 column."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


ODD = Path(__file__).parent / "fixtures" / "kannel-cases" / "odd.log"
CONTRACT = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n')


@pytest.fixture
def con(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    yield con
    con.close()


def test_same_size_other_bytes_loads_and_true_duplicate_is_skipped(con, tmp_path, monkeypatch):
    twin = tmp_path / "twin.log"
    data = bytearray(ODD.read_bytes())
    at = data.index(b"Sent SMS")
    data[at:at + 8] = b"SENT SMS"  # same size, other bytes (and one event fewer)
    twin.write_bytes(bytes(data))
    hashed_while_loading = []
    original = kannel.load_hashing
    monkeypatch.setattr(kannel, "load_hashing",
                        lambda *a, **k: hashed_while_loading.append(a[1]) or original(*a, **k))

    first, second, again = ingest_files(con, CONTRACT, [ODD, twin, ODD], progress=False)

    assert hashed_while_loading == [ODD.resolve()]  # the twin's size was already loaded
    assert (first.state, second.state, again.state) == ("loaded", "loaded", "skipped")
    assert (first.sha256, second.sha256, again.sha256) == (sha256_of(ODD), sha256_of(twin), sha256_of(ODD))
    assert second.events == first.events - 1 and second.lines == first.lines


def counts(con) -> tuple[int, int, int]:
    return con.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM log_markers), "
                       "(SELECT count(*) FROM rejected_lines)").fetchone()


def manifest(con) -> list[tuple]:
    return con.execute("SELECT sha256, content_sha256, content_bytes, state FROM load_manifest "
                       "ORDER BY load_id").fetchall()


@pytest.mark.parametrize("gz_first", [False, True])
def test_rotated_log_gzipped_is_the_same_log(con, tmp_path, gz_first):
    rotated = tmp_path / "access.log.2.gz"
    rotated.write_bytes(gzip.compress(ODD.read_bytes()))
    files = [rotated, ODD] if gz_first else [ODD, rotated]

    first, second = ingest_files(con, CONTRACT, files, progress=False)
    loaded = counts(con)
    again = ingest_files(con, CONTRACT, files, progress=False)

    assert (first.state, second.state) == ("loaded", "skipped")
    assert [r.state for r in again] == ["skipped", "skipped"]
    assert counts(con) == loaded and loaded[0] == first.events > 0
    content = (sha256_of(ODD), ODD.stat().st_size)
    # sha256 stays the bytes as stored (what sha256sum prints); the content is the log's
    assert [row[0] for row in manifest(con)[:2]] == [sha256_of(f) for f in files]
    assert all(row[1:3] == content for row in manifest(con))


def test_multi_member_gzip_duplicate_is_found_after_reading_and_taken_back(con, tmp_path, monkeypatch):
    # two gzip members: the ISIZE trailer is the last member's size, so the size check
    # cannot see the duplicate; the content hash, known once the file is read, does
    data = ODD.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    joined = tmp_path / "access.log.3.gz"
    joined.write_bytes(gzip.compress(data[:cut]) + gzip.compress(data[cut:]))
    assert zlib.decompress(joined.read_bytes(), wbits=31) == data[:cut]  # really two members

    ingest_files(con, CONTRACT, [ODD], progress=False)
    loaded = counts(con)
    hashed_while_loading = []
    original = kannel.load_hashing
    monkeypatch.setattr(kannel, "load_hashing",
                        lambda *a, **k: hashed_while_loading.append(a[1]) or original(*a, **k))
    [result] = ingest_files(con, CONTRACT, [joined], progress=False)

    assert hashed_while_loading == [joined.resolve()]  # loaded, then found to be a duplicate
    assert result.state == "skipped" and (result.lines, result.events) == (0, 0)
    assert counts(con) == loaded
    assert con.execute("SELECT count(*) FROM events WHERE load_id = 2").fetchone()[0] == 0


def test_gzip_of_another_log_with_a_loaded_size_loads(con, tmp_path):
    twin = bytearray(ODD.read_bytes())
    at = twin.index(b"Sent SMS")
    twin[at:at + 8] = b"SENT SMS"  # same size as ODD, other content
    packed = tmp_path / "twin.log.gz"
    packed.write_bytes(gzip.compress(bytes(twin)))

    first, second = ingest_files(con, CONTRACT, [ODD, packed], progress=False)

    assert (first.state, second.state) == ("loaded", "loaded")
    assert second.events == first.events - 1


def test_warehouse_from_before_the_content_identity_still_skips_its_files(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as old:  # the manifest as it was, without content columns
        old.execute("""CREATE TABLE load_manifest (load_id INTEGER PRIMARY KEY, path VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL, size_bytes BIGINT NOT NULL, format VARCHAR NOT NULL,
            log_timezone VARCHAR, lines BIGINT NOT NULL, events BIGINT NOT NULL,
            markers BIGINT NOT NULL, rejected BIGINT NOT NULL, state VARCHAR NOT NULL,
            loaded_at TIMESTAMPTZ NOT NULL)""")
        old.execute("INSERT INTO load_manifest VALUES (1, $p, $sha, $size, 'kannel', 'Europe/Paris', "
                    "12, 3, 1, 8, 'loaded', now())",
                    {"p": str(ODD), "sha": sha256_of(ODD), "size": ODD.stat().st_size})
    con = warehouse.connect(path)
    try:
        [result] = ingest_files(con, CONTRACT, [ODD], progress=False)
        assert result.state == "skipped"
        assert manifest(con)[0][1:3] == (None, None)  # old rows keep their empty columns
    finally:
        con.close()


def test_gzip_too_short_to_have_a_trailer_is_a_clear_error(con, tmp_path):
    stub = tmp_path / "access.log.2.gz"
    stub.write_bytes(b"\x1f\x8b\x08")  # a gzip header cut after three bytes
    with pytest.raises(IngestError, match=r"access\.log\.2\.gz: cannot be read"):
        ingest_files(con, CONTRACT, [stub], progress=False)
    assert con.execute("SELECT count(*) FROM load_manifest").fetchone()[0] == 0
