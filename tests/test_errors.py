"""The error tree: one base class, and DataError also a ValueError for callers that expect it."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from localitygis import (
    Locator,
    build_localities,
    find_clusters,
    population_points,
    read_assets,
)
from localitygis.demo import generate_demo
from localitygis.errors import CRSError, DataError, LocalityGISError


def _sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "asset_id": ["A1", "A2"],
            "name": ["Library", "Surgery"],
            "category": ["library", "gp_surgery"],
            "partner": ["Council", "NHS"],
            "sector": ["council", "health"],
        },
        geometry=shapely.points([350_000, 350_100], [240_000, 240_000]),
        crs=27700,
    )


def test_bad_values_are_caught_as_value_error() -> None:
    county = generate_demo()
    with pytest.raises(ValueError, match="min_share must be between 0 and 1") as caught:
        build_localities(county.parishes, catchments=county.catchments, min_share=2.0)
    assert isinstance(caught.value, DataError)
    with pytest.raises(ValueError, match="distance must be a positive number of metres"):
        find_clusters(_sites(), distance=0)


def test_a_register_without_positions_is_a_value_error_too(tmp_path) -> None:
    path = tmp_path / "register.csv"
    pd.DataFrame({"name": ["Library"], "category": ["library"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"register\.csv") as caught:
        read_assets(path)
    assert isinstance(caught.value, LocalityGISError)


def test_other_errors_are_not_value_errors() -> None:
    with pytest.raises(CRSError) as caught:
        find_clusters(_sites().to_crs(4326))
    assert not isinstance(caught.value, ValueError)


def _wgs84_cases():
    county = generate_demo()
    parishes = county.parishes.rename(
        columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"}
    ).to_crs(4326)
    return [
        ("parishes", lambda: build_localities(parishes, catchments=county.catchments)),
        ("assets", lambda: find_clusters(_sites().to_crs(4326))),
        ("parishes", lambda: Locator(parishes)),
        ("parishes", lambda: population_points(parishes)),
    ]


def test_every_stage_checks_the_crs_the_same_way() -> None:
    messages = []
    for source, call in _wgs84_cases():
        with pytest.raises(CRSError) as caught:
            call()
        messages.append(str(caught.value).replace(source, "LAYER"))
        assert str(caught.value).startswith(
            f"{source}: the CRS is EPSG:4326, not British National Grid (EPSG:27700)"
        )
    assert len(set(messages)) == 1, messages
