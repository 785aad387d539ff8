"""Dissolving a certified coverage from its segment pairing must equal the coverage union.

:func:`localitygis.localities.certificate.union_groups` builds each group's union from the boundary
segments the certificate left unpaired across group borders; it may decline a group (None),
but what it returns must be exactly what :func:`shapely.coverage_union_all` gives.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

from localitygis.localities import certificate as _coverage
from localitygis.localities.certificate import certify_coverage, union_groups
from localitygis.localities.dissolve import coverage_state, union_by_group
from tests._tessellations import tessellation


def _grid(n: int) -> np.ndarray:
    """An n x n grid of unit squares, row by row."""
    return np.array([box(i, j, i + 1, j + 1) for j in range(n) for i in range(n)], dtype=object)


def _expected(geoms: np.ndarray, group: np.ndarray, g: int) -> shapely.Geometry:
    return shapely.coverage_union_all(geoms[group == g])


def _assert_matches(geoms: np.ndarray, group: np.ndarray, shapes: list) -> int:
    """Every shape returned is valid and equals the coverage union; returns how many."""
    made = 0
    for g, shape in enumerate(shapes):
        if shape is None:
            continue
        made += 1
        expected = _expected(geoms, group, g)
        assert shape.is_valid, f"group {g}: {shapely.is_valid_reason(shape)}"
        assert shape.geom_type == expected.geom_type, g
        assert shapely.equals(shape, expected), f"group {g} differs from coverage_union_all"
        assert shape.area == pytest.approx(expected.area, rel=1e-12)
        assert shapely.get_num_coordinates(shape) == shapely.get_num_coordinates(expected)
    return made


def test_neighbours_merge_and_others_stay_apart() -> None:
    geoms = _grid(3)
    group = np.array([0, 0, 1, 0, 0, 1, 2, 2, 2])
    chain = certify_coverage(geoms)
    assert chain is not None
    shapes = union_groups(chain, group)
    assert _assert_matches(geoms, group, shapes) == 3
    assert [round(s.area) for s in shapes] == [4, 2, 3]


def test_holes_and_islands_in_holes() -> None:
    # 5 x 5: outer ring (group 0), middle ring (group 1), centre back in group 0.
    geoms = _grid(5)
    ij = [(i, j) for j in range(5) for i in range(5)]
    ring = np.array([max(abs(i - 2), abs(j - 2)) for i, j in ij])
    group = np.where(ring == 1, 1, 0)
    shapes = union_groups(certify_coverage(geoms), group)
    assert _assert_matches(geoms, group, shapes) == 2
    outer, middle = shapes
    assert outer.geom_type == "MultiPolygon"
    assert len(outer.geoms) == 2
    assert len(middle.interiors) == 1  # the middle ring has the centre as its hole
    assert len(max(outer.geoms, key=lambda p: p.area).interiors) == 1


def test_a_pinched_group_is_declined_and_union_by_group_falls_back() -> None:
    # A 2 x 2 chequerboard: each group's two squares touch at one vertex only.
    geoms = _grid(2)
    group = np.array([0, 1, 1, 0])
    chain = certify_coverage(geoms)
    assert union_groups(chain, group) == [None, None]
    shapes = union_by_group(geoms, group, 2, coverage_valid=True, chain=chain)
    assert [s.geom_type for s in shapes] == ["MultiPolygon", "MultiPolygon"]
    assert _assert_matches(geoms, group, shapes) == 2


def test_multipolygon_inputs_and_clockwise_shells() -> None:
    # One input is a two-part parish; another is wound clockwise, as files often are.
    geoms = _grid(3)
    geoms = np.array(
        [
            shapely.MultiPolygon([geoms[0], geoms[8]]),
            shapely.orient_polygons(geoms[1], exterior_cw=True),
            *geoms[2:8],
        ],
        dtype=object,
    )
    group = np.array([0, 0, 1, 1, 1, 1, 0, 1])
    shapes = union_groups(certify_coverage(geoms), group)
    assert _assert_matches(geoms, group, shapes) == 2


def _collide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hash the certificate makes is 0: all pairing is left to the exact paths."""
    monkeypatch.setattr(_coverage, "_mix", lambda k: np.multiply(k, 0, out=k))


def _pairs(chain: _coverage.CoverageChain) -> set[frozenset[int]]:
    return {frozenset(p) for p in zip(chain.pair_a.tolist(), chain.pair_b.tolist(), strict=True)}


@pytest.mark.parametrize("densify", [None, 80.0])
def test_forced_hash_collisions_are_settled_exactly_and_nothing_falls_back(
    monkeypatch: pytest.MonkeyPatch, densify: float | None
) -> None:
    geoms = np.array(tessellation(3, 15, densify=densify), dtype=object)
    group = np.arange(len(geoms)) % 3
    honest = certify_coverage(geoms)
    _collide(monkeypatch)
    chain = certify_coverage(geoms)
    assert chain is not None
    # The same pairing as with working hashes, only found another way.
    assert _pairs(chain) == _pairs(honest)
    assert chain.single.tolist() == honest.single.tolist()
    shapes = union_groups(chain, group)
    assert None not in shapes  # settled where they occur: no group left to GEOS
    assert _assert_matches(geoms, group, shapes) == 3


def test_a_collision_between_different_segments_keeps_both_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two squares apart: every segment collides with every other, none is shared.
    geoms = np.array([box(0, 0, 1, 1), box(5, 5, 6, 6), box(1, 0, 2, 1)], dtype=object)
    _collide(monkeypatch)
    chain = certify_coverage(geoms)
    assert chain is not None
    assert len(chain.pair_a) == 1  # only the edge x = 1 is shared
    assert len(chain.single) == 10
    shapes = union_groups(chain, np.array([0, 1, 0]))
    assert _assert_matches(geoms, np.array([0, 1, 0]), shapes) == 2


def test_groups_past_n_groups_are_left_out() -> None:
    geoms = _grid(2)
    shapes = union_by_group(
        geoms, np.array([0, 0, 1, 5]), 2, coverage_valid=True, chain=certify_coverage(geoms)
    )
    assert [s.area for s in shapes] == [2.0, 1.0]


def test_an_invalid_coverage_has_no_chain_and_is_dissolved_with_union_all() -> None:
    geoms = np.array([box(0, 0, 2, 1), box(1, 0, 3, 1)], dtype=object)  # overlapping
    valid, chain = coverage_state(geoms)
    assert (valid, chain) == (False, None)
    (shape,) = union_by_group(geoms, np.array([0, 0]), 1, coverage_valid=False)
    assert shape.area == pytest.approx(3.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(3, 60),
    n_groups=st.integers(1, 8),
    clustered=st.booleans(),
    densify=st.sampled_from([None, 30.0, 90.0]),
)
def test_random_tessellations_and_groupings_match_the_coverage_union(
    seed: int, n: int, n_groups: int, clustered: bool, densify: float | None
) -> None:
    geoms = np.array(tessellation(seed, n, densify=densify), dtype=object)
    rng = np.random.default_rng(seed)
    if clustered:  # contiguous groups around random seeds, as localities are
        centres = shapely.get_coordinates(shapely.centroid(geoms))
        seeds = centres[rng.choice(len(geoms), size=min(n_groups, len(geoms)), replace=False)]
        group = np.argmin(((centres[:, None, :] - seeds[None]) ** 2).sum(axis=2), axis=1)
    else:  # scattered groups: holes, islands and pinches
        group = rng.integers(0, n_groups, size=len(geoms))
    group = np.unique(group, return_inverse=True)[1]
    chain = certify_coverage(geoms)
    assert chain is not None
    shapes = union_groups(chain, group)
    _assert_matches(geoms, group, shapes)
    # The whole coverage (one group) is a square: never declined.
    (county,) = union_groups(chain, np.zeros(len(geoms), dtype=np.int64))
    assert county is not None
    assert shapely.equals(county, box(0, 0, 1_000, 1_000))
    # With the fallback, every group is dissolved and matches.
    full = union_by_group(geoms, group, int(group.max()) + 1, coverage_valid=True, chain=chain)
    assert _assert_matches(geoms, group, full) == int(group.max()) + 1


def test_union_by_group_asks_geos_only_for_declined_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    geoms = _grid(4)
    group = np.array([0, 0, 1, 1] * 2 + [2, 2, 3, 3] * 2)
    chain = certify_coverage(geoms)
    asked: list[int] = []

    def counting_union(parts: np.ndarray) -> shapely.Geometry:
        asked.append(len(parts))
        return shapely.union_all(parts)

    monkeypatch.setattr(shapely, "coverage_union_all", counting_union)
    shapes = union_by_group(geoms, group, 4, coverage_valid=True, chain=chain)
    assert asked == []
    assert [s.area for s in shapes] == [4.0, 4.0, 4.0, 4.0]
    union_by_group(geoms, group, 4, coverage_valid=True)  # no chain: GEOS for every group
    assert asked == [4, 4, 4, 4]


@pytest.mark.parametrize("buckets", [2, 16, 256])
def test_many_natural_looking_collisions_are_settled_exactly(
    monkeypatch: pytest.MonkeyPatch, buckets: int
) -> None:
    # A weak hash with few values: unique hashes, coincidental pairs and long runs of
    # unrelated segments all occur at once, in the segment pairing and the ring tracing.
    geoms = np.array(tessellation(11, 40, densify=60.0), dtype=object)
    honest = certify_coverage(geoms)
    mask = np.uint64((buckets - 1) << 41)  # hash bits above the packed segment number

    def weak(k: np.ndarray) -> np.ndarray:
        k *= np.uint64(0x9E3779B97F4A7C15)
        k &= mask
        return k

    monkeypatch.setattr(_coverage, "_mix", weak)
    chain = certify_coverage(geoms)
    assert chain is not None
    assert _pairs(chain) == _pairs(honest)
    assert chain.single.tolist() == honest.single.tolist()
    group = np.arange(len(geoms)) % 4
    shapes = union_groups(chain, group)
    # Declined (pinched) groups are a matter of geometry, not of hashing.
    assert [s is None for s in shapes] == [s is None for s in union_groups(honest, group)]
    assert _assert_matches(geoms, group, shapes) >= 1
