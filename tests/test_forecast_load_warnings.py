"""What `forecast load` warns about, against the traffic, the contract's declarations and its
since/until (defects found by a report-only probe of `forecast load`): no_forecast promised
for months without traffic, coverage warnings for a code the contract does not declare, rows
outside a code's since/until stored silently, a skipped duplicate repeating its warnings; and
the placeholder forecast of a code without history given a required tier."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest

from opsanalytics.cli import main
from opsanalytics.config import parse_contract
from opsanalytics.forecast import load_forecast_file, next_forecast

PARIS = ZoneInfo("Europe/Paris")
HEADER = "short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on\n"
CONTRACT = """timezone = "Europe/Paris"
log_timezone = "UTC"
[[short_codes]]
code = "36180"
rate = 10
[[short_codes]]
code = "36200"
rate = 10
{extra}
"""


def contract(extra: str = ""):
    return parse_contract(CONTRACT.replace("{extra}", extra), "contract.toml")


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture
def con():
    """fct_mt: 36180 sends in January and February 2027, 36200 on 10 February only; a refused
    line on 31 March makes the data cover March whole (no traffic of either code there)."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE fct_mt (short_code VARCHAR, submitted_at TIMESTAMPTZ, outcome VARCHAR, segments INTEGER)")
    rows = [("36180", dt.datetime.combine(d, dt.time(12), PARIS), "accepted", 5)
            for d in days(dt.date(2027, 1, 1), dt.date(2027, 2, 28))]
    rows.append(("36200", dt.datetime(2027, 2, 10, 12, tzinfo=PARIS), "accepted", 3))
    rows.append(("36180", dt.datetime(2027, 3, 31, 12, tzinfo=PARIS), "refused", 1))
    con.executemany("INSERT INTO fct_mt VALUES (?, ?, ?, ?)", rows)
    yield con
    con.close()


def test_no_forecast_is_promised_only_for_months_with_traffic_or_not_yet_covered(con, tmp_path):
    """F1: 'R9 will report them as no_forecast' was said of months the data holds whole with no
    MT traffic of the code, which R9 never reports. Now: months with traffic are said to be
    reported; months the data does not cover yet would be, once the code sends; a month the
    data holds whole without traffic is not mentioned."""
    path = tmp_path / "f.csv"
    path.write_text(HEADER + "36180,2027-01,150,5,10,2027H1,2026-12-01\n")
    loaded = load_forecast_file(con, path, contract())
    assert loaded.warnings == (
        "short code 36180: no version covers 2027-02 of semester 2027H1, a month with MT traffic of the code: "
        "R9 will report it as no_forecast",
        "short code 36180: no version covers 2027-04, 2027-05, 2027-06 of semester 2027H1: R9 would report them "
        "as no_forecast once the code sends MT traffic there",
        "short code 36200 of contract.toml is held in 2027-02, has MT traffic there and no version forecasts it: "
        "R9 will report it as no_forecast",
        "short code 36200 of contract.toml is held in 2027-04, 2027-05, 2027-06 and no version forecasts it there: "
        "R9 would report them as no_forecast once it sends MT traffic there",
    )
    assert not any("2027-03" in w for w in loaded.warnings)


def test_a_code_the_contract_does_not_declare_gets_no_coverage_warning(con, tmp_path):
    """F2: a typo (36280 for 36180) got 'no version covers ... R9 will report them as
    no_forecast' before the useful 'not in contract.toml'."""
    path = tmp_path / "typo.csv"
    path.write_text(HEADER + "".join(f"36180,2027-0{m},150,5,10,2027H1,2026-12-01\n" for m in range(1, 6))
                    + "36280,2027-06,150,5,10,2027H1,2026-12-01\n"
                    + "".join(f"36200,2027-0{m},5,1,10,2027H1,2026-12-01\n" for m in range(1, 7)))
    loaded = load_forecast_file(con, path, contract())
    assert loaded.warnings == (
        "short code 36180: no version covers 2027-06 of semester 2027H1: R9 would report it as no_forecast "
        "once the code sends MT traffic there",
        "row 7: short code 36280 is not in contract.toml")


def test_a_row_outside_the_codes_since_until_is_stored_with_a_warning(con, tmp_path):
    """F3: a forecast row for a month the contract does not hold the code in (before its
    since) was stored silently, where --adjustments refuses the same month."""
    path = tmp_path / "f.csv"
    path.write_text(HEADER + "".join(f"36180,2027-0{m},150,5,10,2027H1,2026-12-01\n" for m in range(1, 7))
                    + "".join(f"36200,2027-0{m},5,1,10,2027H1,2026-12-01\n" for m in range(1, 7)))
    loaded = load_forecast_file(con, path, contract("since = 2027-04-01"))
    outside = [w for w in loaded.warnings if "does not hold" in w]
    assert outside == [
        f"row {r}: short code 36200 forecast for {m}, a month the contract contract.toml does not hold it in "
        "(since 2027-04-01): stored as Orange's record; R9 judges it as any other month once the MT data covers "
        "it whole (a forecast above 0 with no traffic is flagged)"
        for r, m in ((8, "2027-01"), (9, "2027-02"), (10, "2027-03"))]
    assert loaded.state == "loaded"


def test_a_skipped_duplicate_does_not_repeat_its_row_warnings(con, tmp_path, capsys):
    """F5: the XLSX of a forecast loaded as its CSV (skipped as that version) printed the
    peak-above-rate warnings again."""
    first = tmp_path / "f.csv"
    body = ("".join(f"36180,2027-0{m},150,{50 if m == 3 else 5},10,2027H1,2026-12-01\n" for m in range(1, 7))
            + "".join(f"36200,2027-0{m},5,1,10,2027H1,2026-12-01\n" for m in range(1, 7)))
    first.write_text(HEADER + body)
    copy = tmp_path / "copy.csv"
    copy.write_text(HEADER.replace(",made_on", ",made_on,comment") + body.replace("\n", ",x\n"))
    loaded = load_forecast_file(con, first, contract())
    assert any("peak 50/s above" in w for w in loaded.warnings)
    again = load_forecast_file(con, first, contract())
    same = load_forecast_file(con, copy, contract())
    assert (again.state, again.version_id, again.warnings) == ("skipped", loaded.version_id, ())
    assert (same.state, same.version_id, same.same_as, same.warnings) == (
        "skipped", loaded.version_id, str(first.resolve()), ())


def test_cli_skipped_duplicate_prints_no_warning(tmp_path, capsys):
    toml = tmp_path / "contract.toml"
    toml.write_text(CONTRACT.replace("{extra}", ""), encoding="utf-8")
    path = tmp_path / "f.csv"
    path.write_text(HEADER + "".join(f"36180,2027-0{m},150,50,10,2027H1,2026-12-01\n" for m in range(1, 7))
                    + "".join(f"36200,2027-0{m},5,1,10,2027H1,2026-12-01\n" for m in range(1, 7)))
    db = tmp_path / "w.duckdb"
    assert main(["forecast", "load", str(path), "--db", str(db), "--config", str(toml)]) == 0
    assert "peak 50/s above" in capsys.readouterr().err
    assert main(["forecast", "load", str(path), "--db", str(db), "--config", str(toml)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{path.resolve()}: version 1, 12 rows (skipped)\n" and err == ""


def test_a_code_without_history_gets_no_required_rate():
    """F4: 36200, without traffic, went to Orange with required_rate 10 beside a note saying
    its peak 0/s is a placeholder and no tier is advised."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE fct_mt (short_code VARCHAR, submitted_at TIMESTAMPTZ, outcome VARCHAR, segments INTEGER)")
    con.executemany("INSERT INTO fct_mt VALUES (?, ?, 'accepted', 10)",
                    [("36180", dt.datetime.combine(d, dt.time(12), PARIS))
                     for d in days(dt.date(2026, 10, 1), dt.date(2026, 12, 31))])
    try:
        plan = next_forecast(con, contract(), "2027H1", made_on=dt.date(2026, 12, 31))
    finally:
        con.close()
    rows = plan.figures[plan.figures["short_code"] == "36200"]
    assert len(rows) == 6 and rows["required_rate"].isna().all()
    assert plan.figures.loc[plan.figures["short_code"] == "36180", "required_rate"].notna().all()
    tier = plan.throughput.set_index("short_code").loc["36200"]
    assert pd.isna(tier["required_rate"]) and pd.isna(tier["required_rate_high"])
    assert not tier["needs_higher_tier"] and not tier["must_request"] and tier["change_fee_eur"] == 0
