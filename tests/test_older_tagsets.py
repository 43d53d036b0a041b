"""Older Kannel tag sets (1.4.2-1.4.3 without META, 1.4.0-1.4.1 without FID and with the
old labels) load like the real 1.4.5 lines they were derived from (tests/fixtures/derive_older.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.status import summary

FIXTURES = Path(__file__).parent / "fixtures"
VERSIONS = ("1.4.2-1.4.3", "1.4.0-1.4.1")
RUNS = {"main": "Europe/Paris", "gmt": "UTC"}   # the real runs' access-log-time

CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "{tz}"

[[short_codes]]
code = "36180"
smsc = "ora_36180"

[[short_codes]]
code = "36181"
smsc = "ora_36181"

[[services]]
name = "acme"
brand = "Acme"
category = "marketing"

[[services]]
name = "jeu_app"
brand = "Acme"
category = "marketing"
"""

#: columns that must not change with the tag set (the old ones lack fid/meta; labels differ)
SAME = ("line_no", "logged_at", "kind", "outcome", "smsc", "service", "account", "binfo", "sender",
        "receiver", "mclass", "coding", "dlr_mask", "text_len", "text", "text_lossy", "udh", "segments",
        "segments_exact")


def _load(path: Path, tz: str, tmp: Path):
    con = warehouse.connect(tmp / f"{path.parent.parent.name}-{path.parent.name}.duckdb", create=True)
    ingest_files(con, parse_contract(CONTRACT.format(tz=tz)), [path], fmt="kannel", progress=False)
    return con


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_fixtures_are_derived_from_the_real_lines():
    """The committed fixtures are exactly what the documented transformation gives."""
    result = subprocess.run([sys.executable, str(FIXTURES / "derive_older.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("run", sorted(RUNS))
def test_older_tagset_loads_like_1_4_5(version, run, tmp_path):
    tz = RUNS[run]
    real = _load(FIXTURES / "kannel-1.4.5" / run / "access.log", tz, tmp_path)
    old = _load(FIXTURES / "kannel-older" / version / run / "access.log", tz, tmp_path)
    assert _rows(old, "SELECT count(*) FROM rejected_lines") == [(0,)]
    cols = ", ".join(SAME)
    assert _rows(old, f"SELECT {cols} FROM events ORDER BY line_no") == \
        _rows(real, f"SELECT {cols} FROM events ORDER BY line_no")
    if version == "1.4.0-1.4.1":
        assert _rows(old, "SELECT count(*) FROM events WHERE fid <> '' OR meta <> ''") == [(0,)]
        assert _rows(old, "SELECT count(*) FROM events WHERE label = 'DLR SMS'") == \
            _rows(real, "SELECT count(*) FROM events WHERE label = 'Receive DLR'")
    s_old, s_real = summary(old), summary(real)
    for key in ("lines", "events", "markers", "rejected", "mt", "mo", "dropped"):
        assert s_old[key] == s_real[key], key
    assert s_old["dlr"]["lines"] == s_real["dlr"]["lines"]
    assert s_old["dlr"]["unmatched"] >= s_real["dlr"]["unmatched"]
    if version == "1.4.0-1.4.1":
        # Without FID a receipt can only be tied to its MT by connection, receiver and time:
        # exact for every MT that is alone with its receiver on its connection (parts of one
        # message to the same receiver cannot be told apart)
        alone = """SELECT line_no, final_status FROM fct_mt
                   QUALIFY count(*) OVER (PARTITION BY smsc, msisdn_raw) = 1 ORDER BY line_no"""
        assert _rows(old, alone) == _rows(real, alone)
        assert len(_rows(old, alone)) >= 5
    if version == "1.4.2-1.4.3":
        # FID is still there whenever a DLR was asked: every MT ends as with 1.4.5
        assert s_old["dlr"] == s_real["dlr"]
        assert _rows(old, "SELECT line_no, final_status FROM fct_mt ORDER BY line_no") == \
            _rows(real, "SELECT line_no, final_status FROM fct_mt ORDER BY line_no")
