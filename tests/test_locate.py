"""Which parish, locality and tier am I in: points, pairs, lat/lon, postcodes, hubs, tables."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point, box

from localitygis.assets.locate import (
    LocationResult,
    Locator,
    OutsideCountyError,
    locate,
    locate_many,
)
from localitygis.assets.postcodes import read_postcode_directory
from localitygis.crs import bng_to_lonlat
from localitygis.errors import CRSError, DataError, GeometryError, LocalityGISError
from tests._sjoin import assert_same_as_sjoin

X0, Y0 = 340_000.0, 250_000.0


@pytest.fixture(scope="module")
def parishes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "parish_code": ["E04000002", "E04000001", "E04000003"],
            "parish_name": ["Dilwyn", "Weobley", "Kington"],
            "locality": ["Weobley", "Weobley", "Kington"],
            "tier": [1, 1, 2],
            "tier_name": ["Rural", "Rural", "Market town"],
        },
        geometry=[
            box(X0 + 2_000, Y0, X0 + 4_000, Y0 + 2_000),
            box(X0, Y0, X0 + 2_000, Y0 + 2_000),
            box(X0 + 4_000, Y0, X0 + 6_000, Y0 + 2_000),
        ],
        crs=27700,
    )


@pytest.fixture(scope="module")
def hubs() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Weobley hub", "Kington hub"]},
        geometry=[Point(X0 + 1_000, Y0 + 1_000), Point(X0 + 5_000, Y0 + 1_000)],
        crs=27700,
    )


@pytest.fixture(scope="module")
def directory() -> pd.DataFrame:
    return read_postcode_directory(
        pd.DataFrame(
            {
                "pcds": ["HR4 8AA", "HR5 3DJ", "HR6 9ZZ", "HR9 9XX"],
                "oseast1m": [X0 + 3_000, X0 + 5_500, None, X0 + 30_000],
                "osnrth1m": [Y0 + 500, Y0 + 1_500, None, Y0],
                "doterm": ["", "201001", "", ""],
            }
        ),
        source_name="test directory",
    )


def test_locate_a_point_a_pair_and_lat_lon_agree(parishes, hubs) -> None:
    by_point = locate(Point(X0 + 3_000, Y0 + 500), parishes=parishes, hubs=hubs)
    by_pair = locate((X0 + 3_000, Y0 + 500), parishes=parishes, hubs=hubs)
    lon, lat = bng_to_lonlat([X0 + 3_000], [Y0 + 500])
    by_degrees = locate(parishes=parishes, hubs=hubs, lat=float(lat[0]), lon=float(lon[0]))
    for result in (by_point, by_pair, by_degrees):
        assert isinstance(result, LocationResult)
        assert (result.parish_code, result.parish_name) == ("E04000002", "Dilwyn")
        assert (result.locality, result.tier, result.tier_name) == ("Weobley", 1, "Rural")
        assert result.nearest_hub == "Weobley hub"
        assert result.hub_distance_m == pytest.approx(np.hypot(2_000, 500), abs=0.01)
    assert by_pair.query == "(343000, 250500)"
    assert by_degrees.query.startswith("lat 52.")
    assert abs(by_degrees.easting - (X0 + 3_000)) < 0.01


def test_locate_a_postcode(parishes, directory, hubs) -> None:
    result = locate(" hr48aa ", parishes=parishes, postcodes=directory, hubs=hubs)
    assert result.postcode == "HR4 8AA"
    assert result.parish_name == "Dilwyn"
    assert not result.postcode_terminated
    terminated = locate("HR5 3DJ", parishes=parishes, postcodes=directory, hubs=hubs)
    assert terminated.postcode_terminated
    assert terminated.locality == "Kington"
    assert terminated.nearest_hub == "Kington hub"
    text = terminated.describe()
    assert "Kington locality (tier 2, Market town)" in text
    assert "terminated" in text


@pytest.mark.parametrize(
    ("query", "kwargs", "error", "match"),
    [
        ("HR4 8AA", {}, DataError, "give a postcode directory"),
        ("HR4 OAA", {"postcodes": True}, DataError, "not a valid UK postcode"),
        ("HR1 1AA", {"postcodes": True}, DataError, "HR1 1AA is not in test directory"),
        ("HR6 9ZZ", {"postcodes": True}, DataError, "has no grid reference"),
        ("HR9 9XX", {"postcodes": True}, OutsideCountyError, "24.0 km from the boundary"),
        ((X0 + 1_000, Y0 - 3_000), {}, OutsideCountyError, "3.0 km from the boundary"),
        ((Y0 + 500, X0 + 3_000), {}, CRSError, "look swapped.*is in Dilwyn parish"),
        ((-2.8, 52.1), {}, CRSError, "looks like degrees.*lat=52.1, lon=-2.8"),
        ((52.1, -2.8), {}, CRSError, "looks like degrees.*lat=52.1, lon=-2.8"),
        ((250_000, 1_200_000), {}, OutsideCountyError, "outside the county"),
        ((1_200_000, 250_000), {}, CRSError, r"looks like \(northing, easting\)"),
        (("a", "b"), {}, DataError, "not a pair of numbers"),
        (None, {}, DataError, "nothing to locate"),
        (Point(), {}, GeometryError, "empty"),
        (None, {"lat": -2.8, "lon": 52.1}, CRSError, "look swapped.*lat=52.1, lon=-2.8"),
        (None, {"lat": 52.1}, DataError, "give both lat= and lon="),
        (None, {"lat": 80.0, "lon": 10.0}, CRSError, "not a position in Great Britain"),
    ],
)
def test_bad_queries_are_explained(parishes, directory, query, kwargs, error, match) -> None:
    if kwargs.get("postcodes"):
        kwargs = {**kwargs, "postcodes": directory}
    with pytest.raises(error, match=match):
        locate(query, parishes=parishes, **kwargs)


def test_outside_the_county_is_a_locality_gis_error(parishes) -> None:
    with pytest.raises(LocalityGISError, match="nearest parish: Weobley"):
        locate((X0 - 500, Y0 + 1_000), parishes=parishes)


def test_on_a_shared_boundary_the_first_code_wins(parishes) -> None:
    # The edge between Weobley (E04000001) and Dilwyn (E04000002).
    assert locate((X0 + 2_000, Y0 + 700), parishes=parishes).parish_code == "E04000001"


def test_hubs_must_be_named_points(parishes) -> None:
    unnamed = gpd.GeoDataFrame({"id": [1]}, geometry=[Point(X0, Y0)], crs=27700)
    with pytest.raises(DataError, match="no 'name' column"):
        locate((X0 + 10, Y0 + 10), parishes=parishes, hubs=unnamed)
    areas = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(X0, Y0, X0 + 1, Y0 + 1)], crs=27700)
    with pytest.raises(GeometryError, match="hubs must be points"):
        locate((X0 + 10, Y0 + 10), parishes=parishes, hubs=areas)


def test_hubs_in_wgs84_are_converted(parishes, hubs) -> None:
    result = locate((X0 + 5_000, Y0 + 1_500), parishes=parishes, hubs=hubs.to_crs(4326))
    assert result.nearest_hub == "Kington hub"
    assert result.hub_distance_m == pytest.approx(500, abs=3)


def test_locate_many_keeps_every_row_and_says_why(parishes, hubs, directory) -> None:
    lon, lat = bng_to_lonlat([X0 + 5_500], [Y0 + 500])
    places = pd.DataFrame(
        {
            "ref": ["a", "b", "c", "d", "e", "f"],
            "Easting": [X0 + 100, None, None, X0 - 10_000, "abc", None],
            "Northing": [Y0 + 100, None, None, Y0, Y0, None],
            "lat": [None, float(lat[0]), None, None, None, None],
            "lon": [None, float(lon[0]), None, None, None, None],
            "postcode": [None, None, "HR4 8AA", None, None, "HR1 1AA"],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    out = locate_many(places, parishes=parishes, hubs=hubs, postcodes=directory)
    assert out.index.tolist() == places.index.tolist()
    assert out["ref"].tolist() == places["ref"].tolist()
    assert out["parish_name"].tolist()[:3] == ["Weobley", "Kington", "Dilwyn"]
    assert out["tier"].tolist()[:3] == [1, 2, 1]
    assert out["nearest_hub"].tolist()[:3] == ["Weobley hub", "Kington hub", "Weobley hub"]
    problems = out["problem"].tolist()
    assert pd.isna(problems[:3]).all()
    assert problems[3].startswith("outside the county: 10.0 km")
    assert problems[4].startswith("text in coordinate columns")
    assert problems[5].startswith("unknown postcode")
    assert out["parish_code"].isna().tolist() == [False] * 3 + [True] * 3


def test_locate_many_with_a_geodataframe(parishes) -> None:
    frame = gpd.GeoDataFrame(
        {"name": ["x", "y"]},
        geometry=[Point(X0 + 4_500, Y0 + 10), Point(X0 + 100, Y0 + 100)],
        crs=27700,
    )
    out = locate_many(frame, parishes=parishes)
    assert "geometry" not in out.columns
    assert out["locality"].tolist() == ["Kington", "Weobley"]
    assert out["easting"].tolist() == [X0 + 4_500, X0 + 100]


def test_the_demo_county_answers_for_its_postcodes() -> None:
    from localitygis.demo.county import load_demo
    from localitygis.localities.build import build_localities
    from localitygis.localities.scheme import demo_scheme

    demo = load_demo()
    parishes = demo.parishes.rename(columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"})
    built = build_localities(parishes, catchments=demo.catchments, scheme=demo_scheme())
    # Every directory postcode (one at each settlement) is in the parish the generator says.
    out = locate_many(demo.postcodes[["pcds", "parish"]].rename(columns={"pcds": "postcode"}),
                      parishes=built.parishes, postcodes=demo.postcodes)  # fmt: skip
    assert out["problem"].isna().all()
    assert (out["parish_code"] == out["parish"]).all()
    library = locate("HR4 0AS", parishes=built.parishes, postcodes=demo.postcodes)
    assert library.locality == "Hereford City"
    assert library.tier == 3


def test_a_locator_reuses_its_indexes_and_agrees_with_locate(parishes, hubs, directory) -> None:
    raw = pd.DataFrame({"pcd": ["HR4 8AA"], "oseast1m": [X0 + 3_000], "osnrth1m": [Y0 + 500]})
    locator = Locator(parishes, hubs=hubs, postcodes=raw)  # a raw ONSPD frame is read once
    for query in ["HR4 8AA", (X0 + 100, Y0 + 100), Point(X0 + 5_900, Y0 + 1_900)]:
        assert locator.locate(query) == locate(
            query, parishes=parishes, hubs=hubs, postcodes=directory
        )
    places = pd.DataFrame({"easting": [X0 + 100, X0 + 4_100], "northing": [Y0 + 100] * 2})
    pd.testing.assert_frame_equal(
        locator.locate_many(places), locate_many(places, parishes=parishes, hubs=hubs)
    )
    with pytest.raises(OutsideCountyError):
        locator.locate((X0 + 9_000, Y0))


def test_locate_many_gives_categorical_names_and_reuses_the_input_points(parishes, hubs) -> None:
    points = [Point(X0 + 4_500, Y0 + 10), Point(X0 + 100, Y0 + 100), Point(X0 + 9_000, Y0)]
    frame = gpd.GeoDataFrame({"name": ["x", "y", "z"]}, geometry=points, crs=27700)
    out = locate_many(frame, parishes=parishes, hubs=hubs)
    for column in ("parish_code", "parish_name", "locality", "tier_name", "nearest_hub"):
        assert isinstance(out[column].dtype, pd.CategoricalDtype), column
    # Every parish's value is a category, sorted, whatever the points hit.
    assert out["parish_name"].cat.categories.tolist() == ["Dilwyn", "Kington", "Weobley"]
    assert out["nearest_hub"].cat.categories.tolist() == ["Kington hub", "Weobley hub"]
    assert out["parish_name"].tolist()[:2] == ["Kington", "Weobley"]
    assert out["parish_name"].isna().tolist() == [False, False, True]
    assert str(out["tier"].dtype) == "Int64"
    assert out["tier"].tolist()[:2] == [2, 1]
    assert out["nearest_hub"].tolist()[:2] == ["Kington hub", "Weobley hub"]
    assert out["problem"].iloc[2].startswith("outside the county: 3.0 km")


def test_locate_many_without_tier_names_or_hubs_gives_empty_categoricals(parishes) -> None:
    places = pd.DataFrame({"easting": [X0 + 100], "northing": [Y0 + 100]})
    out = locate_many(places, parishes=parishes.drop(columns="tier_name"))
    assert out["tier_name"].isna().all()
    assert out["nearest_hub"].isna().all()
    assert isinstance(out["tier_name"].dtype, pd.CategoricalDtype)
    assert out["locality"].tolist() == ["Weobley"]


def test_locate_many_agrees_with_sjoin_on_random_tessellations() -> None:
    from tests._tessellations import tessellation

    cells = tessellation(21, 80, densify=50.0)
    n = len(cells)
    parishes = gpd.GeoDataFrame(
        {
            "parish_code": [f"E04{i:06d}" for i in range(n)],
            "parish_name": [f"P{i % 7}" for i in range(n)],  # names repeat: codes differ
            "locality": [f"L{i % 5}" for i in range(n)],
            "tier": [i % 3 + 1 for i in range(n)],
        },
        geometry=gpd.GeoSeries(cells).translate(X0, Y0),
        crs=27700,
    )
    rng = np.random.default_rng(4)
    xy = rng.uniform(-50, 1_050, size=(5_000, 2)) + np.array([X0, Y0])  # some outside
    frame = gpd.GeoDataFrame(
        {"id": np.arange(len(xy))}, geometry=gpd.points_from_xy(*xy.T), crs=27700
    )
    out = Locator(parishes).locate_many(frame)  # many points: the point index route
    assert_same_as_sjoin(out, frame, parishes)
