"""Area weighting: each small area split among the targets it overlaps, by area share.

A small area's share in a target is the area of their overlap over the area of the small
area that lies in any target (as ``tobler.area_weighted.area_interpolate`` does with
``allocate_total=True``), so counts are conserved even along a ragged county edge. Small
areas lying in no target are rejected with the reason.

No GEOS overlay is built: a pair with a convex side is clipped by it
(:mod:`~localitygis.statistics.convex`), any other pair is integrated along the two
boundaries (:mod:`~localitygis.statistics.concave`), both exact and compiled, eight to
thirty times cheaper than an overlay; the rare pair whose integration does not check out is
overlaid with GEOS. All run in threads.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.localities._threads import map_chunks, thread_count
from localitygis.statistics import concave, convex
from localitygis.statistics._common import Fit, checked_layers, unplaced_rejects

__all__ = ["area_weighted", "overlap_areas"]

logger = logging.getLogger(__name__)

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
    layers = checked_layers(small_areas, targets, key, workers=thread_count(workers))
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

    No overlay is built. A pair with a convex polygon has the other clipped by it
    (:func:`~localitygis.statistics.convex.clipped_areas`); any other pair is integrated
    along the two boundaries (:func:`~localitygis.statistics.concave.integrated_areas`),
    and the rare pair whose integration does not check out is overlaid with GEOS. Pieces
    under ``SLIVER`` of their source's area are floating-point slivers along a shared edge
    (or pairs that only touch) and are left out.

    Parameters
    ----------
    sources, targets : numpy.ndarray of shapely geometries
        Valid polygons.
    workers : int, optional
        Threads (the compiled loops and GEOS release the GIL); default up to 4, the CPUs
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

    Concave on both sides (the L-shape and a U):

    >>> you = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    >>> [a.round(9).tolist() for a in overlap_areas(np.array([ell]), np.array([you]))]
    [[0], [0], [4.0]]
    """
    threads = thread_count(workers)
    source, target = shapely.STRtree(targets).query(sources)
    source_rings, target_rings = convex.rings_of(sources), convex.rings_of(targets)
    by_target = convex.convex_polygons(targets, target_rings)[target]
    by_source = convex.convex_polygons(sources, source_rings)[source] & ~by_target
    other = ~(by_target | by_source)
    area = np.empty(len(source))
    area[by_target] = convex.clipped_areas(
        source_rings, target_rings, source[by_target], target[by_target], workers=threads
    )
    area[by_source] = convex.clipped_areas(
        target_rings, source_rings, target[by_source], source[by_source], workers=threads
    )
    area[other], sure = concave.integrated_areas(
        source_rings, target_rings, source[other], target[other], workers=threads
    )
    unsure = np.flatnonzero(other)[~sure]
    if len(unsure):
        logger.info("%d pairs of polygons overlaid with GEOS", len(unsure))
        area[unsure] = map_chunks(
            _intersection_area, sources[source[unsure]], targets[target[unsure]], workers=threads
        )
    keep = area > SLIVER * shapely.area(sources)[source]
    source, target, area = source[keep], target[keep], area[keep]
    order = np.lexsort((target, source))
    return source[order], target[order], area[order]


def _intersection_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return shapely.area(shapely.intersection(a, b))
