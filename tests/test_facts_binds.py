"""One short code carried by two binds with smsc-ids of their own, on a real Kannel 1.4.5
(tests/fixtures/kannel-1.4.5/binds, README there): the contract lists both connections, and
`ingest` warns when it names one of them only."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from eventrows import ingested
from opsanalytics.audits import Filters, run
from opsanalytics.cli import main as cli
from opsanalytics.config import load_contract
from opsanalytics.report import insights

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "binds"
TRUTH = json.loads((FIXTURE / "truth.json").read_text())


def test_both_binds_carry_the_short_code():
    con, _ = ingested(load_contract(FIXTURE / "contract.toml"), [FIXTURE / "access.log"])
    per_bind = Counter(dict(con.execute(
        "SELECT smsc, count(*) FROM fct_mt WHERE outcome = 'accepted' AND short_code = '36180' GROUP BY smsc").fetchall()))
    submitted = {"ora_36180_a": len(TRUTH["submits"]["ORA1"]), "ora_36180_b": len(TRUTH["submits"]["ORA2"])}
    assert per_bind == submitted == {"ora_36180_a": 43, "ora_36180_b": 17}
    assert con.execute("SELECT count(*) FROM fct_mt WHERE final_status = 'delivered'").fetchall() == [(60,)]
    contract = load_contract(FIXTURE / "contract.toml")
    assert (run(con, contract, "R6").violations, run(con, contract, "R7").violations) == (0, 0)
    # R8 counts both binds' submits in the short code's seconds
    per_second = con.execute("SELECT count(*) FROM fct_mt WHERE outcome = 'accepted' "
                             "GROUP BY epoch(submitted_at)::BIGINT ORDER BY 1 DESC").fetchall()
    r8 = run(con, contract, "R8")
    assert int(r8.details["per_short_code"].set_index("short_code").loc["36180", "peak"]) == per_second[0][0]
    assert int(r8.rows["segments"].sum()) == sum(n for (n,) in per_second if n > 10)


def test_a_bind_the_contract_leaves_out_is_said_at_ingest(tmp_path, capsys):
    config = FIXTURE / "contract-one-bind.toml"
    assert cli(["ingest", str(FIXTURE / "access.log"), "--db", str(tmp_path / "w.duckdb"),
                "--config", str(config), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert (f"warning: 1 connection(s) sending MTs on 2026-11-26 are not in the smsc of any of {config}'s [[short_codes]]: "
            "ora_36180_b (17 MT, from 36180, ACME)") in err


def test_the_data_quality_page_lists_the_bind_left_out():
    one = load_contract(FIXTURE / "contract-one-bind.toml")
    con, _ = ingested(one, [FIXTURE / "access.log"])
    rows = insights.connections_not_in_contract(con, one, Filters())
    assert [(r.smsc, r.mt_lines, list(r.senders)) for r in rows.itertuples()] == [("ora_36180_b", 17, ["36180", "ACME"])]
    assert insights.connections_not_in_contract(con, one, Filters(brand="Other")).empty
    both = load_contract(FIXTURE / "contract.toml")
    con, _ = ingested(both, [FIXTURE / "access.log"])
    assert insights.connections_not_in_contract(con, both, Filters()).empty
