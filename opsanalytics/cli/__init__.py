"""The `opsanalytics` command: argument parsing only; each subcommand lives in its own
module here and calls the library. Errors the user can cause (OpsError) are printed once,
without a traceback, and exit non-zero; so are Ctrl-C (130) and a reader that closed
stdout, as `| head` does (141)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from pathlib import Path

from opsanalytics import __version__, interrupts
from opsanalytics.errors import OpsError, UsageError
from opsanalytics.safe_text import visible

#: exit status of Ctrl-C, as a shell reports a command killed by SIGINT (128 + 2)
INTERRUPTED = 130
#: exit status when the reader of stdout went away: what `cat`, `grep` and every program
#: killed by SIGPIPE report (128 + 13). Not 0: the output was cut, and a script with
#: `set -o pipefail` should see that as it does for any other command it pipes into `head`
BROKEN_PIPE = 141

#: subcommand modules, in the order `--help` lists them; each defines register(subparsers)
COMMANDS = ("simulate", "ingest", "status", "audit", "trace", "content", "invoice", "quality", "sla", "forecast", "report",
            "demo")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsanalytics",
        description="Audit and plan SMS traffic routed to Orange France (Opérateur Push SMS, rules R1-R14).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:  # every one is part of the package: a missing module is an error
        importlib.import_module(f"opsanalytics.cli.{name}").register(sub)
    return parser


def unwritable(out: str | Path, exc: OSError) -> UsageError | None:
    """The error to show for `exc` when it is about the output folder `--out`: the folder,
    a parent of it, or a file in or beside it (where a folder is prepared before it is moved
    into place); in one line, with the file and the system's reason. None for any other file:
    that is a bug, and keeps its traceback."""
    folder = Path(out).absolute()
    if not exc.filename:
        return None
    path = Path(os.fsdecode(exc.filename)).absolute()
    if not (path == folder or path in folder.parents or folder.parent in path.parents):
        return None
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        # what is in the way: the nearest of the path and its parents that is not a folder
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), path)
        reason = f"{blocker} is a file, not a folder"
    else:
        # a hidden work folder beside it is an implementation detail: name the folder it is in
        where = folder.parent if path.parent == folder.parent and path != folder else path
        if isinstance(exc, FileNotFoundError) and where.is_dir():
            # a folder that exists but takes no new folder (/proc, /sys) answers ENOENT:
            # 'No such file or directory' about a folder that is there reads as nonsense
            reason = f"no folder can be created in {where} (the system says: {exc.strerror or exc})"
        else:
            reason = f"{where}: {exc.strerror or exc}"
    return UsageError(f"--out {out}: cannot write there: {reason}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    restore_signals = interrupts.install()
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return code
    except OpsError as exc:
        print(f"opsanalytics {args.command}: error: {visible(str(exc))}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)
    except BrokenPipeError:
        _drop_stdout()
        return BROKEN_PIPE
    except BaseException as exc:
        from opsanalytics import warehouse  # late: `--help` need not load DuckDB

        if isinstance(exc, KeyboardInterrupt) and exc.args:
            # a command that knows better says what was kept (warehouse.InterruptedAfterCommit)
            print(f"opsanalytics {args.command}: {exc}", file=sys.stderr)
        elif isinstance(exc, KeyboardInterrupt) or warehouse.is_interrupt(exc):
            by = " (SIGTERM)" if interrupts.received() == signal.SIGTERM else ""
            print(f"opsanalytics {args.command}: interrupted{by}; nothing half-written was kept", file=sys.stderr)
            # the tasks the interruption cut short (a report's kernel client: `Task exception
            # was never retrieved ... DeadKernelError`) are not to be logged on the way out
            logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        else:
            raise
        # 130 for Ctrl-C, 143 for a scheduler's SIGTERM: 128 + the signal, as a shell says it
        return 128 + signal.SIGTERM if interrupts.received() == signal.SIGTERM else INTERRUPTED
    finally:
        restore_signals()


def _drop_stdout() -> None:
    """Point stdout at /dev/null: the reader is gone, and the interpreter's flush of what
    is still buffered at exit would fail again (and print a traceback of its own)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # not a real file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
