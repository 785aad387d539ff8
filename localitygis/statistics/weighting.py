"""Area weighting: each small area split among the targets it overlaps, by area share.

A small area's share in a target is the area of their overlap over the area of the small
area that lies in any target (as ``tobler.area_weighted.area_interpolate`` does with
``allocate_total=True``), so counts are conserved even along a ragged county edge. Small
areas lying in no target are rejected with the reason.

GEOS overlays would be the whole cost, so they are avoided where the geometry allows: a pair
with a convex side is clipped by it (:mod:`~localitygis.statistics.convex`: exact, and on
cells of six vertices some thirty times cheaper than an overlay). For the rest (real small
areas and parishes are rarely convex), when the targets form a valid coverage (parishes do;
the certificate of :mod:`localitygis.localities.certificate` proves it cheaply), a small
area inside it meeting one target needs no intersection, one nesting in a target up to
floating-point noise needs one, and one straddling k targets needs k - 1, its last piece
being its area minus the others. Both run in threads.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.localities._threads import map_chunks, thread_count
from localitygis.localities.certificate import certify_coverage, union_groups
from localitygis.statistics import convex
from localitygis.statistics._common import Fit, checked_layers, unplaced_rejects

__all__ = ["area_weighted", "overlap_areas"]

#: Pieces smaller than this fraction of their small area are floating-point slivers.
SLIVER = 1e-9


def area_weighted(
    small_areas: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    *,
    key: str = "parish_code",
    workers: int | None = None,
) -> Fit:
    """Split each small area among the targets (parishes) it overlaps, by area share.

    Parameters
    ----------
    small_areas : geopandas.GeoDataFrame
        ``area_code`` and polygons, EPSG:27700.
    targets : geopandas.GeoDataFrame
        Parishes (or any polygons) with the code column ``key``, EPSG:27700.
    key : str, default "parish_code"
        The targets' code column.
    workers : int, optional
        Threads for the overlays; default up to 4, the CPUs available.

    Returns
    -------
    Fit
        ``memberships``: one row per overlapping (small area, target) pair, ``share`` the
        overlap's fraction of the small area's covered area.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame({"parish_code": ["P1", "P2"]},
    ...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
    >>> areas = gpd.GeoDataFrame({"area_code": ["A", "B"]},
    ...     geometry=[box(1, 1, 9, 9), box(5, 0, 20, 10)], crs=27700)
    >>> fit = area_weighted(areas, parishes)
    >>> fit.memberships[["area_code", "target", "share"]].round(3).to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'area_code': 'A', 'target': 'P1', 'share': 1.0},
     {'area_code': 'B', 'target': 'P1', 'share': 0.333},
     {'area_code': 'B', 'target': 'P2', 'share': 0.667}]
    """
    layers = checked_layers(small_areas, targets, key)
    area_i, target_i, overlap = overlap_areas(
        layers.area_geoms, layers.target_geoms, workers=workers
    )
    covered = np.bincount(area_i, weights=overlap, minlength=len(layers.areas))
    keep = covered[area_i] > 0
    area_i, target_i, overlap = area_i[keep], target_i[keep], overlap[keep]
    order = np.lexsort((target_i, area_i))
    area_i, target_i, overlap = area_i[order], target_i[order], overlap[order]
    memberships = pd.DataFrame(
        {
            "area_code": layers.areas["area_code"].astype(str).to_numpy()[area_i],
            "target": layers.targets[key].astype(str).to_numpy()[target_i],
            "share": overlap / covered[area_i],
            "area_m2": overlap,
        }
    )
    lost = np.flatnonzero(covered <= 0)
    rejects = [layers.rejects, unplaced_rejects(layers, lost, "it overlaps no target")]
    return Fit(
        method="area_weighted",
        key=key,
        memberships=memberships,
        rejects=pd.concat(rejects, ignore_index=True),
        repaired=layers.repaired,
    )


def overlap_areas(
    sources: np.ndarray, targets: np.ndarray, *, workers: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Areas of overlap of every (source, target) pair of polygons that overlap.

    Where one polygon of a pair is convex, the other is clipped by it
    (:func:`~localitygis.statistics.convex.clipped_areas`: exact, no GEOS overlay); a
    source all of whose pairs have a convex side takes that route. The other sources are
    overlaid with GEOS (by the coverage where it pays). Pieces under ``SLIVER`` of their source's
    area are floating-point slivers along a shared edge (or pairs that only touch) and are
    left out.

    Parameters
    ----------
    sources, targets : numpy.ndarray of shapely geometries
        Valid polygons.
    workers : int, optional
        Threads (the clipping and GEOS both release the GIL); default up to 4, the CPUs
        available.

    Returns
    -------
    tuple of numpy.ndarray
        Source positions, target positions and overlap areas, by source then target.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import Polygon, box
    >>> ell = Polygon([(0, 0), (4, 0), (4, 1), (1, 1), (1, 2), (0, 2)])
    >>> src = np.array([box(0, 0, 1, 1), box(1, 0, 3, 1), box(3, 0, 5, 1), ell])
    >>> tgt = np.array([box(0, 0, 2, 1), box(2, 0, 4, 1)])
    >>> [a.tolist() for a in overlap_areas(src, tgt)]
    [[0, 1, 1, 2, 3, 3], [0, 0, 1, 1, 0, 1], [1.0, 1.0, 1.0, 1.0, 2.0, 2.0]]
    """
    threads = thread_count(workers)
    source, target, area, clipped = _clipped_pieces(sources, targets, threads)
    rest = np.flatnonzero(~clipped)
    more = _overlaid_areas(sources[rest], targets, threads=threads)
    source = np.r_[source, rest[more[0]]]
    target, area = np.r_[target, more[1]], np.r_[area, more[2]]
    keep = area > SLIVER * shapely.area(sources)[source]
    source, target, area = source[keep], target[keep], area[keep]
    order = np.lexsort((target, source))
    return source[order], target[order], area[order]


def _clipped_pieces(
    sources: np.ndarray, targets: np.ndarray, threads: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Overlaps of the sources whose every pair (by bounding box) has a convex polygon.

    Returns the pairs' source and target positions and areas, and per source whether it
    was done here.
    """
    source, target = shapely.STRtree(targets).query(sources)
    source_rings, target_rings = convex.rings_of(sources), convex.rings_of(targets)
    by_target = convex.convex_polygons(targets, target_rings)[target]
    by_source = convex.convex_polygons(sources, source_rings)[source] & ~by_target
    blocked = np.bincount(source[~(by_target | by_source)], minlength=len(sources)) > 0
    clipped = ~blocked
    mine = clipped[source]
    source, target = source[mine], target[mine]
    by_target, by_source = by_target[mine], by_source[mine]
    area = np.empty(len(source))
    area[by_target] = convex.clipped_areas(
        source_rings, target_rings, source[by_target], target[by_target], workers=threads
    )
    area[by_source] = convex.clipped_areas(
        target_rings, source_rings, target[by_source], source[by_source], workers=threads
    )
    return source, target, area, clipped


def _overlaid_areas(
    sources: np.ndarray, targets: np.ndarray, *, threads: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Areas of overlap of every intersecting (source, target) pair, by GEOS overlays.

    When the sources are at least a quarter as many as the targets and the targets form a
    valid coverage (certified by
    :func:`~localitygis.localities.certificate.certify_coverage`, worth its cost only then),
    the pieces of a source inside their outline add up to its own area: one meeting a
    single target needs no overlay; one meeting several is intersected first with the
    target its bounding box overlaps most, and if that piece is the whole source (up to
    ``SLIVER``) the rest are nothing; otherwise it is intersected with all of them but the
    last, whose piece is the source's area minus the others. Other sources are intersected
    with each target they meet.

    Parameters
    ----------
    sources, targets : numpy.ndarray of shapely geometries
        Valid polygons.
    threads : int, default 1
        Threads for the overlays (GEOS releases the GIL).

    Returns
    -------
    tuple of numpy.ndarray
        Source positions, target positions and overlap areas (slivers included), by source.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import box
    >>> src = np.array([box(0, 0, 1, 1), box(1, 0, 3, 1), box(3, 0, 5, 1)])
    >>> tgt = np.array([box(0, 0, 2, 1), box(2, 0, 4, 1)])
    >>> [a.tolist() for a in _overlaid_areas(src, tgt)]
    [[0, 1, 1, 2], [0, 0, 1, 1], [1.0, 1.0, 1.0, 1.0]]
    """
    source, target = _candidates(sources, targets)
    inside = np.zeros(len(source), dtype=bool)
    if len(sources) * 4 >= len(targets):
        inside = _inside_outline(sources, targets)[source]
    area = _pieces_inside(sources[source], targets[target], source, inside, threads)
    outside = ~inside
    area[outside] = _overlap_area(sources[source[outside]], targets[target[outside]], threads)
    return source, target, area


def _pieces_inside(
    sources: np.ndarray, targets: np.ndarray, source: np.ndarray, inside: np.ndarray, threads: int
) -> np.ndarray:
    """Overlap areas of pairs whose source lies inside a coverage of the targets.

    The pairs are grouped by ``source``, each group's target overlapping it most (by bounding
    box) first. A source meeting one target lies wholly in it. A source meeting several is
    intersected first with that target: if the piece is the whole source (up to ``SLIVER``)
    the other pieces are nothing; otherwise the others are intersected but the last, which is
    the source's area minus the rest, since the pieces of a source inside a coverage add up
    to its area.

    Parameters
    ----------
    sources, targets : numpy.ndarray of shapely geometries
        The two polygons of each pair.
    source : numpy.ndarray
        Each pair's source position, grouped (equal positions together).
    inside : numpy.ndarray
        bool per pair: its source lies inside the coverage of the targets.
    threads : int
        Threads for the overlays.

    Returns
    -------
    numpy.ndarray
        The overlap area of each pair inside; NaN for the others.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import box
    >>> src = np.array([box(0, 0, 1, 1)] + [box(1, 0, 4, 1)] * 3)
    >>> tgt = np.array([box(0, 0, 2, 1), box(2, 0, 3, 1), box(1, 0, 2, 1), box(3, 0, 4, 1)])
    >>> _pieces_inside(src, tgt, np.array([0, 1, 1, 1]), np.ones(4, bool), 1).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    first = np.r_[True, source[1:] != source[:-1]]
    last = np.r_[source[1:] != source[:-1], True]
    whole_area = shapely.area(sources)
    area = np.full(len(source), np.nan)
    single = inside & first & last
    area[single] = whole_area[single]
    top = inside & first & ~last
    area[top] = _overlap_area(sources[top], targets[top], threads)
    settled = np.zeros(source.max(initial=-1) + 1, dtype=bool)
    settled[source[top]] = whole_area[top] - area[top] <= SLIVER * whole_area[top]
    area[inside & np.isnan(area) & settled[source]] = 0.0
    derived = inside & last & np.isnan(area)
    rest = inside & np.isnan(area) & ~derived
    area[rest] = _overlap_area(sources[rest], targets[rest], threads)
    area[derived] = 0.0
    known = np.bincount(source[inside], weights=area[inside], minlength=len(settled))
    area[derived] = whole_area[derived] - known[source[derived]]
    return area


def _candidates(sources: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs that intersect, by source, then by how much their bounding boxes overlap."""
    source, target = shapely.STRtree(targets).query(sources, predicate="intersects")
    a, b = shapely.bounds(sources)[source], shapely.bounds(targets)[target]
    width = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
    height = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    order = np.lexsort((target, -(width * height), source))
    return source[order], target[order]


def _inside_outline(sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Whether each source lies inside the outline of the targets, when they are a coverage."""
    outline = _coverage_outline(targets)
    if outline is None:
        return np.zeros(len(sources), dtype=bool)
    shapely.prepare(outline)
    return shapely.covers(outline, sources)


def _coverage_outline(targets: np.ndarray) -> shapely.Geometry | None:
    """Return the union of the targets if they form a certified coverage, else None."""
    chain = certify_coverage(targets, assume_valid=True) if len(targets) else None
    if chain is None:
        return None
    union = union_groups(chain, np.zeros(len(targets), dtype=np.int64))
    return union[0] if union and union[0] is not None else shapely.coverage_union_all(targets)


def _overlap_area(a: np.ndarray, b: np.ndarray, threads: int) -> np.ndarray:
    return map_chunks(_intersection_area, a, b, workers=threads)


def _intersection_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return shapely.area(shapely.intersection(a, b))
