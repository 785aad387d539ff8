"""Shared plumbing of the CLI tests: run a command, expect success or a one-line error.

``build_demo`` runs the real ``localitygis build`` on the committed demo county, so the
commands downstream of it (``assets``, ``locate``, ``colocate``, ``hubs``, ``profile``) are
tested on the very file an officer would give them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from localitygis.cli import app, main
from localitygis.demo.county import demo_dir, load_demo

runner = CliRunner()


def ok(args: list[str]) -> Result:
    """Run the CLI with ``args`` (200 columns wide, exceptions raised) and expect exit code 0."""
    result = runner.invoke(app, args, catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result


def fails(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``localitygis args`` through ``main``; expect exit code 2 and no traceback.

    Returns the error output as one line (non-blank lines stripped and joined by spaces).
    """
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "Traceback" not in captured.err
    return " ".join(line.strip() for line in captured.err.splitlines() if line.strip())


def demo_folder() -> Path:
    """The folder of the committed demo input files (written first if absent)."""
    load_demo()
    return demo_dir()


def demo_build_args(out: Path) -> list[str]:
    """``localitygis build`` arguments: the demo county's parishes and catchments, demo scheme."""
    gpkg = demo_folder() / "demo_county.gpkg"
    return [
        "build",
        "--parishes",
        str(gpkg),
        "--catchments",
        f"{gpkg}#catchments",
        "--scheme",
        "demo",
        "--out",
        str(out),
    ]


def build_demo(out: Path) -> Path:
    """Run ``localitygis build`` on the demo county into ``out``; return its localities.gpkg."""
    ok(demo_build_args(out))
    return out / "localities.gpkg"
