"""Subscriber numbers of the simulation, in disjoint families so that background traffic can
never touch a number an injected scenario relies on:

- background metropolitan mobiles: 33 6[0-8] ... (not 33 639: Mayotte) and 33 7[3-9] ...;
- injected scenarios: 33 699 ... (a fresh number per scenario);
- background opt-outs: 33 698 ... (they send STOP and never get marketing again);
- M2M SIM cards: 33 700 + 10 digits.
Numbers are written as Kannel logs them: `336...` on MT, `+336...` on MO and on replies.
"""

from __future__ import annotations

import numpy as np


def metro_pool(rng: np.random.Generator, size: int) -> list[str]:
    """`size` distinct background mobile numbers, international form without '+'."""
    firsts = np.array([60, 61, 62, 63, 64, 65, 66, 67, 68, 73, 74, 75, 76, 77, 78, 79])
    out: list[str] = []
    seen: set[int] = set()
    while len(out) < size:
        n = size - len(out)
        heads = rng.choice(firsts, size=n * 2)
        tails = rng.integers(0, 10_000_000, size=n * 2)
        values = heads.astype(np.int64) * 10_000_000 + tails
        for v in values.tolist():
            if v // 1_000_000 == 639:
                continue   # 0639 is Mayotte (RULES.md): overseas, not metropolitan
            if v not in seen:
                seen.add(v)
                out.append(f"33{v:09d}")
                if len(out) == size:
                    break
    return out


def m2m_pool(rng: np.random.Generator, size: int) -> list[str]:
    tails = rng.choice(10_000_000_000, size=size, replace=False)
    return [f"33700{int(t):010d}" for t in tails]


class Family:
    """Sequential numbers under a fixed prefix (33699..., 33698...)."""

    def __init__(self, prefix: str, width: int) -> None:
        self.prefix = prefix
        self.width = width
        self.i = 0

    def next(self) -> str:
        self.i += 1
        return f"{self.prefix}{self.i:0{self.width}d}"


#: RULES.md: overseas mobiles written in French national format -> their country code
OVERSEAS_NATIONAL = {"0690": "590", "0691": "590", "0694": "594", "0696": "596", "0697": "596",
                     "0692": "262", "0693": "262", "0639": "262"}


def e164(raw: str) -> str:
    """E.164 of a number as written in a log: 336... / +336... / 0033... / 06..., and the
    overseas mobiles that look metropolitan in national form (0694... -> +594694...). A
    string that cannot be an international number (over 15 digits) is kept as written."""
    if not raw.startswith("0") and not 7 <= len(raw.lstrip("+")) <= 15:
        return raw
    if raw.startswith("+"):
        return raw
    if raw.startswith("00"):
        return "+" + raw[2:]
    if raw.startswith("0"):
        cc = OVERSEAS_NATIONAL.get(raw[:4])
        return f"+{cc}{raw[1:]}" if cc and len(raw) == 10 else "+33" + raw[1:]
    return "+" + raw
