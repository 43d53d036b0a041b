"""A file given to ingest that is something else than expected is refused saying what it is
(a probe: an xz rotation was refused as 'no line is a Kannel access-log line ... check the
contract's access_log_format', a Kannel log given --format parquet was said to look like a
CSV, a cut Parquet file quoted DuckDB's own SQL, a Kannel log named .csv got 'unknown
column(s) 2026-11-25 17:19:44 Log begins')."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import ingest_files

LOG = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log"
CONTRACT = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n', "c.toml")


def _refusal(tmp_path, path, fmt="auto") -> str:
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    try:
        with pytest.raises(IngestError) as refused:
            ingest_files(con, CONTRACT, [path], fmt=fmt, progress=False)
        assert con.execute("SELECT count(*) FROM load_manifest").fetchone() == (0,)
    finally:
        con.close()
    return str(refused.value)


@pytest.mark.parametrize("magic, name, command", [(b"\xfd7zXZ\x00", "xz", "xz -d"), (b"BZh91AY&SY", "bzip2", "bunzip2"),
                                                  (b"\x28\xb5\x2f\xfd\x00", "zstd", "zstd -d")])
def test_a_log_compressed_otherwise_than_gzip_is_named_so(tmp_path, magic, name, command):
    rotated = tmp_path / "access.log.1.x"
    rotated.write_bytes(magic + b"\x00" * 64)
    assert _refusal(tmp_path, rotated) == (
        f"{rotated}: compressed with {name}; ingest reads plain and gzip files only: decompress it first "
        f"({command} {rotated}), or set logrotate's compresscmd to gzip")


def test_a_kannel_log_given_as_parquet_is_said_to_be_a_kannel_log(tmp_path):
    log = tmp_path / "access.log"
    shutil.copy(LOG, log)
    assert _refusal(tmp_path, log, fmt="parquet") == (
        f"{log}: not a Parquet file (a Parquet file starts with PAR1); --format parquet reads every file given as "
        "Parquet, and this one looks like a Kannel access log: give --format kannel, or leave --format out (auto)")


def test_a_cut_parquet_file_is_said_without_the_sql_that_read_it(tmp_path):
    import duckdb

    whole = tmp_path / "whole.parquet"
    duckdb.connect().execute(f"COPY (SELECT 1 AS x) TO '{whole}' (FORMAT parquet)")
    cut = tmp_path / "export.parquet"
    cut.write_bytes(whole.read_bytes()[:-20])
    said = _refusal(tmp_path, cut)
    assert said.startswith(f"{cut}: not a readable canonical PARQUET file: ")
    assert "LINE" not in said and "read_parquet" not in said


@pytest.mark.parametrize("name", ["traffic.csv", "traffic.csv.gz"])
def test_a_kannel_log_named_csv_is_said_to_be_a_kannel_log(tmp_path, name):
    named = tmp_path / name
    data = LOG.read_bytes()
    named.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    assert _refusal(tmp_path, named).startswith(
        f"{named}: line 1 is a Kannel access-log line, not a CSV header: give --format kannel; missing required "
        "column(s) logged_at, kind, outcome")
