"""The grid labelling of within-distance components equals the k-d tree's and brute force's."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import cdist

from localitygis._proximity import CELL_SIDE, proximity_components, tree_components
from tests._analysisdata import demo_chain


def brute_force(x: np.ndarray, y: np.ndarray, distance: float) -> np.ndarray:
    """Every pair's distance, linked when at most ``distance``: the definition itself."""
    xy = np.column_stack([x, y])
    return connected_components(cdist(xy, xy) <= distance, directed=False)[1]


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = pd.DataFrame({"a": a, "b": b}).drop_duplicates()
    return bool(pairs["a"].is_unique and pairs["b"].is_unique)


# Offsets at exactly 400 m (Pythagorean triples), just under and just over.
_EXACT = [(400, 0), (0, 400), (240, 320), (320, 240), (-240, 320), (283, 283), (282, 282)]


@st.composite
def point_sets(draw) -> tuple[np.ndarray, np.ndarray]:
    """Integer positions (so distances of exactly 400 m occur), in towns, chains and clumps."""
    n = draw(st.integers(1, 120))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    spread = draw(st.sampled_from([300, 1_000, 4_000]))
    base = rng.integers(0, spread, size=(n, 2))
    # a share of points sit exactly 400 m (or a metre either side) from an earlier one
    exact = rng.random(n) < draw(st.sampled_from([0.0, 0.3, 0.7]))
    exact[0] = False
    earlier = (rng.random(n) * np.arange(n)).astype(int)
    step = np.array(_EXACT)[rng.integers(0, len(_EXACT), n)]
    xy = np.where(exact[:, None], base[earlier] + step, base)
    xy[rng.random(n) < 0.15] = xy[0]  # shared buildings
    xy = xy + np.array([350_000, 240_000])
    return xy[:, 0].astype(float), xy[:, 1].astype(float)


@settings(max_examples=150, deadline=None)
@given(points=point_sets(), chunk=st.sampled_from([1, 7, 2**21]))
def test_grid_equals_the_tree_and_brute_force(points, chunk):
    x, y = points
    grid = proximity_components(x, y, 400.0, chunk=chunk)
    assert len(grid) == len(x)
    assert same_partition(grid, brute_force(x, y, 400.0))
    assert same_partition(grid, tree_components(x, y, 400.0))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 400),
    distance=st.sampled_from([0.5, 37.3, 400.0, 1_234.5]),
)
def test_random_float_positions_at_any_distance(seed, n, distance):
    rng = np.random.default_rng(seed)
    xy = rng.normal(0, distance * 3, size=(n, 2)) + rng.uniform(0, 700_000, size=2)
    x, y = xy[:, 0], xy[:, 1]
    assert same_partition(proximity_components(x, y, distance), brute_force(x, y, distance))


def test_points_exactly_the_distance_apart_are_linked_and_a_hair_over_not():
    x = np.array([0.0, 400.0, 640.0, 1_040.0 + 1e-6, 5_000.0, 5_282.842712474619])
    y = np.array([0.0, 0.0, 320.0, 320.0, 0.0, 282.842712474619])
    labels = proximity_components(x + 300_000, y + 200_000, 400.0)
    assert labels[0] == labels[1] == labels[2]  # 400 m, then 400 m on a 3-4-5 slant
    assert labels[3] != labels[2]  # 400.000001 m
    assert labels[4] == labels[5]  # 400 m on the diagonal (to rounding)


@pytest.mark.parametrize("flip", [1.0, -1.0])
def test_cells_two_apart_on_the_diagonal_can_link(flip):
    """Two cells apart in both directions, points can still stand just within reach."""
    side = 400.0 * CELL_SIDE
    # the grid starts at the smallest x and y; a and b sit at opposite corners of the gap
    x = np.array([0.0, side - 1e-6, 2 * side + 1e-6, 5 * side, 0.0])
    y = np.array([0.0, side - 1e-6, 2 * side + 1e-6, 0.0, 5 * side]) * flip
    assert np.hypot(x[2] - x[1], y[2] - y[1]) < 400.0
    labels = proximity_components(x + 300_000, y + 200_000, 400.0)
    assert labels[1] == labels[2]
    assert same_partition(labels, brute_force(x, y, 400.0))


@pytest.mark.parametrize("crowd", [3, 8, 15])
def test_a_link_found_only_point_by_point(crowd):
    """Boxes within reach, first points not: the one linked pair is found by comparing."""
    ys = np.linspace(0, 250, crowd)
    # cell column 0: a crowd at its left edge and one point at x = 250; column 2 (566-848 m):
    # one point at x = 650, exactly 400 m from it, and a crowd at its right edge
    x = np.r_[np.zeros(crowd), 250.0, 650.0, np.full(crowd, 840.0)]
    y = np.r_[ys, 100.0, 100.0, ys]
    for chunk in (1, 2**21):
        labels = proximity_components(x + 300_000, y + 200_000, 400.0, chunk=chunk)
        assert labels[crowd] == labels[crowd + 1]
        assert len(np.unique(labels)) == 1
        assert same_partition(labels, brute_force(x, y, 400.0))
    apart = proximity_components(x + np.r_[np.zeros(crowd + 1), np.full(crowd + 1, 1e-6)], y, 400)
    assert len(np.unique(apart)) == 2


def test_a_grid_too_fine_falls_back_to_the_tree(caplog):
    rng = np.random.default_rng(5)
    # 200 km wide at 1 mm: 2.8e8 cells a side, more than the grid takes
    x = np.r_[rng.uniform(0, 200_000, 60), 0.0, 0.0008, 0.0016, 200_000.0]
    y = np.r_[rng.uniform(0, 200_000, 60), 0.0, 0.0, 0.0, 0.0005]
    with caplog.at_level(logging.DEBUG, logger="localitygis._proximity"):
        labels = proximity_components(x, y, 0.001)
    assert "k-d tree route" in caplog.text
    assert labels[60] == labels[61] == labels[62]
    assert same_partition(labels, brute_force(x, y, 0.001))
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="localitygis._proximity"):
        proximity_components(x, y, 50.0)
    assert "grid cells" in caplog.text


def test_many_points_in_one_building_and_none():
    x = np.full(5_000, 350_000.0)
    y = np.full(5_000, 240_000.0)
    assert proximity_components(x, y, 400.0).tolist() == [0] * 5_000
    assert len(proximity_components(np.zeros(0), np.zeros(0), 400.0)) == 0


def test_the_demo_county_at_several_distances():
    xy = shapely.get_coordinates(demo_chain().assets.geometry.array)
    x, y = xy[:, 0], xy[:, 1]
    counts = []
    for distance in (50.0, 400.0, 1_500.0, 10_000.0):
        grid = proximity_components(x, y, distance)
        assert same_partition(grid, brute_force(x, y, distance))
        counts.append(len(np.unique(grid)))
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > counts[-1]
