"""Random MTs and MOs drawn by Hypothesis for the property-based batch (issue 8).

Texts from GSM, French accents, the euro sign, brackets, `] [`, emoji and arbitrary Unicode
letters and symbols; 8-bit payloads; codings 0/1/2; DLR masks 31/19/3/none; sender names
with spaces and `]` (`Ma Banque`, `Shop]`, `A] B`); both short-code links and the default
route; SMSC answers accept, UNDELIV, EXPIRED, permanent refusal, throttling once. MOs:
STOP/START variants (keyword asserted) and any text in GSM, Latin-1 or UCS-2. Replay a
batch with `KANNEL_RANDOM_SEED=<seed>` (the seed is printed after the run). A new seed each
run, but a fixed one on CI.

The batch is drawn in a child interpreter that imports only this package (`draw_run`):
Hypothesis mixes string and number constants of the local modules loaded in its process
into its draws, so in pytest's own process the batch of a seed depended on which test
modules had been collected, and a seed printed by `make test` drew another batch when
replayed with `-k random`.
"""

from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, Phase, assume, given, seed, settings
from hypothesis import strategies as st

from . import gsm, scenario
from .smsc_sim import ESME_RINVDSTADR, ESME_RTHROTTLED, Behaviour

N_MESSAGES = int(os.environ.get("KANNEL_RANDOM_MESSAGES", "200"))
N_MOS = int(os.environ.get("KANNEL_RANDOM_MOS", "80"))
#: a new batch each run, to find what no one thought of; on CI (`CI=true`) a fixed seed, so
#: that a gate never fails by chance (the batch it draws changes only with this package)
CI_SEED = 660245446
SEED = int(os.environ.get("KANNEL_RANDOM_SEED")
           or (CI_SEED if os.environ.get("CI") == "true" else random.randrange(2**32)))

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
    "throttled": (Behaviour(first_status=ESME_RTHROTTLED, first_attempts=1), "accepted"),
}


@st.composite
def random_mt(draw, index: int) -> scenario.MT:
    coding = draw(st.sampled_from([None, 0, 1, 2]))
    if coding == 1:
        text = draw(st.binary(max_size=300))
    else:
        text = "".join(draw(st.lists(_TEXT_CHARS, max_size=120)))
    user, sender = draw(st.sampled_from([("acme", "ACME"), ("acme", "36180"), ("banque", "Ma Banque"),
                                          ("acme", "Shop]"), ("acme", "[Promo]-20"), ("acme", "A] B")]))
    behaviour, outcome = _BEHAVIOURS[draw(st.sampled_from(sorted(_BEHAVIOURS)))]
    mt = scenario.MT(f"H{index:03d}", f"3361400{index:04d}", text, sender=sender, user=user,
                     smsc=draw(st.sampled_from(["ora_36180", "ora_36181", None])), coding=coding,
                     dlr_mask=draw(st.sampled_from([None, 3, 19, 31])), behaviour=behaviour,
                     outcome=outcome)
    return mt


_GSM_CHARS = st.sampled_from([c for c in gsm.BASIC if c != "\x1b"] + list(gsm.EXTENSION))
_LATIN1_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")
_MO_CHARS = {0: _GSM_CHARS, 3: _LATIN1_CHARS, 8: _TEXT_CHARS}
_KEYWORD_WORDS = ("STOP", "ARRET", "START", "UNSUBSCRIBE")


def _encodable(text: str, data_coding: int) -> bool:
    try:
        {0: gsm.gsm_encode, 3: lambda t: t.encode("latin-1"), 8: lambda t: t.encode("utf-16-be")}[data_coding](text)
    except (ValueError, UnicodeEncodeError):
        return False
    return True


@st.composite
def random_mo(draw, index: int) -> scenario.MO:
    """A STOP/START variant (keyword asserted) or any text (keyword asserted only when no
    keyword word can be read in it)."""
    data_coding = draw(st.sampled_from([0, 3, 8]))
    smsc = draw(st.sampled_from(sorted(scenario.SHORT_CODES)))
    if draw(st.booleans()):
        word = draw(st.sampled_from(["stop", "arrêt", "arret", "STOP SMS", "start", "Stop", "ARRÊT"]))
        text = (draw(st.sampled_from(["", " ", "  "])) + word
                + draw(st.sampled_from(["", " merci", "!", ".", " svp", " "])))
        keyword, known = ("START" if word.lower() == "start" else "STOP"), True
    else:
        text = "".join(draw(st.lists(_MO_CHARS[data_coding], min_size=1, max_size=60)))
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
        keyword, known = None, not any(w in folded for w in _KEYWORD_WORDS)
    assume(_encodable(text, data_coding) and len(text.encode("utf-16-be")) <= 140 and len(text) <= 140)
    return scenario.MO(f"N{index:03d}", f"3367100{index:04d}", text, data_coding=data_coding, smsc=smsc,
                       keyword=keyword, keyword_known=known)


def _draw(n: int, strategy) -> list:
    """n values drawn by Hypothesis (one example each)."""
    drawn: list = []

    @seed(SEED)
    @settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def collect(data):
        if len(drawn) < n:
            drawn.append(data.draw(strategy(len(drawn))))

    collect()
    return drawn


def draw_batch(n: int) -> list[scenario.MT]:
    """n MTs within smsbox's 10-part limit."""
    return _draw(n, lambda i: random_mt(i).filter(lambda m: m.expected_segments() <= 10))


def draw_mos(n: int) -> list[scenario.MO]:
    return _draw(n, random_mo)


def draw_run(n_mts: int, n_mos: int) -> tuple[list[scenario.MT], list[scenario.MO]]:
    """The batch of SEED, drawn in a child interpreter (see the module docstring) that
    imports this package as the caller did, so the objects unpickle as the caller's own."""
    code = ("import pickle, sys; sys.path.insert(0, sys.argv[1]); "
            f"from {__package__}.random_messages import draw_batch, draw_mos; "
            "sys.stdout.buffer.write(pickle.dumps((draw_batch(int(sys.argv[2])), draw_mos(int(sys.argv[3])))))")
    root = Path(__file__).resolve().parents[len(__package__.split("."))]
    proc = subprocess.run([sys.executable, "-c", code, str(root), str(n_mts), str(n_mos)],
                          capture_output=True, env={**os.environ, "KANNEL_RANDOM_SEED": str(SEED)})
    if proc.returncode:
        raise RuntimeError(f"drawing the random batch (seed {SEED}) failed:\n{proc.stderr.decode()}")
    return pickle.loads(proc.stdout)
