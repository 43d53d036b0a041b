"""What the code and the README cite is in the repository: a user's clone has nothing
outside it (the team's notes included), and a reader of the README looks for a rule's SQL in
its table."""

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


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def test_the_rules_table_names_every_audit_query_and_only_those():
    rows = [line.split("|") for line in _readme_section("Where each rule lives").splitlines()
            if line.startswith("| R")]
    named = {name for row in rows for name in re.findall(r"`([a-z0-9_]+\.sql)`", row[2])}
    on_disk = {path.name for path in (ROOT / "queries" / "audits").glob("*.sql")}
    assert sorted(on_disk - named) == [] and sorted(named - on_disk) == []


def test_the_layout_says_what_each_fixture_folder_is():
    layout = _readme_section("Layout")
    folders = sorted(p.name for p in (ROOT / "tests" / "fixtures").iterdir() if p.is_dir())
    assert folders == ["kannel-1.4.5", "kannel-cases", "kannel-older", "kannel-published"]
    assert [f for f in folders if f"{f}/" not in layout] == []
    assert "kannel-1.4.5/ real Kannel 1.4.5 logs" in layout
    assert "kannel-older/ real Kannel 1.4.0-1.4.3 logs" in layout
    assert "kannel-cases/ hand-made lines" in layout
    assert "kannel-published/ lines gateway operators published" in layout


def _subcommand_options():
    """Each subcommand of `opsanalytics` and the long options its --help lists."""
    from opsanalytics.cli import build_parser
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        yield name, [opt for action in parser._actions for opt in action.option_strings
                     if opt.startswith("--") and opt != "--help"]


def test_the_commands_table_names_every_subcommand_and_its_options():
    rows = [line for line in _readme_section("Commands").splitlines() if line.startswith("| `opsanalytics ")]
    by_command = {row.split("`")[1].split()[1]: row for row in rows}
    missing = {}
    for name, options in _subcommand_options():
        row = by_command.get(name)
        if row is None:
            missing[name] = "no row"
            continue
        # `forecast` has subcommands of its own (documented in docs/forecast.md)
        absent = [opt for opt in options if not re.search(rf"{re.escape(opt)}\b", row)]
        if absent:
            missing[name] = absent
    assert missing == {}


def test_every_command_has_a_description_and_every_argument_a_help_text():
    """`--help` is the reference people read first: each subcommand (forecast's actions too)
    says what it does, and no option or argument is listed bare."""
    import argparse

    from opsanalytics.cli import build_parser

    bare = []

    def walk(parser, path):
        if len(path) > 1 and not parser.description:
            bare.append(" ".join(path))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])
            elif not isinstance(action, (argparse._HelpAction, argparse._VersionAction)) and not action.help:
                bare.append(f"{' '.join(path)} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), ["opsanalytics"])
    assert bare == []
