"""What the code and the README cite is in the repository: a user's clone has nothing
outside it (no ../shared), and a reader of the README looks for a rule's SQL in its table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sources():
    for folder, pattern in (("opsanalytics", "*.py"), ("queries", "*.sql")):
        yield from sorted((ROOT / folder).rglob(pattern))


def test_perf_notes_are_cited_by_their_path_in_the_repository():
    citations = [(path.relative_to(ROOT), line) for path in _sources()
                 for line in path.read_text(encoding="utf-8").splitlines() if "PERF-NOTES" in line]
    assert len(citations) >= 3
    assert [c for c in citations if "bench/PERF-NOTES.md" not in c[1]] == []
    notes = (ROOT / "bench" / "PERF-NOTES.md").read_text(encoding="utf-8")
    assert "Dropping the input order saves 12 %" in notes   # what kannel.py cites (-12 %)
