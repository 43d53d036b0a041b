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
