"""Fuzzing the command line with generated registers and parish layers.

Hypothesis writes asset registers (hostile text, formulas, coordinates in the sea, swapped
or missing, blank rows) and parish layers (random tessellations with odd names, codes and
populations) to real files and runs ``localitygis assets`` and ``localitygis build`` on
them. Whatever the input: the exit code is 0 or 2, never a traceback or an "unexpected
error", and nothing is lost — every register row is located or rejected, every parish
feature is written or rejected.

A few examples run with the test suite; ``make fuzz`` runs many more
(``LOCALITYGIS_FUZZ_EXAMPLES``, default 5 here).
"""

from __future__ import annotations

import os
import string
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import affinity

from localitygis.cli import main
from localitygis.io import FORMULA_STARTS, read_table
from tests._clidata import build_demo
from tests._tessellations import tessellation

EXAMPLES = int(os.environ.get("LOCALITYGIS_FUZZ_EXAMPLES", "5"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 5,  # the suite's few examples are the same every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_HOSTILE = st.sampled_from(
    ["=1+2", "+cmd|' /C calc'!A0", "@SUM(1)", "\t=1", "-3", "[bold]x[/]", "[/merged]",
     "<script>alert(1)</script>", "NA", "", " ", "Café £", "x" * 300, "a\nb", '"q"']
)  # fmt: skip
_TEXT = st.one_of(_HOSTILE, st.text(string.printable + "éü£—", max_size=12))
_COORDINATE = st.one_of(
    st.floats(300_000, 380_000).map(lambda v: f"{v:.1f}"),  # in and around the demo county
    st.floats(-1e6, 2e6).map(lambda v: f"{v:.0f}"),  # anywhere, the sea included
    st.sampled_from(["", "n/a", "52.05", "-2.71", "1e309", "351000,5"]),
)
_CATEGORIES = st.sampled_from(["library", "Library", "fire_station", "Liberry", "", "=x"])


@st.composite
def registers(draw) -> pd.DataFrame:
    """A register of 1 to 25 rows: mostly plausible, with hostile cells anywhere."""
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        rows.append(
            {
                "asset_id": draw(st.one_of(st.just(f"F{i}"), _TEXT)),
                "name": draw(_TEXT),
                "category": draw(_CATEGORIES),
                "partner": draw(_TEXT),
                "sector": draw(st.sampled_from(["council", "NHS", "", "=1"])),
                "easting": draw(_COORDINATE),
                "northing": draw(_COORDINATE),
            }
        )
    return pd.DataFrame(rows)


@st.composite
def parish_layers(draw) -> gpd.GeoDataFrame:
    """Parishes from a random tessellation, scaled to 20 km in the demo county."""
    n = draw(st.integers(3, 25))
    cells = tessellation(draw(st.integers(0, 10_000)), n)
    cells = [affinity.translate(affinity.scale(c, 20, 20, origin=(0, 0)), 340_000, 230_000)
             for c in cells]  # fmt: skip
    codes = [f"E0400{i:04d}" for i in range(n)]
    if draw(st.booleans()):
        codes[draw(st.integers(0, n - 1))] = draw(st.sampled_from(["", codes[0], "=x"]))
    populations = draw(st.lists(st.integers(0, 9000), min_size=n, max_size=n))
    if draw(st.integers(0, 4)) == 0:
        populations[draw(st.integers(0, n - 1))] = -5
    names = draw(st.lists(_TEXT, min_size=n, max_size=n))
    return gpd.GeoDataFrame(
        {"PAR21CD": codes, "PAR21NM": names, "population": populations},
        geometry=cells,
        crs=27700,
    )


SCHEME = """
[scheme]
name = "Fuzz"

[tiers.1]
name = "Rural"

[tiers.2]
name = "Town"

[[localities]]
name = "Kington [west]"
tier = 1
catchments = ["Kington"]

[[localities]]
name = "Weobley"
tier = 2
catchments = ["Weobley"]
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("build"))


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err
    assert "unexpected error" not in err
    return code, err


@FUZZ
@given(register=registers())
def test_any_register_is_located_or_rejected_row_for_row(built, register, capsys) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.csv"
        register.to_csv(path, index=False)
        out = Path(folder) / "out"
        code, _ = _run(["assets", str(path), "-l", str(built), "--out", str(out)], capsys)
        if code != 0:
            return
        located = gpd.read_file(out / "assets.gpkg", layer="assets")
        rejects = read_table(out / "asset_rejects.csv")
        assert len(located) + len(rejects) == len(read_table(path))
        for name in ("assets.csv", "asset_rejects.csv"):
            table = pd.read_csv(out / name, dtype=str, keep_default_na=False)
            cells = table.to_numpy().ravel().tolist() + list(table.columns)
            risky = [c for c in cells if c.startswith(FORMULA_STARTS) and not _number(c)]
            assert risky == [], name


def _number(text: str) -> bool:
    try:
        return bool(np.isfinite(float(text)))
    except ValueError:
        return False


@FUZZ
@given(parishes=parish_layers(), kind=st.sampled_from(["gpkg", "geojson", "shp"]))
def test_any_parish_layer_builds_or_fails_in_one_line(parishes, kind, capsys) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"parishes.{kind}"
        with warnings.catch_warnings():  # a Shapefile truncates long text, and says so
            warnings.simplefilter("ignore", RuntimeWarning)
            parishes.to_file(path)
        lookup = Path(folder) / "lookup.csv"
        catchments = ["Weobley" if i % 2 else "Kington" for i in range(len(parishes))]
        pd.DataFrame({"PAR21CD": parishes["PAR21CD"], "catchment": catchments}).to_csv(
            lookup, index=False
        )
        scheme = Path(folder) / "scheme.toml"
        scheme.write_text(SCHEME, encoding="utf-8")
        out = Path(folder) / "out"
        code, _ = _run(
            ["build", "-p", str(path), "--lookup", str(lookup), "--scheme", str(scheme),
             "--out", str(out)],
            capsys,
        )  # fmt: skip
        if code != 0:
            return
        written = gpd.read_file(out / "localities.gpkg", layer="parishes")
        rejects = (
            read_table(out / "rejects.csv") if (out / "rejects.csv").exists() else pd.DataFrame()
        )
        from_layer = rejects[rejects["source"] != "lookup"] if len(rejects) else rejects
        assert len(written) + len(from_layer) == len(parishes)
