"""The contract file (opsanalytics.config, docs/config.md): values and refusals that name the
file, the key and what is expected."""

from __future__ import annotations

import pytest

from opsanalytics.config import parse_contract
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
