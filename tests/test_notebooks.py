"""Every report notebook runs top to bottom under papermill, on a fresh kernel named
explicitly, against a small simulated warehouse (simulator -> Kannel logs -> ingest)."""

from __future__ import annotations

import datetime as dt

import nbformat
import pytest

from opsanalytics import warehouse
from opsanalytics.config import load_contract
from opsanalytics.ingest import ingest_files
from opsanalytics.report import runner
from opsanalytics.simulate import DEFAULT_START, simulate

DAYS = 3
NOTEBOOKS = [p.stem for p in runner.available_notebooks()]


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A kernelspec named explicitly that runs this interpreter."""
    return runner.this_interpreter_kernel(tmp_path_factory.mktemp("jupyter"))


@pytest.fixture(scope="module")
def report(tmp_path_factory, kernel):
    root = tmp_path_factory.mktemp("notebooks")
    sim = simulate(root / "sim", days=DAYS, scale=150, seed=3, log_timezone="UTC")
    db = root / "small.duckdb"
    con = warehouse.connect(db, create=True)
    ingest_files(con, load_contract(sim.contract), sim.logs, progress=False)
    con.close()
    return runner.run_report(str(db), str(sim.contract), DEFAULT_START,
                             DEFAULT_START + dt.timedelta(days=DAYS - 1), root / "report",
                             kernel=kernel, progress=False)


def test_every_notebook_is_run():
    assert NOTEBOOKS == ["00-executive-summary", "01-data-quality", "10-frequency-caps", "20-send-windows",
                         "30-stop-compliance", "35-content", "40-ranges-oadc-destinations", "50-throughput", "60-forecasts", "70-invoice", "80-quality", "90-availability"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom(report, kernel, name):
    run = next(n for n in report.notebooks if n.name == name)
    assert run.status == "ok", run.error
    executed = nbformat.read(report.out_dir / "notebooks" / f"{name}.ipynb", as_version=4)
    assert report.kernel == kernel
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "a cell did not run"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
    injected = next(c for c in code if "injected-parameters" in c.metadata.get("tags", []))
    assert f'date_from = "{DEFAULT_START.isoformat()}"' in injected.source
    page = (report.out_dir / f"{name}.html").read_text(encoding="utf-8")
    assert "Traceback" not in page and "open_report(" not in page


def test_rule_pages_show_each_rule_they_detail(report):
    from opsanalytics.report.summary import RULE_PAGES

    for rule, (_, page) in RULE_PAGES.items():
        html = (report.out_dir / f"{page}.html").read_text(encoding="utf-8")
        assert f'<h2 id="{rule}">' in html, f"{page} has no section for {rule}"


def test_rule_pages_give_the_index_verdict(report):
    """A rule the index calls not judged is not 'no violation' on its page (R9 over three
    days: no complete month), and a breach count is the index's."""
    import re

    from opsanalytics.report.summary import RULE_PAGES

    verdicts = {"breach": "ops-breach", "clean": "ops-clean", "not_judged": "ops-unjudged"}
    rules = {r["rule"]: r for r in report.summary["rules"]}
    assert rules["R9"]["status"] == "not_judged"
    for rule, (_, page) in RULE_PAGES.items():
        html = (report.out_dir / f"{page}.html").read_text(encoding="utf-8")
        heading = re.search(f'<h2 id="{rule}">(.*?)</h2>', html, re.S).group(1)
        assert f'class="{verdicts[rules[rule]["status"]]}"' in heading, (rule, heading)
        if rules[rule]["status"] == "not_judged":
            assert "not judged" in heading and html_escape(rules[rule]["note"]) in html
    forecasts = (report.out_dir / "60-forecasts.html").read_text(encoding="utf-8")
    assert "Every judged month is within tolerance" not in forecasts
    # no forecast loaded is a gap (amber), not good news (green)
    assert '<p class="ops-empty ops-unjudged">No forecast file has been loaded' in forecasts


def _kpi(html, label):
    """The figure of a headline box, as a number."""
    import re

    return int(re.search(rf"<b[^>]*>([\d,]+)</b>{re.escape(label)}</div>", html).group(1).replace(",", ""))


def test_stop_received_is_the_same_figure_on_pages_00_and_30(report):
    """Page 30 counted a STOP once per brand concerned (481 against 287 on the demo): each STOP
    message counts once; the per-brand figure is labelled as such and may only be larger
    (test_report_insights has a STOP that concerns two brands)."""
    summary = (report.out_dir / "00-executive-summary.html").read_text(encoding="utf-8")
    stop = (report.out_dir / "30-stop-compliance.html").read_text(encoding="utf-8")
    assert _kpi(stop, "STOP received") == _kpi(summary, "STOP received") > 0
    assert _kpi(stop, "opt-outs per brand concerned") >= _kpi(stop, "STOP received")


def test_segments_say_whether_resubmissions_count(report):
    """Page 00's segments (logical messages) and page 50's (every submitted segment) differ by
    the resubmissions and the refused submits: each says which it counts, so they do not read
    as a contradiction (a probe: page 50 still said 'every accepted attempt' once R8 counted
    refused submits)."""
    summary = (report.out_dir / "00-executive-summary.html").read_text(encoding="utf-8")
    throughput = (report.out_dir / "50-throughput.html").read_text(encoding="utf-8")
    assert _kpi(summary, "MT segments (a resubmission counted once)") > 0
    assert "every submitted segment, resubmissions and the submits the SMSC refused" in throughput


def test_throughput_page_says_which_seconds_over_are_proven(report):
    """Page 50 gives R8's seconds over and, of them, those beyond the acknowledgement delay
    (the audit's figures), and lists those first."""
    from opsanalytics.audits import Filters, run

    params = report.parameters
    con = warehouse.connect(params["db"], read_only=True)
    r8 = run(con, load_contract(params["config"]), "R8",
             Filters(dt.date.fromisoformat(params["date_from"]), dt.date.fromisoformat(params["date_to"])))
    con.close()
    page = (report.out_dir / "50-throughput.html").read_text(encoding="utf-8")
    proven = r8.summary["seconds_over_beyond_ack_delay"]
    assert 0 < proven < r8.violations  # the simulator's bursts, and seconds a few segments over
    assert _kpi(page, "seconds over the rate") == r8.violations
    assert _kpi(page, "of them beyond the acknowledgement delay") == proven
    assert "those beyond the acknowledgement delay first" in page and "beyond_ack_delay" in page


def html_escape(text):
    import html

    return html.escape(text, quote=False)


def test_committed_notebooks_keep_their_cell_ids():
    """Cell ids keep diffs and papermill's records stable: an editor that drops them (or an
    nbformat before 4.5) would renumber every cell. No outputs: test_report_runner."""
    for path in runner.available_notebooks():
        nb = nbformat.read(path, as_version=4)
        assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), path
        ids = [c.get("id") for c in nb.cells]
        assert all(ids) and len(set(ids)) == len(ids), path


def test_commands_the_notebooks_suggest_exist():
    """A page that tells the reader to run `opsanalytics ...` names a real command."""
    import re

    from opsanalytics.cli import build_parser

    parser = build_parser()
    found = 0
    for path in runner.available_notebooks():
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        for command in re.findall(r"opsanalytics ((?:forecast|audit|ingest|report|status)\b[^)`\"\n]*)", text):
            found += 1
            # prose may leave out the options every command needs: only the words are checked
            words = command.split() + ["--db", "DB", "--config", "C"]
            try:
                parser.parse_known_args(words)
            except SystemExit:
                pytest.fail(f"{path.name} suggests `opsanalytics {command}`, which does not parse")
    assert found


def test_without_dates_a_notebook_covers_the_days_with_data(report, kernel, tmp_path):
    """As in JupyterLab with the parameters cell left at None: the period is the data's."""
    params = {k: v for k, v in report.parameters.items() if k not in ("date_from", "date_to")}
    source = next(p for p in runner.available_notebooks() if p.stem == "20-send-windows")
    run = runner.run_notebook(source, tmp_path, params, kernel, period="all data")
    assert run.status == "ok", run.error
    page = (tmp_path / "20-send-windows.html").read_text(encoding="utf-8")
    last = DEFAULT_START + dt.timedelta(days=DAYS - 1)
    assert f"Period {DEFAULT_START:%d %b %Y} to {last:%d %b %Y}" in page


def test_pages_20_and_50_say_the_contract_s_window_and_zone(report, kernel, tmp_path):
    """The window and zone come from the contract, not from text written for the default
    08:00-22:00 in Europe/Paris (page 20 said 08:00-22:00 above a verdict on 09:00-21:00)."""
    import re

    source = report.parameters["config"]
    text = open(source, encoding="utf-8").read()
    text = re.sub(r'(?m)^window = .*$', 'window = ["09:00", "21:00"]', text)
    text = re.sub(r'(?m)^timezone = .*$', 'timezone = "Europe/Brussels"', text)
    config = tmp_path / "contract.toml"
    config.write_text(text, encoding="utf-8")
    params = {**report.parameters, "config": str(config)}
    for name, says in (("20-send-windows", "from 09:00 to 21:00 local time (Europe/Brussels, with its changes of time)"),
                       ("50-throughput", "One 09:00-21:00 send window (Europe/Brussels) is 12 h")):
        path = next(p for p in runner.available_notebooks() if p.stem == name)
        run = runner.run_notebook(path, tmp_path / name, params, kernel, period="the period")
        assert run.status == "ok", run.error
        page = (tmp_path / name / f"{name}.html").read_text(encoding="utf-8")
        assert says in page
        for default in ("08:00-22:00", "08:00 and 22:00", "to 22:00", "Europe/Paris", " 14 h"):
            assert default not in page, (name, default)


def test_availability_page_shows_receipt_stalls_and_the_gateways_downtime(report):
    """R13's receipts held for hours and our own gateway's downtime (docs/sla.md) are on page
    90 beside the incidents and receipt gaps, not only in `sla --format json`."""
    page = (report.out_dir / "90-availability.html").read_text(encoding="utf-8")
    for title in ("receipt stalls", "Receipt stalls: runs of submits whose receipts came hours late",
                  "The gateway's own downtime (not Orange's: no observed time)"):
        assert title in page, title
