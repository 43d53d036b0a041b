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

import os
import random

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from . import checks, scenario
from .conftest import COUNTERS, require_kannel, run_gateway
from .kannel_harness import VARIANTS
from .smsc_sim import ESME_RINVDSTADR, ESME_RTHROTTLED, Behaviour

pytestmark = pytest.mark.integration

N_MESSAGES = int(os.environ.get("KANNEL_RANDOM_MESSAGES", "150"))
SEED = int(os.environ.get("KANNEL_RANDOM_SEED", random.randrange(2**32)))

_CURATED = ("éèàùçêâîôûëïüÉÈÀÇœŒ€£¥§¤°«»’“”…–—@_$^{}[]~|\\][ 😀🎉👍\n\r\t"
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:!?'\"()-+*/%&#<>=")
_TEXT_CHARS = st.one_of(
    st.sampled_from(_CURATED),
    st.sampled_from(["] [", "[msg:", "[udh:0:]", "[to:", " ] "]),
    st.characters(categories=["Lu", "Ll", "Nd", "Po", "Sm", "Sc", "So", "Zs"]),
)
_BEHAVIOURS = {
    "accept": (scenario.ACCEPT, "accepted"),
    "undeliv": (scenario._receipts("ENROUTE", "UNDELIV"), "accepted"),
    "expired": (scenario._receipts("EXPIRED"), "accepted"),
    "refused": (Behaviour(status=ESME_RINVDSTADR), "refused"),
    "throttled": (Behaviour(temporary=ESME_RTHROTTLED, temporary_times=1), "accepted"),
}


@st.composite
def random_mt(draw, index: int) -> scenario.MT:
    coding = draw(st.sampled_from([None, 0, 1, 2]))
    if coding == 1:
        text = draw(st.binary(max_size=300))
    else:
        text = "".join(draw(st.lists(_TEXT_CHARS, max_size=120)))
    user, sender = draw(st.sampled_from([("acme", "ACME"), ("acme", "36180"), ("banque", "Ma Banque")]))
    behaviour, outcome = _BEHAVIOURS[draw(st.sampled_from(sorted(_BEHAVIOURS)))]
    mt = scenario.MT(f"H{index:03d}", f"3361400{index:04d}", text, sender=sender, user=user,
                     smsc=draw(st.sampled_from(["ora_36180", "ora_36181", None])), coding=coding,
                     dlr_mask=draw(st.sampled_from([None, 3, 19, 31])), behaviour=behaviour,
                     outcome=outcome)
    return mt


def draw_batch(n: int) -> list[scenario.MT]:
    """n messages drawn by Hypothesis (one example each), within smsbox's 10-part limit."""
    drawn: list[scenario.MT] = []

    @seed(SEED)
    @settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def collect(data):
        if len(drawn) < n:
            mt = data.draw(random_mt(len(drawn)).filter(lambda m: m.expected_segments() <= 10))
            drawn.append(mt)

    collect()
    return drawn


@pytest.fixture(scope="module")
def random_run(tmp_path_factory):
    require_kannel()
    mts = draw_batch(N_MESSAGES)
    folder = tmp_path_factory.mktemp("kannel-random")
    run = run_gateway(folder, VARIANTS["gmt"], mts, (), timeout=60)
    COUNTERS[f"random messages checked (seed {SEED})"] = len(mts)
    return run


def _report(problems: list[str], run) -> str:
    by_ref = {mt.ref: mt for mt in run.played.mts}
    lines = [f"seed {SEED}: {len(problems)} problems"]
    for problem in problems[:40]:
        mt = by_ref.get(problem.split(":")[0])
        lines.append(f"  {problem}\n      request: {mt.params() if mt else '?'}")
    return "\n".join(lines)


def test_random_batch_in_log_and_at_smsc(random_run):
    lines = random_run.played.parsed()
    problems = []
    for mt in random_run.played.mts:
        problems += checks.mt_in_log(random_run, lines, mt)
        problems += checks.mt_at_smsc(random_run, mt)
        problems += checks.dlrs_in_log(lines, mt)
    assert not problems, _report(problems, random_run)
    assert len(random_run.played.mts) == N_MESSAGES

