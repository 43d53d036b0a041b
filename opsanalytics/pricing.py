"""Orange's throughput prices (RULES.md, EUR excl. VAT) and the tier arithmetic of R8/R9.

Kept in one place so that the R8 audit, the R9 forecast and the reports quote the same
figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from opsanalytics.config import RATE_TIERS

THROUGHPUT_CHANGE_EUR = 150.0
#: monthly option price per short code by tier (SMS/s); 10/s is included
THROUGHPUT_MONTHLY_EUR = {10: 0.0, 20: 800.0, 50: 1600.0, 100: 2500.0, 150: 3000.0}
#: tiers from which Orange must be asked (contract: "50 and more must be requested")
REQUEST_FROM_RATE = 50


@dataclass(frozen=True)
class TierOption:
    rate: int                 # SMS/s
    monthly_eur: float        # throughput option price per month
    must_request: bool        # 50/s and more need a request to Orange
    carries_peak: bool        # rate >= the peak to carry


def tier_options(peak_per_second: float) -> list[TierOption]:
    """Every tier with its monthly cost and whether it would carry `peak_per_second`."""
    return [
        TierOption(rate, THROUGHPUT_MONTHLY_EUR[rate], rate >= REQUEST_FROM_RATE, rate >= peak_per_second)
        for rate in RATE_TIERS
    ]


def cheapest_tier(peak_per_second: float) -> TierOption | None:
    """The cheapest tier that carries the peak; None when even 150/s is too little."""
    return next((t for t in tier_options(peak_per_second) if t.carries_peak), None)


def campaign_hours(segments: int, rate: int) -> float:
    """Hours needed to submit `segments` at `rate` SMS/s (e.g. 500,000 at 10/s = 13.9 h)."""
    if rate <= 0:
        raise ValueError("rate must be positive")
    return segments / rate / 3600.0


def usable_hours(window_hours: float, headroom: float) -> float:
    """The hours of one send window a campaign may fill, `headroom` (a share) of it left free
    for retries and throttling."""
    return window_hours * (1 - headroom)


def fits_window(segments: int, rate: int, window_hours: float, headroom: float) -> bool:
    """Whether a campaign fits one send window (R2) at that rate, leaving `headroom` (a
    share) of it free: at exactly the subscribed rate, any second lost to throttling or
    retries pushes its end past the window (RULES.md: 500,000 segments at 10/s, 13.9 h,
    does not fit one 8h-22h window)."""
    return campaign_hours(segments, rate) <= usable_hours(window_hours, headroom)
