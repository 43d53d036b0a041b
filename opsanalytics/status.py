"""What the warehouse holds, as counts a script can check (`opsanalytics status`).

The JSON shape is a contract (issue 7): keys and nesting never change. Counts of lines come
from `events`, `log_markers` and `rejected_lines`; DLR linking and final statuses from the
facts, so `status` says exactly what the audits will see.
"""

from __future__ import annotations

from typing import Any

import duckdb

from opsanalytics import warehouse
from opsanalytics.errors import WarehouseError

_ZERO = dict.fromkeys(("lines", "events", "markers", "rejected", "mt_accepted", "mt_refused",
                       "mt_segments", "mo_accepted", "mo_refused", "dlr_lines", "dlr_unmatched",
                       "dlr_delivered", "dlr_failed", "dropped"), 0)


def _one_row(cursor) -> dict[str, Any]:
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return dict(zip(names, rows[0]))


def summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The status document: {"lines", "events", ..., "files": [...]}."""
    built = warehouse.execute(con, "status/facts_built").fetchall()[0][0]
    if built:
        c = {k: int(v) for k, v in _one_row(warehouse.execute(con, "status/summary")).items()}
    elif warehouse.execute(con, "status/event_count").fetchall()[0][0] == 0:
        c = dict(_ZERO)
        c.update({k: int(v) for k, v in _one_row(warehouse.execute(con, "status/line_counts")).items()})
        c["lines"] = c["markers"] + c["rejected"]
    else:
        raise WarehouseError("the warehouse holds events but no facts: run `opsanalytics ingest` to rebuild them")
    files = [
        {"path": path, "sha256": sha, "lines": int(lines), "loaded": int(loaded),
         "rejected": int(rejected), "state": state}
        for path, sha, lines, loaded, rejected, state in warehouse.execute(con, "status/files").fetchall()
    ]
    return {
        "lines": c["lines"], "events": c["events"], "markers": c["markers"], "rejected": c["rejected"],
        "mt": {"accepted": c["mt_accepted"], "refused": c["mt_refused"], "segments": c["mt_segments"]},
        "mo": {"accepted": c["mo_accepted"], "refused": c["mo_refused"]},
        "dlr": {"lines": c["dlr_lines"], "unmatched": c["dlr_unmatched"],
                "delivered": c["dlr_delivered"], "failed": c["dlr_failed"]},
        "dropped": c["dropped"],
        "files": files,
    }


def render_table(doc: dict[str, Any]) -> str:
    """The same counts for a human reader."""
    def n(value: int) -> str:
        return f"{value:,}".replace(",", " ")

    mt, mo, dlr = doc["mt"], doc["mo"], doc["dlr"]
    out = [
        f"lines     {n(doc['lines']):>12}  = events {n(doc['events'])} + markers {n(doc['markers'])}"
        f" + rejected {n(doc['rejected'])}",
        f"MT        {n(mt['accepted']):>12}  accepted (Sent SMS), {n(mt['refused'])} refused/failed/"
        f"discarded/expired, {n(mt['segments'])} segments accepted",
        f"MO        {n(mo['accepted']):>12}  accepted, {n(mo['refused'])} refused",
        f"DLR       {n(dlr['lines']):>12}  Receive DLR lines, {n(dlr['unmatched'])} unmatched",
        f"final     {n(dlr['delivered']):>12}  accepted MT delivered, {n(dlr['failed'])} failed or expired",
        f"dropped   {n(doc['dropped']):>12}",
        "",
    ]
    if not doc["files"]:
        out.append("no file loaded yet")
    else:
        headers = ("state", "lines", "loaded", "rejected", "sha256", "path")
        rows = [(f["state"], n(f["lines"]), n(f["loaded"]), n(f["rejected"]), f["sha256"][:12], f["path"])
                for f in doc["files"]]
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        out.append("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
        for row in rows:
            cells = [c.rjust(w) if i in (1, 2, 3) else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
            out.append("  ".join(cells).rstrip())
    return "\n".join(out)
