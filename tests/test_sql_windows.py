"""No window aggregate with a FILTER clause in queries/: DuckDB 2 computes a running window
(`count(*) FILTER (WHERE ...) OVER (... ROWS BETWEEN UNBOUNDED PRECEDING ...)`) row by row,
quadratic in the partition. Page 90 took 470 s on a warehouse of 6 M lines for it (R13's
running counts; a probe, session 30): count_if(...) or a CASE inside the aggregate is the
same value at the cost of a sort."""

from __future__ import annotations

import re

from opsanalytics.paths import queries_dir

#: an aggregate's FILTER clause followed by OVER (comments stripped, across line breaks)
FILTERED_WINDOW = re.compile(r"\bfilter\s*\(\s*where\b[^()]*(?:\([^()]*\)[^()]*)*\)\s*over\b", re.I | re.S)


def _sql(path) -> str:
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


def test_no_query_puts_a_filter_clause_on_a_window_aggregate():
    offenders = sorted(str(p.relative_to(queries_dir())) for p in queries_dir().rglob("*.sql")
                       if FILTERED_WINDOW.search(_sql(p)))
    assert offenders == []


def test_the_pattern_finds_what_it_is_for():
    assert FILTERED_WINDOW.search("count(*) filter (where kind = 'ok') over w")
    assert FILTERED_WINDOW.search("max(x) FILTER (WHERE coalesce(a, 1) = 1)\n  OVER (partition by s)")
    assert not FILTERED_WINDOW.search("count(*) filter (where kind = 'ok') as n, count_if(ok) over w")

