"""The contract file (opsanalytics.config, docs/config.md): values and refusals that name the
file, the key and what is expected."""

from __future__ import annotations

import pytest

from opsanalytics.config import load_contract, parse_contract
from opsanalytics.errors import ConfigError


def test_receipt_timezone_defaults_to_none_and_takes_an_iana_zone():
    assert parse_contract('timezone = "Europe/Paris"\n').receipt_timezone is None
    assert parse_contract('receipt_timezone = "UTC"\n').receipt_timezone == "UTC"
    with pytest.raises(ConfigError, match=r"c\.toml: receipt_timezone: unknown time zone 'Paris'"):
        parse_contract('receipt_timezone = "Paris"\n', "c.toml")


def test_every_error_of_a_file_is_named_with_its_key():
    text = ('timezone = "Mars/Olympus"\nfoo = 1\n[rules]\nwindow = ["08:00", "25:00"]\n'
            '[[short_codes]]\ncode = "3618"\n')
    with pytest.raises(ConfigError) as caught:
        parse_contract(text, "c.toml")
    lines = str(caught.value).splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["timezone", "rules.window", "short_codes[0].code", "foo"]
    assert all(line.startswith("c.toml: ") for line in lines)


@pytest.mark.parametrize("key", ["source", "digest"])
def test_the_fields_the_loader_sets_are_not_keys_of_the_file(key):
    """A contract's source and digest come from the file read, never from its text."""
    with pytest.raises(ConfigError, match=rf"c\.toml: {key}: unknown key"):
        parse_contract(f'{key} = "x"\n', "c.toml")


def test_window_hours_and_headroom():
    rules = parse_contract('[rules]\nwindow = ["08:30", "21:00"]\nwindow_headroom = 0.1\n').rules
    assert (rules.window_hours, rules.window_headroom) == (12.5, 0.1)
    with pytest.raises(ConfigError, match=r"rules\.window_headroom"):
        parse_contract('[rules]\nwindow_headroom = 1\n')


SERVICES = ('[[services]]\nname = "acme"\nbrand = "Acme"\ncategory = "marketing"\n'
            '[[services]]\nname = "geo"\nbrand = "Geo Shop"\ncategory = "marketing"\n')


def _error(text: str, source: str = "c.toml") -> str:
    with pytest.raises(ConfigError) as caught:
        parse_contract(text, source)
    return str(caught.value)


def test_short_code_brands_must_be_brands_of_the_services():
    """A brand no [[services]] entry has can match no MT: R4 would silently find nothing."""
    ok = parse_contract('[[short_codes]]\ncode = "36180"\nbrands = ["Acme", "Geo Shop"]\n'
                        '[[short_codes]]\ncode = "38001"\nbrands = []\n' + SERVICES)
    assert [sc.brands for sc in ok.short_codes] == [["Acme", "Geo Shop"], []]
    message = _error('[[short_codes]]\ncode = "36180"\nbrands = ["Acme"]\n'
                     '[[short_codes]]\ncode = "36181"\nbrands = ["Acme", "ACME"]\n' + SERVICES)
    assert message.splitlines() == [
        "c.toml: short_codes[1].brands[1]: brand 'ACME' of short code 36181 is the brand of no "
        "[[services]] entry, so no MT can match it and R4 would find nothing for it "
        "(did you mean 'Acme'?); expected one of the brands of [[services]]: 'Acme', 'Geo Shop'"]
    assert "did you mean 'Geo Shop'" in _error('[[short_codes]]\ncode = "36180"\nbrands = ["geo shop "]\n' + SERVICES)
    assert "did you mean" not in _error('[[short_codes]]\ncode = "36180"\nbrands = ["Zeta"]\n' + SERVICES)


def test_short_code_brands_without_any_service_are_refused():
    """With no [[services]], no MT has a brand: a brands list could only ever match nothing."""
    assert parse_contract('[[short_codes]]\ncode = "36180"\nbrands = []\n').short_codes[0].brands == []
    message = _error('[[short_codes]]\ncode = "36180"\nbrands = ["Acme"]\n')
    assert message.startswith("c.toml: short_codes[0].brands[0]: brand 'Acme' of short code 36180 ")
    assert "no [[services]] entry is declared" in message


@pytest.mark.parametrize("zone, hint", [
    ("localtime", "the machine's own zone file"), ("posixrules", "the machine's own zone file"),
    ("Factory", "placeholder"),
    ("posix/Europe/Paris", "write 'Europe/Paris'"), ("right/Europe/Paris", "write 'Europe/Paris'")])
@pytest.mark.parametrize("key", ["timezone", "log_timezone", "receipt_timezone"])
def test_zone_names_python_knows_but_duckdb_does_not_are_refused(key, zone, hint):
    """System aliases resolve in zoneinfo (they are files of /usr/share/zoneinfo) but DuckDB/ICU
    does not know them, and `ingest`, `audit` and `forecast` crashed with a traceback."""
    message = _error(f'{key} = "{zone}"\n')
    assert message.startswith(f"c.toml: {key}: unknown time zone {zone!r}: ")
    assert hint in message and "IANA" in message


def test_every_zone_accepted_is_one_duckdb_knows():
    import zoneinfo

    import duckdb

    con = duckdb.connect()
    accepted = []
    for zone in sorted(zoneinfo.available_timezones() | {"localtime", "posixrules", "Factory", "posix/UTC"}):
        try:
            parse_contract(f'timezone = "{zone}"\n')
        except ConfigError:
            continue
        accepted.append(zone)
        con.execute("SELECT timezone(?, TIMESTAMPTZ '2026-03-29 01:30:00+00')", [zone]).fetchall()
    assert {"Europe/Paris", "UTC", "America/Guadeloupe", "Indian/Reunion"} <= set(accepted)


def test_a_utf8_bom_is_accepted(tmp_path):
    """Windows editors (Notepad) start a UTF-8 file with a byte order mark."""
    text = 'timezone = "Europe/Paris"\n[[services]]\nname = "acme"\nbrand = "Société"\ncategory = "marketing"\n'
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    contract = load_contract(path)
    assert contract.services[0].brand == "Société"
    assert contract.digest == parse_contract(text).digest  # the mark is not part of the text
    assert parse_contract("\ufeff" + text).services[0].brand == "Société"


def test_a_file_not_in_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('timezone = "Europe/Paris"\n[[services]]\nname = "acme"\nbrand = "Société"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_contract(path)
    assert str(caught.value) == (
        f'{path}: line 4, column 14: the file is not UTF-8 (byte 0xe9 in: brand = "Soci?t?"); '
        "expected a contract file saved as UTF-8 (the editor's encoding setting)")


@pytest.mark.parametrize("line, key, got", [
    ("[rules]\nfrequency_cap = true", "rules.frequency_cap", "got true"),
    ('[rules]\nfrequency_cap = "2"', "rules.frequency_cap", "got \"2\""),
    ("[rules]\nfrequency_cap = 2.0", "rules.frequency_cap", "got 2.0"),
    ("[rules]\nretry_minutes = false", "rules.retry_minutes", "got false"),
    ('[rules]\nsession_hours = "24"', "rules.session_hours", "got \"24\""),
    ("[rules]\nforecast_tolerance = true", "rules.forecast_tolerance", "got true"),
    ('[rules]\nwindow_headroom = "0.1"', "rules.window_headroom", "got \"0.1\""),
    ("[rules]\nalsace_moselle = 1", "rules.alsace_moselle", "got 1"),
    ('access_log_clean = "true"', "access_log_clean", "got \"true\""),
    ('[[short_codes]]\ncode = "36180"\nrate = "20"', 'short_codes[0].rate (code "36180")', "got \"20\""),
    ('[[short_codes]]\ncode = "36180"\ngeo_presence = "yes"', 'short_codes[0].geo_presence (code "36180")', "got \"yes\""),
    ('[[services]]\nname = "a"\nbrand = "A"\ncategory = "marketing"\nstop_notice_exempt = 0',
     'services[0].stop_notice_exempt (name "a")', "got 0"),
    ('[[services]]\nname = "a"\nbrand = "A"\ncategory = "Marketing"', 'services[0].category (name "a")', 'got "Marketing"'),
])
def test_a_wrong_type_is_refused_not_converted(line, key, got):
    """pydantic's lax mode read `true` as 1 and "2" as 2: the docs say a wrong type is refused."""
    message = _error(line + "\n")
    assert message.startswith(f"c.toml: {key}: ") and got in message


def test_a_number_key_takes_an_integer_where_the_docs_say_number():
    rules = parse_contract("[rules]\nforecast_tolerance = 2\nwindow_headroom = 0\n").rules
    assert (rules.forecast_tolerance, rules.window_headroom) == (2.0, 0.0)


@pytest.mark.parametrize("code", ["３６１８０", "٣٦١٨٠", "3618\u00b9", "36180 ", "3618"])
def test_a_short_code_is_five_ascii_digits(code):
    """Full-width digits passed str.isdigit(): the code then matched no traffic's sender, and every
    message on its smsc was a false R3/R6/R7 breach."""
    message = _error(f'[[short_codes]]\ncode = "{code}"\n')
    assert message.startswith("c.toml: short_codes[0].code: expected a 5-digit short code")


def test_a_shared_smsc_is_named_with_the_short_codes_sharing_it():
    text = ('[[short_codes]]\ncode = "36180"\nsmsc = "ora_a"\n[[short_codes]]\ncode = "36181"\nsmsc = "ora_b"\n'
            '[[short_codes]]\ncode = "36182"\nsmsc = "ora_a"\n[[short_codes]]\ncode = "36183"\nsmsc = "ora_a"\n')
    assert _error(text).splitlines() == [
        "c.toml: short_codes[2].smsc: smsc 'ora_a' is given to 3 short codes: short_codes[0].code '36180', "
        "short_codes[2].code '36182', short_codes[3].code '36183'; expected each smsc (Kannel smsc-id) to carry one "
        "short code, which is how a line on it gets its short code"]


def test_a_short_code_on_several_binds_lists_their_smsc_ids():
    """Two binds to Orange with smsc-ids of their own both carry 36180 (a second [[short_codes]]
    for 36180 is refused as declared twice): `smsc` takes a list."""
    codes = parse_contract('[[short_codes]]\ncode = "36180"\nsmsc = ["ora_a", "ora_b"]\n'
                           '[[short_codes]]\ncode = "36181"\nsmsc = "ora_c"\n').short_codes
    assert [(c.code, c.connections) for c in codes] == [("36180", ["ora_a", "ora_b"]), ("36181", ["ora_c"])]
    shared = _error('[[short_codes]]\ncode = "36180"\nsmsc = ["ora_a", "ora_b"]\n'
                    '[[short_codes]]\ncode = "36181"\nsmsc = "ora_b"\n')
    assert shared.startswith("c.toml: short_codes[1].smsc: smsc 'ora_b' is given to 2 short codes")


@pytest.mark.parametrize("value", ['[]', '["ora_a", "ora_a"]', '["ora_a", " "]', '""'])
def test_an_smsc_list_names_distinct_connections(value):
    assert _error(f'[[short_codes]]\ncode = "36180"\nsmsc = {value}\n').startswith("c.toml: short_codes[0].smsc: ")


def test_duplicates_are_named_at_their_key():
    text = ('[[short_codes]]\ncode = "36180"\n[[short_codes]]\ncode = "36180"\n'
            '[[services]]\nname = "a"\nbrand = "A"\ncategory = "m2m"\n'
            '[[services]]\nname = "a"\nbrand = "A"\ncategory = "m2m"\n')
    assert _error(text).splitlines() == [
        "c.toml: short_codes[1].code: short code '36180' is declared twice (also short_codes[0].code); "
        "expected one [[short_codes]] table per code",
        "c.toml: services[1].name: service 'a' is declared twice (also services[0].name); "
        "expected one [[services]] table per name"]


def test_an_unknown_key_of_a_short_code_or_service_names_the_item():
    """A key misspelled in every [[short_codes]] block listed `short_codes[0]`... `[6]`: the
    reader counted blocks. Each line now names the item as the file does."""
    text = ('[[short_codes]]\ncode = "36180"\ngeo_presense = true\n'
            '[[short_codes]]\ncode = "35200"\ngeo_presense = true\n'
            '[[services]]\nname = "acme"\nbrand = "Acme"\ncategory = "marketing"\nstop_notice = true\n')
    assert _error(text).splitlines() == [
        'c.toml: short_codes[0].geo_presense (code "36180"): unknown key (see docs/config.md for the keys)',
        'c.toml: short_codes[1].geo_presense (code "35200"): unknown key (see docs/config.md for the keys)',
        'c.toml: services[0].stop_notice (name "acme"): unknown key (see docs/config.md for the keys)',
    ]
    # no name to give (the code is what is wrong, or missing): the index alone
    assert _error('[[short_codes]]\nrate = "x"\n').splitlines()[0].startswith("c.toml: short_codes[0].")
    assert " (code " not in _error('[[short_codes]]\nrate = "x"\n')
