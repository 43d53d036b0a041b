"""R9 forecast files: CSV/XLSX round trips and errors that name the row and the column."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import Workbook

from opsanalytics.errors import ForecastFileError
from opsanalytics.forecast.files import (FORECAST_COLUMNS, read_adjustments, read_forecast_file,
                                         write_forecast_csv, write_table_csv)
from opsanalytics.forecast.periods import Semester, add_months, months_between, parse_month

HEADER = ",".join(FORECAST_COLUMNS)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "short_code": ["36180", "36180", "36181"],
        "month": [dt.date(2027, 1, 1), dt.date(2027, 2, 1), dt.date(2027, 1, 1)],
        "mt_segments": [120_000, 95_500, 0],
        "peak_sms_per_s": [18.0, 12.5, 0.0],
        "subscribed_rate": [20, 20, 10],
        "semester": ["2027H1"] * 3,
        "made_on": [dt.date(2026, 12, 10)] * 3,
    })


def test_csv_round_trip(tmp_path):
    frame = _frame()
    path = write_forecast_csv(frame, tmp_path / "f.csv")
    back = read_forecast_file(path)
    assert list(back.columns) == ["row_no", *FORECAST_COLUMNS]
    assert back["row_no"].tolist() == [2, 3, 4]
    pd.testing.assert_frame_equal(back.drop(columns="row_no"), frame, check_dtype=False)
    assert path.read_text().splitlines()[1] == "36180,2027-01,120000,18,20,2027H1,2026-12-10"


def test_csv_bytes_are_those_of_every_version_so_far(tmp_path):
    """The forecast CSV's bytes are its identity once loaded (a version is its sha256: the
    same bytes again are skipped): rows sorted by short code and month, whole numbers as
    integers, CRLF line ends, quoting only where needed, UTF-8. The throughput CSV: LF."""
    frame = _frame().iloc[[2, 1, 0]].assign(segments_low=[0, 90_000, 110_000], peak_high=[1.0, 14.0, 20.25],
                                            method=["no_history", 'sarima, damped "trend"', "été + adjustment"])
    frame["peak_sms_per_s"] = [0.0, 12.5, 18.0]
    assert write_forecast_csv(frame, tmp_path / "f.csv").read_bytes() == (
        b"short_code,month,mt_segments,peak_sms_per_s,subscribed_rate,semester,made_on,segments_low,peak_high,"
        b"method\r\n"
        b"36180,2027-01,120000,18,20,2027H1,2026-12-10,110000,20.25,\xc3\xa9t\xc3\xa9 + adjustment\r\n"
        b'36180,2027-02,95500,12.5,20,2027H1,2026-12-10,90000,14,"sarima, damped ""trend"""\r\n'
        b"36181,2027-01,0,0,10,2027H1,2026-12-10,0,1,no_history\r\n")
    throughput = pd.DataFrame({"short_code": ["36180"], "rate": [10], "peak": [12.0], "eur": [float("nan")],
                               "share": [0.5], "must_request": [True], "note": ['a, "b"']})
    assert write_table_csv(throughput, tmp_path / "t.csv").read_bytes() == (
        b'short_code,rate,peak,eur,share,must_request,note\n36180,10,12,,0.5,True,"a, ""b"""\n')


def test_xlsx_with_spreadsheet_types_loads(tmp_path):
    """Excel turns '2027-01' into a date and 36180 into a number; both still load."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(FORECAST_COLUMNS))
    sheet.append([36180, dt.datetime(2027, 3, 1), 1500, 7, 10, "2027h1", dt.datetime(2026, 12, 1)])
    sheet.append([None] * 7)  # trailing empty row
    book.save(tmp_path / "f.xlsx")
    back = read_forecast_file(tmp_path / "f.xlsx")
    assert back.iloc[0][list(FORECAST_COLUMNS)].tolist() == [
        "36180", dt.date(2027, 3, 1), 1500, 7.0, 10, "2027H1", dt.date(2026, 12, 1)]


def test_french_csv_semicolons_decimal_comma_and_spaces(tmp_path):
    path = tmp_path / "fr.csv"
    path.write_text(HEADER.replace(",", ";") + "\n36180;2027-01;12 000;12,5;20;2027H1;2026-12-01\n", encoding="utf-8-sig")
    back = read_forecast_file(path)
    assert back.loc[0, "mt_segments"] == 12000 and back.loc[0, "peak_sms_per_s"] == 12.5


@pytest.mark.parametrize("header, row", [
    (HEADER, '36180,2027-01,"12,000",12.5,20,2027H1,2026-12-01'),     # US thousands separator
    (HEADER.replace(",", ";"), "36180;2027-01;1.000;12,5;20;2027H1;2026-12-01"),   # German/French one
])
def test_a_count_with_a_thousands_separator_is_refused_not_read_as_a_decimal(tmp_path, header, row):
    """'12,000' read with a decimal comma is 12: a forecast a thousand times too small."""
    path = tmp_path / "f.csv"
    path.write_text(header + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ForecastFileError, match=r"row 2, column mt_segments: .* is ambiguous"):
        read_forecast_file(path)


@pytest.mark.parametrize("row, column, message", [
    ("36180,2027-02,9223372036854775808,9,10,2027H1,2026-12-10", "mt_segments", "at most 1,000,000,000,000 segments"),
    ("36180,2027-02,1200,99999999999999999999999999,10,2027H1,2026-12-10", "peak_sms_per_s", "at most 100,000 SMS/s"),
    ("36180,1027-01,1200,9,10,1027H1,2026-12-10", "month", "a year from 2000 to 2099"),
    ("36180,2027-02,1200,9,10,2027H1,1026-12-10", "made_on", "a year from 2000 to 2099"),
    # full-width digits: no contract short code can match them (config.py refuses them too)
    ("３６１８０,2027-02,1200,9,10,2027H1,2026-12-10", "short_code", "a 5-digit short code"),
])
def test_a_figure_no_forecast_can_hold_is_refused_naming_its_cell(tmp_path, row, column, message):
    """A count past 2^63 crashed the load with a traceback (DuckDB's INT64), a peak of 1e26
    SMS/s and the year 1027 loaded (found by a probe): each is refused naming its cell."""
    path = tmp_path / "f.csv"
    path.write_text(HEADER + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ForecastFileError, match=rf"row 2, column {column}: expected .*{message}"):
        read_forecast_file(path)


def test_a_french_spreadsheet_round_trip_loads_as_written(tmp_path):
    """French Excel opens the CSV, turns `2027-01` into a date shown `janv.-27` and
    `2026-12-10` into `10/12/2026`, and saves both that way with ';' and decimal commas:
    the file was refused ("expected a month 'YYYY-MM'") though nothing in it had changed."""
    frame = _frame()
    path = tmp_path / "excel-fr.csv"
    path.write_text("short_code;month;mt_segments;peak_sms_per_s;subscribed_rate;semester;made_on\r\n"
                    "36180;janv.-27;120000;18;20;2027H1;10/12/2026\r\n"
                    "36180;févr.-27;95500;12,5;20;2027H1;10/12/2026\r\n"
                    "36181;Jan-27;0;0;10;2027H1;10/12/2026\r\n", encoding="utf-8")
    pd.testing.assert_frame_equal(read_forecast_file(path).drop(columns="row_no"), frame, check_dtype=False)
    # review: a US spreadsheet's `3/1/2027` (1 March) was read day first, as January, and its
    # `3/4/2026` (4 March) as 3 April. A month cell is the 1st: whichever number is 1 is the
    # day. A date is read one way only when it can be; a day-first date keeps its two digits.
    us = tmp_path / "excel-us.csv"
    us.write_text(HEADER + "\n36180,1/1/2027,120000,18,20,2027H1,12/31/2026\n"
                  "36180,2/1/2027,95500,12.5,20,2027H1,12/31/2026\n36181,1/1/2027,0,0,10,2027H1,12/31/2026\n")
    back = read_forecast_file(us)
    assert back["month"].tolist() == frame["month"].tolist()
    assert set(back["made_on"]) == {dt.date(2026, 12, 31)}
    # a month the names do not give, a date either way round: refused, naming the forms
    path.write_text(HEADER + "\n36180,janvier-27,1,1,10,2027H1,2026-12-10\n36180,2027-02,1,1,10,2027H1,3/4/2026\n"
                    "36180,3/4/2027,1,1,10,2027H1,2026-12-10\n")
    with pytest.raises(ForecastFileError) as info:
        read_forecast_file(path)
    assert "row 2, column month: expected a month 'YYYY-MM' such as '2027-01' (or as a spreadsheet saves it: " \
           "'01/2027', 'janv.-27', 'Jan-27'), got 'janvier-27'" in str(info.value)
    assert "row 3, column made_on: expected a date 'YYYY-MM-DD' (or as a French spreadsheet saves it: " \
           "'DD/MM/YYYY'), got '3/4/2026' (day first or month first? write it YYYY-MM-DD)" in str(info.value)
    assert "row 4, column month: expected a month" in str(info.value)


def test_malformed_cells_name_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "\n"
        "36180,2027-01,100,5,10,2027H1,2026-12-01\n"
        "3618,2027-13,-5,x,15,2027H3,2026-31-12\n"
        "36180,2027-01,100,5,10,2027H1,2026-12-01\n"
        "36181,2027-08,100,5,10,2027H1,2026-12-01\n"
        "36181,2027-02,,5,10,2027H1,2026-12-01\n"
    )
    with pytest.raises(ForecastFileError) as info:
        read_forecast_file(path)
    message = str(info.value)
    assert str(path) in message
    for expected in (
        "row 3, column short_code: expected a 5-digit short code",
        "row 3, column month: expected a month 'YYYY-MM'",
        "row 3, column mt_segments: expected a whole number of segments >= 0, got '-5'",
        "row 3, column peak_sms_per_s: expected a number, got 'x'",
        "row 3, column subscribed_rate: expected one of Orange's throughput tiers",
        "row 3, column semester: expected a semester",
        "row 3, column made_on: expected a date 'YYYY-MM-DD'",
        "row 4, column month: short code 36180 month 2027-01 is already on row 2",
        "row 5, column month: 2027-08 is not in semester 2027H1",
        "row 6, column mt_segments: empty",
    ):
        assert expected in message, expected
    assert "row 2," not in message


def test_xlsx_errors_name_the_spreadsheet_row(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Forecast"
    sheet.append(list(FORECAST_COLUMNS))
    sheet.append(["36180", "2027-01", 10.5, 3, 10, "2027H1", "2026-12-01"])
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(ForecastFileError, match=r"row 2, column mt_segments: expected a whole number"):
        read_forecast_file(tmp_path / "bad.xlsx")


@pytest.mark.parametrize("content, message", [
    ("short_code,month,mt_segment\n", r"row 1 \(header\): missing column\(s\) mt_segments, peak_sms_per_s"),
    ("", "empty file"),
    (HEADER + "\n\n", "no data rows"),
])
def test_file_level_errors(tmp_path, content, message):
    path = tmp_path / "f.csv"
    path.write_text(content)
    with pytest.raises(ForecastFileError, match=message):
        read_forecast_file(path)


def test_not_a_workbook_and_missing_file(tmp_path):
    (tmp_path / "x.xlsx").write_text("not a zip")
    with pytest.raises(ForecastFileError, match="not a readable XLSX"):
        read_forecast_file(tmp_path / "x.xlsx")
    with pytest.raises(ForecastFileError, match="file not found"):
        read_forecast_file(tmp_path / "missing.csv")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n36180,2027-01,1,1,10,2027H1,2026-12-01 é\n").encode("latin-1"))
    # where the bad byte is, as an editor shows it (not a byte offset into the file)
    with pytest.raises(ForecastFileError) as err:
        read_forecast_file(path)
    assert str(err.value) == (f"{path}: line 2, column 40: the file is not UTF-8 (byte 0xe9 in: "
                              "36180,2027-01,1,1,10,2027H1,2026-12-01 ?); save the CSV as UTF-8 "
                              '(Excel: "CSV UTF-8")')


def test_adjustments_optional_peak_and_signed_segments(tmp_path):
    path = tmp_path / "adj.csv"
    path.write_text("short_code,month,extra_segments\n36180,2027-03,5000\n36181,2027-04,-200\n")
    frame = read_adjustments(path)
    assert frame["extra_segments"].tolist() == [5000, -200]
    assert frame["peak_sms_per_s"].isna().all()
    path.write_text("short_code,month,extra_segments,peak_sms_per_s\n36180,2027-03,1.5,\n")
    with pytest.raises(ForecastFileError, match="row 2, column extra_segments"):
        read_adjustments(path)


def test_semesters_and_months():
    assert Semester.parse("2027h2").months[0] == dt.date(2027, 7, 1)
    assert Semester.of(dt.date(2027, 6, 1)).label == "2027H1"
    assert add_months(dt.date(2026, 11, 1), 3) == dt.date(2027, 2, 1)
    assert months_between(dt.date(2026, 12, 1), dt.date(2027, 6, 1)) == 6
    with pytest.raises(ValueError):
        parse_month("2027-1")
    with pytest.raises(ValueError):
        Semester.parse("2027S1")


def _book(path, sheets: dict[str, list[list]]):
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_a_workbook_without_a_forecast_sheet_names_its_sheets(tmp_path):
    """Review defect 6: with the Forecast sheet renamed, the loader read Cover and said
    'row 1 (header): missing column(s) short_code, ...' without naming the sheet it read."""
    row = ["36180", "2027-01", 1252, 8, 10, "2027H1", "2026-12-20"]
    path = _book(tmp_path / "renamed.xlsx", {"Cover": [["Prévisions de trafic"]],
                                             "Prévisions": [list(FORECAST_COLUMNS), row], "Throughput": [["x"]]})
    with pytest.raises(ForecastFileError) as error:
        read_forecast_file(path)
    assert str(error.value) == (
        f"{path}: no sheet named 'Forecast' (the workbook's sheets: 'Cover', 'Prévisions', 'Throughput'): the "
        "figures are read from the sheet named 'Forecast', or from the only sheet of a one-sheet workbook; "
        "rename the sheet of figures")
    # a one-sheet workbook loads whatever its sheet is called; its header errors name the sheet
    assert read_forecast_file(_book(tmp_path / "one.xlsx", {"Prévisions": [list(FORECAST_COLUMNS), row]}))[
        "mt_segments"].tolist() == [1252]
    with pytest.raises(ForecastFileError, match=r"one\.xlsx, sheet 'Feuil1': row 1 \(header\): missing column\(s\) "
                                                r"short_code, month"):
        read_forecast_file(_book(tmp_path / "one.xlsx", {"Feuil1": [["Prévisions"], list(FORECAST_COLUMNS), row]}))


def test_a_formula_without_a_saved_value_is_not_called_empty(tmp_path):
    """openpyxl (and other writers that do not calculate) save formulas without their value."""
    path = _book(tmp_path / "formula.xlsx", {"Forecast": [
        list(FORECAST_COLUMNS),
        ["36180", "2027-01", "=1000+252", 8, 10, "2027H1", "2026-12-20"],
        ["36180", "2027-02", None, 8, 10, "2027H1", "2026-12-20"]]})
    with pytest.raises(ForecastFileError) as error:
        read_forecast_file(path)
    message = str(error.value)
    assert ("row 2, column mt_segments: a formula (=1000+252) with no value saved in the file (written by a program "
            "that does not calculate): open and save it in a spreadsheet, or type the value") in message
    assert "row 3, column mt_segments: empty (a value is required)" in message
    assert "row 2, column mt_segments: empty" not in message


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_column_written_twice_is_refused_not_read_from_its_first_copy(tmp_path, suffix):
    """A corrected copy of mt_segments added beside the original loaded silently, the first
    copy's figures stored and judged by R9: which one is meant cannot be told."""
    header = [*FORECAST_COLUMNS, "mt_segments"]
    row = ["36180", "2027-01", 1252, 8, 10, "2027H1", "2026-12-20", 2504]
    if suffix == "csv":
        path = tmp_path / "twice.csv"
        path.write_text(",".join(header) + "\n" + ",".join(map(str, row)) + "\n", encoding="utf-8")
        source = str(path)
    else:
        path = _book(tmp_path / "twice.xlsx", {"Forecast": [header, row]})
        source = f"{path}, sheet 'Forecast'"
    with pytest.raises(ForecastFileError) as error:
        read_forecast_file(path)
    assert str(error.value) == (f"{source}: row 1 (header): column(s) mt_segments appear more than once (a "
                                "corrected copy beside the original?): keep one")


def test_cell_errors_of_a_workbook_name_the_sheet_read(tmp_path):
    row = ["36180", "2027-01", 1252, 8, 15, "2027H1", "2026-12-20"]
    path = _book(tmp_path / "cover.xlsx", {"Cover": [["Prévisions"]], "Forecast": [list(FORECAST_COLUMNS), row]})
    with pytest.raises(ForecastFileError) as error:
        read_forecast_file(path)
    assert str(error.value).startswith(f"{path}, sheet 'Forecast': malformed:\n  row 2, column subscribed_rate: ")
