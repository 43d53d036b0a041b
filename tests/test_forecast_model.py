"""R9 model and backtest: the method ladder, its intervals, and that it beats the naive
forecasts on the simulator's seasonal data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from opsanalytics.forecast.backtest import backtest_frame, backtest_series
from opsanalytics.forecast.model import forecast_series, last_value, seasonal_naive
from opsanalytics.simulate.history import monthly_plan


def _series(months: int, seed: int = 7, code: str = "36180") -> np.ndarray:
    plan = monthly_plan(dt.date(2025, 1, 1), months, seed)
    return plan[plan["short_code"] == code]["segments"].to_numpy()


@pytest.mark.parametrize("length, method", [
    (0, "no_history"), (1, "last_value"), (2, "last_value"), (3, "mean_last_3"), (11, "mean_last_3"),
    (12, "seasonal_naive_growth"), (17, "seasonal_naive_growth"), (18, "sarima_airline"), (24, "sarima_airline"),
])
def test_method_depends_on_history_length(length, method):
    result = forecast_series(_series(30)[:length], 6)
    assert result.method == method
    assert len(result.mean) == 6
    assert np.all(result.low <= result.mean + 1e-9) and np.all(result.mean <= result.high + 1e-9)
    assert np.all(result.low >= 0)


def test_fallback_intervals_widen_with_the_horizon():
    result = forecast_series([100.0, 120.0, 90.0, 110.0], 6)
    width = result.high - result.low
    assert np.all(np.diff(width) > 0)
    assert result.mean[0] == pytest.approx((120 + 90 + 110) / 3)


def test_seasonal_model_tracks_seasonality_and_growth():
    """24 months in, the next 6 against the noise-free truth the simulator drew them from."""
    plan = monthly_plan(dt.date(2025, 1, 1), 30, seed=3)
    for code in ("36180", "36181"):
        rows = plan[plan["short_code"] == code]
        result = forecast_series(rows["segments"].to_numpy()[:24], 6)
        expected = rows["expected_segments"].to_numpy()[24:]
        assert result.method == "sarima_airline"
        assert np.max(np.abs(result.mean / expected - 1)) < 0.12
        # the interval holds most of what actually happened
        actual = rows["segments"].to_numpy()[24:]
        assert np.mean((actual >= result.low) & (actual <= result.high)) >= 0.5


def test_zero_months_do_not_break_the_log_scale():
    y = np.array([0, 0, 5, 0, 10, 0, 0, 0, 3, 0, 0, 0, 0, 0, 6, 0, 12, 0, 0, 0], dtype=float)
    result = forecast_series(y, 6)
    assert np.all(np.isfinite(result.mean)) and np.all(result.mean >= 0)


def test_bad_series_is_refused():
    with pytest.raises(ValueError):
        forecast_series([1.0, -2.0], 3)
    with pytest.raises(ValueError):
        forecast_series([1.0], 0)


def test_benchmarks():
    y = np.arange(1, 25, dtype=float)
    assert seasonal_naive(y, 3).tolist() == [13.0, 14.0, 15.0]
    assert seasonal_naive(y, 14)[12:].tolist() == [13.0, 14.0]  # two years back past 12 months
    assert last_value(y, 2).tolist() == [24.0, 24.0]


def test_backtest_is_rolling_origin_without_peeking():
    y = np.array([10.0] * 12 + [20.0] * 4)
    detail = backtest_series(y, horizon=2)
    assert sorted(detail["origin"].unique()) == [12, 13, 14, 15]
    assert sorted(backtest_series(np.arange(30.0), horizon=1, max_origins=2)["origin"].unique()) == [28, 29]
    row = detail[(detail["origin"] == 12) & (detail["method"] == "last_value") & (detail["step"] == 1)].iloc[0]
    assert row["forecast"] == 10.0 and row["actual"] == 20.0 and row["smape"] == pytest.approx(200 / 3)
    assert len(detail[(detail["origin"] == 15)]) == 3  # one month left, each method once


@pytest.mark.parametrize("seed, months, metrics", [(7, 24, ("segments", "peak")), (5, 30, ("segments",))])
def test_chosen_method_beats_naive_on_seasonal_data(seed, months, metrics):
    plan = monthly_plan(dt.date(2025, 1, 1), months, seed)
    for metric in metrics:
        scores, detail = backtest_frame(plan.rename(columns={metric: "value"}), "value")
        chosen = scores[scores["method"] == "chosen"].set_index("short_code")["smape"]
        naive = scores[scores["method"] == "seasonal_naive"].set_index("short_code")["smape"]
        last = scores[scores["method"] == "last_value"].set_index("short_code")["smape"]
        # 36190 starts in month 20: scored only once it has a year of history
        assert set(chosen.index) == ({"36180", "36181"} | ({"36190"} if months >= 33 else set()))
        assert (chosen < naive).all() and (chosen < last).all(), (metric, scores)
        assert scores[scores["method"] == "chosen"]["beats_seasonal_naive"].all()
        # calibration is reported for the chosen method only: a share of months, loosely near 80 %
        coverage = scores.set_index(["method", "short_code"])["interval_coverage"]
        assert coverage["chosen"].between(0.4, 1.0).all() and coverage["seasonal_naive"].isna().all()
        assert "sarima_airline" in set(detail["used"])


def test_a_missing_month_is_not_a_month_of_zero():
    """Review defect 1: a month without data is NaN, skipped by every rung, where a 0 is an
    outlier of -7 on the log scale that the seasonal models carry a year on."""
    y = _series(24).astype(float)
    gap = y.copy()
    gap[13] = np.nan  # February of the second year
    whole, missing = forecast_series(y, 6), forecast_series(gap, 6)
    assert missing.method == "sarima_airline"
    assert np.max(np.abs(missing.mean / whole.mean - 1)) < 0.1
    zero = y.copy()
    zero[13] = 0
    assert forecast_series(zero, 6).mean[1] < 0.5 * whole.mean[1]  # what a zero does (and did)
    # the seasonal naive: the missing source month from its neighbours, growth from whole pairs
    short = gap[:15]
    result = forecast_series(short, 2)
    assert result.method == "seasonal_naive_growth"
    pairs = np.log1p(short[12:]) - np.log1p(short[:3])
    growth = np.mean(pairs[~np.isnan(pairs)])
    assert result.mean[0] == pytest.approx(np.expm1(np.log1p(short[3]) + growth))
    # 13 observed months of 15 with a growth of a few % a month: one year on stays near the last
    assert 0.5 < result.mean[0] / short[3] < 2
    # the others use the months observed; the rung counts them
    assert forecast_series([100.0, np.nan, 50.0, 70.0], 1).mean[0] == pytest.approx((100 + 50 + 70) / 3)
    assert forecast_series([100.0, 80.0, np.nan], 1).method == "last_value"
    assert forecast_series([100.0, 80.0, np.nan], 1).mean[0] == 80.0
    assert forecast_series([np.nan, np.nan], 1).method == "no_history"
    assert seasonal_naive(gap, 2).tolist() == pytest.approx(
        [gap[12], np.expm1((np.log1p(gap[12]) + np.log1p(gap[14])) / 2)])
    assert last_value([5.0, np.nan], 1).tolist() == [5.0]
    with pytest.raises(ValueError):
        forecast_series([1.0, np.inf], 3)
