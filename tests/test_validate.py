"""The shared checks of ``localitygis._validate``: every bad row named, coordinates returned."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box

from localitygis._validate import require_points
from localitygis.errors import GeometryError


def _frame(geoms: list) -> gpd.GeoDataFrame:
    ids = [f"S{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"id": ids}, geometry=gpd.GeoSeries(geoms), crs=27700)


def test_each_kind_of_unusable_row_is_named_once() -> None:
    geoms = [
        Point(1, 2),
        None,
        Point(),  # empty
        box(0, 0, 1, 1),
        Point(np.nan, 5),
        Point(3, np.inf),
        shapely.MultiPoint([(0, 0), (1, 1)]),
        Point(7, 8),
    ]
    with pytest.raises(GeometryError) as raised:
        require_points(_frame(geoms), "sites", label="id")
    message = str(raised.value)
    assert "2 with no geometry (id S1, S2)" in message
    assert "2 with geometry that is not a Point (id S3, S6)" in message
    assert "2 with non-finite coordinates (id S4, S5)" in message
    assert "S0" not in message
    assert "S7" not in message


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e7, 1e7), st.floats(-1e7, 1e7)), max_size=40))
def test_usable_points_give_their_coordinates(xy: list[tuple[float, float]]) -> None:
    x, y = require_points(_frame([Point(a, b) for a, b in xy]), "sites")
    assert x.tolist() == [a for a, _ in xy]
    assert y.tolist() == [b for _, b in xy]
    assert x.dtype == np.float64
