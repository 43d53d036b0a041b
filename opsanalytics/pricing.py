"""Orange's price grid (RULES.md, EUR excl. VAT) and the throughput-tier arithmetic of R8/R9.

Kept in one place so that the R8 audit, the R9 forecast and the reports quote the same
figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from opsanalytics.config import RATE_TIERS

MT_DELIVERED_EUR = 0.030
SHORT_CODE_MONTHLY_FIRST_20_EUR = 150.0
SHORT_CODE_MONTHLY_FROM_21ST_EUR = 500.0
THROUGHPUT_CHANGE_EUR = 150.0
OADC_MONTHLY_EUR = 150.0
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


def fits_window(segments: int, rate: int, window_hours: float, headroom: float) -> bool:
    """Whether a campaign fits one send window (R2) at that rate, leaving `headroom` (a
    share) of it free: at exactly the subscribed rate, any second lost to throttling or
    retries pushes its end past the window (RULES.md: 500,000 segments at 10/s, 13.9 h,
    does not fit one 8h-22h window)."""
    return campaign_hours(segments, rate) <= window_hours * (1 - headroom)


def short_code_monthly_eur(index: int) -> float:
    """Monthly fee of the `index`-th short code (1-based): 150 up to the 20th, 500 after."""
    return SHORT_CODE_MONTHLY_FIRST_20_EUR if index <= 20 else SHORT_CODE_MONTHLY_FROM_21ST_EUR


def segments_at(rate: int, hours: float) -> int:
    """How many segments a tier can carry in `hours`."""
    return int(math.floor(rate * hours * 3600))
