"""What the audits cannot see in a warehouse just loaded, said at load time rather than found
out from an empty audit (`opsanalytics ingest` prints these on stderr after the commit)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb

from opsanalytics import warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import Contract
from opsanalytics.ingest import LoadResult, reading_warning
from opsanalytics.ingest.kannel import plan_for
from opsanalytics.ingest.kannel_format import lost_fields
from opsanalytics.report.insights import (clock_offsets, clock_warnings, connections_not_in_contract, dlr_unmatched,
                                          services_not_in_contract)


def cautions(con: duckdb.DuckDBPyConnection, contract: Contract, results: list[LoadResult],
             config: str) -> list[str]:
    """Lines already loaded with another log_timezone or access-log format than the
    contract's (kept as they were read), services the contract `config` does not name,
    connections it does not map while it maps some, MT lines with no connection
    nor short code, MOs a mapped connection carried for
    another of its short codes, a log_timezone that the SMSC's receipts
    contradict, a log whose clock steps at a restart, lines of a repeated autumn hour that no
    line places, `Sent SMS` lines that do not read as Kannel writes them (a format naming the
    gateway's fields in another order), what a custom access-log format leaves out, delivery reports and MOs
    forwarded as MTs, MT lines longer than a message can be, receipts without a status or matching no MT;
    one message each, in that order. Those about the traffic speak of the local days of the
    events this call loaded (the whole warehouse when it loaded none)."""
    out = [w for w in (reading_warning(r, contract) for r in results) if w]
    scope, days = loaded_days(con, contract, results)
    unnamed = services_not_in_contract(con, contract, scope)
    if len(unnamed):
        out.append(services_warning(unnamed, config, days))
    unmapped = connections_not_in_contract(con, contract, scope)
    if len(unmapped):
        out.append(connections_warning(unmapped, config, days))
    nameless = warehouse.execute(con, "reports/mt_without_short_code", scope.params(contract)).fetchone()
    if nameless:
        out.append(no_short_code_warning(*nameless, days=days))
    warehouse.execute(con, "facts/macros").fetchall()  # (short_code_written: a rebuild kept may not have run it)
    misrouted = warehouse.execute(con, "reports/mo_addressed_to_another_short_code", scope.params(contract)).fetchall()
    if misrouted:
        out.append(misrouted_mo_warning(misrouted, config, days, contract.timezone))
    skewed = clock_warnings(clock_offsets(con, contract, scope))
    if len(skewed):
        canonical = bool(results) and all(r.format in ("csv", "parquet") for r in results)
        out.append(clock_warning(skewed, contract.log_timezone, config, canonical=canonical))
    steps = clock_steps(con)
    if steps:
        out.append(clock_steps_warning(steps, contract.log_timezone, config))
    out += [unplaced_warning(row, contract.log_timezone) for row in unplaced_hours(con, contract, results)]
    loaded = [r.load_id for r in results if r.format == "kannel" and r.load_id is not None]
    if loaded:
        out += [misread_warning(row, config) for row in warehouse.execute(
            con, "reports/mt_lines_misread", {"load_ids": loaded, "min_lines": MISREAD_MIN_LINES}).fetchall()]
    lost = lost_fields(contract.access_log_format, contract.access_log_clean)
    if lost and any(r.format == "kannel" and r.state == "loaded" for r in results):
        out.append(f"warning: the access_log_format of {config} leaves out:\n"
                   + "\n".join(f"  {why}" for why in lost))
    forwarded = warehouse.execute(con, "reports/forwarded_lines").fetchall()
    if forwarded:
        out.append(forwarded_warning(forwarded))
    oversized = warehouse.execute(con, "reports/mt_lines_oversized", {"max_parts": MAX_PARTS}).fetchone()
    if oversized:
        out.append(oversized_warning(*oversized))
    unread = warehouse.execute(con, "reports/receipts_without_status").fetchall()
    if unread:
        out.append(receipts_warning(unread))
    crossed = warehouse.execute(con, "reports/receipts_on_another_connection", scope.params(contract)).fetchall()
    if crossed:
        out.append(crossed_receipts_warning(crossed, days))
    elsewhere = warehouse.execute(con, "reports/receipts_naming_another_text", scope.params(contract)).fetchall()
    if elsewhere:
        out.append(another_text_warning(elsewhere))
    unmatched = unmatched_receipts(dlr_unmatched(con, contract, scope), explained={row[0] for row in crossed})
    if unmatched:
        out.append(unmatched)
    return out


def another_text_warning(rows: list[tuple]) -> str:
    """Receipts linked to an MT whose `text:` names another message (receipts_naming_another_text.sql):
    Kannel matched them on an id read in the wrong base, and their MTs took another's status."""
    listed = ", ".join(f"{smsc} {another:,} of {compared:,}" for smsc, compared, another, *_ in rows[:10])
    _, _, _, path, line_no, said, mt_text = rows[0]
    return (f"warning: receipts linked to an MT name another text than its own (an SMPP receipt's text: is the "
            f"start of the message it reports on): {listed}, first at {path} line {line_no:,}, "
            f"{said.strip()!r} on the MT {mt_text!r}. Kannel matched them to other messages, most likely because "
            "the SMSC writes its receipt ids in another base than its submit_sm_resp ids (hex and decimal): set "
            "msg-id-type in that smsc group of kannel.conf. Those MTs' delivery statuses are another message's, "
            "and so are R12's bill and R14's delivery figures that count them.")


def misrouted_mo_warning(rows: list[tuple], config: str, days: str, tz: str) -> str:
    """MOs a connection mapped to one short code carried for another (an SMSC routing one
    code's MOs over another's bind): the connection decides, which moves opt-outs to its
    short code's brands without a word."""
    listed = "\n".join(f"  {mo_lines:,} MO line(s) on {smsc} (short code {code}) addressed to {to}"
                       f"{f', {opt:,} of them STOP/START' if opt else ''}: "
                       f"first {first.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M:%S}"
                       for smsc, code, to, mo_lines, opt, first, _ in rows[:10])
    more = f"\n  and {len(rows) - 10} more" if len(rows) > 10 else ""
    return (f"warning: MO lines{days} were received on a connection {config} maps to one short code but "
            f"addressed to another of its short codes:\n{listed}{more}\nThey count as the connection's short "
            "code's (its opt-outs concern that code's brands, its 34ABC sessions open there), not as the code "
            "the subscriber wrote to. If one bind carries several short codes, leave its smsc out of the "
            "contract: each line then takes its short code from its sender (MT) or receiver (MO).")


def loaded_days(con: duckdb.DuckDBPyConnection, contract: Contract, results: list[LoadResult]) -> tuple[Filters, str]:
    """The period of the events `results` loaded, as audit filters and as words (' on
    2026-11-24', ' from ... to ...'); the whole warehouse (and '') when they loaded none. A
    service missing from the contract for one MT of weeks ago was otherwise said again by
    every nightly ingest."""
    loaded = [r.load_id for r in results if r.load_id is not None and r.events]
    if not loaded:
        return Filters(), ""
    first, last = warehouse.execute(con, "staging/loads_local_days",
                                    {"load_ids": loaded, "tz": contract.timezone}).fetchone()
    return Filters(first, last), f" on {first}" if first == last else f" from {first} to {last}"


#: log_clock_steps.sql: a restart whose clock goes back half an hour or more (a clock set right
#: by NTP moves seconds), or forward by whole hours within seconds of a clean stop (a restart
#: takes 2 s; Kannel 1.4.5, r4 run), by at most the largest UTC offset; the line before a
#: restart is looked for among the 1000 before it (a whole scan of 15 M events took 4 s)
CLOCK_STEPS = {"back_seconds": 1800, "restart_seconds": 10, "max_hours": 14, "window_lines": 1000}


def clock_steps(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The restarts at which a log's clock steps (log_clock_steps.sql, which reads the
    log_of_load macro)."""
    warehouse.execute(con, "reports/log_of_load").fetchall()
    return warehouse.execute(con, "reports/log_clock_steps", CLOCK_STEPS).fetchall()


def clock_steps_warning(steps: list[tuple], log_timezone: str, config: str) -> str:
    """A restart changing access-log-time (local <-> gmt) leaves one log in two time zones,
    which one log_timezone reads an hour or two off for every line after it: silently, since
    they still parse (R2, R4 judged on wrong times)."""
    listed = "\n".join(
        f"  {path} line {line_no}: {direction} {_duration(abs(step))}"
        f"{' right after a clean stop' if direction == 'forward' else ''} "
        f"({before:%Y-%m-%d %H:%M:%S} on line {previous_line}, then {at:%Y-%m-%d %H:%M:%S})"
        for path, line_no, previous_line, before, at, step, direction, _ in steps[:10])
    more = f"\n  and {len(steps) - 10} more" if len(steps) > 10 else ""
    return (f"warning: the log's clock steps at {len(steps)} gateway restart(s) (`Log begins`):\n{listed}{more}\n"
            "The lines after such a restart are probably written in another time zone (access-log-time "
            f"changed between local time and gmt in kannel.conf), which log_timezone = \"{log_timezone}\" in "
            f"{config} reads hours off: the R2 window and R4 opt-out delays are judged on wrong times. Split "
            "the file at that line and load each part with the log_timezone it is written in (a contract "
            "each) into a new warehouse (a file loaded keeps its reading), and keep access-log-time the same "
            "across restarts. A step back may also be the server's clock set right (NTP), a jump forward "
            "the gateway stopped for whole hours.")


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return (f"{hours} h " if hours else "") + f"{rest // 60:02d} min {rest % 60:02d} s"


def unplaced_hours(con: duckdb.DuckDBPyConnection, contract: Contract, results: list[LoadResult]) -> list[tuple]:
    """The repeated autumn hours that the Kannel logs just loaded have lines in, where no log
    of the warehouse in that zone has a line in the second run: (hour, lines, first, last,
    paths) each. Two small queries per load, a third per such hour (there are few)."""
    if plan_for(contract).time_source != "prefix":
        return []
    hours = sorted({hour for r in results if r.format == "kannel" and r.state == "loaded"
                    for (hour,) in warehouse.execute(con, "staging/kannel_dst_rotation_hours",
                                                     {"load_id": r.load_id, "tz": contract.log_timezone}).fetchall()})
    rows = []
    for hour in hours:
        first, second, first_at, last_at, paths = warehouse.execute(
            con, "reports/repeated_hour_unplaced", {"tz": contract.log_timezone, "hour": hour}).fetchone()
        if first and not second:
            rows.append((hour, first, first_at, last_at, paths))
    return rows


def unplaced_warning(row: tuple, log_timezone: str) -> str:
    """RULES.md: the repeated hour is resolved from the order of the log, never guessed; where
    the order decides nothing, the reading the loader keeps (the first run) is said as such."""
    hour, lines, first_at, last_at, paths = row
    zone = ZoneInfo(log_timezone)
    start = hour.astimezone(zone)
    first_offset = start.isoformat()[-6:]
    second_offset = (hour + dt.timedelta(hours=1)).astimezone(zone).isoformat()[-6:]
    listed = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return (f"warning: {lines} line(s) of the repeated hour {start:%Y-%m-%d %H:%M}-{start:%H}:59 ({log_timezone}) "
            f"in {listed}, from {first_at.astimezone(zone):%H:%M:%S} to {last_at.astimezone(zone):%H:%M:%S}, were "
            f"read as its first run (UTC{first_offset}), but no line of the logs goes back in time to show where "
            f"that run ended: they may have been written in the second run (UTC{second_offset}), one hour later "
            "(the gateway idle through the first run, or restarted inside the second). The log cannot tell; "
            "R1, R2 and R4 judge them as the first run, so an opt-out or a message among them may be an hour "
            "off. With access-log-time = gmt (log_timezone = \"UTC\") a log has no repeated hour.")


#: a connection with at least this many SMSC receipts, most of which match no MT, is said
UNMATCHED_RECEIPTS_MIN = 20


#: mt_lines_misread.sql judges a load by its `Sent SMS` lines only when it has at least this many
MISREAD_MIN_LINES = 5


def misread_warning(row: tuple, config: str) -> str:
    """`Sent SMS` lines that do not read as Kannel writes them: the contract's access-log
    format most likely names the gateway's fields in another order than its own."""
    path, lines, named, example, unset = row
    what = []
    if 2 * named > lines:
        what.append(f"{named:,} of {lines:,} go to a name, not a number (e.g. {example!r}): are %p (from) "
                    "and %P (to) swapped?")
    if unset == lines:
        what.append(f"none of the {lines:,} has a coding (-1 on every one, where Kannel writes 0, 1 or 2): "
                    "are %m (mclass) and %c (coding) swapped?")
    return (f"warning: {path}: the `Sent SMS` lines do not read as Kannel writes them: {' '.join(what)} "
            f"The access_log_format of {config} most likely names the gateway's fields in another order "
            "than its access-log-format: every rule reads them as loaded. Compare the two, then load the "
            "logs again into a new warehouse with the right format.")


def crossed_receipts_warning(rows: list[tuple], days: str = "") -> str:
    """Receipts that came in on another connection than their MT's, on the local days `days`
    (the words of loaded_days): a receiver bind with an smsc-id of its own, or, with several
    gateways side by side, the SMSC delivering the receipt to another gateway's bind than the
    one that sent the MT. Kannel matches a receipt on neither."""
    listed = "; ".join(f"{n:,} on {received} for MTs sent on {sent}" for received, sent, n, _ in rows[:5])
    return (f"warning: receipts{days} matched no MT because they came in on another connection than their "
            f"message: {listed}. Kannel looks a receipt up under the smsc-id of the connection it arrives "
            "on, in the DLR store of the gateway it arrives at, so the application got no delivery report for "
            "them (the facts give their MTs the receipts' status when the contract lists both connections for "
            "the short code). Either the transmitter and receiver binds of one account have smsc-ids of their "
            "own: give them the same smsc-id; or, with several gateways, the SMSC delivered the receipts to "
            "another gateway's bind than the one that sent the message: give the gateways' binds of one "
            "account the same smsc-id and one shared dlr-storage (mysql, redis...), or each gateway an "
            "account of its own (docs/gateway-setup.md).")


def unmatched_receipts(frame, explained: set[str] = frozenset()) -> str | None:
    """Connections on which most SMSC receipts match no MT: the usual cause is an SMSC that
    writes message ids in another base in its receipts than in its submit responses (Kannel's
    `msg-id-type`), so every delivery status of that connection is lost. Connections in
    `explained` (receipts of another connection's MTs: crossed_receipts_warning) are left out."""
    receipts = frame[(frame["source"] == "receipt") & ~frame["smsc"].isin(explained)]
    receipts = receipts.groupby("smsc")[["dlr_lines", "unmatched"]].sum()
    bad = receipts[(receipts["dlr_lines"] >= UNMATCHED_RECEIPTS_MIN) & (2 * receipts["unmatched"] > receipts["dlr_lines"])]
    if bad.empty:
        return None
    listed = ", ".join(f"{smsc} ({int(r.unmatched):,} of {int(r.dlr_lines):,})" for smsc, r in bad.head(10).iterrows())
    return (f"warning: most SMSC receipts match no MT on {listed}: their messages get no delivery status. "
            "If the SMSC writes message ids in its receipts in another base than in its submit responses "
            "(hex and decimal), set msg-id-type in that smsc group of kannel.conf; duplicate receipts and "
            "restarts that lose pending DLRs are the other causes (page 01, data quality).")


def receipts_warning(unread: list[tuple[str, int]]) -> str:
    """Receipts with no status the log shows: their messages are never delivered or failed."""
    listed = ", ".join(f"{smsc or '(no smsc)'} ({receipts:,})" for smsc, receipts in unread[:10])
    total = sum(receipts for _, receipts in unread)
    return (f"warning: {total:,} delivery receipt(s) carry no status: the log has no DLR status field "
            f"(%d) and their text no stat: field (a UCP/EMI notification is the SMSC's own sentence), "
            f"so their messages' final status is unknown (pending at best) on {listed}. Add %d to "
            "the gateway's access-log-format (and to access_log_format) for the logs to come.")


def services_warning(unnamed, config: str, days: str = "") -> str:
    """Services the contract does not name: their MTs escape every marketing rule."""
    listed = ", ".join(f"{r.service} ({r.mt_lines:,} MT)" for r in unnamed.head(10).itertuples())
    more = f" and {len(unnamed) - 10} more" if len(unnamed) > 10 else ""
    return (f"warning: {len(unnamed)} service(s) sending MTs{days} are not in {config}'s [[services]]: "
            f"{listed}{more}; their MTs have no brand and no category, so no marketing rule "
            "(R1-R4) applies to them. Name them in [[services]] and run ingest again: the facts "
            "are rebuilt for the new contract.")


def connections_warning(unmapped, config: str, days: str = "") -> str:
    """Connections the contract does not map: their lines' short code is only their sender's."""
    listed = ", ".join(f"{r.smsc} ({r.mt_lines:,} MT, from {', '.join(r.senders) or 'no sender'})"
                       for r in unmapped.head(10).itertuples())
    more = f" and {len(unmapped) - 10} more" if len(unmapped) > 10 else ""
    return (f"warning: {len(unmapped)} connection(s) sending MTs{days} are not in the smsc of any of {config}'s "
            f"[[short_codes]]: {listed}{more}; a line on them gets its short code from its sender only (a 5-digit "
            "number; a sender name gets none). If one carries an Orange short code (another bind), add its smsc-id "
            "to that short code's smsc (a list for several binds) and run ingest again.")


def no_short_code_warning(lines: int, senders: list[str], days: str = "") -> str:
    """MT lines with neither a connection nor a short code for a sender: no short code at all."""
    named = f" (senders {', '.join(senders)})" if senders else ""
    return (f"warning: {lines:,} accepted MT line(s){days} name no connection and no short code as sender{named}: "
            "no short code can be told for them, so R6 reads each as an unknown short code, R7 as an OAdC "
            "other than the code, and R8 counts them on no code. A canonical file: give its smsc column "
            "(mapped by the contract's short_codes[].smsc) or the short code as sender; then ingest again.")


#: forwarded_lines.sql's kinds, as the note on them says them
FORWARDED = {"dlr": "delivery reports (reroute-dlr: their META holds the DLR's orig_msg)",
             "mo": "MOs sent back out (reroute: no service, the numbers and text of the MO just before)"}


#: the most parts a concatenated message can have: its UDH counts them in one byte
MAX_PARTS = 255


def oversized_warning(lines: int, segments: int, path: str, line_no: int) -> str:
    """MT lines longer than any message can be: a damaged LEN, which status, R8 and R9 count."""
    return (f"warning: {lines:,} MT line(s) count more segments than a message can have ({MAX_PARTS} parts at "
            f"most), e.g. {segments:,} at {path} line {line_no:,}: a damaged LEN? status, R8 and R9 count them "
            "as logged (one such line is a throughput breach of thousands of segments)")


def forwarded_warning(rows: list[tuple]) -> str:
    """Delivery reports and MOs Kannel forwarded as MTs: counted, but judged as nothing."""
    kinds = "; ".join(
        f"{sum(r[2] for r in rows if r[0] == kind):,} {FORWARDED[kind]}, on "
        + ", ".join(f"{smsc} ({lines:,})" for k, smsc, lines, _ in rows if k == kind)
        for kind in FORWARDED if any(r[0] == kind for r in rows))
    return (f"note: `Sent SMS` lines that Kannel forwarded: {kinds}. status and R8 count them as the submits "
            "they are, no rule judges them as messages of a brand (R1-R7, R10).")


def clock_warning(skewed, log_timezone: str, config: str, canonical: bool = False) -> str:
    """The SMSC's receipts date the MTs hours away from the log: most likely log_timezone is
    wrong (a canonical file: its UTC offsets), which shifts every R2 judgement by as much."""
    listed = ", ".join(f"{r.smsc} {r.median_offset_minutes:+g} min ({r.receipts:,} receipts"
                       + (f", {r.within_2_minutes_pct:g} % within 2 min of the log)" if r.within_2_minutes_pct else ")")
                       for r in skewed.head(10).itertuples())
    # a tenth of them or more agreeing with the log: not one offset but two (a log whose
    # access-log-time changed at a restart: the median, between both, is an offset no receipt has)
    split = (" Some receipts agree with the log and others do not: the log's clock changed within it (a "
             "restart with another access-log-time?), and the median lies between both."
             if (skewed.within_2_minutes_pct.head(10) >= 10).any() else "")
    if canonical:
        # (log_timezone reads nothing in a canonical file whose times carry their offset: a probe
        # followed this advice for an export written +01:00 all year, and nothing changed)
        return (f"warning: the SMSC receipts' submit dates differ from the file's times on {listed}: are the "
                "UTC offsets of its logged_at right (an export in local time written with a fixed +01:00 all "
                "year is an hour off in summer; a time without an offset reads as UTC)? Or does the SMSC keep "
                "another time zone (then set receipt_timezone)? A wrong time shifts the R2 window by as much.")
    return (f"warning: the SMSC receipts' submit dates differ from the log's times on {listed}: is "
            f"log_timezone = \"{log_timezone}\" in {config} how the log is written (Kannel writes local "
            "time unless access-log-time = gmt)? Or does the SMSC keep another time zone (then set "
            "receipt_timezone)? A wrong log_timezone shifts the R2 window by as much." + split)
