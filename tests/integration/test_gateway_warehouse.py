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
