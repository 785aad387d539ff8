"""Which parish, locality and tier am I in, and where is my nearest hub.

:func:`locate` answers the question for one place — a point, an easting/northing, a
latitude/longitude or a postcode — as residents ask it of the council's website and officers
ask it every day. :func:`locate_many` answers it for a whole table at once, keeping every
row (those that cannot be placed say why in a ``problem`` column).

A point on a boundary shared by two parishes belongs to the parish whose code sorts first,
so the answer never depends on row order or on floating-point luck. Places outside every
parish are outside the county: :func:`locate` raises :class:`OutsideCountyError` saying how
far outside.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from localitygis.crs import classify_coordinates, lonlat_to_bng, to_bng
from localitygis.errors import CRSError, DataError, GeometryError

__all__ = [
    "LocationResult",
    "Locator",
    "OutsideCountyError",
    "locate",
    "locate_many",
]

log = logging.getLogger(__name__)

_POLYGONAL = ("Polygon", "MultiPolygon")
# Above this many points, index the points and query with the (prepared) parishes, as
# geopandas' sjoin does for "within"; below it, query the parish index with each point.
_POINT_TREE_THRESHOLD = 1_000
#: A point outside the county by more than this (metres) whose easting and northing, swapped,
#: fall in a parish is reported as swapped rather than as outside.
SWAP_HINT_DISTANCE = 5_000.0


def _thread_count(workers: int | None) -> int:
    if workers is None:
        return max(1, min(4, os.cpu_count() or 1))
    if workers < 1:
        raise DataError(f"workers must be 1 or more, not {workers}.")
    return int(workers)


class OutsideCountyError(DataError):
    """A place lies outside every parish of the county."""


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
        _require_bng(parishes, source)
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
        codes = parishes["parish_code"].astype(object).to_numpy()
        blank = pd.isna(codes) | (pd.Series(codes, dtype=object).astype(str).str.strip() == "")
        if blank.any():
            rows = ", ".join(str(i + 1) for i in np.flatnonzero(blank)[:10])
            raise DataError(f"{source}: parish feature(s) {rows} have no parish_code.")
        codes = codes.astype(str)
        duplicated = pd.Series(codes).duplicated(keep=False).to_numpy()
        if duplicated.any():
            repeated = sorted(set(codes[duplicated]))
            raise DataError(
                f"{source}: parish_code must be unique; repeated: {', '.join(repeated[:10])}."
            )
        geoms = np.asarray(parishes.geometry.values, dtype=object)
        types = shapely.get_type_id(geoms)
        polygonal = np.isin(types, [3, 6]) | pd.isna(geoms)
        if not polygonal.all():
            bad = ", ".join(
                f"{codes[i]} ({geoms[i].geom_type})" for i in np.flatnonzero(~polygonal)[:10]
            )
            raise GeometryError(
                f"{source}: parishes must be polygons; these are not: {bad}. Check the layer."
            )
        self.geoms = geoms
        shapely.prepare(self.geoms)
        self.codes = codes
        self.names = parishes["parish_name"].astype(object).to_numpy()
        self.localities = (
            parishes["locality"].astype(object).to_numpy() if "locality" in parishes else None
        )
        self.tiers = parishes["tier"].to_numpy() if "tier" in parishes else None
        # Pandas arrays to take located rows' columns from (cheap: no per-value checks).
        self.arrays: dict[str, Any] = {
            "parish_code": pd.array(codes, dtype="str"),
            "parish_name": parishes["parish_name"].astype("str").array,
        }
        if "locality" in parishes:
            self.arrays["locality"] = parishes["locality"].astype("str").array
        if "tier" in parishes:
            tier = parishes["tier"]
            if not pd.api.types.is_integer_dtype(tier.dtype):
                tier = pd.to_numeric(tier, errors="coerce").astype("Int64")
            self.arrays["tier"] = tier.array
        if "tier_name" in parishes:
            self.arrays["tier_name"] = parishes["tier_name"].astype("str").array
        self.tier_names = (
            parishes["tier_name"].astype(object).to_numpy() if "tier_name" in parishes else None
        )
        # Rank of each code, for the shared-boundary tie-break.
        self.code_rank = np.argsort(np.argsort(codes, kind="stable"), kind="stable")
        self.tree = shapely.STRtree(self.geoms)
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

    def parish_of(
        self,
        points: NDArray[np.object_],
        *,
        index_points: bool | None = None,
        point_index: Any = None,
        workers: int | None = None,
    ) -> NDArray[np.int64]:
        """Index of the parish holding each point, or -1 (missing or empty points too).

        ``index_points``: query an index of the points with the (prepared) parishes, as
        geopandas' sjoin does — fastest for many points; otherwise query the parish index
        with each point — fastest for few points, or points mostly outside the parishes.
        Default: by the number of points. ``point_index``: an index already built on
        ``points`` (a geopandas ``sindex`` or shapely ``STRtree``) to reuse. ``workers``:
        threads for the point-index query (default: the CPUs, at most 4).
        """
        points = np.asarray(points, dtype=object)
        n = len(points)
        result = np.full(n, -1, dtype=np.int64)
        if n == 0 or len(self.geoms) == 0:
            return result
        if index_points is None:
            index_points = n > max(_POINT_TREE_THRESHOLD, len(self.geoms) // 10)
        if index_points:
            point_tree = shapely.STRtree(points) if point_index is None else point_index
            threads = _thread_count(workers)
            if threads > 1 and len(self.geoms) >= 2 * threads:
                # STRtree.query releases the GIL: query chunks of parishes side by side.
                chunks = np.array_split(np.arange(len(self.geoms)), threads)
                with ThreadPoolExecutor(max_workers=threads) as pool:
                    parts = list(
                        pool.map(
                            lambda c: point_tree.query(self.geoms[c], predicate="covers"),
                            chunks,
                        )
                    )
                parish_idx = np.concatenate(
                    [chunk[part[0]] for chunk, part in zip(chunks, parts, strict=True)]
                )
                point_idx = np.concatenate([part[1] for part in parts])
            else:
                parish_idx, point_idx = point_tree.query(self.geoms, predicate="covers")
        else:
            point_idx, parish_idx = self.tree.query(points, predicate="intersects")
        if point_idx.size == 0:
            return result
        counts = np.bincount(point_idx, minlength=n)
        single = counts[point_idx] == 1
        result[point_idx[single]] = parish_idx[single]
        if not single.all():
            # On a shared boundary (or in an overlap): interior first, then the code that
            # sorts first.
            p_idx, t_idx = point_idx[~single], parish_idx[~single]
            interior = shapely.contains_properly(self.geoms[t_idx], points[p_idx])
            order = np.lexsort((self.code_rank[t_idx], ~interior, p_idx))
            p_sorted, t_sorted = p_idx[order], t_idx[order]
            first = np.ones(len(p_sorted), dtype=bool)
            first[1:] = p_sorted[1:] != p_sorted[:-1]
            result[p_sorted[first]] = t_sorted[first]
        return result

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


def _county_geometry(
    county: shapely.Geometry | gpd.GeoDataFrame | gpd.GeoSeries | None,
) -> shapely.Geometry | None:
    if county is None:
        return None
    if isinstance(county, gpd.GeoDataFrame | gpd.GeoSeries):
        _require_bng(county, "county")
        return shapely.union_all(np.asarray(county.geometry.values if isinstance(
            county, gpd.GeoDataFrame) else county.values, dtype=object))  # fmt: skip
    if isinstance(county, shapely.Geometry):
        return county
    raise DataError(f"county must be a polygon or a GeoDataFrame, not {type(county).__name__}.")


def _require_bng(frame: gpd.GeoDataFrame | gpd.GeoSeries, source: str) -> None:
    if not isinstance(frame, gpd.GeoDataFrame | gpd.GeoSeries):
        raise DataError(f"{source} must be a GeoDataFrame, not {type(frame).__name__}.")
    if frame.crs is None:
        raise CRSError(
            f"{source} has no coordinate reference system. Give it one "
            "(localitygis.crs.to_bng(frame, assume_crs=...))."
        )
    if CRS.from_user_input(frame.crs).to_epsg() != 27700:
        raise CRSError(
            f"{source} is in {frame.crs.to_string()}, not British National Grid "
            "(EPSG:27700). Convert it first with localitygis.crs.to_bng(frame)."
        )


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
            bad = ", ".join(str(n) for n in hubs["name"].to_numpy()[~is_point][:10])
            raise GeometryError(f"{source}: hubs must be points; these are not: {bad}.")
        if not usable.any():
            raise DataError(f"{source} has no hub with a position.")
        self.geoms = geoms[usable]
        self.names = hubs["name"].astype(object).to_numpy()[usable]
        self.tree = shapely.STRtree(self.geoms)

    def nearest(self, points: NDArray[np.object_]) -> tuple[NDArray[np.object_], NDArray]:
        """Name of and distance to the nearest hub (the first listed on a tie)."""
        points = np.asarray(points, dtype=object)
        names = np.full(len(points), None, dtype=object)
        distance = np.full(len(points), np.nan)
        valid = ~(pd.isna(points) | shapely.is_empty(points))
        if not valid.any():
            return names, distance
        (p_idx, h_idx), dist = self.tree.query_nearest(
            points[valid], return_distance=True, all_matches=True
        )
        order = np.lexsort((h_idx, p_idx))
        p_idx, h_idx, dist = p_idx[order], h_idx[order], dist[order]
        first = np.ones(len(p_idx), dtype=bool)
        first[1:] = p_idx[1:] != p_idx[:-1]
        rows = np.flatnonzero(valid)[p_idx[first]]
        names[rows] = self.names[h_idx[first]]
        distance[rows] = dist[first]
        return names, distance


# --------------------------------------------------------------------------------------
# One place


@dataclass(frozen=True)
class LocationResult:
    """Where a place is: its parish, locality and tier, and its nearest hub.

    Attributes
    ----------
    query : str
        The place as asked ("HR4 0AS", "(350880, 239843)", "lat 52.056, lon -2.716").
    easting, northing : float
        The position used, EPSG:27700 metres.
    parish_code, parish_name : str
        The parish holding the position.
    locality : str or None
        Its locality (None for a parish not in any locality).
    tier : int or None
        The locality's tier (1 rural, 2 market town, 3 city).
    tier_name : str or None
        The tier's name, when the parishes carry ``tier_name``.
    nearest_hub : str or None
        The nearest hub's name, when hubs were given.
    hub_distance_m : float or None
        Straight-line distance to it, metres.
    postcode : str or None
        The standard form of a postcode query.
    postcode_terminated : bool
        True when the postcode is terminated (its last position was used).
    """

    query: str
    easting: float
    northing: float
    parish_code: str
    parish_name: str
    locality: str | None
    tier: int | None
    tier_name: str | None = None
    nearest_hub: str | None = None
    hub_distance_m: float | None = None
    postcode: str | None = None
    postcode_terminated: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the result as a plain dict.

        Examples
        --------
        >>> LocationResult("x", 1.0, 2.0, "E1", "P", "L", 1).as_dict()["locality"]
        'L'
        """
        return asdict(self)

    def describe(self) -> str:
        """Return one readable sentence.

        Examples
        --------
        >>> LocationResult("HR4 0AS", 350880.0, 239843.0, "E04000001", "Hereford",
        ...                "Hereford City", 3, "City", "Hereford Library", 120.4).describe()
        'HR4 0AS is in Hereford parish (E04000001), Hereford City locality (tier 3, City); nearest hub: Hereford Library, 120 m away.'
        """  # noqa: E501
        tier = "" if self.tier is None else f" (tier {self.tier}"
        if tier and self.tier_name:
            tier += f", {self.tier_name}"
        tier += ")" if tier else ""
        where = f"{self.locality} locality{tier}" if self.locality else "no locality"
        text = f"{self.query} is in {self.parish_name} parish ({self.parish_code}), {where}"
        if self.nearest_hub is not None and self.hub_distance_m is not None:
            text += (
                f"; nearest hub: {self.nearest_hub}, {describe_distance(self.hub_distance_m)} away"
            )
        if self.postcode_terminated:
            text += f" (postcode {self.postcode} is terminated; its last position was used)"
        return text + "."


def _query_position(
    query: object,
    *,
    lat: float | None,
    lon: float | None,
    postcodes: pd.DataFrame | None,
) -> tuple[str, float, float, str | None, bool]:
    """Turn a query into (label, easting, northing, postcode, terminated)."""
    if (lat is None) != (lon is None):
        raise DataError("give both lat= and lon= (or neither).")
    if lat is not None:
        if query is not None:
            raise DataError("give either a query or lat=/lon=, not both.")
        kind = classify_coordinates([lon], [lat])[0]
        if kind == "lonlat_swapped":
            raise CRSError(
                f"lat={lat}, lon={lon} look swapped: latitude is about 49–61 and longitude "
                f"about -9–2 in Great Britain. Did you mean lat={lon}, lon={lat}?"
            )
        if kind != "lonlat":
            raise CRSError(
                f"lat={lat}, lon={lon} is not a position in Great Britain "
                "(latitude 49–61.5, longitude -9–2.5)."
            )
        e, n = lonlat_to_bng([lon], [lat])
        return f"lat {lat}, lon {lon}", float(e[0]), float(n[0]), None, False
    if query is None:
        raise DataError(
            "nothing to locate: give a postcode, a point, (easting, northing) or lat=/lon=."
        )
    if isinstance(query, str):
        from localitygis.postcodes import lookup_postcodes, normalise_postcode

        postcode = normalise_postcode(query)
        if postcode is None:
            raise DataError(
                f"{query.strip()!r} is not a valid UK postcode (expected e.g. 'HR4 0AS')."
            )
        if postcodes is None:
            raise DataError(
                f"to locate postcode {postcode}, give a postcode directory (postcodes=..., "
                "or --postcodes on the command line: ONS Postcode Directory or Code-Point Open)."
            )
        found = lookup_postcodes([postcode], postcodes).iloc[0]
        source = postcodes.attrs.get("source", "the postcode directory")
        if found["status"] == "not found":
            raise DataError(f"postcode {postcode} is not in {source}.")
        if found["status"] == "no position":
            raise DataError(f"postcode {postcode} has no grid reference in {source}.")
        if found["terminated"]:
            log.info("postcode %s is terminated; using its last position", postcode)
        return (
            postcode,
            float(found["easting"]),
            float(found["northing"]),
            postcode,
            bool(found["terminated"]),
        )
    if isinstance(query, shapely.Point):
        if query.is_empty:
            raise GeometryError("the point to locate is empty.")
        x, y = query.x, query.y
    elif isinstance(query, tuple | list | np.ndarray) and len(query) == 2:
        try:
            x, y = float(query[0]), float(query[1])
        except (TypeError, ValueError):
            raise DataError(
                f"{tuple(query)!r} is not a pair of numbers (easting, northing)."
            ) from None
    else:
        raise DataError(
            f"cannot locate {query!r}: give a postcode, a shapely Point or an (easting, "
            "northing) pair in EPSG:27700, or lat=/lon=."
        )
    kind = classify_coordinates([x], [y])[0]
    label = f"({x:.0f}, {y:.0f})"
    if kind == "bng_swapped":
        raise CRSError(
            f"{label} looks like (northing, easting): swap them, i.e. ({y:.0f}, {x:.0f})."
        )
    if kind in ("lonlat", "lonlat_swapped"):
        lat_, lon_ = (y, x) if kind == "lonlat" else (x, y)
        raise CRSError(
            f"({x}, {y}) looks like degrees, not British National Grid metres: "
            f"use lat={lat_}, lon={lon_}."
        )
    if kind != "bng":
        raise CRSError(f"{label} is not a British National Grid position in Great Britain.")
    return label, x, y, None, False


class Locator:
    """Answer "which parish, locality and tier?" again and again, indexes built once.

    :func:`locate` and :func:`locate_many` build a :class:`Locator` for each call; a web
    service or a loop should build one and reuse it.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        Annotated parishes in EPSG:27700 (see :func:`locate`).
    hubs : geopandas.GeoDataFrame, optional
        Hub points with a ``name`` column (any CRS; converted to EPSG:27700).
    postcodes : pandas.DataFrame, optional
        A postcode directory (read once, if raw).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame(
    ...     {"parish_code": ["E1"], "parish_name": ["Weobley"], "locality": ["Weobley"],
    ...      "tier": [1]}, geometry=[box(340000, 250000, 342000, 252000)], crs=27700)
    >>> locator = Locator(parishes)
    >>> [locator.locate((341000 + d, 251000)).parish_name for d in (0, 500)]
    ['Weobley', 'Weobley']
    """

    def __init__(
        self,
        parishes: gpd.GeoDataFrame,
        *,
        hubs: gpd.GeoDataFrame | None = None,
        postcodes: pd.DataFrame | None = None,
    ) -> None:
        from localitygis.postcodes import _as_directory

        self._index = _ParishIndex(parishes)
        self._hubs = _HubIndex(hubs) if hubs is not None else None
        self._postcodes = _as_directory(postcodes) if postcodes is not None else None

    def locate(
        self, query: object = None, *, lat: float | None = None, lon: float | None = None
    ) -> LocationResult:
        """Locate one place; see :func:`locate`.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely import box
        >>> parishes = gpd.GeoDataFrame(
        ...     {"parish_code": ["E1"], "parish_name": ["Weobley"], "locality": ["Weobley"],
        ...      "tier": [1]}, geometry=[box(340000, 250000, 342000, 252000)], crs=27700)
        >>> Locator(parishes).locate(lat=52.16, lon=-2.87).parish_name
        'Weobley'
        """
        label, x, y, postcode, terminated = _query_position(
            query, lat=lat, lon=lon, postcodes=self._postcodes
        )
        index = self._index
        point = np.array([shapely.Point(x, y)], dtype=object)
        found = int(index.parish_of(point)[0])
        if found < 0:
            swappable = np.array([not isinstance(query, str) and lat is None])
            reasons, _ = index.outside(point, swappable=swappable)
            if reasons[0].startswith("easting and northing look swapped"):
                raise CRSError(f"{label}: {reasons[0]}.")
            raise OutsideCountyError(f"{label} is {reasons[0]}.")
        hub_name, hub_distance = None, None
        if self._hubs is not None:
            names, distances = self._hubs.nearest(point)
            hub_name, hub_distance = names[0], float(distances[0])

        def value(values: NDArray | None, kind: type) -> Any:
            return None if values is None else _none_or(values[found], kind)

        return LocationResult(
            query=label,
            easting=x,
            northing=y,
            parish_code=str(index.codes[found]),
            parish_name=value(index.names, str),
            locality=value(index.localities, str),
            tier=value(index.tiers, int),
            tier_name=value(index.tier_names, str),
            nearest_hub=_none_or(hub_name, str),
            hub_distance_m=hub_distance,
            postcode=postcode,
            postcode_terminated=terminated,
        )

    def locate_many(
        self,
        frame: pd.DataFrame,
        *,
        columns: dict[str, str] | None = None,
        crs: str | int | None = None,
    ) -> pd.DataFrame:
        """Locate every row of a table; see :func:`locate_many`.

        Examples
        --------
        >>> import geopandas as gpd, pandas as pd
        >>> from shapely import box
        >>> parishes = gpd.GeoDataFrame(
        ...     {"parish_code": ["E1"], "parish_name": ["Weobley"], "locality": ["Weobley"],
        ...      "tier": [1]}, geometry=[box(340000, 250000, 342000, 252000)], crs=27700)
        >>> places = pd.DataFrame({"easting": [341000], "northing": [251000]})
        >>> Locator(parishes).locate_many(places)["locality"].tolist()
        ['Weobley']
        """
        from localitygis.assets import _positions_of_table

        index = self._index
        positions = _positions_of_table(frame, columns=columns, postcodes=self._postcodes, crs=crs)
        n = len(frame)
        x, y = positions.x, positions.y
        problem = positions.problem.copy()
        ok = np.array([p is None for p in problem], dtype=bool)
        points = np.full(n, None, dtype=object)
        points[ok] = shapely.points(x[ok], y[ok])
        found = np.full(n, -1, dtype=np.int64)
        found[ok] = index.parish_of(points[ok])
        lost = ok & (found < 0)
        if lost.any():
            swappable = np.isin(positions.how[lost], ["geometry", "easting/northing"])
            reasons, _ = index.outside(points[lost], swappable=swappable)
            for i, reason in zip(np.flatnonzero(lost), reasons, strict=True):
                problem[i] = reason
        placed = found >= 0
        located = index.take(found)

        result = pd.DataFrame(frame.drop(columns=_geometry_columns(frame))).copy()
        clash = [c for c in _RESULT_COLUMNS if c in result.columns]
        if clash:
            result = result.rename(columns={c: f"{c} (input)" for c in clash})
        hub_names = np.full(n, None, dtype=object)
        hub_dist = np.full(n, np.nan)
        if self._hubs is not None:
            names, dist = self._hubs.nearest(points[placed])
            hub_names[placed], hub_dist[placed] = names, dist
        result["easting"] = np.where(np.isfinite(x), x, np.nan)
        result["northing"] = np.where(np.isfinite(y), y, np.nan)
        for column in ("parish_code", "parish_name", "locality", "tier", "tier_name"):
            if column in located:
                result[column] = located[column]
            else:
                result[column] = pd.array([None] * n, dtype="Int64" if column == "tier" else "str")
        result["nearest_hub"] = pd.array(hub_names, dtype="str")
        result["hub_distance_m"] = hub_dist
        result["problem"] = pd.array(problem, dtype="str")
        return result


def locate(
    query: object = None,
    *,
    parishes: gpd.GeoDataFrame,
    hubs: gpd.GeoDataFrame | None = None,
    postcodes: pd.DataFrame | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> LocationResult:
    """Say which parish, locality and tier a place is in, and its nearest hub.

    Parameters
    ----------
    query : shapely.Point, (easting, northing) or str, optional
        A point or pair in EPSG:27700, or a postcode (needs ``postcodes``). Leave out and
        give ``lat``/``lon`` for WGS84 degrees.
    parishes : geopandas.GeoDataFrame
        Annotated parishes in EPSG:27700: ``parish_code``, ``parish_name``, ``locality``,
        ``tier`` (optional ``tier_name``), as built by
        :func:`localitygis.localities.build_localities`.
    hubs : geopandas.GeoDataFrame, optional
        Hub points with a ``name`` column.
    postcodes : pandas.DataFrame, optional
        A postcode directory (:func:`localitygis.postcodes.read_postcode_directory`).
    lat, lon : float, optional
        WGS84 latitude and longitude (converted with OSTN15).

    Returns
    -------
    LocationResult

    Raises
    ------
    OutsideCountyError
        The place is in no parish (the message says how far outside it is).
    CRSError
        Coordinates that look swapped or in the wrong units.
    DataError
        An invalid or unknown postcode, or a postcode without a directory.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> parishes = gpd.GeoDataFrame(
    ...     {"parish_code": ["E1", "E2"], "parish_name": ["Weobley", "Dilwyn"],
    ...      "locality": ["Weobley", "Weobley"], "tier": [1, 1]},
    ...     geometry=[box(340000, 250000, 342000, 252000), box(342000, 250000, 344000, 252000)],
    ...     crs=27700)
    >>> hubs = gpd.GeoDataFrame({"name": ["Weobley hub"]}, geometry=[Point(341000, 251000)],
    ...                         crs=27700)
    >>> result = locate((343000, 251000), parishes=parishes, hubs=hubs)
    >>> result.parish_name, result.locality, result.tier, result.hub_distance_m
    ('Dilwyn', 'Weobley', 1, 2000.0)
    >>> locate((350000, 251000), parishes=parishes)
    Traceback (most recent call last):
    ...
    localitygis.locate.OutsideCountyError: (350000, 251000) is outside the county: 6.0 km from the boundary (nearest parish: Dilwyn).
    """  # noqa: E501
    return Locator(parishes, hubs=hubs, postcodes=postcodes).locate(query, lat=lat, lon=lon)


def _none_or(value: object, kind: type) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return kind(value)


# --------------------------------------------------------------------------------------
# Many places


_RESULT_COLUMNS = (
    "easting",
    "northing",
    "parish_code",
    "parish_name",
    "locality",
    "tier",
    "tier_name",
    "nearest_hub",
    "hub_distance_m",
    "problem",
)


def locate_many(
    frame: pd.DataFrame,
    *,
    parishes: gpd.GeoDataFrame,
    hubs: gpd.GeoDataFrame | None = None,
    postcodes: pd.DataFrame | None = None,
    columns: dict[str, str] | None = None,
    crs: str | int | None = None,
) -> pd.DataFrame:
    """Locate every row of a table at once; rows that cannot be placed say why.

    Positions come, per row, from the geometry (a GeoDataFrame), else ``easting`` /
    ``northing``, else ``latitude`` / ``longitude``, else ``postcode`` (the same column
    recognition and checks as :func:`localitygis.assets.read_assets`: swapped or
    non-numeric coordinates are reported, never guessed).

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The places.
    parishes : geopandas.GeoDataFrame
        Annotated parishes (see :func:`locate`).
    hubs : geopandas.GeoDataFrame, optional
        Hub points with a ``name`` column.
    postcodes : pandas.DataFrame, optional
        A postcode directory.
    columns : mapping of str to str, optional
        Your column name -> ``easting``, ``northing``, ``latitude``, ``longitude`` or
        ``postcode``.
    crs : str or int, optional
        CRS of a GeoDataFrame that has none.

    Returns
    -------
    pandas.DataFrame
        The input columns (geometry dropped) followed by ``easting``, ``northing``,
        ``parish_code``, ``parish_name``, ``locality``, ``tier``, ``tier_name``,
        ``nearest_hub``, ``hub_distance_m`` and ``problem`` (missing when located). Same
        rows, same order, same index.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame(
    ...     {"parish_code": ["E1"], "parish_name": ["Weobley"], "locality": ["Weobley"],
    ...      "tier": [1]}, geometry=[box(340000, 250000, 342000, 252000)], crs=27700)
    >>> places = pd.DataFrame({"easting": [341000, 360000, 251000],
    ...                        "northing": [251000, 251000, 341000]})
    >>> out = locate_many(places, parishes=parishes)
    >>> out["parish_name"].tolist()
    ['Weobley', nan, nan]
    >>> out["problem"].str.split(":").str[0].tolist()
    [nan, 'outside the county', 'easting and northing look swapped']
    """
    return Locator(parishes, hubs=hubs, postcodes=postcodes).locate_many(
        frame, columns=columns, crs=crs
    )


def _geometry_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if isinstance(frame[c].dtype, gpd.array.GeometryDtype)]
