"""Segments of a canonical MT (docs/canonical-format.md "Derived segments"): counted as the
Kannel loader counts them (kannel_segments), from the text when there is one, else from
`text_len` as from Kannel's LEN with no text logged."""

from __future__ import annotations

from eventrows import contract, new_db
from opsanalytics.ingest import ingest_files

HEADER = "logged_at,kind,outcome,receiver,coding,text_len,text,udh,segments\n"


def load(tmp_path, rows):
    """rows: (coding, text_len, text, udh, segments) as written in the CSV."""
    path = tmp_path / "seg.csv"
    path.write_text(HEADER + "".join(f"2026-11-25T09:00:{i:02d}Z,mt,accepted,0612345678,{','.join(r)}\n"
                                     for i, r in enumerate(rows)), encoding="utf-8")
    con = new_db()
    [result] = ingest_files(con, contract(), [path], progress=False)
    assert result.rejected == 0
    return con


def test_segments_of_rows_without_text(tmp_path):
    """text_len is the length in the coding's units, as Kannel's LEN: GSM bytes (one septet
    each when counted: exact only while 2 septets a byte still fit one segment), 8-bit
    bytes, 2 x UTF-16 units. They were 1 and exact whatever text_len said."""
    con = load(tmp_path, [
        ("0", "300", "", "", ""),      # 300 GSM bytes: 2 segments, not exact (é is 2 bytes, 1 septet)
        ("2", "200", "", "", ""),      # 100 UTF-16 units: 2 segments of 67
        ("1", "141", "", "", ""),      # 8-bit: 140 alone
        ("1", "140", "", "", ""),
        ("0", "80", "", "", ""),       # 80 bytes are at most 160 septets: one segment, surely
        ("0", "81", "", "", ""),       # one segment if ASCII, maybe two: not exact
        ("0", "", "", "", ""),         # neither text nor text_len: one GSM segment, not exact
        ("2", "", "", "", ""),         # UCS-2 of unknown length: unknown (the facts count 1)
        ("0", "900", "", "050003410301", ""),  # a part too long for one: Kannel splits it again (147 septets a piece)
        ("0", "300", "", "", "3"),     # given
    ])
    query = "SELECT line_no, text_len, segments, segments_exact FROM events ORDER BY line_no"
    assert con.execute(query).fetchall() == [
        (1, 300, 2, False), (2, 200, 2, True), (3, 141, 2, True), (4, 140, 1, True), (5, 80, 1, True),
        (6, 81, 1, False), (7, None, 1, False), (8, None, None, False), (9, 900, 7, False), (10, 300, 3, True)]
    assert con.execute("SELECT segments, segments_exact FROM fct_mt ORDER BY mt_id").fetchall()[7] == (1, False)


def test_segments_of_rows_with_text(tmp_path):
    """The text counts when there is one (its real characters: septets, bytes, UTF-16
    units), whatever text_len says; a UDH other than a concatenation element takes room."""
    con = load(tmp_path, [
        ("0", "10", "a" * 161, "", ""),            # the text, not text_len
        ("0", "", "{" * 80, "", ""), ("0", "", "{" * 81, "", ""),
        ("2", "", "😀" * 35, "", ""), ("2", "", "😀" * 36, "", ""),
        ("0", "", "a" * 160, "0504158A0000", ""),  # port addressing: 6 octets of UDH, 153 septets left
        ("0", "", "a" * 153, "0504158A0000", ""),
        ("0", "", '""', "", ""),                    # an empty text: one segment, exact
        ("0", "", "a" * 152 + "[" + "a" * 152, "", ""),  # 306 septets, but '[' would straddle parts 1-2: 3
        ("0", "", "a" * 152 + "€" + "a" * 152, "", ""),
        ("0", "", "a" * 200, "050003410201", ""),   # a part too long for one segment: split again
        ("0", "", "a" * 153, "050003410201", ""),   # one that fits (153 septets beside the UDH)
    ])
    assert con.execute("SELECT line_no, segments, segments_exact FROM events ORDER BY line_no").fetchall() == [
        (1, 2, True), (2, 1, True), (3, 2, True), (4, 1, True), (5, 2, True), (6, 2, True), (7, 1, True),
        (8, 1, True), (9, 3, True), (10, 3, True), (11, 2, True), (12, 1, True)]


def test_a_lossy_text_is_counted_as_the_kannel_loader_counts_its_logged_text(tmp_path):
    """A text marked lossy is the gateway's logged text (`é` logged `..`): its dots may each
    stand for a lost character, so its segments are counted at the lower bound and are not
    exact, as the Kannel loader counts the same line. Counted as real full stops, a Kannel
    log exported to CSV gave one segment more and a definite R8 breach where the log's own
    load said "possibly over"."""
    lossy = "Ventes priv..es : jusqu'.. -50% " * 5 + "STOP 36180"   # 170 characters, 20 dots
    path = tmp_path / "lossy.csv"
    path.write_text("logged_at,kind,outcome,receiver,text,text_lossy\n"
                    f"2026-11-25T09:00:00Z,mt,accepted,0612345678,{lossy},true\n"
                    f"2026-11-25T09:00:01Z,mt,accepted,0612345678,{lossy},false\n", encoding="utf-8")
    con = new_db()
    [result] = ingest_files(con, contract(), [path], progress=False)
    assert (len(lossy), lossy.count(".")) == (170, 20)
    # lossy: 170 - 20 + 10 = 160 septets at least (one segment), 170 at most (two)
    assert con.execute("SELECT line_no, segments, segments_exact FROM events ORDER BY line_no").fetchall() == [
        (1, 1, False), (2, 2, True)]
    assert con.execute("SELECT segments, segments_max FROM fct_mt ORDER BY mt_id").fetchall() == [(1, 2), (2, 2)]


def test_a_lossy_text_whose_bounds_agree_is_exact_as_in_the_kannel_load(tmp_path):
    """A probe: every dotted text of a Kannel log exported to CSV came in not exact (12,223
    MT rows of a week), where the log's own load is exact whenever the dots cannot change
    the count (a short text, or bounds on one side of a segment boundary): the invoice's
    'not a certainty' share read 11,574 segments against 87. Both loads now agree."""
    short = "ACME : votre colis 50550919 sera livr.. demain entre 10h et 15h."   # 64 characters
    eight_bit = "Caf.. cr..me"                                                   # coding 1, not UTF-8
    path = tmp_path / "lossy.csv"
    path.write_text("logged_at,kind,outcome,receiver,coding,text,text_lossy\n"
                    f"2026-11-25T09:00:00Z,mt,accepted,0612345678,0,{short},true\n"
                    f"2026-11-25T09:00:01Z,mt,accepted,0612345678,1,{eight_bit},true\n", encoding="utf-8")
    con = new_db()
    ingest_files(con, contract(), [path], progress=False)
    assert con.execute("SELECT line_no, segments, segments_exact FROM events ORDER BY line_no").fetchall() == [
        (1, 1, True), (2, 1, True)]
    assert con.execute("SELECT segments, segments_max FROM fct_mt ORDER BY mt_id").fetchall() == [(1, 1), (1, 1)]
    # the same line in a Kannel log
    log = tmp_path / "access.log"
    log.write_text(f"2026-11-25 09:00:00 Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [FID:1] [META:] "
                   f"[from:36180] [to:33612345678] [flags:-1:0:-1:-1:31] [msg:{len(short)}:{short}] [udh:0:]\n",
                   encoding="utf-8")
    kannel = new_db()
    ingest_files(kannel, contract(), [log], progress=False)
    assert kannel.execute("SELECT segments, segments_exact FROM events").fetchall() == [(1, True)]


def test_an_8_bit_payloads_text_len_counts_its_segments(tmp_path):
    """A probe: 100 bytes of 8-bit data written as Latin-1 characters, with text_len 100, took
    their UTF-8 length (2 bytes an accented letter) and counted 2 segments; the gateway's LEN
    is the payload's: 1 segment (140 bytes fit one). Without text_len the text still counts."""
    latin = "é" * 100
    path = tmp_path / "eight.csv"
    path.write_text("logged_at,kind,outcome,receiver,coding,text,text_len\n"
                    f"2026-11-25T09:00:00Z,mt,accepted,0612345678,1,{latin},100\n"
                    f"2026-11-25T09:00:01Z,mt,accepted,0612345678,1,{latin},\n"
                    f"2026-11-25T09:00:02Z,mt,accepted,0612345678,2,{latin},\n", encoding="utf-8")
    con = new_db()
    ingest_files(con, contract(), [path], progress=False)
    assert con.execute("SELECT line_no, text_len, segments, segments_exact FROM events ORDER BY line_no").fetchall() == [
        (1, 100, 1, True), (2, 200, 2, True), (3, 200, 2, True)]


def test_an_8_bit_payload_counts_its_bytes_however_its_text_is_written(tmp_path):
    """Coding 1 (docs/canonical-format.md `text`, `text_len`): a payload that is UTF-8 is
    written decoded, and its UTF-8 bytes are its bytes; one that is not (binary, Latin-1) is
    written one character a byte, and `text_len` gives its bytes, which count first. A probe
    read "UTF-8 bytes" as those of the Latin-1 characters (280 for 140 bytes): 3 segments
    billed for 1."""
    latin = ("Caf\u00e9 cr\u00e8me \u00e0 " * 11)[:140]       # 140 payload bytes, some >= 0x80
    utf8 = "\u00e9" * 70                                          # 70 two-byte characters: 140 bytes
    under_udh = "\u00e9" * 60 + "a" * 15                          # 135 payload bytes beside 050003
    assert (len(latin), sum(c >= "\u0080" for c in latin) > 0) == (140, True)
    assert len(utf8.encode()) == 140 and len(under_udh.encode()) == 135
    con = load(tmp_path, [
        ("1", "140", latin, "", ""),            # the payload's bytes, given: 1 segment
        ("1", "", utf8, "", ""),                # a UTF-8 payload, decoded: its 140 bytes, 1 segment
        ("1", "135", latin[:135], "050003A10201", ""),  # 135 bytes beside a UDH: over 134, split again (129 a piece)
        ("1", "", under_udh, "050003A10201", ""),       # the same 135 bytes as UTF-8 text
        ("1", "134", latin[:134], "050003A10201", ""),  # 134 bytes fit beside it
    ])
    assert con.execute("SELECT line_no, text_len, segments, segments_exact FROM events ORDER BY line_no").fetchall() == [
        (1, 140, 1, True), (2, 140, 1, True), (3, 135, 2, True), (4, 135, 2, True), (5, 134, 1, True)]
