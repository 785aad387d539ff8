"""The asset register: real files, every position route, bad rows, locating, invariants."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import Point, box

from localitygis.assets.postcodes import read_postcode_directory
from localitygis.assets.register import AssetRegister, locate_assets, read_assets
from localitygis.assets.vocabulary import DEFAULT_VOCABULARY
from localitygis.crs import bng_to_lonlat
from localitygis.errors import CRSError, DataError, InputFileError
from localitygis.provenance import DEMO, provenance_of

X0, Y0 = 340_000.0, 250_000.0


@pytest.fixture(scope="module")
def parishes() -> gpd.GeoDataFrame:
    """Six 2 km square parishes (3 × 2) in two localities, annotated as after a build."""
    cells, codes, names = [], [], []
    for j in range(2):
        for i in range(3):
            cells.append(box(X0 + 2_000 * i, Y0 + 2_000 * j, X0 + 2_000 * (i + 1),
                             Y0 + 2_000 * (j + 1)))  # fmt: skip
            codes.append(f"E0400000{len(codes) + 1}")
            names.append(f"Parish {len(names) + 1}")
    return gpd.GeoDataFrame(
        {
            "parish_code": codes,
            "parish_name": names,
            "locality": ["West", "West", "East", "West", "West", "East"],
            "tier": [1, 1, 2, 1, 1, 2],
            "tier_name": ["Rural", "Rural", "Market town", "Rural", "Rural", "Market town"],
        },
        geometry=cells,
        crs=27700,
    )


@pytest.fixture(scope="module")
def directory() -> pd.DataFrame:
    return read_postcode_directory(
        pd.DataFrame(
            {
                "pcds": ["HR4 0AS", "HR1 1XX", "HR9 9ZZ"],
                "oseast1m": [341_000, 345_000, None],
                "osnrth1m": [251_000, 253_000, None],
                "doterm": ["", "200512", ""],
            }
        )
    )


def _kinds(register: AssetRegister) -> dict[int, str]:
    """Row number -> the first reason's kind."""
    return {
        int(r): str(reason).split(":")[0].split(";")[0]
        for r, reason in zip(register.rejects["row"], register.rejects["reason"], strict=True)
    }


def _reconciles(register: AssetRegister) -> None:
    counts = register.counts()
    assert counts["read"] == counts["accepted"] + counts["rejected"]
    assert sum(counts["by_reason"].values()) == counts["rejected"]
    seen = sorted([*register.assets["row"].tolist(), *register.rejects["row"].tolist()])
    assert len(seen) == len(set(seen)) == counts["read"]


# --------------------------------------------------------------------------------------
# Reading: every position route


def test_every_position_route_from_a_csv_file(tmp_path: Path, directory, parishes) -> None:
    lon, lat = bng_to_lonlat([343_500.0], [251_500.0])
    path = tmp_path / "register.csv"
    path.write_text(
        "asset_id,name,category,partner,sector,postcode,easting,northing,latitude,longitude\n"
        "A1,Library,Library,Herefordshire Council,Council,hr4 0as,341200,251300,,\n"
        f"A2,Surgery,GP Surgery,NHS Trust,NHS,,,,{lat[0]:.8f},{lon[0]:.8f}\n"
        "A3,Hall,Village Hall,Parish Council,Voluntary and Community,HR40AS,,,,\n"
        "A4,Old Hall,Community Centre,Parish Council,VCS,HR1 1XX,,,,\n",
        encoding="utf-8",
    )
    register = read_assets(path, postcodes=directory)
    _reconciles(register)
    assets = register.assets.set_index("asset_id")
    assert register.rejects.empty
    assert assets["position_source"].to_dict() == {
        "A1": "easting/northing",
        "A2": "latitude/longitude",
        "A3": "postcode",
        "A4": "postcode (terminated)",
    }
    assert assets.loc["A1", "geometry"].equals(Point(341_200, 251_300))
    assert assets.loc["A2", "geometry"].distance(Point(343_500, 251_500)) < 0.01  # OSTN15
    assert assets.loc["A3", "geometry"].equals(Point(341_000, 251_000))
    assert assets.loc["A3", "postcode"] == "HR4 0AS"
    assert assets["category"].tolist() == ["library", "gp_surgery", "village_hall", "village_hall"]
    assert assets["sector"].tolist() == ["council", "nhs", "voluntary_community",
                                         "voluntary_community"]  # fmt: skip
    assert register.assets.crs == "EPSG:27700"
    assert assets["row"].tolist() == [2, 3, 4, 5]
    located = locate_assets(register, parishes)
    assert located.assets.set_index("asset_id")["parish_code"].to_dict() == {
        "A1": "E04000001", "A2": "E04000002", "A3": "E04000001", "A4": "E04000006",
    }  # fmt: skip
    assert list(located.assets.columns[:11]) == [
        "asset_id", "name", "category", "partner", "sector", "postcode", "parish_code",
        "parish_name", "locality", "tier", "tier_name",
    ]  # fmt: skip


BAD_REGISTER = """asset_id,name,category,partner,sector,postcode,easting,northing,latitude,longitude
A01,Good Library,Library,Council,Council,,341000,251000,,
,,,,,,,,,
A03,Text Easting,Library,Council,Council,,three hundred,251000,,
A04,Swapped LatLon,Library,Council,Council,,,,-2.71,52.07
A05,Swapped Far,Library,Council,Council,,251000,341000,,
A06,Degrees In Grid,Library,Council,Council,,-2.71,52.07,,
A01,Duplicate Id,Library,Council,Council,,341500,251500,,
A08,Mystery,Liberry,Council,Council,,341000,251000,,
A09,No Category,,Council,Council,,341000,251000,,
A10,Nowhere,Library,Council,Council,,,,,
A11,Unknown Postcode,Library,Council,Council,HR2 2ZZ,,,,
A12,Invalid Postcode,Library,Council,Council,NOT A PC,,,,
A13,In The Sea,Library,Council,Council,,250000,120000,,
A14,In Wales,Library,Council,Council,,300000,270000,,
A15,Half Coordinates,Library,Council,Council,,341000,,,
A16,Bad Sector,Library,Council,Polise,,341000,251000,,
A17,Next Door,Village Hall,Parish Council,Voluntary and Community,,346200,251000,,
A18,No Grid Reference,Library,Council,Council,HR9 9ZZ,,,,
A19,Outside Britain,Library,Council,Council,,5,5,,
,No Id,Library,Council,Council,,341000,251000,,
A21,Good Hall,Village Hall,Parish Council,VCS,,345000,253000,,
"""

EXPECTED_KINDS = {
    3: "blank row",
    4: "text in coordinate columns",
    5: "latitude and longitude look swapped",
    6: "easting and northing look swapped",  # only once located: (341000, 251000) is inside
    7: "degrees in grid columns",
    8: "duplicate asset_id",
    9: "unknown category",
    10: "no category",
    11: "no position",
    12: "unknown postcode",
    13: "invalid postcode",
    14: "outside the county",
    15: "outside the county",
    16: "incomplete coordinates",
    17: "unknown sector",
    18: "outside the county",  # 200 m over the border: outside, not swapped
    19: "no position",
    20: "coordinates outside Great Britain",
    21: "no asset_id",
}


def test_a_malformed_register_rejects_each_bad_row_with_its_reason(
    tmp_path: Path, directory, parishes
) -> None:
    path = tmp_path / "bad register.csv"
    path.write_text(BAD_REGISTER, encoding="utf-8")
    register = read_assets(path, postcodes=directory)
    _reconciles(register)
    located = locate_assets(register, parishes)
    _reconciles(located)
    assert sorted(located.assets["asset_id"]) == ["A01", "A21"]
    assert _kinds(located) == EXPECTED_KINDS
    rejects = located.rejects.set_index("row")
    reasons = rejects["reason"]
    assert "'Liberry' is not a known category; closest is 'library'" in reasons[9]
    assert "first used on row 2" in reasons[8]
    assert "easting 'three hundred' is not a number" in reasons[4]
    assert "make sense only as latitude 52.07, longitude -2.71" in reasons[5]
    assert "(341000, 251000) is in Parish 1 parish" in reasons[6]
    assert "closest is 'police'" in reasons[17]
    assert "200 m from the boundary (nearest parish: Parish 3)" in reasons[18]
    assert "HR2 2ZZ is not in" in reasons[12]
    # Rejects keep the source and the original columns as written.
    assert (rejects["source"] == "bad register.csv").all()
    assert rejects.loc[4, "easting"] == "three hundred"
    assert rejects.loc[9, "category"] == "Liberry"
    counts = located.counts()
    assert counts["by_reason"]["outside the county"] == 3
    assert counts["read"] == 21


def test_a_row_with_several_problems_lists_them_all(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(
        "asset_id,name,category,easting,northing\n"
        "A1,Library,Library,341000,251000\n"
        "A1,,Liberry,abc,251000\n",
        encoding="utf-8",
    )
    register = read_assets(path)
    reason = register.rejects.loc[0, "reason"]
    assert reason.startswith("duplicate asset_id")
    for part in ("no name", "unknown category", "text in coordinate columns"):
        assert part in reason
    assert register.counts()["by_reason"] == {"duplicate asset_id": 1}


def test_cp1252_register_keeps_pound_signs_and_accents(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    text = (
        "Asset Ref,Site Name,Asset Type,Owner,Sector,Eastings,Northings,Annual Cost (£),GIA\n"
        'R1,Café Library,Library,Herefordshire Council,Council,341000,251000,"£12,500",250\n'
        "R2,Église Hall,Village Hall,Parish,VCS,342000,251000,tbc,-5\n"
    )
    path.write_bytes(text.encode("cp1252"))
    register = read_assets(path)
    assert register.rejects.empty
    assets = register.assets.set_index("asset_id")
    assert assets.loc["R1", "name"] == "Café Library"
    assert assets.loc["R2", "name"] == "Église Hall"
    assert assets.loc["R1", "annual_cost"] == 12_500.0
    assert np.isnan(assets.loc["R2", "annual_cost"])  # "tbc" is noted, not guessed
    assert np.isnan(assets.loc["R2", "floor_area_m2"])  # negative area
    assert any("annual_cost" in note and "rows 3" in note for note in register.notes)
    assert any("floor_area_m2" in note for note in register.notes)


def test_excel_register_row_numbers_match_the_spreadsheet(tmp_path: Path, parishes) -> None:
    path = tmp_path / "register.xlsx"
    pd.DataFrame(
        {
            "asset_id": ["X1", None, "X3", "X4"],
            "name": ["Library", None, "Surgery", "Far Hall"],
            "category": ["library", None, "gp surgery", "village hall"],
            "easting": [341_000, None, 343_000, 400_000],
            "northing": [251_000, None, 253_000, 251_000],
        }
    ).to_excel(path, index=False)
    located = locate_assets(read_assets(path), parishes)
    _reconciles(located)
    assert _kinds(located) == {3: "blank row", 5: "outside the county"}
    assert located.assets["row"].tolist() == [2, 4]
    assert "54.0 km from the boundary" in located.rejects.loc[1, "reason"]


def test_columns_named_like_ours_are_kept_as_original_columns(tmp_path: Path, parishes) -> None:
    # a register with its own reason, locality and row columns: nothing is overwritten, the
    # register's values are kept as original_<name> in both the assets and the rejects
    path = tmp_path / "register.csv"
    pd.DataFrame(
        {
            "asset_id": ["X1", "X2"],
            "name": ["Library", "Far Hall"],
            "category": ["library", "village hall"],
            "easting": [341_000, 400_000],
            "northing": [251_000, 251_000],
            "reason": ["kept open", "closing"],
            "locality": ["Their patch", "Elsewhere"],
            "row": ["r1", "r2"],
        }
    ).to_csv(path, index=False)
    located = locate_assets(read_assets(path), parishes)
    _reconciles(located)
    asset = located.assets.iloc[0]
    assert asset["original_locality"] == "Their patch"
    assert asset["original_row"] == "r1"
    assert asset["row"] == 2
    assert asset["locality"] != "Their patch"
    reject = located.rejects.iloc[0]
    assert reject["original_reason"] == "closing"
    assert reject["original_row"] == "r2"
    assert "outside the county" in reject["reason"]
    assert reject["row"] == 3
    assert not any("(original)" in c for c in [*located.assets, *located.rejects])


def test_geopackage_and_geojson_registers(tmp_path: Path, parishes) -> None:
    frame = gpd.GeoDataFrame(
        {
            "asset_id": ["G1", "G2", "G3", "G4"],
            "name": ["Library", "Depot Site", "Swapped", "No Geometry"],
            "category": ["Library", "Depot", "Library", "Library"],
            "partner": ["Council"] * 4,
            "sector": ["Council"] * 4,
        },
        geometry=[
            Point(341_000, 251_000),
            box(342_100, 251_100, 342_300, 251_300),
            Point(1_241_000, 251_000),  # no easting is 1,241,000: a northing
            None,
        ],
        crs=27700,
    )
    gpkg = tmp_path / "register.gpkg"
    frame.to_file(gpkg, layer="assets")
    register = read_assets(gpkg)
    _reconciles(register)
    assert register.assets["asset_id"].tolist() == ["G1"]
    kinds = _kinds(register)
    assert kinds == {2: "not a point", 3: "easting and northing look swapped", 4: "no position"}
    assert "the geometry is a Polygon" in register.rejects.loc[0, "reason"]
    assert register.rejects.loc[0, "wkt"].startswith("POLYGON")
    # GeoJSON in WGS84 comes in through OSTN15.
    geojson = tmp_path / "register.geojson"
    frame.iloc[[0]].to_crs(4326).to_file(geojson)
    point = read_assets(geojson).assets.geometry.iloc[0]
    assert point.distance(Point(341_000, 251_000)) < 3  # pyproj's Helmert vs OSTN15
    located = locate_assets(read_assets(geojson), parishes)
    assert located.assets["parish_code"].tolist() == ["E04000001"]


def test_a_layer_without_crs_is_refused_unless_named() -> None:
    frame = gpd.GeoDataFrame(
        {"name": ["Library"], "category": ["library"]}, geometry=[Point(341_000, 251_000)]
    )
    with pytest.raises(CRSError, match="no coordinate reference system"):
        read_assets(gpd.GeoDataFrame(frame))
    assert len(read_assets(gpd.GeoDataFrame(frame), crs="EPSG:27700").assets) == 1


# --------------------------------------------------------------------------------------
# Columns


def test_column_mapping_and_generated_ids() -> None:
    frame = pd.DataFrame(
        {
            "Building": ["Kington Library"],
            "What": ["Library"],
            "X": [341_000],
            "Y": [251_000],
            "Notes": ["open Tuesdays"],
        }
    )
    with pytest.raises(DataError, match="no category column found"):
        read_assets(frame)
    register = read_assets(frame, columns={"What": "category", "X": "easting", "Y": "northing"})
    assert register.assets["asset_id"].tolist() == ["R0002"]
    assert register.assets["name"].tolist() == ["Kington Library"]
    assert register.assets["Notes"].tolist() == ["open Tuesdays"]
    assert any("no asset_id column" in note for note in register.notes)


@pytest.mark.parametrize(
    ("frame", "options", "match"),
    [
        (
            {"name": ["a"], "category": ["library"], "easting": [1]},
            {},
            "there is a easting column .* but no northing column",
        ),
        ({"name": ["a"], "category": ["library"]}, {}, "no position columns"),
        (
            {"name": ["a"], "category": ["library"], "postcode": ["HR4 0AS"]},
            {},
            "positions can come only from postcodes",
        ),
        (
            {"name": ["a"], "category": ["library"], "e": [1], "n": [2]},
            {"columns": {"e": "eastings"}},
            "cannot map 'e' to 'eastings'",
        ),
        (
            {"name": ["a"], "category": ["library"], "e": [1], "n": [2]},
            {"columns": {"Missing": "easting"}},
            "no column named 'Missing'",
        ),
    ],
)
def test_unusable_columns_raise_one_clear_error(frame: dict, options: dict, match: str) -> None:
    with pytest.raises(DataError, match=match):
        read_assets(pd.DataFrame(frame), **options)


def test_missing_file() -> None:
    with pytest.raises(InputFileError, match="asset register not found"):
        read_assets("no/such/register.csv")


def test_vocabulary_from_a_scheme_accepts_its_own_categories() -> None:
    frame = pd.DataFrame(
        {"name": ["Food bank"], "category": ["Food Bank"], "easting": [341_000],
         "northing": [251_000]}
    )  # fmt: skip
    assert read_assets(frame).rejects["reason"].str.startswith("unknown category").all()
    vocab = DEFAULT_VOCABULARY.extended(categories={"food_bank": "Food bank"})
    assert read_assets(frame, vocabulary=vocab).assets["category"].tolist() == ["food_bank"]


# --------------------------------------------------------------------------------------
# Locating


def test_points_on_shared_boundaries_go_to_the_first_code(parishes) -> None:
    frame = gpd.GeoDataFrame(
        {"asset_id": ["edge", "corner", "inside"], "name": ["a", "b", "c"],
         "category": ["library"] * 3},
        geometry=[Point(X0 + 2_000, Y0 + 500), Point(X0 + 2_000, Y0 + 2_000),
                  Point(X0 + 2_500, Y0 + 500)],
        crs=27700,
    )  # fmt: skip
    located = locate_assets(read_assets(frame), parishes)
    assert located.assets.set_index("asset_id")["parish_code"].to_dict() == {
        "edge": "E04000001",  # on the edge of E04000001 and E04000002
        "corner": "E04000001",  # where four parishes meet
        "inside": "E04000002",
    }
    # The same answer with the parishes listed in reverse.
    again = locate_assets(read_assets(frame), parishes.iloc[::-1])
    assert again.assets["parish_code"].tolist() == located.assets["parish_code"].tolist()


def test_a_county_boundary_tells_gaps_from_outside(parishes) -> None:
    county = box(X0 - 1_000, Y0 - 1_000, X0 + 7_000, Y0 + 5_000)
    frame = pd.DataFrame(
        {"name": ["gap", "out"], "category": ["library"] * 2,
         "easting": [X0 - 500, X0 - 3_000], "northing": [Y0 + 100, Y0 + 100]}
    )  # fmt: skip
    located = locate_assets(read_assets(frame), parishes, county=county)
    reasons = located.rejects["reason"].tolist()
    assert reasons[0].startswith("in a gap between parishes")
    assert "500 m from the nearest (nearest parish: Parish 1)" in reasons[0]
    assert reasons[1].startswith("outside the county: 2.0 km from the boundary")


def test_a_parish_without_a_locality_rejects_its_assets(parishes) -> None:
    unassigned = parishes.copy()
    unassigned.loc[0, "locality"] = None
    frame = pd.DataFrame(
        {"name": ["a"], "category": ["library"], "easting": [X0 + 10], "northing": [Y0 + 10]}
    )
    located = locate_assets(read_assets(frame), unassigned)
    assert located.rejects["reason"].iloc[0].startswith("parish not in a locality: Parish 1")


def test_parishes_must_be_annotated_and_in_bng(parishes) -> None:
    register = read_assets(
        pd.DataFrame({"name": ["a"], "category": ["library"], "easting": [X0], "northing": [Y0]})
    )
    with pytest.raises(DataError, match=r"missing column.*locality.*Build the localities first"):
        locate_assets(register, parishes.drop(columns=["locality"]))
    with pytest.raises(CRSError, match="not British National Grid"):
        locate_assets(register, parishes.to_crs(4326))
    twice = pd.concat([parishes, parishes.iloc[[0]]])
    with pytest.raises(DataError, match="parish_code must be unique; repeated: E04000001"):
        locate_assets(register, twice)


def test_locate_assets_accepts_a_plain_geodataframe(parishes) -> None:
    frame = gpd.GeoDataFrame(
        {"asset_id": ["a"], "name": ["Library"], "category": ["Library"]},
        geometry=[Point(X0 + 100, Y0 + 100)],
        crs=27700,
    )
    located = locate_assets(frame, parishes)
    assert located.assets["locality"].tolist() == ["West"]
    with pytest.raises(DataError, match="needs an AssetRegister"):
        locate_assets([1, 2], parishes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# The demo county


@pytest.fixture(scope="module")
def demo_build():
    from localitygis.demo.county import load_demo
    from localitygis.localities.build import build_localities
    from localitygis.localities.scheme import demo_scheme

    demo = load_demo()
    parishes = demo.parishes.rename(columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"})
    return demo, build_localities(parishes, catchments=demo.catchments, scheme=demo_scheme())


def test_the_demo_register_is_located_in_full(demo_build) -> None:
    demo, build = demo_build
    register = read_assets(demo.assets, postcodes=demo.postcodes, vocabulary=build.scheme)
    located = locate_assets(register, build.parishes, county=demo.county)
    _reconciles(located)
    counts = located.counts()
    assert counts["read"] == len(demo.assets)
    # Every demo asset is located, or rejected for a stated reason.
    assert located.rejects["reason"].notna().all()
    assert counts["accepted"] + counts["rejected"] == len(demo.assets)
    assets = located.assets
    # The generator says which parish each asset stands in: we agree.
    assert (assets["place"] == assets["parish_name"]).all()
    assert set(assets["position_source"]) == {"easting/northing", "latitude/longitude",
                                              "postcode"}  # fmt: skip
    assert set(assets["locality"]) == set(build.localities["locality"])
    assert provenance_of(assets) == DEMO


# --------------------------------------------------------------------------------------
# Properties on random tessellations


@st.composite
def tessellations(draw):
    n = draw(st.integers(3, 25))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    extent = box(X0, Y0, X0 + 20_000, Y0 + 15_000)
    seeds = shapely.multipoints(rng.uniform([X0, Y0], [X0 + 20_000, Y0 + 15_000], (n, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=extent))
    cells = shapely.set_precision(shapely.intersection(cells, extent), 0.1)
    cells = cells[~shapely.is_empty(cells)]
    parishes = gpd.GeoDataFrame(
        {
            "parish_code": [f"E04{i:06d}" for i in range(len(cells))],
            "parish_name": [f"P{i}" for i in range(len(cells))],
            "locality": [f"L{i % 3}" for i in range(len(cells))],
            "tier": [i % 3 + 1 for i in range(len(cells))],
        },
        geometry=cells,
        crs=27700,
    )
    m = draw(st.integers(1, 60))
    xy = rng.uniform([X0 - 5_000, Y0 - 5_000], [X0 + 25_000, Y0 + 20_000], (m, 2)).round(1)
    # Some points exactly on parish vertices (shared boundaries).
    vertices = shapely.get_coordinates(cells)
    k = min(m // 3, len(vertices))
    xy[:k] = vertices[rng.choice(len(vertices), k, replace=False)]
    register = pd.DataFrame(
        {
            "asset_id": [f"A{i}" for i in range(m)],
            "name": [f"Asset {i}" for i in range(m)],
            "category": rng.choice(["Library", "GP Surgery", "Liberry", ""], m,
                                   p=[0.45, 0.45, 0.05, 0.05]),
            "easting": xy[:, 0],
            "northing": xy[:, 1],
        }
    )  # fmt: skip
    return parishes, register, seed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tessellations())
def test_every_asset_is_in_exactly_one_locality_or_in_rejects(case) -> None:
    parishes, register, _ = case
    located = locate_assets(read_assets(register), parishes)
    _reconciles(located)
    ids = [*located.assets["asset_id"], *located.rejects["asset_id"]]
    assert sorted(ids) == sorted(register["asset_id"])
    # Each located asset lies in (or on the boundary of) its parish, and has its locality.
    by_code = parishes.set_index("parish_code")
    for row in located.assets.itertuples():
        assert by_code.loc[row.parish_code, "geometry"].intersects(row.geometry)
        assert by_code.loc[row.parish_code, "locality"] == row.locality
    # Each rejected-as-outside asset is in no parish.
    outside = located.rejects[located.rejects["reason"].str.startswith(("outside", "easting"))]
    union = shapely.union_all(parishes.geometry.values)
    for row in outside.itertuples():
        assert not union.intersects(Point(float(row.easting), float(row.northing)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tessellations(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_row_order(case, random) -> None:
    parishes, register, _ = case
    first = locate_assets(read_assets(register), parishes)
    order = list(range(len(register)))
    random.shuffle(order)
    parish_order = list(range(len(parishes)))
    random.shuffle(parish_order)
    second = locate_assets(read_assets(register.iloc[order]), parishes.iloc[parish_order])

    def answer(result: AssetRegister) -> tuple[dict, dict]:
        located = dict(zip(result.assets["asset_id"], result.assets["parish_code"], strict=True))
        rejected = dict(zip(result.rejects["asset_id"], result.rejects["reason"], strict=True))
        return located, rejected

    assert answer(first) == answer(second)


# --------------------------------------------------------------------------------------
# A big file


@pytest.mark.slow
def test_a_100000_row_register_file(tmp_path: Path, parishes) -> None:
    rng = np.random.default_rng(5)
    n = 100_000
    xy = rng.uniform([X0 - 1_000, Y0 - 1_000], [X0 + 7_000, Y0 + 5_000], (n, 2)).round(1)
    frame = pd.DataFrame(
        {
            "asset_id": [f"A{i:06d}" for i in range(n)],
            "name": [f"Asset {i}" for i in range(n)],
            "category": rng.choice(["Library", "GP Surgery", "Village Hall", "Liberry"], n),
            "partner": "Council",
            "sector": rng.choice(["Council", "NHS", "VCS"], n),
            "easting": xy[:, 0].astype(str),
            "northing": xy[:, 1],
        }
    )
    frame.loc[rng.choice(n, 100, replace=False), "easting"] = "unknown"
    frame.loc[rng.choice(n, 100, replace=False), "asset_id"] = "A000001"
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    located = locate_assets(read_assets(path), parishes)
    _reconciles(located)
    counts = located.counts()
    assert counts["read"] == n
    inside = (
        (xy[:, 0] >= X0) & (xy[:, 0] <= X0 + 6_000) & (xy[:, 1] >= Y0) & (xy[:, 1] <= Y0 + 4_000)
    )
    assert counts["by_reason"]["outside the county"] > 0
    assert counts["accepted"] <= int(inside.sum())
    # Every "unknown" easting is reported, whether or not it was the row's first problem.
    text = located.rejects["reason"].str.contains("easting 'unknown' is not a number")
    assert int(text.sum()) == 100
    assert counts["by_reason"]["unknown category"] > 20_000


def test_numeric_ids_from_a_dataframe_are_text_without_decimals() -> None:
    frame = pd.DataFrame(
        {
            "asset_id": [101.0, np.nan, 103.0, 101.0],
            "name": ["a", "b", "c", "d"],
            "category": ["library"] * 4,
            "easting": [X0 + 10, X0 + 20, X0 + 30, X0 + 40],
            "northing": [Y0 + 10] * 4,
        }
    )
    register = read_assets(frame)
    assert register.assets["asset_id"].tolist() == ["101", "103"]
    assert _kinds(register) == {3: "no asset_id", 5: "duplicate asset_id"}
    assert "'101' was first used on row 2" in register.rejects["reason"].iloc[1]


def test_the_answer_does_not_depend_on_threads(parishes) -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform([X0 - 500, Y0 - 500], [X0 + 6_500, Y0 + 4_500], (3_000, 2)).round(0)
    xy[:50] = np.column_stack([np.full(50, X0 + 2_000), rng.uniform(Y0, Y0 + 4_000, 50)])
    frame = gpd.GeoDataFrame(
        {"asset_id": [f"A{i}" for i in range(3_000)], "name": "x", "category": "library"},
        geometry=shapely.points(xy),
        crs=27700,
    )
    register = read_assets(frame)
    one = locate_assets(register, parishes, workers=1)
    three = locate_assets(register, parishes, workers=3)
    pd.testing.assert_frame_equal(pd.DataFrame(one.assets), pd.DataFrame(three.assets))
    pd.testing.assert_frame_equal(one.rejects, three.rejects)
    # The edge x = X0 + 2,000 belongs to the first code of the two parishes it divides.
    on_edge = one.assets[one.assets["asset_id"].isin([f"A{i}" for i in range(50)])]
    assert set(on_edge["parish_code"]) <= {"E04000001", "E04000004"}
    assert len(on_edge) == 50
