"""Checks shared by every stage: the CRS, point layers, distances, and listings of problems.

One home for the checks that the localities, assets, co-location and hubs stages all make,
so each is written once and says the same thing wherever it fails. The names are public
within the package (import them from here) but not part of the API.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from localitygis.crs import BNG
from localitygis.errors import CRSError, DataError, GeometryError

__all__ = [
    "LISTING_LIMIT",
    "listing",
    "require_bng",
    "require_distance",
    "require_points",
]

#: How many items a listing of problems names before "and K more".
LISTING_LIMIT = 10

_BNG = CRS.from_user_input(BNG)


def listing(values: Iterable[object], limit: int = LISTING_LIMIT) -> str:
    """Join values with commas, naming the first ``limit`` and then how many more.

    Parameters
    ----------
    values : iterable
        The items to name (rows, codes, names), in the order to show them.
    limit : int
        How many to name before "and K more".

    Returns
    -------
    str

    Examples
    --------
    >>> listing(["A", "B"])
    'A, B'
    >>> listing(range(1, 14))
    '1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 3 more'
    """
    items = [str(value) for value in values]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def require_bng(frame: gpd.GeoDataFrame, source: str) -> None:
    """Raise unless ``frame`` is a GeoDataFrame in British National Grid.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The layer to check.
    source : str
        What to call it in the message (a file name or "parishes").

    Raises
    ------
    DataError
        ``frame`` is not a GeoDataFrame.
    CRSError
        It has no CRS, or a CRS other than EPSG:27700.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> require_bng(gpd.GeoDataFrame(geometry=[Point(350000, 240000)], crs=27700), "sites")
    >>> require_bng(gpd.GeoDataFrame(geometry=[Point(-2.7, 52.0)], crs=4326), "sites")
    Traceback (most recent call last):
    localitygis.errors.CRSError: sites: the CRS is EPSG:4326, not British National Grid ...
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        raise DataError(
            f"{source} must be a GeoDataFrame, not {type(frame).__name__}. Read files with "
            "localitygis.io (read_parishes, read_catchments, read_vector)."
        )
    if frame.crs is None:
        raise CRSError(
            f"{source}: no coordinate reference system (CRS) is set; set it with "
            f"localitygis.crs.to_bng({source}, assume_crs=...) if you know it."
        )
    crs = CRS.from_user_input(frame.crs)
    if not (crs.equals(_BNG) or crs.to_epsg() == 27700):
        raise CRSError(
            f"{source}: the CRS is {crs.to_string()}, not British National Grid ({BNG}) in "
            f"which localitygis analyses; convert it with localitygis.crs.to_bng({source})."
        )


def require_distance(distance: float, what: str = "distance") -> None:
    """Raise unless ``distance`` is a positive, finite number of metres.

    Parameters
    ----------
    distance : float
        The value given.
    what : str
        The parameter's name, for the message.

    Raises
    ------
    DataError

    Examples
    --------
    >>> require_distance(250)
    >>> require_distance(-5, "radius")
    Traceback (most recent call last):
    localitygis.errors.DataError: radius must be a positive number of metres, not -5.
    """
    try:
        value = float(distance)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number of metres, not {distance!r}.") from None
    if not np.isfinite(value) or value <= 0:
        raise DataError(f"{what} must be a positive number of metres, not {distance!r}.")


def _point_coordinates(
    geoms: np.ndarray, kind: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Give x, y (NaN but for points) and which points are empty, in as few passes as may be.

    ``get_x`` / ``get_y`` give NaN for anything but a point and fail on an empty point, so
    the layer is read twice when no point is empty, and only then looked at for emptiness.
    """
    try:
        xs = np.asarray(shapely.get_x(geoms), dtype=np.float64)
        ys = np.asarray(shapely.get_y(geoms), dtype=np.float64)
    except shapely.errors.GEOSException:  # an empty point
        empty = (kind == 0) & shapely.is_empty(geoms)
        xs, ys = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
        ok = (kind == 0) & ~empty
        xs[ok], ys[ok] = shapely.get_x(geoms[ok]), shapely.get_y(geoms[ok])
        return xs, ys, empty
    return xs, ys, np.zeros(len(geoms), dtype=bool)


def require_points(
    frame: gpd.GeoDataFrame, source: str, *, label: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Raise one GeometryError naming every row whose geometry is not a usable point.

    A usable point is a non-empty Point with finite coordinates. When every row is one,
    their coordinates are returned (read once: on a large layer in no particular order,
    each pass over the geometries costs a fraction of a second).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The layer to check.
    source : str
        What to call it in the message.
    label : str, optional
        A column whose values name the rows (``asset_id``, say); row positions otherwise.

    Returns
    -------
    tuple of numpy.ndarray
        The x and y coordinates, one each per row.

    Raises
    ------
    GeometryError

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> sites = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[Point(0, 0), box(0, 0, 1, 1)])
    >>> require_points(sites.iloc[:1], "sites", label="id")
    (array([0.]), array([0.]))
    >>> require_points(sites, "sites", label="id")
    Traceback (most recent call last):
    localitygis.errors.GeometryError: sites: 1 with geometry that is not a Point (id b). ...
    """
    geoms = np.asarray(frame.geometry.array, dtype=object)
    kind = shapely.get_type_id(geoms)  # -1 for a missing geometry
    xs, ys, empty = _point_coordinates(geoms, kind)
    unsure = np.flatnonzero((kind == 0) & ~empty & ~(np.isfinite(xs) & np.isfinite(ys)))
    missing = (kind == -1) | empty
    wrong = ~missing & (kind != 0)
    non_finite = np.zeros(len(geoms), dtype=bool)
    non_finite[unsure] = True
    names = frame[label].astype(str).to_numpy() if label and label in frame else None
    problems = []
    for what, mask in (
        ("no geometry", missing),
        ("geometry that is not a Point", wrong),
        ("non-finite coordinates", non_finite),
    ):
        rows = np.flatnonzero(mask)
        if len(rows):
            shown = names[rows] if names is not None else rows
            problems.append(f"{len(rows)} with {what} ({label or 'rows'} {listing(shown)})")
    if problems:
        raise GeometryError(
            f"{source}: " + "; ".join(problems) + ". Locate every feature as a single point "
            "(e.g. with localitygis.assets) or drop those rows into a rejects table first."
        )
    return xs, ys
