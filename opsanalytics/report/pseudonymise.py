"""Numbers shown in reports as salted hashes, so a report can circulate without personal data.

The same number gives the same token within one salt, so an analyst can still follow one
recipient across tables and notebooks of a report. The salt comes from the environment
(`OPSANALYTICS_SALT`, wins) or the contract (`[report] pseudonymise_salt`); without either,
the report runner sets a one-off random salt for the whole run (tokens then do not match
across runs, which is the safe default).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from typing import Iterable

import pandas as pd

from opsanalytics.config import Contract

SALT_ENV = "OPSANALYTICS_SALT"
#: set beside SALT_ENV when the run drew its salt itself: pages then say their hashes are theirs
ONE_OFF_ENV = "OPSANALYTICS_SALT_ONE_OFF"

#: columns holding phone numbers, pseudonymised wherever a report shows them
NUMBER_COLUMNS = ("msisdn", "msisdn_raw", "number", "recipient", "sender")

#: columns holding raw log text, where numbers are hashed inside the text
RAW_TEXT_COLUMNS = ("raw", "example_raw")
#: a phone number inside a log line: 9 to 15 digits, optionally with + or 00 in front
_NUMBER_IN_TEXT = re.compile(r"(?<![\w])\+?\d{9,15}(?![\w])")

_TOKEN_HEX = 10  # 40 bits: collisions are negligible for the numbers of one report


def salt_for(contract: Contract | None) -> str | None:
    """The configured salt: environment first, then the contract; None when neither."""
    env = os.environ.get(SALT_ENV)
    if env:
        return env
    if contract is not None and contract.report.pseudonymise_salt:
        return contract.report.pseudonymise_salt
    return None


def ensure_salt(contract: Contract | None) -> tuple[str, bool]:
    """The salt to use for a report run, and whether it was configured.

    When none is configured a random one is placed in the environment, so every notebook
    kernel the run starts (they inherit it) hashes the same number to the same token.
    """
    salt = salt_for(contract)
    if salt:
        return salt, True
    salt = secrets.token_hex(16)
    os.environ[SALT_ENV] = salt
    os.environ[ONE_OFF_ENV] = "1"
    return salt, False


def one_off() -> bool:
    """Whether this run's salt was drawn for it (no salt configured): the same number then has
    another hash in every other report, which a reader comparing two reports must be told."""
    return os.environ.get(ONE_OFF_ENV) == "1"


def describe(pseudonymised: bool) -> str:
    """How a page shows numbers, for its header and the index: a reader comparing two reports
    saw two hashes of one number and no word why."""
    if not pseudonymised:
        return "shown in clear"
    if one_off():
        return ("pseudonymised (salted hash, this report's own salt: the same number has another hash in "
                "other reports; set [report] pseudonymise_salt to compare them)")
    return "pseudonymised (salted hash)"


def token(number: str, salt: str) -> str:
    """`+33 6•• #3fa9c01b2e`: the country and first digit stay readable, the rest is hashed."""
    digest = hmac.new(salt.encode(), number.encode(), hashlib.sha256).hexdigest()[:_TOKEN_HEX]
    visible = number[:4] if number.startswith("+") else number[:2]
    return f"{visible}…#{digest}"


def pseudonymise_series(values: pd.Series, salt: str) -> pd.Series:
    """Hash every distinct value once (reports show at most thousands of rows)."""
    distinct = values.dropna().astype(str).unique()
    mapping = {v: token(v, salt) for v in distinct}
    return values.map(lambda v: mapping.get(str(v), v) if pd.notna(v) else v)


def mask_numbers_in_text(text: str, salt: str) -> str:
    """Every phone number inside a raw log line replaced by its token."""
    return _NUMBER_IN_TEXT.sub(lambda m: token(m.group(0), salt), text)


def pseudonymise_frame(frame: pd.DataFrame, salt: str,
                       columns: Iterable[str] = NUMBER_COLUMNS) -> pd.DataFrame:
    """A copy of `frame` with its number columns hashed, and the numbers inside raw log text
    (rejected lines) hashed too; other columns untouched."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = pseudonymise_series(out[column], salt)
    for column in RAW_TEXT_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(lambda v: mask_numbers_in_text(v, salt) if isinstance(v, str) else v)
    return out
