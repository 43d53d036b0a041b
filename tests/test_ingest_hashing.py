"""The Kannel loader hashes a file while loading it when no loaded file has its size (it
cannot be a duplicate); a file of a size already loaded is hashed first, as before. Both
paths must record the true sha256 and skip only true duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import file_sha256, ingest_files, kannel

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
    assert (first.sha256, second.sha256, again.sha256) == (file_sha256(ODD), file_sha256(twin), file_sha256(ODD))
    assert second.events == first.events - 1 and second.lines == first.lines
