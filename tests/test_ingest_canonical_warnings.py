"""What `ingest` says about a canonical file that loads but may not mean what it seems
(docs/canonical-format.md): times without an offset under a local log_timezone, phone
numbers stored as numbers, events another file loaded already."""

from __future__ import annotations

from eventrows import CONTRACT_TOML, contract, new_db
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files

HEADER = "logged_at,kind,outcome,smsc,fid,receiver,text\n"
ROWS = [
    "2026-11-25T10:00:00+01:00,mt,accepted,ora_36180,A1,0612345678,Promo 1\n",
    "2026-11-25 10:00:05,dlr,accepted,ora_36180,A1,0612345678,id:A1 stat:DELIVRD\n",
    "2026-11-25 10:01:00,mt,accepted,ora_36180,A2,0612345679,Promo 2\n",
    "2026-11-25T09:02:00Z,mt,accepted,ora_36180,A3,0612345670,Promo 3\n",
]
PARIS = parse_contract(CONTRACT_TOML.replace('log_timezone = "UTC"', 'log_timezone = "Europe/Paris"'), "paris.toml")


def write(tmp_path, name: str, rows: list[str]):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def warnings(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line]


def test_times_without_offset_are_counted_when_log_timezone_is_not_utc(tmp_path, capsys):
    path = write(tmp_path, "export.csv", ROWS)
    ingest_files(new_db(), PARIS, [path], progress=False)
    assert warnings(capsys) == [
        f"{path}: warning: 2 of 4 events have a logged_at without an offset, read as UTC (as the canonical "
        "format says), while the contract's log_timezone is Europe/Paris: if the export writes local time, "
        "write its offset (+01:00) or Z (docs/canonical-format.md)"]
    ingest_files(new_db(), contract(), [path], progress=False)  # log_timezone UTC: nothing to say
    assert warnings(capsys) == []


def test_a_parquet_column_of_numbers_for_receiver_is_warned_about(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "numbers.parquet"
    pq.write_table(pa.table({"logged_at": ["2026-11-25T09:00:00Z"], "kind": ["mt"], "outcome": ["accepted"],
                             "sender": ["36180"], "receiver": pa.array([612345678], pa.int64())}), path)
    con = new_db()
    [result] = ingest_files(con, contract(), [path], progress=False)
    assert (result.events, result.rejected) == (1, 0)
    assert con.execute("SELECT receiver FROM events").fetchall() == [("612345678",)]
    assert warnings(capsys) == [
        f"{path}: warning: column(s) receiver (BIGINT) hold numbers, not text: a phone number stored as a number "
        "has lost its leading 0 or 00 and its + (0612345678 reads 612345678), so it may not be recognised as the "
        "number it was; export sender and receiver as text (docs/canonical-format.md)"]


def test_events_another_file_loaded_already_are_warned_about(tmp_path, capsys):
    """Two exports of overlapping days are different files to the manifest: both load, and
    the overlap counts twice. Said with how many events and from which file."""
    first = write(tmp_path, "week.csv", ROWS[:3])
    second = write(tmp_path, "day.csv", ROWS[1:] + ["2026-11-25T09:03:00Z,mo,accepted,ora_36180,,36180,STOP\n"])
    con = new_db()
    ingest_files(con, contract(), [first], progress=False)
    assert warnings(capsys) == []
    [result] = ingest_files(con, contract(), [second], progress=False)
    assert result.events == 4
    assert warnings(capsys) == [
        f"{second}: warning: 2 of its 4 events are in the warehouse already (the same line: logged_at, label, "
        f"smsc, service, fid, sender, receiver, text, udh and every other field equal), loaded from {first}: "
        "overlapping exports of the same traffic? They are now in the warehouse twice and counted twice; load "
        "each event once (export without overlap, and load the files into a new warehouse)"]
    # the same events, in one file, are not an overlap between files
    twice = write(tmp_path, "twice.csv", ROWS[3:] * 2)
    ingest_files(new_db(), contract(), [twice], progress=False)
    assert warnings(capsys) == []


def test_ucs2_texts_written_in_hex_as_kannel_logs_them_are_warned_about(tmp_path, capsys):
    """A probe: an export that kept Kannel's hex for UCS-2 texts read `0053...` as its text,
    so a marketing text with its STOP mention was an R3 breach and an MO STOP no opt-out."""
    header = "logged_at,kind,outcome,smsc,receiver,coding,text\n"
    path = tmp_path / "hex.csv"
    path.write_text(header
                    # "STOP au 36180" in Kannel's hex, and an MO "STOP"
                    + "2026-11-25T09:00:00Z,mt,accepted,ora_36180,0612345678,2,"
                      "00530054004F0050002000610075002000330036003100380030\n"
                    + "2026-11-25T09:00:01Z,mo,accepted,ora_36180,36180,2,00530054004F0050\n"
                    # decoded texts, and a UCS-2 code of digits: no warning for these
                    + "2026-11-25T09:00:02Z,mt,accepted,ora_36180,0612345679,2,Promo été STOP au 36180\n"
                    + "2026-11-25T09:00:03Z,mt,accepted,ora_36180,0612345670,2,12345678\n", encoding="utf-8")
    ingest_files(new_db(), contract(), [path], progress=False)
    said = warnings(capsys)
    assert len(said) == 1 and said[0].endswith(
        "warning: 2 row(s) of coding 2 hold a text of hexadecimal digits only, as Kannel logs UCS-2 (0050726F6D6F "
        "for Promo): the canonical text is the characters themselves, so no STOP mention (R3) or opt-out (R4) is "
        "read in these; export the decoded text (docs/canonical-format.md)")


def test_kannels_dotted_texts_without_text_lossy_are_warned_about(tmp_path, capsys):
    """A probe: an export of Kannel's logged texts without the text_lossy column read the MO
    `ARR..T` as a word with two full stops, no opt-out, and the promotion after it passed."""
    header = "logged_at,kind,outcome,smsc,receiver,text,text_lossy\n"
    path = tmp_path / "dots.csv"
    path.write_text(header
                    + "2026-11-25T09:00:00Z,mo,accepted,ora_36180,36180,ARR..T,\n"
                    + "2026-11-25T09:00:01Z,mt,accepted,ora_36180,0612345678,R..pondez STOP au 36180,\n"
                    + "2026-11-25T09:00:02Z,mt,accepted,ora_36180,0612345678,R..pondez STOP au 36180,true\n"
                    + "2026-11-25T09:00:03Z,mt,accepted,ora_36180,0612345679,La suite... STOP au 36180,\n",
                    encoding="utf-8")
    ingest_files(new_db(), contract(), [path], progress=False)
    said = warnings(capsys)
    assert len(said) == 1 and said[0].endswith(
        "warning: 2 GSM row(s) have a text with two dots between letters (ARR..T, r..pondez), as Kannel logs an "
        "accented letter, and no text_lossy: their dots are read as full stops, so an opt-out ARR..T is no STOP; "
        "if they come from a Kannel log, set text_lossy to true (docs/canonical-format.md)")
