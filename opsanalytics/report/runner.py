"""Run the report notebooks with papermill (one at a time, or `jobs` in parallel processes),
each failure isolated.

Every notebook gets the same parameters, its executed copy is kept under `notebooks/` of the
report folder (what ran, with outputs: the audit trail), and its HTML page is rendered even
when it failed half-way (the page then shows the error). The index is written last, from
the executive summary computed here with the same audit functions the notebooks call.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from tqdm import tqdm

from opsanalytics.errors import UsageError
from opsanalytics.interrupts import sigint_held
from opsanalytics.paths import notebooks_dir

#: the kernelspec `make` installs into the virtual environment (Makefile)
PROJECT_KERNEL = "opsanalytics"


@dataclass
class NotebookRun:
    """Outcome of one notebook: where its copies are, how long it took, why it failed."""

    name: str
    title: str
    status: str = "pending"          # ok | failed
    seconds: float = 0.0
    executed: str | None = None      # executed .ipynb, relative to the report folder
    html: str | None = None          # rendered page, relative to the report folder
    error: str | None = None         # one line: exception name and message
    cell: int | None = None          # index of the failing cell, when known


@dataclass
class ReportRun:
    """Everything `opsanalytics report` produced, for the index and the exit code."""

    out_dir: Path
    parameters: dict[str, Any]
    notebooks: list[NotebookRun] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    summary_error: str | None = None
    kernel: str = ""
    seconds: float = 0.0
    #: what the run found wrong with its input before any page ran (said on stderr and the index)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.summary_error is None and all(n.status == "ok" for n in self.notebooks)

    @property
    def failed(self) -> list[NotebookRun]:
        return [n for n in self.notebooks if n.status != "ok"]


def available_notebooks(directory: Path | None = None) -> list[Path]:
    """The report notebooks in reading order (their numbered names)."""
    directory = directory or notebooks_dir()
    return sorted(p for p in Path(directory).glob("*.ipynb") if not p.name.startswith("."))


def select_notebooks(paths: list[Path], only: Iterable[str] | None) -> list[Path]:
    """`--only` entries: a full name (`20-send-windows`), its number (`20`) or its slug
    (`send-windows`). An unknown one is an error that lists the names."""
    if not only:
        return paths
    chosen: list[Path] = []
    for wanted in only:
        wanted = wanted.strip().removesuffix(".ipynb")
        if not wanted:
            continue
        matches = [p for p in paths if wanted in (p.stem, p.stem.split("-", 1)[0],
                                                   p.stem.split("-", 1)[-1])]
        if not matches:
            names = ", ".join(p.stem for p in paths)
            raise UsageError(f"--only {wanted!r}: no such notebook (choose among {names})")
        chosen.extend(m for m in matches if m not in chosen)
    return sorted(chosen)


def resolve_kernel(requested: str | None = None) -> str:
    """The kernel to run notebooks in: the one asked for, else the project's kernelspec
    (`make` installs it in .venv) when it exists, else `python3`, which jupyter_client runs
    with this very interpreter when ipykernel is installed in it."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    if requested:
        try:
            manager.get_kernel_spec(requested)
        except NoSuchKernel:
            known = ", ".join(sorted(manager.find_kernel_specs())) or "none"
            raise UsageError(f"--kernel {requested!r}: no such Jupyter kernel (installed: {known})") from None
        return requested
    if PROJECT_KERNEL in manager.find_kernel_specs():
        return PROJECT_KERNEL
    return "python3"


def this_interpreter_kernel(directory: Path, name: str = "opsanalytics-here") -> str:
    """Register a kernelspec that runs this very Python (sys.executable) in `directory` and
    put it first on JUPYTER_PATH; returns its name. For tests and CI: a user-level `python3`
    kernelspec pointing at another interpreter can then never be picked by mistake."""
    import os
    import sys

    spec_dir = Path(directory) / "kernels" / name
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"opsanalytics ({sys.executable})",
        "language": "python",
    }), encoding="utf-8")
    paths = [str(directory)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return name


@lru_cache(maxsize=1)
def quiet_kernel_manager() -> type:
    """The kernel manager papermill runs notebooks with: jupyter_client's, except that it
    does not interrupt (SIGINT) a kernel it shuts down. jupyter_client 8 does so before
    every shutdown; when the signal lands while the kernel is still inside a request,
    ipykernel prints `[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.` on a run
    that succeeded. A notebook papermill is done with has nothing to interrupt, and one that
    timed out is still stopped (shutdown request, then SIGTERM, then SIGKILL)."""
    from jupyter_client import AsyncKernelManager

    class QuietShutdownKernelManager(AsyncKernelManager):
        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return QuietShutdownKernelManager


#: a failed notebook's error ends with at most this many last lines of its kernel's log
KERNEL_LOG_LINES = 40


def logged_kernel_manager(log: Path) -> type:
    """quiet_kernel_manager's class, the kernel's stderr written to `log` instead of the
    terminal: a kernel prints there what the reader of a report cannot act on (a report
    stopped by SIGTERM closes the kernel's sockets inside a request: a 20-line `ZMQError:
    Socket operation on non-socket` traceback before 'interrupted ... nothing half-written
    was kept'), and what explains a notebook that failed (its start-up error, a message
    handler's exception), which run_notebook adds to that notebook's error."""
    base = quiet_kernel_manager()

    class LoggedKernelManager(base):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            with open(log, "ab") as handle:   # (the kernel keeps a descriptor of its own)
                await super()._async_launch_kernel(kernel_cmd, **{**kw, "stderr": handle})

    return LoggedKernelManager


def _temporary_file(prefix: str) -> Path:
    import os
    import tempfile

    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".log")
    os.close(handle)
    return Path(name)


def _title(path: Path) -> str:
    import nbformat

    from opsanalytics.report.render import notebook_title

    return notebook_title(nbformat.read(path, as_version=4), path.stem)


def _error_line(exc: BaseException) -> tuple[str, int | None]:
    """`ename: evalue` of a papermill failure (the notebook's own exception), else the
    exception itself."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}", exc.exec_count
    return f"{type(exc).__name__}: {exc}", None


def run_notebook(source: Path, out_dir: Path, parameters: dict[str, Any], kernel: str, *,
                 period: str, embed_plotly: bool = False, timeout: int = 900) -> NotebookRun:
    """Execute one notebook and render its page; never raises for a notebook's own failure."""
    import papermill

    from opsanalytics.report.render import render_html

    run = NotebookRun(name=source.stem, title=_title(source))
    executed = out_dir / "notebooks" / source.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    kernel_log = _temporary_file(f"opsanalytics-kernel-{source.stem}-")
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=parameters, kernel_name=kernel,
            progress_bar=False, log_output=False, cwd=str(out_dir),
            execution_timeout=timeout, report_mode=False,
            # the kernel's start-up chatter (e.g. the TCP transport warning) is not the
            # reader's business; its errors go to its log (kernel_log), not the terminal
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            kernel_manager_class=logged_kernel_manager(kernel_log),
        )
        run.status = "ok"
    except Exception as exc:  # a notebook's failure must not stop the others
        run.status = "failed"
        run.error, run.cell = _error_line(exc)
    finally:
        said = kernel_log.read_text(encoding="utf-8", errors="replace").strip()
        kernel_log.unlink(missing_ok=True)
    if run.status == "failed" and said:
        tail = "\n".join(said.splitlines()[-KERNEL_LOG_LINES:])
        run.error += f"\n\nthe kernel's log (last {KERNEL_LOG_LINES} lines at most):\n{tail}"
    run.executed = str(executed.relative_to(out_dir)) if executed.exists() else None
    if executed.exists():
        try:
            html = render_html(executed, out_dir / f"{source.stem}.html", period=period,
                               embed_plotly=embed_plotly)
            run.html = html.name
        except Exception as exc:
            run.status = "failed"
            run.error = (run.error + "; " if run.error else "") + f"rendering failed: {type(exc).__name__}: {exc}"
    run.seconds = round(time.perf_counter() - started, 2)
    return run


def run_report(db: str, config: str, date_from: dt.date, date_to: dt.date, out_dir: Path, *,
               only: Iterable[str] | None = None, short_code: str | None = None,
               brand: str | None = None, pseudonymise: bool = True, kernel: str | None = None,
               notebooks: Path | None = None, embed_plotly: bool = False,
               progress: bool = True, jobs: int = 1) -> ReportRun:
    """Run the selected notebooks into `out_dir`, then write summary.json and index.html;
    all of it appears in `out_dir` only once complete (see publish)."""
    from opsanalytics import warehouse
    from opsanalytics.config import load_contract

    contract = load_contract(config)  # a bad contract or database fails here, before any kernel
    # Held open (read-only) until the report is in place: its shared lock keeps any writer
    # out for the whole run, so every page and the index read one state of the warehouse. A
    # probe: an hourly ingest got in between two pages (each kernel opens the file itself),
    # and the report published an index of before it over pages of after it, with one page
    # failed for the busy file. A writer now waits (ingest exits 75 and retries).
    con = warehouse.connect(db, read_only=True)
    try:
        return _run_report_holding(con, db, config, contract, date_from, date_to, out_dir, only=only,
                                   short_code=short_code, brand=brand, pseudonymise=pseudonymise, kernel=kernel,
                                   notebooks=notebooks, embed_plotly=embed_plotly, progress=progress, jobs=jobs)
    finally:
        con.close()


def _run_report_holding(con, db: str, config: str, contract, date_from: dt.date, date_to: dt.date, out_dir: Path,
                        *, only, short_code, brand, pseudonymise, kernel, notebooks, embed_plotly, progress,
                        jobs) -> ReportRun:
    """run_report, with `con` open on the warehouse for the whole run."""
    from opsanalytics.audits import Filters, check_facts
    from opsanalytics.audits.scope import unmatched_filters
    from opsanalytics.report.notebook import period_label, scope_label
    from opsanalytics.report.pseudonymise import ensure_salt

    warning = check_facts(con, contract)  # facts missing: a clear error now, not 8 failed pages
    # a filter nothing can match reads, page after page, as a quiet period
    warnings = ([warning] if warning else []) + unmatched_filters(
        con, contract, Filters(short_code=short_code, brand=brand), config)
    if progress:
        for warning in warnings:
            print(f"opsanalytics report: warning: {warning}", file=sys.stderr)
    sources = select_notebooks(available_notebooks(notebooks), only)
    if not sources:
        raise UsageError(f"no notebooks found in {notebooks or notebooks_dir()}")
    kernel_name = resolve_kernel(kernel)
    if pseudonymise:
        ensure_salt(contract)  # kernels inherit the environment: one salt for the whole run
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: not a folder")
    parameters = {
        "db": str(Path(db).resolve()),
        "config": str(Path(config).resolve()),
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "short_code": short_code,
        "brand": brand,
        "pseudonymise": pseudonymise,
    }
    # the pages' own words for the period, with the filters: each page's title and bar say it
    period = scope_label(period_label(date_from, date_to), short_code, brand)
    # everything is written into a hidden sibling and moved into place once complete: a
    # Ctrl-C or a crash leaves `out_dir` as it was (an earlier report stays whole)
    out_dir = out_dir.absolute()  # `--out .` has a name and a parent too
    work = _work_folder(out_dir)
    umask = os.umask(0)
    os.umask(umask)
    work.chmod(0o777 & ~umask)  # mkdtemp's 0700 would follow the folder into place
    report = ReportRun(out_dir=work, parameters=parameters, kernel=kernel_name, warnings=warnings)
    try:
        _write_report(report, con, contract, date_from, date_to, short_code, brand, sources, period,
                      embed_plotly, jobs, progress, order=longest_first(sources, out_dir))
        publish(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    report.out_dir = out_dir
    return report


def _work_folder(out_dir: Path) -> Path:
    """A hidden folder beside `out_dir` (same file system: moves are renames); inside it
    when `out_dir` exists but its parent is not writable (e.g. `--out .` in one's home).
    Named after this process, so that a later run removes it if this one is killed before
    it can (SIGKILL, a power cut): `_remove_abandoned`."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(out_dir)
    try:
        return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-{os.getpid()}-", dir=out_dir.parent))
    except PermissionError:
        if not out_dir.is_dir():
            raise
        return Path(tempfile.mkdtemp(prefix=f".partial-{os.getpid()}-", dir=out_dir))


def _remove_abandoned(out_dir: Path) -> None:
    """The work folders of earlier runs into `out_dir` whose process is gone: a killed run
    leaves its half-made report, hidden, beside the real one, run after run (a probe)."""
    for parent, prefix in ((out_dir.parent, f".{out_dir.name}.partial-"), (out_dir, ".partial-")):
        try:
            folders = [p for p in parent.iterdir() if p.is_dir() and p.name.startswith(prefix)]
        except OSError:
            continue
        for folder in folders:
            pid = folder.name[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether a process `pid` exists (one of another user's counts: it may be a run)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        pass
    return True


def _write_report(report: ReportRun, con, contract, date_from, date_to, short_code, brand,
                  sources: list[Path], period: str, embed_plotly: bool, jobs: int, progress: bool,
                  order: list[Path] | None = None) -> None:
    """summary.json, every page, index.html and run.json, into report.out_dir (pages started
    in `order`)."""
    from opsanalytics.report.index import write_index

    out_dir = report.out_dir
    started = time.perf_counter()
    report.summary, report.summary_error = _summary(con, contract, date_from, date_to, short_code, brand)
    (out_dir / "summary.json").write_text(json.dumps(
        report.summary or {"error": report.summary_error}, indent=2, default=str), encoding="utf-8")

    report.notebooks = _execute_all(sources, out_dir, report.parameters, report.kernel, period, embed_plotly,
                                    jobs, progress, order=order)
    report.seconds = round(time.perf_counter() - started, 2)
    write_index(report, period=period)
    (out_dir / "run.json").write_text(json.dumps({
        "parameters": report.parameters, "kernel": report.kernel, "seconds": report.seconds,
        "notebooks": [asdict(n) for n in report.notebooks],
        "summary_error": report.summary_error,
    }, indent=2), encoding="utf-8")


def publish(work: Path, out_dir: Path) -> None:
    """Move a finished report from `work` into `out_dir`. A new folder is one rename; into
    an existing one (a report run again) each file replaces its namesake, other files
    stay, and index.html goes first and comes back last, so no index ever lists a mix of
    old and new pages. Ctrl-C waits for the move to finish."""
    with sigint_held() as held:
        _move(work, out_dir)
    if held:
        raise KeyboardInterrupt


def _move(work: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        work.rename(out_dir)
        return
    earlier = _pages_of_last_run(out_dir)
    (out_dir / "index.html").unlink(missing_ok=True)
    files = sorted((p for p in work.rglob("*") if not p.is_dir()),
                   key=lambda p: (p.relative_to(work) == Path("index.html"), str(p)))
    written = set()
    for path in files:
        target = out_dir / path.relative_to(work)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        written.add(target)
    for stale in earlier - written:   # a page of the last run this one did not make
        stale.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)


def _pages_of_last_run(out_dir: Path) -> set[Path]:
    """The pages (rendered and executed notebooks) the report last published in `out_dir`
    listed in its run.json. A report run again with fewer notebooks left the others' pages
    of another period beside the new ones, for a reader browsing the folder to open; files
    the report did not make (a user's notes) are never touched."""
    try:
        notebooks = json.loads((out_dir / "run.json").read_text(encoding="utf-8")).get("notebooks") or []
    except (OSError, ValueError, AttributeError):
        return set()
    root = out_dir.resolve()
    pages = {out_dir / run[key] for run in notebooks if isinstance(run, dict)
             for key in ("executed", "html") if isinstance(run.get(key), str)}
    return {page for page in pages if page.resolve().is_relative_to(root) and page.resolve() != root}


def longest_first(sources: list[Path], out_dir: Path) -> list[Path]:
    """`sources` in the order parallel jobs should start them: the slowest pages of the last
    report in `out_dir` first (its run.json), pages it did not time before all of them (they
    may be slow), name order between equals. With name order, the slowest page (R11's
    patterns over every text) could start last and run alone while the other jobs idle."""
    try:
        last = json.loads((out_dir / "run.json").read_text(encoding="utf-8")).get("notebooks") or []
        seconds = {run["name"]: float(run["seconds"]) for run in last
                   if isinstance(run, dict) and isinstance(run.get("name"), str)
                   and isinstance(run.get("seconds"), (int, float))}
    except (OSError, ValueError, AttributeError, TypeError):
        seconds = {}
    return sorted(sources, key=lambda s: -seconds.get(s.stem, float("inf")))


def _execute_all(sources: list[Path], out_dir: Path, parameters: dict[str, Any], kernel: str,
                 period: str, embed_plotly: bool, jobs: int, progress: bool,
                 order: list[Path] | None = None) -> list[NotebookRun]:
    """Run every notebook, `jobs` at a time (each in its own kernel; processes, not threads,
    so that every papermill client has its own event loop), started in `order` (default:
    `sources`'). Results keep the reading order of `sources`."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from opsanalytics.report.index import first_line

    # the bar only on a terminal (None); a scheduled run's log gets the lines below, not bar frames
    bar = tqdm(total=len(sources), desc="reports", unit="notebook", disable=None if progress else True, leave=True)
    results: dict[str, NotebookRun] = {}

    def done(result: NotebookRun) -> None:
        results[result.name] = result
        bar.update(1)
        if progress:
            mark = "ok" if result.status == "ok" else f"FAILED ({first_line(result.error)})"
            tqdm.write(f"  {result.name:<32} {result.seconds:6.1f} s  {mark}")

    if jobs <= 1 or len(sources) == 1:
        for source in sources:
            bar.set_postfix_str(source.stem)
            done(run_notebook(source, out_dir, parameters, kernel, period=period, embed_plotly=embed_plotly))
    else:
        import multiprocessing

        # spawn, not fork: the parent has DuckDB (and its threads) loaded
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(sources)), mp_context=context) as pool:
            futures = {pool.submit(run_notebook, source, out_dir, parameters, kernel, period=period,
                                   embed_plotly=embed_plotly): source for source in order or sources}
            for future in as_completed(futures):
                source = futures[future]
                try:
                    done(future.result())
                except Exception as exc:  # the worker itself died: still one failed page, not a crash
                    done(NotebookRun(source.stem, source.stem, status="failed",
                                     error=f"{type(exc).__name__}: {exc}"))
    bar.close()
    return [results[s.stem] for s in sources]


def _summary(con, contract, date_from, date_to, short_code, brand) -> tuple[dict | None, str | None]:
    """The executive summary for the index; its failure is reported, not raised."""
    from opsanalytics.audits.result import Filters
    from opsanalytics.report.summary import executive_summary

    try:
        summary = executive_summary(con, contract, Filters(date_from, date_to, short_code, brand))
        return summary.to_json(), None
    except Exception as exc:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return None, detail
