"""Quality checks and repairs: invalid and empty geometry, duplicate codes, coverage, report."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import GeometryCollection, LineString, Point, Polygon, box

from localitygis.errors import DataError, GeometryError
from localitygis.localities.build import build_localities
from localitygis.localities.quality import (
    AREA_TOLERANCE_PCT,
    check_coverage,
    check_duplicate_codes,
    find_gaps,
    rejects_frame,
    repair_geometries,
)
from localitygis.localities.scheme import LocalityDef, Scheme, Tier

BOWTIE = Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000)])


def _layer(geoms: list, **columns: list) -> gpd.GeoDataFrame:
    codes = columns.pop("parish_code", [f"P{i}" for i in range(len(geoms))])
    return gpd.GeoDataFrame({"parish_code": codes, **columns}, geometry=geoms, crs=27700)


# ---------------------------------------------------------------- repairs


def test_bowtie_is_repaired_counted_and_listed() -> None:
    layer = _layer([box(0, 0, 1000, 1000), BOWTIE], parish_name=["Good", "Twisted"])
    result = repair_geometries(layer, layer="parishes", label="parish_code")
    assert len(result.frame) == 2
    assert result.frame.geometry.is_valid.all()
    assert result.frame.geometry.iloc[1].geom_type == "MultiPolygon"
    # The two triangles of the bow-tie: 2 x 250,000 m², where the raw ring measures 0.
    assert result.frame.geometry.iloc[1].area == pytest.approx(500_000)
    repaired = result.repaired.iloc[0]
    assert repaired["feature"] == "P1"
    assert repaired["row"] == 2
    assert repaired["problem"].startswith("Self-intersection")
    assert repaired["area_before_m2"] == pytest.approx(0.0)
    assert repaired["area_after_m2"] == pytest.approx(500_000)
    assert result.rejects.empty
    # The input is not modified.
    assert not layer.geometry.iloc[1].is_valid


def test_repair_keeps_only_polygonal_parts() -> None:
    # A polygon with a dangling spike: make_valid yields a polygon and a line.
    spiked = Polygon([(0, 0), (10, 0), (10, 10), (10, 20), (10, 10), (0, 10)])
    assert not spiked.is_valid
    result = repair_geometries(_layer([spiked]), layer="parishes")
    geom = result.frame.geometry.iloc[0]
    assert geom.geom_type in ("Polygon", "MultiPolygon")
    assert geom.area == pytest.approx(100)
    assert len(result.repaired) == 1


def test_empty_missing_and_collapsed_geometries_are_rejected_with_their_columns() -> None:
    flat = Polygon([(0, 0), (10, 0), (20, 0), (0, 0)])  # no area at all
    layer = _layer(
        [box(0, 0, 1, 1), Polygon(), None, flat],
        parish_name=["Kept", "Empty", "Missing", "Flat"],
        population=[10, 20, 30, 40],
    )
    result = repair_geometries(layer, layer="parishes", label="parish_code")
    assert result.frame["parish_name"].tolist() == ["Kept"]
    rejects = result.rejects
    assert rejects["source"].tolist() == ["parishes"] * 3
    assert rejects["row"].tolist() == [2, 3, 4]
    assert rejects["reason"].tolist()[:2] == ["empty geometry", "missing geometry"]
    assert rejects["reason"].iloc[2].startswith("invalid geometry (")
    assert "no area after repair" in rejects["reason"].iloc[2]
    assert rejects["parish_name"].tolist() == ["Empty", "Missing", "Flat"]
    assert rejects["population"].tolist() == [20, 30, 40]
    # Nothing lost: kept + rejected = given.
    assert len(result.frame) + len(rejects) == len(layer)


def test_non_polygon_boundaries_are_an_error() -> None:
    layer = _layer([box(0, 0, 1, 1), Point(5, 5), LineString([(0, 0), (1, 1)])])
    with pytest.raises(GeometryError, match=r"must be polygons.* 2 feature\(s\).*P1 \(Point\)"):
        repair_geometries(layer, layer="parishes", label="parish_code")


def test_rejects_frame_keeps_original_columns_that_clash() -> None:
    frame = pd.DataFrame({"row": [7, 8], "reason": ["a", "b"], "name": ["x", "y"]})
    out = rejects_frame(frame, [1], ["bad"], source="lookup")
    assert out.to_dict("records") == [
        {
            "source": "lookup",
            "row": 2,
            "reason": "bad",
            "original_row": 8,
            "original_reason": "b",
            "name": "y",
        }
    ]


# ---------------------------------------------------------------- duplicate codes


def test_duplicate_codes_are_an_error_listing_codes_and_features() -> None:
    codes = pd.Series(["E1", "E2", "E1", "E3", "E3", "E3"])
    with pytest.raises(DataError) as caught:
        check_duplicate_codes(codes)
    message = str(caught.value)
    assert "2 parish code(s) occur more than once" in message
    assert "'E1' (features 1, 3)" in message
    assert "'E3' (features 4, 5, 6)" in message
    assert "dissolve them first" in message


def test_missing_codes_are_an_error() -> None:
    with pytest.raises(DataError, match=r"1 feature\(s\) have no parish code \(features 2\)"):
        check_duplicate_codes(pd.Series(["E1", None, "E3"]))


# ---------------------------------------------------------------- coverage


def test_valid_coverage() -> None:
    top = Polygon([(0, 1), (1, 1), (2, 1), (2, 2), (0, 2)])  # shares the vertex at (1, 1)
    geoms = [box(0, 0, 1, 1), box(1, 0, 2, 1), top]
    check = check_coverage(geoms, ["A", "B", "C"])
    assert check.is_valid
    # Without the shared vertex the edges do not match: not a valid coverage.
    assert not check_coverage([*geoms[:2], box(0, 1, 2, 2)], ["A", "B", "C"]).is_valid
    assert check.invalid_edges.empty
    assert check.overlaps.empty


def test_overlaps_are_listed_with_their_area() -> None:
    geoms = [box(0, 0, 100, 100), box(90, 0, 200, 100), box(0, 100, 200, 200)]
    check = check_coverage(geoms, ["A", "B", "C"])
    assert not check.is_valid
    assert set(check.invalid_edges["feature"]) >= {"A", "B"}
    assert (check.invalid_edges["invalid_edge_length_m"] > 0).all()
    assert check.overlaps[["feature_a", "feature_b"]].values.tolist() == [["A", "B"]]
    assert check.overlaps["area_m2"].iloc[0] == pytest.approx(1000)


def test_mismatched_edges_without_overlap_are_invalid_edges() -> None:
    # B's left edge is 1 m off A's right edge: a sliver gap, no overlap.
    geoms = [box(0, 0, 100, 100), box(101, 0, 200, 100), box(0, 100, 200, 200)]
    check = check_coverage(geoms, ["A", "B", "C"])
    # A 1 m gap between neighbours is a gap, not an invalid edge, at gap_width 0.
    assert check.overlaps.empty
    gaps = find_gaps(shapely.union_all(geoms))
    assert gaps.empty  # open to the outside: not a hole
    closed = [*geoms, box(0, -100, 200, 0)]
    gaps = find_gaps(shapely.union_all(closed))
    assert len(gaps) == 1
    assert gaps["area_m2"].iloc[0] == pytest.approx(100)


def test_find_gaps_orders_largest_first() -> None:
    outer = box(0, 0, 100, 100)
    holed = outer.difference(box(10, 10, 12, 12)).difference(box(50, 50, 60, 60))
    gaps = find_gaps(holed)
    assert gaps["gap"].tolist() == [1, 2]
    assert gaps["area_m2"].tolist() == [100.0, 4.0]
    assert gaps.crs == "EPSG:27700"


# ---------------------------------------------------------------- the report


def _scheme() -> Scheme:
    return Scheme(
        name="Test",
        tiers={1: Tier(1, "Rural"), 2: Tier(2, "Town")},
        localities=(
            LocalityDef("Town", 2, ("T",)),
            LocalityDef("Vale", 1, ("V",)),
            LocalityDef("Moor", 1, ("M",)),
        ),
    )


def test_report_frame_and_summary_on_a_clean_build() -> None:
    parishes = _layer(
        [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        parish_name=["A", "B"],
        population=[100, 200],
    )
    catchments = gpd.GeoDataFrame(
        {"catchment": ["T", "V"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        crs=27700,
    )
    report = build_localities(parishes, catchments=catchments, scheme=_scheme()).report
    frame = report.to_frame()
    assert list(frame.columns) == ["check", "status", "count", "detail"]
    statuses = frame.set_index("check")["status"]
    assert statuses["area reconciliation"] == "ok"
    assert statuses["localities with no parishes"] == "warning"  # Moor has none
    assert statuses["catchments with no parishes"] == "warning"  # M is missing
    assert not report.ok
    assert report.area_reconciles
    assert abs(report.area_difference_pct) <= AREA_TOLERANCE_PCT
    text = report.summary()
    assert text.splitlines()[0] == "Quality report (route: overlap)"
    assert "localities with no parishes" in text
    assert "Moor" in text


def test_report_lists_every_kind_of_problem() -> None:
    parishes = _layer(
        [
            box(0, 0, 1000, 1000),
            Polygon([(1000, 0), (2000, 1000), (2000, 0), (1000, 1000)]),  # bow-tie
            box(1900, 0, 3000, 1000),  # overlaps the bow-tie's right triangle
            Polygon(),
        ],
        parish_name=["A", "B", "C", "D"],
        population=pd.array([100, None, 300, 400], dtype="Int64"),
    )
    catchments = gpd.GeoDataFrame(
        {"catchment": ["T", "V", "V"]},
        geometry=[box(0, 0, 1500, 1000), box(1500, 0, 2500, 1000), box(2500, 0, 3000, 1000)],
        crs=27700,
    )
    build = build_localities(parishes, catchments=catchments, scheme=_scheme())
    report = build.report
    counts = report.to_frame().set_index("check")["count"]
    assert counts["invalid geometries repaired"] == 1
    assert counts["features rejected"] == 1
    assert counts["catchment features merged"] == 1
    assert counts["coverage: overlaps"] == 1
    assert counts["parishes without population"] == 1
    assert report.parishes_in == 4
    assert report.parishes_out == 3
    assert report.parishes_in == report.parishes_out + int(
        (report.rejects["source"] == "parishes").sum()
    )
    assert report.dissolve_method == "union_all"
    assert not report.coverage_valid
    # The bow-tie (Town, a 50/50 tie won by the first name) overlaps C (Vale): the
    # localities overlap one another, which the area reconciliation catches.
    assert build.parishes["locality"].tolist() == ["Town", "Town", "Vale"]
    assert report.overlap_pct == pytest.approx(100 * 90_000 / 2_600_000)
    assert not report.area_reconciles
    statuses = report.to_frame().set_index("check")["status"]
    assert statuses["dissolve"] == "warning"
    assert statuses["area reconciliation"] == "warning"
    assert any("union_all" in note for note in report.notes)
    assert report.merged_catchments.to_dict("records") == [{"catchment": "V", "features": 2}]
    assert report.missing_population["parish_name"].tolist() == ["B"]
    overlap = report.overlaps.iloc[0]
    assert {overlap["feature_a"], overlap["feature_b"]} == {"P1", "P2"}
    # The right triangle of the bow-tie east of x = 1900: 500² - 400² m².
    assert overlap["area_m2"] == pytest.approx(90_000)


def test_split_parish_listing_names_the_runner_up() -> None:
    parishes = _layer([box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], parish_name=["A", "B"])
    catchments = gpd.GeoDataFrame(
        {"catchment": ["T", "V"]},
        geometry=[box(0, 0, 1300, 1000), box(1300, 0, 2000, 1000)],
        crs=27700,
    )
    report = build_localities(parishes, catchments=catchments, scheme=_scheme()).report
    split = report.split_parishes
    assert split["parish_name"].tolist() == ["B"]
    assert split["catchment"].iloc[0] == "V"
    assert split["catchment_share"].iloc[0] == pytest.approx(0.7)
    assert split["second_catchment"].iloc[0] == "T"
    assert split["second_share"].iloc[0] == pytest.approx(0.3)
    assert np.isclose(split[["catchment_share", "second_share"]].sum(axis=1), 1).all()


def test_geometry_collection_keeps_its_polygons_and_is_counted() -> None:
    square = box(0, 0, 10, 10)
    collection = GeometryCollection([square, LineString([(10, 10), (20, 20)])])
    layer = gpd.GeoDataFrame(
        {"catchment": ["A", "B"]}, geometry=[box(10, 0, 20, 10), collection], crs=27700
    )
    result = repair_geometries(layer, layer="catchments", label="catchment")
    assert result.frame.geometry.iloc[1].equals(square)
    assert result.repaired["feature"].tolist() == ["B"]
    assert "geometry collection" in result.repaired["problem"].iloc[0]
    lines_only = gpd.GeoDataFrame(
        {"catchment": ["C"]},
        geometry=[GeometryCollection([LineString([(0, 0), (1, 1)])])],
        crs=27700,
    )
    with pytest.raises(GeometryError, match=r"must be polygons.*C \(GeometryCollection\)"):
        repair_geometries(lines_only, layer="catchments", label="catchment")
