"""One handset in the forms a real Kannel 1.4.5 writes its number
(tests/fixtures/kannel-1.4.5/number-forms, README there): a national number the SMSC sent as
type international (`+0611110006`) or as type national without its 0 (`612345670`) is the
French number it is. Read as written, a STOP from such a form and the brand's next promotion
to `06...` were two numbers: R4 missed the breach. And `from=+36180`, which the SMSC gets as
the short code (the `+` is Kannel's type international), is no R7 breach."""

from __future__ import annotations

from pathlib import Path

from eventrows import ingested
from opsanalytics.audits import run
from opsanalytics.config import load_contract

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "number-forms"


def _load(log: str):
    ctr = load_contract(FIXTURE / "contract.toml")
    con, _ = ingested(ctr, [FIXTURE / log])
    return ctr, con


def test_a_national_number_sent_as_type_international_is_that_number():
    ctr, con = _load("types.log")
    assert con.execute("""SELECT raw, msisdn, number_kind FROM int_msisdn
                          WHERE raw IN ('+0611110006', '0611110006', '612345677', '+330612345677')
                          ORDER BY raw""").fetchall() == [
        ("+0611110006", "+33611110006", "metro_mobile"),
        # the application's own mistake (+33 and the 0): what the SMSC got, malformed for R10
        ("+330612345677", "+330612345677", "malformed"),
        ("0611110006", "+33611110006", "metro_mobile"),
        ("612345677", "+33612345677", "metro_mobile")]
    rows = run(con, ctr, "R4").to_json(ctr.timezone)["rows"]
    assert [(r["msisdn"], r["sent_at"]) for r in rows] == [
        ("+33611110001", "2026-11-27T01:33:13+01:00"),   # STOP on 36180, promotion on 36182
        ("+33611110005", "2026-11-27T01:33:21+01:00"),
        ("+33611110006", "2026-11-27T01:33:24+01:00")]   # STOP from +0611110006
    assert run(con, ctr, "R7").rows.empty                # from=+36180


def test_nine_digits_of_a_mobile_without_its_0_are_that_mobile():
    ctr, con = _load("national.log")
    assert con.execute("SELECT msisdn, number_kind, territory FROM int_msisdn WHERE raw = '612345670'").fetchall() == [
        ("+33612345670", "metro_mobile", "FR")]
    rows = run(con, ctr, "R4").to_json(ctr.timezone)["rows"]
    assert [(r["msisdn"], r["sent_at"]) for r in rows] == [
        ("+33612345670", "2026-11-27T01:34:12+01:00"),   # STOP from 612345670
        ("+33611110009", "2026-11-27T01:34:14+01:00")]
    assert run(con, ctr, "R7").rows.empty                # from=+34180
    r5 = run(con, ctr, "R5").to_json(ctr.timezone)["rows"]
    assert [(r["msisdn"], r["reason"]) for r in r5] == [("+33611110008", "no_mo")]
    r10 = run(con, ctr, "R10").rows
    assert r10.empty                                     # the STOP reply to 612345670 is no foreign number


def test_an_overseas_number_written_after_33_is_the_same_subscriber_for_r1_and_r4():
    """Two probes: a Guadeloupe mobile written 33690..., +33690... or 0033690... (its 0
    swapped for the French country code) kept +33690... as its key, apart from 0690... and
    +590690...: a STOP from +590690123457 and promotions to 33690123457 after it, or two
    promotions in a day in two forms, were different numbers, and R1 and R4 found nothing."""
    from auditrows import CONTRACT, Traffic, paris

    t = Traffic()
    t.receive("+590690123457", paris("2026-11-24 12:00:00"), "STOP", keyword="STOP")
    first = t.send("33690123457", paris("2026-11-24 14:00:00"))
    second = t.send("0690123457", paris("2026-11-24 14:00:00"))
    t.send("0033690123456", paris("2026-11-24 10:00:00"))
    t.send("+33690123456", paris("2026-11-24 11:00:00"))
    con = t.warehouse()
    r4 = run(con, CONTRACT, "R4").rows
    assert sorted(zip(r4.message_id, r4.msisdn)) == [(first, "+590690123457"), (second, "+590690123457")]
    r1 = run(con, CONTRACT, "R1").rows
    assert sorted(zip(r1.msisdn, r1.messages)) == [("+590690123456", 2), ("+590690123457", 2)]


def test_every_national_number_without_its_0_or_after_kannels_plus_is_that_number():
    """A probe (session 33): Kannel writes a number the SMSC typed national without a `+`, and
    one typed international with it; the national forms were read that way for the 06/07
    mobiles only. An M2M SIM's `7001234567801` read as Russia's +7 (R6 not_m2m_number, R10
    foreign on a 38ABC m2m code), `+07001234567802` as nothing known, a 01 landline's
    `142685300` as the United States, a Guadeloupe landline's `590123456` as malformed."""
    from eventrows import Log, contract, new_db
    from opsanalytics import facts

    written = {
        "7001234567801": ("+337001234567801", "m2m", "FR"),
        "+07001234567802": ("+337001234567802", "m2m", "FR"),
        "142685300": ("+33142685300", "metro_fixed", "FR"),
        "912345678": ("+33912345678", "metro_voip", "FR"),
        "800123456": ("+33800123456", "special", "FR"),
        "590123456": ("+590590123456", "overseas_fixed", "GP"),
        "690123456": ("+590690123456", "overseas_mobile", "GP"),
        # unchanged: an E.164 number without its + is not nine digits long
        "32470123456": ("+32470123456", "foreign", "BE"),
        "612345670": ("+33612345670", "metro_mobile", "FR"),
    }
    log = Log()
    for k, raw in enumerate(written):
        log.line(k, "Sent SMS", fid=f"F{k}", text="x", receiver=raw)
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    got = {raw: (msisdn, kind, territory) for raw, msisdn, kind, territory in con.execute(
        "SELECT raw, msisdn, number_kind, territory FROM int_msisdn").fetchall()}
    assert {raw: got.get(raw) for raw in written} == written
