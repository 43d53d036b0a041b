"""R11 CONTENT: texts flagged for review, from Kannel 1.4.5 lines as a gateway logs French
texts (accented letters lossy: `r..pondez`), whose verdicts are known, and against the
simulator's cases (each reason's messages, traps beside them)."""

from __future__ import annotations

import json

import pytest

from kannellines import ingested, mt
from opsanalytics import content, warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.cli import main
from opsanalytics.config import load_contract, parse_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.simulate import simulate

CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "UTC"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
oadc = ["ACME"]
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
[[services]]
name = "otp"
brand = "Acme"
category = "transactional"
[[services]]
name = "chat"
brand = "Chat"
category = "interpersonal"
[[services]]
name = "fournil"
brand = "Le Fournil"
category = "marketing"
[content.brand_names]
Acme = ["ACME", "Acme Shop"]
"""

#: (text as Kannel logs it, service, sender, reasons)
CASES = [
    ("ACME : soir..e coquine, -20%. STOP au 36180", "acme", "36180", ["adult"]),
    ("ACME : SMS gratuit ! puis 0,50 EUR la minute. STOP au 36180", "acme", "36180", ["free_claim_priced"]),
    ("Boutique : -10% ce week-end. STOP au 36180", "acme", "36180", ["brand_not_named"]),
    ("Coucou ! -20% pour toi chez ACME. STOP au 36180", "acme", "36180", ["interpersonal_tone"]),
    ("ACME : r..pondez OUI pour votre bon. STOP au 36180", "acme", "36180", ["cost_not_disclosed"]),
    ("Boutique : r..pondez OUI, c'est coquin ! STOP au 36180", "acme", "36180",
     ["adult", "brand_not_named", "cost_not_disclosed"]),
    # traps: nothing to flag
    ("ACME : r..pondez OUI (co..t d'un SMS) pour votre bon. STOP au 36180", "acme", "36180", []),
    ("ACME : -15% ce soir. R..pondez STOP au 36180", "acme", "36180", []),
    ("Acme Shop : -10% ce week-end. STOP au 36180", "acme", "36180", []),
    ("Boutique : -10% ce week-end. STOP au 36180", "acme", "ACME", []),
    ("ACME : livraison gratuite d..s 50... d'achat. STOP au 36180", "acme", "36180", []),
    ("Votre code : 4821", "otp", "36180", []),
    ("coucou, bisous", "chat", "36180", []),
    # what a compliance analyst's probe found (session 29)
    ("ACME : -20% ce week-end. R..pondez STOP.", "acme", "36180", []),               # the mention, a full stop
    ("ACME : Ne r..pondez pas .. ce SMS. STOP au 36180", "acme", "36180", []),       # a negation
    ("ACME : pour ne plus recevoir nos SMS, r..pondez au 36180 avec STOP", "acme", "36180", []),
    ("ACME t'envoie un bon de -10% : montre ce SMS en caisse. STOP au 36180", "acme", "36180", []),
    ("Cette semaine, la baguette .. 1... ! STOP au 36180", "fournil", "LeFournil", []),  # sender without space
    ("ACME : r..pondez OUI (prix d?un SMS) pour votre bon. STOP au 36180", "acme", "36180", []),  # ’ logged ?
    ("ACME : r..pondez A ou B (...0,50/SMS). STOP au 36180", "acme", "36180", []),    # €0,50
    ("ACME : r..pondez A ou B (50cts/SMS). STOP au 36180", "acme", "36180", []),
    ("ACME : 100% GRATUIT ! Jeu concours, 0,65.../SMS. STOP au 36180", "acme", "36180", ["free_claim_priced"]),
    ("ACME : soir..e libertines. STOP au 36180", "acme", "36180", ["adult"]),
]


def _load(tmp_path, contract_text: str, cases) -> tuple:
    lines = []
    for k, (text, svc, sender, _) in enumerate(cases):
        line = mt(f"2026-11-10 10:{k:02d}:00", "ora_36180", f"C{k:07d}", f"3361200{k:04d}", text, svc=svc)
        lines.append(line.replace("[from:36180]", f"[from:{sender}]"))
    db, config, contract = ingested(tmp_path, lines, contract_text)
    return warehouse.connect(db, read_only=True), contract, config, db


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    con, contract, config, db = _load(tmp_path_factory.mktemp("content"), CONTRACT, CASES)
    result = content.content(con, contract, Filters())
    con.close()
    return result, config, db


def test_each_text_gets_the_reasons_it_holds_and_only_those(loaded):
    result, _, _ = loaded
    got = {(row["text"], row["oadc"]): row["reasons"] for row in result.texts.to_dict("records")}
    expected = {(text, sender): reasons for text, _, sender, reasons in CASES if reasons}
    assert got == expected


def test_hits_name_the_words_and_provenance_the_line(loaded):
    result, _, _ = loaded
    rows = result.texts.set_index("text")
    assert rows.loc["ACME : soir..e coquine, -20%. STOP au 36180", "hits"] == "COQUINE"
    assert rows.loc["ACME : SMS gratuit ! puis 0,50 EUR la minute. STOP au 36180", "hits"] == "SMS GRATUIT"
    assert rows.loc["ACME : r..pondez OUI pour votre bon. STOP au 36180", "hits"] == "R..PONDEZ OUI"
    assert rows.loc["ACME : r..pondez OUI pour votre bon. STOP au 36180", "example_line_no"] == 5
    assert result.by_reason["cost_not_disclosed"] == {"texts": 2, "messages": 2}


def test_a_text_names_its_own_brand_and_the_connection_is_left_as_found(tmp_path):
    """Each brand's names are matched in one statement of their own (r11_brand_names.sql): a
    text must name its own brand, not another's, and the temporary table of the texts is gone
    after the check, which gives the same answer when run again on the same connection."""
    cases = [("Le Fournil : -10% sur la baguette. STOP au 36180", "fournil", "36180", []),
             ("Le Fournil : -10% sur la baguette. STOP au 36180", "acme", "36180", ["brand_not_named"]),
             ("Acme Shop : -10% sur la baguette. STOP au 36180", "fournil", "36180", ["brand_not_named"]),
             ("Acme Shop : -10% sur la baguette. STOP au 36180", "acme", "36180", [])]
    con, contract, _, _ = _load(tmp_path, CONTRACT, cases)
    first = content.content(con, contract, Filters())
    again = content.content(con, contract, Filters())
    left = con.execute("select count(*) from duckdb_tables() where table_name = 'audit_r11_texts'").fetchone()[0]
    con.close()
    assert sorted((r["text"], r["brand"], r["reasons"]) for r in first.texts.to_dict("records")) == [
        ("Acme Shop : -10% sur la baguette. STOP au 36180", "Le Fournil", ["brand_not_named"]),
        ("Le Fournil : -10% sur la baguette. STOP au 36180", "Acme", ["brand_not_named"])]
    assert again.texts.equals(first.texts)
    assert left == 0


def test_the_example_of_a_text_in_two_parts_lists_both_lines(tmp_path):
    """A probe: a text flagged for words in its part 2 cited part 1's line only, which lacks
    them. example_mt_ids gives every line of the example message."""
    part_1, part_2 = "ACME : question 2 du jeu, ", "r..pondez A ou B. STOP au 36180"
    lines = [mt("2026-11-10 10:00:00", "ora_36180", "C1", "+33612000001", part_1).replace("[udh:0:]", "[udh:6:0500033F0201]"),
             mt("2026-11-10 10:00:01", "ora_36180", "C2", "+33612000001", part_2).replace("[udh:0:]", "[udh:6:0500033F0202]")]
    db, _, contract = ingested(tmp_path, lines, CONTRACT)
    con = warehouse.connect(db, read_only=True)
    result = content.content(con, contract, Filters())
    con.close()
    rows = result.texts.to_dict("records")
    assert [(r["text"], r["reasons"], r["hits"], r["example_line_no"], r["example_mt_ids"]) for r in rows] == [
        (part_1 + part_2, ["cost_not_disclosed"], "R..PONDEZ A", 1, [10000000001, 10000000002])]
    assert content.Content(result.texts).to_json()["texts"][0]["example_mt_ids"] == [10000000001, 10000000002]


def test_the_word_lists_are_settings(tmp_path):
    contract = CONTRACT.replace("[content.brand_names]", '[content]\nadult_words = ["lingerie"]\n[content.brand_names]')
    cases = [("ACME : lingerie -20%. STOP au 36180", "acme", "36180", ["adult"]),
             ("ACME : soir..e coquine. STOP au 36180", "acme", "36180", [])]
    con, contract_, _, _ = _load(tmp_path, contract, cases)
    result = content.content(con, contract_, Filters())
    con.close()
    assert result.texts[["text", "reasons"]].values.tolist() == [["ACME : lingerie -20%. STOP au 36180", ["adult"]]]


@pytest.mark.parametrize("toml, message", [
    ('[content]\nreply_words = []\n', "content.reply_words: expected at least one word"),
    # '_' is a word character but no letter: it matched every text
    ('[content]\nadult_words = ["_"]\n', "content.adult_words: expected words with a letter or digit"),
    ('[[services]]\nname = "a"\nbrand = "Le Fournil"\ncategory = "marketing"\n[content.brand_names]\n'
     '"le fournil" = ["Fournil"]\n', "content.brand_names.le fournil: brand 'le fournil' is the brand of no"),
])
def test_bad_content_settings_are_refused_with_their_key(toml, message):
    from opsanalytics.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        parse_contract(toml, "c.toml")
    assert message in str(caught.value)


@pytest.mark.parametrize("seed, days", [(5, 20), (13, 31)])
def test_content_equals_the_simulators_cases(tmp_path, seed, days):
    """Every case the simulator writes (adult, a priced free claim, no brand, an interpersonal
    tone, an unpriced reply) flagged once, none of its traps, and the quiz's unpriced replies,
    counted as messages: seed 13 resends a quiz question that failed within the retry delay
    (one message, not two)."""
    sim = simulate(tmp_path / "sim", days=days, scale=150, seed=seed, log_timezone="Europe/Paris", progress=False)
    contract = load_contract(sim.contract)
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    ingest_files(con, contract, sim.logs, progress=False)
    result = content.content(con, contract, Filters())
    [(resent,)] = con.execute("""
        SELECT count(*) FROM (SELECT logical_id FROM fct_mt WHERE brand = 'QuizMedia' AND text LIKE 'Dommage%'
                              GROUP BY logical_id HAVING count(*) > 1)""").fetchall()
    con.close()
    assert resent == (1 if seed == 13 else 0)
    truth = json.loads(sim.ground_truth.read_text(encoding="utf-8"))["content"]["messages_by_reason"]
    got = {reason: counts["messages"] for reason, counts in result.by_reason.items() if counts["messages"]}
    assert got == truth
    assert set(truth) == set(content.REASONS)


def test_content_command_json_and_table(loaded, capsys):
    _, config, db = loaded
    assert main(["content", "--db", str(db), "--config", str(config), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["rule"], doc["flagged_texts"], doc["flagged_messages"], doc["texts_not_logged"]) == ("R11", 8, 8, 0)
    assert doc["by_reason"]["adult"] == {"texts": 3, "messages": 3}
    assert doc["texts"][0]["first_at"].startswith("2026-11-10T")
    assert main(["content", "--db", str(db), "--config", str(config), "--brand", "Chat"]) == 0
    assert capsys.readouterr().out.startswith("R11 content: 0 text(s) to review")


def test_messages_whose_text_is_not_logged_are_counted_and_said(capsys, tmp_path):
    """A probe: an export without its text column read `0 text(s) to review`, as if every
    text had been read and found clean; R3 says how many it could not read, R11 said nothing."""
    from auditrows import CONTRACT as ROWS_CONTRACT, CONTRACT_TOML as ROWS_TOML, Traffic, paris
    from eventrows import insert_events
    from opsanalytics import facts

    t = Traffic()
    t.send("+33612345678", paris("2026-11-10 10:00:00"), text_logged=False)
    t.send("+33612345679", paris("2026-11-10 10:00:00"), text_logged=False, short_code="38100", service="meter")
    t.send("+33612345677", paris("2026-11-10 10:00:00"), text="Photos sexy: STOP au 36180")
    db = tmp_path / "w.duckdb"
    con = warehouse.connect(db, create=True)
    insert_events(con, t.rows)
    facts.build(con, ROWS_CONTRACT)
    result = content.content(con, ROWS_CONTRACT, Filters())
    assert (len(result.texts), result.texts_not_logged) == (1, 1)   # (the M2M one is not R11's to read)
    con.close()
    config = tmp_path / "c.toml"
    config.write_text(ROWS_TOML, encoding="utf-8")
    assert main(["content", "--db", str(db), "--config", str(config), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["texts_not_logged"] == 1
    assert "1 accepted message(s) of the period have no text in the log" in err
