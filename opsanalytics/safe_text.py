"""What the command line prints of the logs' and the contract's text, made safe for where it
goes. Texts, sender names, service names and connection ids come from anyone who can send an
SMS or write a campaign: on a terminal, their control characters (an escape sequence that
recolours the screen or retitles the window, a right-to-left override that turns
`exe.jpg` into `gpj.exe`) are shown as escapes, never obeyed; in a CSV a spreadsheet opens, a
cell starting with = + - @ is written as text, not run as a formula."""

from __future__ import annotations

import re

import pandas as pd

#: C0 controls (tab and line feed apart), DEL, C1 controls, the bidirectional overrides and
#: isolates (U+202A-202E, U+2066-2069)
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_HIDDEN_IN_CELLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: what a spreadsheet reads as the start of a formula (OWASP, CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, in_cell: bool = False) -> str:
    """`text` with its control and bidi-override characters written as escapes (`\\x1b`,
    `\\u202e`); a message's line breaks and tabs kept, a table cell's too made escapes."""
    return (_HIDDEN_IN_CELLS if in_cell else _HIDDEN).sub(_escape, text)


def _text_columns(frame: pd.DataFrame, convert) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(lambda v: convert(v) if isinstance(v, str) else v)
    return out


def for_terminal(frame: pd.DataFrame) -> pd.DataFrame:
    """A table to print: every text cell visible()."""
    return _text_columns(frame, lambda v: visible(v, in_cell=True))


def for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A table to write as CSV: a text cell that would start a formula gets a leading `'`,
    which a spreadsheet shows as text (numbers, negative ones included, are left alone)."""
    return _text_columns(frame, lambda v: "'" + v if v.startswith(_FORMULA_START) else v)
