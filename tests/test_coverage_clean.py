"""Coverage cleaning (:mod:`localitygis.localities.clean`) on random tessellations.

Random Voronoi coverages get their vertices moved a few centimetres, each polygon on its
own, as a reprojection rounding does; cleaning must give a valid coverage that the
certificate vouches for, move only slivers, and leave wider gaps and overlaps as findings.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from localitygis.errors import DataError
from localitygis.localities import build_localities
from localitygis.localities.certificate import certify_coverage
from localitygis.localities.clean import clean_coverage, parse_tolerance
from localitygis.localities.scheme import LocalityDef, Scheme, Tier
from tests._tessellations import tessellation


def _jittered(cells: list[shapely.Geometry], seed: int, size: float) -> np.ndarray:
    """Each polygon's vertices moved by up to ``size`` metres, each polygon on its own.

    The move is a function of the vertex and the polygon, so a ring stays closed while
    the neighbours' copies of a shared vertex move apart.
    """

    def noise(x: np.ndarray, y: np.ndarray, k: float) -> np.ndarray:
        value = np.sin(x * 12.9898 + y * 78.233 + k * 37.719 + seed) * 43758.5453
        return (value - np.floor(value)) * 2 - 1

    def jitter(i: int):
        def move(xy: np.ndarray) -> np.ndarray:
            x, y = xy[:, 0], xy[:, 1]
            return xy + size * np.column_stack([noise(x, y, i), noise(y, x, i + 0.5)])

        return move

    moved = np.array([shapely.transform(c, jitter(i)) for i, c in enumerate(cells)], dtype=object)
    return shapely.make_valid(moved, method="structure", keep_collapsed=False)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(4, 30))
def test_jittered_tessellations_clean_into_a_certified_coverage(seed, n):
    cells = tessellation(seed, n, densify=50.0)
    geoms = _jittered(cells, seed, 0.05)
    labels = [f"P{i}" for i in range(n)]
    assert not shapely.coverage_is_valid(geoms)
    cleaning = clean_coverage(geoms, labels, tolerance=1.0)
    assert cleaning.skipped == ""
    assert bool(shapely.coverage_is_valid(cleaning.geometries))
    assert certify_coverage(cleaning.geometries) is not None
    moved = shapely.symmetric_difference(geoms, cleaning.geometries)
    assert shapely.is_empty(shapely.buffer(moved, -0.5)).all()
    # Touched: a different geometry, not merely the same rings starting elsewhere.
    same = [
        shapely.normalize(a).equals_exact(shapely.normalize(b), 0.0)
        for a, b in zip(geoms, cleaning.geometries, strict=True)
    ]
    touched = ~np.array(same)
    assert sorted(cleaning.changes["feature"]) == sorted(np.array(labels)[touched])
    # The square is 1 km²; slivers of a few centimetres along the edges move well under 1 %.
    assert shapely.area(cleaning.geometries).sum() == pytest.approx(1e6, rel=1e-3)
    assert cleaning.area_moved_m2 == pytest.approx(float(shapely.area(moved).sum()))


def test_a_valid_coverage_is_left_exactly_as_it_is():
    cells = np.array(tessellation(3, 12), dtype=object)
    cleaning = clean_coverage(cells, [str(i) for i in range(12)])
    assert cleaning.geometries is cells or (cleaning.geometries == cells).all()
    assert cleaning.changes.empty
    assert cleaning.describe() == "tolerance 1 m: the coverage was already valid"


def test_a_gap_wider_than_the_tolerance_stays_a_gap():
    cells = tessellation(5, 9, densify=50.0)
    ring = shapely.box(0, 0, 1000, 1000).difference(shapely.box(480, 480, 520, 520))
    holed = [shapely.intersection(c, ring) for c in cells]
    slivered = _jittered(holed, 5, 0.05)
    cleaning = clean_coverage(slivered, [str(i) for i in range(9)])
    union = shapely.union_all(cleaning.geometries)
    assert bool(shapely.coverage_is_valid(cleaning.geometries))
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    assert len(holes) == 1
    assert holes[0].area == pytest.approx(40 * 40, rel=0.01)


def test_an_overlap_wider_than_the_tolerance_is_not_cleaned():
    geoms = [box(0, 0, 100, 100), box(90, 0, 200, 100), box(200, 0, 300, 100.02)]
    cleaning = clean_coverage(geoms, ["A", "B", "C"], tolerance=1.0)
    # Merging the 10 m overlap would take a 10 m strip from B: not a sliver, not cleaned.
    assert cleaning.skipped.startswith("1 feature(s) would change by more than 1 m (B)")
    assert cleaning.changes.empty
    assert list(cleaning.geometries) == geoms
    assert cleaning.describe().startswith("tolerance 1 m: not applied, 1 feature(s) would")
    # Raising the tolerance above the overlap's width cleans it.
    wider = clean_coverage(geoms, ["A", "B", "C"], tolerance=20.0)
    assert wider.skipped == ""
    assert bool(shapely.coverage_is_valid(wider.geometries))


def test_tolerance_zero_is_off():
    geoms = [box(0, 0, 10, 10), box(9.9, 0, 20, 10)]
    cleaning = clean_coverage(geoms, ["A", "B"], tolerance=0)
    assert cleaning.describe() == "off"
    assert cleaning.changes.empty


@pytest.mark.parametrize(
    ("text", "metres"), [("1m", 1.0), ("1 m", 1.0), ("0.25", 0.25), ("30cm", 0.3), ("5 mm", 0.005)]
)
def test_tolerances_read_as_metres(text, metres):
    assert parse_tolerance(text) == pytest.approx(metres)


@pytest.mark.parametrize("text", ["", "m", "-1m", "1km", "nan", "inf"])
def test_tolerances_that_are_not_distances_are_refused(text):
    with pytest.raises(DataError, match="is not a distance"):
        parse_tolerance(text)


def _scheme() -> Scheme:
    return Scheme(
        name="S", tiers={1: Tier(1, "Rural")}, localities=(LocalityDef("L", 1, ("A", "B")),)
    )


def test_the_build_cleans_then_dissolves_with_the_coverage_union():
    cells = tessellation(11, 16, densify=50.0)
    geoms = _jittered(cells, 11, 0.05)
    parishes = gpd.GeoDataFrame(
        {"parish_code": [f"P{i}" for i in range(16)], "parish_name": [f"N{i}" for i in range(16)]},
        geometry=list(geoms),
        crs=27700,
    )
    lookup = parishes[["parish_code"]].assign(catchment=["A", "B"] * 8)
    built = build_localities(parishes, lookup=lookup, scheme=_scheme())
    report = built.report
    assert report.dissolve_method == "coverage_union"
    assert len(report.cleaned) > 0
    assert report.cleaned["layer"].eq("parishes").all()
    assert report.area_reconciles
    off = build_localities(parishes, lookup=lookup, scheme=_scheme(), clean_coverage=0)
    assert off.report.dissolve_method == "union_all"
    assert off.report.cleaned.empty
    assert off.report.cleaning == ("parishes: off",)
    assert len(off.report.invalid_edges) > 0


def test_a_negative_tolerance_is_refused_by_the_build():
    parishes = gpd.GeoDataFrame(
        {"parish_code": ["P"], "parish_name": ["N"]}, geometry=[box(0, 0, 1, 1)], crs=27700
    )
    lookup = parishes[["parish_code"]].assign(catchment="A")
    with pytest.raises(DataError, match="clean_coverage must be a distance"):
        build_localities(parishes, lookup=lookup, scheme=_scheme(), clean_coverage=-1)
