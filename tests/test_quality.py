"""R14 QUALITY: delivery rate, receipt coverage, latency and errors per short code, brand and
campaign, from Kannel 1.4.5 lines whose fates and delays are known, and against the
simulator's ground truth (final state of every accepted line, per short code and error)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kannellines import ingested, mt, receipt
from opsanalytics import quality, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.cli import main
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.simulate import simulate

CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "UTC"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
[[short_codes]]
code = "36181"
smsc = "ora_36181"
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
[[services]]
name = "banque"
brand = "Banque"
category = "transactional"
"""

TEXT = "Promo ACME -20%. STOP au 36180"
LINES = [
    # campaign ete26: delivered after 5 s and 65 s
    mt("2026-11-10 10:00:00", "ora_36180", "D0000001", "33612000001", TEXT, binfo="ete26"),
    receipt("2026-11-10 10:00:05", "ora_36180", "D0000001", "33612000001", "DELIVRD"),
    mt("2026-11-10 10:00:01", "ora_36180", "D0000002", "33612000002", TEXT, binfo="ete26"),
    receipt("2026-11-10 10:01:06", "ora_36180", "D0000002", "33612000002", "DELIVRD"),
    # campaign noel26: failed, absent subscriber (GSM 27, as err:027)
    mt("2026-11-10 10:00:02", "ora_36180", "D0000003", "33612000003", TEXT, binfo="noel26"),
    receipt("2026-11-10 10:00:09", "ora_36180", "D0000003", "33612000003", "UNDELIV", err="027"),
    # no campaign: expired after the validity period; only an intermediate receipt; no receipt asked
    mt("2026-11-10 10:00:03", "ora_36180", "D0000004", "33612000004", TEXT),
    receipt("2026-11-11 10:00:03", "ora_36180", "D0000004", "33612000004", "EXPIRED", err="000"),
    mt("2026-11-10 10:00:04", "ora_36180", "D0000005", "33612000005", TEXT),
    receipt("2026-11-10 10:00:08", "ora_36180", "D0000005", "33612000005", "ENROUTE"),
    mt("2026-11-10 10:00:05", "ora_36180", "D0000006", "33612000006", TEXT, mask=0),
    # 36181, another brand: delivered after an hour
    mt("2026-11-10 11:00:00", "ora_36181", "E0000001", "33612000007", "Code 4821", svc="banque"),
    receipt("2026-11-10 12:00:05", "ora_36181", "E0000001", "33612000007", "DELIVRD", svc="banque"),
    # refused by the SMSC: not an accepted line, no part of R14
    mt("2026-11-10 11:00:01", "ora_36181", "", "33612000008", "Code 4822", svc="banque", label="REJECTED Send SMS"),
]


def _quality_of(root, lines: list[str]):
    """`lines` loaded under CONTRACT into root: (db, config, the R14 result over them)."""
    db, config, contract = ingested(root, lines, CONTRACT)
    con = warehouse.connect(db, read_only=True)
    try:
        return db, config, quality.quality(con, contract, Filters())
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse_db(tmp_path_factory):
    return ingested(tmp_path_factory.mktemp("quality"), LINES, CONTRACT)


@pytest.fixture(scope="module")
def result(warehouse_db):
    db, _, contract = warehouse_db
    con = warehouse.connect(db, read_only=True)
    yield quality.quality(con, contract, Filters())
    con.close()


COUNTS = ["accepted", "delivered", "failed", "expired", "rejected", "pending", "no_receipt", "final_known"]


def test_totals_count_each_final_status_and_the_rate_among_known_ones(result):
    total = result.total
    assert [total[k] for k in COUNTS] == [7, 3, 1, 1, 0, 1, 1, 5]
    assert total["delivery_rate"] == 0.6           # 3 of the 5 whose final status is known
    assert total["receipt_coverage"] == 0.7143     # 5 of 7
    # delivered after 5 s, 65 s and 3,605 s; the expired line's day is no delivery time
    assert (total["latency_p50_s"], total["latency_p90_s"], total["latency_max_s"]) == (65.0, 2897.0, 3605.0)


def test_refused_lines_are_counted_beside_the_rates(result):
    assert result.total["refused"] == 1
    assert result.level("short_code").set_index("short_code").loc["36181", "refused"] == 1


def test_delivery_rate_leaves_out_masks_that_ask_for_one_outcome_only(tmp_path):
    """dlr-mask 1 or 2 alone: on SMPP Kannel 1.4.5 logs the receipt of the other kind as a
    `FAILED Receive DLR` (tests/fixtures/kannel-1.4.5/msg-id-type), on UCP/EMI it writes no
    line for it (tests/fixtures/kannel-1.4.5/reused-ids/README.md), and the log does not name
    the driver: such a line's known outcomes are no sample of its outcomes (mask 1 on EMI:
    100 % by construction). Both stay out, whatever status they got: the rate is 1 delivered
    of the 2 mask-31 lines (0.5), not 3 of 5."""
    _, _, result = _quality_of(tmp_path, [
        mt("2026-11-10 10:00:00", "ora_36180", "F0000001", "33612000001", TEXT, mask=1),
        receipt("2026-11-10 10:00:05", "ora_36180", "F0000001", "33612000001", "DELIVRD"),
        mt("2026-11-10 10:00:01", "ora_36180", "F0000002", "33612000002", TEXT, mask=1),
        receipt("2026-11-10 10:00:06", "ora_36180", "F0000002", "33612000002", "UNDELIV"),
        mt("2026-11-10 10:00:02", "ora_36180", "F0000003", "33612000003", TEXT, mask=31),
        receipt("2026-11-10 10:00:07", "ora_36180", "F0000003", "33612000003", "UNDELIV"),
        mt("2026-11-10 10:00:03", "ora_36180", "F0000004", "33612000004", TEXT, mask=2),
        receipt("2026-11-10 10:00:08", "ora_36180", "F0000004", "33612000004", "DELIVRD"),
        mt("2026-11-10 10:00:04", "ora_36180", "F0000005", "33612000005", TEXT, mask=31),
        receipt("2026-11-10 10:00:09", "ora_36180", "F0000005", "33612000005", "DELIVRD"),
    ])
    total = result.total
    assert (total["delivered"], total["failed"], total["one_sided_mask"], total["rate_lines"]) == (3, 2, 3, 2)
    assert total["delivery_rate"] == 0.5 and total["receipt_coverage"] == 1.0   # (rates to 4 places)
    assert result.daily[["accepted", "delivered", "delivery_rate"]].values.tolist() == [[5, 3, 0.5]]


def test_a_receipt_logged_before_its_mt_line_is_a_latency_of_zero():
    """Real Kannel 1.4.5 (receipt-first/): the SMSC delivered before it answered the submit,
    so the receipt's line comes a second before the MT's; a latency is never negative."""
    from pathlib import Path

    from opsanalytics.config import load_contract as load

    fixture = Path(__file__).parent / "fixtures" / "kannel-1.4.5" / "receipt-first"
    contract = load(fixture / "contract.toml")
    con = warehouse.connect(":memory:", create=True)
    ingest_files(con, contract, [fixture / "access.log"], progress=False)
    total = quality.quality(con, contract, Filters()).total
    early = con.execute("SELECT count(*) FROM fct_mt WHERE final_status = 'delivered' "
                        "AND final_at < submitted_at").fetchone()[0]
    con.close()
    assert early >= 1 and total["delivered"] >= 1
    assert total["latency_p50_s"] == 0.0 and total["latency_max_s"] >= 0


def test_a_missing_error_is_named_so_beside_known_ones():
    """A column of codes with a missing one holds NaN, not None: it read 'other'."""
    import pandas as pd

    codes = pd.Series(["001", None]).map(quality.gsm_error)
    assert codes.map(quality.error_meaning).tolist() == ["unknown subscriber", "not given by the log"]


def test_groups_per_short_code_brand_and_campaign(result):
    codes = result.level("short_code").set_index("short_code")
    assert codes.loc["36180", COUNTS].tolist() == [6, 2, 1, 1, 0, 1, 1, 4]
    assert codes.loc["36181", COUNTS].tolist() == [1, 1, 0, 0, 0, 0, 0, 1]
    assert codes.loc["36181", "latency_p50_s"] == 3605.0
    brands = result.level("brand").set_index("brand")
    assert brands.loc["Banque", "delivery_rate"] == 1.0 and brands.loc["Acme", "delivery_rate"] == 0.5
    campaigns = result.level("campaign")
    by_name = {(None if c is None or c != c else c): row for c, row in
               zip(campaigns["campaign"], campaigns.to_dict("records"))}
    assert by_name["ete26"]["delivered"] == 2 and by_name["ete26"]["latency_p50_s"] == 35.0
    assert by_name["noel26"]["failed"] == 1 and by_name["noel26"]["delivery_rate"] == 0.0
    assert by_name[None]["accepted"] == 4           # the lines with an empty BINF


def test_errors_are_named_by_their_gsm_code(result):
    errors = result.errors[["short_code", "final_status", "dlr_err", "gsm_error", "meaning", "lines"]]
    assert errors.astype(object).values.tolist() == [
        ["36180", "expired", "000", 0, "no error", 1],
        ["36180", "failed", "027", 27, "absent subscriber", 1],
    ]
    assert quality.errors_by_meaning(result.errors).values.tolist() == [
        ["expired: 0 no error", 1], ["failed: 27 absent subscriber", 1]]


@pytest.mark.parametrize("dlr_err, code", [
    ("03001B", 27), ("03000b", 11), ("030001", 1), ("027", 27), ("0", 0),
    (None, None), ("", None), ("040001", None), ("0x1B", None), ("12345", None),
])
def test_gsm_error_reads_meta_hex_and_receipt_decimal(dlr_err, code):
    assert quality.gsm_error(dlr_err) == code


def test_daily_rate_and_latency(result):
    daily = result.daily.set_index("short_code")
    assert daily.loc["36180", ["accepted", "delivered", "delivery_rate", "latency_p50_s"]].tolist() == [6, 2, 0.5, 35.0]


def test_quality_equals_the_simulators_truth_per_short_code(tmp_path):
    """Every final state the simulator gives an accepted line (delivered, failed, expired,
    pending when only an ACK was asked for, none), per short code, and the failed lines per
    error code."""
    sim = simulate(tmp_path / "sim", days=5, scale=150, seed=11, log_timezone="Europe/Paris", progress=False)
    contract = load_contract(sim.contract)
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    ingest_files(con, contract, sim.logs, progress=False)
    result = quality.quality(con, contract, Filters())
    con.close()
    truth = json.loads(sim.ground_truth.read_text(encoding="utf-8"))["dlr"]
    codes = result.level("short_code").set_index("short_code")
    got = {code: {"delivered": int(row["delivered"]), "failed": int(row["failed"] + row["rejected"]),
                  "expired": int(row["expired"]), "pending": int(row["pending"]), "none": int(row["no_receipt"])}
           for code, row in codes.iterrows()}
    assert got == truth["final_by_short_code"]
    failed = result.errors[result.errors["final_status"] == "failed"]
    by_code = failed.groupby("gsm_error")["lines"].sum().to_dict()
    assert {int(k): int(v) for k, v in by_code.items()} == {int(k): v for k, v in truth["failed_by_err"].items()}
    # ChatPlus's lines ask dlr-mask 1 and the simulator logs only the states a mask asks for (as
    # Kannel over UCP/EMI): its 14 known ones are all delivered, by construction, and stay out
    # of the rate (8ef8dca counted them: 14 of 14, 100 %)
    chat = result.level("brand").set_index("brand").loc["ChatPlus"]
    assert (chat["delivered"], chat["failed"], chat["one_sided_mask"], chat["rate_lines"]) == (14, 0, 14, 0)
    assert pd.isna(chat["delivery_rate"])


def test_quality_command_json_and_table(warehouse_db, capsys):
    db, config, _ = warehouse_db
    assert main(["quality", "--db", str(db), "--config", str(config), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["rule"], doc["total"]["accepted"], doc["total"]["delivery_rate"]) == ("R14", 7, 0.6)
    assert [c["short_code"] for c in doc["short_codes"]] == ["36180", "36181"]
    assert doc["daily"][0]["day"] == "2026-11-10"
    assert main(["quality", "--db", str(db), "--config", str(config), "--short-code", "36181"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("R14 quality: 1 accepted MT lines, 1 delivered; delivery rate 100.00% of the 1 lines "
                          "whose final status is known and whose dlr-mask asks both outcomes; 100.00% have a final status")
    assert main(["quality", "--db", str(db), "--config", str(config), "--from", "2026-12-01"]) == 0
    assert "no accepted MT line in the period" in capsys.readouterr().out


def test_executive_summary_figures_of_bill_and_delivery(warehouse_db):
    from opsanalytics.report.insights import bill_and_delivery_kpis

    db, _, contract = warehouse_db
    con = warehouse.connect(db, read_only=True)
    try:
        kpis = bill_and_delivery_kpis(con, contract, Filters())
        empty = bill_and_delivery_kpis(con, contract, Filters(date_from=_day("2026-12-01"), date_to=_day("2026-12-01")))
        banque = bill_and_delivery_kpis(con, contract, Filters(brand="Banque"))
    finally:
        con.close()
    # November: two short codes at 150, and 3 delivered segments at 0.030
    assert kpis == {"bill, EUR excl. VAT (R12)": 300.09, "of it, delivered segments": 0.09,
                    "delivery rate (R14)": "60.00%", "receipt coverage": "71.43%"}
    # a day without traffic: December's fees, nothing to rate
    assert empty == {"bill, EUR excl. VAT (R12)": 300.0, "of it, delivered segments": 0.0,
                     "delivery rate (R14)": "n/a", "receipt coverage": "n/a"}
    # a brand (reported by a probe: the whole bill read as the brand's): the short codes'
    # bill, labelled so, and the brand's 1 delivered segment
    assert banque == {"bill of the short codes, all brands, EUR excl. VAT (R12)": 300.09,
                      "of it, Banque's delivered segments": 0.03,
                      "delivery rate (R14)": "100.00%", "receipt coverage": "100.00%"}


def _day(text):
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_refusals_without_a_short_code_are_named_and_add_up(tmp_path, capsys):
    """A DISCARDED line of a routed request from a sender name (no connection, no short code)
    and one of a service the contract does not name: their refusals count in the total, and
    their groups are named in the table and on the page (JSON keeps null), not left blank."""
    text = "Votre code 4821"
    lines = [
        mt("2026-11-10 10:00:00", "ora_36180", "D0000001", "33612000001", TEXT),
        receipt("2026-11-10 10:00:05", "ora_36180", "D0000001", "33612000001", "DELIVRD"),
        f"2026-11-10 10:00:01 DISCARDED SMS [SMSC:] [SVC:banque] [ACT:] [BINF:] [FID:] [META:] [from:MaBanque] "
        f"[to:33612000002] [flags:-1:0:-1:-1:31] [msg:{len(text)}:{text}] [udh:0:]",
        mt("2026-11-10 10:00:02", "ora_36181", "", "33612000003", text, svc="inconnu", label="REJECTED Send SMS"),
    ]
    db, config, result = _quality_of(tmp_path, lines)
    assert result.total["refused"] == 2
    codes = result.shown("short_code")
    assert codes[["short_code", "accepted", "refused"]].values.tolist() == [
        ["36180", 1, 0], ["36181", 0, 1], ["(no short code)", 0, 1]]
    brands = result.shown("brand")
    assert brands[["brand", "refused"]].values.tolist() == [["Acme", 0], ["Banque", 1], ["(no brand)", 1]]
    assert [c["short_code"] for c in result.to_json()["short_codes"]] == ["36180", "36181", None]
    assert main(["quality", "--db", str(db), "--config", str(config)]) == 0
    table = capsys.readouterr().out
    assert "(no short code)" in table and "(no brand)" in table


def test_one_gsm_error_written_two_ways_is_one_row(tmp_path, capsys):
    """Real Kannel 1.4.5 (reported by a probe): a receipt Kannel matched carries META
    dlr_err `03001B`, the receipt of a mask-1 line (a `FAILED Receive DLR`) only `err:027`.
    Both are GSM error 27: one row of 2 lines, its forms listed, not two rows of 1."""
    lines = [
        "2026-11-27 16:01:55 Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:camp1] [FID:99000001] "
        "[META:?smpp_resp?] [from:36180] [to:33612700001] [flags:-1:0:-1:-1:31] [msg:29:Promo H01 err27 STOP au 36180] "
        "[udh:0:]",
        "2026-11-27 16:01:55 Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:camp1] [FID:99000002] "
        "[META:?smpp_resp?] [from:36180] [to:33612700002] [flags:-1:0:-1:-1:1] "
        "[msg:35:Promo H02 err27 mask1 STOP au 36180] [udh:0:]",
        "2026-11-27 16:01:56 Receive DLR [SMSC:ora_36180] [SVC:acme] [ACT:acme36180] [BINF:] [FID:99000001] "
        "[META:?orig_msg?dlr_mask=31&?smpp?dlr_err=%03%00%1B&] [from:36180] [to:33612700001] "
        "[flags:-1:-1:-1:-1:2] [msg:120:id:99000001 sub:001 dlvrd:000 submit date:2611271601 "
        "done date:2611271601 stat:UNDELIV err:027 text:Promo H01 err27 STOP] [udh:0:]",
        "2026-11-27 16:01:56 FAILED Receive DLR [SMSC:ora_36180] [SVC:] [ACT:] [BINF:] [FID:99000002] "
        "[META:?smpp?] [from:33612700002] [to:36180] [flags:-1:0:-1:0:-1] [msg:120:id:99000002 sub:001 "
        "dlvrd:000 submit date:2611271601 done date:2611271601 stat:UNDELIV err:027 text:Promo H02 err27 mask] "
        "[udh:0:]",
    ]
    db, config, result = _quality_of(tmp_path, lines)
    assert result.errors.values.tolist() == [["36180", "failed", "027, 03001B", 27, "absent subscriber", 2]]
    assert main(["quality", "--db", str(db), "--config", str(config)]) == 0
    assert capsys.readouterr().out.startswith(
        "R14 quality: 2 accepted MT lines, 0 delivered; delivery rate 0.00% of the 1 lines whose final status is "
        "known and whose dlr-mask asks both outcomes; 100.00% have a final status; latency p50 n/a, p99 n/a\n")
