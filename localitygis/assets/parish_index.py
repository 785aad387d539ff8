"""Point-in-parish and nearest-hub indexes, and the check of stray points.

The indexes are private to :mod:`localitygis.assets`; :func:`explain_outside` ("where is
this stray point?") is the check every point input shares.

A point on a boundary shared by two parishes belongs to the parish whose code sorts first.
Candidate parishes come from bounding boxes (many points: an index of the points queried
with chunks of parishes, in threads; few points: the parish index queried with the points),
and each candidate is tested on the point's coordinates, against the prepared parish when
many points fall in its box. Points in no parish get the nearest parish and the exact
distance to it.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from localitygis._validate import listing, require_bng
from localitygis.assets.point_bands import PointBands
from localitygis.crs import to_bng
from localitygis.errors import DataError, GeometryError

_POLYGONAL = ("Polygon", "MultiPolygon")
#: (parish - start, point) index pairs of the candidates for parishes start:stop.
_Candidates = Callable[[int, int], tuple[NDArray[np.int64], NDArray[np.int64]]]
# Above this many points, index the points and query the index with the parishes, as
# geopandas' sjoin does for "within"; below it, query the parish index with each point.
_POINT_TREE_THRESHOLD = 1_000
# A parish with this many candidate points or more is prepared before they are tested:
# indexing its boundary costs about as much as testing this many points without the index.
_PREPARE_AT = 16
# Points per chunk of parishes (about): bounds the memory of the candidate pairs; more than
# this many points are searched in threads.
_POINTS_PER_CHUNK = 100_000
# Vertices per chunk of parishes (at most, but for a single larger parish): bounds the memory
# of the parishes prepared at once (about 40 bytes a vertex).
_VERTICES_PER_CHUNK = 100_000
#: A point outside the county by more than this (metres) whose easting and northing, swapped,
#: fall in a parish is reported as swapped rather than as outside.
SWAP_HINT_DISTANCE = 5_000.0


def _thread_count(workers: int | None) -> int:
    if workers is None:
        return max(1, min(4, os.cpu_count() or 1))
    if workers < 1:
        raise DataError(f"workers must be 1 or more, not {workers}.")
    return int(workers)


def describe_distance(metres: float) -> str:
    """Say a distance as people read it: metres below 1 km, else km to one decimal.

    Examples
    --------
    >>> describe_distance(45.2), describe_distance(12_345.0)
    ('45 m', '12.3 km')
    """
    if not np.isfinite(metres):
        return "an unknown distance"
    return f"{metres:.0f} m" if metres < 1_000 else f"{metres / 1_000:.1f} km"


class _ParishIndex:
    """Point-in-parish lookup over annotated parishes (EPSG:27700)."""

    def __init__(
        self,
        parishes: gpd.GeoDataFrame,
        *,
        county: shapely.Geometry | gpd.GeoDataFrame | gpd.GeoSeries | None = None,
        need_locality: bool = True,
        source: str = "parishes",
    ) -> None:
        require_bng(parishes, source)
        _require_parish_columns(parishes, need_locality=need_locality, source=source)
        codes = _parish_codes(parishes, source)
        geoms = np.asarray(parishes.geometry.values, dtype=object)
        _require_polygons(geoms, codes, source)
        # A parish is prepared only while many points are tested against it, and unprepared
        # again: the caller's geometries are left as they were.
        self.geoms = geoms
        # Where each parish's vertices end, counted along the parishes (to size chunks).
        self.vertices_to = np.cumsum(shapely.get_num_coordinates(geoms))
        # The same geometry object twice must not be prepared from two threads at once.
        self.distinct = len({id(g) for g in geoms}) == len(geoms)
        self.codes = codes
        self.names = parishes["parish_name"].astype(object).to_numpy()
        self.localities = (
            parishes["locality"].astype(object).to_numpy() if "locality" in parishes else None
        )
        self.tiers = parishes["tier"].to_numpy() if "tier" in parishes else None
        self.tier_names = (
            parishes["tier_name"].astype(object).to_numpy() if "tier_name" in parishes else None
        )
        self.arrays = _column_arrays(parishes, codes)
        # Per text column: each parish's code among the column's sorted distinct values.
        self.factorized = {
            key: _factorized(array) for key, array in self.arrays.items() if key != "tier"
        }
        # Rank of each code, for the shared-boundary tie-break.
        self.code_rank = np.argsort(np.argsort(codes, kind="stable"), kind="stable")
        self.tree = shapely.STRtree(self.geoms)
        self.bounds = shapely.bounds(self.geoms)
        self._envelope_tree: shapely.STRtree | None = None
        self.county = _county_geometry(county)
        if self.county is not None:
            shapely.prepare(self.county)

    def __len__(self) -> int:
        return len(self.geoms)

    def take(self, found: NDArray[np.int64]) -> dict[str, Any]:
        """Parish columns for each point's parish index; -1 gives missing values."""
        if (found >= 0).all():
            return {k: a.take(found) for k, a in self.arrays.items()}
        out = {}
        for key, array in self.arrays.items():
            if key == "tier":
                array = array.astype("Int64")
            out[key] = array.take(found, allow_fill=True)
        return out

    def categorical(self, found: NDArray[np.int64]) -> dict[str, Any]:
        """Parish columns for each point's parish as categoricals (``tier``: Int64).

        ``found`` is a parish index per point, -1 for none (a missing value). The categories
        are all the parishes' values, sorted, so every call gives the same categories.
        """
        placed = found >= 0
        out: dict[str, Any] = {}
        for key, (codes, categories) in self.factorized.items():
            out[key] = pd.Categorical.from_codes(
                np.where(placed, codes[found], -1), categories=categories
            )
        if "tier" in self.arrays:
            out["tier"] = self.arrays["tier"].astype("Int64").take(found, allow_fill=True)
        return out

    def parish_of(
        self,
        points: NDArray[np.object_],
        *,
        index_points: bool | None = None,
        point_index: Any = None,
        workers: int | None = None,
    ) -> NDArray[np.int64]:
        """Index of the parish holding each point, or -1 (missing or empty points too).

        See :meth:`parish_of_xy`; ``point_index``: an index already built on ``points`` (a
        geopandas ``sindex`` or shapely ``STRtree``) to query instead of sorting the points.
        """
        x, y = _point_xy(np.asarray(points, dtype=object))
        return self.parish_of_xy(
            x, y, index_points=index_points, point_index=point_index, workers=workers
        )

    def parish_of_xy(
        self,
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        *,
        index_points: bool | None = None,
        point_index: Any = None,
        workers: int | None = None,
    ) -> NDArray[np.int64]:
        """Index of the parish holding each position, or -1 (NaN positions too).

        Candidates come from bounding boxes; each is tested on the coordinates
        (``contains_xy``), against the prepared parish when many points fall in its box;
        points in no parish's interior are tested again with ``intersects_xy`` (on a
        boundary: the code that sorts first wins). ``index_points``: find the candidates
        with an index of the points (:class:`PointBands`), queried with chunks of parishes
        side by side — fastest for many points; otherwise query the parish index with the
        points. Default: by the number of points. ``workers``: threads for the chunks
        (default: the CPUs, at most 4).
        """
        n = len(x)
        result = np.full(n, -1, dtype=np.int64)
        if n == 0 or len(self.geoms) == 0:
            return result
        if index_points is None:
            index_points = n > max(_POINT_TREE_THRESHOLD, len(self.geoms) // 10)
        if index_points:
            # (The point index is freed as soon as the search is done.)
            parish_idx, point_idx = self._inside(
                self._band_candidates(x, y)
                if point_index is None
                else lambda start, stop: point_index.query(self.geoms[start:stop]),
                x,
                y,
                workers,
            )
        else:
            point_idx, parish_idx = self._candidates_of(x, y, np.arange(n))
            inside = self._contains(parish_idx, point_idx, x, y)
            parish_idx, point_idx = parish_idx[inside], point_idx[inside]
        self._first_code(result, parish_idx, point_idx)
        lost = np.flatnonzero((result < 0) & np.isfinite(x) & np.isfinite(y))
        if len(lost):  # on a boundary, in a gap or outside: no parish's interior
            point_idx, parish_idx = self._candidates_of(x, y, lost)
            touch = shapely.intersects_xy(self.geoms[parish_idx], x[point_idx], y[point_idx])
            self._first_code(result, parish_idx[touch], point_idx[touch])
        return result

    def _candidates_of(
        self, x: NDArray, y: NDArray, rows: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(point, parish) pairs, the parish index queried with the points in ``rows``."""
        rows = rows[np.isfinite(x[rows]) & np.isfinite(y[rows])]
        local, parish_idx = self.tree.query(shapely.points(x[rows], y[rows]))
        return rows[local], parish_idx

    def _band_candidates(self, x: NDArray, y: NDArray) -> _Candidates:
        """Candidates of a chunk of parishes: the points in their boxes (:class:`PointBands`)."""
        bands = PointBands(x, y, self.bounds)
        return lambda start, stop: bands.in_boxes(self.bounds[start:stop])

    def _inside(
        self,
        candidates: _Candidates,
        x: NDArray,
        y: NDArray,
        workers: int | None,
    ) -> tuple[NDArray[np.integer], NDArray[np.integer]]:
        """(parish, point) pairs with the point in the parish's interior, a chunk at a time.

        ``candidates(start, stop)`` gives (parish - start, point) pairs for a chunk of
        parishes. Chunks have about equal vertices, at most :data:`_VERTICES_PER_CHUNK` and
        :data:`_POINTS_PER_CHUNK` points' worth each: they bound the memory of the prepared
        parishes and of the candidate pairs. With more than :data:`_POINTS_PER_CHUNK` points
        they run side by side in threads (numpy and shapely release the GIL).
        """
        by_points = -(-len(x) // _POINTS_PER_CHUNK)
        count = min(max(by_points, -(-int(self.vertices_to[-1]) // _VERTICES_PER_CHUNK)),
                    len(self.geoms))  # fmt: skip
        threads = min(_thread_count(workers), by_points) if self.distinct else 1
        # Chunks of about equal vertices (prepared parishes cost memory by the vertex).
        shares = np.linspace(0, self.vertices_to[-1], count + 1)[1:-1]
        bounds = np.r_[0, np.searchsorted(self.vertices_to, shares), len(self.geoms)]

        small = np.int32 if max(len(x), len(self.geoms)) < 2**31 else np.int64

        def chunk(start: int, stop: int) -> tuple[NDArray[np.integer], NDArray[np.integer]]:
            local, point_idx = candidates(start, stop)
            parish_idx = local + start
            inside = self._contains(parish_idx, point_idx, x, y)
            # Kept until every chunk is done: in the smallest integers that hold them.
            return parish_idx[inside].astype(small), point_idx[inside].astype(small)

        spans = list(itertools.pairwise(bounds))
        if threads > 1:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                parts = list(pool.map(lambda span: chunk(*span), spans))
        else:
            parts = [chunk(*span) for span in spans]
        return (
            np.concatenate([part[0] for part in parts]),
            np.concatenate([part[1] for part in parts]),
        )

    def _contains(
        self, parish_idx: NDArray[np.int64], point_idx: NDArray[np.int64], x: NDArray, y: NDArray
    ) -> NDArray[np.bool_]:
        """Whether each candidate point lies in its parish's interior.

        A parish with at least :data:`_PREPARE_AT` candidates is prepared first (its
        point locator indexed once), and unprepared again after the test.
        """
        if len(parish_idx) == 0:
            return np.zeros(0, dtype=bool)
        busy = np.flatnonzero(np.bincount(parish_idx) >= _PREPARE_AT)
        mine = busy[~shapely.is_prepared(self.geoms[busy])]
        shapely.prepare(self.geoms[mine])
        try:
            return shapely.contains_xy(self.geoms[parish_idx], x[point_idx], y[point_idx])
        finally:
            shapely.destroy_prepared(self.geoms[mine])

    def _first_code(
        self,
        result: NDArray[np.int64],
        parish_idx: NDArray[np.integer],
        point_idx: NDArray[np.integer],
    ) -> None:
        """Give each paired point the parish whose code sorts first among its pairs."""
        if len(point_idx) == 0:
            return
        counts = np.bincount(point_idx, minlength=len(result))
        single = counts[point_idx] == 1
        result[point_idx[single]] = parish_idx[single]
        if not single.all():  # in an overlap, or on a shared boundary
            p_idx, t_idx = point_idx[~single], parish_idx[~single]
            order = np.lexsort((self.code_rank[t_idx], p_idx))
            p_sorted, t_sorted = p_idx[order], t_idx[order]
            first = np.ones(len(p_sorted), dtype=bool)
            first[1:] = p_sorted[1:] != p_sorted[:-1]
            result[p_sorted[first]] = t_sorted[first]

    def nearest(self, points: NDArray[np.object_]) -> tuple[NDArray[np.int64], NDArray]:
        """Nearest parish to each point and the exact distance to it (ties: first code).

        The parishes' envelopes give a cheap lower bound; exact distances are computed
        only for the parishes whose envelope is no farther than the exact distance to the
        envelope-nearest one. (GEOS's own nearest search computes far more exact distances
        to detailed boundaries.)
        """
        points = np.asarray(points, dtype=object)
        n = len(points)
        near = np.full(n, -1, dtype=np.int64)
        dist = np.full(n, np.nan)
        valid = np.flatnonzero(~(pd.isna(points) | shapely.is_empty(points)))
        if len(valid) == 0 or len(self.geoms) == 0:
            return near, dist
        if self._envelope_tree is None:
            self._envelope_tree = shapely.STRtree(shapely.envelope(self.geoms))
        pts = points[valid]
        (p_idx, e_idx), _ = self._envelope_tree.query_nearest(
            pts, return_distance=True, all_matches=False
        )
        bound = np.full(len(pts), np.inf)
        bound[p_idx] = shapely.distance(self.geoms[e_idx], pts[p_idx])
        c_pt, c_parish = self._envelope_tree.query(
            pts, predicate="dwithin", distance=bound * (1 + 1e-9) + 1e-6
        )
        exact = shapely.distance(self.geoms[c_parish], pts[c_pt])
        order = np.lexsort((self.code_rank[c_parish], exact, c_pt))
        c_pt, c_parish, exact = c_pt[order], c_parish[order], exact[order]
        first = np.ones(len(c_pt), dtype=bool)
        first[1:] = c_pt[1:] != c_pt[:-1]
        near[valid[c_pt[first]]] = c_parish[first]
        dist[valid[c_pt[first]]] = exact[first]
        return near, dist

    def outside(
        self,
        points: NDArray[np.object_],
        *,
        swappable: NDArray[np.bool_] | None = None,
        what: str = "easting/northing",
    ) -> tuple[list[str], NDArray[np.int64]]:
        """Explain, for points in no parish, where they are: a reason each and nearest parish.

        Points marked ``swappable`` (their coordinates came as easting/northing) that lie
        more than :data:`SWAP_HINT_DISTANCE` outside the county, and whose swapped position
        lies in a parish, are reported as swapped; nearer points are simply outside (an
        asset just over the border is far likelier than a swap that happens to land there).
        """
        points = np.asarray(points, dtype=object)
        if len(points) == 0:
            return [], np.empty(0, dtype=np.int64)
        if len(self.geoms) == 0:
            return ["outside the county: there are no parishes"] * len(points), np.full(
                len(points), -1, dtype=np.int64
            )
        near, dist = self.nearest(points)
        inside_county = np.zeros(len(points), dtype=bool)
        if self.county is not None:
            inside_county = shapely.covers(self.county, points)
            outside = ~inside_county
            dist[outside] = shapely.distance(self.county, points[outside])
        swapped_in = np.full(len(points), -1, dtype=np.int64)
        if swappable is not None:
            candidates = np.flatnonzero(swappable & ~inside_county & (dist > SWAP_HINT_DISTANCE))
            if len(candidates):
                flipped = shapely.points(
                    shapely.get_y(points[candidates]), shapely.get_x(points[candidates])
                )
                swapped_in[candidates] = self.parish_of(flipped, index_points=False)
        reasons = []
        for i in range(len(points)):
            nearest_name = f" (nearest parish: {self.names[near[i]]})" if near[i] >= 0 else ""
            if swapped_in[i] >= 0:
                x, y = points[i].x, points[i].y
                reasons.append(
                    f"easting and northing look swapped: {what} ({x:.0f}, {y:.0f}) is "
                    f"{describe_distance(dist[i])} outside the county, but ({y:.0f}, {x:.0f}) "
                    f"is in {self.names[swapped_in[i]]} parish; correct the row"
                )
            elif inside_county[i]:
                reasons.append(
                    "in a gap between parishes: inside the county boundary but in no parish, "
                    f"{describe_distance(dist[i])} from the nearest{nearest_name}"
                )
            else:
                reasons.append(
                    f"outside the county: {describe_distance(dist[i])} from the boundary"
                    f"{nearest_name}"
                )
        return reasons, near


def _point_xy(points: NDArray[np.object_]) -> tuple[NDArray, NDArray]:
    """Coordinates of each point (NaN for a missing or empty one); other geometries raise."""
    kind = shapely.get_type_id(points)
    if not np.isin(kind, (-1, 0)).all():
        raise GeometryError("only points can be located in parishes.")
    empty = shapely.is_empty(points)
    if empty.any():
        points = points.copy()
        points[empty] = None
    return shapely.get_x(points), shapely.get_y(points)


def explain_outside(
    parishes: gpd.GeoDataFrame, points: NDArray[np.object_], *, what: str = "easting/northing"
) -> tuple[list[str], NDArray[np.float64]]:
    """Say where points that lie in no parish are, and how far they are from the nearest.

    The check every point input shares (asset registers, ``locate``, population points):
    a point far outside whose easting and northing, swapped, fall in a parish is reported
    as swapped; others are outside, with the distance and the nearest parish.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        ``parish_code``, ``parish_name`` and polygons in EPSG:27700.
    points : array of shapely Point
        Points in EPSG:27700 (as easting/northing).
    what : str, default "easting/northing"
        How the coordinates are named in the reasons.

    Returns
    -------
    tuple of (list of str, numpy.ndarray)
        A reason per point, and its distance in metres to the nearest parish.

    Examples
    --------
    >>> from shapely import box, Point
    >>> parishes = gpd.GeoDataFrame({"parish_code": ["E1"], "parish_name": ["Ash"]},
    ...     geometry=[box(350000, 240000, 352000, 242000)], crs=27700)
    >>> reasons, metres = explain_outside(
    ...     parishes, np.array([Point(241000, 351000), Point(353000, 241000)]))
    >>> reasons[0][:36]
    'easting and northing look swapped: e'
    >>> reasons[1]
    'outside the county: 1.0 km from the boundary (nearest parish: Ash)'
    >>> metres.round().tolist()
    [154149.0, 1000.0]
    """
    index = _ParishIndex(parishes, need_locality=False, source="parishes")
    points = np.asarray(points, dtype=object)
    reasons, _ = index.outside(points, swappable=np.ones(len(points), dtype=bool), what=what)
    _, distances = index.nearest(points)
    return reasons, np.asarray(distances, dtype=np.float64)


def _require_parish_columns(
    parishes: gpd.GeoDataFrame, *, need_locality: bool, source: str
) -> None:
    required = ["parish_code", "parish_name"]
    if need_locality:
        required += ["locality", "tier"]
    missing = [c for c in required if c not in parishes.columns]
    if missing:
        hint = (
            " Build the localities first (localitygis.localities.build_localities, or "
            "`localitygis build`) and pass their annotated parishes."
            if {"locality", "tier"} & set(missing)
            else " Read them with localitygis.io.read_parishes."
        )
        raise DataError(
            f"{source}: missing column(s) {', '.join(missing)}; the columns are: "
            f"{', '.join(map(str, parishes.columns))}.{hint}"
        )


def _parish_codes(parishes: gpd.GeoDataFrame, source: str) -> NDArray[np.str_]:
    """Return the parish codes as text, checked present and unique."""
    codes = parishes["parish_code"].astype(object).to_numpy()
    blank = pd.isna(codes) | (pd.Series(codes, dtype=object).astype(str).str.strip() == "")
    if blank.any():
        rows = listing(np.flatnonzero(blank) + 1)
        raise DataError(f"{source}: parish feature(s) {rows} have no parish_code.")
    codes = codes.astype(str)
    duplicated = pd.Series(codes).duplicated(keep=False).to_numpy()
    if duplicated.any():
        repeated = sorted(set(codes[duplicated]))
        raise DataError(f"{source}: parish_code must be unique; repeated: {listing(repeated)}.")
    return codes


def _require_polygons(geoms: NDArray[np.object_], codes: NDArray[np.str_], source: str) -> None:
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6]) | pd.isna(geoms)
    if not polygonal.all():
        bad = listing(f"{codes[i]} ({geoms[i].geom_type})" for i in np.flatnonzero(~polygonal))
        raise GeometryError(
            f"{source}: parishes must be polygons; these are not: {bad}. Check the layer."
        )


def _column_arrays(parishes: gpd.GeoDataFrame, codes: NDArray[np.str_]) -> dict[str, Any]:
    """Pandas arrays to take located rows' columns from (cheap: no per-value checks)."""
    arrays: dict[str, Any] = {
        "parish_code": pd.array(codes, dtype="str"),
        "parish_name": parishes["parish_name"].astype("str").array,
    }
    if "locality" in parishes:
        arrays["locality"] = parishes["locality"].astype("str").array
    if "tier" in parishes:
        tier = parishes["tier"]
        if not pd.api.types.is_integer_dtype(tier.dtype):
            tier = pd.to_numeric(tier, errors="coerce").astype("Int64")
        arrays["tier"] = tier.array
    if "tier_name" in parishes:
        arrays["tier_name"] = parishes["tier_name"].astype("str").array
    return arrays


def _factorized(array: Any) -> tuple[NDArray[np.signedinteger], pd.Index]:
    """Return each value's code among the sorted distinct values (in the smallest integer)."""
    codes, categories = pd.factorize(array.to_numpy(dtype=object), sort=True)
    return codes.astype(np.min_scalar_type(-len(categories))), categories


def _county_geometry(
    county: shapely.Geometry | gpd.GeoDataFrame | gpd.GeoSeries | None,
) -> shapely.Geometry | None:
    if county is None:
        return None
    if isinstance(county, gpd.GeoDataFrame | gpd.GeoSeries):
        require_bng(
            gpd.GeoDataFrame(geometry=county) if isinstance(county, gpd.GeoSeries) else county,
            "county",
        )
        return shapely.union_all(np.asarray(county.geometry.values if isinstance(
            county, gpd.GeoDataFrame) else county.values, dtype=object))  # fmt: skip
    if isinstance(county, shapely.Geometry):
        return county
    raise DataError(f"county must be a polygon or a GeoDataFrame, not {type(county).__name__}.")


class _HubIndex:
    """Nearest-hub lookup over a points GeoDataFrame with a ``name`` column."""

    def __init__(self, hubs: gpd.GeoDataFrame, *, source: str = "hubs") -> None:
        if not isinstance(hubs, gpd.GeoDataFrame):
            raise DataError(f"{source} must be a GeoDataFrame of points with a 'name' column.")
        if "name" not in hubs.columns:
            raise DataError(
                f"{source} has no 'name' column; the columns are: "
                f"{', '.join(map(str, hubs.columns))}."
            )
        hubs = to_bng(hubs, source=source)
        geoms = np.asarray(hubs.geometry.values, dtype=object)
        is_point = shapely.get_type_id(geoms) == 0
        usable = is_point & ~shapely.is_empty(geoms)
        if not is_point.all():
            bad = listing(hubs["name"].to_numpy()[~is_point])
            raise GeometryError(f"{source}: hubs must be points; these are not: {bad}.")
        if not usable.any():
            raise DataError(f"{source} has no hub with a position.")
        self.geoms = geoms[usable]
        self.names = hubs["name"].astype(object).to_numpy()[usable]
        self.factorized = _factorized(pd.array(self.names, dtype="str"))
        self.tree = shapely.STRtree(self.geoms)
        self.bounds = shapely.bounds(self.geoms)

    def nearest(self, points: NDArray[np.object_]) -> tuple[NDArray[np.object_], NDArray]:
        """Name of and distance to the nearest hub (the first listed on a tie)."""
        hub, distance = self.nearest_index(points)
        names = np.full(len(hub), None, dtype=object)
        names[hub >= 0] = self.names[hub[hub >= 0]]
        return names, distance

    def nearest_index(self, points: NDArray[np.object_]) -> tuple[NDArray[np.int64], NDArray]:
        """Index of (-1 for a missing point) and distance to the nearest hub, first on a tie."""
        points = np.asarray(points, dtype=object)
        hub = np.full(len(points), -1, dtype=np.int64)
        distance = np.full(len(points), np.nan)
        valid = ~(pd.isna(points) | shapely.is_empty(points))
        if not valid.any():
            return hub, distance
        (p_idx, h_idx), dist = self.tree.query_nearest(
            points[valid], return_distance=True, all_matches=True
        )
        order = np.lexsort((h_idx, p_idx))
        p_idx, h_idx, dist = p_idx[order], h_idx[order], dist[order]
        first = np.ones(len(p_idx), dtype=bool)
        first[1:] = p_idx[1:] != p_idx[:-1]
        rows = np.flatnonzero(valid)[p_idx[first]]
        hub[rows] = h_idx[first]
        distance[rows] = dist[first]
        return hub, distance

    def categorical(self, hub: NDArray[np.int64]) -> pd.Categorical:
        """Hub names as a categorical, from :meth:`nearest_index` (-1: missing)."""
        codes, categories = self.factorized
        return pd.Categorical.from_codes(np.where(hub >= 0, codes[hub], -1), categories=categories)
