"""Kannel 1.4.0/1.4.1 write a text unescaped: a newline in it ends the line, and the text's rest
with the fields after it comes on the next line(s) (tests/fixtures/kannel-older/1.4.1, m13). The
cut line is read joined to the lines that continue it (queries/staging/kannel_joined.sql):
one event, its continuation lines markers 'continued', nothing rejected; a line cut short by
a damaged write stays rejected."""

from __future__ import annotations

from pathlib import Path

from opsanalytics import warehouse
from opsanalytics.audits import Filters
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.report import insights

CONTRACT = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'
                          '[[short_codes]]\ncode = "36180"\nsmsc = "ora_36180"\n'
                          '[[services]]\nname = "acme"\nbrand = "Acme"\ncategory = "marketing"\n',
                          "contract.toml")
MT = ("2026-11-26 17:24:{s:02d} Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [from:ACME] "
      "[to:33612340013] [flags:-1:0:-1:-1:19] [msg:{n}:{text}] [udh:0:]")
MO = ("2026-11-26 17:24:{s:02d} Receive SMS [SMSC:ora_36180] [SVC:] [ACT:] [BINF:] [from:+33698000001] "
      "[to:36180] [flags:-1:0:-1:0:-1] [msg:{n}:{text}] [udh:0:]")


def line(template: str, s: int, text: str) -> str:
    return template.format(s=s, n=len(text.encode("latin-1")), text=text)


def load(tmp_path: Path, lines: list[str]):
    path = tmp_path / "access.log"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    con = warehouse.connect(":memory:", create=True)
    [result] = ingest_files(con, CONTRACT, [path], progress=False)
    return con, (result.lines, result.events, result.markers, result.rejected)


def test_a_text_over_three_lines_is_one_event(tmp_path, capsys):
    text = "Promo ] [to:x]\n\nSTOP au 36180"   # an empty line in it, and '] [' as in m13
    con, counts = load(tmp_path, ["2026-11-26 17:24:00 Log begins", line(MT, 1, text),
                                  line(MT, 2, "suivant"), "2026-11-26 17:24:03 Log ends"])
    assert counts == (6, 2, 4, 0)
    assert con.execute("SELECT line_no, text, text_len, segments FROM events ORDER BY line_no").fetchall() == [
        (2, text, 29, 1), (5, "suivant", 7, 1)]
    assert con.execute("SELECT line_no, marker FROM log_markers ORDER BY line_no").fetchall() == [
        (1, "begins"), (3, "continued"), (4, "continued"), (6, "ends")]
    assert "1 event(s) hold a newline written raw" in capsys.readouterr().err


def test_an_opt_out_ending_in_a_newline_is_read(tmp_path):
    """A handset's `Arrêt` + newline, in Latin-1 as 1.4.0/1.4.1 write it: the opt-out stands."""
    con, counts = load(tmp_path, [line(MO, 1, "Arrêt\n"), line(MO, 2, "STOP\n")])
    assert counts == (4, 2, 2, 0)
    assert con.execute("SELECT text, keyword FROM fct_mo ORDER BY mo_id").fetchall() == [
        ("Arrêt\n", "STOP"), ("STOP\n", "STOP")]


def test_a_line_cut_by_a_damaged_write_stays_rejected(tmp_path):
    """Cut short, then an event (nothing to join) or a line that does not complete it: rejected."""
    cut = line(MT, 1, "Bonjour et bienvenue")[:-25]
    con, counts = load(tmp_path, [cut, line(MT, 2, "suivant"), cut, "garbage"])
    assert counts == (4, 1, 0, 3)
    assert [(n, r.split(":")[0]) for n, r in con.execute(
        "SELECT line_no, reason FROM rejected_lines ORDER BY line_no").fetchall()] == \
        [(1, "truncated"), (3, "truncated"), (4, 'no "YYYY-MM-DD HH')]


def test_a_continued_line_leaves_a_clean_restart_clean(tmp_path):
    con, _ = load(tmp_path, ["2026-11-26 17:24:00 Log begins", line(MT, 1, "a\nb"),
                             "2026-11-26 17:24:02 Log ends", "2026-11-26 17:24:05 Log begins"])
    restarts = insights.log_restarts(con, CONTRACT, Filters())
    assert list(zip(restarts.line_no, restarts.clean)) == [(1, True), (5, True)]
