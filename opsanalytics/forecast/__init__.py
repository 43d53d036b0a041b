"""R9 FORECAST: the semiannual forecasts sent to Orange, checked against actual traffic, and
the next one made from history.

    files.py     the forecast file (CSV/XLSX): reader with row/column errors, CSV writer
    store.py     submitted forecasts in the warehouse, every version kept
    actuals.py   actual MT segments and peak rate per short code and month
    compare.py   forecast vs actuals, the R9 audit
    model.py     one monthly series -> forecast with interval (seasonal model + fallbacks)
    backtest.py  rolling-origin backtest against seasonal-naive and last-value
    plan.py      the next semester's forecast and its throughput-tier options
    workbook.py  the formatted XLSX for Orange

The functions below return DataFrames the R9 notebook plots (docs/forecast.md).
"""

from opsanalytics.forecast.compare import audit_r9, compare_notes, forecast_vs_actuals, semester_summary
from opsanalytics.forecast.files import read_adjustments, read_forecast_file, write_forecast_csv
from opsanalytics.forecast.plan import (NextForecast, backtest, backtest_detail, backtest_notes, monthly_history,
                                       next_forecast)
from opsanalytics.forecast.store import forecast_versions, load_forecast_file


def make_forecast(con, contract, semester, out_dir, adjustments_path=None, made_on=None, level=0.80):
    """Compute the next forecast and write <out_dir>/forecast_<semester>.csv, .xlsx and
    _throughput.csv; returns (NextForecast, {kind: path})."""
    from opsanalytics.forecast.output import write_forecast

    adjustments = read_adjustments(adjustments_path, semester) if adjustments_path else None
    forecast = next_forecast(con, contract, semester, adjustments, made_on, level)
    return forecast, write_forecast(forecast, out_dir)


__all__ = [
    "audit_r9", "forecast_vs_actuals", "semester_summary", "read_forecast_file", "read_adjustments",
    "write_forecast_csv", "load_forecast_file", "forecast_versions", "next_forecast", "NextForecast",
    "backtest", "backtest_detail", "monthly_history", "make_forecast", "backtest_notes", "compare_notes",
]
