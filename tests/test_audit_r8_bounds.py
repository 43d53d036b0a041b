"""R8 RATE with segments the log cannot count exactly (RULES.md "Counting segments";
KANNEL.md "Long messages": a lossy GSM text's dots may be 2-byte letters or literal dots).

A second is over the rate by the count (dots read as 2-byte letters, the usual case in
French); the seconds only the upper bound (every dot one character) would put over are
reported apart, never as breaches. Loaded through the Kannel loader, so the bounds are
the ones the access log gives.
"""

from __future__ import annotations

from kannellines import ONE_CODE_CONTRACT

from opsanalytics import warehouse
from opsanalytics.audits import run
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files

CONTRACT = ONE_CODE_CONTRACT + "stop_notice_exempt = true\n"

SHORT = "Promo STOP 36180"
#: 162 characters as logged, 12 of them dots: 156 septets if the dots are six 2-byte letters
#: (one segment), 162 if they are literal dots (two segments of 153)
LOSSY = "A" * 150 + "." * 12
#: dots too, but no reading of them reaches 160 septets: exact
SHORT_DOTS = "Promo... STOP 36180"


def mt(second: str, fid: int, text: str) -> str:
    return (f"2026-11-10 10:00:{second} Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] "
            f"[FID:{fid:08X}] [META:?smpp_resp?] [from:36180] [to:33612{fid:06d}] "
            f"[flags:-1:0:-1:-1:31] [msg:{len(text)}:{text}] [udh:0:]")


def burst(second: str, first_fid: int, short: int, extra: list[str]) -> list[str]:
    texts = [SHORT] * short + extra
    return [mt(second, first_fid + i, text) for i, text in enumerate(texts)]


def test_r8_counts_lossy_texts_low_and_reports_what_their_upper_bound_would_put_over(tmp_path):
    lines = [
        *burst("01", 100, 9, [LOSSY]),        # 10 segments (rate 10), at most 11: possibly over
        *burst("02", 200, 10, [LOSSY]),       # 11: over, at most 12
        *burst("03", 300, 10, [SHORT_DOTS]),  # 11: over, exactly
        *burst("04", 400, 8, [LOSSY]),        # 9, at most 10: at the rate either way
    ]
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines) + "\n")
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    contract = parse_contract(CONTRACT, "contract.toml")
    ingest_files(con, contract, [log], progress=False)

    bounds = con.execute("SELECT DISTINCT text, segments, segments_exact, segments_max FROM fct_mt "
                         "ORDER BY text").fetchall()
    assert bounds == [("A" * 150 + "." * 12, 1, False, 2), (SHORT, 1, True, 1), (SHORT_DOTS, 1, True, 1)]

    result = run(con, contract, "R8")
    rows = [(r.second.second, r.segments, r.segments_max, r.over_by) for r in result.rows.itertuples()]
    assert rows == [(2, 11, 12, 1), (3, 11, 11, 1)]
    assert result.violations == 2
    assert result.summary["seconds_over"] == 2
    assert result.summary["seconds_possibly_over"] == 1
    code = result.summary["per_short_code"]["36180"]
    assert (code["seconds_over"], code["seconds_possibly_over"], code["peak"]) == (2, 1, 11)


def test_r8_text_not_logged_has_no_upper_bound_and_counts_as_counted(tmp_path):
    """A canonical row with only its length cannot be bounded from its text: fct_mt says so
    (NULL), and R8 counts it as counted, never as possibly more."""
    csv = tmp_path / "mt.csv"
    header = "logged_at,kind,outcome,smsc,service,sender,receiver,coding,text_len\n"
    rows = "".join(f"2026-11-10T10:00:05+01:00,mt,accepted,ora_36180,acme,36180,+336120000{i:02d},0,300\n"
                   for i in range(6))
    csv.write_text(header + rows)
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    contract = parse_contract(CONTRACT, "contract.toml")
    ingest_files(con, contract, [csv], fmt="csv", progress=False)
    assert con.execute("SELECT DISTINCT segments, segments_exact, segments_max FROM fct_mt").fetchall() == [
        (2, False, None)]
    result = run(con, contract, "R8")
    assert [(r.segments, r.segments_max) for r in result.rows.itertuples()] == [(12, 12)]
    assert result.summary["seconds_possibly_over"] == 0
