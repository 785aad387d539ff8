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
