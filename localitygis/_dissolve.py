"""Dissolve polygons by group: from a coverage certificate, the coverage union, or union_all.

Private plumbing of :mod:`localitygis.localities`. A build certifies the parishes' coverage
once (:func:`coverage_state`, run in the background while parishes are assigned); the
certificate's pairing of boundary segments then dissolves parishes into localities and
localities into the county without another pass over every vertex
(:func:`localitygis._coverage.union_groups`). Groups it cannot vouch for, and coverages
without a certificate, go to :func:`shapely.coverage_union_all`; an invalid coverage to
:func:`shapely.union_all`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

from localitygis._coverage import CoverageChain, certify_coverage, union_groups

__all__ = ["coverage_state", "union_by_group"]


def coverage_state(geoms: np.ndarray) -> tuple[bool, CoverageChain | None]:
    """Whether valid (already repaired) polygons form a valid coverage, with its chain.

    The chain is None when the certificate could not vouch and GEOS decided.

    Examples
    --------
    >>> from shapely import box
    >>> valid, chain = coverage_state(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)]))
    >>> valid, chain is not None
    (True, True)
    """
    chain = certify_coverage(geoms, assume_valid=True)
    if chain is not None:
        return True, chain
    return bool(shapely.coverage_is_valid(geoms)), None


def union_by_group(
    geoms: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    *,
    coverage_valid: bool,
    chain: CoverageChain | None = None,
    workers: int = 1,
) -> list[shapely.Geometry]:
    """Return the union of the polygons of each group ``0 .. n_groups - 1``.

    Parameters
    ----------
    geoms : numpy.ndarray
        Valid polygons.
    group : numpy.ndarray
        Integer group of each polygon, 0 or more; groups from ``n_groups`` on are not
        dissolved.
    n_groups : int
        Number of groups wanted; a group with no polygons gives an empty polygon.
    coverage_valid : bool
        The polygons form a valid coverage (coverage union); otherwise ``union_all`` with
        the result made valid.
    chain : CoverageChain, optional
        The coverage's certificate: the groups are dissolved from it where it can vouch.
    workers : int
        Threads for the groups left to GEOS.

    Returns
    -------
    list of shapely geometry

    Examples
    --------
    >>> from shapely import box
    >>> squares = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 0, 6, 1)])
    >>> [g.area for g in union_by_group(squares, np.array([0, 0, 1]), 2, coverage_valid=True)]
    [2.0, 1.0]
    """
    group = np.asarray(group, dtype=np.int64)
    shapes: list[shapely.Geometry | None] = [None] * n_groups
    if chain is not None and chain.complete and coverage_valid and len(group):
        from_chain = union_groups(chain, group)[:n_groups]
        shapes[: len(from_chain)] = from_chain
    left = [g for g in range(n_groups) if shapes[g] is None]
    members = {g: np.flatnonzero(group == g) for g in left}

    def union(g: int) -> shapely.Geometry:
        parts = geoms[members[g]]
        if not len(parts):
            return shapely.Polygon()
        if coverage_valid:
            return shapely.coverage_union_all(parts)
        merged = shapely.union_all(parts)
        return shapely.make_valid(merged, method="structure", keep_collapsed=False)

    if workers > 1 and len(left) > 1:
        # Largest first, so the threads finish together.
        left.sort(key=lambda g: -len(members[g]))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = dict(zip(left, pool.map(union, left), strict=True))
    else:
        done = {g: union(g) for g in left}
    for g, shape in done.items():
        shapes[g] = shape
    return shapes  # type: ignore[return-value]
