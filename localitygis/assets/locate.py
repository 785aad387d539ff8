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
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from localitygis.assets.columns import positions_of_table
from localitygis.assets.parish_index import (
    SWAP_HINT_DISTANCE,
    _HubIndex,
    _ParishIndex,
    describe_distance,
)
from localitygis.assets.positions import Positions
from localitygis.crs import classify_coordinates, lonlat_to_bng
from localitygis.errors import CRSError, DataError, GeometryError

if TYPE_CHECKING:  # the road modules (scipy.sparse) are imported only with roads
    from localitygis.access.network import RoadNetwork

__all__ = [
    "SWAP_HINT_DISTANCE",
    "LocationResult",
    "Locator",
    "OutsideCountyError",
    "locate",
    "locate_many",
]

log = logging.getLogger(__name__)


class OutsideCountyError(DataError):
    """A place lies outside every parish of the county."""


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
    hub_by_road, hub_minutes : str or float or None
        With a road network (``cost=``): the hub soonest reached by road and the minutes
        to it (None when the place is off the network).
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
    hub_by_road: str | None = None
    hub_minutes: float | None = None

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
        if self.hub_by_road is not None and self.hub_minutes is not None:
            text += f"; by road: {self.hub_by_road}, {self.hub_minutes:.0f} min"
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
    if lat is not None and lon is not None:
        if query is not None:
            raise DataError("give either a query or lat=/lon=, not both.")
        return _lonlat_position(lat, lon)
    if query is None:
        raise DataError(
            "nothing to locate: give a postcode, a point, (easting, northing) or lat=/lon=."
        )
    if isinstance(query, str):
        return _postcode_position(query, postcodes)
    x, y = _grid_pair(query)
    return _grid_position(x, y)


def _lonlat_position(lat: float, lon: float) -> tuple[str, float, float, None, bool]:
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


def _postcode_position(
    query: str, postcodes: pd.DataFrame | None
) -> tuple[str, float, float, str, bool]:
    from localitygis.assets.postcodes import lookup_postcodes, normalise_postcode

    postcode = normalise_postcode(query)
    if postcode is None:
        raise DataError(f"{query.strip()!r} is not a valid UK postcode (expected e.g. 'HR4 0AS').")
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
    easting, northing = float(found["easting"]), float(found["northing"])
    return postcode, easting, northing, postcode, bool(found["terminated"])


def _grid_pair(query: object) -> tuple[float, float]:
    """Return the (x, y) of a shapely Point or a pair of numbers."""
    if isinstance(query, shapely.Point):
        if query.is_empty:
            raise GeometryError("the point to locate is empty.")
        return query.x, query.y
    if isinstance(query, tuple | list | np.ndarray) and len(query) == 2:
        try:
            return float(query[0]), float(query[1])
        except (TypeError, ValueError):
            raise DataError(
                f"{tuple(query)!r} is not a pair of numbers (easting, northing)."
            ) from None
    raise DataError(
        f"cannot locate {query!r}: give a postcode, a shapely Point or an (easting, "
        "northing) pair in EPSG:27700, or lat=/lon=."
    )


def _grid_position(x: float, y: float) -> tuple[str, float, float, None, bool]:
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
    cost : RoadNetwork, optional
        A road network (:func:`localitygis.access.read_roads`): the results also give the
        hub soonest reached by road and the minutes to it.

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
        cost: RoadNetwork | None = None,
    ) -> None:
        from localitygis.assets.postcodes import as_postcode_directory

        self._index = _ParishIndex(parishes)
        self._hubs = _HubIndex(hubs) if hubs is not None else None
        self._postcodes = as_postcode_directory(postcodes)
        if cost is not None:
            from localitygis.access.network import RoadNetwork

            if not isinstance(cost, RoadNetwork):
                raise DataError("cost must be a RoadNetwork (localitygis.access.read_roads).")
        self._roads = cost

    def _by_road(self, points: NDArray[np.object_]) -> tuple[NDArray[np.int64], NDArray]:
        """Index of the hub soonest reached by road from each point (-1 off-road), and minutes."""
        hub = np.full(len(points), -1, dtype=np.int64)
        minutes = np.full(len(points), np.nan)
        if self._roads is None or self._hubs is None or len(points) == 0:
            return hub, minutes
        from localitygis.access.matrix import travel_times

        times = travel_times(
            self._roads,
            gpd.GeoDataFrame(geometry=list(points), crs=27700),
            gpd.GeoDataFrame(geometry=list(self._hubs.geoms), crs=27700),
        ).minutes
        times = np.where(np.isnan(times), np.inf, times)
        routed = np.isfinite(times).any(axis=1)
        best = np.argmin(times, axis=1)
        hub[routed] = best[routed]
        minutes[routed] = times[np.flatnonzero(routed), best[routed]].round(1)
        return hub, minutes

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
        hub_name, hub_distance, road_name = None, None, None
        road_hub, road_minutes = self._by_road(point)
        if self._hubs is not None:
            names, distances = self._hubs.nearest(point)
            hub_name, hub_distance = names[0], float(distances[0])
            road_name = self._hubs.names[road_hub[0]] if road_hub[0] >= 0 else None

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
            hub_by_road=_none_or(road_name, str),
            hub_minutes=None if np.isnan(road_minutes[0]) else float(road_minutes[0]),
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
        positions = positions_of_table(frame, columns=columns, postcodes=self._postcodes, crs=crs)
        found = self._index.parish_of_xy(positions.x, positions.y)
        n = len(frame)
        # New columns gathered first and joined once: no copy of the long arrays.
        added: dict[str, Any] = {"easting": positions.x, "northing": positions.y}
        located = self._index.categorical(found)
        for column in ("parish_code", "parish_name", "locality", "tier", "tier_name"):
            added[column] = located[column] if column in located else _missing(column, n)
        added.update(self._hub_columns(positions, found))
        added["problem"] = pd.array(self._problems(positions, found), dtype="str")
        new = pd.DataFrame(added, index=frame.index, copy=False)
        return pd.concat([_input_columns(frame), new], axis=1)

    def _hub_columns(self, positions: Positions, found: NDArray) -> dict[str, Any]:
        """Nearest hub and its distance (and by road, with roads) for the placed rows."""
        n = len(found)
        if self._hubs is None:
            return {"nearest_hub": _missing("nearest_hub", n), "hub_distance_m": np.full(n, np.nan)}
        placed = found >= 0
        points = _points_of(positions, np.flatnonzero(placed))
        hub = np.full(n, -1, dtype=np.int64)
        distance = np.full(n, np.nan)
        hub[placed], distance[placed] = self._hubs.nearest_index(points)
        columns = {"nearest_hub": self._hubs.categorical(hub), "hub_distance_m": distance}
        if self._roads is not None:
            road_hub = np.full(n, -1, dtype=np.int64)
            road_minutes = np.full(n, np.nan)
            road_hub[placed], road_minutes[placed] = self._by_road(points)
            columns["hub_by_road"] = self._hubs.categorical(road_hub)
            columns["hub_minutes"] = road_minutes
        return columns

    def _problems(self, positions: Positions, found: NDArray[np.int64]) -> NDArray[np.object_]:
        """Each row's problem: the position's, or why a position is in no parish."""
        problem = positions.problem  # made for this call: filled in place
        lost = np.flatnonzero((found < 0) & pd.isna(problem))
        if len(lost):
            swappable = np.isin(positions.how[lost], ["geometry", "easting/northing"])
            points = _points_of(positions, lost)
            reasons, _ = self._index.outside(points, swappable=swappable)
            problem[lost] = reasons
        return problem


def locate(
    query: object = None,
    *,
    parishes: gpd.GeoDataFrame,
    hubs: gpd.GeoDataFrame | None = None,
    postcodes: pd.DataFrame | None = None,
    lat: float | None = None,
    lon: float | None = None,
    cost: RoadNetwork | None = None,
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
        A postcode directory (:func:`localitygis.assets.postcodes.read_postcode_directory`).
    lat, lon : float, optional
        WGS84 latitude and longitude (converted with OSTN15).
    cost : RoadNetwork, optional
        With ``hubs``: also the hub soonest reached by road and the minutes to it
        (``hub_by_road``, ``hub_minutes``).

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
    localitygis.assets.locate.OutsideCountyError: (350000, 251000) is outside the county: 6.0 km from the boundary (nearest parish: Dilwyn).
    """  # noqa: E501
    locator = Locator(parishes, hubs=hubs, postcodes=postcodes, cost=cost)
    return locator.locate(query, lat=lat, lon=lon)


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
    cost: RoadNetwork | None = None,
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
    cost : RoadNetwork, optional
        With ``hubs``: adds ``hub_by_road`` and ``hub_minutes`` (the hub soonest reached by
        road, and the minutes to it).

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
    locator = Locator(parishes, hubs=hubs, postcodes=postcodes, cost=cost)
    return locator.locate_many(frame, columns=columns, crs=crs)


def _points_of(positions: Positions, rows: NDArray[np.int64]) -> NDArray[np.object_]:
    """Return the point of each row in ``rows`` (all with a position), reusing the input's."""
    if positions.points is None:
        return shapely.points(positions.x[rows], positions.y[rows])
    given = positions.how[rows] == "geometry"
    if given.all():
        return positions.points[rows]
    points = np.empty(len(rows), dtype=object)
    points[given] = positions.points[rows[given]]
    made = rows[~given]
    points[~given] = shapely.points(positions.x[made], positions.y[made])
    return points


def _input_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the input's columns without geometry, those named like a result column renamed."""
    geometry = [c for c in frame.columns if isinstance(frame[c].dtype, gpd.array.GeometryDtype)]
    result = pd.DataFrame(frame.drop(columns=geometry))
    clash = [c for c in _RESULT_COLUMNS if c in result.columns]
    return result.rename(columns={c: f"{c} (input)" for c in clash}) if clash else result


def _missing(column: str, n: int) -> Any:
    """Return an all-missing result column: Int64 for ``tier``, else an empty categorical."""
    if column == "tier":
        return pd.array([None] * n, dtype="Int64")
    codes = np.full(n, -1, dtype=np.int8)
    return pd.Categorical.from_codes(codes, categories=pd.Index([], dtype="str"))
