"""`opsanalytics audit`: the JSON contract, formats, filters and user errors (issue 3)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from opsanalytics.cli import main
from auditrows import CONTRACT_TOML, Traffic, paris

A = "+33612345678"


@pytest.fixture
def files(tmp_path):
    t = Traffic()
    t.send(A, paris("2026-11-08 10:00:00"))                         # Sunday
    t.send(A, paris("2026-11-08 11:00:00"), text="Sans mention")    # Sunday, no STOP
    t.send(A, paris("2026-11-10 10:00:00"), short_code="36200")
    db = tmp_path / "wh.duckdb"
    con = t.warehouse()
    con.execute("ATTACH $path AS disk", {"path": str(db)})
    con.execute("COPY FROM DATABASE memory TO disk")
    con.execute("DETACH disk")
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT_TOML, encoding="utf-8")
    return db, config


def audit(capsys, *args):
    code = main(["audit", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_one_rule(files, capsys):
    db, config = files
    code, out, err = audit(capsys, "freq", "--db", db, "--config", config, "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["rule"] == "R1" and payload["name"] == "freq" and payload["violations"] == 1
    row = payload["rows"][0]
    assert row["msisdn"] == A and row["brand"] == "Acme" and row["day"] == "2026-11-08" and row["messages"] == 2
    assert row["first_at"] == "2026-11-08T10:00:00+01:00"
    assert set(payload["summary"]) >= {"frequency_cap", "groups_over_cap"}
    assert err == ""


def test_json_all_is_a_list_in_rule_order(files, capsys):
    db, config = files
    code, out, err = audit(capsys, "all", "--db", db, "--config", config, "--format", "json")
    assert code == 0
    payload = json.loads(out)
    rules = [p["rule"] for p in payload]
    assert rules == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10"] and err == ""
    by_rule = {p["rule"]: p for p in payload}
    assert by_rule["R2"]["violations"] == 2
    assert {r["reason"] for r in by_rule["R2"]["rows"]} == {"sunday"}
    assert by_rule["R3"]["rows"][0]["reason"] == "missing_stop"


def test_filters_reach_the_sql(files, capsys):
    db, config = files
    _, out, _ = audit(capsys, "R2", "--db", db, "--config", config, "--format", "json",
                      "--from", "2026-11-09", "--to", "2026-11-30")
    assert json.loads(out)["violations"] == 0
    _, out, _ = audit(capsys, "window", "--db", db, "--config", config, "--format", "json",
                      "--short-code", "36180'; DROP TABLE fct_mt; --")
    assert json.loads(out)["violations"] == 0
    _, out, _ = audit(capsys, "R2", "--db", db, "--config", config, "--format", "json", "--brand", "Acme")
    assert json.loads(out)["violations"] == 2


def test_csv_and_table(files, capsys):
    db, config = files
    code, out, _ = audit(capsys, "R2", "--db", db, "--config", config, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["rule"] for r in rows] == ["R2", "R2"]
    assert rows[0]["submitted_at"] == "2026-11-08T10:00:00+01:00"
    code, out, _ = audit(capsys, "R2", "--db", db, "--config", config)
    assert code == 0 and out.startswith("R2 window: 2 violations")


def test_csv_of_all_prints_each_rule_as_the_rule_alone_does(files, capsys):
    db, config = files
    _, out, _ = audit(capsys, "all", "--db", db, "--config", config, "--format", "csv")
    every = list(csv.DictReader(io.StringIO(out)))
    assert {r["rule"] for r in every} >= {"R1", "R2"}  # rules of other columns: empty cells
    for rule in sorted({r["rule"] for r in every}):
        _, out, _ = audit(capsys, rule, "--db", db, "--config", config, "--format", "csv")
        alone = list(csv.DictReader(io.StringIO(out)))
        assert [{k: r[k] for k in alone[0]} for r in every if r["rule"] == rule] == alone
    r1 = next(r for r in every if r["rule"] == "R1")
    assert (r1["messages"], r1["over_cap"]) == ("2", "1")


def test_a_filter_nothing_can_match_is_warned_of_and_the_json_is_unchanged(files, capsys):
    db, config = files
    _, out, err = audit(capsys, "all", "--db", db, "--config", config, "--format", "json",
                        "--short-code", "99999", "--brand", "Nope")
    assert f"warning: --short-code '99999' is not a short code of {config} and no accepted MT or MO" in err
    assert f"warning: --brand 'Nope' is not a brand of {config}'s [[services]] and no accepted MT" in err
    assert "did you mean" not in err   # nothing close to 'Nope'
    _, _, err = audit(capsys, "R1", "--db", db, "--config", config, "--format", "json", "--brand", "ACME")
    assert err.rstrip().endswith("no message can match it (did you mean 'Acme'? brands match as written, case included)")
    payload = json.loads(out)
    assert all(p["violations"] == 0 for p in payload)
    assert payload[0]["summary"]["short_code"] == "99999" and payload[0]["summary"]["brand"] == "Nope"


def test_a_period_without_traffic_is_warned_of_and_one_with_traffic_is_not(files, capsys):
    db, config = files
    _, out, err = audit(capsys, "all", "--db", db, "--config", config, "--format", "json", "--from", "2027-03-01")
    assert "warning: no MT message was accepted in the period (from 2027-03-01): the rules" in err
    assert all(p["violations"] == 0 for p in json.loads(out))
    _, _, err = audit(capsys, "all", "--db", db, "--config", config, "--format", "json",
                      "--from", "2026-11-08", "--to", "2026-11-08")
    assert err == ""


def test_a_filter_the_contract_or_the_traffic_names_is_not_warned_of(files, capsys, tmp_path):
    db, config = files
    _, out, err = audit(capsys, "R1", "--db", db, "--config", config, "--format", "json",
                        "--short-code", "37100", "--brand", "Meter")  # in the contract, no traffic
    assert "is not a short code" not in err and "is not a brand" not in err and json.loads(out)["violations"] == 0
    # ...but the period holds nothing to judge, which 0 violations must not pass for (found by a probe)
    assert err == ("opsanalytics audit: warning: no MT message was accepted in the period (short code 37100, "
                   "brand Meter): the rules on messages had nothing to judge, and their 0 violations do not "
                   "mean the traffic was clean\n")
    other = tmp_path / "without-36200.toml"  # 36200 carried traffic, and is no longer in the contract
    other.write_text(CONTRACT_TOML.replace('code = "36200"\nsmsc = "orange_36200"\n', "")
                     .replace('[[short_codes]]\n\n[[short_codes]]', '[[short_codes]]'), encoding="utf-8")
    assert "36200" not in other.read_text(encoding="utf-8")
    _, out, err = audit(capsys, "R2", "--db", db, "--config", other, "--format", "json", "--short-code", "36200")
    assert "--short-code" not in err and json.loads(out)["rule"] == "R2"


@pytest.mark.parametrize("args,message", [
    (["R42"], "unknown rule 'R42'"),
    (["R1", "--from", "2026-13-01"], "--from: expected a date YYYY-MM-DD"),
    (["R1", "--from", "2026-11-10", "--to", "2026-11-01"], "is after --to"),
])
def test_user_errors(files, capsys, args, message):
    db, config = files
    code, out, err = audit(capsys, *args, "--db", db, "--config", config)
    assert code != 0 and message in err and out == ""


def test_missing_database(tmp_path, files, capsys):
    _, config = files
    code, out, err = audit(capsys, "R1", "--db", tmp_path / "nope.duckdb", "--config", config)
    assert code != 0 and "no such database" in err and not (tmp_path / "nope.duckdb").exists()


def test_a_threshold_or_a_comment_edited_after_ingest_applies_without_a_warning(files, capsys, tmp_path):
    db, config = files
    other = tmp_path / "other.toml"
    other.write_text("# edited after ingest\n" + CONTRACT_TOML.replace("frequency_cap = 1", "frequency_cap = 2"),
                     encoding="utf-8")
    code, out, err = audit(capsys, "R1", "--db", db, "--config", other, "--format", "json")
    assert code == 0 and err == ""
    assert json.loads(out)["violations"] == 0  # the cap of the given contract applies


def test_values_built_into_the_facts_are_named_with_the_command_that_applies_them(files, capsys, tmp_path):
    db, config = files
    other = tmp_path / "other.toml"
    other.write_text(CONTRACT_TOML.replace("session_hours = 24", "session_hours = 24\nalsace_moselle = true")
                     .replace('category = "marketing"\nstop_notice_exempt = true', 'category = "marketing"'),
                     encoding="utf-8")
    code, out, err = audit(capsys, "R1", "--db", db, "--config", other, "--format", "json")
    assert code == 0 and json.loads(out)["violations"] == 1
    assert err.startswith(f"opsanalytics audit: warning: {other}: the facts were built with other values")
    assert [line for line in err.splitlines() if line.startswith("  ")] == [
        "  rules.alsace_moselle: false in the facts, true in this file",
        "  services[club].stop_notice_exempt: true in the facts, false in this file"]
    assert f"`opsanalytics ingest --db {db} --config {other} LOG` rebuilds the facts" in err


def test_facts_of_an_older_version_are_compared_by_the_contract_digest(files, capsys, tmp_path):
    db, config = files
    other = tmp_path / "other.toml"
    other.write_text(CONTRACT_TOML.replace("frequency_cap = 1", "frequency_cap = 2"), encoding="utf-8")
    con = __import__("duckdb").connect(str(db))
    con.execute("DELETE FROM ref_settings WHERE key = 'contract_values'")
    con.close()
    code, out, err = audit(capsys, "R1", "--db", db, "--config", config, "--format", "json")
    assert code == 0 and err == ""
    code, out, err = audit(capsys, "R1", "--db", db, "--config", other, "--format", "json")
    assert code == 0
    assert "differs from the one the facts were built with" in err
    assert json.loads(out)["violations"] == 0  # the cap of the given contract applies


def test_csv_and_table_print_line_ids_whole_where_a_column_also_has_nulls(tmp_path, capsys):
    """R5: one MT with no session MO (last_mo_id null), one after an expired session."""
    t = Traffic()
    t.send(A, paris("2026-11-10 10:00:00"), short_code="34100")
    mo_id = t.receive("+33611111111", paris("2026-11-09 09:00:00"), "JEU", short_code="34100")
    t.send("+33611111111", paris("2026-11-10 11:00:00"), short_code="34100")
    db = tmp_path / "wh.duckdb"
    con = t.warehouse()
    con.execute("ATTACH $path AS disk", {"path": str(db)})
    con.execute("COPY FROM DATABASE memory TO disk")
    con.execute("DETACH disk")
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT_TOML, encoding="utf-8")
    _, out, _ = audit(capsys, "R5", "--db", db, "--config", config, "--format", "csv")
    rows = {r["reason"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["session_expired"]["last_mo_id"] == str(mo_id) and rows["no_mo"]["last_mo_id"] == ""
    _, out, _ = audit(capsys, "R5", "--db", db, "--config", config)
    expired = next(line for line in out.splitlines() if line.rstrip().split()[-2:-1] == ["session_expired"])
    assert str(mo_id) in expired.split() and "NaN" not in out and "e+10" not in out
