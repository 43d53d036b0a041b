"""The ingest framework: format choice, the manifest (idempotent loads), atomicity of a call,
and the `opsanalytics ingest` command's handling of bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from opsanalytics import warehouse
from opsanalytics.cli import main as cli
from opsanalytics.config import parse_contract
from opsanalytics.errors import IngestError
from opsanalytics.ingest import LoadResult, detect_format, ingest_files, kannel


FIXTURES = Path(__file__).parent / "fixtures"
MAIN = FIXTURES / "kannel-1.4.5" / "main" / "access.log"
ODD = FIXTURES / "kannel-cases" / "odd.log"
ODD_SHA256 = hashlib.sha256(ODD.read_bytes()).hexdigest()  # of the bytes as stored
CONTRACT = 'timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'
TABLES = ("load_manifest", "events", "log_markers", "rejected_lines")


def snapshot(con) -> dict:
    out = {}
    for table in TABLES:
        order = "load_id" if table == "load_manifest" else "load_id, line_no"
        # the manifest's state last, whatever columns follow it in the table
        out[table] = con.execute(f"SELECT * EXCLUDE (loaded_at, state), state FROM {table} ORDER BY {order}"
                                 if table == "load_manifest" else f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    return out


@pytest.fixture
def con(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    yield con
    con.close()


def test_detect_format():
    assert detect_format(Path("events.csv")) == "csv"
    assert detect_format(Path("events.CSV.gz")) == "csv"
    assert detect_format(Path("x.parquet")) == "parquet"
    assert detect_format(Path("access.log.2.gz")) == "kannel"
    assert detect_format(Path("access.log")) == "kannel"


def test_manifest_accounting_and_sha256(con):
    [result] = ingest_files(con, parse_contract(CONTRACT), [ODD], progress=False)
    assert result == LoadResult(str(ODD.resolve()), ODD_SHA256, "kannel", 12, 3, 1, 8, "loaded", load_id=1)
    row = con.execute("SELECT load_id, path, sha256, size_bytes, format, log_timezone, lines, events, markers, "
                      "rejected, state FROM load_manifest").fetchall()
    assert row == [(1, str(ODD.resolve()), ODD_SHA256, ODD.stat().st_size, "kannel", "Europe/Paris",
                    12, 3, 1, 8, "loaded")]
    assert result.summary().endswith("lines=12 events=3 markers=1 rejected=8 (loaded)")


def test_second_ingest_is_skipped_and_changes_nothing(con, tmp_path):
    contract = parse_contract(CONTRACT)
    ingest_files(con, contract, [MAIN], progress=False)
    before = snapshot(con)
    copy = tmp_path / "renamed-access.log"        # same bytes under another name: same file
    shutil.copy(MAIN, copy)
    results = ingest_files(con, contract, [MAIN, copy], progress=False)
    assert [r.state for r in results] == ["skipped", "skipped"]
    assert [r.load_id for r in results] == [None, None]  # a skipped file holds no lines
    assert all((r.lines, r.events, r.markers, r.rejected) == (0, 0, 0, 0) for r in results)
    after = snapshot(con)
    for table in ("events", "log_markers", "rejected_lines"):
        assert after[table] == before[table]
    assert [r[-1] for r in after["load_manifest"]] == ["loaded", "skipped", "skipped"]


def test_same_file_twice_in_one_call_loads_once(con):
    results = ingest_files(con, parse_contract(CONTRACT), [MAIN, MAIN], progress=False)
    assert [r.state for r in results] == ["loaded", "skipped"]
    assert con.execute("SELECT count(DISTINCT load_id) FROM events").fetchone()[0] == 1


def test_failure_half_way_leaves_the_warehouse_as_before(con, monkeypatch):
    contract = parse_contract(CONTRACT)
    ingest_files(con, contract, [ODD], progress=False)
    before = snapshot(con)

    # the second file fails after its events were inserted (at the accounting query)
    real_execute = warehouse.execute

    def failing(c, name, params=None):
        if name == "staging/kannel_counts":
            raise duckdb.IOException("disk full (simulated)")
        return real_execute(c, name, params)

    monkeypatch.setattr(kannel.warehouse, "execute", failing)
    with pytest.raises(duckdb.IOException):
        ingest_files(con, contract, [MAIN], progress=False)
    monkeypatch.undo()
    assert snapshot(con) == before

    # the facts build fails after every file was loaded
    import opsanalytics.facts as facts

    def broken_build(c, contract, progress=False, built_from=None):
        raise RuntimeError("facts build failed (simulated)")

    monkeypatch.setattr(facts, "build", broken_build)
    with pytest.raises(RuntimeError):
        ingest_files(con, contract, [MAIN], progress=False)
    assert snapshot(con) == before
    monkeypatch.undo()
    # and the file loads normally afterwards: nothing of the failed attempts remained
    [result] = ingest_files(con, contract, [MAIN], progress=False)
    assert (result.state, result.events) == ("loaded", 126)


def test_facts_are_kept_when_nothing_new_is_loaded(con, monkeypatch, capsys):
    """A second ingest of the same log keeps the facts (no rebuild from every event); a
    changed contract, a new file or a fact table gone rebuilds them."""
    import opsanalytics.facts as facts

    contract = parse_contract(CONTRACT)
    ingest_files(con, contract, [MAIN], progress=False)
    rebuilds, real_build = [], facts.build
    monkeypatch.setattr(facts, "build", lambda *a, **k: (rebuilds.append(1), real_build(*a, **k)))

    def recorded() -> int:
        return con.execute("SELECT count(*) FROM facts_builds").fetchone()[0]

    def brands() -> list:
        return con.execute("SELECT DISTINCT brand FROM fct_mt WHERE service = 'acme'").fetchall()

    before = con.execute("SELECT * FROM fct_mt ORDER BY mt_id").fetchall()
    assert (recorded(), brands()) == (1, [(None,)])
    ingest_files(con, contract, [MAIN], progress=False, echo=True)
    assert (rebuilds, recorded()) == ([], 1)
    assert "facts: kept (nothing new was loaded" in capsys.readouterr().err
    assert con.execute("SELECT * FROM fct_mt ORDER BY mt_id").fetchall() == before

    # the same files under a contract that names the brand: rebuilt with it
    branded = parse_contract(CONTRACT + '[[services]]\nname = "acme"\nbrand = "Acme"\ncategory = "marketing"\n')
    ingest_files(con, branded, [MAIN], progress=False, echo=True)
    assert (rebuilds, recorded(), brands()) == ([1], 2, [("Acme",)])
    assert "facts: kept" not in capsys.readouterr().err
    ingest_files(con, branded, [MAIN], progress=False)
    assert rebuilds == [1]

    # a new file: rebuilt
    [result] = ingest_files(con, branded, [ODD], progress=False)
    assert (result.state, rebuilds, recorded()) == ("loaded", [1, 1], 3)

    # a fact table dropped by hand: rebuilt though nothing else changed
    con.execute("DROP TABLE fct_mo")
    ingest_files(con, branded, [MAIN, ODD], progress=False)
    assert (rebuilds, recorded()) == ([1, 1, 1], 4)
    assert con.execute("SELECT count(*) FROM fct_mo").fetchone()[0] > 0


def test_facts_refresh_sees_the_last_rebuild_of_a_transaction(con):
    """now() is when the transaction began: of two rebuilds in one transaction, the later counts."""
    import opsanalytics.facts as facts
    from opsanalytics.ingest import load_file

    contract = parse_contract(CONTRACT)
    with warehouse.transaction(con):
        facts.build(con, contract)
        load_file(con, contract, ODD.resolve(), "kannel", progress=False)
        facts.build(con, contract)
        assert facts.refresh(con, contract) is False


def test_facts_fingerprint_follows_loads_contract_and_code(con, tmp_path, monkeypatch):
    import opsanalytics.facts as facts
    from opsanalytics import paths

    contract = parse_contract(CONTRACT)
    empty = facts.fingerprint(con, contract)
    assert facts.fingerprint(con, contract) == empty  # deterministic
    ingest_files(con, contract, [ODD], progress=False)
    loaded = facts.fingerprint(con, contract)
    assert loaded != empty
    assert facts.fingerprint(con, parse_contract(CONTRACT + "[rules]\nretry_minutes = 30\n")) != loaded
    # the same file named another way (a probe: a nightly job run from another folder rebuilt the facts)
    assert facts.fingerprint(con, parse_contract(CONTRACT, "../../sim/contract.toml")) == loaded
    # the same values from an edited file: ref_settings records its digest, which audit checks
    assert facts.fingerprint(con, parse_contract(CONTRACT).model_copy(update={"digest": "edited"})) != loaded
    # a facts query edited (an upgrade of opsanalytics): another fingerprint
    queries = tmp_path / "queries"
    shutil.copytree(paths.queries_dir(), queries)
    monkeypatch.setattr(facts.warehouse, "queries_dir", lambda: queries)
    assert facts.fingerprint(con, contract) == loaded
    step = queries / "facts" / "fct_mo.sql"
    step.write_text(step.read_text() + "\n-- edited\n")
    assert facts.fingerprint(con, contract) != loaded


def test_missing_file_refused_before_anything_is_written(con):
    with pytest.raises(IngestError, match="no-such.log: no such file"):
        ingest_files(con, parse_contract(CONTRACT), [ODD, "no-such.log"], progress=False)
    assert con.execute("SELECT count(*) FROM load_manifest").fetchone()[0] == 0


def test_file_of_the_wrong_format_is_refused(con, tmp_path):
    csv = tmp_path / "notes.txt"
    csv.write_text("msisdn,text\n33612345678,hello\n")
    with pytest.raises(IngestError, match="no line is a Kannel access-log line"):
        ingest_files(con, parse_contract(CONTRACT), [csv], progress=False)
    assert con.execute("SELECT count(*) FROM rejected_lines").fetchone()[0] == 0


def test_smsbox_access_log_is_refused_with_a_pointer_to_bearerbox(con, tmp_path):
    """smsbox writes an access log of its own (HTTP requests, gw/smsbox.c); the traffic is in
    bearerbox's, and the error says so rather than only that the format is wrong."""
    log = tmp_path / "smsbox-access.log"
    log.write_text(
        "2026-11-25 10:00:00 send-SMS request added - sender:acme:36180 127.0.0.1 target:33612345678 request: 'Bonjour'\n"
        "2026-11-25 10:00:01 SMS HTTP-request sender:+33612345678 request: 'STOP' url: 'http://app/mo' reply: 200 ''\n")
    with pytest.raises(IngestError, match=r"line 1: .*; this is smsbox's access log \(HTTP requests\); "
                                          r"the traffic is in bearerbox's"):
        ingest_files(con, parse_contract(CONTRACT), [log], progress=False)
    assert con.execute("SELECT count(*) FROM load_manifest").fetchone()[0] == 0


def test_smsbox_lines_inside_a_bearerbox_log_are_rejected_as_such(con, tmp_path):
    """Both boxes given one access-log file: smsbox's request lines fall between bearerbox's.
    Each is rejected saying what it is (not as a damaged bearerbox line); every bearerbox
    line still loads."""
    lines = MAIN.read_text().splitlines(keepends=True)
    smsbox = [
        "2026-11-25 17:19:45 send-SMS request added - sender:acme:ACME 127.0.0.1 target:33612345678 "
        "request: 'Promo: [ok] ] [x'\n",
        "2026-11-25 17:19:50 SMS HTTP-request sender:+33612345678 request: 'STOP' url: 'http://app/mo' reply: 200 ''\n",
    ]
    log = tmp_path / "both-boxes.log"
    log.write_text("".join(lines[:2] + smsbox[:1] + lines[2:5] + smsbox[1:] + lines[5:]))
    [result] = ingest_files(con, parse_contract(CONTRACT), [log], progress=False)
    assert (result.lines, result.events, result.markers, result.rejected) == (134, 126, 6, 2)
    assert con.execute("SELECT line_no, reason FROM rejected_lines ORDER BY line_no").fetchall() == [
        (line_no, "an smsbox access-log line (an HTTP request), not a bearerbox event: "
                  "smsbox and bearerbox write to the same access-log file?") for line_no in (3, 7)]


def test_cli_loads_and_prints_accounting(tmp_path, capsys):
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT)
    db = tmp_path / "new.duckdb"
    assert cli(["ingest", str(MAIN), str(ODD), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{MAIN.resolve()}: lines=132 events=126 markers=6 rejected=0 (loaded)"
    assert out[1] == f"{ODD.resolve()}: lines=12 events=3 markers=1 rejected=8 (loaded)"
    assert out[2] == "total: lines=144 events=129 markers=7 rejected=8"
    assert cli(["ingest", str(MAIN), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    assert capsys.readouterr().out.strip().endswith("(skipped)")


def test_cli_says_why_lines_were_rejected(tmp_path, capsys):
    """After the accounting, each file's rejected lines by reason, most frequent first, with
    the first line of each; reasons that differ only by a number (the LEN) count as one."""
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT)
    good = MAIN.read_text().splitlines(keepends=True)[1]  # a Sent SMS line
    good = "2026-01-02 03:04:05" + good[19:]   # (at another time: not the same event twice)
    head, msg = good.split(" [msg:", 1)
    log = tmp_path / "damaged.log"
    # two lines whose text is shorter than their LEN (two different LENs), one empty line
    log.write_text(good + head + " [msg:40:short] [udh:0:]\n" + "\n" + head + " [msg:41:short] [udh:0:]\n")
    db = tmp_path / "w.duckdb"
    assert cli(["ingest", str(MAIN), str(log), str(ODD), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{log.resolve()}: 3 rejected line(s), by reason (every one, with its raw text, in the rejected_lines table):",
        "  2  e.g. line 2: truncated: the text is shorter than its LEN (40 bytes)",
        "  1  e.g. line 3: empty line",
        f"{ODD.resolve()}: 8 rejected line(s), by reason (every one, with its raw text, in the rejected_lines table):",
        "  2  e.g. line 4: fields missing or out of order for the access-log format (truncated or damaged line?)",
        "  1  e.g. line 3: truncated: the text is shorter than its LEN (40 bytes)",
        '  1  e.g. line 5: unknown label "Teleported SMS"',
        "  1  e.g. line 6: empty line",
        '  1  e.g. line 7: no "YYYY-MM-DD HH:MM:SS " time at the start of the line',
        "  ... and 2 other reason(s)",
        # (this contract names no service: see the next test)
        f"warning: 6 service(s) sending MTs from 2026-01-02 to 2026-11-25 are not in {config}'s [[services]]: acme (30 MT), jeu (3 MT), "
        "stop (3 MT), acme] [promo (1 MT), jeu_app (1 MT), start (1 MT); their MTs have no brand and no category, "
        "so no marketing rule (R1-R4) applies to them. Name them in [[services]] and run ingest again: "
        "the facts are rebuilt for the new contract.",
    ]
    assert not any(str(MAIN.resolve()) in line for line in err)  # nothing rejected there


def test_cli_warns_of_services_the_contract_does_not_name(tmp_path, capsys):
    """MTs of a service missing from [[services]] escape every marketing rule: ingest says
    which, and once the contract names them an ingest of nothing new rebuilds the facts."""
    config = tmp_path / "contract.toml"
    named = "".join(f'[[services]]\nname = "{name}"\nbrand = "Acme"\ncategory = "{category}"\n'
                    for name, category in (("acme", "marketing"), ("stop", "transactional"),
                                           ("start", "transactional")))
    config.write_text(CONTRACT + named)
    db = tmp_path / "w.duckdb"
    assert cli(["ingest", str(MAIN), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"warning: 2 service(s) sending MTs on 2026-11-25 are not in {config}'s [[services]]: jeu (3 MT), "
        "jeu_app (1 MT); their MTs have no brand and no category, so no marketing rule (R1-R4) applies "
        "to them. Name them in [[services]] and run ingest again: the facts are rebuilt for the new contract."]
    config.write_text(CONTRACT + named + "".join(
        f'[[services]]\nname = "{name}"\nbrand = "Jeu"\ncategory = "marketing"\n' for name in ("jeu", "jeu_app")))
    assert cli(["ingest", str(MAIN), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_cli_keeps_a_committed_load_when_its_reject_summary_fails(tmp_path, capsys, monkeypatch):
    """The summary is read after the load is committed: failing to read it must not remove
    the new warehouse (the command removes a database it created only for a failed load)."""
    from opsanalytics.cli import ingest as ingest_cli

    def broken(con, result, top=5):
        raise duckdb.IOException("disk went away")

    monkeypatch.setattr(ingest_cli, "rejected_reasons", broken)
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT)
    db = tmp_path / "new.duckdb"
    assert cli(["ingest", str(ODD), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"{ODD.resolve()}: 8 rejected line(s), by reason (every one, with its raw text, "
                      "in the rejected_lines table):")
    # and the failure is said, not swallowed (opsanalytics.ingest.cautions)
    assert len(err) == 2 and err[1].startswith(
        "opsanalytics ingest: warning: the load is committed, but the post-load checks failed (disk went away)")
    with duckdb.connect(str(db), read_only=True) as check:
        assert check.execute("SELECT count(*) FROM rejected_lines").fetchone()[0] == 8


@pytest.mark.parametrize("case", ["missing file", "bad config", "missing config", "no time", "wrong format",
                                  "bad memory limit", "out of memory"])
def test_cli_errors_exit_2_and_leave_no_database(case, tmp_path, capsys):
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT)
    files = [str(MAIN)]
    if case == "missing file":
        files = [str(MAIN), str(tmp_path / "nope.log")]
    elif case == "bad config":
        config.write_text('log_timezone = "Mars/Olympus"\n')
    elif case == "missing config":
        config = tmp_path / "absent.toml"
    elif case == "no time":
        config.write_text("access_log_clean = true\n")
    elif case == "wrong format":
        files = [str(MAIN), str(ODD)]
        config.write_text(CONTRACT + 'access_log_format = "%l from=%p text=%b"\n')
    options = {"bad memory limit": ["--memory-limit", "lots"],
               "out of memory": ["--memory-limit", "1MB"]}.get(case, [])
    db = tmp_path / "w.duckdb"
    assert cli(["ingest", *files, "--db", str(db), "--config", str(config), *options]) == 2
    err = capsys.readouterr().err
    assert "opsanalytics ingest: error: " in err
    assert "Traceback" not in err
    assert not db.exists()
    expected = {"missing file": "nope.log: no such file", "bad config": "log_timezone: unknown time zone",
                "missing config": "contract file not found", "no time": "no time at all",
                "wrong format": "no line is a Kannel access-log line",
                "bad memory limit": "memory limit 'lots' is not a size such as 1GB",
                "out of memory": "out of memory under --memory-limit 1MB"}[case]
    assert expected in err


def test_cli_error_keeps_an_existing_database_unchanged(tmp_path, capsys):
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT)
    db = tmp_path / "w.duckdb"
    assert cli(["ingest", str(ODD), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    con = warehouse.connect(db, read_only=True)
    before = snapshot(con)
    con.close()
    config.write_text("access_log_clean = true\n")
    assert cli(["ingest", str(MAIN), "--db", str(db), "--config", str(config), "--quiet"]) == 2
    con = warehouse.connect(db, read_only=True)
    assert snapshot(con) == before
    con.close()


KILLED_CHILD = r"""
import sys, time
from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files, kannel

real = warehouse.execute
def stall(con, name, params=None):
    result = real(con, name, params)
    if name == "staging/kannel_slow":      # events written, transaction still open
        print("READY", flush=True)
        time.sleep(60)
    return result
kannel.warehouse.execute = stall
con = warehouse.connect(sys.argv[1], create=True)
ingest_files(con, parse_contract('log_timezone = "Europe/Paris"\n'), [sys.argv[2]], progress=False)
"""


def test_kill_half_way_leaves_the_warehouse_as_before(tmp_path):
    import signal
    import subprocess
    import sys

    db = tmp_path / "w.duckdb"
    con = warehouse.connect(db, create=True)
    ingest_files(con, parse_contract(CONTRACT), [ODD], progress=False)
    before = snapshot(con)
    con.close()
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, str(db), str(MAIN)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "READY"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    con = warehouse.connect(db)
    assert snapshot(con) == before
    con.close()


def test_loads_run_under_the_memory_limit_they_are_given(tmp_path, monkeypatch):
    con = warehouse.connect(tmp_path / "w.duckdb", create=True, memory_limit="300MB")
    try:
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "286.1 MiB"
        # the Kannel loader parses under that limit too (it no longer sets one of its own)
        seen, real_parse_block = [], kannel._parse_block

        def parse_block(c, *args):
            seen.append(c.execute("SELECT current_setting('memory_limit')").fetchone()[0])
            return real_parse_block(c, *args)

        monkeypatch.setattr(kannel, "_parse_block", parse_block)
        ingest_files(con, parse_contract(CONTRACT), [MAIN], progress=False)
        assert seen and set(seen) == {"286.1 MiB"}
    finally:
        con.close()
    assert warehouse.LOAD_MEMORY_LIMIT == warehouse.check_memory_limit(warehouse.LOAD_MEMORY_LIMIT)


def test_cli_says_what_a_custom_access_log_format_leaves_out(tmp_path, capsys):
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT + 'access_log_format = "%l [SMSC:%i] [SVC:%n] [FID:%F] [from:%p] [to:%P] '
                      '[flags:%m:%c:%M:%C:%d] [msg:%L:%b]"\n[[services]]\nname = "acme"\nbrand = "A"\n'
                      'category = "marketing"\n')
    log = tmp_path / "custom.log"
    log.write_text("2026-03-02 12:00:00 Sent SMS [SMSC:ora] [SVC:acme] [FID:1] [from:ACME] [to:33612345678] "
                   "[flags:-1:0:-1:-1:31] [msg:2:Hi]\n")
    db = tmp_path / "w.duckdb"
    assert cli(["ingest", str(log), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"warning: the access_log_format of {config} leaves out:",
        "  %u (UDH): parts of application-split messages cannot be joined: R1 counts each part"]
    assert cli(["ingest", str(log), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    assert capsys.readouterr().err == ""   # nothing loaded: nothing to warn about


def test_cli_warns_when_the_receipts_date_the_log_in_another_time_zone(tmp_path, capsys):
    """The real gateway's log is in French time; read as UTC, its SMSC receipts sit an hour
    away from it: ingest says so (and R2 would be an hour off)."""
    config = tmp_path / "contract.toml"
    config.write_text('timezone = "Europe/Paris"\nlog_timezone = "UTC"\n')
    db = tmp_path / "w.duckdb"
    assert cli(["ingest", str(MAIN), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    clock = [line for line in capsys.readouterr().err.splitlines() if "receipts' submit dates" in line]
    assert clock == [f"warning: the SMSC receipts' submit dates differ from the log's times on "
                     f"ora_36180 -60.9 min (27 receipts): is log_timezone = \"UTC\" in {config} how the log "
                     "is written (Kannel writes local time unless access-log-time = gmt)? Or does the SMSC "
                     "keep another time zone (then set receipt_timezone)? A wrong log_timezone shifts the R2 "
                     "window by as much."]


# ---------------------------------------------------------------- a log read with other values

UTC_CONTRACT = 'timezone = "Europe/Paris"\nlog_timezone = "UTC"\n'
FORMAT_CONTRACT = CONTRACT + ('access_log_format = "%t %l [SMSC:%i] [SVC:%n] [ACT:%A] [BINF:%B] [FID:%F] '
                              '[META:%D] [from:%p] [to:%P] [flags:%m:%c:%M:%C:%d] [msg:%L:%b] [udh:%U:%u]"\n')


def test_a_file_skipped_under_another_log_timezone_keeps_its_times_and_says_so(con):
    from opsanalytics.ingest import Reading, reading_warning

    paris = parse_contract(CONTRACT, "paris.toml")
    utc = parse_contract(UTC_CONTRACT, "utc.toml")
    [first] = ingest_files(con, paris, [ODD], progress=False)
    assert first.read_otherwise == () and reading_warning(first, paris) is None
    times = con.execute("SELECT line_no, logged_at FROM events ORDER BY line_no").fetchall()
    assert times[0][1] == dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.timezone.utc)  # 12:00 Paris
    [again] = ingest_files(con, utc, [ODD], progress=False)
    assert again.state == "skipped"
    assert again.read_otherwise == (Reading(1, str(ODD.resolve()), "Europe/Paris", None, False),)
    assert con.execute("SELECT line_no, logged_at FROM events ORDER BY line_no").fetchall() == times
    warning = reading_warning(again, utc)
    assert warning.startswith(f"warning: {ODD.resolve()} was skipped: its lines are loaded already, "
                              "but they were read with other values than utc.toml gives:\n")
    assert f'  load 1 ({ODD.resolve()}): log_timezone = "Europe/Paris" (the contract now: "UTC")\n' in warning
    assert "keep the times and fields they were loaded with" in warning
    assert "load every log into a new warehouse with this contract (`opsanalytics ingest --db NEW.duckdb " \
           "--config utc.toml LOG...`)" in warning
    # the same values again: nothing to say
    [same] = ingest_files(con, paris, [ODD], progress=False)
    assert same.state == "skipped" and same.read_otherwise == ()


def test_a_file_skipped_under_another_access_log_format_says_so(con):
    from opsanalytics.ingest import reading_warning

    ingest_files(con, parse_contract(CONTRACT), [MAIN], progress=False)
    custom = parse_contract(FORMAT_CONTRACT, "custom.toml")
    [again] = ingest_files(con, custom, [MAIN], progress=False)
    [(differences)] = [r.differences(custom) for r in again.read_otherwise]
    assert differences == [("access_log_format", None, custom.access_log_format)]
    assert "access_log_format = absent (Kannel's default line) (the contract now: \"%t %l [SMSC:%i]" \
        in reading_warning(again, custom)
    clean = parse_contract(FORMAT_CONTRACT + "access_log_clean = true\n", "clean.toml")
    [again] = ingest_files(con, clean, [MAIN], progress=False)
    assert [k for k, _, _ in again.read_otherwise[0].differences(clean)] == ["access_log_format", "access_log_clean"]


def test_a_continued_log_under_another_log_timezone_names_the_lines_read_before(con, tmp_path):
    from opsanalytics.ingest import reading_warning

    data = MAIN.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    live = tmp_path / "live" / "access.log"
    live.parent.mkdir()
    live.write_bytes(data[:cut])
    ingest_files(con, parse_contract(CONTRACT), [live], progress=False)
    utc = parse_contract(UTC_CONTRACT, "utc.toml")
    [whole] = ingest_files(con, utc, [MAIN], progress=False)
    lines = data[:cut].count(b"\n")
    assert (whole.state, whole.first_line) == ("loaded", lines + 1)
    assert [r.load_id for r in whole.read_otherwise] == [1]
    assert reading_warning(whole, utc).startswith(
        f"warning: lines 1-{lines} of {MAIN.resolve()} were loaded already, but they were read with other "
        "values than utc.toml gives (the lines after them were read with its values):\n")


def test_the_ingest_command_warns_on_stderr_and_prints_the_same_accounting(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    paris, utc = tmp_path / "paris.toml", tmp_path / "utc.toml"
    paris.write_text(CONTRACT, encoding="utf-8")
    utc.write_text(UTC_CONTRACT, encoding="utf-8")
    assert cli(["ingest", str(ODD), "--db", str(db), "--config", str(paris), "--quiet"]) == 0
    capsys.readouterr()
    assert cli(["ingest", str(ODD), "--db", str(db), "--config", str(utc), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert out == f"{ODD.resolve()}: lines=0 events=0 markers=0 rejected=0 (skipped)\n"
    assert f"warning: {ODD.resolve()} was skipped: its lines are loaded already, but they were read " \
           f"with other values than {utc} gives:" in err
    assert cli(["ingest", str(ODD), "--db", str(db), "--config", str(paris), "--quiet"]) == 0
    assert "were read with other values" not in capsys.readouterr().err


def test_audit_warns_of_logs_read_with_another_log_timezone_or_format(con):
    from opsanalytics.audits import facts_warnings

    paris = parse_contract(CONTRACT, "paris.toml")
    ingest_files(con, paris, [ODD, MAIN], progress=False)
    assert facts_warnings(con, paris) == []
    utc = parse_contract(UTC_CONTRACT, "utc.toml")
    [warning] = facts_warnings(con, utc)
    assert warning.startswith('utc.toml: loaded logs were read with other values than this file\'s '
                              '(log_timezone = "UTC"):\n'
                              f'  2 log(s) read with log_timezone = "Europe/Paris": {ODD.resolve()}, '
                              f'{MAIN.resolve()}\n')
    assert "load every log into a new warehouse with it" in warning
    custom = parse_contract(FORMAT_CONTRACT, "custom.toml")
    assert "access_log_format = absent (Kannel's default line): " in facts_warnings(con, custom)[0]
    # a manifest from before the format was recorded: log_timezone only
    con.execute("ALTER TABLE load_manifest DROP COLUMN access_log_format")
    con.execute("ALTER TABLE load_manifest DROP COLUMN access_log_clean")
    assert facts_warnings(con, custom) == []
    assert len(facts_warnings(con, utc)) == 1


def test_a_shorter_copy_offered_under_another_log_timezone_says_its_lines_may_be_twice(con, tmp_path):
    """A copy of the live log taken before the whole log was loaded, offered after it under
    another log_timezone: its events cannot be matched with the whole log's (their times
    differ by the offset), so they are loaded again, and ingest says they may be twice."""
    from opsanalytics.ingest import reading_warning

    data = MAIN.read_bytes()
    live = tmp_path / "live.log"
    live.write_bytes(data[:data.index(b"\n", len(data) // 2) + 1])
    ingest_files(con, parse_contract(CONTRACT), [MAIN], progress=False)
    events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    utc = parse_contract(UTC_CONTRACT, "utc.toml")
    [short] = ingest_files(con, utc, [live], progress=False)
    assert short.state == "loaded" and con.execute("SELECT count(*) FROM events").fetchone()[0] == events + short.events
    assert [r.load_id for r in short.read_otherwise] == [1]
    warning = reading_warning(short, utc)
    assert warning.startswith(f"warning: {live} starts like a longer log loaded before with other values "
                              "than utc.toml gives:\n")
    assert "its lines are now in the warehouse twice" in warning
    # offered again under the first log_timezone: skipped, its content being loaded (as UTC)
    [again] = ingest_files(con, parse_contract(CONTRACT), [live], progress=False)
    assert again.state == "skipped" and [(r.load_id, r.log_timezone) for r in again.read_otherwise] == [(2, "UTC")]
