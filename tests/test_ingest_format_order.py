"""A custom access-log format declared with two fields in the wrong order (real Kannel 1.4.5,
tests/fixtures/kannel-1.4.5/format-order, README there): lines that all still load, misread,
are said at ingest from the shape of what Kannel writes on every `Sent SMS` line (a number
to send to, a coding); a file mostly rejected says the format is the likely cause."""

from __future__ import annotations

from pathlib import Path

from opsanalytics.cli import main as cli

FIXTURE = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "format-order"


def _ingest(tmp_path, capsys, contract: str) -> tuple[str, str]:
    config = str(FIXTURE / contract)
    assert cli(["ingest", str(FIXTURE / "access.log"), "--db", str(tmp_path / "w.duckdb"),
                "--config", config, "--quiet"]) == 0
    out, err = capsys.readouterr()
    return out, err.replace(config, "CONTRACT")


def test_the_right_format_loads_every_line_and_warns_of_no_misreading(tmp_path, capsys):
    out, err = _ingest(tmp_path, capsys, "contract.toml")
    assert "lines=127 events=127 markers=0 rejected=0 (loaded)" in out
    assert "do not read as Kannel writes them" not in err
    assert "most of its lines were rejected" not in err


def test_from_and_to_swapped_are_said(tmp_path, capsys):
    out, err = _ingest(tmp_path, capsys, "contract-from-to-swapped.toml")
    assert "rejected=0 (loaded)" in out
    assert (f"warning: {FIXTURE / 'access.log'}: the `Sent SMS` lines do not read as Kannel writes them: "
            "31 of 35 go to a name, not a number (e.g. 'A'): are %p (from) and %P (to) swapped? "
            "The access_log_format of CONTRACT most likely names the gateway's fields in another order") in err


def test_mclass_and_coding_swapped_are_said(tmp_path, capsys):
    out, err = _ingest(tmp_path, capsys, "contract-mclass-coding-swapped.toml")
    assert "lines=127 events=116 markers=0 rejected=11 (loaded)" in out
    assert ("the `Sent SMS` lines do not read as Kannel writes them: none of the 27 has a coding (-1 on every "
            "one, where Kannel writes 0, 1 or 2): are %m (mclass) and %c (coding) swapped?") in err
    assert "go to a name" not in err


def test_a_file_mostly_rejected_points_at_the_format(tmp_path, capsys):
    out, err = _ingest(tmp_path, capsys, "contract-len-mask-swapped.toml")
    assert "lines=127 events=1 markers=0 rejected=126 (loaded)" in out
    assert ("  most of its lines were rejected: unless the log is damaged, the contract's access_log_format "
            "most likely does not match the gateway's access-log-format") in err


def test_lines_of_another_log_do_not_point_at_the_format(tmp_path, capsys):
    shared = FIXTURE.parent / "shared-log"
    assert cli(["ingest", str(shared / "access.log.gz"), "--db", str(tmp_path / "w.duckdb"),
                "--config", str(shared / "contract.toml"), "--quiet"]) == 0
    assert "most of its lines were rejected" not in capsys.readouterr().err
