"""`opsanalytics report`: papermill runs, failure isolation, offline HTML, the index."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from eventrows import CONTRACT_TOML, Log, contract
from opsanalytics import facts, warehouse
from opsanalytics.audits import run_all
from opsanalytics.audits.result import Filters
from opsanalytics.cli import main as cli
from opsanalytics.errors import UsageError
from opsanalytics.report import runner
from opsanalytics.report.render import render_html

FROM, TO = dt.date(2026, 11, 25), dt.date(2026, 11, 30)

GOOD = '''import sys
print(sys.executable)
from opsanalytics.report import charts
from opsanalytics.report.notebook import open_report
report = open_report(db, config, date_from, date_to, short_code, brand, pseudonymise)
report.header("R2")
report.show(charts.send_heatmap(report.insight("send_heatmap"), ("08:00", "22:00"), "Sends"))
report.table(report.audit("R2").rows, "R2 rows")'''


def _notebook(path: Path, title: str, code: str) -> None:
    nb = new_notebook()
    params = new_code_cell('db = ""\nconfig = ""\ndate_from = None\ndate_to = None\nshort_code = None\n'
                           'brand = None\npseudonymise = True')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell(f"# {title}"), params, new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A kernelspec named explicitly that runs this interpreter."""
    return runner.this_interpreter_kernel(tmp_path_factory.mktemp("jupyter"))


@pytest.fixture(scope="module")
def warehouse_files(tmp_path_factory):
    """A small warehouse: marketing on a Wednesday and on a Sunday (R2 breaches)."""
    root = tmp_path_factory.mktemp("wh")
    log = Log()
    for i in range(3):
        log.line(i * 3600, "Sent SMS", fid=f"A{i}", text="Promo STOP au 36180", receiver=f"3361234567{i}")
    log.line(4 * 86400, "Sent SMS", fid="S", text="Dimanche STOP au 36180", receiver="33612345679")
    db = root / "wh.duckdb"
    con = warehouse.connect(db, create=True)
    log.write(con)
    facts.build(con, contract())
    con.close()
    config = root / "contract.toml"
    config.write_text(CONTRACT_TOML, encoding="utf-8")
    return db, config


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebooks")
    _notebook(folder / "00-good.ipynb", "A good page", GOOD)
    _notebook(folder / "10-bad.ipynb", "A failing page", 'raise ValueError("boom on purpose")')
    return folder


@pytest.fixture(scope="module")
def report(warehouse_files, notebooks, kernel, tmp_path_factory):
    db, config = warehouse_files
    out = tmp_path_factory.mktemp("out") / "period"
    return runner.run_report(str(db), str(config), FROM, TO, out, kernel=kernel, notebooks=notebooks,
                             progress=False)


def test_notebooks_run_in_the_named_kernel_on_this_interpreter(report, kernel):
    import sys

    assert report.kernel == kernel
    executed = nbformat.read(report.out_dir / "notebooks" / "00-good.ipynb", as_version=4)
    printed = next(o.text for c in executed.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "stream")
    assert printed.strip() == sys.executable


def test_a_failing_notebook_does_not_stop_the_others(report):
    assert not report.ok
    status = {n.name: n.status for n in report.notebooks}
    assert status == {"00-good": "ok", "10-bad": "failed"}
    bad = report.failed[0]
    assert bad.error == "ValueError: boom on purpose"
    assert (report.out_dir / "00-good.html").exists()
    assert (report.out_dir / "10-bad.html").exists()  # the partial page shows the error
    for name in ("00-good", "10-bad"):  # executed copies kept
        executed = nbformat.read(report.out_dir / "notebooks" / f"{name}.ipynb", as_version=4)
        assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)


def test_index_says_which_failed_and_why(report):
    index = (report.out_dir / "index.html").read_text(encoding="utf-8")
    failures = index[index.index("id='failures'"):index.index("</ul>")]
    assert "10-bad" in failures and "ValueError: boom on purpose" in failures
    assert "00-good" not in failures
    assert "href='00-good.html'" in index


def test_page_is_offline_without_code_and_loads_plotly_once(report):
    page = (report.out_dir / "00-good.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=['\"]https?:", page), "a script would be fetched from the network"
    assert "cdnjs" not in page and "mathjax" not in page.lower()
    assert page.count('src="plotly.min.js"') == 1
    assert "plotly-graph-div" in page and "Plotly.newPlot" in page
    assert "open_report(" not in page  # code cells are not shown
    assert (report.out_dir / "plotly.min.js").stat().st_size > 1_000_000


def test_numbers_are_pseudonymised_in_pages(report):
    page = (report.out_dir / "00-good.html").read_text(encoding="utf-8")
    assert "+33612345679" not in page and "+336…#" in page


def test_summary_json_has_the_audit_counts(report, warehouse_files):
    db, _ = warehouse_files
    summary = json.loads((report.out_dir / "summary.json").read_text(encoding="utf-8"))
    con = warehouse.connect(db, read_only=True)
    expected = {r.rule: r.violations for r in run_all(con, contract(), Filters(FROM, TO))}
    con.close()
    assert {r["rule"]: r["violations"] for r in summary["rules"]} == expected
    assert expected["R2"] == 1


def test_embedded_plotly_page_is_a_single_file(report, tmp_path):
    page = render_html(report.out_dir / "notebooks" / "00-good.ipynb", tmp_path / "single.html",
                       period="p", embed_plotly=True)
    text = page.read_text(encoding="utf-8")
    assert 'src="plotly.min.js"' not in text and not (tmp_path / "plotly.min.js").exists()
    assert text.count("plotly.js v") >= 1 and len(text) > 4_000_000


def test_cli_exits_non_zero_when_a_notebook_fails(warehouse_files, notebooks, kernel, tmp_path, capsys):
    db, config = warehouse_files
    code = cli(["report", "--db", str(db), "--config", str(config), "--from", "2026-11-25", "--to", "2026-11-30",
                "--only", "10", "--notebooks", str(notebooks), "--kernel", kernel, "--out", str(tmp_path / "r")])
    assert code == 1
    captured = capsys.readouterr()
    assert "FAILED 10-bad: ValueError: boom on purpose" in captured.err
    assert str((tmp_path / "r" / "index.html").resolve()) in captured.out
    assert not (tmp_path / "r" / "00-good.html").exists()  # --only ran just the one


def test_cli_usage_errors(warehouse_files, notebooks, tmp_path, capsys):
    db, config = warehouse_files
    base = ["report", "--db", str(db), "--config", str(config), "--notebooks", str(notebooks), "--out", str(tmp_path)]
    assert cli(base + ["--from", "2026-11-30", "--to", "2026-11-01"]) == 2
    assert "after --to" in capsys.readouterr().err
    assert cli(base + ["--from", "2026-11-01", "--to", "2026-11-30", "--only", "nope"]) == 2
    assert "no such notebook" in capsys.readouterr().err
    assert cli(["report", "--db", str(tmp_path / "missing.duckdb"), "--config", str(config),
                "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path)]) == 2
    assert "no such database" in capsys.readouterr().err
    empty = tmp_path / "empty.duckdb"
    warehouse.connect(empty, create=True).close()
    assert cli(["report", "--db", str(empty), "--config", str(config), "--from", "2026-11-01", "--to", "2026-11-30",
                "--out", str(tmp_path / "e")]) == 2
    assert "facts are not built" in capsys.readouterr().err
    assert not (tmp_path / "e").exists()  # nothing half-written


def test_select_notebooks_by_name_number_or_slug():
    paths = [Path(f"{n}.ipynb") for n in ("00-executive-summary", "10-frequency-caps", "20-send-windows")]
    chosen = runner.select_notebooks(paths, ["20", "frequency-caps", "00-executive-summary"])
    assert [p.stem for p in chosen] == ["00-executive-summary", "10-frequency-caps", "20-send-windows"]
    with pytest.raises(UsageError, match="choose among"):
        runner.select_notebooks(paths, ["99"])


def test_kernel_resolution(kernel):
    assert runner.resolve_kernel(kernel) == kernel
    assert runner.resolve_kernel(None) in ("opsanalytics", "python3")
    with pytest.raises(UsageError, match="no such Jupyter kernel"):
        runner.resolve_kernel("no-such-kernel")


def test_shipped_notebooks_are_committed_without_outputs_and_parameterised():
    names = [p.stem for p in runner.available_notebooks()]
    assert names[:2] == ["00-executive-summary", "01-data-quality"] and len(names) >= 7
    for path in runner.available_notebooks():
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), f"{path.name} has outputs"
        params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1, path.name
        for name in ("db", "config", "date_from", "date_to", "short_code", "brand", "pseudonymise"):
            assert re.search(rf"^{name} = ", params[0].source, re.M), f"{path.name}: no parameter {name}"


def test_parallel_jobs_give_the_same_outcome_and_numbers_in_clear_when_asked(warehouse_files, notebooks,
                                                                             kernel, tmp_path):
    db, config = warehouse_files
    parallel = runner.run_report(str(db), str(config), FROM, TO, tmp_path / "p", kernel=kernel,
                                 notebooks=notebooks, progress=False, jobs=2, pseudonymise=False)
    assert [(n.name, n.status, n.error) for n in parallel.notebooks] == [
        ("00-good", "ok", None), ("10-bad", "failed", "ValueError: boom on purpose")]
    assert (tmp_path / "p" / "index.html").exists()
    page = (tmp_path / "p" / "00-good.html").read_text(encoding="utf-8")
    assert "+33612345679" in page and "+336…#" not in page
    assert "numbers shown in clear" in page


def test_parallel_jobs_start_the_pages_the_last_report_found_slowest_first(tmp_path):
    sources = [Path(f"/nb/{name}.ipynb") for name in ("00-summary", "10-caps", "35-content", "90-sla", "95-new")]
    # no earlier report: name order
    assert runner.longest_first(sources, tmp_path) == sources
    (tmp_path / "run.json").write_text(json.dumps({"notebooks": [
        {"name": "00-summary", "seconds": 2.5}, {"name": "10-caps", "seconds": 4.0},
        {"name": "35-content", "seconds": 31.2}, {"name": "90-sla", "seconds": 4.0}]}), encoding="utf-8")
    # a page never timed may be slow: it starts first; equals keep their name order
    assert [s.stem for s in runner.longest_first(sources, tmp_path)] == [
        "95-new", "35-content", "10-caps", "90-sla", "00-summary"]
    (tmp_path / "run.json").write_text('{"notebooks": [{"name": "10-caps", "seconds": "slow"}]', encoding="utf-8")
    assert runner.longest_first(sources, tmp_path) == sources  # a damaged run.json: name order


WRITER = '''from opsanalytics import warehouse
from opsanalytics.errors import WarehouseBusy
try:
    warehouse.connect(db).close()
except WarehouseBusy:
    print("the warehouse is held: a writer waits")
else:
    raise RuntimeError("a writer got in while the report ran")'''


def test_no_writer_gets_in_while_a_report_runs(warehouse_files, kernel, tmp_path):
    """A probe: an hourly ingest got in between two pages (each kernel opens the file for
    itself, seconds apart) and the report published an index of before it over pages of
    after it. The report holds the warehouse read-only from its first check to its last move:
    a writer, here a page opening it to write, is told it is busy."""
    db, config = warehouse_files
    folder = tmp_path / "nb"
    folder.mkdir()
    _notebook(folder / "00-writer.ipynb", "A writer between pages", WRITER)
    _notebook(folder / "10-good.ipynb", "A good page", GOOD)
    done = runner.run_report(str(db), str(config), FROM, TO, tmp_path / "out", kernel=kernel, notebooks=folder,
                             progress=False)
    assert [(n.name, n.status, n.error) for n in done.notebooks] == [("00-writer", "ok", None),
                                                                     ("10-good", "ok", None)]
    # and once the report is done, the writer gets in
    warehouse.connect(db).close()


def test_a_killed_reports_work_folder_is_removed_by_the_next_run(tmp_path):
    """A probe: a report killed with SIGKILL left its hidden `.out.partial-*` folder beside
    the report, and every later run left it there. A work folder names its process; the next
    run removes those whose process is gone, never one still running."""
    import os

    out = tmp_path / "out"
    dead = tmp_path / ".out.partial-999999999-abc"      # (beyond any pid_max: no such process)
    alive = tmp_path / f".out.partial-{os.getpid()}-def"
    other = tmp_path / ".other.partial-999999999-ghi"    # another report's
    for folder in (dead, alive, other):
        (folder / "notebooks").mkdir(parents=True)
    work = runner._work_folder(out)
    assert work.name.startswith(f".out.partial-{os.getpid()}-")
    assert not dead.exists() and alive.exists() and other.exists() and work.exists()


def _old_report(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True)
    files = {"index.html": "old index", "00-good.html": "old page", "summary.json": "{}",
             "notebooks/00-good.ipynb": "old notebook", "ops.duckdb": "not a report file"}
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return files


def test_an_interrupted_report_leaves_the_folder_as_it_was(warehouse_files, notebooks, kernel, tmp_path,
                                                           monkeypatch):
    """Ctrl-C half-way (one page written, no index yet): the earlier report is untouched and
    nothing half-written is left beside it."""
    db, config = warehouse_files
    out = tmp_path / "reports" / "2026-11"
    before = _old_report(out)
    real = runner.run_notebook

    def interrupted(source, out_dir, *args, **kwargs):
        if source.stem == "10-bad":
            raise KeyboardInterrupt
        return real(source, out_dir, *args, **kwargs)

    monkeypatch.setattr(runner, "run_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        runner.run_report(str(db), str(config), FROM, TO, out, kernel=kernel, notebooks=notebooks, progress=False)
    after = {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["2026-11"]


def test_a_report_run_again_replaces_its_pages_and_keeps_other_files(warehouse_files, notebooks, kernel, tmp_path):
    db, config = warehouse_files
    out = tmp_path / "r"
    _old_report(out)
    report = runner.run_report(str(db), str(config), FROM, TO, out, kernel=kernel, notebooks=notebooks,
                               progress=False, only=["00"])
    assert report.out_dir == out.absolute()
    assert "Compliance report" in (out / "index.html").read_text(encoding="utf-8")
    assert "old page" not in (out / "00-good.html").read_text(encoding="utf-8")
    assert nbformat.read(out / "notebooks" / "00-good.ipynb", as_version=4).cells
    assert (out / "ops.duckdb").read_text(encoding="utf-8") == "not a report file"
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["rules"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no partial folder left


def test_a_new_report_folder_is_readable_like_any_other(warehouse_files, notebooks, kernel, tmp_path):
    import os
    import stat

    db, config = warehouse_files
    umask = os.umask(0o022)
    try:
        runner.run_report(str(db), str(config), FROM, TO, tmp_path / "new", kernel=kernel, notebooks=notebooks,
                          progress=False, only=["00"])
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o755


def test_ctrl_c_while_a_report_moves_into_place_waits_for_the_move(tmp_path, monkeypatch):
    import os
    import signal

    # Python's own handler, as in a terminal (a run in the background inherits SIGINT ignored)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    moved = []

    def move(work, out_dir):
        os.kill(os.getpid(), signal.SIGINT)
        moved.append(out_dir)

    monkeypatch.setattr(runner, "_move", move)
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.publish(tmp_path / "work", tmp_path / "out")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert moved == [tmp_path / "out"]


def test_a_finished_kernel_is_shut_down_without_a_ctrl_c(kernel, tmp_path):
    """jupyter_client sends SIGINT to a kernel's process group before every shutdown; landing
    inside a request it printed `KeyboardInterrupt caught in kernel.` on successful runs. A
    process the notebook leaves in the kernel's group records any SIGINT it gets."""
    import os
    import signal
    import time

    caught, pid_file = tmp_path / "sigint", tmp_path / "pid"
    listener = (f"import os, signal, time, pathlib; "
                f"signal.signal(signal.SIGINT, lambda *a: pathlib.Path({str(caught)!r}).write_text('SIGINT')); "
                f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid())); time.sleep(20)")
    source = tmp_path / "00-listen.ipynb"
    _notebook(source, "Listens", "import subprocess, sys, time, pathlib\n"
                                 f"subprocess.Popen([sys.executable, '-c', {listener!r}])\n"
                                 f"while not pathlib.Path({str(pid_file)!r}).exists(): time.sleep(0.05)")
    run = runner.run_notebook(source, tmp_path / "out", {}, kernel, period="p")
    try:
        assert run.status == "ok", run.error
        time.sleep(0.5)
        assert not caught.exists()
    finally:
        os.kill(int(pid_file.read_text()), signal.SIGKILL)


def test_a_report_folder_whose_parent_is_read_only_is_still_written(warehouse_files, notebooks, kernel, tmp_path,
                                                                     monkeypatch):
    """`--out .` in one's home: the work folder cannot sit beside it, so it sits inside."""
    import tempfile

    db, config = warehouse_files
    out = tmp_path / "locked" / "report"
    out.mkdir(parents=True)
    real = tempfile.mkdtemp

    def mkdtemp(prefix="", dir=None):
        if Path(dir) == out.parent:
            raise PermissionError(13, "Permission denied", str(dir))
        return real(prefix=prefix, dir=dir)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    runner.run_report(str(db), str(config), FROM, TO, out, kernel=kernel, notebooks=notebooks,
                      progress=False, only=["00"])
    assert (out / "index.html").exists() and (out / "00-good.html").exists()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    assert sorted(p.name for p in out.parent.iterdir()) == ["report"]


def test_a_filter_nothing_can_match_is_said_on_stderr_and_on_the_index(warehouse_files, notebooks, kernel,
                                                                       tmp_path, capsys):
    """`report --short-code 99999` (or a brand written as its service, `acme` for `Acme`)
    rendered every page as a quiet period, exit 0, without a word: `audit` warned, `report`
    did not. The report still runs (its pages are right for what was asked)."""
    db, config = warehouse_files
    code = cli(["report", "--db", str(db), "--config", str(config), "--from", "2026-11-25", "--to", "2026-11-30",
                "--short-code", "99999", "--brand", "acme", "--only", "00", "--notebooks", str(notebooks),
                "--kernel", kernel, "--out", str(tmp_path / "r")])
    assert code == 0
    warnings = [f"--short-code '99999' is not a short code of {config} and no accepted MT or MO of the warehouse "
                "has it: no message can match it",
                f"--brand 'acme' is not a brand of {config}'s [[services]] and no accepted MT of the warehouse "
                "has it: no message can match it (did you mean 'Acme'? brands match as written, case included)"]
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "warning" in line] == [
        f"opsanalytics report: warning: {warning}" for warning in warnings]
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    block = re.search(r"<div class='ops-warnings' id='warnings'>(.*?)</div>", index, re.S)
    assert block and re.findall(r"<li>(.*?)</li>", block[1]) == [html.escape(w) for w in warnings]
    # a filter that matches: nothing said
    code = cli(["report", "--db", str(db), "--config", str(config), "--from", "2026-11-25", "--to", "2026-11-30",
                "--short-code", "36180", "--brand", "Acme", "--only", "00", "--notebooks", str(notebooks),
                "--kernel", kernel, "--out", str(tmp_path / "s")])
    assert code == 0 and "warning" not in capsys.readouterr().err
    index = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert "id='warnings'" not in index
    # the browser titles and bars name the filters beside the period (found by a probe: only
    # a small line inside each page did)
    scope = "25 Nov 2026 to 30 Nov 2026; short code 36180; brand Acme"
    assert f"<title>opsanalytics report {scope}</title>" in index
    [page] = (tmp_path / "s").glob("00-*.html")
    titled = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S)[1]
    assert titled.endswith(f", {scope}") and f"<span class=\"ops-nav-period\">{scope}</span>" in page.read_text(
        encoding="utf-8")


def test_a_report_run_again_with_fewer_notebooks_takes_away_the_pages_it_no_longer_makes(tmp_path):
    """A report run again into its folder with fewer notebooks (`--only`) left the other
    pages, of another period, beside the new ones: a reader browsing the folder opened them.
    The pages the last run listed in run.json and this one did not make go; a file the report
    did not make stays, and a run.json naming a path outside the folder is not followed."""
    out, work = tmp_path / "out", tmp_path / "work"
    for folder, names in ((out, ("10-a", "20-b")), (work, ("10-a",))):
        (folder / "executed").mkdir(parents=True)
        for name in names:
            (folder / f"{name}.html").write_text(f"{folder.name} page", encoding="utf-8")
            (folder / "executed" / f"{name}.ipynb").write_text("{}", encoding="utf-8")
        (folder / "run.json").write_text(json.dumps({"notebooks": [
            {"name": n, "html": f"{n}.html", "executed": f"executed/{n}.ipynb"} for n in names]
            + [{"name": "x", "html": "../outside.txt"}]}), encoding="utf-8")
    (tmp_path / "outside.txt").write_text("not ours", encoding="utf-8")
    (out / "notes.txt").write_text("an analyst's", encoding="utf-8")
    runner.publish(work, out)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "10-a.html", "executed/10-a.ipynb", "notes.txt", "run.json"]
    assert (out / "10-a.html").read_text(encoding="utf-8") == "work page"
    assert (tmp_path / "outside.txt").exists() and not work.exists()


def test_sigterm_during_a_notebook_says_one_line(warehouse_files, kernel, tmp_path):
    """A scheduler's SIGTERM while a notebook ran: the report stopped cleanly (143, nothing
    half-written), but the kernel, its sockets closed inside a request, printed a 20-line
    `ZMQError: Socket operation on non-socket` traceback into the scheduler's log first.
    The shipped pages, stopped while the second one runs."""
    import signal
    import subprocess
    import sys
    import time

    db, config = warehouse_files
    proc = subprocess.Popen(
        [sys.executable, "-m", "opsanalytics", "report", "--db", str(db), "--config", str(config),
         "--from", "2026-11-25", "--to", "2026-11-30", "--kernel", kernel,
         "--out", str(tmp_path / "r")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:                                    # (JUPYTER_PATH: `kernel`'s, inherited)
        deadline = time.monotonic() + 120   # page 00 written in the hidden folder: 01 is running
        while not list(tmp_path.glob(".r.partial-*/notebooks/00-*.ipynb")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "ZMQError" not in err, err
    assert err.strip().splitlines()[-1] == "opsanalytics report: interrupted (SIGTERM); nothing half-written was kept"
    assert not (tmp_path / "r").exists()


def test_the_kernels_own_output_goes_to_the_failed_notebooks_error_not_the_terminal(kernel, tmp_path, capfd):
    """What a kernel writes to its stderr (its log: a SIGTERM's socket traceback, a start-up
    error) reached the scheduler's log; it is kept aside, and told only with the error of a
    notebook that failed, which it may explain."""
    quiet, loud = tmp_path / "00-quiet.ipynb", tmp_path / "10-loud.ipynb"
    _notebook(quiet, "Quiet", "import os\nos.write(2, b'kernel chatter\\n')")
    _notebook(loud, "Loud", "import os\nos.write(2, b'kernel says why\\n')\nraise ValueError('boom')")
    ok = runner.run_notebook(quiet, tmp_path / "out", {}, kernel, period="p")
    failed = runner.run_notebook(loud, tmp_path / "out", {}, kernel, period="p")
    assert ok.status == "ok" and failed.status == "failed"
    assert failed.error.startswith("ValueError: boom\n\nthe kernel's log (last 40 lines at most):\n")
    assert "kernel says why" in failed.error and "kernel chatter" not in failed.error
    err = capfd.readouterr().err
    assert "kernel chatter" not in err and "kernel says why" not in err
    assert not list(tmp_path.glob("out/notebooks/*.log"))
