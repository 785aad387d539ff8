"""The overlay behind area weighting: as few intersections as the coverage allows, same areas.

Every result is checked against the plain overlay (each intersecting pair intersected by
GEOS) on random tessellations: targets that form a coverage (where pieces are derived),
targets that overlap (where they cannot be) and small areas nesting in the targets up to
floating-point noise.
"""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localitygis.statistics.weighting import SLIVER, overlap_areas
from tests._tessellations import tessellation

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def plain_overlay(sources: np.ndarray, targets: np.ndarray) -> dict[tuple[int, int], float]:
    """Each pair that intersects, intersected: what an analyst would write."""
    source, target = shapely.STRtree(targets).query(sources, predicate="intersects")
    area = shapely.area(shapely.intersection(sources[source], targets[target]))
    keep = area > SLIVER * shapely.area(sources[source])
    return pieces(source[keep], target[keep], area[keep])


def pieces(source: np.ndarray, target: np.ndarray, area: np.ndarray) -> dict:
    pairs = zip(source.tolist(), target.tolist(), strict=True)
    return dict(zip(pairs, area.tolist(), strict=True))


def assert_same_as_plain(sources: np.ndarray, targets: np.ndarray, workers: int = 1) -> None:
    source, target, area = overlap_areas(sources, targets, workers=workers)
    expected = plain_overlay(sources, targets)
    got = pieces(source, target, area)
    whole = shapely.area(sources)
    # a sliver at the SLIVER threshold may be dropped on one side and kept on the other
    for pair in set(expected) ^ set(got):
        assert expected.get(pair, got.get(pair)) <= 2 * SLIVER * whole[pair[0]], pair
    for pair in set(expected) & set(got):
        assert abs(got[pair] - expected[pair]) <= 1e-9 * whole[pair[0]], pair
    assert np.all(np.diff(source) >= 0)


@PROPERTY
@given(
    seed=st.integers(0, 10_000),
    n_sources=st.integers(1, 150),
    n_targets=st.integers(1, 50),
    shift=st.sampled_from([0.0, 0.0, 137.5, 1_500.0]),
)
def test_pieces_from_a_coverage_equal_the_plain_overlay(seed, n_sources, n_targets, shift):
    sources = shapely.transform(np.array(tessellation(seed, n_sources)), lambda xy: xy + shift)
    targets = np.array(tessellation(seed + 1, n_targets))
    assert_same_as_plain(sources, targets)


@PROPERTY
@given(seed=st.integers(0, 10_000), n_sources=st.integers(1, 150), n_targets=st.integers(2, 50))
def test_overlapping_targets_are_overlaid_pair_by_pair(seed, n_sources, n_targets):
    sources = np.array(tessellation(seed, n_sources))
    cells = tessellation(seed + 1, n_targets)
    targets = np.array([*cells, shapely.buffer(cells[0], 50.0)])  # not a coverage any more
    assert_same_as_plain(sources, targets)


def nested(seed: int, n_targets: int, n_cutters: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Targets cut by another tessellation: pieces nesting in them up to GEOS's noise."""
    targets = np.array(tessellation(seed, n_targets))
    cutters = np.array(tessellation(seed + 1, n_cutters))
    cut, home = shapely.STRtree(targets).query(cutters, predicate="intersects")
    pieces = shapely.intersection(targets[home], cutters[cut])
    keep = (shapely.get_type_id(pieces) == 3) & (shapely.area(pieces) > 1.0)
    return pieces[keep], targets, home[keep]


@PROPERTY
@given(seed=st.integers(0, 10_000), n_targets=st.integers(1, 40), n_cutters=st.integers(1, 60))
def test_nested_small_areas_go_whole_to_their_target(seed, n_targets, n_cutters):
    sources, targets, home = nested(seed, n_targets, n_cutters)
    source, target, area = overlap_areas(sources, targets)
    assert source.tolist() == list(range(len(sources)))  # one piece each, slivers left out
    assert target.tolist() == home.tolist()
    np.testing.assert_allclose(area, shapely.area(sources), rtol=1e-9)
    # not compared with the plain overlay: on such noisy edges GEOS's intersection can be
    # wrong (seed 43, 30 targets, 4 cutters: a piece "overlaps" two disjoint targets wholly)


def test_two_threads_give_the_same_areas_as_one():
    sources = np.array(tessellation(3, 2_000))
    targets = np.array(tessellation(4, 300))
    one = overlap_areas(sources, targets, workers=1)
    two = overlap_areas(sources, targets, workers=2)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)
    assert_same_as_plain(sources, targets, workers=2)


def test_a_small_area_straddling_three_targets_is_split_exactly():
    targets = shapely.box(np.array([0.0, 10, 20]), 0, np.array([10.0, 20, 30]), 10)
    sources = np.array([shapely.Polygon([(5, 2), (25, 2), (25, 8), (5, 8)])])
    source, target, area = overlap_areas(sources, targets)
    assert source.tolist() == [0, 0, 0]
    assert target.tolist() == [0, 1, 2]
    np.testing.assert_allclose(area, [30.0, 60.0, 30.0], rtol=1e-12)


def test_pairs_the_integration_is_unsure_of_are_overlaid_with_geos(monkeypatch, caplog):
    from localitygis.statistics import concave, weighting
    from tests.test_statistics_convex import merged

    real = concave.integrated_areas
    flagged = []

    def unsure_of_every_other(*args, **kwargs):
        area, sure = real(*args, **kwargs)
        sure[::2] = False
        area[::2] = -1.0  # a wrong answer the caller must replace
        flagged.append(int((~sure).sum()))
        return area, sure

    monkeypatch.setattr(weighting.concave, "integrated_areas", unsure_of_every_other)
    sources, targets = merged(5, 120, 30), merged(6, 90, 12)
    with caplog.at_level("INFO", logger="localitygis.statistics.weighting"):
        assert_same_as_plain(sources, targets)
    assert len(flagged) == 1
    assert flagged[0] > 10
    assert f"{flagged[0]} pairs of polygons overlaid with GEOS" in caplog.text
