"""R13 SLA: which log a load belongs to does not depend on the folder it was loaded from. A
session-33 probe (s33/pM, cronM) loaded the live log once from a copy (live/access.log), then
every night from the gateway's own folder (logs/access.log*): the later load continues the
first (load_manifest.continues_load_id), so it is one log; read by its file name (less the
rotation's suffix) it was two, the crash found in the copy was not applied to the connections
only the later loads carry (gateway_down 15 entries instead of 16, observed_s too long). The
chain of loads that continue one another, and the same content read in two places (a
rotated file identical to a copy already loaded: skipped, continuing nothing), tie the
rotation names of one log; two gateways' logs (an HA pair) stay two."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from slalines import CONTRACT, at, failed, ok, utc, written

from opsanalytics import sla, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.report import insights


def _run(tmp_path: Path, nights: list[dict[str, list[str]]]):
    """Each night's files (relative path: lines) written under tmp_path, then loaded in one
    ingest; the SLA and the data-quality list of restarts of the warehouse after the last."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "contract.toml").write_text(CONTRACT, encoding="utf-8")
    contract = load_contract(tmp_path / "contract.toml")
    con = warehouse.connect(":memory:", create=True)
    try:
        for files in nights:
            ingest_files(con, contract, written(tmp_path, files), progress=False)
        result = sla.sla(con, contract, Filters())
        restarts = insights.log_restarts(con, contract, Filters())
    finally:
        con.close()
    return result, restarts


def _crashed_log() -> tuple[list[str], int]:
    """ora_36181 accepted at 08:00, failing 09:00-10:00, the gateway crashed after 10:00 and
    restarted at 11:00 (`Log begins`, no `Log ends`), ora_36181 failing again then accepted at
    11:30; ora_36180 first seen at 12:00. And where a copy taken at 11:10 ends."""
    lines = [at("07:59:59") + " Log begins",
             *ok("08:00:10", "ora_36181", "B0000001", "33611000001"),
             *failed("09:00:00", "ora_36181", "33611000002"),
             *failed("09:30:00", "ora_36181", "33611000003"),
             *failed("10:00:00", "ora_36181", "33611000004"),
             at("11:00:00") + " Log begins",
             *failed("11:10:00", "ora_36181", "33611000005")]
    copied = len(lines)
    lines += [*failed("11:20:00", "ora_36181", "33611000006"),
              *ok("11:30:00", "ora_36181", "B0000002", "33611000007"),
              *ok("12:00:00", "ora_36180", "A0000001", "33612000001"),
              *ok("12:30:00", "ora_36180", "A0000002", "33612000002")]
    return lines, copied


def _down(result: sla.Sla) -> list[list]:
    return result.gateway_down[["smsc", "down_from", "down_to", "clean"]].drop_duplicates().values.tolist()


def test_a_log_loaded_first_from_a_copy_then_from_its_folder_is_one_log(tmp_path):
    """cronM's shape: the copy (in live/) up to 11:10, then the whole log from logs/, which
    continues it. The crash cuts both connections of the log, ora_36180 too (its lines are
    all in the later load), exactly as the same loads from one folder do."""
    lines, copied = _crashed_log()
    both, _ = _run(tmp_path / "M", [{"live/access.log": lines[:copied]}, {"logs/access.log": lines}])
    one, _ = _run(tmp_path / "N", [{"logs/access.log": lines[:copied]}, {"logs/access.log": lines}])
    expected = [["ora_36180", utc("10:00:00"), utc("11:00:00"), False],
                ["ora_36181", utc("10:00:00"), utc("11:00:00"), False]]
    assert _down(one) == expected
    assert _down(both) == expected
    # logs 07:59:59 (the first event 08:00:10) to 12:30:03, less the hour down, for both
    observed = (utc("12:30:03") - utc("08:00:10")).total_seconds() - 3600
    for result in (one, both):
        assert result.rolling.set_index("smsc")["observed_s"].to_dict() == {"ora_36180": observed,
                                                                            "ora_36181": observed}
    pd.testing.assert_frame_equal(both.rolling, one.rolling)
    pd.testing.assert_frame_equal(both.incidents, one.incidents)


def _stopped_log(restart: str) -> tuple[list[str], list[str]]:
    """One gateway, both connections: stopped at 10:00:30 (`Log ends`, the end of the file
    rotated then) and started at `restart` in the new file."""
    old = [at("07:59:59") + " Log begins",
           *ok("08:00:00", "ora_36180", "A0000001", "33612000001"),
           *ok("08:00:10", "ora_36181", "B0000001", "33611000001"),
           *failed("09:00:00", "ora_36181", "33611000002"),
           *failed("10:00:00", "ora_36181", "33611000003"),
           at("10:00:30") + " Log ends"]
    new = [at(restart) + " Log begins",
           *failed("11:10:00", "ora_36181", "33611000004"),
           *ok("11:30:00", "ora_36181", "B0000002", "33611000005"),
           *ok("12:00:00", "ora_36180", "A0000002", "33612000002")]
    return old, new


def test_a_rotated_file_identical_to_a_copy_loaded_before_ties_the_copy_to_its_log(tmp_path):
    """The whole file copied to live/ and loaded; the night after, logs/access.log.1 is the
    same file (skipped: loaded already, it continues nothing) and logs/access.log opens with
    `Log begins` at 11:00: a clean restart, down 10:00:30-11:00 for both connections (it read
    as no restart at all: the `Log ends` was in another 'log'); at 10:00:30, a log reopen."""
    old, new = _stopped_log("11:00:00")
    result, restarts = _run(tmp_path / "restart", [{"live/access.log": old},
                                                   {"logs/access.log.1": old, "logs/access.log": new}])
    assert _down(result) == [["ora_36180", utc("10:00:30"), utc("11:00:00"), True],
                             ["ora_36181", utc("10:00:30"), utc("11:00:00"), True]]
    observed = (utc("12:00:03") - utc("08:00:00")).total_seconds() - 3570
    assert result.rolling["observed_s"].tolist() == [observed, observed]
    said = restarts.set_index(restarts["path"].map(lambda p: Path(p).parent.name))[["clean", "reopened"]]
    assert said.loc["logs"].tolist() == [True, False]
    old, new = _stopped_log("10:00:30")
    result, restarts = _run(tmp_path / "reopen", [{"live/access.log": old},
                                                  {"logs/access.log.1": old, "logs/access.log": new}])
    assert result.gateway_down.empty
    said = restarts.set_index(restarts["path"].map(lambda p: Path(p).parent.name))[["clean", "reopened"]]
    assert said.loc["logs"].tolist() == [True, True]


def test_two_gateways_logs_of_the_same_name_in_two_folders_stay_two_logs(tmp_path):
    """gw1 and gw2 (an HA pair) each write access.log, each loaded from its own folder: gw1's
    stop does not cut ora_36181, which gw2 logged throughout; ora_36180 only gw1 carried."""
    gw1, new = _stopped_log("11:00:00")
    gw2 = [at("07:59:59") + " Log begins",
           *[line for k in range(9) for line in ok(f"{8 + k // 2:02d}:{30 * (k % 2):02d}:20", "ora_36181",
                                                      f"C00000{k:02d}", f"336110001{k:02d}")],
           at("12:30:00") + " Log ends"]
    result, _ = _run(tmp_path, [{"gw1/access.log.1": gw1, "gw1/access.log": new, "gw2/access.log": gw2}])
    assert _down(result) == [["ora_36180", utc("10:00:30"), utc("11:00:00"), True]]
