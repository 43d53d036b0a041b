"""A property-based batch: random texts and options through the real gateway (issue 8).

Hypothesis draws N messages (texts from GSM, French accents, the euro sign, brackets, `] [`,
emoji and arbitrary Unicode letters and symbols; 8-bit payloads; codings 0/1/2; DLR masks
31/19/3/none; sender names with spaces; both short-code links and the default route; SMSC
answers accept, UNDELIV, EXPIRED, permanent refusal, throttling once). They all go through
one gateway run; every message is then checked on the raw log and at the SMSC, and (when the
loader is present) in the warehouse. A failure lists every message that went wrong with
the seed to replay it: `KANNEL_RANDOM_SEED=<seed> pytest tests/integration -k random`.
"""

from __future__ import annotations

import pytest

from . import checks
from .random_messages import N_MESSAGES, N_MOS, SEED

pytestmark = pytest.mark.integration


def _report(problems: list[str], run) -> str:
    by_ref = {mt.ref: mt.params() for mt in run.played.mts}
    by_ref.update({mo.ref: mo for mo in run.played.mos})
    lines = [f"seed {SEED}: {len(problems)} problems"]
    for problem in problems[:40]:
        lines.append(f"  {problem}\n      sent: {by_ref.get(problem.split(':')[0], '?')}")
    return "\n".join(lines)


def test_random_batch_in_log_and_at_smsc(random_run):
    lines = random_run.played.parsed()
    problems = []
    for mt in random_run.played.mts:
        problems += checks.mt_in_log(random_run, lines, mt)
        problems += checks.mt_at_smsc(random_run, mt)
        problems += checks.dlrs_in_log(lines, mt)
    for mo in random_run.played.mos:
        problems += checks.mo_in_log(random_run, lines, mo)
    assert not problems, _report(problems, random_run)
    assert len(random_run.played.mts) == N_MESSAGES and len(random_run.played.mos) == N_MOS

