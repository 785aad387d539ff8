"""Placing parishes in catchments drawn along parish boundaries, without measuring overlaps.

Council catchments are often unions of parishes. When the parishes and the catchments are
both valid coverages (each certified by
:func:`localitygis.localities.certificate.certify_coverage`), a catchment boundary segment
that is also a parish segment lies on parish boundaries, which meet no parish's interior.
So a parish that no other catchment segment touches has no catchment boundary through its
interior: each of its parts lies wholly inside one catchment, or outside all of them. Its
catchment is then read from a shared segment (the parish and the catchment on the same
side of it) or, for a parish without one, found by one point-in-polygon test per part:
no intersection is computed, and the share is exactly 1 for a parish in one catchment.

Parishes that some catchment segment crosses (catchments digitised independently, partly
or wholly) are left to the general route of
:func:`localitygis.localities.assign.assign_by_overlap`, as are parishes with a part whose interior
point GEOS could not vouch for. A parish of several parts is placed part by part, by points
(its parts may lie in different catchments).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from localitygis.localities.certificate import (
    CoverageChain,
    _one_each,
    nest_coverages,
    segment_lines,
)

__all__ = ["NestedPlacement", "assign_nested", "follows_parishes"]


@dataclass(frozen=True)
class NestedPlacement:
    """The parishes placed from the certificates, and their (parish, catchment, area) triples.

    Attributes
    ----------
    placed : numpy.ndarray
        bool per parish: placed here (with its triples, or in no catchment when it has none).
    parish, catchment, area : numpy.ndarray
        The area of each placed parish inside each catchment (positions in the sorted
        catchments); a parish wholly in one catchment has its own area there.
    """

    placed: np.ndarray
    parish: np.ndarray
    catchment: np.ndarray
    area: np.ndarray

    @classmethod
    def nothing(cls, n: int) -> NestedPlacement:
        """No parish placed."""
        none = np.empty(0, dtype=np.int64)
        return cls(np.zeros(n, dtype=bool), none, none, np.empty(0))


def assign_nested(
    p_geoms: np.ndarray,
    p_area: np.ndarray,
    chains: tuple[CoverageChain, CoverageChain],
    c_geoms: np.ndarray,
    c_rank: np.ndarray,
    tree: shapely.STRtree,
) -> NestedPlacement:
    """Place the parishes no catchment boundary crosses, from the two coverage certificates.

    Parameters
    ----------
    p_geoms, p_area : numpy.ndarray
        The parishes (a valid coverage) and their areas.
    chains : tuple of CoverageChain
        The certificates of the parishes and of the catchments (in the catchments' frame
        order).
    c_geoms : numpy.ndarray
        The catchments sorted by name (prepared, for the point tests).
    c_rank : numpy.ndarray
        Per catchment in the frame's order, its position in ``c_geoms``.
    tree : shapely.STRtree
        Of ``c_geoms``.

    Returns
    -------
    NestedPlacement

    Examples
    --------
    >>> from shapely import box
    >>> from localitygis.localities.certificate import certify_coverage
    >>> parishes = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)])
    >>> schools = np.array([shapely.coverage_union_all(parishes[:2]), parishes[2]])
    >>> chains = certify_coverage(parishes), certify_coverage(schools)
    >>> found = assign_nested(parishes, shapely.area(parishes), chains, schools,
    ...                       np.array([0, 1]), shapely.STRtree(schools))
    >>> found.placed.tolist(), found.parish.tolist(), found.catchment.tolist()
    ([True, True, True], [0, 1, 2], [0, 0, 1])
    """
    nesting = nest_coverages(*chains)
    if nesting is None:
        return NestedPlacement.nothing(len(p_geoms))
    clear = _uncrossed(p_geoms, chains[1], nesting.loose)
    within = np.where(nesting.within >= 0, c_rank[np.maximum(nesting.within, 0)], -1)
    direct = np.flatnonzero(clear & (within >= 0) & (shapely.get_type_id(p_geoms) == 3))
    clear[direct] = False
    by_points = _by_points(p_geoms, p_area, np.flatnonzero(clear), c_geoms, tree)
    placed = by_points.placed
    placed[direct] = True
    return NestedPlacement(
        placed,
        np.concatenate([direct, by_points.parish]),
        np.concatenate([within[direct], by_points.catchment]),
        np.concatenate([p_area[direct], by_points.area]),
    )


def _uncrossed(p_geoms: np.ndarray, chain: CoverageChain, loose: np.ndarray) -> np.ndarray:
    """Per parish: no catchment segment that is not a parish segment touches it."""
    clear = np.ones(len(p_geoms), dtype=bool)
    if len(loose):
        lines = segment_lines(chain, loose)
        _, touched = shapely.STRtree(p_geoms).query(lines, predicate="intersects")
        clear[touched] = False
    return clear


def _by_points(
    p_geoms: np.ndarray,
    p_area: np.ndarray,
    which: np.ndarray,
    c_geoms: np.ndarray,
    tree: shapely.STRtree,
) -> NestedPlacement:
    """Place the uncrossed parishes ``which`` part by part, each by a point in its interior.

    A part whose point GEOS does not find properly inside it leaves its parish unplaced.
    """
    parts, part_of = shapely.get_parts(p_geoms[which], return_index=True)
    points = shapely.point_on_surface(parts)
    pi, ci = tree.query(points)
    holds = shapely.contains_properly(c_geoms[ci], points[pi])
    catchment = np.full(len(parts), -1, dtype=np.int64)
    catchment[pi[holds]] = ci[holds]  # at most one: the catchments do not overlap
    inner = shapely.contains_properly(parts, points)
    good = np.bincount(part_of[~inner], minlength=len(which)) == 0
    one = _one_each(part_of, catchment, len(which))
    whole = good & (one >= 0)
    # Parishes whose parts lie in different catchments (or some in none): area by catchment.
    split = (good & (one == -2))[part_of] & (catchment >= 0)
    key, inverse = np.unique(part_of[split] * len(c_geoms) + catchment[split], return_inverse=True)
    area = np.bincount(inverse, weights=shapely.area(parts[split]), minlength=len(key))
    placed = np.zeros(len(p_geoms), dtype=bool)
    placed[which[good]] = True
    return NestedPlacement(
        placed,
        np.concatenate([which[whole], which[key // len(c_geoms)]]),
        np.concatenate([one[whole], key % len(c_geoms)]),
        np.concatenate([p_area[which[whole]], area]),
    )


def follows_parishes(p_geoms: np.ndarray, chain: CoverageChain, *, sample: int = 200) -> bool:
    """Whether catchments look drawn along parish boundaries (worth the nested route).

    A cheap look, before the parishes' certificate is ready: most of a sample of catchment
    vertices must lie on a parish boundary. Catchments digitised on their own put almost
    none there, and waiting for the certificate would only delay the measured route. The
    answer picks a route, never a result: both routes give the same assignment.

    Examples
    --------
    >>> from shapely import box
    >>> from localitygis.localities.certificate import certify_coverage
    >>> parishes = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> follows_parishes(parishes, certify_coverage(np.array([box(0, 0, 2, 1)])))
    True
    >>> follows_parishes(parishes, certify_coverage(np.array([box(0.1, 0.1, 2.1, 1.1)])))
    False
    """
    picked = chain.point[np.unique(np.linspace(0, len(chain.point) - 1, sample).astype(np.int64))]
    points = shapely.points(picked.real, picked.imag)
    on_boundary, _ = shapely.STRtree(p_geoms).query(points, predicate="touches")
    return len(np.unique(on_boundary)) * 2 >= len(points)
