"""The suite's own tools, without Kannel: SMPP codec and simulator, GSM helpers, log reader.

If these were wrong, the gateway tests could pass or fail for the wrong reason; they run
everywhere (no bearerbox needed).
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import pytest

from . import gsm
from .accesslog import Reader, parse, parse_all
from .smsc_sim import (BIND_TRANSCEIVER, DELIVER_SM, ENQUIRE_LINK, ESME_RINVDSTADR, RESP, SUBMIT_SM,
                       Behaviour, Receipt, SmscPool, SmscSimulator, parse_sm, sm_body)

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_gsm_tables_round_trip():
    text = "".join(c for c in gsm.BASIC if c != "\x1b") + "".join(gsm.EXTENSION)
    assert gsm.gsm_decode(gsm.gsm_encode(text)) == text
    assert gsm.septets("[€]") == 6 and gsm.septets("abc") == 3
    assert gsm.gsm_roundtrip("ç ê 😀 €") == "Ç ? ???? €"
    assert gsm.kannel_printable("é€a\n") == ".....a."
    assert gsm.segments(0, "a" * 160) == 1 and gsm.segments(0, "a" * 161) == 2
    assert gsm.segments(0, "€" * 80) == 1 and gsm.segments(0, "€" * 81) == 2
    assert gsm.segments(2, "😀" * 35) == 1 and gsm.segments(2, "😀" * 36) == 2
    assert gsm.segments(1, b"x" * 140) == 1 and gsm.segments(1, b"x" * 269) == 3


def test_sm_body_round_trip():
    body = sm_body("33612345678", "36180", esm_class=0x40, data_coding=8,
                   short_message=bytes.fromhex("050003AA0201") + "Arrêt".encode("utf-16-be"),
                   registered_delivery=0x11, tlvs=struct.pack(">HH", 0x001E, 3) + b"ab\x00")
    sm = parse_sm(body)
    assert (sm["source"], sm["destination"], sm["data_coding"], sm["registered_delivery"]) == \
        ("33612345678", "36180", 8, 0x11)
    assert sm["udh"] == bytes.fromhex("050003AA0201")
    assert sm["payload"].decode("utf-16-be") == "Arrêt"
    assert sm["tlvs"] == {0x001E: b"ab\x00"}


def _pdu(sock, command_id: int, seq: int, body: bytes = b"") -> None:
    sock.sendall(struct.pack(">IIII", 16 + len(body), command_id, 0, seq) + body)


def _read(sock) -> tuple[int, int, int, bytes]:
    header = b""
    while len(header) < 16:
        header += sock.recv(16 - len(header))
    length, command_id, status, seq = struct.unpack(">IIII", header)
    body = b""
    while len(body) < length - 16:
        body += sock.recv(length - 16 - len(body))
    return command_id, status, seq, body


def test_simulator_binds_answers_and_sends_receipts():
    """A bare SMPP client: bind, enquire_link, an accepted submit with its receipts (the
    intermediate one only because 0x10 was asked), a refused one, then an MO."""
    behaviours = {"33600000001": Behaviour(status=ESME_RINVDSTADR),
                  "33600000002": Behaviour(receipts=(Receipt("ENROUTE", 0.0), Receipt("UNDELIV", 0.01, err=1)))}
    with SmscPool(SmscSimulator("s", "user", "pw", "AB", behaviours)) as pool:
        sim = pool["s"]
        with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as sock:
            _pdu(sock, BIND_TRANSCEIVER, 1, b"user\x00pw\x00\x00\x34\x00\x00\x00")
            assert _read(sock)[:3] == (BIND_TRANSCEIVER | RESP, 0, 1)
            _pdu(sock, ENQUIRE_LINK, 2)
            assert _read(sock)[:3] == (ENQUIRE_LINK | RESP, 0, 2)
            _pdu(sock, SUBMIT_SM, 3, sm_body("ACME", "33600000001", short_message=b"no"))
            assert _read(sock)[:3] == (SUBMIT_SM | RESP, ESME_RINVDSTADR, 3)
            _pdu(sock, SUBMIT_SM, 4, sm_body("ACME", "33600000002", short_message=b"hello",
                                             registered_delivery=0x11))
            command_id, status, seq, body = _read(sock)
            assert (command_id, status, seq, body) == (SUBMIT_SM | RESP, 0, 4, b"AB000001\x00")
            stats = []
            for _ in range(2):
                command_id, _status, seq, body = _read(sock)
                assert command_id == DELIVER_SM
                receipt = parse_sm(body)
                assert receipt["esm_class"] == 0x04
                assert (receipt["source"], receipt["destination"]) == ("33600000002", "ACME")
                assert receipt["tlvs"][0x001E] == b"AB000001\x00"
                stats.append(receipt["payload"].split(b"stat:")[1][:7].decode())
                _pdu(sock, DELIVER_SM | RESP, seq, b"\x00")
            assert stats == ["ENROUTE", "UNDELIV"]
            assert [(s.destination, s.status) for s in sim.submits] == [("33600000001", ESME_RINVDSTADR),
                                                                         ("33600000002", 0)]


# the logs of the SMPP scenario (main/ and gmt/, with scenario.log); the other folders are
# other scenarios
@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.glob("kannel-1.4.5/**/access.log")
                                        if p.parent.name in ("main", "gmt")), ids=str)
def test_log_reader_on_real_lines(path):
    lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    parsed = parse_all(lines, Reader())
    assert len(parsed) == sum(1 for l in lines if not l.endswith(("Log begins", "Log ends")))
    first = next(p for p in parsed if "code [" in p.text)
    assert first.text.startswith("Promo: -20% avec le code [..T..]")
    assert all(len(p.text) == (2 * p.length if p.coding in (1, 2) else p.length) for p in parsed)


def test_log_reader_slices_text_by_length():
    line = ("2026-11-25 17:19:46 Sent SMS [SMSC:a] [SVC:b] [ACT:] [BINF:] [FID:1] [META:] "
            "[from:Ma Banque] [to:336] [flags:-1:0:-1:-1:31] [msg:10:x] [udh:0:] [udh:0:]")
    parsed = parse(line)
    assert parsed["from"] == "Ma Banque" and parsed.text == "x] [udh:0:" and parsed.udh == ""
