"""Orange's price grid (RULES.md, EUR excl. VAT): the throughput tiers and their arithmetic
(R8, R9) and the bill of a month (R12).

Kept in one place so that the R8 audit, the R9 forecast, the bill and the reports quote the
same figures.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from opsanalytics.config import RATE_TIERS, ShortCode

#: R12: one SMS-MT delivered ("remis à l'utilisateur"), i.e. one segment delivered. Money is
#: Decimal: a bill of 1,234,567 segments must come to the cent, not to a float's rounding
MT_DELIVERED_EUR = Decimal("0.030")
#: R12: monthly fee per short code of the contract, by its rank in the contract: the 1st to
#: the 20th, then each from the 21st (throughput 10/s included)
SHORT_CODE_MONTHLY_EUR = Decimal("150")
SHORT_CODE_MONTHLY_FROM_21ST_EUR = Decimal("500")
SHORT_CODE_CHEAP_RANKS = 20
#: R12: monthly price of the OAdC option, per short code that has it
OADC_MONTHLY_EUR = Decimal("150")
#: R12: Géo Présence / green SMS number, monthly per number: the 1st to the 10th of a range
#: (34ABC or 35ABC), then each after the 10th (the offer says "from the 10th" for both: the
#: 10th is read as the last of the cheaper ones)
GEO_PRESENCE_MONTHLY_EUR = Decimal("150")
GEO_PRESENCE_MONTHLY_FROM_11TH_EUR = Decimal("500")
GEO_PRESENCE_CHEAP_RANKS = 10
#: R12: what the logs cannot tell, and so no bill computed from them holds (RULES.md price grid)
#: R12: a short code's set-up, once: technical + administrative (billed in the month of its
#: `since`, when the contract gives it)
SETUP_EUR = (Decimal("280"), Decimal("300"))
NOT_FROM_LOGS = (
    "one-off fees: throughput change (150), OAdC option activation or deactivation (280), other changes (150); "
    "a short code's set-up (280 + 300) only in the month of its `since`, when the contract gives it",
    "basic qualification (200 monthly per company + 0.01 per qualified MSISDN): not in the contract file, "
    "and qualified numbers are not in the gateway's logs",
    "green SMS numbers (numéro court SMS vert, priced as Géo Présence): the contract file does not say which "
    "short codes are",
)
#: the offer: "toute demande de débit supérieur à 20 sms/s sera soumise à devis"
QUOTED_FROM_RATE = 20

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


@dataclass(frozen=True)
class MonthlyFee:
    """One fee Orange bills a short code for a calendar month (R12), and why."""

    short_code: str
    item: str        # short_code_setup | short_code_monthly | throughput_option | oadc_option | geo_presence_option
    eur: Decimal
    basis: str


def monthly_fees(short_codes: Sequence[ShortCode], month: dt.date | None = None) -> list[MonthlyFee]:
    """Every fee of the contract's short codes for `month` (its first day; None: every short
    code, held all along), in the contract's order, which is read as the order they were
    subscribed in: the 21st short code held and the 11th Géo Présence number of a range cost
    more than the ones before them. A short code is billed a month it is held on any day of
    (`since`, `until`), and its set-up in the month of its `since`."""
    fees = []
    geo_ranks: Counter[str] = Counter()
    if month is not None:
        last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        short_codes = [sc for sc in short_codes if sc.held_in(month, last)]
    for rank, sc in enumerate(short_codes, 1):
        if month is not None and sc.since is not None and (sc.since.year, sc.since.month) == (month.year, month.month):
            fees.append(MonthlyFee(sc.code, "short_code_setup", sum(SETUP_EUR, Decimal(0)),
                                   f"set-up, once ({SETUP_EUR[0]} technical + {SETUP_EUR[1]} administrative): "
                                   f"subscribed since {sc.since.isoformat()}"))
        cheap = rank <= SHORT_CODE_CHEAP_RANKS
        fees.append(MonthlyFee(
            sc.code, "short_code_monthly", SHORT_CODE_MONTHLY_EUR if cheap else SHORT_CODE_MONTHLY_FROM_21ST_EUR,
            f"short code {rank} of the contract ({SHORT_CODE_CHEAP_RANKS} first: {SHORT_CODE_MONTHLY_EUR}, then "
            f"{SHORT_CODE_MONTHLY_FROM_21ST_EUR} each); 10 SMS/s included"))
        if THROUGHPUT_MONTHLY_EUR[sc.rate]:
            quoted = (f"; the grid's price: Orange quotes rates above {QUOTED_FROM_RATE}/s, and its quote prevails"
                      if sc.rate > QUOTED_FROM_RATE else "")
            fees.append(MonthlyFee(sc.code, "throughput_option", Decimal(str(THROUGHPUT_MONTHLY_EUR[sc.rate])),
                                   f"subscribed rate {sc.rate} SMS/s{quoted}"))
        if sc.oadc:
            fees.append(MonthlyFee(sc.code, "oadc_option", OADC_MONTHLY_EUR,
                                   "OAdC option: " + ", ".join(sc.oadc)))
        if sc.geo_presence:
            block = sc.code[:2]
            geo_ranks[block] += 1
            n = geo_ranks[block]
            fees.append(MonthlyFee(
                sc.code, "geo_presence_option",
                GEO_PRESENCE_MONTHLY_EUR if n <= GEO_PRESENCE_CHEAP_RANKS else GEO_PRESENCE_MONTHLY_FROM_11TH_EUR,
                f"Géo Présence number {n} of range {block}ABC ({GEO_PRESENCE_CHEAP_RANKS} first: "
                f"{GEO_PRESENCE_MONTHLY_EUR}, then {GEO_PRESENCE_MONTHLY_FROM_11TH_EUR} each)"))
    return fees
