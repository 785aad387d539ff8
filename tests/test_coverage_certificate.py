"""localitygis.localities.quality.coverage_is_valid must give exactly GEOS's answer.

The fast certificate (:func:`localitygis.localities.certificate.certify_coverage`) may only
vouch when
:func:`shapely.coverage_is_valid` does; these tests compare the two on hand-made cases and on
random Voronoi tessellations with and without defects.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import MultiPolygon, Polygon, box

from localitygis.localities import certificate as _coverage
from localitygis.localities.quality import check_coverage, coverage_is_valid
from tests._tessellations import tessellation as _tessellation


def _certify_coverage(geoms: np.ndarray) -> bool:
    return _coverage.certify_coverage(geoms) is not None


def _both(geoms: list[shapely.Geometry]) -> tuple[bool, bool]:
    arr = np.array(geoms, dtype=object)
    return coverage_is_valid(arr), bool(shapely.coverage_is_valid(arr))


CASES = {
    "two squares": ([box(0, 0, 1, 1), box(1, 0, 2, 1)], True),
    "overlap": ([box(0, 0, 1, 1), box(0.5, 0, 2, 1)], False),
    "vertex on a neighbour's edge": (
        [box(0, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)],
        False,
    ),
    "corners touching": ([box(0, 0, 1, 1), box(1, 1, 2, 2)], True),
    "polygon inside another": ([box(0, 0, 3, 3), box(1, 1, 2, 2)], False),
    "hole filled by an island": (
        [box(0, 0, 3, 3).difference(box(1, 1, 2, 2)), box(1, 1, 2, 2)],
        True,
    ),
    "hole left as a gap": ([box(0, 0, 3, 3).difference(box(1, 1, 2, 2))], True),
    "same polygon twice": ([box(0, 0, 1, 1), box(0, 0, 1, 1)], False),
    "clockwise shell": ([box(0, 0, 1, 1, ccw=False), box(1, 0, 2, 1)], True),
    "apart": ([box(0, 0, 1, 1), box(5, 5, 6, 6)], True),
    "multipolygon": ([MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)]), box(1, 0, 2, 1)], True),
    "collinear edges of different length": ([box(0, 0, 1, 1), box(1, 0, 2, 2)], False),
    "crossing": ([box(0, 0, 2, 2), Polygon([(1, -1), (3, 1), (1, 3)])], False),
    "repeated vertex": (
        [Polygon([(0, 0), (1, 0), (1, 0), (1, 1), (0, 1)]), box(1, 0, 2, 1)],
        True,
    ),
    "negative zero": ([box(-1, 0, -0.0, 1), box(0.0, 0, 1, 1)], True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hand_made_cases_agree_with_geos(name: str) -> None:
    geoms, expected = CASES[name]
    fast, geos = _both(geoms)
    assert geos is expected
    assert fast is geos


def test_the_certificate_vouches_for_a_clean_tessellation_without_geos() -> None:
    cells = _tessellation(3, 60, densify=40.0)
    assert _certify_coverage(np.array(cells, dtype=object))
    assert shapely.coverage_is_valid(np.array(cells, dtype=object))


def test_invalid_input_polygons_are_left_to_geos() -> None:
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    assert not _certify_coverage(np.array([bowtie, box(5, 5, 6, 6)], dtype=object))
    assert coverage_is_valid([]) is True


def test_check_coverage_still_lists_problems() -> None:
    bad = check_coverage([box(0, 0, 1, 1), box(0.5, 0, 2, 1)], ["A", "B"])
    assert not bad.is_valid
    assert bad.overlaps["area_m2"].tolist() == [0.5]


DEFECTS = ("none", "move vertex", "drop vertex", "grow", "remove", "merge", "shift", "hole")


def _damage(cells: list[shapely.Geometry], defect: str, rng: np.random.Generator) -> list:
    cells = list(cells)
    i = int(rng.integers(len(cells)))
    cell = cells[i]
    xy = shapely.get_coordinates(cell.exterior)[:-1]
    if defect == "move vertex":
        k = int(rng.integers(len(xy)))
        xy[k] += rng.normal(0, 5.0, 2)
        cells[i] = shapely.make_valid(Polygon(xy))
    elif defect == "drop vertex" and len(xy) > 3:
        k = int(rng.integers(len(xy)))
        cells[i] = shapely.make_valid(Polygon(np.delete(xy, k, axis=0)))
    elif defect == "grow":
        cells[i] = shapely.affinity.scale(cell, 1.05, 1.05)
    elif defect == "remove":
        del cells[i]
    elif defect == "merge":
        j = (i + 1) % len(cells)
        union = shapely.union(cells[i], cells[j])
        cells = [c for k, c in enumerate(cells) if k not in (i, j)] + [union]
    elif defect == "shift":
        cells[i] = shapely.affinity.translate(cell, 1e-6, 0)
    elif defect == "hole":
        c = cell.centroid
        hole = box(c.x - 1, c.y - 1, c.x + 1, c.y + 1)
        if cell.contains(hole):
            cells[i] = cell.difference(hole)
            if rng.random() < 0.5:
                cells.append(hole)
    return [c for c in cells if not c.is_empty and c.geom_type in ("Polygon", "MultiPolygon")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(3, 40),
    defect=st.sampled_from(DEFECTS),
    densify=st.sampled_from([None, 25.0, 80.0]),
)
def test_random_tessellations_agree_with_geos(
    seed: int, n: int, defect: str, densify: float | None
) -> None:
    cells = _damage(_tessellation(seed, n, densify=densify), defect, np.random.default_rng(seed))
    arr = np.array(cells, dtype=object)
    geos = bool(shapely.coverage_is_valid(arr))
    assert coverage_is_valid(arr) is geos
    if _certify_coverage(arr):  # the certificate never says yes when GEOS says no
        assert geos
    if defect == "none":  # a clean coverage is vouched for without GEOS
        assert _certify_coverage(arr) is geos


@pytest.mark.parametrize("name", list(CASES))
def test_hash_collisions_are_settled_exactly(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every segment hashes alike: all pairing is left to the exact (coordinate) path.
    import localitygis.localities.quality as quality

    monkeypatch.setattr(_coverage, "_mix", lambda k: np.multiply(k, 0, out=k))
    geoms, expected = CASES[name]
    arr = np.array(geoms, dtype=object)
    if _certify_coverage(arr):
        assert expected
    assert quality.coverage_is_valid(arr) is expected
    cells = np.array(_tessellation(5, 12, densify=60.0), dtype=object)
    assert _certify_coverage(cells)
