"""Texts written raw in Latin-1 by Kannel 1.4.0-1.4.1, and an MO kept in Latin-1 by 1.4.2-1.4.3:
real lines of self-built Kannel runs (tests/fixtures/kannel-cases/latin1*.log, see its README)."""

from __future__ import annotations

from pathlib import Path

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files, lineblocks

CASES = Path(__file__).parent / "fixtures" / "kannel-cases"
CONTRACT = """
log_timezone = "Europe/Paris"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
[[short_codes]]
code = "36181"
smsc = "ora_36181"
"""


def ingest(path: Path):
    con = warehouse.connect(":memory:", create=True)
    [result] = ingest_files(con, parse_contract(CONTRACT, "contract.toml"), [path], progress=False)
    return con, (result.lines, result.events, result.markers, result.rejected)


def test_a_line_that_is_not_utf8_is_read_as_latin1_its_len_counting_those_bytes(capsys):
    """1.4.0-1.4.1 do not escape coding-0 text: é is the byte E9, € the byte 80 (Windows-1252),
    a receipt's GSM bytes are raw (05 is GSM's é). Every line loads, the text as sent; the
    full stops of an unescaped text are not lost bytes."""
    con, counts = ingest(CASES / "latin1.log")
    assert counts == (8, 7, 1, 0)
    assert con.execute("SELECT line_no, kind, text_len, text, text_lossy FROM events ORDER BY line_no").fetchall() == [
        (2, "dlr", 4, "ACK/", False),
        (3, "mt", 43, "Votre code est 4821. Répondez STOP au 36180", False),
        (4, "dlr", 120, "id:41000001 sub:001 dlvrd:000 submit date:2611261724 done date:2611261724 "
                        "stat:UNDELIV err:001 text:Message vers un num\x05", False),
        (5, "mt", 18, "Refusé par le SMSC", False),
        (6, "mt", 45, "Votre solde est de 120,50 €. Ne répondez pas.", False),
        (7, "mo", 5, "ARRÉT", False),
        (8, "mo", 5, "arrêt", False),
    ]
    assert con.execute("SELECT text, keyword FROM fct_mo ORDER BY mo_id").fetchall() == [
        ("ARRÉT", "STOP"), ("arrêt", "STOP")]
    assert "5 line(s) that are not UTF-8 were read as Latin-1" in capsys.readouterr().err


def test_a_latin1_mo_logged_with_one_dot_a_letter_is_an_opt_out():
    """1.4.2-1.4.3 keep an MO sent in Latin-1 (data_coding 3) as Latin-1: `arrêt` is logged
    `arr.t`, one dot for ê (an UTF-8 `ARRÊT` is `ARR..T`)."""
    con, counts = ingest(CASES / "latin1-mo.log")
    assert counts == (2, 2, 0, 0)
    assert con.execute("SELECT text, text_lossy, text_normalised, keyword FROM fct_mo ORDER BY mo_id").fetchall() == [
        ("ARR..T", True, "ARR..T", "STOP"), ("arr.t", True, "ARR T", "STOP")]


def test_latin1_lines_among_utf8_lines_and_across_blocks(tmp_path):
    """Only the lines that are not UTF-8 are read as Latin-1 (a valid é in UTF-8 beside them
    stays é), whatever the block they fall in."""
    raw = (b"ok \xc3\xa9\n" b"caf\xe9 \x80 \xc3\xa9\n" b"\xf0\x9f\x98\x80\n" b"cut \xf0\x9f\x98\n"
           b"\xed\xa0\x80\n" b"\xc0\xaf\n" b"last \xff")
    path = tmp_path / "log"
    path.write_bytes(raw)
    for block_bytes in (4, 64):
        blocks = list(lineblocks.read_blocks(path, block_bytes=block_bytes))
        got = [line for block in blocks for line in block.table.column("line").to_pylist()]
        assert got == ["ok é", "café € Ã©", "😀", "cut ðŸ˜", "í\xa0€", "À¯", "last ÿ"]
        assert sum(block.latin1 for block in blocks) == 5
