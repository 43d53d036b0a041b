"""Reference tables written from the contract (docs/schema.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from eventrows import Log, contract, new_db
from opsanalytics import reference
from opsanalytics.config import parse_contract
from opsanalytics.errors import ConfigError

TOML = """
[rules]
retry_minutes = 30
alsace_moselle = true
stop_keywords = ["STOP", "ARRÊT"]
[[short_codes]]
code = "36180"
smsc = "ora_36180"
rate = 20
oadc = ["ACME", "Acme Promo"]
[[short_codes]]
code = "38001"
brands = ["M2M Co"]
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
stop_notice_exempt = true
[[services]]
name = "m2m"
brand = "M2M Co"
category = "m2m"
"""


def test_tables_from_the_contract():
    con = new_db()
    reference.write(con, parse_contract(TOML, "c.toml"))
    assert con.execute("SELECT * FROM ref_short_codes ORDER BY code").fetchall() == [
        ("36180", ["ora_36180"], 20, ["ACME", "Acme Promo"], False, None, "36"),
        ("38001", [], 10, [], False, ["M2M Co"], "38"),
    ]
    assert con.execute("SELECT * FROM ref_connections").fetchall() == [("ora_36180", "36180")]
    assert con.execute("SELECT * FROM ref_services ORDER BY name").fetchall() == [
        ("acme", "Acme", "marketing", True), ("m2m", "M2M Co", "m2m", False)]
    settings = dict(con.execute("SELECT key, value FROM ref_settings").fetchall())
    assert settings["retry_minutes"] == "30"
    assert settings["alsace_moselle"] == "true"
    assert json.loads(settings["stop_keywords"]) == ["STOP", "ARRÊT"]
    assert settings["timezone"] == "Europe/Paris"
    assert len(settings["config_digest"]) == 64
    holidays = dict(con.execute("SELECT day, name FROM ref_holidays").fetchall())
    assert dt.date(2026, 4, 3) in holidays and dt.date(2015, 1, 1) in holidays and dt.date(2035, 12, 25) in holidays
    assert con.execute("SELECT kind, normalised FROM ref_keywords ORDER BY keyword").fetchall() == [
        ("STOP", "ARRET"), ("START", "START"), ("STOP", "STOP")]


def test_holidays_widen_to_the_data_and_rewrite_replaces():
    con = new_db()
    log = Log()
    log.line(0, "Sent SMS", text="t")
    log.rows[0] = log.rows[0][:2] + (dt.datetime(2041, 5, 1, tzinfo=dt.timezone.utc),) + log.rows[0][3:]
    log.write(con)
    reference.write(con, contract())
    reference.write(con, contract())
    assert con.execute("SELECT count(*) FROM ref_holidays WHERE day = DATE '2041-05-01'").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM ref_short_codes").fetchall() == [(2,)]


def test_numbering_table_has_one_row_per_prefix():
    con = new_db()
    reference.write(con, contract())
    assert con.execute("SELECT count(*) = count(DISTINCT prefix) FROM ref_numbering").fetchall() == [(True,)]
    assert con.execute("SELECT kind, territory, digits FROM ref_numbering WHERE prefix = '590690'").fetchall() == [
        ("overseas_mobile", "GP", 12)]


def test_keyword_pattern_is_lenient_on_accents_only():
    assert reference.normalise_keyword(" Arrêt ! ") == "ARRET"
    pattern = reference.keyword_pattern("STOP SMS")
    assert pattern.startswith("ST(?:O|") and " SMS" in pattern


def test_keyword_without_letters_is_a_config_error():
    bad = parse_contract('[rules]\nstop_keywords = ["STOP", "!!!"]\n', "c.toml")
    with pytest.raises(ConfigError, match=r"c.toml: rules.stop_keywords: keyword '!!!' has no letter or digit"):
        reference.keyword_patterns(bad)


def test_holidays_ignore_a_damaged_date_an_older_load_kept():
    """A warehouse loaded before damaged dates were rejected may hold year 26 or year 0:
    the calendar keeps its span (year 0 cannot even be a Python date)."""
    con = new_db()
    log = Log()
    for i, year in enumerate((26, 2026)):
        log.line(i, "Sent SMS", text="t")
        log.rows[i] = log.rows[i][:2] + (dt.datetime(year, 5, 1, tzinfo=dt.timezone.utc),) + log.rows[i][3:]
    log.write(con)
    con.execute("UPDATE events SET logged_at = logged_at - INTERVAL 26 YEAR WHERE year(logged_at) = 26")
    reference.write(con, contract())
    assert con.execute("SELECT min(year(day)), max(year(day)) FROM ref_holidays").fetchall() == [(2015, 2035)]
