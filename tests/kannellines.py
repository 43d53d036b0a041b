"""Kannel 1.4.5 access-log lines written by hand, for tests that load them through the real
loader: an MT (`Sent SMS` or a refusal) and the SMPP receipt of one, in the exact shape of
tests/fixtures/kannel-1.4.5/main/access.log (KANNEL.md)."""

from __future__ import annotations

#: final status bits Kannel logs for an SMPP receipt's stat: (docs/schema.md, fct_dlr.status)
RECEIPT_STATUS = {"DELIVRD": 1, "UNDELIV": 2, "EXPIRED": 34, "ENROUTE": 4}

#: a contract of one short code, 36180 on ora_36180 (no option), and one marketing service,
#: acme (brand Acme): what the lines below send from by default
ONE_CODE_CONTRACT = """
timezone = "Europe/Paris"
log_timezone = "Europe/Paris"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
"""


def mt(at: str, smsc: str, fid: str, to: str, text: str, mask: int = 31, svc: str = "acme",
       label: str = "Sent SMS", binfo: str = "") -> str:
    """An MT line sent from the short code the connection `ora_NNNNN` names."""
    return (f"{at} {label} [SMSC:{smsc}] [SVC:{svc}] [ACT:] [BINF:{binfo}] [FID:{fid}] [META:?smpp_resp?] "
            f"[from:{smsc[4:]}] [to:{to}] [flags:-1:0:-1:-1:{mask}] [msg:{len(text)}:{text}] [udh:0:]")


def receipt(at: str, smsc: str, fid: str, to: str, stat: str, svc: str = "acme", err: str | None = None) -> str:
    """The handset receipt of MT `fid`: `stat` DELIVRD, UNDELIV, EXPIRED or ENROUTE, its err:
    000 when delivered, else `err` (001 by default)."""
    error = "000" if stat == "DELIVRD" else (err or "001")
    body = (f"id:{fid} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} submit date:2610312359 "
            f"done date:2611010000 stat:{stat} err:{error} text:Promo")
    return (f"{at} Receive DLR [SMSC:{smsc}] [SVC:{svc}] [ACT:] [BINF:] [FID:{fid}] "
            f"[META:?orig_msg?dlr_mask=31&] [from:{smsc[4:]}] [to:{to}] [flags:-1:-1:-1:-1:{RECEIPT_STATUS[stat]}] "
            f"[msg:{len(body)}:{body}] [udh:0:]")


def refused(at: str, smsc: str, to: str, text: str, nack: str, label: str = "DISCARDED SMS",
            svc: str = "acme", routed: bool = False) -> list[str]:
    """An MT the platform did not send (`label`: DISCARDED SMS, REJECTED Send SMS...) and
    Kannel's NACK for it (`nack`: 'NACK/Retries Exceeded', 'NACK/0x0000000b/Invalid
    Destination Address'), both without FID, as Kannel 1.4.5 writes them. `routed`: the
    sendsms request named no smsc, so bearerbox logs the SMSC empty (its sender still names
    the short code of `smsc`)."""
    logged = "" if routed else smsc
    return [
        f"{at} {label} [SMSC:{logged}] [SVC:{svc}] [ACT:] [BINF:] [FID:] [META:?smpp_resp?] [from:{smsc[4:]}] "
        f"[to:{to}] [flags:-1:0:-1:-1:31] [msg:{len(text)}:{text}] [udh:0:]",
        f"{at} Receive DLR [SMSC:{logged}] [SVC:{svc}] [ACT:] [BINF:] [FID:] [META:?smpp_resp??orig_msg?dlr_mask=31&] "
        f"[from:{smsc[4:]}] [to:{to}] [flags:-1:-1:-1:-1:16] [msg:{len(nack)}:{nack}] [udh:0:]",
    ]


def ingested(root, lines: list[str], contract_text: str):
    """`lines` written as root/access.log and the contract as root/contract.toml, loaded with
    `ingest` into root/w.duckdb (closed): (db, config, contract)."""
    from opsanalytics import warehouse
    from opsanalytics.config import load_contract
    from opsanalytics.ingest import ingest_files

    log, config, db = root / "access.log", root / "contract.toml", root / "w.duckdb"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config.write_text(contract_text, encoding="utf-8")
    contract = load_contract(config)
    con = warehouse.connect(db, create=True)
    try:
        ingest_files(con, contract, [log], progress=False)
    finally:
        con.close()
    return db, config, contract
