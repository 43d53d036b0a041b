"""Fixtures that run a real Kannel gateway against the SMSC simulator (issue 8).

`gateway_run` runs the scenario once per access-log variant (default local time, GMT,
clean + custom format) and hands the tests its access log, the simulator's records and a
contract describing that gateway. Nothing is installed here: in CI (`CI=true`) a missing
bearerbox is a failure, never a skip; locally the suite skips only when bearerbox is missing.
"""

from __future__ import annotations

import gzip
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import scenario
from .kannel_harness import (MASKLESS_FORMAT, TEXTLESS_FORMAT, VARIANTS, AppServer, Gateway, Variant,
                             bearerbox_path)
from .smsc_sim import SmscPool, SmscSimulator, SubmitRecord

#: wall-clock seconds spent per gateway run, printed at the end of the session
TIMINGS: dict[str, float] = {}
COUNTERS: dict[str, int] = {}


def require_kannel() -> None:
    if bearerbox_path() is not None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but bearerbox is not installed: .ci/run installs kannel with apt-get")
    pytest.skip("bearerbox not installed (apt-get install kannel); in CI this suite never skips")


def make_pool(behaviours: dict) -> SmscPool:
    """One simulated SMSC per Orange short code, as the gateway's smsc groups expect."""
    return SmscPool(SmscSimulator("ora_36180", "acme36180", "secret", "5EA7", behaviours),
                    SmscSimulator("ora_36181", "acme36181", "secret", "41", behaviours))


@dataclass
class GatewayRun:
    """One finished run: what was sent, what the SMSCs received, what Kannel wrote."""

    variant: Variant
    folder: Path
    played: scenario.Played
    submits: list[SubmitRecord]
    mo_status: dict[str, list[int | None]] = field(default_factory=dict)
    app_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def log_files(self) -> list[Path]:
        """The files to ingest, in order: a rotated log is gzip-compressed, as logrotate does."""
        rotated = self.folder / "access.log.1.gz"
        return ([rotated] if rotated.exists() else []) + [self.folder / "access.log"]

    def contract_path(self) -> Path:
        path = self.folder / "contract.toml"
        path.write_text(scenario.contract_toml(self.variant.contract_toml()), encoding="utf-8")
        return path

    def accepted_submits(self, to: str) -> list[SubmitRecord]:
        """The submit_sm the SMSC accepted for one receiver, in order."""
        return [s for s in self.submits if s.destination.lstrip("+") == to.lstrip("+") and s.status == 0]


def run_gateway(folder: Path, variant: Variant, mts, mos, timeout: float = 40,
                replies: bool = True) -> GatewayRun:
    """Start the simulator and the gateway, play the scenario, stop every process.

    `replies=False`: the application answers no MO (no `stop` acknowledgements)."""
    started = time.monotonic()
    with make_pool(scenario.behaviours(mts)) as pool, AppServer(replies) as app:
        gateway = Gateway(folder, variant, {name: sim.port for name, sim in pool.sims.items()}, app.port)
        try:
            gateway.start(pool.all_bound)
            played = scenario.play(gateway, pool, mts, mos, timeout=timeout, replies=replies)
        finally:
            gateway.stop()
        submits = [s for sim in pool.sims.values() for s in sim.submits]
        mo_status = {}
        for sim in pool.sims.values():
            for mo in sim.mos:
                mo_status.setdefault(mo.source, []).append(mo.resp_status)
    played.lines = gateway.access_lines()     # with what is written at shutdown
    played.finished = time.time()
    if gateway.rotated_log.exists():
        with gateway.rotated_log.open("rb") as raw, gzip.open(f"{gateway.rotated_log}.gz", "wb") as packed:
            shutil.copyfileobj(raw, packed)
        gateway.rotated_log.unlink()
    TIMINGS[f"gateway run {variant.name} ({len(mts)} MT, {len(mos)} MO)"] = time.monotonic() - started
    return GatewayRun(variant, folder, played, submits, mo_status, app.requests)


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def gateway_run(request, tmp_path_factory) -> GatewayRun:
    """The message matrix through a real gateway, once per access-log variant."""
    require_kannel()
    variant = VARIANTS[request.param]
    folder = tmp_path_factory.mktemp(f"kannel-{variant.name}")
    return run_gateway(folder, variant, scenario.MTS, scenario.MOS)


@pytest.fixture(scope="module")
def textless_run(tmp_path_factory) -> GatewayRun:
    """The message matrix through a gateway whose access-log-format carries no text."""
    require_kannel()
    folder = tmp_path_factory.mktemp("kannel-textless")
    return run_gateway(folder, Variant("textless", access_log_format=TEXTLESS_FORMAT), scenario.MTS, scenario.MOS)


@pytest.fixture(scope="module")
def maskless_run(tmp_path_factory) -> GatewayRun:
    """The message matrix through a gateway whose access-log-format has no DLR status (%d)."""
    require_kannel()
    folder = tmp_path_factory.mktemp("kannel-maskless")
    return run_gateway(folder, Variant("maskless", access_log_format=MASKLESS_FORMAT), scenario.MTS, scenario.MOS)


#: seconds spent in setup, call and teardown of the tests of this folder
_SPENT = {"seconds": 0.0, "tests": 0}


def pytest_runtest_logreport(report):
    if "tests/integration/" in report.nodeid.replace("\\", "/"):
        _SPENT["seconds"] += report.duration
        _SPENT["tests"] += report.when == "call"


def pytest_terminal_summary(terminalreporter):
    if not TIMINGS and not COUNTERS:
        return
    terminalreporter.write_sep("-", "Kannel integration suite")
    terminalreporter.write_line(f"{_SPENT['tests']} tests in {_SPENT['seconds']:.0f} s "
                                "(setup + call + teardown, gateway runs and ingests included)")
    for what, seconds in TIMINGS.items():
        terminalreporter.write_line(f"{what}: {seconds:.1f} s")
    for what, count in COUNTERS.items():
        terminalreporter.write_line(f"{what}: {count}")


@pytest.fixture(scope="session")
def random_run(tmp_path_factory) -> GatewayRun:
    """The property-based batch through one gateway run (GMT log, no MO replies)."""
    from .random_messages import N_MESSAGES, N_MOS, SEED, draw_run

    require_kannel()
    mts, mos = draw_run(N_MESSAGES, N_MOS)
    folder = tmp_path_factory.mktemp("kannel-random")
    run = run_gateway(folder, VARIANTS["gmt"], mts, mos, timeout=60, replies=False)
    COUNTERS[f"random MT checked (seed {SEED})"] = len(mts)
    COUNTERS[f"random MO checked (seed {SEED})"] = len(mos)
    return run
