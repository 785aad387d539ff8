"""``import localitygis`` is cheap: public names load from their homes when first used."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import localitygis

HEAVY = ["scipy", "folium", "matplotlib", "typer", "rich", "pulp", "spopt", "networkx"]


def loaded_after(code: str) -> dict[str, bool]:
    """Which heavy packages a fresh interpreter has imported after running ``code``."""
    report = f"print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    probe = f"import sys, json\n{code}\n{report}"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_the_package_imports_none_of_the_heavy_dependencies() -> None:
    loaded = loaded_after("import localitygis")
    assert not any(loaded.values()), loaded


def test_locating_imports_neither_roads_nor_maps_nor_the_command_line() -> None:
    loaded = loaded_after(
        "import geopandas as gpd, pandas as pd\n"
        "from shapely import box\n"
        "import localitygis as lg\n"
        "p = gpd.GeoDataFrame({'parish_code': ['E1'], 'parish_name': ['W'], 'locality': ['W'],"
        " 'tier': [1]}, geometry=[box(340000, 250000, 342000, 252000)], crs=27700)\n"
        "out = lg.locate_many(pd.DataFrame({'easting': [341000], 'northing': [251000]}),"
        " parishes=p)\n"
        "assert out['locality'].tolist() == ['W']"
    )
    assert not any(loaded.values()), loaded


@pytest.mark.parametrize("name", localitygis.__all__)
def test_every_public_name_is_the_object_at_its_home(name: str) -> None:
    if name == "__version__":
        assert isinstance(localitygis.__version__, str)
        return
    home = importlib.import_module(localitygis._HOME_OF[name])
    assert getattr(localitygis, name) is getattr(home, name)
    assert name in dir(localitygis)


def test_the_lazy_table_and_the_type_checking_imports_list_the_same_names() -> None:
    tree = ast.parse(Path(localitygis.__file__).read_text(encoding="utf-8"))
    guarded = next(n for n in tree.body if isinstance(n, ast.If))  # `if TYPE_CHECKING:`
    imported = {a.name for n in guarded.body if isinstance(n, ast.ImportFrom) for a in n.names}
    assert imported == set(localitygis._HOME_OF)
    assert set(localitygis.__all__) == imported | {"__version__"}


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'locate_everything'"):
        _ = localitygis.locate_everything  # type: ignore[attr-defined]
