"""The stages of :func:`build_localities`, each on its own (issue 11).

A small county of six 1 km parishes in two rows (West: P1, P2, P4, P5's west half; East:
the rest), two catchments and a scheme with an override and a parish group. Each stage is
called as the build calls it, and the stages composed by hand give the build's result.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import Polygon, box

from localitygis.errors import CRSError, DataError, SchemeError
from localitygis.localities import build as stages
from localitygis.localities.build import build_localities
from localitygis.localities.scheme import LocalityDef, Override, ParishGroup, Scheme, Tier

X0, Y0 = 350_000, 240_000


def _square(i: int, j: int) -> Polygon:
    return box(X0 + 1000 * i, Y0 + 1000 * j, X0 + 1000 * (i + 1), Y0 + 1000 * (j + 1))


@pytest.fixture
def parishes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "parish_code": [f"P{k}" for k in range(1, 7)],
            "parish_name": ["Ash", "Beech", "Cedar", "Damson", "Elm", "Fir"],
            "population": [100, 200, 300, 400, 500, 600],
        },
        geometry=[_square(i, j) for j in (0, 1) for i in (0, 1, 2)],
        crs=27700,
    )


@pytest.fixture
def catchments() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"catchment": ["West", "East"]},
        geometry=[
            box(X0, Y0, X0 + 1600, Y0 + 2000),
            box(X0 + 1600, Y0, X0 + 3000, Y0 + 2000),
        ],
        crs=27700,
    )


def _scheme(*, overrides=(), groups=()) -> Scheme:
    return Scheme(
        name="Two",
        tiers={1: Tier(1, "Rural"), 2: Tier(2, "Town")},
        localities=(LocalityDef("Town", 2, ("West",)), LocalityDef("Vale", 1, ("East",))),
        overrides=tuple(overrides),
        groups=tuple(groups),
    )


def _through_assignment(parishes, catchments, scheme, tolerance=1.0):
    prepared = stages.prepare_parishes(parishes, workers=1)
    resolved = stages.resolve_scheme_parishes(scheme, prepared)
    assignment = stages.assign_parishes(
        prepared, catchments, None, 0.9, workers=1, tolerance=tolerance
    )
    return prepared, resolved, assignment


# ---------------------------------------------------------------- check inputs


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"catchments": None}, "give either catchments"),
        ({"min_share": 0.0}, "min_share must be between 0 and 1"),
        ({"on_group_split": "vote"}, "on_group_split must be 'majority' or 'refuse'"),
        ({"clean_coverage": float("nan")}, "clean_coverage must be a distance"),
    ],
)
def test_check_inputs_refuses_bad_arguments(parishes, catchments, change, message):
    arguments = {
        "catchments": catchments,
        "lookup": None,
        "min_share": 0.9,
        "on_group_split": "majority",
        "clean_coverage": 1.0,
    }
    arguments.update(change)
    with pytest.raises(DataError, match=message):
        stages.check_inputs(parishes, **arguments)


def test_check_inputs_refuses_another_crs_and_missing_columns(parishes, catchments):
    with pytest.raises(CRSError, match="EPSG:27700"):
        stages.check_inputs(parishes.to_crs(4326), catchments, None, 0.9, "majority", 1.0)
    with pytest.raises(DataError, match="lack column"):
        stages.check_inputs(
            parishes.drop(columns="parish_name"), catchments, None, 0.9, "majority", 1.0
        )
    stages.check_inputs(parishes, catchments, None, 0.9, "majority", 1.0)


# ---------------------------------------------------------------- prepare parishes


def test_prepare_parishes_strips_repairs_and_rejects(parishes):
    parishes = parishes.copy()
    parishes.loc[0, "parish_code"] = "  P1 "
    parishes.loc[1, "geometry"] = Polygon(
        [(X0 + 1000, Y0), (X0 + 2000, Y0 + 1000), (X0 + 2000, Y0), (X0 + 1000, Y0 + 1000)]
    )
    parishes.loc[2, "geometry"] = Polygon()
    parishes["locality"] = "from an earlier build"
    prepared = stages.prepare_parishes(parishes, workers=1)
    assert prepared.count_in == 6
    assert prepared.codes.tolist() == ["P1", "P2", "P4", "P5", "P6"]
    assert prepared.repaired["feature"].tolist() == ["P2"]
    assert prepared.rejects["reason"].tolist() == ["empty geometry"]
    assert "locality" not in prepared.frame.columns
    assert shapely.is_valid(prepared.geoms).all()


def test_prepare_parishes_with_no_features_says_so(parishes):
    with pytest.raises(DataError, match="parishes: there are no features"):
        stages.prepare_parishes(parishes.iloc[:0], workers=1)


# ---------------------------------------------------------------- assign


def test_assign_parishes_by_overlap_and_by_lookup(parishes, catchments):
    _, _, by_overlap = _through_assignment(parishes, catchments, _scheme())
    assert by_overlap.route == "overlap"
    assert by_overlap.table["catchment"].tolist() == ["West", "West", "East"] * 2
    assert by_overlap.table["catchment_share"].tolist() == pytest.approx([1, 0.6, 1] * 2)
    prepared = stages.prepare_parishes(parishes, workers=1)
    lookup = pd.DataFrame({"parish_code": prepared.codes, "catchment": ["East"] * 6})
    by_lookup = stages.assign_parishes(prepared, None, lookup, 0.9, workers=1, tolerance=1.0)
    assert by_lookup.route == "lookup"
    assert by_lookup.table["catchment"].tolist() == ["East"] * 6
    assert by_lookup.catchments is None


def test_assign_parishes_cleans_slivered_catchments(parishes, catchments):
    slivered = catchments.copy()
    slivered.loc[1, "geometry"] = box(X0 + 1599.7, Y0, X0 + 3000, Y0 + 2000)  # 30 cm overlap
    _, _, assignment = _through_assignment(parishes, slivered, _scheme())
    assert assignment.cleaning is not None
    assert len(assignment.cleaning.changes) > 0
    assert bool(shapely.coverage_is_valid(assignment.catchments.geometry.to_numpy()))
    _, _, kept = _through_assignment(parishes, slivered, _scheme(), tolerance=0)
    assert kept.cleaning is None
    assert not shapely.coverage_is_valid(kept.catchments.geometry.to_numpy())


# ---------------------------------------------------------------- localities, overrides, groups


def test_place_in_localities_maps_catchments_and_says_why(parishes, catchments):
    prepared, resolved, assignment = _through_assignment(parishes, catchments, _scheme())
    placement = stages.place_in_localities(prepared, assignment, _scheme(), resolved)
    assert placement.locality.tolist() == ["Town", "Town", "Vale"] * 2
    assert placement.reason[0] == "inside catchment West"
    assert placement.reason[1] == "largest overlap: 60.0% in catchment West"


def test_place_in_localities_refuses_unknown_catchments_and_stranded_parishes(parishes, catchments):
    renamed = catchments.assign(catchment=["West", "Far East"])
    short = catchments.iloc[:1]
    prepared, resolved, assignment = _through_assignment(parishes, renamed, _scheme())
    with pytest.raises(DataError, match="does not place in any locality: Far East"):
        stages.place_in_localities(prepared, assignment, _scheme(), resolved)
    prepared, resolved, assignment = _through_assignment(
        parishes[parishes["parish_code"].isin(["P3", "P6"])], short, _scheme()
    )
    with pytest.raises(DataError, match=r"2 parish\(es\) lie in no catchment: P3 Cedar"):
        stages.place_in_localities(prepared, assignment, _scheme(), resolved)


def test_place_in_localities_names_swapped_axes(parishes, catchments):
    swapped = parishes.copy()
    swapped["geometry"] = shapely.transform(
        swapped.geometry.to_numpy(), lambda xy: np.ascontiguousarray(xy[:, ::-1])
    )
    prepared, resolved, assignment = _through_assignment(swapped, catchments, _scheme())
    with pytest.raises(DataError, match="easting and northing look swapped"):
        stages.place_in_localities(prepared, assignment, _scheme(), resolved)


def test_apply_overrides_moves_the_parish_with_its_reason(parishes, catchments):
    scheme = _scheme(overrides=[Override("Ash", "Vale", "bus route")])
    prepared, resolved, assignment = _through_assignment(parishes, catchments, scheme)
    placement = stages.place_in_localities(prepared, assignment, scheme, resolved)
    stages.apply_overrides(prepared, placement, resolved)
    assert placement.locality[0] == "Vale"
    assert placement.reason[0] == "override: bus route"
    assert placement.overrides[["parish_code", "from_locality", "to_locality", "changed"]].to_dict(
        "records"
    ) == [{"parish_code": "P1", "from_locality": "Town", "to_locality": "Vale", "changed": True}]


def test_keep_groups_together_by_population_or_refuse(parishes, catchments):
    # Beech (200, Town) and Cedar (300, Vale): the group goes to Vale, the larger population.
    scheme = _scheme(groups=[ParishGroup("Beech and Cedar", ("Beech", "Cedar"))])
    prepared, resolved, assignment = _through_assignment(parishes, catchments, scheme)
    placement = stages.place_in_localities(prepared, assignment, scheme, resolved)
    stages.keep_groups_together(prepared, placement, resolved, scheme, "majority")
    assert placement.locality[[1, 2]].tolist() == ["Vale", "Vale"]
    assert placement.group_moves["parish_code"].tolist() == ["P2"]
    assert placement.group_moves["rule"].iloc[0] == "majority by population (60% in Vale)"
    placement = stages.place_in_localities(prepared, assignment, scheme, resolved)
    with pytest.raises(SchemeError, match="split across localities"):
        stages.keep_groups_together(prepared, placement, resolved, scheme, "refuse")


# ---------------------------------------------------------------- dissolve and report


def test_dissolve_parishes_cleans_slivers_then_uses_the_coverage_union(parishes):
    slivered = parishes.copy()
    slivered.loc[1, "geometry"] = box(X0 + 1000.2, Y0, X0 + 2000, Y0 + 1000)  # a 20 cm gap
    slivered["locality"] = ["Town", "Town", "Vale"] * 2
    slivered["catchment"] = ["West", "West", "East"] * 2
    prepared = stages.prepare_parishes(slivered, workers=1)
    prepared.frame["locality"] = ["Town", "Town", "Vale"] * 2
    prepared.frame["catchment"] = ["West", "West", "East"] * 2
    dissolved = stages.dissolve_parishes(prepared, _scheme(), tolerance=1.0)
    assert dissolved.coverage.is_valid
    assert dissolved.chain is not None
    assert dissolved.cleaning.changes["feature"].tolist() != []
    assert shapely.equals(prepared.frame.geometry.iloc[1], dissolved.geoms[1])
    assert dissolved.localities["area_km2"].sum() == pytest.approx(6.0, abs=1e-6)
    raw = stages.prepare_parishes(slivered, workers=1)
    raw.frame["locality"] = ["Town", "Town", "Vale"] * 2
    raw.frame["catchment"] = ["West", "West", "East"] * 2
    kept = stages.dissolve_parishes(raw, _scheme(), tolerance=0)
    assert not kept.coverage.is_valid
    assert kept.localities["area_km2"].sum() == pytest.approx(6.0 - 0.0002, abs=1e-9)


def test_the_stages_composed_by_hand_give_the_build(parishes, catchments):
    scheme = _scheme(
        overrides=[Override("Ash", "Vale", "bus route")],
        groups=[ParishGroup("Beech and Cedar", ("Beech", "Cedar"))],
    )
    built = build_localities(parishes, catchments=catchments, scheme=scheme, workers=1)
    stages.check_inputs(parishes, catchments, None, 0.9, "majority", 1.0)
    prepared, resolved, assignment = _through_assignment(parishes, catchments, scheme)
    placement = stages.place_in_localities(prepared, assignment, scheme, resolved)
    stages.apply_overrides(prepared, placement, resolved)
    stages.keep_groups_together(prepared, placement, resolved, scheme, "majority")
    assert placement.locality.tolist() == built.parishes["locality"].tolist()
    assert placement.reason.tolist() == built.parishes["reason"].tolist()
    report = built.report
    assert report.parishes_in == report.parishes_out == 6
    assert report.area_reconciles
    assert report.to_frame().set_index("check").loc["overrides applied", "count"] == 1
    assert report.to_frame().set_index("check").loc["group splits resolved", "count"] == 1
