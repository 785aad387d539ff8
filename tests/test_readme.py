"""The README tells the truth: quick start, CI command, CLI reference."""

from __future__ import annotations

import re
from pathlib import Path

from localitygis.cli.reference import cli_reference, replace_section

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "the quick start has a bash block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_two_commands():
    assert _quick_start_commands() == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert _quick_start_commands()[1] in commands


def test_makefile_has_the_quick_start_targets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo: ", makefile, re.MULTILINE)
    assert re.search(r"^test: ", makefile, re.MULTILINE)
    assert "localitygis demo --out maps" in makefile


def test_cli_reference_is_current():
    assert replace_section(README, cli_reference()) == README, (
        "README's CLI reference is stale: run `python -m localitygis.cli.reference README.md`"
    )


def test_every_command_is_documented_with_its_options():
    reference = cli_reference()
    for command in (
        "build",
        "assets",
        "locate",
        "colocate",
        "hubs",
        "profile",
        "map",
        "atlas",
        "demo",
    ):
        assert f"### `localitygis {command}`" in README
    assert "`--parishes`" in reference
    assert "`--district-lookup`" in reference


def _api_rows() -> list[tuple[str, str]]:
    """(module, names cell) of each row of the README's API table."""
    table = README.split("| stage (module) | functions and classes |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.strip().splitlines()[1:]:
        stage, names = (cell.strip() for cell in line.strip("|").split("|"))
        module = re.search(r"\(`(localitygis[\w.]*)`\)", stage)
        assert module, f"the API table row {stage!r} names its module"
        rows.append((module.group(1), names))
    return rows


def _names_and_attributes(cell: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Names at the top level of a cell, and (class, attribute) pairs in brackets after one."""
    names: list[str] = []
    attributes: list[tuple[str, str]] = []
    depth, owner = 0, None
    for part in re.split(r"(`[^`]*`|[()])", cell):
        if part in "()" and part:
            depth += 1 if part == "(" else -1
            continue
        token = part.strip("`").removesuffix("()")
        if not (part.startswith("`") and token.isidentifier()):
            continue
        if depth == 0:
            names.append(token)
            owner = token if token[0].isupper() else owner
        elif owner is not None:
            attributes.append((owner, token))
    return names, attributes


def test_every_readme_api_name_imports_from_its_module_and_the_package():
    import importlib

    import localitygis

    rows = _api_rows()
    assert len(rows) >= 10
    for module_name, cell in rows:
        module = importlib.import_module(module_name)
        names, attributes = _names_and_attributes(cell)
        assert names, cell
        for name in names:
            assert hasattr(module, name), f"{module_name}.{name} (README API table)"
            if module_name not in ("localitygis.io", "localitygis.crs", "localitygis.maps"):
                assert name in localitygis.__all__, f"localitygis.{name} (README API table)"
        for owner, attribute in attributes:
            cls = getattr(module, owner)
            fields = getattr(cls, "__dataclass_fields__", {})
            assert attribute in fields or hasattr(cls, attribute), f"{owner}.{attribute}"


def test_the_api_table_parser_reads_names_and_attributes():
    names, attributes = _names_and_attributes(
        "`find` → `Result` (`table`, `counts()`, plain words); `Other` (`python -m x`)"
    )
    assert names == ["find", "Result", "Other"]
    assert attributes == [("Result", "table"), ("Result", "counts")]
