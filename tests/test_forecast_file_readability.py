"""What the forecast's files and page 60 say must read as what they are: each peak beside its
own month, the page's table as the file Orange receives, the analyst told of a semester that
skips others, and one forecast loaded as CSV and XLSX as one version (a probe, finding 8)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from opsanalytics.forecast.plan import throughput_options

JAN_TO_JUN = [dt.date(2027, m, 1) for m in range(1, 7)]


def test_each_throughput_peak_comes_with_its_own_month():
    """A probe: peak_month 2027-01 stood beside forecast_peak_high 132, which is June's."""
    figures = pd.DataFrame({
        "short_code": "36180", "month": JAN_TO_JUN, "subscribed_rate": 150, "method": "sarima_airline",
        "peak_sms_per_s": [100.0, 90.0, 80.0, 85.0, 95.0, 99.0],
        "peak_high": [120.0, 110.0, 100.0, 105.0, 118.0, 132.0],
    })
    [row] = throughput_options(figures).to_dict("records")
    assert (row["forecast_peak"], row["peak_month"]) == (100.0, "2027-01")
    assert (row["forecast_peak_high"], row["peak_high_month"]) == (132.0, "2027-06")


def test_page_60_shows_the_file_the_command_writes(tmp_path):
    """A probe: page 60's table 'the file sent to Orange' said made_on 2026-10-29 (the data's
    last day) and months 2027-01-01; the file `opsanalytics forecast` wrote the same day said
    2026-11-27 (the day it was made) and 2027-01."""
    from eventrows import Log, contract, new_db
    from opsanalytics import facts
    from opsanalytics.audits.result import Filters
    from opsanalytics.forecast import make_forecast
    from opsanalytics.report import insights

    log = Log()
    for i in range(40):  # 25 November 2026 to 3 January 2027: December complete
        log.line(i * 86400, "Sent SMS", fid=f"M{i}", text="Promo STOP au 36180", receiver=f"336123456{i:02d}")
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    upcoming, why_not = insights.upcoming_forecast(con, contract(), Filters(dt.date(2026, 12, 1),
                                                                            dt.date(2026, 12, 31)))
    assert why_not is None
    assert upcoming.made_on == dt.date.today()   # not the data's last day (3 January) nor the period's
    _, paths = make_forecast(con, contract(), upcoming.semester, tmp_path)  # as the command: no --made-on
    written = pd.read_csv(paths["csv"], dtype={"short_code": str})
    shown = insights.forecast_file_table(upcoming)
    pd.testing.assert_frame_equal(shown, written, check_dtype=False)  # (the file writes 12 for 12.0)
    assert set(shown["made_on"]) == {dt.date.today().isoformat()}
    assert list(shown["month"].unique()) == ["2027-07", "2027-08", "2027-09", "2027-10", "2027-11", "2027-12"]


def test_a_semester_that_skips_others_is_said_to_the_analyst_not_in_the_file(tmp_path, capsys):
    """A probe: `--semester 2028H2` made on 2026-11-27 was written without a word, although it
    skips 2027H1, 2027H2 and 2028H1."""
    from openpyxl import load_workbook

    from opsanalytics.cli import main

    hist = tmp_path / "hist"
    db = str(tmp_path / "w.duckdb")
    assert main(["simulate-history", "--out", str(hist), "--db", db, "--months", "6", "--start", "2026-01"]) == 0
    capsys.readouterr()
    make = ["forecast", "--db", db, "--config", str(hist / "contract.toml"), "--made-on", "2026-11-27"]
    assert main([*make, "--semester", "2028H2", "--out", str(tmp_path / "far")]) == 0
    said = capsys.readouterr()
    assert said.err == ("opsanalytics forecast: note: 2028H2 is not the next semester: made on 2026-11-27, the "
                        "next one is 2027H1; this forecast skips 2027H1, 2027H2, 2028H1 (a typo in --semester? each "
                        "semester needs its own forecast for Orange)\n")
    cover = [c.value for row in load_workbook(tmp_path / "far" / "forecast_2028H2.xlsx")["Cover"].iter_rows()
             for c in row if isinstance(c.value, str)]
    assert not [text for text in cover if "next semester" in text]
    # the next semester, or made on its eve: nothing to say
    assert main([*make, "--semester", "2027H1", "--out", str(tmp_path / "next")]) == 0
    assert capsys.readouterr().err == ""
    assert main([*make[:-1], "2026-12-31", "--semester", "2027H1", "--out", str(tmp_path / "eve")]) == 0
    assert capsys.readouterr().err == ""


def test_the_csv_and_the_xlsx_of_one_forecast_are_one_version(tmp_path, capsys, monkeypatch):
    """A probe: loading the CSV and the XLSX `opsanalytics forecast` wrote made two versions of
    one forecast (`versions` = 2)."""
    import json

    from opsanalytics.cli import main

    hist = tmp_path / "hist"
    db = str(tmp_path / "w.duckdb")
    assert main(["simulate-history", "--out", str(hist), "--db", db, "--months", "6", "--start", "2026-01"]) == 0
    assert main(["forecast", "--db", db, "--config", str(hist / "contract.toml"), "--made-on", "2026-11-27",
                 "--semester", "2027H1", "--out", str(tmp_path / "f")]) == 0
    csv, xlsx = (tmp_path / "f" / "forecast_2027H1.csv").resolve(), (tmp_path / "f" / "forecast_2027H1.xlsx").resolve()
    rows = len(pd.read_csv(csv))
    capsys.readouterr()
    from opsanalytics.forecast import files

    reads, real = [], files.read_table
    monkeypatch.setattr(files, "read_table", lambda path, *a, **k: reads.append(path) or real(path, *a, **k))
    assert main(["forecast", "load", str(csv), str(xlsx), "--db", db]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{csv}: version 1, {rows} rows (loaded)",
        f"{xlsx}: version 1, {rows} rows (skipped: the same rows as version 1, {csv})"]
    assert len(reads) == 2   # each file parsed once, compared and stored alike
    # one figure changed is another forecast: a version of its own
    changed = tmp_path / "changed.csv"
    text = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = text[1].split(",")
    fields[2] = str(int(fields[2]) + 1)
    changed.write_text("".join([text[0], ",".join(fields), *text[2:]]), encoding="utf-8")
    assert main(["forecast", "load", str(changed), "--db", db]) == 0
    assert capsys.readouterr().out == f"{changed.resolve()}: version 2, {rows} rows (loaded)\n"
    assert main(["forecast", "versions", "--db", db, "--format", "json"]) == 0
    versions = json.loads(capsys.readouterr().out)
    assert [(v["version_id"], v["source"]) for v in versions] == [(1, str(csv)), (2, str(changed.resolve()))]
