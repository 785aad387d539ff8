"""No function in the package runs over 100 lines, from ``def`` to its last line.

A long function is split into named steps that read as the job does (see the CLI commands,
``read_postcode_directory``, ``QualityReport.to_frame``, ``build_localities``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import localitygis

PACKAGE = Path(localitygis.__file__).parent
LIMIT = 100


def long_functions(root: Path, limit: int = LIMIT) -> dict[str, int]:
    """``path::name`` -> lines, for every function (or method) over ``limit`` lines."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "vendor" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > limit:
                    found[f"{path.relative_to(root.parent).as_posix()}::{node.name}"] = lines
    return found


def test_no_function_is_over_100_lines() -> None:
    assert long_functions(PACKAGE) == {}


def test_the_walk_counts_from_def_to_the_last_line(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    body = "\n".join(f"    x{i} = {i}" for i in range(8))
    (root / "sub" / "m.py").write_text(
        f'def long():\n    """Doc."""\n{body}\n\n\nclass A:\n    def short(self):\n        pass\n'
    )
    assert long_functions(root, limit=9) == {"pkg/sub/m.py::long": 10}
    assert long_functions(root, limit=10) == {}
