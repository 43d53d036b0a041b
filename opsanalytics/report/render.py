"""Executed notebook -> standalone HTML page without code cells that opens offline.

nbconvert's JupyterLab template, minus every script it would fetch from a CDN (require.js,
MathJax, Mermaid, widgets); Plotly's library is loaded once per page, from `plotly.min.js`
copied next to the reports (default) or inlined in the page (`embed_plotly`, for a single
file to e-mail). Figures carry no library of their own (see report.notebook.figure_bundle).
"""

from __future__ import annotations

import datetime as dt
import shutil
from functools import lru_cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

TEMPLATES = Path(__file__).resolve().parent / "templates"
PLOTLY_FILE = "plotly.min.js"


def plotly_js_path() -> Path:
    """The plotly.min.js shipped with the installed plotly package (no network)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / PLOTLY_FILE
    if not path.exists():  # pragma: no cover - a broken plotly install
        raise FileNotFoundError(f"{path}: plotly's bundled JavaScript is missing")
    return path


@lru_cache(maxsize=1)
def report_css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def bundle_plotly(out_dir: Path) -> Path:
    """Copy plotly.min.js into the report folder once (skipped when already identical)."""
    source = plotly_js_path()
    target = Path(out_dir) / PLOTLY_FILE
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        shutil.copyfile(source, target)
    return target


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first markdown heading of the notebook, else `fallback` (its file name)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def _clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what a reader should not see: warnings on stderr and papermill's parameter cells."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [o for o in cell.get("outputs", [])
                        if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return nb


def render_html(executed: Path, html_path: Path, *, period: str, index_href: str = "index.html",
                embed_plotly: bool = False) -> Path:
    """Write `html_path` from the executed notebook `executed`; returns the path."""
    nb = _clean(nbformat.read(executed, as_version=4))
    # (the browser's title: which page, of which period and filters, among open tabs)
    title = f"{notebook_title(nb, Path(executed).stem)}, {period}"
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="opsreport",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    resources = {
        "opsreport": {
            "plotly_src": PLOTLY_FILE,
            "plotly_inline": plotly_js_path().read_text(encoding="utf-8") if embed_plotly else "",
            "css": report_css(),
            "index_href": index_href,
            "period": period,
            "generated": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        },
        "metadata": {"name": title},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = html_path.with_suffix(".html.part")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html_path)  # never a half-written page
    if not embed_plotly:
        bundle_plotly(html_path.parent)
    return html_path
