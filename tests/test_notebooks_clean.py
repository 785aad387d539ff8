"""Committed notebooks are stored clean: no outputs, no execution counts, small."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_five_notebooks_are_there():
    names = [path.name for path in NOTEBOOKS]
    assert names == [
        "01_build_localities.ipynb",
        "02_assets_and_hubs.ipynb",
        "03_locality_maps.ipynb",
        "04_needs_profiles.ipynb",
        "05_access_by_road.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    assert path.stat().st_size < 100_000, f"{path.name} is large: clear its outputs"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name} cell {index} has stored outputs"
        assert cell.get("execution_count") is None, f"{path.name} cell {index} was executed"
