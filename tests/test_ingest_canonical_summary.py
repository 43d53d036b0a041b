"""`ingest`'s reject summary for canonical files: their reasons name the data row (`row 2:`,
the header not counted), so the example is not also called a line (`e.g. line 3: row 2`
gave two numbers for one row)."""

from __future__ import annotations

from opsanalytics.cli import main as cli
from eventrows import CONTRACT_TOML as CONTRACT


def test_canonical_rejects_are_named_by_their_row_only(tmp_path, capsys):
    config = tmp_path / "contract.toml"
    config.write_text(CONTRACT)
    export = tmp_path / "export.csv"
    export.write_text("logged_at,kind,outcome,receiver,text\n"
                      "2026-11-25T09:00:00Z,mt,accepted,0612345678,ok\n"
                      "2026-11-25T09:00:01Z,mt,accepted,0612345679,\n"
                      "yesterday,mt,accepted,0612345670,bad time\n", encoding="utf-8")
    assert cli(["ingest", str(export), "--db", str(tmp_path / "w.duckdb"), "--config", str(config),
                "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    [example] = [line for line in err if "e.g." in line]
    assert example.split("e.g. ", 1)[1].startswith("row 3: ")
    assert "line" not in example
