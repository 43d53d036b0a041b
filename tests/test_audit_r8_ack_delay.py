"""R8 and the acknowledgement delay: a `Sent SMS` line is stamped when the SMSC acknowledges
the submit, so a log of a link held at its rate shows seconds over it. Real Kannel 1.4.5 runs
(tests/fixtures/kannel-1.4.5/rate, README there: sim.log is when each submit reached the
SMSC) and constructed runs with known answers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eventrows import ingested
from opsanalytics.audits import run
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "rate"
CONTRACT = load_contract(FIXTURE / "contract.toml")
PARIS = ZoneInfo("Europe/Paris")


def r8(*paths: Path):
    return run(ingested(CONTRACT, paths)[0], CONTRACT, "R8")


def submits_per_second(run_dir: str) -> Counter:
    """submit_sm received per second (sim.log's lines without a tag; RESP lines are the
    acknowledgements, with their latency)."""
    lines = (FIXTURE / run_dir / "sim.log").read_text().splitlines()
    return Counter(int(float(line.split("\t")[0])) for line in lines if line[:1].isdigit())


@pytest.mark.parametrize("run_dir, seconds_over, peak", [("short", 13, 14), ("long", 11, 15)])
def test_a_link_held_at_its_rate_is_over_it_only_within_the_ack_delay(run_dir, seconds_over, peak):
    """Kannel submitted at most 10 a second; the log's seconds are acknowledgements: up to 14
    lines (15 segments) in one second. Counted as the rule says, but none beyond the delay."""
    submits = submits_per_second(run_dir)
    assert (sum(submits.values()), max(submits.values())) == (300, 10)
    result = r8(FIXTURE / run_dir / "access.log")
    assert (result.violations, int(result.rows["segments"].max())) == (seconds_over, peak)
    assert result.summary["seconds_over_beyond_ack_delay"] == 0
    assert not result.rows["beyond_ack_delay"].any()


def line(second: str, n: int) -> str:
    return (f"2026-11-26 {second} Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [FID:F{n}] [META:] "
            f"[from:36180] [to:3361{n:07d}] [flags:-1:0:-1:-1:0] [msg:5:Promo] [udh:0:]")


def test_runs_no_ack_delay_explains_are_beyond_it(tmp_path):
    """Rate 10, delay 1 s: k seconds of a compliant log hold at most 10 x (k + 1) segments.
    12 a second for 20 s (240 > 210) is beyond it, every second of the run; a lone second of
    14 is not (14 <= 20), one of 21 is; three seconds of 14 (42 > 40) are."""
    lines, n = [], 0
    for second, count in ([(f"10:00:{s:02d}", 12) for s in range(20)] + [("12:00:00", 14), ("14:00:00", 21)]
                          + [(f"16:00:0{s}", 14) for s in range(3)]):
        for _ in range(count):
            n += 1
            lines.append(line(second, n))
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    result = r8(path)
    got = {str(r.second.astimezone(PARIS))[11:19]: r.beyond_ack_delay for r in result.rows.itertuples()}
    assert got == {**{f"10:00:{s:02d}": True for s in range(20)}, "12:00:00": False, "14:00:00": True,
                   **{f"16:00:0{s}": True for s in range(3)}}
    assert (result.violations, result.summary["seconds_over_beyond_ack_delay"]) == (25, 24)


def test_an_smsc_that_answers_slower_is_given_its_delay_in_the_contract(tmp_path):
    """A probe's real Kannel 1.4.5 held at 10/s by its `throughput`, its SMSC answering the
    first 20 submits in 2 s: the log showed 0, 0, 20, 20 where the SMSC got 10 a second. With
    the default delay (1 s) the two seconds of 20 are beyond it (40 > 10 x (2 + 1)); with the
    SMSC's real delay, `rules.ack_delay_seconds = 2`, they are rows but not beyond it."""
    from opsanalytics.config import parse_contract

    lines, n = [], 0
    for second in ("10:00:02", "10:00:03"):
        for _ in range(20):
            n += 1
            lines.append(line(second, n))
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    text = (FIXTURE / "contract.toml").read_text(encoding="utf-8")
    slow = parse_contract(text.replace("[[short_codes]]", "[rules]\nack_delay_seconds = 2\n\n[[short_codes]]", 1),
                          "slow.toml")
    assert slow.rules.ack_delay_seconds == 2
    con = ingested(CONTRACT, [path])[0]
    for contract, beyond in ((CONTRACT, True), (slow, False)):
        result = run(con, contract, "R8")
        assert result.violations == 2
        assert result.rows["beyond_ack_delay"].tolist() == [beyond, beyond]
        assert result.summary["ack_delay_seconds"] == contract.rules.ack_delay_seconds
