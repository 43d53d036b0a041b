"""The simulator: deterministic, Kannel-exact lines, and a ground truth that matches the logs.

The lines are checked with an independent tag-by-tag reader written here (not the package's
loader), against docs/KANNEL.md: fields in their fixed order, the text sliced by its LEN,
hex texts of exactly 2 x LEN digits, UDH lengths right.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from opsanalytics.config import load_contract
from opsanalytics.simulate import simulate
from opsanalytics.simulate import kannel_writer as kw

PARIS = ZoneInfo("Europe/Paris")
TAGS = ("SMSC", "SVC", "ACT", "BINF", "FID", "META", "from", "to", "flags")
FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "main" / "access.log"


def parse(line: str) -> dict:
    """Read one Kannel 1.4.5 line by its tags; raise AssertionError if it is not one."""
    ts, rest = line[:19], line[20:]
    dt.datetime.strptime(ts, "%Y-%m-%d %H:%M:%S")
    assert line[19] == " "
    if rest in (kw.LOG_BEGINS, kw.LOG_ENDS):
        return {"ts": ts, "label": rest, "marker": True}
    cut = rest.index(" [SMSC:")
    rec = {"ts": ts, "label": rest[:cut], "marker": False}
    pos = cut + 1
    for i, tag in enumerate(TAGS):
        head = f"[{tag}:"
        assert rest.startswith(head, pos), (tag, line)
        pos += len(head)
        nxt = f"] [{TAGS[i + 1]}:" if i + 1 < len(TAGS) else "] [msg:"
        end = rest.index(nxt, pos)
        rec[tag] = rest[pos:end]
        pos = end + 2
    assert rest.startswith("[msg:", pos)
    pos += 5
    colon = rest.index(":", pos)
    n = int(rest[pos:colon])
    pos = colon + 1
    coding = int(rec["flags"].split(":")[1])
    width = 2 * n if coding in (1, 2) else n
    text = rest[pos:pos + width]
    assert len(text) == width, line
    if coding in (1, 2):
        assert all(c in "0123456789ABCDEF" for c in text), line
    else:
        assert all(0x20 <= ord(c) <= 0x7E for c in text), line
    pos += width
    assert rest.startswith("] [udh:", pos), line
    pos += 7
    colon = rest.index(":", pos)
    ulen = int(rest[pos:colon])
    udh = rest[colon + 1:]
    assert udh.endswith("]")
    udh = udh[:-1]
    assert len(udh) == 2 * ulen and all(c in "0123456789ABCDEF" for c in udh), line
    rec.update(len=n, text=text, coding=coding, udh=udh, dlr_mask=int(rec["flags"].split(":")[4]))
    return rec


def read_lines(result) -> list[str]:
    out = []
    for path in result.logs:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        out += data.decode("utf-8", errors="surrogateescape").splitlines()
    return out


def instants(lines: list[str], tz: str) -> list[int]:
    """Instant of each line's prefix; the repeated autumn hour resolved by line order."""
    zone = ZoneInfo(tz)
    out, last = [], None
    for line in lines:
        naive = dt.datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S")
        t0 = int(naive.replace(tzinfo=zone, fold=0).timestamp())
        t1 = int(naive.replace(tzinfo=zone, fold=1).timestamp())
        t = t0 if last is None or t0 >= last else t1
        out.append(t)
        last = t
    return out


@pytest.fixture(scope="module")
def paris(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim_paris")
    res = simulate(out, days=14, scale=200, seed=3)
    return res, read_lines(res), json.loads(res.ground_truth.read_text())


@pytest.fixture(scope="module")
def utc(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim_utc")
    res = simulate(out, days=14, scale=200, seed=3, log_timezone="UTC")
    return res, read_lines(res), json.loads(res.ground_truth.read_text())


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = simulate(tmp_path / "a", days=4, scale=100, seed=7)
    b = simulate(tmp_path / "b", days=4, scale=100, seed=7)
    c = simulate(tmp_path / "c", days=4, scale=100, seed=8)
    for pa, pb in zip(a.logs + [a.contract, a.ground_truth], b.logs + [b.contract, b.ground_truth]):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    assert a.logs[1].read_bytes() != c.logs[1].read_bytes()


def test_same_bytes_across_processes(tmp_path):
    """No set or dict order leaks into the output: string hashing differs between processes."""
    import os
    import subprocess
    import sys

    for h in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": h}
        subprocess.run([sys.executable, "-m", "opsanalytics", "simulate", "--out", str(tmp_path / h), "--days", "3",
                        "--scale", "40", "--seed", "5"], check=True, env=env, capture_output=True)
    for name in ("access.log", "access.log.1.gz", "contract.toml", "ground_truth.json"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_every_line_is_a_kannel_line_and_counts_match(paris):
    res, lines, gt = paris
    recs = [parse(line) for line in lines]
    labels = Counter(r["label"] for r in recs if not r["marker"])
    markers = Counter(r["label"] for r in recs if r["marker"])
    assert gt["lines"]["total"] == len(lines)
    assert gt["lines"]["by_label"] == dict(labels)
    assert gt["lines"]["markers_by_label"] == dict(markers)
    assert gt["lines"]["events"] + gt["lines"]["markers"] == len(lines)
    # the live log starts with a marker and holds a restart (Log ends then Log begins)
    assert lines[0].endswith("Log begins")
    live = gzip.decompress(res.logs[0].read_bytes()).decode("utf-8", errors="surrogateescape").splitlines()
    assert live[-1].endswith("Log ends")
    assert any(a.endswith("Log ends") and b.endswith("Log begins") for a, b in zip(lines, lines[1:]))
    # lines are in the order the gateway writes them: time never goes back
    ts = instants(lines, "Europe/Paris")
    assert ts == sorted(ts)
    mt_lines = sum(labels[k] for k in ("Sent SMS", "REJECTED Send SMS", "DISCARDED SMS", "FAILED Send SMS", "EXPIRED SMS"))
    assert gt["messages"]["mt_lines"] == mt_lines
    assert gt["messages"]["mo"] == labels["Receive SMS"]


def test_contract_is_valid_and_describes_the_traffic(paris):
    res, lines, gt = paris
    contract = load_contract(res.contract)
    smscs = {s.smsc for s in contract.short_codes}
    services = {s.name for s in contract.services}
    recs = [parse(x) for x in lines]
    used_smsc = {r["SMSC"] for r in recs if not r["marker"]}
    # the one undeclared link (R6); none on what bearerbox gives up on (DISCARDED, EXPIRED, their NACK)
    assert used_smsc - smscs == {"ora_36999", ""}
    assert {r["label"] for r in recs if not r["marker"] and r["SMSC"] == ""} <= {
        "DISCARDED SMS", "EXPIRED SMS", "Receive DLR"}
    assert "DISCARDED SMS" in {r["label"] for r in recs if not r["marker"] and r["SMSC"] == ""}
    assert {r["SVC"] for r in recs if not r["marker"] and r["SVC"]} <= services
    assert any(s.stop_notice_exempt for s in contract.services)
    assert {s.code[:2] for s in contract.short_codes} == {"34", "35", "36", "37", "38"}


def _msisdn(raw: str) -> str:
    if raw.startswith("+"):
        return raw
    overseas = {"0694": "+594", "0639": "+262", "0690": "+590", "0696": "+596", "0692": "+262"}
    if raw[:4] in overseas:
        return overseas[raw[:4]] + raw[1:]
    return "+33" + raw[1:] if raw.startswith("0") else "+" + raw


def _mt_index(lines, tz):
    """(msisdn, instant) -> parsed MT line, for every MT line (accepted or not)."""
    index = {}
    for line, t in zip(lines, instants(lines, tz)):
        r = parse(line)
        if r["marker"] or r["label"] not in ("Sent SMS", "REJECTED Send SMS", "DISCARDED SMS", "FAILED Send SMS"):
            continue
        key = (_msisdn(r["to"]), t)
        assert key not in index, f"two MT lines to {key}"
        r["t"] = t
        index[key] = r
    return index


@pytest.mark.parametrize("which", ["paris", "utc"])
def test_every_breach_is_in_the_log_with_its_properties(which, request):
    res, lines, gt = request.getfixturevalue(which)
    tz = gt["log_timezone"]
    contract = load_contract(res.contract)
    code_of = {s.smsc: s.code for s in contract.short_codes}
    brand_of = {s.name: s.brand for s in contract.services}
    cat_of = {s.name: s.category for s in contract.services}
    index = _mt_index(lines, tz)

    def sent(row):
        t = int(dt.datetime.fromisoformat(row["submitted_at"]).timestamp())
        r = index.get((row["msisdn"], t))
        assert r is not None and r["label"] == "Sent SMS", row
        return r

    v = gt["violations"]
    for rule in ("R2", "R3", "R4", "R5", "R6", "R7", "R10"):
        assert v[rule], f"no {rule} breach injected"
        for row in v[rule]:
            r = sent(row)
            code = code_of.get(r["SMSC"], r["from"])
            if "short_code" in row:
                assert code == row["short_code"], row
            if "brand" in row:
                assert brand_of[r["SVC"]] == row["brand"]
            if rule in ("R2", "R3", "R4"):
                assert cat_of[r["SVC"]] == "marketing"
            if rule == "R7":
                assert r["from"] == row["oadc"]
            if rule == "R10":
                assert r["to"] == row["msisdn_raw"]
    # R1: the marketing lines of each (number, brand, local day) really are over the cap.
    # Parts of one message share a reference; a part number already seen under it starts
    # another message (an application that reuses one reference). The injected R1 breaches
    # hold no resend that folds, so every other accepted line is a message.
    for row in v["R1"]:
        n = set()
        parts_seen: dict[str, set[str]] = {}
        for (msisdn, t), r in sorted(index.items(), key=lambda kv: kv[0][1]):
            if msisdn == row["msisdn"] and r["label"] == "Sent SMS" and cat_of[r["SVC"]] == "marketing" \
                    and brand_of[r["SVC"]] == row["brand"] \
                    and dt.datetime.fromtimestamp(t, PARIS).date().isoformat() == row["day"]:
                if r["udh"].startswith("050003"):
                    ref, seq = r["udh"][6:8], r["udh"][10:12]
                    if ref not in parts_seen or seq in parts_seen[ref]:
                        parts_seen[ref] = set()
                        n.add((ref, t))
                    parts_seen[ref].add(seq)
                else:
                    n.add(t)
        assert len(n) == row["messages"] > 1, row
    # R8: segments per short code and second recomputed from the lines
    seconds = Counter()
    for (msisdn, t), r in index.items():
        if r["label"] == "Sent SMS":
            code = code_of.get(r["SMSC"], r["from"])
            if r["udh"]:
                seconds[(code, t)] += 1
            else:
                seconds[(code, t)] += 3 if r["coding"] == 0 and r["len"] > 306 else (2 if r["coding"] == 0 and r["len"] > 160 else 1)
    for row in v["R8"]:
        t = int(dt.datetime.fromisoformat(row["second"]).timestamp())
        assert seconds[(row["short_code"], t)] == row["segments"] > row["rate"]
        assert all(seconds[(row["short_code"], t + d)] <= row["rate"] for d in (-1,)), "the burst sits next to a legal second"


def test_background_is_compliant_every_breach_is_injected(paris):
    _, _, gt = paris
    for rule, rows in gt["violations"].items():
        for row in rows:
            if "msisdn" in row:
                assert row["msisdn"].startswith("+33699") or row["msisdn_raw"], (rule, row)
    injected = {(s["msisdn"], s.get(at)) for s in gt["scenarios"] if s["kind"] == "mt"
                for at in ("submitted_at", "last_line_at") if at in s}
    for rule, rows in gt["violations"].items():
        for row in rows:
            if "submitted_at" in row:
                assert (row["msisdn"], row["submitted_at"]) in injected, (rule, row)
    tags = {s["scenario"] for s in gt["scenarios"]}
    for trap in ("trap multipart only", "trap resubmission", "trap R2 08:00:00", "trap R2 21:59:59",
                 "trap R4 acknowledgement in grace", "trap R4 START re-opt-in", "trap R8 at rate",
                 "trap R7 declared name with a space", "trap R3 exempt"):
        assert trap in tags
    breaches = {(r["msisdn"], r["submitted_at"]) for rule, rows in gt["violations"].items() for r in rows
                if "submitted_at" in r and rule != "R2_late_deliveries"}
    for s in gt["scenarios"]:
        if s["scenario"].startswith("trap") and s["kind"] == "mt" and s["service"] not in ("stop", "start"):
            assert (s["msisdn"], s["submitted_at"]) not in breaches, s


def test_utc_log_holds_the_same_instants(paris, utc):
    _, lines_p, gt_p = paris
    _, lines_u, gt_u = utc
    assert gt_p["violations"] == gt_u["violations"]
    assert gt_p["lines"] == gt_u["lines"]
    tp = instants(lines_p, "Europe/Paris")
    tu = instants(lines_u, "UTC")
    assert tp == tu
    assert [x[20:] for x in lines_p] == [x[20:] for x in lines_u]


def test_dst_fall_back_hour_written_twice(paris):
    _, lines, _ = paris
    night = [x[:19] for x in lines if x.startswith("2026-10-25 02")]
    back = [i for i, (a, b) in enumerate(zip(night, night[1:])) if b < a]
    assert len(back) == 1, back          # 02:xx CEST, then 02:xx CET again
    assert back[0] + 1 >= 3 and len(night) - back[0] - 1 >= 3


def test_realistic_content_present(paris):
    res, lines, gt = paris
    raw = b"".join(gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in res.logs)
    latin1 = [x for x in raw.split(b"\n") if b"[from:Caf\xe9 Acme]" in x]   # invalid UTF-8, as Kannel writes it
    assert len(latin1) == 2 and latin1[0].split(b" [SMSC:")[0].endswith(b"REJECTED Send SMS")
    recs = [parse(x) for x in lines if not x.endswith(("Log begins", "Log ends"))]
    mo_texts = {r["text"] for r in recs if r["label"] == "Receive SMS"}
    assert {"STOP", " Stop merci ", "ARR..T", "00410052005200CA0054"} <= mo_texts
    assert any(r["label"] == "Receive SMS" and r["SVC"] == "" and r["from"].startswith("+33") for r in recs)
    sent = [r for r in recs if r["label"] == "Sent SMS"]
    assert any(r["udh"].startswith("050003") for r in sent)                    # application split
    assert any(r["udh"] == "" and r["coding"] == 0 and r["len"] > 160 for r in sent)   # gateway split
    assert any(r["coding"] == 2 for r in sent) and any(r["coding"] == 1 for r in sent)
    assert any("..." in r["text"] for r in sent)                              # a euro sign, lossy
    dlr = [r for r in recs if r["label"] == "Receive DLR"]
    assert {r["dlr_mask"] for r in dlr} >= {1, 2, 4, 8, 16, 34}
    assert any("err:001" in r["text"] for r in dlr) and any("err:011" in r["text"] for r in dlr)
    unmatched = [r for r in recs if r["label"] == "FAILED Receive DLR"]
    assert unmatched and all(r["to"] in ("ACME", "Acme Shop") or r["to"].isdigit() for r in unmatched)
    rejected = [r for r in recs if r["label"] == "REJECTED Send SMS"]
    assert rejected and all(r["FID"] == "" for r in rejected)
    assert any(r["text"].startswith("NACK/") and r["FID"] == "" for r in dlr)
    assert gt["dlr"]["non_orange"]["lines"] > 0


def test_encodings_match_the_real_gateway():
    """Lines rebuilt from what the real Kannel 1.4.5 run was sent equal its log byte for byte."""
    real = FIXTURE.read_text().splitlines()
    text = ("Offre spéciale été : profitez de -30% sur toute la boutique jusqu'à dimanche minuit, code [ETE30] "
            "valable une fois, dès 20€ d'achat. Livraison offerte à partir de 50€. Conditions sur acme.example/cgv")
    n, shown = kw.msg_field(kw.gsm_filter(text), 0)
    body = kw.line("Sent SMS", "ora_36180", "acme", "", "5EA70005", "", "ACME", "33612121212",
                   "-1:0:-1:-1:31", n, shown)
    assert any(x[20:] == body for x in real)
    ack = "Vous êtes désinscrit du 36180. Plus aucun SMS ne vous sera envoyé."
    n, shown = kw.msg_field(kw.gsm_filter(ack), 0)
    assert (n, shown) == (68, "Vous ?tes d..sinscrit du 36180. Plus aucun SMS ne vous sera envoy...")
    assert kw.msg_field("ARRÊT", 2) == (10, "00410052005200CA0054")
    assert kw.msg_field("ARRÊT", 0) == (6, "ARR..T")
    assert kw.segments_of("a" * 160, 0) == 1 and kw.segments_of("a" * 161, 0) == 2
    assert kw.segments_of("€" * 80, 0) == 1 and kw.segments_of("€" * 81, 0) == 2
    # an extension character at septet 153 opens the next part (as Kannel 1.4.5 submitted it)
    assert kw.segments_of("a" * 152 + "[" + "a" * 152, 0) == 3 and kw.segments_of("a" * 151 + "[" + "a" * 153, 0) == 2
    assert kw.segments_of("é" * 70, 2) == 1 and kw.segments_of("é" * 71, 2) == 2


def test_command_line(tmp_path, capsys):
    from opsanalytics.cli import main

    assert main(["simulate", "--out", str(tmp_path / "s"), "--days", "3", "--scale", "50", "--seed", "2",
                 "--log-timezone", "UTC", "--start", "2026-11-09"]) == 0
    out = capsys.readouterr().out
    assert "access.log.1.gz" in out and "ground_truth.json" in out
    gt = json.loads((tmp_path / "s" / "ground_truth.json").read_text())
    assert gt["period"] == {"from": "2026-11-09", "to": "2026-11-11"} and gt["log_timezone"] == "UTC"
    assert gt["violations"]["R2"] and any(r["reason"] == "holiday" for r in gt["violations"]["R2"])
    assert main(["simulate", "--out", str(tmp_path / "bad"), "--log-timezone", "Mars/Olympus"]) == 2
    assert "Mars/Olympus" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    # a name Python finds but the contract (DuckDB) refuses: refused here, not at ingest
    assert main(["simulate", "--out", str(tmp_path / "bad"), "--log-timezone", "posix/Europe/Paris"]) == 2
    assert "posix/Europe/Paris" in capsys.readouterr().err and not (tmp_path / "bad").exists()
    with pytest.raises(SystemExit):
        main(["simulate", "--out", str(tmp_path / "bad"), "--start", "2026-02-30"])
    for option, value, message in (("--seed", "-1", "--seed must be 0 or more"),
                                   ("--scale", "1000000000", "--scale must be at most 200,000"),
                                   # the whole period in memory: 31 x 100,000 would need about 15 GB
                                   ("--scale", "100000", "--days x --scale must be at most 2,000,000 messages"),
                                   ("--start", "2099-12-30", "end after 2099")):
        assert main(["simulate", "--out", str(tmp_path / "bad"), option, value]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    assert main(["simulate-history", "--out", str(tmp_path / "bad"), "--seed", "-1"]) == 2
    assert "--seed must be 0 or more" in capsys.readouterr().err


def test_log_time_in_a_zone_whose_clock_changes_off_the_hour():
    """America/St_Johns leaves summer time at 04:30 UTC: the lines of the rest of that UTC
    hour are in winter time (the offset is not one per UTC hour there)."""
    from opsanalytics.simulate.kannel_writer import LogBook

    render = LogBook("America/St_Johns").prefix_renderer()
    change = int(dt.datetime(2026, 11, 1, 4, 30, tzinfo=dt.timezone.utc).timestamp())
    assert render(change - 1) == "2026-11-01 01:59:59 "   # -02:30, summer
    assert render(change + 1783) == "2026-11-01 01:29:43 "   # 04:59:43 UTC at -03:30
    assert LogBook("Europe/Paris").prefix_renderer()(change) == "2026-11-01 05:30:00 "


def test_kannel_writes_the_line_of_a_message_it_split_before_its_ack(paris):
    """As the real 1.4.5 log: `Sent SMS` (written when the last part is acknowledged), then
    the ACK of part 1; and no temporary SMSC error (throttling) is ever logged."""
    res, lines, gt = paris
    recs = [parse(x) for x in lines if not x.endswith(("Log begins", "Log ends"))]
    seen_sent = set()
    split = 0
    for r in recs:
        if r["label"] == "Sent SMS":
            seen_sent.add(r["FID"])
            split += r["udh"] == "" and r["coding"] == 0 and r["len"] > 160
        elif r["label"] == "Receive DLR" and r["text"] == "ACK/":
            assert r["FID"] in seen_sent, r
    assert split > 0
    assert not any("Throttling" in x or "0x00000058" in x for x in lines)


def test_ground_truth_folds_resends_after_a_failure_as_the_rulebook_does():
    from opsanalytics.simulate.gateway import MT
    from opsanalytics.simulate.truth import logical_messages

    def mt(t, text="Question 3 : A, B ou C", outcome="accepted", final="DELIVRD", to="+33612345678"):
        return MT(t=t, service="quiz", code="34100", oadc="34100", to_raw=to, msisdn=to, text=text,
                  outcome=outcome, final=final)

    failed_then_resent = [mt(0, final="UNDELIV"), mt(59 * 60)]
    assert logical_messages(failed_then_resent, 60) == (1, 1)
    refused_then_resent = [mt(0, outcome="rejected", final=None), mt(600)]
    assert logical_messages(refused_then_resent, 60) == (1, 1)
    too_late = [mt(0, final="UNDELIV"), mt(61 * 60)]
    assert logical_messages(too_late, 60) == (2, 2)
    delivered_then_same_text = [mt(0), mt(600)]           # no failure: two messages
    assert logical_messages(delivered_then_same_text, 60) == (2, 2)
    other_text_or_number = [mt(0, final="UNDELIV"), mt(60, text="Autre"), mt(120, to="+33698765432")]
    assert logical_messages(other_text_or_number, 60) == (3, 3)


def test_the_simulated_contract_names_the_aggregator_for_the_forecast_cover_sheet():
    """The demo's file for Orange read 'for (no contractor set)': the simulated contract is
    the newcomer's example, so it fills [forecast] contractor as a real one would."""
    from opsanalytics.config import parse_contract
    from opsanalytics.simulate.contract import CONTRACTOR, contract_toml

    assert parse_contract(contract_toml("Europe/Paris")).forecast.contractor == CONTRACTOR != ""


def test_a_period_without_a_working_weekday_lists_no_content_case(tmp_path):
    """A weekend (24-25 October 2026) places no scenario: the truth file's content cases, the
    ones R11 must flag, are those placed, not every case the simulator knows (a probe read
    nine cases there beside one quiz message flagged)."""
    weekend = simulate(tmp_path / "weekend", days=2, scale=50, seed=29, start=dt.date(2026, 10, 24))
    content = json.loads(weekend.ground_truth.read_text(encoding="utf-8"))["content"]
    assert content["cases"] == []
    assert set(content["messages_by_reason"]) <= {"cost_not_disclosed"}   # the quiz's unpriced texts only
    week = simulate(tmp_path / "week", days=7, scale=50, seed=29, start=dt.date(2026, 10, 24))
    cases = json.loads(week.ground_truth.read_text(encoding="utf-8"))["content"]["cases"]
    assert len(cases) == 9 and any(case["reasons"] for case in cases)   # (traps: no reason)


def test_every_mt_and_mo_is_on_a_day_of_the_period(tmp_path):
    """A START sent back up to a day after a STOP fell after the last day (the demo's month,
    seed 1: a START and its reply at 00:55 on 15 November), so the traffic ran one day more
    than the period and the forecast's run rate was 31/32 of the truth (a session-34
    probe). Every MT and MO now lies within the period; receipts may come after midnight."""
    res = simulate(tmp_path, days=31, scale=600, seed=1, start=dt.date(2026, 10, 15))
    end = dt.datetime(2026, 11, 15, tzinfo=ZoneInfo("Europe/Paris")).timestamp()
    lines = read_lines(res)
    sends = [line for line in lines if " Sent SMS " in line or " Receive SMS " in line]
    assert sends and max(instants(sends, "Europe/Paris")) < end
