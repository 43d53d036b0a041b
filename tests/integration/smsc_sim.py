"""An SMPP 3.4 SMSC simulator (asyncio) that a real Kannel bearerbox binds to.

It plays Orange's SMSC for the integration suite: it accepts `bind_transceiver`, answers
`enquire_link`, answers each `submit_sm` as the scenario says (accept, permanent error,
temporary error such as throttling 0x58 or queue full 0x14, for the first N attempts or
always), sends delivery receipts (`deliver_sm` with esm_class 0x04, the usual `id:... stat:`
text and the receipted_message_id / network_error_code TLVs) with chosen `stat:` values,
delays and duplicates, and injects MO `deliver_sm` (GSM, Latin-1, 8-bit, UCS-2, and
concatenated parts with a UDH).

Every `submit_sm` it received is recorded (`SubmitRecord`): that is the ground truth of what
the gateway really sent (how many segments, which coding, which bytes), against which the
warehouse is checked.

The event loop runs in a background thread so that synchronous tests can drive it; every
public method is thread-safe.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import struct
import threading
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# command ids (SMPP 3.4, section 5.1.2.1)
GENERIC_NACK = 0x80000000
BIND_TRANSCEIVER = 0x00000009
BIND_TRANSMITTER = 0x00000002
BIND_RECEIVER = 0x00000001
SUBMIT_SM = 0x00000004
DELIVER_SM = 0x00000005
UNBIND = 0x00000006
ENQUIRE_LINK = 0x00000015
RESP = 0x80000000

# command_status values used by the scenario
ESME_ROK = 0x00
ESME_RINVDSTADR = 0x0B      # permanent: invalid destination address
ESME_RMSGQFUL = 0x14        # temporary: message queue full
ESME_RTHROTTLED = 0x58      # temporary: throttling error
ESME_RSUBMITFAIL = 0x45     # permanent: submit_sm failed

# TLV tags
TLV_RECEIPTED_MESSAGE_ID = 0x001E
TLV_NETWORK_ERROR_CODE = 0x0423
TLV_MESSAGE_STATE = 0x0427

#: SMPP message_state per receipt `stat:` (SMPP 3.4, 5.2.28)
MESSAGE_STATE = {"ENROUTE": 1, "DELIVRD": 2, "EXPIRED": 3, "DELETED": 4, "UNDELIV": 5,
                 "ACCEPTD": 6, "UNKNOWN": 7, "REJECTD": 8}


@dataclass(frozen=True)
class Receipt:
    """One delivery receipt to send `delay` seconds after the submit_sm_resp."""

    stat: str                 # DELIVRD, ENROUTE, UNDELIV, EXPIRED, REJECTD, ...
    delay: float = 0.05
    err: int = 0              # receipt `err:` and network_error_code
    duplicate: bool = False   # send it twice (the second one matches no pending DLR)


@dataclass(frozen=True)
class Behaviour:
    """How the SMSC answers the submit_sm of one destination number."""

    status: int = ESME_ROK            # final command_status of the submit_sm_resp
    first_status: int = 0             # command_status of the first attempts (0 = none): a temporary
                                      # error (retried by Kannel) or a refusal (resent by the app)
    first_attempts: int = 0           # how many attempts get `first_status` (-1 = every one)
    receipts: tuple[Receipt, ...] = (Receipt("ENROUTE", 0.02), Receipt("DELIVRD", 0.08))


ACCEPT = Behaviour()


@dataclass
class SubmitRecord:
    """One submit_sm as the SMSC received it, with what it answered."""

    smsc: str
    source: str
    destination: str
    esm_class: int
    data_coding: int
    registered_delivery: int
    udh: bytes
    payload: bytes           # short_message without the UDH
    status: int
    message_id: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class MORecord:
    """One deliver_sm MO the simulator sent, and the status the gateway answered."""

    source: str
    destination: str
    data_coding: int
    udh: bytes
    payload: bytes
    resp_status: int | None = None


def _cstr(data: bytes, pos: int) -> tuple[bytes, int]:
    end = data.index(b"\x00", pos)
    return data[pos:end], end + 1


def _tlv(tag: int, value: bytes) -> bytes:
    return struct.pack(">HH", tag, len(value)) + value


#: the SMSC's clock: receipt dates in French local time, as Orange's SMSC writes them
SMSC_TZ = ZoneInfo("Europe/Paris")


def _smsc_now() -> dt.datetime:
    return dt.datetime.now(SMSC_TZ)


def _smpp_time(moment: dt.datetime) -> str:
    return moment.strftime("%y%m%d%H%M")


def sm_body(source: str, destination: str, *, esm_class: int = 0, data_coding: int = 0,
            short_message: bytes = b"", registered_delivery: int = 0, tlvs: bytes = b"",
            source_ton: int = 1, dest_ton: int = 1) -> bytes:
    """The body shared by submit_sm and deliver_sm (SMPP 3.4, 4.4.1 / 4.6.1)."""
    if len(short_message) > 254:
        raise ValueError("short_message longer than 254 octets")
    return (b"\x00"                                   # service_type
            + bytes((source_ton, 1)) + source.encode("latin-1") + b"\x00"
            + bytes((dest_ton, 1)) + destination.encode("latin-1") + b"\x00"
            + bytes((esm_class, 0, 0))                # esm_class, protocol_id, priority_flag
            + b"\x00\x00"                             # schedule_delivery_time, validity_period
            + bytes((registered_delivery, 0, data_coding, 0, len(short_message)))
            + short_message + tlvs)


def parse_sm(body: bytes) -> dict:
    """Decode a submit_sm / deliver_sm body (the mandatory fields and the UDH split)."""
    pos = 0
    _service, pos = _cstr(body, pos)
    pos += 2
    source, pos = _cstr(body, pos)
    pos += 2
    destination, pos = _cstr(body, pos)
    esm_class = body[pos]
    pos += 3
    _sched, pos = _cstr(body, pos)
    _validity, pos = _cstr(body, pos)
    registered_delivery, _replace, data_coding, _default_id, sm_length = body[pos:pos + 5]
    pos += 5
    short_message = body[pos:pos + sm_length]
    tlvs, pos = {}, pos + sm_length
    while pos + 4 <= len(body):
        tag, length = struct.unpack(">HH", body[pos:pos + 4])
        tlvs[tag] = body[pos + 4:pos + 4 + length]
        pos += 4 + length
    if 0x0424 in tlvs and not short_message:       # message_payload
        short_message = tlvs[0x0424]
    udh = b""
    if esm_class & 0x40 and short_message:
        udh = short_message[:short_message[0] + 1]
        short_message = short_message[len(udh):]
    return {"source": source.decode("latin-1"), "destination": destination.decode("latin-1"),
            "esm_class": esm_class, "data_coding": data_coding,
            "registered_delivery": registered_delivery, "udh": udh, "payload": short_message,
            "tlvs": tlvs}


class _Session:
    """One bound connection from the gateway."""

    def __init__(self, sim: "SmscSimulator", reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.sim, self.reader, self.writer = sim, reader, writer
        self.bound = False
        self.seq = 0
        self.pending: dict[int, asyncio.Future] = {}

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def send(self, command_id: int, status: int, seq: int, body: bytes = b"") -> None:
        self.writer.write(struct.pack(">IIII", 16 + len(body), command_id, status, seq) + body)

    async def request(self, command_id: int, body: bytes) -> int:
        """Send a PDU to the gateway and wait (bounded) for its response status."""
        seq = self.next_seq()
        fut = asyncio.get_running_loop().create_future()
        self.pending[seq] = fut
        self.send(command_id, 0, seq, body)
        await self.writer.drain()
        try:
            return await asyncio.wait_for(fut, timeout=10)
        finally:
            self.pending.pop(seq, None)

    async def run(self) -> None:
        try:
            while True:
                header = await self.reader.readexactly(16)
                length, command_id, status, seq = struct.unpack(">IIII", header)
                body = await self.reader.readexactly(length - 16) if length > 16 else b""
                await self.handle(command_id, status, seq, body)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.bound = False
            self.sim._sessions.discard(self)
            self.writer.close()

    async def handle(self, command_id: int, status: int, seq: int, body: bytes) -> None:
        sim = self.sim
        if command_id & RESP:
            fut = self.pending.get(seq)
            if fut and not fut.done():
                fut.set_result(status)
            return
        if command_id in (BIND_TRANSCEIVER, BIND_TRANSMITTER, BIND_RECEIVER):
            system_id, pos = _cstr(body, 0)
            password, _ = _cstr(body, pos)
            ok = (system_id.decode(), password.decode()) == (sim.system_id, sim.password)
            self.send(command_id | RESP, 0 if ok else 0x0E, seq, b"SIMSMSC\x00")  # 0x0E: invalid password
            self.bound = ok
            if ok:
                sim._sessions.add(self)
        elif command_id == ENQUIRE_LINK:
            self.send(ENQUIRE_LINK | RESP, 0, seq)
        elif command_id == UNBIND:
            self.send(UNBIND | RESP, 0, seq)
            await self.writer.drain()
            self.writer.close()
        elif command_id == SUBMIT_SM:
            await self.submit(seq, body)
        else:
            self.send(GENERIC_NACK, 0x03, seq)  # 0x03: invalid command id
        await self.writer.drain()

    async def submit(self, seq: int, body: bytes) -> None:
        sim = self.sim
        sm = parse_sm(body)
        behaviour = sim.behaviour_for(sm["destination"])
        attempt = sim._attempts.get(sm["destination"], 0)
        sim._attempts[sm["destination"]] = attempt + 1
        if behaviour.first_status and (behaviour.first_attempts < 0 or attempt < behaviour.first_attempts):
            status = behaviour.first_status
        else:
            status = behaviour.status
        message_id = sim.new_message_id() if status == ESME_ROK else ""
        sim.submits.append(SubmitRecord(sim.name, sm["source"], sm["destination"], sm["esm_class"],
                                        sm["data_coding"], sm["registered_delivery"], sm["udh"],
                                        sm["payload"], status, message_id))
        self.send(SUBMIT_SM | RESP, status, seq, message_id.encode() + b"\x00" if status == ESME_ROK else b"")
        if status == ESME_ROK and sm["registered_delivery"] & 0x03:
            submitted = _smsc_now()
            for receipt in behaviour.receipts:
                if receipt.stat in ("ENROUTE", "ACCEPTD") and not sm["registered_delivery"] & 0x10:
                    continue  # intermediate notifications only when asked (SMPP 3.4, 5.2.17)
                sim._spawn(self.receipt(message_id, sm, receipt, submitted))

    async def receipt(self, message_id: str, sm: dict, receipt: Receipt, submitted: dt.datetime) -> None:
        await asyncio.sleep(receipt.delay)
        delivered = 1 if receipt.stat == "DELIVRD" else 0
        text_part = sm["payload"][:20] if sm["data_coding"] in (0, 1, 3) else b""
        text = (f"id:{message_id} sub:001 dlvrd:{delivered:03d} submit date:{_smpp_time(submitted)} "
                f"done date:{_smpp_time(_smsc_now())} stat:{receipt.stat} "
                f"err:{receipt.err:03d} text:").encode() + text_part
        tlvs = _tlv(TLV_RECEIPTED_MESSAGE_ID, message_id.encode() + b"\x00")
        tlvs += _tlv(TLV_NETWORK_ERROR_CODE, bytes((3,)) + struct.pack(">H", receipt.err))
        if self.sim.message_state_tlv:
            tlvs += _tlv(TLV_MESSAGE_STATE, bytes((MESSAGE_STATE[receipt.stat],)))
        # A receipt travels from the handset back to the sender: addresses swapped.
        body = sm_body(sm["destination"], sm["source"], esm_class=0x04, short_message=text[:254], tlvs=tlvs,
                       source_ton=0, dest_ton=0)
        for _ in range(2 if receipt.duplicate else 1):
            if self.bound:
                await self.request(DELIVER_SM, body)


class SmscSimulator:
    """One SMSC (one Kannel smsc-id), listening on 127.0.0.1 on an ephemeral port."""

    def __init__(self, name: str, system_id: str, password: str, id_prefix: str,
                 behaviours: dict[str, Behaviour] | None = None, message_state_tlv: bool = True):
        self.name, self.system_id, self.password, self.id_prefix = name, system_id, password, id_prefix
        self.behaviours = dict(behaviours or {})
        self.message_state_tlv = message_state_tlv
        self.submits: list[SubmitRecord] = []
        self.mos: list[MORecord] = []
        self.port = 0
        self._counter = 0
        self._attempts: dict[str, int] = {}
        self._sessions: set[_Session] = set()
        self._tasks: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None

    # -- used from the loop thread -------------------------------------------------------
    def behaviour_for(self, destination: str) -> Behaviour:
        return self.behaviours.get(destination.lstrip("+"), ACCEPT)

    def new_message_id(self) -> str:
        self._counter += 1
        return f"{self.id_prefix}{self._counter:06X}"

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader, writer) -> None:
        await _Session(self, reader, writer).run()

    async def _stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for session in list(self._sessions):
            session.writer.close()
        if self._server:
            self._server.close()

    async def _deliver(self, mo: MORecord, esm_class: int) -> None:
        session = next((s for s in self._sessions if s.bound), None)
        if session is None:
            raise RuntimeError(f"{self.name}: no bound gateway session to deliver an MO to")
        short_message = mo.udh + mo.payload
        # the subscriber's number is international, the short code national (as Orange sends them)
        body = sm_body(mo.source, mo.destination, esm_class=esm_class, data_coding=mo.data_coding,
                       short_message=short_message, source_ton=1, dest_ton=0)
        mo.resp_status = await session.request(DELIVER_SM, body)

    # -- thread-safe API for the tests ---------------------------------------------------
    def pending_tasks(self) -> int:
        return len(self._tasks)

    def bound(self) -> bool:
        return any(s.bound for s in list(self._sessions))

    def send_mo(self, source: str, destination: str, payload: bytes, data_coding: int = 0,
                udh: bytes = b"") -> MORecord:
        """Deliver one MO deliver_sm to the bound gateway; returns when the gateway answered."""
        mo = MORecord(source, destination, data_coding, udh, payload)
        self.mos.append(mo)
        esm_class = 0x40 if udh else 0x00
        future = asyncio.run_coroutine_threadsafe(self._deliver(mo, esm_class), self._loop)
        future.result(timeout=15)
        return mo


class SmscPool:
    """Several simulators on one background event loop."""

    def __init__(self, *sims: SmscSimulator):
        self.sims = {sim.name: sim for sim in sims}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="smsc-sim", daemon=True)

    def __getitem__(self, name: str) -> SmscSimulator:
        return self.sims[name]

    def start(self) -> "SmscPool":
        self._thread.start()
        for sim in self.sims.values():
            asyncio.run_coroutine_threadsafe(sim._start(self._loop), self._loop).result(timeout=10)
        return self

    def all_bound(self) -> bool:
        return all(sim.bound() for sim in self.sims.values())

    def idle(self) -> bool:
        """No receipt still waiting to be sent."""
        return all(sim.pending_tasks() == 0 for sim in self.sims.values())

    def stop(self) -> None:
        for sim in self.sims.values():
            try:
                asyncio.run_coroutine_threadsafe(sim._stop(), self._loop).result(timeout=5)
            except Exception:  # noqa: BLE001 - best effort at teardown
                pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def __enter__(self) -> "SmscPool":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
