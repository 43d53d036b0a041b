"""Forecast one monthly series (segments or peak rate of one short code) with an interval.

The method depends on how much history there is, and says so in its label:

| months of history | method | why |
| --- | --- | --- |
| >= 18 | `sarima_airline`: seasonal ARIMA (0,1,1)(0,1,1)12 on log(1+y), statsmodels SARIMAX | the "airline" model: seasonality and growth both multiplicative, two parameters, analytic intervals; needs 1.5 seasonal cycles to estimate |
| 12-17 | `seasonal_naive_growth`: same month last year x year-on-year growth of the months that have one | a seasonal cycle is seen, too few to fit a model |
| 3-11 | `mean_last_3`: mean of the last three months | no seasonal cycle yet; interval widened with the horizon |
| 1-2 | `last_value` | a new short code; wide interval (+-50 % at one sigma) |
| 1-11, with a profile | `seasonal_mean_last_3`, `seasonal_last_value`: the same on the history with the seasonality of the contractor's other short codes taken out, put back for each month forecast | a code opened in autumn would carry December's level into January; its own months cannot say how the year goes, the other codes' years can (seasonal_profile) |
| 0, but days of data | `run_rate`: segments per day seen x days of the month; peak seen | logs shorter than a month; interval as last_value |
| nothing | `no_history` | nothing to learn from: zero, to be replaced by the analyst's adjustments |

Intervals are central prediction intervals at `level` (default 80 %), computed on the log
scale and never below zero. A model that fails to fit falls back down the table, with the
fallback named in the method label.

A month may be missing (NaN: no data for it, e.g. logs never loaded), which is not the same as
a month of zero: on the log scale a zero is an outlier of about -7 that seasonal differencing
carries into the same month a year later. "Months of history" above counts the months
observed. SARIMAX skips a missing month (Kalman filter); the seasonal naive takes the nearest
observed value in its place (on the log scale, between the months either side) and its growth
from the year-on-year pairs both observed; the mean and the last value use the months observed.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm
from threadpoolctl import threadpool_limits

SEASON = 12
MIN_SARIMA = 18
MIN_SEASONAL_NAIVE = 12
MIN_MEAN = 3
DEFAULT_LEVEL = 0.80
#: floor of the log-scale sigma of the fallbacks, so a flat short history is not overconfident
MIN_SIGMA = {"seasonal_naive_growth": 0.10, "mean_last_3": 0.15, "last_value": 0.50}


@dataclass(frozen=True)
class SeriesForecast:
    method: str
    mean: np.ndarray   # point forecasts for steps 1..h after the last observation
    low: np.ndarray
    high: np.ndarray


def _bounds(log_point: np.ndarray, sigma: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = norm.ppf(0.5 + level / 2)
    return np.expm1(log_point - z * sigma).clip(min=0), np.expm1(log_point + z * sigma).clip(min=0)


def _sarima(y: np.ndarray, steps: int, level: float) -> SeriesForecast:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    index = pd.period_range("2000-01", periods=len(y), freq="M")  # positions only; dates do not matter
    series = pd.Series(np.log1p(y), index=index)
    # state-space matrices are tiny: BLAS threads only contend (10x slower on a busy machine)
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")  # convergence chatter on short series; checked below
        fit = SARIMAX(series, order=(0, 1, 1), seasonal_order=(0, 1, 1, SEASON),
                      concentrate_scale=True).fit(disp=False)
        frame = fit.get_forecast(steps).summary_frame(alpha=1 - level)
    point = frame["mean"].to_numpy()
    if not np.all(np.isfinite(point)) or not np.all(np.isfinite(frame["mean_ci_upper"].to_numpy())):
        raise ValueError("SARIMA produced non-finite forecasts")
    return SeriesForecast("sarima_airline", np.expm1(point).clip(min=0),
                          np.expm1(frame["mean_ci_lower"].to_numpy()).clip(min=0),
                          np.expm1(frame["mean_ci_upper"].to_numpy()).clip(min=0))


def _nearest(logs: np.ndarray) -> np.ndarray:
    """Missing months (NaN) replaced by the nearest observed values: interpolated between the
    observed months either side, or the nearest one at an end."""
    known = np.flatnonzero(~np.isnan(logs))
    if len(known) == len(logs):
        return logs
    return np.interp(np.arange(len(logs)), known, logs[known])


def _seasonal_naive_growth(y: np.ndarray, steps: int, level: float) -> SeriesForecast:
    logs = np.log1p(y)
    n = len(y)
    yoy = logs[SEASON:] - logs[:-SEASON]  # log growth over a year, for months that have one
    yoy = yoy[~np.isnan(yoy)]  # both months observed
    logs = _nearest(logs)
    growth = float(np.mean(yoy)) if len(yoy) else 0.0
    sigma0 = max(float(np.std(yoy, ddof=1)) if len(yoy) > 1 else 0.0, MIN_SIGMA["seasonal_naive_growth"])
    h = np.arange(1, steps + 1)
    years = np.ceil(h / SEASON)
    source = n + h - 1 - SEASON * years.astype(int)  # same month, last seen year
    point = logs[source] + growth * years
    sigma = sigma0 * np.sqrt(years)
    low, high = _bounds(point, sigma, level)
    return SeriesForecast("seasonal_naive_growth", np.expm1(point).clip(min=0), low, high)


def _mean_last_3(y: np.ndarray, steps: int, level: float) -> SeriesForecast:
    y = y[~np.isnan(y)]  # the months observed
    logs = np.log1p(y)
    point = np.full(steps, math.log1p(float(np.mean(y[-3:]))))
    spread = float(np.std(logs[-12:], ddof=1)) if len(y) > 2 else 0.0
    sigma = max(spread, MIN_SIGMA["mean_last_3"]) * np.sqrt(np.arange(1, steps + 1))
    low, high = _bounds(point, sigma, level)
    return SeriesForecast("mean_last_3", np.expm1(point), low, high)


def _last_value(y: np.ndarray, steps: int, level: float) -> SeriesForecast:
    y = y[~np.isnan(y)]  # the last month observed
    point = np.full(steps, math.log1p(float(y[-1])))
    sigma = MIN_SIGMA["last_value"] * np.sqrt(np.arange(1, steps + 1))
    low, high = _bounds(point, sigma, level)
    return SeriesForecast("last_value", np.full(steps, float(y[-1])), low, high)


#: a short code lends its seasonality (seasonal_profile) with at least this many months observed
MIN_PROFILE_MONTHS = 24


def seasonal_profile(series: list[tuple[list, np.ndarray]]) -> np.ndarray | None:
    """Per calendar month (index 0 = January), the log-scale deviation of a month from its
    year's level, averaged over the series (calendar months, values; NaN a missing month) that
    have MIN_PROFILE_MONTHS observed: each month's log1p against its centred 2x12 moving
    average (growth taken out), averaged per calendar month, the twelve centred on zero. None
    when no series is long enough, or a calendar month has no deviation."""
    deviations: list[list[float]] = [[] for _ in range(SEASON)]
    for months, values in series:
        y = np.asarray(values, dtype=float)
        if int((~np.isnan(y)).sum()) < MIN_PROFILE_MONTHS:
            continue
        logs = pd.Series(np.log1p(y))
        level = logs.rolling(SEASON, center=True, min_periods=SEASON).mean().rolling(2).mean().shift(-1)
        for month, value, trend in zip(months, logs, level):
            if not (math.isnan(value) or math.isnan(trend)):
                deviations[month.month - 1].append(value - trend)
    if not all(deviations):
        return None
    profile = np.array([float(np.mean(d)) for d in deviations])
    return profile - profile.mean()


def _deseasonalised(y: np.ndarray, months: list, profile: np.ndarray) -> tuple[np.ndarray, int]:
    """The observed months' log1p with the profile taken out, and the calendar month (0-11)
    of the last month of the series."""
    index = np.array([m.month - 1 for m in months])
    keep = ~np.isnan(y)
    return np.log1p(y[keep]) - profile[index[keep]], int(index[-1])


def _seasonal_level(y: np.ndarray, steps: int, level: float, months: list, profile: np.ndarray,
                    last: int) -> SeriesForecast:
    """mean_last_3 (last = 3) or last_value (last = 1) on the deseasonalised history, the
    profile put back for each month forecast; sigma as theirs, on the deseasonalised logs."""
    logs, end = _deseasonalised(y, months, profile)
    base = float(np.mean(logs[-last:]))
    ahead = profile[(end + np.arange(1, steps + 1)) % SEASON]
    point = base + ahead
    if last == 1:
        name, spread = "seasonal_last_value", MIN_SIGMA["last_value"]
    else:
        name = "seasonal_mean_last_3"
        spread = max(float(np.std(logs[-12:], ddof=1)) if len(logs) > 2 else 0.0, MIN_SIGMA["mean_last_3"])
    sigma = spread * np.sqrt(np.arange(1, steps + 1))
    low, high = _bounds(point, sigma, level)
    return SeriesForecast(name, np.expm1(point).clip(min=0), low, high)


_LADDER = (
    (MIN_SARIMA, _sarima),
    (MIN_SEASONAL_NAIVE, _seasonal_naive_growth),
    (MIN_MEAN, _mean_last_3),
    (1, _last_value),
)


def forecast_series(values, steps: int, level: float = DEFAULT_LEVEL, months: list | None = None,
                    profile: np.ndarray | None = None) -> SeriesForecast:
    """Forecast `steps` months after the last of `values` (monthly, oldest first, every month
    in its place; NaN for a month missing, i.e. not observed, as opposed to 0 observed).
    `months` (the calendar month of each value) and `profile` (seasonal_profile): a series too
    short to show its own seasons (under MIN_SEASONAL_NAIVE months) takes the profile's."""
    y = np.asarray(values, dtype=float)
    if steps < 1:
        raise ValueError("steps must be at least 1")
    if np.any(y < 0) or np.any(np.isinf(y)):
        raise ValueError("a monthly series must be finite and non-negative (NaN: a missing month)")
    observed = ~np.isnan(y)
    if not observed.any():
        zeros = np.zeros(steps)
        return SeriesForecast("no_history", zeros, zeros, zeros)
    first = int(np.argmax(observed))
    y = y[first:]  # from the first month observed
    count = int(observed.sum())
    if profile is not None and months is not None and count < MIN_SEASONAL_NAIVE:
        return _seasonal_level(y, steps, level, list(months)[first:], profile, 3 if count >= MIN_MEAN else 1)
    failed = []
    for minimum, method in _LADDER:
        if count < minimum:
            continue
        try:
            result = method(y, steps, level)
        except (ValueError, np.linalg.LinAlgError, IndexError) as exc:
            failed.append(f"{method.__name__.strip('_')} failed: {exc}")
            continue
        if failed:
            return SeriesForecast(f"{result.method} (fallback)", result.mean, result.low, result.high)
        return result
    raise AssertionError("last_value cannot fail")  # pragma: no cover


def run_rate(per_day: float, days: np.ndarray, level: float = DEFAULT_LEVEL) -> SeriesForecast:
    """Less than one complete month of data: a daily rate scaled to each month's `days`
    (pass days = 1 for a rate such as the peak that does not scale)."""
    days = np.asarray(days, dtype=float)
    point = np.log1p(per_day * days)
    sigma = MIN_SIGMA["last_value"] * np.sqrt(np.arange(1, len(days) + 1))
    low, high = _bounds(point, sigma, level)
    return SeriesForecast("run_rate", per_day * days, low, high)


def seasonal_naive(values, steps: int) -> np.ndarray:
    """The benchmark: the same month one year earlier (needs 12 months; a missing month, NaN,
    is the nearest observed value in its place)."""
    y = np.asarray(values, dtype=float)
    if np.isnan(y).any():
        y = np.expm1(_nearest(np.log1p(y)))
    h = np.arange(1, steps + 1)
    return y[len(y) + h - 1 - SEASON * np.ceil(h / SEASON).astype(int)]


def last_value(values, steps: int) -> np.ndarray:
    """The other benchmark: the last month observed, carried forward."""
    y = np.asarray(values, dtype=float)
    return np.full(steps, float(y[~np.isnan(y)][-1]))
