"""Run a real Kannel 1.4.5 (bearerbox + smsbox) on 127.0.0.1 for the integration suite.

Writes kannel.conf into a temporary folder (ephemeral ports, everything bound to loopback),
starts bearerbox and smsbox as child processes, waits with bounded polls (SMPP links bound
to the simulator, sendsms answering), and stops each process by its own PID (SIGTERM, then
SIGKILL after a bound). Nothing is installed: the binaries are the ones `.ci/run` installed.

The configuration mirrors the real run in tests/fixtures/kannel-1.4.5/main/kannel.conf:
one SMPP link per Orange short code (`ora_36180`, `ora_36181`) to the SMSC simulator, a
link whose SMSC never answers (`ora_down`, for EXPIRED), sendsms users per brand, and
get-url sms-services (`stop` acknowledges opt-outs) served by `AppServer`.
"""

from __future__ import annotations

import os
import shutil
import threading
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

BEARERBOX = os.environ.get("KANNEL_BEARERBOX", "/usr/sbin/bearerbox")

#: the local time zone the gateway runs in (its default access-log time is local)
GATEWAY_TZ = "Europe/Paris"

#: sendsms users = services of the contract (Kannel SVC), one per brand
USERS = {"acme": "acmepass", "banque": "banquepass"}

#: the text of the stop service's acknowledgement (an MT from the `stop` service)
STOP_REPLY = "Vous ne recevrez plus de SMS de ce service."


def bearerbox_path() -> str | None:
    """The bearerbox binary, or None when Kannel is not installed."""
    return BEARERBOX if os.path.exists(BEARERBOX) else shutil.which("bearerbox")


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the test process dies (no orphan gateways
    if pytest itself is killed). Linux only; elsewhere a no-op."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    """A port the kernel just handed out on 127.0.0.1 (for the gateway's own listeners)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll `predicate` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")


@dataclass(frozen=True)
class Variant:
    """How the access log is written: one gateway configuration the suite runs."""

    name: str
    access_log_time: str | None = None     # None = Kannel's default (local time); "gmt"
    access_log_clean: bool = False
    access_log_format: str | None = None
    rotate: bool = False                    # rotate the log mid-run (rename + SIGHUP, then gzip)

    def core_lines(self) -> list[str]:
        lines = []
        if self.access_log_time:
            lines.append(f"access-log-time = {self.access_log_time}")
        if self.access_log_clean:
            lines.append("access-log-clean = true")
        if self.access_log_format:
            lines.append(f'access-log-format = "{self.access_log_format}"')
        return lines

    def contract_toml(self) -> str:
        """The contract keys that tell the loader how this gateway writes its log."""
        lines = [f'log_timezone = "{"UTC" if self.access_log_time == "gmt" else GATEWAY_TZ}"']
        if self.access_log_format:
            lines.append(f"access_log_format = {_toml_str(self.access_log_format)}")
        if self.access_log_clean:
            lines.append("access_log_clean = true")
        return "\n".join(lines)


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: a custom format: Kannel's default tags, the message time in front (%t is UTC, KANNEL.md)
CUSTOM_FORMAT = ("%t %l [SMSC:%i] [SVC:%n] [ACT:%A] [BINF:%B] [FID:%F] [META:%D] [from:%p] "
                 "[to:%P] [flags:%m:%c:%M:%C:%d] [msg:%L:%b] [udh:%U:%u]")

#: a layout of its own (key=value, no brackets but around the text), local-time prefix kept
OWN_FORMAT = ("%l smsc=%i svc=%n acct=%A binf=%B fid=%F meta=%D from=%p to=%P "
              "flags=%m:%c:%M:%C:%d [msg:%L:%b] [udh:%U:%u]")

#: an operator who keeps texts out of the log: the same layout, the length but no text
TEXTLESS_FORMAT = ("%l smsc=%i svc=%n acct=%A binf=%B fid=%F meta=%D from=%p to=%P "
                   "flags=%m:%c:%M:%C:%d len=%L [udh:%U:%u]")

#: the flags without the DLR mask/status (%d): receipts give the status by their stat:
MASKLESS_FORMAT = ("%l smsc=%i svc=%n acct=%A binf=%B fid=%F meta=%D from=%p to=%P "
                   "flags=%m:%c:%M:%C [msg:%L:%b] [udh:%U:%u]")

VARIANTS = {
    "default": Variant("default"),
    "custom": Variant("custom", access_log_format=OWN_FORMAT),
    "rotated": Variant("rotated", rotate=True),
    "gmt": Variant("gmt", access_log_time="gmt"),
    "clean": Variant("clean", access_log_clean=True, access_log_format=CUSTOM_FORMAT),
}


class AppServer:
    """The content application behind smsbox: answers sms-service get-url and dlr-url calls.

    `/mo?svc=stop` answers the opt-out acknowledgement (smsbox sends it back as an MT of the
    `stop` service); every other call gets an empty body (no reply, `omit-empty`). Every
    request is recorded, so tests can check what reached the application.
    """

    def __init__(self, replies: bool = True) -> None:
        self.requests: list[dict[str, str]] = []
        self.replies = replies
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                query["path"] = url.path
                app.requests.append(query)
                stop = url.path == "/mo" and query.get("svc") == "stop" and app.replies
                body = STOP_REPLY.encode() if stop else b""
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="app-server", daemon=True)

    def __enter__(self) -> "AppServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@dataclass
class Ports:
    admin: int = field(default_factory=free_port)
    smsbox: int = field(default_factory=free_port)
    sendsms: int = field(default_factory=free_port)
    down: int = field(default_factory=free_port)   # nothing listens there


def render_config(variant: Variant, ports: Ports, smpp_ports: dict[str, int], app_port: int) -> str:
    """kannel.conf for one run; relative paths are relative to the run folder."""
    core = [
        "group = core",
        f"admin-port = {ports.admin}",
        "admin-interface = 127.0.0.1",
        "admin-password = test",
        "status-password = test",
        'admin-allow-ip = "127.0.0.1"',
        f"smsbox-port = {ports.smsbox}",
        "smsbox-interface = 127.0.0.1",
        'box-deny-ip = "*.*.*.*"',
        'box-allow-ip = "127.0.0.1"',
        'log-file = "bearerbox.log"',
        "log-level = 1",
        'access-log = "access.log"',
        "dlr-storage = internal",
        # temporary SMSC errors are retried quickly, then the MT is discarded
        "sms-resend-freq = 1",
        "sms-resend-retry = 2",
        'black-list-sender-regex = "^[+]?33611111111$"',
        'black-list-receiver-regex = "^[+]?33600000000$"',
        *variant.core_lines(),
    ]
    smscs = []
    for smsc_id, user, allow in (("ora_36180", "acme36180", 'allowed-smsc-id = "ora_36180"'),
                                 ("ora_36181", "acme36181",
                                  'preferred-smsc-id = "ora_36181"\n'
                                  'denied-smsc-id = "ora_36180;ora_down"')):
        smscs.append("\n".join([
            "group = smsc", "smsc = smpp", f"smsc-id = {smsc_id}", "host = 127.0.0.1",
            f"port = {smpp_ports[smsc_id]}", "transceiver-mode = true",
            f'smsc-username = "{user}"', 'smsc-password = "secret"', 'system-type = ""',
            "interface-version = 34", allow, 'allowed-prefix = "33;+33"',
            "reconnect-delay = 1", "enquire-link-interval = 30", "max-pending-submits = 10",
        ]))
    smscs.append("\n".join([
        "group = smsc", "smsc = smpp", "smsc-id = ora_down", "host = 127.0.0.1",
        f"port = {ports.down}", "transceiver-mode = true", 'smsc-username = "down"',
        'smsc-password = "down"', 'system-type = ""', 'allowed-smsc-id = "ora_down"',
        "reconnect-delay = 30",
    ]))
    boxes = [
        "\n".join(["group = smsbox", "smsbox-id = smsbox1", "bearerbox-host = 127.0.0.1",
                   f"bearerbox-port = {ports.smsbox}", f"sendsms-port = {ports.sendsms}",
                   "sendsms-interface = 127.0.0.1", 'log-file = "smsbox.log"', "log-level = 1",
                   'access-log = "smsbox-access.log"', "mo-recode = false"]),
        "\n".join(["group = smsbox-route", "smsbox-id = smsbox1",
                   'smsc-id = "ora_36180;ora_36181;ora_down"']),
    ]
    for user, password in USERS.items():
        boxes.append("\n".join(["group = sendsms-user", f"username = {user}", f"password = {password}",
                                "max-messages = 10", "concatenation = true",
                                'user-allow-ip = "127.0.0.1"']))
    app = f"http://127.0.0.1:{app_port}"
    for name, extra in (("stop", ['aliases = "arret;arrêt;stopp"']), ("start", []), ("default", [])):
        boxes.append("\n".join([
            "group = sms-service", f"name = {name}", f"keyword = {name}", *extra,
            f'get-url = "{app}/mo?svc={name}&from=%p&to=%P&kw=%k&text=%a&coding=%c&smsc=%i"',
            "max-messages = 1", "concatenation = true", "omit-empty = true"]))
    return "\n".join(core) + "\n\n" + "\n\n".join(smscs + boxes) + "\n"


@dataclass
class SendResult:
    status: int
    body: str


class Gateway:
    """bearerbox + smsbox in `folder`; a context manager that always stops both by PID."""

    def __init__(self, folder: Path, variant: Variant, smpp_ports: dict[str, int], app_port: int):
        bearerbox = bearerbox_path()
        if bearerbox is None:
            raise FileNotFoundError("bearerbox is not installed")
        self.binaries = {"bearerbox": bearerbox,
                         "smsbox": os.path.join(os.path.dirname(bearerbox), "smsbox")}
        self.folder, self.variant = folder, variant
        self.smpp_ports, self.app_port = smpp_ports, app_port
        self.conf = folder / "kannel.conf"
        self._configure()
        self.access_log = folder / "access.log"
        self.app_url = f"http://127.0.0.1:{app_port}"
        self.procs: dict[str, subprocess.Popen] = {}

    def _configure(self) -> None:
        self.ports = Ports()
        self.conf.write_text(render_config(self.variant, self.ports, self.smpp_ports, self.app_port),
                             encoding="utf-8")

    def _spawn(self, name: str) -> None:
        env = dict(os.environ, TZ=GATEWAY_TZ)
        err = (self.folder / f"{name}.stderr").open("wb")
        # -v 2: warnings and errors on the console (config errors show there)
        self.procs[name] = subprocess.Popen([self.binaries[name], "-v", "2", str(self.conf)],
                                            cwd=self.folder, stdin=subprocess.DEVNULL, stdout=err,
                                            stderr=err, env=env, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        err.close()

    def start(self, smscs_bound: Callable[[], bool], timeout: float = 20, attempts: int = 3) -> "Gateway":
        """Start both boxes; a box that dies at start (a port taken between choosing it and
        binding it: other test runs share the machine) is retried on fresh ports."""
        for attempt in range(attempts):
            try:
                return self._start_once(smscs_bound, timeout)
            except RuntimeError:
                self.stop()
                if attempt == attempts - 1:
                    raise
                for name in ("access.log", "bearerbox.log", "smsbox.log", "smsbox-access.log"):
                    (self.folder / name).unlink(missing_ok=True)
                self._configure()
        raise AssertionError("unreachable")

    def _start_once(self, smscs_bound: Callable[[], bool], timeout: float) -> "Gateway":
        self._spawn("bearerbox")
        wait_for(lambda: self._alive("bearerbox") and self._listening(self.ports.smsbox), timeout,
                 "bearerbox to listen for smsbox")
        self._spawn("smsbox")
        wait_for(lambda: self._alive("smsbox") and self._listening(self.ports.sendsms), timeout,
                 "smsbox's sendsms interface")
        wait_for(lambda: self._alive("bearerbox") and smscs_bound(), timeout,
                 "bearerbox to bind its SMPP links to the simulator")
        wait_for(lambda: self._alive("smsbox") and self._smsbox_connected(), timeout,
                 "smsbox to connect to bearerbox")
        return self

    def _alive(self, name: str) -> bool:
        proc = self.procs[name]
        if proc.poll() is not None:
            log = (self.folder / f"{name}.stderr").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{name} exited with {proc.returncode}: {log}")
        return True

    @staticmethod
    def _listening(port: int) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", port)) == 0

    def _smsbox_connected(self) -> bool:
        url = f"http://127.0.0.1:{self.ports.admin}/status.txt?password=test"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                status = resp.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError):
            return False
        return "smsbox:smsbox1" in status or "Box connections:\n    smsbox" in status

    def sendsms(self, params: dict[str, str | bytes | int]) -> SendResult:
        """GET /cgi-bin/sendsms; bytes values are sent as raw octets (8-bit texts, UDH)."""
        params = dict(params)
        if "dlr-mask" in params:
            params.setdefault("dlr-url", f"{self.app_url}/dlr?type=%d&smsc=%i&fid=%F&to=%P")
        parts = []
        for key, value in params.items():
            if isinstance(value, bytes):
                parts.append(f"{key}={urllib.parse.quote_from_bytes(value, safe='')}")
            else:
                parts.append(f"{key}={urllib.parse.quote(str(value), safe='')}")
        url = f"http://127.0.0.1:{self.ports.sendsms}/cgi-bin/sendsms?" + "&".join(parts)
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return SendResult(resp.status, resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            return SendResult(exc.code, exc.read().decode("utf-8", "replace"))

    @property
    def rotated_log(self) -> Path:
        return self.folder / "access.log.1"

    def rotate(self, timeout: float = 10) -> None:
        """What logrotate does: rename the log, SIGHUP bearerbox, which reopens it."""
        self.access_log.rename(self.rotated_log)
        os.kill(self.procs["bearerbox"].pid, signal.SIGHUP)
        wait_for(self.access_log.exists, timeout, "bearerbox to reopen its access log")

    def access_lines(self) -> list[str]:
        """The lines written so far, the rotated file's first."""
        lines: list[str] = []
        for path in (self.rotated_log, self.access_log):
            if path.exists():
                lines += path.read_bytes().decode("utf-8", "replace").splitlines()
        return lines

    def wait_quiet(self, done: Callable[[list[str]], bool], timeout: float, quiet: float = 0.4) -> list[str]:
        """Wait until `done(lines)` holds and the log has not grown for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        last_size, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            size = self.access_log.stat().st_size if self.access_log.exists() else 0
            now = time.monotonic()
            if size != last_size:
                last_size, last_change = size, now
            elif now - last_change >= quiet:
                lines = self.access_lines()
                if done(lines):
                    return lines
            time.sleep(0.05)
        raise TimeoutError(f"gave up after {timeout:.0f} s waiting for the access log to settle "
                           f"({len(self.access_lines())} lines so far)")

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM bearerbox, then smsbox, each by its PID; SIGKILL what outlives `timeout`.

        bearerbox first: on its way down it flushes concatenated-MO parts whose siblings never
        came to smsbox, writes `Log ends` and tells smsbox to stop; smsbox stopped first would
        leave bearerbox holding those parts until it is killed."""
        for name in ("bearerbox", "smsbox"):
            proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                continue
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def __enter__(self) -> "Gateway":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
