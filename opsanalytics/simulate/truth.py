"""The ground truth: every breach present in the simulated logs, per rule id, and the counts
that reconcile a warehouse with what was written.

Breaches are computed from the simulator's own records (what each message *is*: brand,
category, intended STOP mention, number kind, the keyword of each MO), with the rulebook's
definitions and the contract's default thresholds, not by parsing the logs back. So the list
is complete whatever the background happened to draw, and a test can check that every breach
comes from an injected scenario. Definitions (docs/simulator.md):

- only MT accepted by the platform (`Sent SMS`) count; a logical message is named by its
  recipient (E.164) and the second of its first accepted line, in local time with offset;
- a logical message is one planned MT (its parts, and the refused attempts it carries), and
  with it every resend of its text by the same service to the same number within
  `retry_minutes` of when its failure was known (the refused line, or the failing receipt
  the log shows: an expiry may be known hours after the submission);
- R2 reason: 'sunday' before 'holiday' before 'hour';
- R4: opt-out state per (number, brand), switched by STOP/START MOs to a short code on which
  the brand sends marketing (as seen in the traffic); the acknowledgement of a STOP is the
  first accepted MT to the number on the STOP's short code after it by a brand the STOP
  concerns, whatever its service: when it is marketing and within the grace period, it is
  allowed (another brand's message acknowledges nothing); only the STOP that opened
  the opt-out (the first since the last START) has one;
- R8 counts segments submitted per short code and second, those of accepted lines and of
  lines the SMSC refused (one per part of an application-split message, derived from the
  text for a gateway-split one);
  R8_possibly_over lists the seconds at or under the rate that the upper bound of lossy
  GSM texts (every dot of the logged text one character) puts over it: not breaches.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from opsanalytics.simulate.clock import is_holiday, iso, local
from opsanalytics.simulate.contract import BY_CODE, BY_SERVICE, DECLARED_CODES, RETRY_MINUTES
from opsanalytics.simulate.gateway import FINAL_STATUS, MO, MT

FREQUENCY_CAP = 1
WINDOW = (dt.time(8, 0), dt.time(22, 0))
STOP_GRACE = 10 * 60
SESSION = 24 * 3600
NON_ORANGE_ERRS = ("001", "011")


def _is_m2m(msisdn: str) -> bool:
    return msisdn.startswith("+33700") and len(msisdn) == 16


def _outside(epoch: int) -> str | None:
    when = local(epoch)
    if when.weekday() == 6:
        return "sunday"
    if is_holiday(when.date()):
        return "holiday"
    if not (WINDOW[0] <= when.time() < WINDOW[1]):
        return "hour"
    return None


def _key(m: MT) -> dict[str, Any]:
    return {"msisdn": m.msisdn, "submitted_at": iso(m.t)}


def _sent_at(m: MT) -> list[int]:
    """When the message left: the second of each accepted line (part 2 at 22:00:00 after part
    1 at 21:59:59, a refused part resent): the rules on when a message was sent (R2, R4, R5)
    judge each, the first in breach named."""
    return sorted(set(m.line_seconds))


def violations(mts: list[MT], mos: list[MO], rate_seconds: Counter,
               blackouts: list[tuple[int, int]] = (), rate_seconds_max: Counter | None = None
               ) -> dict[str, list[dict[str, Any]]]:
    """Every breach the simulation holds, per rule id (and the informative lists beside them:
    R2's late deliveries, R8's seconds possibly over), worked out from what was sent, one
    function per rule, independently of the SQL that audits the logs."""
    acc = sorted((m for m in mts if m.outcome == "accepted"), key=lambda m: m.t)
    mkt = [m for m in acc if m.category == "marketing"]
    r2, r2_late = _r2(mkt)
    r8, r8_possibly = _r8(rate_seconds, rate_seconds_max or rate_seconds)
    return {"R1": _r1(mts, blackouts), "R2": r2, "R2_late_deliveries": r2_late, "R3": _r3(mkt),
            "R4": _r4(mts, mos, acc, mkt), "R5": _r5(acc, mos), "R6": _r6(acc), "R7": _r7(acc),
            "R8": r8, "R8_possibly_over": r8_possibly, "R10": _r10(acc)}


def _r1(mts: list[MT], blackouts) -> list[dict[str, Any]]:
    """Logical marketing messages (resends folded) per number, brand, local day over the cap."""
    per_day: Counter[tuple[str, str, str]] = Counter(
        (g[0].msisdn, g[0].brand, local(submitted_at(g)).date().isoformat())
        for g in logical_groups(mts, RETRY_MINUTES, blackouts)
        if g[0].category == "marketing" and any(m.outcome == "accepted" for m in g))
    return [{"msisdn": msisdn, "brand": brand, "day": day, "messages": n}
            for (msisdn, brand, day), n in sorted(per_day.items()) if n > FREQUENCY_CAP]


def _r2(mkt: list[MT]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Window and jours ouvrables; deliveries outside the window listed apart (informative)."""
    outside, late = [], []
    for m in mkt:
        breach = next(((t, reason) for t in _sent_at(m) if (reason := _outside(t))), None)
        if breach:
            outside.append({"msisdn": m.msisdn, "submitted_at": iso(breach[0]), "short_code": m.code,
                            "brand": m.brand, "reason": breach[1]})
        elif m.final == "DELIVRD" and _outside(m.final_at):
            late.append({**_key(m), "delivered_at": iso(m.final_at), "short_code": m.code, "brand": m.brand})
    return outside, late


def _r3(mkt: list[MT]) -> list[dict[str, Any]]:
    """STOP mention (the intent recorded when the text was written)."""
    return [{**_key(m), "short_code": m.code, "brand": m.brand, "reason": m.mention}
            for m in mkt if not BY_SERVICE[m.service].stop_notice_exempt and m.mention != "ok"]


def _r4(mts: list[MT], mos: list[MO], acc: list[MT], mkt: list[MT]) -> list[dict[str, Any]]:
    """Opt-outs honoured per brand on all its short codes, one acknowledgement allowed."""
    brands_on: dict[str, set[str]] = defaultdict(set)
    for m in mts:
        if m.category == "marketing":
            brands_on[m.code].add(m.brand)
    switches: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    for mo in mos:
        if mo.keyword:
            for brand in brands_on.get(mo.code, ()):
                switches[(mo.msisdn, brand)].append((mo.t, mo.keyword, mo.code))
    for key in switches:
        switches[key].sort()
    sent_on: dict[tuple[str, str], list[MT]] = defaultdict(list)
    for m in acc:
        sent_on[(m.msisdn, m.code)].append(m)

    def acknowledgement(msisdn: str, code: str, stop_at: int) -> MT | None:
        """The first MT to the number on the STOP's short code after it, of a brand the STOP
        concerns (another brand's transactional message acknowledges nothing)."""
        return next((m for m in sent_on[(msisdn, code)] if m.t > stop_at and m.brand in brands_on.get(code, ())),
                    None)

    def breach(m: MT, sent: int) -> int | None:
        """The STOP that opened the opt-out in force when `m` left at `sent`, unless none is
        or `m` is its acknowledgement."""
        before = [e for e in switches.get((m.msisdn, m.brand), ()) if e[0] < sent]
        if not before or before[-1][1] != "STOP":
            return None
        # the one acknowledgement is that of the STOP that opened the opt-out: the first STOP
        # since the last START (a STOP repeated while opted out grants none)
        starts = [i for i, e in enumerate(before) if e[1] == "START"]
        open_at, _, open_code = before[starts[-1] + 1 if starts else 0]
        if sent - open_at <= STOP_GRACE and acknowledgement(m.msisdn, open_code, open_at) is m:
            return None
        return open_at  # (a repeated STOP opens nothing: R4 dates the breach from the first)

    out = []
    for m in mkt:
        found = next(((sent, stop_at) for sent in _sent_at(m) if (stop_at := breach(m, sent)) is not None), None)
        if found:
            out.append({"msisdn": m.msisdn, "brand": m.brand, "short_code": m.code,
                        "stop_at": iso(found[1]), "sent_at": iso(found[0]), "submitted_at": iso(m.t)})
    return out


def _r5(acc: list[MT], mos: list[MO]) -> list[dict[str, Any]]:
    """34ABC needs an MO of the same number to the same code within the session."""
    mo_times: dict[tuple[str, str], list[int]] = defaultdict(list)
    for mo in mos:
        mo_times[(mo.msisdn, mo.code)].append(mo.t)
    out = []
    for m in acc:
        if not m.code.startswith("34"):
            continue
        for sent in _sent_at(m):
            before = [t for t in mo_times.get((m.msisdn, m.code), []) if t <= sent]
            if not before or sent - max(before) > SESSION:
                out.append({"msisdn": m.msisdn, "submitted_at": iso(sent), "short_code": m.code,
                            "reason": "session_expired" if before else "no_mo"})
                break
    return out


def _r6_reason(m: MT) -> str | None:
    if m.code not in DECLARED_CODES:
        return "unknown_short_code"
    if m.category == "marketing" and m.code[:2] not in ("35", "36"):
        return "marketing_outside_35_36"
    if m.category == "marketing" and m.code.startswith("35") and not BY_CODE[m.code].geo_presence:
        return "no_geo_presence"
    if m.code.startswith("38") and not _is_m2m(m.msisdn):
        return "not_m2m_number"
    return None


def _r6(acc: list[MT]) -> list[dict[str, Any]]:
    """Short-code ranges: declared codes, marketing on 35/36, 35ABC geo presence, 38ABC M2M."""
    return [{**_key(m), "short_code": m.code, "reason": reason} for m in acc if (reason := _r6_reason(m))]


def _r7(acc: list[MT]) -> list[dict[str, Any]]:
    """OAdC: the short code itself, or a sender name the OAdC option declares."""
    out = []
    for m in acc:
        declared = BY_CODE[m.code].oadc if m.code in DECLARED_CODES else ()
        if m.oadc != m.code and m.oadc not in declared:
            out.append({**_key(m), "short_code": m.code, "oadc": m.oadc,
                        "reason": "not_declared" if declared else "not_short_code"})
    return out


def _r8(rate_seconds: Counter, rate_seconds_max: Counter) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Segments per short code and second over the rate; and the seconds within it whose
    upper bound (lossy texts) is not: not breaches, what the log cannot rule out."""
    over, possibly = [], []
    for (code, second), segs in sorted(rate_seconds.items()):
        rate = BY_CODE[code].rate if code in DECLARED_CODES else 10
        if segs > rate:
            over.append({"short_code": code, "second": iso(second), "segments": segs, "rate": rate})
        most = rate_seconds_max[(code, second)]
        if segs <= rate < most:
            possibly.append({"short_code": code, "second": iso(second), "segments": segs,
                             "segments_max": most, "rate": rate})
    return over, possibly


def _r10(acc: list[MT]) -> list[dict[str, Any]]:
    """Destinations: metropolitan mobile numbers (and M2M ones) only."""
    return [{**_key(m), "msisdn_raw": m.to_raw, "reason": m.number_kind}
            for m in acc if m.number_kind not in ("metro", "m2m")]


def logged_final(m: MT) -> str:
    """The final state a reader of the log can see for each line of an accepted MT:
    delivered / failed / expired when the sender asked for that receipt, pending when only
    Kannel's ACK (or ENROUTE) was asked for and logged, none when no DLR line exists."""
    if m.final and m.dlr_mask > 0 and m.dlr_mask & (FINAL_STATUS[m.final] & 3):
        return {"DELIVRD": "delivered", "UNDELIV": "failed", "EXPIRED": "expired"}[m.final]
    return "pending" if m.dlr_mask > 0 and m.dlr_mask & 12 else "none"


def dlr_summary(mts: list[MT]) -> dict[str, Any]:
    """Final states per accepted MT *line* (every part of an application-split message has
    its own receipts), failure codes, and R10's non-Orange share per short code and brand."""
    finals: Counter[str] = Counter()
    by_code: defaultdict[str, Counter[str]] = defaultdict(Counter)
    errors: Counter[str] = Counter()
    lines: Counter[tuple[str, str]] = Counter()
    non_orange: Counter[tuple[str, str]] = Counter()
    for m in mts:
        if m.outcome != "accepted":
            continue
        n = len(m.line_seconds)
        state = logged_final(m)
        finals[state] += n
        by_code[m.code][state] += n
        lines[(m.code, m.brand)] += n
        if state == "failed":
            errors[m.err] += n
            if m.err in NON_ORANGE_ERRS:
                non_orange[(m.code, m.brand)] += n
    return {
        "final_by_line": {k: finals[k] for k in ("delivered", "failed", "expired", "pending", "none")},
        # R14: the same per short code
        "final_by_short_code": {code: {k: by_code[code][k] for k in ("delivered", "failed", "expired", "pending", "none")}
                                for code in sorted(by_code)},
        "failed_by_err": dict(sorted(errors.items())),
        # FAILED Receive DLR lines: one per line of the message (each part of an
        # application-split message gets its duplicate receipt)
        "duplicate_receipts": sum(len(m.line_seconds) for m in mts if m.outcome == "accepted" and m.duplicate_receipt
                                  and logged_final(m) in ("delivered", "failed", "expired")),
        "non_orange": {
            "errs": list(NON_ORANGE_ERRS),
            "meaning": "failed receipts (stat:UNDELIV, flags status 2) with GSM MAP error 1 Unknown Subscriber "
                       "or 11 Teleservice Not Provisioned (err:001/err:011, META dlr_err=%03%00%01/%03%00%0B); "
                       "027 Absent Subscriber is another failure",
            "lines": sum(non_orange.values()),
            "by_short_code_brand": [
                {"short_code": c, "brand": b, "mt_lines": lines[(c, b)], "non_orange": non_orange[(c, b)]}
                for (c, b) in sorted(lines)],
        },
    }


def billing(mts: list[MT]) -> list[dict[str, Any]]:
    """R12's count per local month and short code, from the plan (not the log): segments of
    accepted MT lines by the final state a reader of the log sees (`logged_final`): delivered
    (billed), undelivered (failed or expired) and unknown (no final receipt asked for or
    logged). Each line counts in the month it was accepted in (a message's parts may
    straddle the end of a month)."""
    counts: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for m in mts:
        if m.outcome != "accepted":
            continue
        state = logged_final(m)
        bucket = {"delivered": "delivered", "failed": "undelivered", "expired": "undelivered"}.get(state, "unknown")
        for t, segments in zip(m.line_seconds, m.line_segments()):
            month = local(t).strftime("%Y-%m")
            counts[(month, m.code)][f"{bucket}_segments"] += segments
            counts[(month, m.code)]["accepted_segments"] += segments
    return [{"month": month, "short_code": code,
             **{k: counts[(month, code)][k] for k in ("accepted_segments", "delivered_segments",
                                                       "undelivered_segments", "unknown_segments")}}
            for month, code in sorted(counts)]


def scenarios(mts: list[MT], mos: list[MO], blackouts: list[tuple[int, int]] = ()) -> list[dict[str, Any]]:
    """Every injected message (breach or trap), for readers of the ground truth. An MT is
    named by the logical message it belongs to (`submitted_at`); a resend folded into an
    earlier attempt also gives the second of its own line (`attempt_at`), a message whose last
    accepted part left later than its first the second of that part (`last_line_at`)."""
    named: dict[int, int] = {}
    for g in logical_groups([m for m in mts if m.tag], RETRY_MINUTES, blackouts):
        for m in g:
            named[id(m)] = submitted_at(g)
    rows = []
    for m in mts:
        if not m.tag:
            continue
        row = {"scenario": m.tag, "kind": "mt", "msisdn": m.msisdn, "submitted_at": iso(named[id(m)]),
               "service": m.service, "short_code": m.code, "outcome": m.outcome}
        if named[id(m)] != m.t:
            row["attempt_at"] = iso(m.t)
        if m.outcome == "accepted" and max(m.line_seconds) != m.t:
            row["last_line_at"] = iso(max(m.line_seconds))
        rows.append(row)
    rows += [{"scenario": mo.tag, "kind": "mo", "msisdn": mo.msisdn, "received_at": iso(mo.t),
              "short_code": mo.code, "text": mo.text} for mo in mos if mo.tag]
    return sorted(rows, key=lambda r: (r.get("attempt_at") or r.get("submitted_at") or r.get("received_at"),
                                       r["msisdn"]))


def logged_at(epoch: int, blackouts: list[tuple[int, int]]) -> int:
    """When the gateway writes a line due at `epoch` (at restart when it was down)."""
    for start, end in blackouts:
        if start <= epoch < end:
            epoch = end
    return epoch


def _first_at(m: MT) -> int:
    return min([m.t] + [e for e, _ in m.retries] + [e for _, e, _ in m.part_retries])


def _failed_at(m: MT, blackouts: list[tuple[int, int]]) -> int | None:
    """When the log shows this planned message failed (its refused line, or its failing
    final receipt), None when it does not."""
    if m.outcome != "accepted":
        return m.t
    if logged_final(m) in ("failed", "expired"):
        return max(m.line_seconds[-1], logged_at(m.final_at, blackouts))
    return None


def logical_groups(mts: list[MT], retry_minutes: int,
                   blackouts: list[tuple[int, int]] = ()) -> list[list[MT]]:
    """The planned MTs grouped into logical messages, as the rulebook counts them.

    Each planned MT is one message (its parts and the refused attempts it carries); a later
    MT with the same text to the same number by the same service folds into it when it
    failed and the resend comes within `retry_minutes` of when the failure was known (the
    refused line, or the failing receipt: an expiry may be known hours after the
    submission), or before that within `retry_minutes` of the failed attempt. Background texts repeat too (a quiz question, a chat line
    to the same number): they fold exactly as the facts fold them."""
    groups: list[list[MT]] = []
    previous: dict[tuple[str, str, str], tuple[MT, list[MT]]] = {}
    for m in sorted(mts, key=lambda m: (_first_at(m), m.t)):
        key = (m.service, m.msisdn, m.full_text)
        prev = previous.get(key)
        if prev is not None:
            p, group = prev
            known = _failed_at(p, blackouts)
            last = p.line_seconds[-1] if p.outcome == "accepted" else p.t
            # before the failure was known: within retry_minutes of that attempt
            in_time = _first_at(m) >= known or _first_at(m) - last <= retry_minutes * 60 if known is not None else False
            if known is not None and in_time and _first_at(m) - max(last, known) <= retry_minutes * 60:
                group.append(m)
                previous[key] = (m, group)
                continue
        group = [m]
        groups.append(group)
        previous[key] = (m, group)
    return groups


def submitted_at(group: list[MT]) -> int:
    """The second a logical message is named by: its first accepted line (its first attempt
    when none was accepted)."""
    accepted = [m.t for m in group if m.outcome == "accepted"]
    return min(accepted) if accepted else min(_first_at(m) for m in group)


def logical_messages(mts: list[MT], retry_minutes: int,
                     blackouts: list[tuple[int, int]] = ()) -> tuple[int, int]:
    """(logical messages, those accepted by the platform) as the rulebook counts them."""
    groups = logical_groups(mts, retry_minutes, blackouts)
    return len(groups), sum(1 for g in groups if any(m.outcome == "accepted" for m in g))
