"""What the warehouse holds, as counts a script can check (`opsanalytics status`).

The JSON shape is a contract (issue 7): keys and nesting never change. `lines` is what the
load manifest recorded as read (the loaded files' lines: a skipped file read none, each load
of a continued log its own); `events`, `markers` and `rejected` are the rows `events`,
`log_markers` and `rejected_lines` hold; DLR linking and final statuses come from the facts,
so `status` says exactly what the audits will see. ingest commits a file only when lines =
events + markers + rejected: when the tables no longer hold that (rows deleted, added or moved
since), the document gets one more key, `accounting_mismatch` (README, "status"), and the
command exits 1.
"""

from __future__ import annotations

from typing import Any

import duckdb

from opsanalytics import facts, warehouse
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
        facts.check_code(con)  # dlr.delivered/failed come from the facts: this version's, or none
        c = {k: int(v) for k, v in _one_row(warehouse.execute(con, "status/summary")).items()}
    elif warehouse.execute(con, "status/event_count").fetchall()[0][0] == 0:
        c = dict(_ZERO)
        c.update({k: int(v) for k, v in _one_row(warehouse.execute(con, "status/line_counts")).items()})
    else:
        raise WarehouseError("the warehouse holds events but no facts: run `opsanalytics ingest` to rebuild them")
    files = [
        {"path": path, "sha256": sha, "lines": int(lines), "loaded": int(loaded),
         "rejected": int(rejected), "state": state}
        for path, sha, lines, loaded, rejected, state in warehouse.execute(con, "status/files").fetchall()
    ]
    doc = {
        "lines": c["lines"], "events": c["events"], "markers": c["markers"], "rejected": c["rejected"],
        "mt": {"accepted": c["mt_accepted"], "refused": c["mt_refused"], "segments": c["mt_segments"]},
        "mo": {"accepted": c["mo_accepted"], "refused": c["mo_refused"]},
        "dlr": {"lines": c["dlr_lines"], "unmatched": c["dlr_unmatched"],
                "delivered": c["dlr_delivered"], "failed": c["dlr_failed"]},
        "dropped": c["dropped"],
        "files": files,
    }
    mismatch = _accounting_mismatch(con, doc)
    if mismatch:
        doc["accounting_mismatch"] = mismatch
    return doc


def _accounting_mismatch(con: duckdb.DuckDBPyConnection, doc: dict[str, Any]) -> dict[str, Any] | None:
    """The lines the tables hold against those the manifest recorded as read, in total and
    for each load that differs (a move between loads leaves the total equal); None when
    every load holds its lines."""
    in_tables = doc["events"] + doc["markers"] + doc["rejected"]
    files = [
        {"load_id": int(load_id), "path": path, "state": state, "lines": int(lines), "events": int(events),
         "markers": int(markers), "rejected": int(rejected)}
        for load_id, path, state, lines, events, markers, rejected
        in warehouse.execute(con, "status/accounting").fetchall()
    ]
    if in_tables == doc["lines"] and not files:
        return None
    return {"lines_in_tables": in_tables, "difference": doc["lines"] - in_tables, "files": files}


def mismatch_message(doc: dict[str, Any]) -> str | None:
    """One line for stderr when the tables do not hold the lines read, else None."""
    mismatch = doc.get("accounting_mismatch")
    if not mismatch:
        return None
    check = "lines != events + markers + rejected" if mismatch["difference"] else \
        "lines = events + markers + rejected in total, not for each file"
    return (f"status: {check}: the manifest recorded {doc['lines']} lines read, the tables hold "
            f"{mismatch['lines_in_tables']} ({_difference(mismatch['difference'])}; "
            f"{len(mismatch['files'])} load(s) differ): the tables were changed after ingest")


def _difference(difference: int) -> str:
    if difference > 0:
        return f"{difference} missing"
    if difference < 0:
        return f"{-difference} more than read"
    return "as many in total, not load by load"


def render_table(doc: dict[str, Any]) -> str:
    """The same counts for a human reader."""
    def n(value: int) -> str:
        return f"{value:,}".replace(",", " ")

    mt, mo, dlr = doc["mt"], doc["mo"], doc["dlr"]
    mismatch = doc.get("accounting_mismatch")
    equals = "!=" if mismatch and mismatch["difference"] else "="
    out = [
        f"lines     {n(doc['lines']):>12}  {equals} events {n(doc['events'])}"
        f" + markers {n(doc['markers'])} + rejected {n(doc['rejected'])}",
    ]
    if mismatch:
        out.append(f"WARNING   the tables hold {n(mismatch['lines_in_tables'])} lines, the manifest recorded "
                   f"{n(doc['lines'])} read ({_difference(mismatch['difference'])}): they were changed "
                   "after ingest, the audits do not see what was loaded")
        for f in mismatch["files"]:
            if f["path"] is None:
                where = f"load {f['load_id']} (no manifest row)"
            else:
                where = f"{f['path']} (load {f['load_id']}{', skipped' if f['state'] == 'skipped' else ''})"
            out.append(f"          {where}: the manifest records {n(f['lines'])} lines read, the tables hold "
                       f"{n(f['events'] + f['markers'] + f['rejected'])} (events {n(f['events'])}, "
                       f"markers {n(f['markers'])}, rejected {n(f['rejected'])})")
    out += [
        f"MT        {n(mt['accepted']):>12}  accepted (Sent SMS), {n(mt['refused'])} refused/failed/"
        f"discarded/expired, {n(mt['segments'])} segments accepted",
        f"MO        {n(mo['accepted']):>12}  accepted, {n(mo['refused'])} refused",
        f"DLR       {n(dlr['lines']):>12}  Receive DLR lines, {n(dlr['unmatched'])} unmatched",
        f"final     {n(dlr['delivered']):>12}  accepted MT delivered, {n(dlr['failed'])} failed, expired "
        "or rejected (final receipt)",
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
