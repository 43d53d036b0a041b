"""R13 SLA and the gateway's own downtime, as a session-33 probe (s33/pH) found it wrong:
a connection two gateways carry (an HA pair, one log each) is down only while neither logs;
a crash right after a rotated file without markers; `gateway_down` filtered as every other
list; a receipt stall is not read across a restart. Every result here also keeps
`at_most_s >= seen_s` and `availability_seen >= availability_at_least`."""

from __future__ import annotations

import datetime as dt

from kannellines import mt, receipt
from slalines import CONTRACT, TEXT, at, failed, ok, utc, written

from opsanalytics import sla, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files


def consistent(result: sla.Sla) -> sla.Sla:
    """No incident is proven longer than it can have lasted, no availability proven lower
    than its least."""
    incidents = result.incidents
    assert (incidents["at_most_s"] >= incidents["seen_s"]).all(), incidents[["seen_s", "at_most_s"]]
    assert (incidents["to_at_most"] >= incidents["last_failure_at"]).all()
    assert (incidents["from_at_most"] <= incidents["first_failure_at"]).all()
    for table in (result.rolling, result.availability):
        if len(table):
            both = table.dropna(subset=["availability_seen"])
            assert (both["availability_seen"] >= both["availability_at_least"]).all()
            assert (both["down_at_most_s"] >= both["down_seen_s"]).all()
    return result


def _load(tmp_path, files: dict[str, list[str]], filters: Filters = Filters()) -> sla.Sla:
    """`files` (relative path: lines) written under tmp_path and loaded in one ingest."""
    paths = written(tmp_path, files)
    (tmp_path / "contract.toml").write_text(CONTRACT, encoding="utf-8")
    contract = load_contract(tmp_path / "contract.toml")
    con = warehouse.connect(":memory:", create=True)
    try:
        ingest_files(con, contract, paths, progress=False)
        return consistent(sla.sla(con, contract, filters))
    finally:
        con.close()


def _ha(gw2_down: tuple[str, str] | None = None) -> dict[str, list[str]]:
    """ora_36180 on two gateways: gw1 stopped 10:00-10:30, gw2 running and logging its
    failures 09:50-10:40 (accepted 09:40 and 10:45); gw2 down too at `gw2_down`."""
    gw1 = [at("09:00:00") + " Log begins", *ok("09:01:00", "ora_36180", "A0000001", "33612000001"),
           at("10:00:00") + " Log ends", at("10:30:00") + " Log begins",
           *ok("11:01:00", "ora_36180", "A0000002", "33612000002"), at("11:05:00") + " Log ends"]
    gw2 = [at("09:00:00") + " Log begins", *ok("09:40:00", "ora_36180", "B0000001", "33612000003")]
    for k in range(11):
        stamp = f"{9 + (50 + 5 * k) // 60:02d}:{(50 + 5 * k) % 60:02d}:00"
        if gw2_down and gw2_down[0] < stamp < gw2_down[1]:
            continue
        if gw2_down and stamp == gw2_down[1]:
            gw2 += [at(gw2_down[0]) + " Log ends", at(gw2_down[1]) + " Log begins"]
        gw2 += failed(stamp, "ora_36180", f"336120001{k:02d}")
    gw2 += [*ok("10:45:00", "ora_36180", "B0000002", "33612000004"), at("11:05:00") + " Log ends"]
    return {"gw1/access.log": gw1, "gw2/access.log": gw2}


def test_one_gateway_of_an_ha_pair_restarting_cuts_nothing_the_other_logged(tmp_path):
    """s1a: gw2 logged the failures through gw1's half hour down: one incident, 09:50-10:40
    proven, 09:40-10:45 at most; no downtime of ora_36180 (a log watched it throughout). The
    restart applied to every connection of the restarted log cut it in two (09:50-10:25 seen
    2100 s, 'at most' 1200 s) and took the half hour off the observed time."""
    result = _load(tmp_path, _ha())
    rows = result.incidents
    assert rows[["first_failure_at", "last_failure_at", "last_ok_before", "restored_at"]].values.tolist() == [
        [utc("09:50:00"), utc("10:40:00"), utc("09:40:00"), utc("10:45:00")]]
    assert rows[["seen_s", "at_most_s", "failed_lines"]].values.tolist() == [[3000, 3900, 11]]
    assert result.gateway_down.empty
    rolling = result.rolling.set_index("smsc")
    observed = (utc("11:01:03") - utc("09:01:00")).total_seconds()
    assert rolling.loc["ora_36180", "observed_s"] == observed
    assert (rolling.loc["ora_36180", "down_seen_s"], rolling.loc["ora_36180", "down_at_most_s"]) == (3000, 3900)


def test_an_ha_pair_is_down_only_while_both_gateways_are(tmp_path):
    """gw1 down 10:00-10:30, gw2 down 10:20-10:40: ora_36180 unwatched 10:20-10:30 only; the
    failures gw2 logged up to its stop and after its restart are two incidents cut there."""
    result = _load(tmp_path, _ha(("10:20:00", "10:40:00")))
    down = result.gateway_down
    assert down[["smsc", "down_from", "down_to", "down_s"]].drop_duplicates().values.tolist() == [
        ["ora_36180", utc("10:20:00"), utc("10:30:00"), 600]]
    rows = result.incidents.sort_values("first_failure_at")
    assert rows[["first_failure_at", "last_failure_at"]].values.tolist() == [
        [utc("09:50:00"), utc("10:20:00")], [utc("10:40:00"), utc("10:40:00")]]
    assert rows["log_stopped_at"].iloc[0] == utc("10:20:00") and rows["log_resumed_at"].iloc[1] == utc("10:30:00")
    observed = (utc("11:01:03") - utc("09:01:00")).total_seconds() - 600
    assert result.rolling.set_index("smsc").loc["ora_36180", "observed_s"] == observed


def test_a_crash_right_after_a_rotated_file_without_markers(tmp_path):
    """s2crash: access.log.1 (a copytruncate segment: events 09:01-09:55, no marker), then
    access.log opening with `Log begins` at 10:02: a crash, down from 09:55 (the rotated
    file's last event) to 10:02; the failures on either side are two incidents."""
    old = [*ok("09:01:00", "ora_36180", "A0000001", "33612000001"), *ok("09:40:00", "ora_36180", "A0000002", "33612000002"),
           *failed("09:50:00", "ora_36180", "33612000003"), *failed("09:55:00", "ora_36180", "33612000004")]
    new = [at("10:02:00") + " Log begins",
           *[line for k in range(8) for line in failed(f"10:{5 + 5 * k:02d}:00", "ora_36180", f"336120001{k:02d}")],
           *ok("10:45:00", "ora_36180", "A0000003", "33612000005"), *ok("11:05:00", "ora_36180", "A0000004", "33612000006"),
           at("11:05:10") + " Log ends"]
    result = _load(tmp_path, {"access.log": new, "access.log.1": old})
    assert result.gateway_down[["down_from", "down_to", "down_s", "clean"]].values.tolist() == [
        [utc("09:55:00"), utc("10:02:00"), 420, False]]
    rows = result.incidents.sort_values("first_failure_at")
    assert rows[["first_failure_at", "last_failure_at", "seen_s", "at_most_s"]].values.tolist() == [
        [utc("09:50:00"), utc("09:55:00"), 300, 900], [utc("10:05:00"), utc("10:40:00"), 2100, 2580]]
    assert rows["log_stopped_at"].iloc[0] == utc("09:55:00") and rows["log_resumed_at"].iloc[1] == utc("10:02:00")
    assert result.rolling["observed_s"].tolist() == [(utc("11:05:03") - utc("09:01:00")).total_seconds() - 420]


def _two_connections() -> list[str]:
    """One gateway carrying both connections, stopped 10:00:30-11:00:00 on 10 November."""
    return [at("07:59:59") + " Log begins", *ok("08:00:00", "ora_36180", "A0000001", "33612000001"),
            *ok("08:00:10", "ora_36181", "B0000001", "33611000001"), at("10:00:30") + " Log ends",
            at("11:00:00") + " Log begins", *ok("11:30:00", "ora_36181", "B0000002", "33611000002"),
            *ok("12:00:00", "ora_36180", "A0000002", "33612000002")]


def test_gateway_down_is_filtered_as_every_other_list(tmp_path):
    """s5b: --short-code 36181 listed ora_36180's downtime; --from and --to did not filter it."""
    files = {"access.log": _two_connections()}
    every = _load(tmp_path / "all", files).gateway_down
    assert sorted(every["smsc"]) == ["ora_36180", "ora_36181"]
    one = _load(tmp_path / "one", files, Filters(short_code="36181")).gateway_down
    assert one[["smsc", "down_from", "down_to"]].values.tolist() == [["ora_36181", utc("10:00:30"), utc("11:00:00")]]
    day = dt.date(2026, 11, 10)
    assert len(_load(tmp_path / "on", files, Filters(date_from=day, date_to=day)).gateway_down) == 2
    assert _load(tmp_path / "after", files, Filters(date_from=day + dt.timedelta(days=1))).gateway_down.empty
    assert _load(tmp_path / "before", files, Filters(date_to=day - dt.timedelta(days=1))).gateway_down.empty


def test_a_receipt_stall_is_not_read_across_the_gateways_restart(tmp_path):
    """20 submits before a 30 s restart and 20 after, every receipt released at 19:00:30: two
    stalls of 20, one each side (the log proves nothing while the gateway was down, as with
    incidents); read across it they were one stall of 40."""
    lines = [at("10:59:00") + " Log begins", *ok("11:00:00", "ora_36180", "A0000001", "33612000001"),
             *[mt(at(f"12:00:{k:02d}"), "ora_36180", f"A00001{k:02d}", f"336120001{k:02d}", TEXT) for k in range(20)],
             at("12:00:30") + " Log ends", at("12:01:00") + " Log begins",
             *[mt(at(f"12:01:{10 + k:02d}"), "ora_36180", f"A00002{k:02d}", f"336120002{k:02d}", TEXT) for k in range(20)],
             *ok("12:02:00", "ora_36180", "A0000300", "33612000300"),
             *[receipt(at("19:00:30"), "ora_36180", f"A0000{n}{k:02d}", f"33612000{n}{k:02d}", "DELIVRD")
               for n in (1, 2) for k in range(20)]]
    stalls = _load(tmp_path, {"access.log": lines}).receipt_stalls.sort_values("first_line_at")
    assert stalls[["lines", "first_line_at", "last_line_at"]].values.tolist() == [
        [20, utc("12:00:00"), utc("12:00:19")], [20, utc("12:01:10"), utc("12:01:29")]]
