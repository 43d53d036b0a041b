"""Load one Kannel bearerbox access log (plain or gzip) into events / log_markers /
rejected_lines, exactly as KANNEL.md describes the format.

Python only orchestrates; DuckDB parses (queries/staging/kannel_*.sql), streaming, one
block of lines at a time (opsanalytics.ingest.lineblocks: numbered lines as Arrow, read a
block ahead in a thread, the file's sha256 computed in the same read), so memory does not
grow with the file:
  1. kannel_events_fast (built-in layout only), per block: tokenised once on '] [', the
     standard lines become events
  2. kannel_leftover, per block: every other line, kept for the positional path
  3. kannel_slow: the leftovers read positionally (regex up to the text, text sliced by its
     LEN, the rest checked), each an event, a marker or a reject with its reason; then
     kannel_again / kannel_again_apply: the few lines that may hold one of the format's
     delimiters inside a field (a sender 'Shop;Paris' of '%p;%P') read again with it there
  4. kannel_dst_shift: local logs, the repeated autumn hour resolved from the line order
  5. after the load is recorded (resolve_rotation): the repeated hour across the files of
     the log, when a rotation cut it inside that hour (kannel_dst_rotation)
Every physical line ends up in exactly one of events, log_markers, rejected_lines.

Decisions (the why is in the SQL comments):
  - text: coding 2 hex -> UTF-16BE decoded; coding 1 hex -> UTF-8 when the bytes are UTF-8,
    else shown printable ('.' for bytes outside 0x20-0x7E); other codings as logged.
  - text_lossy: coding 0/-1 iff the text holds a '.' (Kannel writes every byte outside
    0x20-0x7E as '.', and a full stop cannot be told from a replaced byte); coding 1 iff the
    bytes are not UTF-8; coding 2 iff a code unit is incomplete or a surrogate unpaired.
  - segments (MT lines): 1 for a part with a concatenation UDH that fits one segment (an
    overlong part Kannel splits again counts its own); else from coding and length
    (GSM 160/153 septets, extension characters 2; 8-bit 140/134 octets; UCS-2 counted in
    octets too, as Kannel cuts it: 140/134, i.e. 70/67 units), less any other UDH (under the
    application's UDH a UCS-2 part may hold an odd number of octets). For lossy GSM text a run of k dots is between ceil(k/2) and k septets; the count
    stored uses the lower bound (2-byte letters, the usual case in French) and
    segments_exact is false when the upper bound gives another count.
  - time: the prefix, in contract.log_timezone; in a local log the repeated autumn hour is
    the first occurrence until a line goes back in time by more than FOLD_TOLERANCE_S within
    it, the second occurrence from that line on. access_log_clean: %t (UTC) or %T (epoch) of
    the format; without either the file is refused.
  - a line that is not UTF-8 is read as Latin-1, a character a byte (Kannel 1.4.0-1.4.1 write
    texts unescaped in Latin-1, LEN counting those bytes: the positional path counts
    characters); a carriage return inside a line stays in its field; NUL bytes become U+FFFD
    (lineblocks).
  - a file none of whose lines is an event is refused (wrong format or contract), so a
    mistaken --format or access_log_format never loads a file of rejects.
  - damaged lines: the fast path takes numbers and times only as Kannel prints them (a
    cast would also take '+1', ' 16' or an hour ' 4'), so both paths read every line alike
    (tests damage real lines at random to check it); a number too large for its column
    and a time outside 1970-2099 (warehouse.EVENT_TIMES) reject the line with the reason.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import LoadCounts
from opsanalytics.ingest.kannel_format import (ANY_TAG_IN_VALUE, DEFAULT_FORMAT, TAG_IN_VALUE, ParsePlan,
                                                build_plan)
from opsanalytics.ingest.lineblocks import Identity, LineReadError, Start, read_blocks
from opsanalytics.ingest.progress import LoadProgress

#: a line earlier than one already seen in the repeated hour by more than this is the clock
#: going back (lines are written by several threads: seconds of jitter are not a change)
FOLD_TOLERANCE_S = 60
#: what smsbox writes in its own access log (gw/smsbox.c), a file users mistake for
#: bearerbox's: a file of these lines is refused with a pointer to the right one, and such
#: lines in a bearerbox log (both boxes given one file) are rejected with that reason
SMSBOX_LINES = (" send-SMS request added - ", " send-SMS request failed - ", " SMS HTTP-request sender:",
                " SMS request sender:")
#: how a line of bearerbox's or smsbox's own log (log-file) is rejected (queries/staging/
#: kannel_macros.sql): a file of them is refused with a pointer to the access log
GATEWAY_LOG_REASON = "a line of the gateway's own log"
#: the starts of the reasons of lines rejected as lines of another log written into the access
#: log's file (smsbox's access log, the gateway's own log): certainly no event, so `audit` does
#: not count them among the rejected lines that might hide a breach
OTHER_LOG_REASONS = ("an smsbox access-log line", GATEWAY_LOG_REASON)
#: lines that may hold one of the format's delimiters inside a field are read again with it
#: there (queries/staging/kannel_again.sql) unless more than half of a load's lines, and more
#: than this, would be: so many values holding a delimiter means a format that does not match
#: the log, whose values a second reading would only bend to it
REREAD_ALWAYS = 20
#: a line cut short of its LEN by a newline written raw in its text (Kannel 1.4.0/1.4.1) is
#: read again joined to at most this many lines after it (queries/staging/kannel_joined.sql):
#: a text of up to this many line breaks
JOIN_LINES = 64
#: row groups of `events` a writing thread buffers before flushing them to the file (DuckDB's
#: default 5, ~200 MB a thread; with blocks, 2 to 6 measured the same, within noise)
WRITE_BUFFER_ROW_GROUPS = 2


def load_hashing(con: duckdb.DuckDBPyConnection, path: Path, load_id: int, contract: Contract,
                 progress: bool = True, start: Start = Start(),
                 earlier_loads: tuple[int, ...] = ()) -> tuple[Identity, LoadCounts]:
    """`load`, returning the file's identity (sha256 of its bytes and of its content) too,
    computed in the same read of the file: for a file that cannot be a duplicate (ingest
    checks its size), hashing first would cost a read of a large log for nothing. `start`:
    the lines before it are part of a load already made (read and hashed, not loaded), and
    `earlier_loads` the loads that hold them."""
    identity = Identity()
    counts = load(con, path, load_id, contract, progress, identity=identity, start=start,
                  earlier_loads=earlier_loads)
    return identity, counts


def plan_for(contract: Contract) -> ParsePlan:
    return build_plan(contract.access_log_format, contract.access_log_clean, contract.source)


def load(con: duckdb.DuckDBPyConnection, path: Path, load_id: int, contract: Contract,
         progress: bool = True, identity: Identity | None = None, start: Start = Start(),
         earlier_loads: tuple[int, ...] = ()) -> LoadCounts:
    """Load one access log (its lines from `start`; `earlier_loads` hold the lines before it)
    inside the caller's transaction; returns its accounting. `identity`, when given, is
    filled as the file is read."""
    plan = plan_for(contract)
    path = Path(path)
    bar = LoadProgress(progress, path, path.stat().st_size)
    # DuckDB's memory is the connection's limit (ingest --memory-limit, default
    # warehouse.LOAD_MEMORY_LIMIT); the blocks of lines are Arrow memory outside it, at most
    # three of BLOCK_BYTES
    old_buffer = con.execute("SELECT current_setting('write_buffer_row_group_count')").fetchone()[0]
    try:
        con.execute("SET write_buffer_row_group_count = $groups", {"groups": int(WRITE_BUFFER_ROW_GROUPS)})
        # DuckDB's own bar would print to the terminal: ours polls its progress instead
        con.execute("SET enable_progress_bar_print = false")
        counts, replaced, latin1, notes = _stage(con, path, load_id, contract, plan, identity, start, earlier_loads, bar)
    except LineReadError as exc:
        raise IngestError(f"{path}: {exc}") from None
    finally:
        bar.close()
        _quietly(con, "SET write_buffer_row_group_count = $groups", {"groups": int(old_buffer)})
    if replaced:  # a warning about the data, not progress: printed with --quiet too
        print(f"{path}: {replaced} NUL byte(s) were loaded as U+FFFD", file=sys.stderr)
    if latin1:
        print(f"{path}: {latin1} line(s) that are not UTF-8 were read as Latin-1 (Windows-1252), "
              "a character a byte", file=sys.stderr)
    for note in notes:
        print(f"{path}: {note}", file=sys.stderr)
    if counts.rejected and not counts.events and not start.offset:
        first = warehouse.execute(con, "staging/load_first_rejects", {"load_id": load_id, "n": 10}).fetchall()
        (line_no, reason, _), raws = first[0], [raw or "" for *_, raw in first]
        unfinished = identity is not None and identity.content_bytes > identity.complete_bytes
        being_written = (unfinished and counts.rejected == 1 and line_no == counts.lines
                         and (counts.markers or _begins_like_a_line(raws[0])))
        if counts.rejected == 1 and line_no == counts.lines and "\r" in raws[0] and (
                _cr_line_ends(raws[0]) or not being_written):
            # one line holding carriage returns, and no event: a log whose lines end with CR
            # alone (old Mac line ends), which no reader splits into lines: not a line being
            # written, which would load as rejected for now and never be read whole
            raise IngestError(f"{path}: its lines end with a carriage return only (CR, as on old Macs), "
                              f"not a line feed: it reads as one line {line_no}, which is no Kannel "
                              "access-log line; convert the line ends (`tr '\\r' '\\n' < FILE > FILE.log`) "
                              "and load that")
        if being_written:
            # the live log just after a rotation (or a copytruncate): a `Log begins` at most,
            # and the line the gateway is writing, which has no line end yet. Not a wrong
            # format: loaded as it is, rejected, and a later, longer copy reads that line
            # whole (continues_load_id)
            print(f"{path}: line {line_no} has no line end yet (the gateway was writing it): rejected "
                  "for now; the next ingest of this log reads it whole", file=sys.stderr)
            return counts
        hint = "check --format and the contract's access_log_format"
        if any(mark in raw for raw in raws for mark in SMSBOX_LINES):
            hint = ("this is smsbox's access log (HTTP requests); the traffic is in bearerbox's: "
                    "the access-log of the core group")
        elif reason.startswith(GATEWAY_LOG_REASON):
            hint = ("this is the gateway's own log (log-file); the traffic is in its access log: the "
                    "access-log of the core group")
        raise IngestError(f"{path}: no line is a Kannel access-log line of the configured format "
                          f"(line {line_no}: {reason}); {hint}")
    return counts


#: the start of a line Kannel writes with its time prefix, digit by digit (`d`)
_PREFIX_SHAPE = "dddd-dd-dd dd:dd:dd "


def _begins_like_a_line(raw: str) -> bool:
    """Whether `raw` is the start of a prefixed Kannel line, cut anywhere (`2026-11-2`,
    `2026-11-23 10:15:03 Receive DLR [SMSC:`): a one-line file of anything else is not a log
    being written but another file."""
    head = raw[:len(_PREFIX_SHAPE)]
    return bool(head) and all(c.isdigit() if s == "d" else c == s for c, s in zip(head, _PREFIX_SHAPE))


def _cr_line_ends(raw: str) -> bool:
    """Whether `raw` holds lines ended by a carriage return alone: a piece after a CR starts
    as a prefixed Kannel line does (a CR in a text, written raw, is followed by its text)."""
    return any(_begins_like_a_line(piece) for piece in raw.split("\r")[1:])


def _stage(con, path: Path, load_id: int, contract: Contract, plan: ParsePlan,
           identity: Identity | None, start: Start, earlier_loads: tuple[int, ...],
           bar: LoadProgress) -> tuple[LoadCounts, int, int, list[str]]:
    params = {
        "load_id": load_id, "tz": contract.log_timezone, "prefix": plan.prefix,
        "time_source": plan.time_source, "fold_tolerance_s": FOLD_TOLERANCE_S, **plan.params(),
        "earlier_loads": list(earlier_loads), "start_line": start.line, "smsbox_marks": list(SMSBOX_LINES),
        "reread_always": REREAD_ALWAYS, "join_lines": JOIN_LINES, **warehouse.EVENT_TIMES,
    }
    lines = replaced = latin1 = 0
    con.execute(warehouse.query_text("staging/kannel_drop"))
    con.execute(warehouse.query_text("reference/segment_macros"))
    con.execute(warehouse.query_text("staging/kannel_macros"))
    try:
        warehouse.execute(con, "staging/kannel_left_table")
        for block in read_blocks(path, identity, start=start):
            _parse_block(con, plan, block.table, {**params, "first_line": block.first_line,
                                                  "last_line": block.first_line + block.lines - 1},
                         block.lines)
            lines += block.lines
            replaced += block.replaced
            latin1 += block.latin1
            bar.at(block.file_bytes)
        params["lines"] = lines
        bar.run(con, "odd lines", "staging/kannel_slow", params)
        warehouse.execute(con, "staging/kannel_again", params)
        warehouse.execute(con, "staging/kannel_again_apply", params)
        notes = _reread_notes(warehouse.execute(con, "staging/kannel_again_stats", params).fetchone(), plan, lines)
        warehouse.execute(con, "staging/kannel_joined", params)
        warehouse.execute(con, "staging/kannel_joined_apply", params)
        notes += _joined_notes(*warehouse.execute(con, "staging/kannel_joined_stats", params).fetchone())
        warehouse.execute(con, "staging/kannel_events_slow", params)
        warehouse.execute(con, "staging/kannel_markers", params)
        warehouse.execute(con, "staging/kannel_rejects", params)
        builtin = plan.log_format == DEFAULT_FORMAT  # (read by its tags, on the fast path too)
        notes += _mismatch_notes(warehouse.execute(
            con, "staging/kannel_format_mismatch",
            {**params, "tag_pattern": ANY_TAG_IN_VALUE if builtin else TAG_IN_VALUE, "builtin": builtin}).fetchall(),
            builtin)
        if plan.time_source == "prefix":
            warehouse.execute(con, "staging/kannel_dst_shift", params)
            warehouse.execute(con, "staging/kannel_dst_events", params)
            warehouse.execute(con, "staging/kannel_dst_markers", params)
        row = warehouse.execute(con, "staging/kannel_counts", params).fetchone()
    finally:
        _quietly(con, warehouse.query_text("staging/kannel_drop"))
    return LoadCounts(*map(int, row)), replaced, latin1, notes


def resolve_rotation(con: duckdb.DuckDBPyConnection, contract: Contract, load_id: int, path: Path) -> None:
    """The repeated autumn hour across the files of one log (kannel_dst_rotation.sql), once
    load `load_id` of `path` is recorded: lines of the hour read as its first run that the
    other files show to be in the second run are moved there (this load's, or those of a log
    loaded before, the newer file of a rotation loaded first), and said on stderr; two files
    whose order their lines cannot tell are said too. Nothing but one query on the load's own
    lines unless it has lines in a repeated hour."""
    if plan_for(contract).time_source != "prefix":
        return
    params = {"load_id": load_id, "tz": contract.log_timezone, "fold_tolerance_s": FOLD_TOLERANCE_S}
    hours = [row[0] for row in warehouse.execute(con, "staging/kannel_dst_rotation_hours", params).fetchall()]
    if not hours:
        return
    decisions = warehouse.execute(con, "staging/kannel_dst_rotation", {
        **params, "hours": hours, "window_from": min(hours),
        "window_to": max(hours) + dt.timedelta(hours=2)}).fetchall()
    zone = ZoneInfo(contract.log_timezone)
    for kind, hour, load_ids, paths, lines, first_lo, by_path, by_hi, why in decisions:
        if kind in ("this", "earlier"):
            moved = {"load_ids": list(load_ids), "hour": hour}
            warehouse.execute(con, "staging/kannel_dst_rotation_events", moved)
            warehouse.execute(con, "staging/kannel_dst_rotation_markers", moved)
        print(_rotation_note(kind, path, zone, hour, paths, lines, first_lo, by_path, by_hi, why), file=sys.stderr)


def _rotation_note(kind: str, path: Path, zone: ZoneInfo, hour: dt.datetime, paths, lines: int,
                   first_lo: dt.datetime, by_path: str | None, by_hi: dt.datetime, why: str | None) -> str:
    def local(at: dt.datetime) -> str:
        return at.astimezone(zone).isoformat(" ")

    start = hour.astimezone(zone)
    span = f"{start:%Y-%m-%d} {start:%H:%M}-{(start + dt.timedelta(minutes=59)):%H:%M}"
    offset = (hour + dt.timedelta(hours=1)).astimezone(zone).isoformat()[-6:]
    second = f"UTC{offset}"
    if kind == "this":
        reason = {"continued": "this file continues it", "before": "it has lines before that hour",
                  "after": "this file has lines after that hour"}[why]
        return (f"{path}: {lines} line(s) of the repeated hour {span} ({zone.key}) were read as its SECOND run "
                f"({second}), not the first: {by_path} is older ({reason}) and has a line at {local(by_hi)}, "
                f"later than this file's first line of that hour read as the first run ({local(first_lo)}); "
                "the lines of one log go forward in time, so this file was started inside the repeated hour "
                "(a rotation then)")
    earlier = ", ".join(paths)
    if kind == "earlier":
        reason = {"before": "it has lines before that hour", "after": f"{earlier} has lines after that hour"}[why]
        return (f"{path}: {lines} line(s) of the repeated hour {span} ({zone.key}) in {earlier}, loaded before "
                f"and read as its first run, were moved to its SECOND run ({second}, +1 h): {path} is older "
                f"({reason}) and has a line at {local(by_hi)}, later than their first line of that hour "
                f"({local(first_lo)}); the lines of one log go forward in time, so {earlier} was started "
                "inside the repeated hour (a rotation then)")
    return (f"warning: {path} and {earlier} both have lines of the repeated hour {span} ({zone.key}) read as "
            f"its first run, overlapping on the wall clock ({earlier}: {local(first_lo)} to {local(by_hi)}), "
            "and neither shows the clock going back; their lines do not tell which file is the older. If they "
            "are two files of one log (a rotation inside that hour), the newer one's lines of that hour are "
            "1 h early: load the files concatenated in their order (`cat OLDER NEWER > whole.log`) into a new "
            "warehouse, where the line order resolves the hour. If they are the logs of two gateways, they "
            "are right as read.")


def _mismatch_notes(fields: list[tuple], builtin: bool) -> list[str]:
    """A format that leaves out a tag the log has loads its text into the field before it
    (kannel_format_mismatch.sql): say so, field by field. With the built-in layout (no
    access_log_format configured) the tag is one a custom format of the gateway adds."""
    if builtin:
        return [f"warning: {lines:,} of {events:,} events have a {field} holding a tag where Kannel's "
                f"built-in layout writes none (e.g. {example!r}): the gateway likely has a custom access-log-format "
                "(such as one with [ID:%I]); set access_log_format in the contract to it"
                for field, lines, events, example in fields]
    return [f"warning: {lines:,} of {events:,} events have a {field} holding a tag of Kannel's layout "
            f"(e.g. {example!r}): the configured access_log_format likely does not match the log (a tag "
            "of the log left out of it?)" for field, lines, events, example in fields]


def _reread_notes(stats: tuple, plan: ParsePlan, lines: int) -> list[str]:
    """What ingest says of the lines read again with a delimiter inside a field
    (kannel_again_stats.sql): which fields hold one now, or that there were too many to."""
    marked, reread, held = stats
    ends = " or ".join(dict.fromkeys(f'"{end[0]}"' for end in plan.field_ends))
    if marked and not reread:
        return [f"warning: {marked:,} of {lines:,} lines hold {ends} more often than the access-log format "
                "writes it: too many for values that hold one, so they were read as the format says "
                "(the format most likely does not match the log: a field more or less? Or a value on most "
                "lines holds it, such as a link's login or a service name: then only a separator no value "
                "holds can tell the fields apart)"]
    if not held:
        return []
    fields = ", ".join(f"{h['field']} ({h['lines']:,} line(s), e.g. {h['example']!r})" for h in held)
    return [f"{sum(h['lines'] for h in held):,} line(s) hold {ends}, which the access-log format puts between "
            f"fields, inside a value; read where the line fits: {fields}"]


def _joined_notes(events: int, continued: int) -> list[str]:
    if not events:
        return []
    return [f"{events:,} event(s) hold a newline written raw in their text (as Kannel 1.4.0/1.4.1 write "
            f"it), which cut each short of its LEN: read joined to the {continued:,} line(s) after them that "
            "continue them (counted as markers 'continued')"]


def _parse_block(con: duckdb.DuckDBPyConnection, plan: ParsePlan, stg_kannel_block, params: dict,
                 lines: int) -> None:
    """The fast path over one block of `lines` lines, then its leftovers set aside (none
    when the fast path made an event of every line, the usual block of a clean log). The
    SQL reads the block's Arrow table by the name of the local variable `stg_kannel_block`
    (DuckDB's replacement scan): a view registered with con.register would keep every block
    alive until the caller's transaction ends, so memory would grow with the file."""
    events = 0
    if plan.fast:
        fast = warehouse.query_text("staging/kannel_events_fast")
        # events carry their line numbers: their physical order does not matter
        with warehouse.unordered_writes(con):
            [(events,)] = con.execute(fast, warehouse.bind(fast, params)).fetchall()
    if events < lines:
        leftover = warehouse.query_text("staging/kannel_leftover")
        con.execute(leftover, warehouse.bind(leftover, params))
    del stg_kannel_block  # (the name the SQL reads: see above)


def _quietly(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> None:
    """Clean-up that must not hide the error that brought us here (an aborted transaction
    refuses every statement until the caller rolls back, which drops temp tables anyway)."""
    try:
        con.execute(sql, params or {})
    except duckdb.Error:
        pass
