"""R12 BILL: the invoice Orange should send, from the logs and the contract (RULES.md price
grid), and an invoice it sent compared with it.

Known answers three ways: Kannel 1.4.5 lines written by hand around the end of a month (each
line's fate known), the simulator's ground truth (segments per month and short code by the
final state a reader of the log sees, counted from its plan, not from the log), and the
price grid applied to contracts of known shape (21st short code, 11th Géo Présence number).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from kannellines import ONE_CODE_CONTRACT, ingested, mt, receipt
from opsanalytics import billing, pricing, warehouse
from opsanalytics.cli import main
from opsanalytics.config import ShortCode, load_contract, parse_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.simulate import simulate

CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "Europe/Paris"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
rate = 20
oadc = ["ACME"]
[[short_codes]]
code = "36181"
smsc = "ora_36181"
[[short_codes]]
code = "35200"
smsc = "ora_35200"
geo_presence = true
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
[[services]]
name = "banque"
brand = "Banque"
category = "transactional"
"""

TEXT_1 = "Promo ACME: -20% ce week-end. STOP au 36180"
#: 200 GSM characters logged once: Kannel split it into 2 segments (153 + 47)
TEXT_2 = "Offre " + "x" * 194


#: around midnight at the end of October 2026 (local time, Europe/Paris, CET after 25 October)
LINES = [
    # October: its last second, delivered after midnight -> billed in October
    mt("2026-10-31 23:59:59", "ora_36180", "A0000001", "33612000001", TEXT_1),
    receipt("2026-11-01 00:00:05", "ora_36180", "A0000001", "33612000001", "DELIVRD"),
    # November: its first second, 2 segments, delivered
    mt("2026-11-01 00:00:00", "ora_36180", "A0000002", "33612000002", TEXT_2),
    receipt("2026-11-01 00:00:07", "ora_36180", "A0000002", "33612000002", "DELIVRD"),
    # failed, then resent and delivered: the failure is not billed, the resend is
    mt("2026-11-02 10:00:00", "ora_36180", "A0000003", "33612000003", TEXT_1),
    receipt("2026-11-02 10:00:09", "ora_36180", "A0000003", "33612000003", "UNDELIV"),
    mt("2026-11-02 10:05:00", "ora_36180", "A0000004", "33612000003", TEXT_1),
    receipt("2026-11-02 10:05:04", "ora_36180", "A0000004", "33612000003", "DELIVRD"),
    # no receipt asked for: unknown (Orange may bill it)
    mt("2026-11-03 11:00:00", "ora_36180", "A0000005", "33612000005", TEXT_1, mask=0),
    # refused by the SMSC: never billed, not even unknown
    mt("2026-11-03 11:00:01", "ora_36180", "", "33612000006", TEXT_1, label="REJECTED Send SMS"),
    # 36181, another brand, delivered; its receipt comes twice (counted once)
    mt("2026-11-04 12:00:00", "ora_36181", "B0000001", "33612000007", "Votre code: 4821", svc="banque"),
    receipt("2026-11-04 12:00:03", "ora_36181", "B0000001", "33612000007", "DELIVRD", svc="banque"),
    receipt("2026-11-04 12:00:04", "ora_36181", "B0000001", "33612000007", "DELIVRD", svc="banque"),
]


@pytest.fixture(scope="module")
def month_end(tmp_path_factory):
    return ingested(tmp_path_factory.mktemp("bill"), LINES, CONTRACT)


def _quantities(bill: billing.Invoice, item: str = "mt_delivered") -> dict[tuple[str, str], int]:
    rows = bill.lines[bill.lines["item"] == item]
    return {(r.month, r.short_code): int(r.quantity) for r in rows.itertuples()}


def test_bill_counts_delivered_segments_in_the_local_month_they_were_sent(month_end):
    db, _, contract = month_end
    con = warehouse.connect(db, read_only=True)
    bill = billing.invoice(con, contract)
    con.close()
    assert list(bill.months["month"]) == ["2026-10", "2026-11"]
    assert _quantities(bill) == {
        ("2026-10", "36180"): 1, ("2026-10", "36181"): 0, ("2026-10", "35200"): 0,
        ("2026-11", "36180"): 3, ("2026-11", "36181"): 1, ("2026-11", "35200"): 0,
    }
    nov = bill.not_billed.set_index(["month", "short_code"]).loc[("2026-11", "36180")]
    assert (nov["accepted_segments"], nov["delivered_segments"], nov["undelivered_segments"],
            nov["unknown_segments"]) == (5, 3, 1, 1)
    brands = bill.brands.set_index(["month", "short_code", "brand"])["delivered_segments"].to_dict()
    assert brands == {("2026-10", "36180", "Acme"): 1, ("2026-11", "36180", "Acme"): 3,
                      ("2026-11", "36181", "Banque"): 1}


def test_bill_prices_segments_and_monthly_fees_to_the_cent(month_end):
    db, _, contract = month_end
    con = warehouse.connect(db, read_only=True)
    bill = billing.invoice(con, contract, short_code=None)
    con.close()
    nov = bill.lines[bill.lines["month"] == "2026-11"]
    amounts = {(r.short_code, r.item): r.amount_eur for r in nov.itertuples()}
    assert amounts == {
        ("36180", "mt_delivered"): 0.09, ("36180", "short_code_monthly"): 150.0,
        ("36180", "throughput_option"): 800.0, ("36180", "oadc_option"): 150.0,
        ("36181", "mt_delivered"): 0.03, ("36181", "short_code_monthly"): 150.0,
        ("35200", "mt_delivered"): 0.0, ("35200", "short_code_monthly"): 150.0,
        ("35200", "geo_presence_option"): 150.0,
    }
    months = bill.months.set_index("month")
    assert months.loc["2026-11", "total_eur"] == 1550.12
    # the segment with no final receipt, as if Orange billed it
    assert months.loc["2026-11", "at_most_eur"] == 1550.15
    # 2 days logged of 31 and of 30: the fees are whole, the months flagged
    assert list(months["days_logged"]) == [1, 4] and not months["complete"].any()
    assert any(n.startswith("not complete: 2026-10 (1 of 31 days logged)") for n in bill.notes)


def test_bill_of_asked_months_holds_the_fees_of_a_month_without_traffic(month_end):
    import datetime as dt

    db, _, contract = month_end
    con = warehouse.connect(db, read_only=True)
    bill = billing.invoice(con, contract, dt.date(2026, 12, 1), dt.date(2026, 12, 31), short_code="36181")
    con.close()
    assert bill.lines[["month", "short_code", "item", "quantity", "amount_eur"]].values.tolist() == [
        ["2026-12", "36181", "mt_delivered", 0, 0.0], ["2026-12", "36181", "short_code_monthly", 1, 150.0]]
    assert bill.months[["days", "days_logged", "complete"]].values.tolist() == [[31, 0, False]]


def test_bill_equals_the_simulators_truth_per_month_and_short_code(tmp_path):
    """32 days from 15 October: two months, the autumn clock change, every DLR outcome the
    simulator injects (delivered, failed, expired, no receipt, duplicate receipts, resends
    after a failure, application-split messages)."""
    sim = simulate(tmp_path / "sim", days=32, scale=150, seed=7, log_timezone="Europe/Paris", progress=False)
    contract = load_contract(sim.contract)
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    ingest_files(con, contract, sim.logs, progress=False)
    bill = billing.invoice(con, contract)
    con.close()
    truth = json.loads(sim.ground_truth.read_text(encoding="utf-8"))["billing"]
    counts = ("accepted_segments", "delivered_segments", "undelivered_segments", "unknown_segments")
    expected = {(t["month"], t["short_code"]): tuple(t[k] for k in counts) for t in truth}
    got = {(r["month"], r["short_code"]): tuple(int(r[k]) for k in counts)
           for r in bill.not_billed.to_dict("records")}
    assert got == expected
    assert {month for month, _ in expected} == {"2026-10", "2026-11"}
    delivered = {key: value[1] for key, value in expected.items()}
    assert {k: v for k, v in _quantities(bill).items() if v or k in delivered} == delivered
    mt = bill.lines[bill.lines["item"] == "mt_delivered"]
    assert (mt["amount_eur"] * 100).round().astype(int).tolist() == (mt["quantity"] * 3).tolist()


def test_monthly_fees_follow_the_grid_by_rank_in_the_contract():
    codes = [ShortCode(code=f"36{n:03d}", rate=[10, 20, 50, 100, 150][n % 5], oadc=["X"] if n == 3 else [])
             for n in range(21)]
    codes += [ShortCode(code=f"35{n:03d}", geo_presence=True) for n in range(11)]
    codes += [ShortCode(code="34001", geo_presence=True)]
    fees = pricing.monthly_fees(codes)
    by_item: dict[str, list[Decimal]] = {}
    for fee in fees:
        by_item.setdefault(fee.item, []).append(fee.eur)
    monthly = by_item["short_code_monthly"]
    assert monthly == [Decimal(150)] * 20 + [Decimal(500)] * 13
    # throughput: 10/s is included; 20, 50, 100, 150 at their monthly prices (4 codes of each)
    assert sorted(by_item["throughput_option"]) == sorted([Decimal(800), Decimal(1600), Decimal(2500),
                                                           Decimal(3000)] * 4)
    assert by_item["oadc_option"] == [Decimal(150)]
    # Géo Présence: the 11th number of 35ABC costs 500; 34ABC counts its own numbers
    geo = [(f.short_code, f.eur) for f in fees if f.item == "geo_presence_option"]
    assert geo == [(f"35{n:03d}", Decimal(150)) for n in range(10)] + [("35010", Decimal(500)),
                                                                         ("34001", Decimal(150))]


INVOICE = """month,short_code,item,quantity,amount_eur
2026-11,36180,mt_delivered,4,"0,12"
2026-11,36180,short_code_monthly,1,150
2026-11,36180,throughput_option,1,1 600.00
2026-11,36181,mt_delivered,1,0.03
2026-11,36181,short_code_monthly,1,150.00
2026-11,35200,short_code_monthly,1,150
2026-11,35200,geo_presence_option,1,100
2026-11,37000,short_code_monthly,1,150
2026-11,,total,,2450.15
"""


def test_reconcile_gives_each_line_its_verdict(month_end, tmp_path):
    db, _, contract = month_end
    path = tmp_path / "invoice.csv"
    path.write_text(INVOICE, encoding="utf-8")
    con = warehouse.connect(db, read_only=True)
    bill = billing.invoice(con, contract, *_november())
    con.close()
    compared = billing.reconcile(bill, billing.read_invoice(path))
    verdicts = {(r.short_code, r.item): r.verdict for r in compared.itertuples()}
    assert verdicts == {
        # 4 segments billed, 3 delivered, 1 with no receipt: the log cannot tell
        ("36180", "mt_delivered"): "within unknown",
        ("36180", "short_code_monthly"): "match",
        ("36180", "throughput_option"): "over",       # 1,600 for a 20/s option of 800
        ("36180", "oadc_option"): "not invoiced",
        ("36181", "mt_delivered"): "match",
        ("36181", "short_code_monthly"): "match",
        ("35200", "mt_delivered"): "match",            # 0 expected, not invoiced
        ("35200", "short_code_monthly"): "match",
        ("35200", "geo_presence_option"): "under",
        ("37000", "short_code_monthly"): "not expected",
        (None, "total"): "over",
    }
    over = compared[compared["item"] == "throughput_option"].iloc[0]
    assert (over["expected_eur"], over["invoiced_eur"], over["difference_eur"]) == (800.0, 1600.0, 800.0)
    total = compared[compared["item"] == "total"].iloc[0]
    assert (total["expected_eur"], total["invoiced_eur"]) == (1550.12, 2450.15)


def test_reconcile_differences_add_up_and_only_delivered_segments_are_uncertain(month_end, tmp_path):
    """A probe: a line on one side only had no difference (the total's was the only signed
    figure); a total whose excess was a fee, or a cent its own lines do not add up to, read
    `within unknown` on the month's whole allowance of segments with no receipt; a charge and
    its credit note netted to 0 on a line nobody expected read `not expected`."""
    db, _, contract = month_end
    con = warehouse.connect(db, read_only=True)
    bill = billing.invoice(con, contract, *_november())
    con.close()
    compared = billing.reconcile(bill, billing.read_invoice(_invoice(tmp_path, INVOICE)))
    lines = compared[compared["item"] != "total"]
    total = compared[compared["item"] == "total"].iloc[0]
    # the lines' differences add up to the invoice's lines less ours (2,300.15 - 1,550.12); its
    # total line says 150 more than its own lines (2,450.15)
    assert round(lines["difference_eur"].sum(), 2) == 750.03 and round(total["difference_eur"], 2) == 900.03
    by_line = {(r.short_code, r.item): (r.verdict, r.difference_eur) for r in lines.itertuples()}
    assert by_line[("36180", "oadc_option")] == ("not invoiced", -150.0)
    assert by_line[("37000", "short_code_monthly")] == ("not expected", 150.0)
    # the whole expected bill, a fee 30 EUR over: the total is over, not within unknown
    exact = bill.lines.assign(amount=bill.lines["amount_eur"].map(lambda v: f"{v:.2f}"))
    rows = [f"{r.month},{r.short_code or ''},{r.item},,{r.amount}" for r in exact.itertuples()]
    fee = next(i for i, r in enumerate(exact.itertuples()) if r.item == "short_code_monthly")
    over = [row if i != fee else row.rsplit(",", 1)[0] + ",180.00" for i, row in enumerate(rows)]
    total_eur = float(bill.months["total_eur"].iloc[0])
    for body, total_line, verdict in ((over, total_eur + 30, "over"), (rows, total_eur + 0.02, "over"),
                                      (rows, total_eur + 0.01, "match")):
        text = "month,short_code,item,quantity,amount_eur\n" + "\n".join(body) + f"\n2026-11,,total,,{total_line:.2f}\n"
        got = billing.reconcile(bill, billing.read_invoice(_invoice(tmp_path, text)))
        assert got[got["item"] == "total"]["verdict"].tolist() == [verdict]
    # a charge credited back on a line nobody expected: 0, a match
    netted = "month,short_code,item,quantity,amount_eur\n" + "\n".join(rows) + "\n2026-11,37000,short_code_monthly,1,0.00\n"
    got = billing.reconcile(bill, billing.read_invoice(_invoice(tmp_path, netted)), totals=False)
    assert got[got["short_code"] == "37000"]["verdict"].tolist() == ["match"]


def _invoice(tmp_path, text: str):
    path = tmp_path / "invoice.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _november():
    import datetime as dt

    return dt.date(2026, 11, 1), dt.date(2026, 11, 30)


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("month,item\n2026-11,total\n", "missing column(s) amount_eur"),
    ("month,item,amount_eur,vat\n", "unknown column(s) vat"),
    ("month,short_code,item,amount_eur\n2026-11,36180,setup,580\n", "line 2, column item: 'setup' is not an item"),
    ("month,short_code,item,amount_eur\n11/2026,36180,mt_delivered,1\n", "line 2, column month: expected a month"),
    ("month,short_code,item,amount_eur\n2026-11,36180,mt_delivered,12.345\n", "line 2, column amount_eur: expected "
     "an amount in euros to the cent"),
    ("month,short_code,item,amount_eur\n2026-11,36180,mt_delivered,abc\n", "line 2, column amount_eur"),
    ("month,short_code,item,quantity,amount_eur\n2026-11,36180,mt_delivered,1.5,1\n", "line 2, column quantity"),
    ("month,short_code,item,amount_eur\n2026-11,,mt_delivered,1\n", "line 2, column short_code: expected a 5-digit"),
    ("month,short_code,item,amount_eur\n2026-11,36180,total,1\n", "line 2, column short_code: a total line"),
    ("month,short_code,item,amount_eur\n2026-11,36180,mt_delivered,1\n2026-11,36180,mt_delivered,2\n",
     "lines 2, 3 bill the same item"),
    ("month,short_code,item,amount_eur\n", "no invoice line after the header"),
    # a thousands separator or three decimals? never guessed
    ("month,short_code,item,amount_eur\n2026-11,36180,throughput_option,1.600\n", "line 2, column amount_eur"),
    ('month,short_code,item,amount_eur\n2026-11,36180,throughput_option,"1,600"\n', "line 2, column amount_eur"),
    ("month,short_code,item,amount_eur\n2026-11,36180,mt_delivered,1e2\n", "line 2, column amount_eur"),
    # the line a spreadsheet shows: blank lines and quoted line breaks counted
    ("month,short_code,item,amount_eur\n2026-11,36180,mt_delivered,1\n\n2026-11,36180,setup,2\n",
     "line 4, column item: 'setup'"),
    ('month,short_code,item,amount_eur\n"2026-11",36180,"short_code_\nmonthly",1\n2026-11,36180,x,1\n',
     "line 2, column item"),
    ("month,short_code,item,amount_eur\n2026-11,36180,mt_delivered,1,\n", "line 2: 5 fields where the header has 4"),
    ("month;item\n2026-11;total\n", "line 1: missing column(s) amount_eur"),
])
def test_invoice_file_errors_say_where_and_what(tmp_path, text, message):
    path = tmp_path / "invoice.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(billing.InvoiceFileError) as caught:
        billing.read_invoice(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_invoice_command_json_and_errors(month_end, tmp_path, capsys):
    db, config, _ = month_end
    path = tmp_path / "invoice.csv"
    path.write_text(INVOICE, encoding="utf-8")
    assert main(["invoice", "--db", str(db), "--config", str(config), "--month", "2026-11",
                 "--against", str(path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["rule"], doc["currency"], doc["vat"], doc["total_eur"]) == ("R12", "EUR", "excluded", 1550.12)
    assert [m["month"] for m in doc["months"]] == ["2026-11"]
    assert {r["item"] for r in doc["lines"]} == set(billing.ITEMS) - {"short_code_setup"}   # no `since` given
    assert sum(1 for r in doc["reconciliation"] if r["verdict"] != "match") == 6
    assert main(["invoice", "--db", str(db), "--config", str(config), "--month", "2026-11", "--from", "2026-10"]) == 2
    assert "--month is one month" in capsys.readouterr().err
    assert main(["invoice", "--db", str(db), "--config", str(config), "--month", "nov"]) == 2
    assert "--month: expected a month YYYY-MM, got 'nov'" in capsys.readouterr().err


def test_docs_show_every_key_of_the_invoice_json(month_end, tmp_path, capsys):
    """docs/billing.md's JSON example holds the keys the command writes, each table's row with
    the columns of the command's (a probe: a new not_billed column, undocumented)."""
    import re
    from pathlib import Path

    db, config, _ = month_end
    assert main(["invoice", "--db", str(db), "--config", str(config), "--month", "2026-11",
                 "--against", str(_invoice(tmp_path, INVOICE)), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    text = (Path(__file__).resolve().parent.parent / "docs" / "billing.md").read_text(encoding="utf-8")
    [example] = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)
                 if '"rule": "R12"' in block]
    assert list(example) == list(doc)
    for key, rows in doc.items():
        if isinstance(rows, list) and rows and isinstance(rows[0], dict):
            assert list(example[key][0]) == list(rows[0]), key


def test_invoice_command_table_names_the_totals(month_end, capsys):
    db, config, _ = month_end
    assert main(["invoice", "--db", str(db), "--config", str(config), "--from", "2026-10", "--to", "2026-11",
                 "--short-code", "36181"]) == 0
    out = capsys.readouterr().out
    assert "R12 bill 2026-10: 150.00 EUR excl. VAT" in out
    assert "R12 bill 2026-11: 150.03 EUR excl. VAT" in out


def test_contract_prices_the_demo_contract():
    """The sample contract's options as the grid prices them (a guard on parse_contract's
    defaults: rate 10 is included, no option without its key)."""
    contract = parse_contract(CONTRACT, "contract.toml")
    fees = pricing.monthly_fees(contract.short_codes)
    assert sum(f.eur for f in fees) == Decimal(150 * 3 + 800 + 150 + 150)


def test_invoice_saved_by_a_french_excel_reads_the_same(tmp_path):
    """Semicolons, decimal commas, a euro sign, a no-break space as thousands separator,
    CRLF and Windows-1252: what 'CSV (séparateur: point-virgule)' writes."""
    text = ("month;short_code;item;quantity;amount_eur\r\n"
            "2026-11;36180;mt_delivered;9900;\"297,00 \u20ac\"\r\n"
            "2026-11;;total;;\"1\u00a0400,00\"\r\n\r\n")
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("cp1252"))
    frame = billing.read_invoice(path)
    assert frame.astype(object).where(frame.notna(), None).values.tolist() == [
        ["2026-11", "36180", "mt_delivered", 9900, 29700, 2], ["2026-11", "", "total", None, 140000, 3]]


def test_invoice_rows_excel_leaves_empty_are_skipped(tmp_path):
    path = tmp_path / "invoice.csv"
    path.write_text("month,short_code,item,quantity,amount_eur\n2026-11,36180,mt_delivered,3,0.09\n,,,,\n",
                    encoding="utf-8")
    assert billing.read_invoice(path)[["item", "line"]].values.tolist() == [["mt_delivered", 2]]


def test_reconcile_checks_the_quantity_an_invoice_gives(month_end, tmp_path):
    """The right amount with a wrong count (99,999 segments for 0.09 EUR) is not a match."""
    db, _, contract = month_end
    path = tmp_path / "invoice.csv"
    path.write_text("month,short_code,item,quantity,amount_eur\n2026-11,36180,mt_delivered,99999,0.09\n"
                    "2026-11,36180,short_code_monthly,,150\n", encoding="utf-8")
    con = warehouse.connect(db, read_only=True)
    bill = billing.invoice(con, contract, *_november(), short_code="36180")
    con.close()
    compared = billing.reconcile(bill, billing.read_invoice(path)).set_index("item")
    assert compared.loc["mt_delivered", "verdict"] == "quantity differs"
    assert compared.loc["mt_delivered", "line"] == 2
    assert compared.loc["short_code_monthly", "verdict"] == "match"   # no quantity given: the amount decides


def test_bill_without_bounds_holds_every_month_between_the_first_and_last(tmp_path):
    """A month with no log at all between two with traffic still owes its fees: flagged with
    0 days logged, never left out of the bill."""
    db, _, contract = ingested(tmp_path, [
        mt("2026-09-10 10:00:00", "ora_36181", "C0000001", "33612000001", "Bonjour"),
        mt("2026-11-10 10:00:00", "ora_36181", "C0000002", "33612000001", "Bonjour")], CONTRACT)
    con = warehouse.connect(db, read_only=True)
    bill = billing.invoice(con, contract)
    con.close()
    months = bill.months.set_index("month")
    assert list(months.index) == ["2026-09", "2026-10", "2026-11"]
    assert months.loc["2026-10", "days_logged"] == 0 and months.loc["2026-10", "total_eur"] == 1550.0


def test_invoice_command_compares_the_invoices_months_and_one_short_codes_lines(month_end, tmp_path, capsys):
    """Without --month the months billed are the invoice's (December: no log, fees still due);
    with --short-code, the other short codes' lines and the contract's total are not compared."""
    db, config, _ = month_end
    path = tmp_path / "invoice.csv"
    path.write_text("month,short_code,item,amount_eur\n2026-12,36181,short_code_monthly,150\n"
                    "2026-12,36180,short_code_monthly,150\n2026-12,,total,1550\n", encoding="utf-8")
    assert main(["invoice", "--db", str(db), "--config", str(config), "--against", str(path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [m["month"] for m in doc["months"]] == ["2026-12"]
    verdicts = {(r["short_code"], r["item"]): r["verdict"] for r in doc["reconciliation"]}
    assert verdicts[(None, "total")] == "match" and verdicts[("36181", "short_code_monthly")] == "match"
    assert main(["invoice", "--db", str(db), "--config", str(config), "--against", str(path), "--short-code", "36181",
                 "--format", "json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert {(r["short_code"], r["item"]) for r in doc["reconciliation"]} == {("36181", "mt_delivered"),
                                                                              ("36181", "short_code_monthly")}
    assert "the 1 total line(s)" in captured.err


def test_a_subscription_s_dates_decide_its_months_and_set_up(month_end):
    """36181 subscribed on 15 November: no fee in October, its set-up (280 + 300) and a whole
    month in November; 35200 given up on 31 October: billed in October, not in November, where
    36181 is the second short code held."""
    db, _, _ = month_end
    dated = CONTRACT.replace('smsc = "ora_36181"', 'smsc = "ora_36181"\nsince = 2026-11-15') \
                    .replace('geo_presence = true', 'geo_presence = true\nuntil = 2026-10-31')
    contract = parse_contract(dated, "contract.toml")
    con = warehouse.connect(db, read_only=True)
    bill = billing.invoice(con, contract)
    con.close()
    items = {(r.month, r.short_code, r.item): r.amount_eur for r in bill.lines.itertuples()}
    assert not any(m == "2026-10" and c == "36181" for m, c, _ in items)
    assert items[("2026-10", "35200", "short_code_monthly")] == 150.0
    assert items[("2026-10", "35200", "geo_presence_option")] == 150.0
    assert not any(m == "2026-11" and c == "35200" for m, c, _ in items)
    assert items[("2026-11", "36181", "short_code_setup")] == 580.0
    assert items[("2026-11", "36181", "short_code_monthly")] == 150.0
    assert "short code 2 of the contract" in bill.lines.set_index(["month", "short_code", "item"]).loc[
        ("2026-11", "36181", "short_code_monthly"), "basis"]
    assert bill.months.set_index("month").loc["2026-11", "total_eur"] == 0.09 + 1100 + 0.03 + 730
    # its message of 4 November came before the subscription: billed, and its line says so (a
    # probe: only a month wholly outside it was said); 36180, undated, says nothing of it
    basis = bill.lines.set_index(["month", "short_code", "item"])["basis"]
    assert basis[("2026-11", "36181", "mt_delivered")].endswith(
        "; 1 of them sent on days outside the subscription the contract gives (since, until)")
    assert "outside the subscription" not in basis[("2026-11", "36180", "mt_delivered")]


def test_until_before_since_is_refused():
    from opsanalytics.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        parse_contract('[[short_codes]]\ncode = "36180"\nsince = 2026-11-15\nuntil = 2026-10-31\n', "c.toml")
    assert "short_codes[0]" in str(caught.value) and "until 2026-10-31 is before since 2026-11-15" in str(caught.value)


def _partly_sent(at: str, fid: str, to: str, text: str) -> list[str]:
    """A message Kannel split itself whose part 1 the SMSC accepted (id `fid`) and a later
    part refused, as real Kannel 1.4.5 logs it: one failure line with part 1's FID, then
    Kannel's NACK (tests/fixtures/kannel-1.4.5/partial)."""
    return [
        f"{at} REJECTED Send SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [FID:{fid}] [META:] [from:36180] "
        f"[to:{to}] [flags:-1:0:-1:-1:31] [msg:{len(text)}:{text}] [udh:0:]",
        f"{at} Receive DLR [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [FID:{fid}] [META:?orig_msg?dlr_mask=31&] "
        f"[from:36180] [to:{to}] [flags:-1:-1:-1:-1:16] [msg:5:NACK/] [udh:0:]",
    ]


def test_a_message_split_by_kannel_that_failed_in_part_bills_its_delivered_part_1(tmp_path):
    """Part 1 accepted and delivered, part 2 refused (real Kannel 1.4.5, reported by a probe):
    Orange bills the segment the handset received, so the bill counts 1 delivered and 1
    undelivered, not nothing. Three parts, part 1 failed: 2 undelivered, the middle one
    unknown (the log does not say whether it went through)."""
    two = "Partiel: " + "y" * 200       # 209 GSM characters: 2 segments
    three = "Partiel: " + "z" * 300     # 309: 3 segments
    lines = [
        *_partly_sent("2026-11-10 10:00:00", "77000003", "33612500005", two),
        receipt("2026-11-10 10:00:00", "ora_36180", "77000003", "33612500005", "ENROUTE"),
        receipt("2026-11-10 10:00:02", "ora_36180", "77000003", "33612500005", "DELIVRD"),
        *_partly_sent("2026-11-10 10:01:00", "77000004", "33612500006", three),
        receipt("2026-11-10 10:01:03", "ora_36180", "77000004", "33612500006", "UNDELIV"),
        # an accepted message beside them, delivered
        mt("2026-11-10 10:02:00", "ora_36180", "77000005", "33612500007", TEXT_1),
        receipt("2026-11-10 10:02:04", "ora_36180", "77000005", "33612500007", "DELIVRD"),
    ]
    db, _, contract = ingested(tmp_path, lines, CONTRACT)
    con = warehouse.connect(db, read_only=True)
    try:
        assert con.execute("SELECT line_no, partly_sent FROM fct_mt ORDER BY line_no").fetchall() == [
            (1, True), (5, True), (8, False)]
        bill = billing.invoice(con, contract)
    finally:
        con.close()
    not_billed = bill.not_billed.set_index("short_code").loc["36180"]
    assert [int(not_billed[k]) for k in ("accepted_segments", "delivered_segments", "undelivered_segments",
                                         "unknown_segments")] == [6, 2, 3, 1]
    assert _quantities(bill)[("2026-11", "36180")] == 2
    brands = bill.brands.set_index("brand").loc["Acme"]
    assert (int(brands["delivered_lines"]), int(brands["delivered_segments"])) == (2, 2)


#: 152 'y', a '€' and 152 'y' as Kannel logs it lossily: the euro sign's 3 UTF-8 bytes as 3 dots
#: (a probe). fct_mt reads the dots as 2-byte letters (2 segments); the truth is 3 (153, 152
#: and 2 septets: Kannel never cuts an escape pair across two parts), which segments_max says
LOSSY_EURO = "y" * 152 + "..." + "y" * 152
#: one short code, no option: its month is 150 EUR and its delivered segments
ONE_CODE = ONE_CODE_CONTRACT


def test_the_upper_bound_counts_lossy_texts_at_their_most_segments(tmp_path):
    """A probe: three delivered lossy texts of 2 segments each that may be 3 (fct_mt's
    segments_max) put at_most_eur at 6 segments, and an invoice billing the 9 Orange did bill
    read `over`. The bound counts segments_max; 10 is over."""
    lines = []
    for n in range(3):
        fid, to = f"C000000{n}", f"3361500000{n}"
        lines += [mt(f"2026-09-18 10:00:0{n}", "ora_36180", fid, to, LOSSY_EURO),
                  receipt(f"2026-09-18 10:00:2{n}", "ora_36180", fid, to, "DELIVRD")]
    db, _, contract = ingested(tmp_path, lines, ONE_CODE)
    con = warehouse.connect(db, read_only=True)
    try:
        assert con.execute("SELECT segments, segments_exact, segments_max FROM fct_mt").fetchall() == [
            (2, False, 3)] * 3
        bill = billing.invoice(con, contract, *_september(), "36180")
    finally:
        con.close()
    [row] = bill.not_billed.to_dict("records")
    assert (row["delivered_segments"], row["delivered_segments_inexact"], row["segments_possibly_more"]) == (6, 6, 3)
    [month] = bill.months.to_dict("records")
    assert month["at_most_eur"] == pytest.approx(month["total_eur"] + 3 * 0.03)
    assert any(note.startswith("6 delivered segment(s) are counted from texts the log wrote lossily")
               and "3 more" in note for note in bill.notes)
    assert bill.to_json()["not_billed"][0]["segments_possibly_more"] == 3
    for billed, verdict in ((9, "within unknown"), (10, "over")):
        text = ("month,short_code,item,quantity,amount_eur\n"
                f"2026-09,36180,mt_delivered,{billed},{billed * 0.03:.2f}\n"
                "2026-09,36180,short_code_monthly,1,150\n"
                f"2026-09,,total,,{150 + billed * 0.03:.2f}\n")
        got = billing.reconcile(bill, billing.read_invoice(_invoice(tmp_path, text)))
        assert dict(zip(got["item"], got["verdict"])) == {
            "mt_delivered": verdict, "short_code_monthly": "match", "total": verdict}


def test_the_upper_bound_counts_lossy_texts_that_may_have_been_delivered_only(tmp_path):
    """Of lossy texts that may be a segment more: one with no final receipt counts (Orange may
    have billed it), one undelivered does not, nor a message Kannel split that failed in part
    (its billed part is 1 segment)."""
    lines = [
        mt("2026-09-18 10:00:00", "ora_36180", "D0000001", "33615000001", LOSSY_EURO, mask=0),
        mt("2026-09-18 10:00:01", "ora_36180", "D0000002", "33615000002", LOSSY_EURO),
        receipt("2026-09-18 10:00:21", "ora_36180", "D0000002", "33615000002", "UNDELIV"),
        *_partly_sent("2026-09-18 10:00:02", "D0000003", "33615000003", LOSSY_EURO),
        receipt("2026-09-18 10:00:22", "ora_36180", "D0000003", "33615000003", "DELIVRD"),
    ]
    db, _, contract = ingested(tmp_path, lines, CONTRACT)
    con = warehouse.connect(db, read_only=True)
    try:
        assert con.execute("SELECT segments, segments_max, partly_sent FROM fct_mt ORDER BY line_no").fetchall() == [
            (2, 3, False), (2, 3, False), (2, 3, True)]
        bill = billing.invoice(con, contract)
    finally:
        con.close()
    [row] = bill.not_billed.to_dict("records")
    # no receipt: 2 unknown; part 1 delivered (1), a later part refused (1)
    assert (row["delivered_segments"], row["unknown_segments"], row["segments_possibly_more"]) == (1, 2, 1)
    [month] = bill.months.to_dict("records")
    assert month["at_most_eur"] == pytest.approx(month["total_eur"] + (2 + 1) * 0.03)


def _september():
    import datetime as dt

    return dt.date(2026, 9, 1), dt.date(2026, 9, 30)
