"""Backtest (R9): would the forecasting method have beaten the naive ones on our own history?

Rolling origin: at every month from the 12th on (the first where seasonal-naive exists), each
method forecasts the next `horizon` months from the history up to that origin only, and is
scored against what happened. Methods: `chosen` (model.forecast_series, whichever rung of its
ladder the history at that origin allows), `seasonal_naive` (same month last year) and
`last_value`. The last 12 origins are scored. Scores: sMAPE (symmetric, defined when a month is zero) and MAPE (months with
traffic only), in %, per short code and metric, and for the chosen method the share of
actual months that fell inside its prediction interval (calibration: near the level, 80 %,
when the intervals are honest).

A month missing from a series (NaN: a month without traffic the forecast treats as missing,
plan.months_without_traffic) is never scored, and every method forecasts without it: the
chosen one as model.forecast_series does, the benchmarks from the nearest observed month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalytics.forecast.model import SEASON, forecast_series, last_value, seasonal_naive

#: the most recent origins scored (12: every calendar month once as a starting point)
MAX_ORIGINS = 12
#: complete months a series needs before anything is scored: a year of history, then a month
MIN_MONTHS = SEASON + 1


def _smape(forecast: np.ndarray, actual: np.ndarray) -> np.ndarray:
    denominator = np.abs(forecast) + np.abs(actual)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator == 0, 0.0, 200.0 * np.abs(forecast - actual) / denominator)


def backtest_series(values, horizon: int = 6, max_origins: int = MAX_ORIGINS) -> pd.DataFrame:
    """One row per (origin, step, method): forecast, actual, sMAPE, APE and the method used.

    Origins are the last `max_origins` months that have a year of history before them."""
    y = np.asarray(values, dtype=float)
    rows = []
    for origin in range(max(SEASON, len(y) - max_origins), len(y)):
        steps = min(horizon, len(y) - origin)
        history, actual = y[:origin], y[origin:origin + steps]
        if np.isnan(history).all():
            continue
        chosen = forecast_series(history, steps)
        candidates = {
            "chosen": chosen.mean,
            "seasonal_naive": seasonal_naive(history, steps),
            "last_value": last_value(history, steps),
        }
        inside = (actual >= np.floor(chosen.low)) & (actual <= np.ceil(chosen.high))
        for method, forecast in candidates.items():
            smape = _smape(forecast, actual)
            with np.errstate(invalid="ignore", divide="ignore"):
                ape = np.where(actual > 0, 100.0 * np.abs(forecast - actual) / np.where(actual > 0, actual, 1), np.nan)
            for step in range(steps):
                if np.isnan(actual[step]):
                    continue  # a missing month: nothing to score against
                rows.append({"origin": origin, "step": step + 1, "method": method,
                             "used": chosen.method if method == "chosen" else method,
                             "forecast": float(forecast[step]), "actual": float(actual[step]),
                             "smape": float(smape[step]), "ape": float(ape[step]),
                             "in_interval": bool(inside[step]) if method == "chosen" else None})
    return pd.DataFrame(rows, columns=["origin", "step", "method", "used", "forecast", "actual", "smape", "ape",
                                       "in_interval"])


def backtest_frame(monthly: pd.DataFrame, value: str = "actual_segments", horizon: int = 6) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Backtest every short code of `monthly` (short_code, month, <value>; complete months).

    Returns (scores, detail): scores has one row per short code and method with smape, mape,
    forecasts scored, and `beats_seasonal_naive` on the chosen method's row; detail has every
    scored forecast (with the month it targeted) for plots.
    """
    details = []
    for code, group in monthly.sort_values("month").groupby("short_code", sort=True):
        detail = backtest_series(group[value].to_numpy(), horizon)
        if detail.empty:
            continue
        months = group["month"].to_numpy()
        detail["month"] = months[detail["origin"] + detail["step"] - 1]
        detail.insert(0, "short_code", code)
        details.append(detail)
    if not details:
        scores = pd.DataFrame(columns=["short_code", "metric", "method", "smape", "mape", "forecasts",
                                       "interval_coverage", "used", "beats_seasonal_naive"])
        detail = pd.DataFrame(columns=["short_code", "metric", "origin", "step", "method", "used", "forecast",
                                       "actual", "smape", "ape", "in_interval", "month"])
        return scores, detail
    detail = pd.concat(details, ignore_index=True)
    detail.insert(1, "metric", value)
    scores = (detail.groupby(["short_code", "method"], sort=False)
              .agg(smape=("smape", "mean"), mape=("ape", "mean"), forecasts=("smape", "size"),
                   interval_coverage=("in_interval", lambda s: s.dropna().astype(float).mean() if s.notna().any() else np.nan),
                   used=("used", lambda s: ", ".join(sorted(set(s)))))
              .reset_index())
    naive = scores[scores["method"] == "seasonal_naive"].set_index("short_code")["smape"]
    scores["beats_seasonal_naive"] = np.where(
        scores["method"] == "chosen", scores["smape"] < scores["short_code"].map(naive), pd.NA)
    scores.insert(1, "metric", value)
    return scores, detail
