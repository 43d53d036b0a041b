"""Numbering plan (R10): E.164 normalisation in SQL and the longest-prefix kinds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventrows import Log, contract, new_db
from opsanalytics import facts, numbering

CASES = [
    # as written          E.164               kind               territory
    ("33612345678",        "+33612345678",     "metro_mobile",    "FR"),
    ("+33612345678",       "+33612345678",     "metro_mobile",    "FR"),
    ("0033612345678",      "+33612345678",     "metro_mobile",    "FR"),
    ("0612345678",         "+33612345678",     "metro_mobile",    "FR"),
    ("06 12 34 56 78",     "+33612345678",     "metro_mobile",    "FR"),
    ("0745678901",         "+33745678901",     "metro_mobile",    "FR"),
    ("07001234567890",     "+337001234567890", "m2m",             "FR"),
    ("337001234567890",    "+337001234567890", "m2m",             "FR"),
    ("0700123456",         "+33700123456",     "malformed",       "FR"),  # M2M needs 10 digits after 0700
    ("0690123456",         "+590690123456",    "overseas_mobile", "GP"),
    ("0691123456",         "+590691123456",    "overseas_mobile", "GP"),
    ("0694123456",         "+594694123456",    "overseas_mobile", "GF"),
    ("0696123456",         "+596696123456",    "overseas_mobile", "MQ"),
    ("0697123456",         "+596697123456",    "overseas_mobile", "MQ"),
    ("0692123456",         "+262692123456",    "overseas_mobile", "RE"),
    ("0693123456",         "+262693123456",    "overseas_mobile", "RE"),
    ("0639123456",         "+262639123456",    "overseas_mobile", "YT"),
    ("+590690123456",      "+590690123456",    "overseas_mobile", "GP"),
    # an overseas national number written after 33 (its 0 swapped for 33): the overseas number
    # it stands for, one key with its other forms (R1, R4, R5 match them: a probe)
    ("33690000001",        "+590690000001",    "overseas_mobile", "GP"),
    ("+33690000002",       "+590690000002",    "overseas_mobile", "GP"),
    ("0033692000003",      "+262692000003",    "overseas_mobile", "RE"),
    ("0033690000006",      "+590690000006",    "overseas_mobile", "GP"),
    ("33262000004",        "+262262000004",    "overseas_fixed",  "RE"),
    ("336900000050",       "+336900000050",    "malformed",       "GP"),  # one digit too many: as written
    ("0140000000",         "+33140000000",     "metro_fixed",     "FR"),
    ("0800123456",         "+33800123456",     "special",         "FR"),
    ("447700900123",       "+447700900123",    "foreign",         "GB"),
    ("+4915123456789",     "+4915123456789",   "foreign",         "DE"),
    ("336123456789012345678", "336123456789012345678", "malformed", None),  # 21 digits: kept as written
    ("3361234",            "+3361234",         "malformed",       "FR"),
    ("ACME",               "ACME",             "alphanumeric",    None),
    ("36180",              "36180",            "short_code",      None),
]


def classified(numbers) -> dict[str, tuple[str, str, str | None]]:
    """The numbers as written -> (E.164, number_kind, territory) as the facts give them to
    the audits (fct_mt, from int_msisdn: the one lookup, there is no other)."""
    con = new_db()
    log = Log()
    for i, raw in enumerate(numbers):
        log.line(i, "Sent SMS", fid=str(i), receiver=raw, text="t")
    log.write(con)
    facts.build(con, contract())
    rows = con.execute("SELECT msisdn_raw, msisdn, number_kind, number_territory FROM fct_mt").fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.fixture(scope="module")
def normalised():
    return classified([raw for raw, *_rest in CASES])


@pytest.mark.parametrize("raw, e164, kind, territory", CASES)
def test_sql_normalisation(normalised, raw, e164, kind, territory):
    assert normalised[raw] == (e164, kind, territory)


def test_the_facts_are_the_only_lookup():
    """No Python twin of the SQL lookup to drift from it (it disagreed with R6's own copy)."""
    assert not hasattr(numbering, "classify")


def test_overseas_national_mapping_is_rules_md():
    rows = {r.national_prefix: (r.prefix, r.kind) for r in numbering.prefix_table() if r.national_prefix}
    mobile = {"0690": "590690", "0691": "590691", "0694": "594694", "0696": "596696",
              "0697": "596697", "0692": "262692", "0693": "262693", "0639": "262639"}
    # overseas fixed lines (ARCEP): 0590 123456 is +590 590 12 34 56 (a probe: read as the
    # malformed +33590123456)
    fixed = {"0590": "590590", "0594": "594594", "0596": "596596", "0262": "262262", "0263": "262263",
             "0269": "262269"}
    assert rows == {**{n: (p, "overseas_mobile") for n, p in mobile.items()},
                    **{n: (p, "overseas_fixed") for n, p in fixed.items()}, "0700": ("33700", "m2m")}


def test_an_overseas_fixed_line_in_national_form_is_overseas_not_malformed():
    got = classified(["0590123456", "0262123456", "+33590123456"])
    assert got["0590123456"] == ("+590590123456", "overseas_fixed", "GP")
    assert got["0262123456"] == ("+262262123456", "overseas_fixed", "RE")
    assert got["+33590123456"][1] == "overseas_fixed"


def test_metropolitan_mobile_ranges_come_from_the_library():
    numbers = {p: f"+33{p}1234567"[:12] for p in ("60", "61", "73", "79")}
    got = classified([*numbers.values(), "+33712345678"])
    assert {got[n][1] for n in numbers.values()} == {"metro_mobile"}
    assert got["+33712345678"][1] == "invalid"  # 071x is not assigned


@settings(max_examples=4, deadline=None)
@given(st.lists(st.from_regex(r"[67][0-9]{8}", fullmatch=True), min_size=40, max_size=40, unique=True))
def test_every_written_form_of_a_number_normalises_alike(nsns):
    """0X..., +33X..., 0033X..., 33X... and '0X XX XX XX XX' (or with . - / ( ) as separators) are
    one number; an overseas national prefix (0690...) is its overseas number in every form."""
    con = new_db()
    log = Log()
    forms = {}
    for nsn in nsns:
        pairs = ["0" + nsn[0]] + [nsn[i:i + 2] for i in range(1, 9, 2)]
        written = ["0" + nsn, "+33" + nsn, "0033" + nsn, "33" + nsn,
                   " ".join(pairs), ".".join(pairs), "-".join(pairs), f"({pairs[0]}) " + "/".join(pairs[1:])]
        forms[nsn] = written
        for raw in written:
            log.line(len(log.rows), "Sent SMS", fid=str(len(log.rows)), receiver=raw, text="t")
    log.write(con)
    facts.build(con, contract())
    e164 = dict(con.execute("SELECT msisdn_raw, msisdn FROM fct_mt").fetchall())
    kind = dict(con.execute("SELECT msisdn, number_kind FROM fct_mt").fetchall())
    for nsn, written in forms.items():
        overseas = numbering.OVERSEAS_NATIONAL.get("0" + nsn[:3])
        national = "+" + overseas[0] + nsn if overseas else "+33" + nsn
        # every form maps an overseas prefix to its country (a probe: +33690... and 0690...
        # were two subscribers to R1 and R4)
        assert e164[written[0]] == e164[written[4]] == national
        assert e164[written[5]] == e164[written[6]] == e164[written[7]] == national  # separators . - ( ) /
        assert e164[written[1]] == e164[written[2]] == e164[written[3]] == national
        expected = ("malformed",) if nsn.startswith("700") else ("metro_mobile", "overseas_mobile", "invalid")
        assert kind[national] in expected  # 0700 is M2M, which needs 10 more digits
