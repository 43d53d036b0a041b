"""Where the SQL and the notebooks are, whether run from a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def _resource_dir(name: str) -> Path:
    checkout = _REPO / name
    if checkout.is_dir():
        return checkout
    # installed wheel: pyproject maps the top-level folder into the package (opsanalytics/<name>)
    return _PACKAGE / name


def queries_dir() -> Path:
    return _resource_dir("queries")


def notebooks_dir() -> Path:
    return _resource_dir("notebooks")
