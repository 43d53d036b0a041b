"""The warehouse holds exactly what went through the real gateway (issue 8).

Each run's access log is ingested with `opsanalytics ingest` and compared with the scenario
and with what the simulated SMSC received: every MT (receiver, sender, coding, text exact
where not lossy, segments, final status, short code, brand), every MO (text, keyword), no
rejected line, and `opsanalytics status --format json` equal to the scenario's counts.
"""

from __future__ import annotations

import pytest

from . import warehouse_checks
from .test_gateway_random import _report

pytestmark = pytest.mark.integration


def test_matrix_in_warehouse(gateway_run, tmp_path):
    problems = warehouse_checks.all_problems(gateway_run, tmp_path)
    assert not problems, "\n".join(problems)


def test_random_batch_in_warehouse(random_run, tmp_path):
    problems = warehouse_checks.all_problems(random_run, tmp_path)
    assert not problems, _report(problems, random_run)


def test_smsbox_access_log_is_refused_with_a_pointer_to_bearerbox(gateway_run, tmp_path):
    """The gateway's smsbox writes an access log of its own (its HTTP requests); offered it by
    mistake, `ingest` refuses it, names the right log and creates no warehouse."""
    import subprocess
    import sys

    smsbox_log = gateway_run.folder / "smsbox-access.log"
    assert "send-SMS request added" in smsbox_log.read_text(errors="replace")
    db = tmp_path / "w.duckdb"
    done = subprocess.run([sys.executable, "-m", "opsanalytics", "ingest", str(smsbox_log), "--db", str(db),
                           "--config", str(gateway_run.contract_path())], capture_output=True, text=True)
    assert done.returncode == 2
    assert "this is smsbox's access log (HTTP requests); the traffic is in bearerbox's" in done.stderr
    assert not db.exists()
