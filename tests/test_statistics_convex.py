"""Clipping by convex polygons: the same areas as GEOS's overlay, for any subject polygon.

Subjects are concave, in parts and with holes (unions of random Voronoi cells, with cells cut
out), at British National Grid magnitudes and in both ring orientations; clippers are random
Voronoi cells. The fallback is checked too: polygons that are not convex are never used as
clippers, and sources with no convex side go to GEOS with the same result.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localitygis.demo import load_demo
from localitygis.statistics.convex import (
    TURN,
    clipped_areas,
    convex_polygons,
    rings_of,
)
from localitygis.statistics.weighting import SLIVER, overlap_areas
from tests._tessellations import tessellation
from tests.test_statistics_overlay import plain_overlay

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Where British National Grid coordinates put Herefordshire (metres).
ORIGIN = np.array([340_000.0, 240_000.0])


def moved(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: xy + ORIGIN)


def merged(seed: int, n_cells: int, n_groups: int) -> np.ndarray:
    """Concave polygons tiling the square: cells grouped by the nearest of random centres."""
    cells = np.array(tessellation(seed, n_cells))
    centres = np.random.default_rng(seed).uniform(0, 1_000, (n_groups, 2))
    xy = shapely.get_coordinates(shapely.centroid(cells))
    group = np.argmin(((xy[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
    unions = [shapely.coverage_union_all(cells[group == g]) for g in np.unique(group)]
    return np.array(unions)


def holed(polygons: np.ndarray, seed: int, every: int = 2) -> np.ndarray:
    """Every ``every``-th polygon with a small square hole (or bite) cut out inside it."""
    centre = shapely.get_coordinates(shapely.point_on_surface(polygons))
    size = np.random.default_rng(seed).uniform(5, 60, len(polygons))
    squares = shapely.box(*(centre - size[:, None]).T, *(centre + size[:, None]).T)
    cut = shapely.difference(polygons, squares)
    return np.where(np.arange(len(polygons)) % every == 0, cut, polygons)


def geos_areas(subjects, clippers, subject, clipper) -> np.ndarray:
    return shapely.area(shapely.intersection(subjects[subject], clippers[clipper]))


def assert_clips_like_geos(subjects: np.ndarray, clippers: np.ndarray) -> None:
    subject, clipper = shapely.STRtree(clippers).query(subjects)
    got = clipped_areas(rings_of(subjects), rings_of(clippers), subject, clipper)
    expected = geos_areas(subjects, clippers, subject, clipper)
    scale = np.minimum(shapely.area(subjects)[subject], shapely.area(clippers)[clipper])
    np.testing.assert_array_less(np.abs(got - expected), 1e-9 * scale + 1e-9)


@PROPERTY
@given(
    seed=st.integers(0, 10_000),
    n_cells=st.integers(2, 120),
    n_groups=st.integers(1, 12),
    n_clippers=st.integers(1, 40),
)
def test_any_polygon_clipped_by_convex_cells_has_geos_areas(seed, n_cells, n_groups, n_clippers):
    subjects = moved(holed(merged(seed, n_cells, n_groups), seed))
    clippers = moved(np.array(tessellation(seed + 1, n_clippers)))
    assert convex_polygons(clippers, rings_of(clippers)).all()
    assert_clips_like_geos(subjects, clippers)
    assert_clips_like_geos(shapely.reverse(subjects), shapely.reverse(clippers))


@PROPERTY
@given(seed=st.integers(0, 10_000), n_targets=st.integers(1, 40), n_cutters=st.integers(1, 60))
def test_pieces_cut_from_convex_cells_clip_whole_into_their_cell(seed, n_targets, n_cutters):
    """GEOS's rounding along the cut edges does not leak: whole inside, nothing outside."""
    targets = moved(np.array(tessellation(seed, n_targets)))
    cutters = moved(np.array(tessellation(seed + 1, n_cutters)))
    cut, home = shapely.STRtree(targets).query(cutters, predicate="intersects")
    pieces = shapely.intersection(targets[home], cutters[cut])
    keep = (shapely.get_type_id(pieces) == 3) & (shapely.area(pieces) > 1.0)
    pieces, home = pieces[keep], home[keep]
    piece, target = shapely.STRtree(targets).query(pieces)
    got = clipped_areas(rings_of(pieces), rings_of(targets), piece, target)
    whole = shapely.area(pieces)[piece]
    at_home = target == home[piece]
    np.testing.assert_allclose(got[at_home], whole[at_home], rtol=SLIVER)
    assert np.all(np.abs(got[~at_home]) <= SLIVER * whole[~at_home])  # slivers: left out


def test_shared_edges_give_nothing_outside_and_everything_inside():
    clipper = moved(np.array([shapely.box(0, 0, 10, 10)]))
    subjects = moved(
        np.array(
            [
                shapely.box(10, 0, 20, 10),  # a neighbour: shares an edge
                shapely.box(10, 10, 20, 20),  # shares a corner
                shapely.box(0, 0, 10, 5),  # inside, along three edges
                shapely.box(0, 0, 10, 10),  # the same square
            ]
        )
    )
    got = clipped_areas(rings_of(subjects), rings_of(clipper), np.arange(4), np.zeros(4, int))
    assert got.tolist() == [0.0, 0.0, 50.0, 100.0]


def test_a_subject_in_parts_with_a_hole_adds_and_takes_away():
    parts = shapely.MultiPolygon(
        [
            shapely.box(0, 0, 4, 4).difference(shapely.box(1, 1, 3, 3)),
            shapely.box(6, 0, 8, 2),
        ]
    )
    clipper = shapely.Polygon([(2, -1), (7, -1), (7, 5), (2, 5)])  # clockwise
    got = clipped_areas(rings_of(np.array([parts])), rings_of(np.array([clipper])), [0], [0])
    assert got.tolist() == [pytest.approx(shapely.intersection(parts, clipper).area, rel=1e-12)]
    assert got[0] == pytest.approx(8 - 2 + 2)


def test_which_polygons_count_as_convex():
    square = shapely.box(0, 0, 100, 100)
    cases = {
        "square": (square, True),
        "clockwise": (shapely.reverse(square), True),
        "collinear and repeated vertices": (
            shapely.Polygon([(0, 0), (50, 0), (50, 0), (100, 0), (100, 100), (0, 100)]),
            True,
        ),
        "a right turn within rounding": (
            shapely.Polygon([(0, 0), (50, -TURN * 10), (100, 0), (100, 100), (0, 100)]),
            True,
        ),
        "a right turn beyond rounding": (
            shapely.Polygon([(0, 0), (50, 1e-6), (100, 0), (100, 100), (0, 100)]),
            False,
        ),
        "notched": (shapely.Polygon([(0, 0), (100, 0), (50, 50), (100, 100), (0, 100)]), False),
        "with a hole": (square.difference(shapely.box(10, 10, 20, 20)), False),
        "in parts": (shapely.MultiPolygon([square, shapely.box(200, 0, 300, 100)]), False),
    }
    polygons = np.array([polygon for polygon, _ in cases.values()])
    got = convex_polygons(polygons, rings_of(polygons))
    assert dict(zip(cases, got.tolist(), strict=True)) == {k: v for k, (_, v) in cases.items()}


def test_a_concave_clipper_would_be_wrong_which_is_why_it_is_never_used():
    ell = shapely.Polygon([(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)])
    subject = shapely.box(0, 0, 4, 4)  # holds the whole L: 7 m²
    as_if_convex = clipped_areas(rings_of(np.array([subject])), rings_of(np.array([ell])), [0], [0])
    assert as_if_convex.tolist() == [1.0]  # the L's half-planes meet in its corner square only
    assert not convex_polygons(np.array([ell]), rings_of(np.array([ell])))[0]


# -- the route each source takes in overlap_areas ------------------------------------------


def assert_overlaps_like_geos(sources: np.ndarray, targets: np.ndarray) -> None:
    source, target, area = overlap_areas(sources, targets, workers=1)
    expected = plain_overlay(sources, targets)
    got = dict(zip(zip(source.tolist(), target.tolist(), strict=True), area.tolist(), strict=True))
    whole = shapely.area(sources)
    for pair in set(expected) ^ set(got):  # a sliver at the threshold, on one side only
        assert expected.get(pair, got.get(pair)) <= 2 * SLIVER * whole[pair[0]], pair
    for pair in set(expected) & set(got):
        assert abs(got[pair] - expected[pair]) <= 1e-9 * whole[pair[0]], pair


@PROPERTY
@given(
    seed=st.integers(0, 10_000),
    n_cells=st.integers(2, 150),
    n_groups=st.integers(1, 30),
    n_target_groups=st.integers(1, 12),
    concave_sources=st.booleans(),
)
def test_concave_sources_and_targets_take_geos_or_the_convex_side(
    seed, n_cells, n_groups, n_target_groups, concave_sources
):
    """Concave both sides: GEOS (by the coverage when sources are many); else the convex side."""
    targets = moved(merged(seed + 1, 100, n_target_groups))
    if concave_sources:
        sources = moved(holed(merged(seed, n_cells, n_groups), seed))
    else:
        sources = moved(np.array(tessellation(seed, n_cells)))
    assert_overlaps_like_geos(sources, targets)
    assert_overlaps_like_geos(targets, sources)


@pytest.mark.parametrize("n_sources", [2, 40])  # few: pair by pair; many: from the coverage
def test_geos_routes_for_concave_layers_give_the_plain_overlay(n_sources):
    targets = moved(holed(merged(5, 200, 40), 5, every=1))
    sources = moved(holed(merged(6, 300, n_sources), 6, every=1))
    assert not convex_polygons(sources, rings_of(sources)).any()
    assert not convex_polygons(targets, rings_of(targets)).any()
    assert_overlaps_like_geos(sources, targets)


def test_one_concave_target_sends_only_its_concave_neighbours_to_geos():
    targets = moved(np.array([shapely.Polygon([(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)])]))
    sources = moved(np.array([shapely.box(0, 0, 4, 4), shapely.box(2, 2, 3, 3)]))
    concave = moved(np.array([shapely.Polygon([(0, 0), (4, 0), (4, 4), (3, 4), (3, 1), (0, 1)])]))
    source, target, area = overlap_areas(np.r_[sources, concave], targets)
    assert (source.tolist(), target.tolist()) == (
        [0, 2],
        [0, 0],
    )  # the second square lies in the L's notch: no overlap
    np.testing.assert_allclose(area, [7.0, 4.0], rtol=1e-12)  # the L, and the two shared bars


def test_empty_and_missing_polygons_are_never_convex_and_overlap_nothing():
    polygons = np.array([None, shapely.Polygon(), shapely.MultiPolygon(), shapely.box(0, 0, 1, 1)])
    assert convex_polygons(polygons, rings_of(polygons)).tolist() == [False, False, False, True]
    source, target, area = overlap_areas(polygons, polygons)
    assert (source.tolist(), target.tolist(), area.tolist()) == ([3], [3], [1.0])
    nothing = np.array([], dtype=object)
    assert [len(a) for a in overlap_areas(nothing, polygons)] == [0, 0, 0]


def test_convex_cells_over_the_demo_parishes_give_the_plain_overlay():
    """The real-shaped case: concave parishes clipped by convex cells, and the other way."""
    parishes = np.asarray(load_demo().parishes.geometry.array, dtype=object)
    x0, y0, x1, y1 = shapely.total_bounds(parishes)
    scale = np.array([x1 - x0, y1 - y0]) / 1_000.0
    cells = shapely.transform(np.array(tessellation(8, 400)), lambda xy: xy * scale + [x0, y0])
    assert not convex_polygons(parishes, rings_of(parishes)).any()
    assert convex_polygons(cells, rings_of(cells)).all()
    assert_overlaps_like_geos(cells, parishes)
    assert_overlaps_like_geos(parishes, cells)
