"""The package's layout keeps its promises: private names stay inside their own package."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import localitygis

PACKAGE = Path(localitygis.__file__).parent


def _package_of(path: Path, root: Path) -> tuple[str, ...]:
    """Dotted parts of the package a module belongs to (a package's ``__init__`` is in it)."""
    return path.relative_to(root.parent).with_suffix("").parts[:-1]


def _target(node: ast.ImportFrom, package: tuple[str, ...]) -> tuple[str, ...]:
    if node.level:
        base = package[: len(package) - (node.level - 1)]
        return base + tuple(node.module.split(".") if node.module else ())
    return tuple((node.module or "").split("."))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def cross_package_private_imports(root: Path) -> list[str]:
    """``file:line: module.name`` for every private name imported from another package."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "vendor" in path.parts:
            continue
        package = _package_of(path, root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            target = _target(node, package)
            if target[0] != root.name:
                continue
            home = target if root.parent.joinpath(*target).is_dir() else target[:-1]
            found += [
                f"{path.relative_to(root.parent)}:{node.lineno}: {'.'.join(target)}.{a.name}"
                for a in node.names
                if _is_private(a.name) and home != package
            ]
    return found


def test_no_module_imports_another_packages_private_names() -> None:
    assert cross_package_private_imports(PACKAGE) == []


_FAKE_PACKAGE = {
    "colocation.py": "def _check(): ...\n",
    "_validate.py": "def check(): ...\n",
    "hubs/_common.py": "def _xy(): ...\n",
    "hubs/_solvers.py": "",
}


@pytest.mark.parametrize(
    ("importer", "line", "caught"),
    [
        # a subpackage reaching for a private name of the root package
        ("hubs/a.py", "from pkg.colocation import _check", True),
        ("hubs/a.py", "from ..colocation import _check", True),
        # a private module imported as a name from another package
        ("maps/a.py", "from pkg.hubs import _solvers", True),
        ("colocation.py", "from pkg.hubs._common import _xy", True),
        # within its own package, relative or absolute
        ("hubs/a.py", "from ._common import _xy", False),
        ("hubs/a.py", "from pkg.hubs._common import _xy", False),
        ("hubs/a.py", "from pkg.hubs import _solvers", False),
        # a public name of a private module elsewhere
        ("hubs/a.py", "from pkg._validate import check", False),
        # other packages are not ours to judge
        ("hubs/a.py", "from os.path import _get_sep", False),
    ],
)
def test_the_walk_finds_what_it_should(
    tmp_path: Path, importer: str, line: str, caught: bool
) -> None:
    root = tmp_path / "pkg"
    for name, text in {**_FAKE_PACKAGE, importer: "import os\n" + line + "\n"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).parent.joinpath("__init__.py").touch()
        (root / name).write_text(text)
    found = cross_package_private_imports(root)
    assert [entry.split(": ")[0] for entry in found] == [f"pkg/{importer}:2"] * caught
    assert all(entry.endswith(line.split()[-1]) for entry in found)


# "... and K more" written out, or a join of the first N items (which drops the rest unsaid).
_MORE = re.compile(r"and \{[^}]*\} more")
_JOIN = re.compile(r"""(?:", "|', ')\.join\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)""")
_FIRST_N = re.compile(r"\[:\d+\]|\.head\(\d+\)")


def _own_listing(text: str) -> bool:
    return bool(_MORE.search(text)) or any(
        _FIRST_N.search(join.group(0)) for join in _JOIN.finditer(text)
    )


def test_problems_are_listed_in_one_place() -> None:
    """Only ``_validate.listing`` lists "the first N … and K more": no module has its own."""
    writers = [
        str(path.relative_to(PACKAGE.parent))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "vendor" not in path.parts and _own_listing(path.read_text(encoding="utf-8"))
    ]
    assert writers == ["localitygis/_validate.py"]


@pytest.mark.parametrize(
    "line",
    [
        'more = f" and {len(rows) - 10} more"',
        'rows = ", ".join(str(r) for r in rows[:10])',
        "f\"rows {', '.join(map(str, rows[:10]))}\"",
        'shown = ", ".join(str(r) for r in table.loc[blank, "row"].head(10))',
        'text = ", ".join(\n    f"{c} ({t})" for c, t in zip(a, b)[:10]\n)',
    ],
)
def test_an_own_listing_is_recognised(line: str) -> None:
    assert _own_listing(line)


def test_a_plain_join_is_not_a_listing() -> None:
    assert not _own_listing('", ".join(names)  # every name, none dropped; x[:2]')
