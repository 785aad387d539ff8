"""Population as points (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis._validate import listing, require_bng
from localitygis.assets.parish_index import explain_outside
from localitygis.errors import DataError, shown
from localitygis.hubs._common import (
    _objects_or_none,
    _point_layer,
    _population_column,
    _require,
)
from localitygis.localities.quality import rejects_frame

log = logging.getLogger(__name__)


def population_points(
    parishes: gpd.GeoDataFrame,
    *,
    points: gpd.GeoDataFrame | None = None,
    snap: float = 250.0,
) -> gpd.GeoDataFrame:
    """Return the population as points, each tagged with its parish, locality and tier.

    Three routes, chosen by what is given:

    * ``points`` with a ``population`` column (e.g. ONS output-area population-weighted
      centroids, or the demo's synthetic ones): used as they are; each point is placed in
      the parish that contains it (or named by its ``parish_code``).
    * ``points`` without ``population``: each parish's population is shared among the
      points inside it — by a ``weight`` column if present, else equally. Parishes without
      a point keep their population at their representative point.
    * no ``points``: each parish's population sits at its representative point (a point
      guaranteed inside the parish).

    Population is conserved: on the last two routes the points add up to the parishes.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        ``parish_code``, ``parish_name``, geometry in EPSG:27700; ``population`` unless the
        points carry it; ``locality`` and ``tier`` when present are passed on.
    points : geopandas.GeoDataFrame, optional
        Population points in EPSG:27700.
    snap : float, default 250.0
        Points outside every parish but within this many metres of one are given to the
        nearest (boundaries are often generalised); points farther out are an error.

    Returns
    -------
    geopandas.GeoDataFrame
        ``point_id``, ``parish_code``, ``parish_name``, ``locality``, ``tier``,
        ``population`` (float) and Point geometry.

    Raises
    ------
    DataError
        Missing columns, missing or negative populations, points outside the parishes.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box, Point
    >>> parishes = gpd.GeoDataFrame(
    ...     {"parish_code": ["E1", "E2"], "parish_name": ["Ash", "Elm"],
    ...      "population": [300, 100]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=27700)
    >>> homes = gpd.GeoDataFrame(geometry=[Point(100, 100), Point(900, 900)], crs=27700)
    >>> people = population_points(parishes, points=homes)
    >>> people[["parish_code", "population"]]
      parish_code  population
    0          E1       150.0
    1          E1       150.0
    2          E2       100.0
    """
    require_bng(parishes, "parishes")
    _require(parishes, ["parish_code"], "parishes", "Read parishes with localitygis.io.")
    parishes = parishes.reset_index(drop=True)
    codes = parishes["parish_code"].astype(str)
    if not codes.is_unique:
        dup = sorted(set(codes[codes.duplicated()]))
        raise DataError(f"parishes: parish_code repeated: {listing(dup)}.")
    if points is not None and "population" in points.columns:
        placed = _given_points(parishes, points, codes, snap)
    else:
        _require(
            parishes,
            ["population"],
            "parishes",
            "Give parish populations, or population points with a population column.",
        )
        parish_pop = _population_column(parishes, "parishes")
        placed = (
            _at_parishes(parishes, codes, parish_pop, np.arange(len(parishes)))
            if points is None
            else _shared_points(parishes, points, codes, parish_pop, snap)
        )
    return _frame(parishes, codes, placed)


def _at_parishes(
    parishes: gpd.GeoDataFrame, codes: pd.Series, people: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each parish's population at its representative point: (parish, geometry, people, id)."""
    geometry = parishes.geometry.iloc[rows].representative_point().array
    ids = np.array([f"P{codes[i]}" for i in rows], dtype=object)
    return rows, np.asarray(geometry), people[rows], ids


def _point_ids(points: gpd.GeoDataFrame) -> np.ndarray:
    if "area_code" in points and points["area_code"].astype(str).is_unique:
        return points["area_code"].astype(str).to_numpy(dtype=object)
    return np.array([f"Q{i}" for i in range(len(points))], dtype=object)


def _given_points(
    parishes: gpd.GeoDataFrame, points: gpd.GeoDataFrame, codes: pd.Series, snap: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points with their own population, each in its parish."""
    _point_layer(points, "population points")
    points = points.reset_index(drop=True)
    idx = _parish_of_points(parishes, points, codes, snap=snap)
    people = _population_column(points, "population points")
    return idx, np.asarray(points.geometry.array), people, _point_ids(points)


def _shared_points(
    parishes: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    codes: pd.Series,
    parish_pop: np.ndarray,
    snap: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each parish's population shared among its points (by ``weight``, else equally)."""
    _point_layer(points, "population points")
    points = points.reset_index(drop=True)
    idx = _parish_of_points(parishes, points, codes, snap=snap)
    if "weight" in points:
        share = pd.to_numeric(points["weight"], errors="coerce").fillna(0).to_numpy()
        share = np.maximum(share, 0.0)
    else:
        share = np.ones(len(points))
    total = np.bincount(idx, weights=share, minlength=len(parishes))
    # parishes whose points all weigh nothing share equally
    share = np.where(total[idx] == 0, 1.0, share)
    total = np.bincount(idx, weights=share, minlength=len(parishes))
    people = parish_pop[idx] * share / total[idx]
    placed = (idx, np.asarray(points.geometry.array), people, _point_ids(points))
    empty = np.flatnonzero(np.bincount(idx, minlength=len(parishes)) == 0)
    if len(empty) == 0:
        return placed
    # parishes without a point keep their population at their representative point
    rest = _at_parishes(parishes, codes, parish_pop, empty)
    idx, geoms, people, ids = (np.concatenate([a, b]) for a, b in zip(placed, rest, strict=True))
    return idx, geoms, people, ids


def _frame(
    parishes: gpd.GeoDataFrame,
    codes: pd.Series,
    placed: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> gpd.GeoDataFrame:
    idx, geometry, people, source_ids = placed
    names = (
        parishes["parish_name"].astype(str).to_numpy(dtype=object)
        if "parish_name" in parishes
        else codes.to_numpy(dtype=object)
    )
    locality = (
        _objects_or_none(parishes["locality"])
        if "locality" in parishes
        else np.full(len(parishes), None)
    )
    tier = (
        pd.to_numeric(parishes["tier"], errors="coerce").to_numpy(dtype=np.float64)
        if "tier" in parishes
        else np.full(len(parishes), np.nan)
    )
    tiers = tier[idx]
    return gpd.GeoDataFrame(
        {
            "point_id": pd.array(source_ids, dtype="str"),
            "parish_code": pd.array(codes.to_numpy(dtype=object)[idx], dtype="str"),
            "parish_name": pd.array(names[idx], dtype="str"),
            "locality": pd.array(locality[idx], dtype="str"),
            "tier": pd.array(np.where(np.isnan(tiers), None, tiers), dtype="Int64"),
            "population": people.astype(np.float64),
        },
        geometry=gpd.GeoSeries(geometry, crs=parishes.crs).values,
        crs=parishes.crs,
    )


@dataclass(frozen=True)
class PopulationCheck:
    """Population points checked against the parishes: those usable and those rejected.

    Attributes
    ----------
    points : geopandas.GeoDataFrame
        The points that lie in (or within the snap distance of) a parish, in input order.
    rejects : pandas.DataFrame
        ``source``, ``row``, ``reason``, ``distance_m`` (to the nearest parish) and the
        original columns of every other point; ``read == len(points) + len(rejects)``.
    read : int
        Points read.
    """

    points: gpd.GeoDataFrame
    rejects: pd.DataFrame
    read: int

    def summary(self) -> str:
        """Say the counts in one line.

        Examples
        --------
        >>> import geopandas as gpd, pandas as pd
        >>> PopulationCheck(gpd.GeoDataFrame(geometry=[]), pd.DataFrame(), 0).summary()
        'population points: 0 read, 0 used, 0 rejected'
        """
        return (
            f"population points: {self.read:,} read, {len(self.points):,} used, "
            f"{len(self.rejects):,} rejected"
        )


def check_population_points(
    parishes: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    *,
    snap: float = 250.0,
    source: str = "population points",
    first_row: int = 1,
) -> PopulationCheck:
    """Check population points against the county, as every other point input is checked.

    A point inside a parish, or within ``snap`` metres of one, is kept (whatever
    ``parish_code`` it names). Every other point is rejected with the reason — outside the
    county, with its distance and the nearest parish, or easting and northing swapped when
    the swapped position falls in a parish — so that a point in the sea or with its axes
    swapped cannot inflate the distances to hubs. A point whose ``population`` (when the
    points have that column) is missing, not a number or negative is rejected too.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        ``parish_code`` and polygons in EPSG:27700 (``parish_name`` used when present).
    points : geopandas.GeoDataFrame
        Population points in EPSG:27700.
    snap : float, default 250.0
        As :func:`population_points`.
    source : str
        Named in the rejects and messages, e.g. the file name.
    first_row : int, default 1
        The row number of the first point in the user's file: 1 for a layer's features,
        2 for a spreadsheet with a header row.

    Returns
    -------
    PopulationCheck

    Raises
    ------
    DataError
        When no point lies in the county.

    Examples
    --------
    >>> from shapely import box, Point
    >>> parishes = gpd.GeoDataFrame({"parish_code": ["E1"], "parish_name": ["Ash"]},
    ...     geometry=[box(350000, 240000, 352000, 242000)], crs=27700)
    >>> points = gpd.GeoDataFrame({"population": [10, 20]},
    ...     geometry=[Point(351000, 241000), Point(241000, 351000)], crs=27700)
    >>> check = check_population_points(parishes, points, first_row=2)
    >>> check.summary()
    'population points: 2 read, 1 used, 1 rejected'
    >>> check.rejects[["row", "distance_m"]].to_dict("records")
    [{'row': 3, 'distance_m': 154149.3}]
    """
    require_bng(parishes, "parishes")
    _point_layer(points, source)
    points = points.reset_index(drop=True)
    found = _located(parishes.geometry.array, points.geometry.array, snap=snap)
    lost = np.flatnonzero(~found)
    if len(lost) == len(points) and len(points):
        reasons, _ = _explain(parishes, points.geometry.array[lost[:3]])
        raise DataError(
            f"{source}: none of the {len(points):,} point(s) lies in the county; e.g. row "
            f"{first_row}: {reasons[0]}. Check they are for this county and in EPSG:27700."
        )
    reasons, metres = _explain(parishes, points.geometry.array[lost])
    unusable = _bad_populations(points) & found
    lost = np.concatenate([lost, np.flatnonzero(unusable)])
    reasons += [
        f"population {shown(points['population'].iloc[i])} is missing, not a number or negative"
        for i in np.flatnonzero(unusable)
    ]
    metres = np.concatenate([metres, np.zeros(int(unusable.sum()))])
    order = np.argsort(lost, kind="stable")
    lost, metres = lost[order], metres[order]
    table = pd.DataFrame(points.drop(columns=points.geometry.name))
    rejects = rejects_frame(
        table,
        lost.tolist(),
        [reasons[i] for i in order],
        source=source,
        rows=(lost + first_row).tolist(),
    )
    rejects.insert(3, "distance_m", np.round(metres, 1))
    kept = points.iloc[np.flatnonzero(found & ~unusable)].reset_index(drop=True)
    return PopulationCheck(points=kept, rejects=rejects, read=len(points))


def _bad_populations(points: gpd.GeoDataFrame) -> np.ndarray:
    if "population" not in points.columns:
        return np.zeros(len(points), dtype=bool)
    values = pd.to_numeric(points["population"], errors="coerce")
    return (values.isna() | (values < 0)).to_numpy()


def _explain(parishes: gpd.GeoDataFrame, points: np.ndarray) -> tuple[list[str], np.ndarray]:
    frame = parishes[["parish_code", "geometry"]].copy()
    frame["parish_name"] = (
        parishes["parish_name"] if "parish_name" in parishes else parishes["parish_code"]
    )
    return explain_outside(frame, points)


def _located(parishes: np.ndarray, points: np.ndarray, *, snap: float) -> np.ndarray:
    """Tell, for every point, whether it lies within ``snap`` metres of a parish."""
    tree = shapely.STRtree(parishes)
    hits, _ = tree.query(points, predicate="dwithin", distance=snap)
    found = np.zeros(len(points), dtype=bool)
    found[hits] = True
    return found


def _parish_of_points(
    parishes: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    codes: pd.Series,
    *,
    snap: float,
    source: str = "population points",
) -> np.ndarray:
    """Index of the parish of every point; raise listing the points in no parish."""
    n = len(points)
    idx = np.full(n, -1, dtype=np.int64)
    if "parish_code" in points.columns:
        lookup = pd.Series(np.arange(len(codes)), index=codes.to_numpy())
        given = points["parish_code"].astype(str)
        known = given.isin(lookup.index).to_numpy()
        idx[known] = lookup.loc[given[known]].to_numpy()
    todo = np.flatnonzero(idx < 0)
    if len(todo):
        tree = shapely.STRtree(parishes.geometry.array)
        pts, polys = tree.query(points.geometry.array[todo], predicate="intersects")
        order = np.lexsort((polys, pts))  # the first parish (by row) for boundary points
        pts, polys = pts[order], polys[order]
        first = np.r_[True, pts[1:] != pts[:-1]] if len(pts) else np.zeros(0, dtype=bool)
        idx[todo[pts[first]]] = polys[first]
    todo = np.flatnonzero(idx < 0)
    if len(todo):
        tree = shapely.STRtree(parishes.geometry.array)
        pts, polys = tree.query_nearest(
            points.geometry.array[todo], max_distance=snap, all_matches=False
        )
        idx[todo[pts]] = polys
    outside = np.flatnonzero(idx < 0)
    if len(outside):
        named = listing(
            f"feature {i + 1} ({points.geometry.iloc[i].x:.0f}, {points.geometry.iloc[i].y:.0f})"
            for i in outside
        )
        raise DataError(
            f"{source}: {len(outside)} point(s) lie more than {snap:.0f} m outside "
            f"every parish: {named}. Check they are for this county and in EPSG:27700, or "
            "remove them."
        )
    return idx
