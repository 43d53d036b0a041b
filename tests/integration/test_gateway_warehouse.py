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


def test_a_log_without_texts_loads_them_as_unknown(textless_run, tmp_path):
    """A gateway that keeps texts out of its access log: every line loads, no text is made
    up (NULL, never ''), the counts are those of the scenario, receipts still give the final
    statuses, and R3 and R4 say what they could not judge instead of reporting breaches."""
    db, said = warehouse_checks.ingest(textless_run, tmp_path)
    assert said.splitlines() == [
        f"warning: the access_log_format of {textless_run.contract_path()} leaves out:",
        "  %b (text): R3 cannot check STOP mentions, R4 cannot see STOPs"]
    status = warehouse_checks.status_json(db)
    want = warehouse_checks.expected_status(textless_run)
    assert {k: status[k] for k in want} == want
    assert warehouse_checks.query(db, "SELECT count(*) AS n FROM events WHERE text IS NOT NULL") == [{"n": 0}]
    audits = warehouse_checks.audit_json(db, textless_run.contract_path())
    r3, r4 = audits["R3"], audits["R4"]
    marketing = [group for group in warehouse_checks.logical_groups(textless_run.played.mts)
                 if group[0].user == "acme" and any(mt.outcome == "accepted" for mt in group)]
    assert (r3["violations"], r3["summary"]["texts_not_logged"]) == (0, len(marketing))
    assert r4["summary"]["mo_texts_not_logged"] == want["mo"]["accepted"]


def test_a_log_without_dlr_status_reads_it_from_the_receipts(maskless_run, tmp_path):
    """No %d in the format: no DLR mask in the log (nor the MT's asked mask). Every check of
    the matrix still holds, final statuses included: they come from the receipts' stat:."""
    problems = warehouse_checks.all_problems(maskless_run, tmp_path, left_out=("%d (DLR status)",))
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
