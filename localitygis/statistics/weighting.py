"""Area weighting: each small area split among the targets it overlaps, by area share.

A small area's share in a target is the area of their overlap over the area of the small
area that lies in any target (as ``tobler.area_weighted.area_interpolate`` does with
``allocate_total=True``), so counts are conserved even along a ragged county edge. Small
areas lying in no target are rejected with the reason.

The overlay is computed once per pair that can overlap: a small area that lies wholly in one
target (the common case, since small areas mostly nest in parishes) needs no intersection at
all; only the areas that straddle a boundary are intersected.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.statistics._common import Fit, checked_layers, unplaced_rejects

__all__ = ["area_weighted", "overlap_areas"]


def area_weighted(
    small_areas: gpd.GeoDataFrame, targets: gpd.GeoDataFrame, *, key: str = "parish_code"
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
    area_i, target_i, overlap = overlap_areas(layers.area_geoms, layers.target_geoms)
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
    sources: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Areas of overlap of every (source, target) pair of polygons that overlap.

    Sources a target covers take their own area without an intersection; the rest are
    intersected with each target they meet. Pairs that only touch (zero area) are left out.

    Parameters
    ----------
    sources, targets : numpy.ndarray of shapely geometries
        Valid polygons.

    Returns
    -------
    tuple of numpy.ndarray
        Source positions, target positions and overlap areas.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import box
    >>> src = np.array([box(0, 0, 1, 1), box(1, 0, 3, 1)])
    >>> tgt = np.array([box(0, 0, 2, 1), box(2, 0, 4, 1)])
    >>> [a.tolist() for a in overlap_areas(src, tgt)]
    [[0, 1, 1], [0, 0, 1], [1.0, 1.0, 1.0]]
    """
    shapely.prepare(targets)
    tree = shapely.STRtree(sources)
    whole_t, whole_s = tree.query(targets, predicate="covers")
    whole_s, first = np.unique(whole_s, return_index=True)  # a sliver source on a shared edge
    whole_t = whole_t[first]
    rest = np.setdiff1d(np.arange(len(sources)), whole_s)
    part_s, part_t = shapely.STRtree(targets).query(sources[rest], predicate="intersects")
    part_s = rest[part_s]
    part_a = shapely.area(shapely.intersection(sources[part_s], targets[part_t]))
    positive = part_a > 0
    src = np.concatenate([whole_s, part_s[positive]])
    tgt = np.concatenate([whole_t, part_t[positive]])
    area = np.concatenate([shapely.area(sources[whole_s]), part_a[positive]])
    order = np.lexsort((tgt, src))
    return src[order], tgt[order], area[order]
