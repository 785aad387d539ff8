"""Coordinate reference systems: British National Grid for analysis, WGS84 for the web.

All analysis runs in British National Grid (EPSG:27700, metres). Web maps are published in
WGS84 (EPSG:4326, degrees).

Between WGS84/ETRS89 and the National Grid this module uses the Ordnance Survey's OSTN15
transformation (through :mod:`convertbng`), which reproduces the official grid to about a
millimetre. pyproj without the OSTN15 grid file would fall back to a seven-parameter Helmert
transformation that is 1–5 m out; we choose OSTN15 deliberately and test it against the OS
published test points. Where OSTN15 is undefined (far offshore, outside Great Britain) the
Helmert transformation is used for those coordinates only, and a log message says how many.

A layer with no CRS is an error unless the caller names one: we never guess silently. We do
look at the numbers to explain a likely mistake (degrees declared as metres, latitude and
longitude swapped, eastings and northings swapped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely
from convertbng.cutil import convert_bng, convert_lonlat
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer

from localitygis.errors import CRSError

__all__ = [
    "BNG",
    "GB_BNG_BOUNDS",
    "GB_LONLAT_BOUNDS",
    "WGS84",
    "bng_to_lonlat",
    "check_coordinates",
    "classify_coordinates",
    "lonlat_to_bng",
    "to_bng",
    "to_wgs84",
]

log = logging.getLogger(__name__)

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"

#: (min_easting, min_northing, max_easting, max_northing) of the National Grid over GB.
GB_BNG_BOUNDS = (0.0, 0.0, 700_000.0, 1_300_000.0)
#: (min_lon, min_lat, max_lon, max_lat) covering Great Britain and its islands.
GB_LONLAT_BOUNDS = (-9.0, 49.0, 2.5, 61.5)

# Geographic CRSs on the WGS84 / ETRS89 datum: these take the OSTN15 route.
_OSTN15_SOURCES = {4326, 4258, 4937, 4979, 4936}

CoordinateKind = Literal["bng", "bng_swapped", "lonlat", "lonlat_swapped", "invalid"]


def lonlat_to_bng(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert WGS84/ETRS89 longitude and latitude to British National Grid (OSTN15).

    Parameters
    ----------
    lon, lat : array-like of float
        Degrees. NaN in, NaN out.

    Returns
    -------
    easting, northing : numpy.ndarray
        Metres. Coordinates outside the OSTN15 grid use the Helmert transformation.

    Examples
    --------
    OS test point TP01 (St Mary's, Isles of Scilly) from the OSTN15 test data:

    >>> e, n = lonlat_to_bng([-6.29977752014], [49.92226393730])
    >>> float(e[0]), float(n[0])
    (91492.146, 11318.804)
    """
    lon_arr = np.asarray(lon, dtype="float64").ravel()
    lat_arr = np.asarray(lat, dtype="float64").ravel()
    if lon_arr.size == 0:
        return np.empty(0), np.empty(0)
    easting, northing = (np.asarray(a, dtype="float64") for a in convert_bng(lon_arr, lat_arr))
    _fill_outside_grid(easting, northing, lon_arr, lat_arr, "EPSG:4326", BNG)
    return easting, northing


def bng_to_lonlat(
    easting: ArrayLike, northing: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert British National Grid eastings and northings to WGS84 (OSTN15).

    Parameters
    ----------
    easting, northing : array-like of float
        Metres. NaN in, NaN out.

    Returns
    -------
    lon, lat : numpy.ndarray
        Degrees.

    Examples
    --------
    >>> lon, lat = bng_to_lonlat([91492.146], [11318.804])
    >>> round(float(lon[0]), 8), round(float(lat[0]), 8)
    (-6.29977752, 49.92226394)
    """
    e_arr = np.asarray(easting, dtype="float64").ravel()
    n_arr = np.asarray(northing, dtype="float64").ravel()
    if e_arr.size == 0:
        return np.empty(0), np.empty(0)
    lon, lat = (np.asarray(a, dtype="float64") for a in convert_lonlat(e_arr, n_arr))
    _fill_outside_grid(lon, lat, e_arr, n_arr, BNG, "EPSG:4326")
    return lon, lat


def _fill_outside_grid(
    out_x: NDArray[np.float64],
    out_y: NDArray[np.float64],
    in_x: NDArray[np.float64],
    in_y: NDArray[np.float64],
    source: str,
    target: str,
) -> None:
    """Fill, in place, coordinates OSTN15 left undefined with pyproj's Helmert result."""
    missing = np.isnan(out_x) & ~np.isnan(in_x) & ~np.isnan(in_y)
    if not missing.any():
        return
    transformer = Transformer.from_crs(source, target, always_xy=True)
    x, y = transformer.transform(in_x[missing], in_y[missing])
    out_x[missing] = x
    out_y[missing] = y
    log.info(
        "%d coordinate(s) lie outside the OSTN15 grid; used the Helmert transformation "
        "(accurate to a few metres) for them",
        int(missing.sum()),
    )


def classify_coordinates(x: ArrayLike, y: ArrayLike) -> NDArray[np.str_]:
    """Say, for each coordinate pair, what kind of British coordinate it looks like.

    Parameters
    ----------
    x, y : array-like of float
        The pair as given: (easting, northing) or (longitude, latitude).

    Returns
    -------
    numpy.ndarray of str
        ``"bng"`` (plausible easting/northing), ``"bng_swapped"`` (plausible only as
        northing/easting), ``"lonlat"`` (plausible longitude/latitude in Great Britain),
        ``"lonlat_swapped"`` (latitude/longitude order), or ``"invalid"``.

    Examples
    --------
    >>> x = [351000, 52.05, -2.71, 1_200_000, 5]
    >>> y = [240000, -2.71, 52.05, 300_000, 5]
    >>> classify_coordinates(x, y).tolist()
    ['bng', 'lonlat_swapped', 'lonlat', 'bng_swapped', 'invalid']
    """
    xs = np.asarray(x, dtype="float64").ravel()
    ys = np.asarray(y, dtype="float64").ravel()
    result = np.full(xs.shape, "invalid", dtype="<U14")
    min_lon, min_lat, max_lon, max_lat = GB_LONLAT_BOUNDS
    _, _, max_e, max_n = GB_BNG_BOUNDS
    with np.errstate(invalid="ignore"):
        is_lonlat = (xs >= min_lon) & (xs <= max_lon) & (ys >= min_lat) & (ys <= max_lat)
        is_latlon = (ys >= min_lon) & (ys <= max_lon) & (xs >= min_lat) & (xs <= max_lat)
        # Metres: demand more than 1,000 m on both axes so that degrees are never "metres".
        in_bng = (xs > 1_000) & (xs <= max_e) & (ys > 1_000) & (ys <= max_n)
        in_bng_swapped = (ys > 1_000) & (ys <= max_e) & (xs > 1_000) & (xs <= max_n)
    result[in_bng_swapped & ~in_bng] = "bng_swapped"
    result[in_bng] = "bng"
    result[is_latlon & ~is_lonlat] = "lonlat_swapped"
    result[is_lonlat] = "lonlat"
    return result


def check_coordinates(
    x: ArrayLike,
    y: ArrayLike,
    *,
    kind: Literal["bng", "lonlat"],
    source: str = "the input",
) -> None:
    """Raise :class:`CRSError` if coordinates are not the ``kind`` they are declared to be.

    Parameters
    ----------
    x, y : array-like of float
        Declared as (easting, northing) for ``kind="bng"``, (longitude, latitude) for
        ``kind="lonlat"``. NaNs are ignored.
    kind : {"bng", "lonlat"}
        What the coordinates are declared to be.
    source : str
        Named in the message, e.g. a file name.

    Raises
    ------
    CRSError
        Naming the likely mistake (degrees given as metres, swapped axes) and the fix.

    Examples
    --------
    >>> check_coordinates([351000], [240000], kind="bng")
    >>> check_coordinates([52.05], [-2.71], kind="lonlat", source="sites.csv")
    Traceback (most recent call last):
    ...
    localitygis.errors.CRSError: sites.csv: coordinates declared as longitude/latitude look
    like latitude/longitude (swapped axes), e.g. (52.05, -2.71). Swap the columns, ...
    """
    xs = np.asarray(x, dtype="float64").ravel()
    ys = np.asarray(y, dtype="float64").ravel()
    keep = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[keep], ys[keep]
    if xs.size == 0:
        return
    kinds = classify_coordinates(xs, ys)
    wrong = kinds != kind
    if not wrong.any():
        return
    first = int(np.flatnonzero(wrong)[0])
    example = f"({_fmt(xs[first])}, {_fmt(ys[first])})"
    seen = kinds[first]
    declared = "easting/northing" if kind == "bng" else "longitude/latitude"
    explanations = {
        "bng": "look like British National Grid metres",
        "bng_swapped": "look like northing/easting in metres (swapped axes)",
        "lonlat": "look like longitude/latitude in degrees",
        "lonlat_swapped": "look like latitude/longitude (swapped axes)",
        "invalid": "are not in Great Britain in either metres or degrees",
    }
    fixes = {
        "bng": "Declare them as EPSG:27700 (easting/northing).",
        "bng_swapped": "Swap the easting and northing columns.",
        "lonlat": "Declare them as EPSG:4326 (longitude/latitude).",
        "lonlat_swapped": "Swap the columns, or name them correctly.",
        "invalid": "Check the columns and the coordinate reference system.",
    }
    count = int(wrong.sum())
    extra = f" ({count} of {xs.size} coordinates)" if count > 1 else ""
    raise CRSError(
        f"{source}: coordinates declared as {declared} {explanations[str(seen)]}, "
        f"e.g. {example}{extra}. {fixes[str(seen)]}"
    )


def _fmt(value: float) -> str:
    return f"{value:.6g}" if abs(value) < 1_000 else f"{value:.0f}"


def _sample_xy(frame: gpd.GeoDataFrame, limit: int = 2_000) -> tuple[np.ndarray, np.ndarray]:
    """Return up to ``limit`` vertex coordinates from the frame's geometry."""
    geoms = frame.geometry.values
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) > limit:
        geoms = geoms[np.linspace(0, len(geoms) - 1, limit).astype(int)]
    coords = shapely.get_coordinates(geoms)
    if len(coords) > limit:
        coords = coords[np.linspace(0, len(coords) - 1, limit).astype(int)]
    return coords[:, 0], coords[:, 1]


def to_bng(
    frame: gpd.GeoDataFrame,
    *,
    assume_crs: str | int | CRS | None = None,
    source: str = "the layer",
) -> gpd.GeoDataFrame:
    """Return ``frame`` in British National Grid (EPSG:27700).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Any layer.
    assume_crs : str, int or pyproj.CRS, optional
        The CRS to use when ``frame`` has none. A frame that has a CRS keeps it.
    source : str
        Named in error messages (a file name, say).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in EPSG:27700; the input is not changed.

    Raises
    ------
    CRSError
        If the frame has no CRS and none is named, or its coordinates contradict its CRS
        (degrees declared as metres, swapped axes).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> wgs = gpd.GeoDataFrame(geometry=[Point(-6.29977752014, 49.92226393730)], crs=4326)
    >>> to_bng(wgs).geometry.iloc[0].coords[0]
    (91492.146, 11318.804)
    >>> to_bng(gpd.GeoDataFrame(geometry=[Point(351000, 240000)]), source="sites.gpkg")
    Traceback (most recent call last):
    ...
    localitygis.errors.CRSError: sites.gpkg has no coordinate reference system. Its
    coordinates look like British National Grid metres: if so, name it (crs="EPSG:27700", ...
    """
    crs = frame.crs
    if crs is None:
        if assume_crs is None:
            raise CRSError(_missing_crs_message(frame, source))
        crs = CRS.from_user_input(assume_crs)
        frame = frame.set_crs(crs)
    crs = CRS.from_user_input(crs)
    _check_declared_crs(frame, crs, source)
    if crs.equals(CRS.from_epsg(27700)) or crs.to_epsg() == 27700:
        return frame.copy()
    if crs.to_epsg() in _OSTN15_SOURCES or crs.equals(CRS.from_user_input("OGC:CRS84")):
        return _transform(frame, lonlat_to_bng, BNG)
    return frame.to_crs(BNG)


def to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` in WGS84 (EPSG:4326) for the web, through OSTN15 from the National Grid.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A layer with a CRS (normally EPSG:27700).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in EPSG:4326 (longitude, latitude order).

    Raises
    ------
    CRSError
        If the frame has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> bng = gpd.GeoDataFrame(geometry=[Point(91492.146, 11318.804)], crs=27700)
    >>> [round(c, 6) for c in to_wgs84(bng).geometry.iloc[0].coords[0]]
    [-6.299778, 49.922264]
    """
    if frame.crs is None:
        raise CRSError(
            "the layer has no coordinate reference system, so it cannot be published in "
            "WGS84. Set it first with to_bng(frame, assume_crs=...)."
        )
    crs = CRS.from_user_input(frame.crs)
    if crs.to_epsg() == 4326:
        return frame.copy()
    if crs.to_epsg() != 27700:
        frame = to_bng(frame)
    return _transform(frame, _bng_to_lonlat_xy, WGS84)


def _bng_to_lonlat_xy(e: NDArray[np.float64], n: NDArray[np.float64]) -> tuple:
    return bng_to_lonlat(e, n)


def _transform(
    frame: gpd.GeoDataFrame,
    func: Callable[[NDArray[np.float64], NDArray[np.float64]], tuple],
    target: str,
) -> gpd.GeoDataFrame:
    """Apply a vectorised (x, y) -> (x, y) function to every vertex of every geometry."""

    def apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out = frame.copy()
    geometry_name = out.geometry.name
    transformed = shapely.transform(out.geometry.values, apply)
    out[geometry_name] = gpd.GeoSeries(transformed, index=out.index, crs=target)
    return out.set_geometry(geometry_name, crs=target)


def _missing_crs_message(frame: gpd.GeoDataFrame, source: str) -> str:
    xs, ys = _sample_xy(frame)
    hint = ""
    if xs.size:
        kinds = set(classify_coordinates(xs, ys).tolist())
        if kinds == {"bng"}:
            hint = (
                " Its coordinates look like British National Grid metres: if so, name it "
                '(crs="EPSG:27700", or --crs EPSG:27700 on the command line).'
            )
        elif kinds == {"lonlat"}:
            hint = (
                " Its coordinates look like longitude/latitude degrees: if so, name it "
                '(crs="EPSG:4326", or --crs EPSG:4326 on the command line).'
            )
        else:
            hint = ' Name it (e.g. crs="EPSG:27700", or --crs on the command line).'
    else:
        hint = ' Name it (e.g. crs="EPSG:27700", or --crs on the command line).'
    return (
        f"{source} has no coordinate reference system.{hint} "
        "localitygis never guesses a missing CRS."
    )


def _check_declared_crs(frame: gpd.GeoDataFrame, crs: CRS, source: str) -> None:
    """Raise if the coordinates plainly contradict the declared CRS."""
    xs, ys = _sample_xy(frame)
    if xs.size == 0:
        return
    # Stray rows are for row-level checks; only a layer none of whose coordinates fit
    # its declared CRS is refused here.
    kinds = classify_coordinates(xs, ys)
    if crs.is_geographic:
        if not (kinds == "lonlat").any():
            check_coordinates(
                xs, ys, kind="lonlat", source=f"{source} (declared {crs.to_string()})"
            )
    elif crs.to_epsg() == 27700:
        if not (kinds == "bng").any():
            check_coordinates(xs, ys, kind="bng", source=f"{source} (declared EPSG:27700)")
    elif crs.is_projected and np.nanmax(np.abs(np.concatenate([xs, ys]))) <= 180:
        raise CRSError(
            f"{source} is declared in {crs.to_string()} (metres) but its coordinates are "
            f"all within ±180, like degrees, e.g. ({_fmt(xs[0])}, {_fmt(ys[0])}). "
            'If they are longitude/latitude, declare crs="EPSG:4326".'
        )
