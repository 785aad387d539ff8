"""The demo county: real geography, generated parishes; deterministic, exact, labelled."""

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
    REAL_SOURCE,
    DemoCounty,
    demo_dir,
    generate_demo,
    load_demo,
    write_demo,
)
from localitygis.errors import InputFileError
from localitygis.io import read_lookup, read_parishes, read_vector
from localitygis.provenance import DEMO, provenance_of

REAL_LAYERS = ("county", "wards", "lsoas", "output_areas")
FRAMES = (
    *REAL_LAYERS,
    "parishes",
    "catchments",
    "schools",
    "lookup",
    "assets",
    "postcodes",
    "population_points",
    "repairs",
)
GENERATED = tuple(f for f in FRAMES if f not in REAL_LAYERS and f != "repairs")
COUNTS = ["population", "aged_0_15", "aged_16_59", "aged_60_plus"]
CITY_WARDS = {
    "Aylestone",
    "Belmont",
    "Central",
    "St Martins and Hinton",
    "St Nicholas",
    "Three Elms",
    "Tupsley",
}
#: The real county's area (km²) and its mid-2015 population (IoD2019 File 6).
COUNTY_KM2 = 2_179.7
COUNTY_POPULATION = 188_522
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


def test_committed_roads_are_a_fresh_generation(tmp_path: Path) -> None:
    from localitygis.demo.roads import write_demo_roads

    committed = demo_dir() / "demo_roads.gpkg"
    assert committed.is_file(), "run `python -m localitygis.demo`"
    assert write_demo_roads(tmp_path).read_bytes() == committed.read_bytes()


def test_write_then_load_round_trip(demo: DemoCounty, tmp_path: Path) -> None:
    paths = write_demo(tmp_path, demo=demo)
    assert sorted(paths) == ["assets", "geopackage", "lookup", "postcodes", "readme", "roads"]
    assert all(p.parent == tmp_path and p.is_file() for p in paths.values())
    _assert_same(demo, load_demo(tmp_path), tolerance=0.0)
    total = sum(p.stat().st_size for p in paths.values())
    assert total < 5 * 1024 * 1024


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
        "demo_roads.gpkg",
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
# The real layers


def test_outline_is_the_union_of_the_real_output_areas(demo: DemoCounty) -> None:
    oas = demo.output_areas
    assert len(oas) == 640
    assert oas["OA11CD"].is_unique
    assert oas.geometry.is_valid.all()
    assert bool(oas.geometry.is_valid_coverage())
    county = demo.county.geometry.iloc[0]
    union = shapely.coverage_union_all(oas.geometry.values)
    assert union.symmetric_difference(county).area < 1.0  # m²
    # The real county's area, to the 0.1 km² the published figure is given to.
    assert abs(county.area / 1e6 - COUNTY_KM2) < 0.05
    assert demo.county["area_km2"].iloc[0] == pytest.approx(county.area / 1e6, abs=1e-3)


@pytest.mark.parametrize(
    ("layer", "code", "count"), [("lsoas", "LSOA11CD", 116), ("wards", "WD13CD", 40)]
)
def test_lsoas_and_wards_are_unions_of_whole_output_areas(
    demo: DemoCounty, layer: str, code: str, count: int
) -> None:
    areas = getattr(demo, layer)
    assert len(areas) == count
    assert areas[code].is_unique
    assert bool(areas.geometry.is_valid_coverage())
    oas = demo.output_areas
    assert set(oas[code]) == set(areas[code])
    for row in areas.itertuples(index=False):
        mine = shapely.coverage_union_all(oas.geometry.values[oas[code] == getattr(row, code)])
        assert mine.symmetric_difference(row.geometry).area < 1.0, getattr(row, code)


def test_the_invalid_published_output_area_is_repaired_and_counted(demo: DemoCounty) -> None:
    repairs = demo.repairs
    assert list(repairs.columns) == [
        "layer", "row", "feature", "problem", "area_before_m2", "area_after_m2"
    ]  # fmt: skip
    assert repairs["feature"].tolist() == ["E00070889"]
    assert repairs["problem"].str.contains("Self-intersection").all()
    readme = (demo_dir() / "README.md").read_text(encoding="utf-8")
    assert "E00070889" in readme


def test_real_populations_add_up_at_every_level(demo: DemoCounty) -> None:
    published = pd.read_csv(
        resources.files("localitygis").joinpath(
            "data", "realgeo", "File_6_-_IoD2019_Population_Denominators_herefordshire.csv"
        ),
        encoding="utf-8-sig",
        thousands=",",
    )
    lsoas = demo.lsoas.set_index("LSOA11CD")
    totals = published.set_index("LSOA code (2011)")
    assert (
        lsoas["population"] == totals.loc[lsoas.index, totals.columns[3]]
    ).all()  # the real figure
    for layer in ("output_areas", "lsoas", "wards", "parishes", "population_points"):
        frame = getattr(demo, layer)
        assert frame["population"].sum() == COUNTY_POPULATION, layer
        assert (frame[COUNTS[1:]].sum(axis=1) == frame["population"]).all(), layer
        for band in COUNTS[1:]:
            assert frame[band].sum() == lsoas[band].sum(), (layer, band)
    by_lsoa = demo.output_areas.groupby("LSOA11CD")[COUNTS].sum()
    pd.testing.assert_frame_equal(by_lsoa.loc[lsoas.index], lsoas[COUNTS], check_names=False)
    # Equal shares: the OAs of an LSOA differ by at most one person per band.
    spread = demo.output_areas.groupby("LSOA11CD")[COUNTS[1:]].agg(lambda c: c.max() - c.min())
    assert (spread <= 1).all().all()
    assert demo.county["population"].iloc[0] == COUNTY_POPULATION


# --------------------------------------------------------------------------------------
# Parishes


def test_parishes_tile_the_county_exactly(demo: DemoCounty) -> None:
    parishes = demo.parishes
    assert parishes.crs.to_epsg() == 27700
    assert parishes.geometry.is_valid.all()
    assert (parishes.geom_type == "Polygon").all()
    assert bool(parishes.geometry.is_valid_coverage())
    union = shapely.coverage_union_all(parishes.geometry.values)
    county = demo.county.geometry.iloc[0]
    assert union.symmetric_difference(county).area < 1.0  # m², of 2,179.7 km²
    assert abs(parishes.area.sum() / 1e6 - COUNTY_KM2) < 0.05


def _ward_shares(demo: DemoCounty) -> pd.DataFrame:
    parishes, wards = demo.parishes, demo.wards
    p_idx, w_idx = shapely.STRtree(wards.geometry.values).query(
        parishes.geometry.values, predicate="intersects"
    )
    overlap = shapely.area(
        shapely.intersection(parishes.geometry.values[p_idx], wards.geometry.values[w_idx])
    )
    shares = pd.DataFrame(
        {
            "parish": parishes["PAR21NM"].to_numpy()[p_idx],
            "ward": wards["WD13NM"].to_numpy()[w_idx],
            "of_parish": overlap / parishes.area.to_numpy()[p_idx],
            "of_ward": overlap / wards.area.to_numpy()[w_idx],
        }
    )
    return shares[shares["of_parish"] > 1e-9]


def test_every_parish_lies_in_one_ward_or_is_whole_wards(demo: DemoCounty) -> None:
    shares = _ward_shares(demo)
    wards_of = shares.groupby("parish")["ward"].agg(set)
    spanning = wards_of[wards_of.map(len) > 1]
    assert set(spanning.index) == {"Hereford", "Leominster", "Ross-on-Wye"}
    # A parish in one ward lies wholly in it; a town parish holds its wards whole.
    assert shares.loc[~shares["parish"].isin(spanning.index), "of_parish"].min() > 1 - 1e-9
    assert shares.loc[shares["parish"].isin(spanning.index), "of_ward"].min() > 1 - 1e-9
    assert wards_of["Hereford"] == CITY_WARDS
    assert wards_of["Leominster"] == {"Leominster North", "Leominster South"}
    assert wards_of["Ross-on-Wye"] == {"Ross-on-Wye East", "Ross-on-Wye West"}


def test_every_ward_is_tiled_by_its_parishes(demo: DemoCounty) -> None:
    shares = _ward_shares(demo)
    covered = shares.groupby("ward")["of_ward"].sum()
    assert len(covered) == 40
    assert np.allclose(covered, 1.0, atol=1e-9)


def test_hereford_is_exactly_the_seven_city_wards(demo: DemoCounty) -> None:
    wards = demo.wards[demo.wards["WD13NM"].isin(CITY_WARDS)]
    assert len(wards) == 7
    city = demo.parishes.loc[demo.parishes["PAR21NM"] == "Hereford"].geometry.iloc[0]
    assert city.symmetric_difference(shapely.coverage_union_all(wards.geometry.values)).area < 1.0
    hereford = demo.parishes.set_index("PAR21NM").loc["Hereford"]
    assert hereford["population"] == wards["population"].sum()


def test_parish_codes_names_and_fields(demo: DemoCounty) -> None:
    parishes = demo.parishes
    assert list(parishes.columns) == [
        "PAR21CD", "PAR21NM", *COUNTS, "data_source", "geometry"
    ]  # fmt: skip
    assert len(parishes) == len(_fact("parish_places.csv"))
    assert parishes["PAR21CD"].is_unique
    assert parishes["PAR21CD"].str.fullmatch(r"E04009\d{3}").all()
    assert sorted(parishes["PAR21NM"]) == sorted(_fact("parish_places.csv")["parish_name"])


def test_parish_edges_inside_wards_wiggle(demo: DemoCounty) -> None:
    edges = shapely.difference(
        shapely.union_all(demo.parishes.boundary.values),
        shapely.union_all(demo.wards.boundary.values).buffer(0.5),
    )
    assert edges.length > 500_000  # metres of generated parish edge inside the wards
    # Densified and displaced, not straight: simplifying at 1 m keeps most vertices.
    lines = shapely.get_parts(shapely.line_merge(edges))
    vertices = shapely.get_num_coordinates(lines)
    kept = shapely.get_num_coordinates(shapely.simplify(lines, 1.0))
    assert kept.sum() / vertices.sum() > 0.5


def test_each_parish_contains_its_place_point_but_cusop_moved_in(demo: DemoCounty) -> None:
    places = _fact("parish_places.csv").set_index("parish_name")
    parishes = demo.parishes.set_index("PAR21NM")
    points = shapely.points(places.loc[parishes.index, ["easting", "northing"]].to_numpy(float))
    inside = pd.Series(shapely.contains(parishes.geometry.values, points), parishes.index)
    assert inside.drop("Cusop").all(), inside[~inside]
    county = demo.county.geometry.iloc[0]
    cusop = shapely.Point(places.loc["Cusop", ["easting", "northing"]].to_numpy(float))
    assert not county.contains(cusop)  # over the Welsh border by Hay-on-Wye
    # Its parish is the part of the county nearest that point.
    nearest = parishes.geometry.distance(cusop).idxmin()
    assert nearest == "Cusop"
    assert parishes.geometry["Cusop"].distance(cusop) < 1_000


def test_populations_are_real_totals_apportioned(demo: DemoCounty) -> None:
    parishes = demo.parishes.set_index("PAR21NM")
    assert parishes["population"].dtype == np.int64
    assert (parishes["population"] > 0).all()
    assert parishes["population"].sum() == COUNTY_POPULATION
    # Exact at every level: the parishes of a ward (or a town's wards) add up to it.
    shares = _ward_shares(demo)
    home_ward = shares.sort_values("of_parish").groupby("parish")["ward"].last()
    by_ward = parishes.groupby(home_ward.loc[parishes.index].to_numpy())[COUNTS].sum()
    wards = demo.wards.set_index("WD13NM")[COUNTS]
    towns = {"Hereford": CITY_WARDS, "Leominster": {"Leominster North", "Leominster South"},
             "Ross-on-Wye": {"Ross-on-Wye East", "Ross-on-Wye West"}}  # fmt: skip
    for town, its_wards in towns.items():
        together = wards.loc[sorted(its_wards)].sum()
        assert (parishes.loc[town, COUNTS] == together).all(), town
        wards = wards.drop(index=sorted(its_wards))
        by_ward = by_ward.drop(index=[w for w in its_wards if w in by_ward.index])
    pd.testing.assert_frame_equal(by_ward.loc[wards.index], wards, check_names=False)
    # The city and market towns are the biggest parishes, as in the real county.
    towns = _fact("town_populations.csv")["parish_name"].tolist()
    assert set(parishes["population"].nlargest(4).index) <= set(towns)
    assert parishes.loc["Hereford", "population"] > 50_000


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


def test_catchments_tile_the_county(demo: DemoCounty) -> None:
    catchments = demo.catchments
    schools = _fact("secondary_schools.csv")
    assert sorted(catchments["catchment"]) == sorted(schools["catchment"])
    assert catchments["catchment"].nunique() == 14
    assert catchments.geometry.is_valid.all()
    assert bool(catchments.geometry.is_valid_coverage())
    county = demo.county.geometry.iloc[0]
    union = shapely.coverage_union_all(catchments.geometry.values)
    assert union.symmetric_difference(county).area < 1.0


def test_a_few_parishes_are_split_between_catchments(demo: DemoCounty) -> None:
    shares = _overlap_shares(demo)
    best = shares.groupby("parish_code").head(1).set_index("parish_code")
    split = best[best["share"] < 1 - 1e-9]
    assert 2 <= len(split) <= 3
    assert split["share"].between(0.5, 0.8).all()
    second = shares.groupby("parish_code").nth(1).set_index("parish_code")["share"]
    assert second.reindex(split.index).between(0.2, 0.5).all()
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


def test_localities_are_plausible_and_add_up(demo: DemoCounty) -> None:
    locality = demo.schools.set_index("catchment")["locality"]
    parishes = demo.parishes.set_index("PAR21CD")
    named = demo.lookup["catchment"].map(locality).to_numpy()
    table = parishes.loc[demo.lookup["parish_code"]].assign(locality=named)
    summary = table.groupby("locality").agg(
        parishes=("PAR21NM", "size"), population=("population", "sum")
    )
    summary["km2"] = table.area.groupby(table["locality"]).sum() / 1e6
    assert len(summary) == 9
    assert summary["population"].sum() == COUNTY_POPULATION
    assert summary["km2"].sum() == pytest.approx(COUNTY_KM2, abs=0.05)
    # The city is the most populous and the densest; rural localities are large and sparse.
    density = summary["population"] / summary["km2"]
    assert summary["population"].idxmax() == "Hereford City"
    assert (density.drop("Hereford City") < density["Hereford City"] / 3).all()
    rural = summary.drop("Hereford City")
    assert (rural["km2"] > 100).all()
    assert (rural["population"] > 5_000).all()
    assert (rural["parishes"] >= 5).all()


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


def test_population_points_are_the_parts_of_output_areas_and_add_up_to_everything(
    demo: DemoCounty,
) -> None:
    points = demo.population_points
    assert list(points.columns) == [
        "area_code", "parish_code", *COUNTS, "data_source", "geometry"
    ]  # fmt: skip
    assert not points[["area_code", "parish_code"]].duplicated().any()  # one per part
    assert (points["population"] > 0).all()
    assert (points[COUNTS[1:]].sum(axis=1) == points["population"]).all()
    # The parts of each OA add up to the OA, and the points in each parish to the parish.
    oas = demo.output_areas.set_index("OA11CD")
    by_oa = points.groupby("area_code")[COUNTS].sum()
    pd.testing.assert_frame_equal(
        by_oa.reindex(oas.index, fill_value=0), oas[COUNTS], check_names=False
    )
    parishes = demo.parishes.set_index("PAR21CD")
    by_parish = points.groupby("parish_code")[COUNTS].sum()
    pd.testing.assert_frame_equal(
        by_parish.reindex(parishes.index, fill_value=0), parishes[COUNTS], check_names=False
    )
    # Each point stands in its OA and in the parish it names.
    assert shapely.contains(
        oas.geometry.loc[points["area_code"]].to_numpy(), points.geometry.values
    ).all()
    assert shapely.contains(
        parishes.geometry.loc[points["parish_code"]].to_numpy(), points.geometry.values
    ).all()


# --------------------------------------------------------------------------------------
# Labels


@pytest.mark.parametrize("name", GENERATED)
def test_every_generated_frame_is_labelled_as_demo_data(demo: DemoCounty, name: str) -> None:
    frame = getattr(demo, name)
    assert (frame["data_source"] == DATA_SOURCE).all()
    assert frame.attrs["provenance"] == DEMO
    assert provenance_of(frame).is_demo


@pytest.mark.parametrize("name", REAL_LAYERS)
def test_every_real_layer_says_it_is_real_and_carries_the_demo_provenance(
    demo: DemoCounty, name: str
) -> None:
    frame = getattr(demo, name)
    assert (frame["data_source"] == REAL_SOURCE).all()
    assert frame.attrs["provenance"] == DEMO
    assert provenance_of(frame).is_demo


def test_demo_provenance_says_what_is_real_and_what_is_generated() -> None:
    text = DEMO.attribution
    assert DEMO.is_demo
    for part in (
        "parish and catchment boundaries and asset positions are generated",
        "outline, wards, small areas, populations, deprivation and asset names are real",
        "Contains OS data © Crown copyright",
        "Open Government Licence v3.0",
        "UK-GeoJSON by Martin Chorley, CC BY 4.0",
        "English Indices of Deprivation 2019",
    ):
        assert part in text, part


def test_every_committed_file_is_labelled(committed: DemoCounty) -> None:
    folder = demo_dir()
    gpkg = folder / "demo_county.gpkg"
    for layer in pyogrio.list_layers(gpkg)[:, 0]:
        info = pyogrio.read_info(gpkg, layer=layer)
        assert "generated demo data" in info["layer_metadata"]["DESCRIPTION"].lower()
        assert info["layer_metadata"]["is_demo"] == "true"
        assert "UK-GeoJSON" in info["layer_metadata"]["attribution"]
        if layer == "repaired_geometries":
            continue
        assert info["crs"] == "EPSG:27700"
        assert read_vector(gpkg, layer=layer).attrs["provenance"].is_demo
    for csv in ("parish_catchment_lookup.csv", "asset_register.csv", "postcode_directory.csv"):
        table = pd.read_csv(folder / csv, dtype=str)
        assert (table["data_source"] == DATA_SOURCE).all(), csv
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "generated demo data" in readme.lower()
    assert "python -m localitygis.demo" in readme
    for attribution in ("Open Government Licence", "UK-GeoJSON", "Indices of Deprivation"):
        assert attribution in readme.replace("\n", " ")
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


def test_committed_readme_reports_the_localities_and_they_add_up() -> None:
    readme = (demo_dir() / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| ([A-Z][\w -]+) \| (\d+) \| ([\d,.]+) \| ([\d,]+) \| \d+% \|$", readme, re.M
    )
    assert len(rows) == 9
    assert sum(int(r[1]) for r in rows) == len(_fact("parish_places.csv"))
    assert sum(int(r[3].replace(",", "")) for r in rows) == COUNTY_POPULATION
    assert sum(float(r[2].replace(",", "")) for r in rows) == pytest.approx(COUNTY_KM2, abs=0.5)
