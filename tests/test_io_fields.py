"""Reading boundary layers whose fields are not the contract's (#10 item 3, #16 item 1)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from localitygis.errors import DataError
from localitygis.io import read_catchments, read_lookup, read_parishes
from localitygis.io._fields import to_contract


def _squares(n: int) -> list:
    return [box(340000 + 1000 * i, 250000, 341000 + 1000 * i, 251000) for i in range(n)]


def test_read_catchments_field_wins_and_keeps_the_displaced_column(tmp_path):
    path = tmp_path / "catchments.gpkg"
    gpd.GeoDataFrame(
        {"catchment": ["Weobley", "Kington"], "school": ["Weobley High", "Lady Hawkins'"]},
        geometry=_squares(2),
        crs=27700,
    ).to_file(path)
    read = read_catchments(path, field="school")
    assert read["catchment"].tolist() == ["Weobley High", "Lady Hawkins'"]
    assert read["original_catchment"].tolist() == ["Weobley", "Kington"]
    assert "school" not in read.columns
    assert read.attrs["notes"] == [
        "catchments.gpkg: column 'catchment' is kept as 'original_catchment', because "
        "'school' gives the catchment."
    ]


def test_read_parishes_codes_only_and_code_as_name(tmp_path):
    path = tmp_path / "oa.geojson"
    gpd.GeoDataFrame(
        {"OA11CD": ["E00001", "E00002"], "LAD11CD": ["E06000019"] * 2},
        geometry=_squares(2),
        crs=27700,
    ).to_file(path)
    fallback = read_parishes(path, code_field="OA11CD")
    assert fallback["parish_name"].tolist() == ["E00001", "E00002"]
    assert len(fallback.attrs["notes"]) == 1
    assert "serve as names" in fallback.attrs["notes"][0]
    same = read_parishes(path, code_field="OA11CD", name_field="OA11CD")
    assert same["parish_name"].tolist() == same["parish_code"].tolist()
    assert same.attrs["notes"] == []
    assert "OA11CD" not in same.columns
    assert "LAD11CD" in same.columns


def test_hints_name_the_options_that_exist(tmp_path):
    path = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"ident": ["A"]}, geometry=_squares(1), crs=27700).to_file(path)
    with pytest.raises(DataError, match=r"Name it explicitly \(--code-field on the command line\)"):
        read_parishes(path)
    table = tmp_path / "lookup.csv"
    table.write_text("ident,area\nA,B\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"--lookup-code-field"):
        read_lookup(table)
    table.write_text("PAR21CD,area\nA,B\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"--catchment-field"):
        read_lookup(table)


def test_to_contract_keeps_every_column_once():
    frame = pd.DataFrame(
        {"parish_code": ["old"], "PAR21CD": ["E1"], "population": [5], "pop2021": [7]}
    )
    out, notes = to_contract(
        frame,
        {"parish_code": "PAR21CD", "parish_name": "PAR21CD", "population": "pop2021"},
        source="p",
    )
    assert out.to_dict("records") == [
        {
            "original_parish_code": "old",
            "original_population": 5,
            "parish_code": "E1",
            "parish_name": "E1",
            "population": 7,
        }
    ]
    assert len(notes) == 2
    taken = pd.DataFrame({"catchment": ["a"], "original_catchment": ["b"], "school": ["c"]})
    out, _ = to_contract(taken, {"catchment": "school"}, source="c")
    assert out.columns.tolist() == ["original_catchment_2", "original_catchment", "catchment"]
    assert out["original_catchment_2"].tolist() == ["a"]
