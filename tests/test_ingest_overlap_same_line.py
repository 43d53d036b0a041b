"""The overlap warning (ingest/overlap.py, staging/load_overlap.sql) is about the same line
loaded from two files, not about two events that look alike. A probe (two Kannel gateways
side by side, the same smsc-ids, one access log each, one warehouse) was told every night
that an event of gateway B was 'in the warehouse already ... counted twice': two
subscribers' STOP to one short code in one second, one on each gateway."""

from __future__ import annotations

from eventrows import contract, new_db
from kannellines import mt, refused
from opsanalytics.ingest import ingest_files


def mo(at: str, sender: str, text: str, udh: str = "") -> str:
    """An MO to short code 36180 on ora_36180, as Kannel 1.4.5 logs it (FID empty)."""
    return (f"{at} Receive SMS [SMSC:ora_36180] [SVC:] [ACT:] [BINF:] [FID:] [META:?smpp?] [from:{sender}] "
            f"[to:36180] [flags:-1:0:-1:0:-1] [msg:{len(text)}:{text}] [udh:{len(udh) // 2}:{udh}]")


def warnings(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line]


AT = "2026-11-25 10:00:00"
#: a line both gateways' logs hold (a file copied into both): the one event really loaded twice
SHARED = mt("2026-11-25 09:59:59", "ora_36180", "F0001", "0612345678", "Promo 1", svc="acme")


def _gateways(tmp_path) -> tuple:
    a = [
        "2026-11-25 09:00:00 Log begins",
        SHARED,
        mo(AT, "+33650000040", "STOP"),                 # two subscribers, one second, one keyword
        *refused(AT, "ora_36180", "0612345679", "Promo", "NACK/Retries Exceeded", svc="acme"),
        mo(AT, "+33650000042", "la suite", udh="0500030A0201"),   # parts of two messages,
        mt(AT, "ora_36180", "", "0612345670", "Bonjour", label="DISCARDED SMS"),
    ]
    b = [
        "2026-11-25 09:00:01 Log begins",
        SHARED,
        mo(AT, "+33650000041", "STOP"),
        *refused(AT, "ora_36180", "0612345679", "Promo", "NACK/Retries Exceeded", svc="jeu"),  # another service
        mo(AT, "+33650000042", "la suite", udh="0500030B0201"),   # the same text, another UDH
        mt(AT, "ora_36180", "", "0612345670", "Bonjour", label="EXPIRED SMS"),            # another label
    ]
    paths = []
    for name, lines in (("gwA", a), ("gwB", b)):
        (tmp_path / name).mkdir()
        path = tmp_path / name / "access.log"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_two_gateways_lines_that_differ_in_one_field_are_not_an_overlap(tmp_path, capsys):
    first, second = _gateways(tmp_path)
    con = new_db()
    try:
        ingest_files(con, contract(), [first], progress=False)
        assert warnings(capsys) == []
        [result] = ingest_files(con, contract(), [second], progress=False)
        said = warnings(capsys)
    finally:
        con.close()
    assert result.events == 6
    assert said == [
        f"{second}: warning: 1 of its 6 events are in the warehouse already (the same line: logged_at, label, smsc, "
        f"service, fid, sender, receiver, text, udh and every other field equal), loaded from {first}: overlapping "
        "logs of the same traffic? They are now in the warehouse twice and counted twice; load each event once "
        "(load either a gateway's day files or its whole log, not both, into a new warehouse)"]


def test_two_exports_of_the_same_traffic_still_overlap_but_not_two_senders(tmp_path, capsys):
    header = "logged_at,kind,outcome,smsc,fid,sender,receiver,text\n"
    week, day = tmp_path / "week.csv", tmp_path / "day.csv"
    week.write_text(header
                    + "2026-11-25T10:00:00Z,mo,accepted,ora_36180,,+33650000040,36180,STOP\n"
                    + "2026-11-25T10:00:01Z,mt,accepted,ora_36180,A1,36180,0612345678,Promo\n", encoding="utf-8")
    day.write_text(header
                   + "2026-11-25T10:00:00Z,mo,accepted,ora_36180,,+33650000041,36180,STOP\n"
                   + "2026-11-25T10:00:01Z,mt,accepted,ora_36180,A1,36180,0612345678,Promo\n", encoding="utf-8")
    con = new_db()
    try:
        ingest_files(con, contract(), [week], progress=False)
        capsys.readouterr()
        ingest_files(con, contract(), [day], progress=False)
        said = warnings(capsys)
    finally:
        con.close()
    assert said == [
        f"{day}: warning: 1 of its 2 events are in the warehouse already (the same line: logged_at, label, smsc, "
        f"service, fid, sender, receiver, text, udh and every other field equal), loaded from {week}: overlapping "
        "exports of the same traffic? They are now in the warehouse twice and counted twice; load each event once "
        "(export without overlap, and load the files into a new warehouse)"]
