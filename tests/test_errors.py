"""The error tree: one base class, and DataError also a ValueError for callers that expect it."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from localitygis import build_localities, find_clusters, read_assets
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
