"""The generated demo county: deterministic, valid, calibrated, labelled, committed."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import localitygis.demo.county as demo_module
from localitygis.crs import lonlat_to_bng
from localitygis.demo.county import (
    DATA_SOURCE,
    DemoCounty,
    demo_dir,
    generate_demo,
    load_demo,
    write_demo,
)
from localitygis.errors import InputFileError
from localitygis.io import read_lookup, read_parishes, read_vector
from localitygis.provenance import DEMO, provenance_of

FRAMES = (
    "county",
    "parishes",
    "catchments",
    "schools",
    "lookup",
    "assets",
    "postcodes",
    "population_points",
)
ASSET_COLUMNS = [
    "asset_id",
    "name",
    "category",
    "partner",
    "sector",
    "place",
    "postcode",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "annual_cost",
    "floor_area_m2",
    "data_source",
]


def _fact(name: str) -> pd.DataFrame:
    source = resources.files("localitygis").joinpath("data", "demo_facts", name)
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


@pytest.fixture(scope="module")
def demo() -> DemoCounty:
    return generate_demo()


@pytest.fixture(scope="module")
def committed() -> DemoCounty:
    return load_demo()


def _assert_same(left: DemoCounty, right: DemoCounty, *, tolerance: float) -> None:
    for name in FRAMES:
        a, b = getattr(left, name), getattr(right, name)
        assert list(a.columns) == list(b.columns), name
        if isinstance(a, gpd.GeoDataFrame):
            assert a.crs == b.crs, name
            same = shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=tolerance)
            assert same.all(), f"{name}: {int((~same).sum())} geometries differ"
            a, b = a.drop(columns=a.geometry.name), b.drop(columns=b.geometry.name)
        pd.testing.assert_frame_equal(
            pd.DataFrame(a).reset_index(drop=True), pd.DataFrame(b).reset_index(drop=True)
        )


# --------------------------------------------------------------------------------------
# Determinism and the committed files


def test_generation_is_deterministic(demo: DemoCounty) -> None:
    _assert_same(demo, generate_demo(), tolerance=0.0)


def test_committed_files_agree_with_a_fresh_generation(
    demo: DemoCounty, committed: DemoCounty
) -> None:
    assert (demo_dir() / "demo_county.gpkg").is_file(), "run `python -m localitygis.demo`"
    _assert_same(demo, committed, tolerance=0.01)


def test_write_then_load_round_trip(demo: DemoCounty, tmp_path: Path) -> None:
    paths = write_demo(tmp_path, demo=demo)
    assert sorted(paths) == ["assets", "geopackage", "lookup", "postcodes", "readme"]
    assert all(p.parent == tmp_path and p.is_file() for p in paths.values())
    _assert_same(demo, load_demo(tmp_path), tolerance=0.0)
    total = sum(p.stat().st_size for p in paths.values())
    assert total < 10 * 1024 * 1024
    assert paths["geopackage"].stat().st_size < 1024 * 1024


def test_regenerated_files_are_byte_identical(demo: DemoCounty, tmp_path: Path) -> None:
    first = write_demo(tmp_path / "a", demo=demo)
    second = write_demo(tmp_path / "b", demo=demo)
    for key, path in first.items():
        assert path.read_bytes() == second[key].read_bytes(), key


def test_module_entry_point_writes_the_files(
    demo: DemoCounty, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(demo_module, "generate_demo", lambda: demo)
    assert demo_module.main([str(tmp_path)]) == 0
    assert "demo_county.gpkg" in capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} == {
        "demo_county.gpkg",
        "parish_catchment_lookup.csv",
        "asset_register.csv",
        "postcode_directory.csv",
        "README.md",
    }


def test_load_demo_regenerates_when_the_folder_is_missing(
    demo: DemoCounty, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_module, "demo_dir", lambda: tmp_path / "not-installed")
    monkeypatch.setattr(demo_module, "generate_demo", lambda: demo)
    assert demo_module.load_demo() is demo


def test_load_demo_from_a_named_folder_without_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"no demo county file\(s\) demo_county\.gpkg"):
        load_demo(tmp_path)


# --------------------------------------------------------------------------------------
# Parishes


def test_parishes_tile_the_county(demo: DemoCounty) -> None:
    parishes = demo.parishes
    assert parishes.crs.to_epsg() == 27700
    assert parishes.geometry.is_valid.all()
    assert (parishes.geom_type == "Polygon").all()
    assert bool(parishes.geometry.is_valid_coverage())
    union = shapely.coverage_union_all(parishes.geometry.values)
    county = demo.county.geometry.iloc[0]
    assert abs(union.area - county.area) / county.area < 1e-4
    assert abs(parishes.area.sum() - county.area) / county.area < 1e-4
    assert union.symmetric_difference(county).area / county.area < 1e-4
    assert abs(county.area / 1e6 - 2_180) < 2_180 * 0.02


def test_parish_codes_names_and_fields(demo: DemoCounty) -> None:
    parishes = demo.parishes
    assert list(parishes.columns) == ["PAR21CD", "PAR21NM", "population", "data_source", "geometry"]
    assert len(parishes) == 203
    assert parishes["PAR21CD"].is_unique
    assert parishes["PAR21CD"].str.fullmatch(r"E04009\d{3}").all()
    assert sorted(parishes["PAR21NM"]) == sorted(_fact("parish_places.csv")["parish_name"])


def test_parish_edges_wiggle_with_realistic_vertex_counts(demo: DemoCounty) -> None:
    geometry = demo.parishes.geometry.values
    vertices = shapely.get_num_coordinates(geometry)
    assert vertices.min() >= 20
    assert vertices.max() <= 400
    # Densified straight edges would simplify (at 1 m) back to a handful of corners.
    kept = shapely.get_num_coordinates(shapely.simplify(geometry, 1.0)) / vertices
    assert np.median(kept) > 0.5


def test_each_parish_contains_its_place_point(demo: DemoCounty) -> None:
    places = _fact("parish_places.csv").set_index("parish_name")
    parishes = demo.parishes.set_index("PAR21NM")
    points = shapely.points(places.loc[parishes.index, ["easting", "northing"]].to_numpy(float))
    inside = shapely.contains(parishes.geometry.values, points)
    # The displacement moves edges by up to a few hundred metres; almost every settlement
    # point stays inside its own parish.
    assert inside.mean() > 0.95


def test_populations(demo: DemoCounty) -> None:
    parishes = demo.parishes.set_index("PAR21NM")
    assert parishes["population"].dtype == np.int64
    assert (parishes["population"] > 0).all()
    assert abs(parishes["population"].sum() - 183_500) <= 183_500 * 0.005
    towns = _fact("town_populations.csv")
    for name, population in zip(towns["parish_name"], towns["population_2011_approx"], strict=True):
        assert parishes.at[name, "population"] == population
    hereford_km2 = parishes.geometry["Hereford"].area / 1e6
    assert 12 < hereford_km2 < 35


# --------------------------------------------------------------------------------------
# Catchments, schools, lookup


def _overlap_shares(demo: DemoCounty) -> pd.DataFrame:
    parishes, catchments = demo.parishes, demo.catchments
    tree = shapely.STRtree(catchments.geometry.values)
    p_idx, c_idx = tree.query(parishes.geometry.values, predicate="intersects")
    pieces = shapely.intersection(
        parishes.geometry.values[p_idx], catchments.geometry.values[c_idx]
    )
    shares = pd.DataFrame(
        {
            "parish_code": parishes["PAR21CD"].to_numpy()[p_idx],
            "catchment": catchments["catchment"].to_numpy()[c_idx],
            "share": shapely.area(pieces) / parishes.area.to_numpy()[p_idx],
        }
    )
    return shares.sort_values(["parish_code", "share"], ascending=[True, False])


def test_catchments_are_a_valid_tiling(demo: DemoCounty) -> None:
    catchments = demo.catchments
    schools = _fact("secondary_schools.csv")
    assert sorted(catchments["catchment"]) == sorted(schools["catchment"])
    assert catchments["catchment"].nunique() == 14
    assert catchments.geometry.is_valid.all()
    assert bool(catchments.geometry.is_valid_coverage())
    county = demo.county.geometry.iloc[0]
    union = shapely.coverage_union_all(catchments.geometry.values)
    # Independently digitised: slivers along the outline, but well under 1 % of the county.
    assert union.symmetric_difference(county).area / county.area < 0.01


def test_catchment_edges_are_offset_from_parish_edges(demo: DemoCounty) -> None:
    lookup = demo.lookup.set_index("parish_code")["catchment"]
    parishes = demo.parishes.assign(catchment=demo.parishes["PAR21CD"].map(lookup))
    offsets = []
    for name, catchment in zip(demo.catchments["catchment"], demo.catchments.geometry, strict=True):
        own = shapely.coverage_union_all(parishes.geometry[parishes["catchment"] == name].values)
        boundary_vertices = shapely.points(shapely.get_coordinates(catchment.boundary))
        offsets.append(np.median(shapely.distance(boundary_vertices, own.boundary)))
    # Not copied from the parish edges (offset > 1 m), yet following them (tens of metres).
    assert 1.0 < np.median(offsets) < 100.0


def test_a_few_parishes_are_split_between_catchments(demo: DemoCounty) -> None:
    shares = _overlap_shares(demo)
    best = shares.groupby("parish_code").head(1).set_index("parish_code")
    split = best[best["share"] < 0.9]
    assert 2 <= len(split) <= 3
    assert split["share"].between(0.5, 0.8).all()
    second = shares.groupby("parish_code").nth(1).set_index("parish_code")["share"]
    assert second.reindex(split.index).between(0.2, 0.5).all()
    # Everything else lies (almost) wholly in one catchment.
    assert best.drop(split.index)["share"].min() > 0.95
    # The split parishes straddle two localities, so the split matters.
    locality = _fact("secondary_schools.csv").set_index("catchment")["locality"]
    top_two = shares[shares["parish_code"].isin(split.index)].groupby("parish_code").head(2)
    assert (
        top_two.groupby("parish_code")["catchment"].agg(lambda c: locality[c].nunique()) == 2
    ).all()


def test_lookup_is_the_largest_overlap_assignment(demo: DemoCounty) -> None:
    lookup = demo.lookup
    assert list(lookup.columns) == ["parish_code", "catchment", "data_source"]
    assert sorted(lookup["parish_code"]) == sorted(demo.parishes["PAR21CD"])
    best = _overlap_shares(demo).groupby("parish_code").head(1).set_index("parish_code")
    assert (best.loc[lookup["parish_code"], "catchment"].to_numpy() == lookup["catchment"]).all()


def test_schools(demo: DemoCounty) -> None:
    schools = demo.schools
    facts = _fact("secondary_schools.csv")
    assert schools[["school", "catchment", "locality"]].equals(
        facts[["school", "catchment", "locality"]].astype(schools["school"].dtype)
    )
    assert (schools.geom_type == "Point").all()
    catchments = demo.catchments.set_index("catchment").geometry
    # Rural schools stand in their own catchment (city schools share the city parish).
    for school, catchment, locality in schools[["school", "catchment", "locality"]].itertuples(
        index=False
    ):
        if locality != "Hereford City":
            point = schools.geometry[schools["school"] == school].iloc[0]
            assert catchments[catchment].contains(point), school


def test_golden_valley_is_roughly_calibrated(demo: DemoCounty) -> None:
    locality = demo.schools.set_index("catchment")["locality"]
    parishes = demo.parishes.set_index("PAR21CD")
    in_gv = demo.lookup["catchment"].map(locality).eq("Golden Valley").to_numpy()
    gv = parishes.loc[demo.lookup["parish_code"][in_gv]]
    assert 33 <= len(gv) <= 49
    assert abs(gv.area.sum() / 1e6 - 424) < 424 * 0.15
    assert abs(gv["population"].sum() - 14_200) < 14_200 * 0.05


# --------------------------------------------------------------------------------------
# Assets and postcodes


def _asset_points(demo: DemoCounty) -> tuple[np.ndarray, np.ndarray]:
    """Resolve every asset's position by its own route; return (xy, route)."""
    assets = demo.assets
    directory = demo.postcodes.set_index("pcds")
    has_bng = assets["easting"].notna() & assets["northing"].notna()
    has_lonlat = assets["latitude"].notna() & assets["longitude"].notna()
    xy = np.full((len(assets), 2), np.nan)
    xy[has_bng] = assets.loc[has_bng, ["easting", "northing"]].to_numpy(float)
    only_lonlat = has_lonlat & ~has_bng
    e, n = lonlat_to_bng(assets.loc[only_lonlat, "longitude"], assets.loc[only_lonlat, "latitude"])
    xy[only_lonlat] = np.column_stack([e, n])
    only_postcode = ~has_bng & ~has_lonlat
    found = directory.loc[assets.loc[only_postcode, "postcode"], ["oseast1m", "osnrth1m"]]
    xy[only_postcode] = found.to_numpy(float)
    route = np.select([has_bng, only_lonlat], ["bng", "lonlat"], "postcode")
    return xy, route


def test_asset_register_shape(demo: DemoCounty) -> None:
    assets = demo.assets
    assert list(assets.columns) == ASSET_COLUMNS
    assert 300 <= len(assets) <= 800
    assert assets["asset_id"].is_unique
    known = _fact("known_assets.csv")
    assert set(known["name"]) <= set(assets["name"])
    mine = assets.set_index("name").loc[known["name"]]
    for column in ("category", "partner", "sector", "place"):
        assert (mine[column].to_numpy() == known[column].to_numpy()).all(), column
    assert set(assets["category"]) == set(known["category"]) | {"village_hall", "primary_school"}
    halls = assets[assets["category"] == "village_hall"]
    assert (halls["sector"] == "voluntary_community").all()
    assert halls["partner"].str.endswith(("Parish Council", "Town Council", "City Council")).all()
    schools = assets[assets["category"] == "primary_school"]
    assert set(schools["sector"]) == {"council", "voluntary_community"}
    # Village halls and primary schools in most parishes.
    assert halls["place"].nunique() > 0.7 * 203
    assert schools["place"].nunique() > 0.5 * 203
    assert (assets["annual_cost"].dropna() > 0).all()
    # Costs are optional: a few village halls report none, everything else does.
    unreported = assets[assets["annual_cost"].isna()]
    assert 0 < len(unreported) < 0.25 * len(halls)
    assert (unreported["category"] == "village_hall").all()
    assert (assets["floor_area_m2"].dropna() > 0).all()


def test_assets_use_every_position_route(demo: DemoCounty) -> None:
    _, route = _asset_points(demo)
    share = pd.Series(route).value_counts(normalize=True)
    assert share["bng"] > 0.7
    assert 0.05 <= share["lonlat"] <= 0.15
    assert 0.05 <= share["postcode"] <= 0.15
    known = _fact("known_assets.csv").dropna(subset=["easting"])
    surveyed = demo.assets.set_index("name").loc[known["name"]]
    assert np.allclose(surveyed["easting"], known["easting"])
    assert np.allclose(surveyed["northing"], known["northing"])


def test_every_asset_is_inside_its_own_parish(demo: DemoCounty) -> None:
    xy, _ = _asset_points(demo)
    parishes = demo.parishes.set_index("PAR21NM").geometry
    inside = shapely.contains(parishes.loc[demo.assets["place"]].to_numpy(), shapely.points(xy))
    assert inside.all(), demo.assets.loc[~inside, ["asset_id", "name", "place"]]


def test_every_register_postcode_is_in_the_directory(demo: DemoCounty) -> None:
    directory = demo.postcodes
    assert set(demo.assets["postcode"]) <= set(directory["pcds"])
    assert set(_fact("known_assets.csv")["postcode"].dropna()) <= set(directory["pcds"])


def test_postcode_directory_shape_and_positions(demo: DemoCounty) -> None:
    directory = demo.postcodes
    assert list(directory.columns) == [
        "pcd", "pcd2", "pcds", "oseast1m", "osnrth1m", "lat", "long", "parish", "data_source"
    ]  # fmt: skip
    assert directory["pcds"].is_unique
    assert directory["pcds"].str.fullmatch(r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}").all()
    assert (directory["pcd"].str.len() == 7).all()
    assert (directory["pcd2"].str.len() == 8).all()
    assert (directory["pcd2"].str[4] == " ").all()
    for pcd, pcds in zip(directory["pcd"], directory["pcds"], strict=True):
        outward, inward = pcds.split()
        assert pcd == outward.ljust(4) + inward
    # Every parish can be found by postcode, and each postcode lies in its parish.
    assert set(directory["parish"]) == set(demo.parishes["PAR21CD"])
    parishes = demo.parishes.set_index("PAR21CD").geometry
    points = shapely.points(directory[["oseast1m", "osnrth1m"]].to_numpy(float))
    assert shapely.contains(parishes.loc[directory["parish"]].to_numpy(), points).all()
    e, n = lonlat_to_bng(directory["long"], directory["lat"])
    assert np.hypot(e - directory["oseast1m"], n - directory["osnrth1m"]).max() < 1.0
    # Postcodes of assets with coordinates are where those assets are (same street).
    xy, route = _asset_points(demo)
    where = directory.set_index("pcds").loc[demo.assets["postcode"], ["oseast1m", "osnrth1m"]]
    gap = np.hypot(*(xy - where.to_numpy(float)).T)
    assert gap[route != "postcode"].max() < 50.0
    assert gap[route == "postcode"].max() == 0.0


def test_postcode_areas_fit_the_place(demo: DemoCounty) -> None:
    assets = demo.assets.set_index("place")
    assert assets.loc[["Leintwardine"], "postcode"].str.startswith("SY7").all()
    assert assets.loc[["Colwall"], "postcode"].str.startswith("WR13").all()
    assert assets.loc[["Ross-on-Wye"], "postcode"].str.startswith("HR9").all()


# --------------------------------------------------------------------------------------
# Population points


def test_population_points_sum_to_parish_populations(demo: DemoCounty) -> None:
    points = demo.population_points
    assert list(points.columns) == [
        "area_code", "parish_code", "population", "data_source", "geometry"
    ]  # fmt: skip
    assert points["area_code"].is_unique
    totals = points.groupby("parish_code")["population"].sum()
    expected = demo.parishes.set_index("PAR21CD")["population"]
    pd.testing.assert_series_equal(
        totals.reindex(expected.index), expected, check_names=False, check_index_type=False
    )
    assert (points["population"] > 0).all()
    assert abs(len(points) - expected.sum() / 300) < 0.15 * expected.sum() / 300
    parishes = demo.parishes.set_index("PAR21CD").geometry
    assert shapely.contains(
        parishes.loc[points["parish_code"]].to_numpy(), points.geometry.values
    ).all()


def test_population_points_cluster_round_settlements(demo: DemoCounty) -> None:
    points = demo.population_points
    city = demo.parishes.loc[demo.parishes["PAR21NM"] == "Hereford", "PAR21CD"].iloc[0]
    assert (points["parish_code"] == city).sum() > 150
    places = _fact("parish_places.csv").set_index("parish_name")
    names = demo.parishes.set_index("PAR21CD")["PAR21NM"]
    place_xy = places.loc[names.loc[points["parish_code"]], ["easting", "northing"]].to_numpy()
    distance = np.hypot(*(shapely.get_coordinates(points.geometry.values) - place_xy).T)
    spread = np.sqrt(demo.parishes.set_index("PAR21CD").area.loc[points["parish_code"]]).to_numpy()
    # Most points are nearer the settlement than a parish-sized scatter would put them.
    assert np.median(distance / spread) < 0.3


# --------------------------------------------------------------------------------------
# Labels


@pytest.mark.parametrize("name", FRAMES)
def test_every_frame_is_labelled_as_demo_data(demo: DemoCounty, name: str) -> None:
    frame = getattr(demo, name)
    assert (frame["data_source"] == DATA_SOURCE).all()
    assert frame.attrs["provenance"] == DEMO
    assert provenance_of(frame).is_demo


def test_every_committed_file_is_labelled(committed: DemoCounty) -> None:
    folder = demo_dir()
    gpkg = folder / "demo_county.gpkg"
    for layer in pyogrio.list_layers(gpkg)[:, 0]:
        info = pyogrio.read_info(gpkg, layer=layer)
        assert "generated demo data" in info["layer_metadata"]["DESCRIPTION"].lower()
        assert info["layer_metadata"]["is_demo"] == "true"
        assert info["crs"] == "EPSG:27700"
        assert read_vector(gpkg, layer=layer).attrs["provenance"].is_demo
    for csv in ("parish_catchment_lookup.csv", "asset_register.csv", "postcode_directory.csv"):
        table = pd.read_csv(folder / csv, dtype=str)
        assert (table["data_source"] == DATA_SOURCE).all(), csv
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "generated demo data" in readme.lower()
    assert "python -m localitygis.demo" in readme
    for name in FRAMES:
        assert getattr(committed, name).attrs["provenance"] == DEMO


def test_committed_files_work_with_the_readers() -> None:
    folder = demo_dir()
    parishes = read_parishes(folder / "demo_county.gpkg", layer="parishes")
    assert list(parishes.columns[:3]) == ["parish_code", "parish_name", "population"]
    assert provenance_of(parishes).is_demo
    lookup = read_lookup(folder / "parish_catchment_lookup.csv")
    assert set(lookup["parish_code"]) == set(parishes["parish_code"])
    assert re.fullmatch(r"E04009\d{3}", lookup["parish_code"].iloc[0])


def test_parish_displacement_is_one_to_one() -> None:
    # A field whose slope is below one moves no two points onto each other, so displacing
    # a valid coverage keeps it valid; the generator relies on this.
    from localitygis.demo.geometry import make_field

    assert make_field("parish", demo_module.PARISH_WIGGLE).max_slope() < 1.0
