"""After the commit, `opsanalytics ingest` says why lines were rejected and what the audits
cannot see (opsanalytics.ingest.cautions); when DuckDB fails those checks the load stays
committed and one stderr line says the checks failed and why."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from opsanalytics import warehouse
from opsanalytics.cli import main as cli
from opsanalytics.config import parse_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.ingest import cautions as cautions_module

FIXTURES = Path(__file__).parent / "fixtures"
MAIN = FIXTURES / "kannel-1.4.5" / "main" / "access.log"
ODD = FIXTURES / "kannel-cases" / "odd.log"
CONTRACT = 'timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'
ODD_HEADER = (f"{ODD.resolve()}: 8 rejected line(s), by reason (every one, with its raw text, in the "
              "rejected_lines table):")


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "contract.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    return path


def _rejected(db) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM rejected_lines").fetchone()[0]


def _cautions_of(contract_toml: str, log: Path) -> list[str]:
    """What ingest says after loading `log` under the contract `contract_toml` (named c.toml)."""
    contract = parse_contract(contract_toml, "c.toml")
    con = warehouse.connect(":memory:")
    try:
        results = ingest_files(con, contract, [log], progress=False)
        return cautions_module.cautions(con, contract, results, "c.toml")
    finally:
        con.close()


def test_the_cautions_name_unnamed_services_and_a_receipts_clock_an_hour_off():
    """The main gateway log read as UTC (it is French time), under a contract naming no service."""
    said = _cautions_of('timezone = "Europe/Paris"\nlog_timezone = "UTC"\n', MAIN)
    assert said == [
        "warning: 5 service(s) sending MTs on 2026-11-25 are not in c.toml's [[services]]: acme (28 MT), jeu (3 MT), "
        "stop (3 MT), jeu_app (1 MT), start (1 MT); their MTs have no brand and no category, so no marketing "
        "rule (R1-R4) applies to them. Name them in [[services]] and run ingest again: the facts are rebuilt "
        "for the new contract.",
        "warning: the SMSC receipts' submit dates differ from the log's times on ora_36180 -60.9 min "
        "(27 receipts): is log_timezone = \"UTC\" in c.toml how the log is written (Kannel writes local time "
        "unless access-log-time = gmt)? Or does the SMSC keep another time zone (then set receipt_timezone)? "
        "A wrong log_timezone shifts the R2 window by as much.",
    ]


def test_reject_reasons_failing_after_the_commit_is_one_line_and_the_load_stays(tmp_path, config, capsys,
                                                                                monkeypatch):
    from opsanalytics.cli import ingest as ingest_cli

    def broken(con, result, top=5):
        raise duckdb.IOException("IO Error: disk went away\nmore detail")

    monkeypatch.setattr(ingest_cli, "rejected_reasons", broken)
    db = tmp_path / "new.duckdb"
    assert cli(["ingest", str(ODD), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert out == f"{ODD.resolve()}: lines=12 events=3 markers=1 rejected=8 (loaded)\n"
    assert err.splitlines() == [
        ODD_HEADER,
        "opsanalytics ingest: warning: the load is committed, but the post-load checks failed (IO Error: disk "
        f"went away); not computed: why lines were rejected, the cautions (services and connections missing from {config}, "
        "receipts' clock against log_timezone, clock steps at restarts, lines of a repeated hour not placed, "
        "receipts without a status or matching no MT)"]
    assert _rejected(db) == 8


def test_cautions_failing_after_the_commit_keep_the_reasons_and_say_so(tmp_path, config, capsys, monkeypatch):
    def broken(*args):
        raise duckdb.CatalogException("Catalog Error: Table with name fct_mt does not exist!")

    monkeypatch.setattr(cautions_module, "services_not_in_contract", broken)
    db = tmp_path / "new.duckdb"
    assert cli(["ingest", str(ODD), "--db", str(db), "--config", str(config), "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ODD_HEADER and err[1] == ("  2  e.g. line 4: fields missing or out of order for the "
                                               "access-log format (truncated or damaged line?)")
    assert err[-1] == ("opsanalytics ingest: warning: the load is committed, but the post-load checks failed "
                       "(Catalog Error: Table with name fct_mt does not exist!); not computed: the cautions "
                       f"(services and connections missing from {config}, receipts' clock against log_timezone, "
                       "clock steps at restarts, lines of a repeated hour not placed, receipts without a status or "
                       "matching no MT)")
    assert len(err) == 8 and _rejected(db) == 8   # header, 5 reasons, '... and 2 other', the warning


def test_an_interrupt_during_the_checks_is_no_failure_of_them(tmp_path, config, capsys, monkeypatch):
    """Ctrl-C as DuckDB reports it, after the commit: exit 130 and the load kept, as before."""
    def interrupted(*args):
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    monkeypatch.setattr(cautions_module, "services_not_in_contract", interrupted)
    db = tmp_path / "new.duckdb"
    assert cli(["ingest", str(ODD), "--db", str(db), "--config", str(config), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "interrupted after the load was committed: the warehouse keeps it" in err
    assert "post-load checks failed" not in err and _rejected(db) == 8


@pytest.mark.parametrize("lost, kept, said", [(20, 0, True), (11, 9, True), (10, 10, False), (19, 0, False)])
def test_most_receipts_of_a_connection_unmatched_are_said_with_the_likely_cause(lost, kept, said):
    """An SMSC whose receipts give ids in another base than its submit responses (Kannel's
    msg-id-type unset) leaves every receipt a `FAILED Receive DLR`: said when most of at
    least 20 receipts of a connection match no MT."""
    from eventrows import Log, contract, new_db
    from opsanalytics import facts

    log = Log()
    receipt = "id:{} sub:001 dlvrd:001 submit date:2611251000 done date:2611251001 stat:DELIVRD err:000 text:x"
    for i in range(kept):
        log.line(i, "Sent SMS", fid=f"{i:08X}", text="t")
        log.line(i + 1, "Receive DLR", fid=f"{i:08X}", dlr_mask=1, text=receipt.format(f"{i:08X}"))
    for i in range(lost):
        log.line(100 + i, "FAILED Receive DLR", fid=str(4_000_000_000 + i), dlr_mask=-1, text=receipt.format(i))
    con = new_db()
    log.write(con)
    facts.build(con, contract())
    warnings = [w for w in cautions_module.cautions(con, contract(), [], "c.toml") if "match no MT" in w]
    if said:
        assert warnings == [warnings[0]] and f"ora_36180 ({lost} of {lost + kept})" in warnings[0]
        assert "msg-id-type" in warnings[0]
    else:
        assert warnings == []


def test_an_mt_line_longer_than_any_message_is_said(tmp_path):
    """A damaged LEN (`[msg:20000000:AAAA...]`, one well-formed line) loaded as one MT of
    130,723 segments, and R8 reported a proven breach of as many, without a word at load."""
    line = ("2026-11-26 10:00:00 Sent SMS [SMSC:ora_36180] [SVC:acme] [ACT:] [BINF:] [FID:F1] [META:] "
            "[from:36180] [to:33612345678] [flags:-1:0:-1:-1:31] [msg:{n}:{text}] [udh:0:]\n")
    log = tmp_path / "access.log"
    log.write_text(line.format(n=200_000, text="A" * 200_000) + line.format(n=5, text="Promo").replace("F1", "F2"))
    said = _cautions_of(CONTRACT, log)
    assert [s for s in said if "segments than a message" in s] == [
        f"warning: 1 MT line(s) count more segments than a message can have (255 parts at most), e.g. 1,308 at "
        f"{log.resolve()} line 1: a damaged LEN? status, R8 and R9 count them as logged (one such line is a "
        "throughput breach of thousands of segments)"]


def test_a_nightly_ingest_speaks_of_the_days_it_loaded(tmp_path):
    """Probe (session 27): one MT of an unnamed service weeks ago, and every nightly ingest
    after it said so again (a cron mail a night). The cautions about the traffic speak of the
    days the call loaded; with nothing loaded, of the whole warehouse."""
    contract = parse_contract('timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'
                              '[[services]]\nname = "acme"\nbrand = "Acme"\ncategory = "marketing"\n', "c.toml")
    lines = MAIN.read_text(encoding="utf-8").splitlines(keepends=True)
    mt = next(line for line in lines if " Sent SMS [" in line and "[SVC:acme]" in line)
    old, night, quiet = tmp_path / "access.log-1101", tmp_path / "access.log-1124", tmp_path / "access.log-1125"
    old.write_text("2026-11-01 10:00:00" + mt[19:].replace("[SVC:acme]", "[SVC:jeu]"), encoding="utf-8")
    night.write_text("2026-11-24 10:00:00" + mt[19:].replace("[SVC:acme]", "[SVC:jeu]")
                     + "2026-11-24 10:00:01" + mt[19:].replace("[SVC:acme]", "[SVC:jeu]"), encoding="utf-8")
    quiet.write_text("2026-11-25 10:00:00" + mt[19:], encoding="utf-8")
    con = warehouse.connect(":memory:")
    try:
        said = [cautions_module.cautions(con, contract, ingest_files(con, contract, [path], progress=False), "c.toml")
                for path in (old, night, quiet)]
        again = cautions_module.cautions(con, contract, ingest_files(con, contract, [quiet], progress=False), "c.toml")
    finally:
        con.close()
    unnamed = [[s for s in day if "service(s)" in s] for day in (*said, again)]
    assert [s.split(" are not in ")[0] for day in unnamed for s in day] == [
        "warning: 1 service(s) sending MTs on 2026-11-01",
        "warning: 1 service(s) sending MTs on 2026-11-24",
        "warning: 1 service(s) sending MTs"]   # nothing new loaded: the whole warehouse
    assert "jeu (2 MT)" in unnamed[1][0] and unnamed[2] == [] and "jeu (3 MT)" in unnamed[3][0]


def test_mos_a_connection_carried_for_another_short_code_are_said(tmp_path):
    """Real Kannel 1.4.5 (a probe's run): a STOP addressed to 36180 came in on the bind of
    36181. The connection names an MO's short code (docs/config.md), so the opt-out concerned
    36181's brands and the promotion of 36180's brand after it went unflagged, without a word.
    Said at load; an MO on its own code's bind is not."""
    log = tmp_path / "access.log"
    log.write_text(
        "2026-11-26 15:00:01 Receive SMS [SMSC:ora_36181] [SVC:] [ACT:u36181] [BINF:] [FID:] [META:?smpp?] "
        "[from:+33612000501] [to:36180] [flags:-1:0:-1:0:-1] [msg:4:STOP] [udh:0:]\n"
        "2026-11-26 15:00:01 Receive SMS [SMSC:ora_36180] [SVC:] [ACT:u36180] [BINF:] [FID:] [META:?smpp?] "
        "[from:+33612000502] [to:36180] [flags:-1:0:-1:0:-1] [msg:4:STOP] [udh:0:]\n", encoding="utf-8")
    contract = (CONTRACT + '[[short_codes]]\ncode = "36180"\nsmsc = "ora_36180"\n'
                '[[short_codes]]\ncode = "36181"\nsmsc = "ora_36181"\n')
    said = [s for s in _cautions_of(contract, log) if "addressed to another" in s]
    assert said == [
        "warning: MO lines on 2026-11-26 were received on a connection c.toml maps to one short code but "
        "addressed to another of its short codes:\n"
        "  1 MO line(s) on ora_36181 (short code 36181) addressed to 36180, 1 of them STOP/START: "
        "first 2026-11-26 15:00:01\n"
        "They count as the connection's short code's (its opt-outs concern that code's brands, its 34ABC "
        "sessions open there), not as the code the subscriber wrote to. If one bind carries several short "
        "codes, leave its smsc out of the contract: each line then takes its short code from its sender (MT) "
        "or receiver (MO)."]


def test_mt_lines_with_no_connection_and_a_sender_name_are_said(tmp_path):
    """A probe: a canonical export that left out its smsc column, senders names (ACME): no
    MT had a short code, 2,553 R6 and 2,552 R7 breaches, and ingest said nothing. A line
    with a short code for sender has one (36181), and is not counted."""
    path = tmp_path / "traffic.csv"
    path.write_text("logged_at,kind,outcome,sender,receiver,text\n"
                    "2026-11-25T09:00:00Z,mt,accepted,ACME,0612345678,Promo STOP au 36180\n"
                    "2026-11-25T09:00:01Z,mt,accepted,ACME,0612345679,Promo STOP au 36180\n"
                    "2026-11-25T09:00:02Z,mt,accepted,Shop,0612345677,Promo STOP au 36180\n"
                    "2026-11-25T09:00:03Z,mt,accepted,36181,0612345676,Promo STOP au 36181\n", encoding="utf-8")
    contract = CONTRACT + '[[short_codes]]\ncode = "36180"\nsmsc = "ora_36180"\n[[short_codes]]\ncode = "36181"\n'
    said = [s for s in _cautions_of(contract, path) if "no short code" in s]
    assert said == [
        "warning: 3 accepted MT line(s) on 2026-11-25 name no connection and no short code as sender (senders ACME, "
        "Shop): no short code can be told for them, so R6 reads each as an unknown short code, R7 as an OAdC other "
        "than the code, and R8 counts them on no code. A canonical file: give its smsc column (mapped by the "
        "contract's short_codes[].smsc) or the short code as sender; then ingest again."]
    assert not [s for s in _cautions_of(contract, MAIN) if "no short code" in s]


def test_a_canonical_files_clock_off_by_an_hour_is_said_as_its_offsets(tmp_path):
    """A probe: an export in Paris time written +01:00 all year (an hour off in summer) was
    told to check log_timezone, which reads nothing in a file whose times carry an offset."""
    rows = ["logged_at,kind,outcome,smsc,service,fid,sender,receiver,text"]
    for i in range(20):
        rows.append(f"2026-07-10T10:{i:02d}:00+01:00,mt,accepted,ora_36180,acme,F{i},36180,061234{i:04d},Promo STOP au 36180")
        rows.append(f"2026-07-10T10:{i:02d}:05+01:00,dlr,accepted,ora_36180,acme,F{i},36180,061234{i:04d},"
                    f"id:F{i} sub:001 dlvrd:001 submit date:26071010{i:02d} done date:26071010{i:02d} stat:DELIVRD err:000 text:")
    path = tmp_path / "export.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    said = [s for s in _cautions_of(CONTRACT + '[[short_codes]]\ncode = "36180"\nsmsc = "ora_36180"\n', path)
            if "submit dates" in s]
    assert said == [
        "warning: the SMSC receipts' submit dates differ from the file's times on ora_36180 -60 min (20 receipts): "
        "are the UTC offsets of its logged_at right (an export in local time written with a fixed +01:00 all year is "
        "an hour off in summer; a time without an offset reads as UTC)? Or does the SMSC keep another time zone "
        "(then set receipt_timezone)? A wrong time shifts the R2 window by as much."]


#: a real Kannel 1.4.5 run (a probe's): a transmitter bind `ora_c_tx` and a receiver bind
#: `ora_c_rx` of one account, with smsc-ids of their own; Kannel matched none of the receipts
CROSSED = """\
2026-11-27 19:33:43 Log begins
2026-11-27 19:33:45 Sent SMS [SMSC:ora_c_tx] [SVC:banque] [ACT:] [BINF:] [FID:CC000001] [META:?smpp_resp?] [from:36182] [to:33610000013] [flags:-1:0:-1:-1:31] [msg:30:Ma Banque: votre code est 1234] [udh:0:]
2026-11-27 19:33:45 Receive DLR [SMSC:ora_c_tx] [SVC:banque] [ACT:] [BINF:] [FID:CC000001] [META:?smpp_resp??orig_msg?dlr_mask=31&] [from:36182] [to:33610000013] [flags:-1:-1:-1:-1:8] [msg:4:ACK/] [udh:0:]
2026-11-27 19:33:45 Sent SMS [SMSC:ora_c_tx] [SVC:acme] [ACT:] [BINF:] [FID:CC000003] [META:?smpp_resp?] [from:36182] [to:33610000015] [flags:-1:0:-1:-1:31] [msg:28:Acme: -20% ce soir seulement] [udh:0:]
2026-11-27 19:33:45 Receive DLR [SMSC:ora_c_tx] [SVC:acme] [ACT:] [BINF:] [FID:CC000003] [META:?smpp_resp??orig_msg?dlr_mask=31&] [from:36182] [to:33610000015] [flags:-1:-1:-1:-1:8] [msg:4:ACK/] [udh:0:]
2026-11-27 19:33:45 FAILED Receive DLR [SMSC:ora_c_rx] [SVC:] [ACT:] [BINF:] [FID:CC000001] [META:?smpp?] [from:33610000013] [to:36182] [flags:-1:0:-1:0:-1] [msg:120:id:CC000001 sub:001 dlvrd:000 submit date:2611271933 done date:2611271933 stat:ENROUTE err:000 text:Ma Banque: votre cod] [udh:0:]
2026-11-27 19:33:45 FAILED Receive DLR [SMSC:ora_c_rx] [SVC:] [ACT:] [BINF:] [FID:CC000001] [META:?smpp?] [from:33610000013] [to:36182] [flags:-1:0:-1:0:-1] [msg:120:id:CC000001 sub:001 dlvrd:001 submit date:2611271933 done date:2611271933 stat:DELIVRD err:000 text:Ma Banque: votre cod] [udh:0:]
2026-11-27 19:33:45 FAILED Receive DLR [SMSC:ora_c_rx] [SVC:] [ACT:] [BINF:] [FID:CC000003] [META:?smpp?] [from:33610000015] [to:36182] [flags:-1:0:-1:0:-1] [msg:120:id:CC000003 sub:001 dlvrd:000 submit date:2611271933 done date:2611271933 stat:UNDELIV err:001 text:Acme: -20% ce soir s] [udh:0:]
"""


def test_receipts_that_came_in_on_another_connection_than_their_mt_are_said(tmp_path):
    """A probe: with a transmitter and a receiver bind of their own smsc-ids, every receipt
    went unmatched (Kannel matches per smsc-id), every MT stayed pending, and ingest blamed
    msg-id-type. The cause is said, with its fix."""
    log = tmp_path / "access.log"
    log.write_text(CROSSED, encoding="utf-8")
    contract = CONTRACT + '[[short_codes]]\ncode = "36182"\nsmsc = ["ora_c_tx", "ora_c_rx"]\n'
    said = [s for s in _cautions_of(contract, log) if "receipt" in s]
    assert said == [
        "warning: receipts on 2026-11-27 matched no MT because they came in on another connection than their "
        "message: 3 on ora_c_rx for MTs sent on ora_c_tx. Kannel looks a receipt up under the smsc-id of the "
        "connection it arrives on, in the DLR store of the gateway it arrives at, so the application got no "
        "delivery report for them (the facts give their MTs the receipts' status when the contract lists both "
        "connections for the short code). Either the transmitter and receiver binds of one account have "
        "smsc-ids of their own: give them the same smsc-id; or, with several gateways, the SMSC delivered the "
        "receipts to another gateway's bind than the one that sent the message: give the gateways' binds of "
        "one account the same smsc-id and one shared dlr-storage (mysql, redis...), or each gateway an account "
        "of its own (docs/gateway-setup.md)."]


def test_receipts_that_came_in_on_another_connection_of_the_code_give_their_mts_a_status(tmp_path):
    """The same run: the SMSC said delivered and failed; Kannel matched neither receipt, the
    facts now link each, on its FID and number, to the MT of the other connection the contract
    lists for the short code (as a `fid_lost` receipt), and the MTs get that status."""
    from eventrows import ingested

    log = tmp_path / "access.log"
    log.write_text(CROSSED, encoding="utf-8")
    contract = parse_contract(CONTRACT + '[[short_codes]]\ncode = "36182"\nsmsc = ["ora_c_tx", "ora_c_rx"]\n', "c.toml")
    con, _ = ingested(contract, [log])
    assert con.execute("SELECT fid, final_status FROM fct_mt ORDER BY fid").fetchall() == [
        ("CC000001", "delivered"), ("CC000003", "failed")]
    assert con.execute("SELECT smsc, link, count(*) FROM fct_dlr WHERE source = 'receipt' GROUP BY ALL").fetchall() == [
        ("ora_c_rx", "fid_lost", 3)]
    # the contract not saying the two connections carry one code: nothing links them
    apart = parse_contract(CONTRACT + '[[short_codes]]\ncode = "36182"\nsmsc = "ora_c_tx"\n', "c.toml")
    con, _ = ingested(apart, [log])
    assert con.execute("SELECT fid, final_status FROM fct_mt ORDER BY fid").fetchall() == [
        ("CC000001", "pending"), ("CC000003", "pending")]


GMT_THEN_LOCAL = FIXTURES / "kannel-1.4.5" / "gmt-then-local"


def test_receipts_that_agree_in_part_say_so_beside_their_median():
    """A real Kannel 1.4.5 log written in UTC, then, after a restart, in local time (read as
    UTC): half the receipts agree with the log, half are an hour off. The warning gave only
    their median, -30.9 min, an offset no receipt has (a session-34 probe); it now says what share
    agree and that the clock changed within the log, which the clock-step warning places."""
    said = _cautions_of((GMT_THEN_LOCAL / "contract.toml").read_text(), GMT_THEN_LOCAL / "access.log")
    clock = [line for line in said if "receipts' submit dates" in line]
    assert clock == [
        "warning: the SMSC receipts' submit dates differ from the log's times on ora_36180 -30.9 min "
        "(24 receipts, 50 % within 2 min of the log), ora_36181 -30.9 min (24 receipts, 50 % within 2 min of the log): "
        "is log_timezone = \"UTC\" in c.toml how the log is written (Kannel writes local time unless "
        "access-log-time = gmt)? Or does the SMSC keep another time zone (then set receipt_timezone)? "
        "A wrong log_timezone shifts the R2 window by as much. Some receipts agree with the log and others "
        "do not: the log's clock changed within it (a restart with another access-log-time?), and the median "
        "lies between both."]
    assert any("line 75: forward 1 h 00 min 00 s" in line for line in said)


MSG_ID_TYPE = FIXTURES / "kannel-1.4.5" / "msg-id-type"


def test_receipts_kannel_matched_to_other_messages_are_said():
    """A real Kannel 1.4.5 whose SMSC gives submit ids in hex and receipt ids in decimal,
    with msg-id-type unset: Kannel logs 12 receipts as `Receive DLR` of other messages (the
    first one's receipt on the seventh, which held the id it read), two statuses flip, and
    ingest said nothing (a session-34 probe). Each receipt's `text:` names its own message:
    ingest now says how many name another text than their MT's. The same run with
    msg-id-type right: not a word."""
    contract = (MSG_ID_TYPE / "contract.toml").read_text()
    said = [line for line in _cautions_of(contract, MSG_ID_TYPE / "wrong.log") if "name another text" in line]
    assert said == [
        "warning: receipts linked to an MT name another text than its own (an SMPP receipt's text: is the "
        "start of the message it reports on): ora_36180 12 of 12, first at "
        f"{(MSG_ID_TYPE / 'wrong.log').resolve()} line 50, 'Promo m01: offre 1.' on the MT 'Promo m07: offre 7. "
        "STOP au 36180'. Kannel matched them to other messages, most likely because the SMSC writes its "
        "receipt ids in another base than its submit_sm_resp ids (hex and decimal): set msg-id-type in that "
        "smsc group of kannel.conf. Those MTs' delivery statuses are another message's, and so are R12's bill "
        "and R14's delivery figures that count them."]
    assert not [line for line in _cautions_of(contract, MSG_ID_TYPE / "right.log") if "name another text" in line]
