"""Every ``--option`` a message (or docstring) of the package names exists in the CLI (#16).

A hint that names an option the CLI does not have ("--parish-name-field") sends the user
nowhere. This scans every string literal in the package, f-string parts included, for
``--option`` names and checks each against the options of every command of the app.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from localitygis.cli import app

PACKAGE = Path(__file__).parents[1] / "localitygis"
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def _options(command: Any) -> Iterator[str]:
    for param in command.params:
        yield from (o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
    for sub in getattr(command, "commands", {}).values():
        yield from _options(sub)


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def _named_options() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "vendor" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, text in _strings(tree):
            for option in OPTION.findall(text):
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                found.setdefault(option, []).append(where)
    return found


def test_the_scan_finds_the_options_messages_name():
    named = _named_options()
    # Messages known to name options: the population table's, the CRS hint, the layer hint.
    assert {"--population-table-code-field", "--crs", "--layer", "--code-field"} <= set(named)


def test_every_option_a_message_names_exists():
    # --check belongs to the README generator, python -m localitygis.cli.reference.
    known = set(_options(typer.main.get_command(app))) | {"--help", "--check"}
    unknown = {o: where for o, where in _named_options().items() if o not in known}
    assert not unknown, f"messages name options the CLI does not have: {unknown}"


def test_no_message_builds_an_option_name():
    """Option names are written out, so the scan above sees them (no f"--{what}-field")."""
    built = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            parts = node.values
            for before, after in itertools.pairwise(parts):
                text = before.value if isinstance(before, ast.Constant) else ""
                if isinstance(after, ast.FormattedValue) and str(text).endswith("--"):
                    built.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not built, f"option names built at run time: {built}"
