"""The DST changes through a real Kannel 1.4.5 run under libfaketime
(tests/fixtures/kannel-1.4.5/dst, README there): every line's instant against the driver's
clock, and what is said where the log cannot place the repeated autumn hour."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from eventrows import ingested
from opsanalytics.config import load_contract
from opsanalytics.ingest.cautions import cautions

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "dst"
CONTRACT = load_contract(FIXTURE / "contract.toml")


def load(*runs: str):
    return ingested(CONTRACT, [FIXTURE / run / "access.log" for run in runs])


def instants(con, run: str) -> list[tuple[str, float, float]]:
    """(what, driver's instant, logged_at) of every MT and MO the driver made, in its order: each
    matched to the first line of its kind, number and text not matched before."""
    lines = con.execute("SELECT line_no, label, receiver, sender, text, epoch(logged_at) FROM events "
                        "WHERE label IN ('Sent SMS', 'Receive SMS') ORDER BY line_no").fetchall()
    used, out = set(), []
    for row in map(json.loads, (FIXTURE / run / "truth.jsonl").read_text().splitlines()):
        if row["what"] not in ("MT", "MO"):
            continue
        label, number = ("Sent SMS", row["to"]) if row["what"] == "MT" else ("Receive SMS", row["frm"])
        line = next(l for l in lines if l[0] not in used and l[1] == label and l[4] == row["text"]
                    and (l[2] if row["what"] == "MT" else l[3]) == number)
        used.add(line[0])
        out.append((f"{row['what']} {number} {row['text']}", dt.datetime.fromisoformat(row["utc"]).timestamp(), line[5]))
    return out


@pytest.mark.parametrize("run", ["s1", "s2b1", "s3"])
def test_every_line_has_the_instant_it_was_written_at(run):
    """Across the autumn change (the clock going back in the log, or at a restart) and the
    spring one: the log's seconds, within the second Kannel truncates to and the driver's lag."""
    con, results = load(run)
    got = instants(con, run)
    assert len(got) >= 6
    assert [(what, round(logged - true)) for what, true, logged in got if not -1 <= logged - true <= 3] == []
    assert [w for w in cautions(con, CONTRACT, results, "contract.toml") if "repeated hour" in w] == []


@pytest.mark.parametrize("run, lines, span", [("s2a", 6, "from 02:20:01 to 02:55:01"),
                                              ("s2b2", 12, "from 02:04:59 to 02:58:01")])
def test_lines_the_log_cannot_place_are_said(run, lines, span):
    """No line goes back in time: the lines of 02:xx are read as the first run (CEST), though
    the driver wrote some (s2b2: those after the restart) or all (s2a) in the second; the log
    cannot tell, so ingest says it rather than keep the guess silent."""
    con, results = load(run)
    said = [w for w in cautions(con, CONTRACT, results, "contract.toml") if "repeated hour" in w]
    path = FIXTURE / run / "access.log"
    assert said == [
        f"warning: {lines} line(s) of the repeated hour 2026-10-25 02:00-02:59 (Europe/Paris) in {path}, {span}, "
        "were read as its first run (UTC+02:00), but no line of the logs goes back in time to show where that "
        "run ended: they may have been written in the second run (UTC+01:00), one hour later (the gateway idle "
        "through the first run, or restarted inside the second). The log cannot tell; R1, R2 and R4 judge them "
        "as the first run, so an opt-out or a message among them may be an hour off. With access-log-time = gmt "
        "(log_timezone = \"UTC\") a log has no repeated hour."]
    wrong = [what for what, true, logged in instants(con, run) if not -1 <= logged - true <= 3]
    assert wrong and all(round(true - logged) in range(3597, 3602) for what, true, logged in instants(con, run)
                         if what in wrong)


def test_a_second_run_in_another_log_places_the_hour():
    """s1's log holds the second run: loaded with s2a, s2a's lines are no longer said (the
    warehouse holds one gateway's logs per log_timezone: docs/KANNEL.md)."""
    con, results = load("s1", "s2a")
    assert [w for w in cautions(con, CONTRACT, results, "contract.toml") if "repeated hour" in w] == []
