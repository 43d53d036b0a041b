"""Real Kannel 1.4.0-1.4.3 access logs (tests/fixtures/kannel-older, built from source) load as
their ground truth says: what the SMSC simulator received (truth.json) is the answer.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from opsanalytics import warehouse
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.status import summary

OLDER = Path(__file__).parent / "fixtures" / "kannel-older"
VERSIONS = ("1.4.0", "1.4.1", "1.4.2", "1.4.3")
LATIN1 = ("1.4.0", "1.4.1")    # coding-0 text written unescaped, in Latin-1


_CACHE: dict[str, tuple] = {}


@pytest.fixture(scope="module")
def load(tmp_path_factory):
    """Each run loaded once: (connection, truth)."""
    def _load(run: str):
        if run not in _CACHE:
            folder = OLDER / run
            con = warehouse.connect(tmp_path_factory.mktemp(run) / "w.duckdb", create=True)
            contract = parse_contract((folder / "contract.toml").read_text(encoding="utf-8"))
            ingest_files(con, contract, [folder / "access.log"], fmt="kannel", progress=False)
            _CACHE[run] = (con, json.loads((folder / "truth.json").read_text(encoding="utf-8")))
        return _CACHE[run]
    yield _load
    for con, _ in _CACHE.values():
        con.close()
    _CACHE.clear()


def _rows(con, sql: str, **params) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def _expected_final(mt: dict) -> str | None:
    """The final status the simulator's behaviour gives, as far as the DLR mask asked for it."""
    mask = mt["params"].get("dlr-mask", 0)
    return {"DELIVRD": "delivered" if mask & 1 else None, "DUP": "delivered" if mask & 1 else None,
            "THROTTLE": "delivered" if mask & 1 else None,
            "UNDELIV": "failed" if mask & 2 else None, "EXPIRED": "expired" if mask & 2 else None,
            "REFUSED": "rejected" if mask & 16 else None, "NONE": None}[mt["sim_behaviour"]]


def _expected_mts(truth: dict) -> dict[tuple[str, str], tuple]:
    """(receiver, udh) -> (outcome, coding, segments, final_status) for every sendsms request.

    Segments: the submit_sm the SMSC accepted for that receiver (and that UDH when the
    application split the text itself); a refused MT is logged as one line of one segment.
    """
    submits = [s for subs in truth["submits"].values() for s in subs]
    out = {}
    for mt in truth["mts"]:
        udh = mt["params"].get("udh", "").upper()
        refused = mt["sim_behaviour"] == "REFUSED"
        parts = sum(1 for s in submits if s["to"] == mt["to"] and s["status"] == 0
                    and (not udh or s["udh"].upper() == udh))
        first = next(s for s in submits if s["to"] == mt["to"] and (not udh or s["udh"].upper() == udh))
        out[(mt["to"], udh)] = ("failed" if refused else "accepted", {0: 0, 4: 1, 8: 2}[first["dc"]],
                                1 if refused else parts, _expected_final(mt))
    return out


def _mts(con) -> dict[tuple[str, str], tuple]:
    return {(r[0], r[1]): r[2:] for r in _rows(
        con, "SELECT msisdn_raw, udh, outcome, coding, segments, final_status FROM fct_mt WHERE service <> 'stop'")}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_line_is_read(version, load):
    """1.4.0/1.4.1 write m13's newline raw: its line is cut in two, read as one event whose
    second line is a marker 'continued'."""
    con, _ = load(version)
    assert _rows(con, "SELECT count(*) FROM rejected_lines") == [(0,)]
    continued = [(32,)] if version in LATIN1 else []
    assert _rows(con, "SELECT line_no FROM log_markers WHERE marker = 'continued'") == continued


APP_SPLIT = (("33612340016", "050003410201"), ("33612340016", "050003410202"))


@pytest.mark.parametrize("version", VERSIONS)
def test_every_mt_has_its_coding_segments_and_final_status(version, load):
    """Every MT: m13, whose line 1.4.0/1.4.1 cut in two (test_the_mt_with_a_raw_newline), and
    the two parts of the app-split m16/m17 (test_app_split_parts_each_get_their_receipt) too."""
    con, truth = load(version)
    expected = _expected_mts(truth)
    assert _mts(con) == expected
    assert len(expected) == 24


@pytest.mark.parametrize("version", VERSIONS)
def test_app_split_parts_each_get_their_receipt(version, load):
    """Before 1.4.2 no line has a FID: the two receipts after the two parts are paired with
    them in order (before, both went to part 2, and part 1 stayed pending)."""
    con, truth = load(version)
    expected = _expected_mts(truth)
    got = _mts(con)
    assert {k: got.get(k) for k in APP_SPLIT} == {k: expected[k] for k in APP_SPLIT} == \
        {k: ("accepted", 1, 1, "delivered") for k in APP_SPLIT}


@pytest.mark.parametrize("version", VERSIONS)
def test_the_mt_with_a_raw_newline(version, load):
    """m13's text holds '] [' and a newline; its segments add up with every other MT's to the
    submit_sm the SMSC accepted (the opt-out replies included)."""
    con, truth = load(version)
    text = "Code 1234] [to:x] fin\nligne 2" if version in LATIN1 else "Code 1234] [to:x] fin.ligne 2"
    assert _rows(con, "SELECT text, segments, final_status FROM fct_mt WHERE msisdn_raw = '33612340013'") == \
        [(text, 1, "failed")]
    accepted = sum(1 for subs in truth["submits"].values() for s in subs if s["status"] == 0)
    assert _rows(con, "SELECT sum(segments)::INTEGER FROM fct_mt WHERE outcome = 'accepted'") == [(accepted,)]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_dlr_is_linked(version, load):
    """Each DLR the application was called with is one DLR line, linked to its MT."""
    con, truth = load(version)
    called = Counter((r["smsc"], int(r["type"])) for r in truth["app_requests"] if r["path"] == "/dlr")
    assert Counter(_rows(con, "SELECT smsc, status FROM fct_dlr")) == called
    assert _rows(con, "SELECT count(*) FROM fct_dlr WHERE unmatched OR mt_id IS NULL") == [(0,)]
    # expired receipts carry status 2 before 1.4.4 (not 34), their stat: says EXPIRED
    assert _rows(con, "SELECT count(*), min(status), max(status) FROM fct_dlr WHERE stat = 'EXPIRED'") == [(2, 2, 2)]


@pytest.mark.parametrize("version", VERSIONS)
def test_refused_mts_are_failed_send_sms_with_a_decimal_nack(version, load):
    """Before 1.4.4 an SMSC refusal is `FAILED Send SMS`; Kannel's NACK gives the error in decimal."""
    con, _ = load(version)
    assert _rows(con, "SELECT DISTINCT label FROM fct_mt WHERE outcome <> 'accepted'") == [("FAILED Send SMS",)]
    nack = "NACK/11/Invalid Dest Address" if version == "1.4.0" else "NACK/11/Invalid Destination Address"
    assert _rows(con, "SELECT DISTINCT text, source FROM fct_dlr WHERE status = 16") == [(nack, "kannel_nack")]


@pytest.mark.parametrize("version", VERSIONS)
def test_coding_0_texts_are_read_whole(version, load):
    """Texts without '€' (whose byte differs by version): 1.4.0/1.4.1 keep every Latin-1
    letter; 1.4.2/1.4.3 write a '.' for each UTF-8 byte out of ASCII (lossy)."""
    con, _ = load(version)
    texts = {"33612340002": "Votre code est 4821. Répondez STOP au 36180",
             "33612340004": "Route par défaut, sans paramètre smsc",
             "33612340010": "Refusé par le SMSC",
             "33612340014": "Reçu en double",
             "33612340024": "Dernier message, livré."}
    got = dict(_rows(con, "SELECT msisdn_raw, {'text': text, 'lossy': text_lossy} FROM fct_mt "
                          "WHERE list_contains($to, msisdn_raw)", to=list(texts)))
    if version in LATIN1:
        assert got == {to: {"text": text, "lossy": False} for to, text in texts.items()}
    else:
        assert got["33612340010"] == {"text": "Refus.. par le SMSC", "lossy": True}


MO_KEYWORDS = {"+33698000001": ("accepted", "STOP"), "+33698000002": ("accepted", "STOP"),
               "+33698000003": ("accepted", "STOP"), "+33698000006": ("accepted", "START"),
               "+33698000007": ("accepted", None), "+44700000008": ("refused", "STOP")}


@pytest.mark.parametrize("version", VERSIONS)
def test_mo_outcomes_and_keywords(version, load):
    """The MOs whose text is ASCII or UCS-2 (the +44 one refused by white-list-regex)."""
    con, truth = load(version)
    got = {r[0]: r[1:] for r in _rows(con, "SELECT msisdn_raw, outcome, keyword FROM fct_mo")}
    assert {k: got[k] for k in MO_KEYWORDS} == MO_KEYWORDS
    assert len(got) == len(truth["mos"]) == 8


@pytest.mark.parametrize("version", VERSIONS)
def test_accented_opt_outs_are_stop(version, load):
    """'ARRÉT' in GSM (o04) and 'arrêt' in Latin-1 (o05): both STOP (alias arrêt); R4 sees 5 opt-outs."""
    con, _ = load(version)
    assert _rows(con, "SELECT msisdn_raw, keyword FROM fct_mo WHERE msisdn_raw IN ('+33698000004', '+33698000005') "
                      "ORDER BY 1") == [("+33698000004", "STOP"), ("+33698000005", "STOP")]


STATUS = {"rejected": 0, "mt": {"accepted": 23, "refused": 3, "segments": 27}, "mo": {"accepted": 7, "refused": 1},
          "dlr": {"lines": 35, "unmatched": 0, "delivered": 13, "failed": 6}, "dropped": 0}


@pytest.mark.parametrize("version", VERSIONS)
def test_status(version, load):
    """m13's second line in 1.4.0/1.4.1 is a marker 'continued': every line accounted for."""
    con, _ = load(version)
    doc = summary(con)
    assert {k: doc[k] for k in STATUS} == STATUS
    assert (doc["lines"], doc["events"], doc["markers"]) == ((72, 69, 3) if version in LATIN1 else (71, 69, 2))
    assert "accounting_mismatch" not in doc


def _truth_final(truth: dict) -> dict[str, str | None]:
    return {mt["to"]: _expected_final(mt) for mt in truth["mts"] if not mt["params"].get("udh")}


@pytest.mark.parametrize("run, refused_mo, dropped", [("1.4.2-whitelist", 1, 28), ("1.4.2-blacklist-regex", 7, 35)])
def test_dlrs_refused_by_a_list_are_dropped_dlrs(run, refused_mo, dropped, load):
    """1.4.0-1.4.3 apply white/black lists to DLRs too and log them with the MO label
    `REJECTED - <list> SMS`: a DLR Kannel had matched, then dropped (its status in %d, its text
    ACK/, NACK/ or a receipt). Loaded as kind 'dropped', outcome 'dlr', linked to its MT, whose
    final status it gives; only the real MOs count as refused. status's `dropped` counts the
    DROPPED lines, as its contract says: none here (a probe: it said 35 where grep found 0)."""
    con, truth = load(run)
    assert _rows(con, "SELECT count(*) FROM rejected_lines") == [(0,)]
    doc = summary(con)
    assert (doc["mo"], doc["dlr"]["lines"], doc["dropped"]) == \
        ({"accepted": 8 - refused_mo, "refused": refused_mo}, 0, 0)
    assert _rows(con, "SELECT count(*) FROM events WHERE kind = 'dropped' AND outcome = 'dlr' "
                      "AND label LIKE 'REJECTED - %' AND dlr_mask > 0") == [(dropped,)]
    assert _rows(con, "SELECT count(*) FROM fct_dlr WHERE outcome = 'dropped' AND mt_id IS NOT NULL") == [(dropped,)]
    # the receipts' status is the message's: every MT sent ends as the simulator made it end
    final = _truth_final(truth)
    got = dict(_rows(con, "SELECT msisdn_raw, final_status FROM fct_mt WHERE udh = '' AND service <> 'stop'"))
    assert got == {to: final[to] for to in got}
    assert sum(1 for s in got.values() if s is not None) >= 12


def test_dlrs_refused_by_a_list_read_by_the_positional_path(tmp_path):
    """The same rule where a custom access-log-format is read field by field (kannel_read):
    the real whitelist log, its 1.4.2 layout given as a custom format."""
    folder = OLDER / "1.4.2-whitelist"
    layout = ("%l [SMSC:%i] [SVC:%n] [ACT:%A] [BINF:%B] [FID:%F] [from:%p] [to:%P] "
              "[flags:%m:%c:%M:%C:%d] [msg:%L:%b] [udh:%U:%u]")
    contract = parse_contract(f'access_log_format = "{layout}"\n'
                              + (folder / "contract.toml").read_text(encoding="utf-8"))
    con = warehouse.connect(tmp_path / "w.duckdb", create=True)
    ingest_files(con, contract, [folder / "access.log"], fmt="kannel", progress=False)
    doc = summary(con)
    assert (doc["rejected"], doc["mo"], doc["dlr"]["lines"], doc["dropped"]) == \
        (0, {"accepted": 7, "refused": 1}, 0, 0)   # (no DROPPED line: status's contract)
    assert _rows(con, "SELECT count(*) FROM fct_dlr WHERE outcome = 'dropped' AND mt_id IS NOT NULL") == [(28,)]
    con.close()


def test_what_tells_a_dlr_refused_by_a_list_from_a_refused_mo():
    """Its status in %d (an MO carries -1); without %d (NULL), its text: Kannel's ACK/ or
    NACK/..., or an SMPP receipt. Only the list labels (both spellings) are concerned."""
    con = warehouse.connect(":memory:")
    con.execute(warehouse.query_text("staging/kannel_macros"))
    receipt = ("id:41000001 sub:001 dlvrd:000 submit date:2611261720 done date:2611261720 "
               "stat:UNDELIV err:001 text:Message")
    cases = [("REJECTED - not white-regex-listed SMS", 8, "ACK/", True),
             ("REJECTED - black-regex-listed SMS", 2, receipt, True),
             ("REJECTED - not white-listed SMS", -1, "STOP", False),
             ("REJECTED - not white-listed SMS", -1, "ACK/", False),
             ("REJECTED - black-listed SMS", None, "ACK/", True),
             ("REJECTED - black-listed SMS", None, "NACK/11/Invalid Destination Address", True),
             ("REJECTED Receive SMS - black-listed SMS", None, receipt, True),
             ("REJECTED Receive SMS - black-listed SMS", None, "id: stat: please", False),
             ("REJECTED Receive SMS - black-listed SMS", None, None, False),
             ("REJECTED Send SMS", 16, "NACK/11/Invalid Destination Address", False),
             ("Receive SMS", 8, "ACK/", False)]
    got = [con.execute("SELECT kannel_list_dropped_dlr($l, $d::INTEGER, $t)", {"l": l, "d": d, "t": t}).fetchone()[0]
           for l, d, t, _ in cases]
    assert got == [c[3] for c in cases]
    con.close()
