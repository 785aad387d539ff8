"""Best fit: each small area goes whole to the target holding its point.

This is the ONS best-fit method: the point is the small area's population-weighted centroid
when one is given, else a representative point (a point guaranteed inside the area — not
the centroid, which can fall outside a crescent-shaped area). A point on a boundary shared by
two targets goes to the one whose code sorts first, so the answer never depends on row order.
Small areas whose point lies in no target are rejected with the reason.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.errors import DataError
from localitygis.statistics._common import Fit, checked_layers, unplaced_rejects

__all__ = ["best_fit"]


def best_fit(
    small_areas: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    *,
    key: str = "parish_code",
    points: gpd.GeoDataFrame | None = None,
) -> Fit:
    """Assign each small area whole to the target (parish) holding its point.

    Parameters
    ----------
    small_areas : geopandas.GeoDataFrame
        ``area_code`` and polygons, EPSG:27700.
    targets : geopandas.GeoDataFrame
        Parishes (or any polygons) with the code column ``key``, EPSG:27700.
    key : str, default "parish_code"
        The targets' code column.
    points : geopandas.GeoDataFrame, optional
        Population-weighted centroids: ``area_code`` and point geometry (EPSG:27700). Small
        areas without one use their representative point (said in the ``point`` column).

    Returns
    -------
    Fit
        ``memberships`` with ``share`` 1 for every placed small area.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame({"parish_code": ["P1", "P2"]},
    ...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
    >>> areas = gpd.GeoDataFrame({"area_code": ["A", "B", "C"]},
    ...     geometry=[box(1, 1, 9, 9), box(8, 1, 19, 9), box(30, 0, 31, 1)], crs=27700)
    >>> fit = best_fit(areas, parishes)
    >>> fit.memberships[["area_code", "target"]].to_dict("records")
    [{'area_code': 'A', 'target': 'P1'}, {'area_code': 'B', 'target': 'P2'}]
    >>> fit.rejects[["area_code", "reason"]].to_dict("records")
    [{'area_code': 'C', 'reason': 'its representative point lies in no target'}]
    """
    layers = checked_layers(small_areas, targets, key)
    areas = layers.areas
    located, how = _points(areas, points)
    found = _containing(layers.target_geoms, layers.targets[key].astype(str).to_numpy(), located)
    placed = found >= 0
    memberships = pd.DataFrame(
        {
            "area_code": areas["area_code"].astype(str).to_numpy()[placed],
            "target": layers.targets[key].astype(str).to_numpy()[found[placed]],
            "share": 1.0,
            "area_m2": shapely.area(layers.area_geoms[placed]),
            "point": how[placed],
        }
    )
    rejects = [layers.rejects]
    for kind in np.unique(how[~placed]):
        lost = np.flatnonzero(~placed & (how == kind))
        rejects.append(unplaced_rejects(layers, lost, f"its {kind} lies in no target"))
    return Fit(
        method="best_fit",
        key=key,
        memberships=memberships,
        rejects=pd.concat(rejects, ignore_index=True),
        repaired=layers.repaired,
    )


def _points(
    areas: gpd.GeoDataFrame, points: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each area's deciding point and what it is."""
    geoms = np.asarray(areas.geometry.array, dtype=object)
    how = np.full(len(areas), "representative point", dtype=object)
    if points is None:
        return shapely.point_on_surface(geoms), how
    if "area_code" not in points.columns or points.crs is None or points.crs.to_epsg() != 27700:
        raise DataError(
            "points: population-weighted centroids need an area_code column and EPSG:27700."
        )
    given = pd.Series(
        np.asarray(points.geometry.array, dtype=object), index=points["area_code"].astype(str)
    )
    given = given[~given.index.duplicated()]
    located = given.reindex(areas["area_code"].astype(str)).to_numpy().copy()
    lacking = pd.isna(located)
    located[lacking] = shapely.point_on_surface(geoms[lacking])
    how[~lacking] = "population-weighted centroid"
    return located, how


def _containing(geoms: np.ndarray, codes: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Index of the target holding each point (-1 for none); ties go to the first code."""
    tree = shapely.STRtree(points)
    target_i, point_i = tree.query(geoms, predicate="intersects")
    found = np.full(len(points), -1, dtype=np.int64)
    if len(point_i):
        rank = np.argsort(np.argsort(codes, kind="stable"), kind="stable")
        order = np.lexsort((rank[target_i], point_i))
        point_i, target_i = point_i[order], target_i[order]
        first = np.r_[True, point_i[1:] != point_i[:-1]]
        found[point_i[first]] = target_i[first]
    return found
