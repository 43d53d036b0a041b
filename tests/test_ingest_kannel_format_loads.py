"""Logs of custom access-log formats loaded end to end (opsanalytics.ingest.kannel with the
plan of opsanalytics.ingest.kannel_format): what a format leaves out, and lines whose free
fields hold the format's own delimiters. Cases from the review of real Kannel 1.4.5 gateways
with custom `access-log-format`s."""

from __future__ import annotations

from pathlib import Path

import datetime as dt

import pytest

from opsanalytics import facts, warehouse
from opsanalytics.config import parse_contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import kannel
from opsanalytics.ingest.kannel_format import DEFAULT_FORMAT

REAL = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log"


def load(path: Path, log_format: str | None, clean: bool = False, tz: str = "UTC"):
    contract = f'log_timezone = "{tz}"\n'
    if log_format:
        contract += f'access_log_format = "{log_format}"\n'
    if clean:
        contract += "access_log_clean = true\n"
    con = warehouse.connect(":memory:")
    with warehouse.transaction(con):
        counts = kannel.load(con, path, 1, parse_contract(contract), progress=False)
    return con, counts


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_numbers_a_format_does_not_carry_are_null(tmp_path):
    """Without %p and %P the sender and receiver are unknown: NULL, not '' (an empty number
    made R1 see 3 marketing MTs to 'one number' and R10 3 malformed destinations)."""
    path = tmp_path / "access.log"
    path.write_text("".join(
        f"2026-11-26 09:00:0{i} Sent SMS [SMSC:ora] [SVC:acme] [FID:F{i}] [flags:-1:0:-1:-1:31] "
        f"[msg:Promo {c} STOP au 36180] [udh:]\n" for i, c in ((1, "A"), (2, "B"), (3, "C"))))
    con, counts = load(path, "%l [SMSC:%i] [SVC:%n] [FID:%F] [flags:%m:%c:%M:%C:%d] [msg:%b] [udh:%u]")
    assert counts == (3, 3, 0, 0)
    assert rows(con, "SELECT fid, sender, receiver FROM events ORDER BY line_no") == [
        ("F1", None, None), ("F2", None, None), ("F3", None, None)]
    # with them, an empty value as logged stays ''
    path.write_text("2026-11-26 09:00:01 Receive SMS [SMSC:ora] [from:] [to:36180] [msg:STOP]\n")
    con, _ = load(path, "%l [SMSC:%i] [from:%p] [to:%P] [msg:%b]")
    assert rows(con, "SELECT sender, receiver FROM events") == [("", "36180")]


NO_LEN = "%l [SMSC:%i] [SVC:%n] [FID:%F] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d] [msg:%b] [udh:%u]"


def test_a_format_without_len_counts_segments_from_hex_texts(tmp_path):
    """Without %L, an 8-bit or UCS-2 MT had no segment count (NULL, yet 'exact') and no
    text_len, so R8, R9 and R12 undercounted it; the hex text gives its length exactly."""
    def mt(i: int, coding: int, text: str) -> str:
        return (f"2026-11-26 09:00:{i:02d} Sent SMS [SMSC:ora] [SVC:acme] [FID:F{i}] [from:ACME] "
                f"[to:336120000{i:02d}] [flags:-1:{coding}:-1:-1:31] [msg:{text}] [udh:]\n")
    path = tmp_path / "access.log"
    path.write_text(
        mt(1, 2, "00E9" * 100)       # 100 UCS-2 units: 2 segments of 67
        + mt(2, 2, "00E9" * 70)      # 70 units: one
        + mt(3, 1, "41" * 140)       # 140 octets: one
        + mt(4, 1, "41" * 141)       # 141 octets: 2 of 134
        + mt(5, 1, "41" * 300)       # 300 octets: 3
        + mt(6, 0, "a" * 161)        # GSM: from the text already (161 septets: 2)
        + mt(7, 2, "00E9" * 70 + "00"))  # half a unit: damaged, a guess (141 octets: 2, Kannel cuts octets)
    con, counts = load(path, NO_LEN)
    assert counts == (7, 7, 0, 0)
    assert rows(con, "SELECT coding, text_len, segments, segments_exact FROM events ORDER BY line_no") == [
        (2, 200, 2, True), (2, 140, 1, True), (1, 140, 1, True), (1, 141, 2, True), (1, 300, 3, True),
        (0, 161, 2, True), (2, 141, 2, False)]


def test_segments_never_exact_when_not_counted(tmp_path):
    """No text and no LEN: a UCS-2 MT's segments cannot be counted (NULL), never 'exact'."""
    path = tmp_path / "access.log"
    path.write_text("2026-11-26 09:00:01 Sent SMS [SMSC:ora] [from:ACME] [to:33612000001] [flags:-1:2:-1:-1:31]\n"
                    "2026-11-26 09:00:02 Sent SMS [SMSC:ora] [from:ACME] [to:33612000002] [flags:-1:0:-1:-1:31]\n")
    con, counts = load(path, "%l [SMSC:%i] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d]")
    assert counts == (2, 2, 0, 0)
    assert rows(con, "SELECT text_len, segments, segments_exact FROM events ORDER BY line_no") == [
        (None, None, False), (None, 1, False)]


def test_udh_length_from_its_hex_when_the_format_has_no_udh_length(tmp_path):
    """%u without %U: a 7-octet WAP-push UDH leaves 133 octets a segment, so 135 octets are 2
    segments (the built-in layout says so); the UDH was taken as 0 octets long: 1 segment."""
    text = "".join(f"{b:02X}" for b in range(135))
    path = tmp_path / "access.log"
    path.write_text(
        f"2026-11-26 09:00:01 Sent SMS [SMSC:ora] [from:ACME] [to:33612000001] [flags:-1:1:-1:-1:31] "
        f"[msg:135:{text}] [udh:0605040B8423F0]\n"
        f"2026-11-26 09:00:02 Sent SMS [SMSC:ora] [from:ACME] [to:33612000002] [flags:-1:1:-1:-1:31] "
        f"[msg:133:{text[:266]}] [udh:0605040B8423F0]\n"
        f"2026-11-26 09:00:03 Sent SMS [SMSC:ora] [from:ACME] [to:33612000003] [flags:-1:1:-1:-1:31] "
        f"[msg:135:{text}] [udh:]\n")
    con, counts = load(path, "%l [SMSC:%i] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d] [msg:%L:%b] [udh:%u]")
    assert counts == (3, 3, 0, 0)
    assert rows(con, "SELECT udh, segments, segments_exact FROM events ORDER BY line_no") == [
        ("0605040B8423F0", 2, True), ("0605040B8423F0", 1, True), ("", 1, True)]


SEMI = "%l;%i;%n;%F;%p;%P;%c;%d;%L;%b;%u;%t"
PIPE = "%T|%l|%i|%n|%A|%p|%P|%F|%m|%c|%d|%U|%u|%L|%b"
UTC = dt.timezone.utc


def test_a_free_field_holding_the_delimiter_is_read_where_the_line_fits(tmp_path, capsys):
    """A sender 'Shop;Paris' in a ';'-separated format: the first reading ends the sender at
    its ';', and the line was rejected as truncated (the MT and its DLR lost). Every reading
    with the ';' inside a field is tried; the one where every typed field parses and the
    text ends where its LEN says is kept, the sender before a connection or service name."""
    path = tmp_path / "access.log"
    path.write_text(
        "Sent SMS;ora;acme;F1;Shop;Paris;33612000001;0;31;5;hello;;2026-11-26 09:00:00\n"
        "Sent SMS;ora;acme;F2;ACME;33612000002;0;31;5;hello;;2026-11-26 09:00:01\n"
        # written by a real Kannel 1.4.5 (the review's run `semi_t_end`): an MT and its DLR
        "Sent SMS;ora_36180;banque;5EA700002A;A] [B|C;D;33612400010;0;3;18;Expediteur bizarre;;2026-11-26 09:27:05\n"
        "Receive DLR;ora_36180;banque;5EA700002A;A] [B|C;D;33612400010;-1;1;120;id:5EA700002A sub:001 "
        "dlvrd:001 submit date:2611261027 done date:2611261027 stat:DELIVRD err:000 text:Expediteur bizarre;;"
        "2026-11-26 09:27:05\n"
        # a text holding ';' is sliced by its LEN: nothing to read again
        "Sent SMS;ora;acme;F3;ACME;33612000003;0;31;8;a;b;c; d;;2026-11-26 09:30:00\n"
        # a receipt with no time (1969) and the sender holding ';': dated by the line before
        "FAILED Receive DLR;ora;;F9;Shop;Paris;33612000001;-1;1;2;id;;1969-12-31 23:59:59\n"
        # no reading fits (the text is shorter than its LEN whatever holds the ';')
        "Sent SMS;ora;acme;F4;Shop;Paris;33612000004;0;31;50;hello;;2026-11-26 09:31:00\n")
    con, counts = load(path, SEMI, clean=True)
    assert counts == (7, 6, 0, 1)
    assert rows(con, "SELECT line_no, label, smsc, service, fid, sender, receiver, coding, dlr_mask, text, logged_at "
                     "FROM events ORDER BY line_no") == [
        (1, "Sent SMS", "ora", "acme", "F1", "Shop;Paris", "33612000001", 0, 31, "hello",
         dt.datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
        (2, "Sent SMS", "ora", "acme", "F2", "ACME", "33612000002", 0, 31, "hello",
         dt.datetime(2026, 11, 26, 9, 0, 1, tzinfo=UTC)),
        (3, "Sent SMS", "ora_36180", "banque", "5EA700002A", "A] [B|C;D", "33612400010", 0, 3, "Expediteur bizarre",
         dt.datetime(2026, 11, 26, 9, 27, 5, tzinfo=UTC)),
        (4, "Receive DLR", "ora_36180", "banque", "5EA700002A", "A] [B|C;D", "33612400010", -1, 1,
         "id:5EA700002A sub:001 dlvrd:001 submit date:2611261027 done date:2611261027 stat:DELIVRD err:000 "
         "text:Expediteur bizarre", dt.datetime(2026, 11, 26, 9, 27, 5, tzinfo=UTC)),
        (5, "Sent SMS", "ora", "acme", "F3", "ACME", "33612000003", 0, 31, "a;b;c; d",
         dt.datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
        (6, "FAILED Receive DLR", "ora", "", "F9", "Shop;Paris", "33612000001", -1, 1, "id",
         dt.datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
    ]
    assert rows(con, "SELECT line_no, reason FROM rejected_lines") == [
        (7, 'truncated: the text is shorter than its LEN (31 bytes) (no other reading fits either, '
            'with a ";" of the line inside a field)')]
    # ingest says which values were read holding the delimiter
    assert capsys.readouterr().err == (
        f'{path}: 4 line(s) hold ";", which the access-log format puts between fields, inside a value; read '
        "where the line fits: sender (4 line(s), e.g. 'A] [B|C;D')\n")


def test_a_line_read_with_the_delimiter_in_the_wrong_field_is_read_again(tmp_path):
    """A pipe format whose sender holds '|': the first reading fits, with the sender cut
    at its '|' and the rest pushed into the receiver and the FID ('33612400010|5EA7000029').
    Readings where a free field holds the delimiter are compared: a sender holding one is
    likelier than a message id (or a recipient number), so the sender keeps it. Lines
    written by a real Kannel 1.4.5 (the review's run `pipe_epoch`)."""
    path = tmp_path / "access.log"
    path.write_text(
        "1795685212|Sent SMS|ora_36180|banque||A] [B|C;D|33612400010|5EA7000029|-1|0|3|0||18|Expediteur bizarre\n"
        "1795685212|Receive DLR|ora_36180|banque|acme36180|A] [B|C;D|33612400010|5EA7000029|-1|-1|1|0||120|"
        "id:5EA7000029 sub:001 dlvrd:001 submit date:2611261026 done date:2611261026 stat:DELIVRD err:000 "
        "text:Expediteur bizarre\n"
        "1795685213|Sent SMS|ora_36180|acme||ACME|33612400011|5EA700002B|-1|0|31|0||2|Hi\n")
    con, counts = load(path, PIPE, clean=True)
    assert counts == (3, 3, 0, 0)
    assert rows(con, "SELECT label, account, sender, receiver, fid, text FROM events ORDER BY line_no") == [
        ("Sent SMS", "", "A] [B|C;D", "33612400010", "5EA7000029", "Expediteur bizarre"),
        ("Receive DLR", "acme36180", "A] [B|C;D", "33612400010", "5EA7000029",
         "id:5EA7000029 sub:001 dlvrd:001 submit date:2611261026 done date:2611261026 stat:DELIVRD err:000 "
         "text:Expediteur bizarre"),
        ("Sent SMS", "", "ACME", "33612400011", "5EA700002B", "Hi"),
    ]


def test_built_in_layout_puts_a_tag_held_by_a_value_in_the_sender_not_the_recipient(tmp_path):
    """The built-in layout read by its tags in order: a sender holding '] [to:' made the
    recipient 'Banque] [to:33612000002'; the reading where the sender holds it is kept. A
    value holding ']' or '] [' but no tag reads as before."""
    head = "2026-11-26 09:00:0{} Sent SMS [SMSC:ora] [SVC:acme] [ACT:] [BINF:] [FID:F{}] [META:] "
    tail = " [flags:-1:0:-1:-1:31] [msg:5:hello] [udh:0:]\n"
    path = tmp_path / "access.log"
    path.write_text(head.format(1, 1) + "[from:Ma] [to:Banque] [to:33612000002]" + tail
                    + head.format(2, 2) + "[from:A] [B] [to:33612000001]" + tail
                    + head.format(3, 3) + "[from:Ma] Banque] [to:33612000003]" + tail)
    con, counts = load(path, None)
    assert counts == (3, 3, 0, 0)
    assert rows(con, "SELECT sender, receiver FROM events ORDER BY line_no") == [
        ("Ma] [to:Banque", "33612000002"), ("A] [B", "33612000001"), ("Ma] Banque", "33612000003")]


def test_a_format_with_a_field_less_than_the_log_is_not_bent_to_fit(tmp_path, capsys):
    """The log has %F, the contract's format not: every line holds one ';' more than the
    format. Reading them again would fit the FID into the sender ('F1;ACME'); more than
    half the lines needing it means a format that does not match: they are read as the
    format says (rejected: the recipient is not a coding), and ingest says why."""
    path = tmp_path / "access.log"
    path.write_text("".join(f"Sent SMS;ora;acme;F{i};ACME;336120000{i:02d};0;31;5;hello;;2026-11-26 09:00:{i:02d}\n"
                            for i in range(30)))
    with pytest.raises(IngestError, match="no line is a Kannel access-log line of the configured format"):
        load(path, "%l;%i;%n;%p;%P;%c;%d;%L;%b;%u;%t", clean=True)
    assert capsys.readouterr().err == (
        f'{path}: warning: 30 of 30 lines hold ";" more often than the access-log format writes it: too many '
        "for values that hold one, so they were read as the format says (the format most likely does not "
        "match the log: a field more or less? Or a value on most lines holds it, such as a link's login or "
        "a service name: then only a separator no value holds can tell the fields apart)\n")


def test_a_format_leaving_out_a_tag_of_the_log_is_reported(tmp_path, capsys):
    """The real 1.4.5 log read with a format without [META:%D]: nothing is rejected (the META
    goes into the FID before it: 'F1] [META:?smpp_resp?'), and ingest said nothing. Now it
    warns that the format likely does not match; a right format or a few odd values do not."""
    no_meta = DEFAULT_FORMAT.replace(" [META:%D]", "")
    con, counts = load(REAL, no_meta, tz="Europe/Paris")
    assert counts.rejected == 0 and counts.events == 126
    assert rows(con, "SELECT fid FROM events ORDER BY line_no LIMIT 1") == [("5EA70001] [META:?smpp_resp?",)]
    err = capsys.readouterr().err
    assert err == (f"{REAL}: warning: 126 of 126 events have a FID holding a tag of Kannel's layout (e.g. "
                   "'4100000001] [META:?orig_msg?dlr_mask=31&?smpp?dlr_err=%03%00%00&'): the configured "
                   "access_log_format likely does not match the log (a tag of the log left out of it?)\n")
    # a format that matches (custom, so read on the positional path): no warning
    renamed = REAL.read_text().replace("[META:", "[X:")
    renamed_format = DEFAULT_FORMAT.replace("[META:%D]", "[X:%D]")
    path = tmp_path / "access.log"
    path.write_text(renamed)
    _, counts = load(path, renamed_format, tz="Europe/Paris")
    assert counts.rejected == 0 and capsys.readouterr().err == ""
    # nor a value holding a tag on a few lines (a sender 'A] [to:B')
    lines = renamed.splitlines()
    lines[1] = lines[1].replace("[from:ACME]", "[from:A] [to:B]")
    path.write_text("\n".join(lines) + "\n")
    con, counts = load(path, renamed_format, tz="Europe/Paris")
    assert counts.rejected == 0 and rows(con, "SELECT sender FROM events WHERE line_no = 2") == [("A] [to:B",)]
    assert "does not match" not in capsys.readouterr().err


def test_a_custom_tag_read_with_the_built_in_layout_is_reported(tmp_path, capsys):
    """A gateway whose custom format adds [ID:%I] after [BINF:] (a real one, published in a
    log-processing tool's sample), loaded with no access_log_format: every line read, the
    UUID going into BINF, and ingest said nothing. Now it names the likely cause; a text
    holding a tag (its words are the sender's) and a BINF holding one on a few lines do not."""
    lines = REAL.read_text().splitlines()
    with_id = [line.replace("] [FID:", f"] [ID:9e3a9aaf-a34c-484b-9463-{i:012d}] [FID:", 1) if "[FID:" in line else line
               for i, line in enumerate(lines)]
    path = tmp_path / "access.log"
    path.write_text("\n".join(with_id) + "\n")
    con, counts = load(path, None, tz="Europe/Paris")
    assert counts.rejected == 0 and counts.events == 126
    assert rows(con, "SELECT binfo FROM events ORDER BY line_no LIMIT 1") == [
        ("] [ID:9e3a9aaf-a34c-484b-9463-000000000001",)]
    assert capsys.readouterr().err == (
        f"{path}: warning: 126 of 126 events have a BINF holding a tag where Kannel's built-in layout writes none "
        "(e.g. '] [ID:9e3a9aaf-a34c-484b-9463-000000000001'): the gateway likely has a custom access-log-format "
        "(such as one with [ID:%I]); set access_log_format in the contract to it\n")
    # the log as Kannel's layout writes it: no warning; nor a text holding a tag
    _, counts = load(REAL, None, tz="Europe/Paris")
    assert counts.rejected == 0 and capsys.readouterr().err == ""
    tagged = tmp_path / "tagged.log"
    tagged.write_text("2026-11-26 09:00:01 Sent SMS [SMSC:ora] [SVC:acme] [ACT:] [BINF:] [FID:F1] [META:] "
                      "[from:36180] [to:+33612345678] [flags:-1:0:-1:0:31] [msg:11:a] [ID:x] b] [udh:0:]\n")
    con, counts = load(tagged, None)
    assert counts.events == 1 and rows(con, "SELECT text FROM events") == [("a] [ID:x] b",)]
    assert "custom access-log-format" not in capsys.readouterr().err
    # nor a BINF holding one on fewer than a tenth of the events
    few = with_id[:1] + lines[1:]
    path.write_text("\n".join(few) + "\n")
    _, counts = load(path, None, tz="Europe/Paris")
    assert counts.rejected == 0 and "custom access-log-format" not in capsys.readouterr().err
    # nor an application's bracketed tags in every BINF (a session-34 probe: sendsms with
    # binfo=[camp:noel] [seg:vip] on a real Kannel 1.4.5 of the built-in format, every field
    # read right, and ingest advised a custom access_log_format, which would have broken the
    # next loads): a value whose '] [' closes a bracket it opened is the value's own
    campaign = [line.replace("[BINF:]", "[BINF:[camp:noel] [seg:vip]]", 1) for line in lines]
    path.write_text("\n".join(campaign) + "\n")
    con, counts = load(path, None, tz="Europe/Paris")
    assert counts.rejected == 0 and counts.events == 126
    assert rows(con, "SELECT count(*) FROM events WHERE binfo = '[camp:noel] [seg:vip]'") == [(125,)]
    assert capsys.readouterr().err == ""


NO_CODING = "%l [SMSC:%i] [ACT:%A] [FID:%F] [from:%p] [to:%P] [msg:%L:%b] [udh:%U:%u]"


def test_a_format_without_coding_reads_hex_texts_by_their_length(tmp_path):
    """A real gateway's format without %c (published with its log): its UCS-2 lines, 2 x LEN
    hex digits, were rejected ('the text does not end where its LEN says'), a log of UCS-2
    traffic refused whole. A text of 2 x LEN hex digits followed by the tail is now read as
    hex, its coding guessed from its bytes (UCS-2 when its units are characters of a script) and the
    text flagged lossy; a GSM text of LEN characters that happen to be hex digits stays GSM."""
    def hex_of(text: str, coding: str) -> str:
        return text.encode(coding).hex().upper()

    def line(second: int, label: str, hex_or_text: str, length: int, sender="36180", receiver="+33612345678"):
        return (f"2026-11-26 09:00:{second:02d} {label} [SMSC:ora] [ACT:] [FID:F{second}] [from:{sender}] "
                f"[to:{receiver}] [msg:{length}:{hex_or_text}] [udh:0:]\n")

    arabic = "قد تم تنفيذه بنجاح"
    long_latin = "Promo d'été : -20 % sur tout le magasin, ce week-end seulement. STOP au 36180"
    path = tmp_path / "access.log"
    path.write_text("".join([
        line(1, "Sent SMS", hex_of("Promo été", "utf-16-be"), 18),
        line(2, "Receive SMS", hex_of("ARRÊT", "utf-16-be"), 10, sender="+33612345678", receiver="36180"),
        line(3, "Sent SMS", hex_of("Café", "utf-8"), 5),
        line(4, "Sent SMS", "CAFE", 4),
        line(5, "Sent SMS", hex_of(arabic, "utf-16-be"), 2 * len(arabic)),
        line(6, "Sent SMS", hex_of(long_latin, "utf-16-be"), 2 * len(long_latin)),
        # a real Kannel 1.4.5 (session 28's probe): Latin-1 bytes and a ringtone are not UCS-2
        # (invisible, unassigned units), Chinese and the halves of an emoji split blindly are
        line(7, "Sent SMS", hex_of("Café crème", "latin-1"), 10),
        line(8, "Sent SMS", "024A3A7D0995D1D5C85D9D1A44041B2C1C8C51C8E1C8C51CC8C0", 26),
        line(9, "Receive SMS", hex_of("你好", "utf-16-be"), 4, sender="+33612345679", receiver="36180"),
        line(10, "Sent SMS", hex_of("Bonjour 😀", "utf-16-be")[:-4], 18),
        line(11, "Receive SMS", hex_of("協佐", "utf-16-be"), 4, sender="+33612345679", receiver="36180"),
    ]))
    con, counts = load(path, NO_CODING)
    assert counts == (11, 11, 0, 0)
    assert rows(con, "SELECT line_no, coding, text, text_lossy, segments FROM events ORDER BY line_no") == [
        (1, 2, "Promo été", True, 1),
        (2, 2, "ARRÊT", True, None),
        (3, 1, "Café", True, 1),
        (4, None, "CAFE", False, 1),
        (5, 2, arabic, True, 1),
        (6, 2, long_latin, True, 2),     # 77 UTF-16 units: two segments of 67
        (7, 1, "Caf. cr.me", True, 1),
        (8, 1, ".J:}.....]..D..,..Q.......", True, 1),
        (9, 2, "你好", True, None),
        (10, 2, "Bonjour \ufffd", True, 1),
        (11, 2, "協佐", True, None),   # (its bytes read 'STOP' in ASCII: no opt-out)
    ]
    facts.build(con, parse_contract(f'log_timezone = "UTC"\naccess_log_format = "{NO_CODING}"\n'))
    assert rows(con, "SELECT line_no, keyword FROM fct_mo ORDER BY line_no") == [
        (2, "STOP"), (9, None), (11, None)]   # R4 reads the UCS-2 ARRÊT


def test_a_format_without_coding_with_len_after_the_text_reads_hex_texts_too(tmp_path):
    """%L after %b (the text matched whole, its length checked after): a UCS-2 text was
    rejected ('the text has 24 characters but its LEN says 12 bytes') while ingest said hex
    texts were read (review)."""
    path = tmp_path / "access.log"
    ucs2 = "Promo été".encode("utf-16-be").hex().upper()
    path.write_text(f"2026-11-26 09:00:01 Sent SMS [SMSC:ora] [to:+33612345678] [msg:{ucs2}] [len:18] [udh:]\n"
                    "2026-11-26 09:00:02 Sent SMS [SMSC:ora] [to:+33612345678] [msg:CAFE] [len:4] [udh:]\n")
    con, counts = load(path, "%l [SMSC:%i] [to:%P] [msg:%b] [len:%L] [udh:%u]")
    assert counts == (2, 2, 0, 0)
    assert rows(con, "SELECT coding, text, text_lossy FROM events ORDER BY line_no") == [
        (2, "Promo été", True), (None, "CAFE", False)]


NO_CODING_NO_LENGTH = "%t %l [SMSC:%i] [FID:%F] [LOGDATA:%E] [from:%p] [to:%P] [msg:%b]"


def test_a_format_without_coding_or_length_reads_kannels_ucs2_hex_as_ucs2(tmp_path):
    """A real deployment's format (a Kannel fork's documentation) with neither %c nor %L, on
    a real Kannel 1.4.5 (a probe's run): its UCS-2 lines were read as GSM texts of hex digits,
    a long message counted 4 exact segments for the 3 the SMSC got, and an MO `ARRÊT` was no
    opt-out. Upper-case hex of UCS-2 units with a letter among them now reads as UCS-2,
    flagged lossy (a guess); a code of digits, a word of hex letters stay GSM text."""
    def line(second: int, label: str, text: str, sender="ACME", receiver="33612300008"):
        return (f"2026-11-27 19:30:{second:02d} 2026-11-27 18:30:{second:02d} {label} [SMSC:ora_36181] [FID:F{second}] "
                f"[LOGDATA:%E] [from:{sender}] [to:{receiver}] [msg:{text}]\n")

    long_text = "Bonne fête ! 🎉 Profitez de l'offre été 😀 " * 4
    path = tmp_path / "access.log"
    path.write_text("".join([
        line(1, "Sent SMS", long_text.encode("utf-16-be").hex().upper()),
        line(2, "Receive SMS", "00410052005200CA0054", sender="+33670000003", receiver="36181"),
        line(3, "Sent SMS", "20252026"),          # a code of digits
        line(4, "Sent SMS", "FACEFEED"),          # hex letters, not UCS-2 units of a script
        line(5, "Sent SMS", "Promo STOP au 36181"),
    ]))
    con, counts = load(path, NO_CODING_NO_LENGTH)
    assert counts == (5, 5, 0, 0)
    assert rows(con, "SELECT line_no, coding, text, text_lossy, segments FROM events ORDER BY line_no") == [
        (1, 2, long_text, True, 3),
        (2, 2, "ARRÊT", True, None),
        (3, None, "20252026", False, 1),
        (4, None, "FACEFEED", False, 1),
        (5, None, "Promo STOP au 36181", False, 1),
    ]
