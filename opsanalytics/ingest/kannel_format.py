"""Turn the gateway's access-log format (contract `access_log_format`, `access_log_clean`)
into a parse plan for the SQL of queries/staging/kannel_*.sql.

Kannel writes each line as `PREFIX FORMAT` where PREFIX is `YYYY-MM-DD HH:MM:SS ` unless
`access-log-clean` is set, and FORMAT is its built-in layout or the custom
`access-log-format` (escapes `%l %i %n ...`, KANNEL.md). Nothing but the text and the UDH is
escaped, so a field may hold spaces and `]`: the plan is a regular expression whose free
fields are lazy and whose text is NOT matched by the expression but sliced by its LEN:

  head  `^PREFIX ... [msg:(LEN):(rest)$`  everything up to where the text starts;
  tail  `^] [udh:(N):(HEX)]$`             what must follow the LEN bytes of text.

Both expressions name every canonical field (missing ones as empty groups) so the SQL reads
`head.x || tail.x` for any field x wherever the format put it. The built-in format of 1.4.0
to 1.4.5 also gets a fast path (tokenise on `] [`, no regular expression) in SQL; its
expression, used for the odd lines, makes `[FID:]` and `[META:]` optional (1.4.0-1.4.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsanalytics.errors import ConfigError, IngestError

#: Kannel 1.4.4-1.4.5's built-in layout (gw/bb_alog.c); 1.4.2-1.4.3 lack [META:], 1.4.0-1.4.1
#: also [FID:].
DEFAULT_FORMAT = ("%l [SMSC:%i] [SVC:%n] [ACT:%A] [BINF:%B] [FID:%F] [META:%D] [from:%p] [to:%P] "
                  "[flags:%m:%c:%M:%C:%d] [msg:%L:%b] [udh:%U:%u]")

_FREE = "(.*?)"
_INT = r"(-?\d+)"
_UINT = r"(\d+)"
_HEX = "([0-9A-Fa-f]*)"
_TIME = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"

#: escape -> (canonical field, group). Fields the loader stores or needs to read the line.
_ESCAPES: dict[str, tuple[str, str]] = {
    "l": ("label", None),  # _LABEL, defined below
    "i": ("smsc", _FREE),
    "n": ("service", _FREE),
    "A": ("account", _FREE),
    "B": ("binfo", _FREE),
    "F": ("fid", _FREE),
    "D": ("meta", _FREE),
    "p": ("sender", _FREE),
    "P": ("receiver", _FREE),
    "m": ("mclass", _INT),
    "c": ("coding", _INT),
    "M": ("mwi", _INT),
    "C": ("compress", _INT),
    "d": ("dlr_mask", _INT),
    "L": ("msg_len", _UINT),
    "U": ("udh_len", _UINT),
    "u": ("udh", _HEX),
    "t": ("msg_time", _TIME),
    "T": ("epoch", r"(-?\d*)"),
}
def _literal(text: str) -> str:
    """A literal for RE2 (escape only its metacharacters: RE2 refuses `\\ `)."""
    return "".join("\\" + c if c in r"\.^$|?*+()[]{}" else c for c in text)


#: every label Kannel 1.4.0-1.4.5 writes (queries/staging/kannel_macros.sql maps each to kind
#: and outcome). In a custom format %l may be followed by a space and a free field, so the
#: label is matched against these first, longest first, and only then lazily (an unknown
#: label, which the staging SQL rejects with its name).
KNOWN_LABELS = (
    "Sent SMS", "REJECTED Send SMS", "FAILED Send SMS", "DISCARDED SMS", "EXPIRED SMS",
    "Receive SMS", "Receive DLR", "DLR SMS", "FAILED Receive DLR", "FAILED DLR SMS",
    "Sent DLR", "REJECTED Send DLR", "FAILED Send DLR", "DISCARDED DLR", "EXPIRED DLR",
    "DROPPED Received SMS", "DROPPED Received DLR",
    *(f"REJECTED Receive SMS - {what} SMS" for what in
      ("not white-listed", "not white-regex-listed", "black-listed", "black-regex-listed")),
    *(f"REJECTED - {what} SMS" for what in
      ("not white-listed", "not white-regex-listed", "black-listed", "black-regex-listed")),
)
#: the tags of the built-in layout (and `[ID:` of a common custom one): a value holding '] ['
#: and one of them was read with a format that leaves out a tag the log has. Only where that
#: '] [' closes no bracket the value opened (no bracket before it): Kannel prints BINF and the
#: other fields raw, and an application's own `[camp:noel] [seg:vip]` in every BINF is the
#: value's (a real Kannel 1.4.5 of the built-in layout, sendsms binfo; docs/KANNEL.md)
KANNEL_TAGS = ("SMSC", "SVC", "ACT", "BINF", "FID", "META", "from", "to", "flags", "msg", "udh", "ID")
TAG_IN_VALUE = r"^[^\[\]]*\] \[(?:" + "|".join(KANNEL_TAGS) + "):"
#: any tag: in a value read with the built-in layout (by its tags), one that layout does not
#: write where it stands
ANY_TAG_IN_VALUE = r"^[^\[\]]*\] \[[A-Za-z_][A-Za-z0-9_-]*:"

_LABEL = "(" + "|".join(_literal(x) for x in sorted(KNOWN_LABELS, key=len, reverse=True)) + "|.*?)"

#: escapes printed but not stored (words of the text, dlr-url, uuid, box id): matched loosely.
#: `%a` (the text's words joined by one space) is the text when the format has no `%b`.
_IGNORED = set("akSsrNRIx")

#: every field the SQL reads from the head and tail structs, in a fixed order
FIELDS = ("ts", "label", "smsc", "service", "account", "binfo", "fid", "meta", "sender", "receiver",
          "mclass", "coding", "mwi", "compress", "dlr_mask", "msg_len", "text", "rest", "udh_len",
          "udh", "msg_time", "epoch")


@dataclass(frozen=True)
class ParsePlan:
    """What the staging SQL needs to read one access log."""

    fast: bool                 # the built-in layout: tokenise on '] [' first
    prefix: bool               # lines start with 'YYYY-MM-DD HH:MM:SS ' (not access-log-clean)
    time_source: str           # prefix | msg_time (%t, UTC) | epoch (%T)
    head_pattern: str
    head_names: tuple[str, ...]
    tail_pattern: str
    tail_names: tuple[str, ...]
    has_text: bool             # %b present (or %a, see squeezed)
    sliced: bool               # text sliced by LEN (%L before %b); else matched, LEN checked after
    squeezed: bool             # the text is %a: runs of spaces made one, ends trimmed (lossy)
    log_format: str            # the format as configured (for messages)
    #: %c after %b: a sliced text's length in characters (LEN, or 2 x LEN hex digits for
    #: codings 1 and 2) is known only from the tail, so both slicings are tried
    coding_after_text: bool = False
    #: %b without %c: a text of 2 x LEN hex digits (sliced: followed by the tail, where LEN
    #: characters are not; %L after %b: the whole text) is 8-bit or UCS-2 hex, its coding
    #: guessed from its bytes (kannel_hex_coding), the text flagged lossy; without %L, a
    #: text of upper-case hex UCS-2 units of a script with a letter among them is UCS-2.
    #: (%a: not tried)
    coding_absent: bool = False
    #: the fields no escape of the format gives (loaded as NULL where the schema allows it:
    #: a number the log does not carry is unknown, not empty)
    absent: tuple[str, ...] = ()
    #: the literals that end a free field (`;` of `%p;%P`, `] [to:` of `[from:%p] [to:%P]`),
    #: and how many of each the format itself writes on a line (in its literals and the time
    #: prefix): a line with more may hold one inside a field, and is read again with it there
    #: (queries/staging/kannel_slow.sql)
    field_ends: tuple[str, ...] = ()
    field_end_counts: tuple[int, ...] = ()

    def params(self) -> dict:
        return {"head_pattern": self.head_pattern, "head_names": list(self.head_names),
                "tail_pattern": self.tail_pattern, "tail_names": list(self.tail_names),
                "sliced": self.sliced, "has_text": self.has_text, "squeezed": self.squeezed,
                "coding_after_text": self.coding_after_text, "coding_absent": self.coding_absent,
                "absent": list(self.absent),
                "field_ends": list(self.field_ends), "field_end_counts": list(self.field_end_counts),
                # (a pattern that matches nothing when no literal ends a free field)
                "field_ends_pattern": "|".join(map(_literal, self.field_ends)) or r"[^\s\S]"}


def _tokens(fmt: str) -> list[tuple[str, str]]:
    """[('lit', text) | ('esc', letter)] in order; '%%' is a literal '%'."""
    out: list[tuple[str, str]] = []
    i, lit = 0, ""
    while i < len(fmt):
        c = fmt[i]
        if c == "%" and i + 1 < len(fmt):
            esc = fmt[i + 1]
            i += 2
            if esc == "%":
                lit += "%"
                continue
            if esc not in _ESCAPES and esc not in _IGNORED and esc != "b":
                lit += "%" + esc  # Kannel prints unknown escapes literally
                continue
            if lit:
                out.append(("lit", lit))
                lit = ""
            out.append(("esc", esc))
        else:
            lit += c
            i += 1
    if lit:
        out.append(("lit", lit))
    return out


def _regex(tokens: list[tuple[str, str]], seen: set[str], text_escape: str = "b",
           ends: list[str] | None = None) -> tuple[str, list[str]]:
    """Regex and group names for a run of tokens; a field met twice is matched, not captured.
    `ends` collects every literal that ends a free field (one matched by `.*` or `.*?`, the
    label aside): what a value may hold that the first reading of a line takes for the end
    of its field."""
    parts, names = [], []
    free = False
    for kind, value in tokens:
        if kind == "lit":
            parts.append(_literal(value))
            if free and ends is not None and value not in ends:
                ends.append(value)
            free = False
            continue
        free = True
        if value == text_escape and "text" not in seen:
            seen.add("text")
            parts.append("(.*)")
            names.append("text")
        elif value in _IGNORED or value == "b" or _ESCAPES[value][0] in seen:   # (a second %b too)
            parts.append(".*?")
        else:
            field, group = _ESCAPES[value]
            free = group == _FREE
            group = group or _LABEL
            seen.add(field)
            parts.append(group)
            names.append(field)
    return "".join(parts), names


def _complete(pattern: str, names: list[str]) -> tuple[str, tuple[str, ...]]:
    """Append an empty group for every field the pattern lacks, so both structs have all."""
    missing = [f for f in FIELDS if f not in names]
    return "^" + pattern + "()" * len(missing) + "$", tuple(names + missing)


#: escape -> what the audits lose when a custom format leaves it out
_LOST_WITHOUT = {
    "i": "%i (SMSC id): short codes come from the sender or receiver, never from [[short_codes]] smsc",
    "n": "%n (service): MTs have no brand or category, so R1-R4 skip them",
    "p": "%p (from): loaded as NULL; an MT's sender (OAdC) is unknown, so R7 cannot check it and its "
         "short code comes from %i only (R6, R8); an MO's subscriber is unknown, so R4 cannot see "
         "who sent a STOP and R5 who opened a session",
    "P": "%P (to): loaded as NULL; an MT's recipient is unknown, so R1 (messages per number), R4 "
         "(MTs after a STOP) and R10 (destinations) cannot judge it; an MO's short code comes from "
         "%i only",
    "F": "%F (FID): DLRs link to their MT by context only (number, service, time)",
    "d": "%d (DLR status): read from each receipt's stat: instead (a receipt without one, such as a "
         "UCP/EMI notification, leaves its message's status unknown)",
    "c": "%c (coding): a %b text of 2 x LEN hex digits is read as 8-bit or UCS-2 by a guess from its bytes "
         "(flagged lossy; UCS-2 when its units are all characters of a script, else 8-bit), any other as "
         "GSM text; without %L, a text of upper-case hex UCS-2 units of a script with a letter among its "
         "digits is read as UCS-2 (flagged lossy), any other (and any with %a) as GSM text",
    "L": "%L (text length): segments (R8, R9, R12) are counted from the text as logged, exact for "
         "8-bit and UCS-2 hex, squeezed %a words undercount them, and with no text at all a long "
         "message cannot be counted (not exact); a line cut inside its text is not caught",
    "u": "%u (UDH): parts of application-split messages cannot be joined: R1 counts each part",
}


def configured(log_format: str | None) -> str:
    """The format as the gateway prints it: Kannel writes the literal text of its format,
    spaces included, so a space at either end is part of every line (only a blank format
    means the built-in layout)."""
    return log_format if log_format and log_format.strip() else DEFAULT_FORMAT


def lost_fields(log_format: str | None, clean: bool = False) -> list[str]:
    """What the audits cannot know from a custom access-log format, one line per missing
    escape (none for the built-in layout). The text (%b, or %a) is reported as well, and a
    clean log's time, which is not the time of the line."""
    fmt = configured(log_format)
    escapes = {v for k, v in _tokens(fmt) if k == "esc"}
    lost = [why for esc, why in _LOST_WITHOUT.items() if esc not in escapes]
    if "b" not in escapes:
        lost.append("%b (text): R3 cannot check STOP mentions, R4 cannot see STOPs" if "a" not in escapes
                    else "%b (text): read from %a, whose runs of spaces are squeezed (lossy)")
    if clean:
        lost.append("the time of each line (access-log-clean): %t/%T is when the message was created, "
                    "not sent, so R8 counts a burst Kannel queued as if it left at once, and R2 judges a "
                    "message queued before the window's end (a link down at 21:59) at its request, "
                    "not when it went out")
    return lost


def build_plan(log_format: str | None, clean: bool, source: str = "contract") -> ParsePlan:
    """The parse plan for a configured format; refuse formats that cannot be loaded dated."""
    fmt = configured(log_format)
    fast = fmt == DEFAULT_FORMAT
    tokens = _tokens(fmt)
    escapes = [v for k, v in tokens if k == "esc"]
    if "l" not in escapes:
        raise ConfigError(f"{source}: access_log_format: it has no %l (the label: Sent SMS, Receive DLR...), "
                          "so no line could be read as an event")
    if clean:
        if "t" in escapes:
            time_source = "msg_time"
        elif "T" in escapes:
            time_source = "epoch"
        else:
            raise IngestError(
                f"{source}: access_log_clean = true and the access-log format has neither %t nor %T: "
                "the log carries no time at all and cannot be loaded (events would be undated). "
                "Set access_log_format to the gateway's format with %t or %T, or turn access-log-clean off.")
    else:
        time_source = "prefix"

    seen: set[str] = set()
    # %b is the text as logged; a format without it may still carry %a, the text's words
    # joined by one space (gw/bb_alog.c): read as the text, flagged lossy where spaces went
    text_escape = "b" if "b" in escapes else "a" if "a" in escapes else None
    cut = escapes.index("b") if text_escape == "b" else None
    sliced = cut is not None and "L" in escapes[:cut]
    ends: list[str] = []
    if sliced:
        b_at = next(i for i, (k, v) in enumerate(tokens) if k == "esc" and v == "b")
        head_regex, head_names = _regex(tokens[:b_at], seen, ends=ends)
        head_regex += "(.*)"
        head_names.append("rest")
        tail_regex, tail_names = _regex(tokens[b_at + 1:], seen, ends=ends)
    else:
        head_regex, head_names = _regex(tokens, seen, text_escape, ends=ends)
        tail_regex, tail_names = "", []
    written = [v for k, v in tokens if k == "lit"] + (["0000-00-00 00:00:00 "] if time_source == "prefix" else [])
    if fast:
        # 1.4.0-1.4.3 write the same layout without [FID:] and/or [META:]
        head_regex = head_regex.replace(r" \[FID:(.*?)\] \[META:(.*?)\]", r"(?: \[FID:(.*?)\])?(?: \[META:(.*?)\])?")
    if time_source == "prefix":
        head_regex = _TIME + " " + head_regex
        head_names.insert(0, "ts")
    head_pattern, head_all = _complete(head_regex, head_names)
    tail_pattern, tail_all = _complete(tail_regex, tail_names)
    re.compile(head_pattern)  # a bug here is ours, not the user's: fail loudly
    re.compile(tail_pattern)
    given = {_ESCAPES[e][0] for e in escapes if e in _ESCAPES}
    return ParsePlan(fast=fast and not clean, prefix=not clean, time_source=time_source,
                     head_pattern=head_pattern, head_names=head_all, tail_pattern=tail_pattern,
                     tail_names=tail_all, has_text=text_escape is not None, sliced=sliced,
                     squeezed=text_escape == "a", log_format=fmt,
                     coding_after_text=sliced and "c" in escapes[cut + 1:],
                     coding_absent=text_escape == "b" and "c" not in escapes,
                     absent=tuple(f for f in ("sender", "receiver") if f not in given),
                     field_ends=tuple(ends), field_end_counts=tuple(sum(w.count(e) for w in written) for e in ends))
