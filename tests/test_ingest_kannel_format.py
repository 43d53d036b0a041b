"""The parse plan built from the gateway's access-log format (opsanalytics.ingest.kannel_format)."""

from __future__ import annotations

import re

import pytest

from opsanalytics.errors import ConfigError, IngestError
from opsanalytics.ingest.kannel_format import DEFAULT_FORMAT, FIELDS, build_plan, lost_fields


def test_built_in_layout_has_the_fast_path_and_optional_fid_meta():
    plan = build_plan(None, False)
    assert plan.fast and plan.prefix and plan.sliced and plan.time_source == "prefix"
    assert build_plan(DEFAULT_FORMAT, False).fast  # the built-in layout written out in the config
    head = re.compile(plan.head_pattern)
    for line in ("2026-03-02 10:00:01 Sent SMS [SMSC:a] [SVC:b] [ACT:] [BINF:] [from:c] [to:d] [flags:-1:0:-1:-1:31] [msg:2:",
                 "2026-03-02 10:00:01 Sent SMS [SMSC:a] [SVC:b] [ACT:] [BINF:] [FID:9] [from:c] [to:d] [flags:-1:0:-1:-1:31] [msg:2:",
                 "2026-03-02 10:00:01 Sent SMS [SMSC:a] [SVC:b] [ACT:] [BINF:] [FID:9] [META:?x?] [from:c] [to:d] [flags:-1:0:-1:-1:31] [msg:2:"):
        match = head.match(line + "Hi] [udh:0:]")
        assert match, line
        fields = dict(zip(plan.head_names, match.groups()))
        assert (fields["label"], fields["sender"], fields["msg_len"], fields["rest"]) == ("Sent SMS", "c", "2", "Hi] [udh:0:]")
    tail = dict(zip(plan.tail_names, re.match(plan.tail_pattern, "] [udh:6:050003410301]").groups()))
    assert (tail["udh_len"], tail["udh"]) == ("6", "050003410301")


def test_every_field_named_once_in_head_and_tail():
    plan = build_plan("%t %l %p %P %L:%b [%u]", True)
    assert sorted(plan.head_names) == sorted(FIELDS) == sorted(plan.tail_names)
    assert re.compile(plan.head_pattern).groups == len(plan.head_names)
    assert re.compile(plan.tail_pattern).groups == len(plan.tail_names)


def test_text_matched_whole_when_len_does_not_come_first():
    plan = build_plan("%l %p %b (%L)", False)
    assert not plan.sliced and not plan.fast
    fields = dict(zip(plan.head_names, re.match(plan.head_pattern, "2026-03-02 10:00:01 Sent SMS x hello (5)").groups()))
    assert (fields["text"], fields["msg_len"]) == ("hello", "5")


def test_words_of_the_text_are_the_text_only_when_the_format_has_no_b():
    plan = build_plan("%l %p [%L] %a |%a|", False)
    assert plan.has_text and plan.squeezed and not plan.sliced
    fields = dict(zip(plan.head_names, re.match(plan.head_pattern, "2026-03-02 10:00:01 Sent SMS x [9] a b  c |a b c|").groups()))
    assert (fields["text"], fields["msg_len"]) == ("a b  c", "9")   # the first %a; the second matched loosely
    both = build_plan("%l %p %a [msg:%L:%b]", False)
    assert both.sliced and not both.squeezed
    none = build_plan("%l %p %P", False)
    assert not none.has_text and not none.squeezed


@pytest.mark.parametrize("fmt", ["%l %p %b | %b", "%l %p [msg:%L:%b] | %b"])
def test_text_printed_twice_is_read_from_its_first_escape(fmt):
    plan = build_plan(fmt, False)
    line = "2026-03-02 10:00:01 Sent SMS x " + ("hi | hi" if "%L" not in fmt else "[msg:2:hi] | hi")
    head = dict(zip(plan.head_names, re.match(plan.head_pattern, line).groups()))
    if plan.sliced:
        assert head["rest"] == "hi] | hi" and re.match(plan.tail_pattern, "] | hi")
    else:
        assert head["text"] == "hi"


def test_literals_and_unknown_escapes_are_literal():
    plan = build_plan("%l 100%% [%q] %p", False)
    fields = dict(zip(plan.head_names, re.match(plan.head_pattern, "2026-03-02 10:00:01 Sent SMS 100% [%q] 36180").groups()))
    assert (fields["label"], fields["sender"]) == ("Sent SMS", "36180")


def test_format_without_label_is_a_config_error():
    with pytest.raises(ConfigError, match="access_log_format: it has no %l"):
        build_plan("%p %P %b", False, "contract.toml")


@pytest.mark.parametrize("fmt", [None, "%l %p %b"])
def test_clean_log_without_time_refused(fmt):
    with pytest.raises(IngestError, match="neither %t nor %T"):
        build_plan(fmt, True, "contract.toml")


def test_clean_log_time_source():
    assert build_plan("%t %l %b", True).time_source == "msg_time"
    assert build_plan("%T %l %b", True).time_source == "epoch"
    assert not build_plan("%t %l %b", True).prefix


def test_what_a_custom_format_leaves_out():
    assert lost_fields(None) == [] == lost_fields("%t " + DEFAULT_FORMAT)
    assert [why.split(" ")[0] for why in lost_fields("%l %i %n %p %P %F %d %c %L %u %a")] == ["%b"]
    assert "read from %a" in lost_fields("%l %i %n %p %P %F %d %c %L %u %a")[0]
    lost = lost_fields("%t %l [from:%p] [to:%P] [msg:%L:%b]")
    assert [why.split(" ")[0] for why in lost] == ["%i", "%n", "%F", "%d", "%c", "%u"]
    assert "R1-R4 skip them" in lost[1]
    assert lost_fields("%l %p %P %i %n %F %d %c %u")[-1].startswith("%b (text): R3 cannot check STOP mentions")
    clean = lost_fields("%t " + DEFAULT_FORMAT, clean=True)
    assert len(clean) == 1 and clean[0].startswith("the time of each line (access-log-clean)")
    # a real Kannel 1.4.5 with its link down logged a message queued at 21:59:45 at 21:59:45,
    # sent at 22:00:11: R2 found no breach (the default prefix is the sending time)
    assert "R8 counts a burst" in clean[0] and "R2 judges a message queued" in clean[0]


def test_a_format_without_numbers_says_what_the_audits_lose():
    """gateway-setup.md promises a warning for every one of %l %i %n %p %P %c %d %F %L %b %u
    a custom format leaves out: %p and %P were missing from it, so a log without numbers
    loaded silently and R1/R10 judged empty numbers."""
    lost = lost_fields("%l [SMSC:%i] [SVC:%n] [FID:%F] [flags:%m:%c:%M:%C:%d] [msg:%L:%b] [udh:%U:%u]")
    assert [why.split(" ")[0] for why in lost] == ["%p", "%P"]
    assert "R7" in lost[0] and "R4" in lost[0] and "NULL" in lost[0]
    assert "R1" in lost[1] and "R10" in lost[1] and "NULL" in lost[1]
    assert build_plan("%l %n [msg:%L:%b]", False).absent == ("sender", "receiver")
    assert build_plan("%l %p [msg:%L:%b]", False).absent == ("receiver",)
    assert build_plan(None, False).absent == ()


def test_a_format_without_text_length_says_what_the_audits_lose():
    """A format without %L (published layouts have none) loaded with no warning though
    gateway-setup.md lists %L among the escapes whose absence ingest reports."""
    lost = lost_fields("%l [SMSC:%i] [SVC:%n] [FID:%F] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d] [msg:%b] [udh:%u]")
    assert [why.split(" ")[0] for why in lost] == ["%L"]
    assert "segments" in lost[0] and "R12" in lost[0]


def test_literals_that_end_a_free_field_and_how_often_the_format_writes_them():
    """What a value may hold that its first reading takes for the end of its field; the
    label (matched against the known labels) and typed fields end nothing ambiguous."""
    semi = build_plan("%l;%i;%n;%F;%p;%P;%c;%d;%L;%b;%u;%t", True)
    assert (semi.field_ends, semi.field_end_counts) == ((";",), (11,))
    spaced = build_plan("%l %p %P %L:%b", False)   # the prefix writes two spaces
    assert (spaced.field_ends, spaced.field_end_counts) == ((" ",), (5,))
    default = build_plan(None, False)
    assert default.field_ends == ("] [SVC:", "] [ACT:", "] [BINF:", "] [FID:", "] [META:", "] [from:", "] [to:", "] [flags:")
    assert set(default.field_end_counts) == {1}
    assert re.search(default.params()["field_ends_pattern"], "Banque] [to:336")
    assert build_plan("%l %i", False).field_ends == ()
    assert not re.search(build_plan("%l %i", False).params()["field_ends_pattern"], "anything ; | ] [to:")
