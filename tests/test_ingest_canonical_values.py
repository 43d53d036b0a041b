"""Canonical input (docs/canonical-format.md): what an absent or empty value means, per column.

A DLR without `dlr_mask` does not carry its status (the facts read it from the receipt's
`stat:`, as for a Kannel log without %d); an empty integer or boolean, quoted or not, takes
the default; a number that is absent or empty is not logged (NULL, counted by the audits);
an offset beyond ±14:00 refuses the row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from eventrows import contract, new_db
from opsanalytics.audits import run
from opsanalytics.ingest import ingest_files


def ingest(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    con = new_db()
    [result] = ingest_files(con, contract(), [path], progress=False)
    return con, result


MT_AND_RECEIPTS = (
    "logged_at,kind,outcome,smsc,service,fid,sender,receiver,{mask_header}text\n"
    "2026-11-25T09:00:00Z,mt,accepted,ora_36180,acme,A1,36180,0612345678,{mt_mask}Promo 1\n"
    "2026-11-25T09:00:01Z,mt,accepted,ora_36180,acme,A2,36180,0612345679,{mt_mask}Promo 2\n"
    "2026-11-25T09:00:05Z,dlr,accepted,ora_36180,acme,A1,36180,0612345678,{dlr_mask}"
    "id:A1 sub:001 dlvrd:001 submit date:2611250900 done date:2611250900 stat:DELIVRD err:000 text:\n"
    "2026-11-25T09:00:06Z,dlr,accepted,ora_36180,acme,A2,36180,0612345679,{dlr_mask}"
    "id:A2 sub:001 dlvrd:000 submit date:2611250900 done date:2611250900 stat:UNDELIV err:001 text:\n"
)


def test_a_dlr_without_dlr_mask_takes_its_status_from_the_receipt(tmp_path):
    """The column left out (documented as optional), or a cell left empty: the DLR does not
    carry its status (NULL, as a Kannel log without %d), so fct_dlr reads it from `stat:`.
    It was stored as -1 and no MT was ever delivered or failed."""
    for variant, values in {
        "absent": {"mask_header": "", "mt_mask": "", "dlr_mask": ""},
        "empty": {"mask_header": "dlr_mask,", "mt_mask": "31,", "dlr_mask": ","},
        "quoted empty": {"mask_header": "dlr_mask,", "mt_mask": "31,", "dlr_mask": '"",'},
        # -1, no status bit, on a receipt Kannel matched: no gateway writes it, an export
        # meaning "unset" does (a probe: its MT stayed pending beside stat:DELIVRD)
        "minus one": {"mask_header": "dlr_mask,", "mt_mask": "31,", "dlr_mask": "-1,"},
    }.items():
        con, result = ingest(tmp_path, f"{variant}.csv", MT_AND_RECEIPTS.format(**values))
        assert (result.events, result.rejected) == (4, 0), variant
        assert con.execute("SELECT kind, dlr_mask FROM events ORDER BY line_no").fetchall() == [
            ("mt", 31 if values["mt_mask"] else -1), ("mt", 31 if values["mt_mask"] else -1),
            ("dlr", None), ("dlr", None)], variant
        assert con.execute("SELECT fid, final_status FROM fct_mt ORDER BY fid").fetchall() == [
            ("A1", "delivered"), ("A2", "failed")], variant
        assert con.execute("SELECT status, is_final FROM fct_dlr ORDER BY dlr_id").fetchall() == [
            (1, True), (2, True)], variant


def test_a_dlr_mask_written_is_kept_and_minus_one_stays_minus_one(tmp_path):
    """A status written wins over the receipt's stat:; -1 (what Kannel writes on FAILED
    Receive DLR lines, and an MT that asked for no receipt) is kept as written there."""
    content = MT_AND_RECEIPTS.format(mask_header="dlr_mask,", mt_mask="-1,", dlr_mask="2,") + (
        "2026-11-25T09:00:07Z,dlr,unmatched,ora_36180,acme,ZZ,36180,0612345679,-1,id:ZZ stat:DELIVRD\n")
    con, result = ingest(tmp_path, "written.csv", content)
    assert (result.events, result.rejected) == (5, 0)
    assert con.execute("SELECT dlr_mask FROM events ORDER BY line_no").fetchall() == [
        (-1,), (-1,), (2,), (2,), (-1,)]
    assert con.execute("SELECT fid, final_status FROM fct_mt ORDER BY fid").fetchall() == [
        ("A1", "failed"), ("A2", "failed")]


NON_TEXT = ("mclass", "coding", "mwi", "compress", "dlr_mask", "text_len", "text_lossy", "segments",
            "segments_exact")


def test_quoted_empty_integers_and_booleans_take_their_default(tmp_path):
    """Python's csv.writer with QUOTE_ALL writes None as "": an empty integer or boolean is
    absent whether quoted or not (the default of the column table), not a refused row."""
    header = ["logged_at", "kind", "outcome", "fid", "sender", "receiver", *NON_TEXT, "text"]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerow(["2026-11-25T09:00:00Z", "mt", "accepted", "A1", "36180", "0612345678", *[None] * 9,
                     "a" * 161])
    writer.writerow(["2026-11-25T09:00:05Z", "dlr", "accepted", "A1", "36180", "0612345678", *[None] * 9,
                     "id:A1 stat:DELIVRD"])
    writer.writerow(["2026-11-25T09:00:06Z", "mt", "accepted", "A2", "36180", "0612345678", " ", "2", " ",
                     "", "31", "", "", "", "", "x"])
    con, result = ingest(tmp_path, "quoteall.csv", out.getvalue())
    assert '"",""' in out.getvalue()
    assert (result.events, result.rejected) == (3, 0)
    assert con.execute(f"SELECT {', '.join(NON_TEXT)} FROM events ORDER BY line_no").fetchall() == [
        (-1, 0, -1, -1, -1, 161, False, 2, True),
        (-1, 0, -1, -1, None, 18, False, None, None),
        (-1, 2, -1, -1, 31, 2, False, 1, True),
    ]
    assert con.execute("SELECT final_status FROM fct_mt WHERE fid = 'A1'").fetchall() == [("delivered",)]


def test_parquet_with_every_column_as_text_and_empty_strings_loads_with_defaults(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "allstr.parquet"
    pq.write_table(pa.table({
        "logged_at": ["2026-11-25T09:00:00Z", "2026-11-25T09:00:05Z"], "kind": ["mt", "dlr"],
        "outcome": ["accepted", "accepted"], "fid": ["A1", "A1"], "receiver": ["0612345678", "0612345678"],
        **{name: ["", ""] for name in NON_TEXT}, "text": ["hello", "id:A1 stat:UNDELIV"]}), path)
    con = new_db()
    [result] = ingest_files(con, contract(), [path], progress=False)
    assert (result.events, result.rejected) == (2, 0)
    assert con.execute(f"SELECT {', '.join(NON_TEXT)} FROM events ORDER BY line_no").fetchall() == [
        (-1, 0, -1, -1, -1, 5, False, 1, True), (-1, 0, -1, -1, None, 18, False, None, None)]
    assert con.execute("SELECT final_status FROM fct_mt").fetchall() == [("failed",)]


def test_numbers_not_logged_load_as_null_and_the_audits_count_them(tmp_path):
    """An export that leaves the numbers out (the column absent, or a cell empty) loads as a
    Kannel log without %P does: NULL numbers, which R1, R5 and R10 count as not logged
    instead of judging them. They were refused ("receiver is empty (an dlr needs...)")."""
    absent = ("logged_at,kind,outcome,smsc,service,fid,text\n"
              "2026-11-25T09:00:00Z,mt,accepted,ora_36180,acme,N1,Promo 1\n"
              "2026-11-25T10:00:00Z,mt,accepted,ora_36180,acme,N2,Promo 2\n"
              "2026-11-25T09:00:05Z,dlr,accepted,ora_36180,acme,N1,id:N1 stat:DELIVRD\n"
              "2026-11-25T11:00:00Z,mo,accepted,ora_36180,,,STOP\n")
    con, result = ingest(tmp_path, "absent.csv", absent)
    assert (result.events, result.rejected) == (4, 0)
    assert con.execute("SELECT kind, sender, receiver FROM events ORDER BY line_no").fetchall() == [
        ("mt", None, None), ("mt", None, None), ("dlr", None, None), ("mo", None, None)]
    assert con.execute("SELECT fid, final_status, msisdn FROM fct_mt ORDER BY fid").fetchall() == [
        ("N1", "delivered", None), ("N2", None, None)]
    for rule in ("R1", "R5", "R10"):
        assert run(con, contract(), rule).summary["numbers_not_logged"] == 2, rule

    empty = ('logged_at,kind,outcome,smsc,service,fid,sender,receiver,text\n'
             '2026-11-25T09:00:00Z,mt,accepted,ora_36180,acme,E1,36180,,Promo 1\n'
             '2026-11-25T09:00:01Z,mt,accepted,ora_36180,acme,E2,36180,"",Promo 2\n'
             '2026-11-25T09:00:02Z,mt,accepted,ora_36180,acme,E3,36180, ,Promo 3\n'
             '2026-11-25T11:00:00Z,mo,accepted,ora_36180,,,"",36180,STOP\n')
    con, result = ingest(tmp_path, "empty.csv", empty)
    assert (result.events, result.rejected) == (4, 0)
    assert con.execute("SELECT sender, receiver FROM events ORDER BY line_no").fetchall() == [
        ("36180", None), ("36180", None), ("36180", None), (None, "36180")]
    assert run(con, contract(), "R1").summary["numbers_not_logged"] == 3


def test_an_offset_beyond_14_hours_refuses_the_row(tmp_path):
    """+25:00 was read, and moved the event a day; offsets run from -12:00 to +14:00."""
    rows = ["2026-10-20T10:00:00+25:00", "2026-10-20T10:00:00-1500", "2026-10-20T10:00:00+14:30",
            "2026-10-20T10:00:00+01:75", "2026-10-20T10:00:00+14:00", "2026-10-20T10:00:00-12:00",
            "2026-10-20 10:00:00.250+0530"]
    content = "logged_at,kind,outcome,receiver\n" + "".join(f"{r},mt,accepted,0612345678\n" for r in rows)
    con, result = ingest(tmp_path, "offsets.csv", content)
    assert (result.events, result.rejected) == (3, 4)
    assert con.execute("SELECT line_no, reason FROM rejected_lines ORDER BY line_no").fetchall() == [
        (1, "row 1: logged_at has an offset beyond ±14:00: 2026-10-20T10:00:00+25:00"),
        (2, "row 2: logged_at has an offset beyond ±14:00: 2026-10-20T10:00:00-1500"),
        (3, "row 3: logged_at has an offset beyond ±14:00: 2026-10-20T10:00:00+14:30"),
        (4, "row 4: logged_at has an offset whose minutes are not 00-59: 2026-10-20T10:00:00+01:75"),
    ]
    utc = dt.timezone.utc
    assert [r[0].astimezone(utc).replace(tzinfo=None) for r in
            con.execute("SELECT logged_at FROM events ORDER BY line_no").fetchall()] == [
        dt.datetime(2026, 10, 19, 20, 0), dt.datetime(2026, 10, 20, 22, 0), dt.datetime(2026, 10, 20, 4, 30, 0, 250000)]


def test_a_lower_case_t_and_z_read_as_rfc_3339_allows(tmp_path):
    """`2026-11-24T09:00:00z` refused its row as an unparseable timestamp (DuckDB's cast takes
    upper case only), though RFC 3339 allows either case and the check before it let it by."""
    rows = ["2026-11-24T09:00:00z", "2026-11-24t09:00:00Z", "2026-11-24t10:00:00+01:00", "2026-11-24T09:00:00Z"]
    content = "logged_at,kind,outcome,receiver\n" + "".join(f"{r},mt,accepted,0612345678\n" for r in rows)
    con, result = ingest(tmp_path, "case.csv", content)
    assert (result.events, result.rejected) == (4, 0)
    utc = dt.timezone.utc
    assert {r[0].astimezone(utc).replace(tzinfo=None) for r in
            con.execute("SELECT logged_at FROM events").fetchall()} == {dt.datetime(2026, 11, 24, 9, 0)}


def test_a_refused_row_with_an_id_of_its_own_is_not_partly_sent(tmp_path):
    """In a Kannel log a failure line with a FID is a split message whose part 1 went through
    (fct_mt.partly_sent); a platform's export may give every row an id, refused ones too:
    such a row stays a refusal that reached no one."""
    content = ("logged_at,kind,outcome,smsc,service,fid,sender,receiver,text\n"
               "2026-11-25T09:00:00Z,mt,refused,ora_36180,acme,P1,36180,0612345678,Promo 1\n"
               "2026-11-25T09:00:01Z,dlr,accepted,ora_36180,acme,P1,36180,0612345678,NACK/0x0000000b\n")
    con, result = ingest(tmp_path, "refused.csv", content)
    assert (result.events, result.rejected) == (2, 0)
    assert con.execute("SELECT partly_sent, final_status FROM fct_mt").fetchall() == [(False, "rejected")]
    assert con.execute("SELECT accepted FROM fct_logical_messages").fetchall() == [(False,)]
