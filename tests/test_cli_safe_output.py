"""What the command line prints of attacker-written text (an SMS, a sender name, a service or
connection name: anyone can send an MO, a customer writes the MT texts) is shown, never
obeyed: on a terminal its control characters and bidi overrides appear as escapes; in a CSV
a spreadsheet opens, a cell that would start a formula is text. Found by a probe (session 30):
`content`, `audit`, `quality`, `sla` printed ESC sequences raw (recolouring the terminal, an
OSC retitling the window, U+202E turning `exe.jpg` into `gpj.exe`) and wrote `=HYPERLINK(...)`
cells live."""

from __future__ import annotations

import csv
import io

import pandas as pd

from kannellines import ONE_CODE_CONTRACT, ingested, mt
from opsanalytics.cli import main
from opsanalytics.safe_text import for_spreadsheet, for_terminal, visible

CONTRACT = ONE_CODE_CONTRACT


def test_control_and_bidi_characters_are_shown_as_escapes():
    assert visible("\x1b[31mRED\x1b[0m \x1b]0;pwned\x07 txt\u202eexe.jpg\x00") == \
        "\\x1b[31mRED\\x1b[0m \\x1b]0;pwned\\x07 txt\\u202eexe.jpg\\x00"
    assert visible("line one\n  line two\tend") == "line one\n  line two\tend"      # a message's layout
    assert visible("line one\nline two", in_cell=True) == "line one\\x0aline two"   # a table cell's
    assert visible("Offre spéciale 20€ ＳＴＯＰ") == "Offre spéciale 20€ ＳＴＯＰ"


def test_tables_and_csv_cells_are_made_safe_numbers_untouched():
    frame = pd.DataFrame({"text": ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
                                   "Soldes -20%", "\x1b[31mRED"], "amount": [-1.5, 2, 3, 4, 5, 6]})
    cells = for_spreadsheet(frame)["text"].tolist()
    assert cells == ["'=HYPERLINK(\"http://x\",\"y\")", "'+cmd|' /C calc'!A0", "'@SUM(1)", "'-2+3",
                     "Soldes -20%", "\x1b[31mRED"]
    assert for_spreadsheet(frame)["amount"].tolist() == [-1.5, 2, 3, 4, 5, 6]
    assert for_terminal(frame)["text"].tolist()[-1] == "\\x1b[31mRED"


def test_content_and_audit_print_hostile_text_inert(tmp_path, capsys):
    text = "=HYPERLINK(\"http://evil.example\",\"click\") \x1b[31mgratuit\x1b[0m \u202etxt.exe Coucou !"
    lines = [mt("2026-11-10 10:00:00", "ora_36180", "D0000001", "33612000001", text)]
    db, config, _ = ingested(tmp_path, lines, CONTRACT)
    assert main(["content", "--db", str(db), "--config", str(config), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["text"] for r in rows] == ["'" + text]
    for command in (["content"], ["audit", "R3"]):
        assert main([*command, "--db", str(db), "--config", str(config), "--format", "table"]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\u202e" not in out
        assert "\\x1b[31mgratuit" in out


def test_a_report_table_shows_a_bidi_override_as_an_escape():
    """U+202E in a sender name displayed `EVIL...exe.jpg` on page 40 for `gpj.exe`."""
    from opsanalytics.report.notebook import table_html

    page = table_html(pd.DataFrame({"oadc": ["\x1b[31mEVIL\u202egpj.exe"]}), "R7")
    assert "\\x1b[31mEVIL\\u202egpj.exe" in page and "\u202e" not in page
