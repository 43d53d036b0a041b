"""What notebooks show: tables (order kept, numbers formatted, ids as written), headline
figures, local times and hashed numbers."""

from __future__ import annotations

import pandas as pd

from opsanalytics.audits.result import Filters
from opsanalytics.config import parse_contract
from opsanalytics.report.notebook import ReportContext, figure_bundle, kpis_html, rule_heading, table_html
from opsanalytics.report.pseudonymise import token


def test_table_keeps_the_order_formats_numbers_and_keeps_ids_as_written():
    frame = pd.DataFrame({"message_id": [10000008230, 7], "brand": ["Acme", "Fournil"],
                          "messages": [12345, 2], "share": [0.12345, 1.0]})
    html = table_html(frame, "Breaches", max_rows=1, note="why")
    assert "first 1 of 2 rows" in html and "Fournil" not in html
    assert "<td class='num'>10000008230</td>" in html
    assert "<td class='num'>12,345</td>" in html and "<td class='num'>0.12</td>" in html
    assert "<p class='ops-note'>why</p>" in html
    assert "Nothing to report" in table_html(frame.iloc[0:0], "Breaches")


def test_one_number_format_per_column():
    """360.00 beside 342,000 read as two kinds of figure: a float column of whole numbers is
    shown whole, any other with two decimals on every row."""
    frame = pd.DataFrame({"seconds_after_stop": [342000.0, 360.0, None], "monthly_eur": [800.0, 1600.0, 150.0],
                          "hours": [0.5, 1200.0, 2.0], "count": [1, 2, 3]})
    cells = [c.split("<")[0] for c in table_html(frame, "t").split("<td class='num'>")[1:]]
    assert cells == ["342,000", "800", "0.50", "1",
                     "360", "1,600", "1,200.00", "2",
                     "", "150", "2.00", "3"]


def test_one_row_is_said_so_and_a_column_of_sentences_keeps_its_width():
    note = "forecast peak exceeds the subscribed 20/s: the 50/s tier must be requested from Orange"
    frame = pd.DataFrame({"short_code": ["36180"], "eur_10": [0], "note": [note]})
    html = table_html(frame, "Throughput")
    assert "<p class='ops-count'>1 row</p>" in html
    # (squeezed beside a dozen number columns, the note read one word per line)
    assert f"<td class='long'>{note.replace(chr(39), '&#x27;')}</td>" in html
    assert "<td>36180</td>" in html
    assert "<p class='ops-count'>2 rows</p>" in table_html(pd.concat([frame, frame]), "Throughput")
    dated = table_html(pd.DataFrame({"month": ["2027-01-01"], "peak_second": [pd.Timestamp("2026-10-26 09:00:05")],
                                     "short_code": ["36180"]}), "Dates")
    assert "<td class='nowrap'>2027-01-01</td>" in dated and "<td class='nowrap'>2026-10-26 09:00:05</td>" in dated
    assert "<td>36180</td>" in dated
    flags = table_html(pd.DataFrame({"needs_higher_tier": [True, False], "note": [None, "ok"]}), "Tiers")
    assert "<td>yes</td>" in flags and "<td>no</td>" in flags and "True" not in flags


def test_delays_in_seconds_are_shown_as_durations():
    from opsanalytics.report.notebook import duration_text

    assert [duration_text(v) for v in (4, 725, 34_500, 342_000, None)] == [
        "4 s", "12 min 05 s", "9 h 35 min", "3 d 23 h 00 min", ""]
    ctx = ReportContext(None, parse_contract(""), Filters(), pseudonymise=False)
    shown = ctx.prepare(pd.DataFrame({"seconds_after_stop": [342_000], "seconds_over": [3]}))
    assert shown.to_dict("records") == [{"time_after_stop": "3 d 23 h 00 min", "seconds_over": 3}]


def test_kpis_turn_red_only_on_non_zero_numbers():
    html = kpis_html({"breaches": 3, "clean": 0, "text": "n/a"}, bad=("breaches", "clean", "text"))
    assert html.count("ops-breach") == 1 and "<b class='ops-breach'>3</b>" in html


def test_prepare_shows_local_time_and_hashes_numbers():
    ctx = ReportContext(None, parse_contract(""), Filters(), pseudonymise=True, salt="s")
    frame = pd.DataFrame({"msisdn": ["+33612345678"] * 4,
                          "submitted_at": pd.to_datetime(["2026-10-25 00:30", "2026-10-25 01:30",
                                                          "2026-10-25 12:00", None], utc=True),
                          "mt_ids": [[1, 2]] * 4})
    shown = ctx.prepare(frame)
    assert shown.msisdn[0] == token("+33612345678", "s")
    # the zone in the header; the hour the clocks go back came twice: its offset tells which
    assert shown["submitted_at (Europe/Paris)"].tolist()[:3] == [
        "2026-10-25 02:30:00 +02:00", "2026-10-25 02:30:00 +01:00", "2026-10-25 13:00:00"]
    assert pd.isna(shown["submitted_at (Europe/Paris)"][3])
    assert "submitted_at" not in shown.columns
    assert shown.mt_ids[0] == "1, 2"
    ctx._coverage = "full"
    html = ctx.table_html(frame, "Times")
    assert "<th class=''>submitted_<wbr>at (Europe/Paris)</th>" in html and "<td class='nowrap'></td>" in html
    # a table wider than the page scrolls in its own box
    assert "<div class='ops-table-wrap'><table class='ops-table'>" in html
    clear = ReportContext(None, parse_contract(""), Filters(), pseudonymise=False).prepare(frame)
    assert clear.msisdn[0] == "+33612345678"


def test_figure_bundle_carries_no_plotly_library():
    import plotly.graph_objects as go

    bundle = figure_bundle(go.Figure(go.Bar(x=[1], y=[2])))
    assert bundle["application/vnd.plotly.v1+json"]["data"][0]["type"] == "bar"
    assert "Plotly.newPlot" in bundle["text/html"] and len(bundle["text/html"]) < 20_000


def test_rule_heading_gives_the_index_verdict_in_good_english():
    assert "<span class='ops-breach'>1 violation</span>" in rule_heading("R2", "send window", 1, "breach")
    assert "<span class='ops-breach'>1,204 violations</span>" in rule_heading("R2", "send window", 1204, "breach")
    assert "<span class='ops-clean'>no violation</span>" in rule_heading("R2", "send window", 0, "clean")
    unjudged = rule_heading("R9", "forecasts", 0, "not_judged", "R9 compares whole months; none here.")
    assert "<span class='ops-unjudged'>not judged</span>" in unjudged and "no violation" not in unjudged
    assert "<p class='ops-note ops-why-unjudged'>R9 compares whole months; none here.</p>" in unjudged


def test_kpis_take_the_tone_they_are_given():
    html = kpis_html({"rules judged": "none", "violations": 0}, tones={"rules judged": "ops-unjudged"})
    assert "<b class='ops-unjudged'>none</b>" in html and "<b>0</b>" in html


def test_an_empty_breach_table_is_not_good_news_when_the_rule_could_not_judge():
    import datetime as dt

    from opsanalytics.audits.result import AuditResult

    period = Filters(dt.date(2026, 10, 19), dt.date(2026, 10, 20))
    ctx = ReportContext(None, parse_contract(""), period, pseudonymise=False, _coverage="full")
    ctx._audits["R9"] = AuditResult("R9", "forecast", 0, pd.DataFrame(),
                                    summary={"months_judged": 0, "months_partial": 0, "forecast_versions": 1})
    ctx._audits["R2"] = AuditResult("R2", "window", 0, pd.DataFrame())
    unjudged = ctx.table_html(pd.DataFrame(), "Months", empty="Every judged month is within tolerance.", rule="R9")
    assert "within tolerance" not in unjudged
    assert "<p class='ops-empty ops-no-traffic'>No breach found, but R9 was not judged (why: above).</p>" in unjudged
    clean = ctx.table_html(pd.DataFrame(), "R2 breaches", rule="R2")
    assert "<p class='ops-empty'>Nothing to report in this period.</p>" in clean
    ctx._coverage = "none"  # no traffic at all: an empty table is not shown green either
    assert "ops-no-traffic" in ctx.table_html(pd.DataFrame(), "R2 breaches", rule="R2")


def test_an_empty_table_that_means_something_is_missing_is_amber_not_green():
    """Page 60's 'No forecast file has been loaded' was green, as good news; a gap is amber."""
    ctx = ReportContext(None, parse_contract(""), Filters(), pseudonymise=False, _coverage="full")
    missing = ctx.table_html(pd.DataFrame(), "Forecast versions", empty="No forecast file has been loaded.", gap=True)
    assert "<p class='ops-empty ops-unjudged'>No forecast file has been loaded.</p>" in missing
    assert "ops-unjudged" not in ctx.table_html(pd.DataFrame({"a": [1]}), "Forecast versions", gap=True)
    from opsanalytics.report.render import report_css

    assert ".ops-empty.ops-unjudged { color: #ef6c00; }" in report_css()  # amber over .ops-empty's green


def test_a_short_code_given_as_a_number_is_the_short_code(tmp_path):
    """papermill -p short_code 36180 (and a parameters cell without quotes) gives an int:
    the pages filter on the code all the same (R1's list_contains refused an INTEGER)."""
    from opsanalytics import facts, warehouse
    from opsanalytics.config import load_contract
    from opsanalytics.report.notebook import open_report

    config = tmp_path / "contract.toml"
    config.write_text('timezone = "Europe/Paris"\n', encoding="utf-8")
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    facts.build(con, load_contract(config))
    con.close()
    report = open_report(str(tmp_path / "w.duckdb"), str(config), short_code=36180)
    try:
        assert report.filters.short_code == "36180"
    finally:
        report.con.close()


def test_titles_name_the_brand_a_page_is_filtered_on():
    """Figures that add brands together say 'all brands', or the brand of the filter."""
    from opsanalytics.audits.result import Filters
    from opsanalytics.report.notebook import ReportContext

    for code, brand, label in ((None, None, "all brands"), (None, "Acme", "brand Acme"),
                               ("36181", None, "all brands, on 36181 only"),
                               ("36181", "Acme", "brand Acme, on 36181 only")):
        assert ReportContext(con=None, contract=None, filters=Filters(None, None, code, brand)).brands == label


def _file_warehouse(tmp_path, traffic=None, contract_toml=None):
    """A warehouse file and its contract as a notebook opens them: Traffic's events (one
    marketing MT on 10 and 12 November 2026 by default), then the facts."""
    from auditrows import CONTRACT_TOML, Traffic, paris
    from eventrows import insert_events

    from opsanalytics import facts, warehouse
    from opsanalytics.config import load_contract

    if traffic is None:
        traffic = Traffic()
        traffic.send("+33612345678", paris("2026-11-10 10:00:00"))
        traffic.send("+33612345679", paris("2026-11-12 10:00:00"))
    config = tmp_path / "contract.toml"
    config.write_text(contract_toml or CONTRACT_TOML, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    con = warehouse.connect(db, create=True)
    insert_events(con, traffic.rows)
    facts.build(con, load_contract(config))
    con.close()
    return str(db), str(config)


def test_one_date_given_cannot_make_the_period_reversed(tmp_path):
    """date_from after the data's last day with date_to None (or date_to before its first
    day) is the same clear error as two reversed dates, not a page 'from 2027 to 2026'."""
    import datetime as dt

    import pytest

    from opsanalytics.errors import UsageError
    from opsanalytics.report.notebook import open_report

    db, config = _file_warehouse(tmp_path)
    with pytest.raises(UsageError, match="date_from 2027-01-01 is after date_to 2026-11-12"):
        open_report(db, config, date_from="2027-01-01")
    with pytest.raises(UsageError, match="date_from 2026-11-10 is after date_to 2026-11-01"):
        open_report(db, config, date_to="2026-11-01")
    with pytest.raises(UsageError, match="date_from 2026-11-10 is after date_to 2026-11-01$"):
        open_report(db, config, "2026-11-10", "2026-11-01")
    report = open_report(db, config, date_from="2026-11-11")
    assert (report.filters.date_from, report.filters.date_to) == (dt.date(2026, 11, 11), dt.date(2026, 11, 12))
    report.close()


def test_a_cell_re_run_after_the_last_one_reopens_the_warehouse(tmp_path):
    """JupyterLab: "Run all" ends with report.close(); re-running any cell after it (an
    audit, an insight, the forecast's own queries on report.con) works, and between the two
    the file is free for a writer."""
    from opsanalytics import warehouse
    from opsanalytics.report.notebook import open_report

    db, config = _file_warehouse(tmp_path)
    report = open_report(db, config)
    assert int(report.insight("daily_traffic").mt_messages.sum()) == 2
    report.close()
    report.close()  # (the last cell run twice)
    writer = warehouse.connect(db)  # the read-only connection is gone: a loader may write
    writer.close()
    assert int(report.insight("daily_traffic").mt_messages.sum()) == 2
    assert report.audit("R2").violations == 0
    assert report.con.execute("select count(*) from fct_mt").fetchone() == (2,)
    report.close()


def test_a_page_opened_without_dates_covers_the_days_with_mo_too(tmp_path):
    """A warehouse of MOs only had no period (the days with data were MT days): page 00,
    opened without dates, failed for want of one."""
    import datetime as dt

    from auditrows import Traffic, paris

    from opsanalytics.report.notebook import open_report

    traffic = Traffic()
    traffic.receive("+33612345678", paris("2026-11-09 10:00:00"), "STOP", keyword="STOP")
    traffic.receive("+33612345679", paris("2026-11-13 23:30:00"), "Bonjour")
    db, config = _file_warehouse(tmp_path, traffic)
    report = open_report(db, config)
    try:
        assert (report.filters.date_from, report.filters.date_to) == (dt.date(2026, 11, 9), dt.date(2026, 11, 13))
        assert report.executive_summary() is not None
    finally:
        report.close()
    # MT and MO together: from the first day of either to the last of either
    traffic.send("+33612345678", paris("2026-11-15 00:30:00"))
    (tmp_path / "both").mkdir()
    db, config = _file_warehouse(tmp_path / "both", traffic)
    report = open_report(db, config)
    assert (report.filters.date_from, report.filters.date_to) == (dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    report.close()


def test_a_missing_date_is_an_empty_cell():
    """R9's months without a forecast showed 'NaT' (pandas' missing date) as their made_on."""
    frame = pd.DataFrame({"month": ["2026-11", "2026-12"],
                          "made_on": pd.to_datetime(["2026-06-30", None]),
                          "loaded_at": pd.to_datetime(["2026-07-01 10:00:00+01:00", None])})
    html = table_html(frame, "R9")
    assert "NaT" not in html
    assert "<td class='nowrap'>2026-06-30</td>" in html and "<td class='nowrap'></td>" in html


def test_a_page_run_on_its_own_warns_of_a_filter_nothing_can_match(tmp_path):
    """`report` warns on stderr of a short code or brand nothing can match; a page run on its
    own (JupyterLab, papermill -p short_code 3618) only said 'not judged: no MT was accepted
    ... for short code 3618'. Its header now says why, as `report` does."""
    from opsanalytics.report.notebook import open_report

    db, config = _file_warehouse(tmp_path)
    report = open_report(db, config, short_code=3618, brand="acme")
    assert report.filter_warnings == [
        "short_code '3618' is not a short code of contract.toml and no accepted MT or MO of the warehouse "
        "has it: no message can match it",
        "brand 'acme' is not a brand of contract.toml's [[services]] and no accepted MT of the warehouse "
        "has it: no message can match it (did you mean 'Acme'? brands match as written, case included)"]
    assert ("<p class='ops-note ops-unjudged'>Warning: short_code &#x27;3618&#x27; is not a short code"
            in report.header_html("R1"))
    report.close()
    report = open_report(db, config, short_code="36180", brand="Acme")
    assert report.filter_warnings == []
    report.close()
