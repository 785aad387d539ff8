"""Building localities: both routes, overrides, groups, dissolve, bad inputs, the demo county."""

from __future__ import annotations

import itertools
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import Polygon, box

from localitygis.crs import to_wgs84
from localitygis.demo.catchments import SPLIT_SHARES
from localitygis.demo.county import load_demo
from localitygis.errors import CRSError, DataError, SchemeError
from localitygis.localities.build import (
    LOCALITY_COLUMNS,
    assign_by_lookup,
    assign_by_overlap,
    build_localities,
    dissolve_localities,
)
from localitygis.localities.scheme import (
    LocalityDef,
    Override,
    ParishGroup,
    Scheme,
    Tier,
    demo_scheme,
    herefordshire_scheme,
)
from localitygis.provenance import DEMO, provenance_of, with_provenance

# A strip of six 1 km parishes, west to east, near Hereford.
X0, Y0 = 350_000, 240_000


def _parishes(n: int = 6, population: list[int] | None = None) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "parish_code": [f"E0400000{i}" for i in range(1, n + 1)],
            "parish_name": [f"Parish {chr(65 + i)}" for i in range(n)],
        },
        geometry=[box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(n)],
        crs=27700,
    )
    if population is not None:
        frame["population"] = population
    return frame


def _catchments(cuts: tuple[float, ...] = (2000, 4000), names=("West", "Middle", "East")):
    edges = [X0 - 500, *(X0 + c for c in cuts), X0 + 6500]
    return gpd.GeoDataFrame(
        {"catchment": list(names)},
        geometry=[box(a, Y0 - 500, b, Y0 + 1500) for a, b in itertools.pairwise(edges)],
        crs=27700,
    )


def _scheme(**extra) -> Scheme:
    return Scheme(
        name="Strip",
        tiers={1: Tier(1, "Rural"), 2: Tier(2, "Market town"), 3: Tier(3, "City")},
        localities=(
            LocalityDef("Westbury", 2, ("West",), "Westbury"),
            LocalityDef("Middlesex", 3, ("Middle",)),
            LocalityDef("Eastvale", 1, ("East",)),
        ),
        **extra,
    )


# ---------------------------------------------------------------- the overlap route


def test_overlap_route_assigns_shares_and_dissolves() -> None:
    build = build_localities(
        _parishes(population=[100, 200, 300, 400, 500, 600]),
        catchments=_catchments(),
        scheme=_scheme(),
    )
    parishes = build.parishes
    assert parishes["catchment"].tolist() == ["West", "West", "Middle", "Middle", "East", "East"]
    assert parishes["catchment_share"].tolist() == [1.0] * 6
    assert parishes["locality"].tolist() == [
        "Westbury",
        "Westbury",
        "Middlesex",
        "Middlesex",
        "Eastvale",
        "Eastvale",
    ]
    assert parishes["tier"].tolist() == [2, 2, 3, 3, 1, 1]
    assert parishes["reason"].iloc[0] == "inside catchment West"
    localities = build.localities
    assert list(localities.columns) == list(LOCALITY_COLUMNS)
    assert localities["locality"].tolist() == ["Westbury", "Middlesex", "Eastvale"]
    assert localities["tier_name"].tolist() == ["Market town", "City", "Rural"]
    assert localities["parish_count"].tolist() == [2, 2, 2]
    assert localities["area_km2"].tolist() == pytest.approx([2.0, 2.0, 2.0])
    assert localities["population"].tolist() == [300, 700, 1100]
    assert localities["density_per_km2"].tolist() == pytest.approx([150, 350, 550])
    assert localities["catchments"].tolist() == ["West", "Middle", "East"]
    assert localities.crs == "EPSG:27700"
    assert all(g.geom_type == "Polygon" for g in localities.geometry)
    assert build.catchments[["catchment", "locality", "tier", "parish_count"]].values.tolist() == [
        ["West", "Westbury", 2, 2],
        ["Middle", "Middlesex", 3, 2],
        ["East", "Eastvale", 1, 2],
    ]
    assert build.report.ok


def test_dtypes_follow_the_contract() -> None:
    build = build_localities(
        _parishes(population=[1] * 6), catchments=_catchments(), scheme=_scheme()
    )
    dtypes = build.localities.dtypes
    assert dtypes["tier"] == "int64"
    assert dtypes["parish_count"] == "int64"
    assert dtypes["population"] == "Int64"
    assert dtypes["area_km2"] == "float64"
    assert build.parishes["tier"].dtype == "int64"
    assert build.parishes["catchment_share"].dtype == "float64"


def test_largest_overlap_wins_and_small_shares_are_flagged() -> None:
    # Cut at 1.3 km and 4.95 km: parish B is 70 % Middle, parish E 95 % West... of East.
    build = build_localities(
        _parishes(), catchments=_catchments(cuts=(1300, 4050)), scheme=_scheme(), min_share=0.9
    )
    parishes = build.parishes.set_index("parish_name")
    assert parishes.loc["Parish B", "catchment"] == "Middle"
    assert parishes.loc["Parish B", "catchment_share"] == pytest.approx(0.7)
    assert parishes.loc["Parish E", "catchment"] == "East"
    assert parishes.loc["Parish E", "catchment_share"] == pytest.approx(0.95)
    assert parishes.loc["Parish B", "reason"] == "largest overlap: 70.0% in catchment Middle"
    split = build.report.split_parishes
    assert split["parish_name"].tolist() == ["Parish B"]
    assert split["second_catchment"].tolist() == ["West"]
    # A stricter threshold flags more.
    strict = build_localities(
        _parishes(), catchments=_catchments(cuts=(1300, 4050)), scheme=_scheme(), min_share=0.99
    )
    assert strict.report.split_parishes["parish_name"].tolist() == ["Parish B", "Parish E"]


def test_ties_go_to_the_catchment_that_sorts_first_whatever_the_row_order() -> None:
    catchments = _catchments(cuts=(1500, 4000))  # parish B: 50 % West, 50 % Middle
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        result = assign_by_overlap(_parishes(), catchments.iloc[order])
        assert result["catchment"].iloc[1] == "Middle"  # "Middle" < "West"
        assert result["catchment_share"].iloc[1] == pytest.approx(0.5)


def test_fast_and_full_assignment_agree_with_brute_force() -> None:
    rng = np.random.default_rng(3)
    parishes = _parishes(6)
    for _ in range(5):
        cuts = tuple(np.sort(rng.uniform(0, 6000, 2)).round(1))
        valid = _catchments(cuts=cuts)
        # Make the catchments overlap a little: the full path must be taken.
        overlapping = valid.copy()
        overlapping.loc[0, "geometry"] = shapely.buffer(valid.geometry.iloc[0], 5)
        for catchments in (valid, overlapping):
            result = assign_by_overlap(parishes, catchments, min_share=0.9)
            for i, parish in enumerate(parishes.geometry):
                areas = shapely.area(shapely.intersection(parish, catchments.geometry.values))
                best = catchments["catchment"].iloc[int(np.argmax(areas))]
                assert result["catchment"].iloc[i] == best
                assert result["catchment_share"].iloc[i] == pytest.approx(areas.max() / parish.area)
        assert result.attrs["catchments_coverage_valid"] is False
        assert assign_by_overlap(parishes, valid).attrs["catchments_coverage_valid"] is True


def test_catchment_features_sharing_a_name_are_merged() -> None:
    catchments = _catchments()
    parts = catchments.explode(index_parts=False)
    halves = pd.concat(
        [
            parts,
            gpd.GeoDataFrame(
                {"catchment": ["east "]},  # same catchment, loosely spelt
                geometry=[box(X0 + 6500, Y0 - 500, X0 + 7000, Y0 + 1500)],
                crs=27700,
            ),
        ],
        ignore_index=True,
    )
    build = build_localities(_parishes(), catchments=halves, scheme=_scheme())
    assert build.report.merged_catchments.to_dict("records") == [
        {"catchment": "East", "features": 2}
    ]
    assert len(build.catchments) == 3
    east = build.catchments.set_index("catchment").loc["East", "geometry"]
    assert east.area == pytest.approx(3000 * 2000)  # 2.5 km + the 0.5 km extra piece


# ---------------------------------------------------------------- the lookup route


def _lookup(rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parish_code": list(rows),
            "catchment": list(rows.values()),
            "row": np.arange(len(rows)) + 2,
        }
    )


def test_lookup_route() -> None:
    rows = dict(
        zip(
            _parishes()["parish_code"],
            ["West", "West", "Middle", "East", "East", "East"],
            strict=True,
        )
    )
    build = build_localities(_parishes(), lookup=_lookup(rows), scheme=_scheme())
    assert build.report.route == "lookup"
    assert build.parishes["locality"].tolist()[:4] == [
        "Westbury",
        "Westbury",
        "Middlesex",
        "Eastvale",
    ]
    assert build.parishes["catchment_share"].isna().all()
    assert build.parishes["reason"].tolist() == [f"lookup table row {r}" for r in range(2, 8)]
    assert build.localities["parish_count"].tolist() == [2, 1, 3]
    # The catchments layer is the parishes dissolved by catchment.
    areas = build.catchments.set_index("catchment").geometry.area
    assert areas.to_dict() == pytest.approx({"West": 2e6, "Middle": 1e6, "East": 3e6})
    assert build.report.split_parishes.empty


def test_lookup_missing_and_unknown_parishes_are_listed_together() -> None:
    codes = _parishes()["parish_code"].tolist()
    rows = dict.fromkeys(codes[:4], "West") | {"E04099999": "East"}
    with pytest.raises(DataError) as caught:
        build_localities(_parishes(), lookup=_lookup(rows), scheme=_scheme())
    message = str(caught.value)
    assert "2 parish(es) are missing from it: E04000005, E04000006" in message
    assert "1 row(s) name parishes that are not in the parish layer: E04099999 (row 6)" in message


def test_lookup_duplicate_and_blank_rows() -> None:
    parishes = pd.DataFrame({"parish_code": ["A", "B"]})
    table = pd.DataFrame(
        {"parish_code": ["A", "A", "B"], "catchment": ["West", "East", None], "row": [2, 3, 4]}
    )
    with pytest.raises(DataError, match=r"listed more than once: A \(rows 2, 3\).*no catchment"):
        assign_by_lookup(parishes, table)


def test_lookup_needs_its_columns() -> None:
    with pytest.raises(DataError, match=r"lookup table lack column\(s\) 'catchment'"):
        assign_by_lookup(pd.DataFrame({"parish_code": ["A"]}), pd.DataFrame({"parish_code": ["A"]}))


# ---------------------------------------------------------------- bad inputs


def test_exactly_one_of_catchments_and_lookup() -> None:
    with pytest.raises(DataError, match=r"either catchments .* or lookup"):
        build_localities(_parishes(), scheme=_scheme())
    with pytest.raises(DataError, match="not both"):
        build_localities(
            _parishes(), catchments=_catchments(), lookup=_lookup({}), scheme=_scheme()
        )


def test_wrong_crs_points_at_to_bng() -> None:
    with pytest.raises(CRSError, match=r"parishes: the CRS is EPSG:4326.*localitygis.crs.to_bng"):
        build_localities(to_wgs84(_parishes()), catchments=_catchments(), scheme=_scheme())
    with pytest.raises(CRSError, match=r"catchments: the CRS is EPSG:3857"):
        build_localities(_parishes(), catchments=_catchments().to_crs(3857), scheme=_scheme())
    with pytest.raises(CRSError, match=r"parishes: no coordinate reference system.*assume_crs"):
        build_localities(
            _parishes().set_crs(None, allow_override=True),
            catchments=_catchments(),
            scheme=_scheme(),
        )


def test_missing_columns() -> None:
    with pytest.raises(DataError, match=r"parishes lack column\(s\) 'parish_name'.*read_parishes"):
        build_localities(
            _parishes().drop(columns="parish_name"), catchments=_catchments(), scheme=_scheme()
        )
    with pytest.raises(DataError, match=r"catchments lack column\(s\) 'catchment'.*field="):
        build_localities(
            _parishes(),
            catchments=_catchments().rename(columns={"catchment": "School"}),
            scheme=_scheme(),
        )
    with pytest.raises(DataError, match="must be a GeoDataFrame"):
        build_localities(pd.DataFrame(_parishes()), catchments=_catchments(), scheme=_scheme())


def test_duplicate_parish_codes_are_an_error() -> None:
    parishes = _parishes()
    parishes.loc[4, "parish_code"] = "E04000002"
    with pytest.raises(DataError, match=r"'E04000002' \(features 2, 5\)"):
        build_localities(parishes, catchments=_catchments(), scheme=_scheme())


def test_bad_population_values() -> None:
    parishes = _parishes()
    parishes["population"] = ["10", "twelve", "3.5", "-1", "7", None]
    with pytest.raises(DataError, match=r"feature 2 \('twelve'\), feature 3 \('3.5'\), feature 4"):
        build_localities(parishes, catchments=_catchments(), scheme=_scheme())


def test_bowtie_and_empty_parishes() -> None:
    parishes = _parishes(population=[10, 20, 30, 40, 50, 60])
    x = X0 + 2000
    parishes.loc[2, "geometry"] = Polygon(
        [(x, Y0), (x + 1000, Y0 + 1000), (x + 1000, Y0), (x, Y0 + 1000)]
    )
    parishes.loc[5, "geometry"] = Polygon()
    build = build_localities(parishes, catchments=_catchments(), scheme=_scheme())
    report = build.report
    assert report.repaired["feature"].tolist() == ["E04000003"]
    assert report.rejects[["source", "row", "reason", "parish_code"]].values.tolist() == [
        ["parishes", 6, "empty geometry", "E04000006"]
    ]
    assert report.parishes_in == len(build.parishes) + len(report.rejects) == 6
    assert "E04000006" not in set(build.parishes["parish_code"])
    assert build.localities["population"].tolist() == [30, 70, 50]
    # The repaired bow-tie keeps its two triangles; its parish is still counted.
    assert build.localities["parish_count"].tolist() == [2, 2, 1]


def test_parishes_outside_every_catchment_are_an_error() -> None:
    catchments = _catchments().iloc[:2]  # no East: parishes E and F are in no catchment
    with pytest.raises(DataError) as caught:
        build_localities(_parishes(), catchments=catchments, scheme=_scheme())
    message = str(caught.value)
    assert "2 parish(es) lie in no catchment: E04000005 Parish E, E04000006 Parish F" in message
    assert "[[overrides]]" in message


def test_overrides_place_parishes_outside_every_catchment() -> None:
    scheme = _scheme(
        overrides=(
            Override("Parish E", "Eastvale", "GP registrations at Eastvale surgery"),
            Override("E04000006", "Eastvale", "community transport"),
        )
    )
    build = build_localities(_parishes(), catchments=_catchments().iloc[:2], scheme=scheme)
    assert build.parishes["locality"].tolist()[4:] == ["Eastvale", "Eastvale"]
    assert pd.isna(build.parishes["catchment"].iloc[4])
    assert build.report.unassigned["parish_code"].tolist() == ["E04000005", "E04000006"]
    assert build.localities["catchments"].tolist()[-1] == ""
    assert build.report.to_frame().set_index("check").loc["parishes in no catchment", "count"] == 2


def test_stranded_parishes_and_unknown_catchments_are_reported_together() -> None:
    catchments = _catchments(names=("West", "Middle", "Far East")).iloc[[0, 2]]
    with pytest.raises(DataError) as caught:
        build_localities(_parishes(), catchments=catchments, scheme=_scheme())
    message = str(caught.value)
    assert "2 parish(es) lie in no catchment: E04000003 Parish C, E04000004 Parish D" in message
    assert "does not place in any locality: Far East" in message


def test_catchments_the_scheme_does_not_know() -> None:
    catchments = _catchments(names=("West", "Middle", "Far East"))
    with pytest.raises(
        DataError, match=r"does not place in any locality: Far East\..*West, Middle"
    ):
        build_localities(_parishes(), catchments=catchments, scheme=_scheme())


def test_min_share_and_group_rule_are_checked() -> None:
    with pytest.raises(DataError, match="min_share must be between 0 and 1"):
        build_localities(_parishes(), catchments=_catchments(), scheme=_scheme(), min_share=1.5)
    with pytest.raises(DataError, match="on_group_split must be"):
        build_localities(
            _parishes(),
            catchments=_catchments(),
            scheme=_scheme(),
            on_group_split="coin",  # type: ignore[arg-type]
        )


# ---------------------------------------------------------------- overrides and groups


def test_overrides_record_their_reason() -> None:
    scheme = _scheme(
        overrides=(
            Override("Parish B", "Middlesex", "Community transport: the Middlesex minibus"),
            Override("E04000004", "Middlesex", "GP registrations"),
        )
    )
    build = build_localities(_parishes(), catchments=_catchments(), scheme=scheme)
    b = build.parishes.set_index("parish_name").loc["Parish B"]
    assert b["locality"] == "Middlesex"
    assert b["catchment"] == "West"  # the catchment is still recorded
    assert b["tier"] == 3
    assert b["reason"] == "override: Community transport: the Middlesex minibus"
    overrides = build.report.overrides
    assert overrides[
        ["parish_code", "from_locality", "to_locality", "changed"]
    ].values.tolist() == [
        ["E04000002", "Westbury", "Middlesex", True],
        ["E04000004", "Middlesex", "Middlesex", False],
    ]
    assert build.localities["parish_count"].tolist() == [1, 3, 2]
    assert build.localities["catchments"].tolist()[1] == "West; Middle"


def test_override_naming_an_unknown_parish() -> None:
    scheme = _scheme(overrides=(Override("Atlantis", "Eastvale", "transport"),))
    with pytest.raises(SchemeError, match=r"not in the parish layer: override 1 'Atlantis'"):
        build_localities(_parishes(), catchments=_catchments(), scheme=scheme)


def test_group_split_moves_to_the_population_majority() -> None:
    # B (West) and C (Middle) form a group; C has more people, so B follows C.
    scheme = _scheme(groups=(ParishGroup("B and C Group", ("Parish B", "Parish C")),))
    parishes = _parishes(population=[10, 100, 900, 10, 10, 10])
    build = build_localities(parishes, catchments=_catchments(), scheme=scheme)
    assert build.parishes["locality"].tolist()[1:3] == ["Middlesex", "Middlesex"]
    moves = build.report.group_moves
    assert moves[["group", "parish_name", "from_locality", "to_locality"]].values.tolist() == [
        ["B and C Group", "Parish B", "Westbury", "Middlesex"]
    ]
    assert moves["rule"].iloc[0] == "majority by population (90% in Middlesex)"
    assert build.parishes["reason"].iloc[1].startswith("group B and C Group: majority")


def test_group_split_uses_area_without_population() -> None:
    parishes = _parishes()
    parishes.loc[1, "geometry"] = box(X0 + 1000, Y0, X0 + 2000, Y0 + 3000)  # B is larger
    catchments = _catchments()
    catchments.loc[0, "geometry"] = box(X0 - 500, Y0 - 500, X0 + 2000, Y0 + 3500)
    scheme = _scheme(groups=(ParishGroup("G", ("Parish B", "Parish C")),))
    build = build_localities(parishes, catchments=catchments, scheme=scheme)
    assert build.parishes["locality"].tolist()[1:3] == ["Westbury", "Westbury"]
    assert build.report.group_moves["rule"].iloc[0].startswith("majority by area (75% in")


def test_group_split_refused() -> None:
    scheme = _scheme(groups=(ParishGroup("G", ("Parish B", "Parish C")),))
    with pytest.raises(SchemeError, match=r"'G' \(Parish B in Westbury, Parish C in Middlesex\)"):
        build_localities(
            _parishes(), catchments=_catchments(), scheme=scheme, on_group_split="refuse"
        )
    # A group that is not split is fine either way.
    whole = _scheme(groups=(ParishGroup("G", ("Parish A", "Parish B")),))
    build = build_localities(
        _parishes(), catchments=_catchments(), scheme=whole, on_group_split="refuse"
    )
    assert build.report.group_moves.empty


def test_an_override_on_a_group_member_carries_the_group() -> None:
    scheme = _scheme(
        overrides=(Override("Parish B", "Westbury", "GP registrations"),),
        groups=(ParishGroup("G", ("Parish B", "Parish C")),),
    )
    parishes = _parishes(population=[10, 10, 900, 10, 10, 10])
    build = build_localities(parishes, catchments=_catchments(), scheme=scheme)
    assert build.parishes["locality"].tolist()[1:3] == ["Westbury", "Westbury"]
    assert "override on a member" in build.report.group_moves["rule"].iloc[0]


def test_conflicting_overrides_in_a_group() -> None:
    scheme = _scheme(
        overrides=(
            Override("Parish B", "Westbury", "GP"),
            Override("Parish C", "Eastvale", "transport"),
        ),
        groups=(ParishGroup("G", ("Parish B", "Parish C")),),
    )
    with pytest.raises(SchemeError, match="overrides to different localities"):
        build_localities(_parishes(), catchments=_catchments(), scheme=scheme)


# ---------------------------------------------------------------- dissolve and checks


def test_localities_and_catchments_with_no_parishes_are_reported() -> None:
    scheme = Scheme(
        name="Wide",
        tiers={1: Tier(1, "Rural")},
        localities=(
            LocalityDef("Westbury", 1, ("West", "Lost School")),
            LocalityDef("Middlesex", 1, ("Middle",)),
            LocalityDef("Eastvale", 1, ("East",)),
            LocalityDef("Nowhere", 1, ("Nowhere High",)),
        ),
    )
    catchments = pd.concat(
        [
            _catchments(),
            gpd.GeoDataFrame(
                {"catchment": ["Nowhere High"]},
                geometry=[box(0, 0, 10, 10)],
                crs=27700,
            ),
        ],
        ignore_index=True,
    )
    build = build_localities(_parishes(), catchments=catchments, scheme=scheme)
    assert build.localities["locality"].tolist() == ["Westbury", "Middlesex", "Eastvale"]
    assert build.report.empty_localities["locality"].tolist() == ["Nowhere"]
    empty = build.report.empty_catchments
    assert sorted(empty["catchment"]) == ["Lost School", "Nowhere High"]


def test_gaps_between_parishes_are_reported() -> None:
    parishes = _parishes()
    # A ring of parishes around a hole: move C north to leave a 1 km² hole... make a square.
    ring = gpd.GeoDataFrame(
        {"parish_code": ["N", "S", "E", "W"], "parish_name": ["N", "S", "E", "W"]},
        geometry=[
            box(X0, Y0 + 2000, X0 + 3000, Y0 + 3000),
            box(X0, Y0, X0 + 3000, Y0 + 1000),
            Polygon(
                [
                    (X0 + 2000, Y0 + 1000),
                    (X0 + 3000, Y0 + 1000),
                    (X0 + 3000, Y0 + 2000),
                    (X0 + 2000, Y0 + 2000),
                ]
            ),
            box(X0, Y0 + 1000, X0 + 1000, Y0 + 2000),
        ],
        crs=27700,
    )
    del parishes
    catchments = gpd.GeoDataFrame(
        {"catchment": ["West"]}, geometry=[box(X0 - 10, Y0 - 10, X0 + 3010, Y0 + 3010)], crs=27700
    )
    build = build_localities(ring, catchments=catchments, scheme=_scheme())
    gaps = build.report.gaps
    assert len(gaps) == 1
    assert gaps["area_m2"].iloc[0] == pytest.approx(1e6)
    assert build.report.to_frame().set_index("check").loc["coverage: gaps", "status"] == "warning"


def test_dissolve_localities_without_population() -> None:
    frame = _parishes()
    frame["locality"] = ["Westbury"] * 3 + ["Eastvale"] * 3
    frame["catchment"] = ["West"] * 3 + ["East"] * 3
    out = dissolve_localities(frame, _scheme())
    assert out["population"].isna().all()
    assert out["density_per_km2"].isna().all()
    assert out["locality"].tolist() == ["Westbury", "Eastvale"]


def test_provenance_is_carried() -> None:
    parishes = with_provenance(_parishes(), DEMO)
    catchments = with_provenance(_catchments(), DEMO)
    build = build_localities(parishes, catchments=catchments, scheme=_scheme())
    for frame in (build.parishes, build.localities, build.catchments):
        assert provenance_of(frame) == DEMO
    # Catchments of unrecorded origin: both attributions are carried, demo wins.
    mixed = build_localities(parishes, catchments=_catchments(), scheme=_scheme())
    carried = provenance_of(mixed.localities)
    assert carried.is_demo
    assert "Generated demo data" in carried.attribution
    assert "Contains OS data" in carried.attribution


def test_input_frames_are_not_modified() -> None:
    parishes = _parishes(population=[1, 2, 3, 4, 5, 6])
    before = parishes.copy()
    build_localities(parishes, catchments=_catchments(), scheme=_scheme())
    pd.testing.assert_frame_equal(pd.DataFrame(parishes), pd.DataFrame(before))


# ---------------------------------------------------------------- the demo county


def _fact(name: str) -> pd.DataFrame:
    source = resources.files("localitygis").joinpath("data", "demo_facts", name)
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


@pytest.fixture(scope="module")
def demo_parishes():
    demo = load_demo()
    parishes = demo.parishes.rename(columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"})
    return demo, with_provenance(parishes, DEMO)


def test_demo_county_end_to_end(demo_parishes) -> None:
    demo, parishes = demo_parishes
    build = build_localities(parishes, catchments=demo.catchments, scheme=herefordshire_scheme())
    localities = build.localities.set_index("locality")
    facts = _fact("localities.csv").set_index("locality")
    assert list(localities.index) == list(facts.index)
    assert (localities["tier"] == facts["tier"]).all()
    assert (localities["tier_name"] == facts["tier_name"]).all()
    assert localities["parish_count"].sum() == len(parishes)
    assert localities["population"].sum() == parishes["population"].sum()
    assert localities["area_km2"].sum() == pytest.approx(parishes.area.sum() / 1e6, rel=1e-6)
    # The three parishes the demo cuts between two catchments are flagged, with their shares.
    split = build.report.split_parishes
    assert len(split) == len(SPLIT_SHARES)
    assert sorted(split["catchment_share"]) == pytest.approx(sorted(SPLIT_SHARES), abs=0.01)
    assert split["second_catchment"].notna().all()
    others = build.parishes[~build.parishes["parish_code"].isin(split["parish_code"])]
    assert (others["catchment_share"] >= 0.9).all()
    # Both routes agree, parish by parish.
    by_lookup = build_localities(parishes, lookup=demo.lookup, scheme=herefordshire_scheme())
    assert by_lookup.parishes["locality"].tolist() == build.parishes["locality"].tolist()
    report = build.report
    assert report.coverage_valid
    assert report.dissolve_method == "coverage_union"
    assert report.area_reconciles
    assert report.gaps.empty
    # Every school sits in the locality its catchment belongs to.
    joined = gpd.sjoin(demo.schools, build.localities[["locality", "geometry"]], how="left")
    assert (joined["locality_left"] == joined["locality_right"]).all()
    assert provenance_of(build.localities).is_demo


def test_demo_scheme_on_the_demo_county(demo_parishes) -> None:
    demo, parishes = demo_parishes
    build = build_localities(parishes, catchments=demo.catchments, scheme=demo_scheme())
    scheme = demo_scheme()
    overrides = build.report.overrides
    assert len(overrides) == len(scheme.overrides)
    by_name = build.parishes.set_index("parish_name")
    for override in scheme.overrides:
        assert by_name.loc[override.parish, "locality"] == override.locality
        assert by_name.loc[override.parish, "reason"] == f"override: {override.reason}"
    for group in scheme.groups:
        assert by_name.loc[list(group.parishes), "locality"].nunique() == 1
    assert len(build.localities) == 9
    assert build.report.area_reconciles


def test_demo_lookup_route_dissolves_catchments_and_localities_exactly(demo_parishes) -> None:
    # The lookup route dissolves catchments and localities from the coverage certificate;
    # each must be exactly GEOS's coverage union of its parishes.
    demo, parishes = demo_parishes
    build = build_localities(parishes, lookup=demo.lookup, scheme=herefordshire_scheme())
    geoms = np.asarray(build.parishes.geometry.array)
    for column, layer in (("catchment", build.catchments), ("locality", build.localities)):
        keys = build.parishes[column].to_numpy()
        assert len(layer) == len(set(keys))
        for name, shape in zip(layer[column], layer.geometry, strict=True):
            expected = shapely.coverage_union_all(geoms[keys == name])
            assert shapely.equals(shape, expected), (column, name)
            assert shapely.get_num_coordinates(shape) == shapely.get_num_coordinates(expected)
