"""R11 CONTENT: texts to review, found by keyword and pattern checks (docs/content.md).

The contract's content rules (no adult content, "service gratuit" only when everything is
free, the brand identifiable from the message, no interpersonal tone in marketing, the cost
of a reply disclosed) are judgements a person makes on a text: the checks find the texts to
look at, each with the reasons and the words that raised them, and how many messages carried
it. The word lists are the contract's `[content]` settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from opsanalytics import reference, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import Contract

REASONS = ("adult", "free_claim_priced", "brand_not_named", "interpersonal_tone", "cost_not_disclosed")


@dataclass
class Content:
    """`texts`: one row per text flagged (short_code, brand, category, oadc, reasons, hits,
    text, messages, first_at, last_at, example_load_id, example_line_no, example_mt_ids)."""

    texts: pd.DataFrame
    #: accepted messages whose text the log does not carry: not read, so neither flagged nor clean
    texts_not_logged: int = 0

    @property
    def by_reason(self) -> dict[str, dict[str, int]]:
        """Per reason, the texts and the messages it flags (a text may carry several)."""
        out = {r: {"texts": 0, "messages": 0} for r in REASONS}
        for reasons, messages in zip(self.texts["reasons"], self.texts["messages"]):
            for reason in reasons:
                out[reason]["texts"] += 1
                out[reason]["messages"] += int(messages)
        return out

    def not_logged_note(self) -> str | None:
        """What the count of texts not logged means, for the command and the page alike."""
        if not self.texts_not_logged:
            return None
        return (f"{self.texts_not_logged:,} accepted message(s) of the period have no text in the log (an "
                "access-log-format without %b, an export without text): not read, so neither flagged nor clean")

    def to_json(self) -> dict[str, Any]:
        """The JSON of `opsanalytics content --format json` (docs/content.md)."""
        rows = self.texts.astype(object).where(self.texts.notna(), None)
        records = []
        for row in rows.to_dict("records"):
            row["reasons"] = list(row["reasons"])
            for column in ("first_at", "last_at"):
                row[column] = None if row[column] is None else pd.Timestamp(row[column]).isoformat()
            records.append({k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()})
        return {"rule": "R11", "name": "content", "flagged_texts": len(records),
                "flagged_messages": int(self.texts["messages"].sum()) if len(self.texts) else 0,
                "by_reason": self.by_reason, "texts_not_logged": self.texts_not_logged, "texts": records}


def content(con: duckdb.DuckDBPyConnection, contract: Contract, filters: Filters) -> Content:
    params = {**filters.params(contract), **reference.content_patterns(contract)}
    warehouse.execute(con, "audits/r11_texts", filters.params(contract)).fetchall()
    try:
        # one statement per brand, so that its names pattern is compiled once
        for names in params["brand_names"]:
            warehouse.execute(con, "audits/r11_brand_names", names).fetchall()
        texts = warehouse.fetch_df(con, "audits/r11_content", params)
    finally:
        warehouse.execute(con, "audits/r11_texts_drop").fetchall()
    texts["reasons"] = [list(r) for r in texts["reasons"]]
    texts["example_mt_ids"] = [[int(i) for i in ids] for ids in texts["example_mt_ids"]]
    (not_logged,) = warehouse.execute(con, "audits/r11_texts_not_logged", filters.params(contract)).fetchone()
    return Content(texts, int(not_logged))


def reason_counts(result: Content) -> pd.DataFrame:
    """Messages per reason, most first (a page's bar chart)."""
    rows = [(r, v["messages"], v["texts"]) for r, v in result.by_reason.items() if v["texts"]]
    return (pd.DataFrame(rows, columns=["reason", "messages", "texts"])
            .sort_values(["messages", "reason"], ascending=[False, True], kind="stable").reset_index(drop=True))
